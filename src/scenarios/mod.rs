//! Scenario fixtures: rules that make the mock answer with a chosen SNAP
//! code, a delay, or a transport fault, so clients can test their retry
//! and error handling. No HTTP types: the route supplies a [`MatchContext`]
//! and carries out the [`Action`].

mod rules;

pub use rules::{InvalidScenario, ScenariosFull};

use crate::fixtures::FixtureError;
use crate::snap::response_code::ResponseCode;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Most scenarios in force at once (fixture and runtime together).
pub const MAX_SCENARIOS: usize = 1000;

/// Longest scenario name accepted.
pub const MAX_NAME_CHARS: usize = 100;

/// The request header that picks a scenario by name.
pub const SELECTOR_HEADER: &str = "X-Mock-Scenario";

/// When a scenario is consulted.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Before any validation: answers whatever the signature, like an
    /// outage or a gateway in front of the provider. The default.
    #[default]
    Before,
    /// Only for requests that passed every check and would get a token.
    After,
}

/// A transport-level failure instead of an HTTP answer.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// The connection is reset (TCP RST) without an answer.
    ConnectionReset,
    /// The connection is closed without an answer.
    EmptyResponse,
    /// A complete HTTP answer whose JSON body is cut off mid-object.
    MalformedJson,
    /// The head promises more body bytes than are sent before the close.
    TruncatedBody,
}

impl Fault {
    /// The name scenario fixtures use (`fault`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ConnectionReset => "connection_reset",
            Self::EmptyResponse => "empty_response",
            Self::MalformedJson => "malformed_json",
            Self::TruncatedBody => "truncated_body",
        }
    }
}

/// Conditions; all given ones must hold.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Match {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Only requests whose client (`X-CLIENT-KEY`) is this one.
    pub client_key: Option<String>,
    /// Header name (any case) → exact value.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Only requests to this path (exact, without the query).
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Only token requests whose body asks for this `grantType`.
    pub grant_type: Option<String>,
}

/// A forced SNAP answer.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Respond {
    /// The SNAP `responseCode` to answer with (7 digits; its first three
    /// are the HTTP status).
    pub response_code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// `responseMessage`; by default the standard's message for the code.
    pub response_message: Option<String>,
    /// Extra body fields after responseCode and responseMessage.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub body: Map<String, Value>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    /// Extra response headers (e.g. `Retry-After`).
    pub headers: BTreeMap<String, String>,
}

/// A scenario as written in `scenarios.json` or posted to the admin API.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScenarioSpec {
    /// Unique name; also what `X-Mock-Scenario` selects.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// What the scenario is for, shown by the admin API and the inspector.
    pub description: Option<String>,
    /// Absent: the scenario applies only when selected by name with the
    /// `X-Mock-Scenario` header. Present (even `{}`): it also applies to
    /// every request that satisfies all its conditions.
    #[serde(default, rename = "match", skip_serializing_if = "Option::is_none")]
    pub matcher: Option<Match>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// The SNAP answer to give (or `fault`, not both).
    pub respond: Option<Respond>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// A transport fault instead of an answer (or `respond`, not both).
    pub fault: Option<Fault>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Wait this long before answering (alone: delay the normal answer).
    pub delay_ms: Option<u64>,
    /// Apply to the next N matching requests, then fall through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
    #[serde(default)]
    /// Before the checks (default) or after them, on requests that passed.
    pub when: Phase,
}

/// What a scenario makes the server do.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Answer with this code, message, extra fields and headers.
    Respond {
        code: ResponseCode,
        message: String,
        body: Map<String, Value>,
        headers: Vec<(String, String)>,
    },
    /// Fail at the transport level.
    Fault(Fault),
    /// Only wait; the request then goes on as if no scenario matched.
    DelayOnly,
}

/// A validated scenario. Its `times` are counted by name in a store
/// (`store::ScenarioCounters`), which this module does not know.
#[derive(Debug)]
pub struct Scenario {
    pub spec: ScenarioSpec,
    pub action: Action,
    pub delay: Duration,
}

impl Scenario {
    pub fn name(&self) -> &str {
        &self.spec.name
    }

