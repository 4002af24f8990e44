--
-- errors: what a read does when the network or the service fails
-- (design.md section 3).  Each failure is a clean ERROR with its SQLSTATE,
-- and the session goes on working after it.
--
\getenv testdir FLOWSVC_TEST_DIR
\i :testdir/setup.sql

-- Runs a statement that must fail; returns its SQLSTATE and whether the
-- secret shows up in any part of the error.
CREATE FUNCTION pg_temp.error_leaks(stmt text, secret text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  st text; msg text; det text; hnt text; ctx text;
BEGIN
  EXECUTE stmt;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
    det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT, ctx = PG_EXCEPTION_CONTEXT;
  ctx := regexp_replace(ctx, '^SQL statement ".*"$', '', 'gn');
  RETURN st || CASE WHEN strpos(concat_ws(' ', msg, det, hnt, ctx), secret) > 0
                    THEN ': LEAKS THE SECRET' ELSE ': secret not shown' END;
END $$;

-- Runs a statement that must fail; returns the parts of its error, with
-- the fake's continuation tokens masked.
CREATE FUNCTION pg_temp.error_of(stmt text,
  OUT state text, OUT message text, OUT detail text, OUT context text)
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE stmt;
  message := 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
    detail = PG_EXCEPTION_DETAIL, context = PG_EXCEPTION_CONTEXT;
  context := regexp_replace(context, 'continuationToken=[^& \n]*', 'continuationToken=...', 'g');
  context := regexp_replace(context, '\nSQL statement .*', '');
END $$;

-- the check that the backend is still usable after each error
CREATE VIEW still_works AS SELECT name FROM flowsvc.connections LIMIT 1;
SELECT * FROM still_works;

-- ===== connection refused =====
-- nothing listens on 127.0.0.1:9 (discard)
CREATE SERVER refused0 FOREIGN DATA WRAPPER flowsvc_fdw
  OPTIONS (url 'http://127.0.0.1:9/data/foundation/flowservice', ims_org 'TESTORG@AdobeOrg',
           max_retries '0');
CREATE SERVER refused1 FOREIGN DATA WRAPPER flowsvc_fdw
  OPTIONS (url 'http://127.0.0.1:9/data/foundation/flowservice', ims_org 'TESTORG@AdobeOrg',
           max_retries '1');
CREATE USER MAPPING FOR CURRENT_USER SERVER refused0 OPTIONS (api_key 'test-api-key', access_token 'test-access-token');
CREATE USER MAPPING FOR CURRENT_USER SERVER refused1 OPTIONS (api_key 'test-api-key', access_token 'test-access-token');
CREATE FOREIGN TABLE refused0_conns (id text, name text) SERVER refused0;
CREATE FOREIGN TABLE refused1_conns (id text, name text) SERVER refused1;
SELECT id, name FROM refused0_conns;
\echo :LAST_ERROR_SQLSTATE
SELECT id, name FROM refused1_conns;
\echo :LAST_ERROR_SQLSTATE
SELECT name FROM refused0_conns WHERE id = 'abc';
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM still_works;

-- ===== bad credentials: 401 =====
CREATE SERVER badtoken FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (url :'fake_url', ims_org 'TESTORG@AdobeOrg');
CREATE USER MAPPING FOR CURRENT_USER SERVER badtoken
  OPTIONS (api_key 'test-api-key', access_token 'wrong-S3CR3T-token');
CREATE FOREIGN TABLE badtoken_conns (id text, name text) SERVER badtoken;
\! $FAKECTL reset-stats
SELECT id, name FROM badtoken_conns;
\echo :LAST_ERROR_SQLSTATE
SELECT name FROM badtoken_conns WHERE id = 'abc';
\echo :LAST_ERROR_SQLSTATE
-- a 401 with a ready token is not retried
\! $FAKECTL count GET
-- neither the token nor the Authorization header shows up anywhere
SELECT pg_temp.error_leaks('SELECT id, name FROM badtoken_conns', 'S3CR3T');
SELECT pg_temp.error_leaks('SELECT id, name FROM badtoken_conns', 'Bearer');
SELECT pg_temp.error_leaks('SELECT id, name FROM badtoken_conns', 'Authorization');
SELECT * FROM still_works;

-- ===== missing or wrong api_key =====
CREATE SERVER nokey FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (url :'fake_url', ims_org 'TESTORG@AdobeOrg');
CREATE USER MAPPING FOR CURRENT_USER SERVER nokey OPTIONS (access_token 'test-access-token');
CREATE FOREIGN TABLE nokey_conns (id text, name text) SERVER nokey;
\! $FAKECTL reset-stats
SELECT id, name FROM nokey_conns;
\echo :LAST_ERROR_SQLSTATE
-- refused before any request
\! $FAKECTL count
ALTER USER MAPPING FOR CURRENT_USER SERVER nokey OPTIONS (ADD api_key 'wrong-S3CR3T-key');
SELECT id, name FROM nokey_conns;
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.error_leaks('SELECT id, name FROM nokey_conns', 'S3CR3T');
-- no token at all
ALTER USER MAPPING FOR CURRENT_USER SERVER nokey OPTIONS (SET api_key 'test-api-key', DROP access_token);
\! $FAKECTL reset-stats
SELECT id, name FROM nokey_conns;
\echo :LAST_ERROR_SQLSTATE
\! $FAKECTL count
-- fixed mapping: it works at once, in the same session
ALTER USER MAPPING FOR CURRENT_USER SERVER nokey OPTIONS (ADD access_token 'test-access-token');
SELECT name FROM nokey_conns LIMIT 1;
-- the same after a fixed token
ALTER USER MAPPING FOR CURRENT_USER SERVER badtoken OPTIONS (SET access_token 'test-access-token');
SELECT name FROM badtoken_conns LIMIT 1;

-- ===== wrong ims_org, wrong sandbox =====
CREATE SERVER badorg FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (url :'fake_url', ims_org 'OTHERORG@AdobeOrg');
CREATE USER MAPPING FOR CURRENT_USER SERVER badorg OPTIONS (api_key 'test-api-key', access_token 'test-access-token');
CREATE FOREIGN TABLE badorg_conns (id text, name text) SERVER badorg;
SELECT id, name FROM badorg_conns;
\echo :LAST_ERROR_SQLSTATE
CREATE SERVER badsandbox FOREIGN DATA WRAPPER flowsvc_fdw
  OPTIONS (url :'fake_url', ims_org 'TESTORG@AdobeOrg', sandbox 'nosuchsandbox');
CREATE USER MAPPING FOR CURRENT_USER SERVER badsandbox OPTIONS (api_key 'test-api-key', access_token 'test-access-token');
CREATE FOREIGN TABLE badsandbox_conns (id text, name text) SERVER badsandbox;
SELECT id, name FROM badsandbox_conns;
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM still_works;

-- ===== 404: a url that is not the Flow Service base =====
\set bad_base_url :fake_url '/nope'
CREATE SERVER badpath FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (url :'bad_base_url', ims_org 'TESTORG@AdobeOrg');
CREATE USER MAPPING FOR CURRENT_USER SERVER badpath OPTIONS (api_key 'test-api-key', access_token 'test-access-token');
CREATE FOREIGN TABLE badpath_conns (id text, name text) SERVER badpath;
SELECT id, name FROM badpath_conns;
\echo :LAST_ERROR_SQLSTATE
-- while a 404 on one id is no row, not an error
SELECT id, name FROM flowsvc.connections WHERE id = 'no-such-id';
SELECT * FROM still_works;

-- ===== 5xx and 429: what is retried =====
-- 500 is not retried
\! $FAKECTL reset-stats
\! $FAKECTL fault '{"method": "GET", "path_contains": "/connections", "times": 1, "action": "status", "status": 500}'
SELECT name FROM flowsvc.connections LIMIT 1;
\echo :LAST_ERROR_SQLSTATE
\! $FAKECTL count GET
-- 503 twice, then success: three GETs, one result
\! $FAKECTL reset-stats
\! $FAKECTL fault '{"method": "GET", "path_contains": "/connections", "times": 2, "action": "status", "status": 503}'
SELECT name FROM flowsvc.connections LIMIT 1;
\! $FAKECTL count GET
-- 429, 502 and 504 likewise
\! $FAKECTL reset-stats
\! $FAKECTL fault '{"method": "GET", "path_contains": "/connections", "times": 1, "action": "status", "status": 429}'
\! $FAKECTL fault '{"method": "GET", "path_contains": "/connections", "times": 1, "action": "status", "status": 502}'
\! $FAKECTL fault '{"method": "GET", "path_contains": "/connections", "times": 1, "action": "status", "status": 504}'
SELECT name FROM flowsvc.connections LIMIT 1;
\! $FAKECTL count GET
\! $FAKECTL log
-- a get by id is retried the same way
\! $FAKECTL reset-stats
SELECT id AS some_id FROM flowsvc.connections LIMIT 1 OFFSET 30 \gset
\! $FAKECTL reset-stats
\! $FAKECTL fault '{"method": "GET", "path_contains": "/connections/", "times": 2, "action": "status", "status": 503}'
SELECT name FROM flowsvc.connections WHERE id = :'some_id';
\! $FAKECTL count GET
-- 4xx other than 429 are not retried
\! $FAKECTL reset-stats
\! $FAKECTL fault '{"method": "GET", "path_contains": "/connections", "times": 1, "action": "status", "status": 400}'
SELECT name FROM flowsvc.connections LIMIT 1;
\echo :LAST_ERROR_SQLSTATE
\! $FAKECTL count GET
-- at most max_retries retries
CREATE SERVER retry1 FOREIGN DATA WRAPPER flowsvc_fdw
  OPTIONS (url :'fake_url', ims_org 'TESTORG@AdobeOrg', max_retries '1');
CREATE USER MAPPING FOR CURRENT_USER SERVER retry1 OPTIONS (api_key 'test-api-key', access_token 'test-access-token');
CREATE FOREIGN TABLE retry1_conns (id text, name text) SERVER retry1;
\! $FAKECTL reset-stats
\! $FAKECTL fault '{"method": "GET", "path_contains": "/connections", "times": 3, "action": "status", "status": 503}'
SELECT name FROM retry1_conns LIMIT 1;
\echo :LAST_ERROR_SQLSTATE
\! $FAKECTL count GET
\! $FAKECTL clear-faults
\! $FAKECTL reset-stats
\! $FAKECTL fault '{"method": "GET", "path_contains": "/connections", "times": 3, "action": "status", "status": 429}'
SELECT name FROM retry1_conns LIMIT 1;
\echo :LAST_ERROR_SQLSTATE
\! $FAKECTL count GET
\! $FAKECTL clear-faults
-- max_retries '0': no retry at all
CREATE SERVER noretry FOREIGN DATA WRAPPER flowsvc_fdw
  OPTIONS (url :'fake_url', ims_org 'TESTORG@AdobeOrg', max_retries '0');
CREATE USER MAPPING FOR CURRENT_USER SERVER noretry OPTIONS (api_key 'test-api-key', access_token 'test-access-token');
CREATE FOREIGN TABLE noretry_conns (id text, name text) SERVER noretry;
\! $FAKECTL reset-stats
\! $FAKECTL fault '{"method": "GET", "path_contains": "/connections", "times": 1, "action": "status", "status": 503}'
SELECT name FROM noretry_conns LIMIT 1;
\echo :LAST_ERROR_SQLSTATE
\! $FAKECTL count GET
SELECT * FROM still_works;

-- ===== Retry-After is honoured =====
\! $FAKECTL reset-stats
\! $FAKECTL fault '{"method": "GET", "path_contains": "/connections", "times": 1, "action": "status", "status": 429, "retry_after": 1}'
SELECT clock_timestamp() AS t0 \gset
SELECT name FROM flowsvc.connections LIMIT 1;
SELECT clock_timestamp() - :'t0'::timestamptz >= interval '1 second' AS waited_retry_after;
\! $FAKECTL count GET
\! $FAKECTL reset-stats
\! $FAKECTL fault '{"method": "GET", "path_contains": "/connections", "times": 1, "action": "status", "status": 503, "retry_after": 1}'
SELECT clock_timestamp() AS t0 \gset
SELECT name FROM flowsvc.connections LIMIT 1;
SELECT clock_timestamp() - :'t0'::timestamptz >= interval '1 second' AS waited_retry_after;
\! $FAKECTL count GET
-- a Retry-After value followed by blanks is still honoured
\! $FAKECTL fault '{"method": "GET", "path_contains": "/connections", "times": 1, "action": "status", "status": 429, "retry_after": "1 "}'
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) FROM flowsvc.connections WHERE state = 'disabled';
SELECT clock_timestamp() - :'t0'::timestamptz >= interval '1 second' AS waited_retry_after;
-- a Retry-After far in the future is an error at once, not a long sleep
\! $FAKECTL reset-stats
\! $FAKECTL fault '{"method": "GET", "path_contains": "/connections", "times": 1, "action": "status", "status": 429, "retry_after": 3600}'
SELECT clock_timestamp() AS t0 \gset
SELECT name FROM flowsvc.connections LIMIT 1;
\echo :LAST_ERROR_SQLSTATE
SELECT clock_timestamp() - :'t0'::timestamptz < interval '5 seconds' AS quick;
\! $FAKECTL count GET
\! $FAKECTL clear-faults

