-- wrk script for the soak test: rotates through valid, badly signed,
-- malformed, scenario and unknown-path requests, and tallies the statuses.
local path = "/pg/snap/oauth/v1.0/access-token/b2b"
local body = '{"grantType":"client_credentials","additionalInfo":{}}'
local requests = {}
local i = 0
c2xx, c400, c401, c404, c429, c5xx, cother = 0, 0, 0, 0, 0, 0, 0

local function headers(client_key, signature)
  return {
    ["Content-Type"] = "application/json",
    ["X-TIMESTAMP"] = os.getenv("SNAP_TS"),
    ["X-CLIENT-KEY"] = client_key,
    ["X-SIGNATURE"] = signature,
  }
end

function init(args)
  local key, sig = os.getenv("SNAP_CLIENT_KEY"), os.getenv("SNAP_SIG")
  requests[1] = wrk.format("POST", path, headers(key, sig), body)                      -- valid
  requests[2] = wrk.format("POST", path, headers(key, "AAAA" .. sig:sub(5)), body)     -- badly signed
  requests[3] = wrk.format("POST", path, headers(key, sig), '{"grantType":')           -- malformed body
  requests[4] = wrk.format("POST", path, headers("mock-4297300", sig), body)           -- scenario
  requests[5] = wrk.format("GET", "/no-such-path", {}, nil)                            -- unknown path
end

function request()
  i = i + 1
  return requests[(i % #requests) + 1]
end

function response(status, headers, body)
  if status >= 200 and status < 300 then c2xx = c2xx + 1
  elseif status == 400 then c400 = c400 + 1
  elseif status == 401 then c401 = c401 + 1
  elseif status == 404 then c404 = c404 + 1
  elseif status == 429 then c429 = c429 + 1
  elseif status >= 500 then c5xx = c5xx + 1
  else cother = cother + 1 end
end

local threads = {}
function setup(thread) table.insert(threads, thread) end

function done(summary, latency, requests)
  local t = {c2xx = 0, c400 = 0, c401 = 0, c404 = 0, c429 = 0, c5xx = 0, cother = 0}
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + thread:get(k) end
  end
  io.write(string.format("STATUSES 2xx=%d 400=%d 401=%d 404=%d 429=%d 5xx=%d other=%d\n",
    t.c2xx, t.c400, t.c401, t.c404, t.c429, t.c5xx, t.cother))
end
