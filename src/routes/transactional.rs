//! Protected transactional endpoints from the endpoints fixture, in one of
//! two modes. Symmetric: bearer token (a B2B one), mandatory headers,
//! timestamp, the partner id (the token's client), HMAC-SHA512 signature,
//! freshness. Asymmetric (no token): mandatory headers, timestamp, the
//! partner (`X-PARTNER-ID`), SHA256withRSA signature, freshness. Then
//! `X-EXTERNAL-ID` unique per partner per WIB day, and the canned answer.

use crate::checks::{self, ServiceCall};
use crate::endpoints::Endpoint;
use crate::lifecycle::{store_failure, Record, Request, Route};
use crate::provider::ServiceSignature;
use crate::render::{render_with, Rendered};
use crate::snap::diagnosis::ServiceSigning;
use crate::snap::response_code::ServiceCode;
use crate::snap::signature::verify_asymmetric;
use crate::snap::symmetric::verify_symmetric;
use crate::snap::timestamp::WIB;
use crate::snap::{BodyHash, BodyHashRule, Field, SigningRules, SnapError};
use crate::state::{Introspection, State};
use crate::store::UsedExternalId;
use crate::tokens::AccessTokenClaims;
use chrono::{DateTime, Utc};
use std::sync::Arc;

pub struct Transactional(pub Arc<Endpoint>);

impl Route for Transactional {
    fn service(&self) -> ServiceCode {
        self.0.spec.service_code
    }

    async fn declined(&self, state: &State, record: &Record) {
        release_external_id(state, record).await;
    }

    async fn handle(
        &self,
        state: &State,
        request: &Request<'_>,
        now: DateTime<Utc>,
        record: &mut Record,
    ) -> Result<Rendered, SnapError> {
        authenticate(
            state,
            request,
            now,
            record,
            self.service(),
            self.0.signature,
        )
        .await?;
        let endpoint = &self.0;
        Ok(render_with(
            endpoint.success_code,
            &endpoint.success_message,
            &endpoint.spec.response,
        ))
    }
}

/// Gives back the `X-EXTERNAL-ID` a call used: a scenario failed it after
/// its checks passed, so the client's retry may reuse the id.
pub async fn release_external_id(state: &State, record: &Record) {
    let Some(used) = &record.external_id else {
        return;
    };
    let released = state
        .stores
        .external_ids
        .release(&used.partner, &used.id, used.day)
        .await;
    if let Err(e) = released {
        // The answer stands; the id stays used, which the log says.
        log::warn!(
            "X-EXTERNAL-ID {:?} of {:?} stays used: {e}",
            used.id,
            used.partner
        );
    }
}

/// Who made a service call that passed every check.
pub struct Caller {
    /// The client the token or the signature names.
    pub client_key: String,
}

/// Every check of a service call, in the README's order, for the routes
/// that answer one (canned answers here, stateful transactions in
/// `stateful`): the token or the asymmetric signature, the headers, the
/// freshness, the `X-EXTERNAL-ID`.
pub async fn authenticate(
    state: &State,
    request: &Request<'_>,
    now: DateTime<Utc>,
    record: &mut Record,
    service: ServiceCode,
    signature: ServiceSignature,
) -> Result<Caller, SnapError> {
    {
        let call = ServiceCall {
            method: request.method,
            relative_url: request.relative_url,
            body: request.body,
            rules: state.config.signing_rules(),
        };
        // Symmetric mode: the token comes first (401xx03/01 before any header).
        let bearer = match signature {
            ServiceSignature::Symmetric => {
                Some(bearer_token(state, request, now, record, service).await?)
            }
            ServiceSignature::Asymmetric => None,
        };
        let headers = SignedHeaders::parse(request, state, service)?;
        match &bearer {
            Some((token, claims)) => {
                symmetric(state, &call, token, claims, &headers, record, service)?;
            }
            None => asymmetric(state, request, &call, &headers, record, service)?,
        }
        checks::freshness(
            headers.timestamp,
            headers.instant,
            now,
            state.config.timestamp_window,
            service,
        )?;
        use_external_id(state, &headers, now, record, service).await?;
        let client_key = match &bearer {
            Some((_, claims)) => claims.aud.clone(),
            None => record
                .client_key
                .clone()
                .unwrap_or_else(|| headers.partner.to_owned()),
        };
        Ok(Caller { client_key })
    }
}

