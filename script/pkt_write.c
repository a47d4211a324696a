/*
 * pkt_write.c - one host's side of a conversation as a script (see pkt.h):
 * its own segments become the ones the stack must send (>), the peer's
 * the ones to inject (<), its application's calls the calls, each at its
 * time (nanoseconds, so that a tick-grid timer meets the same arrivals).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pkt.h"

/* One line of the script, kept until the end: a call is traced when it
 * returns, after the segments it sent, and goes back before them. */
typedef struct rec {
  uint64_t t;
  bool out; /* a segment the host sent */
  tcp_why why;
  bool claimed; /* a call already went back before it */
  size_t at;    /* its text in buf */
} rec;

struct pkt_writer {
  uint32_t host;
  bool have_isn, listening, accepted;
  uint32_t isn;
  char *buf;
  size_t n, cap;
  rec *r;
  size_t nr, rcap;
  size_t barrier; /* records before it were sent before the running call
                     began: an arrival, a notification, a timer or another
                     call came between */
  bool have_in;   /* the last arrival traced (SEG_IN): a drop of the same
                     segment right after it is that arrival again */
  uint64_t in_t;
  uint32_t in_seq;
  uint8_t in_flags;
  bool failed;
};

/* A new record at time t, its text to follow in buf. */
static void record(pkt_writer *w, uint64_t t, bool out, tcp_why why) {
  if (w->nr == w->rcap) {
    size_t ncap = w->rcap ? w->rcap * 2 : 256;
    rec *r = realloc(w->r, ncap * sizeof *r);
    if (!r) {
      w->failed = true;
      return;
    }
    w->r = r;
    w->rcap = ncap;
  }
  w->r[w->nr++] = (rec){t, out, why, false, w->n};
  if (w->n < w->cap)
    w->buf[w->n++] = 0; /* each record's text starts after a NUL */
}

static void put(pkt_writer *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void put(pkt_writer *w, const char *fmt, ...) {
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(w->buf + w->n, w->cap - w->n, fmt, ap);
    va_end(ap);
    if (k < 0) {
      w->failed = true;
      return;
    }
    if ((size_t)k < w->cap - w->n) {
      w->n += (size_t)k;
      return;
    }
    size_t ncap = (w->cap + (size_t)k) * 2;
    char *b = realloc(w->buf, ncap);
    if (!b) {
      w->failed = true;
      return;
    }
    w->buf = b;
    w->cap = ncap;
  }
}

pkt_writer *pkt_writer_new(uint32_t host) {
  pkt_writer *w = calloc(1, sizeof *w);
  if (!w)
    return NULL;
  w->host = host;
  w->cap = 4096;
  w->buf = malloc(w->cap);
  w->r = NULL;
  if (!w->buf) {
    free(w);
    return NULL;
  }
  w->buf[0] = 0;
  return w;
}

static void segment(pkt_writer *w, const tcp_event *ev, bool out) {
  const tcp_segment *g = &ev->seg;
  if (out && (g->flags & TCP_SYN) && !w->have_isn) {
    w->isn = g->seq;
    w->have_isn = true;
  }
  char fl[8];
  pkt_flags(g->flags, fl);
  /* the host's own numbers from its ISN, the peer's as they are */
  uint32_t seq = out ? g->seq - w->isn : g->seq;
  uint32_t ack = out ? g->ack : g->ack - w->isn;
  record(w, ev->time_ns, out, ev->why);
  put(w, "%.9f %c %s %" PRIu32 ":%" PRIu32 "(%u)", (double)ev->time_ns / 1e9,
      out ? '>' : '<', fl, seq, seq + g->len, g->len);
  if (g->flags & TCP_ACK)
    put(w, " ack %" PRIu32, ack);
  put(w, " win %u", g->wnd);
  /* SACK blocks of the host's data (the peer's) from its ISN */
  char o[200];
  pkt_options_text(g, out ? 0 : w->isn, o, sizeof o);
  put(w, "%s\n", o);
}

/* Whether the host sends a segment sent for `why` from inside call `c`. */
static bool sent_by(tcp_app_call c, tcp_why why) {
  switch (c) {
  case TCP_CALL_CONNECT:
    return why == TCP_WHY_SYN;
  case TCP_CALL_SEND:
  case TCP_CALL_SHUTDOWN:
  case TCP_CALL_CLOSE:
    return why == TCP_WHY_DATA || why == TCP_WHY_FIN ||
           why == TCP_WHY_RST_UNREAD;
  case TCP_CALL_RECV: /* a read may open the window or owe an ACK */
    return why == TCP_WHY_WINDOW_UPDATE || why == TCP_WHY_ACK_PUSHED ||
           why == TCP_WHY_ACK_NOW || why == TCP_WHY_ACK_EVERY ||
           why == TCP_WHY_ACK_QUICK;
  case TCP_CALL_ABORT:
    return why == TCP_WHY_RST_ABORT;
  default:
    return false;
  }
}

