--
-- OAuth Server-to-Server tokens: fetched with client credentials, cached per
-- backend and user mapping, fetched again once after a 401.
--
\getenv fake_url FLOWSVC_FAKE_URL
\getenv token_url FLOWSVC_FAKE_TOKEN_URL
\getenv fakectl FAKECTL
\! $FAKECTL reset
CREATE EXTENSION flowsvc_fdw;
CREATE SERVER flowsvc FOREIGN DATA WRAPPER flowsvc_fdw
  OPTIONS (url :'fake_url', token_url :'token_url', ims_org 'TESTORG@AdobeOrg');
CREATE USER MAPPING FOR CURRENT_USER SERVER flowsvc
  OPTIONS (api_key 'test-api-key', client_id 'test-client',
           client_secret 'test-secret', scope 'openid,AdobeID');
CREATE SCHEMA flowsvc;
IMPORT FOREIGN SCHEMA flowsvc LIMIT TO (connections) FROM SERVER flowsvc INTO flowsvc;

-- ===== a token is fetched once and reused =====
SELECT count(*) FROM flowsvc.connections;
\! $FAKECTL token-requests
SELECT count(*) FROM flowsvc.connections WHERE state = 'enabled';
SELECT name FROM flowsvc.connections LIMIT 1;
\! $FAKECTL token-requests
\! $FAKECTL log 2

-- ===== a revoked token: one 401, a new token, the statement succeeds =====
\! $FAKECTL expire-tokens
\! $FAKECTL reset-stats
SELECT count(*) FROM flowsvc.connections;
\! $FAKECTL token-requests
-- the 401, the token request, the retried count
\! $FAKECTL log 3

-- ===== a 401 that persists is an error, after one refresh only =====
\! $FAKECTL reset-stats
\! $FAKECTL fault '{"method": "GET", "action": "status", "status": 401, "times": 2}'
SELECT count(*) FROM flowsvc.connections;
\echo :LAST_ERROR_SQLSTATE
\! $FAKECTL token-requests
\! $FAKECTL count GET
\! $FAKECTL clear-faults

-- ===== changed credentials are used at once =====
\! $FAKECTL reset-stats
ALTER USER MAPPING FOR CURRENT_USER SERVER flowsvc
  OPTIONS (SET client_secret 'wrong-secret-value');
-- terse: the context names the token URL, whose port changes run to run
\set VERBOSITY terse
SELECT count(*) FROM flowsvc.connections;
\set VERBOSITY default
\echo :LAST_ERROR_SQLSTATE
-- the error never shows the secret
SELECT :'LAST_ERROR_MESSAGE' LIKE '%wrong-secret-value%' AS message_has_secret;
\! $FAKECTL count GET
ALTER USER MAPPING FOR CURRENT_USER SERVER flowsvc
  OPTIONS (SET client_secret 'test-secret');
SELECT count(*) FROM flowsvc.connections;

-- ===== a token endpoint that is down =====
ALTER SERVER flowsvc OPTIONS (SET token_url 'http://127.0.0.1:9/ims/token/v3');
ALTER USER MAPPING FOR CURRENT_USER SERVER flowsvc
  OPTIONS (SET client_id 'another-client');
\set VERBOSITY terse
SELECT count(*) FROM flowsvc.connections;
\set VERBOSITY default
\echo :LAST_ERROR_SQLSTATE
ALTER SERVER flowsvc OPTIONS (SET token_url :'token_url');
ALTER USER MAPPING FOR CURRENT_USER SERVER flowsvc
  OPTIONS (SET client_id 'test-client');
SELECT count(*) FROM flowsvc.connections;

-- ===== a ready access_token that has expired: no refresh possible =====
CREATE USER MAPPING FOR public SERVER flowsvc
  OPTIONS (api_key 'test-api-key', access_token 'expired-token-xyz');
CREATE ROLE regress_flowsvc_reader;
GRANT USAGE ON SCHEMA flowsvc TO regress_flowsvc_reader;
GRANT SELECT ON flowsvc.connections TO regress_flowsvc_reader;
SET ROLE regress_flowsvc_reader;
SELECT count(*) FROM flowsvc.connections;
\echo :LAST_ERROR_SQLSTATE
SELECT :'LAST_ERROR_MESSAGE' LIKE '%expired-token-xyz%' AS message_has_token;
RESET ROLE;

DROP OWNED BY regress_flowsvc_reader;
DROP ROLE regress_flowsvc_reader;
DROP SCHEMA flowsvc CASCADE;
DROP EXTENSION flowsvc_fdw CASCADE;
