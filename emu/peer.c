/*
 * peer.c - halfclose-peer: the article's conversation over the socket API,
 * for a real kernel at one end of an emulation link. The same applications
 * as the simulated ones (sim/conv.c), with the same parameters:
 *
 *   halfclose-peer server PORT REQUEST RESPONSE THINK_NS CLOSE_DELAY_NS
 *                  WAIT_EOF
 *   halfclose-peer client ADDR PORT REQUEST HALF_CLOSE SHUTDOWN_DELAY_NS
 *                  READ_SIZE READ_INTERVAL_NS READ_DELAY_NS
 *
 * The server reads to end of stream (or the whole request when WAIT_EOF is
 * 0), thinks, writes the response and closes after CLOSE_DELAY_NS. The
 * client connects, writes the request, shuts down sending (HALF_CLOSE)
 * SHUTDOWN_DELAY_NS after it, reads READ_SIZE at a time on a clock - at
 * READ_DELAY_NS after the request and every READ_INTERVAL_NS from there,
 * taking what is there (0: whenever data is there) - and closes at end of
 * stream or error. Every socket
 * uses cubic (TCP_CONGESTION), whatever the host's default.
 *
 * One line on standard output at the end, what the application saw:
 *   bytes_read=N eof=0|1 error=0|ERRNO_NAME t_error_ns=T
 * (T from the connect, or -1). Exit 0, or 2 for bad arguments, 1 when a
 * socket call other than a read or write failed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/prctl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* Sleep until the monotonic clock reads t (ns). */
static void sleep_until(uint64_t t) {
  struct timespec ts = {(time_t)(t / 1000000000ull), (long)(t % 1000000000ull)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
    ;
}

/* Wake when asked, as the simulated applications do: no timer slack (50 us
 * by default, which made every sleep that much longer). Real-time priority
 * is left to the link: given to these programs too, it made the link's
 * events later (measured: 3 of 200 runs off by more than 1 ms). */
static void punctual(void) {
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
}

static const char *errname(int e) {
  switch (e) {
  case ECONNRESET:
    return "ECONNRESET";
  case EPIPE:
    return "EPIPE";
  case ETIMEDOUT:
    return "ETIMEDOUT";
  case ECONNREFUSED:
    return "ECONNREFUSED";
  default:
    return strerror(e);
  }
}

static int cubic(int fd) {
  return setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, "cubic", 5);
}

static int write_all(int fd, uint64_t n) {
  static char zero[65536];
  while (n) {
    ssize_t w = send(fd, zero, n < sizeof zero ? n : sizeof zero, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0)
      return -1;
    n -= (uint64_t)w;
  }
  return 0;
}

static void report(uint64_t bytes, int eof, int err, int64_t t_err) {
  printf("bytes_read=%llu eof=%d error=%s t_error_ns=%lld\n",
         (unsigned long long)bytes, eof, err ? errname(err) : "0",
         (long long)t_err);
  fflush(stdout);
}

static int server(char **a) {
  int port = atoi(a[0]);
  uint64_t request = strtoull(a[1], NULL, 10),
           response = strtoull(a[2], NULL, 10),
           think = strtoull(a[3], NULL, 10),
           close_delay = strtoull(a[4], NULL, 10);
  int wait_eof = atoi(a[5]);
  int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  struct sockaddr_in sa = {.sin_family = AF_INET,
                           .sin_port = htons((uint16_t)port)};
  if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
      cubic(l) || bind(l, (struct sockaddr *)&sa, sizeof sa) || listen(l, 4))
    return perror("halfclose-peer server"), 1;
  printf("listening\n");
  fflush(stdout);
  int c = accept(l, NULL, NULL);
  if (c < 0)
    return perror("halfclose-peer accept"), 1;
  uint64_t t0 = now_ns(), got = 0;
  char buf[65536];
  int err = 0, eof = 0;
  int64_t t_err = -1;
  for (;;) {
    if (!wait_eof && got >= request)
      break;
    ssize_t n = recv(c, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      eof = n == 0;
      if (n < 0) {
        err = errno;
        t_err = (int64_t)(now_ns() - t0);
      }
      break;
    }
    got += (uint64_t)n;
  }
  if (!err) {
    sleep_until(now_ns() + think);
    if (write_all(c, response) != 0) {
      err = errno;
      t_err = (int64_t)(now_ns() - t0);
    }
    sleep_until(now_ns() + close_delay);
  }
  close(c);
  close(l);
  report(got, eof, err, t_err);
  return 0;
}

