-- wrk script for GET /collections/districts/items?limit=10&skipGeometry=true: each request a random page of the
-- 1,891 districts (offset 0..1880). Non-200 answers are counted and reported in the summary line.
local counter = 0
local threads = {}

function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(seed * 7919)
  ok, other = 0, 0
end

function request()
  return wrk.format("GET", "/collections/districts/items?limit=10&skipGeometry=true&offset=" .. (10 * math.random(0, 188)))
end

function response(status, headers, body)
  if status == 200 then ok = ok + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local total_ok, total_other = 0, 0
  for _, thread in ipairs(threads) do
    total_ok = total_ok + thread:get("ok")
    total_other = total_other + thread:get("other")
  end
  io.write(string.format("answers: %d 200, %d other\n", total_ok, total_other))
end
