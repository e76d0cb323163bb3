#!/usr/bin/env python3
"""Keyspace benchmark for `opskit statsd` (issue 21, point 2): what the daemon itself does with a large keyspace,
not a micro-benchmark. For each receiver (opskit Release and Etsy statsd 0.9.0 by default) and key count:

  1. start the daemon with a TCP input (no UDP loss to argue about), the graphite backend pointed at a sink on
     loopback, flushInterval FLUSH_MS;
  2. wait for the first (empty) flush: it marks the flush ticks (start-up + k * interval; an empty flush takes
     milliseconds);
  3. send KEYS distinct counters `ks.kNNNNNNN:1|c` over TCP, then wait for the flush that carries them and
     report when its last byte arrived, measured from its tick; count its `ks.*.count 1` lines (nothing lost);
     and the daemon's CPU seconds from before the tick to that last byte;
  4. peak RSS (VmHWM from /proc) after ingest and after that flush and the next one;
  5. `delcounters` with 10 absent names, then `delcounters ks.*` on the management port (opskit), timed;
  6. SIGTERM, timed to exit.

    bench/statsd/keyspace.py                     # KEYS=1000000 RECEIVERS="opskit etsy"
    KEYS="1000000 5000000" RECEIVERS=opskit bench/statsd/keyspace.py

Every process started here is stopped by PID; loops are bounded in count and time.
"""
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KEYS = [int(k) for k in os.environ.get("KEYS", "1000000").split()]
RECEIVERS = os.environ.get("RECEIVERS", "opskit etsy").split()
FLUSH_MS = int(os.environ.get("FLUSH_MS", "10000"))
ETSY = os.path.join(ROOT, ".tools", "node", "node_modules", "statsd", "stats.js")


