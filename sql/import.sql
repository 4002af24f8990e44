--
-- import: IMPORT FOREIGN SCHEMA flowsvc
--
\getenv testdir FLOWSVC_TEST_DIR
\i :testdir/setup.sql

-- ===== LIMIT TO (connections): the columns of design.md, in order =====
SELECT c.relname, c.relkind, s.srvname, ft.ftoptions
  FROM pg_class c
  JOIN pg_foreign_table ft ON ft.ftrelid = c.oid
  JOIN pg_foreign_server s ON s.oid = ft.ftserver
 WHERE c.relnamespace = 'flowsvc'::regnamespace ORDER BY c.relname;
\d flowsvc.connections
SELECT ordinal_position, column_name, data_type, is_nullable
  FROM information_schema.columns
 WHERE table_schema = 'flowsvc' AND table_name = 'connections'
 ORDER BY ordinal_position;
-- the column options: only the two nested paths
SELECT a.attnum, a.attname, a.attfdwoptions
  FROM pg_attribute a
 WHERE a.attrelid = 'flowsvc.connections'::regclass AND a.attnum > 0
   AND a.attfdwoptions IS NOT NULL
 ORDER BY a.attnum;
-- exactly the contract, as one string
SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position)
       = 'id text, name text, description text, state text, connection_spec_id text, '
         'connection_spec_version text, auth jsonb, version text, etag text, '
         'created_at timestamp with time zone, updated_at timestamp with time zone, '
         'created_by text, updated_by text, created_client text, updated_client text, '
         'sandbox_name text, sandbox_id text, ims_org_id text' AS matches_design
  FROM information_schema.columns
 WHERE table_schema = 'flowsvc' AND table_name = 'connections';
-- and it reads
SELECT count(*) FROM flowsvc.connections;
SELECT name, state, connection_spec_version, version ~ '^"[^"]+"$' AS version_quoted,
       sandbox_name, ims_org_id
  FROM flowsvc.connections LIMIT 2;

-- importing a table that exists already is an error; the schema is unchanged
IMPORT FOREIGN SCHEMA flowsvc LIMIT TO (connections) FROM SERVER flowsvc INTO flowsvc;
-- LIMIT TO a name the wrapper does not know imports nothing
CREATE SCHEMA imp_none;
IMPORT FOREIGN SCHEMA flowsvc LIMIT TO (datasets, "Connections") FROM SERVER flowsvc INTO imp_none;
SELECT count(*) FROM pg_class WHERE relnamespace = 'imp_none'::regnamespace;

-- ===== everything =====
CREATE SCHEMA imp_all;
IMPORT FOREIGN SCHEMA flowsvc FROM SERVER flowsvc INTO imp_all;
SELECT c.relname, ft.ftoptions
  FROM pg_class c JOIN pg_foreign_table ft ON ft.ftrelid = c.oid
 WHERE c.relnamespace = 'imp_all'::regnamespace ORDER BY c.relname;
-- the columns of each table, with their options
SELECT c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod) AS type,
       a.attfdwoptions
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
 WHERE c.relnamespace = 'imp_all'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY c.relname, a.attnum;
-- the connections table is the same as the one imported alone
SELECT (SELECT array_agg((attname, atttypid, attfdwoptions)::text ORDER BY attnum)
          FROM pg_attribute WHERE attrelid = 'imp_all.connections'::regclass AND attnum > 0)
     = (SELECT array_agg((attname, atttypid, attfdwoptions)::text ORDER BY attnum)
          FROM pg_attribute WHERE attrelid = 'flowsvc.connections'::regclass AND attnum > 0)
       AS same_columns;
-- every imported table can be read
\! $FAKECTL reset-stats
SELECT 'connections' AS t, count(*) FROM imp_all.connections
UNION ALL SELECT 'source_connections', count(*) FROM imp_all.source_connections
UNION ALL SELECT 'target_connections', count(*) FROM imp_all.target_connections
UNION ALL SELECT 'flows', count(*) FROM imp_all.flows
UNION ALL SELECT 'runs', count(*) FROM imp_all.runs
UNION ALL SELECT 'connection_specs', count(*) FROM imp_all.connection_specs
UNION ALL SELECT 'flow_specs', count(*) FROM imp_all.flow_specs;
-- each went to its own collection
\! $FAKECTL log | sed 's/?.*//' | sort -u
-- nothing in any of them is NULL where the fake always has a value
SELECT count(*) FILTER (WHERE id IS NULL OR name IS NULL OR created_at IS NULL
                          OR flow_spec_id IS NULL OR source_connection_ids IS NULL) AS flows_missing
  FROM imp_all.flows;
