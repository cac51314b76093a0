-- POST /api/v1/tickets: each request a new incident with a varying title.
-- The requests are formatted once, in init(), and sent in turn: formatting
-- each one in Lua cost wrk as much CPU as the server's workers spend
-- decoding it, on the same two cores.
package.path = os.getenv("YW_BENCH_DIR") .. "/?.lua;" .. package.path
require("common")

local titles = { "核心交换机端口down", "数据库服务器宕机", "邮件系统响应缓慢",
                 "VPN专线 connection timeout", "存储阵列磁盘告警" }
local counter = 0
local requests = {}
local i = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function init(args)
  local thread_id = tid or 0
  for k = 1, 4096 do
    local body = string.format(
      '{"title":"%s #%d-%d","description":"压测创建的工单\\nload test","type":"incident",' ..
      '"channel":"monitoring","impact":2,"urgency":2}',
      titles[(k % #titles) + 1], thread_id, k)
    requests[k] = wrk.format(nil, nil, nil, body)
  end
end

function request()
  i = i % #requests + 1
  return requests[i]
end

done = yw_done
