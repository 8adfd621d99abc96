//! Transactional SNAP endpoints declared in `fixtures/endpoints.json`: each
//! is protected by the B2B token and the symmetric signature, or by the
//! asymmetric signature without a token, and answers a canned success body
//! when the client gets everything right.

use crate::provider::{Provider, ServiceSignature};
use crate::snap::response_code::{ResponseCode, ServiceCode};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::sync::Arc;

#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EndpointSpec {
    // Documentation in the fixture; read by no code.
    #[allow(dead_code)]
    pub name: String,
    #[serde(default)]
    #[allow(dead_code)]
    pub description: Option<String>,
    pub method: String,
    pub path: String,
    /// The SNAP service code (2 digits) used in every answer's responseCode.
    pub service_code: ServiceCode,
    /// `symmetric` (bearer token + HMAC-SHA512) or `asymmetric` (no token,
    /// SHA256withRSA); by default the provider preset's.
    #[serde(default)]
    pub signature: Option<ServiceSignature>,
    /// Served only under this provider preset (`--provider`); by default
    /// under every preset.
    #[serde(default)]
    pub provider: Option<String>,
    /// The success body. `responseCode` defaults to `200{svc}00` and
    /// `responseMessage` to `Successful`.
    #[serde(default)]
    pub response: Map<String, Value>,
}

/// A validated endpoint.
#[derive(Debug)]
pub struct Endpoint {
    pub spec: EndpointSpec,
    pub method: String,
    pub signature: ServiceSignature,
    pub success_code: ResponseCode,
    pub success_message: String,
}

impl Endpoint {
    pub fn new(spec: EndpointSpec, provider: &Provider) -> Result<Self, String> {
        if let Some(name) = &spec.provider {
            name.parse::<&Provider>()?;
        }
        let method = spec.method.to_ascii_uppercase();
        if !["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&method.as_str()) {
            return Err(format!(
                "method {:?} is not GET, POST, PUT, PATCH or DELETE",
                spec.method
            ));
        }
        if !spec.path.starts_with('/') || spec.path.contains(['{', '}', '?', '#', ' ']) {
            return Err(format!(
                "path {:?} must be an absolute path without query",
                spec.path
            ));
        }
        if spec.service_code.0 > 99 {
            return Err(format!(
                "serviceCode {} must be two digits",
                spec.service_code
            ));
        }
        let success_code = match spec.response.get("responseCode") {
            Some(Value::String(s)) => s
                .parse::<ResponseCode>()
                .map_err(|e| format!("responseCode {s:?}: {e}"))?,
            Some(other) => return Err(format!("responseCode must be a string, got {other}")),
            None => ResponseCode::new(200, spec.service_code, 0),
        };
        let success_message = match spec.response.get("responseMessage") {
            Some(Value::String(s)) => s.clone(),
            _ => success_code
                .standard_message()
                .unwrap_or("Successful")
                .to_owned(),
        };
        Ok(Self {
            signature: spec.signature.unwrap_or(provider.service_signature),
            spec,
            method,
            success_code,
            success_message,
        })
    }
}

/// Parses the text of an endpoints fixture; errors name the entry.
/// Endpoints for another provider preset are checked, then left out.
pub fn from_json(text: &str, provider: &Provider) -> Result<Vec<Arc<Endpoint>>, String> {
    let mut out: Vec<Arc<Endpoint>> = Vec::new();
    for (label, spec) in crate::fixtures::entries::<EndpointSpec>(text, "endpoints", "endpoint")? {
        let endpoint = Endpoint::new(spec, provider).map_err(|e| format!("{label}: {e}"))?;
        if endpoint
            .spec
            .provider
            .as_deref()
            .is_some_and(|p| p != provider.name)
        {
            continue;
        }
        if out
            .iter()
            .any(|e| e.spec.path == endpoint.spec.path && e.method == endpoint.method)
        {
            return Err(format!(
                "{label}: {} {} is declared twice",
                endpoint.method, endpoint.spec.path
            ));
        }
        out.push(Arc::new(endpoint));
    }
    Ok(out)
}
