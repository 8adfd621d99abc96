//! Refresh and opaque access tokens, kept under their SHA-256.

use super::*;

/// Tokens under their SHA-256 (the token itself is not kept), with an
/// index in issue order that bounds how many are held.
pub(super) struct Tokens<T> {
    pub(super) shared: Shared,
    pub(super) kind: &'static str,
    pub(super) max: usize,
    pub(super) _value: std::marker::PhantomData<fn() -> T>,
}

impl<T: Serialize + DeserializeOwned + memory::Expires + Send + Unpin + 'static> Tokens<T> {
    pub(super) fn new(shared: Shared, kind: &'static str, max: usize) -> Self {
        Self {
            shared,
            kind,
            max,
            _value: std::marker::PhantomData,
        }
    }

    pub(super) fn keys(&self, token: &str) -> Vec<String> {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(token.as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        vec![
            self.shared.conn.key(&format!("{}-token:{hex}", self.kind)),
            self.shared.conn.key(&format!("{}-tokens", self.kind)),
        ]
    }

    pub(super) fn put(&self, token: &str, value: &T, now: DateTime<Utc>) -> StoreFuture<'_, ()> {
        let json = match serde_json::to_string(value) {
            Ok(json) => json,
            Err(e) => return StoreFuture::pending(async move { Err(StoreError(e.to_string())) }),
        };
        // Kept an hour past its expiry on the server's clock (which tests
        // move): the caller tells an expired token from an unknown one.
        let ttl = (value.expires_at() - now).num_milliseconds().max(0) + 3_600_000;
        let dropped = self.shared.conn.script::<i64>(
            "keeping a token",
            &self.shared.scripts.put_token,
            self.keys(token),
            vec![
                json,
                ttl.to_string(),
                self.max.to_string(),
                now.timestamp_micros().to_string(),
            ],
        );
        let (max, kind) = (self.max, self.kind);
        StoreFuture::pending(then(dropped, move |n| {
            static DROPPED: crate::throttle::Throttle =
                crate::throttle::Throttle::new(std::time::Duration::from_secs(10));
            if n > 0 {
                DROPPED.warn(|| format!("{max} {kind} tokens held; dropped the oldest"));
            }
            Ok(())
        }))
    }

    pub(super) fn read(&self, token: &str, take: bool) -> StoreFuture<'_, Option<T>> {
        let found = if take {
            self.shared.conn.script::<Option<String>>(
                "taking a token",
                &self.shared.scripts.take_token,
                self.keys(token),
                vec![],
            )
        } else {
            let key = self.keys(token).swap_remove(0);
            self.shared
                .conn
                .read::<Option<String>>("reading a token", redis::Cmd::get(key))
        };
        StoreFuture::pending(then(found, |json| {
            json.map(|j| parse::<T>("token", &j)).transpose()
        }))
    }
}

impl RefreshTokenStore for Tokens<RefreshGrant> {
    fn insert(
        &self,
        token: String,
        grant: RefreshGrant,
        now: DateTime<Utc>,
    ) -> StoreFuture<'_, ()> {
        self.put(&token, &grant, now)
    }
    fn take<'a>(&'a self, token: &'a str) -> StoreFuture<'a, Option<RefreshGrant>> {
        self.read(token, true)
    }
}

impl AccessTokenStore for Tokens<AccessTokenClaims> {
    fn insert<'a>(
        &'a self,
        token: &'a str,
        claims: AccessTokenClaims,
        now: DateTime<Utc>,
    ) -> StoreFuture<'a, ()> {
        self.put(token, &claims, now)
    }
    fn get<'a>(&'a self, token: &'a str) -> StoreFuture<'a, Option<AccessTokenClaims>> {
        self.read(token, false)
    }
}
