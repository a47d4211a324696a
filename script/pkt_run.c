/*
 * pkt_run.c - play a script against one host of the model, in simulated
 * time (see pkt.h).
 *
 * The local host is 192.168.0.1, the script's peer 192.0.2.1 (packetdrill's
 * addresses); a local listener binds port 8080 and the peer connects from
 * 40000; a local connect goes to the peer's 8080. Time moves only from one
 * event to the next: to an inbound segment's or a call's time, through
 * the host's timers on the way, or - for an outbound segment - until the
 * host sends one. A segment the host sends when none is expected fails
 * the script, as it does in packetdrill.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>

#include "pkt_internal.h"

#define MODEL_LOCAL  0xC0A80001u /* 192.168.0.1 */
#define MODEL_REMOTE 0xC0000201u /* 192.0.2.1 */

void pkt_sent(runner *r, const uint8_t *d, size_t len) {
  if (r->nq == MAX_QUEUED || len > sizeof r->dgram[0])
    return;
  memcpy(r->dgram[r->nq], d, len);
  sent *x = &r->q[r->nq];
  if (tcp_wire_decode(&x->seg, r->dgram[r->nq], len) != TCP_WIRE_OK)
    return;
  x->at = r->now;
  r->nq++;
}

void pkt_note(runner *r, const char *fmt, ...) {
  size_t n = strlen(r->out->notes);
  if (n + 1 >= sizeof r->out->notes)
    return;
  char note[sizeof r->out->notes];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(note, sizeof note, fmt, ap);
  va_end(ap);
  if (!strstr(r->out->notes, note)) /* each note once */
    snprintf(r->out->notes + n, sizeof r->out->notes - n, "%s", note);
}

static int mismatch(runner *r, const pkt_event *e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int mismatch(runner *r, const pkt_event *e, const char *fmt, ...) {
  r->out->passed = false;
  r->out->line = e ? e->line : 0;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->out->why, sizeof r->out->why, fmt, ap);
  va_end(ap);
  return 1;
}

/* Whether the stack's segment g carries the options e lists, no more:
 * the MSS, sackOK, the window scale, timestamps with their echo (the TS
 * val is the stack's clock: not compared, as packetdrill does without
 * --tcp_ts_tick_usecs), SACK blocks in the peer's numbers. */
static bool options_match(const pkt_event *e, const tcp_segment *g) {
  if (g->mss != e->mss || g->opts != e->opts || g->nsack != e->nsack)
    return false;
  if ((e->opts & TCP_OPT_WSCALE) && g->wscale != e->wscale)
    return false;
  if ((e->opts & TCP_OPT_TS) && g->ts_ecr != e->ts_ecr)
    return false;
  for (int i = 0; i < e->nsack; i++)
    if (g->sack[i][0] != e->sack[i][0] || g->sack[i][1] != e->sack[i][1])
      return false;
  return true;
}

/* A segment as packetdrill writes it, the host's numbers relative to its
 * ISN. */
static void show(const runner *r, const tcp_segment *g, char *buf, size_t cap) {
  char fl[8];
  pkt_flags(g->flags, fl);
  uint32_t seq = g->seq - (r->have_local_isn ? r->local_isn : g->seq);
  int k = snprintf(buf, cap, "%s %u:%u(%u)", fl, seq, seq + g->len, g->len);
  if (g->flags & TCP_ACK && k > 0 && (size_t)k < cap)
    k += snprintf(buf + k, cap - (size_t)k, " ack %u", g->ack);
  if (k > 0 && (size_t)k < cap)
    k += snprintf(buf + k, cap - (size_t)k, " win %u", g->wnd);
  if (k > 0 && (size_t)k < cap) /* its SACK blocks are the peer's numbers */
    pkt_options_text(g, 0, buf + k, cap - (size_t)k);
}

static void advance(runner *r, uint64_t to) {
  r->ops->advance(r, to);
}

static uint64_t next(runner *r) {
  return r->ops->next(r);
}

/* Nothing may have been sent that the script did not expect. */
static int nothing_sent(runner *r, const pkt_event *e) {
  if (!r->nq)
    return 0;
  char g[160];
  show(r, &r->q[0].seg, g, sizeof g);
  return mismatch(r, e,
                  "the stack sent %s at %.6f s, where the script expects no "
                  "segment before this line",
                  g, (double)r->q[0].at / 1e9);
}

static void pop(runner *r) {
  memmove(r->q, r->q + 1, (size_t)(r->nq - 1) * sizeof r->q[0]);
  memmove(r->dgram, r->dgram + 1, (size_t)(r->nq - 1) * sizeof r->dgram[0]);
  r->nq--;
}

