--
-- pushdown: quals, joins and writes sent to the API (issue 4, design.md section 2)
--
\getenv testdir FLOWSVC_TEST_DIR
\i :testdir/setup.sql
SET timezone = 'UTC';

-- ===== results with pushdown equal results evaluated locally =====
CREATE TABLE local_conns AS SELECT * FROM flowsvc.connections;
SELECT count(*) FROM local_conns;

-- cond | rows | same: the ids selected through the wrapper and from the local copy
CREATE FUNCTION check_pd(cond text, ftab text DEFAULT 'flowsvc.connections',
                         ltab text DEFAULT 'local_conns') RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    remote_ids text[];
    local_ids text[];
BEGIN
    EXECUTE format('SELECT array_agg(id::text ORDER BY id::text) FROM %s WHERE %s', ftab, cond)
        INTO remote_ids;
    EXECUTE format('SELECT array_agg(id::text ORDER BY id::text) FROM %s WHERE %s', ltab, cond)
        INTO local_ids;
    RETURN format('%s | %s | %s', cond, coalesce(cardinality(local_ids), 0),
                  CASE WHEN remote_ids IS NOT DISTINCT FROM local_ids THEN 'same'
                       ELSE 'DIFFERENT: ' || coalesce(cardinality(remote_ids), 0) || ' rows' END);
END
$$;

