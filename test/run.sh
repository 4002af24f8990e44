#!/usr/bin/env bash
#
# test/run.sh -- the runner behind `make test` and `make demo`
#
# Usage: bash test/run.sh test|demo
#
#   test  installs missing build packages, builds and installs flowsvc_fdw,
#         starts a throw-away PostgreSQL cluster and the fake Flow Service on
#         free loopback ports, runs every pg_regress suite (plus the fake's own
#         self-check, test/test_fake.py, when present), stops everything and
#         ends with the line "N passed, N failed".  Exit status 0 only if
#         nothing failed.
#   demo  same set-up, then an analyst's session (demo/demo.sql) against the
#         fake service with 50 connections.
#
# Environment knobs:
#   FLOWSVC_SUITES="a b"         run only these pg_regress suites (test mode)
#   FLOWSVC_FAKE_CONNECTIONS=N   connections the fake serves (test: 120, demo: 50)
#   FLOWSVC_TEST_TIMEOUT=S       wall-clock limit for pg_regress (default 2400 s)
#   FLOWSVC_OUTPUT_DIR=DIR       where results/ and regression.diffs go (default: the repo)
#
# Exported to the suites (psql reads them with \getenv, and `\! $FAKECTL ...`):
#   FLOWSVC_FAKE_URL, FLOWSVC_FAKE_TOKEN_URL, FLOWSVC_FAKE_ADMIN, FAKECTL,
#   FLOWSVC_TEST_DIR
# and, when the openssl command is there (always in test mode: it is
# installed if missing), the fake's HTTPS listener, whose certificate a
# throw-away CA signed for the name "localhost" only:
#   FLOWSVC_FAKE_TLS_HOST_URL  https://localhost:PORT/... (the name matches)
#   FLOWSVC_FAKE_TLS_URL       https://127.0.0.1:PORT/... (same listener; the
#                              certificate does not name 127.0.0.1)
#   FLOWSVC_FAKE_CA            that CA's certificate (PEM), readable by the
#                              cluster's OS user
#
# Everything this script starts (the cluster, the fake) is stopped by a trap
# on EXIT/INT/TERM, whatever happens; the temp dir is removed and the server
# and fake logs are kept in log/ for a post-mortem.

set -euo pipefail

MODE=${1:-}
case "$MODE" in
    test|demo|bench) ;;
    *) echo "usage: bash test/run.sh test|demo|bench" >&2; exit 2 ;;
esac

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"

# ---------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------

