/*
 * trace.c - trace events: building them, naming their parts, and one line
 * of text per event.
 *
 * Events are built only when the host has a trace callback, and formatted
 * only when someone asks (tcp_event_format), so an untraced simulation pays
 * one pointer test per event site. Every event carries a snapshot of its
 * connection (state, SND.UNA, SND.NXT, RCV.NXT) for the invariant checker.
 */
#include <errno.h>

#include "tcp_internal.h"

#include <inttypes.h>
#include <stdio.h>

void tcp_trace_host(const tcp_host *h, tcp_event *ev, uint64_t now) {
  ev->time_ns = now;
  ev->host = h->cfg.addr;
  h->cfg.trace(h->cfg.user, ev);
}

void tcp_trace_conn(const tcp_conn *c, tcp_event *ev, uint64_t now) {
  ev->conn = c;
  ev->conn_id = c->id;
  ev->state = c->state;
  ev->snd_una = c->snd_una;
  ev->snd_nxt = c->snd_nxt;
  ev->rcv_nxt = c->rcv_nxt;
  tcp_trace_host(c->host, ev, now);
}

void tcp_trace_app(tcp_conn *c, tcp_app_call call, int64_t arg, int64_t result,
                   uint64_t now) {
  if (!TRACES(c->host, TCP_EV_APP))
    return;
  tcp_event ev = {.type = TCP_EV_APP, .call = call, .arg = arg};
  ev.result = result;
  tcp_trace_conn(c, &ev, now);
}

void tcp_trace_timer(tcp_conn *c, tcp_event_type type, tcp_timer t,
                     uint64_t deadline, uint64_t now) {
  tcp_event ev = {.type = type, .timer = t, .deadline_ns = deadline};
  tcp_trace_conn(c, &ev, now);
}

void tcp_trace_drop(tcp_host *h, tcp_conn *c, const tcp_segment *seg,
                    tcp_why why, int64_t result, uint64_t now) {
  if (!TRACES(h, TCP_EV_SEG_DROP))
    return;
  tcp_event ev = {.type = TCP_EV_SEG_DROP, .why = why, .result = result};
  if (seg)
    ev.seg = *seg;
  if (c)
    tcp_trace_conn(c, &ev, now);
  else
    tcp_trace_host(h, &ev, now);
}

int tcp_error_from_errno(int e) {
  switch (e) {
  case 0:
    return 0;
  case ECONNRESET:
    return TCP_ERR_RESET;
  case EPIPE:
    return TCP_ERR_PIPE;
  case ETIMEDOUT:
    return TCP_ERR_TIMEOUT;
  case ECONNREFUSED:
    return TCP_ERR_REFUSED;
  case EAGAIN:
  case EINPROGRESS:
  case EALREADY:
    return TCP_ERR_WOULDBLOCK;
  case ENOTCONN:
    return TCP_ERR_STATE;
  default:
    return TCP_ERR_INVAL;
  }
}

const char *tcp_strerror(int rv) {
  switch (rv) {
  case TCP_OK:
    return "success";
  case TCP_ERR_INVAL:
    return "invalid argument";
  case TCP_ERR_NOMEM:
    return "out of memory";
  case TCP_ERR_STATE:
    return "not allowed in this state";
  case TCP_ERR_ADDRINUSE:
    return "address in use";
  case TCP_ERR_NOPORT:
    return "no ephemeral port left";
  case TCP_ERR_RESET:
    return "connection reset by peer";
  case TCP_ERR_TIMEOUT:
    return "connection timed out";
  case TCP_ERR_REFUSED:
    return "connection refused";
  case TCP_ERR_SHUTDOWN:
    return "send after shutdown";
  case TCP_ERR_WOULDBLOCK:
    return "operation would block";
  case TCP_ERR_ABORTED:
    return "connection aborted";
  case TCP_ERR_UNKNOWN_KNOB:
    return "unknown profile knob";
  case TCP_ERR_BAD_VALUE:
    return "bad knob value";
  case TCP_ERR_UNKNOWN_PROFILE:
    return "unknown profile";
  case TCP_ERR_PIPE:
    return "broken pipe (reset in CLOSE-WAIT)";
  }
  if (rv <= TCP_WIRE_TOO_SHORT && rv >= TCP_WIRE_BAD_TCP_CHECKSUM)
    return tcp_wire_strerror(rv);
  return "unknown error";
}

const char *tcp_state_name(tcp_state s) {
  static const char *const names[TCP_NSTATES] = {
      "CLOSED",      "LISTEN",     "SYN-SENT",   "SYN-RECEIVED",
      "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT",
      "CLOSING",     "LAST-ACK",   "TIME-WAIT"};
  return (unsigned)s < TCP_NSTATES ? names[s] : "?";
}

const char *tcp_event_type_name(tcp_event_type t) {
  static const char *const names[] = {
      "seg-out",    "seg-in",       "seg-drop", "state",  "timer-arm",
      "timer-fire", "timer-cancel", "app",      "notify", "data-lost"};
  return (unsigned)t < sizeof names / sizeof *names ? names[t] : "?";
}

