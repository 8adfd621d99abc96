//! A request body a handler did not read is read here after it answers
//! (within the body cap and a short window) and thrown away, so the
//! connection stays usable: actix closes a connection whose body is left
//! unread, and every request pipelined behind it is lost unanswered.

use crate::config::Config;
use actix_web::dev::{Payload, ServiceRequest};
use actix_web::error::PayloadError;
use actix_web::HttpMessage;
use bytes::Bytes;
use futures_util::Stream;
use std::cell::RefCell;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

/// The boxed body stream actix takes as a payload.
pub type Boxed = Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>>;

/// The request's body stream, shared between the handler (which may read
/// it) and [`Leftover::drain`] afterwards. A worker is one thread, so an
/// `Rc` suffices.
pub struct Shared(Rc<RefCell<Payload>>);

/// What stays with the middleware to drain once the handler answered.
pub struct Leftover {
    payload: Rc<RefCell<Payload>>,
    cap: usize,
    timeout: Duration,
}

/// How long a refusal waits for the rest of a body it did not need.
const DRAIN_WINDOW: Duration = Duration::from_millis(250);

/// Gives the request a payload shared with the returned handle, which
/// drains what the handler leaves: at most the largest body any route
/// takes, for at most [`DRAIN_WINDOW`] (a refusal is never held back long
/// for a body that stalls), and nothing of a body announced past it.
pub fn intercept(req: &mut ServiceRequest, config: &Config) -> Leftover {
    let payload = Rc::new(RefCell::new(req.take_payload()));
    let boxed: Boxed = Box::pin(Shared(payload.clone()));
    req.set_payload(Payload::from(boxed));
    let cap = config.max_body_bytes.max(super::http::MAX_ADMIN_BODY);
    let announced = super::http::announced_length(req.headers());
    Leftover {
        payload,
        cap: if announced.is_some_and(|n| n > cap as u64) {
            0
        } else {
            cap
        },
        timeout: config.client_request_timeout.min(DRAIN_WINDOW),
    }
}

impl Stream for Shared {
    type Item = Result<Bytes, PayloadError>;
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut *self.0.borrow_mut()).poll_next(cx)
    }
}

impl Leftover {
    /// Reads and drops what is left of the body, up to `cap` bytes and
    /// within `timeout`; true when the body was read to its end (the
    /// connection can carry the next request).
    pub async fn drain(self) -> bool {
        let (cap, timeout) = (self.cap, self.timeout);
        if cap == 0 {
            return false;
        }
        let mut read = 0usize;
        let rest = async {
            loop {
                // The handler's stream is gone by now; no borrow is held
                // across an await but this one's own.
                let next = std::future::poll_fn(|cx| {
                    Pin::new(&mut *self.payload.borrow_mut()).poll_next(cx)
                })
                .await;
                match next {
                    None => return true,
                    Some(Ok(chunk)) => {
                        read += chunk.len();
                        if read > cap {
                            return false;
                        }
                    }
                    Some(Err(_)) => return false,
                }
            }
        };
        actix_web::rt::time::timeout(timeout, rest)
            .await
            .unwrap_or(false)
    }
}
