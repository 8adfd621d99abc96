//! Micro-benchmarks of the pipeline pieces: `cargo bench --bench pipeline`.
//!
//! Besides snap-mock's own path, each crypto step is measured with the
//! alternatives the design card names, so the choice of primitive on the
//! hot path is backed by numbers from the same run (BENCHMARKS.md).

use chrono::Utc;
use criterion::{criterion_group, criterion_main, Criterion};
use rsa::pkcs8::EncodePrivateKey;
use sha2::{Digest, Sha256};
use snap_mock::snap::keys::{parse_private_key, ClientPublicKey};
use snap_mock::snap::profile::FINPAY;
use snap_mock::snap::response_code::ResponseCode;
use snap_mock::snap::signature::{sign_asymmetric, string_to_sign, verify_asymmetric};
use snap_mock::snap::{AccessTokenRequest, ParseRules, RawTokenRequest};
use snap_mock::tokens::{AccessTokenClaims, TokenIssuer};
use std::hint::black_box;

const SIGNING_KEY: &str = include_str!("../keys/signing-key.pem");
const CLIENT_PRIVATE: &str = include_str!("../keys/demo-client.private.pem");
const CLIENT_PUBLIC: &str = include_str!("../keys/demo-client.public.pem");
const TS: &str = "2026-11-26T00:40:36+07:00";
const BODY: &[u8] = br#"{"grantType":"client_credentials","additionalInfo":{}}"#;

fn benches(c: &mut Criterion) {
    let client_private = parse_private_key(CLIENT_PRIVATE).unwrap();
    let sts = string_to_sign("demo-client", TS);
    let signature = sign_asymmetric(&client_private, &sts).unwrap();
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
    let signing_private = parse_private_key(SIGNING_KEY).unwrap();
    let _ = signing_private.to_pkcs8_der();
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
        b.iter(|| sign_asymmetric(&signing_private, black_box("header.claims")).unwrap())
    });
    sign.finish();

    let token = issuer.issue("demo-client", now).unwrap();
    let code = ResponseCode::new(200, 73, 0);
    c.bench_function("render/finpay_success_body", |b| {
        b.iter(|| {
            serde_json::to_vec(&FINPAY.access_token_body(code, black_box(&token.access_token), 900))
                .unwrap()
        })
    });

    let mut config = snap_mock::Config::for_tests();
    config.timestamp_window = std::time::Duration::ZERO;
    let state = snap_mock::server::load_state(config).unwrap();
    let mut whole = c.benchmark_group("pipeline");
    whole.sample_size(30);
    whole.bench_function("access_token (parse, verify, issue; no HTTP)", |b| {
        b.iter(|| {
            let verdict = state.access_token(black_box(&raw), now);
            assert_eq!(verdict.outcome.check(), "issued");
            let r = snap_mock::render::render_outcome(
                &FINPAY,
                &verdict.outcome,
                verdict.client_key.as_deref(),
                false,
                now,
            );
            black_box(r.body.len())
        })
    });
    whole.finish();

    let bad = sign_asymmetric(&client_private, "demo-client|2026-11-25T17:40:36Z").unwrap();
    let mut failure = c.benchmark_group("failure_path");
    failure.sample_size(20);
    failure.bench_function("diagnose_asymmetric (wrong timestamp form)", |b| {
        b.iter(|| {
            snap_mock::snap::diagnosis::diagnose_asymmetric(
                &key,
                "demo-client",
                TS,
                black_box(bad.as_bytes()),
                &[],
            )
        })
    });
    failure.finish();
}

criterion_group!(pipeline, benches);
criterion_main!(pipeline);
