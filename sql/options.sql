--
-- options: the validator of flowsvc_fdw (option.c) and the column mapping
--
\getenv testdir FLOWSVC_TEST_DIR
\i :testdir/setup.sql

-- Runs a statement that must fail and tells whether the secret shows up in
-- any part of the error (message, detail, hint, context; the context line
-- quoting the statement itself excepted).
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
  RETURN st || ': ' || msg ||
    CASE WHEN strpos(concat_ws(' ', msg, det, hnt, ctx), secret) > 0
         THEN ' -- LEAKS THE SECRET' ELSE ' -- secret not shown' END;
END $$;

-- ===== the wrapper =====
SELECT fdwname, fdwhandler::regproc, fdwvalidator::regproc
  FROM pg_foreign_data_wrapper WHERE fdwname = 'flowsvc_fdw';
-- the wrapper itself takes no options
ALTER FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (url 'https://example.com');
ALTER FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (foo 'bar');

-- ===== server options: everything of design.md section 1 is accepted =====
CREATE SERVER s_all FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (
  url 'https://platform.adobe.io/data/foundation/flowservice',
  ims_org 'ABC123@AdobeOrg',
  sandbox 'prod',
  token_url 'https://ims-na1.adobelogin.com/ims/token/v3',
  ca_file '/etc/ssl/private-ca.pem',
  timeout_ms '30000', connect_timeout_ms '5000', max_retries '4', page_size '100',
  use_remote_estimate 'false', fdw_startup_cost '100', fdw_tuple_cost '0.05');
SELECT unnest(srvoptions) AS option FROM pg_foreign_server WHERE srvname = 's_all';
-- url and token_url default: the minimum is ims_org
CREATE SERVER s_min FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'ABC123@AdobeOrg');
-- bounds are inclusive
ALTER SERVER s_min OPTIONS (ADD page_size '1', ADD max_retries '0', ADD timeout_ms '1',
  ADD connect_timeout_ms '1', ADD fdw_startup_cost '0', ADD fdw_tuple_cost '0');
ALTER SERVER s_min OPTIONS (SET page_size '100', SET max_retries '10',
  SET timeout_ms '3600000', SET connect_timeout_ms '600000');
-- booleans as PostgreSQL spells them in options
ALTER SERVER s_min OPTIONS (ADD use_remote_estimate 'on');
ALTER SERVER s_min OPTIONS (SET use_remote_estimate 'TRUE');
ALTER SERVER s_min OPTIONS (SET use_remote_estimate 'false');
ALTER SERVER s_min OPTIONS (SET use_remote_estimate 'maybe');
-- http is allowed as well as https, and sandbox names may hold - and _
ALTER SERVER s_min OPTIONS (ADD url 'http://127.0.0.1:8080/flowservice', ADD sandbox 'dev-team_2');
ALTER SERVER s_min OPTIONS (SET url 'HTTPS://platform.adobe.io/data/foundation/flowservice/');
SELECT unnest(srvoptions) AS option FROM pg_foreign_server WHERE srvname = 's_min';

-- ===== server options: unknown names get a hint =====
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', urll 'https://example.com');
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', sandbx 'prod');
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', page_sise '10');
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', imsorg 'o');
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', timeout '10');
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', completely_unrelated 'x');
-- names are case-sensitive (unquoted names are folded to lower case first)
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', "URL" 'https://example.com');
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', "Page_Size" '10');

-- ===== server options: valid options in the wrong place =====
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', api_key 's3cr3t-key');
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', access_token 's3cr3t-token');
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', resource 'connections');
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', path 'id');

-- ===== server options: ims_org is required =====
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw;
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (url 'https://example.com');
ALTER SERVER s_min OPTIONS (DROP ims_org);
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org '');

-- ===== server options: duplicates =====
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', page_size '10', page_size '20');
ALTER SERVER s_min OPTIONS (ADD page_size '10');