SELECT check_pd(cond) FROM unnest(ARRAY[
    -- equality on a top-level and on a nested path
    $c$state = 'disabled'$c$,
    $c$state = 'enabled'$c$,
    $c$'initializing' = state$c$,
    $c$state = 'no such state'$c$,
    $c$state = 'ENABLED'$c$,
    $c$state = ''$c$,
    $c$connection_spec_id = 'b7bf2577-4520-42c9-bae9-cad01560f7bc'$c$,
    $c$connection_spec_version = '1.0'$c$,
    $c$ims_org_id = 'TESTORG@AdobeOrg'$c$,
    -- IN lists and = ANY(array)
    $c$id IN ('bdd640fb-0667-4ad1-9c80-317fa3b1799d', '2c8d0e44-e71e-43a6-bf85-bf0ead64b56c', 'nope')$c$,
    $c$id = ANY (ARRAY['bdd640fb-0667-4ad1-9c80-317fa3b1799d', NULL, 'bdd640fb-0667-4ad1-9c80-317fa3b1799d'])$c$,
    $c$id = ANY (ARRAY['x,y', '2c8d0e44-e71e-43a6-bf85-bf0ead64b56c'])$c$,
    $c$id = ANY ('{}'::text[])$c$,
    $c$id = ANY (ARRAY[NULL]::text[])$c$,
    $c$state IN ('disabled', 'initializing')$c$,
    $c$state IN ('disabled', NULL, 'disabled')$c$,
    $c$connection_spec_id = ANY (ARRAY['b7bf2577-4520-42c9-bae9-cad01560f7bc', 'cfc0fee1-7dc0-40ef-b73e-d8b134c436f5'])$c$,
    $c$name IN ('a,b&c+d%e/f=g#h', 'SFTP nightly 10')$c$,
    $c$state <> ALL (ARRAY['enabled'])$c$,
    -- timestamps at exact millisecond boundaries and between them
    $c$created_at = '2022-06-28 21:22:24.215+00'$c$,
    $c$created_at = '2022-06-28 21:22:24.215001+00'$c$,
    $c$created_at > '2022-06-28 21:22:24.215+00'$c$,
    $c$created_at >= '2022-06-28 21:22:24.215+00'$c$,
    $c$created_at < '2022-06-28 21:22:24.215+00'$c$,
    $c$created_at <= '2022-06-28 21:22:24.215+00'$c$,
    $c$created_at > '2022-06-28 21:22:24.215001+00'$c$,
    $c$created_at >= '2022-06-28 21:22:24.215001+00'$c$,
    $c$created_at < '2022-06-28 21:22:24.215001+00'$c$,
    $c$created_at <= '2022-06-28 21:22:24.215001+00'$c$,
    $c$created_at > '2022-06-28 21:22:24.214999+00'$c$,
    $c$created_at >= '2022-06-28 21:22:24.214999+00'$c$,
    $c$created_at < '2022-06-28 21:22:24.214999+00'$c$,
    $c$created_at <= '2022-06-28 21:22:24.214999+00'$c$,
    $c$'2022-06-28 21:22:24.215+00' < created_at$c$,
    $c$created_at > timestamptz '2022-06-28 21:22:24.215+00' + interval '1 microsecond'$c$,
    $c$created_at BETWEEN '2021-01-01' AND '2021-12-31 23:59:59.999999'$c$,
    $c$created_at > 'infinity'$c$,
    $c$created_at < 'infinity'$c$,
    $c$created_at > '-infinity'$c$,
    $c$created_at > '2021-06-01 00:00:00+02'$c$,
    $c$created_at > now() - interval '100 years'$c$,
    $c$created_at::date = '2021-11-25'$c$,
    $c$updated_at >= created_at$c$,
    $c$updated_at = created_at$c$,
    -- operators the API lacks stay local
    $c$state <> 'enabled'$c$,
    $c$name LIKE 'SFTP%'$c$,
    $c$name ILIKE '%é%'$c$,
    $c$description IS NULL$c$,
    $c$description IS NOT NULL$c$,
    $c$description = ''$c$,
    $c$state = 'disabled' OR connection_spec_id = 'b7bf2577-4520-42c9-bae9-cad01560f7bc'$c$,
    $c$lower(name) = 'sftp nightly 10'$c$,
    $c$auth->>'specName' = 'Basic Authentication'$c$,
    $c$NOT (state = 'enabled')$c$,
    -- pushed and local quals mixed
    $c$state = 'enabled' AND name LIKE '%prod%'$c$,
    $c$state = 'enabled' AND created_at > '2024-01-01' AND description IS NULL$c$,
    $c$connection_spec_id = '6d8a4b8c-0e6f-4b4c-9f43-2a1f5e7c8d90' AND state IN ('disabled', 'initializing')$c$,
    $c$id = '2c8d0e44-e71e-43a6-bf85-bf0ead64b56c' AND state = 'enabled'$c$,
    $c$id = '2c8d0e44-e71e-43a6-bf85-bf0ead64b56c' AND state = 'disabled'$c$,
    $c$id = '43dac043-2a45-42ab-8cbf-edb0f264accc' AND id = '2c8d0e44-e71e-43a6-bf85-bf0ead64b56c'$c$,
    -- awkward text values
    $c$name = 'a,b&c+d%e/f=g#h'$c$,
    $c$name = E'Quote "q" and back\\slash \\\\ done'$c$,
    $c$name = 'Café société — résumé é'$c$,
    $c$name = '日本語の接続 (東京)'$c$,
    $c$name = 'Rocket 🚀 connection'$c$,
    $c$name = 'sftp nightly 10'$c$,
    $c$name = 'SFTP nightly 10 '$c$,
    $c$name = 'x==y&property=state==enabled'$c$,
    $c$name = repeat('Very long connection name ', 20)$c$,
    $c$name = left(repeat('Very long connection name ', 20), 296) || ' end'$c$,
    $c$id = ''$c$
]) WITH ORDINALITY AS u(cond, n) ORDER BY n;

