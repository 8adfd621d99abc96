//! What types cannot say about a configuration: paths have their shape,
//! paths do not collide, limits are usable.

use super::{Config, ConfigError, MAX_WORKERS};

impl Config {
    /// Checks what types cannot: paths start with `/`, limits are usable.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.check_paths()?;
        self.check_limits()
    }

    /// Token, base and admin paths have their shape and do not collide.
    fn check_paths(&self) -> Result<(), ConfigError> {
        for p in self
            .extra_token_paths
            .iter()
            .chain(&self.extra_b2b2c_token_paths)
        {
            if !p.starts_with('/')
                || p.contains(char::is_whitespace)
                || p.contains(['{', '}', '?', '#'])
            {
                return Err(ConfigError::TokenPath(p.clone()));
            }
        }
        let base = &self.base_path;
        if !base.is_empty()
            && (!base.starts_with('/')
                || base.ends_with('/')
                || base.contains(['{', '}', '?', '#', ' ']))
        {
            return Err(ConfigError::BasePath(base.clone()));
        }
        let prefix = &self.admin_prefix;
        if !prefix.starts_with('/')
            || prefix.len() < 2
            || prefix.ends_with('/')
            || prefix.contains(['{', '}', '?', '#'])
        {
            return Err(ConfigError::AdminPrefix(prefix.clone()));
        }
        let b2b2c = self.token_paths_b2b2c();
        if let Some(p) = self.token_paths().iter().find(|p| b2b2c.contains(p)) {
            return Err(ConfigError::TokenPathTwice(p.clone()));
        }
        if self
            .token_paths()
            .iter()
            .chain(&b2b2c)
            .any(|p| p.starts_with(&format!("{prefix}/")) || p == prefix)
        {
            return Err(ConfigError::TokenPathUnderAdmin(prefix.clone()));
        }
        Ok(())
    }

    /// Limits and the admin token are usable.
    fn check_limits(&self) -> Result<(), ConfigError> {
        if self.admin_token.as_deref() == Some("") {
            return Err(ConfigError::EmptyAdminToken);
        }
        if self.max_external_ids == 0 || self.max_refresh_tokens == 0 || self.max_access_tokens == 0
        {
            return Err(ConfigError::ZeroStoreLimit);
        }
        if self.max_body_bytes == 0 {
            return Err(ConfigError::ZeroBodyLimit);
        }
        if self.workers == Some(0) {
            return Err(ConfigError::Workers(0));
        }
        // Each worker is a thread with its own runtime, spawned after the
        // socket is bound: a number the machine cannot start would fail
        // only after the listening line, which a harness takes for "up".
        if let Some(n) = self.workers.filter(|n| *n > MAX_WORKERS) {
            return Err(ConfigError::Workers(n));
        }
        if self.token_lifetime.as_secs() == 0 || self.token_lifetime.as_secs() > 99_999 {
            return Err(ConfigError::TokenLifetime(self.token_lifetime.as_secs()));
        }
        Ok(())
    }
}
