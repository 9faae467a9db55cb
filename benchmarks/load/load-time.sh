#!/usr/bin/env bash
# Peru's load time, a baseline commit against this working tree, in one run on this machine: each side is published
# (`dotnet publish -c Release -r linux-x64`, the artifact as shipped, including ReadyToRun or other publish settings
# when that side's project sets them for a runtime) and its server started cold N times from the publish folder,
# interleaved (the order alternates every round), with that side's own runtime settings (its runtimeconfig, e.g.
# tiered compilation; DOTNET_gcServer=1 as the Dockerfile sets); for every start it records the time from launching the process
# until GET /health/ready answers 200, the CPU time the process used until then (user + system, from /proc: less
# sensitive than wall time to other work on the machine), and the loader's step times (GET /v1/dataset: timingsMs, and
# tiles.stepsMs). It prints per-step medians of both sides, their ratio, the load time (the loader's "total", its wall
# time, when it runs steps side by side and reports it; else the sum of the steps), the time to ready and the CPU time
# to ready.
# With BENCHMARKS=all it then runs the BenchmarkDotNet suites that must not regress (lookup on Peru and at 100,000
# districts, tile builds, aggregation) on both sides, suite by suite (baseline, then this tree), and prints medians and
# ratios; BENCHMARKS="lookup tiles" runs only those (names: lookup, lookup-scale, tiles, aggregation). A benchmark:
# never run in CI or tests.
#
# Usage: bash benchmarks/load/load-time.sh [runs] [baseline]     runs: cold starts per side (default 7);
#                                                                 baseline: commit (default 4b60239, before issue 12)
#        BENCHMARKS=all bash benchmarks/load/load-time.sh 5        also the BenchmarkDotNet suites (about 40 minutes)
#        BENCHMARKS=lookup bash benchmarks/load/load-time.sh 1     the cold starts once, then the Peru lookup suite
# Environment: TILESERVER_PERU_DATA (the Peru folder, default ../shared/geodata/peru), PORT (default 18311).
# Needs: git, curl, python3, the .NET SDK. The baseline is built in a temporary git worktree, removed at the end.
# Figures are only comparable within one run (the machine is shared): read the ratios, and the load average printed
# at the start and the end.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
peru="${TILESERVER_PERU_DATA:-$repo/../shared/geodata/peru}"
runs="${1:-7}"
baseline="${2:-4b60239}"
port="${PORT:-18311}"
work="$(mktemp -d)"
server=""

cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  git -C "$repo" worktree remove --force "$work/baseline" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

machine() { echo "$(date -u '+%Y-%m-%d %H:%M:%S UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"; }

echo "== build =="
git -C "$repo" worktree add --detach "$work/baseline" "$baseline" >/dev/null 2>&1
declare -A tree=([baseline]="$work/baseline" [current]="$repo")
for side in baseline current; do
  dotnet publish -c Release -r linux-x64 "${tree[$side]}/src/TileServer" -o "$work/app-$side" -v quiet -nologo > "$work/build-$side.log" 2>&1 \
    || { cat "$work/build-$side.log"; exit 1; }
done
echo "baseline $(git -C "$repo" rev-parse --short "$baseline"), current $(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet HEAD || echo ' + uncommitted changes')"
echo "== machine at start: $(machine)"

# One cold start: launch, poll /health/ready every 20 ms, then read the load report; writes $work/<side>.<run>.json.
start_once() {
  local side=$1 run=$2 started ready
  started=$(date +%s%N)
  (cd "$work/app-$side" && DOTNET_gcServer=1 Logging__LogLevel__Default=Warning exec ./TileServer \
    --Dataset:Districts="$peru/districts.shp" --Dataset:Estimates="$peru/poverty.csv" \
    --urls="http://127.0.0.1:$port") > "$work/server-$side-$run.log" 2>&1 &
  server=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$port/health/ready"; do
    kill -0 "$server" 2>/dev/null || { cat "$work/server-$side-$run.log"; exit 1; }
    sleep 0.02
  done
  ready=$(( ($(date +%s%N) - started) / 1000000 ))
  # utime and stime, fields 14 and 15 of /proc/PID/stat (after the command name, which ends with ')'), in clock ticks.
  cpu=$(sed 's/.*) //' "/proc/$server/stat" | awk -v hz="$(getconf CLK_TCK)" '{ print int(($12 + $13) * 1000 / hz) }')
  curl -sf "http://127.0.0.1:$port/v1/dataset" | python3 -c '
import json, sys
d = json.load(sys.stdin)
json.dump({"ready": int(sys.argv[1]), "cpu": int(sys.argv[2]), "timings": d["timingsMs"], "steps": (d.get("tiles") or {}).get("stepsMs", {})}, sys.stdout)
' "$ready" "$cpu" > "$work/$side.$run.json"
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
  echo "run $run $side: ready after $ready ms, $cpu ms of CPU"
}

