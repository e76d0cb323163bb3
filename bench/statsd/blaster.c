/*
 * sendmmsg UDP blaster for the statsd whole-system benchmark (bench/statsd/run.sh).
 *
 * Sends a fixed, seeded set of statsd packets -- a realistic mix of counters, sampled counters,
 * timers, gauges and sets over ~1000 keys -- to 127.0.0.1:PORT, either at full speed or paced to a
 * fixed packet rate, until COUNT packets are sent or SECONDS have passed (both bounds always apply).
 *
 *   blaster PORT LINES_PER_PACKET RATE COUNT SECONDS [SOURCES]
 *     RATE 0 = as fast as sendmmsg goes; otherwise packets per second.
 *     SOURCES (default 1): sending sockets, used in turn per batch. Each has its own source port,
 *     as many client hosts would; with SO_REUSEPORT the kernel spreads sources over the receiver's
 *     sockets by address hash, so one source always lands on one socket.
 *
 * Prints one line: "sent_packets N sent_lines N seconds S rate R".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define POOL 4096  /* distinct packets, cycled */
#define BATCH 64   /* datagrams per sendmmsg */
#define KEYS_PER_TYPE 200

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t next(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return (uint32_t)(rng >> 16); }

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One metric line: 40% counters, 15% sampled counters, 25% timers, 10% gauges, 10% sets. */
static int line(char *out, size_t cap) {
  uint32_t roll = next() % 100, key = next() % KEYS_PER_TYPE;
  if (roll < 40) return snprintf(out, cap, "bench.app.requests.%u:%u|c", key, 1 + next() % 5);
  if (roll < 55) return snprintf(out, cap, "bench.app.sampled.%u:1|c|@0.1", key);
  if (roll < 80) return snprintf(out, cap, "bench.app.latency.%u:%u.%u|ms", key, next() % 900, next() % 10);
  if (roll < 90) return snprintf(out, cap, "bench.app.queue.%u:%u|g", key, next() % 10000);
  return snprintf(out, cap, "bench.app.users.%u:user%u|s", key, next() % 5000);
}

int main(int argc, char **argv) {
  if (argc != 6 && argc != 7) {
    fprintf(stderr, "usage: %s PORT LINES_PER_PACKET RATE COUNT SECONDS [SOURCES]\n", argv[0]);
    return 2;
  }
  int port = atoi(argv[1]), lines = atoi(argv[2]);
  double rate = atof(argv[3]), seconds = atof(argv[5]);
  long count = atol(argv[4]);
  int sources = argc == 7 ? atoi(argv[6]) : 1;
  if (lines < 1 || lines > 50 || count < 1 || seconds <= 0 || sources < 1 || sources > 64) {
    fprintf(stderr, "bad arguments\n");
    return 2;
  }

  static char payload[POOL][1500];
  static struct iovec iov[POOL];
  for (int p = 0; p < POOL; p++) {
    size_t len = 0;
    for (int l = 0; l < lines; l++) {
      if (l > 0) payload[p][len++] = '\n';
      len += line(payload[p] + len, sizeof payload[p] - len);
    }
    iov[p].iov_base = payload[p];
    iov[p].iov_len = len;
  }

  int fds[64];
  for (int s = 0; s < sources; s++) {
    fds[s] = socket(AF_INET, SOCK_DGRAM, 0);
    int sndbuf = 4 << 20;
    setsockopt(fds[s], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  }
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port)};
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);

  struct mmsghdr msgs[BATCH];
  memset(msgs, 0, sizeof msgs);
  for (int i = 0; i < BATCH; i++) {
    msgs[i].msg_hdr.msg_name = &to;
    msgs[i].msg_hdr.msg_namelen = sizeof to;
    msgs[i].msg_hdr.msg_iovlen = 1;
  }

  long sent = 0, batches = 0;
  int cursor = 0;
  double start = now(), deadline = start + seconds;
  while (sent < count) {
    double t = now();
    if (t >= deadline) break;
    if (rate > 0) {
      /* Pace: never run ahead of rate * elapsed; sleep briefly when ahead. */
      double due = start + (double)sent / rate;
      if (due > t) {
        struct timespec ts = {0, (long)((due - t) * 1e9)};
        if (ts.tv_nsec > 200000) ts.tv_nsec = 200000;
        nanosleep(&ts, NULL);
        continue;
      }
    }
    int n = BATCH;
    if (count - sent < n) n = (int)(count - sent);
    if (rate > 0) {
      /* At a fixed rate send small bursts so pacing stays smooth. */
      long allowed = (long)((t - start) * rate) + 1 - sent;
      if (allowed < n) n = allowed < 1 ? 1 : (int)allowed;
    }
    for (int i = 0; i < n; i++) {
      msgs[i].msg_hdr.msg_iov = &iov[cursor];
      cursor = (cursor + 1) % POOL;
    }
    int done = sendmmsg(fds[batches++ % sources], msgs, n, 0);
    if (done < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == ENOBUFS || errno == ECONNREFUSED) continue;
      perror("sendmmsg");
      return 1;
    }
    sent += done;
    cursor = (cursor - (n - done) + POOL) % POOL;
  }
  double elapsed = now() - start;
  printf("sent_packets %ld sent_lines %ld seconds %.3f rate %.0f\n", sent, sent * lines, elapsed, sent / elapsed);
  for (int s = 0; s < sources; s++) close(fds[s]);
  return 0;
}
