--
-- write: UPDATE through the API (PATCH with If-Match)
--
\getenv testdir FLOWSVC_TEST_DIR
\i :testdir/setup.sql

-- Seeded items used below (positions in the collection's order); each is
-- passed to the shell as $Cnn for fakectl.
SELECT id AS c0 FROM flowsvc.connections OFFSET 0 LIMIT 1 \gset
SELECT id AS c6 FROM flowsvc.connections OFFSET 6 LIMIT 1 \gset
SELECT id AS c8 FROM flowsvc.connections OFFSET 8 LIMIT 1 \gset
SELECT id AS c14 FROM flowsvc.connections OFFSET 14 LIMIT 1 \gset
SELECT id AS c17 FROM flowsvc.connections OFFSET 17 LIMIT 1 \gset
SELECT id AS c19 FROM flowsvc.connections OFFSET 19 LIMIT 1 \gset
SELECT id AS c21 FROM flowsvc.connections OFFSET 21 LIMIT 1 \gset
SELECT id AS c22 FROM flowsvc.connections OFFSET 22 LIMIT 1 \gset
SELECT id AS c23 FROM flowsvc.connections OFFSET 23 LIMIT 1 \gset
SELECT id AS c25 FROM flowsvc.connections OFFSET 25 LIMIT 1 \gset
SELECT id AS c26 FROM flowsvc.connections OFFSET 26 LIMIT 1 \gset
SELECT id AS c27 FROM flowsvc.connections OFFSET 27 LIMIT 1 \gset
SELECT id AS c28 FROM flowsvc.connections OFFSET 28 LIMIT 1 \gset
SELECT id AS c29 FROM flowsvc.connections OFFSET 29 LIMIT 1 \gset
SELECT id AS c30 FROM flowsvc.connections OFFSET 30 LIMIT 1 \gset
\setenv C0 :c0
\setenv C6 :c6
\setenv C8 :c8
\setenv C14 :c14
\setenv C17 :c17
\setenv C19 :c19
\setenv C21 :c21
\setenv C22 :c22
\setenv C23 :c23
\setenv C25 :c25
\setenv C26 :c26
\setenv C27 :c27
\setenv C28 :c28
\setenv C29 :c29
\setenv C30 :c30

-- ===== rename one connection: one GET, one PATCH with If-Match = the version read =====
SELECT name, description, version AS v FROM flowsvc.connections WHERE id = :'c14' \gset
\echo :name / :description / :v
\! $FAKECTL reset-stats
UPDATE flowsvc.connections SET name = 'Renamed fourteen' WHERE id = :'c14';
\echo rows updated: :ROW_COUNT
\! $FAKECTL count PATCH
\! $FAKECTL log
-- If-Match of the PATCH is exactly the version the scan read (quotes included)
\! $FAKECTL if-match
\set if_match `$FAKECTL if-match`
SELECT :'if_match' = :'v' AS if_match_is_version_read;
-- the PATCH changed the name and nothing else
\! $FAKECTL item connections $C14 name
\! $FAKECTL item connections $C14 description
SELECT name, description = :'description' AS description_kept, version <> :'v' AS version_changed
  FROM flowsvc.connections WHERE id = :'c14';

-- ===== SET description = NULL sends remove; on an absent field, add =====
\! $FAKECTL reset-stats
UPDATE flowsvc.connections SET description = NULL WHERE id = :'c14';
\! $FAKECTL count PATCH
\! $FAKECTL item connections $C14 description
SELECT description IS NULL AS no_description FROM flowsvc.connections WHERE id = :'c14';
-- position 6 has no description at all: "replace" would be refused, "add" works
\! $FAKECTL item connections $C6 description
UPDATE flowsvc.connections SET description = 'now described' WHERE id = :'c6';
\! $FAKECTL item connections $C6 description
-- position 8 has an empty description: present, so it is replaced
\! $FAKECTL item connections $C8 description
UPDATE flowsvc.connections SET description = 'no longer empty' WHERE id = :'c8';
\! $FAKECTL item connections $C8 description
SELECT id, description FROM flowsvc.connections WHERE id IN (:'c6', :'c8', :'c14') ORDER BY description NULLS FIRST;
-- NULL on an item that has none: nothing to send
\! $FAKECTL reset-stats
UPDATE flowsvc.connections SET description = NULL WHERE id = :'c14';
\! $FAKECTL count PATCH

-- ===== SET auth = jsonb_set(...): one replace of /auth/params =====
\! $FAKECTL item connections $C0 auth.specName
\! $FAKECTL item connections $C0 auth.params.username
SELECT auth AS old_auth FROM flowsvc.connections WHERE id = :'c0' \gset
\! $FAKECTL reset-stats
UPDATE flowsvc.connections SET auth = jsonb_set(auth, '{params,password}', '"x"') WHERE id = :'c0';
\! $FAKECTL count PATCH
\! $FAKECTL item connections $C0 auth.params.password
\! $FAKECTL item connections $C0 auth.specName
\! $FAKECTL item connections $C0 auth.params.username
-- everything else in auth is as it was
SELECT auth = jsonb_set(:'old_auth'::jsonb, '{params,password}', '"x"') AS only_password_changed
  FROM flowsvc.connections WHERE id = :'c0';
-- a change the API refuses (auth.specName is not patchable) is a clean ERROR with its message
UPDATE flowsvc.connections SET auth = jsonb_set(auth, '{specName}', '"Other"') WHERE id = :'c0';
\! $FAKECTL item connections $C0 auth.specName

-- ===== a column whose path is nested patches that path =====
CREATE FOREIGN TABLE flowsvc.conn_secret (
  id text, version text, name text,
  password text OPTIONS (path 'auth.params.password'))
  SERVER flowsvc OPTIONS (resource 'connections');
\! $FAKECTL reset-stats
UPDATE flowsvc.conn_secret SET password = 'nested' WHERE id = :'c0' RETURNING name, password;
\! $FAKECTL count PATCH
\! $FAKECTL item connections $C0 auth.params.password
\! $FAKECTL item connections $C0 auth.params.username
DROP FOREIGN TABLE flowsvc.conn_secret;

-- ===== assigning the current value sends nothing =====
\! $FAKECTL reset-stats
UPDATE flowsvc.connections SET name = name WHERE id = :'c17';
\echo rows updated: :ROW_COUNT
UPDATE flowsvc.connections SET name = name, description = description WHERE id = :'c17';
\! $FAKECTL count PATCH
\! $FAKECTL count GET

-- ===== RETURNING =====
-- name and version come from the statement and the PATCH answer: no read back
SELECT version AS v, updated_at AS old_updated_at FROM flowsvc.connections WHERE id = :'c19' \gset
\! $FAKECTL reset-stats
UPDATE flowsvc.connections SET name = 'Nineteen' WHERE id = :'c19'
  RETURNING id = :'c19' AS same_id, name, version AS new_v \gset
\echo :same_id :name
\! $FAKECTL count PATCH
\! $FAKECTL count GET
\set stored_v `$FAKECTL item connections :c19 version`
SELECT :'new_v' <> :'v' AS version_changed, :'new_v' = :'stored_v' AS version_is_remote_one;
-- the next UPDATE of the row uses that version as If-Match
UPDATE flowsvc.connections SET name = 'Nineteen again' WHERE id = :'c19';
\set if_match `$FAKECTL if-match`
SELECT :'if_match' = :'new_v' AS if_match_is_new_version;
-- updated_at is not in the PATCH answer: the row is read back after the PATCH
\! $FAKECTL reset-stats
UPDATE flowsvc.connections SET description = 'read back' WHERE id = :'c19'
  RETURNING name, description, updated_at > :'old_updated_at' AS updated_at_moved,
            updated_at AS new_updated_at, version AS new_v \gset
\echo :name / :description / :updated_at_moved
\! $FAKECTL log
\set stored_ms `$FAKECTL item connections :c19 updatedAt`
\set stored_v `$FAKECTL item connections :c19 version`
SELECT :'new_updated_at'::timestamptz = to_timestamp(:stored_ms / 1000.0) AS updated_at_is_remote_one,
       :'new_v' = :'stored_v' AS version_is_remote_one;

-- ===== a multi-row UPDATE patches each row once =====
SELECT count(*) AS disabled FROM flowsvc.connections WHERE state = 'disabled';
\! $FAKECTL reset-stats
UPDATE flowsvc.connections SET description = 'bulk edit' WHERE state = 'disabled';
\echo rows updated: :ROW_COUNT
\! $FAKECTL count PATCH
\! $FAKECTL count GET
-- every PATCH went to a different item
\! $FAKECTL log | grep '^PATCH' | sort -u | wc -l
SELECT count(*) FILTER (WHERE description = 'bulk edit') AS edited, count(*) AS disabled
  FROM flowsvc.connections WHERE state = 'disabled';

-- ===== columns the API does not let you change: ERROR before any request =====
\! $FAKECTL reset-stats
UPDATE flowsvc.connections SET id = 'x' WHERE id = :'c25';
UPDATE flowsvc.connections SET version = '"x"' WHERE id = :'c25';
UPDATE flowsvc.connections SET etag = '"x"' WHERE id = :'c25';
UPDATE flowsvc.connections SET created_at = now() WHERE id = :'c25';
UPDATE flowsvc.connections SET updated_at = now() WHERE id = :'c25';
UPDATE flowsvc.connections SET connection_spec_id = 'x' WHERE id = :'c25';
UPDATE flowsvc.connections SET state = 'enabled' WHERE id = :'c25';
UPDATE flowsvc.connections SET name = 'fine', state = 'enabled' WHERE id = :'c25';
-- also when no row would match, and in a prepared statement
UPDATE flowsvc.connections SET state = 'enabled' WHERE false;
PREPARE upd_state(text) AS UPDATE flowsvc.connections SET state = $1 WHERE id = :'c25';
EXECUTE upd_state('enabled');
DEALLOCATE upd_state;
\! $FAKECTL count

-- ===== stale version: 40001 naming the id, nothing changed =====
-- the fake bumps the item's version right after serving the scan's GET,
-- as if someone else had changed it in between
\! $FAKECTL item connections $C30 name
\! $FAKECTL fault "{\"method\":\"GET\",\"path_contains\":\"/connections/$C30\",\"action\":\"bump_version_after\"}"
\! $FAKECTL reset-stats
UPDATE flowsvc.connections SET name = 'lost the race' WHERE id = :'c30';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- one PATCH, not repeated
\! $FAKECTL log
\! $FAKECTL item connections $C30 name
-- retrying the statement reads the new version and succeeds
UPDATE flowsvc.connections SET name = 'won the retry' WHERE id = :'c30';
\! $FAKECTL item connections $C30 name
-- inside a transaction block the error aborts the transaction like any
-- serialization failure (terse: the API message holds a generated version)
\set VERBOSITY terse
BEGIN;
SELECT 1 AS before_race;
\! $FAKECTL fault "{\"method\":\"GET\",\"path_contains\":\"/connections/$C30\",\"action\":\"bump_version_after\"}"
UPDATE flowsvc.connections SET name = 'lost again' WHERE id = :'c30';
SELECT 1 AS after_race;
ROLLBACK;
\set VERBOSITY default
\! $FAKECTL item connections $C30 name

-- ===== a row that vanished between scan and PATCH (404): 40001 too =====
\! $FAKECTL fault '{"method":"PATCH","action":"status","status":404}'
UPDATE flowsvc.connections SET name = 'gone' WHERE id = :'c26';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
\! $FAKECTL clear-faults

-- ===== a multi-row UPDATE failing part-way says what was already changed =====
\! $FAKECTL fault "{\"method\":\"PATCH\",\"path_contains\":\"$C23\",\"action\":\"status\",\"status\":500}"
\! $FAKECTL reset-stats
UPDATE flowsvc.connections SET name = name || ' (partial)' WHERE id IN (:'c21', :'c22', :'c23');
\! $FAKECTL log
\! $FAKECTL clear-faults
SELECT id, name FROM flowsvc.connections WHERE id IN (:'c21', :'c22', :'c23') ORDER BY name;
-- a stale version after two rows were written says so too
\! $FAKECTL fault "{\"method\":\"PATCH\",\"path_contains\":\"$C29\",\"action\":\"status\",\"status\":412}"
UPDATE flowsvc.connections SET description = 'partial' WHERE id IN (:'c27', :'c28', :'c29');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
\! $FAKECTL clear-faults

-- ===== an item in state failed cannot be changed (1416): clean ERROR =====
\! $FAKECTL set connections $C26 state '"failed"'
UPDATE flowsvc.connections SET name = 'failed one' WHERE id = :'c26';
\! $FAKECTL item connections $C26 name

-- ===== EXPLAIN shows the request and where If-Match comes from =====
EXPLAIN (VERBOSE, COSTS OFF)
UPDATE flowsvc.connections SET name = 'x' WHERE id = 'some-id';
EXPLAIN (VERBOSE, COSTS OFF)
UPDATE flowsvc.connections SET description = 'x' WHERE state = 'disabled' RETURNING updated_at;

-- ===== a foreign table without a version column cannot be updated =====
CREATE FOREIGN TABLE flowsvc.conn_noversion (id text, name text)
  SERVER flowsvc OPTIONS (resource 'connections');
\! $FAKECTL reset-stats
UPDATE flowsvc.conn_noversion SET name = 'x' WHERE id = :'c25';
\! $FAKECTL count
DROP FOREIGN TABLE flowsvc.conn_noversion;

-- ===== a 2xx answer that is not JSON: the write stands, its version is unknown =====
\! $FAKECTL fault '{"method": "PATCH", "action": "malformed"}'
UPDATE flowsvc.connections SET description = 'answer lost' WHERE id = :'c6'
RETURNING version IS NULL AS version_unknown;

-- ===== a join matching one item twice writes it once, as for a local table =====
CREATE TABLE dup_matches (id text, d text);
INSERT INTO dup_matches VALUES (:'c6', 'first match'), (:'c6', 'second match'), (:'c8', 'other');
\! $FAKECTL reset-stats
UPDATE flowsvc.connections c SET description = m.d FROM dup_matches m WHERE c.id = m.id;
\! $FAKECTL count PATCH
SELECT description IN ('first match', 'second match') AS one_of_them
  FROM flowsvc.connections WHERE id = :'c6';
DROP TABLE dup_matches;

-- ===== a LIMIT bounds what a writing statement reads =====
CREATE TABLE local_copy (id text, name text);
\! $FAKECTL reset-stats
EXPLAIN (VERBOSE, COSTS OFF)
INSERT INTO local_copy SELECT id, name FROM flowsvc.connections LIMIT 5;
INSERT INTO local_copy SELECT id, name FROM flowsvc.connections LIMIT 5;
\! $FAKECTL count GET
DROP TABLE local_copy;

-- ===== triggers =====
-- a BEFORE ROW trigger's change is sent too; AFTER ROW triggers see the row
-- as written, new version included
CREATE TABLE trigger_log (what text, name text, description text, new_version boolean,
                          touched boolean);
CREATE FUNCTION flowsvc_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.description := 'stamped by trigger';
    RETURN NEW;
END $$;
CREATE FUNCTION flowsvc_after() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO trigger_log
    VALUES (TG_WHEN || ' ' || TG_OP, NEW.name, NEW.description, NEW.version <> OLD.version,
            NEW.updated_at > OLD.updated_at);
    RETURN NEW;
END $$;
CREATE TRIGGER stamp BEFORE UPDATE ON flowsvc.connections
  FOR EACH ROW EXECUTE FUNCTION flowsvc_before();
CREATE TRIGGER audit AFTER UPDATE ON flowsvc.connections
  FOR EACH ROW EXECUTE FUNCTION flowsvc_after();
\! $FAKECTL reset-stats
UPDATE flowsvc.connections SET name = 'renamed with triggers' WHERE id = :'c6';
\! $FAKECTL count PATCH
\! $FAKECTL item connections $C6 description
SELECT * FROM trigger_log;
-- a trigger may not change what the API keeps for itself
CREATE OR REPLACE FUNCTION flowsvc_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.state := 'disabled';
    RETURN NEW;
END $$;
\! $FAKECTL reset-stats
UPDATE flowsvc.connections SET name = 'renamed again' WHERE id = :'c6';
\! $FAKECTL count PATCH
DROP TRIGGER stamp ON flowsvc.connections;
DROP TRIGGER audit ON flowsvc.connections;
DROP FUNCTION flowsvc_before();
DROP FUNCTION flowsvc_after();
DROP TABLE trigger_log;

-- ===== json numbers keep every digit, read and written back =====
-- a number beyond a double's 53 bits, as another client stored it
\! $FAKECTL set connections $C0 auth.params.big 12345678901234567890
SELECT auth -> 'params' -> 'big' AS big FROM flowsvc.connections WHERE id = :'c0';
SELECT (auth -> 'params' ->> 'big')::numeric = 12345678901234567890 AS exact
  FROM flowsvc.connections WHERE name IS NOT NULL AND id = :'c0';
-- changing another key of params sends params back with the number intact
UPDATE flowsvc.connections
   SET auth = jsonb_set(auth, '{params,note}', '"rotated ✓"')
 WHERE id = :'c0';
\! $FAKECTL item connections $C0 auth.params.big
\! $FAKECTL item connections $C0 auth.params.note

DROP SCHEMA flowsvc CASCADE;
DROP EXTENSION flowsvc_fdw CASCADE;
