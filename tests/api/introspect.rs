//! Token introspection over HTTP.

use crate::helpers::*;

#[test]
fn a_fresh_token_is_active_with_its_claims_and_garbage_is_not() {
    let server = start();
    let token = request_token(&server.token_url()).json()["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let url = format!("{}/introspect", server.uri());
    let form = format!("token={token}");
    let answer = send(
        "POST",
        &url,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        Some(form.as_bytes()),
    );
    answer.expect(200, "2000000", "Successful");
    let body = answer.json();
    assert_eq!(body["active"], true);
    assert_eq!(body["client_id"], DEMO_CLIENT);
    assert_eq!(body["scope"], "request");
    assert_eq!(
        body["exp"].as_i64().unwrap() - body["iat"].as_i64().unwrap(),
        900
    );

    let json_body = serde_json::json!({ "token": format!("Bearer {token}") }).to_string();
    let answer = send(
        "POST",
        &url,
        &[("Content-Type", "application/json")],
        Some(json_body.as_bytes()),
    );
    assert_eq!(answer.json()["active"], true);

    let mut tampered = token.clone();
    tampered.insert(tampered.find('.').unwrap() + 5, 'x');
    let answer = send(
        "POST",
        &url,
        &[],
        Some(format!("token={tampered}").as_bytes()),
    );
    answer.expect(200, "2000000", "Successful");
    assert_eq!(answer.json()["active"], false);
    assert!(answer.json()["reason"].as_str().unwrap().len() > 5);

    send("POST", &url, &[], Some(b"nothing=here")).expect(400, "4000000", "Bad Request");
}

#[test]
fn an_expired_token_is_not_active() {
    let server = start_with(|c| c.token_lifetime = std::time::Duration::from_secs(60));
    let token = request_token(&server.token_url()).json()["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    server.clock().advance(std::time::Duration::from_secs(61));
    let answer = send(
        "POST",
        &format!("{}/introspect", server.uri()),
        &[],
        Some(format!("token={token}").as_bytes()),
    );
    assert_eq!(answer.json()["active"], false);
    assert!(
        answer.json()["reason"]
            .as_str()
            .unwrap()
            .contains("expired"),
        "{}",
        answer.text
    );
}
