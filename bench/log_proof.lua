-- wrk script: GET /api/v1/log/proof/inclusion for random entries of a tree of the size given as the first argument
-- (wrk counts answers other than 2xx and 3xx itself).
function init(args)
  size = tonumber(args[1] or "1000000")
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

function request()
  local path = string.format("/api/v1/log/proof/inclusion?index=%d&tree_size=%d", math.random(0, size - 1), size)
  return wrk.format("GET", path)
end
