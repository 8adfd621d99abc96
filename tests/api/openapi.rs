//! The OpenAPI document: served as kept in the repository, and every
//! operation it lists exists on the server (schemathesis checks the answers
//! against it in CI).

use crate::helpers::*;

#[test]
fn the_served_document_is_the_repository_file() {
    let server = start();
    let answer = get(&format!("{}/openapi.json", server.uri()));
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("content-type"), Some("application/json"));
    // The file holds the default preset's served endpoints; after a change
    // to them (or to how they are described), write it again with
    // SNAP_MOCK_WRITE_OPENAPI=1 and review the diff.
    if std::env::var_os("SNAP_MOCK_WRITE_OPENAPI").is_some() {
        let doc: serde_json::Value = serde_json::from_str(&answer.text).unwrap();
        let text = serde_json::to_string_pretty(&doc).unwrap() + "\n";
        std::fs::write("openapi.json", text).unwrap();
    }
    assert_eq!(
        answer.text,
        std::fs::read_to_string("openapi.json").unwrap(),
        "openapi.json is stale: SNAP_MOCK_WRITE_OPENAPI=1 cargo test --test api openapi writes it again"
    );
    assert_eq!(answer.json()["openapi"], "3.0.3");
}

#[test]
fn every_documented_operation_is_served() {
    let server = start();
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("openapi.json").unwrap()).unwrap();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if method.starts_with("x-") {
                continue;
            }
            let concrete = path
                .replace("{name}", "no-such-scenario")
                .replace("{clientKey}", "no-such-client");
            let answer = send(
                &method.to_uppercase(),
                &format!("{}{concrete}", server.uri()),
                &[],
                Some(b"{}"),
            );
            let not_routed = answer.status == 404
                && answer.json()["responseMessage"] == "Not Found"
                && answer.json().get("error").is_none();
            assert!(
                !not_routed && answer.status != 405,
                "{method} {path} is documented but not served: {}",
                answer.text
            );
            checked += 1;
        }
    }
    assert!(checked >= 17, "only {checked} operations");
}

/// Under another preset the document lists that preset's token paths (under
/// its base path), not Finpay's, and every operation it lists is served;
/// `/health` lists the transactional endpoints served.
#[test]
fn the_document_and_health_describe_the_active_preset() {
    for name in ["dana", "nicepay"] {
        let provider: &'static snap_mock::Provider = name.parse().unwrap();
        let server = start_with(|c| *c = c.clone().with_provider(provider));
        let doc = get(&format!("{}/openapi.json", server.uri())).json();
        let paths = doc["paths"].as_object().unwrap();
        assert!(
            !paths.contains_key(FINPAY_PATH),
            "{name} documents Finpay's path"
        );
        for path in provider.b2b_token_paths {
            let served = format!("{}{path}", provider.base_path);
            assert!(paths.contains_key(&served), "{name} lacks {served}");
        }
        let mut ids: Vec<&str> = paths
            .values()
            .flat_map(|item| item.as_object().unwrap().iter())
            .filter(|(k, _)| !k.starts_with("x-"))
            .map(|(_, op)| op)
            .filter_map(|op| op["operationId"].as_str())
            .collect();
        let count = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), count, "{name}: operationIds repeat");
        for (path, item) in paths {
            if path.contains('{') {
                continue;
            }
            for method in item.as_object().unwrap().keys() {
                if method.starts_with("x-") {
                    continue;
                }
                let answer = send(
                    &method.to_uppercase(),
                    &format!("{}{path}", server.uri()),
                    &[],
                    Some(b"{}"),
                );
                assert!(
                    answer.status != 404 && answer.status != 405,
                    "{name}: {method} {path} is documented but not served: {}",
                    answer.text
                );
            }
        }
        let health = get(&format!("{}/health", server.uri())).json();
        let endpoints = health["endpoints"].as_array().unwrap();
        for e in endpoints {
            let path = e["path"].as_str().unwrap();
            let answer = send(
                e["method"].as_str().unwrap(),
                &format!("{}{path}", server.uri()),
                &[],
                Some(b"{}"),
            );
            assert_ne!(
                answer.status, 404,
                "{name}: /health lists {path}, which is not served"
            );
        }
        // The same service endpoints in both, canned and stateful.
        let mut listed: Vec<(String, String)> = endpoints
            .iter()
            .map(|e| {
                (
                    e["method"].as_str().unwrap().to_lowercase(),
                    e["path"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let mut documented: Vec<(String, String)> = paths
            .iter()
            .filter(|(_, item)| item.get("x-snap-mock-served-endpoint").is_some())
            .flat_map(|(path, item)| {
                item.as_object()
                    .unwrap()
                    .keys()
                    .filter(|k| !k.starts_with("x-"))
                    .map(|m| (m.clone(), path.clone()))
                    .collect::<Vec<_>>()
            })
            .collect();
        listed.sort();
        documented.sort();
        assert_eq!(listed, documented, "{name}");
        // At the provider's own service path (NICEPAY's SDK calls
        // /nicepay/api/v1.0/..., Paylabs' /api/v1.0/... signed without it).
        let va_status = format!(
            "{}{}",
            provider.base_path,
            provider.service_path("/v1.0/transfer-va/status")
        );
        let stateful = endpoints
            .iter()
            .find(|e| e["path"] == va_status.as_str())
            .unwrap_or_else(|| panic!("{name}: {va_status} not listed: {endpoints:?}"));
        assert_eq!(stateful["answers"], "stateful");
        assert_eq!(stateful["serviceCode"], "26");
        assert_eq!(
            stateful["signature"],
            provider.service_signature.as_str(),
            "{name}"
        );
        assert_eq!(
            endpoints
                .iter()
                .filter(|e| e["answers"] == "stateful")
                .count(),
            13,
            "{name}"
        );
        let expected = if name == "dana" {
            "/payment-gateway/v1.0/debit/status.htm"
        } else {
            "/nicepay/api/v1.0/transfer-va/create-va"
        };
        assert!(
            endpoints.iter().any(|e| e["path"] == expected),
            "{name}: {endpoints:?}"
        );
    }
}
