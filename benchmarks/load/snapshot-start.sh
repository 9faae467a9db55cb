#!/usr/bin/env bash
# Start-up from a snapshot file against start-up from the sources, Peru, in one run on this machine (issue 19, part 5:
# "build once, serve many"). Builds this tree (Release), writes Peru's snapshot with export-snapshot, then starts the
# server cold N times per side, interleaved (sources, snapshot, snapshot with tiered compilation, the replica image's
# build), each until
# GET /health/ready answers 200, and prints the median time to ready of each side, their ratio, the CPU time until
# ready, the snapshot's size and the read's own steps (GET /v1/dataset: timingsMs.readSnapshot and snapshot*).
# Sides: "sources" and "snapshot" run with the server's settings (TieredCompilation off in the project,
# DOTNET_gcServer=1, as the Dockerfile); "snapshot-tc" sets DOTNET_TieredCompilation=1, which a replica that starts
# often may prefer (quick JIT at start, optimised code after a few seconds of traffic). "replica" is what the
# Dockerfile ships: this tree published ReadyToRun for linux-x64, run with DOTNET_TieredCompilation=1 and
# DOTNET_TC_QuickJitForLoops=0, from the snapshot.
# "floor" is an empty ASP.NET Core app (one GET /health/ready route, .NET's default settings) built here: the least
# any server on this runtime needs to answer its first 200.
#
# Usage: bash benchmarks/load/snapshot-start.sh [runs]        runs: cold starts per side (default 5)
# Environment: TILESERVER_PERU_DATA (default ../shared/geodata/peru), PORT (default 18410), SNAPSHOT (an existing
# snapshot file to use instead of exporting one; it must come from this build).
# Needs: curl, python3, the .NET SDK. A benchmark: never run in CI or tests. Figures are only comparable within one
# run (the machine is shared): read the ratios, and the load average printed at the start and the end.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
peru="${TILESERVER_PERU_DATA:-$repo/../shared/geodata/peru}"
runs="${1:-5}"
port="${PORT:-18410}"
work="$(mktemp -d)"
server=""
bin="$repo/src/TileServer/bin/Release/net10.0"

cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

machine() { echo "$(date -u '+%Y-%m-%d %H:%M:%S UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"; }

echo "== build =="
dotnet build -c Release "$repo/src/TileServer" -v quiet -nologo > "$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
# The replica image's build, as the Dockerfile publishes it.
dotnet publish -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true "$repo/src/TileServer" -o "$work/replica" \
  -v quiet -nologo > "$work/publish.log" 2>&1 || { cat "$work/publish.log"; exit 1; }
mkdir -p "$work/floor"
cat > "$work/floor/floor.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk.Web">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework><AssemblyName>floor</AssemblyName></PropertyGroup>
</Project>
XML
cat > "$work/floor/Program.cs" <<'CS'
var app = Microsoft.AspNetCore.Builder.WebApplication.CreateBuilder(args).Build();
Microsoft.AspNetCore.Builder.EndpointRouteBuilderExtensions.MapGet(app, "/health/ready", () => "ok");
app.Run();
CS
dotnet build -c Release "$work/floor" -o "$work/floor/bin" -v quiet -nologo > "$work/floor.log" 2>&1 || { cat "$work/floor.log"; exit 1; }
echo "commit $(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet HEAD || echo ' + uncommitted changes')"
echo "== machine at start: $(machine)"

sources=(--Dataset:Districts="$peru/districts.shp" --Dataset:Estimates="$peru/poverty.csv")
snapshot="${SNAPSHOT:-$work/peru.tssnap}"
if [ -z "${SNAPSHOT:-}" ]; then
  # The working directory is the build output, as for the server below: both read the same appsettings.json (the
  # snapshot is refused under other answer options).
  started=$(date +%s%N)
  (cd "$bin" && ./TileServer export-snapshot --output "$snapshot" "${sources[@]}") > "$work/export.log"
  echo "export-snapshot: $(( ($(date +%s%N) - started) / 1000000 )) ms (load and write), $(stat -c %s "$snapshot") bytes"