-- ===== the requests sent =====
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM flowsvc.connections WHERE state = 'disabled';
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM flowsvc.connections WHERE connection_spec_id = 'b7bf2577-4520-42c9-bae9-cad01560f7bc';
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM flowsvc.connections WHERE created_at > '2022-06-28 21:22:24.215+00';
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM flowsvc.connections WHERE created_at >= '2022-06-28 21:22:24.215001+00' AND created_at < '2023-01-01';
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM flowsvc.connections WHERE created_at = '2022-06-28 21:22:24.215+00';
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM flowsvc.connections WHERE created_at = '2022-06-28 21:22:24.215001+00';
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM flowsvc.connections WHERE id = '2c8d0e44-e71e-43a6-bf85-bf0ead64b56c';
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM flowsvc.connections WHERE id = '2c8d0e44-e71e-43a6-bf85-bf0ead64b56c' AND state = 'enabled';
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM flowsvc.connections WHERE id IN ('a', 'b', 'c');
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM flowsvc.connections WHERE id = ANY (ARRAY['a', NULL, 'b', 'a']);
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM flowsvc.connections WHERE id IN ('a', 'x,y');
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM flowsvc.connections WHERE name = 'a,b&c+d%e/f=g#h';
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM flowsvc.connections WHERE name = E'Quote "q" and back\\slash \\\\ done';
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM flowsvc.connections WHERE name = '日本語の接続 (東京)';
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM flowsvc.connections WHERE state <> 'enabled' AND name LIKE 'SFTP%';
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM flowsvc.connections WHERE state = 'enabled' AND (description IS NULL OR lower(name) = 'x');
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM flowsvc.connections WHERE created_at > now() - interval '100 years';
-- what the API receives, percent-encoded
\! $FAKECTL reset-stats
SELECT id FROM flowsvc.connections WHERE name = E'Quote "q" and back\\slash \\\\ done';
SELECT id FROM flowsvc.connections WHERE name = '日本語の接続 (東京)';
SELECT id FROM flowsvc.connections WHERE name = 'x==y&property=state==enabled';
SELECT count(DISTINCT id) FROM flowsvc.connections WHERE id IN ('bdd640fb-0667-4ad1-9c80-317fa3b1799d', '2c8d0e44-e71e-43a6-bf85-bf0ead64b56c', 'nope', 'a b');
SELECT count(DISTINCT id) FROM flowsvc.connections WHERE created_at >= '2022-06-28 21:22:24.214999+00';
\! $FAKECTL log

-- a long IN list goes out in batches of 50, and EXPLAIN says so
SELECT array_agg('id-' || n ORDER BY n) AS many_ids FROM generate_series(1, 120) n \gset
EXPLAIN (VERBOSE, COSTS OFF)
SELECT id FROM flowsvc.connections WHERE id = ANY (:'many_ids'::text[]);

-- the end of the timestamp range: no overflow, the filter stays local
EXPLAIN (VERBOSE, COSTS OFF)
SELECT id FROM flowsvc.connections WHERE created_at < '294270-01-01+00';
SELECT count(*) FROM flowsvc.connections WHERE created_at < '294270-01-01+00';
-- numbers are compared as doubles by the API: only values a double holds go
CREATE FOREIGN TABLE flowsvc.conn_ms (id text, created_ms numeric OPTIONS (path 'createdAt'),
                                      created_big bigint OPTIONS (path 'createdAt'))
  SERVER flowsvc OPTIONS (resource 'connections');
SELECT created_ms AS some_ms FROM flowsvc.conn_ms LIMIT 1 \gset
EXPLAIN (VERBOSE, COSTS OFF)
SELECT id FROM flowsvc.conn_ms WHERE created_ms = :some_ms;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT id FROM flowsvc.conn_ms WHERE created_ms = :some_ms + 0.0000000000000001;
SELECT count(*) FROM flowsvc.conn_ms WHERE created_ms = :some_ms + 0.0000000000000001;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT id FROM flowsvc.conn_ms WHERE created_big > 9007199254740993;
DROP FOREIGN TABLE flowsvc.conn_ms;
-- a column whose name is no JSON path is refused, with a hint
CREATE FOREIGN TABLE flowsvc.dotted (id text, "." text)
  SERVER flowsvc OPTIONS (resource 'connections');
