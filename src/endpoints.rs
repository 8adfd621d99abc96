//! Transactional SNAP endpoints declared in `fixtures/endpoints.json`: each
//! is protected by the B2B token and the symmetric signature, or by the
//! asymmetric signature without a token, and answers a canned success body
//! when the client gets everything right.

use crate::config::Config;
use crate::fixtures::FixtureError;
use crate::provider::{Provider, ServiceSignature, UnknownProvider};
use crate::snap::response_code::{ResponseCode, ResponseCodeError, ServiceCode};
use crate::transactions::Call;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::sync::Arc;

#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EndpointSpec {
    /// What it is, for listings (`/health`, `/openapi.json`, the inspector).
    pub name: String,
    /// A longer line for listings; by default the name.
    #[serde(default)]
    pub description: Option<String>,
    pub method: String,
    pub path: String,
    /// The SNAP service code (2 digits) used in every answer's responseCode.
    pub service_code: ServiceCode,
    /// `symmetric` (bearer token + HMAC-SHA512) or `asymmetric` (no token,
    /// SHA256withRSA); by default the provider preset's.
    #[serde(default)]
    pub signature: Option<ServiceSignature>,
    /// Served only under this provider preset (`--provider`); by default
    /// under every preset.
    #[serde(default)]
    pub provider: Option<String>,
    /// The success body. `responseCode` defaults to `200{svc}00` and
    /// `responseMessage` to `Successful`.
    #[serde(default)]
    pub response: Map<String, Value>,
}

/// Why an endpoint entry cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum InvalidEndpoint {
    /// `provider` names no preset.
    #[error(transparent)]
    Provider(#[from] UnknownProvider),
    /// `method` is not one a SNAP service uses.
    #[error("method {0:?} is not GET, POST, PUT, PATCH or DELETE")]
    Method(String),
    /// `path` is not an absolute path without query or template.
    #[error("path {0:?} must be an absolute path without query")]
    Path(String),
    /// `serviceCode` has more than two digits.
    #[error("serviceCode {0} must be two digits")]
    ServiceCode(ServiceCode),
    /// `response.responseCode` is not a SNAP response code.
    #[error("responseCode {given:?}: {error}")]
    ResponseCode {
        /// The code as written.
        given: String,
        /// What is wrong with it.
        error: ResponseCodeError,
    },
    /// `response.responseCode` is not a string.
    #[error("responseCode must be a string, got {0}")]
    ResponseCodeType(Value),
    /// Another entry serves the same method and path.
    #[error("{method} {path} is declared twice")]
    DeclaredTwice {
        /// The method.
        method: String,
        /// The path.
        path: String,
    },
}

/// A validated endpoint.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub spec: EndpointSpec,
    /// From the bundled fixture, under the user's file (listings say so).
    pub bundled: bool,
    pub method: String,
    pub signature: ServiceSignature,
    pub success_code: ResponseCode,
    pub success_message: String,
}

impl Endpoint {
    pub fn new(spec: EndpointSpec, provider: &Provider) -> Result<Self, InvalidEndpoint> {
        if let Some(name) = &spec.provider {
            name.parse::<&Provider>()?;
        }
        let method = spec.method.to_ascii_uppercase();
        if !["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&method.as_str()) {
            return Err(InvalidEndpoint::Method(spec.method));
        }
        if !spec.path.starts_with('/') || spec.path.contains(['{', '}', '?', '#', ' ']) {
            return Err(InvalidEndpoint::Path(spec.path));
        }
        if spec.service_code.0 > 99 {
            return Err(InvalidEndpoint::ServiceCode(spec.service_code));
        }
        let success_code = match spec.response.get("responseCode") {
            Some(Value::String(s)) => {
                s.parse::<ResponseCode>()
                    .map_err(|error| InvalidEndpoint::ResponseCode {
                        given: s.clone(),
                        error,
                    })?
            }
            Some(other) => return Err(InvalidEndpoint::ResponseCodeType(other.clone())),
            None => ResponseCode::new(200, spec.service_code, 0),
        };
        let success_message = match spec.response.get("responseMessage") {
            Some(Value::String(s)) => s.clone(),
            _ => success_code
                .standard_message()
                .unwrap_or("Successful")
                .to_owned(),
        };
        Ok(Self {
            bundled: false,
            signature: spec.signature.unwrap_or(provider.service_signature),
            spec,
            method,
            success_code,
            success_message,
        })
    }
}

