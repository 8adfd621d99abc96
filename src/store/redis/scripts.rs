//! The Lua scripts: one per protocol operation, each atomic on Redis.

use super::*;

/// Maps a store value through a fallible conversion.
pub(super) async fn then<T: Unpin, U>(
    future: StoreFuture<'_, T>,
    f: impl FnOnce(T) -> StoreResult<U>,
) -> StoreResult<U> {
    f(future.await?)
}

pub(super) fn parse<T: DeserializeOwned>(what: &str, text: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(|e| {
        StoreError(format!(
            "the shared store holds a {what} this build cannot read: {e}"
        ))
    })
}

pub(super) struct Scripts {
    pub(super) append: Script,
    pub(super) reset: Script,
    pub(super) view: Script,
    pub(super) take_use: Script,
    pub(super) check_id: Script,
    pub(super) put_token: Script,
    pub(super) take_token: Script,
    pub(super) record: Script,
    pub(super) stats: Script,
    pub(super) transactions: super::transactions::TransactionScripts,
}

impl Scripts {
    // Long on purpose: the Lua of every script, each with its KEYS and ARGV.
    pub(super) fn new() -> Self {
        Self {
            // KEYS: gen, hash. ARGV: field, value. The value is stored after
            // the generation it was written in (scenarios apply in order).
            // KEYS: gen, hash, epoch. ARGV: field, value, a new epoch.
            append: Script::new(
                "redis.call('SET', KEYS[3], ARGV[3], 'NX')
                 local g = redis.call('INCR', KEYS[1])
                 redis.call('HSET', KEYS[2], ARGV[1], g .. ' ' .. ARGV[2])
                 return g",
            ),
            // KEYS: gen, hash, epoch. ARGV: a new epoch.
            reset: Script::new(
                "redis.call('SET', KEYS[3], ARGV[1], 'NX')
                 redis.call('DEL', KEYS[2])
                 return redis.call('INCR', KEYS[1])",
            ),
            // KEYS: gen, epoch, clients, scenarios. One consistent view.
            view: Script::new(
                "return {redis.call('GET', KEYS[1]) or '0',
                         redis.call('GET', KEYS[2]) or '',
                         redis.call('HGETALL', KEYS[3]),
                         redis.call('HGETALL', KEYS[4])}",
            ),
            // KEYS: counters. ARGV: name, times.
            take_use: Script::new(
                "local used = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
                 if used < tonumber(ARGV[2]) then
                   redis.call('HINCRBY', KEYS[1], ARGV[1], 1) return 1
                 end
                 return 0",
            ),
            // KEYS: the day's ids. ARGV: partner+id, max, expiry (unix s).
            check_id: Script::new(
                "if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 1 end
                 if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[2]) then return 2 end
                 redis.call('HSET', KEYS[1], ARGV[1], '1')
                 redis.call('EXPIREAT', KEYS[1], ARGV[3])
                 return 0",
            ),
            // KEYS: token, index. ARGV: value, ttl ms, max, order.
            put_token: Script::new(
                "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
                 redis.call('ZADD', KEYS[2], ARGV[4], KEYS[1])
                 local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[3])
                 if over > 0 then
                   local old = redis.call('ZPOPMIN', KEYS[2], over)
                   for i = 1, #old, 2 do redis.call('DEL', old[i]) end
                 end
                 return math.max(over, 0)",
            ),
            // KEYS: token, index.
            take_token: Script::new(
                "local v = redis.call('GET', KEYS[1])
                 if v then redis.call('DEL', KEYS[1]) redis.call('ZREM', KEYS[2], KEYS[1]) end
                 return v",
            ),
            // KEYS: stream, seq, stats. ARGV: capacity, entry.
            record: Script::new(
                "local seq = redis.call('INCR', KEYS[2])
                 local held = redis.call('XLEN', KEYS[1])
                 redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[1], seq .. '-0', 'e', ARGV[2])
                 redis.call('HINCRBY', KEYS[3], 'recorded', 1)
                 if held >= tonumber(ARGV[1]) then redis.call('HINCRBY', KEYS[3], 'dropped', 1) end
                 return seq",
            ),
            // KEYS: stream, stats.
            stats: Script::new(
                "return {redis.call('XLEN', KEYS[1]),
                         tonumber(redis.call('HGET', KEYS[2], 'recorded') or '0'),
                         tonumber(redis.call('HGET', KEYS[2], 'dropped') or '0')}",
            ),
            transactions: super::transactions::TransactionScripts::new(),
        }
    }
}
