-- wrk script: POST /api/v1/applications with a unique portal_reference per request; counts answers by status.
-- An argument (a name for this load generator) keeps the references apart from those of others running at once.
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  key = os.getenv("ARAYIS_BENCH_KEY")
  run = os.time() .. (args[1] or "")
  counter = 0
  statuses = {}
end

function request()
  counter = counter + 1
  local body = string.format('{"portal_reference":"BENCH-%s-%d-%d","subscriber_type":"residential",'
    .. '"subscriber_code":"1234567890","applicant":{"fin":"5ABC7D9","last_name":"Məmmədov","first_name":"Əli",'
    .. '"birth_date":"1985-04-12"},"contact":{"mobile":"+994501234567"}}', run, tid, counter)
  return wrk.format("POST", "/api/v1/applications",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key}, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for code, n in pairs(s) do io.write(string.format("status %d: %d\n", code, n)) end
  end
end
