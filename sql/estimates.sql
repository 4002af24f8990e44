--
-- Row estimates and costs: defaults before ANALYZE, ANALYZE sampling the
-- collection, use_remote_estimate asking count=true (cached), and the
-- fdw_startup_cost / fdw_tuple_cost knobs steering join strategies.
--
\getenv testdir FLOWSVC_TEST_DIR
\i :testdir/setup.sql

-- the planner's row estimate of the top plan node of a query
CREATE FUNCTION estimated_rows(query text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    plan json;
BEGIN
    EXECUTE 'EXPLAIN (FORMAT JSON) ' || query INTO plan;
    RETURN (plan -> 0 -> 'Plan' ->> 'Plan Rows')::bigint;
END;
$$;

-- ===== before ANALYZE: a default of 1000 items, and no request at plan time =====
\! $FAKECTL reset-stats
SELECT estimated_rows('SELECT * FROM flowsvc.connections');
SELECT estimated_rows($q$SELECT * FROM flowsvc.connections WHERE id = 'x'$q$);
\! $FAKECTL count

-- ===== ANALYZE reads the collection a page at a time =====
\! $FAKECTL reset-stats
ANALYZE flowsvc.connections;
\! $FAKECTL count GET
\! $FAKECTL log
SELECT reltuples FROM pg_class WHERE oid = 'flowsvc.connections'::regclass;
SELECT attname, null_frac, n_distinct
  FROM pg_stats
 WHERE schemaname = 'flowsvc' AND tablename = 'connections'
   AND attname IN ('id', 'state', 'description')
 ORDER BY attname;
SELECT estimated_rows('SELECT * FROM flowsvc.connections');
-- the statistics make the estimate of a filter close to the truth
SELECT estimated_rows($q$SELECT * FROM flowsvc.connections WHERE state = 'disabled'$q$)
       AS estimated,
       (SELECT count(*) FROM flowsvc.connections WHERE state = 'disabled') AS actual;
-- ANALYZE VERBOSE says what it read
\set VERBOSITY terse
ANALYZE VERBOSE flowsvc.connections;
\set VERBOSITY default

-- an empty collection, once analyzed, is planned as (nearly) empty
\! $FAKECTL seed 0
ANALYZE flowsvc.connections;
SELECT reltuples FROM pg_class WHERE oid = 'flowsvc.connections'::regclass;
SELECT estimated_rows('SELECT * FROM flowsvc.connections');
\! $FAKECTL seed 120
ANALYZE flowsvc.connections;

-- ===== use_remote_estimate: count=true at plan time, cached =====
CREATE FOREIGN TABLE flowsvc.conn_remote (id text, state text, created_at timestamptz)
  SERVER flowsvc OPTIONS (resource 'connections', use_remote_estimate 'true');
\! $FAKECTL reset-stats
SELECT estimated_rows($q$SELECT * FROM flowsvc.conn_remote WHERE state = 'disabled'$q$);
\! $FAKECTL log
-- asked again within a few seconds: answered from the cache, no request
SELECT estimated_rows($q$SELECT * FROM flowsvc.conn_remote WHERE state = 'disabled'$q$);
\! $FAKECTL count
-- a different filter is a different question
SELECT estimated_rows($q$SELECT * FROM flowsvc.conn_remote WHERE created_at >= '2024-01-01'$q$)
       = (SELECT count(*) FROM flowsvc.connections WHERE created_at >= '2024-01-01') AS exact;
\! $FAKECTL log 1
-- an id lookup needs no estimate
\! $FAKECTL reset-stats
SELECT estimated_rows($q$SELECT * FROM flowsvc.conn_remote WHERE id = 'x'$q$);
\! $FAKECTL count
-- the server-wide setting, overridden by the table
ALTER SERVER flowsvc OPTIONS (ADD use_remote_estimate 'true');
ALTER FOREIGN TABLE flowsvc.conn_remote OPTIONS (SET use_remote_estimate 'false');
\! $FAKECTL reset-stats
SELECT estimated_rows($q$SELECT * FROM flowsvc.conn_remote WHERE state = 'enabled'$q$);
\! $FAKECTL count
ALTER SERVER flowsvc OPTIONS (DROP use_remote_estimate);

-- ===== the cost knobs steer the join strategy =====
CREATE TABLE inventory (connection_id text PRIMARY KEY, owner text);
INSERT INTO inventory
SELECT id, 'owner ' || n
  FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM flowsvc.connections) s
 WHERE n <= 3;
ANALYZE inventory;
-- a round trip costs 100 by default: the 120 analyzed items come in two
-- pages, cheaper than three GETs by id
EXPLAIN (VERBOSE, COSTS OFF)
SELECT i.owner, c.name FROM inventory i JOIN flowsvc.connections c ON c.id = i.connection_id;
-- when round trips are cheap, fetching only the three items wins
ALTER SERVER flowsvc OPTIONS (ADD fdw_startup_cost '0.5', ADD fdw_tuple_cost '0.001');
EXPLAIN (VERBOSE, COSTS OFF)
SELECT i.owner, c.name FROM inventory i JOIN flowsvc.connections c ON c.id = i.connection_id;
ALTER SERVER flowsvc OPTIONS (SET fdw_startup_cost '100', SET fdw_tuple_cost '0.05');
-- both plans give the same rows
SELECT i.owner, c.name FROM inventory i JOIN flowsvc.connections c ON c.id = i.connection_id
 ORDER BY 1;

DROP TABLE inventory;
DROP FUNCTION estimated_rows(text);
DROP SCHEMA flowsvc CASCADE;
DROP EXTENSION flowsvc_fdw CASCADE;