static int client(char **a) {
  const char *addr = a[0];
  int port = atoi(a[1]);
  uint64_t request = strtoull(a[2], NULL, 10);
  int half_close = atoi(a[3]);
  uint64_t shutdown_delay = strtoull(a[4], NULL, 10),
           read_size = strtoull(a[5], NULL, 10),
           read_interval = strtoull(a[6], NULL, 10),
           read_delay = strtoull(a[7], NULL, 10);
  if (read_size == 0 || read_size > (1u << 20))
    return fprintf(stderr, "halfclose-peer: bad read size\n"), 2;
  int c = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sa = {.sin_family = AF_INET,
                           .sin_port = htons((uint16_t)port)};
  if (c < 0 || inet_pton(AF_INET, addr, &sa.sin_addr) != 1 || cubic(c))
    return perror("halfclose-peer client"), 1;
  uint64_t t0 = now_ns(), got = 0;
  int err = 0, eof = 0;
  int64_t t_err = -1;
  if (connect(c, (struct sockaddr *)&sa, sizeof sa) != 0) {
    err = errno;
    t_err = (int64_t)(now_ns() - t0);
  } else if (write_all(c, request) != 0) {
    err = errno;
    t_err = (int64_t)(now_ns() - t0);
  } else {
    /* as the simulated client: the shutdown SHUTDOWN_DELAY_NS after the
     * request, and - independently - a paced reader's reads on a clock,
     * READ_DELAY_NS after the request and every READ_INTERVAL_NS from
     * there, each taking what is there (nothing there: the next tick); an
     * unpaced reader reads whenever data is there */
    uint64_t t_req = now_ns(), t_sd = t_req + shutdown_delay,
             t_rd = t_req + read_delay;
    bool sd_pending = half_close != 0;
    char *buf = malloc(read_size);
    while (buf) {
      if (sd_pending && t_sd <= t_rd) {
        sleep_until(t_sd);
        shutdown(c, SHUT_WR);
        sd_pending = false;
        continue;
      }
      sleep_until(t_rd);
      uint64_t t;
      if (!read_interval) { /* wait for data, or for the shutdown */
        int timeout = -1;
        if (sd_pending) {
          t = now_ns();
          timeout = t_sd > t ? (int)((t_sd - t + 999999) / 1000000) : 0;
        }
        struct pollfd pf = {c, POLLIN, 0};
        int pr = poll(&pf, 1, timeout);
        if (pr < 0 && errno == EINTR)
          continue;
        if (pr == 0) { /* the shutdown is due */
          t_rd = now_ns();
          if (t_rd < t_sd)
            t_rd = t_sd;
          continue;
        }
      }
      ssize_t n = recv(c, buf, read_size, MSG_DONTWAIT);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (read_interval)
          t_rd += read_interval;
        continue;
      }
      if (n < 0) {
        err = errno;
        t_err = (int64_t)(now_ns() - t0);
        break;
      }
      if (n == 0) {
        eof = 1;
        break;
      }
      got += (uint64_t)n;
      if (read_interval)
        t_rd += read_interval;
    }
    free(buf);
  }
  close(c);
  report(got, eof, err, t_err);
  return 0;
}

int main(int argc, char **argv) {
  punctual();
  if (argc == 8 && strcmp(argv[1], "server") == 0)
    return server(argv + 2);
  if (argc == 10 && strcmp(argv[1], "client") == 0)
    return client(argv + 2);
  fprintf(stderr, "usage: halfclose-peer server PORT REQUEST RESPONSE "
                  "THINK_NS CLOSE_DELAY_NS WAIT_EOF\n"
                  "       halfclose-peer client ADDR PORT REQUEST HALF_CLOSE "
                  "SHUTDOWN_DELAY_NS READ_SIZE READ_INTERVAL_NS "
                  "READ_DELAY_NS\n");
  return 2;
}