static int expect_out(runner *r, const pkt_event *e, double t, double end) {
  uint64_t tol = (uint64_t)r->s->tolerance_us * 1000;
  uint64_t lo = 0, hi = UINT64_MAX;
  if (!e->when.any) {
    uint64_t at = (uint64_t)llround(t * 1e9),
             last = (uint64_t)llround((e->when.range ? end : t) * 1e9);
    lo = at > tol ? at - tol : 0;
    hi = last + tol;
  }
  /* until the host sends, or the window closes */
  while (!r->nq) {
    uint64_t x = next(r);
    if (x == TCP_NEVER || x > hi)
      advance(r, hi == UINT64_MAX ? r->now : hi); /* to the window's end */
    else {
      advance(r, x);
      continue;
    }
    if (!r->nq) {
      char want[64];
      snprintf(want, sizeof want, e->when.any ? "any time" : "%.6f s", t);
      return mismatch(r, e,
                      "expected %s at %s; the stack sent nothing (by "
                      "%.6f s)",
                      e->text, want,
                      (double)(hi == UINT64_MAX ? r->now : hi) / 1e9);
    }
  }
  sent x = r->q[0];
  pop(r);
  const tcp_segment *g = &x.seg;
  char got[160];
  if ((g->flags & TCP_SYN) && !r->have_local_isn && e->seq != UINT32_MAX) {
    r->local_isn = g->seq - e->seq;
    r->have_local_isn = true;
  }
  if (!r->local_port) {
    r->local_port = g->sport;
    r->remote_port = g->dport;
  }
  show(r, g, got, sizeof got);
  if (x.at < lo || x.at > hi) {
    char want[96];
    if (e->when.range)
      snprintf(want, sizeof want, "between %.6f and %.6f s", t, end);
    else
      snprintf(want, sizeof want, "at %.6f s", t);
    return mismatch(r, e,
                    "expected %s %s (+/- %u us); the stack sent %s at "
                    "%.6f s",
                    e->text, want, r->s->tolerance_us, got, (double)x.at / 1e9);
  }
  uint32_t rel = g->seq - r->local_isn;
  bool ok = g->flags == e->flags;
  if (e->seq != UINT32_MAX)
    ok = ok && rel == e->seq && g->len == e->end - e->seq;
  if (e->has_ack)
    ok = ok && g->ack == e->ack;
  if (e->has_win)
    ok = ok && g->wnd == e->win;
  if (!e->any_options) /* the options listed, those alone (none if none) */
    ok = ok && options_match(e, g);
  if (g->opts & TCP_OPT_TS) { /* what the script's echoes will refer to */
    if ((size_t)r->nts < sizeof r->ts_sent / sizeof *r->ts_sent) {
      r->ts_script[r->nts] = e->ts_val;
      r->ts_sent[r->nts++] = g->ts_val;
    }
    r->ts_last = g->ts_val;
  }
  if (!ok)
    return mismatch(r, e, "expected %s; the stack sent %s at %.6f s", e->text,
                    got, (double)x.at / 1e9);
  if (r->log)
    fprintf(r->log, "%10.6f > %s\n", (double)x.at / 1e9, got);
  r->now = x.at > r->now ? x.at : r->now;
  return 0;
}

static int inject(runner *r, const pkt_event *e) {
  if ((e->flags & TCP_SYN) && !r->have_remote_isn) {
    r->remote_isn = e->seq;
    r->have_remote_isn = true;
  }
  if ((e->flags & TCP_ACK) && !r->have_local_isn)
    return mismatch(r, e,
                    "an ACK of the stack's sequence before it sent its "
                    "SYN (its ISN is not known)");
  if (!r->local_port) { /* the peer opens: to a local listener */
    r->local_port = LOCAL_PORT;
    r->remote_port = REMOTE_PORT;
  }
  tcp_segment g = {0};
  g.src = r->remote_addr;
  g.dst = r->local_addr;
  g.sport = r->remote_port;
  g.dport = r->local_port;
  g.seq = e->seq;
  g.ack = (e->flags & TCP_ACK) ? r->local_isn + e->ack : 0;
  g.flags = e->flags;
  g.wnd = e->has_win ? (uint16_t)e->win : 65535;
  g.mss = e->mss;
  g.opts = e->opts;
  g.wscale = e->wscale;
  g.ts_val = e->ts_val;
  /* an echo of the TS val the script gave one of the stack's segments is
   * of what the stack sent in it; another non-zero echo, of its latest */
  g.ts_ecr = e->ts_ecr;
  if (e->ts_ecr) {
    int k = r->nts - 1;
    while (k >= 0 && r->ts_script[k] != e->ts_ecr)
      k--;
    g.ts_ecr = k >= 0 ? r->ts_sent[k] : r->ts_last ? r->ts_last : e->ts_ecr;
  }
  g.nsack = e->nsack; /* blocks of the stack's data: from its ISN */
  for (int i = 0; i < e->nsack; i++) {
    g.sack[i][0] = r->local_isn + e->sack[i][0];
    g.sack[i][1] = r->local_isn + e->sack[i][1];
  }
  g.ttl = 64;
  g.ip_id = ++r->ip_id;
  g.len = (uint16_t)(e->end - e->seq);
  /* the stream's own bytes: the host checks them */
  g.payload_off = (uint64_t)(uint32_t)(e->seq - r->remote_isn - 1);
  uint8_t d[70000];
  size_t n = tcp_wire_encode(d, sizeof d, &g);
  if (!n)
    return mismatch(r, e, "cannot encode %s", e->text);
  if (r->log)
    fprintf(r->log, "%10.6f < %s\n", (double)r->now / 1e9, e->text);
  r->ops->input(r, d, n);
  return 0;
}

