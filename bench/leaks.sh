#!/usr/bin/env bash
# bench/leaks.sh -- leak/soak measurement of flowsvc_fdw's error paths, run at
# the end of bench/bench.sh (make bench) with BINDIR, PGHOST, PGPORT, PGUSER,
# FLOWSVC_FAKE_URL and FAKECTL set (see test/run.sh).  Prints a markdown
# section on stdout; bench.sh appends it to bench/results/latest.md.
#
# All paths run in ONE backend (one psql process fed a generated script).
# For each path, one at a time: queue its fault once (times = warm-up + N),
# run a warm-up, read the backend's VmRSS and RssAnon (/proc/<pid>/status
# via pg_read_file) and the total of its memory contexts, run N more
# iterations, read them again.  The iterations run in batches of 50, each
# batch one statement (a plpgsql loop, each iteration a subtransaction that
# catches the error), so that memory a statement may use and give back at its
# end never piles up over more than 50 iterations; what grows from batch to
# batch is what nothing frees.  The statement_timeout path cannot loop inside
# one statement (the timeout is per statement): it is N plain statements.
#
# Knobs: FLOWSVC_LEAK_ITERATIONS (default 1000), FLOWSVC_LEAK_WARMUP (50),
# FLOWSVC_LEAK_TIMEOUT_ITERATIONS (500: each costs the 50 ms timeout),
# FLOWSVC_LEAK_HUGE_ITERATIONS (20: each moves 64 MB).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
N=${FLOWSVC_LEAK_ITERATIONS:-1000}
WARMUP=${FLOWSVC_LEAK_WARMUP:-50}
N_TIMEOUT=${FLOWSVC_LEAK_TIMEOUT_ITERATIONS:-500}
N_HUGE=${FLOWSVC_LEAK_HUGE_ITERATIONS:-20}
BATCH=50
SEED=120
DB=flowsvc_leaks
# growth above this (kB per 1000 iterations, RssAnon) is flagged as a leak;
# allocator noise stays well below
LEAK_KB=1024

