/*
 * harness.h - test harness for the model (tests only): two hosts on an
 * in-memory wire, time advanced by hand to each next deadline or arrival.
 *
 * The wire has a one-way delay and an optional rate (serialization), is
 * FIFO per direction, and asks a test's drop filter about every datagram.
 * Every trace event is copied into a log and fed to the invariant checker;
 * h_fini() fails the test if the checker saw a violation or if any byte the
 * hosts allocated was not freed.
 *
 * The "kb" application pair is the conversation's own (sim/apps.c, the
 * same code the simulations run) on these hosts: by default the article's
 * conversation - the client connects, writes a request, shuts down
 * sending, reads at its own pace and closes at end of stream or error; the
 * server reads to end of stream, writes its response and closes.
 */
#ifndef HALFCLOSE_TEST_HARNESS_H
#define HALFCLOSE_TEST_HARNESS_H

#include "apps.h" /* the conversation's applications */
#include "tcp.h"
#include "tcp_wire.h" /* white-box: encoding, payload bytes */

#include <stdio.h>

/* ---- assertions: count, report, never abort the whole program ---- */
extern int t_failed, t_passed, t_cur_failed;
#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      t_cur_failed++;                                                          \
    }                                                                          \
  } while (0)
#define CHECK_EQ(a, b)                                                         \
  do {                                                                         \
    long long _a = (long long)(a), _b = (long long)(b);                        \
    if (_a != _b) {                                                            \
      fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", __FILE__,    \
              __LINE__, #a, _a, #b, _b);                                       \
      t_cur_failed++;                                                          \
    }                                                                          \
  } while (0)
#define RUN(fn) t_run(#fn, fn)
void t_run(const char *name, void (*fn)(void));
int t_summary(void); /* prints "N passed, N failed"; returns exit status */

#define H_MAXQ 4096

typedef struct harness harness;
typedef struct h_side {
  harness *t;
  int side; /* 0 = client host A, 1 = server host B */
  tcp_host *host;
} h_side;

typedef struct h_pkt {
  uint64_t at; /* arrival time */
  int to;      /* destination side */
  size_t len;
  uint8_t *data;
} h_pkt;

typedef struct h_call {
  uint64_t at;
  void (*fn)(harness *t, void *arg);
  void *arg;
} h_call;

/* Drop filter: return true to lose the datagram. `n` counts datagrams sent
 * by that side so far (from 0). */
typedef bool (*h_drop_fn)(harness *t, int from, const tcp_segment *s,
                          unsigned n);

/* The article's application pair: the conversation's applications
 * (sim/apps.c), configured from these fields at h_kb_start. */
#define H_KB_EVENTS 16
typedef struct h_kb_event {
  void (*fn)(conv_apps *a);
  uint64_t gen, tok;
  bool live;
} h_kb_event;

typedef struct h_kb {
  uint16_t port;               /* server port */
  uint64_t request;            /* request bytes */
  uint64_t response;           /* response bytes */
  bool half_close;             /* client shuts down right after the request */
  uint64_t read_delay;         /* client: from the request to the first
                                  read, ns */
  uint64_t read_interval;      /* client: between reads, ns (0 = on readable) */
  uint64_t read_size;          /* client: bytes per read */
  uint64_t close_delay;        /* server: from response queued to close, ns */
  uint64_t think;              /* server: from request read to response, ns */
  bool server_close_on_eof;    /* server closes at end of stream instead */
  bool client_close_when_read; /* client closes once it read the whole
                                  response ... */
  uint64_t client_close_delay; /* ... this long after, ns */
  bool client_keep_open;       /* the client never closes (tests inspect it) */
  /* results */
  tcp_conn *cc, *sc;    /* client and server connections */
  uint64_t client_read; /* bytes the client application read */
  uint64_t server_read; /* bytes the server application read */
  uint64_t server_sent; /* response bytes queued */
  int client_error;     /* first error a client read returned */
  bool client_eof;      /* the client read end of stream */
  bool server_closed;   /* the server called close */
  bool client_closed;   /* the client called close */
  /* the applications */
  conv_params p;
  conv_apps app;
  conv_outcome out;
  h_kb_event ev[H_KB_EVENTS];
} h_kb;

struct harness {
  h_side s[2];
  uint64_t now;
  uint64_t delay_ns;     /* one-way propagation delay */
  uint64_t rate_bps;     /* 0 = infinite */
  uint64_t link_free[2]; /* when each direction's transmitter is free */
  h_pkt q[H_MAXQ];
  size_t nq;
  h_call calls[256];
  size_t ncalls;
  h_drop_fn drop;
  unsigned sent[2]; /* datagrams each side sent */
  unsigned dropped;
  tcp_event *log; /* every trace event (dgram pointers cleared) */
  size_t nlog, caplog;
  tcp_check *check;
  long allocs;  /* blocks outstanding */
  bool verbose; /* HC_TRACE set: print every event */
  void (*notify)(harness *t, int side, tcp_conn *c, tcp_notify what);
  uint32_t iss[2]; /* when non-zero: every random draw of that host
                      (ISS, ephemeral port) returns it; set before
                      h_kb_start or connect */
  uint32_t rng[2]; /* xorshift state per side otherwise */
  h_kb kb;
};

/* Two hosts 10.0.0.1 (client) and 10.0.0.2 (server). */
#define H_ADDR_A 0x0a000001u
#define H_ADDR_B 0x0a000002u

void h_init(harness *t, const tcp_profile *pa, const tcp_profile *pb,
            uint64_t delay_ns, uint64_t rate_bps);
void h_fini(harness *t);
void h_at(harness *t, uint64_t when, void (*fn)(harness *, void *), void *arg);
bool h_step(harness *t, uint64_t limit); /* one event; false if none */
void h_run(harness *t, uint64_t limit);  /* every event up to limit;
                                            the clock then at limit */
void h_inject(harness *t, int to, const tcp_segment *s); /* deliver now */
tcp_profile h_profile(const char *name);
/* The preset without timestamps, SACK and window scaling: for the tests of
 * rules measured, or reasoned, on full-MSS segments and unscaled windows. */
tcp_profile h_profile_plain(const char *name);

/* The article's conversation with `drop` as the drop filter, run to its
 * end (600 s at most); returns the datagrams dropped. */
unsigned h_kb_run_dropping(harness *t, h_drop_fn drop);

/* Log queries. */
size_t h_count(const harness *t, tcp_event_type type, uint32_t host,
               tcp_why why);
const tcp_event *h_find(const harness *t, size_t from, tcp_event_type type,
                        uint32_t host, int flags_all, int flags_none);
void h_dump(const harness *t, FILE *f);

/* The article's conversation. */
void h_kb_defaults(h_kb *kb);
void h_kb_start(harness *t);
/* h_init() with client c and server s, then the article's conversation
 * with a response of `response` bytes read `read_size` at a time every
 * `read_interval` (0: as data arrives), run to its end. Returns the bytes
 * the client read. */
uint64_t h_kb_transfer(harness *t, const tcp_profile *c, const tcp_profile *s,
                       uint64_t delay_ns, uint64_t rate_bps, uint64_t response,
                       uint64_t read_interval, uint64_t read_size);

/* The article's first trace: no half-close; the client reads `response`
 * bytes and closes `client_delay` later, and the server, which answers
 * `think` after the request, closes when it sees the client's FIN. */
void h_kb_client_closes_first(h_kb *kb, uint64_t response, uint64_t think,
                              uint64_t client_delay);

#endif
