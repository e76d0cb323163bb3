#!/usr/bin/env python3
"""Generates varnishlog text for the vlogdump benchmark.

  generate.py legacy N   > file   Varnish 2.1 log of N client requests: 80 interleaved sessions, a realistic
                                  mix (hits, misses, passes, a few pipes and errors), request and response
                                  headers, backend records interleaved, 1 request in 500 without ReqEnd.
  generate.py modern N   > file   Varnish 7 `varnishlog -g request` text of N requests with the same mix.

Deterministic (fixed seed), so every run measures the same input.
"""
import random
import sys

def legacy(n, out):
    rnd = random.Random(42)
    w = out.write
    sessions = {}
    xid = 100000000
    t = 1365603497.0
    done = 0
    active = []
    def line(fd, tag, data, typ='c'):
        w("%5d %-12s %s %s\n" % (fd, tag, typ, data))
    # Each active session emits its request in steps; steps of different sessions are interleaved.
    def request_steps(fd, ip, x, url, kind, ends):
        steps = []
        steps.append(("ReqStart", "%s %d %d" % (ip, 40000 + fd, x)))
        steps.append(("RxRequest", "POST" if kind == "pass" and rnd.random() < 0.3 else "GET"))
        steps.append(("RxURL", url))
        steps.append(("RxProtocol", "HTTP/1.1"))
        steps.append(("RxHeader", "Host: www.example.com"))
        steps.append(("RxHeader", "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0"))
        steps.append(("RxHeader", "Accept: text/html,application/xhtml+xml"))
        steps.append(("RxHeader", "Accept-Encoding: gzip, deflate"))
        if rnd.random() < 0.3:
            steps.append(("RxHeader", "Cookie: session=%08x" % rnd.getrandbits(32)))
        steps.append(("VCL_call", "recv"))
        recv = {"hit": "lookup", "miss": "lookup", "pass": "pass", "pipe": "pipe", "error": "error"}[kind]
        steps.append(("VCL_return", recv))
        if kind in ("hit", "miss"):
            steps.append(("VCL_call", "hash"))
            steps.append(("VCL_return", "hash"))
        if kind == "hit":
            steps.append(("Hit", str(x - 1000)))
            steps.append(("VCL_call", "hit"))
            steps.append(("VCL_return", "deliver"))
        elif kind == "miss":
            steps.append(("VCL_call", "miss"))
            steps.append(("VCL_return", "fetch"))
            steps.append(("Backend", "%d default default" % (fd + 1000)))
            steps.append(("TTL", "%d RFC 120 -1 -1 %d 0 %d 0 0" % (x, int(t), int(t))))
            steps.append(("VCL_call", "fetch"))
            steps.append(("VCL_return", "deliver"))
            steps.append(("ObjProtocol", "HTTP/1.1"))
            steps.append(("ObjStatus", "200"))
            steps.append(("ObjResponse", "OK"))
        elif kind == "pass":
            steps.append(("VCL_call", "pass"))
            steps.append(("VCL_return", "pass"))
            steps.append(("Backend", "%d default default" % (fd + 1000)))
            steps.append(("VCL_call", "fetch"))
            steps.append(("VCL_return", "pass"))
        elif kind == "pipe":
            steps.append(("VCL_call", "pipe"))
            steps.append(("VCL_return", "pipe"))
        elif kind == "error":
            steps.append(("VCL_call", "error"))
            steps.append(("VCL_return", "deliver"))
        if kind != "pipe":
            steps.append(("VCL_call", "deliver"))
            steps.append(("VCL_return", "deliver"))
            status = {"error": ("404", "Not Found")}.get(kind, ("200", "OK") if rnd.random() < 0.95 else ("503", "Service Unavailable"))
            steps.append(("TxProtocol", "HTTP/1.1"))
            steps.append(("TxStatus", status[0]))
            steps.append(("TxResponse", status[1]))
            steps.append(("TxHeader", "Server: Apache"))
            steps.append(("TxHeader", "Content-Type: text/html; charset=utf-8"))
            steps.append(("TxHeader", "Content-Length: %d" % rnd.randint(100, 50000)))
            steps.append(("TxHeader", "X-Varnish: %d" % x))
            steps.append(("TxHeader", "Age: %d" % (rnd.randint(1, 100) if kind == "hit" else 0)))
            steps.append(("TxHeader", "Via: 1.1 varnish"))
            steps.append(("Length", str(rnd.randint(100, 50000))))
        if ends:
            start = t + rnd.random()
            total = rnd.expovariate(1 / 0.02) if kind != "hit" else rnd.expovariate(1 / 0.0004)
            steps.append(("ReqEnd", "%d %.9f %.9f %.9f %.9f %.9f" % (x, start, start + total, 0.0001, total * 0.9, total * 0.1)))
        return steps
    fds = list(range(12, 92))
    started = 0
    cursor = {}
    while done < n:
        # Keep up to 80 requests in flight on distinct file descriptors.
        while len(active) < 80 and started < n:
            fd = fds[started % len(fds)]
            if fd in cursor:
                break
            started += 1
            xid += 1
            r = rnd.random()
            kind = "hit" if r < 0.55 else "miss" if r < 0.80 else "pass" if r < 0.95 else "error" if r < 0.99 else "pipe"
            url = "/article/%d/%s" % (rnd.randint(1, 20000), rnd.choice(["index.html", "photo.jpg", "comments", "style.css"]))
            ip = "10.%d.%d.%d" % (rnd.randint(0, 3), rnd.randint(0, 255), rnd.randint(1, 254))
            cursor[fd] = request_steps(fd, ip, xid, url, kind, ends=(started % 500 != 0))
            active.append(fd)
        if not active:
            break
        fd = active[rnd.randrange(len(active))]
        steps = cursor[fd]
        for _ in range(rnd.randint(1, 4)):
            if not steps:
                break
            tag, data = steps.pop(0)
            line(fd, tag, data)
            if tag == "Backend":
                line(fd + 1000, "TxRequest", "GET", 'b')
                line(fd + 1000, "RxStatus", "200", 'b')
        if not steps:
            del cursor[fd]
            active.remove(fd)
            done += 1
            t += 0.001

