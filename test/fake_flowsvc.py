#!/usr/bin/env python3
"""Fake Adobe Flow Service for the flowsvc_fdw tests.

Python 3 standard library only.  Listens on 127.0.0.1.

  python3 test/fake_flowsvc.py --port 0 --port-file FILE [--connections N] [--seed S]
          [--api-key K] [--ims-org O] [--token T] [--client-id ID] [--client-secret S]
          [--token-ttl SECONDS] [--tls-cert FILE --tls-key FILE --tls-port-file FILE]
          [--verbose]

With --tls-cert and --tls-key, the same routes (same state, same handler) are
ALSO served over HTTPS on a second free 127.0.0.1 port, written to
--tls-port-file (before --port-file, so a reader waiting for the plain port
finds the TLS one too).

Routes:
  /data/foundation/flowservice/...   the Flow Service API (strict headers, If-Match, JSON Patch)
  /ims/token/v3                      OAuth Server-to-Server token endpoint
  /__admin/...                       test control (no auth): stats, reset, seed, faults, ...

Admin routes (JSON in and out, no auth):
  GET    /__admin/stats            requests, by_method, token_requests, tcp_connections,
                                   missing_headers, log (last 200 requests, API and token)
  POST   /__admin/reset-stats      POST /__admin/reset      POST /__admin/seed {"connections": N}
  POST   /__admin/faults {...}     DELETE /__admin/faults    GET /__admin/faults
  POST   /__admin/bump-version {"id": ID[, "coll": C]}
  POST   /__admin/expire-tokens [{"static": true}]        POST /__admin/token-ttl {"seconds": S}
  GET    /__admin/item/{coll}/{id} POST /__admin/item/{coll}/{id} {"field": "a.b", "value": V}
                                                          or {"field": "a.b", "unset": true}
test/fakectl.py wraps these; test/test_fake.py exercises every route.
"""

import argparse
import base64
import copy
import hashlib
import http.server
import json
import os
import random
import re
import secrets
import signal
import socket
import socketserver
import ssl
import sys
import threading
import time
import urllib.parse
from collections import deque

PREFIX = "/data/foundation/flowservice"
TOKEN_PATH = "/ims/token/v3"
ADMIN = "/__admin"

COLLECTIONS = ["connections", "sourceConnections", "targetConnections", "flows",
               "runs", "connectionSpecs", "flowSpecs"]
WRITABLE = {"connections", "sourceConnections", "targetConnections", "flows"}
CATALOGS = {"connectionSpecs", "flowSpecs"}
SANDBOXES = {"prod": "4f6b1c2a-8d3e-4b7f-9a10-2c5d6e7f8a90",
             "dev": "9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d"}
REQUIRED_HEADERS = ("Authorization", "x-api-key", "x-gw-ims-org-id", "x-sandbox-name")
UPDATABLE_STATES = {"enabled", "disabled", "initializing"}

MAX_LIMIT = 100
DEFAULT_LIMIT = 20

# Characters refused raw in a request target: space (and controls, non-ASCII) and '#',
# which cannot be part of a request target at all.  Other characters RFC 3986 does not
# allow raw ('"', '<', '>', ...) are tolerated, as real gateways do.
FORBIDDEN_RAW = set(' #')

MISSING = object()

# --------------------------------------------------------------------------
# Catalog of connection specs and flow specs
# --------------------------------------------------------------------------

SPECS = [
    {"id": "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5", "name": "salesforce", "label": "Salesforce",
     "category": "CRM", "auth": "Basic Authentication", "kind": "source"},
    {"id": "ecadc60c-7455-4d87-84dc-2a0e293d997b", "name": "amazon-s3", "label": "Amazon S3",
     "category": "Cloud Storage", "auth": "Access Key", "kind": "source"},
    {"id": "d771e9c1-4f26-40dc-8617-ce58c4b53702", "name": "azure-blob", "label": "Azure Blob",
     "category": "Cloud Storage", "auth": "ConnectionStringAuth", "kind": "source"},
    {"id": "3c9b37f8-13a6-43d8-bad3-b863b941fedd", "name": "google-big-query",
     "label": "Google BigQuery", "category": "Database", "auth": "OAuth2", "kind": "source"},
    {"id": "b7bf2577-4520-42c9-bae9-cad01560f7bc", "name": "sftp", "label": "SFTP",
     "category": "Cloud Storage", "auth": "Basic Authentication for SFTP", "kind": "source"},
    {"id": "6d8a4b8c-0e6f-4b4c-9f43-2a1f5e7c8d90", "name": "generic-rest-api",
     "label": "Generic REST API", "category": "Protocols", "auth": "OAuth2 Refresh Code",
     "kind": "source"},
    {"id": "c604ff05-7f1a-43c0-8e18-33bf874cb11c", "name": "Data Lake", "label": "Data Lake",
     "category": "Storage", "auth": None, "kind": "target"},
]
SPEC_BY_ID = {s["id"]: s for s in SPECS}
SOURCE_SPECS = [s for s in SPECS if s["kind"] == "source"]
DATALAKE = SPECS[-1]

FLOW_SPECS = [
    {"id": "14518937-270c-4525-bdec-c2ba7cce3860", "name": "CRMToAEP",
     "sources": ["cfc0fee1-7dc0-40ef-b73e-d8b134c436f5"]},
    {"id": "9753525b-82c7-4dce-8a9b-5ccfce2b9876", "name": "CloudStorageToAEP",
     "sources": ["ecadc60c-7455-4d87-84dc-2a0e293d997b", "d771e9c1-4f26-40dc-8617-ce58c4b53702",
                 "b7bf2577-4520-42c9-bae9-cad01560f7bc"]},
    {"id": "6499120c-0b15-42dc-936e-847ea3c24d72", "name": "RestStorageToAEP",
     "sources": ["3c9b37f8-13a6-43d8-bad3-b863b941fedd", "6d8a4b8c-0e6f-4b4c-9f43-2a1f5e7c8d90"]},
]
FLOW_SPEC_BY_ID = {f["id"]: f for f in FLOW_SPECS}

# Which JSON Pointer prefixes PATCH accepts, per collection.  A path is
# patchable when it equals one of the exact paths or lies below (or at) one of
# the subtree roots.
PATCHABLE = {
    "connections": ({("name",), ("description",)}, [("auth", "params")]),
    "sourceConnections": ({("name",), ("description",)}, [("params",), ("data",)]),
    "targetConnections": ({("name",), ("description",)}, [("params",), ("data",)]),
    "flows": ({("name",), ("description",)}, [("scheduleParams",), ("transformations",)]),
}
SPEC_FIELD = {"connections": "connectionSpec", "sourceConnections": "connectionSpec",
              "targetConnections": "connectionSpec", "flows": "flowSpec"}

T2020 = 1577836800000  # 2020-01-01T00:00:00Z
T2026 = 1767225600000  # 2026-01-01T00:00:00Z
T2026_END = 1798761599000  # 2026-12-31T23:59:59Z


class ApiError(Exception):
    """A Flow Service error (Flow-shaped body)."""

    def __init__(self, status, code, title, detail, headers=None):
        super().__init__(detail)
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.headers = headers or {}


def bad_request(detail, code="1100-400", title="Invalid request"):
    return ApiError(400, code, title, detail)


# --------------------------------------------------------------------------
# Seed data
# --------------------------------------------------------------------------

def det_uuid(rng):
    h = "%032x" % rng.getrandbits(128)
    h = h[:12] + "4" + h[13:16] + "89ab"[int(h[16], 16) % 4] + h[17:]
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:32])


