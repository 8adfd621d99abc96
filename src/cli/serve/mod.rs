//! `snap-mock [serve]`: the flags of the server, and running it until a
//! signal stops it.

mod args;
mod parsers;
mod reload;
mod tls_args;

pub use args::ServeArgs;

use crate::server::Bound;
use reload::{reload_on_sighup, watch_fixtures};
use std::io::Write;
use std::process::ExitCode;

fn init_logging() {
    // Logs go to stdout so container runtimes collect them with the rest.
    let _ = env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info"))
        .target(env_logger::Target::Stdout)
        .try_init();
}

pub(super) fn serve(args: ServeArgs) -> ExitCode {
    init_logging();
    let watch = args.watch;
    let cert_out = args.tls.tls_cert_out.clone();
    let bound = match Bound::new(args.into_config()) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("snap-mock: {e}");
            return ExitCode::from(2);
        }
    };
    if let (Some(path), Some(pem)) = (&cert_out, &bound.tls_trust_pem) {
        if let Err(e) = std::fs::write(path, pem) {
            eprintln!("snap-mock: --tls-cert-out {}: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    // Before the listening line: a file written after it is a change.
    if watch {
        watch_fixtures(bound.state.clone());
    }
    announce(&bound);

    let state = bound.state.clone();
    let result = actix_web::rt::System::new().block_on(async move {
        let server = bound.into_server()?;
        let handle = server.handle();
        #[cfg(unix)]
        actix_web::rt::spawn(reload_on_sighup(state));
        actix_web::rt::spawn(async move {
            wait_for_stop_signal().await;
            log::info!("stopping: answering requests in flight, then exiting");
            handle.stop(true).await;
        });
        server
            .await
            .map_err(|e| crate::server::StartError::Bind(e.to_string()))
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("snap-mock: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The listening line and what was loaded, on stdout (harnesses wait
/// for the first), then the start-up warnings.
fn announce(bound: &Bound) {
    let config = &bound.state.config;
    let clients = bound.state.stores.clients.len();
    println!(
        "snap-mock listening on {}://{} (provider {}, profile {}, {} token format, {} client{}); token paths: {}; B2B2C: {}",
        bound.scheme(),
        bound.address,
        config.provider.name,
        config.profile.name,
        config.token_format.as_str(),
        clients,
        if clients == 1 { "" } else { "s" },
        config.served_token_paths().join(", "),
        config.served_token_paths_b2b2c().join(", ")
    );
    println!("loaded: {}", bound.state.loaded.join("; "));
    let _ = std::io::stdout().flush();
    for warning in &bound.state.warnings {
        log::warn!("{warning}");
    }
}

#[cfg(unix)]
async fn wait_for_stop_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        log::warn!("cannot install signal handlers; stop with SIGKILL");
        return std::future::pending().await;
    };
    tokio::select! {
        _ = term.recv() => {},
        _ = int.recv() => {},
    }
}

#[cfg(not(unix))]
async fn wait_for_stop_signal() {
    let _ = tokio::signal::ctrl_c().await;
}
