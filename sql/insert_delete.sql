--
-- insert_delete: INSERT as POST, DELETE with If-Match
--
\getenv testdir FLOWSVC_TEST_DIR
\i :testdir/setup.sql

SELECT count(*) AS connections FROM flowsvc.connections;

-- ===== INSERT: one POST with the mapped fields, nested paths as objects =====
\! $FAKECTL reset-stats
INSERT INTO flowsvc.connections (name, description, auth, connection_spec_id, connection_spec_version)
VALUES ('New S3 bucket', 'created from SQL',
        '{"specName": "Access Key", "params": {"s3AccessKey": "AKIAEXAMPLE", "s3SecretKey": "secret"}}',
        'ecadc60c-7455-4d87-84dc-2a0e293d997b', '1.0')
RETURNING id IS NOT NULL AS has_id, version LIKE '"%"' AS quoted_version;
-- id and version come from the POST's answer: nothing is read back
\! $FAKECTL log
SELECT id AS new1 FROM flowsvc.connections WHERE name = 'New S3 bucket' \gset
\setenv NEW1 :new1
\! $FAKECTL item connections $NEW1 connectionSpec
\! $FAKECTL item connections $NEW1 auth
\! $FAKECTL item connections $NEW1 description
\! $FAKECTL item connections $NEW1 state
SELECT name, description, state, connection_spec_id, connection_spec_version,
       auth->'params'->>'s3AccessKey' AS access_key
  FROM flowsvc.connections WHERE id = :'new1';
SELECT count(*) AS connections FROM flowsvc.connections;

-- RETURNING id, version: the values the API holds
INSERT INTO flowsvc.connections (name, auth, connection_spec_id, connection_spec_version)
VALUES ('No description', '{"specName": "Basic Authentication", "params": {"username": "u", "password": "p"}}',
        'cfc0fee1-7dc0-40ef-b73e-d8b134c436f5', '1.0')
RETURNING id AS new2, version AS new2_v \gset
\setenv NEW2 :new2
\set stored_v `$FAKECTL item connections $NEW2 version`
SELECT :'new2_v' = :'stored_v' AS version_is_remote_one;
-- a NULL column is left out of the body
\! $FAKECTL item connections $NEW2 description

