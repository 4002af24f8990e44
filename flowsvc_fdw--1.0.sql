/* flowsvc_fdw--1.0.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION flowsvc_fdw" to load this file. \quit

CREATE FUNCTION flowsvc_fdw_handler()
RETURNS fdw_handler
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT;

CREATE FUNCTION flowsvc_fdw_validator(text[], oid)
RETURNS void
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT;

CREATE FOREIGN DATA WRAPPER flowsvc_fdw
  HANDLER flowsvc_fdw_handler
  VALIDATOR flowsvc_fdw_validator;
