#!/usr/bin/env bash
# Mutation testing of TileServer.Core with Stryker.NET (pinned in .config/dotnet-tools.json). Slow on 2 cores, so
# not part of CI: run by hand, one folder at a time.
#
#   tests/mutation/run.sh Index            # one folder of src/TileServer.Core
#   tests/mutation/run.sh Tiles/MvtEncoding.cs
#   tests/mutation/run.sh Index Join       # several, one run each
#
# Reports go to tests/mutation/output/<folder>/ (html, json; ignored by git). The score of each run is the
# "killed / (killed + survived + no coverage + timeout)" line at the end; surviving mutants that are equivalent are
# listed with the reason in tests/mutation/equivalent-mutants.md.
#
# Stryker builds the test project in place and swaps a mutated TileServer.Core.dll into its output folder: do not
# build or test in the same tree while it runs (copy the tree to a scratch folder first when you need both).
#
# Only the Core tests run against the mutants, without the Peru data (TILESERVER_PERU_DATA points nowhere, so the
# real-data tests skip) and without the tests that load the generated sample or build a dataset a dozen times
# (FAST_TESTS below): each mutant then costs a second or two instead of half a minute, and the score measures what
# the hand-made oracles catch on their own. STRYKER_CONCURRENCY (default 1) sets the parallel test runners.
#
# MUTATION_TEST_FILTER replaces that test set, e.g. with the folder's own tests for a run that fits a busy machine
# (MUTATION_TEST_FILTER='FullyQualifiedName~TileServer.Core.Tests.Join.' tests/mutation/run.sh Join): fewer tests
# can only kill fewer mutants, so its score is a lower bound of the fast set's. Say which filter a score used.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

if [ $# -eq 0 ]; then
  set -- Index Aggregation Join Tiles/MvtEncoding.cs Coverage
fi

dotnet tool restore >/dev/null
FAST_TESTS='FullyQualifiedName!~.Sample.&FullyQualifiedName!~SampleLookupTests&FullyQualifiedName!~SampleTilesetTests&FullyQualifiedName!~PmTilesReferenceReaderTests&FullyQualifiedName!~Version_changes_when'
export TILESERVER_PERU_DATA=/nonexistent-peru-data-for-mutation-runs
for target in "$@"; do
  case "$target" in
    *.cs) pattern="**/$target" ;;
    *) pattern="**/$target/**/*.cs" ;;
  esac
  name=${target//\//-}
  out="$root/tests/mutation/output/${name%.cs}"
  echo "== $target ($pattern), tests ${MUTATION_TEST_FILTER:-fast set}, $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD), load $(cut -d' ' -f1-3 /proc/loadavg)"
  (cd tests/TileServer.Core.Tests && dotnet stryker \
      --config-file "$root/tests/mutation/stryker-config.json" \
      --mutate "$pattern" \
      --concurrency "${STRYKER_CONCURRENCY:-1}" \
      --output "$out" \
      --test-case-filter "${MUTATION_TEST_FILTER:-$FAST_TESTS}" \
      --skip-version-check)
done
