//! A client's integration test with snap-mock in a container.

use testcontainers::core::{IntoContainerPort, WaitFor};
use testcontainers::runners::SyncRunner;
use testcontainers::{GenericImage, ImageExt};

#[test]
fn the_token_endpoint_rejects_an_unsigned_request_with_snap_json() {
    let image = std::env::var("SNAP_MOCK_IMAGE").unwrap_or_else(|_| "snap-mock".into());
    let tag = std::env::var("SNAP_MOCK_TAG").unwrap_or_else(|_| "latest".into());
    // Host networking keeps all traffic on 127.0.0.1; pick a free port for it.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let container = GenericImage::new(image, tag)
        .with_exposed_port(8080.tcp())
        .with_wait_for(WaitFor::message_on_stdout("snap-mock listening on"))
        .with_network("host")
        .with_env_var("SNAP_MOCK_PORT", port.to_string())
        .start()
        .expect("snap-mock container starts");

    let url = format!("http://127.0.0.1:{port}/pg/snap/oauth/v1.0/access-token/b2b");
    let response = match ureq::post(&url)
        .set("Content-Type", "application/json")
        .set("X-TIMESTAMP", "2024-03-01T15:27:49+07:00")
        .set("X-CLIENT-KEY", "demo-client")
        .set("X-SIGNATURE", "bm90IGEgc2lnbmF0dXJl")
        .send_string(r#"{"grantType":"client_credentials"}"#)
    {
        Err(ureq::Error::Status(_, r)) => r,
        other => panic!("expected a 401, got {other:?}"),
    };
    assert_eq!(response.status(), 401);
    let body: serde_json::Value = response.into_json().unwrap();
    assert_eq!(body["responseCode"], "4017300");
    drop(container);
}