psql_q() { "$BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$DB" "$@"; }
fake() { $FAKECTL "$@"; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/flowsvc_leaks.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

PGOPTIONS="-c client_min_messages=warning" "$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -d postgres \
    -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
fake seed "$SEED"
psql_q <<SQL
CREATE EXTENSION flowsvc_fdw;
-- no retries: every injected failure is one request and one ERROR
CREATE SERVER leak FOREIGN DATA WRAPPER flowsvc_fdw
  OPTIONS (url '$FLOWSVC_FAKE_URL', ims_org 'TESTORG@AdobeOrg', max_retries '0');
CREATE USER MAPPING FOR CURRENT_USER SERVER leak
  OPTIONS (api_key 'test-api-key', access_token 'test-access-token');
CREATE SCHEMA leak;
IMPORT FOREIGN SCHEMA flowsvc LIMIT TO (connections) FROM SERVER leak INTO leak;
-- a field only one item has (set below, on the 60th of the first page)
CREATE FOREIGN TABLE leak_probe (id text, probe int OPTIONS (path 'leakProbe'))
  SERVER leak OPTIONS (resource 'connections');

-- the backend's memory: VmRSS, RssAnon (kB) and its memory contexts (kB)
CREATE FUNCTION leak_mem(OUT vmrss bigint, OUT rssanon bigint, OUT contexts bigint)
LANGUAGE sql AS \$\$
  SELECT (regexp_match(s, 'VmRSS:\s+(\d+) kB'))[1]::bigint,
         (regexp_match(s, 'RssAnon:\s+(\d+) kB'))[1]::bigint,
         (SELECT sum(total_bytes) / 1024 FROM pg_backend_memory_contexts)::bigint
  FROM pg_read_file('/proc/' || pg_backend_pid() || '/status') AS s
\$\$;

-- n iterations of one path, each in a subtransaction; counts successes and
-- errors (by SQLSTATE) in the session settings leaks.ok / leaks.errors /
-- leaks.states.  Bounded in time as well as in count.
CREATE FUNCTION leak_run(kind text, n int, item text) RETURNS void
LANGUAGE plpgsql AS \$\$
DECLARE
  oks int := 0;
  errs int := 0;
  states text := current_setting('leaks.states');
  c bigint;
  v text;
BEGIN
  FOR i IN 1..n LOOP
    EXIT WHEN clock_timestamp() - statement_timestamp() > interval '30 seconds';
    BEGIN
      CASE kind
        WHEN 'scan' THEN
          SELECT count(name) INTO c FROM leak.connections;
          IF c <> $SEED THEN RAISE EXCEPTION 'scan saw % rows', c; END IF;
        WHEN 'probe' THEN
          SELECT count(probe) INTO c FROM leak_probe;
        WHEN 'update' THEN
          UPDATE leak.connections SET name = 'leak test ' || i WHERE id = item
            RETURNING version INTO v;
          IF v IS NULL THEN RAISE EXCEPTION 'UPDATE returned no version'; END IF;
      END CASE;
      oks := oks + 1;
    EXCEPTION WHEN OTHERS THEN
      errs := errs + 1;
      GET STACKED DIAGNOSTICS v = RETURNED_SQLSTATE;
      IF position(v IN states) = 0 THEN
        states := ltrim(states || ' ' || v);
      END IF;
    END;
  END LOOP;
  PERFORM set_config('leaks.ok', (current_setting('leaks.ok')::int + oks)::text, false);
  PERFORM set_config('leaks.errors', (current_setting('leaks.errors')::int + errs)::text, false);
  PERFORM set_config('leaks.states', states, false);
END
\$\$;
SQL

probe_id=$(psql_q -c "SELECT id FROM leak.connections LIMIT 1 OFFSET 59")
upd_ids=($(psql_q -c "SELECT id FROM leak.connections WHERE state = 'enabled' ORDER BY id LIMIT 2"))
[ -n "$probe_id" ] && [ "${#upd_ids[@]}" -eq 2 ] || { echo "leaks.sh: no items to work on" >&2; exit 1; }
stale_id=${upd_ids[0]} update_id=${upd_ids[1]}
fake set connections "$probe_id" leakProbe '"not a number"'

# ---------------------------------------------------------------------------
# the generated script
# ---------------------------------------------------------------------------

SCRIPT=$WORK/leaks.sql
LABELS=()
declare -A WHAT GROWTH

# batches KIND COUNT ITEM: COUNT iterations of KIND, in statements of $BATCH
batches() {
    local left=$2 k
    while [ "$left" -gt 0 ]; do
        k=$((left < BATCH ? left : BATCH))
        echo "SELECT leak_run('$1', $k, '$3');"
        left=$((left - k))
    done
}

mem() { echo "SELECT 'MEM', '$1', '$2', * FROM leak_mem();"; }

counters_reset() {
    echo "SELECT set_config('leaks.ok', '0', false), set_config('leaks.errors', '0', false),"
    echo "       set_config('leaks.states', '', false) \\g /dev/null"
}

# path LABEL KIND ITEM FAULT-JSON-OR-EMPTY [WARMUP N]
path() {
    local label=$1 kind=$2 item=$3 fault=$4 w=${5:-$WARMUP} n=${6:-$N}
    LABELS+=("$label")
    {
        echo "\\! $FAKECTL clear-faults"
        if [ -n "$fault" ]; then
            echo "\\! $FAKECTL fault '${fault%\}}, \"times\": $((w + n))}'"
        fi
        counters_reset
        batches "$kind" "$w" "$item"
        mem "$label" before
        counters_reset
        batches "$kind" "$n" "$item"
        mem "$label" after
        echo "SELECT 'CNT', '$label', current_setting('leaks.ok'), current_setting('leaks.errors'), current_setting('leaks.states');"
    } >>"$SCRIPT"
}

# timeout_path LABEL: statement_timeout during a delayed answer, one
# statement per iteration; psql's SQLSTATE after each is echoed and counted
timeout_path() {
    local label=$1 i
    LABELS+=("$label")
    {
        echo "\\! $FAKECTL clear-faults"
        echo "\\! $FAKECTL fault '{\"method\": \"GET\", \"path_contains\": \"/connections\", \"action\": \"delay\", \"ms\": 300, \"times\": $((WARMUP + N_TIMEOUT))}'"
        echo "\\set ON_ERROR_STOP off"
        echo "SET statement_timeout = '50ms';"
        for ((i = 0; i < WARMUP; i++)); do
            echo "SELECT count(name) FROM leak.connections \\g /dev/null"
        done
        echo "RESET statement_timeout;"
        mem "$label" before
        echo "SET statement_timeout = '50ms';"
        for ((i = 0; i < N_TIMEOUT; i++)); do
            echo "SELECT count(name) FROM leak.connections \\g /dev/null"
            echo "\\echo TMO :SQLSTATE"
        done
        echo "RESET statement_timeout;"
        echo "\\set ON_ERROR_STOP on"
        mem "$label" after
        # the last delayed answers are still being slept on by the fake
        echo "SELECT pg_sleep(0.4);"
    } >>"$SCRIPT"
}

: >"$SCRIPT"
GET_CONN='{"method": "GET", "path_contains": "/connections"'
L="malformed JSON body"
WHAT[$L]="a 200 whose body cJSON cannot parse, on a scan; the response buffer and the failed parse must be freed as the ERROR unwinds."
path "$L" scan "" "$GET_CONN, \"action\": \"malformed\"}"
L="truncated body"
WHAT[$L]="the fake sends half the promised Content-Length and closes; curl's partial transfer and the dead connection must be cleaned up (each next request connects again)."
path "$L" scan "" "$GET_CONN, \"action\": \"truncated\"}"
L="HTTP 500"
WHAT[$L]="an API error body, parsed for its message and reported (not retried: max_retries 0)."
path "$L" scan "" "$GET_CONN, \"action\": \"status\", \"status\": 500}"
L="conversion error mid-page"
WHAT[$L]="59 rows of the first page convert, the 60th holds a string for an int column; the ERROR names the column while the parsed page (cJSON tree) is held."
path "$L" probe "" ""
L="statement_timeout mid-transfer"
WHAT[$L]="a 50 ms statement_timeout cancels each request while the fake waits 300 ms before answering; the cancelled transfer and its connection must be released."
timeout_path "$L"
L="oversized body (64 MB cap)"
WHAT[$L]="a 64 MB + 4 kB body is refused at the 64 MB cap; a leak would cost 64 MB per iteration, so few iterations settle it; the buffer is given back as the error unwinds."
path "$L" scan "" "$GET_CONN, \"action\": \"huge\", \"bytes\": $((64 * 1024 * 1024 + 4096))}" 5 "$N_HUGE"
L="stale-version UPDATE (412)"
WHAT[$L]="the fake changes the version right after the UPDATE's GET, the PATCH gets 412 and the statement fails with 40001; the write state and both responses must be freed."
path "$L" update "$stale_id" \
    "{\"method\": \"GET\", \"path_contains\": \"/connections/$stale_id\", \"action\": \"bump_version_after\"}"
L="control: full scan, $SEED items"
WHAT[$L]="two pages (100 + 20 items) read and converted without error, the baseline for a statement that succeeds."
path "$L" scan "" ""
L="control: UPDATE ... RETURNING"
WHAT[$L]="a GET, a PATCH and the new version returned, without error, the baseline for a successful write."
path "$L" update "$update_id" ""
echo "\\! $FAKECTL clear-faults" >>"$SCRIPT"

# ---------------------------------------------------------------------------
# run it, in one session, bounded in time
# ---------------------------------------------------------------------------

start=$(date +%s)
rc=0
timeout --kill-after=10 600 "$BINDIR/psql" -X -q -At -F'|' -v ON_ERROR_STOP=1 -d "$DB" \
    -f "$SCRIPT" >"$WORK/out" 2>"$WORK/err" || rc=$?
secs=$(($(date +%s) - start))
fake clear-faults
if [ "$rc" -ne 0 ]; then
    echo "leaks.sh: the leak script failed (psql exit status $rc); last errors:" >&2
    grep -v 'canceling statement due to statement timeout' "$WORK/err" | tail -n 20 >&2
    exit 1
fi

# ---------------------------------------------------------------------------
# the table
# ---------------------------------------------------------------------------

echo "## Leaks: backend memory over repeated error paths"
echo
echo "One backend session, $(nproc) cores, ${secs} s in all. Per path: RSS after a warm-up of $WARMUP"
echo "iterations (5 for the oversized body) and after the next ones; growth is RssAnon's, scaled to"
echo "1000 iterations (VmRSS also counts shared memory the backend touches). Contexts: change in the"
echo "total of the backend's PostgreSQL memory contexts over the same iterations. Flagged as a leak"
echo "above $LEAK_KB kB per 1000."
echo
echo "| path | iterations | outcome | VmRSS before | VmRSS after | RssAnon before | RssAnon after | growth kB/1000 | contexts Δ kB | verdict |"
echo "|---|---:|---|---:|---:|---:|---:|---:|---:|---|"
for label in "${LABELS[@]}"; do
    IFS='|' read -r _ _ _ rss0 anon0 ctx0 < <(grep -F "MEM|$label|before|" "$WORK/out")
    IFS='|' read -r _ _ _ rss1 anon1 ctx1 < <(grep -F "MEM|$label|after|" "$WORK/out")
    if grep -qF "CNT|$label|" "$WORK/out"; then
        IFS='|' read -r _ _ oks errs states < <(grep -F "CNT|$label|" "$WORK/out")
    else
        # (only one path runs as plain statements: all TMO lines are its own)
        oks=$(grep -cx 'TMO 00000' "$WORK/out" || true)
        states=$(sed -n 's/^TMO //p' "$WORK/out" | grep -vx 00000 | sort -u | tr '\n' ' ' | sed 's/ $//')
        errs=$(($(grep -c '^TMO ' "$WORK/out" || true) - oks))
    fi
    iters=$((oks + errs))
    outcome=""
    [ "$errs" -gt 0 ] && outcome="$errs ERROR ($states)"
    [ "$oks" -gt 0 ] && outcome="${outcome:+$outcome, }$oks ok"
    GROWTH[$label]=$(awk -v it="$iters" -v a0="$anon0" -v a1="$anon1" -v c0="$ctx0" -v c1="$ctx1" \
        'BEGIN { printf "%.0f|%d", (it > 0 ? (a1 - a0) * 1000 / it : 0), c1 - c0 }')
    awk -v l="$label" -v it="$iters" -v o="$outcome" -v r0="$rss0" -v r1="$rss1" \
        -v a0="$anon0" -v a1="$anon1" -v c0="$ctx0" -v c1="$ctx1" -v lim="$LEAK_KB" 'BEGIN {
        g = it > 0 ? (a1 - a0) * 1000 / it : 0
        printf "| %s | %d | %s | %d | %d | %d | %d | %+.0f | %+d | %s |\n",
            l, it, o, r0, r1, a0, a1, g, c1 - c0, (g > lim ? "**grows: leak?**" : "flat")
    }'
done
echo
for label in "${LABELS[@]}"; do
    IFS='|' read -r g c <<<"${GROWTH[$label]}"
    awk -v l="$label" -v d="${WHAT[$label]}" -v g="$g" -v c="$c" -v lim="$LEAK_KB" 'BEGIN {
        printf "- **%s**: %s %s\n", l, d, (g > lim ?                                                 \
            sprintf("Its RssAnon grew %+.0f kB per 1000 iterations (contexts %+d kB): memory accumulates on this path, a leak to investigate.", g, c) : \
            sprintf("RssAnon %+.0f kB per 1000 iterations, contexts %+d kB: nothing accumulates.", g, c))
    }'
done
echo
