-- wrk script: alternates GET /v1/lookup at a random populated place (POINTS_FILE: "lat lon" lines) and a tile over
-- Peru (TILES_LIST: "z/x/y" lines, Accept-Encoding: gzip). Counts answers by class (200/204/304, 404 from a lookup
-- outside every district, 5xx, anything else) and by X-Dataset-Version, and prints one summary line per class and
-- version. "stale" counts, per wrk thread, answers naming a version older than one that thread already saw (in order
-- of first appearance): after a swap no answer should go back to the old version (a request already in flight when
-- the swap happened may, so it is an upper bound). Used by reload-under-load.sh.
local tiles, points = {}, {}
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(os.getenv("TILES_LIST")) do tiles[#tiles + 1] = "/tiles/poverty/" .. line .. ".mvt" end
  for line in io.lines(os.getenv("POINTS_FILE")) do
    local lat, lon = line:match("([^ ]+) ([^ ]+)")
    points[#points + 1] = "/v1/lookup?lat=" .. lat .. "&lon=" .. lon
  end
  math.randomseed(7919 * (id + 1))
  ok, notfound, server_errors, other, closes, stale = 0, 0, 0, 0, 0, 0
  versions = {}
  order, latest = {}, 0
end

function request()
  counter = counter + 1
  if counter % 2 == 0 then
    return wrk.format("GET", tiles[math.random(#tiles)], { ["Accept-Encoding"] = "gzip" })
  end
  return wrk.format("GET", points[math.random(#points)])
end

function response(status, headers, body)
  if status == 200 or status == 204 or status == 304 then ok = ok + 1
  elseif status == 404 then notfound = notfound + 1
  elseif status >= 500 then server_errors = server_errors + 1
  else other = other + 1 end
  local v = headers["X-Dataset-Version"] or "none"
  versions[v] = (versions[v] or 0) + 1
  if order[v] == nil then latest = latest + 1; order[v] = latest end
  if order[v] < latest then stale = stale + 1 end
  if headers["Connection"] == "close" then closes = closes + 1 end
end

function done(summary, latency, requests)
  local t = { ok = 0, notfound = 0, server_errors = 0, other = 0, closes = 0, stale = 0 }
  local all = {}
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + thread:get(k) end
    for v, n in pairs(thread:get("versions")) do all[v] = (all[v] or 0) + n end
  end
  local e = summary.errors
  io.write(string.format("requests: %d in %.1f s (%.0f/s); p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.1f ms\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("answers: 2xx/304 %d, 404 (lookup outside) %d, 5xx %d, other %d; Connection: close %d\n",
    t.ok, t.notfound, t.server_errors, t.other, t.closes))
  io.write(string.format("stale answers (older version after a newer one, same thread): %d\n", t.stale))
  io.write(string.format("socket errors: connect %d, read %d, write %d, timeout %d\n", e.connect, e.read, e.write, e.timeout))
  local n = 0
  for v, count in pairs(all) do n = n + 1; io.write(string.format("version %s: %d answers\n", v, count)) end
  io.write(string.format("versions seen: %d\n", n))
end
