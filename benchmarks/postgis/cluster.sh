# Sourced by the PostGIS comparisons (tiles-postgis/compare.sh, features-postgis/compare.sh); not run on its own.
# postgis_cluster_start PORT: installs PostgreSQL 15 + PostGIS 3 from Debian (pinned; PG_VERSION / POSTGIS_VERSION
# override, empty: whatever apt gives; shp2pgsql comes with `postgis`) when run as root, prints the packages and the
# machine, and starts a throwaway cluster in a temporary directory (unix socket only, fsync off: the data is thrown
# away), run by the postgres user when we are root. Sets: bin, work, psql (an array: the psql command line);
# installs an EXIT trap that stops the cluster and removes $work.

pin() { if [ -n "$2" ]; then echo "$1=$2"; else echo "$1"; fi; }

postgis_cluster_start() {
  local port=$1
  local pg_version="${PG_VERSION-15.18-0+deb12u1}" postgis_version="${POSTGIS_VERSION-3.3.2+dfsg-1+b1}"
  bin=/usr/lib/postgresql/15/bin
  if [ "$(id -u)" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      "$(pin postgresql-15 "$pg_version")" "$(pin postgresql-15-postgis-3 "$postgis_version")" \
      "$(pin postgis "$postgis_version")" > /dev/null
  fi
  echo "== packages =="
  dpkg-query -W -f '${Package} ${Version}\n' postgresql-15 postgresql-15-postgis-3 postgis
  echo "== machine =="
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), commit $(git -C "$repo" rev-parse --short HEAD)"

  work="$(mktemp -d)"
  as_pg=()
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$work"
    as_pg=(runuser -u postgres --)
  fi
  trap postgis_cluster_stop EXIT
  "${as_pg[@]}" "$bin/initdb" -D "$work/data" -A trust -U postgres -E UTF8 --no-locale > /dev/null
  "${as_pg[@]}" "$bin/pg_ctl" -D "$work/data" -l "$work/postgres.log" -w \
    -o "-k $work -p $port -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start > /dev/null
  psql=("$bin/psql" -X -q -h "$work" -p "$port" -U postgres -d postgres)
  "${psql[@]}" -At -c "CREATE EXTENSION postgis" -c "SELECT postgis_full_version()"
}

postgis_cluster_stop() {
  "${as_pg[@]}" "$bin/pg_ctl" -D "$work/data" -m immediate stop > /dev/null 2>&1 || true
  rm -rf "$work"
}
