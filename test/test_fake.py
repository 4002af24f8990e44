#!/usr/bin/env python3
"""Self-check of the fake Flow Service (test/fake_flowsvc.py).  Run: python3 test/test_fake.py"""

import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
FAKE = os.path.join(HERE, "fake_flowsvc.py")
CTL = os.path.join(HERE, "fakectl.py")
PREFIX = "/data/foundation/flowservice"
N = 300
SALESFORCE = "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5"
HDRS = {"Authorization": "Bearer test-access-token", "x-api-key": "test-api-key",
        "x-gw-ims-org-id": "TESTORG@AdobeOrg", "x-sandbox-name": "prod"}


class FakeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        pf = os.path.join(cls.tmp.name, "port")
        cls.proc = subprocess.Popen([sys.executable, FAKE, "--port", "0", "--port-file", pf,
                                     "--connections", str(N)])
        deadline = time.time() + 10
        while not os.path.exists(pf):
            if time.time() > deadline or cls.proc.poll() is not None:
                raise RuntimeError("fake did not start")
            time.sleep(0.02)
        with open(pf) as f:
            cls.port = int(f.read().strip())
        cls.admin_url = "http://127.0.0.1:%d/__admin" % cls.port

    @classmethod
    def tearDownClass(cls):
        cls.proc.send_signal(signal.SIGTERM)
        rc = cls.proc.wait(10)
        cls.tmp.cleanup()
        assert rc == 0, "fake exited with %s" % rc

    def setUp(self):
        self.admin("POST", "/reset")

    # ------------------------------------------------------------ helpers
    def conn(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)

    def request(self, method, path, headers=None, body=None, conn=None, raw_body=False):
        c = conn or self.conn()
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        c.request(method, path, body=body, headers=headers if headers is not None else HDRS)
        r = c.getresponse()
        data = r.read()
        if conn is None:
            c.close()
        if raw_body:
            return r.status, r, data
        return r.status, r, (json.loads(data) if data else None)

    def api(self, method, path, headers=None, body=None, conn=None, **kw):
        return self.request(method, PREFIX + path, headers, body, conn, **kw)

    def admin(self, method, path, body=None):
        st, _, out = self.request(method, "/__admin" + path, {"Content-Type": "application/json"},
                                  body if body is not None else ({} if method == "POST" else None))
        self.assertEqual(st, 200, out)
        return out

    def stats(self):
        return self.admin("GET", "/stats")

    def item(self, coll, iid):
        return self.admin("GET", "/item/%s/%s" % (coll, urllib.parse.quote(iid, safe="")))

    def all_ids(self, query="limit=100"):
        ids, path = [], "/connections?" + query
        while True:
            st, _, out = self.api("GET", path)
            self.assertEqual(st, 200, out)
            ids += [i["id"] for i in out["items"]]
            nxt = out["_links"].get("next")
            if not nxt:
                self.assertEqual(out["_links"], {})
                return ids
            path = nxt["href"]

    def first(self, n=10):
        return self.api("GET", "/connections?limit=%d" % n)[2]["items"]

    def assertFlowError(self, st, out, status, code=None):
        self.assertEqual(st, status, out)
        self.assertEqual(out["status"], status)
        self.assertTrue(out["type"].startswith("https://ns.adobe.com/aep/errors/FLOW-"))
        for k in ("title", "report", "errorMessage", "errorDetails"):
            self.assertIn(k, out)
        self.assertIn("detailed-message", out["report"])
        self.assertIn("request-id", out["report"])
        if code:
            self.assertTrue(out["type"].endswith("FLOW-" + code), out["type"])

    # ------------------------------------------------------------ headers
    def test_headers(self):
        def without(k):
            return {h: v for h, v in HDRS.items() if h != k}
        cases = [
            (without("Authorization"), 403, "403010"),
            (dict(HDRS, Authorization="Bearer nope"), 401, "401013"),
            (dict(HDRS, Authorization="test-access-token"), 401, "401013"),
            (without("x-api-key"), 403, "403000"),
            (dict(HDRS, **{"x-api-key": "wrong"}), 403, None),
            (without("x-gw-ims-org-id"), 400, "400003"),
            (dict(HDRS, **{"x-gw-ims-org-id": "OTHER@AdobeOrg"}), 403, None),
            (without("x-sandbox-name"), 400, None),
            (dict(HDRS, **{"x-sandbox-name": "Prod"}), 400, None),
            (dict(HDRS, **{"x-sandbox-name": "nosuch"}), 400, None),
        ]
        self.admin("POST", "/reset-stats")
        for hdrs, status, code in cases:
            st, _, out = self.api("GET", "/connections", hdrs)
            self.assertEqual(st, status, (hdrs, out))
            self.assertIn("error_code", out)
            self.assertIn("message", out)
            if code:
                self.assertEqual(out["error_code"], code)
        st, _, out = self.api("GET", "/connections?limit=1", dict(HDRS, **{"x-api-key": "wrong"}))
        self.assertEqual(out["message"], "Api Key is invalid")
        s = self.stats()
        self.assertEqual(s["missing_headers"], 4)
        self.assertEqual(s["requests"], len(cases) + 1)
        self.assertFalse(s["log"][0]["headers_present"])
        self.assertTrue(s["log"][1]["headers_present"])
        # dev sandbox exists and is empty
        st, _, out = self.api("GET", "/connections", dict(HDRS, **{"x-sandbox-name": "dev"}))
        self.assertEqual((st, out["items"]), (200, []))

    # ------------------------------------------------------------ listing
    def test_pagination(self):
        st, _, out = self.api("GET", "/connections")
        self.assertEqual(len(out["items"]), 20)
        ids = []
        path = "/connections?limit=70"
        pages = 0
        while path:
            st, _, out = self.api("GET", path)
            self.assertEqual(st, 200)
            pages += 1
            ids += [i["id"] for i in out["items"]]
            nxt = out["_links"].get("next")
            if nxt:
                href = nxt["href"]
                self.assertTrue(href.startswith("/connections?continuationToken="))
                self.assertEqual([k for k, _ in urllib.parse.parse_qsl(href.split("?", 1)[1])],
                                 ["continuationToken"])
                path = href
            else:
                self.assertEqual(out["_links"], {})
                path = None
        self.assertEqual(pages, 5)
        self.assertEqual(len(ids), N)
        self.assertEqual(len(set(ids)), N)
        self.assertEqual(ids, self.all_ids())
        # cap
        st, _, out = self.api("GET", "/connections?limit=250")
        self.assertEqual(len(out["items"]), 100)
        self.assertEqual(len(self.all_ids("limit=1000")), N)
        for bad in ("limit=0", "limit=-1", "limit=abc", "limit=1.5", "limit=", "start=10",
                    "limit=5&limit=6", "continuationToken=garbage", "orderby=na%20me", "foo"):
            st, _, out = self.api("GET", "/connections?" + bad)
            self.assertFlowError(st, out, 400)
        # token with other params
        st, _, out = self.api("GET", "/connections?limit=5")
        href = out["_links"]["next"]["href"]
        st, _, out2 = self.api("GET", href + "&property=state==enabled")
        self.assertFlowError(st, out2, 400)
        st, _, out2 = self.api("GET", href + "&orderby=name")
        self.assertFlowError(st, out2, 400)
        # token of another collection
        st, _, out2 = self.api("GET", href.replace("/connections", "/flows"))
        self.assertFlowError(st, out2, 400)

    def test_filters(self):
        st, _, out = self.api("GET", "/connections?limit=100&property=state==disabled")
        self.assertTrue(out["items"])
        self.assertTrue(all(i["state"] == "disabled" for i in out["items"]))
        both = self.all_ids("limit=100&property=state==enabled,disabled")
        allc = self.api("GET", "/connections?count=true")[2]["count"]
        self.assertEqual(allc, N)
        init = self.api("GET", "/connections?count=true&property=state==initializing")[2]["count"]
        self.assertEqual(len(both) + init, N)
        self.assertGreater(init, 0)
        self.assertEqual(self.api("GET", "/connections?count=false&limit=2")[0], 200)
        # numeric comparisons
        items = self.first(100)
        ts = sorted(i["createdAt"] for i in items)[50]
        gt = [i for i in self.first(100) if i["createdAt"] > ts]
        st, _, out = self.api("GET", "/connections?limit=100&property=createdAt>%d" % ts)
        allitems = []
        path = "/connections?limit=100&property=createdAt>%d" % ts
        while path:
            st, _, out = self.api("GET", path)
            allitems += out["items"]
            path = out["_links"].get("next", {}).get("href")
        self.assertTrue(all(i["createdAt"] > ts for i in allitems))
        self.assertTrue({i["id"] for i in gt} <= {i["id"] for i in allitems})
        c_lt = self.api("GET", "/connections?count=true&property=createdAt<%d" % ts)[2]["count"]
        c_ge = self.api("GET", "/connections?count=true&property=createdAt>=%d" % ts)[2]["count"]
        c_le = self.api("GET", "/connections?count=true&property=createdAt<=%d" % ts)[2]["count"]
        self.assertEqual(c_lt + c_ge, N)
        self.assertGreaterEqual(c_le, c_lt + 1)
        # AND of two filters, numeric equality
        c = self.api("GET", "/connections?count=true&property=createdAt>=%d&property=createdAt<=%d"
                     % (ts, ts))[2]["count"]
        self.assertGreaterEqual(c, 1)
        c2 = self.api("GET", "/connections?count=true&property=createdAt==%d" % ts)[2]["count"]
        self.assertEqual(c, c2)
        # nested
        st, _, out = self.api("GET", "/connections?limit=100&property=connectionSpec.id==" + SALESFORCE)
        self.assertTrue(out["items"])
        self.assertTrue(all(i["connectionSpec"]["id"] == SALESFORCE for i in out["items"]))
        # id list
        ids = [i["id"] for i in items[:3]]
        st, _, out = self.api("GET", "/connections?property=id==" + ",".join(ids))
        self.assertEqual([i["id"] for i in out["items"]], ids)
        # empty string description matches description==, absent never matches
        st, _, out = self.api("GET", "/connections?limit=100&property=description==")
        self.assertEqual([i["description"] for i in out["items"]], [""])
        # booleans
        c = self.api("GET", "/connections?count=true&property=auth.params.largeFileSupport==true")[2]["count"]
        c2 = self.api("GET", "/connections?count=true&property=auth.params.largeFileSupport==false")[2]["count"]
        self.assertGreater(c + c2, 0)
        # refused
        st, _, out = self.api("GET", "/connections?property=name~foo")
        self.assertFlowError(st, out, 400, "1440-400")
        for bad in ("property=state!=enabled", "property=name>abc", "property=%3Dfoo",
                    "property=state", "count=yes"):
            st, _, out = self.api("GET", "/connections?" + bad)
            self.assertFlowError(st, out, 400)
        st, _, out = self.api("GET", "/connections?count=true&limit=10")
        self.assertFlowError(st, out, 400, "1401-400")

    def test_orderby(self):
        def names(q):
            out = []
            path = "/connections?limit=100&" + q
            while path:
                st, _, o = self.api("GET", path)
                self.assertEqual(st, 200, o)
                out += o["items"]
                path = o["_links"].get("next", {}).get("href")
            return out
        asc = [i["name"] for i in names("orderby=name")]
        self.assertEqual(asc, sorted(asc))
        desc = [i["name"] for i in names("orderby=-name")]
        self.assertEqual(desc, sorted(desc, reverse=True))
        d = names("orderby=description")
        k = [i for i, x in enumerate(d) if "description" not in x]
        self.assertTrue(k)
        self.assertEqual(k, list(range(len(d) - len(k), len(d))))
        d = names("orderby=-description&property=state==disabled")
        self.assertTrue(all(x["state"] == "disabled" for x in d))
        self.assertTrue("description" not in d[-1])
        c = [i["createdAt"] for i in names("orderby=-createdAt")]
        self.assertEqual(c, sorted(c, reverse=True))

    def test_seed_awkward(self):
        items = self.first(10)
        names = [i["name"] for i in items]
        self.assertIn("a,b&c+d%e/f=g#h", names)
        self.assertTrue(any("é" in n for n in names))
        self.assertTrue(any("日本語" in n for n in names))
        self.assertTrue(any("🚀" in n for n in names))
        self.assertTrue(any('"' in n and "\\" in n for n in names))
        self.assertTrue(any(len(n) == 300 for n in names))
        self.assertTrue(any("description" not in i for i in items))
        self.assertTrue(any(i.get("description") == "" for i in items))
        self.assertTrue(any("lastOperation" in i for i in items))
        for i in items:
            self.assertTrue(i["version"].startswith('"') and i["version"].endswith('"'))
            self.assertEqual(i["version"], i["etag"])
            self.assertGreaterEqual(i["updatedAt"], i["createdAt"])
        # deterministic
        self.admin("POST", "/reset")
        self.assertEqual(self.first(10), items)
        self.admin("POST", "/seed", {"connections": 2500})
        self.assertEqual(self.api("GET", "/connections?count=true")[2]["count"], 2500)
        self.assertEqual(self.first(10), items)
        self.admin("POST", "/seed", {"connections": N})
        for coll in ("sourceConnections", "targetConnections", "flows", "runs",
                     "connectionSpecs", "flowSpecs"):
            st, _, out = self.api("GET", "/" + coll)
            self.assertEqual(st, 200)
            self.assertTrue(out["items"], coll)

    # ------------------------------------------------------------ get one
    def test_get_one(self):
        it = self.first(1)[0]
        st, _, out = self.api("GET", "/connections/" + it["id"])
        self.assertEqual((st, out), (200, {"items": [it]}))
        st, _, out = self.api("GET", "/connections/does-not-exist")
        self.assertFlowError(st, out, 404)
        st, _, out = self.api("GET", "/connections/a%2Fb")
        self.assertFlowError(st, out, 404)
        self.assertIn("'a/b'", out["errorMessage"])
        st, _, out = self.api("GET", "/nosuch")
        self.assertFlowError(st, out, 404)
        st, _, out = self.api("GET", "/connections/" + it["id"] + "?limit=1")
        self.assertFlowError(st, out, 400)
        # id containing a slash and a plus, set up through the admin
        st, _, out = self.api("GET", "/connectionSpecs/" + SALESFORCE)
        self.assertEqual(out["items"][0]["name"], "salesforce")

    # ------------------------------------------------------------ PATCH
    def patch(self, iid, ops, if_match, ctype="application/json", headers=None):
        h = dict(HDRS)
        if ctype:
            h["Content-Type"] = ctype
        if if_match is not None:
            h["If-Match"] = if_match
        h.update(headers or {})
        return self.api("PATCH", "/connections/" + urllib.parse.quote(iid, safe=""), h, ops)

    def test_patch_if_match(self):
        it = self.first(1)[0]
        ops = [{"op": "replace", "path": "/name", "value": "renamed"}]
        st, _, out = self.patch(it["id"], ops, None)
        self.assertFlowError(st, out, 400, "1403-400")
        self.assertEqual(out["title"], "Header is missing")
        st, _, out = self.patch(it["id"], ops, it["version"].strip('"'))
        self.assertFlowError(st, out, 412, "1404-412")
        self.assertEqual(out["title"], "Version not matching")
        st, _, out = self.patch(it["id"], ops, '"0000"')
        self.assertFlowError(st, out, 412, "1404-412")
        st, _, out = self.patch(it["id"], ops, it["version"], ctype="text/plain")
        self.assertFlowError(st, out, 415)
        st, _, out = self.patch(it["id"], ops, it["version"], ctype=None)
        self.assertFlowError(st, out, 415)
        st, _, out = self.patch("nope", ops, it["version"])
        self.assertFlowError(st, out, 404)
        self.assertEqual(self.item("connections", it["id"])["name"], it["name"])
        st, _, out = self.patch(it["id"], ops, it["version"], ctype="application/json; charset=utf-8")
        self.assertEqual(st, 200, out)
        self.assertEqual(out["id"], it["id"])
        self.assertNotEqual(out["etag"], it["version"])
        self.assertTrue(out["etag"].startswith('"') and out["etag"].endswith('"'))
        st, _, got = self.api("GET", "/connections/" + it["id"])
        g = got["items"][0]
        self.assertEqual((g["name"], g["version"], g["etag"]), ("renamed", out["etag"], out["etag"]))
        self.assertGreater(g["updatedAt"], it["updatedAt"])
        self.assertEqual(g["updatedClient"], "test-client")
        # the old version is now stale
        st, _, o2 = self.patch(it["id"], ops, it["version"])
        self.assertEqual(st, 412)
        s = self.stats()
        self.assertEqual(s["log"][-1]["if_match"], it["version"])
        self.assertEqual(s["log"][-1]["content_type"], "application/json")

    def test_patch_semantics(self):
        items = self.first(10)
        nodesc = next(i for i in items if "description" not in i)
        withdesc = next(i for i in items if i.get("description"))
        sf = next(i for i in items if i["connectionSpec"]["id"] == SALESFORCE)

        def p(it, ops):
            cur = self.item("connections", it["id"])
            return self.patch(it["id"], ops, cur["version"])

        # replace / remove of an absent member refused
        for op in ("replace", "remove"):
            st, _, out = p(nodesc, [{"op": op, "path": "/description", "value": "x"}])
            self.assertFlowError(st, out, 400)
        st, _, out = p(nodesc, [{"op": "add", "path": "/description", "value": "added"}])
        self.assertEqual(st, 200, out)
        self.assertEqual(self.item("connections", nodesc["id"])["description"], "added")
        st, _, out = p(withdesc, [{"op": "remove", "path": "/description"}])
        self.assertEqual(st, 200, out)
        self.assertNotIn("description", self.item("connections", withdesc["id"]))
        # auth params
        st, _, out = p(sf, [{"op": "replace", "path": "/auth/params/password", "value": "s3cret"},
                            {"op": "add", "path": "/auth/params/extra", "value": {"a": [1, 2]}}])
        self.assertEqual(st, 200, out)
        cur = self.item("connections", sf["id"])
        self.assertEqual(cur["auth"]["params"]["password"], "s3cret")
        self.assertEqual(cur["auth"]["params"]["extra"], {"a": [1, 2]})
        st, _, out = p(sf, [{"op": "replace", "path": "/auth/params", "value": {"username": "u"}}])
        self.assertEqual(st, 200, out)
        self.assertEqual(self.item("connections", sf["id"])["auth"]["params"], {"username": "u"})
        # refused paths
        st, _, out = p(sf, [{"op": "replace", "path": "/connectionSpec/id", "value": "x"}])
        self.assertFlowError(st, out, 400, "1414-400")
        st, _, out = p(sf, [{"op": "replace", "path": "/connectionSpec", "value": {}}])
        self.assertFlowError(st, out, 400, "1414-400")
        for ops in ([{"op": "replace", "path": "/state", "value": "disabled"}],
                    [{"op": "replace", "path": "/auth", "value": {}}],
                    [{"op": "replace", "path": "/version", "value": "x"}],
                    [{"op": "move", "path": "/name", "from": "/description"}],
                    [{"op": "replace", "path": "name", "value": "x"}],
                    [{"op": "replace", "path": "/name", "value": ""}],
                    [{"op": "replace", "path": "/name", "value": 5}],
                    [{"op": "remove", "path": "/name"}],
                    [{"op": "replace", "path": "/name"}],
                    [{"op": "replace", "path": "/auth/params", "value": "str"}],
                    [{"op": "replace", "path": "/auth/params/nope/deeper", "value": 1}],
                    [], {"op": "replace"}, "x"):
            st, _, out = p(sf, ops)
            self.assertFlowError(st, out, 400)
        # atomic
        before = self.item("connections", sf["id"])
        st, _, out = p(sf, [{"op": "replace", "path": "/name", "value": "half"},
                            {"op": "remove", "path": "/nope"}])
        self.assertEqual(st, 400)
        self.assertEqual(self.item("connections", sf["id"]), before)
        st, _, out = self.patch(sf["id"], "not json", before["version"])
        self.assertFlowError(st, out, 400)
        # state check
        self.admin("POST", "/item/connections/" + sf["id"], {"field": "state", "value": "failed"})
        st, _, out = p(sf, [{"op": "replace", "path": "/name", "value": "n"}])
        self.assertFlowError(st, out, 400, "1416-400")
        # read-only catalog
        st, _, out = self.api("PATCH", "/connectionSpecs/" + SALESFORCE,
                              dict(HDRS, **{"Content-Type": "application/json", "If-Match": '"x"'}), [])
        self.assertFlowError(st, out, 405)
        st, _, out = self.api("DELETE", "/runs/x")
        self.assertFlowError(st, out, 405)

    # ------------------------------------------------------------ POST / DELETE
    def test_post(self):
        body = {"name": "New one", "description": "d", "auth": {"specName": "Basic Authentication",
                "params": {"username": "u", "password": "p"}},
                "connectionSpec": {"id": SALESFORCE, "version": "1.0"}}
        h = dict(HDRS, **{"Content-Type": "application/json"})
        st, r, out = self.api("POST", "/connections", h, body)
        self.assertEqual(st, 201, out)
        self.assertEqual(r.getheader("Location"), PREFIX + "/connections/" + out["id"])
        stored = self.item("connections", out["id"])
        seeded = self.first(1)[0]
        self.assertEqual(set(seeded) - {"lastOperation"}, set(stored))
        self.assertEqual(stored["version"], out["etag"])
        self.assertEqual(self.api("GET", "/connections?count=true")[2]["count"], N + 1)
        self.assertEqual(self.all_ids()[-1], out["id"])
        for bad in (dict(body, connectionSpec={"id": "nope", "version": "1.0"}),
                    {k: v for k, v in body.items() if k != "name"},
                    {k: v for k, v in body.items() if k != "auth"},
                    dict(body, id="x"), [body]):
            st, _, o = self.api("POST", "/connections", h, bad)
            self.assertFlowError(st, o, 400)
        st, _, o = self.api("POST", "/connections", HDRS, body)
        self.assertFlowError(st, o, 415)
        st, _, o = self.api("POST", "/connectionSpecs", h, body)
        self.assertFlowError(st, o, 405)

    def test_delete(self):
        st, _, flows = self.api("GET", "/flows")
        sc = self.api("GET", "/sourceConnections/" + flows["items"][0]["sourceConnectionIds"][0])[2]
        used = sc["items"][0]["baseConnectionId"]
        st, _, out = self.api("DELETE", "/connections/" + used)
        self.assertFlowError(st, out, 400, "1418-400")
        used_ids = set()
        for f in flows["items"]:
            for sid in f["sourceConnectionIds"]:
                used_ids.add(self.item("sourceConnections", sid)["baseConnectionId"])
        free = next(i for i in self.first(10) if i["id"] not in used_ids and i["state"] != "x")
        st, _, out = self.api("DELETE", "/connections/" + free["id"],
                              dict(HDRS, **{"If-Match": '"stale"'}))
        self.assertFlowError(st, out, 412, "1404-412")
        st, r, data = self.api("DELETE", "/connections/" + free["id"],
                               dict(HDRS, **{"If-Match": free["version"]}), raw_body=True)
        self.assertEqual((st, data, r.getheader("Content-Length")), (204, b"", "0"))
        st, _, out = self.api("GET", "/connections/" + free["id"])
        self.assertEqual(st, 404)
        other = self.first(10)[0] if self.first(10)[0]["id"] not in used_ids else self.first(10)[1]
        st, _, data = self.api("DELETE", "/connections/" + other["id"], raw_body=True)
        self.assertEqual(st, 204)

    def test_other_collections(self):
        h = dict(HDRS, **{"Content-Type": "application/json"})
        base = self.first(30)[25]
        st, _, sc = self.api("POST", "/sourceConnections", h, {
            "name": "src", "baseConnectionId": base["id"], "data": {"format": "tabular"},
            "params": {"tableName": "Account"}, "connectionSpec": dict(base["connectionSpec"])})
        self.assertEqual(st, 201, sc)
        tc = self.api("GET", "/targetConnections")[2]["items"][0]
        fspec = self.api("GET", "/flowSpecs")[2]["items"][0]
        st, _, fl = self.api("POST", "/flows", h, {
            "name": "f", "flowSpec": {"id": fspec["id"], "version": "1.0"},
            "sourceConnectionIds": [sc["id"]], "targetConnectionIds": [tc["id"]],
            "scheduleParams": {"startTime": 1700000000, "frequency": "hour", "interval": 1}})
        self.assertEqual(st, 201, fl)
        st, _, out = self.api("POST", "/flows", h, {
            "name": "f", "flowSpec": {"id": fspec["id"], "version": "1.0"},
            "sourceConnectionIds": ["nope"], "targetConnectionIds": [tc["id"]]})
        self.assertFlowError(st, out, 400)
        self.assertFlowError(*self.api("DELETE", "/connections/" + base["id"])[::2], 400, "1418-400")
        self.assertFlowError(*self.api("DELETE", "/sourceConnections/" + sc["id"])[::2], 400, "1418-400")
        st, _, out = self.api("PATCH", "/flows/" + fl["id"], dict(h, **{"If-Match": fl["etag"]}),
                              [{"op": "replace", "path": "/scheduleParams/interval", "value": 2}])
        self.assertEqual(st, 200, out)
        st, _, out = self.api("PATCH", "/flows/" + fl["id"], dict(h, **{"If-Match": out["etag"]}),
                              [{"op": "replace", "path": "/flowSpec/id", "value": "x"}])
        self.assertFlowError(st, out, 400, "1414-400")
        self.assertEqual(self.api("DELETE", "/flows/" + fl["id"])[0], 204)
        self.assertEqual(self.api("DELETE", "/sourceConnections/" + sc["id"])[0], 204)
        self.assertEqual(self.api("DELETE", "/connections/" + base["id"])[0], 204)
        runs = self.api("GET", "/runs?limit=100")[2]["items"]
        self.assertTrue(runs and all("flowId" in r for r in runs))
        flows = self.api("GET", "/flows?limit=100")[2]["items"]
        fid = flows[0]["id"]
        n = self.api("GET", "/runs?count=true&property=flowId==" + fid)[2]["count"]
        self.assertEqual(n, sum(1 for r in runs if r["flowId"] == fid))

    # ------------------------------------------------------------ tokens
    def token(self, form, ctype="application/x-www-form-urlencoded"):
        return self.request("POST", "/ims/token/v3", {"Content-Type": ctype},
                            urllib.parse.urlencode(form).encode())

    def test_token(self):
        good = {"grant_type": "client_credentials", "client_id": "test-client",
                "client_secret": "test-secret", "scope": "openid,AdobeID,read_organizations"}
        st, _, out = self.token(good)
        self.assertEqual(st, 200, out)
        self.assertEqual(out["token_type"], "bearer")
        self.assertEqual(out["expires_in"], 86399)
        tok = out["access_token"]
        h = dict(HDRS, Authorization="Bearer " + tok)
        self.assertEqual(self.api("GET", "/connections?limit=1", h)[0], 200)
        st, _, out = self.token(dict(good, client_secret="bad"))
        self.assertEqual((st, out["error"]), (401, "invalid_client"))
        st, _, out = self.token(dict(good, grant_type="password"))
        self.assertEqual((st, out["error"]), (400, "unsupported_grant_type"))
        st, _, out = self.token(good, ctype="application/json")
        self.assertEqual(st, 400)
        self.assertEqual(self.stats()["token_requests"], 4)
        self.admin("POST", "/expire-tokens")
        st, _, out = self.api("GET", "/connections?limit=1", h)
        self.assertEqual((st, out["error_code"]), (401, "401013"))
        self.assertEqual(self.api("GET", "/connections?limit=1")[0], 200)
        self.admin("POST", "/expire-tokens", {"static": True})
        self.assertEqual(self.api("GET", "/connections?limit=1")[0], 401)
        self.admin("POST", "/token-ttl", {"seconds": 0})
        st, _, out = self.token(good)
        self.assertEqual(out["expires_in"], 0)
        self.assertEqual(self.api("GET", "/connections?limit=1",
                                  dict(HDRS, Authorization="Bearer " + out["access_token"]))[0], 401)
        self.admin("POST", "/reset")
        self.assertEqual(self.api("GET", "/connections?limit=1")[0], 200)
        # PATCH with an issued token records its client
        st, _, out = self.token(good)
        it = self.first(1)[0]
        st, _, o = self.patch(it["id"], [{"op": "replace", "path": "/name", "value": "x"}], it["version"],
                              headers={"Authorization": "Bearer " + out["access_token"]})
        self.assertEqual(st, 200)
        self.assertEqual(self.item("connections", it["id"])["updatedBy"], "test-client@techacct.adobe.com")
        # a fault aimed at the token endpoint
        self.admin("POST", "/faults", {"path_contains": "/ims/", "action": "status", "status": 503})
        self.assertEqual(self.api("GET", "/connections?limit=1")[0], 200)  # not consumed by the API
        self.assertEqual(self.token(good)[0], 503)
        self.assertEqual(self.token(good)[0], 200)

    # ------------------------------------------------------------ faults
    def fault(self, **f):
        self.admin("POST", "/faults", f)

    def test_fault_status(self):
        self.fault(method="GET", path_contains="/connections", action="status", status=429,
                   retry_after=2, times=2)
        self.assertEqual(self.api("PATCH", "/connections/x", dict(HDRS))[0], 404)  # method filter
        st, r, out = self.api("GET", "/flows")
        self.assertEqual(st, 200)  # path filter
        for _ in range(2):
            st, r, out = self.api("GET", "/connections")
            self.assertFlowError(st, out, 429)
            self.assertEqual(r.getheader("Retry-After"), "2")
        self.assertEqual(self.api("GET", "/connections")[0], 200)
        for code in (500, 502, 503, 504):
            self.fault(action="status", status=code)
            st, r, out = self.api("GET", "/connections")
            self.assertFlowError(st, out, code)
            self.assertIsNone(r.getheader("Retry-After"))
        self.fault(action="status", status=401)
        st, _, out = self.api("GET", "/connections")
        self.assertEqual((st, out["error_code"]), (401, "401013"))
        self.fault(action="status", status=418, body={"custom": True})
        self.assertEqual(self.api("GET", "/connections")[2], {"custom": True})
        self.fault(action="status", status=500)
        self.admin("DELETE", "/faults")
        self.assertEqual(self.api("GET", "/connections")[0], 200)

    def test_fault_bodies(self):
        self.fault(action="delay", ms=300)
        t = time.time()
        self.assertEqual(self.api("GET", "/connections?limit=1")[0], 200)
        self.assertGreaterEqual(time.time() - t, 0.29)
        self.fault(action="malformed")
        st, _, data = self.api("GET", "/connections", raw_body=True)
        self.assertEqual(st, 200)
        self.assertRaises(ValueError, json.loads, data)
        self.fault(action="no_items")
        self.assertEqual(self.api("GET", "/connections")[2], {"foo": 1})
        self.fault(action="wrong_type")
        self.assertEqual(self.api("GET", "/connections")[2], {"items": {"not": "an array"}})
        self.fault(action="huge", bytes=3_000_000)
        st, _, data = self.api("GET", "/connections", raw_body=True)
        self.assertEqual(len(data), 3_000_000)
        self.assertEqual(json.loads(data)["items"], [])
        self.fault(action="truncated")
        c = self.conn()
        c.request("GET", PREFIX + "/connections", headers=HDRS)
        r = c.getresponse()
        self.assertRaises(http.client.IncompleteRead, r.read)
        c.close()
        self.fault(action="close")
        c = self.conn()
        c.request("GET", PREFIX + "/connections", headers=HDRS)
        self.assertRaises((http.client.RemoteDisconnected, ConnectionError), c.getresponse)
        c.close()
        self.assertEqual(self.api("GET", "/connections?limit=1")[0], 200)
        self.assertEqual(self.stats()["log"][-2]["status"], None)

    def test_fault_bump_version_after(self):
        it = self.first(1)[0]
        self.fault(method="GET", action="bump_version_after")
        st, _, out = self.api("GET", "/connections/" + it["id"])
        v = out["items"][0]["version"]
        self.assertEqual(v, it["version"])
        self.assertNotEqual(self.item("connections", it["id"])["version"], v)
        st, _, out = self.patch(it["id"], [{"op": "replace", "path": "/name", "value": "x"}], v)
        self.assertFlowError(st, out, 412, "1404-412")
        # on a list page: every served item changes
        self.fault(method="GET", action="bump_version_after")
        page = self.first(3)
        for p in page:
            self.assertNotEqual(self.item("connections", p["id"])["version"], p["version"])
        # admin bump
        old = self.item("connections", it["id"])["version"]
        out = self.admin("POST", "/bump-version", {"id": it["id"]})
        self.assertNotEqual(out["version"], old)
        self.assertEqual(self.item("connections", it["id"])["etag"], out["version"])

    # ------------------------------------------------------------ transport
    def test_keepalive_counting(self):
        self.admin("POST", "/reset-stats")
        c = self.conn()
        self.assertEqual(self.api("GET", "/connections?limit=1", conn=c)[0], 200)
        self.assertEqual(self.api("GET", "/connections?limit=2", conn=c)[0], 200)
        st, _, _ = self.api("GET", "/connections/nope", conn=c)
        self.assertEqual(st, 404)
        self.assertEqual(self.stats()["tcp_connections"], 1)
        self.assertEqual(self.api("GET", "/connections?limit=1", conn=c)[0], 200)
        c.close()
        self.assertEqual(self.api("GET", "/connections?limit=1")[0], 200)
        s = self.stats()
        self.assertEqual((s["tcp_connections"], s["requests"], s["by_method"]), (2, 5, {"GET": 5}))

    def raw_request(self, target):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        req = b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n" + "".join(
            "%s: %s\r\n" % kv for kv in HDRS.items()).encode() + b"\r\n"
        s.sendall(req)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
            if b"\r\n\r\n" in data:
                head, _, body = data.partition(b"\r\n\r\n")
                n = int([l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0]
                        .split(b":")[1])
                if len(body) >= n:
                    break
        s.close()
        head, _, body = data.partition(b"\r\n\r\n")
        return int(head.split(b" ")[1]), json.loads(body)

    def test_strict_decoding(self):
        ids = [i["id"] for i in self.first(20)[12:14]]
        self.admin("POST", "/item/connections/" + ids[0], {"field": "name", "value": "x y"})
        self.admin("POST", "/item/connections/" + ids[1], {"field": "name", "value": "x+y"})
        st, _, out = self.api("GET", "/connections?property=name==x+y")
        self.assertEqual([i["id"] for i in out["items"]], [ids[0]])
        st, _, out = self.api("GET", "/connections?property=name==x%2By")
        self.assertEqual([i["id"] for i in out["items"]], [ids[1]])
        st, _, out = self.api("GET", "/connections?property=name==x%20y")
        self.assertEqual([i["id"] for i in out["items"]], [ids[0]])
        awk = "a,b&c+d%e/f=g#h"
        st, _, out = self.api("GET", "/connections?property=" +
                              urllib.parse.quote("name==" + awk.replace(",", ""), safe=""))
        self.assertEqual(out["items"], [])
        st, _, out = self.api("GET", "/connections?property=name==" +
                              urllib.parse.quote("日本語の接続 (東京)", safe=""))
        self.assertEqual(len(out["items"]), 1)
        for target in (PREFIX.encode() + b"/connections?property=name==x y",
                       PREFIX.encode() + "/connections?property=name==日本".encode(),
                       PREFIX.encode() + b"/connections?property=name==%zz",
                       PREFIX.encode() + b"/connections?property=name==a#b",
                       PREFIX.encode() + b"/connections/%ff"):
            st, out = self.raw_request(target)
            self.assertEqual(st, 400, target)
            self.assertEqual(out["status"], 400)
        for q in ("limit=1&&limit=2", "=1", "limit"):
            st, _, out = self.api("GET", "/connections?" + q)
            self.assertFlowError(st, out, 400)

    def test_fakectl(self):
        env = dict(os.environ, FLOWSVC_FAKE_ADMIN=self.admin_url)

        def ctl(*args, ok=True):
            p = subprocess.run([sys.executable, CTL] + list(args), env=env, capture_output=True)
            if ok:
                self.assertEqual(p.returncode, 0, p.stderr)
            return p.stdout.decode()
        self.assertEqual(ctl("reset-stats"), "")
        it = self.first(1)[0]
        self.patch(it["id"], [{"op": "replace", "path": "/name", "value": "ctl"}], it["version"])
        self.api("GET", "/connections/nope")
        self.assertEqual(ctl("count"), "3\n")
        self.assertEqual(ctl("count", "GET"), "2\n")
        self.assertEqual(ctl("count", "patch"), "1\n")
        self.assertEqual(ctl("tcp"), "3\n")
        self.assertEqual(ctl("missing-headers"), "0\n")
        self.assertEqual(ctl("log", "2"), "PATCH %s/connections/%s 200\nGET %s/connections/nope 404\n"
                         % (PREFIX, it["id"], PREFIX))
        self.assertEqual(ctl("if-match"), it["version"] + "\n")
        self.assertEqual(ctl("item", "connections", it["id"], "name"), "ctl\n")
        self.assertEqual(ctl("item", "connections", it["id"], "connectionSpec"),
                         json.dumps(it["connectionSpec"]) + "\n")
        self.assertEqual(ctl("item", "connections", it["id"], "connectionSpec.version"), "1.0\n")
        self.assertEqual(ctl("item", "connections", it["id"], "nope.x"), "(absent)\n")
        self.assertEqual(ctl("set", "connections", it["id"], "createdAt", "\"soon\""), "")
        self.assertEqual(ctl("item", "connections", it["id"], "createdAt"), "soon\n")
        self.assertEqual(ctl("unset", "connections", it["id"], "createdAt"), "")
        self.assertEqual(ctl("item", "connections", it["id"], "createdAt"), "(absent)\n")
        self.assertEqual(ctl("fault", '{"method": "GET", "action": "status", "status": 503}'), "")
        self.assertEqual(self.api("GET", "/connections")[0], 503)
        ctl("fault", '{"action": "status", "status": 503}')
        self.assertEqual(ctl("clear-faults"), "")
        self.assertEqual(self.api("GET", "/connections")[0], 200)
        v = self.item("connections", it["id"])["version"]
        self.assertEqual(ctl("bump", it["id"]), "")
        self.assertNotEqual(self.item("connections", it["id"])["version"], v)
        self.assertEqual(ctl("expire-tokens"), "")
        self.assertEqual(ctl("seed", "50"), "")
        self.assertEqual(self.api("GET", "/connections?count=true")[2]["count"], 50)
        self.assertEqual(ctl("reset"), "")
        self.assertEqual(self.api("GET", "/connections?count=true")[2]["count"], 50)
        self.admin("POST", "/seed", {"connections": N})
        p = subprocess.run([sys.executable, CTL, "item", "connections", "nope", "name"], env=env,
                           capture_output=True)
        self.assertNotEqual(p.returncode, 0)
        self.assertTrue(p.stderr)
        p = subprocess.run([sys.executable, CTL, "bogus"], env=env, capture_output=True)
        self.assertNotEqual(p.returncode, 0)