/* ---- system calls ---- */

const char *pkt_errno_name(int64_t rv) {
  switch (rv) {
  case TCP_ERR_RESET:
    return "ECONNRESET";
  case TCP_ERR_PIPE:
  case TCP_ERR_SHUTDOWN:
    return "EPIPE";
  case TCP_ERR_TIMEOUT:
    return "ETIMEDOUT";
  case TCP_ERR_REFUSED:
    return "ECONNREFUSED";
  case TCP_ERR_WOULDBLOCK:
    return "EAGAIN";
  case TCP_ERR_STATE:
    return "ENOTCONN";
  default:
    return "EINVAL";
  }
}

static uint32_t get32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}

/* The options as the model puts them on the wire - read back from
 * tcp_wire_encode()'s bytes, so their layout is said in one place - in
 * packetdrill's words, one per option. */
void pkt_options_text(const tcp_segment *g, uint32_t sack_base, char *buf,
                      size_t cap) {
  size_t k = 0;
  buf[0] = 0;
#define PUT(...)                                                               \
  do {                                                                         \
    int n_ = snprintf(buf + k, k < cap ? cap - k : 0, __VA_ARGS__);            \
    if (n_ > 0)                                                                \
      k += (size_t)n_;                                                         \
  } while (0)
  tcp_segment h = *g;
  h.len = 0; /* the headers alone */
  h.data = NULL;
  uint8_t d[TCP_IPV4_HDR_LEN + TCP_TCP_HDR_LEN + TCP_OPT_MAX_LEN];
  size_t n = tcp_wire_encode(d, sizeof d, &h);
  const uint8_t *o = d + TCP_IPV4_HDR_LEN + TCP_TCP_HDR_LEN;
  size_t len = n > TCP_IPV4_HDR_LEN + TCP_TCP_HDR_LEN
                   ? n - TCP_IPV4_HDR_LEN - TCP_TCP_HDR_LEN
                   : 0;
  if (len == 0)
    return;
  PUT(" <");
  for (size_t i = 0; i < len;) {
    uint8_t kind = o[i], l = kind > 1 && i + 1 < len ? o[i + 1] : 1;
    if (l < 1 || i + l > len)
      break; /* not the model's */
    if (i)
      PUT(",");
    switch (kind) {
    case 0:
      PUT("eol");
      break;
    case 1:
      PUT("nop");
      break;
    case 2:
      PUT("mss %u", (unsigned)(o[i + 2] << 8 | o[i + 3]));
      break;
    case 3:
      PUT("wscale %u", o[i + 2]);
      break;
    case 4:
      PUT("sackOK");
      break;
    case 5:
      PUT("sack");
      for (size_t j = 2; j + 8 <= l; j += 8)
        PUT(" %u:%u", get32(o + i + j) - sack_base,
            get32(o + i + j + 4) - sack_base);
      break;
    case 8:
      PUT("TS val %u ecr %u", get32(o + i + 2), get32(o + i + 6));
      break;
    default:
      PUT("kind %u", kind);
    }
    i += l;
  }
  PUT(">");
#undef PUT
}

char *pkt_flags(uint8_t flags, char buf[8]) {
  int n = 0;
  if (flags & TCP_SYN)
    buf[n++] = 'S';
  if (flags & TCP_FIN)
    buf[n++] = 'F';
  if (flags & TCP_RST)
    buf[n++] = 'R';
  if (flags & TCP_PSH)
    buf[n++] = 'P';
  if (flags & TCP_ACK)
    buf[n++] = '.';
  buf[n] = 0;
  return buf;
}

static fd_state *fd_of(runner *r, const pkt_event *e) {
  long n = e->nargs ? strtol(e->arg[0], NULL, 10) : -1;
  return n >= 0 && n < MAX_FDS && r->fd[n].used ? &r->fd[n] : NULL;
}

/* A call's outcome against what the script expects: (rv, errno name). */
static int result(runner *r, const pkt_event *e, int64_t rv, const char *err) {
  if (e->any_result)
    return 0;
  if (rv == e->result && strcmp(err ? err : "", e->err) == 0)
    return 0;
  char got[64];
  snprintf(got, sizeof got, "%lld%s%s", (long long)rv, err ? " " : "",
           err ? err : "");
  return mismatch(r, e, "expected %s; the call returned %s at %.6f s", e->text,
                  got, (double)r->now / 1e9);
}

