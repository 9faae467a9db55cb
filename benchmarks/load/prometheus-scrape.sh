#!/usr/bin/env bash
# A real Prometheus server (Debian's prometheus package) scraping TileServer's /metrics (issue 16): starts the server
# on Peru, serves /metrics on a separate port (Metrics:Urls), runs Prometheus
# with a one-second scrape of that port, makes a few requests, and prints the target's health as Prometheus sees it
# and the answers of a few queries (dataset info, tiles by zoom and status, request rate by route template).
# Usage: benchmarks/load/prometheus-scrape.sh   (needs prometheus, curl, python3)
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/ops-common.sh"
port="${PORT:-8093}"
metrics_port="${METRICS_PORT:-9464}"
prometheus_port="${PROMETHEUS_PORT:-9098}"

ops_build
ops_copy_peru
Logging__LogLevel__Default=Warning ops_start "$port" --Metrics:Urls="http://127.0.0.1:$metrics_port"
echo "public /metrics: $(curl -s -o /dev/null -w '%{http_code}' "$OPS_BASE/metrics"); metrics port: $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$metrics_port/metrics")"

cat >"$OPS_WORK/prometheus.yml" <<YML
global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: tileserver
    static_configs: [ { targets: ["127.0.0.1:$metrics_port"] } ]
YML
promtool check config "$OPS_WORK/prometheus.yml"
prometheus --config.file="$OPS_WORK/prometheus.yml" --storage.tsdb.path="$OPS_WORK/tsdb" \
  --web.listen-address="127.0.0.1:$prometheus_port" >"$OPS_WORK/prometheus.log" 2>&1 &
OPS_PIDS+=("$!")
until curl -sf "http://127.0.0.1:$prometheus_port/-/ready" >/dev/null; do sleep 0.5; done

requested=$(date +%s.%N)
for z in 3 4 5 6; do curl -s -o /dev/null "$OPS_BASE/tiles/poverty/$z/0/0.mvt"; curl -s -o /dev/null "$OPS_BASE/tiles/poverty/$z/$((2 ** z * 77 / 256))/$((2 ** z * 133 / 256)).mvt"; done
for p in "-12.05 -77.04" "-13.52 -71.97" "0 0"; do set -- $p; curl -s -o /dev/null "$OPS_BASE/v1/lookup?lat=$1&lon=$2"; done
# Prometheus discovers its static target only after its first discovery round (up to 5 s) and a query sees a scrape
# only once that scrape is committed: queries made before then come back empty (the earlier runs' missing
# tileserver_dataset_info). So wait until a scrape that started after the requests above has been stored.
deadline=$(( $(date +%s) + 60 ))
until curl -s --get "http://127.0.0.1:$prometheus_port/api/v1/query" --data-urlencode 'query=timestamp(up{job="tileserver"})' \
  | python3 -c 'import json, sys; r = json.load(sys.stdin)["data"]["result"]; sys.exit(0 if r and float(r[0]["value"][1]) > float(sys.argv[1]) else 1)' "$requested"; do
  [ "$(date +%s)" -lt "$deadline" ] || { echo "Prometheus did not scrape the server within 60 s:"; tail -5 "$OPS_WORK/prometheus.log"; exit 1; }
  sleep 0.5
done
echo "first scrape after the requests stored $(python3 -c "print(round($(date +%s.%N) - $requested, 1))") s after them"

query() {
  curl -s --get "http://127.0.0.1:$prometheus_port/api/v1/query" --data-urlencode "query=$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("query:", sys.argv[1], "->", d["status"])
for r in d["data"]["result"]:
    print("  ", {k: v for k, v in r["metric"].items() if k not in ("job", "instance")}, r["value"][1])' "$1"
}
curl -s "http://127.0.0.1:$prometheus_port/api/v1/targets" | python3 -c '
import json, sys
for t in json.load(sys.stdin)["data"]["activeTargets"]:
    print("target", t["scrapeUrl"], "health", t["health"], "lastError", repr(t["lastError"]), "scrape", t["lastScrapeDuration"], "s")'
query 'up{job="tileserver"}'
query 'tileserver_dataset_info'
query 'tileserver_dataset_units'
query 'tileserver_dataset_loaded_at_seconds'
query 'sum by (zoom, status) (tileserver_tiles_served_total)'
query 'sum by (match) (tileserver_lookups_total)'
query 'sum by (http_route, http_response_status_code) (http_server_request_duration_seconds_count)'
query 'count({__name__=~".+"})'
echo "names Prometheus stores (server's and process-level families):"
curl -s "http://127.0.0.1:$prometheus_port/api/v1/label/__name__/values" | python3 -c '
import json, sys
names = json.load(sys.stdin)["data"]
print("  ", " ".join(n for n in names if n.startswith("tileserver_")))
print("   and", sum(1 for n in names if n.startswith("dotnet_")), "dotnet_*,", sum(1 for n in names if n.startswith(("http_", "kestrel_", "aspnetcore_"))), "http_/kestrel_/aspnetcore_* names")'
echo "promtool check metrics on this server's /metrics: $(curl -s "http://127.0.0.1:$metrics_port/metrics" | promtool check metrics 2>&1 && echo ok)"
echo "load average: $(ops_load)"
