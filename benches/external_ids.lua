-- wrk script: a correctly signed transactional call (QRIS generate) whose
-- X-EXTERNAL-ID is new on every request: "<prefix><counter>", 16 characters.
-- The symmetric signature does not cover X-EXTERNAL-ID, so one signature
-- (from the environment) serves every request.
local counter = 0
local prefix = os.getenv("SNAP_ID_PREFIX") or "a"
wrk.method = "POST"
wrk.body = '{}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("SNAP_TOKEN")
wrk.headers["X-TIMESTAMP"] = os.getenv("SNAP_TS")
wrk.headers["X-SIGNATURE"] = os.getenv("SNAP_SIG")
wrk.headers["X-PARTNER-ID"] = "demo-client"
wrk.headers["CHANNEL-ID"] = "95221"

request = function()
  counter = counter + 1
  wrk.headers["X-EXTERNAL-ID"] = prefix .. string.format("%015d", counter)
  return wrk.format()
end
