-- POST /api/v1/tickets: each request a new incident with a varying title.
package.path = os.getenv("YW_BENCH_DIR") .. "/?.lua;" .. package.path
require("common")

local titles = { "核心交换机端口down", "数据库服务器宕机", "邮件系统响应缓慢",
                 "VPN专线 connection timeout", "存储阵列磁盘告警" }
local counter = 0
local thread_id = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end

function init(args)
  thread_id = tid or 0
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local i = 0
function request()
  i = i + 1
  local body = string.format(
    '{"title":"%s #%d-%d","description":"压测创建的工单\\nload test","type":"incident",' ..
    '"channel":"monitoring","impact":2,"urgency":2}',
    titles[(i % #titles) + 1], thread_id, i)
  return wrk.format(nil, nil, nil, body)
end

done = yw_done
