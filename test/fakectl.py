#!/usr/bin/env python3
"""Control the fake Flow Service from the SQL test suites (psql's \\!).

Admin base URL: env FLOWSVC_FAKE_ADMIN (e.g. http://127.0.0.1:PORT/__admin) or --admin URL.
Output is stable (no ports, no timings).  Mutating commands print nothing on success.
Failures: a message on stderr and a non-zero exit status.

  reset                      reseed data, clear faults, tokens and stats
  reset-stats                clear counters and the request log
  seed N                     reseed with N connections (also resets everything)
  count [METHOD]             API requests since reset-stats (optionally one method)
  tcp                        TCP connections accepted (and used for the API) since reset-stats
  token-requests             requests to the token endpoint since reset-stats
  missing-headers            API requests that lacked one of the four required headers
  log [N]                    last N (default all, max 200) requests: METHOD path-with-query status
  if-match                   If-Match header of the last PATCH/DELETE ("(none)" when absent)
  fault JSON                 queue a fault, e.g. '{"method":"GET","action":"status","status":503}'
  clear-faults               drop queued faults
  bump ID                    change that item's version now
  item COLL ID FIELD         print a field of the stored item (dotted path; JSON for non-strings;
                             "(absent)" when missing)
  set COLL ID FIELD JSON     set a field of the stored item raw (no version change)
  unset COLL ID FIELD        remove a field of the stored item raw
  expire-tokens [--static]   invalidate issued tokens (and the static one with --static)
  token-ttl SECONDS          expires_in of tokens issued from now on
  stats                      raw stats JSON (not stable: for debugging)
"""

import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request


def die(msg, code=2):
    sys.stderr.write("fakectl: %s\n" % msg)
    sys.exit(code)


def call(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode("utf-8")
    req = urllib.request.Request(base.rstrip("/") + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            raw = r.read()
    except urllib.error.HTTPError as e:
        try:
            msg = json.loads(e.read().decode("utf-8")).get("error", "")
        except Exception:
            msg = ""
        die("%s %s failed: HTTP %d %s" % (method, path, e.code, msg))
    except (urllib.error.URLError, OSError) as e:
        die("cannot reach the fake Flow Service admin at %s: %s" % (base, e))
    return json.loads(raw.decode("utf-8")) if raw else None


def out(s):
    sys.stdout.buffer.write((s + "\n").encode("utf-8"))
    sys.stdout.flush()


def main(argv):
    base = os.environ.get("FLOWSVC_FAKE_ADMIN")
    if len(argv) >= 2 and argv[0] == "--admin":
        base = argv[1]
        argv = argv[2:]
    elif argv and argv[0].startswith("--admin="):
        base = argv[0].split("=", 1)[1]
        argv = argv[1:]
    if not argv or argv[0] in ("-h", "--help", "help"):
        sys.stdout.write(__doc__)
        return 0 if argv else 2
    if not base:
        die("set FLOWSVC_FAKE_ADMIN or pass --admin URL")
    cmd, args = argv[0], argv[1:]

    def nargs(lo, hi=None):
        hi = lo if hi is None else hi
        if not lo <= len(args) <= hi:
            die("wrong number of arguments for %s" % cmd)

    def q(s):
        return urllib.parse.quote(s, safe="")

    if cmd == "reset":
        nargs(0)
        call(base, "POST", "/reset", {})
    elif cmd == "reset-stats":
        nargs(0)
        call(base, "POST", "/reset-stats", {})
    elif cmd == "seed":
        nargs(1)
        try:
            n = int(args[0])
        except ValueError:
            die("seed needs an integer")
        call(base, "POST", "/seed", {"connections": n})
    elif cmd == "count":
        nargs(0, 1)
        st = call(base, "GET", "/stats")
        out(str(st["by_method"].get(args[0].upper(), 0) if args else st["requests"]))
    elif cmd == "tcp":
        nargs(0)
        out(str(call(base, "GET", "/stats")["tcp_connections"]))
    elif cmd == "token-requests":
        nargs(0)
        out(str(call(base, "GET", "/stats")["token_requests"]))
    elif cmd == "missing-headers":
        nargs(0)
        out(str(call(base, "GET", "/stats")["missing_headers"]))
    elif cmd == "log":
        nargs(0, 1)
        log = call(base, "GET", "/stats")["log"]
        if args:
            try:
                n = int(args[0])
            except ValueError:
                die("log needs an integer")
            log = log[-n:] if n > 0 else []
        for e in log:
            out("%s %s %s" % (e["method"], e["path"], "-" if e["status"] is None else e["status"]))
    elif cmd == "if-match":
        nargs(0)
        log = call(base, "GET", "/stats")["log"]
        last = [e for e in log if e["method"] in ("PATCH", "DELETE")]
        if not last:
            out("(no PATCH or DELETE)")
        else:
            v = last[-1]["if_match"]
            out("(none)" if v is None else v)
    elif cmd == "fault":
        nargs(1)
        try:
            f = json.loads(args[0])
        except ValueError:
            die("fault needs a JSON object")
        call(base, "POST", "/faults", f)
    elif cmd == "clear-faults":
        nargs(0)
        call(base, "DELETE", "/faults")
    elif cmd == "bump":
        nargs(1, 2)
        body = {"id": args[-1]}
        if len(args) == 2:
            body["coll"] = args[0]
        call(base, "POST", "/bump-version", body)
    elif cmd == "item":
        nargs(3)
        item = call(base, "GET", "/item/%s/%s" % (q(args[0]), q(args[1])))
        cur = item
        for k in args[2].split("."):
            if isinstance(cur, dict) and k in cur:
                cur = cur[k]
            else:
                out("(absent)")
                return 0
        out(cur if isinstance(cur, str) else json.dumps(cur, ensure_ascii=False))
    elif cmd == "set":
        nargs(4)
        try:
            v = json.loads(args[3])
        except ValueError:
            die("set needs a JSON value")
        call(base, "POST", "/item/%s/%s" % (q(args[0]), q(args[1])), {"field": args[2], "value": v})
    elif cmd == "unset":
        nargs(3)
        call(base, "POST", "/item/%s/%s" % (q(args[0]), q(args[1])), {"field": args[2], "unset": True})
    elif cmd == "expire-tokens":
        nargs(0, 1)
        if args and args[0] != "--static":
            die("usage: expire-tokens [--static]")
        call(base, "POST", "/expire-tokens", {"static": bool(args)})
    elif cmd == "token-ttl":
        nargs(1)
        try:
            call(base, "POST", "/token-ttl", {"seconds": int(args[0])})
        except ValueError:
            die("token-ttl needs an integer")
    elif cmd == "stats":
        nargs(0)
        out(json.dumps(call(base, "GET", "/stats"), indent=1, ensure_ascii=False))
    else:
        die("unknown command %r (try --help)" % cmd)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
