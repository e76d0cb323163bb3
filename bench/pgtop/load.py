#!/usr/bin/python3
"""Load for bench/pgtop: N idle sessions, M running pg_sleep, one row lock with W waiters. Runs until killed.
Uses psycopg2 (the Debian python3-psycopg2 that pg-activity depends on)."""
import sys, threading, time
import psycopg2

dsn, idle, sleeping, waiters = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
keep = []

def connect(app):
    c = psycopg2.connect(dsn, application_name=app)
    c.autocommit = True
    keep.append(c)
    return c

setup = connect("bench-setup")
setup.cursor().execute("DROP TABLE IF EXISTS bench_lock; CREATE TABLE bench_lock (id int primary key, v int); INSERT INTO bench_lock VALUES (1, 0)")

for i in range(idle):
    connect("bench-idle")

def run(sql, app):
    c = connect(app)
    try:
        c.cursor().execute(sql)
    except Exception:
        pass

holder = connect("bench-holder")
holder.autocommit = False
holder.cursor().execute("UPDATE bench_lock SET v = 1 WHERE id = 1")  # transaction left open: holds the row lock
for i in range(waiters):
    threading.Thread(target=run, args=("UPDATE bench_lock SET v = 2 WHERE id = 1", "bench-waiter"), daemon=True).start()
for i in range(sleeping):
    threading.Thread(target=run, args=("SELECT pg_sleep(3600)", "bench-sleep"), daemon=True).start()

print("ready", flush=True)
while True:
    time.sleep(60)
