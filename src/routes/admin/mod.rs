//! `/__admin`: scenarios, clients and the request journal at runtime.
//! Every answer is SNAP-shaped JSON with service code 00, rendered by the
//! one renderer: a handler returns `Result<HttpResponse, AdminError>` and
//! [`AdminError`] renders every refusal.
//!
//! Before any handler runs, [`guard::admit`] checks the `Host` (DNS
//! rebinding), the origin of a changing call (a web page on another
//! origin), its `Content-Type`, and the admin token.

mod guard;
mod inspector;
mod journal;
mod records;
mod transactions;
mod verify;

use super::{read_body, respond};
use crate::render::render_with;
use crate::snap::response_code::{ResponseCode, SERVICE_GENERAL};
use crate::state::State;
use crate::store::StoreError;
use actix_web::body::BoxBody;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::fmt;

pub use crate::lifecycle::MAX_ADMIN_BODY;

/// Mounts the admin API under `prefix`, every route behind the guard.
pub fn configure(cfg: &mut web::ServiceConfig, prefix: &str) {
    cfg.service(
        web::scope(prefix)
            .wrap(actix_web::middleware::from_fn(guard::admit))
            .route("/scenarios", web::get().to(records::list_scenarios))
            .route("/scenarios", web::post().to(records::add_scenario))
            .route("/scenarios/reset", web::post().to(records::reset_scenarios))
            .route(
                "/scenarios/reload",
                web::post().to(records::reload_scenarios),
            )
            .route("/{kind}/{name}", web::delete().to(records::remove))
            .route("/clients", web::get().to(records::list_clients))
            .route("/clients", web::post().to(records::add_client))
            .route("/clients/reload", web::post().to(records::reload_clients))
            .route("/requests", web::get().to(journal::list_requests))
            .route("/requests", web::delete().to(journal::clear_requests))
            .route(
                "/requests/outbound",
                web::post().to(journal::record_outbound),
            )
            .route("/reset", web::post().to(journal::reset_all))
            .route("/transactions", web::get().to(transactions::list))
            .route(
                "/transactions/{id}/{action}",
                web::post().to(transactions::act),
            )
            .route("/notifications", web::get().to(transactions::notifications))
            .route(
                "/notifications/{id}/resend",
                web::post().to(transactions::resend),
            )
            .route("/verify", web::post().to(verify::verify_signature))
            .route("/ui", web::get().to(inspector::page))
            .default_service(web::to(unknown)),
    );
}

/// Why an admin call is refused. Each variant knows its status and SNAP
/// code; the `error` field of the answer says why, in words.
#[derive(Debug)]
pub enum AdminError {
    /// `401 4010000`: the admin token is required and was not presented.
    Unauthorized,
    /// `403 4030001 Forbidden`: the call came from where the
    /// admin API does not answer (another origin, a host name it does not
    /// know) or in a form a browser page could forge.
    Forbidden(String),
    /// `400 4000000`: the body, the query or the value is wrong.
    BadRequest(String),
    /// `404 4040000`: no such admin endpoint, scenario or client.
    NotFound(String),
    /// `500 5000002`: the shared store (`--store redis://`) failed.
    Store(StoreError),
}

impl AdminError {
    fn code(&self) -> ResponseCode {
        let (status, case) = match self {
            Self::Unauthorized => (401, 0),
            Self::Forbidden(_) => (403, 1),
            Self::BadRequest(_) => (400, 0),
            Self::NotFound(_) => (404, 0),
            Self::Store(_) => (500, 2),
        };
        ResponseCode::new(status, SERVICE_GENERAL, case)
    }

    fn detail(&self) -> &str {
        match self {
            Self::Unauthorized => "the admin API needs Authorization: Bearer <admin token> (--admin-token), or Basic with user \"admin\" and the token as the password (a browser asks for it)",
            Self::Forbidden(why) | Self::BadRequest(why) | Self::NotFound(why) => why,
            Self::Store(e) => &e.0,
        }
    }
}

impl fmt::Display for AdminError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code(), self.detail())
    }
}

impl From<StoreError> for AdminError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl ResponseError for AdminError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.code().http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        let code = self.code();
        let message = match self {
            Self::Unauthorized => "Unauthorized",
            Self::Forbidden(_) => "Forbidden",
            Self::BadRequest(_) => "Bad Request",
            Self::NotFound(_) => "Not Found",
            Self::Store(_) => "External Server Error",
        };
        let mut extra = Map::new();
        extra.insert("error".into(), Value::from(self.detail()));
        let mut answer = respond(render_with(code, message, &extra));
        if let Self::Unauthorized = self {
            // Lets a browser ask for the token when the inspector page opens.
            answer.headers_mut().insert(
                actix_web::http::header::WWW_AUTHENTICATE,
                actix_web::http::header::HeaderValue::from_static(
                    "Basic realm=\"snap-mock admin (user: admin, password: the admin token)\", charset=\"UTF-8\"",
                ),
            );
        }
        answer
    }
}

/// What a handler answers: a success, or the refusal to render.
type Answer = Result<HttpResponse, AdminError>;

/// A success: `status` with the standard message of `{status}0000`, and
/// `fields` beside `responseCode` and `responseMessage`.
fn ok(status: u16, fields: Value) -> Answer {
    let extra = match fields {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let code = ResponseCode::new(status, SERVICE_GENERAL, 0);
    Ok(respond(render_with(
        code,
        code.standard_message().unwrap_or("Successful"),
        &extra,
    )))
}

/// The request's JSON body, within [`MAX_ADMIN_BODY`].
async fn json_body<T: DeserializeOwned>(
    req: &HttpRequest,
    payload: web::Payload,
    state: &State,
) -> Result<T, AdminError> {
    let bytes = read_body(
        req,
        payload,
        MAX_ADMIN_BODY,
        state.config.client_request_timeout,
    )
    .await
    .map_err(|e| {
        AdminError::BadRequest(format!(
            "{e}; admin bodies are limited to {MAX_ADMIN_BODY} bytes"
        ))
    })?;
    serde_json::from_slice(&bytes)
        .map_err(|e| AdminError::BadRequest(format!("invalid JSON body: {e}")))
}

async fn unknown(req: HttpRequest) -> Answer {
    Err(AdminError::NotFound(format!(
        "no admin endpoint {} {}",
        req.method(),
        req.path()
    )))
}