SELECT id FROM flowsvc.dotted LIMIT 1;
DROP FOREIGN TABLE flowsvc.dotted;
-- If-Match takes one strong entity tag: anything else goes through the scan
EXPLAIN (COSTS OFF)
UPDATE flowsvc.connections SET name = 'x' WHERE id = 'bdd640fb-0667-4ad1-9c80-317fa3b1799d' AND version = '*';

-- ===== only the matching pages are fetched =====
\! $FAKECTL seed 2500
\! $FAKECTL reset-stats
SELECT count(*), count(DISTINCT id) FROM flowsvc.connections WHERE state = 'disabled';
\! $FAKECTL count GET
\! $FAKECTL log | sed -n 1p
\! $FAKECTL reset-stats
SELECT count(DISTINCT id) FROM flowsvc.connections WHERE state = 'disabled' AND connection_spec_id = 'b7bf2577-4520-42c9-bae9-cad01560f7bc';
\! $FAKECTL count GET
\! $FAKECTL log 1
\! $FAKECTL reset-stats
SELECT name FROM flowsvc.connections WHERE id = '2c8d0e44-e71e-43a6-bf85-bf0ead64b56c';
\! $FAKECTL count GET
-- 120 ids: batches of property=id==a,b,c
\! $FAKECTL reset-stats
SELECT count(DISTINCT id) FROM flowsvc.connections
 WHERE id = ANY ((SELECT array_agg(id) FROM local_conns)::text[] || ARRAY['nope']);
\! $FAKECTL count GET
\! $FAKECTL log | cut -c1-90
\! $FAKECTL seed 120

-- ===== parameters: the generic plan sends $1 =====
SET plan_cache_mode = force_generic_plan;
PREPARE by_state(text) AS
SELECT (SELECT array_agg(id ORDER BY id) FROM flowsvc.connections WHERE state = $1)
       IS NOT DISTINCT FROM
       (SELECT array_agg(id ORDER BY id) FROM local_conns WHERE state = $1) AS same,
       (SELECT count(*) FROM local_conns WHERE state = $1) AS n;
PREPARE ids_by_state(text) AS SELECT id FROM flowsvc.connections WHERE state = $1;
EXPLAIN (VERBOSE, COSTS OFF) EXECUTE ids_by_state('disabled');
EXECUTE by_state('disabled');
EXECUTE by_state('enabled');
EXECUTE by_state('initializing');
EXECUTE by_state('enabled,disabled');
EXECUTE by_state(NULL);
EXECUTE by_state('');
EXECUTE by_state('disabled');
PREPARE by_name(text) AS
SELECT (SELECT array_agg(id ORDER BY id) FROM flowsvc.connections WHERE name = $1)
       IS NOT DISTINCT FROM
       (SELECT array_agg(id ORDER BY id) FROM local_conns WHERE name = $1) AS same,
       (SELECT count(*) FROM local_conns WHERE name = $1) AS n;
EXECUTE by_name('a,b&c+d%e/f=g#h');
EXECUTE by_name(E'Quote "q" and back\\slash \\\\ done');
EXECUTE by_name('日本語の接続 (東京)');
EXECUTE by_name('Rocket 🚀 connection');
EXECUTE by_name('SFTP nightly 10');
EXECUTE by_name('nope');
PREPARE by_id(text) AS
SELECT (SELECT array_agg(id ORDER BY id) FROM flowsvc.connections WHERE id = $1)
       IS NOT DISTINCT FROM
       (SELECT array_agg(id ORDER BY id) FROM local_conns WHERE id = $1) AS same,
       (SELECT count(*) FROM local_conns WHERE id = $1) AS n;