    fn matches(&self, ctx: &MatchContext<'_>) -> bool {
        let Some(m) = &self.spec.matcher else {
            return false;
        };
        m.client_key
            .as_deref()
            .is_none_or(|k| ctx.client_key == Some(k))
            && m.path.as_deref().is_none_or(|p| p == ctx.path)
            && m.grant_type
                .as_deref()
                .is_none_or(|g| ctx.grant_type == Some(g))
            && m.headers
                .iter()
                .all(|(name, value)| (ctx.header)(name) == Some(value.as_str()))
    }
}

/// What a scenario can look at.
pub struct MatchContext<'a> {
    pub path: &'a str,
    pub client_key: Option<&'a str>,
    pub grant_type: Option<&'a str>,
    /// Header lookup by name, any case.
    pub header: &'a dyn Fn(&str) -> Option<&'a str>,
    /// The `X-Mock-Scenario` value, if any.
    pub selector: Option<&'a str>,
}

/// Why a request named a scenario that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownScenario(pub String);

/// Scenarios in force: runtime additions (newest first), then the file's
/// in file order.
#[derive(Debug, Default, Clone)]
pub struct ScenarioSet {
    runtime: Vec<Arc<Scenario>>,
    from_file: Vec<Arc<Scenario>>,
    /// The file's scenarios as loaded, for [`ScenarioSet::reset`].
    loaded: Vec<ScenarioSpec>,
    /// File scenarios removed (or replaced) at runtime: a reload of the
    /// file does not bring them back; a reset does.
    removed: std::collections::BTreeSet<String>,
    /// Names among the file's scenarios that came from the bundled set
    /// under it ([`ScenarioSet::over`]).
    bundled: std::collections::BTreeSet<String>,
}

impl ScenarioSet {
    /// Parses a scenarios fixture; errors name the entry.
    pub fn from_json(text: &str) -> Result<Self, FixtureError<InvalidScenario>> {
        let mut set = Self::default();
        for (label, spec) in
            crate::fixtures::entries::<ScenarioSpec, _>(text, "scenarios", "scenario")?
        {
            let scenario = Scenario::new(spec).map_err(|e| FixtureError::invalid(&label, e))?;
            if set.get(scenario.name()).is_some() {
                return Err(FixtureError::duplicate(&label, "the name"));
            }
            set.loaded.push(scenario.spec.clone());
            set.from_file.push(Arc::new(scenario));
        }
        Ok(set)
    }

    /// This file's scenarios, then those of `bundled` whose names the file
    /// does not use: a user's file adds to the demo scenarios, and replaces
    /// one by naming it.
    pub fn over(mut self, bundled: ScenarioSet) -> Self {
        for (spec, scenario) in bundled.loaded.into_iter().zip(bundled.from_file) {
            if self.get(scenario.name()).is_none() {
                self.bundled.insert(scenario.name().to_owned());
                self.loaded.push(spec);
                self.from_file.push(scenario);
            }
        }
        self
    }

    /// How many of the file's scenarios came from the bundled set under it.
    pub fn bundled_count(&self) -> usize {
        self.from_file
            .iter()
            .filter(|s| self.bundled.contains(s.name()))
            .count()
    }

    /// Back to the file's scenarios as loaded: runtime additions removed,
    /// removed ones restored, every `times` counter full again.
    pub fn reset(&mut self) {
        self.runtime.clear();
        self.removed.clear();
        self.from_file = self
            .loaded
            .iter()
            .filter_map(|spec| Scenario::new(spec.clone()).ok().map(Arc::new))
            .collect();
    }

