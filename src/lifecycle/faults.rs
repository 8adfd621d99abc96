//! Transport faults: answers a client cannot parse, or no answer at all.
//!
//! actix hands handlers no socket, so `on_connect` stores the connection's
//! file descriptor; a fault then changes how the socket closes and makes
//! actix drop the connection by failing the response body.

use crate::scenarios::Fault;
use actix_web::body::{BodyStream, SizedStream};
use actix_web::dev::Extensions;
use actix_web::{HttpRequest, HttpResponse};
use bytes::Bytes;
use std::any::Any;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};
use std::time::Duration;

/// The raw socket of the connection a request arrived on.
#[derive(Clone, Copy, Debug)]
pub struct ConnectionFd(RawFd);

/// `HttpServer::on_connect` hook: remembers each connection's socket.
pub fn remember_socket(connection: &dyn Any, data: &mut Extensions) {
    if let Some(stream) = connection.downcast_ref::<actix_web::rt::net::TcpStream>() {
        data.insert(ConnectionFd(stream.as_raw_fd()));
    }
    #[cfg(feature = "tls")]
    if let Some(stream) = connection
        .downcast_ref::<actix_tls::accept::rustls_0_23::TlsStream<actix_web::rt::net::TcpStream>>()
    {
        data.insert(ConnectionFd(stream.get_ref().0.as_raw_fd()));
    }
}

fn with_socket(req: &HttpRequest, f: impl FnOnce(socket2::SockRef<'_>) -> io::Result<()>) {
    let Some(ConnectionFd(fd)) = req.conn_data::<ConnectionFd>().copied() else {
        log::warn!("no socket recorded for this connection; the fault is approximated");
        return;
    };
    // SAFETY: the descriptor belongs to the connection this request is being
    // served on; actix keeps it open until the handler's response is done,
    // which is after this call. It is only borrowed, never closed here.
    let fd = unsafe { BorrowedFd::borrow_raw(fd) };
    if let Err(e) = f(socket2::SockRef::from(&fd)) {
        log::warn!("could not prepare the socket for the fault: {e}");
    }
}

fn failing_stream(
    first: Option<Bytes>,
) -> impl futures_util::Stream<Item = Result<Bytes, io::Error>> {
    futures_util::stream::unfold(first.map(Some), |state| async move {
        match state {
            Some(Some(chunk)) => Some((Ok(chunk), Some(None))),
            Some(None) => {
                // Let the dispatcher flush the first chunk before the error
                // makes it drop the connection.
                actix_web::rt::time::sleep(Duration::from_millis(100)).await;
                Some((Err(io::Error::other("snap-mock fault")), None))
            }
            None => Some((Err(io::Error::other("snap-mock fault")), None)),
        }
    })
}

/// The response that carries out `fault`.
pub fn respond_with_fault(req: &HttpRequest, fault: Fault) -> HttpResponse {
    const SUCCESS: &str = r#"{"responseCode":"2007300","responseMessage":"Request has been processed successfully","accessToken":"eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9","tokenType":"Bearer","expiresIn":900}"#;
    match fault {
        Fault::ConnectionReset => {
            // SO_LINGER 0: closing the socket sends RST, not FIN.
            with_socket(req, |s| s.set_linger(Some(Duration::ZERO)));
            HttpResponse::Ok().body(BodyStream::new(failing_stream(None)))
        }
        Fault::EmptyResponse => {
            with_socket(req, |s| s.shutdown(std::net::Shutdown::Write));
            HttpResponse::Ok().body(BodyStream::new(failing_stream(None)))
        }
        Fault::MalformedJson => HttpResponse::Ok()
            .content_type("application/json")
            .body(&SUCCESS[..SUCCESS.len() / 2]),
        Fault::TruncatedBody => {
            let half = Bytes::from_static(&SUCCESS.as_bytes()[..SUCCESS.len() / 2]);
            HttpResponse::Ok()
                .content_type("application/json")
                .body(SizedStream::new(
                    SUCCESS.len() as u64,
                    failing_stream(Some(half)),
                ))
        }
    }
}
