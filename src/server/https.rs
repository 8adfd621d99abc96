//! HTTPS with a handshake stage of our own.
//!
//! actix's TLS acceptor counts the connections in a handshake and, at its
//! cap, stops accepting: connections that never send a byte then hold every
//! slot until their deadline while a valid client waits in the backlog
//! behind them. Here every connection is accepted at once; at the cap the
//! one that has been silent longest is closed to make room (when none is
//! silent, the one in its handshake longest), so a client that speaks is
//! never queued behind ones that do not.

use super::app::app;
use crate::config::Config;
use crate::routes::remember_socket;
use crate::state::State;
use actix_http::{HttpService, Protocol};
use actix_server::ServerBuilder;
use actix_service::{fn_service, map_config, IntoServiceFactory, ServiceFactoryExt};
use actix_tls::accept::rustls_0_23::TlsStream;
use actix_web::dev::AppConfig;
use actix_web::rt::net::TcpStream;
use actix_web::web;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::net::{SocketAddr, TcpListener};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio_rustls::TlsAcceptor;

/// What each worker's HTTPS service is built with.
#[derive(Clone, Copy, Debug)]
pub(super) struct Settings {
    /// Connections in a handshake at once, per worker.
    handshakes: usize,
    handshake_timeout: Duration,
    keep_alive: Duration,
    client_request_timeout: Duration,
}

impl Settings {
    /// From the configuration; the handshake cap is lowered to what the
    /// open files limit leaves (see [`descriptor_budget`]).
    pub(super) fn new(config: &Config, workers: usize) -> Self {
        let budget = descriptor_budget(workers);
        if budget < config.max_tls_handshakes {
            log::info!(
                "TLS: at most {budget} connections in a handshake a worker (--max-tls-handshakes {} lowered to half the open files limit over {workers} workers)",
                config.max_tls_handshakes
            );
        }
        Self {
            handshakes: config.max_tls_handshakes.min(budget).max(1),
            handshake_timeout: config.tls_handshake_timeout,
            keep_alive: config.keep_alive,
            client_request_timeout: config.client_request_timeout,
        }
    }
}

/// Half the descriptors the process may open, shared among the workers:
/// shedding must begin before `accept` fails for want of a descriptor,
/// which stalls every client alike.
fn descriptor_budget(workers: usize) -> usize {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one rlimit into the valid, exclusive
    // reference it is given and keeps nothing.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return usize::MAX;
    }
    share(limit.rlim_cur, workers)
}

/// Half of `soft_limit` descriptors over `workers`, at least 16.
fn share(soft_limit: libc::rlim_t, workers: usize) -> usize {
    let soft = usize::try_from(soft_limit).unwrap_or(usize::MAX);
    (soft / 2 / workers.max(1)).max(16)
}

/// Adds the HTTPS listener to `builder`.
pub(super) fn listen(
    builder: ServerBuilder,
    listener: TcpListener,
    mut tls: rustls::ServerConfig,
    data: web::Data<State>,
    settings: Settings,
) -> std::io::Result<ServerBuilder> {
    // HTTP/2 is not compiled in: HTTP/1.1 first, then whatever the config
    // offered (as actix does).
    let mut protocols = vec![b"http/1.1".to_vec()];
    protocols.append(&mut tls.alpn_protocols);
    tls.alpn_protocols = protocols;
    let acceptor = TlsAcceptor::from(Arc::new(tls));
    let address = listener.local_addr()?;
    let shutdown = builder.graceful_shutdown_signal();
    builder.listen("snap-mock-https", listener, move || {
        let slots = Rc::new(RefCell::new(Handshaking::default()));
        let acceptor = acceptor.clone();
        let shutdown = shutdown.clone();
        let application = app(data.clone())
            .into_factory()
            .map_err(|e| e.error_response());
        let http = HttpService::build()
            .graceful_shutdown_signal(move || {
                let shutdown = shutdown.clone();
                async move { shutdown.notified().await }
            })
            .keep_alive(settings.keep_alive)
            .client_request_timeout(settings.client_request_timeout)
            .client_disconnect_timeout(super::CLIENT_DISCONNECT_TIMEOUT)
            .on_connect_ext(|io: &TlsStream<TcpStream>, data| remember_socket(io, data))
            // AppConfig::new is crate-private; actix-test builds it the same way.
            .finish(map_config(application, move |()| {
                AppConfig::__priv_test_new(true, address.to_string(), address)
            }))
            .map_err(|_| ());
        fn_service(move |tcp: TcpStream| handshake(tcp, acceptor.clone(), slots.clone(), settings))
            .and_then(http)
    })
}

/// The TLS handshake of one connection, in a slot of its worker's
/// [`Handshaking`]; `Err` when it fails, times out or is shed.
async fn handshake(
    tcp: TcpStream,
    acceptor: TlsAcceptor,
    slots: Rc<RefCell<Handshaking>>,
    settings: Settings,
) -> Result<(TlsStream<TcpStream>, Protocol, Option<SocketAddr>), ()> {
    let (id, shed, made_room) = slots.borrow_mut().enter(settings.handshakes);
    if let Some(room) = made_room {
        static SHED: crate::throttle::Throttle =
            crate::throttle::Throttle::new(Duration::from_secs(10));
        SHED.warn(|| {
            format!(
                "TLS: {} connections in a handshake on a worker (--max-tls-handshakes): closed {} to make room",
                settings.handshakes,
                match room {
                    Room::Silent => "the one silent longest",
                    Room::Speaking => "the one in its handshake longest (none was silent)",
                }
            )
        });
    }
    let _slot = Slot {
        slots: slots.clone(),
        id,
    };
    let peer = tcp.peer_addr().ok();
    let work = async {
        // Silent until its first byte: the stage shedding takes first.
        tcp.readable().await.map_err(drop)?;
        slots.borrow_mut().speaks(id);
        acceptor.accept(tcp).await.map_err(drop)
    };
    let tls = tokio::select! {
        _ = shed => return Err(()),
        done = actix_web::rt::time::timeout(settings.handshake_timeout, work) => {
            done.map_err(drop)??
        }
    };
    // HTTP/1.1 only: HTTP/2 is not compiled in, and ALPN offers no `h2`.
    Ok((TlsStream::from(tls), Protocol::Http1, peer))
}

