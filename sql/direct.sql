--
-- direct: UPDATE ... WHERE id = 'x' AND version = 'v' sends one PATCH and
-- no GET, with the same meaning as the scan-then-PATCH plan it replaces.
-- Each statement runs both ways on fresh data: direct, and forced through
-- the scan by an extra qual (AND length(version) > 0) the wrapper cannot
-- fold into the PATCH.
--
\getenv testdir FLOWSVC_TEST_DIR
\i :testdir/setup.sql

-- seeded items: position 14 (with a description), position 6 (without);
-- their versions are the same after every reset
SELECT id AS c14, version AS v14, updated_at AS u14 FROM flowsvc.connections OFFSET 14 LIMIT 1 \gset
SELECT id AS c6, version AS v6 FROM flowsvc.connections OFFSET 6 LIMIT 1 \gset
\setenv C14 :c14
\setenv C6 :c6
\echo :c14 :v14
\echo :c6 :v6

-- ===== the plans =====
EXPLAIN (VERBOSE, COSTS OFF)
UPDATE flowsvc.connections SET name = 'Direct' WHERE id = :'c14' AND version = :'v14';
EXPLAIN (VERBOSE, COSTS OFF)
UPDATE flowsvc.connections SET name = 'Direct' WHERE id = :'c14' AND version = :'v14'
  AND length(version) > 0;
-- RETURNING a column the PATCH's answer lacks: the GET that reads it back shows too
EXPLAIN (VERBOSE, COSTS OFF)
UPDATE flowsvc.connections SET name = 'Direct' WHERE id = :'c14' AND version = :'v14'
  RETURNING name, version, updated_at;
EXPLAIN (VERBOSE, COSTS OFF)
UPDATE flowsvc.connections SET name = 'Direct' WHERE id = :'c14' AND version = :'v14'
  AND length(version) > 0 RETURNING name, version, updated_at;
-- without the version, the scan reads it: not direct
EXPLAIN (VERBOSE, COSTS OFF)
UPDATE flowsvc.connections SET name = 'Direct' WHERE id = :'c14';

-- ===== current version: UPDATE 1 =====
\! $FAKECTL reset
UPDATE flowsvc.connections SET name = 'Direct' WHERE id = :'c14' AND version = :'v14';
\echo direct: rows updated: :ROW_COUNT
\! $FAKECTL log
\set if_match `$FAKECTL if-match`
SELECT :'if_match' = :'v14' AS if_match_is_given_version;
\! $FAKECTL item connections $C14 name
\! $FAKECTL item connections $C14 description
\! $FAKECTL reset
UPDATE flowsvc.connections SET name = 'Direct' WHERE id = :'c14' AND version = :'v14'
  AND length(version) > 0;
\echo scan: rows updated: :ROW_COUNT
\! $FAKECTL log
\set if_match `$FAKECTL if-match`
SELECT :'if_match' = :'v14' AS if_match_is_given_version;
\! $FAKECTL item connections $C14 name
\! $FAKECTL item connections $C14 description

