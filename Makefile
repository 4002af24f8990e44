# Makefile for flowsvc_fdw (PGXS)

MODULE_big = flowsvc_fdw
OBJS = \
	$(WIN32RES) \
	deparse.o \
	flowsvc_fdw.o \
	http.o \
	json.o \
	option.o

EXTENSION = flowsvc_fdw
DATA = flowsvc_fdw--1.0.sql
PGFILEDESC = "flowsvc_fdw - foreign data wrapper for the Adobe Flow Service API"

SHLIB_LINK = -lcurl -lcjson
# PostgreSQL's own headers are not -Wextra clean: read them as system headers
PG_CPPFLAGS = -isystem $(shell $(PG_CONFIG) --includedir-server) -I/usr/include/cjson
PG_CFLAGS = -Wall -Wextra

REGRESS = options scan import errors pushdown write insert_delete direct auth cancel estimates tls encoding

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifneq ($(wildcard $(PGXS)),)
include $(PGXS)
endif

.PHONY: test demo bench

# Installs what is missing, builds, installs, runs every pg_regress suite
# against a throw-away cluster and the fake Flow Service.
test:
	bash test/run.sh test

# The main job on the bundled fake service: an analyst's session.
demo:
	bash test/run.sh demo

# Speed, request counts and memory, written to bench/results/latest.md.
bench:
	bash test/run.sh bench