/// The signed call's mandatory headers, in the order they are checked.
struct SignedHeaders<'r> {
    timestamp: &'r str,
    instant: chrono::DateTime<chrono::FixedOffset>,
    signature: &'r str,
    partner: &'r str,
    external_id: &'r str,
}

impl<'r> SignedHeaders<'r> {
    fn parse(
        request: &Request<'r>,
        state: &State,
        service: ServiceCode,
    ) -> Result<Self, SnapError> {
        let text = |field: Field| field.mandatory_text(request.header(field.name()), service);
        let timestamp = text(Field::Timestamp)?;
        let signature = text(Field::Signature)?;
        let partner = text(Field::PartnerId)?;
        let external_id = text(Field::ExternalId)?;
        if !state
            .config
            .provider
            .optional_headers
            .contains(&Field::ChannelId)
        {
            text(Field::ChannelId)?;
        }
        let instant =
            checks::timestamp(timestamp, state.config.parse_rules.timestamp_mode, service)?;
        checks::external_id_format(external_id, state.config.external_id_max_chars, service)?;
        Ok(Self {
            timestamp,
            instant,
            signature,
            partner,
            external_id,
        })
    }
}

/// The B2B token the call carries, introspected; the client is known from
/// here on.
async fn bearer_token<'r>(
    state: &State,
    request: &Request<'r>,
    now: DateTime<Utc>,
    record: &mut Record,
    service: ServiceCode,
) -> Result<(&'r str, AccessTokenClaims), SnapError> {
    let token = checks::bearer(request.header("authorization"), service)?;
    let introspected = match state.introspect_token(token, now).await {
        Ok(claims) => Ok(claims),
        Err(Introspection::Inactive(why)) => Err(why),
        Err(Introspection::Store(e)) => return Err(store_failure(service, e)),
    };
    let claims = checks::token_claims(introspected, service)?;
    record.client_key = Some(claims.aud.clone());
    checks::b2b_token(&claims, state.config.accept_customer_token, service)?;
    Ok((token, claims))
}

/// HMAC-SHA512 with the token's client's secret; `X-PARTNER-ID` must be
/// that client.
fn symmetric(
    state: &State,
    call: &ServiceCall<'_>,
    token: &str,
    claims: &AccessTokenClaims,
    headers: &SignedHeaders<'_>,
    record: &mut Record,
    service: ServiceCode,
) -> Result<(), SnapError> {
    let client = checks::client(state.stores.clients.as_ref(), &claims.aud, service)?;
    checks::partner_id(
        headers.partner,
        &client,
        state.config.any_partner_id,
        service,
    )?;
    let secret = checks::client_secret(&client, service)?;
    if let Some(other) = other_body_form(state, call, |c| {
        let sts = checks::symmetric_string_to_sign(c, token, headers.timestamp);
        verify_symmetric(secret.as_bytes(), &sts, headers.signature.as_bytes()).then_some(sts)
    }) {
        other.note(record);
        return Ok(());
    }
    let string_to_sign = record
        .string_to_sign
        .insert(checks::symmetric_string_to_sign(
            call,
            token,
            headers.timestamp,
        ));
    checks::symmetric_signature(
        secret,
        string_to_sign,
        call,
        token,
        headers.timestamp,
        headers.signature,
        service,
    )
}

