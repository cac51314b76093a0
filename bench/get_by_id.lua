-- GET /api/v1/tickets/{id} for ids drawn uniformly from 1..YW_BENCH_N.
-- Each thread formats 65 536 requests once, in init(), and sends them in
-- turn: formatting each one in Lua cost wrk more CPU than the server's
-- answer to GET /health costs the server, on the same two cores, where the
-- health ceiling's requests are static.
package.path = os.getenv("YW_BENCH_DIR") .. "/?.lua;" .. package.path
require("common")

local n = tonumber(os.getenv("YW_BENCH_N") or "1000")
local counter = 0
local requests = {}
local i = 0

function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
end

function init(args)
  math.randomseed(os.time() * 1000 + (seed or 0))
  for k = 1, 65536 do
    requests[k] = wrk.format("GET", "/api/v1/tickets/" .. math.random(1, n))
  end
end

function request()
  i = i % #requests + 1
  return requests[i]
end

done = yw_done