-- RETURNING created_at (not in the POST's answer): the row is read back
\! $FAKECTL reset-stats
INSERT INTO flowsvc.connections (name, auth, connection_spec_id, connection_spec_version)
VALUES ('Read back', '{"specName": "OAuth2", "params": {"project": "p"}}',
        '3c9b37f8-13a6-43d8-bad3-b863b941fedd', '1.0')
RETURNING created_at IS NOT NULL AS has_created_at, state, created_at = updated_at AS fresh;
\! $FAKECTL count POST
\! $FAKECTL count GET

-- several rows: one POST each
\! $FAKECTL reset-stats
INSERT INTO flowsvc.connections (name, auth, connection_spec_id, connection_spec_version)
SELECT 'Batch ' || g, '{"specName": "Basic Authentication", "params": {}}',
       'cfc0fee1-7dc0-40ef-b73e-d8b134c436f5', '1.0'
  FROM generate_series(1, 3) g;
\echo rows inserted: :ROW_COUNT
\! $FAKECTL count POST
SELECT name FROM flowsvc.connections WHERE name LIKE 'Batch %' ORDER BY name;

-- ===== INSERT of a column the API assigns itself: ERROR before any request =====
\! $FAKECTL reset-stats
INSERT INTO flowsvc.connections (id, name, auth, connection_spec_id, connection_spec_version)
VALUES ('my-own-id', 'x', '{"specName": "Basic Authentication", "params": {}}',
        'cfc0fee1-7dc0-40ef-b73e-d8b134c436f5', '1.0');
INSERT INTO flowsvc.connections (name, state, auth, connection_spec_id, connection_spec_version)
VALUES ('x', 'disabled', '{"specName": "Basic Authentication", "params": {}}',
        'cfc0fee1-7dc0-40ef-b73e-d8b134c436f5', '1.0');
INSERT INTO flowsvc.connections (name, created_at, auth, connection_spec_id, connection_spec_version)
VALUES ('x', now(), '{"specName": "Basic Authentication", "params": {}}',
        'cfc0fee1-7dc0-40ef-b73e-d8b134c436f5', '1.0');
\! $FAKECTL count
-- NULL is fine (nothing is sent for it); a value in any row refuses the
-- whole statement before the first POST
INSERT INTO flowsvc.connections (name, state, auth, connection_spec_id, connection_spec_version)
VALUES ('state left NULL', NULL, '{"specName": "Basic Authentication", "params": {}}',
        'cfc0fee1-7dc0-40ef-b73e-d8b134c436f5', '1.0'),
       ('state set', 'disabled', '{"specName": "Basic Authentication", "params": {}}',
        'cfc0fee1-7dc0-40ef-b73e-d8b134c436f5', '1.0');
\! $FAKECTL count
DELETE FROM flowsvc.connections WHERE name = 'state left NULL';
INSERT INTO flowsvc.connections (id, name, state, auth, connection_spec_id, connection_spec_version)
VALUES (NULL, 'Nulls are fine', NULL, '{"specName": "Basic Authentication", "params": {}}',
        'cfc0fee1-7dc0-40ef-b73e-d8b134c436f5', '1.0')
RETURNING id IS NOT NULL AS has_id, name;
DELETE FROM flowsvc.connections WHERE name = 'Nulls are fine' RETURNING name;

-- ===== the API's refusals are clean ERRORs with its message =====
INSERT INTO flowsvc.connections (name, auth, connection_spec_id, connection_spec_version)
VALUES ('Unknown spec', '{"specName": "Basic Authentication", "params": {}}',
        '00000000-0000-4000-8000-000000000000', '1.0');
INSERT INTO flowsvc.connections (description, auth, connection_spec_id, connection_spec_version)
VALUES ('no name', '{"specName": "Basic Authentication", "params": {}}',
        'cfc0fee1-7dc0-40ef-b73e-d8b134c436f5', '1.0');
SELECT count(*) AS connections FROM flowsvc.connections;

-- ===== DELETE: the scan's version as If-Match, 204, the row is gone =====
SELECT id AS c33, version AS v33 FROM flowsvc.connections OFFSET 33 LIMIT 1 \gset
\setenv C33 :c33
\! $FAKECTL reset-stats
DELETE FROM flowsvc.connections WHERE id = :'c33';
\echo rows deleted: :ROW_COUNT
\! $FAKECTL log
\! $FAKECTL if-match
\set if_match `$FAKECTL if-match`
SELECT :'if_match' = :'v33' AS if_match_is_version_read;
SELECT * FROM flowsvc.connections WHERE id = :'c33';
-- deleting it again finds no row and sends no DELETE
\! $FAKECTL reset-stats
DELETE FROM flowsvc.connections WHERE id = :'c33';
\echo rows deleted: :ROW_COUNT
\! $FAKECTL count DELETE

-- DELETE ... RETURNING returns the row as it was
SELECT id AS c34 FROM flowsvc.connections WHERE name = 'Azure Blob web events 34' \gset
\! $FAKECTL reset-stats
DELETE FROM flowsvc.connections WHERE id = :'c34' RETURNING name, state, description;
-- no read back: the scan already had the row
\! $FAKECTL log
DELETE FROM flowsvc.connections WHERE id = :'new1' RETURNING name, connection_spec_id, auth->>'specName' AS spec_name;
DELETE FROM flowsvc.connections WHERE name LIKE 'Batch %' RETURNING name;
SELECT count(*) AS connections FROM flowsvc.connections;

-- ===== a connection used by a flow cannot be deleted (1418) =====
SELECT id AS c10 FROM flowsvc.connections OFFSET 10 LIMIT 1 \gset
\setenv C10 :c10
DELETE FROM flowsvc.connections WHERE id = :'c10';
\! $FAKECTL item connections $C10 id
-- part-way through a multi-row DELETE, the ERROR says what is already gone
SELECT id AS c16 FROM flowsvc.connections OFFSET 16 LIMIT 1 \gset
SELECT id AS c17 FROM flowsvc.connections OFFSET 17 LIMIT 1 \gset
SELECT id AS c20 FROM flowsvc.connections OFFSET 20 LIMIT 1 \gset
DELETE FROM flowsvc.connections WHERE id IN (:'c16', :'c17', :'c20');
SELECT count(*) AS left_of_three FROM flowsvc.connections WHERE id IN (:'c16', :'c17', :'c20');

-- ===== DELETE of an item changed since the scan: 40001, nothing deleted =====
SELECT id AS c40 FROM flowsvc.connections WHERE name = 'Salesforce marketing 40' \gset
\setenv C40 :c40
\! $FAKECTL fault "{\"method\":\"GET\",\"path_contains\":\"/connections/$C40\",\"action\":\"bump_version_after\"}"
DELETE FROM flowsvc.connections WHERE id = :'c40';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT name FROM flowsvc.connections WHERE id = :'c40';
-- an item in state failed cannot be deleted (1416)
\! $FAKECTL set connections $C40 state '"failed"'
DELETE FROM flowsvc.connections WHERE id = :'c40';
\! $FAKECTL set connections $C40 state '"enabled"'

-- ===== EXPLAIN =====
EXPLAIN (VERBOSE, COSTS OFF)
INSERT INTO flowsvc.connections (name, auth, connection_spec_id, connection_spec_version)
VALUES ('x', '{}', 'y', '1.0') RETURNING id, version;
EXPLAIN (VERBOSE, COSTS OFF)
INSERT INTO flowsvc.connections (name, auth, connection_spec_id, connection_spec_version)
VALUES ('x', '{}', 'y', '1.0') RETURNING created_at;
EXPLAIN (VERBOSE, COSTS OFF)
DELETE FROM flowsvc.connections WHERE id = 'some-id' RETURNING name;

-- ===== a table without a version column cannot DELETE =====
CREATE FOREIGN TABLE flowsvc.conn_noversion (id text, name text)
  SERVER flowsvc OPTIONS (resource 'connections');
\! $FAKECTL reset-stats
DELETE FROM flowsvc.conn_noversion WHERE id = :'c40';
\! $FAKECTL count
DROP FOREIGN TABLE flowsvc.conn_noversion;

-- ===== read-only collections =====
IMPORT FOREIGN SCHEMA flowsvc LIMIT TO (connection_specs) FROM SERVER flowsvc INTO flowsvc;
\! $FAKECTL reset-stats
INSERT INTO flowsvc.connection_specs (id, name) VALUES ('x', 'y');
UPDATE flowsvc.connection_specs SET name = 'y';
DELETE FROM flowsvc.connection_specs;
\! $FAKECTL count
SELECT count(*) AS specs FROM flowsvc.connection_specs;

-- ===== INSERT ... SELECT from the same collection reads it before writing =====
\! $FAKECTL reset-stats
INSERT INTO flowsvc.connections (name, auth, connection_spec_id, connection_spec_version)
SELECT name || ' (copy)', auth, connection_spec_id, connection_spec_version
  FROM flowsvc.connections WHERE state = 'disabled' LIMIT 1000;
\! $FAKECTL count POST
SELECT count(*) AS copies FROM flowsvc.connections WHERE name LIKE '% (copy)';

-- ===== a POST answer without JSON: the Location header names the item =====
\! $FAKECTL fault '{"method": "POST", "action": "malformed"}'
INSERT INTO flowsvc.connections (name, auth, connection_spec_id, connection_spec_version)
VALUES ('lost answer', '{"specName": "Basic Authentication", "params": {}}',
        'cfc0fee1-7dc0-40ef-b73e-d8b134c436f5', '1.0')
RETURNING id IS NULL AS id_unknown;

-- ===== a DELETE that pages through the collection misses nothing =====
-- With small pages and positional next links, deleting items while paging
-- would shift later items onto pages already read: the scan feeding a DELETE
-- reads every page first.
CREATE SERVER flowsvc_small FOREIGN DATA WRAPPER flowsvc_fdw
  OPTIONS (url :'fake_url', ims_org 'TESTORG@AdobeOrg', page_size '2');
CREATE USER MAPPING FOR CURRENT_USER SERVER flowsvc_small
  OPTIONS (api_key 'test-api-key', access_token 'test-access-token');
CREATE FOREIGN TABLE flowsvc.small_pages (id text, name text, version text)
  SERVER flowsvc_small OPTIONS (resource 'connections');
INSERT INTO flowsvc.connections (name, auth, connection_spec_id, connection_spec_version)
SELECT 'bulk delete ' || n, '{"specName": "Basic Authentication", "params": {}}',
       'cfc0fee1-7dc0-40ef-b73e-d8b134c436f5', '1.0'
  FROM generate_series(1, 6) n;
EXPLAIN (VERBOSE, COSTS OFF)
DELETE FROM flowsvc.small_pages WHERE name LIKE 'bulk delete %';
DELETE FROM flowsvc.small_pages WHERE name LIKE 'bulk delete %';
SELECT count(*) AS left_behind FROM flowsvc.connections WHERE name LIKE 'bulk delete %';
DROP SERVER flowsvc_small CASCADE;

DROP SCHEMA flowsvc CASCADE;
DROP EXTENSION flowsvc_fdw CASCADE;
