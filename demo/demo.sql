--
-- demo/demo.sql -- an analyst's session with flowsvc_fdw
--
-- Run by `make demo` (test/run.sh demo) against the bundled fake Flow
-- Service with 50 connections, after this set-up:
--
--   CREATE EXTENSION flowsvc_fdw;
--   CREATE SERVER flowsvc FOREIGN DATA WRAPPER flowsvc_fdw
--     OPTIONS (url '...', ims_org 'TESTORG@AdobeOrg', sandbox 'prod');
--   CREATE USER MAPPING FOR CURRENT_USER SERVER flowsvc
--     OPTIONS (api_key '...', access_token '...');
--   IMPORT FOREIGN SCHEMA flowsvc LIMIT TO (connections)
--     FROM SERVER flowsvc INTO flowsvc;
--
-- psql runs it with -e, so each query is shown above its result.
--

SET timezone = 'UTC';
-- count only what this session asks for
\! $FAKECTL reset-stats

\echo
\echo '== 1. How many connections does our organization have?'
SELECT count(*) AS connections FROM flowsvc.connections;

\echo
\echo '== 2. The five oldest ones (every column comes from the Flow Service API)'
SELECT left(name, 40) AS name, state, connection_spec_id, created_at
  FROM flowsvc.connections
 ORDER BY created_at
 LIMIT 5;

\echo
\echo '== 3. Which connections are disabled?  (state = ... is sent to the API as a filter)'
SELECT left(name, 40) AS name, connection_spec_id, updated_at
  FROM flowsvc.connections
 WHERE state = 'disabled'
 ORDER BY name;

\echo
\echo '== 4. Which connections were created since the start of 2025?'
SELECT left(name, 40) AS name, state, created_at
  FROM flowsvc.connections
 WHERE created_at >= '2025-01-01'
 ORDER BY created_at;

\echo
\echo '== 5. The request behind a filtered query: both conditions go to the API'
EXPLAIN (VERBOSE, COSTS OFF)
SELECT name FROM flowsvc.connections
 WHERE state = 'enabled' AND created_at >= '2025-01-01';

\echo
\echo '== 6. Which kinds of source do we use?  And the Amazon S3 ones in detail'
SELECT connection_spec_id, count(*) AS connections
  FROM flowsvc.connections
 GROUP BY connection_spec_id
 ORDER BY connections DESC, connection_spec_id;

SELECT left(name, 40) AS name, state, created_at
  FROM flowsvc.connections
 WHERE connection_spec_id = 'ecadc60c-7455-4d87-84dc-2a0e293d997b'
 ORDER BY name;

\echo
\echo '== 7. A local inventory: who owns which connection, and who pays for it'
CREATE TABLE inventory (
    connection_id text PRIMARY KEY,
    owner         text NOT NULL,
    cost_center   text NOT NULL
);

-- the ids come from the Flow Service itself; owners and cost centers are
-- handed out round-robin
INSERT INTO inventory (connection_id, owner, cost_center)
SELECT id,
       (ARRAY['alice', 'bob', 'carol', 'dave'])[1 + (rn - 1) % 4],
       (ARRAY['CC-100 Marketing', 'CC-200 Data Platform', 'CC-300 Sales'])[1 + (rn - 1) % 3]
  FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn
          FROM (SELECT id FROM flowsvc.connections ORDER BY id LIMIT 8) AS first8) AS numbered;

SELECT * FROM inventory ORDER BY connection_id;

\echo
\echo '== 8. Join the inventory with the live connection data'
SELECT i.owner, i.cost_center, left(c.name, 30) AS name, c.state, c.created_at::date AS created
  FROM inventory i
  JOIN flowsvc.connections c ON c.id = i.connection_id
 ORDER BY i.owner, c.name;

\echo 'How the planner gets the rows.  Until ANALYZE it assumes 1000 connections, so'
\echo '8 requests by id beat paging through the collection:'
ANALYZE inventory;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT i.owner, c.name
  FROM inventory i
  JOIN flowsvc.connections c ON c.id = i.connection_id;
\echo 'ANALYZE samples the collection; with its 50 connections in one page, a single'
\echo 'listing and a hash join are cheaper than 8 requests:'
ANALYZE flowsvc.connections;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT i.owner, c.name
  FROM inventory i
  JOIN flowsvc.connections c ON c.id = i.connection_id;

\echo
\echo '== 9. Per cost center: how many connections, how many of them enabled'
SELECT i.cost_center,
       count(*)                                     AS connections,
       count(*) FILTER (WHERE c.state = 'enabled')  AS enabled,
       min(c.created_at)::date                      AS oldest
  FROM inventory i
  JOIN flowsvc.connections c ON c.id = i.connection_id
 GROUP BY i.cost_center
 ORDER BY i.cost_center;

\echo
\echo '== 10. An operator renames a connection: one PATCH, If-Match = the version just read'
SELECT id AS rename_id, version AS old_version
  FROM flowsvc.connections ORDER BY id LIMIT 1 \gset
SELECT left(name, 40) AS name, version FROM flowsvc.connections WHERE id = :'rename_id';
UPDATE flowsvc.connections
   SET name = 'Amazon S3 (finance, renamed)',
       description = 'Owned by the finance team since 2026'
 WHERE id = :'rename_id'
RETURNING name, version;
\! echo "If-Match sent: $($FAKECTL if-match)"

\echo
\echo '== 11. Two operators race: the second UPDATE carries a stale version and fails'
\echo 'Someone else changes the connection between our read and our PATCH'
\! $FAKECTL fault "{\"method\": \"GET\", \"path_contains\": \"/connections/$($FAKECTL log 1 | sed -E 's#.*/connections/([^ ?]+).*#\1#')\", \"action\": \"bump_version_after\"}"
\set ON_ERROR_STOP off
UPDATE flowsvc.connections
   SET description = 'Owned by the data platform team'
 WHERE id = :'rename_id';
\echo 'SQLSTATE' :LAST_ERROR_SQLSTATE '(serialization_failure): nothing was changed remotely; retrying reads the new version:'
\set ON_ERROR_STOP on
UPDATE flowsvc.connections
   SET description = 'Owned by the data platform team'
 WHERE id = :'rename_id'
RETURNING left(name, 40) AS name, description;

\echo
\echo '== 12. What the Flow Service saw during this session'
\! echo "API requests: $($FAKECTL count)    TCP connections: $($FAKECTL tcp)"
\echo 'requests by method and route:'
\! $FAKECTL log | sed -E 's#^([A-Z]+) /data/foundation/flowservice#\1 #; s#[?].*##; s#^([A-Z]+ /connections/)[^ ]+#\1{id}#' | awk '{ print "  " $1 " " $2 }' | sort | uniq -c