/* Try a call that may block: rv, or TCP_ERR_WOULDBLOCK. */
static int64_t try_call(runner *r, const pkt_event *e, fd_state *f) {
  const char *c = e->call;
  if (strcmp(c, "accept") == 0) {
    long n = e->any_result ? -1 : (long)e->result;
    if (n < 3 || n >= MAX_FDS || r->fd[n].used)
      for (n = 3; n < MAX_FDS && r->fd[n].used; n++)
        ;
    if (n >= MAX_FDS)
      return TCP_ERR_INVAL;
    fd_state a = {.used = true, .k = -1};
    int64_t rv = r->ops->accept(r, f, &a);
    if (rv != 0)
      return rv;
    r->fd[n] = a;
    return n;
  }
  if (strcmp(c, "read") == 0 || strcmp(c, "recv") == 0 ||
      strcmp(c, "recvfrom") == 0) {
    uint64_t want = e->nargs >= 3 ? strtoull(e->arg[2], NULL, 10) : 0;
    return r->ops->recv(r, f, want);
  }
  if (strcmp(c, "connect") == 0) /* a blocking connect's completion */
    return r->ops->connected(r, f);
  return TCP_ERR_INVAL;
}

/* What poll(2) says of a connection, as Linux's tcp_poll() does: POLLIN
 * when a read would not block (data, the peer's FIN, an error), POLLRDHUP
 * at the peer's FIN, POLLOUT when a write would not block or after
 * shutdown(SHUT_WR), POLLERR on an error, POLLHUP when both directions
 * are shut or the connection is gone. */
static const char *const poll_names[] = {"POLLIN",  "POLLOUT",   "POLLERR",
                                         "POLLHUP", "POLLRDHUP", NULL};

static int poll_mask(const char *text) {
  int m = 0;
  for (int i = 0; poll_names[i]; i++) {
    const char *p = text;
    size_t n = strlen(poll_names[i]);
    while ((p = strstr(p, poll_names[i]))) {
      if (!isalnum((unsigned char)p[n]) && p[n] != '_')
        m |= 1 << i;
      p += n;
    }
  }
  return m;
}

static int poll_now(runner *r, const fd_state *f) {
  return r->ops->poll(r, f);
}

/* poll([{fd=N, events=E, revents=R}, ...], n, timeout) = ready */
static int poll_call(runner *r, const pkt_event *e, double end) {
  struct {
    int fd, events, revents;
  } p[8];
  int np = 0;
  const char *q = e->nargs ? e->arg[0] : "";
  while ((q = strchr(q, '{')) && np < 8) {
    const char *close = strchr(q, '}');
    char one[128];
    snprintf(one, sizeof one, "%.*s", close ? (int)(close - q) : 0, q);
    const char *fd = strstr(one, "fd="), *ev = strstr(one, "events="),
               *rev = strstr(one, "revents=");
    if (!close || !fd || !ev)
      return mismatch(r, e,
                      "poll: expected [{fd=N, events=..., "
                      "revents=...}, ...]");
    p[np].fd = atoi(fd + 3);
    char evs[96] = "", revs[96] = "";
    snprintf(evs, sizeof evs, "%.*s", (int)strcspn(ev + 7, ","), ev + 7);
    if (rev)
      snprintf(revs, sizeof revs, "%s", rev + 8);
    p[np].events = poll_mask(evs);
    p[np].revents = poll_mask(revs);
    np++;
    q = close + 1;
  }
  long timeout = e->nargs >= 3 ? strtol(e->arg[2], NULL, 10) : 0;
  uint64_t tol = (uint64_t)r->s->tolerance_us * 1000,
           by = (uint64_t)llround(end * 1e9) + tol,
           until = r->now + (uint64_t)(timeout > 0 ? timeout : 0) * 1000000;
  for (;;) {
    int ready = 0;
    for (int k = 0; k < np; k++) {
      const fd_state *f =
          p[k].fd >= 0 && p[k].fd < MAX_FDS && r->fd[p[k].fd].used
              ? &r->fd[p[k].fd]
              : NULL;
      int got = poll_now(r, f) & (p[k].events | PKT_POLL_ERR | PKT_POLL_HUP);
      ready += got != 0;
      p[k].events = p[k].events | (got << 8); /* what it said, for below */
    }
    if (ready || timeout == 0) {
      for (int k = 0; k < np && !e->any_result; k++)
        if ((p[k].events >> 8) != p[k].revents) {
          char got[96] = "";
          for (int i = 0; poll_names[i]; i++)
            if ((p[k].events >> 8) & (1 << i))
              snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s",
                       got[0] ? "|" : "", poll_names[i]);
          return mismatch(r, e,
                          "expected %s; fd %d's revents are %s at "
                          "%.6f s",
                          e->text, p[k].fd, got[0] ? got : "0",
                          (double)r->now / 1e9);
        }
      return result(r, e, ready, NULL);
    }
    for (int k = 0; k < np; k++)
      p[k].events &= 0xff;
    if (!e->when.blocking)
      return mismatch(r, e,
                      "poll blocks at %.6f s: annotate its time as "
                      "start...end",
                      (double)r->now / 1e9);
    if (nothing_sent(r, e))
      return 1;
    uint64_t x = next(r);
    if (timeout > 0 && (x == TCP_NEVER || x > until)) {
      advance(r, until); /* poll's own timeout: it returns 0 then */
      timeout = 0;
      continue;
    }
    if (x == TCP_NEVER || x > by)
      return mismatch(r, e,
                      "expected %s to return by %.6f s; it still "
                      "blocks",
                      e->text, end);
    advance(r, x);
  }
}