-- ===== server options: integers =====
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', page_size '0');
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', page_size '101');
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', page_size 'abc');
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', page_size '10x');
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', page_size '');
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', page_size '1.5');
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', page_size '99999999999999999999');
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', max_retries '11');
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', max_retries '-1');
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', timeout_ms '-1');
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', timeout_ms '0');
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', connect_timeout_ms '0');
-- a bad value is refused by ALTER too, and the old value stays
ALTER SERVER s_min OPTIONS (SET page_size '500');
SELECT option FROM pg_foreign_server, unnest(srvoptions) AS option
 WHERE srvname = 's_min' AND option LIKE 'page_size=%';

-- ===== server options: reals =====
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', fdw_startup_cost '-1');
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', fdw_tuple_cost 'abc');
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', fdw_tuple_cost 'NaN');
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', fdw_tuple_cost 'Infinity');
CREATE SERVER s_ok FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', fdw_startup_cost '2.5e2', fdw_tuple_cost '.01');
DROP SERVER s_ok;

-- ===== server options: url and token_url are http or https =====
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', url 'ftp://example.com/flowservice');
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', url 'file:///etc/passwd');
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', url 'platform.adobe.io/data/foundation/flowservice');
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', url 'https://');
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', url 'https:///data/foundation/flowservice');
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', url 'https://example.com/a b');
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', url 'https://example.com/fs?x=1');
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', url '');
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', token_url 'gopher://ims.example.com/token');
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', token_url 'file:///etc/passwd');

-- ===== server options: sandbox is lower-case =====
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', sandbox 'Prod');
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', sandbox 'my sandbox');
CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', sandbox '');

-- ===== server options: ca_file is for superusers only =====
CREATE ROLE regress_flowsvc_user LOGIN;
GRANT USAGE ON FOREIGN DATA WRAPPER flowsvc_fdw TO regress_flowsvc_user;
SET ROLE regress_flowsvc_user;
CREATE SERVER s_user FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', ca_file '/tmp/evil.pem');
-- everything else is open to the server's owner
CREATE SERVER s_user FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', page_size '50');
ALTER SERVER s_user OPTIONS (ADD ca_file '/tmp/evil.pem');
ALTER SERVER s_user OPTIONS (SET page_size '20');
SELECT srvoptions FROM pg_foreign_server WHERE srvname = 's_user';
RESET ROLE;
-- a superuser may set it on the role's server
ALTER SERVER s_user OPTIONS (ADD ca_file '/etc/ssl/private-ca.pem');
SELECT srvoptions FROM pg_foreign_server WHERE srvname = 's_user';
DROP SERVER s_user;
REVOKE USAGE ON FOREIGN DATA WRAPPER flowsvc_fdw FROM regress_flowsvc_user;
DROP ROLE regress_flowsvc_user;

-- ===== user mapping options =====
CREATE USER MAPPING FOR CURRENT_USER SERVER s_all
  OPTIONS (api_key 'k', access_token 't');
CREATE USER MAPPING FOR PUBLIC SERVER s_all
  OPTIONS (api_key 'k', client_id 'id', client_secret 'secret', scope 'openid,AdobeID,read_organizations');
-- api_key alone is a valid mapping (the token may be added later)
CREATE USER MAPPING FOR CURRENT_USER SERVER s_min OPTIONS (api_key 'k');
ALTER USER MAPPING FOR CURRENT_USER SERVER s_min OPTIONS (ADD access_token 't');
SELECT srvname, usename, umoptions FROM pg_user_mappings
 WHERE srvname IN ('s_all', 's_min') ORDER BY srvname, usename;
