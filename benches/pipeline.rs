//! Micro-benchmarks of the pipeline pieces: `cargo bench --bench pipeline`.
//!
//! Besides snap-mock's own path, each crypto step is measured with the
//! alternatives the design card names, so the choice of primitive on the
//! hot path is backed by numbers from the same run (BENCHMARKS.md).

use chrono::Utc;
use criterion::{criterion_group, criterion_main, Criterion};
use rsa::pkcs8::DecodePrivateKey;
use sha2::{Digest, Sha256};
use snap_mock::internals::{
    diagnose_asymmetric, verify_asymmetric, AccessTokenClaims, AccessTokenRequest, ClientPublicKey,
    RawTokenRequest, TokenIssuer,
};
use snap_mock::{
    token_string_to_sign as string_to_sign, ClientKeyPair, ParseRules, Profile, ResponseCode,
    ServiceCode,
};
use std::hint::black_box;

const SIGNING_KEY: &str = include_str!("../keys/signing-key.pem");
const CLIENT_PRIVATE: &str = include_str!("../keys/demo-client.private.pem");
const CLIENT_PUBLIC: &str = include_str!("../keys/demo-client.public.pem");
const TS: &str = "2026-11-26T00:40:36+07:00";
const BODY: &[u8] = br#"{"grantType":"client_credentials","additionalInfo":{}}"#;

fn benches(c: &mut Criterion) {
    let client_private = ClientKeyPair::from_pem(CLIENT_PRIVATE).unwrap();
    let sts = string_to_sign("demo-client", TS);
    let signature = client_private.sign(&sts).unwrap();
    let finpay: &'static Profile = "finpay".parse().unwrap();
    let raw = RawTokenRequest {
        x_timestamp: Some(TS.as_bytes()),
        x_client_key: Some(b"demo-client"),
        x_signature: Some(signature.as_bytes()),
        content_type: Some(b"application/json"),
        body: BODY,
    };
    let rules = ParseRules::default();
    c.bench_function("parse/access_token_request", |b| {
        b.iter(|| AccessTokenRequest::parse(black_box(&raw), &rules).unwrap())
    });

    let key = ClientPublicKey::from_pem(CLIENT_PUBLIC).unwrap();
    let rsa_public = key.rsa().clone();
    let sig_bytes =
        base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &signature).unwrap();
    let mut verify = c.benchmark_group("verify/rsa2048_pkcs1_sha256");
    verify.bench_function("snap-mock (aws-lc-rs, parsed once)", |b| {
        b.iter(|| verify_asymmetric(&key, black_box(&sts), signature.as_bytes()).unwrap())
    });
    verify.bench_function("rsa crate", |b| {
        b.iter(|| {
            let digest = Sha256::digest(black_box(sts.as_bytes()));
            rsa_public
                .verify(rsa::Pkcs1v15Sign::new::<Sha256>(), &digest, &sig_bytes)
                .unwrap()
        })
    });
    verify.finish();

    let issuer = TokenIssuer::from_pem(SIGNING_KEY, Some("snap-mock".into()), 900).unwrap();
    let now = Utc::now();
    let claims = issuer.issue("demo-client", now).unwrap().claims;
    let jwt_key = jsonwebtoken::EncodingKey::from_rsa_pem(SIGNING_KEY.as_bytes()).unwrap();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some(issuer.kid().to_owned());
    let signing_private = rsa::RsaPrivateKey::from_pkcs8_pem(SIGNING_KEY).unwrap();
    let mut sign = c.benchmark_group("sign/rs256_token");
    sign.sample_size(30);
    sign.bench_function("snap-mock (aws-lc-rs key parsed once)", |b| {
        b.iter(|| issuer.issue(black_box("demo-client"), now).unwrap())
    });
    sign.bench_function("jsonwebtoken::encode (aws_lc_rs backend)", |b| {
        b.iter(|| {
            jsonwebtoken::encode::<AccessTokenClaims>(&header, black_box(&claims), &jwt_key)
                .unwrap()
        })
    });
    sign.bench_function("rsa crate sign (PKCS#1 v1.5)", |b| {
        b.iter(|| {
            let digest = Sha256::digest(black_box(b"header.claims"));
            signing_private
                .sign(rsa::Pkcs1v15Sign::new::<Sha256>(), &digest)
                .unwrap()
        })
    });
    sign.finish();

    let token = issuer.issue("demo-client", now).unwrap();
    let code = ResponseCode::new(200, ServiceCode(73), 0);
    c.bench_function("render/finpay_success_body", |b| {
        b.iter(|| {
            serde_json::to_vec(&finpay.access_token_body(code, black_box(&token.access_token), 900))
                .unwrap()
        })
    });

    // The token route's work without HTTP: parse, verify, issue, render.
    let mut whole = c.benchmark_group("pipeline");
    whole.sample_size(30);
    whole.bench_function("access_token (parse, verify, issue; no HTTP)", |b| {
        b.iter(|| {
            let request = AccessTokenRequest::parse(black_box(&raw), &rules).unwrap();
            verify_asymmetric(&key, &request.string_to_sign(), request.signature).unwrap();
            let token = issuer.issue(request.client_key, now).unwrap();
            let body = finpay.access_token_body(code, &token.access_token, token.expires_in);
            black_box(serde_json::to_vec(&body).unwrap().len())
        })
    });
    whole.finish();

    let bad = client_private
        .sign("demo-client|2026-11-25T17:40:36Z")
        .unwrap();
    let mut failure = c.benchmark_group("failure_path");
    failure.sample_size(20);
    failure.bench_function("diagnose_asymmetric (wrong timestamp form)", |b| {
        b.iter(|| diagnose_asymmetric(&key, "demo-client", TS, black_box(bad.as_bytes()), &[]))
    });
    // The path an anonymous client could pick to cost the most: a
    // signature the length of other clients' 4096-bit keys. The work is
    // bounded by the diagnosis budget (8 x 2048 modulus bits).
    let big: Vec<(String, ClientPublicKey)> = (0..8)
        .map(|i| {
            let pair = ClientKeyPair::generate(4096).unwrap();
            let public = ClientPublicKey::from_pem(&pair.public_key_pem().unwrap()).unwrap();
            (format!("big-{i}"), public)
        })
        .collect();
    let others: Vec<(&str, &ClientPublicKey)> = big.iter().map(|(n, k)| (n.as_str(), k)).collect();
    let stranger = ClientKeyPair::generate(4096)
        .unwrap()
        .sign("anything")
        .unwrap();
    failure.bench_function(
        "diagnose_asymmetric (512-byte signature, 8 other clients with 4096-bit keys)",
        |b| {
            b.iter(|| {
                diagnose_asymmetric(
                    &key,
                    "demo-client",
                    TS,
                    black_box(stranger.as_bytes()),
                    &others,
                )
            })
        },
    );
    failure.finish();
}

criterion_group!(pipeline, benches);
criterion_main!(pipeline);