const char *tcp_timer_name(tcp_timer t) {
  static const char *const names[] = {"rtx", "delack", "persist", "timewait"};
  return (unsigned)t < TCP_NTIMERS ? names[t] : "?";
}

const char *tcp_why_name(tcp_why w) {
  static const char *const names[] = {"",
                                      "syn",
                                      "syn-ack",
                                      "data",
                                      "fin",
                                      "retransmit",
                                      "fast-retransmit",
                                      "ack-every",
                                      "ack-quick",
                                      "ack-now",
                                      "ack-ooo",
                                      "ack-fin",
                                      "ack-handshake",
                                      "delack",
                                      "ack-unacceptable",
                                      "challenge-ack",
                                      "window-update",
                                      "ack-pushed",
                                      "persist",
                                      "rst-no-connection",
                                      "rst-listen",
                                      "rst-bad-ack",
                                      "rst-abort",
                                      "rst-unread-data",
                                      "rst-syn-in-window",
                                      "rst-data-after-close",
                                      "malformed",
                                      "not-mine",
                                      "out-of-window",
                                      "rst-ignored",
                                      "no-ack",
                                      "bad-ack",
                                      "stray",
                                      "integrity",
                                      "loss-probe"};
  return (unsigned)w < sizeof names / sizeof *names ? names[w] : "?";
}

const char *tcp_call_name(tcp_app_call c) {
  static const char *const names[] = {"connect", "listen",   "accept", "send",
                                      "recv",    "shutdown", "close",  "abort"};
  return (unsigned)c < sizeof names / sizeof *names ? names[c] : "?";
}

const char *tcp_notify_name(tcp_notify n) {
  static const char *const names[] = {"connected", "acceptable", "readable",
                                      "writable",  "closed",     "error"};
  return (unsigned)n < sizeof names / sizeof *names ? names[n] : "?";
}

char *tcp_flags_str(uint8_t flags, char *buf, size_t cap) {
  static const struct {
    uint8_t bit;
    const char *name;
  } f[] = {{TCP_SYN, "SYN"}, {TCP_FIN, "FIN"}, {TCP_RST, "RST"},
           {TCP_PSH, "PSH"}, {TCP_ACK, "ACK"}, {TCP_URG, "URG"}};
  size_t n = 0;
  if (cap)
    buf[0] = 0;
  for (size_t i = 0; i < sizeof f / sizeof *f; i++) {
    if (!(flags & f[i].bit))
      continue;
    int w = snprintf(buf + n, cap > n ? cap - n : 0, "%s%s", n ? "," : "",
                     f[i].name);
    if (w > 0)
      n += (size_t)w;
  }
  return buf;
}

static char *addr_str(uint32_t a, char *buf, size_t cap) {
  snprintf(buf, cap, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255,
           a & 255);
  return buf;
}

int tcp_event_format(const tcp_event *ev, char *buf, size_t cap) {
  char fl[32], a[16], b[16];
  int n = snprintf(buf, cap, "%12.6f %-15s #%-3" PRIu64 " %-12s ",
                   (double)ev->time_ns / 1e9, addr_str(ev->host, a, sizeof a),
                   ev->conn_id, tcp_event_type_name(ev->type));
  if (n < 0)
    return n;
  size_t off = (size_t)n < cap ? (size_t)n : cap;
  char *p = buf + off;
  size_t left = cap - off;
  const tcp_segment *s = &ev->seg;
  switch (ev->type) {
  case TCP_EV_SEG_OUT:
  case TCP_EV_SEG_IN:
  case TCP_EV_SEG_DROP:
    n += snprintf(
        p, left,
        "%s:%u > %s:%u [%s] seq=%" PRIu32 " ack=%" PRIu32 " len=%u win=%u %s",
        addr_str(s->src, a, sizeof a), s->sport, addr_str(s->dst, b, sizeof b),
        s->dport, tcp_flags_str(s->flags, fl, sizeof fl), s->seq, s->ack,
        s->len, s->wnd, tcp_why_name(ev->why));
    break;
  case TCP_EV_STATE:
    n += snprintf(p, left, "%s -> %s", tcp_state_name(ev->from),
                  tcp_state_name(ev->to));
    break;
  case TCP_EV_TIMER_ARM:
  case TCP_EV_TIMER_FIRE:
  case TCP_EV_TIMER_CANCEL:
    n += snprintf(p, left, "%s deadline=%.6f", tcp_timer_name(ev->timer),
                  (double)ev->deadline_ns / 1e9);
    break;
  case TCP_EV_APP:
    n += snprintf(p, left, "%s(%" PRId64 ") = %" PRId64 "%s%s",
                  tcp_call_name(ev->call), ev->arg, ev->result,
                  ev->result < 0 ? " " : "",
                  ev->result < 0 ? tcp_strerror((int)ev->result) : "");
    break;
  case TCP_EV_NOTIFY:
    n += snprintf(p, left, "%s", tcp_notify_name(ev->notify));
    break;
  case TCP_EV_DATA_LOST:
    n += snprintf(p, left, "%" PRId64 " unread bytes discarded", ev->arg);
    break;
  }
  return n;
}