-- unknown and misplaced options
ALTER USER MAPPING FOR CURRENT_USER SERVER s_min OPTIONS (ADD apikey 'k');
ALTER USER MAPPING FOR CURRENT_USER SERVER s_min OPTIONS (ADD acess_token 't');
ALTER USER MAPPING FOR CURRENT_USER SERVER s_min OPTIONS (ADD client_secrt 'x');
ALTER USER MAPPING FOR CURRENT_USER SERVER s_min OPTIONS (ADD resource 'connections');
ALTER USER MAPPING FOR CURRENT_USER SERVER s_min OPTIONS (ADD url 'https://example.com');
ALTER USER MAPPING FOR CURRENT_USER SERVER s_min OPTIONS (ADD ims_org 'o');
ALTER USER MAPPING FOR CURRENT_USER SERVER s_min OPTIONS (ADD path 'id');
-- duplicates and empty values
CREATE USER MAPPING FOR PUBLIC SERVER s_min OPTIONS (api_key 'a', api_key 'b');
ALTER USER MAPPING FOR CURRENT_USER SERVER s_min OPTIONS (ADD api_key 'k2');
ALTER USER MAPPING FOR CURRENT_USER SERVER s_min OPTIONS (SET api_key '');
ALTER USER MAPPING FOR CURRENT_USER SERVER s_min OPTIONS (SET access_token '');
-- access_token or client credentials, not both; client_id and client_secret together
ALTER USER MAPPING FOR CURRENT_USER SERVER s_min OPTIONS (ADD client_id 'id', ADD client_secret 'secret');
ALTER USER MAPPING FOR CURRENT_USER SERVER s_min OPTIONS (DROP access_token, ADD client_id 'id');
ALTER USER MAPPING FOR CURRENT_USER SERVER s_min OPTIONS (DROP access_token, ADD client_secret 'secret');
ALTER USER MAPPING FOR PUBLIC SERVER s_all OPTIONS (DROP client_secret);
-- switching from a token to client credentials in one step is fine
ALTER USER MAPPING FOR CURRENT_USER SERVER s_min
  OPTIONS (DROP access_token, ADD client_id 'id', ADD client_secret 'secret');
SELECT umoptions FROM pg_user_mappings WHERE srvname = 's_min' AND usename = CURRENT_USER;

