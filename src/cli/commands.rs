//! What each integrator command does with its flags: the exits and the
//! words a user sees; the work is in `tools`.

use super::{secret_choice, tools};
use super::{
    HealthcheckArgs, KeygenArgs, RegisterArgs, SignArgs, SignFormat, SignMode, TokenArgs,
    VerifyArgs,
};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("snap-mock: {message}");
    ExitCode::from(2)
}

fn read(path: &std::path::Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

pub(super) fn keygen(args: KeygenArgs) -> ExitCode {
    let client_key = args
        .client_key
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let fixture = tools::Fixture {
        clients: &args.fixtures.clients,
        keys_dir: &args.fixtures.keys_dir,
    };
    let generated = match tools::keygen(
        &client_key,
        args.bits,
        &args.out,
        &args.fixtures.keys_dir,
        args.register.then_some(fixture),
        secret_choice(args.client_secret),
    ) {
        Ok(g) => g,
        Err(e) => return fail(e),
    };
    println!("client key:  {}", generated.client_key);
    println!(
        "private key: {} (PKCS#8; TEST USE ONLY, keep it out of version control if it matters)",
        generated.private_key_path.display()
    );
    println!(
        "public key:  {} (SPKI)",
        generated.public_key_path.display()
    );
    let entry = serde_json::to_string_pretty(&generated.entry).unwrap_or_default();
    if args.register {
        println!(
            "registered in {}; restart snap-mock or send it SIGHUP to load it:",
            args.fixtures.clients.display()
        );
    } else {
        println!(
            "add this to the \"clients\" array of {} (or rerun with --register):",
            args.fixtures.clients.display()
        );
    }
    println!("{entry}");
    ExitCode::SUCCESS
}

pub(super) fn register(args: RegisterArgs) -> ExitCode {
    let fixture = tools::Fixture {
        clients: &args.fixtures.clients,
        keys_dir: &args.fixtures.keys_dir,
    };
    match tools::register_public_key(
        fixture,
        &args.client_key,
        &args.public_key,
        secret_choice(args.client_secret),
    ) {
        Ok(entry) => {
            println!(
                "registered in {}; restart snap-mock or send it SIGHUP to load it:",
                args.fixtures.clients.display()
            );
            println!(
                "{}",
                serde_json::to_string_pretty(&entry).unwrap_or_default()
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

/// Reads a private key file and signs `client_key|timestamp` (`sign`, `token`).
fn sign_with_key_file(
    private_key: &std::path::Path,
    client_key: &str,
    timestamp: Option<&str>,
) -> Result<tools::SignedHeaders, String> {
    read(private_key)
        .map_err(|e| format!("--private-key {e}"))
        .and_then(|pem| tools::sign_request(&pem, client_key, timestamp))
}

pub(super) fn sign(args: SignArgs) -> ExitCode {
    let key_file = || {
        args.private_key.as_deref().ok_or_else(|| {
            format!(
                "--mode {:?} signs with an RSA key: give --private-key",
                args.mode
            )
        })
    };
    let signed = match args.mode {
        SignMode::Token => key_file().and_then(|key| {
            sign_with_key_file(key, &args.client_key, args.timestamp.as_deref())
        }),
        SignMode::Service | SignMode::Symmetric if args.url.contains("/access-token/") => Err(
            "--mode service and --mode symmetric sign a service call: give its --url (the default is the token URL)"
                .into(),
        ),
        SignMode::Service => key_file()
            .and_then(|key| read(key).map_err(|e| format!("--private-key {e}")))
            .and_then(|pem| {
            tools::sign_service_request(
                &pem,
                &args.client_key,
                &args.method,
                &args.url,
                &args.body,
                args.timestamp.as_deref(),
            )
        }),
        SignMode::Symmetric => match (&args.client_secret, &args.access_token) {
            (Some(secret), Some(token)) => tools::sign_symmetric_request(
                secret,
                token,
                &args.client_key,
                &args.method,
                &args.url,
                &args.body,
                args.timestamp.as_deref(),
            ),
            _ => Err("--mode symmetric needs --client-secret and --access-token (from `snap-mock token`)".into()),
        },
    };
    let signed = match signed {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    match args.format {
        SignFormat::Headers => print!("{}", signed.as_headers()),
        SignFormat::Curl => print!("{}", signed.as_curl(&args.url)),
        SignFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&signed.as_json()).unwrap_or_default()
        ),
    }
    ExitCode::SUCCESS
}

pub(super) fn token(args: TokenArgs) -> ExitCode {
    let signed = match sign_with_key_file(
        &args.private_key,
        &args.client_key,
        args.timestamp.as_deref(),
    ) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    println!("POST {}", args.url);
    print!("{}", signed.as_headers());
    println!("string-to-sign: {}", signed.string_to_sign);
    let trust_file = args
        .cacert
        .clone()
        .or_else(|| std::env::var_os("SSL_CERT_FILE").map(PathBuf::from));
    let trust = match trust_file.as_deref().map(read).transpose() {
        Ok(t) => t,
        Err(e) => return fail(format!("--cacert: {e}")),
    };
    let timeout = Duration::from_secs(args.timeout);
    let result = match tools::request_token(&args.url, &signed, timeout, trust.as_deref()) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    println!("\nHTTP {}", result.status);
    match serde_json::to_string_pretty(&result.body) {
        Ok(pretty) if !result.body.is_null() => println!("{pretty}"),
        _ => println!("{}", result.raw_body),
    }
    if let Some((header, claims)) = &result.claims {
        println!("\ntoken header (not verified): {header}");
        println!(
            "token claims (not verified): {}",
            serde_json::to_string_pretty(claims).unwrap_or_default()
        );
    }
    if result.succeeded() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

pub(super) fn verify(args: VerifyArgs) -> ExitCode {
    let pem = || {
        args.public_key
            .as_deref()
            .ok_or_else(|| {
                format!(
                    "--mode {:?} verifies with an RSA key: give --public-key",
                    args.mode
                )
            })
            .and_then(read)
    };
    let verdict = match args.mode {
        SignMode::Token => pem().and_then(|pem| {
            tools::verify_offline(&pem, &args.client_key, &args.timestamp, &args.signature)
        }),
        SignMode::Service => pem().and_then(|pem| {
            tools::verify_service_offline(
                &pem,
                &args.client_key,
                &args.method,
                &args.url,
                &args.body,
                &args.timestamp,
                &args.signature,
            )
        }),
        SignMode::Symmetric => match (&args.client_secret, &args.access_token) {
            (Some(secret), Some(token)) => tools::verify_symmetric_offline(
                secret,
                token,
                &args.method,
                &args.url,
                &args.body,
                &args.timestamp,
                &args.signature,
            ),
            _ => Err("--mode symmetric needs --client-secret and --access-token".into()),
        },
    };
    match verdict {
        Ok(verdict) => {
            println!("{verdict}");
            ExitCode::SUCCESS
        }
        Err(verdict) if verdict.starts_with("invalid") => {
            println!("{verdict}");
            ExitCode::from(1)
        }
        Err(e) => fail(e),
    }
}

pub(super) fn healthcheck(args: HealthcheckArgs) -> ExitCode {
    // The server's own TLS settings, read from the same environment, so
    // that the image's HEALTHCHECK works unchanged under SNAP_MOCK_TLS.
    let env_path = |name: &str| std::env::var_os(name).map(PathBuf::from);
    let tls =
        args.tls || args.ca_cert.is_some() || std::env::var_os("SNAP_MOCK_TLS_CERT").is_some();
    let trust_file = args
        .ca_cert
        .or_else(|| env_path("SNAP_MOCK_TLS_CERT_OUT"))
        .or_else(|| env_path("SNAP_MOCK_TLS_CERT"));
    let scheme = if tls { "https" } else { "http" };
    let url = args
        .url
        .unwrap_or_else(|| format!("{scheme}://127.0.0.1:{}/health", args.port));
    let trust = match (&trust_file, url.starts_with("https://")) {
        (Some(path), true) => match read(path) {
            Ok(pem) => Some(pem),
            Err(e) => {
                eprintln!("snap-mock healthcheck: {e}");
                return ExitCode::from(1);
            }
        },
        _ => None,
    };
    match tools::healthcheck(
        &url,
        Duration::from_millis(args.timeout_ms),
        trust.as_deref(),
    ) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("snap-mock healthcheck: {e}");
            ExitCode::from(1)
        }
    }
}
