#!/usr/bin/env python3
"""Sends N requests to a Varnish on 127.0.0.1:PORT over keep-alive connections from THREADS threads:
mostly cacheable URLs (hits after the first miss), some passes, synths and a few pipes.

  loadgen.py PORT N [THREADS]
"""
import http.client
import random
import sys
import threading

port, total = int(sys.argv[1]), int(sys.argv[2])
threads = int(sys.argv[3]) if len(sys.argv) > 3 else 8
per_thread = total // threads
errors = []

def worker(seed):
    rnd = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for _ in range(per_thread):
        r = rnd.random()
        if r < 0.80:
            path = "/article/%d" % rnd.randint(1, 2000)
        elif r < 0.95:
            path = "/pass/%d" % rnd.randint(1, 100000)
        elif r < 0.995:
            path = "/synth/%d" % rnd.randint(1, 1000)
        else:
            path = "/pipe/%d" % rnd.randint(1, 1000)
        try:
            conn.request("GET", path, headers={"User-Agent": "vlogdump-bench", "Referer": "http://bench.example/"})
            resp = conn.getresponse()
            resp.read()
            if path.startswith("/pipe") or resp.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        except (OSError, http.client.HTTPException) as e:
            errors.append(str(e))
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

ts = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print("sent %d requests, %d errors" % (per_thread * threads, len(errors)), file=sys.stderr)
