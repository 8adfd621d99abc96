//! The JSON Schemas of the fixture files (`schemas/*.schema.json`),
//! generated from the very types the server deserializes them into. The
//! test fails when a committed schema differs from the generated one;
//! `SNAP_MOCK_WRITE_SCHEMAS=1 cargo test --lib schemas` rewrites them.

use crate::clients::ClientEntry;
use crate::endpoints::EndpointSpec;
use crate::scenarios::ScenarioSpec;
use schemars::JsonSchema;

/// A snap-mock clients fixture (`fixtures/clients.json`, `--clients`):
/// the clients whose signed requests the server accepts.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct ClientsFixture {
    /// This schema, for editors.
    #[serde(rename = "$schema", default)]
    schema: Option<String>,
    /// Free text for people; read by no code.
    #[serde(rename = "$comment", default)]
    comment: Option<String>,
    clients: Vec<ClientEntry>,
}

/// A snap-mock scenarios fixture (`fixtures/scenarios.json`,
/// `--scenarios`): forced answers, delays and transport faults.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct ScenariosFixture {
    /// This schema, for editors.
    #[serde(rename = "$schema", default)]
    schema: Option<String>,
    /// Free text for people; read by no code.
    #[serde(rename = "$comment", default)]
    comment: Option<String>,
    scenarios: Vec<ScenarioSpec>,
}

/// A snap-mock endpoints fixture (`fixtures/endpoints.json`,
/// `--endpoints`): transactional SNAP endpoints and their canned answers.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct EndpointsFixture {
    /// This schema, for editors.
    #[serde(rename = "$schema", default)]
    schema: Option<String>,
    /// Free text for people; read by no code.
    #[serde(rename = "$comment", default)]
    comment: Option<String>,
    endpoints: Vec<EndpointSpec>,
}

fn generated() -> [(&'static str, serde_json::Value); 3] {
    let value = |s: schemars::Schema| serde_json::to_value(s).unwrap_or_default();
    [
        ("clients", value(schemars::schema_for!(ClientsFixture))),
        ("scenarios", value(schemars::schema_for!(ScenariosFixture))),
        ("endpoints", value(schemars::schema_for!(EndpointsFixture))),
    ]
}

#[test]
fn the_committed_schemas_are_the_generated_ones() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    let write = std::env::var_os("SNAP_MOCK_WRITE_SCHEMAS").is_some();
    for (name, schema) in generated() {
        let path = dir.join(format!("{name}.schema.json"));
        let text = serde_json::to_string_pretty(&schema).unwrap() + "\n";
        if write {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &text).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == text,
            "{} is stale: run SNAP_MOCK_WRITE_SCHEMAS=1 cargo test --lib schemas",
            path.display()
        );
    }
}

#[test]
fn every_bundled_fixture_names_its_schema() {
    for (name, text) in [
        ("clients", crate::embedded::CLIENTS),
        ("scenarios", crate::embedded::SCENARIOS),
        ("endpoints", crate::embedded::ENDPOINTS),
    ] {
        let v: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(
            v["$schema"],
            format!("../schemas/{name}.schema.json"),
            "fixtures/{name}.json"
        );
    }
}
