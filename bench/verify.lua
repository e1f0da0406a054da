-- wrk script: GET /v/{number}?code=… for random seeded certificates; "json" or "html" as the first argument.
function init(args)
  mode = args[1] or "json"
  count = tonumber(args[2] or "1000000")
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
  statuses = {}
end

function request()
  local i = math.random(1, count)
  local year = 2020 + math.floor((i - 1) / 900000)
  local path = string.format("/v/AZI-%04d-%06d?code=B%015d", year, (i - 1) % 900000 + 1, i)
  local headers = {}
  if mode == "json" then headers["Accept"] = "application/json" end
  return wrk.format("GET", path, headers)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
