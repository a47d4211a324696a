/*
 * peer.c - halfclose-peer: the conversation over the socket API, for a real
 * kernel at one end of an emulation link. The same applications as the
 * simulated ones (sim/conv.c), with the same parameters:
 *
 *   halfclose-peer server PORT REQUEST RESPONSE THINK_NS CLOSE_DELAY_NS
 *                  WAIT_EOF [MAX_REQUESTS REQUESTS CLOSE_MODE LINGER_NS
 *                  IDLE_TIMEOUT_NS]
 *   halfclose-peer client ADDR PORT REQUEST HALF_CLOSE SHUTDOWN_DELAY_NS
 *                  READ_SIZE READ_INTERVAL_NS READ_DELAY_NS [REQUESTS
 *                  PIPELINE GAP_NS RESPONSE]
 *
 * The server answers on its one connection: with WAIT_EOF it reads to the
 * end of the stream first; else it answers each request as it has read it
 * whole, THINK_NS before each response, MAX_REQUESTS of them (0: the
 * client's REQUESTS), reading no request beyond them, and with
 * IDLE_TIMEOUT_NS it gives up waiting for the next request after that
 * long. CLOSE_DELAY_NS after its last response it closes by CLOSE_MODE: 0
 * close(); 1 the lingering close - shutdown(SHUT_WR), then read and
 * discard until the end of the stream or LINGER_NS, then close(); 2
 * SO_LINGER {1, 0} and close(), a RST.
 *
 * The client connects and writes its first request (every request with
 * PIPELINE); without PIPELINE, each next one GAP_NS after it has read the
 * response before it whole (RESPONSE bytes each), reading nothing in the
 * gap. SHUTDOWN_DELAY_NS after its last request it shuts down sending
 * (HALF_CLOSE). It reads READ_SIZE at a time on a clock - at READ_DELAY_NS
 * after the first request and every READ_INTERVAL_NS from there, taking
 * what is there (0: whenever data is there) - and closes at end of stream
 * or error. Every socket uses cubic (TCP_CONGESTION), whatever the host's
 * default.
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

/* Read into nothing until `want` bytes in all or the end of the stream,
 * waiting at most until `deadline` (0: no limit). 1 when there, 0 at the
 * deadline, -1 at the end of the stream or an error (*err set). */
static int read_until(int c, uint64_t *got, uint64_t want, uint64_t deadline,
                      int *err, int *eof) {
  static char buf[65536];
  while (*got < want) {
    if (deadline) {
      uint64_t t = now_ns();
      if (t >= deadline)
        return 0;
      struct pollfd pf = {c, POLLIN, 0};
      int pr = poll(&pf, 1, (int)((deadline - t + 999999) / 1000000));
      if (pr < 0 && errno == EINTR)
        continue;
      if (pr == 0)
        continue; /* the deadline, checked above */
    }
    uint64_t room = want - *got;
    ssize_t n = recv(c, buf, room < sizeof buf ? room : sizeof buf, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      *eof = n == 0;
      if (n < 0)
        *err = errno;
      return -1;
    }
    *got += (uint64_t)n;
  }
  return 1;
}

static int server(char **a, int argc) {
  int port = atoi(a[0]);
  uint64_t request = strtoull(a[1], NULL, 10),
           response = strtoull(a[2], NULL, 10),
           think = strtoull(a[3], NULL, 10),
           close_delay = strtoull(a[4], NULL, 10);
  int wait_eof = atoi(a[5]);
  uint64_t max_requests = argc > 6 ? strtoull(a[6], NULL, 10) : 0,
           requests = argc > 7 ? strtoull(a[7], NULL, 10) : 1,
           linger = argc > 9 ? strtoull(a[9], NULL, 10) : 0,
           idle = argc > 10 ? strtoull(a[10], NULL, 10) : 0;
  int close_mode = argc > 8 ? atoi(a[8]) : 0;
  uint64_t nresp = max_requests ? max_requests : requests ? requests : 1;
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
  int err = 0, eof = 0;
  int64_t t_err = -1;
  /* the requests it reads at most: none beyond those it answers */
  uint64_t cap = max_requests ? max_requests * request : UINT64_MAX;
  uint64_t answer = nresp; /* with WAIT_EOF: those there at the end */
  if (wait_eof) {
    read_until(c, &got, cap, 0, &err, &eof);
    uint64_t k = request ? got / request : nresp;
    answer = k < 1 ? 1 : k < nresp ? k : nresp;
  }
  for (uint64_t k = 0; k < answer && !err; k++) {
    if (!wait_eof) {
      /* the request read whole; after a response, idle_timeout bounds
       * the wait for the next */
      uint64_t deadline = idle && k ? now_ns() + idle : 0;
      int rv = read_until(c, &got, (k + 1) * request, deadline, &err, &eof);
      if (rv == 0)
        break; /* idle: close */
      if (rv < 0 && (err || k > 0))
        break;
    }
    if (err)
      break;
    sleep_until(now_ns() + think);
    if (write_all(c, response) != 0) {
      err = errno;
      break;
    }
  }
  if (err)
    t_err = (int64_t)(now_ns() - t0);
  else
    sleep_until(now_ns() + close_delay);
  if (close_mode == 2) { /* SO_LINGER {1, 0}: close() sends a RST */
    struct linger lg = {1, 0};
    setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  } else if (close_mode == 1 && !err && !eof) {
    /* the lingering close */
    shutdown(c, SHUT_WR);
    uint64_t sink = got;
    int e2 = 0, eof2 = 0; /* what the drain meets is not the answer's */
    read_until(c, &sink, UINT64_MAX, now_ns() + linger, &e2, &eof2);
  }
  close(c);
  close(l);
  report(got, eof, err, t_err);
  return 0;
}

