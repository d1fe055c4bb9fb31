-- SPDX-License-Identifier: Apache-2.0
-- wrk script: POST /v1/databases/bench/put with a unique id per request
-- (run prefix from the command line, wrk thread number, counter).
--   wrk ... -s put.lua <url> -- <run-prefix>
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

local prefix = "r"
local n = 0
function init(args)
  prefix = args[1] or prefix
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function request()
  n = n + 1
  local body = string.format('{"coll":"w","id":"%s-%s-%d","doc":{"n":%d,"pad":"0123456789"}}',
                             prefix, tostring(tid), n, n)
  return wrk.format(nil, "/v1/databases/bench/put", nil, body)
end
