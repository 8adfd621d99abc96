//! Refresh tokens and opaque access tokens, by digest, bounded.

use super::*;

/// What a token map holds: something with an expiry.
pub trait Expires {
    fn expires_at(&self) -> DateTime<Utc>;
}

impl Expires for RefreshGrant {
    fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }
}

impl Expires for AccessTokenClaims {
    fn expires_at(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.exp, 0).unwrap_or(DateTime::<Utc>::MIN_UTC)
    }
}

/// Tokens by digest, with their issue order. Every token of one map lives
/// equally long, so issue order is expiry order: expired tokens are pruned
/// from the front on each insert (O(1) amortised), and at the bound the
/// oldest is dropped (and a warning logged naming the flag).
pub struct TokenMap<T> {
    max: usize,
    /// What is held and the flag that bounds it, for the warning.
    what: &'static str,
    pub(super) inner: Mutex<(HashMap<u128, T>, std::collections::VecDeque<u128>)>,
}

/// B2B2C refresh tokens (`--max-refresh-tokens`).
pub type RefreshTokens = TokenMap<RefreshGrant>;
/// Opaque access tokens (`--max-access-tokens`).
pub type AccessTokens = TokenMap<AccessTokenClaims>;

impl<T: Expires> TokenMap<T> {
    pub fn new(max: usize, what: &'static str) -> Self {
        Self {
            max,
            what,
            inner: Mutex::new(Default::default()),
        }
    }

    fn digest(token: &str) -> u128 {
        digest128(&[token.as_bytes()])
    }

    fn put(&self, token: &str, value: T, now: DateTime<Utc>) {
        let mut guard = lock(&self.inner);
        let (live, order) = &mut *guard;
        // Taken tokens leave their digest in `order`; skip those too.
        while let Some(front) = order.front() {
            match live.get(front) {
                Some(g) if g.expires_at() > now && live.len() < self.max => break,
                Some(_) if live.len() >= self.max => {
                    static DROPPED: crate::throttle::Throttle =
                        crate::throttle::Throttle::new(std::time::Duration::from_secs(10));
                    DROPPED
                        .warn(|| format!("{} {} held; dropping the oldest", self.max, self.what));
                    live.remove(front);
                }
                Some(_) => {
                    live.remove(front);
                }
                None => {}
            }
            order.pop_front();
        }
        let key = Self::digest(token);
        live.insert(key, value);
        order.push_back(key);
        // Behind a live oldest token the digests of taken ones pile up (a
        // refresh token rotated while an older one sits unused): drop them
        // once they outnumber the live ones, so the queue stays within
        // twice the bound whatever the usage. Each pass halves it at
        // least, so the cost is amortised O(1) per insert.
        if order.len() > 2 * live.len() + 64 {
            order.retain(|k| live.contains_key(k));
        }
    }
}

impl<T: Expires + Clone> TokenMap<T> {
    #[cfg(test)]
    pub fn insert(&self, token: &str, value: T, now: DateTime<Utc>) {
        self.put(token, value, now);
    }

    /// Takes the token out (a refresh token is used once).
    pub fn take(&self, token: &str) -> Option<T> {
        lock(&self.inner).0.remove(&Self::digest(token))
    }

    pub fn get(&self, token: &str) -> Option<T> {
        lock(&self.inner).0.get(&Self::digest(token)).cloned()
    }
}

impl RefreshTokenStore for RefreshTokens {
    fn insert(
        &self,
        token: String,
        grant: RefreshGrant,
        now: DateTime<Utc>,
    ) -> StoreFuture<'_, ()> {
        self.put(&token, grant, now);
        StoreFuture::ready(())
    }

    fn take<'a>(&'a self, token: &'a str) -> StoreFuture<'a, Option<RefreshGrant>> {
        StoreFuture::ready(TokenMap::take(self, token))
    }
}

impl AccessTokenStore for AccessTokens {
    fn insert<'a>(
        &'a self,
        token: &'a str,
        claims: AccessTokenClaims,
        now: DateTime<Utc>,
    ) -> StoreFuture<'a, ()> {
        self.put(token, claims, now);
        StoreFuture::ready(())
    }

    fn get<'a>(&'a self, token: &'a str) -> StoreFuture<'a, Option<AccessTokenClaims>> {
        StoreFuture::ready(TokenMap::get(self, token))
    }
}