/// SHA256withRSA under the key of the partner `X-PARTNER-ID` names.
fn asymmetric(
    state: &State,
    request: &Request<'_>,
    call: &ServiceCall<'_>,
    headers: &SignedHeaders<'_>,
    record: &mut Record,
    service: ServiceCode,
) -> Result<(), SnapError> {
    let clients = state.stores.clients.as_ref();
    let client = checks::partner(clients, headers.partner, service)?;
    record.client_key = Some(client.client_key.clone());
    let signing = ServiceSigning {
        method: call.method,
        relative_url: call.relative_url,
        body: call.body,
        timestamp: headers.timestamp,
        // A token sent anyway: signing it along is a mistake worth naming.
        bearer: request
            .header("authorization")
            .and_then(|a| std::str::from_utf8(a).ok())
            .and_then(|a| a.split_once(' '))
            .map(|(_, t)| t.trim()),
        rules: call.rules,
    };
    if let Some(other) = other_body_form(state, call, |c| {
        let sts = checks::asymmetric_string_to_sign(c, headers.timestamp);
        verify_asymmetric(&client.public_key, &sts, headers.signature.as_bytes())
            .is_ok()
            .then_some(sts)
    }) {
        other.note(record);
        return Ok(());
    }
    let string_to_sign = record
        .string_to_sign
        .insert(checks::asymmetric_string_to_sign(call, headers.timestamp));
    checks::service_asymmetric_signature(
        &client,
        &signing,
        string_to_sign,
        headers.signature.as_bytes(),
        |n| clients.some(n),
        service,
    )
}

/// A signature that verified over the body form other than the expected
/// one, which `--body-hash any` accepts.
struct OtherForm {
    form: BodyHash,
    string_to_sign: String,
}

impl OtherForm {
    /// The journal keeps the string that verified, and says which form it
    /// hashed.
    fn note(self, record: &mut Record) {
        record.reason = Some(format!(
            "accepted by --body-hash any: the body hash covers the body {} (the expected form is {})",
            match self.form {
                BodyHash::AsSent => "as sent",
                BodyHash::Minified => "minified",
            },
            self.form.other().as_str()
        ));
        record.string_to_sign = Some(self.string_to_sign);
    }
}

/// Under `--body-hash any`, the string-to-sign over the other body form if
/// `verifies` accepts it. Tried first only when it is cheap: one
/// verification, no diagnosis.
fn other_body_form(
    state: &State,
    call: &ServiceCall<'_>,
    verifies: impl FnOnce(&ServiceCall<'_>) -> Option<String>,
) -> Option<OtherForm> {
    if state.config.body_hash != BodyHashRule::Any {
        return None;
    }
    let form = call.rules.body_hash.other();
    // A body without whitespace outside strings is the same in both forms.
    if form.bytes(call.body) == call.rules.body_hash.bytes(call.body) {
        return None;
    }
    let other = ServiceCall {
        rules: SigningRules {
            body_hash: form,
            ..call.rules
        },
        ..*call
    };
    let string_to_sign = verifies(&other)?;
    Some(OtherForm {
        form,
        string_to_sign,
    })
}

/// `X-EXTERNAL-ID` unused by the partner today (WIB), recorded as used;
/// a scenario that fails the call afterwards gives it back (`declined`).
async fn use_external_id(
    state: &State,
    headers: &SignedHeaders<'_>,
    now: DateTime<Utc>,
    record: &mut Record,
    service: ServiceCode,
) -> Result<(), SnapError> {
    let today = now.with_timezone(&WIB).date_naive();
    let check = state
        .stores
        .external_ids
        .check_and_record(headers.partner, headers.external_id, today)
        .await
        .map_err(|e| store_failure(service, e))?;
    checks::external_id_unused(check, headers.partner, headers.external_id, today, service)?;
    record.external_id = Some(UsedExternalId {
        partner: headers.partner.to_owned(),
        id: headers.external_id.to_owned(),
        day: today,
    });
    Ok(())
}
