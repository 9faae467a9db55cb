-- wrk script: cycles over every non-empty tile listed in $TILES_LIST (one "z/x/y" per line), as a browser asks for
-- them (Accept-Encoding: gzip). Each thread starts at a different offset. Non-200 answers are counted as errors.
-- TILES_PREFIX and TILES_SUFFIX shape the URL (default: this server's /tiles/poverty/{z}/{x}/{y}.mvt).
local prefix = os.getenv("TILES_PREFIX") or "/tiles/poverty/"
local suffix = os.getenv("TILES_SUFFIX") or ".mvt"
local paths = {}
for line in io.lines(os.getenv("TILES_LIST")) do
  paths[#paths + 1] = prefix .. line .. suffix
end

local counter = 0
local thread_id = 0
local bad = 0

function setup(thread)
  thread:set("thread_id", thread_id)
  thread_id = thread_id + 1
end

function init(args)
  counter = thread_id * math.floor(#paths / 2)
end

function request()
  counter = counter + 1
  local path = paths[(counter % #paths) + 1]
  return wrk.format("GET", path, { ["Accept-Encoding"] = "gzip" })
end

function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  io.write(string.format("tiles cycled: %d; p50 %.2f ms, p90 %.2f ms, p99 %.2f ms; socket errors: %d connect, %d read, %d write, %d timeout; non-2xx: %d\n",
    #paths, latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout, summary.errors.status))
end
