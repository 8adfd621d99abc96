//! One valid token request after another, each on a new connection (TCP
//! connect, TLS handshake with `TLS_CYCLE_CA`, request, answer), for
//! `benches/adversarial.py --part tls`: a rustls client, so that what is
//! measured is the server's handshake and not the client's (OpenSSL 3.0's
//! client handshake costs about 1.3 ms of CPU by itself, which a Python
//! client would add to every HTTPS figure).
//!
//! `TLS_CYCLE_URL=https://127.0.0.1:PORT/path TLS_CYCLE_CA=ca.pem
//! TLS_CYCLE_SECONDS=10 SNAP_TS=... SNAP_CLIENT_KEY=... SNAP_SIG=...
//! cargo bench --bench tls_cycle` prints `p50_ms answered failed`.

use std::sync::Arc;
use std::time::{Duration, Instant};

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"))
}

fn trusting(pem_path: &str) -> Arc<rustls::ClientConfig> {
    use rustls::pki_types::{pem::PemObject, CertificateDer};
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(pem_path).expect("the CA file") {
        roots.add(cert.expect("a certificate")).expect("a CA");
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    Arc::new(
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

fn main() {
    let url = env("TLS_CYCLE_URL");
    let tls = std::env::var("TLS_CYCLE_CA").ok().map(|ca| trusting(&ca));
    let seconds: u64 = std::env::var("TLS_CYCLE_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let (timestamp, client_key, signature) =
        (env("SNAP_TS"), env("SNAP_CLIENT_KEY"), env("SNAP_SIG"));
    let body = r#"{"grantType":"client_credentials","additionalInfo":{}}"#;
    let end = Instant::now() + Duration::from_secs(seconds);
    let (mut times, mut failed) = (Vec::new(), 0u64);
    while Instant::now() < end {
        // A new agent: a new connection, and a full handshake.
        let mut agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(10));
        if let Some(config) = &tls {
            agent = agent.tls_config(config.clone());
        }
        let agent = agent.build();
        let started = Instant::now();
        let answer = agent
            .post(&url)
            .set("Content-Type", "application/json")
            .set("Connection", "close")
            .set("X-TIMESTAMP", &timestamp)
            .set("X-CLIENT-KEY", &client_key)
            .set("X-SIGNATURE", &signature)
            .send_string(body);
        match answer.map(|r| (r.status(), r.into_string())) {
            Ok((200, Ok(_))) => times.push(started.elapsed()),
            _ => failed += 1,
        }
    }
    times.sort();
    let p50 = times
        .get(times.len() / 2)
        .map_or(f64::INFINITY, |d| d.as_secs_f64() * 1000.0);
    println!("{p50:.3} {} {failed}", times.len());
}
