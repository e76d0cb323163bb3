#!/usr/bin/env python3
"""A Graphite line receiver that reads slowly (issue 21): listens on 127.0.0.1, prints "port N", then for each
connection reads at most RATE bytes per second and prints "connection BYTES LINES COMPLETE" when the peer closes
(COMPLETE: the data ended in a newline). With a forward port it also relays what it read to a real carbon.
Usage: slow_carbon.py RATE_BYTES_PER_SECOND [FORWARD_PORT]"""
import socket
import sys
import threading
import time

rate = int(sys.argv[1])
forward = int(sys.argv[2]) if len(sys.argv) > 2 else None
listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
# A small receive buffer so the sender feels the slow reader at once instead of after megabytes.
listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
listener.bind(("127.0.0.1", 0))
listener.listen(16)
print("port", listener.getsockname()[1], flush=True)


def serve(conn):
    out = socket.create_connection(("127.0.0.1", forward)) if forward else None
    total = 0
    lines = 0
    last = b""
    started = time.monotonic()
    with conn:
        while True:
            chunk = conn.recv(16384)
            if not chunk:
                break
            total += len(chunk)
            lines += chunk.count(b"\n")
            last = chunk[-1:]
            if out:
                out.sendall(chunk)
            # Sleep until the average rate is back under RATE.
            ahead = total / rate - (time.monotonic() - started)
            if ahead > 0:
                time.sleep(ahead)
    if out:
        out.close()
    print("connection", total, lines, "yes" if last == b"\n" else "no", flush=True)


while True:
    conn, _ = listener.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