    /// Scenarios in precedence order with where each came from.
    pub fn listing(&self) -> impl Iterator<Item = (&Arc<Scenario>, &'static str)> {
        self.runtime
            .iter()
            .map(|s| (s, "runtime"))
            .chain(self.from_file.iter().map(|s| {
                let source = if self.bundled.contains(s.name()) {
                    "bundled"
                } else {
                    "file"
                };
                (s, source)
            }))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Arc<Scenario>> {
        self.runtime.iter().chain(self.from_file.iter())
    }

    pub fn len(&self) -> usize {
        self.runtime.len() + self.from_file.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, name: &str) -> Option<&Arc<Scenario>> {
        self.iter().find(|s| s.name() == name)
    }

    /// Whether any scenario looks at `grantType` (the body is then parsed
    /// before validation; otherwise it need not be).
    pub fn needs_grant_type(&self) -> bool {
        self.iter().any(|s| {
            s.spec
                .matcher
                .as_ref()
                .is_some_and(|m| m.grant_type.is_some())
        })
    }

    /// Adds a scenario ahead of all others; a scenario of the same name is
    /// replaced.
    pub fn add(&mut self, scenario: Scenario) {
        self.add_shared(Arc::new(scenario));
    }

    /// [`ScenarioSet::add`] for a scenario other sets may hold too.
    pub fn add_shared(&mut self, scenario: Arc<Scenario>) {
        let name = scenario.name().to_owned();
        self.remove(&name);
        self.runtime.insert(0, scenario);
    }

    pub fn remove(&mut self, name: &str) -> bool {
        let before = self.len();
        self.runtime.retain(|s| s.name() != name);
        let file_before = self.from_file.len();
        self.from_file.retain(|s| s.name() != name);
        if self.from_file.len() != file_before {
            self.removed.insert(name.to_owned());
        }
        before != self.len()
    }

    /// This (freshly loaded) file set with the runtime changes made to
    /// `current` carried over: its additions stay in front, and file
    /// scenarios removed or replaced at runtime stay out.
    pub fn keeping_runtime_changes_of(mut self, current: &ScenarioSet) -> Self {
        self.runtime = current.runtime.clone();
        self.removed = current.removed.clone();
        let runtime: Vec<&str> = self.runtime.iter().map(|s| s.name()).collect();
        let removed = &self.removed;
        self.from_file
            .retain(|s| !removed.contains(s.name()) && !runtime.contains(&s.name()));
        self
    }

    /// Names of the scenarios that came from the file.
    pub fn file_names(&self) -> impl Iterator<Item = &str> {
        self.from_file.iter().map(|s| s.name())
    }

    /// The scenarios that may answer this request in this phase, in the
    /// order they are tried: the one a selector names outright, or else
    /// every scenario whose conditions hold, first listed first. Which of
    /// them answers depends on their `times`, counted by the caller's store.
    pub fn candidates<'s, 'c>(
        &'s self,
        phase: Phase,
        ctx: &'s MatchContext<'c>,
    ) -> Result<impl Iterator<Item = &'s Arc<Scenario>> + use<'s, 'c>, UnknownScenario> {
        let named = match ctx.selector {
            Some(name) => Some(self.get(name).ok_or_else(|| {
                // Bounded: the answer never grows with the number of scenarios.
                let shown: Vec<&str> = self.iter().take(10).map(|s| s.name()).collect();
                let more = self.len().saturating_sub(shown.len());
                let name: String = name.chars().take(MAX_NAME_CHARS).collect();
                UnknownScenario(format!(
                    "{SELECTOR_HEADER} names {name:?}, which is not a loaded scenario (loaded: {}{})",
                    shown.join(", "),
                    if more > 0 { format!(" and {more} more") } else { String::new() }
                ))
            })?),
            None => None,
        };
        let matching = self
            .iter()
            .filter(move |s| ctx.selector.is_none() && s.matches(ctx));
        Ok(named
            .into_iter()
            .chain(matching)
            .filter(move |s| s.spec.when == phase))
    }

    /// The first candidate with a use left, with in-memory counters, for tests.
    #[cfg(test)]
    fn select_now(
        &self,
        phase: Phase,
        ctx: &MatchContext<'_>,
        counters: &dyn crate::store::ScenarioCounters,
    ) -> Result<Option<Arc<Scenario>>, UnknownScenario> {
        let candidates = self.candidates(phase, ctx)?;
        Ok(crate::store::block_on(crate::store::take_first(candidates, counters)).unwrap())
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Before => "before",
            Self::After => "after",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::memory::Counters;

    fn set(json: &str) -> ScenarioSet {
        ScenarioSet::from_json(json).unwrap()
    }

    fn no_headers(_: &str) -> Option<&'static str> {
        None
    }