step() { printf '\n==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
die()  { printf '\nrun.sh: ERROR: %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# have_header NAME: is <NAME> installed?  Debian puts some headers (curl's)
# under a multiarch directory such as /usr/include/x86_64-linux-gnu.
have_header() {
    local f
    for f in "/usr/include/$1" /usr/include/*/"$1"; do
        [ -e "$f" ] && return 0
    done
    return 1
}

# pg_major: the PostgreSQL major version to build for: the one pg_config
# reports, else the newest server under /usr/lib/postgresql, else 15.
pg_major() {
    local v=""
    if command -v pg_config >/dev/null 2>&1; then
        v=$(pg_config --version | sed -nE 's/^PostgreSQL ([0-9]+).*/\1/p')
    fi
    if [ -z "$v" ]; then
        v=$(printf '%s\n' /usr/lib/postgresql/*/bin \
            | sed -nE 's#^/usr/lib/postgresql/([0-9]+)/bin$#\1#p' | sort -n | tail -1)
    fi
    echo "${v:-15}"
}

# free_port: a TCP port on 127.0.0.1 that nobody listens on right now.
free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# as_pg CMD...: run a server-side command (initdb, pg_ctl) as the cluster's
# owner: the postgres OS user when we are root (PostgreSQL refuses to run as
# root), else ourselves.  Runs from the temp dir, which that user can enter.
as_pg() {
    if is_root; then
        (cd "$TMP" && runuser -u postgres -- "$@")
    else
        (cd "$TMP" && "$@")
    fi
}

# ---------------------------------------------------------------------------
# 1. dependencies
# ---------------------------------------------------------------------------

# missing_packages: print the Debian packages needed for what is missing,
# nothing when all is there.
missing_packages() {
    local major bindir pkgs=()
    major=$(pg_major)
    if command -v pg_config >/dev/null 2>&1; then
        bindir=$(pg_config --bindir)
    else
        bindir=/usr/lib/postgresql/$major/bin
    fi

    if ! command -v pg_config >/dev/null 2>&1 \
        || [ ! -f "$(pg_config --pgxs 2>/dev/null)" ]; then
        pkgs+=("postgresql-server-dev-$major")
    fi
    if [ ! -x "$bindir/postgres" ] || [ ! -x "$bindir/initdb" ] \
        || [ ! -x "$bindir/pg_ctl" ] || [ ! -x "$bindir/psql" ]; then
        pkgs+=("postgresql-$major")
    fi
    have_header curl/curl.h   || pkgs+=(libcurl4-openssl-dev)
    have_header cjson/cJSON.h || pkgs+=(libcjson-dev)
    command -v python3 >/dev/null 2>&1 || pkgs+=(python3)
    command -v make    >/dev/null 2>&1 || pkgs+=(make)
    command -v gcc     >/dev/null 2>&1 || pkgs+=(gcc)
    # the tls suite needs a CA and a certificate for the fake's HTTPS listener
    if [ "$MODE" = test ]; then
        command -v openssl >/dev/null 2>&1 || pkgs+=(openssl)
    fi

    echo "${pkgs[*]:-}"
}

ensure_dependencies() {
    local missing major
    step "Checking build dependencies"
    missing=$(missing_packages)
    if [ -z "$missing" ]; then
        note "all present (pg_config, PGXS, PostgreSQL server, curl, cJSON, python3)"
        return
    fi

    note "missing: $missing"
    if ! is_root; then
        die "missing build dependencies; as root run:
    apt-get update && apt-get install -y $missing"
    fi

    # A fresh machine's package lists may be empty: update first.  Always ask
    # for the three build packages of the design, plus whatever else is missing
    # (apt skips what is already installed).
    major=$(pg_major)
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    # shellcheck disable=SC2086  # $missing is a word list on purpose
    apt-get install -y \
        "postgresql-server-dev-$major" libcurl4-openssl-dev libcjson-dev $missing
    hash -r

    missing=$(missing_packages)
    [ -z "$missing" ] || die "still missing after apt-get install: $missing"
}

ensure_dependencies

PG_CONFIG=$(command -v pg_config)
BINDIR=$(pg_config --bindir)
PG_REGRESS="$(dirname "$(pg_config --pgxs)")/../test/regress/pg_regress"
note "$(pg_config --version), bindir $BINDIR"

if is_root && ! id postgres >/dev/null 2>&1; then
    die "running as root, but there is no 'postgres' OS user to own the test cluster"
fi

# ---------------------------------------------------------------------------
# 2. build and install (compiler warnings stay visible)
# ---------------------------------------------------------------------------

step "Building flowsvc_fdw"
make -j2 PG_CONFIG="$PG_CONFIG" || die "build failed"

step "Installing flowsvc_fdw"
pkglibdir=$(pg_config --pkglibdir)
if is_root || [ -w "$pkglibdir" ]; then
    make install PG_CONFIG="$PG_CONFIG" || die "make install failed"
elif cmp -s flowsvc_fdw.so "$pkglibdir/flowsvc_fdw.so"; then
    note "not root and $pkglibdir is not writable, but the installed flowsvc_fdw.so is current"
else
    die "cannot install into $pkglibdir as $(id -un): run 'sudo make install' first, or run as root"
fi

# ---------------------------------------------------------------------------
# 5. cleanup: set up before anything starts, runs on every exit path
#    (success, failure, Ctrl-C, kill)
# ---------------------------------------------------------------------------

TMP=""
FAKE_PID=""
REGRESS_PID=""
TAIL_PID=""
PGPORT=""

# stop_regress: stop a pg_regress still running, and the tail following it
# (only on Ctrl-C or an error): `timeout` passes the signal on to pg_regress
# and its psql.
stop_regress() {
    if [ -n "$REGRESS_PID" ]; then
        kill "$REGRESS_PID" 2>/dev/null || true
        wait "$REGRESS_PID" 2>/dev/null || true
        REGRESS_PID=""
    fi
    if [ -n "$TAIL_PID" ]; then
        kill "$TAIL_PID" 2>/dev/null || true
        wait "$TAIL_PID" 2>/dev/null || true
        TAIL_PID=""
    fi
}

# stop_fake: stop the fake's process group (FAKE_PID leads it), gently first.
stop_fake() {
    [ -n "$FAKE_PID" ] || return 0
    if kill -0 -- "-$FAKE_PID" 2>/dev/null; then
        kill -TERM -- "-$FAKE_PID" 2>/dev/null || true
        # give it 5 s to go, then insist
        for _ in $(seq 50); do
            kill -0 -- "-$FAKE_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL -- "-$FAKE_PID" 2>/dev/null || true
    fi
    wait "$FAKE_PID" 2>/dev/null || true
    FAKE_PID=""
}

stop_cluster() {
    [ -n "$TMP" ] && [ -f "$TMP/data/postmaster.pid" ] || return 0
    as_pg "$BINDIR/pg_ctl" -D "$TMP/data" -m fast -w -t 30 stop >/dev/null 2>&1 \
        || as_pg "$BINDIR/pg_ctl" -D "$TMP/data" -m immediate -w -t 30 stop >/dev/null 2>&1 \
        || echo "run.sh: warning: could not stop the test cluster in $TMP/data" >&2
}

# stop_services: stop pg_regress, the fake and the cluster, keep their logs in log/,
# remove the temp dir.  Idempotent and quiet on stdout.
stop_services() {
    set +e
    stop_regress
    stop_fake
    stop_cluster
    if [ -n "$TMP" ] && [ -d "$TMP" ]; then
        mkdir -p "$REPO/log"
        [ -f "$TMP/postgres.log" ] && cp "$TMP/postgres.log" "$REPO/log/postgres.log"
        [ -f "$TMP/fake.log" ]     && cp "$TMP/fake.log"     "$REPO/log/fake.log"
        rm -rf "$TMP"
    fi
    TMP=""
    set -e
}

on_exit() {
    local rc=$?
    trap - EXIT INT TERM
    stop_services
    exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------
# 3. throw-away cluster
# ---------------------------------------------------------------------------

step "Starting a throw-away PostgreSQL cluster"
TMP=$(mktemp -d /tmp/flowsvc_fdw.XXXXXX)
chmod 755 "$TMP"                # clients of any user reach the socket
if is_root; then
    chown postgres: "$TMP"      # initdb and the server run as postgres
fi

if locale -a 2>/dev/null | grep -qixE 'c\.utf-?8'; then
    LOCALE=C.UTF-8
else
    LOCALE=C
fi

as_pg "$BINDIR/initdb" -D "$TMP/data" -U postgres -A trust -E UTF8 --locale="$LOCALE" \
    >"$TMP/initdb.log" 2>&1 || { cat "$TMP/initdb.log" >&2; die "initdb failed"; }

# Unix socket in the temp dir plus 127.0.0.1; no durability needed.
cat >>"$TMP/data/postgresql.conf" <<EOF

# --- added by test/run.sh ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$TMP'
fsync = off
synchronous_commit = off
full_page_writes = off
EOF

# The port is picked free but could be taken before the server binds it:
# try a few times.
started=no
for attempt in 1 2 3; do
    PGPORT=$(free_port)
    if as_pg "$BINDIR/pg_ctl" -D "$TMP/data" -l "$TMP/postgres.log" -o "-p $PGPORT" \
        -w -t 60 start >/dev/null; then
        started=yes
        break
    fi
    note "server did not start on port $PGPORT (attempt $attempt)"
done
if [ "$started" != yes ]; then
    tail -n 30 "$TMP/postgres.log" >&2 || true
    die "could not start the test cluster"
fi
note "PostgreSQL on 127.0.0.1:$PGPORT and socket $TMP (locale $LOCALE)"

# Clients started from here on (psql, pg_regress, the suites' \! commands)
# find the cluster without being told.
export PGHOST="$TMP" PGPORT PGUSER=postgres

# ---------------------------------------------------------------------------
# 4. the fake Flow Service
# ---------------------------------------------------------------------------

# make_tls_certs: a throw-away CA ($TMP/ca.pem) and a server certificate it
# signed for "localhost" only ($TMP/server.pem, $TMP/server.key), valid one
# day.  The CA certificate must be readable by the cluster's OS user (the
# backends load it as ca_file); the keys stay private to us.
make_tls_certs() {
    local cnf="$TMP/openssl.cnf"
    cat >"$cnf" <<'EOF'
[req]
distinguished_name = dn
[dn]
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
    (
        umask 077
        openssl req -x509 -config "$cnf" -extensions ca_ext -newkey rsa:2048 -nodes \
            -keyout "$TMP/ca.key" -out "$TMP/ca.pem" -days 1 \
            -subj "/CN=flowsvc_fdw test CA" &&
        openssl req -new -config "$cnf" -newkey rsa:2048 -nodes \
            -keyout "$TMP/server.key" -out "$TMP/server.csr" \
            -subj "/CN=flowsvc_fdw test server" &&
        openssl x509 -req -in "$TMP/server.csr" -CA "$TMP/ca.pem" -CAkey "$TMP/ca.key" \
            -CAcreateserial -CAserial "$TMP/ca.srl" -days 1 \
            -extfile "$cnf" -extensions server_ext -out "$TMP/server.pem"
    ) >"$TMP/openssl.log" 2>&1 \
        || { cat "$TMP/openssl.log" >&2; die "could not make the test certificates"; }
    chmod 644 "$TMP/ca.pem"
    if is_root; then
        runuser -u postgres -- test -r "$TMP/ca.pem" \
            || die "$TMP/ca.pem is not readable by the postgres OS user"
    fi
}

step "Starting the fake Flow Service"
[ -f "$REPO/test/fake_flowsvc.py" ] || die "test/fake_flowsvc.py not found"

TLS_ARGS=()
if command -v openssl >/dev/null 2>&1; then
    make_tls_certs
    TLS_ARGS=(--tls-cert "$TMP/server.pem" --tls-key "$TMP/server.key"
              --tls-port-file "$TMP/fake.tls.port")
else
    note "no openssl command: the fake serves no HTTPS (the tls suite needs it)"
fi

if [ "$MODE" = test ]; then
    FAKE_CONNECTIONS=${FLOWSVC_FAKE_CONNECTIONS:-120}
else
    FAKE_CONNECTIONS=50
fi

# In a process group of its own (setsid), so that stopping it stops whatever
# it runs under (a python3 wrapper such as pyenv's shim) too.
setsid python3 "$REPO/test/fake_flowsvc.py" --port 0 --port-file "$TMP/fake.port" \
    --connections "$FAKE_CONNECTIONS" ${TLS_ARGS[@]+"${TLS_ARGS[@]}"} >"$TMP/fake.log" 2>&1 &
FAKE_PID=$!

# wait up to 10 s for the fake to write its port
FAKE_PORT=""
for _ in $(seq 100); do
    if [ -s "$TMP/fake.port" ]; then
        FAKE_PORT=$(tr -d '[:space:]' <"$TMP/fake.port")
        [[ "$FAKE_PORT" =~ ^[0-9]+$ ]] && break
        FAKE_PORT=""
    fi
    kill -0 "$FAKE_PID" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$FAKE_PORT" ]; then
    cat "$TMP/fake.log" >&2 || true
    die "the fake Flow Service did not start (no port in $TMP/fake.port)"
fi

export FLOWSVC_FAKE_URL="http://127.0.0.1:$FAKE_PORT/data/foundation/flowservice"
export FLOWSVC_FAKE_TOKEN_URL="http://127.0.0.1:$FAKE_PORT/ims/token/v3"
export FLOWSVC_FAKE_ADMIN="http://127.0.0.1:$FAKE_PORT/__admin"
export FAKECTL="python3 $REPO/test/fakectl.py"
export FLOWSVC_TEST_DIR="$REPO/test"
note "fake on 127.0.0.1:$FAKE_PORT with $FAKE_CONNECTIONS connections (pid $FAKE_PID)"

# the fake writes its HTTPS port before the plain one: it is there by now
if [ ${#TLS_ARGS[@]} -gt 0 ]; then
    TLS_PORT=$(tr -d '[:space:]' <"$TMP/fake.tls.port" 2>/dev/null || true)
    [[ "$TLS_PORT" =~ ^[0-9]+$ ]] || die "the fake wrote no HTTPS port to $TMP/fake.tls.port"
    export FLOWSVC_FAKE_TLS_URL="https://127.0.0.1:$TLS_PORT/data/foundation/flowservice"
    export FLOWSVC_FAKE_TLS_HOST_URL="https://localhost:$TLS_PORT/data/foundation/flowservice"
    export FLOWSVC_FAKE_CA="$TMP/ca.pem"
    note "fake HTTPS on 127.0.0.1:$TLS_PORT (certificate for localhost, CA $FLOWSVC_FAKE_CA)"
fi

# ---------------------------------------------------------------------------
# 6. test mode: pg_regress suites plus the fake's self-check
# ---------------------------------------------------------------------------

# regress_suites: the REGRESS list of the Makefile, as make itself expands it.
regress_suites() {
    local list
    list=$(make -s --no-print-directory -f Makefile -f - flowsvc-print-regress 2>/dev/null <<'EOF' || true
flowsvc-print-regress:
	@echo $(REGRESS)
EOF
)
    if [ -z "$list" ]; then     # fall back to reading the line itself
        list=$(sed -n 's/^REGRESS[[:space:]]*=[[:space:]]*//p' Makefile | head -1)
    fi
    echo "$list"
}

run_tests() {
    local suites rc=0 passed failed notrun out="$TMP/regress.out"

    suites=${FLOWSVC_SUITES:-$(regress_suites)}
    OUTDIR=${FLOWSVC_OUTPUT_DIR:-$REPO}
    mkdir -p "$OUTDIR"
    [ -n "$suites" ] || die "no pg_regress suites (REGRESS in Makefile is empty)"

    step "Running pg_regress: $suites"
    # pg_regress runs in the background under a wall-clock limit, its output
    # followed live by tail, and we `wait` for it: a foreground command would
    # hold off the INT/TERM trap until it ended, and `timeout` sits in its own
    # process group, out of reach of Ctrl-C.  This way a signal runs the trap
    # at once, and the trap stops pg_regress.
    : >"$out"
    # shellcheck disable=SC2086  # $suites is a word list on purpose
    timeout --kill-after=30 "${FLOWSVC_TEST_TIMEOUT:-2400}" \
        "$PG_REGRESS" \
            --inputdir="$REPO" --outputdir="$OUTDIR" \
            --bindir="$BINDIR" \
            --host="$TMP" --port="$PGPORT" --user=postgres \
            --dbname=contrib_regression \
            $suites >"$out" 2>&1 &
    REGRESS_PID=$!
    tail -n +1 -f --pid="$REGRESS_PID" "$out" &
    TAIL_PID=$!
    wait "$REGRESS_PID" || rc=$?
    REGRESS_PID=""
    wait "$TAIL_PID" || true        # tail ends within 1 s of pg_regress
    TAIL_PID=""
    [ "$rc" -ne 124 ] || printf '\npg_regress timed out after %s s\n' "${FLOWSVC_TEST_TIMEOUT:-2400}"

    # PG15 prints "test NAME ... ok 12 ms" / "... FAILED"; PG16+ prints TAP
    # ("ok 1 - NAME", "not ok 1 - NAME").  Count both.
    passed=$(grep -cE '\.\.\. ok|^ok [0-9]+ ' "$out" || true)
    failed=$(grep -cE '\.\.\. FAILED|^not ok [0-9]+ ' "$out" || true)
    # pg_regress gives up at the first hard error (a missing expected file,
    # a lost server, the time limit): suites it never got to count as failed.
    # shellcheck disable=SC2086
    notrun=$(( $(set -- $suites; echo $#) - passed - failed ))
    if [ "$notrun" -gt 0 ]; then
        echo "pg_regress (exit status $rc) did not finish $notrun suite(s): counting them as failed"
        failed=$((failed + notrun))
    fi
    if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
        echo "pg_regress exited with status $rc without a failed test: counting it as a failure"
        failed=1
    fi

    # the fake's own self-check counts as one more test
    if [ -f "$REPO/test/test_fake.py" ]; then
        step "Running the fake's self-check: test/test_fake.py"
        if python3 "$REPO/test/test_fake.py"; then
            echo "test test_fake.py ... ok"
            passed=$((passed + 1))
        else
            echo "test test_fake.py ... FAILED"
            failed=$((failed + 1))
        fi
    fi

    if [ "$failed" -gt 0 ] && [ -s "$OUTDIR/regression.diffs" ]; then
        step "regression.diffs (first 300 lines)"
        head -n 300 "$OUTDIR/regression.diffs"
    fi
    if [ "$failed" -gt 0 ]; then
        note "server and fake logs: $REPO/log/postgres.log, $REPO/log/fake.log"
    fi

    # stop everything before the summary, so that it is the last line
    stop_services
    echo
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}

# ---------------------------------------------------------------------------
# 7. demo mode: an analyst's session on the fake's 50 connections
# ---------------------------------------------------------------------------

run_demo() {
    local psql=("$BINDIR/psql" -X -v ON_ERROR_STOP=1 --pset=pager=off)

    "${psql[@]}" -q -d postgres -c 'CREATE DATABASE flowsvc_demo' >/dev/null

    step "Setting up flowsvc_fdw against the fake Flow Service"
    "${psql[@]}" -e -d flowsvc_demo -v url="$FLOWSVC_FAKE_URL" <<'EOF'
CREATE EXTENSION flowsvc_fdw;
CREATE SERVER flowsvc FOREIGN DATA WRAPPER flowsvc_fdw
  OPTIONS (url :'url', ims_org 'TESTORG@AdobeOrg', sandbox 'prod');
CREATE USER MAPPING FOR CURRENT_USER SERVER flowsvc
  OPTIONS (api_key 'test-api-key', access_token 'test-access-token');
CREATE SCHEMA flowsvc;
IMPORT FOREIGN SCHEMA flowsvc LIMIT TO (connections) FROM SERVER flowsvc INTO flowsvc;
EOF

    step "The analyst's session: demo/demo.sql"
    "${psql[@]}" -e -d flowsvc_demo -f "$REPO/demo/demo.sql"

    stop_services
    echo
    echo "demo finished"
}

# ---------------------------------------------------------------------------
# 8. bench mode: bench/bench.sh against the same set-up
# ---------------------------------------------------------------------------

run_bench() {
    step "Benchmarks: bench/bench.sh"
    BINDIR="$BINDIR" PGHOST="$TMP" PGPORT="$PGPORT" PGUSER=postgres \
        bash "$REPO/bench/bench.sh"
    stop_services
    echo
    echo "bench finished: bench/results/latest.md"
}

case "$MODE" in
    test) run_tests ;;
    demo) run_demo ;;
    bench) run_bench ;;
esac