static void call(pkt_writer *w, const tcp_event *ev) {
  double t = (double)ev->time_ns / 1e9;
  record(w, ev->time_ns, false, TCP_WHY_NONE);
  int fd = w->listening ? 4 : 3; /* a server's connection, or a client's */
  char res[48];
  if (ev->result < 0)
    snprintf(res, sizeof res, "-1 %s", pkt_errno_name(ev->result));
  else
    snprintf(res, sizeof res, "%" PRId64, ev->result);
  switch (ev->call) {
  case TCP_CALL_CONNECT:
    put(w,
        "%.9f socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
        "+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n"
        "+0 connect(3, ..., ...) = -1 EINPROGRESS\n",
        t);
    break;
  case TCP_CALL_LISTEN:
    w->listening = true;
    put(w,
        "%.9f socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
        "+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n"
        "+0 bind(3, ..., ...) = 0\n+0 listen(3, %" PRId64 ") = 0\n",
        t, ev->arg > 0 ? ev->arg : 1);
    break;
  case TCP_CALL_ACCEPT:
    if (ev->result >= 0) {
      w->accepted = true;
      put(w, "%.9f accept(3, ..., ...) = 4\n", t);
      put(w, "+0 fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n");
    } else {
      put(w, "%.9f accept(3, ..., ...) = %s\n", t, res);
    }
    break;
  case TCP_CALL_SEND:
    put(w, "%.9f write(%d, ..., %" PRId64 ") = %s\n", t, fd, ev->arg,
        ev->result == 0 ? "-1 EAGAIN" : res);
    break;
  case TCP_CALL_RECV:
    put(w, "%.9f read(%d, ..., %" PRId64 ") = %s\n", t, fd, ev->arg, res);
    break;
  case TCP_CALL_SHUTDOWN:
    put(w, "%.9f shutdown(%d, SHUT_WR) = %s\n", t, fd,
        ev->result < 0 ? res : "0");
    break;
  case TCP_CALL_ABORT:
    put(w,
        "%.9f setsockopt(%d, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, "
        "8) = 0\n",
        t, fd);
    put(w, "+0 close(%d) = 0\n", fd);
    break;
  case TCP_CALL_CLOSE:
    put(w, "%.9f close(%d) = 0\n", t, fd);
    break;
  }
}

void pkt_writer_event(pkt_writer *w, const tcp_event *ev) {
  if (!w || ev->host != w->host)
    return;
  if (ev->type == TCP_EV_NOTIFY || ev->type == TCP_EV_TIMER_FIRE)
    w->barrier = w->nr;
  if (ev->type == TCP_EV_SEG_OUT)
    segment(w, ev, true);
  else if (ev->type == TCP_EV_SEG_IN ||
           (ev->type == TCP_EV_SEG_DROP && ev->why != TCP_WHY_MALFORMED &&
            ev->why != TCP_WHY_NOT_MINE && ev->why != TCP_WHY_INTEGRITY)) {
    bool again = ev->type == TCP_EV_SEG_DROP && w->have_in &&
                 w->in_t == ev->time_ns && w->in_seq == ev->seg.seq &&
                 w->in_flags == ev->seg.flags;
    w->have_in = ev->type == TCP_EV_SEG_IN;
    w->in_t = ev->time_ns;
    w->in_seq = ev->seg.seq;
    w->in_flags = ev->seg.flags;
    if (again)
      return; /* traced as it arrived, and again as it was dropped */
    segment(w, ev, false); /* what arrived, taken or dropped */
    w->barrier = w->nr;
  } else if (ev->type == TCP_EV_APP && w->nr < SIZE_MAX) {
    call(w, ev);
    if (w->failed || !w->nr)
      return;
    /* back before the segments it sent: the host's own, at its time, for
     * a reason of this call */
    size_t i = w->nr - 1;
    while (i > w->barrier && w->r[i - 1].out && !w->r[i - 1].claimed &&
           w->r[i - 1].t == ev->time_ns && sent_by(ev->call, w->r[i - 1].why))
      w->r[--i].claimed = true;
    rec c = w->r[w->nr - 1];
    memmove(&w->r[i + 1], &w->r[i], (w->nr - 1 - i) * sizeof c);
    w->r[i] = c;
    w->barrier = w->nr;
  }
}

int pkt_writer_finish(pkt_writer *w, const char *header, FILE *f) {
  int rv = w->failed ? -1 : 0;
  if (rv == 0 && f && fputs(header, f) < 0)
    rv = -1;
  for (size_t i = 0; rv == 0 && f && i < w->nr; i++)
    if (fputs(w->buf + w->r[i].at + 1, f) < 0)
      rv = -1;
  free(w->buf);
  free(w->r);
  free(w);
  return rv;
}
