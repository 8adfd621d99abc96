//! Transactions on the shared store, so that a VA created through one
//! replica is paid, queried and expired through any other. One hash of
//! transactions (JSON) and its indexes; creation is one script (check the
//! client's reference and the VA number, evict past the bound, index); a
//! change of state is compare-and-set on the JSON, retried when another
//! replica changed it meanwhile, so each change (an expiry included)
//! happens once, on one replica, which then sends its notification.

use super::*;
use crate::snap::error::TransactionFailure;
use crate::store::TransactionStore;
use crate::transactions::{Action, Transaction};

/// How often a change of state is tried again when another replica
/// changed the same transaction in between.
const CAS_TRIES: usize = 8;
/// Transactions read per round trip while a filtered listing fills its page.
const BATCH: usize = 200;

pub(super) struct Transactions {
    pub(super) shared: Shared,
    pub(super) capacity: usize,
}

/// The scripts of this store.
pub(super) struct TransactionScripts {
    create: Script,
    find: Script,
    replace: Script,
}

impl TransactionScripts {
    pub(super) fn new() -> Self {
        Self {
            // KEYS: tx, order, seq, va, cref, pref, expiry.
            // ARGV: ref, json, client-ref key, va ('' for none), partner
            // ref, capacity, expiry score ('' for none).
            create: Script::new(
                "if redis.call('HEXISTS', KEYS[5], ARGV[3]) == 1 then
                   local old = redis.call('HGET', KEYS[5], ARGV[3])
                   if redis.call('HEXISTS', KEYS[1], old) == 1 then return 'duplicate' end
                 end
                 if ARGV[4] ~= '' then
                   local holder = redis.call('HGET', KEYS[4], ARGV[4])
                   if holder then
                     local json = redis.call('HGET', KEYS[1], holder)
                     if json and cjson.decode(json).status == 'pending' then return 'in-use' end
                   end
                 end
                 local capacity = tonumber(ARGV[6])
                 if capacity == 0 then return 'ok' end
                 while redis.call('ZCARD', KEYS[2]) >= capacity do
                   local oldest = redis.call('ZPOPMIN', KEYS[2])
                   redis.call('HDEL', KEYS[1], oldest[1])
                   redis.call('ZREM', KEYS[7], oldest[1])
                 end
                 local seq = redis.call('INCR', KEYS[3])
                 redis.call('ZADD', KEYS[2], seq, ARGV[1])
                 redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
                 redis.call('HSET', KEYS[5], ARGV[3], ARGV[1])
                 redis.call('HSET', KEYS[6], ARGV[5], ARGV[1])
                 if ARGV[4] ~= '' then redis.call('HSET', KEYS[4], ARGV[4], ARGV[1]) end
                 if ARGV[7] ~= '' then redis.call('ZADD', KEYS[7], ARGV[7], ARGV[1]) end
                 return 'ok'",
            ),
            // KEYS: tx, va, cref, pref. ARGV: id, client ('' for any).
            // The transaction the id names, as JSON, or nil.
            find: Script::new(
                "local id, client = ARGV[1], ARGV[2]
                 local candidates = {id, redis.call('HGET', KEYS[2], id)}
                 if client ~= '' then
                   table.insert(candidates, redis.call('HGET', KEYS[3], client .. '\\n' .. id))
                 else
                   table.insert(candidates, redis.call('HGET', KEYS[4], id))
                 end
                 for _, ref in ipairs(candidates) do
                   if ref then
                     local json = redis.call('HGET', KEYS[1], ref)
                     if json and (client == '' or cjson.decode(json).clientKey == client) then
                       return json
                     end
                   end
                 end
                 return false",
            ),
            // KEYS: tx, expiry. ARGV: ref, old json, new json, expiry
            // score ('' to drop it from the expiry index).
            replace: Script::new(
                "if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
                 redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
                 if ARGV[4] == '' then redis.call('ZREM', KEYS[2], ARGV[1])
                 else redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1]) end
                 return 1",
            ),
        }
    }
}