PREPARE ids_by_id(text) AS SELECT id FROM flowsvc.connections WHERE id = $1;
EXPLAIN (VERBOSE, COSTS OFF) EXECUTE ids_by_id('x');
EXECUTE by_id('2c8d0e44-e71e-43a6-bf85-bf0ead64b56c');
EXECUTE by_id('bdd640fb-0667-4ad1-9c80-317fa3b1799d');
EXECUTE by_id('a/b');
EXECUTE by_id('x,y');
EXECUTE by_id('');
EXECUTE by_id(NULL);
\! $FAKECTL reset-stats
EXECUTE by_id('43dac043-2a45-42ab-8cbf-edb0f264accc');
\! $FAKECTL log
PREPARE since(timestamptz) AS
SELECT (SELECT array_agg(id ORDER BY id) FROM flowsvc.connections WHERE created_at > $1)
       IS NOT DISTINCT FROM
       (SELECT array_agg(id ORDER BY id) FROM local_conns WHERE created_at > $1) AS same,
       (SELECT count(*) FROM local_conns WHERE created_at > $1) AS n;
PREPARE ids_since(timestamptz) AS SELECT id FROM flowsvc.connections WHERE created_at > $1;
EXPLAIN (VERBOSE, COSTS OFF) EXECUTE ids_since(now());
EXECUTE since('2022-06-28 21:22:24.215+00');
EXECUTE since('2022-06-28 21:22:24.215001+00');
EXECUTE since('2022-06-28 21:22:24.214999+00');
EXECUTE since('2019-01-01');
EXECUTE since('infinity');
EXECUTE since('-infinity');
EXECUTE since(NULL);
PREPARE until(timestamptz) AS
SELECT (SELECT array_agg(id ORDER BY id) FROM flowsvc.connections WHERE created_at <= $1)
       IS NOT DISTINCT FROM
       (SELECT array_agg(id ORDER BY id) FROM local_conns WHERE created_at <= $1) AS same,
       (SELECT count(*) FROM local_conns WHERE created_at <= $1) AS n;
EXECUTE until('2022-06-28 21:22:24.215+00');
EXECUTE until('2022-06-28 21:22:24.214999+00');
EXECUTE until('2022-06-28 21:22:24.215001+00');
EXECUTE until('2030-01-01');
EXECUTE until('infinity');
EXECUTE until('-infinity');
PREPARE any_state(text[]) AS
SELECT (SELECT array_agg(id ORDER BY id) FROM flowsvc.connections WHERE state = ANY ($1))
       IS NOT DISTINCT FROM
       (SELECT array_agg(id ORDER BY id) FROM local_conns WHERE state = ANY ($1)) AS same,
       (SELECT count(*) FROM local_conns WHERE state = ANY ($1)) AS n;
PREPARE ids_any_state(text[]) AS SELECT id FROM flowsvc.connections WHERE state = ANY ($1);
EXPLAIN (VERBOSE, COSTS OFF) EXECUTE ids_any_state('{disabled}');
EXECUTE any_state('{disabled}');
EXECUTE any_state('{disabled,initializing}');
EXECUTE any_state('{disabled,NULL,disabled}');
EXECUTE any_state('{"enabled,disabled",initializing}');
EXECUTE any_state('{}');
EXECUTE any_state('{NULL}');
EXECUTE any_state(NULL);
RESET plan_cache_mode;
DEALLOCATE ALL;