static int client(char **a, int argc) {
  const char *addr = a[0];
  int port = atoi(a[1]);
  uint64_t request = strtoull(a[2], NULL, 10);
  int half_close = atoi(a[3]);
  uint64_t shutdown_delay = strtoull(a[4], NULL, 10),
           read_size = strtoull(a[5], NULL, 10),
           read_interval = strtoull(a[6], NULL, 10),
           read_delay = strtoull(a[7], NULL, 10);
  uint64_t requests = argc > 8 ? strtoull(a[8], NULL, 10) : 1,
           gap = argc > 10 ? strtoull(a[10], NULL, 10) : 0,
           response = argc > 11 ? strtoull(a[11], NULL, 10) : 0;
  int pipeline = argc > 9 ? atoi(a[9]) : 0;
  if (requests < 1)
    requests = 1;
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
  /* requests written so far: all at once with PIPELINE */
  uint64_t sent = pipeline ? requests : 1;
  if (connect(c, (struct sockaddr *)&sa, sizeof sa) != 0) {
    err = errno;
    t_err = (int64_t)(now_ns() - t0);
  } else if (write_all(c, sent * request) != 0) {
    err = errno;
    t_err = (int64_t)(now_ns() - t0);
  } else {
    /* as the simulated client: the shutdown SHUTDOWN_DELAY_NS after the
     * last request, and - independently - a paced reader's reads on a
     * clock, READ_DELAY_NS after the first request and every
     * READ_INTERVAL_NS from there, each taking what is there (nothing
     * there: the next tick); an unpaced reader reads whenever data is
     * there. A response read whole releases the next request GAP_NS
     * later; the connection is not read meanwhile. */
    uint64_t t_req = now_ns(), t_sd = t_req + shutdown_delay,
             t_rd = t_req + read_delay;
    bool sd_pending = half_close != 0 && sent >= requests;
    char *buf = malloc(read_size);
    while (buf) {
      if (sent < requests && response && got >= sent * response) {
        /* the next request, after the gap (the clock's ticks that fell
         * in it are skipped, as the simulated reader's find nothing) */
        sleep_until(now_ns() + gap);
        if (write_all(c, request) != 0) {
          err = errno;
          t_err = (int64_t)(now_ns() - t0);
          break;
        }
        sent++;
        uint64_t t = now_ns();
        if (sent >= requests && half_close) {
          sd_pending = true;
          t_sd = t + shutdown_delay;
        }
        if (t_rd < t)
          t_rd = read_interval ? t_rd + (t - t_rd + read_interval - 1) /
                                            read_interval * read_interval
                               : t;
        continue;
      }
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
      /* no more than the response awaited, while requests are to come */
      uint64_t want = read_size;
      if (sent < requests && response && sent * response - got < want)
        want = sent * response - got;
      ssize_t n = recv(c, buf, want, MSG_DONTWAIT);
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
  if ((argc == 8 || argc == 13) && strcmp(argv[1], "server") == 0)
    return server(argv + 2, argc - 2);
  if ((argc == 10 || argc == 14) && strcmp(argv[1], "client") == 0)
    return client(argv + 2, argc - 2);
  fprintf(stderr, "usage: halfclose-peer server PORT REQUEST RESPONSE "
                  "THINK_NS CLOSE_DELAY_NS WAIT_EOF [MAX_REQUESTS REQUESTS "
                  "CLOSE_MODE LINGER_NS IDLE_TIMEOUT_NS]\n"
                  "       halfclose-peer client ADDR PORT REQUEST HALF_CLOSE "
                  "SHUTDOWN_DELAY_NS READ_SIZE READ_INTERVAL_NS "
                  "READ_DELAY_NS [REQUESTS PIPELINE GAP_NS RESPONSE]\n");
  return 2;
}
