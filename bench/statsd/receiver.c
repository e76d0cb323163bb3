/*
 * The ceiling for bench/statsd/run.sh: a recvmmsg UDP receiver that only counts, with an 8 MiB
 * receive buffer (SO_RCVBUFFORCE as root, so net.core.rmem_max does not cap it).
 *
 *   receiver PORT STATS_FILE
 *
 * Binds 127.0.0.1:PORT and rewrites STATS_FILE every 100 ms with "packets N lines N" (totals since
 * start; a line is a non-empty '\n'-separated part of a datagram, as statsd counts metrics_received).
 * Runs until SIGTERM/SIGINT.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 256
#define SIZE 2048

static volatile sig_atomic_t stop = 0;
static void on_signal(int sig) { (void)sig; stop = 1; }

static void write_stats(const char *path, long packets, long lines) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *f = fopen(tmp, "w");
  if (!f) return;
  fprintf(f, "packets %ld lines %ld\n", packets, lines);
  fclose(f);
  rename(tmp, path);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s PORT STATS_FILE\n", argv[0]);
    return 2;
  }
  struct sigaction sa = {.sa_handler = on_signal};
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);

  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  int size = 8 << 20;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  struct timeval tv = {0, 100000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1]))};
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    perror("bind");
    return 1;
  }

  static char bufs[BATCH][SIZE];
  struct iovec iov[BATCH];
  struct mmsghdr msgs[BATCH];
  memset(msgs, 0, sizeof msgs);
  for (int i = 0; i < BATCH; i++) {
    iov[i].iov_base = bufs[i];
    iov[i].iov_len = SIZE;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }

  long packets = 0, lines = 0;
  struct timespec last, t;
  clock_gettime(CLOCK_MONOTONIC, &last);
  write_stats(argv[2], 0, 0);
  printf("receiver is up\n");
  fflush(stdout);
  while (!stop) {
    int n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);
    if (n > 0) {
      packets += n;
      for (int i = 0; i < n; i++) {
        const char *p = bufs[i];
        unsigned len = msgs[i].msg_len, start = 0;
        for (unsigned j = 0; j <= len; j++) {
          if (j == len || p[j] == '\n') {
            if (j > start) lines++;
            start = j + 1;
          }
        }
      }
    } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
      perror("recvmmsg");
      return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t);
    if ((t.tv_sec - last.tv_sec) * 1000 + (t.tv_nsec - last.tv_nsec) / 1000000 >= 100) {
      write_stats(argv[2], packets, lines);
      last = t;
    }
  }
  write_stats(argv[2], packets, lines);
  return 0;
}