-- ===== an error on a later page: no partial result =====
CREATE SERVER small_pages FOREIGN DATA WRAPPER flowsvc_fdw
  OPTIONS (url :'fake_url', ims_org 'TESTORG@AdobeOrg', page_size '50', max_retries '0');
CREATE USER MAPPING FOR CURRENT_USER SERVER small_pages OPTIONS (api_key 'test-api-key', access_token 'test-access-token');
CREATE FOREIGN TABLE small_pages_conns (id text, name text) SERVER small_pages;
\! $FAKECTL reset-stats
\! $FAKECTL fault '{"method": "GET", "path_contains": "continuationToken", "times": 1, "action": "status", "status": 500}'
\x on
SELECT * FROM pg_temp.error_of('SELECT name FROM small_pages_conns');
\x off
\! $FAKECTL count GET
SELECT count(*) FROM (SELECT name FROM small_pages_conns) s;

-- ===== broken response bodies =====
-- on a server without retries each is an ERROR, and the next query works
\! $FAKECTL fault '{"method": "GET", "path_contains": "/connections", "times": 1, "action": "malformed"}'
SELECT name FROM noretry_conns LIMIT 1;
\echo :LAST_ERROR_SQLSTATE
SELECT name FROM noretry_conns LIMIT 1;
\! $FAKECTL fault '{"method": "GET", "path_contains": "/connections", "times": 1, "action": "truncated"}'
SELECT name FROM noretry_conns LIMIT 1;
\echo :LAST_ERROR_SQLSTATE
SELECT name FROM noretry_conns LIMIT 1;
\! $FAKECTL fault '{"method": "GET", "path_contains": "/connections", "times": 1, "action": "no_items"}'
SELECT name FROM noretry_conns LIMIT 1;
\echo :LAST_ERROR_SQLSTATE
SELECT name FROM noretry_conns LIMIT 1;
\! $FAKECTL fault '{"method": "GET", "path_contains": "/connections", "times": 1, "action": "wrong_type"}'
SELECT name FROM noretry_conns LIMIT 1;
\echo :LAST_ERROR_SQLSTATE
SELECT name FROM noretry_conns LIMIT 1;
-- (libcurl itself sends a request again once when a kept-alive connection
-- turns out dead: the connection is closed twice here)
\! $FAKECTL fault '{"method": "GET", "path_contains": "/connections", "times": 2, "action": "close"}'
SELECT name FROM noretry_conns LIMIT 1;
\echo :LAST_ERROR_SQLSTATE
\! $FAKECTL clear-faults
SELECT name FROM noretry_conns LIMIT 1;
-- the same on a get by id
\! $FAKECTL fault '{"method": "GET", "path_contains": "/connections/", "times": 1, "action": "malformed"}'
SELECT name FROM noretry_conns WHERE id = :'some_id';
\echo :LAST_ERROR_SQLSTATE
\! $FAKECTL fault '{"method": "GET", "path_contains": "/connections/", "times": 1, "action": "wrong_type"}'
SELECT name FROM noretry_conns WHERE id = :'some_id';
\echo :LAST_ERROR_SQLSTATE
SELECT name FROM noretry_conns WHERE id = :'some_id';
-- a cut-off or dropped connection is retried for a GET when retries are allowed
\! $FAKECTL reset-stats
\! $FAKECTL fault '{"method": "GET", "path_contains": "/connections", "times": 1, "action": "truncated"}'
SELECT name FROM flowsvc.connections LIMIT 1;
\! $FAKECTL count GET
\! $FAKECTL reset-stats
\! $FAKECTL fault '{"method": "GET", "path_contains": "/connections", "times": 1, "action": "close"}'
SELECT name FROM flowsvc.connections LIMIT 1;
\! $FAKECTL count GET
-- a malformed body is not a transport failure: not retried
\! $FAKECTL reset-stats
\! $FAKECTL fault '{"method": "GET", "path_contains": "/connections", "times": 1, "action": "malformed"}'
SELECT name FROM flowsvc.connections LIMIT 1;
\echo :LAST_ERROR_SQLSTATE
\! $FAKECTL count GET
\! $FAKECTL clear-faults
SELECT * FROM still_works;

