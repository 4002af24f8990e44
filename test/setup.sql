-- test/setup.sql: the fixture most suites start with (\i :testdir/setup.sql):
-- the fake reset to its seeded data, the extension, a server pointing at the
-- fake, a user mapping with a ready token, and the imported connections table.
\getenv fake_url FLOWSVC_FAKE_URL
\getenv fakectl FAKECTL
\! $FAKECTL reset
CREATE EXTENSION flowsvc_fdw;
CREATE SERVER flowsvc FOREIGN DATA WRAPPER flowsvc_fdw
  OPTIONS (url :'fake_url', ims_org 'TESTORG@AdobeOrg');
CREATE USER MAPPING FOR CURRENT_USER SERVER flowsvc
  OPTIONS (api_key 'test-api-key', access_token 'test-access-token');
CREATE SCHEMA flowsvc;
IMPORT FOREIGN SCHEMA flowsvc LIMIT TO (connections) FROM SERVER flowsvc INTO flowsvc;