-- ===== secrets are never echoed in messages =====
SELECT pg_temp.error_leaks($q$CREATE USER MAPPING FOR PUBLIC SERVER s_min OPTIONS (api_key 'k', access_token 'S3CR3T-TOKEN', client_id 'id', client_secret 'S3CR3T-CLIENT')$q$, 'S3CR3T');
SELECT pg_temp.error_leaks($q$CREATE USER MAPPING FOR PUBLIC SERVER s_min OPTIONS (api_key 'k', client_secret 'S3CR3T-CLIENT')$q$, 'S3CR3T');
SELECT pg_temp.error_leaks($q$CREATE USER MAPPING FOR PUBLIC SERVER s_min OPTIONS (api_key 'S3CR3T-KEY', api_key 'S3CR3T-KEY2')$q$, 'S3CR3T');
SELECT pg_temp.error_leaks($q$CREATE USER MAPPING FOR PUBLIC SERVER s_min OPTIONS (api_kee 'S3CR3T-KEY')$q$, 'S3CR3T');
SELECT pg_temp.error_leaks($q$CREATE USER MAPPING FOR PUBLIC SERVER s_min OPTIONS (client_id 'id', client_secret 'S3CR3T-CLIENT', scope 'openid', acces_token 'S3CR3T-TOKEN')$q$, 'S3CR3T');
SELECT pg_temp.error_leaks($q$CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', client_secret 'S3CR3T-CLIENT')$q$, 'S3CR3T');
SELECT pg_temp.error_leaks($q$CREATE SERVER s_bad FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (ims_org 'o', access_token 'S3CR3T-TOKEN')$q$, 'S3CR3T');
-- pg_user_mappings hides the options from who may not see them
CREATE ROLE regress_flowsvc_peeker;
SET ROLE regress_flowsvc_peeker;
SELECT srvname, usename, umoptions FROM pg_user_mappings
 WHERE srvname IN ('s_all', 's_min') ORDER BY srvname, usename;
RESET ROLE;
DROP ROLE regress_flowsvc_peeker;

-- ===== foreign table options =====
CREATE FOREIGN TABLE ft_default (id text) SERVER s_all;
CREATE FOREIGN TABLE ft_conns (id text) SERVER s_all OPTIONS (resource 'connections');
CREATE FOREIGN TABLE ft_src (id text) SERVER s_all OPTIONS (resource 'sourceConnections');
CREATE FOREIGN TABLE ft_tgt (id text) SERVER s_all OPTIONS (resource 'targetConnections');
CREATE FOREIGN TABLE ft_flows (id text) SERVER s_all OPTIONS (resource 'flows', use_remote_estimate 'true');
CREATE FOREIGN TABLE ft_runs (id text) SERVER s_all OPTIONS (resource 'runs');
CREATE FOREIGN TABLE ft_cspecs (id text) SERVER s_all OPTIONS (resource 'connectionSpecs');
CREATE FOREIGN TABLE ft_fspecs (id text) SERVER s_all OPTIONS (resource 'flowSpecs');
SELECT c.relname, ft.ftoptions FROM pg_foreign_table ft JOIN pg_class c ON c.oid = ft.ftrelid
 WHERE c.relname LIKE 'ft\_%' ORDER BY c.relname;
-- unknown resources, with a hint when one is close
CREATE FOREIGN TABLE ft_bad (id text) SERVER s_all OPTIONS (resource 'connection');
CREATE FOREIGN TABLE ft_bad (id text) SERVER s_all OPTIONS (resource 'Connections');
CREATE FOREIGN TABLE ft_bad (id text) SERVER s_all OPTIONS (resource 'source_connections');
CREATE FOREIGN TABLE ft_bad (id text) SERVER s_all OPTIONS (resource 'datasets');
CREATE FOREIGN TABLE ft_bad (id text) SERVER s_all OPTIONS (resource '');
ALTER FOREIGN TABLE ft_conns OPTIONS (SET resource 'flow');
-- unknown, misplaced and duplicate table options
CREATE FOREIGN TABLE ft_bad (id text) SERVER s_all OPTIONS (resorce 'connections');
CREATE FOREIGN TABLE ft_bad (id text) SERVER s_all OPTIONS (path 'id');
CREATE FOREIGN TABLE ft_bad (id text) SERVER s_all OPTIONS (url 'https://example.com');
CREATE FOREIGN TABLE ft_bad (id text) SERVER s_all OPTIONS (page_size '10');
CREATE FOREIGN TABLE ft_bad (id text) SERVER s_all OPTIONS (api_key 'k');
CREATE FOREIGN TABLE ft_bad (id text) SERVER s_all OPTIONS (resource 'flows', resource 'runs');
CREATE FOREIGN TABLE ft_bad (id text) SERVER s_all OPTIONS (use_remote_estimate 'perhaps');

-- ===== column options =====
CREATE FOREIGN TABLE ft_cols (
  id text,
  spec text OPTIONS (path 'connectionSpec.id'),
  deep text OPTIONS (path 'auth.params.a.b.c')
) SERVER s_all;
ALTER FOREIGN TABLE ft_cols ALTER COLUMN id OPTIONS (ADD path 'id');
ALTER FOREIGN TABLE ft_cols ADD COLUMN ver text OPTIONS (path 'connectionSpec.version');
SELECT attname, attfdwoptions FROM pg_attribute
 WHERE attrelid = 'ft_cols'::regclass AND attnum > 0 ORDER BY attnum;
-- malformed paths
ALTER FOREIGN TABLE ft_cols ALTER COLUMN spec OPTIONS (SET path '');
ALTER FOREIGN TABLE ft_cols ALTER COLUMN spec OPTIONS (SET path '.a');
ALTER FOREIGN TABLE ft_cols ALTER COLUMN spec OPTIONS (SET path 'a.');
ALTER FOREIGN TABLE ft_cols ALTER COLUMN spec OPTIONS (SET path 'a..b');
-- unknown, misplaced and duplicate column options
ALTER FOREIGN TABLE ft_cols ALTER COLUMN spec OPTIONS (ADD pth 'x');
ALTER FOREIGN TABLE ft_cols ALTER COLUMN spec OPTIONS (ADD column_name 'x');
ALTER FOREIGN TABLE ft_cols ALTER COLUMN spec OPTIONS (ADD resource 'connections');
ALTER FOREIGN TABLE ft_cols ALTER COLUMN spec OPTIONS (ADD url 'https://example.com');
CREATE FOREIGN TABLE ft_bad (id text OPTIONS (path 'id', path 'name')) SERVER s_all;
ALTER FOREIGN TABLE ft_cols ALTER COLUMN spec OPTIONS (ADD path 'x');
-- the catalog is unchanged by all that
SELECT attname, attfdwoptions FROM pg_attribute
 WHERE attrelid = 'ft_cols'::regclass AND attnum > 0 ORDER BY attnum;

DROP SERVER s_all CASCADE;
DROP SERVER s_min CASCADE;

-- ===== column mapping: snake_case -> camelCase, and path =====
CREATE FOREIGN TABLE my_conns (
  id text,
  name text,
  state text,
  created_at timestamptz,
  updated_by text,
  spec text OPTIONS (path 'connectionSpec.id'),
  lastOp jsonb OPTIONS (path 'lastOperation'),
  connection_spec text,
  no_such_field text
) SERVER flowsvc OPTIONS (resource 'connections');
-- created_at -> createdAt, updated_by -> updatedBy; an object read into text
-- is its JSON text; a field the items do not have is NULL
SELECT name, state, created_at, updated_by, spec, lastop, connection_spec, no_such_field
  FROM my_conns LIMIT 3;
-- the first item with a lastOperation: a nested object through path
SELECT name, lastop->>'operation' AS operation, lastop->'status'->>'value' AS status
  FROM my_conns WHERE lastop IS NOT NULL LIMIT 1;
-- the hand-made table reads the same values as the imported one
SELECT count(*) AS rows,
       count(*) FILTER (WHERE m.created_at = c.created_at AND m.spec = c.connection_spec_id
                          AND m.updated_by = c.updated_by) AS same
  FROM my_conns m JOIN flowsvc.connections c USING (id);
-- a path can be changed afterwards, and the column follows it
ALTER FOREIGN TABLE my_conns ALTER COLUMN spec OPTIONS (SET path 'connectionSpec.version');
SELECT DISTINCT spec FROM my_conns;
-- a column option path overrides the name mapping; dropping it restores it
ALTER FOREIGN TABLE my_conns ALTER COLUMN name OPTIONS (ADD path 'state');
SELECT name, state FROM my_conns LIMIT 2;
ALTER FOREIGN TABLE my_conns ALTER COLUMN name OPTIONS (DROP path);
SELECT name, state FROM my_conns LIMIT 2;
-- quoted column names map as written
CREATE FOREIGN TABLE my_conns2 ("createdAt" timestamptz, "connectionSpec" jsonb) SERVER flowsvc;
SELECT "createdAt", "connectionSpec"->>'version' AS version FROM my_conns2 LIMIT 2;
DROP FOREIGN TABLE my_conns, my_conns2;

-- values sent in HTTP headers may not hold control characters (nor are they shown)
CREATE SERVER s_header FOREIGN DATA WRAPPER flowsvc_fdw
  OPTIONS (ims_org E'ORG\r\nX-Evil: 1');
ALTER USER MAPPING FOR CURRENT_USER SERVER flowsvc
  OPTIONS (SET access_token E'secret-tok\nen');

DROP SCHEMA flowsvc CASCADE;
DROP EXTENSION flowsvc_fdw CASCADE;