static int call(runner *r, const pkt_event *e, double end) {
  const char *c = e->call;
  if (strcmp(c, "poll") == 0) {
    if (r->log)
      fprintf(r->log, "%10.6f   %s\n", (double)r->now / 1e9, e->text);
    return poll_call(r, e, end);
  }
  fd_state *f = strcmp(c, "socket") == 0 ? NULL : fd_of(r, e);
  if (strcmp(c, "socket") != 0 && !f)
    return mismatch(r, e, "%s: no such socket %s", c,
                    e->nargs ? e->arg[0] : "");
  if (r->log)
    fprintf(r->log, "%10.6f   %s\n", (double)r->now / 1e9, e->text);
  if (strcmp(c, "socket") == 0) {
    long n = (long)e->result;
    if (e->any_result || n < 3 || n >= MAX_FDS || r->fd[n].used)
      return mismatch(r, e,
                      "socket(): expected = N, a free descriptor "
                      "from 3 to %d",
                      MAX_FDS - 1);
    r->fd[n] = (fd_state){.used = true, .k = -1};
    return r->ops->socket ? r->ops->socket(r, &r->fd[n]) : 0;
  }
  if (strcmp(c, "setsockopt") == 0 || strcmp(c, "getsockopt") == 0) {
    const char *opt = e->nargs >= 3 ? e->arg[2] : "";
    if (strcmp(c, "setsockopt") == 0 && strcmp(opt, "SO_LINGER") == 0)
      f->linger0 = e->nargs >= 4 && strstr(e->arg[3], "linger=0") &&
                   strstr(e->arg[3], "onoff=1");
    if (f->linger0 && r->ops->linger0)
      r->ops->linger0(r, f);
    else if (strcmp(opt, "SO_REUSEADDR") != 0 && strcmp(opt, "SO_LINGER") != 0)
      pkt_note(r, "%s %s left to the profile; ", c, opt);
    return result(r, e, 0, NULL);
  }
  if (strcmp(c, "fcntl") == 0) {
    if (e->nargs >= 3 && strstr(e->arg[2], "O_NONBLOCK"))
      f->nonblocking = true;
    else if (e->nargs >= 2 && strcmp(e->arg[1], "F_SETFL") == 0)
      f->nonblocking = false;
    return e->nargs >= 2 && strcmp(e->arg[1], "F_GETFL") == 0
               ? 0
               : result(r, e, 0, NULL);
  }
  if (strcmp(c, "bind") == 0) {
    f->port = LOCAL_PORT;
    return result(r, e, 0, NULL);
  }
  if (strcmp(c, "listen") == 0) {
    int backlog = e->nargs >= 2 ? atoi(e->arg[1]) : 1;
    f->port = f->port ? f->port : LOCAL_PORT;
    int rv = r->ops->listen(r, f, backlog > 0 ? backlog : 1);
    f->listening = rv == 0;
    return result(r, e, rv ? -1 : 0, rv ? pkt_errno_name(rv) : NULL);
  }
  if (strcmp(c, "connect") == 0) {
    int rv = r->ops->connect(r, f);
    if (rv)
      return result(r, e, -1, pkt_errno_name(rv));
    if (f->nonblocking)
      return result(r, e, -1, "EINPROGRESS");
  } else if (strcmp(c, "write") == 0 || strcmp(c, "send") == 0 ||
             strcmp(c, "sendto") == 0) {
    uint64_t n = e->nargs >= 3 ? strtoull(e->arg[2], NULL, 10) : 0;
    int64_t rv = r->ops->send(r, f, n);
    if (rv == 0 && n)
      rv = TCP_ERR_WOULDBLOCK;
    return result(r, e, rv < 0 ? -1 : rv, rv < 0 ? pkt_errno_name(rv) : NULL);
  } else if (strcmp(c, "shutdown") == 0) {
    if (e->nargs >= 2 && strcmp(e->arg[1], "SHUT_RD") == 0)
      return result(r, e, 0, NULL);
    int rv = r->ops->shutdown(r, f);
    f->shut_wr = rv == 0;
    return result(r, e, rv ? -1 : 0, rv ? pkt_errno_name(rv) : NULL);
  } else if (strcmp(c, "close") == 0) {
    r->ops->close(r, f);
    *f = (fd_state){.k = -1};
    return result(r, e, 0, NULL);
  } else if (strcmp(c, "ioctl") == 0) {
    int64_t inq = e->nargs >= 3 && strcmp(e->arg[1], "SIOCINQ") == 0
                      ? r->ops->inq(r, f)
                      : -1;
    if (inq < 0)
      return mismatch(r, e, "ioctl: only SIOCINQ on a connection is taken");
    char want[32];
    snprintf(want, sizeof want, "[%lld]", (long long)inq);
    if (strcmp(e->arg[2], want) != 0)
      return mismatch(r, e, "expected %s; SIOCINQ gave %s", e->text, want);
    return result(r, e, 0, NULL);
  } else if (strcmp(c, "accept") != 0 && strcmp(c, "read") != 0 &&
             strcmp(c, "recv") != 0 && strcmp(c, "recvfrom") != 0) {
    return -1; /* not taken: the caller says so */
  }
  /* accept, read, or a blocking connect: at once, or blocking */
  int64_t rv = try_call(r, e, f);
  bool blocks = !f->nonblocking;
  if (rv == TCP_ERR_WOULDBLOCK && blocks) {
    if (!e->when.blocking)
      return mismatch(r, e,
                      "%s blocks at %.6f s: annotate its time as start...end "
                      "(or make the socket O_NONBLOCK)",
                      c, (double)r->now / 1e9);
    uint64_t tol = (uint64_t)r->s->tolerance_us * 1000,
             by = (uint64_t)llround(end * 1e9) + tol;
    while (rv == TCP_ERR_WOULDBLOCK) {
      if (nothing_sent(r, e))
        return 1;
      uint64_t x = next(r);
      if (x == TCP_NEVER || x > by)
        return mismatch(r, e,
                        "expected %s to return by %.6f s; it still "
                        "blocks",
                        e->text, end);
      advance(r, x);
      rv = try_call(r, e, f);
    }
    if ((double)r->now / 1e9 + r->s->tolerance_us / 1e6 < end)
      return mismatch(r, e,
                      "expected %s to return at %.6f s; it returned "
                      "at %.6f s",
                      e->text, end, (double)r->now / 1e9);
  }
  return result(r, e, rv < 0 ? -1 : rv, rv < 0 ? pkt_errno_name(rv) : NULL);
}