-- ===== other column types =====
CREATE FOREIGN TABLE conns_typed (
    id text,
    created_ms bigint OPTIONS (path 'createdAt'),
    created_num numeric OPTIONS (path 'createdAt'),
    created_f float8 OPTIONS (path 'createdAt'),
    created_txt text OPTIONS (path 'createdAt'),
    port int OPTIONS (path 'auth.params.port'),
    large_files boolean OPTIONS (path 'auth.params.largeFileSupport'),
    spec_uuid uuid OPTIONS (path 'connectionSpec.id')
) SERVER flowsvc OPTIONS (resource 'connections');
CREATE TABLE local_typed AS SELECT * FROM conns_typed;
SELECT check_pd(cond, 'conns_typed', 'local_typed') FROM unnest(ARRAY[
    $c$created_ms = 1656451344215$c$,
    $c$created_ms > 1656451344215$c$,
    $c$created_ms <= 1656451344215$c$,
    $c$created_num = 1656451344215$c$,
    $c$created_num > 1656451344214.5$c$,
    $c$created_num < 1656451344215.5$c$,
    $c$created_num = 1656451344215.0$c$,
    $c$created_f >= 1656451344215$c$,
    $c$created_f = 1656451344215$c$,
    $c$created_txt = '1656451344215'$c$,
    $c$created_txt = '1656451344215.0'$c$,
    $c$created_txt = '1.656451344215e12'$c$,
    $c$port = 22$c$,
    $c$port > 21$c$,
    $c$large_files = true$c$,
    $c$large_files = false$c$,
    $c$large_files$c$,
    $c$NOT large_files$c$,
    $c$spec_uuid = 'b7bf2577-4520-42c9-bae9-cad01560f7bc'$c$,
    $c$spec_uuid = 'B7BF2577-4520-42C9-BAE9-CAD01560F7BC'$c$,
    $c$spec_uuid IN ('b7bf2577-4520-42c9-bae9-cad01560f7bc', 'cfc0fee1-7dc0-40ef-b73e-d8b134c436f5')$c$
]) WITH ORDINALITY AS u(cond, n) ORDER BY n;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM conns_typed WHERE created_num > 1656451344214.5 AND port = 22 AND large_files = true;

-- ===== sorts, limits and counts equal their local results =====
SELECT (SELECT array_agg(id) FROM (SELECT id FROM flowsvc.connections ORDER BY created_at LIMIT 7) f)
     = (SELECT array_agg(id) FROM (SELECT id FROM local_conns ORDER BY created_at LIMIT 7) l) AS asc_same,
       (SELECT array_agg(id) FROM (SELECT id FROM flowsvc.connections ORDER BY created_at DESC LIMIT 7) f)
     = (SELECT array_agg(id) FROM (SELECT id FROM local_conns ORDER BY created_at DESC LIMIT 7) l) AS desc_same,
       (SELECT array_agg(id) FROM (SELECT id FROM flowsvc.connections WHERE state = 'disabled' ORDER BY updated_at, id LIMIT 7) f)
     = (SELECT array_agg(id) FROM (SELECT id FROM local_conns WHERE state = 'disabled' ORDER BY updated_at, id LIMIT 7) l) AS filtered_same,
       (SELECT array_agg(id) FROM (SELECT id FROM flowsvc.connections ORDER BY name COLLATE "C", id LIMIT 7) f)
     = (SELECT array_agg(id) FROM (SELECT id FROM local_conns ORDER BY name COLLATE "C", id LIMIT 7) l) AS name_same,
       (SELECT array_agg(id) FROM (SELECT id FROM flowsvc.connections ORDER BY created_at LIMIT 5 OFFSET 100) f)
     = (SELECT array_agg(id) FROM (SELECT id FROM local_conns ORDER BY created_at LIMIT 5 OFFSET 100) l) AS offset_same;
SELECT (SELECT count(*) FROM flowsvc.connections) = (SELECT count(*) FROM local_conns) AS all_same,
       (SELECT count(*) FROM flowsvc.connections WHERE state = 'disabled')
     = (SELECT count(*) FROM local_conns WHERE state = 'disabled') AS state_same,
       (SELECT count(*) FROM flowsvc.connections WHERE state = 'disabled' AND name LIKE '%S%')
     = (SELECT count(*) FROM local_conns WHERE state = 'disabled' AND name LIKE '%S%') AS mixed_same,
       (SELECT count(*) FROM flowsvc.connections WHERE created_at > '2022-06-28 21:22:24.215001+00')
     = (SELECT count(*) FROM local_conns WHERE created_at > '2022-06-28 21:22:24.215001+00') AS ts_same,
       (SELECT count(*) FROM flowsvc.connections WHERE name = 'a,b&c+d%e/f=g#h')
     = (SELECT count(*) FROM local_conns WHERE name = 'a,b&c+d%e/f=g#h') AS comma_same;

