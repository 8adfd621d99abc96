//! `snap-mock [serve]`: the flags of the server, and running it until a
//! signal stops it.

mod args;
mod parsers;
mod reload;
mod store_args;
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

/// With `--no-bundled` and no clients fixture where the default says, the
/// fix besides the error: nothing else can stand in for it.
fn no_bundled_clients_hint(config: &crate::config::Config) -> &'static str {
    if !config.bundled_underneath
        && config
            .clients
            .is_absent_default(crate::config::DEFAULT_CLIENTS_FILE)
    {
        "; with --no-bundled the clients fixture must be a file: give one with --clients (SNAP_MOCK_CLIENTS), or leave --no-bundled out for the bundled demo clients"
    } else {
        ""
    }
}

pub(super) fn serve(args: ServeArgs) -> ExitCode {
    init_logging();
    #[cfg(unix)]
    let raised = raise_open_files_limit();
    let watch = args.watch;
    let cert_out = args.tls.tls_cert_out.clone();
    let config = args.into_config();
    let hint = no_bundled_clients_hint(&config);
    let bound = match Bound::new(config) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("snap-mock: {e}{hint}");
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
    #[cfg(unix)]
    if let Some((before, after)) = raised {
        log::info!("open files limit raised from {before} to {after} (the hard limit): idle connections cannot starve accept");
    }

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

/// Raises the soft limit of open files to the hard one: every connection,
/// idle or not, holds a descriptor, and at the common soft limit of 1,024 a
/// few hundred idle connections make `accept` fail, after which actix
/// stops accepting for half a second at a time and valid clients wait
/// (RELIABILITY.md). The hard limit is the process's to take, as Go's
/// runtime and nginx's `worker_rlimit_nofile` do. `(before, after)` when
/// raised.
#[cfg(unix)]
fn raise_open_files_limit() -> Option<(libc::rlim_t, libc::rlim_t)> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one rlimit into the valid, exclusive
    // pointer it is given and keeps nothing.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return None;
    }
    // An unlimited hard limit is not a valid soft one on every kernel:
    // 1,048,576 is Linux's default ceiling (fs.nr_open).
    let target = limit.rlim_max.min(1 << 20);
    if limit.rlim_cur >= target {
        return None;
    }
    let raised = libc::rlimit {
        rlim_cur: target,
        rlim_max: limit.rlim_max,
    };
    // SAFETY: setrlimit reads one valid rlimit and keeps nothing.
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } != 0 {
        return None;
    }
    Some((limit.rlim_cur, target))
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
