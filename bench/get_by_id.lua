-- GET /api/v1/tickets/{id} for ids drawn uniformly from 1..YW_BENCH_N.
package.path = os.getenv("YW_BENCH_DIR") .. "/?.lua;" .. package.path
require("common")

local n = tonumber(os.getenv("YW_BENCH_N") or "1000")
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
end

function init(args)
  math.randomseed(os.time() * 1000 + (seed or 0))
end

function request()
  return wrk.format("GET", "/api/v1/tickets/" .. math.random(1, n))
end

done = yw_done