def modern(n, out):
    rnd = random.Random(43)
    w = out.write
    t = 1700000000.0
    for i in range(n):
        vxid = 2 * i + 2
        r = rnd.random()
        kind = "hit" if r < 0.55 else "miss" if r < 0.80 else "pass" if r < 0.95 else "synth" if r < 0.99 else "pipe"
        url = "/article/%d/%s" % (rnd.randint(1, 20000), rnd.choice(["index.html", "photo.jpg", "comments", "style.css"]))
        total = rnd.expovariate(1 / 0.02) if kind != "hit" else rnd.expovariate(1 / 0.0004)
        rec = []
        a = rec.append
        a(("Begin", "req %d rxreq" % (vxid - 1)))
        a(("Timestamp", "Start: %.6f 0.000000 0.000000" % t))
        a(("Timestamp", "Req: %.6f 0.000000 0.000000" % t))
        a(("VCL_use", "boot"))
        a(("ReqStart", "10.%d.%d.%d %d a0" % (rnd.randint(0, 3), rnd.randint(0, 255), rnd.randint(1, 254), rnd.randint(1024, 65535))))
        a(("ReqMethod", "GET"))
        a(("ReqURL", url))
        a(("ReqProtocol", "HTTP/1.1"))
        a(("ReqHeader", "Host: www.example.com"))
        a(("ReqHeader", "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0"))
        a(("ReqHeader", "Accept: text/html,application/xhtml+xml"))
        a(("ReqHeader", "X-Forwarded-For: 10.0.0.1"))
        a(("VCL_call", "RECV"))
        a(("VCL_return", {"pass": "pass", "pipe": "pipe", "synth": "synth"}.get(kind, "hash")))
        a(("VCL_call", "HASH"))
        a(("VCL_return", "lookup"))
        if kind == "hit":
            a(("Hit", "%d 119.9 10.0 0.0" % (vxid - 100)))
            a(("VCL_call", "HIT"))
            a(("VCL_return", "deliver"))
        elif kind in ("miss", "pass"):
            a(("VCL_call", kind.upper()))
            a(("VCL_return", "fetch"))
            a(("Link", "bereq %d %s" % (vxid + 1, "fetch" if kind == "miss" else "pass")))
            a(("Timestamp", "Fetch: %.6f %.6f %.6f" % (t + total * 0.9, total * 0.9, total * 0.9)))
        elif kind == "pipe":
            a(("Link", "bereq %d pipe" % (vxid + 1)))
            a(("VCL_call", "PIPE"))
            a(("VCL_return", "pipe"))
        if kind == "synth":
            a(("RespProtocol", "HTTP/1.1"))
            a(("RespStatus", "404"))
            a(("RespReason", "Not Found"))
            a(("VCL_call", "SYNTH"))
            a(("VCL_return", "deliver"))
        elif kind != "pipe":
            a(("RespProtocol", "HTTP/1.1"))
            a(("RespStatus", "200"))
            a(("RespReason", "OK"))
            a(("RespHeader", "Content-Type: text/html; charset=utf-8"))
            a(("RespHeader", "X-Varnish: %d" % vxid))
            a(("RespHeader", "Age: 0"))
            a(("RespHeader", "Via: 1.1 varnish (Varnish/7.1)"))
            a(("VCL_call", "DELIVER"))
            a(("VCL_return", "deliver"))
        if kind == "pipe":
            a(("Timestamp", "PipeSess: %.6f %.6f %.6f" % (t + total, total, total)))
            a(("PipeAcct", "103 164 0 520"))
        else:
            a(("Timestamp", "Process: %.6f %.6f %.6f" % (t + total * 0.95, total * 0.95, total * 0.05)))
            a(("RespHeader", "Connection: keep-alive"))
            a(("Timestamp", "Resp: %.6f %.6f %.6f" % (t + total, total, total * 0.05)))
            a(("ReqAcct", "99 0 99 255 %d %d" % (rnd.randint(100, 50000), 300)))
        a(("End", ""))
        w("*   << Request  >> %-10d\n" % vxid)
        for tag, data in rec:
            w("-   %-14s %s\n" % (tag, data))
        if kind in ("miss", "pass"):
            w("**  << BeReq    >> %-10d\n" % (vxid + 1))
            for tag, data in (("Begin", "bereq %d fetch" % vxid), ("BereqMethod", "GET"), ("BereqURL", url), ("BereqProtocol", "HTTP/1.1"),
                              ("BerespProtocol", "HTTP/1.1"), ("BerespStatus", "200"), ("BerespReason", "OK"), ("End", "")):
                w("--  %-14s %s\n" % (tag, data))
        w("\n")
        t += 0.001

if __name__ == "__main__":
    kind, n = sys.argv[1], int(sys.argv[2])
    out = open(sys.stdout.fileno(), "w", buffering=1 << 20, closefd=False)
    (legacy if kind == "legacy" else modern)(n, out)
    out.flush()