def log(*args):
    print(time.strftime("[%H:%M:%S]"), *args, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    """Plaintext Graphite receiver: per connection, arrival of the first and last byte, lines, `ks.` count-1 lines."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.flushes = []
        self.lock = threading.Lock()
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def serve(self, conn):
        first = None
        lines = ones = 0
        timings = {}
        rest = b""
        with conn:
            while True:
                chunk = conn.recv(1 << 20)
                if not chunk:
                    break
                if first is None:
                    first = time.time()
                data = rest + chunk
                cut = data.rfind(b"\n") + 1
                block, rest = data[:cut], data[cut:]
                lines += block.count(b"\n")
                ones += block.count(b".count 1 ")  # the ks.* counts (each key was sent once)
                # The regex only where those lines are (the end of a flush): run over every block it made this
                # sink, not the daemon, the slowest part of a 1M-key flush (about 18 ms per MB on this machine).
                if b"stats.statsd." in block:
                    for m in re.finditer(rb"(?m)^stats\.statsd\.(processing_time|graphiteStats\.calculationtime) (\S+)", block):
                        timings[m.group(1).decode()] = float(m.group(2))
        with self.lock:
            self.flushes.append({"first": first or time.time(), "last": time.time(), "lines": lines, "ones": ones, "timings": timings})

    def wait(self, count, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                if len(self.flushes) >= count:
                    return self.flushes[count - 1]
            time.sleep(0.05)
        raise TimeoutError(f"flush {count} did not arrive within {timeout} s")


def rss_peak_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def cpu_s(pid):
    """User + system CPU seconds of the process so far (/proc/PID/stat fields 14 and 15)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def mgmt(port, command, timeout=120):
    started = time.time()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(command.encode() + b"\n")
        data = b""
        while not data.endswith(b"END\n\n"):
            chunk = s.recv(1 << 20)
            if not chunk:
                break
            data += chunk
    return time.time() - started, data


def run(receiver, keys):
    work = tempfile.mkdtemp(prefix="opskit-keyspace-")
    sink = Sink()
    tcp, mgmt_port, udp = free_port(), free_port(), free_port()
    config = f"""{{
  graphiteHost: "127.0.0.1", graphitePort: {sink.port}, flushInterval: {FLUSH_MS},
  mgmt_address: "127.0.0.1", mgmt_port: {mgmt_port},
  servers: [ {{ server: "./servers/tcp", address: "127.0.0.1", port: {tcp} }},
             {{ server: "./servers/udp", address: "127.0.0.1", port: {udp} }} ],
  graphite: {{ legacyNamespace: false }}, backends: [ "./backends/graphite" ]
}}"""
    path = os.path.join(work, "statsd.js")
    with open(path, "w") as f:
        f.write(config)
    out = open(os.path.join(work, "daemon.log"), "w")
    if receiver == "opskit":
        proc = subprocess.Popen([os.path.join(ROOT, "opskit"), "statsd", "--config", path], stdout=out, stderr=subprocess.STDOUT)
    else:
        proc = subprocess.Popen(["node", ETSY, path], stdout=out, stderr=subprocess.STDOUT, cwd=os.path.dirname(ETSY))
    result = {"receiver": receiver, "keys": keys}
    try:
        tick0 = sink.wait(1, 120)["first"]
        log(receiver, keys, "first flush seen; sending")
        sent_at = time.time()
        with socket.create_connection(("127.0.0.1", tcp)) as s:
            batch = 2000
            for start in range(0, keys, batch):
                s.sendall("".join(f"ks.k{i:08d}:1|c\n" for i in range(start, min(keys, start + batch))).encode())
        result["send_s"] = time.time() - sent_at
        time.sleep(2)  # let the daemon take what is still in its socket, so one flush carries every key
        # The flush that carries the keys: the first one whose tick is after the last key was sent.
        k = 1
        while tick0 + k * FLUSH_MS / 1000 < time.time():
            k += 1
        result["rss_ingest_mb"] = rss_mb(proc.pid)
        cpu_before = cpu_s(proc.pid)  # idle until the tick: what follows is the flush's CPU
        flush = sink.wait(k + 1, k * FLUSH_MS / 1000 + 300)
        result["flush_cpu_s"] = cpu_s(proc.pid) - cpu_before
        tick = tick0 + k * FLUSH_MS / 1000
        result["flush_first_byte_s"] = flush["first"] - tick
        result["flush_delivered_s"] = flush["last"] - tick
        result["flush_lines"] = flush["lines"]
        result["ones"] = flush["ones"]
        result["processing_ms"] = flush["timings"].get("processing_time")
        result["calculation_ms"] = flush["timings"].get("graphiteStats.calculationtime")
        sink.wait(k + 2, FLUSH_MS / 1000 + 300)  # one more flush (all zeros) to see the steady state
        result["rss_after_mb"] = rss_mb(proc.pid)
        result["rss_peak_mb"] = rss_peak_mb(proc.pid)
        if receiver == "opskit":
            absent = " ".join(f"absent.{i}" for i in range(10))
            result["del_absent_s"], _ = mgmt(mgmt_port, "delcounters " + absent)
            result["del_all_s"], reply = mgmt(mgmt_port, "delcounters ks.*")
            result["del_all_replies"] = reply.count(b"deleted: ks.")
        stop = time.time()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=120)
        result["sigterm_s"] = time.time() - stop
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        out.close()
        sink.listener.close()
    return result


def main():
    if "opskit" in RECEIVERS:
        log("building opskit (Release)")
        subprocess.run([os.path.join(ROOT, "opskit"), "--help"], check=True, stdout=subprocess.DEVNULL)
    rows = []
    for keys in KEYS:
        for receiver in RECEIVERS:
            if receiver == "etsy" and not os.path.exists(ETSY):
                log("etsy: not installed (.tools/node); skipped")
                continue
            log("run", receiver, keys)
            try:
                rows.append(run(receiver, keys))
            except (TimeoutError, subprocess.TimeoutExpired) as e:
                rows.append({"receiver": receiver, "keys": keys, "error": str(e)})
            log(rows[-1])
    print(f"# keyspace: flushInterval {FLUSH_MS} ms, counters over TCP, graphite sink on loopback; {os.cpu_count()} cores")
    cols = ["receiver", "keys", "send_s", "flush_first_byte_s", "flush_delivered_s", "flush_cpu_s", "flush_lines", "ones",
            "processing_ms", "calculation_ms", "rss_ingest_mb", "rss_peak_mb", "rss_after_mb", "del_absent_s", "del_all_s", "sigterm_s"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        print("| " + " | ".join(f"{r[c]:.2f}" if isinstance(r.get(c), float) else str(r.get(c, r.get("error", "-") if c == "send_s" else "-")) for c in cols) + " |")


if __name__ == "__main__":
    main()