-- ===== timeouts =====
-- the server's timeout_ms: 57014 well before the 2 s delay is over
CREATE SERVER slow FOREIGN DATA WRAPPER flowsvc_fdw
  OPTIONS (url :'fake_url', ims_org 'TESTORG@AdobeOrg', timeout_ms '300');
CREATE USER MAPPING FOR CURRENT_USER SERVER slow OPTIONS (api_key 'test-api-key', access_token 'test-access-token');
CREATE FOREIGN TABLE slow_conns (id text, name text) SERVER slow;
\! $FAKECTL reset-stats
\! $FAKECTL fault '{"method": "GET", "path_contains": "/connections", "times": 1, "action": "delay", "ms": 2000}'
SELECT clock_timestamp() AS t0 \gset
SELECT name FROM slow_conns LIMIT 1;
\echo :LAST_ERROR_SQLSTATE
SELECT clock_timestamp() - :'t0'::timestamptz < interval '1.5 seconds' AS quick;
-- timed out requests are not repeated
\! $FAKECTL count GET
SELECT name FROM slow_conns LIMIT 1;
-- statement_timeout interrupts a transfer (pg_cancel_backend takes the same path)
\! $FAKECTL fault '{"method": "GET", "path_contains": "/connections", "times": 1, "action": "delay", "ms": 2000}'
SET statement_timeout = '300ms';
SELECT clock_timestamp() AS t0 \gset
SELECT name FROM flowsvc.connections LIMIT 1;
\echo :LAST_ERROR_SQLSTATE
RESET statement_timeout;
SELECT clock_timestamp() - :'t0'::timestamptz < interval '1.5 seconds' AS quick;
SELECT * FROM still_works;
-- ... and a retry backoff too
\! $FAKECTL fault '{"method": "GET", "path_contains": "/connections", "times": 1, "action": "status", "status": 503, "retry_after": 5}'
SET statement_timeout = '300ms';
SELECT clock_timestamp() AS t0 \gset
SELECT name FROM flowsvc.connections LIMIT 1;
\echo :LAST_ERROR_SQLSTATE
RESET statement_timeout;
SELECT clock_timestamp() - :'t0'::timestamptz < interval '1.5 seconds' AS quick;
\! $FAKECTL clear-faults
SELECT * FROM still_works;
-- in a transaction: the error aborts it, ROLLBACK TO a savepoint recovers
BEGIN;
SAVEPOINT s;
\! $FAKECTL fault '{"method": "GET", "path_contains": "/connections", "times": 1, "action": "status", "status": 500}'
SELECT name FROM flowsvc.connections LIMIT 1;
ROLLBACK TO SAVEPOINT s;
SELECT * FROM still_works;
COMMIT;

\! $FAKECTL clear-faults
DROP VIEW still_works;
SET client_min_messages = warning;
DROP SERVER refused0, refused1, badtoken, nokey, badorg, badsandbox, badpath, retry1, noretry,
  small_pages, slow CASCADE;
RESET client_min_messages;
DROP SCHEMA flowsvc CASCADE;
DROP EXTENSION flowsvc_fdw CASCADE;