-- ===== stale version: UPDATE 0 and nothing changed, no ERROR =====
-- (the scan's version qual filters the row out; the direct PATCH gets 412)
\! $FAKECTL reset
\! $FAKECTL bump connections $C14
\! $FAKECTL reset-stats
UPDATE flowsvc.connections SET name = 'Stale' WHERE id = :'c14' AND version = :'v14';
\echo direct: rows updated: :ROW_COUNT
\! $FAKECTL log
\! $FAKECTL item connections $C14 name
\! $FAKECTL reset
\! $FAKECTL bump connections $C14
\! $FAKECTL reset-stats
UPDATE flowsvc.connections SET name = 'Stale' WHERE id = :'c14' AND version = :'v14'
  AND length(version) > 0;
\echo scan: rows updated: :ROW_COUNT
\! $FAKECTL log
\! $FAKECTL item connections $C14 name
-- with RETURNING: no row either way
\! $FAKECTL reset
\! $FAKECTL bump connections $C14
UPDATE flowsvc.connections SET name = 'Stale' WHERE id = :'c14' AND version = :'v14'
  RETURNING id, name;
\! $FAKECTL reset
\! $FAKECTL bump connections $C14
UPDATE flowsvc.connections SET name = 'Stale' WHERE id = :'c14' AND version = :'v14'
  AND length(version) > 0 RETURNING id, name;
-- the version without its double quotes is not the version
\! $FAKECTL reset
UPDATE flowsvc.connections SET name = 'Unquoted' WHERE id = :'c14' AND version = btrim(:'v14', '"');
\echo direct: rows updated: :ROW_COUNT
\! $FAKECTL reset
UPDATE flowsvc.connections SET name = 'Unquoted' WHERE id = :'c14' AND version = btrim(:'v14', '"')
  AND length(version) > 0;
\echo scan: rows updated: :ROW_COUNT
\! $FAKECTL item connections $C14 name
-- a transaction block goes on: UPDATE 0 is not an error
BEGIN;
UPDATE flowsvc.connections SET name = 'Stale' WHERE id = :'c14' AND version = '"not-the-version"';
\echo direct: rows updated: :ROW_COUNT
SELECT name FROM flowsvc.connections WHERE id = :'c14';
COMMIT;

-- ===== unknown id: UPDATE 0 =====
\! $FAKECTL reset
UPDATE flowsvc.connections SET name = 'Nobody' WHERE id = '00000000-0000-4000-8000-000000000000'
  AND version = :'v14';
\echo direct: rows updated: :ROW_COUNT
\! $FAKECTL log
\! $FAKECTL reset
UPDATE flowsvc.connections SET name = 'Nobody' WHERE id = '00000000-0000-4000-8000-000000000000'
  AND version = :'v14' AND length(version) > 0;
\echo scan: rows updated: :ROW_COUNT
\! $FAKECTL log

-- ===== RETURNING name, version: the new version from the PATCH's answer =====
-- (direct: the PATCH alone; scan: its GET and the PATCH, nothing read back)
\! $FAKECTL reset
UPDATE flowsvc.connections SET name = 'Returned' WHERE id = :'c14' AND version = :'v14'
  RETURNING id, name, version AS new_v \gset
\echo direct: rows updated: :ROW_COUNT
\! $FAKECTL log
\set stored_v `$FAKECTL item connections $C14 version`
SELECT :'id' = :'c14' AS same_id, :'name' AS name,
       :'new_v' <> :'v14' AS version_changed, :'new_v' = :'stored_v' AS version_is_remote_one;
\! $FAKECTL reset
UPDATE flowsvc.connections SET name = 'Returned' WHERE id = :'c14' AND version = :'v14'
  AND length(version) > 0
  RETURNING id, name, version AS new_v \gset
\echo scan: rows updated: :ROW_COUNT
\! $FAKECTL log
\set stored_v `$FAKECTL item connections $C14 version`
SELECT :'id' = :'c14' AS same_id, :'name' AS name,
       :'new_v' <> :'v14' AS version_changed, :'new_v' = :'stored_v' AS version_is_remote_one;

-- ===== RETURNING updated_at: read back after the PATCH =====
\! $FAKECTL reset
UPDATE flowsvc.connections SET description = 'Read back' WHERE id = :'c14' AND version = :'v14'
  RETURNING name, description, state, updated_at > :'u14' AS updated_at_moved,
            updated_at AS new_u \gset
\echo direct: rows updated: :ROW_COUNT
\! $FAKECTL log
\set stored_ms `$FAKECTL item connections $C14 updatedAt`
SELECT :'name' AS name, :'description' AS description, :'state' AS state,
       :'updated_at_moved' AS updated_at_moved,
       :'new_u'::timestamptz = to_timestamp(:stored_ms / 1000.0) AS updated_at_is_remote_one;
\! $FAKECTL reset
UPDATE flowsvc.connections SET description = 'Read back' WHERE id = :'c14' AND version = :'v14'
  AND length(version) > 0
  RETURNING name, description, state, updated_at > :'u14' AS updated_at_moved,
            updated_at AS new_u \gset
\echo scan: rows updated: :ROW_COUNT
\! $FAKECTL log
\set stored_ms `$FAKECTL item connections $C14 updatedAt`
SELECT :'name' AS name, :'description' AS description, :'state' AS state,
       :'updated_at_moved' AS updated_at_moved,
       :'new_u'::timestamptz = to_timestamp(:stored_ms / 1000.0) AS updated_at_is_remote_one;

-- ===== a field the item does not have yet (position 6 has no description) =====
\! $FAKECTL reset
UPDATE flowsvc.connections SET description = 'First description' WHERE id = :'c6' AND version = :'v6'
  RETURNING name, description;
\! $FAKECTL item connections $C6 description
\! $FAKECTL reset
UPDATE flowsvc.connections SET description = 'First description' WHERE id = :'c6' AND version = :'v6'
  AND length(version) > 0 RETURNING name, description;
\! $FAKECTL item connections $C6 description

-- ===== refused columns are refused the direct way too, before any request =====
\! $FAKECTL reset-stats
UPDATE flowsvc.connections SET state = 'disabled' WHERE id = :'c14' AND version = :'v14';
\! $FAKECTL count

-- ===== an API refusal the direct way is the same clean ERROR =====
\! $FAKECTL reset
\! $FAKECTL set connections $C14 state '"failed"'
UPDATE flowsvc.connections SET name = 'Failed' WHERE id = :'c14' AND version = :'v14';
UPDATE flowsvc.connections SET name = 'Failed' WHERE id = :'c14' AND version = :'v14'
  AND length(version) > 0;
\! $FAKECTL item connections $C14 name

DROP SCHEMA flowsvc CASCADE;
DROP EXTENSION flowsvc_fdw CASCADE;
