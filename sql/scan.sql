--
-- scan: reading a collection (design.md sections 1 and 2)
--
\getenv testdir FLOWSVC_TEST_DIR
\i :testdir/setup.sql
SET timezone = 'UTC';

-- EXPLAIN ANALYZE with the byte counts masked (they depend on the payload)
CREATE FUNCTION explain_masked(query text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
    line text;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || query
    LOOP
        line := regexp_replace(line, 'received=\d+', 'received=N');
        line := regexp_replace(line, 'sent=\d+', 'sent=N');
        RETURN NEXT line;
    END LOOP;
END
$$;

-- ===== pagination: every page, each following the next link =====
CREATE SERVER flowsvc_p50 FOREIGN DATA WRAPPER flowsvc_fdw
    OPTIONS (url :'fake_url', ims_org 'TESTORG@AdobeOrg', page_size '50');
CREATE USER MAPPING FOR CURRENT_USER SERVER flowsvc_p50
    OPTIONS (api_key 'test-api-key', access_token 'test-access-token');
CREATE FOREIGN TABLE conns_p50 (id text, name text)
    SERVER flowsvc_p50 OPTIONS (resource 'connections');
\! $FAKECTL reset-stats
-- no page read twice, none skipped
SELECT count(*), count(DISTINCT id) FROM conns_p50;
\! $FAKECTL count GET
\! $FAKECTL log 3
-- the default page size is 100
\! $FAKECTL reset-stats
SELECT count(*), count(DISTINCT id) FROM flowsvc.connections;
\! $FAKECTL count GET
\! $FAKECTL log
-- rows come in the API's order
SELECT string_agg(left(id, 8), ' ') FROM (SELECT id FROM conns_p50 LIMIT 8) s;

-- ===== 2,500 items: 25 pages over one kept-alive connection =====
\! $FAKECTL seed 2500
-- a new backend, so that its first connection is counted
\c
SET timezone = 'UTC';
SELECT count(*), count(DISTINCT id) FROM flowsvc.connections;
\! $FAKECTL count GET
\! $FAKECTL missing-headers
\! $FAKECTL tcp

-- ===== memory stays flat whatever the row count =====
-- memory of the backend's contexts, and its anonymous resident memory (malloc)
CREATE FUNCTION pg_mem() RETURNS bigint LANGUAGE sql VOLATILE
    AS $$ SELECT sum(total_bytes)::bigint FROM pg_backend_memory_contexts $$;
CREATE FUNCTION rss_anon_kb() RETURNS bigint LANGUAGE sql VOLATILE
    AS $$ SELECT (regexp_match(pg_read_file('/proc/self/status'), 'RssAnon:\s+(\d+)'))[1]::bigint $$;
-- warm caches
SELECT count(*), sum(length(name)) FROM flowsvc.connections;
SELECT count(*), sum(length(name)) FROM flowsvc.connections;
SELECT pg_mem() AS mem_before, rss_anon_kb() AS rss_before \gset
SELECT count(*), sum(length(name)) FROM flowsvc.connections;
SELECT count(*), sum(length(name)) FROM flowsvc.connections;
SELECT count(*), sum(length(name)) FROM flowsvc.connections;
SELECT count(*), sum(length(name)) FROM flowsvc.connections;
-- nothing left behind by four scans of 25 pages
SELECT pg_mem() - :mem_before < 65536 AS contexts_flat,
       rss_anon_kb() - :rss_before < 4096 AS rss_flat;
-- (count(*) alone may be answered by count=true: these read every row)
-- nor held during a scan: the peak over 2,500 rows is that over 100 rows
SELECT max(pg_mem()) AS peak_100 FROM (SELECT id FROM flowsvc.connections LIMIT 100) s \gset
SELECT max(pg_mem()) - :peak_100 < 262144 AS peak_flat FROM flowsvc.connections;
DROP FUNCTION pg_mem(), rss_anon_kb();
-- back to the 120 connections of the other suites (reset keeps the size)
\! $FAKECTL seed 120
SELECT count(*), count(DISTINCT id) FROM flowsvc.connections;

-- ===== type mapping of the imported table =====
SELECT id, created_at, updated_at, pg_typeof(created_at) FROM flowsvc.connections WHERE id = 'bdd640fb-0667-4ad1-9c80-317fa3b1799d';
-- epoch milliseconds, exactly
\! $FAKECTL item connections bdd640fb-0667-4ad1-9c80-317fa3b1799d createdAt
SELECT (extract(epoch FROM created_at) * 1000)::bigint AS created_ms FROM flowsvc.connections WHERE id = 'bdd640fb-0667-4ad1-9c80-317fa3b1799d';
-- absent description is NULL, an empty one is ''
SELECT id, description IS NULL AS is_null, description = '' AS is_empty
  FROM flowsvc.connections
 WHERE id IN ('87f7e1fb-da4b-49ca-ab5c-f46780bacd64', '8f9797b0-6d7c-43c9-b4a6-9f3c8d3aed99')
 ORDER BY id;
-- non-ASCII and awkward names round-trip
SELECT left(id, 8) AS id, name, length(name), octet_length(name)
  FROM (SELECT id, name FROM flowsvc.connections LIMIT 5) s;
SELECT name = 'Café société — résumé é' AS accents,
       length(name) = 23 AS len
  FROM flowsvc.connections WHERE id = 'bdd640fb-0667-4ad1-9c80-317fa3b1799d';
SELECT name = '日本語の接続 (東京)' AS japanese, length(name) FROM flowsvc.connections WHERE id = 'ec1b8ca1-f91e-4d4c-9ff4-9b7889463e85';
SELECT name = 'Rocket ' || chr(128640) || ' connection' AS emoji, length(name) FROM flowsvc.connections WHERE id = '827050a8-2369-4584-bf5e-9ff0ff50bde4';
SELECT name = E'Quote "q" and back\\slash \\\\ done' AS quotes, length(name) FROM flowsvc.connections WHERE id = '43dac043-2a45-42ab-8cbf-edb0f264accc';
SELECT length(name), right(name, 8) FROM flowsvc.connections WHERE id = 'dfde4fbf-3ff3-40bf-b66e-cb15474ebc19';
-- version and etag keep their double quotes
SELECT version, etag, version = etag AS same FROM flowsvc.connections WHERE id = 'bdd640fb-0667-4ad1-9c80-317fa3b1799d';
\! $FAKECTL item connections bdd640fb-0667-4ad1-9c80-317fa3b1799d version
-- auth is jsonb, nested objects included
SELECT auth->>'specName' AS spec_name, jsonb_typeof(auth->'params') AS params,
       auth #>> '{params,username}' AS username
  FROM flowsvc.connections WHERE id = 'bdd640fb-0667-4ad1-9c80-317fa3b1799d';
SELECT auth #> '{params,oauth,client,certificate,chain,leaf,subject}' AS subject,
       auth #> '{params,oauth,refresh}' AS refresh
  FROM flowsvc.connections WHERE id = '43b409ef-2260-470f-a0cc-edc5f05db76e';
-- the other text columns
SELECT state, connection_spec_id, connection_spec_version, created_by, updated_by,
       created_client, updated_client, sandbox_name, sandbox_id, ims_org_id
  FROM flowsvc.connections WHERE id = 'bdd640fb-0667-4ad1-9c80-317fa3b1799d';

-- ===== other column types, in a hand-made table =====
CREATE FOREIGN TABLE conns_typed (
    id uuid,
    created_at timestamp,
    created_ms bigint OPTIONS (path 'createdAt'),
    created_num numeric OPTIONS (path 'createdAt'),
    created_txt text OPTIONS (path 'createdAt'),
    created_f float8 OPTIONS (path 'createdAt'),
    spec jsonb OPTIONS (path 'connectionSpec'),
    params_json json OPTIONS (path 'auth.params'),
    auth text,
    port int OPTIONS (path 'auth.params.port'),
    large_files boolean OPTIONS (path 'auth.params.largeFileSupport'),
    missing text OPTIONS (path 'no.such.field')
) SERVER flowsvc OPTIONS (resource 'connections');
SELECT id, pg_typeof(id), created_at, created_ms, created_num, created_txt, created_f::numeric AS created_f
  FROM conns_typed WHERE id::text = '43dac043-2a45-42ab-8cbf-edb0f264accc';
SELECT created_at = (SELECT created_at FROM flowsvc.connections WHERE id = '43dac043-2a45-42ab-8cbf-edb0f264accc') AT TIME ZONE 'UTC' AS same_instant
  FROM conns_typed WHERE id::text = '43dac043-2a45-42ab-8cbf-edb0f264accc';
SELECT spec, pg_typeof(params_json), params_json::jsonb ? 'password' AS has_password,
       port, missing IS NULL AS missing_is_null
  FROM conns_typed WHERE id::text = '43dac043-2a45-42ab-8cbf-edb0f264accc';
-- a JSON object in a text column is its JSON text
SELECT auth::jsonb->>'specName' AS spec_name, left(auth, 1) AS first_char,
       auth::jsonb = (SELECT auth FROM flowsvc.connections WHERE id = '43dac043-2a45-42ab-8cbf-edb0f264accc') AS same
  FROM conns_typed WHERE id::text = '43dac043-2a45-42ab-8cbf-edb0f264accc';
-- JSON booleans; an absent field is NULL
SELECT large_files, count(*) FROM conns_typed GROUP BY large_files ORDER BY large_files;
SELECT count(*) FILTER (WHERE port = 22) AS port_22, count(port) AS with_port FROM conns_typed;
-- values that do not fit their column: ERROR naming column, resource and item id
CREATE FOREIGN TABLE conns_bad (
    id text,
    name int,
    state_bool boolean OPTIONS (path 'state'),
    created_small smallint OPTIONS (path 'createdAt'),
    spec_uuid uuid OPTIONS (path 'connectionSpec.version')
) SERVER flowsvc OPTIONS (resource 'connections');
SELECT state_bool FROM conns_bad;
SELECT name FROM conns_bad;
SELECT created_small FROM conns_bad;
SELECT spec_uuid FROM conns_bad WHERE id = '43dac043-2a45-42ab-8cbf-edb0f264accc';
-- only the columns a query uses are converted
SELECT count(id) FROM conns_bad;
SELECT id FROM conns_bad WHERE id = '43dac043-2a45-42ab-8cbf-edb0f264accc';

-- ===== WHERE id = const: one GET of that item =====
\! $FAKECTL reset-stats
SELECT id, name, state FROM flowsvc.connections WHERE id = '2c8d0e44-e71e-43a6-bf85-bf0ead64b56c';
\! $FAKECTL count GET
\! $FAKECTL log
-- an unknown id: 404 means no row, not an error
\! $FAKECTL reset-stats
SELECT id FROM flowsvc.connections WHERE id = '00000000-0000-0000-0000-000000000000';
\! $FAKECTL log
-- ids are percent-encoded into one path segment
SELECT id FROM flowsvc.connections WHERE id = 'a/b';
\! $FAKECTL log 1
SELECT id FROM flowsvc.connections WHERE id = '100%';
\! $FAKECTL log 1
SELECT id FROM flowsvc.connections WHERE id = 'two words?x=1#y';
\! $FAKECTL log 1
SELECT id FROM flowsvc.connections WHERE id = 'é日本🚀';
\! $FAKECTL log 1
-- dot segments too: the request must not become GET /connections/ or GET /
-- (either "/.." sent as is, or percent-encoded: shown decoded)
SELECT id FROM flowsvc.connections WHERE id = '..';
\! $FAKECTL log 1 | sed -e 's/%2[Ee]/./g'
SELECT id FROM flowsvc.connections WHERE id = '.';
\! $FAKECTL log 1 | sed -e 's/%2[Ee]/./g'
SELECT id FROM flowsvc.connections WHERE id = '2c8d0e44-e71e-43a6-bf85-bf0ead64b56c/../0bd4a990-0640-4e0f-a5b8-fd4b32fa2de8';
\! $FAKECTL log 1
-- an empty id matches nothing
SELECT id FROM flowsvc.connections WHERE id = '';

-- ===== LIMIT: no page beyond what is needed =====
\! $FAKECTL reset-stats
SELECT left(id, 8) AS id FROM flowsvc.connections LIMIT 5;
\! $FAKECTL count GET
\! $FAKECTL log
\! $FAKECTL reset-stats
SELECT count(*) FROM (SELECT id FROM flowsvc.connections LIMIT 100) s;
\! $FAKECTL count GET
\! $FAKECTL reset-stats
SELECT count(*) FROM (SELECT id FROM flowsvc.connections LIMIT 101) s;
\! $FAKECTL count GET

-- ===== local processing over the scan =====
CREATE TABLE spec_names (spec_id text PRIMARY KEY, label text);
INSERT INTO spec_names VALUES
    ('cfc0fee1-7dc0-40ef-b73e-d8b134c436f5', 'Salesforce'),
    ('ecadc60c-7455-4d87-84dc-2a0e293d997b', 'Amazon S3'),
    ('b7bf2577-4520-42c9-bae9-cad01560f7bc', 'SFTP');
SELECT s.label, count(*), count(*) FILTER (WHERE c.state = 'enabled') AS enabled
  FROM flowsvc.connections c JOIN spec_names s ON s.spec_id = c.connection_spec_id
 GROUP BY s.label ORDER BY s.label;
SELECT c.state, count(*) FROM flowsvc.connections c GROUP BY c.state ORDER BY c.state;
-- ORDER BY sorts, whether done locally or sent as orderby=
SELECT left(id, 8) AS id, created_at FROM flowsvc.connections ORDER BY created_at LIMIT 5;
SELECT left(id, 8) AS id, left(name, 30) AS name FROM flowsvc.connections ORDER BY name COLLATE "C" DESC LIMIT 5;
SELECT name FROM flowsvc.connections ORDER BY name COLLATE "C" LIMIT 3;
-- ORDER BY ... LIMIT gives the true first row
SELECT (SELECT created_at FROM flowsvc.connections ORDER BY created_at DESC LIMIT 1)
     = (SELECT max(created_at) FROM flowsvc.connections) AS true_max;

-- ===== EXPLAIN shows the remote request =====
EXPLAIN (VERBOSE, COSTS OFF) SELECT id, name FROM flowsvc.connections;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id, name FROM conns_p50;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id, name FROM flowsvc.connections WHERE id = '2c8d0e44-e71e-43a6-bf85-bf0ead64b56c';
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM flowsvc.connections WHERE id = 'a/b c%';
-- EXPLAIN ANALYZE adds what was really sent
SELECT * FROM explain_masked('SELECT id FROM flowsvc.connections');
SELECT * FROM explain_masked('SELECT id FROM conns_p50');
SELECT * FROM explain_masked($$SELECT id FROM flowsvc.connections WHERE id = '2c8d0e44-e71e-43a6-bf85-bf0ead64b56c'$$);
SELECT * FROM explain_masked($$SELECT id FROM flowsvc.connections WHERE id = 'nope'$$);
SELECT * FROM explain_masked('SELECT id FROM flowsvc.connections LIMIT 5');
-- no request at all for a plain EXPLAIN
\! $FAKECTL reset-stats
EXPLAIN (COSTS OFF) SELECT * FROM flowsvc.connections;
\! $FAKECTL count

-- ===== a uuid id column: the same lookup =====
\! $FAKECTL reset-stats
SELECT id, created_ms FROM conns_typed WHERE id = '2c8d0e44-e71e-43a6-bf85-bf0ead64b56c';
\! $FAKECTL log
SELECT id FROM conns_typed WHERE id = '00000000-0000-0000-0000-000000000000';
\! $FAKECTL log 1
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM conns_typed WHERE id = '2c8d0e44-e71e-43a6-bf85-bf0ead64b56c';

DROP TABLE spec_names;
DROP FUNCTION explain_masked(text);
DROP FOREIGN TABLE conns_typed, conns_bad;
-- ===== a bigint takes a whole number written as 5.0 =====
SELECT id AS some_id FROM flowsvc.connections OFFSET 5 LIMIT 1 \gset
\setenv SOME_ID :some_id
\! $FAKECTL set connections $SOME_ID extra.count 5.0
CREATE FOREIGN TABLE flowsvc.counted (id text, n bigint OPTIONS (path 'extra.count'),
                                      j jsonb OPTIONS (path 'extra'))
  SERVER flowsvc OPTIONS (resource 'connections');
SELECT n, j FROM flowsvc.counted WHERE id = :'some_id';
DROP FOREIGN TABLE flowsvc.counted;

DROP SCHEMA flowsvc CASCADE;
DROP EXTENSION flowsvc_fdw CASCADE;
