--
-- Cancel and statement timeout abort a transfer at once with SQLSTATE 57014,
-- and the session stays usable.
--
\getenv testdir FLOWSVC_TEST_DIR
\i :testdir/setup.sql

-- ===== pg_cancel_backend during a slow response =====
-- another session cancels this one while the fake delays its answer by 5 s;
-- meanwhile it records what pg_stat_activity shows this backend waiting for
\! $FAKECTL fault '{"method": "GET", "action": "delay", "ms": 5000}'
SELECT pg_backend_pid() AS victim \gset
\! (sleep 0.7; psql -X -At -d contrib_regression -c "SELECT wait_event_type FROM pg_stat_activity WHERE pid = $(psql -X -At -d contrib_regression -c "SELECT pid FROM pg_stat_activity WHERE query LIKE '%cancel me%' AND pid <> pg_backend_pid()")" > /tmp/flowsvc_cancel_wait.$PPID; psql -X -At -d contrib_regression -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE '%cancel me%' AND pid <> pg_backend_pid()" > /dev/null) &
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) FROM flowsvc.connections /* cancel me */;
\echo :LAST_ERROR_SQLSTATE
SELECT clock_timestamp() - :'t0' < interval '3 seconds' AS cancelled_before_the_answer;
\! cat /tmp/flowsvc_cancel_wait.$PPID; rm -f /tmp/flowsvc_cancel_wait.$PPID
-- the session is usable, and the next statement is not slowed down
SELECT count(*) FROM flowsvc.connections;

-- ===== statement_timeout =====
\! $FAKECTL fault '{"method": "GET", "action": "delay", "ms": 5000}'
SET statement_timeout = '300ms';
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) FROM flowsvc.connections;
\echo :LAST_ERROR_SQLSTATE
RESET statement_timeout;
SELECT clock_timestamp() - :'t0' < interval '3 seconds' AS timed_out_before_the_answer;
SELECT count(*) FROM flowsvc.connections;

-- ===== a cancel while waiting to retry (Retry-After) =====
\! $FAKECTL fault '{"method": "GET", "action": "status", "status": 503, "retry_after": 30}'
SET statement_timeout = '500ms';
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) FROM flowsvc.connections;
\echo :LAST_ERROR_SQLSTATE
RESET statement_timeout;
SELECT clock_timestamp() - :'t0' < interval '3 seconds' AS timed_out_during_backoff;
SELECT count(*) FROM flowsvc.connections;

-- ===== the server's own timeout_ms =====
ALTER SERVER flowsvc OPTIONS (ADD timeout_ms '300');
\! $FAKECTL fault '{"method": "GET", "action": "delay", "ms": 3000}'
SELECT count(*) FROM flowsvc.connections;
\echo :LAST_ERROR_SQLSTATE
ALTER SERVER flowsvc OPTIONS (DROP timeout_ms);
SELECT count(*) FROM flowsvc.connections;

DROP SCHEMA flowsvc CASCADE;
DROP EXTENSION flowsvc_fdw CASCADE;
