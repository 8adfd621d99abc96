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
    assert_eq!(
        answer.text,
        std::fs::read_to_string("openapi.json").unwrap()
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