fn expiry_score(t: &Transaction) -> String {
    match (t.status.is_open(), t.expires_at) {
        (true, Some(at)) => at.timestamp().to_string(),
        _ => String::new(),
    }
}

impl Transactions {
    fn keys(&self) -> [String; 7] {
        let conn = &self.shared.conn;
        [
            "tx",
            "tx:order",
            "tx:seq",
            "tx:va",
            "tx:cref",
            "tx:pref",
            "tx:expiry",
        ]
        .map(|k| conn.key(k))
    }

    fn scripts(&self) -> &TransactionScripts {
        &self.shared.scripts.transactions
    }

    async fn find_json(&self, client: Option<&str>, id: &str) -> StoreResult<Option<String>> {
        let [tx, _, _, va, cref, pref, _] = self.keys();
        let id = id.trim().to_owned();
        let args = vec![id, client.unwrap_or_default().to_owned()];
        self.shared
            .conn
            .run_script(
                "finding a transaction",
                true,
                &self.scripts().find,
                vec![tx, va, cref, pref],
                args,
            )
            .await
    }

    /// Compare-and-set: the new transaction, why the action is refused,
    /// or `None` when nothing has that id.
    async fn change(
        &self,
        client: Option<&str>,
        id: &str,
        action: &Action,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Result<Transaction, TransactionFailure>>> {
        let [tx, _, _, _, _, _, expiry] = self.keys();
        for _ in 0..CAS_TRIES {
            let Some(old) = self.find_json(client, id).await? else {
                return Ok(None);
            };
            let current: Transaction = parse("transaction", &old)?;
            let next = match current.apply(action, now) {
                Ok(next) => next,
                Err(refused) => return Ok(Some(Err(refused))),
            };
            let json = serde_json::to_string(&next).map_err(|e| StoreError(e.to_string()))?;
            let args = vec![next.reference_no.clone(), old, json, expiry_score(&next)];
            let done: i64 = self
                .shared
                .conn
                .script(
                    "changing a transaction",
                    &self.scripts().replace,
                    vec![tx.clone(), expiry.clone()],
                    args,
                )
                .await?;
            if done == 1 {
                return Ok(Some(Ok(next)));
            }
        }
        Err(StoreError(format!(
            "transaction {id:?} kept changing under {CAS_TRIES} attempts; try again"
        )))
    }

    async fn expire(&self, now: DateTime<Utc>) -> StoreResult<Vec<Transaction>> {
        let [_, _, _, _, _, _, expiry] = self.keys();
        let mut cmd = redis::cmd("ZRANGEBYSCORE");
        cmd.arg(&expiry)
            .arg("-inf")
            .arg(now.timestamp())
            .arg("LIMIT")
            .arg(0)
            .arg(BATCH);
        let due: Vec<String> = self
            .shared
            .conn
            .read("reading the expiry index", cmd)
            .await?;
        let mut expired = Vec::new();
        for reference in due {
            // Another replica may expire it first: then this one is refused.
            if let Some(Ok(t)) = self.change(None, &reference, &Action::Expire, now).await? {
                expired.push(t);
            } else {
                let cmd = redis::Cmd::zrem(&expiry, &reference);
                let _: i64 = self
                    .shared
                    .conn
                    .command("cleaning the expiry index", cmd)
                    .await?;
            }
        }
        Ok(expired)
    }

    async fn page(
        &self,
        before: Option<u64>,
        limit: usize,
        keep: &(dyn Fn(&Transaction) -> bool + Sync),
    ) -> StoreResult<Vec<(u64, Transaction)>> {
        let [tx, order, ..] = self.keys();
        let mut out = Vec::new();
        let mut top = before.map_or("+inf".to_owned(), |b| format!("({b}"));
        while out.len() < limit {
            let mut cmd = redis::cmd("ZREVRANGEBYSCORE");
            cmd.arg(&order)
                .arg(&top)
                .arg("-inf")
                .arg("WITHSCORES")
                .arg("LIMIT")
                .arg(0)
                .arg(BATCH);
            let refs: Vec<(String, u64)> =
                self.shared.conn.read("listing transactions", cmd).await?;
            if refs.is_empty() {
                break;
            }
            let mut get = redis::cmd("HMGET");
            get.arg(&tx);
            for (reference, _) in &refs {
                get.arg(reference);
            }
            let jsons: Vec<Option<String>> =
                self.shared.conn.read("reading transactions", get).await?;
            for ((_, seq), json) in refs.iter().zip(jsons) {
                top = format!("({seq}");
                let Some(json) = json else { continue };
                let t: Transaction = parse("transaction", &json)?;
                if keep(&t) {
                    out.push((*seq, t));
                    if out.len() == limit {
                        break;
                    }
                }
            }
            if refs.len() < BATCH {
                break;
            }
        }
        Ok(out)
    }
}

impl TransactionStore for Transactions {
    fn create(&self, t: Transaction) -> StoreFuture<'_, Result<(), TransactionFailure>> {
        let json = match serde_json::to_string(&t) {
            Ok(json) => json,
            Err(e) => return StoreFuture::failed(StoreError(e.to_string())),
        };
        let args = vec![
            t.reference_no.clone(),
            json,
            format!("{}\n{}", t.client_key, t.partner_reference_no),
            t.virtual_account_no()
                .map(|v| v.trim().to_owned())
                .unwrap_or_default(),
            t.partner_reference_no.clone(),
            self.capacity.to_string(),
            expiry_score(&t),
        ];
        let done = self.shared.conn.script::<String>(
            "creating a transaction",
            &self.scripts().create,
            self.keys().to_vec(),
            args,
        );
        StoreFuture::pending(then(done, |outcome| {
            Ok(match outcome.as_str() {
                "duplicate" => Err(TransactionFailure::DuplicateReference),
                "in-use" => Err(TransactionFailure::VirtualAccountInUse),
                _ => Ok(()),
            })
        }))
    }

