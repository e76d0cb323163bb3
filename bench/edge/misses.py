#!/usr/bin/env python3
"""Streaming misses (issue #18), against opskit edge and Varnish in the same run.

origin: serves /obj/<n>?size=N with Content-Length in 64 KiB writes; right after the first body write has left
(sendall returned) it records time.monotonic() for that URL. The client reads each miss over a raw socket and records
when the first body byte arrives; both clocks are the same CLOCK_MONOTONIC, so the difference is the time the proxy
added to the first byte. Usage: misses.py origin PORT LOGFILE | misses.py first-byte PROXY_PORT ORIGIN_LOG PREFIX COUNT SIZE
"""
import socket, sys, time, threading, statistics, os
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
from urllib.parse import urlparse, parse_qs

def origin(port, log):
    lock = threading.Lock()
    out = open(log, "a", buffering=1)
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def log_message(self, *a): pass
        def do_GET(self):
            url = urlparse(self.path)
            size = int(parse_qs(url.query).get("size", ["1048576"])[0])
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Cache-Control", "max-age=3600")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            self.wfile.flush()
            chunk = b"x" * 65536
            sent, first = 0, True
            while sent < size:
                n = min(len(chunk), size - sent)
                self.wfile.write(chunk[:n])
                self.wfile.flush()
                if first:
                    with lock:
                        out.write(f"{url.path} {time.monotonic()}\n")
                    first = False
                    time.sleep(0.05)  # the rest follows later: the first byte must not wait for it
                sent += n
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()

def first_byte(port, log, prefix, count, size):
    arrivals = {}
    for i in range(count):
        path = f"{prefix}/{i}"
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(f"GET {path}?size={size} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n".encode())
        buf = b""
        while b"\r\n\r\n" not in buf:
            buf += s.recv(65536)
        body = buf.split(b"\r\n\r\n", 1)[1]
        while not body:
            body = s.recv(65536)
        arrivals[path] = time.monotonic()
        while s.recv(1 << 20):
            pass
        s.close()
    time.sleep(0.2)
    left = {}
    for line in open(log):
        p, t = line.split()
        if p in arrivals:
            left[p] = float(t)
    delays = sorted((arrivals[p] - left[p]) * 1000 for p in arrivals if p in left)
    print(f"{prefix}: {len(delays)} misses, first byte after leaving the origin: median {statistics.median(delays):.2f} ms, "
          f"p90 {delays[int(len(delays) * 0.9)]:.2f} ms, max {delays[-1]:.2f} ms")

if __name__ == "__main__":
    if sys.argv[1] == "origin":
        origin(int(sys.argv[2]), sys.argv[3])
    else:
        first_byte(int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]))
