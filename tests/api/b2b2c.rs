//! The B2B2C access token: by authorization code, then by refresh token.

use crate::helpers::*;

const B2B2C: &str = "/pg/snap/oauth/v1.0/access-token/b2b2c";

fn ask(server: &snap_mock::MockServer, body: &str) -> Answer {
    let headers = signed_headers(DEMO_PRIVATE_KEY, DEMO_CLIENT, &now_timestamp());
    post_with(&format!("{}{B2B2C}", server.uri()), &headers, body)
}

#[test]
fn an_auth_code_then_its_refresh_token_give_customer_tokens() {
    let server = start();
    let first = ask(
        &server,
        r#"{"grantType":"AUTHORIZATION_CODE","authCode":"demo-auth-code","additionalInfo":{}}"#,
    );
    first.expect(200, "2007400", "Request has been processed successfully");
    let body = first.json();
    for field in [
        "accessToken",
        "tokenType",
        "accessTokenExpiryTime",
        "refreshToken",
        "refreshTokenExpiryTime",
    ] {
        assert!(
            body[field].as_str().is_some_and(|v| !v.is_empty()),
            "{field} in {body}"
        );
    }
    assert_eq!(body["accessTokenExpiryTime"].as_str().unwrap().len(), 25);
    let (_, claims) = decode_jwt_unverified(body["accessToken"].as_str().unwrap()).unwrap();
    assert_eq!(claims["sub"], "customer-001");
    assert_eq!(claims["aud"], DEMO_CLIENT);

    // The customer token passes introspection like any token of this server.
    let form = format!("token={}", body["accessToken"].as_str().unwrap());
    let intro = send(
        "POST",
        &format!("{}/introspect", server.uri()),
        &[],
        Some(form.as_bytes()),
    );
    assert_eq!(intro.json()["active"], true);

    let refresh = body["refreshToken"].as_str().unwrap().to_owned();
    let second = ask(
        &server,
        &format!(r#"{{"grantType":"REFRESH_TOKEN","refreshToken":"{refresh}"}}"#),
    );
    second.expect(200, "2007400", "Request has been processed successfully");
    assert_ne!(
        second.json()["refreshToken"],
        refresh.as_str(),
        "refreshing rotates the refresh token"
    );
    let (_, claims) =
        decode_jwt_unverified(second.json()["accessToken"].as_str().unwrap()).unwrap();
    assert_eq!(claims["sub"], "customer-001");

    // A refresh token works once.
    ask(
        &server,
        &format!(r#"{{"grantType":"REFRESH_TOKEN","refreshToken":"{refresh}"}}"#),
    )
    .expect(401, "4017402", "Invalid Customer Token");

    // The journal shows the refresh token only as a prefix and a fingerprint.
    let journal = server.requests().unwrap();
    let refreshing = &journal[0];
    assert!(!refreshing.body.contains(&refresh), "{}", refreshing.body);
    assert!(
        refreshing.body.contains(&refresh[..8]) && refreshing.body.contains("redacted sha256:")
    );
}

#[test]
fn b2b2c_mistakes_have_service_74_codes() {
    let server = start();
    ask(
        &server,
        r#"{"grantType":"AUTHORIZATION_CODE","authCode":"nope"}"#,
    )
    .expect(401, "4017400", "Unauthorized. Invalid Auth Code");
    ask(&server, r#"{"grantType":"AUTHORIZATION_CODE"}"#).expect(
        400,
        "4007402",
        "Invalid Mandatory Field authCode",
    );
    ask(&server, r#"{"grantType":"REFRESH_TOKEN"}"#).expect(
        400,
        "4007402",
        "Invalid Mandatory Field refreshToken",
    );
    ask(&server, r#"{"grantType":"client_credentials"}"#).expect(
        400,
        "4007401",
        "Invalid Field Format grantType",
    );
    ask(
        &server,
        r#"{"grantType":"REFRESH_TOKEN","refreshToken":"made-up"}"#,
    )
    .expect(401, "4017402", "Invalid Customer Token");
    let bad = with_header(
        signed_headers(DEMO_PRIVATE_KEY, DEMO_CLIENT, &now_timestamp()),
        "X-SIGNATURE",
        Some(&sign(PKCS1_PRIVATE_KEY, DEMO_CLIENT, "x")),
    );
    post_with(
        &format!("{}{B2B2C}", server.uri()),
        &bad,
        r#"{"grantType":"AUTHORIZATION_CODE","authCode":"demo-auth-code"}"#,
    )
    .expect(401, "4017400", "Unauthorized. Invalid Signature");
    send("GET", &format!("{}{B2B2C}", server.uri()), &[], None).expect(
        405,
        "4057400",
        "Requested Function Is Not Supported",
    );
}

#[test]
fn another_clients_refresh_token_is_refused() {
    let server = start();
    let first = ask(
        &server,
        r#"{"grantType":"AUTHORIZATION_CODE","authCode":"demo-auth-code-2"}"#,
    );
    let refresh = first.json()["refreshToken"].as_str().unwrap().to_owned();
    let headers = signed_headers(PKCS1_PRIVATE_KEY, PKCS1_CLIENT, &now_timestamp());
    let body = format!(r#"{{"grantType":"REFRESH_TOKEN","refreshToken":"{refresh}"}}"#);
    post_with(&format!("{}{B2B2C}", server.uri()), &headers, &body).expect(
        401,
        "4017402",
        "Invalid Customer Token",
    );
}
