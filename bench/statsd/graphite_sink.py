#!/usr/bin/python3
"""Fake Graphite for bench/statsd/run.sh: sums what the daemon says it received.

    graphite_sink.py PORT STATS_FILE

Accepts plaintext Graphite connections on 127.0.0.1:PORT (one per flush, as Etsy's backend does)
and after each one rewrites STATS_FILE with "flushes N packets N lines N": the running totals of
stats.counters.statsd.packets_received.count and ...metrics_received.count over all flushes.
"""
import os
import socketserver
import sys
import threading

PACKETS = "stats.counters.statsd.packets_received.count"
LINES = "stats.counters.statsd.metrics_received.count"
totals = {"flushes": 0, "packets": 0, "lines": 0}
lock = threading.Lock()


def write(path):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("flushes %d packets %d lines %d\n" % (totals["flushes"], totals["packets"], totals["lines"]))
    os.replace(tmp, path)


class Flush(socketserver.StreamRequestHandler):
    def handle(self):
        packets = lines = 0
        for raw in self.rfile:
            parts = raw.decode("utf-8", "replace").split(" ")
            if len(parts) >= 2 and parts[0] == PACKETS:
                packets += float(parts[1])
            elif len(parts) >= 2 and parts[0] == LINES:
                lines += float(parts[1])
        with lock:
            totals["flushes"] += 1
            totals["packets"] += int(packets)
            totals["lines"] += int(lines)
            write(sys.argv[2])


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


if __name__ == "__main__":
    with lock:
        write(sys.argv[2])
    with Server(("127.0.0.1", int(sys.argv[1])), Flush) as server:
        server.serve_forever()
