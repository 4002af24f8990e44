#!/usr/bin/env bash
# bench/bench.sh -- flowsvc_fdw benchmarks, run by `make bench` (test/run.sh
# bench) against a throw-away cluster and the fake Flow Service on loopback.
#
# Figures are wall-clock medians of several runs on a shared machine: compare
# the ratios within one run, not absolute times across runs.  Request and TCP
# counts come from the fake and are exact.  Results go to stdout and to
# bench/results/latest.md.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT="$REPO/bench/results/latest.md"
RUNS=${FLOWSVC_BENCH_RUNS:-5}
SIZES=${FLOWSVC_BENCH_SIZES:-"1000 5000 20000"}
mkdir -p "$(dirname "$OUT")"

psql_q() { "$BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 -d flowsvc_bench "$@"; }
fake() { $FAKECTL "$@"; }

# median_ms SQL: run SQL $RUNS times in one session, print the median ms
median_ms() {
    local sql=$1 i
    {
        echo '\timing on'
        for ((i = 0; i < RUNS; i++)); do echo "$sql"; done
    } | psql_q 2>&1 | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' |
        sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] }'
}

# requests SQL: API requests one run of SQL makes (fresh stats)
requests() {
    fake reset-stats
    psql_q -c "$1" >/dev/null
    fake count
}

# peak_rss_kb SQL: peak resident memory (VmHWM) of a fresh backend after SQL
peak_rss_kb() {
    psql_q <<SQL | tail -1
$1;
SELECT (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'),
                     'VmHWM:\s+(\d+) kB'))[1];
SQL
}

psql_q -d postgres -c 'DROP DATABASE IF EXISTS flowsvc_bench' -c 'CREATE DATABASE flowsvc_bench'
psql_q <<SQL
CREATE EXTENSION flowsvc_fdw;
CREATE SERVER flowsvc FOREIGN DATA WRAPPER flowsvc_fdw
  OPTIONS (url '$FLOWSVC_FAKE_URL', ims_org 'TESTORG@AdobeOrg');
CREATE USER MAPPING FOR CURRENT_USER SERVER flowsvc
  OPTIONS (api_key 'test-api-key', access_token 'test-access-token');
CREATE SCHEMA flowsvc;
IMPORT FOREIGN SCHEMA flowsvc LIMIT TO (connections) FROM SERVER flowsvc INTO flowsvc;
SQL

{
echo "# flowsvc_fdw benchmark results"
echo
echo "Run $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, PostgreSQL $("$BINDIR/postgres" --version | awk '{print $3}'),"
echo "fake Flow Service on loopback; medians of $RUNS runs."
echo
echo "## Full scan: throughput, requests, memory"
echo
echo "| connections | median ms | rows/s | rows/s without json columns | requests | TCP connections | backend peak RSS |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
for n in $SIZES; do
    fake seed "$n"
    # count(name) is not pushed down: every item is fetched and converted
    q="SELECT count(name), count(created_at), count(auth) FROM flowsvc.connections;"
    # without json(b) columns each page is parsed once (cJSON), not twice
    q_plain="SELECT count(name), count(created_at) FROM flowsvc.connections;"
    ms=$(median_ms "$q")
    ms_plain=$(median_ms "$q_plain")
    req=$(requests "$q")
    fake reset-stats
    rss=$(peak_rss_kb "$q")
    tcp=$(fake tcp)
    echo "| $n | $ms | $(awk -v n="$n" -v ms="$ms" 'BEGIN { printf "%.0f", n / ms * 1000 }') | $(awk -v n="$n" -v ms="$ms_plain" 'BEGIN { printf "%.0f", n / ms * 1000 }') | $req | $tcp | $rss kB |"
done
echo
echo "Peak RSS of a fresh backend that scans the whole collection once: flat"
echo "memory means the last row's figure stays close to the first's.  Reading a"
echo "json(b), numeric or bigint column also parses each page with PostgreSQL's"
echo "JSON parser, which keeps every digit; the column without them shows the cost."
echo

fake seed 5000
id=$(psql_q -c "SELECT id FROM flowsvc.connections LIMIT 1 OFFSET 4321")
psql_q -c "CREATE TABLE inventory AS SELECT id AS connection_id FROM flowsvc.connections ORDER BY id LIMIT 3; ANALYZE inventory;"

echo "## Pushdown on 5000 connections (what the API is asked for)"
echo
echo "| query | pushed down | requests | median ms | evaluated locally | requests | median ms | speed-up |"
echo "|---|---|---:|---:|---|---:|---:|---:|"
row() {
    local label=$1 pushed=$2 local=$3 pr lr pm lm
    pr=$(requests "$pushed"); pm=$(median_ms "$pushed")
    lr=$(requests "$local"); lm=$(median_ms "$local")
    echo "| $label | \`${pushed%;}\` | $pr | $pm | \`${local%;}\` | $lr | $lm | $(awk -v a="$lm" -v b="$pm" 'BEGIN { printf "%.1fx", a / b }') |"
}
row "one item by id" \
    "SELECT name FROM flowsvc.connections WHERE id = '$id';" \
    "SELECT name FROM flowsvc.connections WHERE id || '' = '$id';"
row "state filter" \
    "SELECT count(name) FROM flowsvc.connections WHERE state = 'disabled';" \
    "SELECT count(name) FROM flowsvc.connections WHERE state || '' = 'disabled';"
row "LIMIT 5 (page of 5 vs 100)" \
    "SELECT name FROM flowsvc.connections LIMIT 5;" \
    "SELECT name FROM flowsvc.connections WHERE name <> '' LIMIT 5;"
row "newest 10 (ORDER BY + LIMIT)" \
    "SELECT name FROM flowsvc.connections ORDER BY created_at DESC NULLS LAST LIMIT 10;" \
    "SELECT name FROM flowsvc.connections ORDER BY created_at + interval '0' DESC NULLS LAST LIMIT 10;"
row "count(*)" \
    "SELECT count(*) FROM flowsvc.connections;" \
    "SELECT count(name) FROM flowsvc.connections;"
row "join 3 inventory rows on id" \
    "SELECT c.name FROM inventory i JOIN flowsvc.connections c ON c.id = i.connection_id;" \
    "SELECT c.name FROM inventory i JOIN flowsvc.connections c ON c.id || '' = i.connection_id;"
echo
} | tee "$OUT"
# leak/soak measurement of the error paths, appended to the same file
bash "$REPO/bench/leaks.sh" | tee -a "$OUT"
fake reset