echo "== cold starts (Peru, every tile in memory) =="
for ((run = 1; run <= runs; run++)); do
  if ((run % 2)); then order=(baseline current); else order=(current baseline); fi
  for side in "${order[@]}"; do start_once "$side" "$run"; done
done
echo "== machine at end: $(machine)"

python3 - "$work" "$runs" <<'EOF'
import json, statistics, sys
work, runs = sys.argv[1], int(sys.argv[2])
data = {side: [json.load(open(f"{work}/{side}.{r}.json")) for r in range(1, runs + 1)] for side in ("baseline", "current")}
def median(values): return statistics.median(values) if values else float("nan")
def row(name, b, c):
    ratio = c / b if b else float("nan")
    print(f"| {name} | {b:,.0f} | {c:,.0f} | {ratio:.2f} |")
steps = list(dict.fromkeys(k for side in data.values() for d in side for k in d["timings"] if k != "total"))
# A loader that runs steps side by side reports each step's own time and "total", the wall time of the whole load;
# a sequential one (the baseline) only its steps, whose sum is its load time.
def load_time(d): return d["timings"].get("total", sum(d["timings"].values()))
print(f"\nMedians of {runs} cold starts per side, milliseconds (ratio = current / baseline):\n")
print("| step | baseline | current | ratio |")
print("| --- | --- | --- | --- |")
for step in steps:
    row(step, median([d["timings"].get(step, 0) for d in data["baseline"]]), median([d["timings"].get(step, 0) for d in data["current"]]))
for step in dict.fromkeys(k for side in data.values() for d in side for k in d["steps"]):
    row(f"tiles: {step}", median([d["steps"].get(step, 0) for d in data["baseline"]]), median([d["steps"].get(step, 0) for d in data["current"]]))
row("**load time (total)**", median([load_time(d) for d in data["baseline"]]), median([load_time(d) for d in data["current"]]))
row("**ready after a cold start**", median([d["ready"] for d in data["baseline"]]), median([d["ready"] for d in data["current"]]))
row("**CPU time until ready**", median([d["cpu"] for d in data["baseline"]]), median([d["cpu"] for d in data["current"]]))
for side in ("baseline", "current"):
    print(f"\n{side} ready (ms, run order): " + ", ".join(str(d["ready"]) for d in data[side]))
EOF

wanted="${BENCHMARKS:-}"
if [ -z "$wanted" ]; then exit 0; fi
if [ "$wanted" = "all" ]; then wanted="lookup lookup-scale tiles aggregation"; fi

echo
echo "== BenchmarkDotNet suites, baseline then current per suite =="
suites=(
  "lookup|*LookupBenchmarks.*"
  "lookup-scale|*LookupScaleBenchmarks.*"
  "tiles|*TileBuildBenchmarks.DistrictsZ0To10_CoverageSimplified *TileBuildBenchmarks.FullTilesetZ0To12"
  "aggregation|*AggregationBenchmarks.*"
)
for suite in "${suites[@]}"; do
  name=${suite%%|*}
  [[ " $wanted " == *" $name "* ]] || continue
  read -r -a filters <<< "${suite#*|}"
  for side in baseline current; do
    echo "$name $side: $(machine)"
    (cd "${tree[$side]}" && TILESERVER_PERU_DATA="$peru" dotnet run -c Release --project benchmarks/TileServer.Benchmarks -- \
      --filter "${filters[@]}" --artifacts "$work/bdn/$name/$side" > "$work/bdn-$name-$side.log" 2>&1) \
      || { tail -50 "$work/bdn-$name-$side.log"; exit 1; }
  done
done
echo "== machine at end: $(machine)"

python3 - "$work" <<'EOF'
import csv, glob, sys
work = sys.argv[1]
def medians(path):
    result = {}
    for report in glob.glob(f"{path}/results/*-report.csv"):
        for r in csv.DictReader(open(report)):
            key = r["Method"] + (f" ({r['Categories']})" if r.get("Categories") else "")
            result[key] = (r["Median"], r.get("Allocated", ""))
    return result
def to_ns(text):
    parts = text.replace(",", "").split()
    if len(parts) != 2:
        return float("nan")
    return float(parts[0]) * {"ns": 1, "μs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9}.get(parts[1], float("nan"))
print("\n| suite | benchmark | baseline median | current median | ratio | allocated (baseline / current) |")
print("| --- | --- | --- | --- | --- | --- |")
for suite in ("lookup", "lookup-scale", "tiles", "aggregation"):
    b, c = medians(f"{work}/bdn/{suite}/baseline"), medians(f"{work}/bdn/{suite}/current")
    for key in b.keys() & c.keys():
        ratio = to_ns(c[key][0]) / to_ns(b[key][0])
        print(f"| {suite} | {key} | {b[key][0]} | {c[key][0]} | {ratio:.2f} | {b[key][1]} / {c[key][1]} |")
EOF