/// Gives the slot back however the handshake ends.
struct Slot {
    slots: Rc<RefCell<Handshaking>>,
    id: u64,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.slots.borrow_mut().leave(self.id);
    }
}

/// Which connection was closed to make room for a new one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Room {
    /// One that had sent nothing.
    Silent,
    /// One whose handshake had begun (none was silent).
    Speaking,
}

/// The connections of one worker in a TLS handshake, oldest first. Each
/// holds the sender of its shedding signal: dropping it closes that
/// connection.
#[derive(Default)]
struct Handshaking {
    next_id: u64,
    /// Accepted, nothing received yet.
    silent: BTreeMap<u64, oneshot::Sender<()>>,
    /// Their handshake begun.
    speaking: BTreeMap<u64, oneshot::Sender<()>>,
}

impl Handshaking {
    fn len(&self) -> usize {
        self.silent.len() + self.speaking.len()
    }

    /// A slot for a new connection: its id, the signal that it was shed,
    /// and which other was shed to make room, if one was (at `cap`, the
    /// silent one oldest, else the oldest speaking one).
    fn enter(&mut self, cap: usize) -> (u64, oneshot::Receiver<()>, Option<Room>) {
        let made_room = if self.len() < cap {
            None
        } else if self.silent.pop_first().is_some() {
            Some(Room::Silent)
        } else {
            self.speaking.pop_first().map(|_| Room::Speaking)
        };
        self.next_id += 1;
        let (sender, shed) = oneshot::channel();
        self.silent.insert(self.next_id, sender);
        (self.next_id, shed, made_room)
    }

    /// `id` has sent its first bytes.
    fn speaks(&mut self, id: u64) {
        if let Some(sender) = self.silent.remove(&id) {
            self.speaking.insert(id, sender);
        }
    }

    /// `id`'s handshake is over (or it was shed).
    fn leave(&mut self, id: u64) {
        self.silent.remove(&id);
        self.speaking.remove(&id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_shed(shed: &mut oneshot::Receiver<()>) -> bool {
        matches!(shed.try_recv(), Err(oneshot::error::TryRecvError::Closed))
    }

    #[test]
    fn at_the_cap_the_oldest_silent_connection_makes_room() {
        let mut slots = Handshaking::default();
        let (first, mut first_shed, _) = slots.enter(3);
        let (second, mut second_shed, _) = slots.enter(3);
        let (_, mut third_shed, made_room) = slots.enter(3);
        assert_eq!(made_room, None);
        slots.speaks(first);
        let (_, mut fourth_shed, made_room) = slots.enter(3);
        assert_eq!(made_room, Some(Room::Silent));
        assert!(!is_shed(&mut first_shed), "it speaks: kept");
        assert!(is_shed(&mut second_shed), "silent and oldest");
        assert!(!is_shed(&mut third_shed));
        assert!(!is_shed(&mut fourth_shed));
        assert_eq!(slots.len(), 3);
        slots.leave(second);
        assert_eq!(slots.len(), 3, "a shed slot is already given back");
    }

    #[test]
    fn with_none_silent_the_oldest_handshake_makes_room() {
        let mut slots = Handshaking::default();
        let (first, mut first_shed, _) = slots.enter(2);
        let (second, mut second_shed, _) = slots.enter(2);
        slots.speaks(second);
        slots.speaks(first);
        let (_, _, made_room) = slots.enter(2);
        assert_eq!(made_room, Some(Room::Speaking));
        assert!(is_shed(&mut first_shed));
        assert!(!is_shed(&mut second_shed));
    }

    #[test]
    fn below_the_cap_nothing_is_shed_and_leaving_frees_the_slot() {
        let mut slots = Handshaking::default();
        let (first, mut first_shed, _) = slots.enter(2);
        slots.leave(first);
        assert_eq!(slots.len(), 0);
        let (_, _, made_room) = slots.enter(2);
        let (_, _, made_room_again) = slots.enter(2);
        assert_eq!((made_room, made_room_again), (None, None));
        assert!(is_shed(&mut first_shed), "its sender is gone with the slot");
    }

    #[test]
    fn the_descriptor_budget_shares_half_the_limit_among_workers() {
        assert_eq!(share(20_000, 2), 5_000);
        assert_eq!(share(1_024, 1), 512);
        assert_eq!(share(1_024, 0), 512, "no workers counts as one");
        assert_eq!(share(100, 4), 16, "never below 16");
        assert!(share(libc::RLIM_INFINITY, 2) > 1 << 40);
        // This process's own limit read (a failed read means no limit).
        let own = descriptor_budget(1);
        assert!((16..=usize::MAX / 2).contains(&own), "{own}");
    }

    #[test]
    fn a_slot_is_given_back_however_its_handshake_ends() {
        let slots = Rc::new(RefCell::new(Handshaking::default()));
        let (id, _shed, _) = slots.borrow_mut().enter(2);
        let slot = Slot {
            slots: slots.clone(),
            id,
        };
        assert_eq!(slots.borrow().len(), 1);
        drop(slot);
        assert_eq!(slots.borrow().len(), 0);
    }
}
