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
#include <sys/timerfd.h>
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

/* Wait until fd is readable (1) or the monotonic clock reads deadline
 * (0; -1 on error). Not poll()'s own timeout: the kernel gives a poll of
 * a normal task slack of a thousandth of its timeout
 * (select_estimate_accuracy(), whatever PR_SET_TIMERSLACK says), so a 500
 * ms idle timeout woke 0.5-0.7 ms late and a 2 s linger 2 ms late, where
 * the simulated applications' timers are exact. An absolute timerfd
 * beside the socket fires on time. */
static int wait_readable(int fd, uint64_t deadline) {
  static int tfd = -2;
  /* the tests' control: poll()'s own timeout, as before */
  while (getenv("HALFCLOSE_PEER_POLL_TIMEOUT")) {
    uint64_t t = now_ns();
    if (t >= deadline)
      return 0;
    struct pollfd pf = {fd, POLLIN, 0};
    int pr = poll(&pf, 1, (int)((deadline - t + 999999) / 1000000));
    if (pr > 0)
      return 1;
    if (pr < 0 && errno != EINTR)
      return -1;
  }
  if (tfd == -2)
    tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  if (tfd < 0)
    return -1;
  struct itimerspec it = {
      {0, 0},
      {(time_t)(deadline / 1000000000ull), (long)(deadline % 1000000000ull)}};
  if (timerfd_settime(tfd, TFD_TIMER_ABSTIME, &it, NULL) != 0)
    return -1;
  for (;;) {
    struct pollfd pf[2] = {{fd, POLLIN, 0}, {tfd, POLLIN, 0}};
    int pr = poll(pf, 2, -1);
    if (pr < 0 && errno == EINTR)
      continue;
    if (pr < 0)
      return -1;
    if (pf[0].revents)
      return 1;
    uint64_t n;
    if (read(tfd, &n, sizeof n) == (ssize_t)sizeof n || now_ns() >= deadline)
      return 0;
  }
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

/* The one line at the end; `counts`: the client's, or "". */
static void report(uint64_t bytes, int eof, int err, int64_t t_err,
                   const char *counts) {
  printf("bytes_read=%llu eof=%d error=%s t_error_ns=%lld%s\n",
         (unsigned long long)bytes, eof, err ? errname(err) : "0",
         (long long)t_err, counts);
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
      if (now_ns() >= deadline)
        return 0;
      int w = wait_readable(c, deadline);
      if (w == 0)
        return 0;
      if (w < 0) {
        *err = errno;
        return -1;
      }
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

/* One connection's answers and close (the server's parameters). */
typedef struct sv {
  uint64_t request, response, think, close_delay, max_requests, requests;
  uint64_t linger, idle;
  int wait_eof, close_mode;
} sv;

static void serve(const sv *v, int c, uint64_t t0, uint64_t *got, int *err,
                  int *eof, int64_t *t_err) {
  uint64_t nresp = v->max_requests ? v->max_requests
                   : v->requests   ? v->requests
                                   : 1;
  /* the requests it reads at most: none beyond those it answers */
  uint64_t cap = v->max_requests ? v->max_requests * v->request : UINT64_MAX;
  uint64_t answer = nresp; /* with WAIT_EOF: those there at the end */
  if (v->wait_eof) {
    read_until(c, got, cap, 0, err, eof);
    uint64_t k = v->request ? *got / v->request : nresp;
    answer = k < 1 ? 1 : k < nresp ? k : nresp;
  }
  for (uint64_t k = 0; k < answer && !*err; k++) {
    if (!v->wait_eof) {
      /* the request read whole; after a response, idle_timeout bounds
       * the wait for the next */
      uint64_t deadline = v->idle && k ? now_ns() + v->idle : 0;
      int rv = read_until(c, got, (k + 1) * v->request, deadline, err, eof);
      if (rv == 0)
        break; /* idle: close */
      if (rv < 0 && (*err || k > 0))
        break;
    }
    if (*err)
      break;
    sleep_until(now_ns() + v->think);
    if (write_all(c, v->response) != 0) {
      *err = errno;
      break;
    }
  }
  if (*err)
    *t_err = (int64_t)(now_ns() - t0);
  else
    sleep_until(now_ns() + v->close_delay);
  if (v->close_mode == 2) { /* SO_LINGER {1, 0}: close() sends a RST */
    struct linger lg = {1, 0};
    setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  } else if (v->close_mode == 1 && !*err && !*eof) {
    /* the lingering close */
    shutdown(c, SHUT_WR);
    uint64_t sink = *got;
    int e2 = 0, eof2 = 0; /* what the drain meets is not the answer's */
    read_until(c, &sink, UINT64_MAX, now_ns() + v->linger, &e2, &eof2);
  }
  close(c);
}

static int server(char **a, int argc) {
  int port = atoi(a[0]);
  sv v = {0};
  v.request = strtoull(a[1], NULL, 10);
  v.response = strtoull(a[2], NULL, 10);
  v.think = strtoull(a[3], NULL, 10);
  v.close_delay = strtoull(a[4], NULL, 10);
  v.wait_eof = atoi(a[5]);
  v.max_requests = argc > 6 ? strtoull(a[6], NULL, 10) : 0;
  v.requests = argc > 7 ? strtoull(a[7], NULL, 10) : 1;
  v.close_mode = argc > 8 ? atoi(a[8]) : 0;
  v.linger = argc > 9 ? strtoull(a[9], NULL, 10) : 0;
  v.idle = argc > 10 ? strtoull(a[10], NULL, 10) : 0;
  int more = argc > 11 ? atoi(a[11]) : 0;
  int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  struct sockaddr_in sa = {.sin_family = AF_INET,
                           .sin_port = htons((uint16_t)port)};
  if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
      cubic(l) || bind(l, (struct sockaddr *)&sa, sizeof sa) || listen(l, 4))
    return perror("halfclose-peer server"), 1;
  printf("listening\n");
  fflush(stdout);
  uint64_t got = 0;
  int err = 0, eof = 0;
  int64_t t_err = -1;
  for (;;) {
    int c = accept(l, NULL, NULL);
    if (c < 0)
      return perror("halfclose-peer accept"), 1;
    if (more) { /* no longer waiting: the harness lets it finish */
      printf("serving\n");
      fflush(stdout);
    }
    /* the connections after the first (MORE: the client opens another
     * when one failed or sat idle too long): each on its own, the
     * requests counted from the first on it */
    uint64_t t0 = now_ns(), g = 0;
    int e = 0, f = 0;
    serve(&v, c, t0, &g, &e, &f, &t_err);
    got += g;
    if (!err)
      err = e;
    eof = f;
    if (!more)
      break;
    /* the harness ends a server that waits here once its client is done */
    printf("accepting\n");
    fflush(stdout);
  }
  close(l);
  report(got, eof, err, t_err, "");
  return 0;
}

/* The client's requests over as many connections as it takes (the
 * simulated pool's rules, sim/conv.c): numbered from 0, bytes per
 * connection. */
typedef struct cl {
  const char *addr;
  int port;
  uint64_t request, response, requests, gap, reuse, retry;
  uint64_t shutdown_delay, read_size, read_interval, read_delay;
  int half_close, pipeline;
  int c;               /* this connection, or -1 */
  uint64_t released;   /* requests the client may have written */
  uint64_t conn_first; /* the first request on this connection */
  uint64_t conn_read;  /* response bytes read on it */
  uint64_t resp_idx;   /* the request whose response is awaited */
  uint64_t whole;      /* responses read whole, all connections */
  uint64_t tries;      /* resends of request resp_idx */
  uint64_t conns, retries, got;
  uint64_t failed_reset, failed_eof; /* requests given up, by how */
  uint64_t t0, t_sd, t_rd;
  bool sd_pending, read_started;
  int err, eof;
  int64_t t_err;
} cl;

static void fail_at(cl *k, int e) {
  if (!k->err) {
    k->err = e;
    k->t_err = (int64_t)(now_ns() - k->t0);
  }
}

/* Open a connection and write the requests released and not yet answered
 * on it; the half-close after the last. 0, or -1 (k->err set). */
static int cl_open(cl *k) {
  k->c = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sa = {.sin_family = AF_INET,
                           .sin_port = htons((uint16_t)k->port)};
  if (k->c < 0 || inet_pton(AF_INET, k->addr, &sa.sin_addr) != 1 || cubic(k->c))
    return perror("halfclose-peer client"), exit(1), -1;
  k->conns++;
  k->conn_first = k->resp_idx;
  k->conn_read = 0;
  bool connected = connect(k->c, (struct sockaddr *)&sa, sizeof sa) == 0;
  /* the clocks below run from the request's write as it begins, when the
   * simulated client's request leaves: the call returns later (its
   * segment may go, and the link's real-time threads run, before this
   * process does again - measured: paced reads' ACKs 70-90 us later
   * against the data than the simulated reader's) */
  uint64_t t = now_ns();
  if (!connected ||
      write_all(k->c, (k->released - k->conn_first) * k->request) != 0) {
    fail_at(k, errno);
    close(k->c);
    k->c = -1;
    return -1;
  }
  k->sd_pending = k->half_close && k->released >= k->requests;
  k->t_sd = t + k->shutdown_delay;
  if (!k->read_started) { /* the reads' clock, from the first request */
    k->read_started = true;
    k->t_rd = t + k->read_delay;
  }
  return 0;
}

static void cl_close(cl *k) {
  if (k->c >= 0)
    close(k->c);
  k->c = -1;
}

/* The next request after the gap: on this connection, or a new one when
 * it sat idle past reuse_timeout or is gone. */
static int cl_next(cl *k, bool dead) {
  sleep_until(now_ns() + k->gap);
  k->released++;
  if (dead || (k->reuse && k->gap > k->reuse)) {
    cl_close(k);
    return cl_open(k);
  }
  uint64_t t = now_ns(); /* as the write begins (cl_open()) */
  if (write_all(k->c, k->request) != 0)
    return -1; /* found when it reads */
  if (k->released >= k->requests && k->half_close) {
    k->sd_pending = true;
    k->t_sd = t + k->shutdown_delay;
  }
  if (k->t_rd < t) /* the ticks in the gap found nothing */
    k->t_rd = k->read_interval
                  ? k->t_rd + (t - k->t_rd + k->read_interval - 1) /
                                  k->read_interval * k->read_interval
                  : t;
  return 0;
}

/* The connection ended (why: 0 end of stream, or the read's errno) with
 * responses awaited: resent on a new one while retry allows, else failed;
 * then the next request, or the end. Returns false at the end. */
static bool cl_failed(cl *k, int why) {
  uint64_t out = k->released - k->resp_idx;
  if (out && k->tries < k->retry) {
    k->tries++;
    k->retries += out;
    cl_close(k);
    return cl_open(k) == 0;
  }
  if (why == ECONNRESET)
    k->failed_reset += out;
  else if (why == 0)
    k->failed_eof += out;
  k->resp_idx = k->released;
  k->tries = 0;
  if (k->released < k->requests)
    return cl_next(k, true) == 0;
  return false;
}

static int client(char **a, int argc) {
  cl k = {0};
  k.addr = a[0];
  k.port = atoi(a[1]);
  k.request = strtoull(a[2], NULL, 10);
  k.half_close = atoi(a[3]);
  k.shutdown_delay = strtoull(a[4], NULL, 10);
  k.read_size = strtoull(a[5], NULL, 10);
  k.read_interval = strtoull(a[6], NULL, 10);
  k.read_delay = strtoull(a[7], NULL, 10);
  k.requests = argc > 8 ? strtoull(a[8], NULL, 10) : 1;
  k.pipeline = argc > 9 ? atoi(a[9]) : 0;
  k.gap = argc > 10 ? strtoull(a[10], NULL, 10) : 0;
  k.response = argc > 11 ? strtoull(a[11], NULL, 10) : 0;
  k.reuse = argc > 12 ? strtoull(a[12], NULL, 10) : 0;
  k.retry = argc > 13 ? strtoull(a[13], NULL, 10) : 0;
  if (k.requests < 1)
    k.requests = 1;
  if (k.read_size == 0 || k.read_size > (1u << 20))
    return fprintf(stderr, "halfclose-peer: bad read size\n"), 2;
  k.c = -1;
  k.t_err = -1;
  k.t0 = now_ns();
  k.released = k.pipeline ? k.requests : 1;
  char *buf = malloc(k.read_size);
  bool go = buf && cl_open(&k) == 0;
  /* as the simulated client: the shutdown SHUTDOWN_DELAY_NS after the
   * last request, and - independently - a paced reader's reads on a
   * clock, READ_DELAY_NS after the first request and every
   * READ_INTERVAL_NS from there, each taking what is there (nothing
   * there: the next tick); an unpaced reader reads whenever data is
   * there. A response read whole releases the next request GAP_NS later;
   * the connection is not read meanwhile (it waits in the pool). */
  while (go) {
    if (k.released < k.requests && !k.pipeline && k.resp_idx >= k.released) {
      if (cl_next(&k, false) != 0 && k.c < 0)
        break;
      continue;
    }
    if (k.sd_pending && k.t_sd <= k.t_rd) {
      sleep_until(k.t_sd);
      shutdown(k.c, SHUT_WR);
      k.sd_pending = false;
      continue;
    }
    sleep_until(k.t_rd);
    if (!k.read_interval) { /* wait for data, or for the shutdown */
      int pr;
      if (k.sd_pending) {
        pr = wait_readable(k.c, k.t_sd);
      } else {
        struct pollfd pf = {k.c, POLLIN, 0};
        pr = poll(&pf, 1, -1);
      }
      if (pr < 0 && errno == EINTR)
        continue;
      if (pr == 0) { /* the shutdown is due */
        k.t_rd = now_ns();
        if (k.t_rd < k.t_sd)
          k.t_rd = k.t_sd;
        continue;
      }
    }
    /* no more than the response awaited, while requests are to come */
    uint64_t want = k.read_size;
    if (k.released < k.requests && !k.pipeline && k.response) {
      uint64_t left = (k.released - k.conn_first) * k.response - k.conn_read;
      if (left < want)
        want = left;
    }
    ssize_t n = recv(k.c, buf, want, MSG_DONTWAIT);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (k.read_interval)
        k.t_rd += k.read_interval;
      continue;
    }
    if (n <= 0) {
      int why = n < 0 ? errno : 0;
      if (n < 0)
        fail_at(&k, why);
      else
        k.eof = 1;
      /* the end of the stream or an error: the end unless responses
       * are still awaited */
      if (k.resp_idx < k.requests && cl_failed(&k, why)) {
        k.eof = 0;
        continue;
      }
      break;
    }
    k.got += (uint64_t)n;
    k.conn_read += (uint64_t)n;
    if (k.response) { /* responses come in order */
      uint64_t w = k.conn_first + k.conn_read / k.response;
      if (w > k.released)
        w = k.released;
      if (w > k.resp_idx) {
        k.whole += w - k.resp_idx;
        k.resp_idx = w;
        k.tries = 0;
      }
    }
    if (k.read_interval)
      k.t_rd += k.read_interval;
  }
  free(buf);
  cl_close(&k);
  char counts[160];
  snprintf(counts, sizeof counts,
           " responses=%llu connections=%llu retries=%llu failed_reset=%llu "
           "failed_eof=%llu",
           (unsigned long long)k.whole, (unsigned long long)k.conns,
           (unsigned long long)k.retries, (unsigned long long)k.failed_reset,
           (unsigned long long)k.failed_eof);
  report(k.got, k.eof, k.err, k.t_err, counts);
  return 0;
}

int main(int argc, char **argv) {
  punctual();
  if ((argc == 8 || argc == 13 || argc == 14) && strcmp(argv[1], "server") == 0)
    return server(argv + 2, argc - 2);
  if ((argc == 10 || argc == 14 || argc == 16) &&
      strcmp(argv[1], "client") == 0)
    return client(argv + 2, argc - 2);
  fprintf(stderr, "usage: halfclose-peer server PORT REQUEST RESPONSE "
                  "THINK_NS CLOSE_DELAY_NS WAIT_EOF [MAX_REQUESTS REQUESTS "
                  "CLOSE_MODE LINGER_NS IDLE_TIMEOUT_NS [MORE]]\n"
                  "       halfclose-peer client ADDR PORT REQUEST HALF_CLOSE "
                  "SHUTDOWN_DELAY_NS READ_SIZE READ_INTERVAL_NS "
                  "READ_DELAY_NS [REQUESTS PIPELINE GAP_NS RESPONSE "
                  "[REUSE_TIMEOUT_NS RETRY]]\n");
  return 2;
}