/// Parses the text of an endpoints fixture; errors name the entry.
/// Endpoints for another provider preset are checked, then left out.
pub fn from_json(
    text: &str,
    provider: &Provider,
) -> Result<Vec<Arc<Endpoint>>, FixtureError<InvalidEndpoint>> {
    let mut out: Vec<Arc<Endpoint>> = Vec::new();
    for (label, spec) in crate::fixtures::entries::<EndpointSpec, _>(text, "endpoints", "endpoint")?
    {
        let endpoint =
            Endpoint::new(spec, provider).map_err(|e| FixtureError::invalid(&label, e))?;
        if endpoint
            .spec
            .provider
            .as_deref()
            .is_some_and(|p| p != provider.name)
        {
            continue;
        }
        if out
            .iter()
            .any(|e| e.spec.path == endpoint.spec.path && e.method == endpoint.method)
        {
            return Err(FixtureError::invalid(
                &label,
                InvalidEndpoint::DeclaredTwice {
                    method: endpoint.method.clone(),
                    path: endpoint.spec.path.clone(),
                },
            ));
        }
        out.push(Arc::new(endpoint));
    }
    Ok(out)
}

/// What answers a served service endpoint.
#[derive(Debug, Clone)]
pub enum Answers {
    /// The endpoints fixture's canned body.
    Canned(Arc<Endpoint>),
    /// A transaction with state.
    Stateful(Call),
}

/// One service endpoint as this server serves it: the one list routes are
/// registered from and `/health`, `/openapi.json`, the start-up line and
/// the inspector show, so that none of them can disagree.
#[derive(Debug, Clone)]
pub struct ServedEndpoint {
    /// Upper case.
    pub method: String,
    /// Under the base path.
    pub path: String,
    pub service_code: ServiceCode,
    pub signature: ServiceSignature,
    pub answers: Answers,
}

impl ServedEndpoint {
    /// `canned` or `stateful`, as listings say it.
    pub fn answers_label(&self) -> &'static str {
        match self.answers {
            Answers::Canned(_) => "canned",
            Answers::Stateful(_) => "stateful",
        }
    }

    /// A line of what it is: the fixture's name, or what the call does.
    pub fn summary(&self) -> String {
        match &self.answers {
            Answers::Canned(e) => e.spec.description.clone().unwrap_or(e.spec.name.clone()),
            Answers::Stateful(call) => call.summary().to_owned(),
        }
    }
}

/// Every service endpoint served under `config`: the fixture's canned ones,
/// then the transaction calls at the preset's base path, except where the
/// fixture serves the same path (a canned answer the user wrote wins).
pub fn served(config: &Config, canned: &[Arc<Endpoint>]) -> Vec<ServedEndpoint> {
    let mut out: Vec<ServedEndpoint> = canned
        .iter()
        .map(|e| ServedEndpoint {
            method: e.method.clone(),
            path: config.served_at(&e.spec.path),
            service_code: e.spec.service_code,
            signature: e.signature,
            answers: Answers::Canned(e.clone()),
        })
        .collect();
    for (call, path) in Call::ALL {
        let path = config.served_at(&config.provider.service_path(path));
        if out.iter().any(|e| e.path == path) {
            continue;
        }
        out.push(ServedEndpoint {
            method: "POST".into(),
            path,
            service_code: ServiceCode(call.service()),
            signature: config.provider.service_signature,
            answers: Answers::Stateful(call),
        });
    }
    out
}
