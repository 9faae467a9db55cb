#!/usr/bin/env bash
# Fuzzes the input readers with SharpFuzz + AFL++ for a set time per target, then prints what each run found.
#
#   tests/TileServer.Fuzz/fuzz.sh [--seconds N] [--out DIR] [TARGET...]
#
# TARGETs: shapefile csv geojson prj query cql2 batch-json batch-csv params (default: all). --seconds: per target (default 60). --out: where the corpora and
# findings go (default: a fresh folder under ${TMPDIR:-/tmp}; never inside the repository). Needs afl-fuzz (Debian's
# afl++) and the SharpFuzz tool pinned in .config/dotnet-tools.json. Seeds are made at run time from geodata/sample
# and, when present, ../shared/geodata/peru. Exits 1 when a target crashed or hung (the inputs are under OUT/TARGET,
# kept; without --out, a clean run's folder is deleted).
# Long runs: run it under `nice -n 19`, a target at a time, e.g. `nice -n 19 tests/TileServer.Fuzz/fuzz.sh --seconds 600 shapefile`.
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=60
out=""
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(shapefile csv geojson prj query cql2 batch-json batch-csv params)
keep=1
[ -n "$out" ] || { out="$(mktemp -d "${TMPDIR:-/tmp}/tileserver-fuzz.XXXXXX")"; keep=0; }
mkdir -p "$out"

command -v afl-fuzz >/dev/null || { echo "error: afl-fuzz not found: apt-get install afl++" >&2; exit 2; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet tool restore >/dev/null

# Build into OUT (not the source tree); instrument a copy (our readers and the third-party parsers they call): the
# instrumented code runs only under afl-fuzz, so seeding and replaying use the plain build.
plain="$out/bin-plain"
bin="$out/bin"
dotnet build tests/TileServer.Fuzz -c Release -o "$plain" -nologo -v quiet >/dev/null
rm -rf "$bin"
cp -r "$plain" "$bin"
for dll in TileServer.Core.dll ProjNET.dll Sep.dll NetTopologySuite.IO.GeoJSON4STJ.dll; do
  dotnet sharpfuzz "$bin/$dll" >/dev/null
done

peru=""
[ -d ../shared/geodata/peru ] && peru="../shared/geodata/peru"
dotnet "$plain/TileServer.Fuzz.dll" seed "$out/corpus" geodata/sample $peru

export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
failed=0
printf '%-10s %12s %10s %8s %8s %8s\n' target executions "exec/s" paths crashes hangs
for target in "${targets[@]}"; do
  rm -rf "$out/$target"
  # -t: a hang is an input that takes over 5 s; -m none: .NET reserves far more address space than it uses.
  afl-fuzz -V "$seconds" -t 5000 -m none -i "$out/corpus/$target" -o "$out/$target" -- dotnet "$bin/TileServer.Fuzz.dll" "$target" \
    >"$out/$target.log" 2>&1 || { echo "afl-fuzz failed on $target, see $out/$target.log:" >&2; tail -20 "$out/$target.log" >&2; exit 2; }
  stats="$out/$target/default/fuzzer_stats"
  value() { sed -n "s/^$1 *: *//p" "$stats"; }
  crashes=$(value saved_crashes); hangs=$(value saved_hangs)
  printf '%-10s %12s %10s %8s %8s %8s\n' "$target" "$(value execs_done)" "$(value execs_per_sec)" "$(value corpus_count)" "$crashes" "$hangs"
  if [ "$crashes" != 0 ] || [ "$hangs" != 0 ]; then
    failed=1
    for input in "$out/$target"/default/crashes/id* "$out/$target"/default/hangs/id*; do
      [ -e "$input" ] || continue
      echo "  $input"
    done
    dotnet "$plain/TileServer.Fuzz.dll" replay "$target" "$out/$target"/default/crashes/id* 2>/dev/null | head -20 || true
  fi
done
if [ $failed = 0 ] && [ $keep = 0 ]; then
  rm -rf "$out"
else
  echo "findings and corpora: $out"
fi
exit $failed
