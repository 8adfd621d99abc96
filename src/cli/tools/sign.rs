//! `sign`: the headers of a signed token request or service call, as
//! headers, JSON or a curl command.

use super::*;

/// The headers of a signed token request, or of a service call signed
/// asymmetrically (no token).
#[derive(Debug, Clone)]
pub struct SignedHeaders {
    pub timestamp: String,
    /// X-CLIENT-KEY of a token request; X-PARTNER-ID of a service call.
    pub client_key: String,
    pub signature: String,
    pub string_to_sign: String,
    /// `Some` for a service call.
    pub service: Option<ServiceCallParts>,
}

/// What a service call sends besides the signature headers.
#[derive(Debug, Clone)]
pub struct ServiceCallParts {
    pub method: String,
    pub body: String,
    pub external_id: String,
    /// `Authorization: Bearer` of a symmetrically signed call.
    pub bearer: Option<String>,
}

/// Signs a transactional call with its B2B token (the symmetric
/// signature): `base64(HMAC-SHA512(secret,
/// METHOD:path?query:token:hex(sha256(minified body)):timestamp))`.
pub fn sign_symmetric_request(
    client_secret: &str,
    access_token: &str,
    partner_id: &str,
    method: &str,
    url: &str,
    body: &str,
    timestamp: Option<&str>,
) -> Result<SignedHeaders, String> {
    let timestamp = timestamp_or_now(timestamp);
    let target = SignedTarget::of(method, url)?;
    let sts = crate::checks::symmetric_string_to_sign(&target.call(body), access_token, &timestamp);
    Ok(SignedHeaders {
        signature: crate::snap::symmetric::hmac_sha512_base64(client_secret.as_bytes(), &sts),
        timestamp,
        client_key: partner_id.to_owned(),
        string_to_sign: sts,
        service: Some(ServiceCallParts {
            method: target.method,
            body: body.to_owned(),
            external_id: uuid::Uuid::new_v4().simple().to_string(),
            bearer: Some(access_token.to_owned()),
        }),
    })
}

/// Signs a service call without a token (the asymmetric service
/// signature): `METHOD:path?query:hex(sha256(minified body)):timestamp`,
/// where the path and query are taken from `url`.
pub fn sign_service_request(
    private_key_pem: &str,
    partner_id: &str,
    method: &str,
    url: &str,
    body: &str,
    timestamp: Option<&str>,
) -> Result<SignedHeaders, String> {
    let key = ClientKeyPair::from_pem(private_key_pem).map_err(|e| e.0)?;
    let timestamp = timestamp_or_now(timestamp);
    let target = SignedTarget::of(method, url)?;
    let sts = crate::checks::asymmetric_string_to_sign(&target.call(body), &timestamp);
    let signature = key.sign(&sts).map_err(|e| format!("signing failed: {e}"))?;
    Ok(SignedHeaders {
        timestamp,
        client_key: partner_id.to_owned(),
        signature,
        string_to_sign: sts,
        service: Some(ServiceCallParts {
            method: target.method,
            body: body.to_owned(),
            external_id: uuid::Uuid::new_v4().simple().to_string(),
            bearer: None,
        }),
    })
}

/// What a service call signs besides its headers and body: the method in
/// upper case, and the path and query of the URL (`sign`, `verify`).
pub(super) struct SignedTarget {
    pub method: String,
    pub relative_url: String,
}

impl SignedTarget {
    pub fn of(method: &str, url: &str) -> Result<Self, String> {
        Ok(Self {
            method: method.to_ascii_uppercase(),
            relative_url: relative_url(url)?,
        })
    }

    /// The call as the checks see it, under the standard's rules.
    pub fn call<'a>(&'a self, body: &'a str) -> crate::checks::ServiceCall<'a> {
        crate::checks::ServiceCall {
            method: &self.method,
            relative_url: &self.relative_url,
            body: body.as_bytes(),
            rules: Default::default(),
        }
    }
}

/// The timestamp given, or now as `yyyy-MM-ddTHH:mm:ss+07:00`.
fn timestamp_or_now(timestamp: Option<&str>) -> String {
    timestamp
        .map(str::to_owned)
        .unwrap_or_else(|| format_snap_timestamp(&chrono::Utc::now()))
}

/// The path and query of an absolute URL (or the argument itself when it
/// is already a path).
fn relative_url(url: &str) -> Result<String, String> {
    if url.starts_with('/') {
        return Ok(url.to_owned());
    }
    let rest = url
        .split_once("://")
        .map(|(_, rest)| rest)
        .ok_or_else(|| format!("{url:?} is neither an absolute URL nor a path"))?;
    Ok(rest
        .find('/')
        .map_or("/".to_owned(), |i| rest[i..].to_owned()))
}

/// Signs `client_key|timestamp` (timestamp: now, `+07:00`, unless given).
pub fn sign_request(
    private_key_pem: &str,
    client_key: &str,
    timestamp: Option<&str>,
) -> Result<SignedHeaders, String> {
    let key = ClientKeyPair::from_pem(private_key_pem).map_err(|e| e.0)?;
    let timestamp = timestamp_or_now(timestamp);
    let sts = string_to_sign(client_key, &timestamp);
    let signature = key.sign(&sts).map_err(|e| format!("signing failed: {e}"))?;
    Ok(SignedHeaders {
        timestamp,
        client_key: client_key.to_owned(),
        signature,
        string_to_sign: sts,
        service: None,
    })
}