SELECT count(*) FILTER (WHERE id IS NULL OR base_connection_id IS NULL
                          OR connection_spec_id IS NULL) AS sources_missing
  FROM imp_all.source_connections;
SELECT count(*) FILTER (WHERE id IS NULL OR flow_id IS NULL OR created_at IS NULL
                          OR metrics IS NULL OR activities IS NULL) AS runs_missing
  FROM imp_all.runs;
SELECT count(*) FILTER (WHERE id IS NULL OR name IS NULL OR provider_id IS NULL
                          OR auth_spec IS NULL OR attributes IS NULL) AS specs_missing
  FROM imp_all.connection_specs;
SELECT count(*) FILTER (WHERE id IS NULL OR name IS NULL OR version IS NULL) AS flow_specs_missing
  FROM imp_all.flow_specs;
-- the runs belong to flows that exist
SELECT count(*) AS runs, count(*) FILTER (WHERE f.id IS NOT NULL) AS with_flow
  FROM imp_all.runs r LEFT JOIN imp_all.flows f ON f.id = r.flow_id;
-- the flows point at source connections that exist
SELECT count(*) AS flows, count(*) FILTER (WHERE EXISTS (
         SELECT 1 FROM imp_all.source_connections s
          WHERE f.source_connection_ids ? s.id)) AS with_source
  FROM imp_all.flows f;

-- ===== EXCEPT =====
CREATE SCHEMA imp_except;
IMPORT FOREIGN SCHEMA flowsvc EXCEPT (runs, flow_specs, connection_specs)
  FROM SERVER flowsvc INTO imp_except;
SELECT c.relname, ft.ftoptions
  FROM pg_class c JOIN pg_foreign_table ft ON ft.ftrelid = c.oid
 WHERE c.relnamespace = 'imp_except'::regnamespace ORDER BY c.relname;
-- EXCEPT a name it does not know imports everything
CREATE SCHEMA imp_except2;
IMPORT FOREIGN SCHEMA flowsvc EXCEPT (datasets) FROM SERVER flowsvc INTO imp_except2;
SELECT count(*) FROM pg_class WHERE relnamespace = 'imp_except2'::regnamespace;
-- LIMIT TO several
CREATE SCHEMA imp_some;
IMPORT FOREIGN SCHEMA flowsvc LIMIT TO (flows, runs) FROM SERVER flowsvc INTO imp_some;
SELECT c.relname FROM pg_class c
 WHERE c.relnamespace = 'imp_some'::regnamespace ORDER BY c.relname;
SELECT count(*) > 0 AS has_runs FROM imp_some.runs;

-- ===== the imported tables carry the server's name, quoted as needed =====
CREATE SERVER "Flow Svc" FOREIGN DATA WRAPPER flowsvc_fdw OPTIONS (url :'fake_url', ims_org 'TESTORG@AdobeOrg');
CREATE USER MAPPING FOR CURRENT_USER SERVER "Flow Svc" OPTIONS (api_key 'test-api-key', access_token 'test-access-token');
CREATE SCHEMA imp_quoted;
IMPORT FOREIGN SCHEMA flowsvc LIMIT TO (connections) FROM SERVER "Flow Svc" INTO imp_quoted;
SELECT s.srvname FROM pg_foreign_table ft JOIN pg_foreign_server s ON s.oid = ft.ftserver
 WHERE ft.ftrelid = 'imp_quoted.connections'::regclass;
SELECT count(*) FROM imp_quoted.connections;
DROP SERVER "Flow Svc" CASCADE;

-- ===== wrong remote schema =====
CREATE SCHEMA imp_bad;
IMPORT FOREIGN SCHEMA flowservice FROM SERVER flowsvc INTO imp_bad;
IMPORT FOREIGN SCHEMA public LIMIT TO (connections) FROM SERVER flowsvc INTO imp_bad;
IMPORT FOREIGN SCHEMA "FLOWSVC" FROM SERVER flowsvc INTO imp_bad;
SELECT count(*) FROM pg_class WHERE relnamespace = 'imp_bad'::regnamespace;
-- importing needs no request to the service
\! $FAKECTL reset-stats
IMPORT FOREIGN SCHEMA flowsvc FROM SERVER flowsvc INTO imp_bad;
\! $FAKECTL count

-- IMPORT FOREIGN SCHEMA takes no options
IMPORT FOREIGN SCHEMA flowsvc LIMIT TO (connections) FROM SERVER flowsvc INTO imp_bad
  OPTIONS (import_default 'true');

SET client_min_messages = warning;
DROP SCHEMA imp_none, imp_all, imp_except, imp_except2, imp_some, imp_quoted, imp_bad CASCADE;
RESET client_min_messages;
DROP SCHEMA flowsvc CASCADE;
DROP EXTENSION flowsvc_fdw CASCADE;
