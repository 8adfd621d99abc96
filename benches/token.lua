-- wrk script: a correctly signed B2B token request (headers from the
-- environment, signed once by benches/load.py within the freshness window).
wrk.method = "POST"
wrk.body = '{"grantType":"client_credentials","additionalInfo":{}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-TIMESTAMP"] = os.getenv("SNAP_TS")
wrk.headers["X-CLIENT-KEY"] = os.getenv("SNAP_CLIENT_KEY")
wrk.headers["X-SIGNATURE"] = os.getenv("SNAP_SIG")