/// The request body the tools send.
pub const TOKEN_BODY: &str = r#"{"grantType":"client_credentials","additionalInfo":{}}"#;

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

impl SignedHeaders {
    /// Every header of the request but Content-Type.
    fn header_pairs(&self) -> Vec<(&'static str, String)> {
        match &self.service {
            None => vec![
                ("X-TIMESTAMP", self.timestamp.clone()),
                ("X-CLIENT-KEY", self.client_key.clone()),
                ("X-SIGNATURE", self.signature.clone()),
            ],
            Some(s) => {
                let mut pairs = Vec::new();
                if let Some(token) = &s.bearer {
                    pairs.push(("Authorization", format!("Bearer {token}")));
                }
                pairs.extend([
                    ("X-TIMESTAMP", self.timestamp.clone()),
                    ("X-PARTNER-ID", self.client_key.clone()),
                    ("X-EXTERNAL-ID", s.external_id.clone()),
                    ("CHANNEL-ID", "95221".to_owned()),
                    ("X-SIGNATURE", self.signature.clone()),
                ]);
                pairs
            }
        }
    }

    pub fn as_headers(&self) -> String {
        self.header_pairs()
            .iter()
            .map(|(k, v)| format!("{k}: {v}\n"))
            .collect()
    }

    pub fn as_curl(&self, url: &str) -> String {
        if let Some(s) = &self.service {
            let headers: String = self
                .header_pairs()
                .iter()
                .map(|(k, v)| format!("  -H {} \\\n", shell_quote(&format!("{k}: {v}"))))
                .collect();
            return format!(
                "curl -sS -X {} {} \\\n  -H 'Content-Type: application/json' \\\n{headers}  --data-raw {}\n",
                s.method,
                shell_quote(url),
                shell_quote(&s.body)
            );
        }
        format!(
            "curl -sS -X POST {} \\\n  -H 'Content-Type: application/json' \\\n  -H {} \\\n  -H {} \\\n  -H {} \\\n  -d {}\n",
            shell_quote(url),
            shell_quote(&format!("X-TIMESTAMP: {}", self.timestamp)),
            shell_quote(&format!("X-CLIENT-KEY: {}", self.client_key)),
            shell_quote(&format!("X-SIGNATURE: {}", self.signature)),
            shell_quote(TOKEN_BODY)
        )
    }

    pub fn as_json(&self) -> Value {
        let mut out = serde_json::Map::new();
        for (k, v) in self.header_pairs() {
            out.insert(k.into(), v.into());
        }
        out.insert("stringToSign".into(), self.string_to_sign.clone().into());
        Value::Object(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curl_output_quotes_for_the_shell() {
        let h = SignedHeaders {
            timestamp: "t".into(),
            client_key: "it's".into(),
            signature: "s".into(),
            string_to_sign: "it's|t".into(),
            service: None,
        };
        assert!(h.as_curl("http://x").contains(r"'X-CLIENT-KEY: it'\''s'"));
    }

    #[test]
    fn a_service_call_is_signed_over_method_path_query_body_hash_and_timestamp() {
        let h = sign_service_request(
            crate::embedded::DEMO_PRIVATE_KEY,
            "demo-client",
            "post",
            "http://127.0.0.1:8080/v1/x.htm?a=1",
            "{ \"b\": 2 }",
            Some("2026-01-01T00:00:00+07:00"),
        )
        .unwrap();
        assert_eq!(
            h.string_to_sign,
            format!(
                "POST:/v1/x.htm?a=1:{}:2026-01-01T00:00:00+07:00",
                crate::snap::symmetric::lower_hex(&<sha2::Sha256 as sha2::Digest>::digest(
                    b"{\"b\":2}"
                ))
            )
        );
        let headers = h.as_headers();
        assert!(
            headers.contains("X-PARTNER-ID: demo-client\n") && !headers.contains("X-CLIENT-KEY")
        );
        let verdict = verify_service_offline(
            crate::embedded::key_file("demo-client.public.pem")
                .unwrap()
                .0
                .as_str(),
            "demo-client",
            "POST",
            "/v1/x.htm?a=1",
            "{\"b\":2}",
            &h.timestamp,
            &h.signature,
        );
        assert!(verdict.unwrap().starts_with("valid"));
        let verdict = verify_service_offline(
            crate::embedded::key_file("demo-client.public.pem")
                .unwrap()
                .0
                .as_str(),
            "demo-client",
            "POST",
            "/v1/x.htm?a=1",
            "{\"b\":3}",
            &h.timestamp,
            &h.signature,
        );
        assert!(verdict.unwrap_err().starts_with("invalid"));
        assert!(relative_url("nope").is_err());
        assert_eq!(relative_url("https://h:1").unwrap(), "/");
    }
}