/* One sysctl setting of a shell line, name=value: the knob that models it
 * set in *p, or said to be ignored - in the notes either way. */
static void sysctl_one(runner *r, tcp_profile *p, const char *name,
                       const char *value) {
  /* the sysctls that switch a knob on or off */
  static const char *const on_off[][2] = {
      {"tcp_timestamps", "timestamps"},
      {"tcp_sack", "sack_permitted"},
      {"tcp_window_scaling", "window_scaling"},
      {"tcp_rfc1337", "rfc1337"}};
  const char *n = strncmp(name, "net.ipv4.", 9) == 0 ? name + 9 : name;
  long v = strtol(value, NULL, 10);
  for (size_t i = 0; i < sizeof on_off / sizeof *on_off; i++)
    if (strcmp(n, on_off[i][0]) == 0) {
      tcp_profile_set(p, on_off[i][1], v != 0);
      pkt_note(r, "applied %s=%ld (knob %s); ", name, v, on_off[i][1]);
      return;
    }
  if (strcmp(n, "tcp_rmem") == 0) {
    /* tcp_rmem[1] x the payload share the linux profile's rcv_buf takes
     * (81920 of 131072: its source in profiles.md) */
    long lo, mid, hi;
    if (sscanf(value, "%ld %ld %ld", &lo, &mid, &hi) == 3 && mid > 0) {
      p->rcv_buf = (uint32_t)((uint64_t)mid * 81920 / 131072);
      /* tcp_select_initial_window(): the scale from the largest space,
       * ilog2(max(tcp_rmem[2], rmem_max)) - 15, rmem_max 4194304 as on
       * Linux 6.18 */
      long space = hi > 4194304 ? hi : 4194304;
      int shift = -15;
      while (space > 1) {
        space >>= 1;
        shift++;
      }
      p->wscale = (uint8_t)(shift < 0 ? 0 : shift > 14 ? 14 : shift);
      pkt_note(r, "applied %s (knobs rcv_buf = %u, wscale = %u); ", name,
               p->rcv_buf, p->wscale);
    } else {
      pkt_note(r, "ignored %s=%s: expected three numbers; ", name, value);
    }
  } else {
    pkt_note(r, "ignored %s: no knob models it; ", name);
  }
}

/* The sysctl settings of a shell line (`sysctl -q a=b c=d` or a script it
 * names, one level deep, beside the script) applied to *p before the
 * host is made: a shell line is never run against a profile. */
