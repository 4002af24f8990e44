\getenv fake_url FLOWSVC_FAKE_URL
\getenv fakectl FAKECTL
\! $FAKECTL reset
CREATE EXTENSION flowsvc_fdw;
CREATE SERVER flowsvc FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (url :'fake_url', ims_org 'TESTORG@AdobeOrg');
CREATE USER MAPPING FOR CURRENT_USER SERVER flowsvc OPTIONS (api_key 'test-api-key', access_token 'test-access-token');
CREATE SCHEMA flowsvc;
IMPORT FOREIGN SCHEMA flowsvc LIMIT TO (connections) FROM SERVER flowsvc INTO flowsvc;
SELECT row_number() over () - 1 AS pos, id, left(name, 30), description IS NULL AS nodesc, state, version, auth->>'specName' FROM flowsvc.connections LIMIT 25;
SELECT state, count(*) FROM flowsvc.connections GROUP BY 1;
DROP SCHEMA flowsvc CASCADE; DROP EXTENSION flowsvc_fdw CASCADE;