# Extensions for a throw-away CA and a server certificate for "localhost" only
# (as test/run.sh makes them).
OPENSSL_CNF = """\
[req]
distinguished_name = dn
[dn]
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


def make_certs(d):
    """A CA and a server certificate it signed, in d: returns (ca.pem, server.pem, server.key)."""
    cnf = os.path.join(d, "openssl.cnf")
    with open(cnf, "w") as f:
        f.write(OPENSSL_CNF)
    p = lambda name: os.path.join(d, name)
    for cmd in (
            ["req", "-x509", "-config", cnf, "-extensions", "ca_ext", "-newkey", "rsa:2048",
             "-nodes", "-keyout", p("ca.key"), "-out", p("ca.pem"), "-days", "1",
             "-subj", "/CN=flowsvc_fdw test CA"],
            ["req", "-new", "-config", cnf, "-newkey", "rsa:2048", "-nodes",
             "-keyout", p("server.key"), "-out", p("server.csr"),
             "-subj", "/CN=flowsvc_fdw test server"],
            ["x509", "-req", "-in", p("server.csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"),
             "-CAcreateserial", "-CAserial", p("ca.srl"), "-days", "1",
             "-extfile", cnf, "-extensions", "server_ext", "-out", p("server.pem")]):
        subprocess.run(["openssl"] + cmd, check=True, capture_output=True)
    return p("ca.pem"), p("server.pem"), p("server.key")


@unittest.skipUnless(shutil.which("openssl"), "the openssl command is not installed")
class FakeTLSTest(unittest.TestCase):
    """--tls-cert/--tls-key: the same API and state over HTTPS on a second port."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.ca, cert, key = make_certs(cls.tmp.name)
        pf = os.path.join(cls.tmp.name, "port")
        tpf = os.path.join(cls.tmp.name, "tls.port")
        cls.proc = subprocess.Popen([sys.executable, FAKE, "--port", "0", "--port-file", pf,
                                     "--connections", "30", "--tls-cert", cert,
                                     "--tls-key", key, "--tls-port-file", tpf])
        deadline = time.time() + 10
        while not os.path.exists(pf):
            if time.time() > deadline or cls.proc.poll() is not None:
                raise RuntimeError("fake did not start")
            time.sleep(0.02)
        # the TLS port file is written before the plain one
        with open(pf) as f, open(tpf) as g:
            cls.port, cls.tls_port = int(f.read()), int(g.read())

    @classmethod
    def tearDownClass(cls):
        cls.proc.send_signal(signal.SIGTERM)
        rc = cls.proc.wait(10)
        cls.tmp.cleanup()
        assert rc == 0, "fake exited with %s" % rc

    def plain(self, method, path):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        c.request(method, path, body=b"{}" if method == "POST" else None,
                  headers={"Content-Type": "application/json"})
        r = c.getresponse()
        out = json.loads(r.read() or b"null")
        c.close()
        self.assertEqual(r.status, 200)
        return out

    def https_get(self, host, path, ctx):
        c = http.client.HTTPSConnection(host, self.tls_port, context=ctx, timeout=10)
        try:
            c.request("GET", PREFIX + path, headers=HDRS)
            r = c.getresponse()
            return r.status, json.loads(r.read())
        finally:
            c.close()

    def test_https_serves_the_same_state(self):
        self.assertNotEqual(self.port, self.tls_port)
        self.plain("POST", "/__admin/reset")
        ctx = ssl.create_default_context(cafile=self.ca)
        st, body = self.https_get("localhost", "/connections?limit=5", ctx)
        self.assertEqual(st, 200)
        self.assertEqual(len(body["items"]), 5)
        # the request over HTTPS is in the stats the plain admin route reports
        stats = self.plain("GET", "/__admin/stats")
        self.assertEqual(stats["requests"], 1)
        self.assertEqual(stats["log"][-1]["path"], PREFIX + "/connections?limit=5")

    def test_https_verification(self):
        self.plain("POST", "/__admin/reset")
        # an unknown CA
        with self.assertRaises(ssl.SSLCertVerificationError):
            self.https_get("localhost", "/connections", ssl.create_default_context())
        # a host the certificate does not name
        with self.assertRaises(ssl.SSLCertVerificationError):
            self.https_get("127.0.0.1", "/connections",
                           ssl.create_default_context(cafile=self.ca))
        # neither reached the API, and the listener still serves after them
        self.assertEqual(self.plain("GET", "/__admin/stats")["requests"], 0)
        st, _ = self.https_get("localhost", "/connections?limit=1",
                               ssl.create_default_context(cafile=self.ca))
        self.assertEqual(st, 200)


if __name__ == "__main__":
    unittest.main(verbosity=1)