static void shell_settings(runner *r, tcp_profile *p, const char *line,
                           int depth) {
  char cmd[512];
  const char *a = strchr(line, '`'), *b = a ? strchr(a + 1, '`') : NULL;
  snprintf(cmd, sizeof cmd, "%.*s",
           a && b ? (int)(b - a - 1) : (int)strlen(line),
           a && b ? a + 1 : line);
  char *save, *tok = strtok_r(cmd, " \t;", &save);
  bool sysctl = false;
  while (tok) {
    if (strcmp(tok, "sysctl") == 0)
      sysctl = true;
    char *eq = strchr(tok, '=');
    if (sysctl && eq && strchr(tok, '.')) {
      *eq = 0;
      char value[128];
      const char *v = eq + 1;
      if (*v == '"') { /* "4096 87380 6291456" spans tokens */
        snprintf(value, sizeof value, "%s", v + 1);
        char *more;
        while (!strchr(value, '"') && (more = strtok_r(NULL, " \t;", &save)))
          snprintf(value + strlen(value), sizeof value - strlen(value), " %s",
                   more);
        char *q = strchr(value, '"');
        if (q)
          *q = 0;
      } else {
        snprintf(value, sizeof value, "%s", v);
      }
      sysctl_one(r, p, tok, value);
    } else if (depth == 0 && strstr(tok, ".sh")) { /* a script it runs */
      char path[1024];
      const char *slash = strrchr(r->s->path, '/');
      snprintf(path, sizeof path, "%.*s%s",
               tok[0] == '/' || !slash ? 0 : (int)(slash - r->s->path + 1),
               r->s->path, tok);
      FILE *f = fopen(path, "r");
      char l[512];
      if (!f)
        pkt_note(r, "shell script %s not found: its settings not applied; ",
                 tok);
      while (f && fgets(l, sizeof l, f))
        if (strstr(l, "sysctl"))
          shell_settings(r, p, l, depth + 1);
      if (f)
        fclose(f);
    }
    tok = strtok_r(NULL, " \t;", &save);
  }
}

int pkt_play(runner *r, char *err, size_t cap) {
  const pkt_script *s = r->s;
  pkt_result *out = r->out;
  int rv = 0;
  double prev = 0;
  for (int i = 0; i < s->nevents && out->passed && rv == 0; i++) {
    const pkt_event *e = &s->ev[i];
    double t = e->when.relative ? prev + e->when.t : e->when.t;
    double end = e->when.range || e->when.blocking
                     ? (e->when.end_rel ? prev + e->when.end : e->when.end)
                     : t;
    if (e->when.any)
      t = end = (double)r->now / 1e9;
    out->events++;
    if (e->kind == PKT_OUT) {
      rv = expect_out(r, e, t, end);
      prev = (double)r->now / 1e9;
      continue;
    }
    uint64_t at = (uint64_t)llround(t * 1e9);
    if (at < r->now)
      at = r->now; /* a relative time after an outbound segment's actual */
    /* time up to the event, and nothing sent on the way */
    for (;;) {
      uint64_t x = next(r);
      if (nothing_sent(r, e)) {
        rv = 1;
        break;
      }
      if (x == TCP_NEVER || x > at)
        break;
      advance(r, x);
    }
    if (rv)
      break;
    advance(r, at);
    if (nothing_sent(r, e))
      break;
    prev = t;
    if (e->kind == PKT_SHELL && r->shell && r->ops->shell) {
      /* the command takes no script time: the stack's clock leaves out
       * how long it ran */
      char why[256];
      int st = r->ops->shell(r, e->shell, why, sizeof why);
      if (r->log)
        fprintf(r->log, "%9.6f shell `%s`: %s\n", (double)r->now / 1e9,
                e->shell, st ? why : "exit 0");
      if (st)
        rv = mismatch(r, e, "expected the shell command to exit 0; %s", why);
    } else if (e->kind == PKT_SHELL) {
      pkt_note(r, "shell lines were not run%s; ",
               r->ops->shell ? " (--shell runs them)" : "");
    } else if (e->kind == PKT_IN) {
      rv = inject(r, e);
    } else if ((rv = call(r, e, end)) < 0) {
      snprintf(err, cap, "%s:%d: %s: not a call the interpreter takes", s->path,
               e->line, e->call);
      break;
    }
    if (e->kind == PKT_CALL && e->when.blocking)
      prev = (double)r->now / 1e9;
  }
  if (rv == 0 && out->passed && r->nq) /* sent, and not in the script */
    nothing_sent(r, NULL);
  out->seconds = (double)r->now / 1e9;
  return rv < 0 ? -1 : 0;
}

/* ---- the model, in simulated time ---- */

static void on_output(void *user, const uint8_t *d, size_t len) {
  pkt_sent(user, d, len);
}

static uint64_t m_next(runner *r) {
  return tcp_host_expiry(r->h);
}

/* Run the host's timers up to `to` (ns). */
static void m_advance(runner *r, uint64_t to) {
  for (;;) {
    uint64_t x = tcp_host_expiry(r->h);
    if (x == TCP_NEVER || x > to)
      break;
    r->now = x > r->now ? x : r->now;
    tcp_host_on_expiry(r->h, r->now);
  }
  if (to > r->now)
    r->now = to;
}

static void m_input(runner *r, const uint8_t *d, size_t n) {
  tcp_host_input(r->h, d, n, r->now);
}