    fn ctx(
        client_key: Option<&'static str>,
        selector: Option<&'static str>,
    ) -> MatchContext<'static> {
        MatchContext {
            path: "/v1.0/access-token/b2b",
            client_key,
            grant_type: Some("client_credentials"),
            header: &no_headers,
            selector,
        }
    }

    #[test]
    fn a_known_code_takes_its_standard_message() {
        let counters = Counters::default();
        let s =
            set(r#"{"scenarios":[{"name":"x","match":{},"respond":{"responseCode":"4297300"}}]}"#);
        let hit = s
            .select_now(Phase::Before, &ctx(None, None), &counters)
            .unwrap()
            .unwrap();
        match &hit.action {
            Action::Respond { code, message, .. } => {
                assert_eq!(code.to_string(), "4297300");
                assert_eq!(message, "Too Many Requests");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn times_applies_n_times_then_falls_through() {
        let counters = Counters::default();
        let s = set(r#"{"scenarios":[
                {"name":"twice","match":{"clientKey":"c"},"respond":{"responseCode":"5007300"},"times":2},
                {"name":"always","match":{"clientKey":"c"},"respond":{"responseCode":"5047300"}}
            ]}"#);
        let names: Vec<String> = (0..4)
            .map(|_| {
                s.select_now(Phase::Before, &ctx(Some("c"), None), &counters)
                    .unwrap()
                    .unwrap()
                    .name()
                    .to_owned()
            })
            .collect();
        assert_eq!(names, ["twice", "twice", "always", "always"]);
    }

    #[test]
    fn all_conditions_must_hold_and_the_first_match_wins() {
        let counters = Counters::default();
        let s = set(r#"{"scenarios":[
                {"name":"a","match":{"clientKey":"c","grantType":"other"},"respond":{"responseCode":"5007300"}},
                {"name":"b","match":{"clientKey":"c"},"respond":{"responseCode":"5007301"}},
                {"name":"c","match":{"clientKey":"c"},"respond":{"responseCode":"5007302"}}
            ]}"#);
        let hit = s
            .select_now(Phase::Before, &ctx(Some("c"), None), &counters)
            .unwrap()
            .unwrap();
        assert_eq!(hit.name(), "b");
        assert!(s
            .select_now(Phase::Before, &ctx(Some("d"), None), &counters)
            .unwrap()
            .is_none());
    }

    #[test]
    fn a_scenario_without_match_is_reached_only_by_its_selector() {
        let counters = Counters::default();
        let s = set(r#"{"scenarios":[{"name":"x","respond":{"responseCode":"5007300"}}]}"#);
        assert!(s
            .select_now(Phase::Before, &ctx(Some("c"), None), &counters)
            .unwrap()
            .is_none());
        assert!(s
            .select_now(Phase::Before, &ctx(None, Some("x")), &counters)
            .unwrap()
            .is_some());
        let e = s
            .select_now(Phase::Before, &ctx(None, Some("y")), &counters)
            .unwrap_err();
        assert!(e.0.contains("\"y\"") && e.0.contains("x"), "{}", e.0);
    }

    #[test]
    fn the_unknown_selector_message_is_bounded() {
        let counters = Counters::default();
        let mut s = ScenarioSet::default();
        for i in 0..50 {
            let spec = serde_json::from_str(&format!(r#"{{"name":"s{i}","delayMs":1}}"#)).unwrap();
            s.add(Scenario::new(spec).unwrap());
        }
        let long = "y".repeat(5000);
        let e = s
            .select_now(
                Phase::Before,
                &ctx(None, Some(Box::leak(long.into_boxed_str()))),
                &counters,
            )
            .unwrap_err();
        assert!(e.0.contains("and 40 more"), "{}", e.0);
        assert!(e.0.len() < 400, "{}", e.0.len());
        let spec: ScenarioSpec =
            serde_json::from_str(&format!(r#"{{"name":"{}","delayMs":1}}"#, "n".repeat(101)))
                .unwrap();
        assert_eq!(
            Scenario::new(spec).unwrap_err(),
            InvalidScenario::NameTooLong(101)
        );
    }

    #[test]
    fn a_selected_scenario_applies_only_in_its_phase() {
        let counters = Counters::default();
        let s = set(
            r#"{"scenarios":[{"name":"x","when":"after","respond":{"responseCode":"5007300"}}]}"#,
        );
        assert!(s
            .select_now(Phase::Before, &ctx(None, Some("x")), &counters)
            .unwrap()
            .is_none());
        assert!(s
            .select_now(Phase::After, &ctx(None, Some("x")), &counters)
            .unwrap()
            .is_some());
    }

    #[test]
    fn headers_match_by_name_in_any_case() {
        let counters = Counters::default();
        let s = set(
            r#"{"scenarios":[{"name":"x","match":{"headers":{"X-Tenant":"t1"}},"respond":{"responseCode":"5007300"}}]}"#,
        );
        let lookup = |name: &str| name.eq_ignore_ascii_case("x-tenant").then_some("t1");
        let c = MatchContext {
            header: &lookup,
            ..ctx(None, None)
        };
        assert!(s
            .select_now(Phase::Before, &c, &counters)
            .unwrap()
            .is_some());
    }

    #[test]
    fn bad_fixtures_name_the_entry_and_the_problem() {
        let cases = [
            (
                r#"{"scenarios":[{"name":"x","respond":{"responseCode":"4187300"}}]}"#,
                "not in the SNAP code table",
            ),
            (
                r#"{"scenarios":[{"name":"x","respond":{"responseCode":"41873"}}]}"#,
                "7 digits",
            ),
            (
                r#"{"scenarios":[{"name":"x","fault":"explode"}]}"#,
                "unknown variant",
            ),
            (
                r#"{"scenarios":[{"name":"x"}]}"#,
                "respond, fault or delayMs",
            ),
            (
                r#"{"scenarios":[{"name":"x","fault":"empty_response","respond":{"responseCode":"5007300"}}]}"#,
                "not both",
            ),
            (
                r#"{"scenarios":[{"name":"x","delayMs":1},{"name":"x","delayMs":1}]}"#,
                "used twice",
            ),
            (
                r#"{"scenarios":[{"name":"x","delayMs":1,"tiems":2}]}"#,
                "tiems",
            ),
            (
                r#"{"scenarios":[{"name":"x","respond":{"responseCode":"5007300","headers":{"Bad Name":"v"}}}]}"#,
                "valid HTTP header",
            ),
            ("{", "not a valid scenarios fixture"),
        ];
        for (json, expected) in cases {
            let e = ScenarioSet::from_json(json).unwrap_err().to_string();
            assert!(e.contains(expected), "{json}: {e}");
            if !json.starts_with("{\"scenarios\":[{\"name\":\"x\",\"delayMs\":1},") && json != "{" {
                assert!(e.contains("scenario #1 \"x\""), "{e}");
            }
        }
    }

    #[test]
    fn runtime_additions_come_first_and_replace_by_name() {
        let counters = Counters::default();
        let mut s = set(
            r#"{"scenarios":[{"name":"file","match":{},"respond":{"responseCode":"5007300"}}]}"#,
        );
        let spec: ScenarioSpec = serde_json::from_str(
            r#"{"name":"new","match":{},"respond":{"responseCode":"5007301"}}"#,
        )
        .unwrap();
        s.add(Scenario::new(spec.clone()).unwrap());
        assert_eq!(
            s.select_now(Phase::Before, &ctx(None, None), &counters)
                .unwrap()
                .unwrap()
                .name(),
            "new"
        );
        s.add(Scenario::new(spec).unwrap());
        assert_eq!(s.len(), 2);
        assert!(s.remove("new"));
        assert!(!s.remove("new"));
        assert_eq!(
            s.select_now(Phase::Before, &ctx(None, None), &counters)
                .unwrap()
                .unwrap()
                .name(),
            "file"
        );
    }

    #[test]
    fn a_reloaded_file_keeps_runtime_additions_and_removals() {
        let file = r#"{"scenarios":[{"name":"a","delayMs":1},{"name":"b","delayMs":1}]}"#;
        let mut current = set(file);
        let spec: ScenarioSpec = serde_json::from_str(r#"{"name":"r","delayMs":1}"#).unwrap();
        current.add(Scenario::new(spec).unwrap());
        assert!(current.remove("a"));
        let reloaded = set(file).keeping_runtime_changes_of(&current);
        let names: Vec<&str> = reloaded.iter().map(|s| s.name()).collect();
        assert_eq!(names, ["r", "b"]);
        let mut reset = reloaded;
        reset.reset();
        let names: Vec<&str> = reset.iter().map(|s| s.name()).collect();
        assert_eq!(names, ["a", "b"]);
    }

    #[test]
    fn a_delay_alone_is_a_delay_only_action() {
        let counters = Counters::default();
        let s = set(r#"{"scenarios":[{"name":"slow","match":{},"delayMs":250}]}"#);
        let hit = s
            .select_now(Phase::Before, &ctx(None, None), &counters)
            .unwrap()
            .unwrap();
        assert_eq!(hit.action, Action::DelayOnly);
        assert_eq!(hit.delay, Duration::from_millis(250));
    }
}