fi

# One cold start: launch, poll /health/ready every 20 ms, then read the load report; writes $work/<side>.<run>.json
# and appends "wall_ms cpu_ms" to $work/<side>.times.
start_once() {
  local side=$1 run=$2 started ready tc=0 loops=1 folder=$bin
  local args=("${sources[@]}")
  case $side in
    snapshot) args=(--Dataset:Snapshot="$snapshot") ;;
    snapshot-tc) args=(--Dataset:Snapshot="$snapshot"); tc=1 ;;
    replica) args=(--Dataset:Snapshot="$snapshot"); tc=1; loops=0; folder="$work/replica" ;;
  esac
  local program=./TileServer
  if [ "$side" = floor ]; then program=./floor; args=(); tc=1; folder="$work/floor/bin"; fi
  started=$(date +%s%N)
  (cd "$folder" && DOTNET_TieredCompilation=$tc DOTNET_TC_QuickJitForLoops=$loops DOTNET_gcServer=1 Logging__LogLevel__Default=Warning \
    exec $program "${args[@]}" --urls="http://127.0.0.1:$port") > "$work/server-$side-$run.log" 2>&1 &
  server=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$port/health/ready"; do
    if ! kill -0 "$server" 2>/dev/null; then cat "$work/server-$side-$run.log"; exit 1; fi
    sleep 0.02
  done
  ready=$(( ($(date +%s%N) - started) / 1000000 ))
  local ticks cpu
  ticks=$(getconf CLK_TCK)
  cpu=$(awk -v t="$ticks" '{ print int(($14 + $15) * 1000 / t) }' "/proc/$server/stat")
  if [ "$side" != floor ]; then curl -sf "http://127.0.0.1:$port/v1/dataset" > "$work/$side.$run.json"; fi
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
  echo "$ready $cpu" >> "$work/$side.times"
  echo "  $side run $run: ready after $ready ms, CPU $cpu ms"
}

sides=(sources snapshot snapshot-tc replica floor)
for run in $(seq 1 "$runs"); do
  # The order rotates every round, so that no side always starts right after another's exit.
  for k in 0 1 2 3 4; do start_once "${sides[$(( (run + k) % 5 ))]}" "$run"; done
done
echo "== machine at end: $(machine)"

python3 - "$work" "$runs" "$snapshot" <<'EOF'
import json, os, statistics, sys
work, runs, snapshot = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def times(side):
    rows = [line.split() for line in open(os.path.join(work, side + ".times"))]
    return [int(r[0]) for r in rows], [int(r[1]) for r in rows]
def steps(side):
    out = {}
    for run in range(1, runs + 1):
        for key, value in json.load(open(os.path.join(work, f"{side}.{run}.json")))["timingsMs"].items():
            out.setdefault(key, []).append(value)
    return out
base_wall, base_cpu = times("sources")
print(f"snapshot file: {os.path.getsize(snapshot):,} bytes")
print("| side | ready, median ms | ratio to sources | CPU until ready, median ms | ready, runs (ms) |")
print("| --- | --- | --- | --- | --- |")
for side in ("sources", "snapshot", "snapshot-tc", "replica", "floor"):
    wall, cpu = times(side)
    print(f"| {side} | {statistics.median(wall):,.0f} | {statistics.median(wall) / statistics.median(base_wall):.3f} | {statistics.median(cpu):,.0f} | {', '.join(map(str, wall))} |")
for side in ("snapshot", "snapshot-tc", "replica"):
    own = {k: statistics.median(v) for k, v in steps(side).items() if k in ("readSnapshot", "deriveFromSnapshot") or k.startswith("snapshot")}
    print(f"{side} read steps (median ms): " + ", ".join(f"{k} {v:,.0f}" for k, v in own.items()))
EOF