static int m_listen(runner *r, fd_state *f, int backlog) {
  return tcp_host_listen(r->h, f->port, backlog, r->now);
}

static int m_connect(runner *r, fd_state *f) {
  return tcp_host_connect(r->h, &f->c, 0, r->remote_addr, LOCAL_PORT, r->now);
}

static int64_t m_connected(runner *r, fd_state *f) {
  (void)r;
  tcp_conn_info i;
  tcp_conn_info_get(f->c, &i);
  if (i.error)
    return i.error;
  return i.state == TCP_SYN_SENT ? TCP_ERR_WOULDBLOCK : 0;
}

static int64_t m_accept(runner *r, fd_state *lis, fd_state *out) {
  return tcp_host_accept(r->h, lis->port, &out->c, r->now) == 0
             ? 0
             : TCP_ERR_WOULDBLOCK;
}

static int64_t m_send(runner *r, fd_state *f, uint64_t n) {
  return f->c ? tcp_conn_send(f->c, n, r->now) : TCP_ERR_STATE;
}

static int64_t m_recv(runner *r, fd_state *f, uint64_t n) {
  return f->c ? tcp_conn_recv(f->c, NULL, n, r->now) : TCP_ERR_STATE;
}

static int m_shutdown(runner *r, fd_state *f) {
  return f->c ? tcp_conn_shutdown(f->c, r->now) : TCP_ERR_STATE;
}

static void m_close(runner *r, fd_state *f) {
  if (f->listening)
    tcp_host_unlisten(r->h, f->port, r->now);
  if (f->c && f->linger0)
    tcp_conn_abort(f->c, r->now);
  else if (f->c)
    tcp_conn_close(f->c, r->now);
}

static int64_t m_inq(runner *r, fd_state *f) {
  (void)r;
  if (!f->c)
    return -1;
  tcp_conn_info i;
  tcp_conn_info_get(f->c, &i);
  return (int64_t)(i.bytes_received - i.bytes_read);
}

/* poll(2) as Linux's tcp_poll() reports it: POLLIN when a read would not
 * block (data, the peer's FIN, an error), POLLRDHUP at the peer's FIN,
 * POLLOUT when a write would not block or after shutdown(SHUT_WR),
 * POLLERR on an error, POLLHUP when both directions are shut or the
 * connection is gone. */
static int m_poll(runner *r, const fd_state *f) {
  (void)r;
  if (!f || !f->c)
    return PKT_POLL_HUP;
  tcp_conn_info i;
  tcp_conn_info_get(f->c, &i);
  int m = 0;
  if (i.bytes_received > i.bytes_read || i.fin_received || i.error)
    m |= PKT_POLL_IN;
  if (i.fin_received)
    m |= PKT_POLL_RDHUP;
  if (i.error)
    m |= PKT_POLL_ERR;
  if (f->shut_wr ||
      ((i.state == TCP_ESTABLISHED || i.state == TCP_CLOSE_WAIT) &&
       tcp_conn_send_space(f->c) > 0))
    m |= PKT_POLL_OUT;
  if ((f->shut_wr && i.fin_received) || i.state == TCP_CLOSED)
    m |= PKT_POLL_HUP;
  return m;
}

static const pkt_stack model_stack = {
    "the model", m_next,    m_advance,   m_input,  NULL,   NULL,
    m_listen,    m_connect, m_connected, m_accept, m_send, m_recv,
    m_shutdown,  m_close,   m_inq,       m_poll,   NULL};

int pkt_run(const pkt_script *s, const tcp_profile *given, FILE *log,
            pkt_result *out, char *err, size_t cap) {
  memset(out, 0, sizeof *out);
  out->passed = true;
  runner *r = calloc(1, sizeof *r);
  if (!r) {
    snprintf(err, cap, "out of memory");
    return -1;
  }
  r->s = s;
  r->log = log;
  r->out = out;
  r->ops = &model_stack;
  r->local_addr = MODEL_LOCAL;
  r->remote_addr = MODEL_REMOTE;
  for (int i = 0; i < MAX_FDS; i++)
    r->fd[i].k = -1;
  tcp_profile prof = *given, *p = &prof;
  for (int i = 0; i < s->nevents; i++)
    if (s->ev[i].kind == PKT_SHELL)
      shell_settings(r, p, s->ev[i].text, 0);
  tcp_host_config cfg = {0};
  cfg.addr = MODEL_LOCAL;
  cfg.profile = *p;
  cfg.user = r;
  cfg.output = on_output;
  if (s->mss)
    pkt_note(r, "--mss=%u ignored: the profile's MSS stands; ", s->mss);
  if (tcp_host_new(&r->h, &cfg) != 0) {
    snprintf(err, cap, "%s: the model refused the profile", s->path);
    free(r);
    return -1;
  }
  int rv = pkt_play(r, err, cap);
  tcp_host_free(r->h);
  free(r);
  return rv;
}
