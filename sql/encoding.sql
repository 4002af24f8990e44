--
-- A database whose encoding is not UTF-8: names and values are converted
-- both ways, and request bodies are always UTF-8 JSON.
--
\getenv fake_url FLOWSVC_FAKE_URL
\getenv fakectl FAKECTL
\! $FAKECTL reset
CREATE DATABASE flowsvc_latin1 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C'
  TEMPLATE template0;
\c flowsvc_latin1
SET client_encoding = 'UTF8';
CREATE EXTENSION flowsvc_fdw;
CREATE SERVER flowsvc FOREIGN DATA WRAPPER flowsvc_fdw
  OPTIONS (url :'fake_url', ims_org 'TESTORG@AdobeOrg');
CREATE USER MAPPING FOR CURRENT_USER SERVER flowsvc
  OPTIONS (api_key 'test-api-key', access_token 'test-access-token');
CREATE SCHEMA flowsvc;
IMPORT FOREIGN SCHEMA flowsvc LIMIT TO (connections) FROM SERVER flowsvc INTO flowsvc;

-- ===== reading: UTF-8 from the API, LATIN1 in the database =====
SELECT id AS cafe FROM flowsvc.connections LIMIT 1 \gset
SELECT id AS plain FROM flowsvc.connections OFFSET 10 LIMIT 1 \gset
\setenv CAFE :cafe
\setenv PLAIN :plain
-- a value LATIN1 cannot hold is a clean error naming where it came from
SELECT name FROM flowsvc.connections WHERE id = :'cafe';
SELECT count(*) FROM flowsvc.connections WHERE name LIKE 'SFTP%';

SELECT id = :'plain' AS same FROM flowsvc.connections
 WHERE id = :'plain' AND state = 'enabled';

-- ===== writing: the PATCH body is UTF-8 JSON =====
UPDATE flowsvc.connections SET name = 'Générique à Zürich', description = 'ça marche'
 WHERE id = :'plain'
RETURNING name, description;
\! $FAKECTL item connections $PLAIN name
\! $FAKECTL item connections $PLAIN description
SELECT name, length(name) FROM flowsvc.connections WHERE id = :'plain';
SELECT count(*) FROM flowsvc.connections WHERE id = :'plain' AND description = 'ça marche';
-- a filter value goes out as UTF-8, percent-encoded: only the match comes back
\! $FAKECTL reset-stats
SELECT id = :'plain' AS same FROM flowsvc.connections WHERE name = 'Générique à Zürich';
\! $FAKECTL log 1

-- ===== json(b) values too =====
UPDATE flowsvc.connections
   SET auth = jsonb_set(auth, '{params,région}', '"Île-de-France"')
 WHERE id = :'plain';
\! $FAKECTL item connections $PLAIN auth.params.région
SELECT auth -> 'params' ->> 'région' AS region FROM flowsvc.connections WHERE id = :'plain';

\c contrib_regression
DROP DATABASE flowsvc_latin1;
