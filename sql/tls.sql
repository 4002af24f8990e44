--
-- tls: TLS peer and host verification are always on; ca_file adds a trusted
-- CA (design.md section 3).  The fake serves the same API and data over HTTPS
-- on a second port, with a certificate that a throw-away CA signed for the
-- name "localhost" only (test/run.sh):
--   tls_host_url  https://localhost:PORT/...   the name matches the certificate
--   tls_url       https://127.0.0.1:PORT/...   same listener, a name it lacks
--   ca            that CA's certificate
-- Errors show the request's path in CONTEXT, never the URL with its port.
--
\getenv testdir FLOWSVC_TEST_DIR
\i :testdir/setup.sql
\getenv tls_url FLOWSVC_FAKE_TLS_URL
\getenv tls_host_url FLOWSVC_FAKE_TLS_HOST_URL
\getenv ca FLOWSVC_FAKE_CA

-- ===== an unknown CA: refused before any request is sent =====
ALTER SERVER flowsvc OPTIONS (SET url :'tls_host_url');
\! $FAKECTL reset-stats
SELECT count(*) FROM flowsvc.connections;
\echo :LAST_ERROR_SQLSTATE
SELECT name FROM flowsvc.connections WHERE id = 'anything';
\echo :LAST_ERROR_SQLSTATE
\! $FAKECTL count

-- ===== ca_file trusts the CA: the same data over HTTPS =====
ALTER SERVER flowsvc OPTIONS (ADD ca_file :'ca');
\! $FAKECTL reset-stats
SELECT count(*) FROM flowsvc.connections;
\! $FAKECTL log

-- ===== verification stays on for a connection already open =====
-- without ca_file again, the kept-alive connection verified with it must not
-- be reused: a new handshake, which fails
ALTER SERVER flowsvc OPTIONS (DROP ca_file);
\! $FAKECTL reset-stats
SELECT count(*) FROM flowsvc.connections;
\echo :LAST_ERROR_SQLSTATE
\! $FAKECTL count

-- ===== a trusted CA, but a host name the certificate does not carry =====
ALTER SERVER flowsvc OPTIONS (SET url :'tls_url', ADD ca_file :'ca');
\! $FAKECTL reset-stats
SELECT count(*) FROM flowsvc.connections;
\echo :LAST_ERROR_SQLSTATE
\! $FAKECTL count

-- ===== a ca_file that does not exist =====
ALTER SERVER flowsvc OPTIONS (SET url :'tls_host_url', SET ca_file '/nonexistent/flowsvc-ca.pem');
\! $FAKECTL reset-stats
SELECT count(*) FROM flowsvc.connections;
\echo :LAST_ERROR_SQLSTATE
\! $FAKECTL count

-- ===== back to the right CA: rows again =====
-- in a new backend, so that its one kept-alive TLS connection, which serves
-- every page and statement, is counted
ALTER SERVER flowsvc OPTIONS (SET ca_file :'ca');
\c
\! $FAKECTL reset-stats
SELECT count(*) FROM flowsvc.connections WHERE state = 'enabled';
SELECT count(*) FROM flowsvc.connections WHERE name IS NOT NULL;
\! $FAKECTL log
\! $FAKECTL tcp

DROP SCHEMA flowsvc CASCADE;
DROP EXTENSION flowsvc_fdw CASCADE;
