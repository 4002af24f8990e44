\getenv fake_url FLOWSVC_FAKE_URL
\getenv fakectl FAKECTL
\! $FAKECTL reset
CREATE EXTENSION flowsvc_fdw;
CREATE SERVER flowsvc FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (url :'fake_url', ims_org 'TESTORG@AdobeOrg');
CREATE USER MAPPING FOR CURRENT_USER SERVER flowsvc OPTIONS (api_key 'test-api-key', access_token 'test-access-token');
CREATE SCHEMA flowsvc;
IMPORT FOREIGN SCHEMA flowsvc LIMIT TO (connections) FROM SERVER flowsvc INTO flowsvc;
SET timezone = 'UTC';
\! $FAKECTL reset-stats
SELECT row_number() over () - 1 AS pos, id, left(name, 40) name, description, state, connection_spec_id, version, created_at FROM flowsvc.connections;
\! $FAKECTL log
\d+ flowsvc.connections
DROP SCHEMA flowsvc CASCADE; DROP EXTENSION flowsvc_fdw CASCADE;