    fn find<'a>(
        &'a self,
        client: Option<&'a str>,
        id: &'a str,
    ) -> StoreFuture<'a, Option<Transaction>> {
        StoreFuture::pending(async move {
            match self.find_json(client, id).await? {
                Some(json) => Ok(Some(parse("transaction", &json)?)),
                None => Ok(None),
            }
        })
    }

    fn apply<'a>(
        &'a self,
        client: Option<&'a str>,
        id: &'a str,
        action: &'a Action,
        now: DateTime<Utc>,
    ) -> StoreFuture<'a, Result<Transaction, TransactionFailure>> {
        StoreFuture::pending(async move {
            Ok(self
                .change(client, id, action, now)
                .await?
                .unwrap_or(Err(TransactionFailure::BillNotFound)))
        })
    }

    fn expire_due(&self, now: DateTime<Utc>) -> StoreFuture<'_, Vec<Transaction>> {
        StoreFuture::pending(self.expire(now))
    }

    fn list<'a>(
        &'a self,
        before: Option<u64>,
        limit: usize,
        keep: &'a (dyn Fn(&Transaction) -> bool + Sync),
    ) -> StoreFuture<'a, Vec<(u64, Transaction)>> {
        StoreFuture::pending(self.page(before, limit, keep))
    }

    fn clear(&self) -> StoreFuture<'_, ()> {
        let [tx, order, _, va, cref, pref, expiry] = self.keys();
        // The sequence stays: positions are never reused (paging).
        let cmd = redis::Cmd::del(&[tx, order, va, cref, pref, expiry]);
        let done = self
            .shared
            .conn
            .command::<i64>("clearing transactions", cmd);
        StoreFuture::pending(then(done, |_| Ok(())))
    }
}