def make_version(prefix_hex, ms):
    return '"%s-0000-0200-0000-%08x0000"' % (prefix_hex, (ms // 1000) & 0xffffffff)


def rnd_secret(rng, n=24):
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(rng.choice(alphabet) for _ in range(n))


def auth_params(rng, spec, i, deep=False):
    name = spec["name"]
    if name == "salesforce":
        return {"username": "sfdc-user%04d@example.com" % i, "password": rnd_secret(rng, 16),
                "securityToken": rnd_secret(rng, 24),
                "environmentUrl": rng.choice(["login.salesforce.com", "test.salesforce.com"])}
    if name == "amazon-s3":
        return {"s3AccessKey": "AKIA" + rnd_secret(rng, 16).upper(),
                "s3SecretKey": rnd_secret(rng, 40),
                "serviceUrl": "https://s3.%s.amazonaws.com" % rng.choice(
                    ["us-east-1", "eu-west-1", "ap-southeast-2"]),
                "bucketName": "acme-export-%03d" % rng.randrange(1000)}
    if name == "azure-blob":
        return {"connectionString": "DefaultEndpointsProtocol=https;AccountName=acme%04d;"
                                    "AccountKey=%s;EndpointSuffix=core.windows.net"
                                    % (i, rnd_secret(rng, 44))}
    if name == "google-big-query":
        return {"project": "acme-analytics-%d" % rng.randrange(100),
                "clientId": "%d-%s.apps.googleusercontent.com" % (rng.randrange(10**11), rnd_secret(rng, 12).lower()),
                "clientSecret": rnd_secret(rng, 24), "refreshToken": "1//" + rnd_secret(rng, 40),
                "largeFileSupport": rng.random() < 0.5}
    if name == "sftp":
        return {"host": "sftp%d.example.net" % rng.randrange(50), "port": 22,
                "username": "ingest%03d" % rng.randrange(1000), "password": rnd_secret(rng, 14),
                "maxConcurrentConnections": rng.choice([1, 2, 5])}
    # generic REST API: nested parameters
    p = {"authorizationTestUrl": "https://api.example.com/v2/me",
         "oauth": {"tokenUrl": "https://auth.example.com/oauth/token",
                   "client": {"id": "client-%04d" % i, "secret": rnd_secret(rng, 20),
                              "scopes": ["read", "export"]},
                   "refresh": {"enabled": True, "beforeSeconds": 300}},
         "headers": {"X-Tenant": {"value": "tenant-%d" % rng.randrange(100), "sensitive": False}}}
    if deep:
        p["oauth"]["client"]["certificate"] = {
            "format": "pem",
            "chain": {"leaf": {"subject": {"cn": "ingest.example.com", "o": "ACME"},
                               "validity": {"notBefore": 1600000000000, "notAfter": 1900000000000}},
                      "root": {"subject": {"cn": "ACME Root CA", "o": "ACME"}}}}
    return p


PURPOSES = ["prod", "staging", "EU", "US", "analytics", "marketing", "backup", "ingest",
            "CRM sync", "nightly", "loyalty", "web events"]
TEAMS = ["data engineering", "marketing ops", "analytics", "platform", "CRM", "finance"]
USERS = ["A1B2C3D45F1E2D3C4B5A6978@AdobeID", "7C6D5E4F3A2B1C0D9E8F7A6B@AdobeID",
         "0F1E2D3C4B5A69788796A5B4@AdobeID", "ops-bot@techacct.adobe.com"]
CLIENTS = ["exc_app", "acp_ui_platform", "flowservice-cli", "acme-etl"]

AWKWARD_NAMES = {
    0: "Café société — résumé é",
    1: "日本語の接続 (東京)",
    2: "Rocket 🚀 connection",
    3: 'Quote "q" and back\\slash \\\\ done',
    4: "a,b&c+d%e/f=g#h",
}


def long_name():
    base = "Very long connection name "
    s = (base * 20)
    s = s[:296] + " end"
    assert len(s) == 300
    return s


def generate(seed, n, org):
    rng = random.Random(seed)
    colls = {c: {} for c in COLLECTIONS}
    sbx = "prod"

    def common(item, created, updated):
        item["createdAt"] = created
        item["updatedAt"] = updated
        item["createdBy"] = rng.choice(USERS)
        item["updatedBy"] = rng.choice(USERS)
        item["createdClient"] = rng.choice(CLIENTS)
        item["updatedClient"] = rng.choice(CLIENTS)
        item["sandboxId"] = SANDBOXES[sbx]
        item["sandboxName"] = sbx
        item["imsOrgId"] = org

    def times():
        created = rng.randrange(T2020, T2026) // 1000 * 1000 + rng.randrange(1000)
        if rng.random() < 0.3:
            updated = created
        else:
            updated = min(created + rng.randrange(1, 730 * 86400000), T2026_END)
        return created, updated

    conn_ids = []
    for i in range(n):
        cid = det_uuid(rng)
        spec = rng.choice(SOURCE_SPECS)
        if i == 7:
            spec = SPEC_BY_ID["6d8a4b8c-0e6f-4b4c-9f43-2a1f5e7c8d90"]
        if i == 0:
            spec = SPEC_BY_ID["cfc0fee1-7dc0-40ef-b73e-d8b134c436f5"]
        name = AWKWARD_NAMES.get(i)
        if i == 5:
            name = long_name()
        if name is None:
            name = "%s %s %d" % (spec["label"], rng.choice(PURPOSES), i)
        r = rng.random()
        state = "enabled" if r < 0.80 else ("disabled" if r < 0.95 else "initializing")
        if i == 3:
            state = "disabled"
        elif i == 9:
            state = "initializing"
        elif i < 10:
            state = "enabled"
        desc = MISSING
        if i == 8:
            desc = ""
        elif i == 6:
            desc = MISSING
        elif i < 10 or rng.random() >= 1 / 7:
            desc = "%s connection for the %s team" % (spec["label"], rng.choice(TEAMS))
        created, updated = times()
        item = {"id": cid, "name": name}
        if desc is not MISSING:
            item["description"] = desc
        item["state"] = state
        item["connectionSpec"] = {"id": spec["id"], "version": "1.0"}
        item["auth"] = {"specName": spec["auth"], "params": auth_params(rng, spec, i, deep=(i == 7))}
        ver = make_version("%08x" % rng.getrandbits(32), updated)
        item["version"] = ver
        item["etag"] = ver
        common(item, created, updated)
        if i == 9 or (i >= 10 and rng.random() < 0.2):
            item["lastOperation"] = {"started": updated, "updated": updated,
                                     "operation": rng.choice(["create", "update"]),
                                     "status": {"value": rng.choice(["success", "failed"]),
                                                "errors": []}}
        colls["connections"][cid] = item
        conn_ids.append(cid)

    # source connections: a few, over connections 10, 11, 15, 20, 40, 60
    src_ids = []
    if n:
        picks = []
        for k in (10, 11, 15, 20, 40, 60):
            idx = k % n
            if idx not in picks:
                picks.append(idx)
        for j, idx in enumerate(picks):
            base = colls["connections"][conn_ids[idx]]
            sid = det_uuid(rng)
            created, updated = times()
            spec = SPEC_BY_ID[base["connectionSpec"]["id"]]
            item = {"id": sid, "name": "%s source %d" % (spec["label"], j),
                    "description": "Source connection over %s" % base["id"],
                    "baseConnectionId": base["id"], "state": "enabled",
                    "data": {"format": "tabular"},
                    "params": {"path": "/exports/table_%d" % j} if spec["category"] == "Cloud Storage"
                    else {"tableName": "Account%d" % j},
                    "connectionSpec": dict(base["connectionSpec"])}
            ver = make_version("%08x" % rng.getrandbits(32), updated)
            item["version"] = ver
            item["etag"] = ver
            common(item, created, updated)
            colls["sourceConnections"][sid] = item
            src_ids.append(sid)
    tgt_ids = []
    for j in range(2):
        tid = det_uuid(rng)
        created, updated = times()
        item = {"id": tid, "name": "Data Lake target %d" % j, "state": "enabled",
                "data": {"format": "parquet_xdm",
                         "schema": {"id": "https://ns.adobe.com/acme/schemas/%032x" % rng.getrandbits(128),
                                    "version": "application/vnd.adobe.xed-full+json;version=1"}},
                "params": {"dataSetId": "%024x" % rng.getrandbits(96)},
                "connectionSpec": {"id": DATALAKE["id"], "version": "1.0"}}
        ver = make_version("%08x" % rng.getrandbits(32), updated)
        item["version"] = ver
        item["etag"] = ver
        common(item, created, updated)
        colls["targetConnections"][tid] = item
        tgt_ids.append(tid)
    flow_ids = []
    for j, sid in enumerate(src_ids[:4]):
        src = colls["sourceConnections"][sid]
        fspec = next((f for f in FLOW_SPECS if src["connectionSpec"]["id"] in f["sources"]),
                     FLOW_SPECS[0])
        fid = det_uuid(rng)
        created, updated = times()
        item = {"id": fid, "name": "Dataflow %d" % j, "description": "Ingests %s" % src["name"],
                "flowSpec": {"id": fspec["id"], "version": "1.0"}, "state": "enabled",
                "sourceConnectionIds": [sid], "targetConnectionIds": [tgt_ids[j % 2]],
                "scheduleParams": {"startTime": created // 1000, "frequency": "hour", "interval": 1},
                "transformations": [],
                "inheritedAttributes": {
                    "sourceConnections": [{"id": sid, "connectionSpec": dict(src["connectionSpec"]),
                                           "baseConnection": {"id": src["baseConnectionId"],
                                                              "connectionSpec": dict(src["connectionSpec"])}}],
                    "targetConnections": [{"id": tgt_ids[j % 2],
                                           "connectionSpec": {"id": DATALAKE["id"], "version": "1.0"}}]}}
        ver = make_version("%08x" % rng.getrandbits(32), updated)
        item["version"] = ver
        item["etag"] = ver
        common(item, created, updated)
        colls["flows"][fid] = item
        flow_ids.append(fid)
    for j in range(2 * len(flow_ids) + (1 if flow_ids else 0)):
        fid = flow_ids[j % len(flow_ids)]
        rid = det_uuid(rng)
        created, _ = times()
        dur = rng.randrange(5000, 3600000)
        ok = rng.random() < 0.8
        item = {"id": rid, "flowId": fid,
                "flowSpec": dict(colls["flows"][fid]["flowSpec"]),
                "providerRefId": "%032x" % rng.getrandbits(128),
                "metrics": {"durationSummary": {"startedAtUTC": created, "completedAtUTC": created + dur},
                            "sizeSummary": {"inputBytes": rng.randrange(10**9), "outputBytes": rng.randrange(10**9)},
                            "recordSummary": {"inputRecordCount": rng.randrange(10**6),
                                              "outputRecordCount": rng.randrange(10**6),
                                              "failedRecordCount": 0 if ok else rng.randrange(1, 1000)},
                            "statusSummary": {"status": "success" if ok else "failed"}},
                "activities": [{"id": "%032x" % rng.getrandbits(128), "name": "Copy Activity",
                                "durationSummary": {"startedAtUTC": created, "completedAtUTC": created + dur}}]}
        ver = make_version("%08x" % rng.getrandbits(32), created + dur)
        item["version"] = ver
        item["etag"] = ver
        common(item, created, created + dur)
        colls["runs"][rid] = item
    for s in SPECS:
        item = {"id": s["id"], "name": s["name"], "providerId": "0ed90a81-07f4-4586-8190-b40eccef1c5a",
                "version": "1.0",
                "attributes": {"category": s["category"], "isSource": s["kind"] == "source",
                               "isDestination": s["kind"] == "target", "displayName": s["label"]}}
        if s["auth"]:
            item["authSpec"] = [{"name": s["auth"], "type": "Basic" if "Basic" in s["auth"] else "OAuth2",
                                 "spec": {"$schema": "http://json-schema.org/draft-07/schema#",
                                          "type": "object", "properties": {}}}]
        else:
            item["authSpec"] = []
        colls["connectionSpecs"][s["id"]] = item
    for f in FLOW_SPECS:
        colls["flowSpecs"][f["id"]] = {"id": f["id"], "name": f["name"],
                                       "providerId": "0ed90a81-07f4-4586-8190-b40eccef1c5a",
                                       "version": "1.0", "sourceConnectionSpecIds": list(f["sources"]),
                                       "targetConnectionSpecIds": [DATALAKE["id"]],
                                       "transformationSpecs": [],
                                       "scheduleSpec": {"name": "PeriodicSchedule", "type": "Periodic",
                                                        "spec": {"frequency": ["minute", "hour", "day", "week"]}}}
    return colls


# --------------------------------------------------------------------------
# Server state
# --------------------------------------------------------------------------

class State:
    def __init__(self, cfg):
        self.cfg = cfg
        self.lock = threading.RLock()
        self.seed = cfg.seed
        self.n = cfg.connections
        self.version_counter = 0x10000000   # never reset: versions stay unique
        self.id_counter = 0
        self.gen = 0
        # bumped around every request that may change data: listings are
        # cached per (mutations, query), so paging through a large
        # collection costs O(page) per page instead of O(collection)
        self.mutations = 0
        self.token_ttl = cfg.token_ttl
        self.reset()

    def reset(self):
        with self.lock:
            self.colls = generate(self.seed, self.n, self.cfg.ims_org)
            self.id_rng = random.Random("%s-new-ids" % self.seed)
            self.faults = []
            self.tokens = {}        # token -> {"expires": t, "client_id": ...}
            self.static_valid = True
            self.token_ttl = self.cfg.token_ttl
            self.reset_stats()

    def reset_stats(self):
        with self.lock:
            self.gen += 1
            self.requests = 0
            self.by_method = {}
            self.token_requests = 0
            self.tcp = 0
            self.missing = 0
            self.log = deque(maxlen=200)

    def new_version(self):
        self.version_counter += 1
        return make_version("%08x" % self.version_counter, int(time.time() * 1000))

    def new_id(self):
        return det_uuid(self.id_rng)

    def take_fault(self, method, raw, token_endpoint):
        for f in self.faults:
            if f["method"] is not None and f["method"] != method:
                continue
            pc = f["path_contains"]
            if token_endpoint and pc is None:
                continue
            if pc is not None and pc not in raw:
                continue
            f["times"] -= 1
            if f["times"] <= 0:
                self.faults.remove(f)
            return dict(f)
        return None

    def find_item(self, item_id, coll=None):
        for c in ([coll] if coll else COLLECTIONS):
            it = self.colls.get(c, {}).get(item_id)
            if it is not None:
                return c, it
        return None, None

    def bump(self, item):
        self.mutations += 1
        v = self.new_version()
        if "version" in item or "etag" in item:
            item["version"] = v
            item["etag"] = v
        else:
            item["version"] = v
        item["updatedAt"] = int(time.time() * 1000)
        return v

    def stats(self):
        return {"requests": self.requests, "by_method": dict(self.by_method),
                "token_requests": self.token_requests, "tcp_connections": self.tcp,
                "missing_headers": self.missing, "log": list(self.log)}


STATE = None
VERBOSE = False


# --------------------------------------------------------------------------
# Query helpers
# --------------------------------------------------------------------------

NUM_RE = re.compile(r"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$")
PATH_RE = r"[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)*"
FILTER_RE = re.compile(r"^(" + PATH_RE + r")(==|!=|>=|<=|>|<|~)(.*)$", re.S)
ORDER_RE = re.compile(r"^(-?)(" + PATH_RE + r")$")
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]+$")
BAD_PCT_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def parse_num(s):
    if not NUM_RE.match(s):
        return None
    if re.match(r"^-?[0-9]+$", s):
        return int(s)
    return float(s)


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def get_path(item, dotted):
    cur = item
    for part in dotted.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return MISSING
        cur = cur[part]
    return cur


def parse_filter(raw):
    m = FILTER_RE.match(raw)
    if not m:
        raise bad_request("Invalid property filter '%s'." % raw)
    path, op, val = m.groups()
    if op == "~":
        raise ApiError(400, "1440-400", "Invalid request",
                       "The operator '~' is not implemented. Use one of ==, >, <, >=, <=.")
    if op == "!=":
        raise bad_request("The operator '!=' is not supported in property filter '%s'." % raw)
    if op == "==":
        return (path, op, val.split(","))
    num = parse_num(val)
    if num is None:
        raise bad_request("The operand of '%s' in property filter '%s' is not a number." % (op, raw))
    return (path, op, num)


def filter_match(item, flt):
    path, op, operand = flt
    v = get_path(item, path)
    if v is MISSING or v is None:
        return False
    if op == "==":
        for o in operand:
            if isinstance(v, bool):
                if o == ("true" if v else "false"):
                    return True
            elif is_num(v):
                n = parse_num(o)
                if n is not None and n == v:
                    return True
            elif isinstance(v, str):
                if v == o:
                    return True
        return False
    if not is_num(v):
        return False
    return {">": v > operand, "<": v < operand, ">=": v >= operand, "<=": v <= operand}[op]


def sort_items(items, orderby):
    m = ORDER_RE.match(orderby)
    desc, path = m.group(1) == "-", m.group(2)
    present, missing = [], []
    for it in items:
        v = get_path(it, path)
        (missing if v is MISSING or v is None else present).append((it, v))

    def key(pair):
        v = pair[1]
        if is_num(v):
            return (0, v)
        if isinstance(v, bool):
            return (1, int(v))
        if isinstance(v, str):
            return (2, v)
        return (3, json.dumps(v, sort_keys=True))
    present.sort(key=lambda p: p[0].get("id", ""))
    present.sort(key=key, reverse=desc)
    missing.sort(key=lambda p: p[0].get("id", ""))
    return [p[0] for p in present] + [p[0] for p in missing]


def encode_token(d):
    return base64.urlsafe_b64encode(json.dumps(d, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_token(tok, coll, sandbox):
    err = bad_request("Invalid continuationToken.")
    if not tok or not TOKEN_RE.match(tok):
        raise err
    try:
        d = json.loads(base64.urlsafe_b64decode(tok + "=" * (-len(tok) % 4)).decode())
    except Exception:
        raise err
    if (not isinstance(d, dict) or d.get("v") != 1 or d.get("c") != coll or d.get("s") != sandbox
            or not isinstance(d.get("o"), int) or not isinstance(d.get("l"), int)
            or not isinstance(d.get("p"), list) or not (d.get("ob") is None or isinstance(d.get("ob"), str))):
        raise err
    if d["o"] < 0 or not 1 <= d["l"] <= MAX_LIMIT:
        raise err
    try:
        filters = [parse_filter(p) for p in d["p"]]
    except ApiError:
        raise err
    if d["ob"] is not None and not ORDER_RE.match(d["ob"]):
        raise err
    return d, filters


def parse_limit(v):
    if not re.match(r"^[0-9]+$", v):
        raise bad_request("The limit parameter must be a positive integer.")
    n = int(v)
    if n < 1:
        raise bad_request("The limit parameter must be a positive integer.")
    return min(n, MAX_LIMIT)


LIST_CACHE = {}


def list_collection(coll, sandbox, params):
    allowed = {"limit", "continuationToken", "orderby", "property", "count"}
    seen = {}
    props = []
    for k, v in params:
        if k not in allowed:
            raise bad_request("Unknown query parameter '%s'." % k)
        if k == "property":
            props.append(v)
            continue
        if k in seen:
            raise bad_request("The query parameter '%s' is given more than once." % k)
        seen[k] = v
    limit = parse_limit(seen["limit"]) if "limit" in seen else None
    count = False
    if "count" in seen:
        if seen["count"] not in ("true", "false"):
            raise bad_request("The count parameter must be true or false.")
        count = seen["count"] == "true"
    if "continuationToken" in seen:
        if props or "orderby" in seen or "count" in seen:
            raise bad_request("continuationToken cannot be combined with property, orderby or count.")
        d, filters = decode_token(seen["continuationToken"], coll, sandbox)
        offset, orderby, raw_filters = d["o"], d["ob"], d["p"]
        if limit is None:
            limit = d["l"]
    else:
        if count and limit is not None:
            raise ApiError(400, "1401-400", "Invalid request",
                           "The limit and count parameters cannot be given together in the same "
                           "request. Please provide either only the limit or the count parameter "
                           "and try again.")
        filters = [parse_filter(p) for p in props]
        raw_filters = props
        orderby = seen.get("orderby")
        if orderby is not None and not ORDER_RE.match(orderby):
            raise bad_request("Invalid orderby '%s'." % orderby)
        offset = 0
        if limit is None:
            limit = DEFAULT_LIMIT
    key = (STATE.mutations, coll, sandbox, json.dumps(raw_filters), orderby)
    items = LIST_CACHE.get(key)
    if items is None:
        items = [it for it in STATE.colls[coll].values()
                 if coll in CATALOGS or it.get("sandboxName") == sandbox]
        items = [it for it in items if all(filter_match(it, f) for f in filters)]
        if orderby:
            items = sort_items(items, orderby)
        if len(LIST_CACHE) >= 16:
            LIST_CACHE.clear()
        LIST_CACHE[key] = items
    if count:
        return {"count": len(items)}, []
    page = items[offset:offset + limit]
    links = {}
    if offset + limit < len(items):
        tok = encode_token({"v": 1, "c": coll, "s": sandbox, "o": offset + limit, "l": limit,
                            "p": raw_filters, "ob": orderby})
        links = {"next": {"href": "/%s?continuationToken=%s" % (coll, tok)}}
    return {"items": page, "_links": links}, page


# --------------------------------------------------------------------------
# JSON Patch
# --------------------------------------------------------------------------

def parse_pointer(p):
    if not isinstance(p, str) or not p.startswith("/"):
        raise bad_request("Invalid JSON Pointer '%s'." % (p,))
    toks = []
    for t in p[1:].split("/"):
        if re.search(r"~(?![01])", t):
            raise bad_request("Invalid JSON Pointer '%s'." % p)
        toks.append(t.replace("~1", "/").replace("~0", "~"))
    return toks


def check_patchable(coll, toks, raw):
    exact, subtrees = PATCHABLE[coll]
    if toks and toks[0] == SPEC_FIELD[coll]:
        raise ApiError(400, "1414-400", "Invalid request",
                       "The path '%s' cannot be updated: the %s of an entity cannot be changed."
                       % (raw, SPEC_FIELD[coll]))
    t = tuple(toks)
    if t in exact:
        return
    for root in subtrees:
        if t[:len(root)] == root:
            return
    raise bad_request("The path '%s' cannot be updated." % raw)


def apply_op(doc, op, toks, value, raw):
    parent = doc
    for t in toks[:-1]:
        if isinstance(parent, dict) and t in parent:
            parent = parent[t]
        elif isinstance(parent, list) and re.match(r"^(0|[1-9][0-9]*)$", t) and int(t) < len(parent):
            parent = parent[int(t)]
        else:
            raise bad_request("The path '%s' does not exist." % raw)
    last = toks[-1]
    if isinstance(parent, dict):
        if op == "add":
            parent[last] = value
        elif last not in parent:
            raise bad_request("Cannot %s '%s': the member does not exist." % (op, raw))
        elif op == "replace":
            parent[last] = value
        else:
            del parent[last]
    elif isinstance(parent, list):
        if op == "add" and last == "-":
            parent.append(value)
            return
        if not re.match(r"^(0|[1-9][0-9]*)$", last):
            raise bad_request("Invalid array index in '%s'." % raw)
        i = int(last)
        if op == "add":
            if i > len(parent):
                raise bad_request("Array index out of range in '%s'." % raw)
            parent.insert(i, value)
        elif i >= len(parent):
            raise bad_request("Array index out of range in '%s'." % raw)
        elif op == "replace":
            parent[i] = value
        else:
            del parent[i]
    else:
        raise bad_request("The path '%s' does not exist." % raw)


def validate_patched(coll, doc):
    if not isinstance(doc.get("name"), str) or doc["name"] == "":
        raise bad_request("The name must be a non-empty string.")
    if "description" in doc and not isinstance(doc["description"], str):
        raise bad_request("The description must be a string.")
    if coll == "connections":
        auth = doc.get("auth")
        if not isinstance(auth, dict) or not isinstance(auth.get("params"), dict):
            raise bad_request("auth.params must be an object.")
    for k in ("params", "data", "scheduleParams"):
        if k in doc and not isinstance(doc[k], dict):
            raise bad_request("%s must be an object." % k)
    if "transformations" in doc and not isinstance(doc["transformations"], list):
        raise bad_request("transformations must be an array.")


# --------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------

def request_id(method, raw):
    return "fake-" + hashlib.sha1(("%s %s" % (method, raw)).encode("utf-8", "replace")).hexdigest()[:20]


def flow_error_body(status, code, title, detail, rid):
    return {"type": "https://ns.adobe.com/aep/errors/FLOW-%s" % code, "title": title,
            "status": status, "report": {"detailed-message": detail, "request-id": rid},
            "errorMessage": detail, "errorDetails": {}}


def is_json_ctype(v, want="application/json"):
    if v is None:
        return False
    return v.split(";", 1)[0].strip().lower() == want


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body go out in separate writes: without this, Nagle plus
    # the client's delayed ACK adds 40 ms to every keep-alive response
    disable_nagle_algorithm = True
    server_version = "FakeFlowService/1.0"

    def version_string(self):
        return self.server_version

    def setup(self):
        super().setup()
        self.conn_gen = STATE.gen
        self.conn_counted = False

    def log_message(self, fmt, *args):
        if VERBOSE:
            sys.stderr.write("fake_flowsvc: %s - %s\n" % (self.address_string(), fmt % args))

    # Every response goes through here.
    def respond(self, status, obj=None, raw=None, headers=None, ctype="application/json;charset=utf-8"):
        if raw is None:
            raw = b"" if obj is None else json.dumps(obj, ensure_ascii=False).encode("utf-8")
        self.resp_status = status
        # log before the client can see the answer: it may ask for the log
        # (or send its next request) the moment it has read the response
        self.flush_log_entry()
        if getattr(self, "truncate", False):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(raw)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(raw[:len(raw) // 2])
            self.close_connection = True
            return
        self.send_response(status)
        if raw or status not in (204, 304):
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(raw)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(raw)

    def send_error(self, code, message=None, explain=None):
        # Protocol-level errors (bad request line, unsupported method, ...): Flow-shaped JSON.
        try:
            self.close_connection = True
            method = getattr(self, "command", None) or "-"
            raw = getattr(self, "path", None) or (getattr(self, "requestline", "") or "")
            detail = message or http.server.BaseHTTPRequestHandler.responses.get(code, ("Error",))[0]
            title = "Invalid request" if code == 400 else detail
            body = flow_error_body(code, "%d-%d" % (1000 + code, code) if code != 400 else "1100-400",
                                   title, detail, request_id(method, raw))
            self.respond(code, body)
            with STATE.lock:
                STATE.requests += 1
                STATE.by_method[method] = STATE.by_method.get(method, 0) + 1
                STATE.log.append({"method": method, "path": raw, "status": code, "if_match": None,
                                  "headers_present": False, "content_type": None})
        except Exception:
            pass

    def do_GET(self):
        self.dispatch()

    do_POST = do_PATCH = do_DELETE = do_PUT = do_OPTIONS = do_GET

    def read_body(self):
        te = self.headers.get("Transfer-Encoding")
        if te and te.lower() == "chunked":
            out = b""
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline(65537)
        n = self.headers.get("Content-Length")
        if n is None:
            return b""
        try:
            n = int(n)
        except ValueError:
            self.close_connection = True
            return b""
        return self.rfile.read(n) if n > 0 else b""

    def dispatch(self):
        self.resp_status = None
        self.truncate = False
        raw = self.path
        try:
            body = self.read_body()
        except Exception:
            self.close_connection = True
            return
        path_only = raw.split("?", 1)[0]
        mutating = self.command != "GET"
        if mutating:
            with STATE.lock:
                STATE.mutations += 1
        try:
            if path_only == ADMIN or path_only.startswith(ADMIN + "/"):
                self.handle_admin(raw, body)
                return
            if path_only == TOKEN_PATH:
                self.handle_token(raw, body)
                return
            self.handle_api(raw, body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as e:  # pragma: no cover - a bug in the fake
            if VERBOSE:
                import traceback
                traceback.print_exc()
            if self.resp_status is None:
                self.close_connection = True
                try:
                    self.respond(500, flow_error_body(500, "1102-500", "Internal Error",
                                                      "fake_flowsvc internal error: %r" % e,
                                                      request_id(self.command, raw)))
                except Exception:
                    pass
        finally:
            if mutating:
                with STATE.lock:
                    STATE.mutations += 1

    def count_connection(self):
        # Caller holds the lock.
        if not self.conn_counted:
            self.conn_counted = True
            if self.conn_gen == STATE.gen:
                STATE.tcp += 1

    def flush_log_entry(self):
        pending = getattr(self, "log_pending", None)
        if pending is not None:
            self.log_pending = None
            self.log_request_entry(*pending)

    def log_request_entry(self, raw, headers_present):
        with STATE.lock:
            # a request still running when the stats were reset (a delayed
            # one its client gave up on) belongs to the old log, not the new
            if getattr(self, "stats_gen", STATE.gen) != STATE.gen:
                return
            STATE.log.append({"method": self.command, "path": raw, "status": self.resp_status,
                              "if_match": self.headers.get("If-Match"),
                              "headers_present": headers_present,
                              "headers_seen": [k for k in REQUIRED_HEADERS
                                               if self.headers.get(k) is not None],
                              "content_type": self.headers.get("Content-Type")})

    # ---------------------------------------------------------------- faults
    def apply_fault(self, fault, raw):
        """Returns True when the fault produced the whole response."""
        a = fault["action"]
        rid = request_id(self.command, raw)
        if a == "delay":
            time.sleep(fault.get("ms", 0) / 1000.0)
            return False
        if a == "status":
            st = int(fault["status"])
            hdrs = {}
            if fault.get("retry_after") is not None:
                hdrs["Retry-After"] = str(fault["retry_after"])
            if "body" in fault:
                body = fault["body"]
            elif st == 401:
                body = {"error_code": "401013", "message": "Oauth token is not valid"}
            elif st == 403:
                body = {"error_code": "403003", "message": "Api Key is invalid"}
            else:
                title = http.server.BaseHTTPRequestHandler.responses.get(st, ("Error",))[0]
                code = {500: "1102-500", 503: "1103-503", 504: "1104-504"}.get(st, "%d-%d" % (1000 + st, st))
                body = flow_error_body(st, code, title, "Injected fault: %s." % title, rid)
            self.respond(st, body, headers=hdrs)
            return True
        if a == "malformed":
            self.respond(200, raw=b'{"items": [{"id": "broken", "name": <<not json>>')
            return True
        if a == "no_items":
            self.respond(200, {"foo": 1})
            return True
        if a == "wrong_type":
            self.respond(200, {"items": {"not": "an array"}})
            return True
        if a == "close":
            self.close_connection = True
            self.resp_status = None
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return True
        if a == "huge":
            n = int(fault.get("bytes", 1 << 20))
            head = b'{"items": [], "_links": {}, "padding": "'
            tail = b'"}'
            pad = max(0, n - len(head) - len(tail))
            self.resp_status = 200
            self.send_response(200)
            self.send_header("Content-Type", "application/json;charset=utf-8")
            self.send_header("Content-Length", str(len(head) + pad + len(tail)))
            self.end_headers()
            self.wfile.write(head)
            chunk = b"x" * 65536
            left = pad
            while left > 0:
                k = min(left, len(chunk))
                self.wfile.write(chunk[:k])
                left -= k
            self.wfile.write(tail)
            return True
        if a == "truncated":
            self.truncate = True
            return False
        return False  # bump_version_after: handled after serving

    # ---------------------------------------------------------------- token
    def handle_token(self, raw, body):
        self.log_pending = (raw, True)
        with STATE.lock:
            self.stats_gen = STATE.gen
            STATE.token_requests += 1
            self.count_connection()
            fault = STATE.take_fault(self.command, raw, True)
        try:
            if fault and self.apply_fault(fault, raw):
                return
            self.token_response(raw, body)
        finally:
            self.flush_log_entry()

    def token_response(self, raw, body):
        def err(status, code, desc):
            self.respond(status, {"error": code, "error_description": desc},
                         headers={"Cache-Control": "no-store"})
        if self.command != "POST":
            return err(405, "invalid_request", "Only POST is supported.")
        if "?" in raw:
            return err(400, "invalid_request", "Parameters must be sent in the request body.")
        if not is_json_ctype(self.headers.get("Content-Type"), "application/x-www-form-urlencoded"):
            return err(400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded.")
        try:
            form = urllib.parse.parse_qsl(body.decode("ascii"), keep_blank_values=True,
                                          strict_parsing=True, errors="strict") if body else []
        except (ValueError, UnicodeDecodeError):
            return err(400, "invalid_request", "Malformed form body.")
        d = {}
        for k, v in form:
            if k in d:
                return err(400, "invalid_request", "Parameter '%s' given more than once." % k)
            d[k] = v
        if "grant_type" not in d:
            return err(400, "invalid_request", "Missing grant_type.")
        if d["grant_type"] != "client_credentials":
            return err(400, "unsupported_grant_type", "Unsupported grant_type '%s'." % d["grant_type"])
        cfg = STATE.cfg
        if d.get("client_id") != cfg.client_id or d.get("client_secret") != cfg.client_secret:
            return err(401, "invalid_client", "invalid client_id or client_secret")
        tok = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.%s.%s" % (secrets.token_urlsafe(24),
                                                               secrets.token_urlsafe(16))
        with STATE.lock:
            ttl = STATE.token_ttl
            STATE.tokens[tok] = {"expires": time.time() + ttl, "client_id": d["client_id"],
                                 "scope": d.get("scope", "")}
        self.respond(200, {"access_token": tok, "token_type": "bearer", "expires_in": ttl},
                     headers={"Cache-Control": "no-store"})

    # ---------------------------------------------------------------- API
    def check_headers(self):
        """Gateway checks. Returns (status, body) on failure, else (None, token_info)."""
        h = self.headers
        auth = h.get("Authorization")
        if auth is None:
            return 403, {"error_code": "403010", "message": "Oauth token is missing."}
        m = re.match(r"^[Bb][Ee][Aa][Rr][Ee][Rr] (\S+)$", auth)
        info = None
        if m:
            tok = m.group(1)
            with STATE.lock:
                if tok == STATE.cfg.token and STATE.static_valid:
                    info = {"client_id": STATE.cfg.client_id, "user": "fake-user@AdobeID"}
                else:
                    t = STATE.tokens.get(tok)
                    if t and t["expires"] > time.time():
                        info = {"client_id": t["client_id"],
                                "user": "%s@techacct.adobe.com" % t["client_id"]}
        if info is None:
            return 401, {"error_code": "401013", "message": "Oauth token is not valid"}
        key = h.get("x-api-key")
        if key is None:
            return 403, {"error_code": "403000", "message": "Api Key is required"}
        if key != STATE.cfg.api_key:
            return 403, {"error_code": "403003", "message": "Api Key is invalid"}
        org = h.get("x-gw-ims-org-id")
        if org is None:
            return 400, {"error_code": "400003", "message": "Missing header x-gw-ims-org-id"}
        if org != STATE.cfg.ims_org:
            return 403, {"error_code": "403025", "message": "Profile is not valid"}
        sbx = h.get("x-sandbox-name")
        if sbx is None:
            return 400, {"error_code": "400003", "message": "Missing header x-sandbox-name"}
        if sbx != sbx.lower() or sbx not in SANDBOXES:
            return 400, {"error_code": "400004",
                         "message": "Sandbox name is invalid or does not exist: %s" % sbx}
        info["sandbox"] = sbx
        return None, info

    def handle_api(self, raw, body):
        h = self.headers
        present = all(h.get(k) is not None for k in REQUIRED_HEADERS)
        self.log_pending = (raw, present)
        with STATE.lock:
            self.stats_gen = STATE.gen
            STATE.requests += 1
            STATE.by_method[self.command] = STATE.by_method.get(self.command, 0) + 1
            if not present:
                STATE.missing += 1
            self.count_connection()
            fault = STATE.take_fault(self.command, raw, False)
        self.served = []
        try:
            if fault and self.apply_fault(fault, raw):
                return
            bump_after = bool(fault and fault["action"] == "bump_version_after")
            self.pending = None
            try:
                self.api(raw, body, bump_after)
                if self.pending is not None:
                    st, out, hdrs = self.pending
                    self.respond(st, raw=out, headers=hdrs)
            except ApiError as e:
                self.respond(e.status, flow_error_body(e.status, e.code, e.title, e.detail,
                                                       request_id(self.command, raw)),
                             headers=e.headers)
        finally:
            self.flush_log_entry()
            if VERBOSE:
                sys.stderr.write("fake_flowsvc: %s %s -> %s headers_present=%s\n"
                                 % (self.command, raw, self.resp_status, present))

    def api(self, raw, body, bump_after):
        # Strict request target: ASCII, no raw spaces or characters a URI may not hold raw.
        if any(ord(c) > 126 or ord(c) < 33 or c in FORBIDDEN_RAW for c in raw):
            raise bad_request("The request target contains characters that must be percent-encoded.")
        if BAD_PCT_RE.search(raw):
            raise bad_request("The request target contains an invalid percent-encoding.")
        status, info = self.check_headers()
        if status is not None:
            self.respond(status, info)
            return
        path, _, query = raw.partition("?")
        if "?" in raw:
            try:
                params = urllib.parse.parse_qsl(query, keep_blank_values=True, strict_parsing=True,
                                                errors="strict")
            except (ValueError, UnicodeDecodeError):
                raise bad_request("Malformed query string.")
        else:
            params = []
        if not (path == PREFIX or path.startswith(PREFIX + "/")):
            raise ApiError(404, "1101-404", "Resource not found", "No route for %s." % path)
        try:
            segs = [urllib.parse.unquote(s, errors="strict") for s in path[len(PREFIX) + 1:].split("/")]
        except UnicodeDecodeError:
            raise bad_request("The path is not valid UTF-8 once decoded.")
        if not segs or segs[0] not in COLLECTIONS or len(segs) > 2 or (len(segs) == 2 and segs[1] == ""):
            raise ApiError(404, "1101-404", "Resource not found", "No route for %s." % path)
        coll = segs[0]
        sbx = info["sandbox"]
        m = self.command
        if len(segs) == 1:
            if m == "GET":
                with STATE.lock:
                    out, page = list_collection(coll, sbx, params)
                    self.finish_ok(200, out, page, bump_after)
                return
            if m == "POST" and coll in WRITABLE:
                return self.create(coll, params, body, info, bump_after)
            raise self.method_not_allowed(coll, "GET, POST" if coll in WRITABLE else "GET")
        item_id = segs[1]
        allow = "GET, PATCH, DELETE" if coll in WRITABLE else "GET"
        if m not in ("GET", "PATCH", "DELETE") or (m != "GET" and coll not in WRITABLE):
            raise self.method_not_allowed(coll, allow)
        if params:
            raise bad_request("Unknown query parameter '%s'." % params[0][0])
        with STATE.lock:
            item = STATE.colls[coll].get(item_id)
            if item is None or (coll not in CATALOGS and item.get("sandboxName") != sbx):
                raise ApiError(404, "1101-404", "Resource not found",
                               "The requested resource is not found. Resource with id '%s' does "
                               "not exist." % item_id)
            if m == "GET":
                self.finish_ok(200, {"items": [item]}, [item], bump_after)
                return
            if m == "PATCH":
                self.patch(coll, item, body, info, bump_after)
                return
            self.delete(coll, item, bump_after)

    def method_not_allowed(self, coll, allow):
        return ApiError(405, "1405-405", "Method not allowed",
                        "The method %s is not allowed on %s." % (self.command, coll),
                        headers={"Allow": allow})

    def finish_ok(self, status, out, served, bump_after, headers=None):
        # Called with the lock held: serialise now, send after the lock is released (a slow
        # reader must not stall the server).  Serialise before bumping: the reader sees the
        # old version, the store already has a new one.
        raw = json.dumps(out, ensure_ascii=False).encode("utf-8") if out is not None else b""
        if bump_after:
            for it in served:
                STATE.bump(it)
        self.pending = (status, raw, headers)

    def check_state(self, item):
        st = item.get("state")
        if st is not None and st not in UPDATABLE_STATES:
            raise ApiError(400, "1416-400", "Invalid request",
                           "Only entities in state enabled, disabled or initializing can be "
                           "updated or deleted; '%s' is %s." % (item.get("id"), st))

    def patch(self, coll, item, body, info, bump_after):
        if not is_json_ctype(self.headers.get("Content-Type")):
            raise ApiError(415, "1415-415", "Unsupported Media Type",
                           "The Content-Type must be application/json.")
        im = self.headers.get("If-Match")
        if im is None:
            raise ApiError(400, "1403-400", "Header is missing",
                           "The header 'If-Match' is missing in the request. Please provide the "
                           "header and try again.")
        if im != item.get("version"):
            raise ApiError(412, "1404-412", "Version not matching",
                           "The supplied version '%s' does not match the current version on "
                           "entity '%s'. Please provide the correct version and try again."
                           % (im, item["id"]))
        self.check_state(item)
        try:
            ops = json.loads(body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise bad_request("The request body is not valid JSON.")
        if not isinstance(ops, list) or not ops:
            raise bad_request("The request body must be a non-empty JSON Patch array.")
        doc = copy.deepcopy(item)
        for op in ops:
            if not isinstance(op, dict):
                raise bad_request("Each patch operation must be an object.")
            name = op.get("op")
            if name not in ("add", "replace", "remove"):
                raise bad_request("Unsupported patch operation '%s'; use add, replace or remove." % (name,))
            if "path" not in op:
                raise bad_request("A patch operation has no path.")
            toks = parse_pointer(op["path"])
            check_patchable(coll, toks, op["path"])
            if name != "remove" and "value" not in op:
                raise bad_request("The %s operation on '%s' has no value." % (name, op["path"]))
            apply_op(doc, name, toks, op.get("value"), op["path"])
        validate_patched(coll, doc)
        v = STATE.new_version()
        doc["version"] = v
        doc["etag"] = v
        doc["updatedAt"] = int(time.time() * 1000)
        doc["updatedBy"] = info["user"]
        doc["updatedClient"] = info["client_id"]
        item.clear()
        item.update(doc)
        self.finish_ok(200, {"id": item["id"], "etag": v}, [item], bump_after)

    def in_use(self, coll, item_id):
        flows = STATE.colls["flows"].values()
        if coll == "connections":
            ids = {s["id"] for c in ("sourceConnections", "targetConnections")
                   for s in STATE.colls[c].values() if s.get("baseConnectionId") == item_id}
        elif coll in ("sourceConnections", "targetConnections"):
            ids = {item_id}
        else:
            return None
        for f in flows:
            if ids & set(f.get("sourceConnectionIds", []) + f.get("targetConnectionIds", [])):
                return f["id"]
        return None

    def delete(self, coll, item, bump_after):
        im = self.headers.get("If-Match")
        if im is not None and im != item.get("version"):
            raise ApiError(412, "1404-412", "Version not matching",
                           "The supplied version '%s' does not match the current version on "
                           "entity '%s'. Please provide the correct version and try again."
                           % (im, item["id"]))
        self.check_state(item)
        fid = self.in_use(coll, item["id"])
        if fid:
            raise ApiError(400, "1418-400", "Invalid request",
                           "The entity '%s' is used by flow '%s' and cannot be deleted."
                           % (item["id"], fid))
        del STATE.colls[coll][item["id"]]
        self.finish_ok(204, None, [], False)

    def create(self, coll, params, body, info, bump_after):
        if params:
            raise bad_request("Unknown query parameter '%s'." % params[0][0])
        if not is_json_ctype(self.headers.get("Content-Type")):
            raise ApiError(415, "1415-415", "Unsupported Media Type",
                           "The Content-Type must be application/json.")
        try:
            d = json.loads(body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise bad_request("The request body is not valid JSON.")
        if not isinstance(d, dict):
            raise bad_request("The request body must be a JSON object.")
        spec_field = SPEC_FIELD[coll]
        allowed = {"connections": {"name", "description", "auth", "connectionSpec"},
                   "sourceConnections": {"name", "description", "baseConnectionId", "connectionSpec",
                                         "data", "params"},
                   "targetConnections": {"name", "description", "baseConnectionId", "connectionSpec",
                                         "data", "params"},
                   "flows": {"name", "description", "flowSpec", "sourceConnectionIds",
                             "targetConnectionIds", "scheduleParams", "transformations"}}[coll]
        for k in d:
            if k not in allowed:
                raise bad_request("Unknown or read-only property '%s'." % k)
        if not isinstance(d.get("name"), str) or not d["name"]:
            raise bad_request("The name is required and must be a non-empty string.")
        if "description" in d and not isinstance(d["description"], str):
            raise bad_request("The description must be a string.")
        spec = d.get(spec_field)
        if (not isinstance(spec, dict) or set(spec) != {"id", "version"}
                or not isinstance(spec["id"], str) or not isinstance(spec["version"], str)):
            raise bad_request("%s must be an object with id and version." % spec_field)
        catalog = FLOW_SPEC_BY_ID if coll == "flows" else SPEC_BY_ID
        if spec["id"] not in catalog:
            raise bad_request("The %s '%s' does not exist." % (spec_field, spec["id"]))
        if spec["version"] != "1.0":
            raise bad_request("The %s version '%s' does not exist." % (spec_field, spec["version"]))
        if coll == "connections":
            auth = d.get("auth")
            if (not isinstance(auth, dict) or not set(auth) <= {"specName", "params"}
                    or not isinstance(auth.get("specName"), str) or not isinstance(auth.get("params"), dict)):
                raise bad_request("auth must be an object with specName (string) and params (object).")
        with STATE.lock:
            sbx = info["sandbox"]
            if "baseConnectionId" in d:
                b = STATE.colls["connections"].get(d["baseConnectionId"])
                if b is None or b.get("sandboxName") != sbx:
                    raise bad_request("The base connection '%s' does not exist." % (d["baseConnectionId"],))
            if coll == "flows":
                for k, c in (("sourceConnectionIds", "sourceConnections"),
                             ("targetConnectionIds", "targetConnections")):
                    ids = d.get(k)
                    if not isinstance(ids, list) or not ids:
                        raise bad_request("%s must be a non-empty array." % k)
                    for i in ids:
                        x = STATE.colls[c].get(i) if isinstance(i, str) else None
                        if x is None or x.get("sandboxName") != sbx:
                            raise bad_request("The %s entry '%s' does not exist." % (k, i))
            for k in ("params", "data", "scheduleParams"):
                if k in d and not isinstance(d[k], dict):
                    raise bad_request("%s must be an object." % k)
            new_id = STATE.new_id()
            now = int(time.time() * 1000)
            v = STATE.new_version()
            item = {"id": new_id, "name": d["name"]}
            if "description" in d:
                item["description"] = d["description"]
            item["state"] = "enabled"
            for k in sorted(allowed - {"name", "description"}):
                if k in d:
                    item[k] = copy.deepcopy(d[k])
            item["version"] = v
            item["etag"] = v
            item["createdAt"] = now
            item["updatedAt"] = now
            item["createdBy"] = info["user"]
            item["updatedBy"] = info["user"]
            item["createdClient"] = info["client_id"]
            item["updatedClient"] = info["client_id"]
            item["sandboxId"] = SANDBOXES[sbx]
            item["sandboxName"] = sbx
            item["imsOrgId"] = STATE.cfg.ims_org
            STATE.colls[coll][new_id] = item
            self.finish_ok(201, {"id": new_id, "etag": v}, [item], bump_after,
                           headers={"Location": "%s/%s/%s" % (PREFIX, coll, urllib.parse.quote(new_id))})

    # ---------------------------------------------------------------- admin
    def handle_admin(self, raw, body):
        path = raw.split("?", 1)[0][len(ADMIN):]
        m = self.command
        try:
            data = json.loads(body.decode("utf-8")) if body.strip() else {}
        except (ValueError, UnicodeDecodeError):
            return self.respond(400, {"error": "body is not JSON"})

        with STATE.lock:
            st, obj = self.admin_route(m, path, data)
            raw_out = json.dumps(obj, ensure_ascii=False).encode("utf-8")
        self.respond(st, raw=raw_out)

    def admin_route(self, m, path, data):
        """Runs with the lock held; returns (status, JSON object)."""
        def ok(obj=None):
            return 200, (obj if obj is not None else {"ok": True})

        def bad(msg, status=400):
            return status, {"error": msg}

        if not isinstance(data, dict) and path != "/faults":
            return bad("the body must be a JSON object")
        if path == "/stats" and m == "GET":
            return ok(STATE.stats())
        if path == "/reset-stats" and m == "POST":
            STATE.reset_stats()
            return ok()
        if path == "/reset" and m == "POST":
            STATE.reset()
            return ok()
        if path == "/seed" and m == "POST":
            n = data.get("connections")
            if not isinstance(n, int) or isinstance(n, bool) or n < 0:
                return bad("connections must be a non-negative integer")
            if "seed" in data:
                STATE.seed = data["seed"]
            STATE.n = n
            STATE.reset()
            return ok()
        if path == "/faults" and m == "POST":
            faults = data if isinstance(data, list) else [data]
            parsed = []
            for f in faults:
                if not isinstance(f, dict):
                    return bad("a fault must be an object")
                a = f.get("action")
                if a not in ("status", "delay", "malformed", "truncated", "no_items", "wrong_type",
                             "huge", "close", "bump_version_after"):
                    return bad("unknown action %r" % (a,))
                if a == "status" and not isinstance(f.get("status"), int):
                    return bad("status action needs an integer status")
                if a == "delay" and not isinstance(f.get("ms"), (int, float)):
                    return bad("delay action needs ms")
                if a == "huge" and not isinstance(f.get("bytes"), int):
                    return bad("huge action needs bytes")
                times = f.get("times", 1)
                if not isinstance(times, int) or times < 1:
                    return bad("times must be a positive integer")
                meth = f.get("method")
                g = dict(f)
                g["method"] = meth.upper() if isinstance(meth, str) else None
                g["path_contains"] = f.get("path_contains")
                g["times"] = times
                parsed.append(g)
            STATE.faults.extend(parsed)
            return ok()
        if path == "/faults" and m == "DELETE":
            STATE.faults = []
            return ok()
        if path == "/faults" and m == "GET":
            return ok({"faults": STATE.faults})
        if path == "/bump-version" and m == "POST":
            coll, item = STATE.find_item(data.get("id"), data.get("coll"))
            if item is None:
                return bad("no such item", 404)
            return ok({"id": item["id"], "version": STATE.bump(item)})
        if path == "/expire-tokens" and m == "POST":
            STATE.tokens = {}
            if data.get("static"):
                STATE.static_valid = False
            return ok()
        if path == "/token-ttl" and m == "POST":
            s = data.get("seconds")
            if not isinstance(s, int) or s < 0:
                return bad("seconds must be a non-negative integer")
            STATE.token_ttl = s
            return ok()
        if path.startswith("/item/"):
            parts = [urllib.parse.unquote(p) for p in path[len("/item/"):].split("/")]
            if len(parts) != 2 or parts[0] not in COLLECTIONS:
                return bad("use /__admin/item/{collection}/{id}", 404)
            item = STATE.colls[parts[0]].get(parts[1])
            if item is None:
                return bad("no such item", 404)
            if m == "GET":
                return ok(item)
            if m == "POST":
                # raw edit: {"field": "a.b", "value": v} or {"field": "a.b", "unset": true}
                field = data.get("field")
                if not isinstance(field, str) or not field:
                    return bad("field is required")
                keys = field.split(".")
                cur = item
                for k in keys[:-1]:
                    if not isinstance(cur.get(k), dict):
                        cur[k] = {}
                    cur = cur[k]
                if data.get("unset"):
                    cur.pop(keys[-1], None)
                elif "value" in data:
                    cur[keys[-1]] = data["value"]
                else:
                    return bad("value or unset is required")
                return ok()
        return bad("unknown admin route %s %s" % (m, path), 404)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def server_bind(self):
        # Avoid HTTPServer's reverse DNS lookup (socket.getfqdn).
        socketserver.TCPServer.server_bind(self)
        self.server_name = "127.0.0.1"
        self.server_port = self.server_address[1]

    def handle_error(self, request, client_address):
        if VERBOSE:
            super().handle_error(request, client_address)


def tls_server(cfg):
    """The HTTPS listener: a second Server on a free port whose listening
    socket is wrapped server-side.  The handshake is left to the first read,
    in the request's own thread, so a client that never completes one (or
    aborts it after rejecting the certificate) holds up nothing else."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cfg.tls_cert, cfg.tls_key)
    server = Server(("127.0.0.1", 0), Handler)
    server.socket = ctx.wrap_socket(server.socket, server_side=True,
                                    do_handshake_on_connect=False)
    return server


def write_port_file(path, port):
    d = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(d, ".%s.%d.tmp" % (os.path.basename(path), os.getpid()))
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, path)


def main(argv=None):
    global STATE, VERBOSE
    ap = argparse.ArgumentParser(description="Fake Adobe Flow Service for flowsvc_fdw tests")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--connections", type=int, default=120)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--api-key", default="test-api-key")
    ap.add_argument("--ims-org", default="TESTORG@AdobeOrg")
    ap.add_argument("--token", default="test-access-token")
    ap.add_argument("--client-id", default="test-client")
    ap.add_argument("--client-secret", default="test-secret")
    ap.add_argument("--token-ttl", type=int, default=86399)
    ap.add_argument("--tls-cert", help="PEM server certificate: also serve HTTPS")
    ap.add_argument("--tls-key", help="PEM private key of --tls-cert")
    ap.add_argument("--tls-port-file", help="where to write the HTTPS port")
    ap.add_argument("--verbose", action="store_true")
    cfg = ap.parse_args(argv)
    if bool(cfg.tls_cert) != bool(cfg.tls_key) or (cfg.tls_port_file and not cfg.tls_cert):
        ap.error("--tls-cert and --tls-key go together (and --tls-port-file needs them)")
    VERBOSE = cfg.verbose
    STATE = State(cfg)
    server = Server(("127.0.0.1", cfg.port), Handler)
    port = server.server_address[1]
    tserver = tls_server(cfg) if cfg.tls_cert else None
    if tserver is not None and cfg.tls_port_file:
        write_port_file(cfg.tls_port_file, tserver.server_address[1])
    if cfg.port_file:
        write_port_file(cfg.port_file, port)
    if VERBOSE:
        sys.stderr.write("fake_flowsvc: listening on 127.0.0.1:%d\n" % port)
        if tserver is not None:
            sys.stderr.write("fake_flowsvc: HTTPS on 127.0.0.1:%d\n" % tserver.server_address[1])

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    tthread = None
    if tserver is not None:
        tthread = threading.Thread(target=tserver.serve_forever, kwargs={"poll_interval": 0.2},
                                   daemon=True)
        tthread.start()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        if tserver is not None:
            # the plain listener has stopped (a signal, or an error): stop the
            # TLS one too
            tserver.shutdown()
            tthread.join(5)
            tserver.server_close()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
