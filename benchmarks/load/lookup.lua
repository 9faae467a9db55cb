-- wrk script for GET /v1/lookup: every request is a random populated place of Peru (POINTS_FILE: "lat lon" lines).
-- Answers 200 (a district) and 404 (no district within Lookup:MaxSnapMetres) are counted apart; anything else is an
-- error and is reported in the summary line.
local points = {}
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(seed * 7919)
  for line in io.lines(os.getenv("POINTS_FILE")) do
    local lat, lon = line:match("([^ ]+) ([^ ]+)")
    points[#points + 1] = "/v1/lookup?lat=" .. lat .. "&lon=" .. lon
  end
  ok, notfound, other = 0, 0, 0
end

function request()
  return wrk.format("GET", points[math.random(#points)])
end

function response(status, headers, body)
  if status == 200 then ok = ok + 1 elseif status == 404 then notfound = notfound + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local total_ok, total_notfound, total_other = 0, 0, 0
  for _, t in ipairs(threads) do
    total_ok = total_ok + t:get("ok")
    total_notfound = total_notfound + t:get("notfound")
    total_other = total_other + t:get("other")
  end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout + total_other
  io.write(string.format("lookup: %.0f requests/s  p50 %.3f ms  p99 %.3f ms  200: %d  404: %d  errors: %d (socket %d, other status %d)\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    total_ok, total_notfound, errors, errors - total_other, total_other))
end
