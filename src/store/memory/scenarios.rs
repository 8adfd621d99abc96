//! Scenarios in force, and how many of their `times` each has used.

use super::*;
use crate::scenarios::{ScenariosFull, MAX_SCENARIOS};

/// Copy-on-write: a request takes a snapshot (an `Arc` clone) and never
/// holds a lock while it matches; admin changes build a new set.
pub struct Scenarios(RwLock<Arc<ScenarioSet>>);

impl Scenarios {
    pub fn new(set: ScenarioSet) -> Self {
        Self(RwLock::new(Arc::new(set)))
    }

    fn update<R>(&self, change: impl FnOnce(&mut ScenarioSet) -> R) -> R {
        let mut current = write(&self.0);
        let mut next = ScenarioSet::clone(&current);
        let result = change(&mut next);
        *current = Arc::new(next);
        result
    }

    pub fn snapshot(&self) -> Arc<ScenarioSet> {
        read(&self.0).clone()
    }

    pub fn add(&self, scenario: Scenario) -> Result<(), ScenariosFull> {
        self.update(|s| {
            if s.len() >= MAX_SCENARIOS && s.get(scenario.name()).is_none() {
                return Err(ScenariosFull);
            }
            s.add(scenario);
            Ok(())
        })
    }

    pub fn remove(&self, name: &str) -> bool {
        self.update(|s| s.remove(name))
    }

    pub fn reset(&self) {
        self.update(ScenarioSet::reset)
    }

    /// Replaces every runtime change at once with `changes` (a scenario
    /// added, or the name of one removed) applied to the fixture.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub fn replace_runtime(&self, changes: Vec<RuntimeChange<Arc<Scenario>>>) {
        self.update(|s| {
            s.reset();
            for change in changes {
                match change {
                    RuntimeChange::Set(scenario) => s.add_shared(scenario),
                    RuntimeChange::Removed(name) => {
                        s.remove(&name);
                    }
                }
            }
        })
    }
}

impl ScenarioStore for Scenarios {
    fn snapshot(&self) -> Arc<ScenarioSet> {
        Scenarios::snapshot(self)
    }
    fn add(&self, scenario: Scenario) -> StoreFuture<'_, Result<(), ScenariosFull>> {
        StoreFuture::ready(Scenarios::add(self, scenario))
    }
    fn remove<'a>(&'a self, name: &'a str) -> StoreFuture<'a, bool> {
        StoreFuture::ready(Scenarios::remove(self, name))
    }
    fn reload(&self, set: ScenarioSet) {
        let mut current = write(&self.0);
        *current = Arc::new(set.keeping_runtime_changes_of(&current));
    }
    fn reset(&self) -> StoreFuture<'_, ()> {
        Scenarios::reset(self);
        StoreFuture::ready(())
    }
}

/// Uses per scenario name.
#[derive(Default)]
pub struct Counters(Mutex<HashMap<String, u32>>);

impl Counters {
    pub fn take(&self, name: &str, times: u32) -> bool {
        let mut used = lock(&self.0);
        let n = used.entry(name.to_owned()).or_insert(0);
        if *n < times {
            *n += 1;
            true
        } else {
            false
        }
    }
    pub fn remaining(&self, name: &str, times: u32) -> u32 {
        times.saturating_sub(lock(&self.0).get(name).copied().unwrap_or(0))
    }
    pub fn refill(&self, name: &str) {
        lock(&self.0).remove(name);
    }
    pub fn refill_all(&self) {
        lock(&self.0).clear();
    }
}

impl ScenarioCounters for Counters {
    fn take<'a>(&'a self, name: &'a str, times: u32) -> StoreFuture<'a, bool> {
        StoreFuture::ready(Counters::take(self, name, times))
    }
    fn remaining<'a>(&'a self, name: &'a str, times: u32) -> StoreFuture<'a, u32> {
        StoreFuture::ready(Counters::remaining(self, name, times))
    }
    fn refill<'a>(&'a self, name: &'a str) -> StoreFuture<'a, ()> {
        Counters::refill(self, name);
        StoreFuture::ready(())
    }
    fn refill_all(&self) -> StoreFuture<'_, ()> {
        Counters::refill_all(self);
        StoreFuture::ready(())
    }
}
