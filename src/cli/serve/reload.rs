//! Fixture reloads while the server runs: on SIGHUP, and with `--watch`
//! when a fixture file changes. A broken file keeps what is in force.

use crate::config::Source;
use std::path::PathBuf;
use std::time::Duration;

/// SIGHUP re-reads the scenarios and clients fixtures; a broken file is
/// reported and the previous state stays in force.
#[cfg(unix)]
pub(super) async fn reload_on_sighup(state: std::sync::Arc<crate::state::State>) {
    use tokio::signal::unix::{signal, SignalKind};
    let Ok(mut hup) = signal(SignalKind::hangup()) else {
        log::warn!("cannot install the SIGHUP handler; reload through the admin API");
        return;
    };
    while hup.recv().await.is_some() {
        reload_fixtures(&state, "SIGHUP");
    }
}

/// Reloads the scenarios and clients fixtures; a broken file keeps what is
/// in force, and the log says why.
fn reload_fixtures(state: &crate::state::State, why: &str) {
    match crate::store::block_on(state.reload_scenarios()) {
        Ok(n) => log::info!("{why}: reloaded {n} scenarios"),
        Err(e) => log::error!("{why}: scenarios not reloaded, previous ones stay in force: {e}"),
    }
    match state.reload_clients() {
        Ok(n) => log::info!("{why}: reloaded {n} clients"),
        Err(e) => log::error!("{why}: clients not reloaded, previous ones stay registered: {e}"),
    }
}

/// How often `--watch` looks at the files, and how long they must stay
/// unchanged before a reload (an editor's save or a `cp` is often several
/// writes).
const WATCH_POLL: Duration = Duration::from_millis(250);
const WATCH_SETTLE: Duration = Duration::from_millis(300);

/// The files `--watch` follows: the clients and scenarios fixtures and the
/// key files the registered clients were read from, with their
/// modification time and length (`None`: absent).
fn watched(state: &crate::state::State) -> Vec<(PathBuf, Option<(std::time::SystemTime, u64)>)> {
    let mut paths: Vec<PathBuf> = Vec::new();
    for source in [
        Some(&state.config.clients),
        state.config.local_clients.as_ref(),
        state.config.scenarios.as_ref(),
    ]
    .into_iter()
    .flatten()
    {
        if let Source::File(p) = source {
            paths.push(p.clone());
        }
    }
    for client in state.stores.clients.all() {
        let p = PathBuf::from(&client.public_key_source);
        if p.is_file() && !paths.contains(&p) {
            paths.push(p);
        }
    }
    paths
        .into_iter()
        .map(|p| {
            let stamp = std::fs::metadata(&p)
                .ok()
                .and_then(|m| Some((m.modified().ok()?, m.len())));
            (p, stamp)
        })
        .collect()
}

/// `--watch`: polls the fixture files and reloads them once a change has
/// settled. A thread of its own: file metadata calls block. The files are
/// first looked at here, before the caller announces the server, so a
/// change made right after the listening line is never taken for the
/// starting state.
pub(super) fn watch_fixtures(state: std::sync::Arc<crate::state::State>) {
    let mut last = watched(&state);
    let spawned = std::thread::Builder::new()
        .name("snap-mock-watch".into())
        .spawn(move || {
            loop {
                std::thread::sleep(WATCH_POLL);
                let mut seen = watched(&state);
                if seen == last {
                    continue;
                }
                loop {
                    std::thread::sleep(WATCH_SETTLE);
                    let again = watched(&state);
                    if again == seen {
                        break;
                    }
                    seen = again;
                }
                reload_fixtures(&state, "watch");
                // The reload may have changed which key files are followed:
                // those are looked at now, but a file already followed keeps
                // the state the reload read, so a write made while it ran
                // (after its log line) is still a change.
                last = watched(&state)
                    .into_iter()
                    .map(|(path, now)| {
                        let read = seen.iter().find(|(p, _)| *p == path).map(|(_, s)| *s);
                        (path, read.unwrap_or(now))
                    })
                    .collect();
            }
        });
    if let Err(e) = spawned {
        log::warn!("--watch: cannot start the watcher ({e}); reload with SIGHUP or the admin API");
    }
}
