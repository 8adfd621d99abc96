//! The connection to Redis: its own runtime, the bound on every call,
//! and the back-off while the server fails.

use super::*;

/// The connection, its runtime, and how the last operation went.
pub(super) struct Conn {
    /// Shut down without blocking when the stores go (possibly inside
    /// another runtime, where a blocking drop would panic).
    pub(super) runtime: Mutex<Option<tokio::runtime::Runtime>>,
    pub(super) handle: tokio::runtime::Handle,
    pub(super) manager: ConnectionManager,
    pub(super) url: String,
    pub(super) prefix: String,
    pub(super) timeout: Duration,
    /// Set while the store fails: why, and when it was last asked.
    pub(super) failing: Mutex<Option<Failing>>,
}

impl Drop for Conn {
    fn drop(&mut self) {
        if let Some(rt) = lock(&self.runtime).take() {
            rt.shutdown_background();
        }
    }
}

/// Why the store fails, and when it was last asked.
pub(super) struct Failing {
    pub(super) why: String,
    pub(super) asked: std::time::Instant,
}

/// How often a failing store is asked again; requests in between get its
/// failure at once.
pub(super) const PROBE_EVERY: Duration = Duration::from_millis(200);

pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Conn {
    pub(super) fn open(config: &RedisConfig) -> Result<Arc<Self>, StoreError> {
        let url = shown(&config.url);
        let client = redis::Client::open(config.url.as_str())
            .map_err(|e| StoreError(format!("--store {url}: not a Redis URL: {e}")))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("snap-mock-redis")
            .enable_all()
            .build()
            .map_err(|e| StoreError(format!("--store {url}: cannot start its runtime: {e}")))?;
        let manager_config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(config.timeout))
            .set_response_timeout(Some(config.timeout))
            .set_min_delay(Duration::from_millis(50))
            .set_max_delay(Duration::from_secs(1))
            .set_number_of_retries(2);
        // Lazy: the server starts while Redis is still coming up (or down),
        // reports it, and connects once it answers.
        let manager = {
            let _inside = runtime.enter();
            ConnectionManager::new_lazy_with_config(client, manager_config)
                .map_err(|e| StoreError(format!("--store {url}: {e}")))?
        };
        Ok(Arc::new(Self {
            handle: runtime.handle().clone(),
            runtime: Mutex::new(Some(runtime)),
            manager,
            url,
            prefix: config.prefix.clone(),
            timeout: config.timeout,
            failing: Mutex::new(None),
        }))
    }

    pub(super) fn key(&self, name: &str) -> String {
        format!("{}:{name}", self.prefix)
    }

    /// Runs `op` on the store's runtime within the timeout; the error names
    /// the store, what was being done, and why. A read (`retry`) is tried
    /// once more after a dropped connection, which the connection manager
    /// replaces meanwhile: the first read after a Redis restart then finds
    /// the new connection instead of failing. A write is not: it may have
    /// been applied before the connection dropped.
    pub(super) fn call<'a, T, Fut>(
        &'a self,
        what: &'static str,
        retry: bool,
        op: impl Fn(ConnectionManager) -> Fut + Send + 'static,
    ) -> StoreFuture<'a, T>
    where
        T: Send + 'static,
        Fut: Future<Output = redis::RedisResult<T>> + Send + 'static,
    {
        // While the store fails, one request at a time asks it again (every
        // PROBE_EVERY); the others get the failure at once instead of each
        // waiting for the timeout or the reconnection.
        if let Some(f) = lock(&self.failing).as_mut() {
            if f.asked.elapsed() < PROBE_EVERY {
                return StoreFuture::failed(self.error(what, &f.why));
            }
            f.asked = std::time::Instant::now();
        }
        let manager = self.manager.clone();
        let timeout = self.timeout;
        let task = self.handle.spawn(async move {
            match tokio::time::timeout(timeout, op(manager.clone())).await {
                Ok(Err(e)) if retry && (e.is_connection_dropped() || e.is_io_error()) => {
                    tokio::time::timeout(timeout, op(manager)).await
                }
                first => first,
            }
        });
        StoreFuture::pending(async move {
            let outcome = match task.await {
                Ok(Ok(Ok(value))) => Ok(value),
                Ok(Ok(Err(e))) if !e.is_timeout() => Err(e.to_string()),
                Ok(Ok(Err(_))) | Ok(Err(_)) => Err(format!(
                    "no answer within {} ms (--store-timeout-ms)",
                    timeout.as_millis()
                )),
                Err(e) => Err(format!("the store's task failed: {e}")),
            };
            let mut failing = lock(&self.failing);
            match outcome {
                Ok(value) => {
                    if let Some(was) = failing.take() {
                        log::info!("store {} answers again (it failed: {})", self.url, was.why);
                    }
                    Ok(value)
                }
                Err(why) => {
                    if failing.is_none() {
                        log::error!("store {} failed ({what}): {why}", self.url);
                    }
                    let error = self.error(what, &why);
                    *failing = Some(Failing {
                        why,
                        asked: std::time::Instant::now(),
                    });
                    Err(error)
                }
            }
        })
    }

    pub(super) fn error(&self, what: &str, why: &str) -> StoreError {
        StoreError(format!(
            "the shared store {} failed ({what}): {why}; snap-mock reconnects by itself",
            self.url
        ))
    }

    /// A script run with `keys` and `args`, that changes something.
    pub(super) fn script<'a, T>(
        &'a self,
        what: &'static str,
        script: &Script,
        keys: Vec<String>,
        args: Vec<String>,
    ) -> StoreFuture<'a, T>
    where
        T: redis::FromRedisValue + Send + 'static,
    {
        self.run_script(what, false, script, keys, args)
    }

    /// A script that only reads.
    pub(super) fn read_script<'a, T>(
        &'a self,
        what: &'static str,
        script: &Script,
        keys: Vec<String>,
    ) -> StoreFuture<'a, T>
    where
        T: redis::FromRedisValue + Send + 'static,
    {
        self.run_script(what, true, script, keys, Vec::new())
    }

    pub(super) fn run_script<'a, T>(
        &'a self,
        what: &'static str,
        read: bool,
        script: &Script,
        keys: Vec<String>,
        args: Vec<String>,
    ) -> StoreFuture<'a, T>
    where
        T: redis::FromRedisValue + Send + 'static,
    {
        let script = script.clone();
        self.call(what, read, move |mut conn| {
            // Owned: a read may run twice.
            let (script, keys, args) = (script.clone(), keys.clone(), args.clone());
            async move {
                let mut invocation = script.prepare_invoke();
                for k in keys {
                    invocation.key(k);
                }
                for a in args {
                    invocation.arg(a);
                }
                invocation.invoke_async(&mut conn).await
            }
        })
    }

    /// A command that only reads.
    pub(super) fn read<'a, T>(&'a self, what: &'static str, cmd: redis::Cmd) -> StoreFuture<'a, T>
    where
        T: redis::FromRedisValue + Send + 'static,
    {
        self.call(what, true, move |mut conn| {
            let cmd = cmd.clone();
            async move { cmd.query_async(&mut conn).await }
        })
    }

    /// A command that changes something.
    pub(super) fn command<'a, T>(
        &'a self,
        what: &'static str,
        cmd: redis::Cmd,
    ) -> StoreFuture<'a, T>
    where
        T: redis::FromRedisValue + Send + 'static,
    {
        self.call(what, false, move |mut conn| {
            let cmd = cmd.clone();
            async move { cmd.query_async(&mut conn).await }
        })
    }
}