-- ===== joins with a local table: one GET per outer row =====
CREATE TABLE inventory (connection_id text, owner text);
INSERT INTO inventory VALUES
    ('2c8d0e44-e71e-43a6-bf85-bf0ead64b56c', 'alice'),
    ('43dac043-2a45-42ab-8cbf-edb0f264accc', 'bob'),
    ('00000000-0000-0000-0000-000000000000', 'carol');
ANALYZE inventory;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT i.owner, c.id, c.name, c.state
  FROM inventory i JOIN flowsvc.connections c ON c.id = i.connection_id;
\! $FAKECTL reset-stats
SELECT i.owner, c.id, c.name, c.state
  FROM inventory i JOIN flowsvc.connections c ON c.id = i.connection_id
 ORDER BY i.owner;
\! test "$($FAKECTL count GET)" -le 4 && echo "at most 4 GETs"
\! $FAKECTL log | sort
-- an outer join keeps the inventory row without a connection
SELECT i.owner, c.name
  FROM inventory i LEFT JOIN flowsvc.connections c ON c.id = i.connection_id
 ORDER BY i.owner;
-- a local qual on the inner side is still checked
SELECT i.owner, c.name
  FROM inventory i JOIN flowsvc.connections c ON c.id = i.connection_id
 WHERE c.state = 'enabled'
 ORDER BY i.owner;
-- a large outer side: a full scan and a hash join may be cheaper than 300 GETs
INSERT INTO inventory SELECT id, 'bulk' FROM local_conns;
INSERT INTO inventory SELECT 'missing-' || g, 'bulk' FROM generate_series(1, 180) g;
ANALYZE inventory;
EXPLAIN (COSTS OFF)
SELECT i.owner, c.id, c.name
  FROM inventory i JOIN flowsvc.connections c ON c.id = i.connection_id;
\! $FAKECTL reset-stats
SELECT count(*), count(DISTINCT c.id), count(*) FILTER (WHERE i.owner <> 'bulk') AS named
  FROM inventory i JOIN flowsvc.connections c ON c.id = i.connection_id;
SELECT count(*) FROM inventory i JOIN local_conns c ON c.id = i.connection_id;

-- ===== UPDATE with id and version known: one PATCH, no GET =====
SELECT version AS old_version FROM flowsvc.connections
 WHERE id = '2c8d0e44-e71e-43a6-bf85-bf0ead64b56c' \gset
\! $FAKECTL reset-stats
UPDATE flowsvc.connections SET description = 'patched by pushdown'
 WHERE id = '2c8d0e44-e71e-43a6-bf85-bf0ead64b56c' AND version = :'old_version';
SELECT :ROW_COUNT AS updated;
\! $FAKECTL count GET
\! $FAKECTL count PATCH
\! $FAKECTL log
-- If-Match is the version as read, double quotes included
\! $FAKECTL if-match
SELECT :'old_version' ~ '^"[^"]+"$' AS quoted;
SELECT description, version <> :'old_version' AS new_version
  FROM flowsvc.connections WHERE id = '2c8d0e44-e71e-43a6-bf85-bf0ead64b56c';
-- the same statement again: the version no longer matches, no row is updated
\! $FAKECTL reset-stats
UPDATE flowsvc.connections SET description = 'stale'
 WHERE id = '2c8d0e44-e71e-43a6-bf85-bf0ead64b56c' AND version = :'old_version';
SELECT :ROW_COUNT AS updated;
\! $FAKECTL count PATCH
SELECT description FROM flowsvc.connections WHERE id = '2c8d0e44-e71e-43a6-bf85-bf0ead64b56c';

\! $FAKECTL reset
DROP TABLE inventory, local_conns, local_typed;
DROP FUNCTION check_pd(text, text, text);
DROP FOREIGN TABLE conns_typed;
DROP SCHEMA flowsvc CASCADE;
DROP EXTENSION flowsvc_fdw CASCADE;
