-- Shared by the wrk scripts of scripts/bench.sh: the bearer token from
-- YW_TOKEN, and done() printing one machine-readable line that bench.sh
-- parses (latencies in microseconds):
--   YWBENCH requests=N seconds=S rps=R p50=US p90=US p99=US non2xx=N errors=N
local token = os.getenv("YW_TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

function yw_done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "YWBENCH requests=%d seconds=%.3f rps=%.1f p50=%d p90=%d p99=%d non2xx=%d errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
