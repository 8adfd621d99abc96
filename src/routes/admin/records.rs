//! Scenarios and clients at runtime: list, add, remove, reset, reload.

use super::{json_body, ok, AdminError, Answer};
use crate::clients::{Client, ClientEntry};
use crate::scenarios::{Scenario, ScenarioSpec};
use crate::state::State;
use actix_web::{web, HttpRequest};
use serde_json::{json, Value};

fn scenario_json(scenario: &Scenario, source: &str, remaining: Option<u32>) -> Value {
    let mut v = serde_json::to_value(&scenario.spec).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("source".into(), source.into());
        m.insert("remaining".into(), json!(remaining));
    }
    v
}

pub async fn list_scenarios(state: web::Data<State>) -> Answer {
    let set = state.stores.scenarios.snapshot();
    let mut list = Vec::with_capacity(set.len());
    // The compiled-in fixture itself (no file given or found) is bundled
    // as much as the entries layered under a file.
    let all_bundled = matches!(state.config.scenarios, Some(crate::config::Source::Bundled));
    for (s, src) in set.listing() {
        let src = if all_bundled && src == "file" {
            "bundled"
        } else {
            src
        };
        let remaining = crate::store::scenario_remaining(s, state.stores.counters.as_ref()).await?;
        list.push(scenario_json(s, src, remaining));
    }
    ok(200, json!({ "scenarios": list }))
}

pub async fn add_scenario(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<State>,
) -> Answer {
    let spec: ScenarioSpec = json_body(&req, payload, &state).await?;
    let scenario = Scenario::new(spec)
        .map_err(|e| AdminError::BadRequest(format!("invalid scenario: {e}")))?;
    // A failed add only refills a name that is not in force: harmless.
    state.stores.counters.refill(scenario.name()).await?;
    let listed = scenario_json(&scenario, "runtime", scenario.spec.times);
    if let Err(full) = state.stores.scenarios.add(scenario).await? {
        return Err(AdminError::BadRequest(full.to_string()));
    }
    log::info!("admin: scenario {} added", listed["name"]);
    ok(201, json!({ "scenario": listed }))
}

/// `DELETE /scenarios/{name}` and `DELETE /clients/{clientKey}`.
pub async fn remove(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<State>,
) -> Answer {
    let (kind, name) = path.into_inner();
    let (removed, what) = match kind.as_str() {
        "scenarios" => (
            state.stores.scenarios.remove(&name).await?,
            "scenario named",
        ),
        "clients" => (state.stores.clients.remove(&name).await?, "client"),
        _ => return super::unknown(req).await,
    };
    if removed {
        ok(200, json!({ "removed": name }))
    } else {
        Err(AdminError::NotFound(format!("no {what} {name:?}")))
    }
}

pub async fn reset_scenarios(state: web::Data<State>) -> Answer {
    state.stores.scenarios.reset().await?;
    state.stores.counters.refill_all().await?;
    ok(
        200,
        json!({ "scenarios": state.stores.scenarios.snapshot().len() }),
    )
}

pub async fn reload_scenarios(state: web::Data<State>) -> Answer {
    match state.reload_scenarios().await {
        Ok(n) => ok(200, json!({ "scenarios": n })),
        Err(e) => Err(AdminError::BadRequest(format!(
            "reload failed, the previous scenarios stay in force: {e}"
        ))),
    }
}

pub async fn list_clients(state: web::Data<State>) -> Answer {
    let list: Vec<Value> = state
        .stores
        .clients
        .all()
        .iter()
        .map(|c| {
            json!({
                "clientKey": c.client_key,
                "name": c.name,
                "enabled": c.enabled,
                "publicKeySource": c.public_key_source,
                "publicKeyFingerprint": c.public_key.fingerprint(),
                "publicKeyBits": c.public_key.bits(),
                "hasClientSecret": c.client_secret.is_some(),
            })
        })
        .collect();
    ok(200, json!({ "clients": list }))
}

pub async fn add_client(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<State>,
) -> Answer {
    let entry: ClientEntry = json_body(&req, payload, &state).await?;
    // Only inline PEMs: a path would let the admin API read server files.
    if !entry.public_key.contains("-----BEGIN") {
        return Err(AdminError::BadRequest(
            "publicKey must be the PEM itself (-----BEGIN PUBLIC KEY-----...), not a path".into(),
        ));
    }
    let client_key = entry.client_key.clone();
    let client = match Client::from_entry(entry, &state.config.keys_dir) {
        Ok(c) => c,
        Err(e) => {
            return Err(AdminError::BadRequest(format!(
                "client {client_key:?}: {e}"
            )))
        }
    };
    let fingerprint = client.public_key.fingerprint().to_owned();
    let replaced = state.stores.clients.register(client).await?;
    log::info!("admin: client {client_key} registered ({fingerprint})");
    ok(
        201,
        json!({ "clientKey": client_key, "publicKeyFingerprint": fingerprint, "replaced": replaced }),
    )
}

pub async fn reload_clients(state: web::Data<State>) -> Answer {
    match state.reload_clients() {
        Ok(n) => ok(200, json!({ "clients": n })),
        Err(e) => Err(AdminError::BadRequest(format!(
            "reload failed, the previous clients stay registered: {e}"
        ))),
    }
}
