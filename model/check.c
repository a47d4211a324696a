/*
 * check.c - the invariant checker: reads a run's trace events and reports
 * the first thing no correct TCP would do.
 *
 * It is independent of the model's internals: it knows only the event
 * stream and RFC 9293. What it checks:
 *
 *   - every state change is a transition RFC 9293 allows (Figure 5, plus
 *     the abort/reset edges to CLOSED and SYN-RECEIVED back to LISTEN), and
 *     starts from the state the connection was last seen in; no event
 *     shows a state that no state event announced;
 *   - SND.UNA <= SND.NXT, and RCV.NXT never moves backwards;
 *   - a connection sends nothing once CLOSED; a host-level segment (no
 *     connection) is always a RST;
 *   - every datagram sent decodes, with both checksums right, to exactly
 *     the segment the event describes;
 *   - a connection's ACK carries its RCV.NXT;
 *   - a timer never fires before its deadline;
 *   - no arrival fails the payload integrity check.
 *
 * It also counts every transition seen, for the coverage table.
 */
#include "tcp_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct seen {
  uint32_t host;    /* host address */
  uint64_t conn_id; /* connection number on that host */
  tcp_state state;  /* last state seen */
  bool known;       /* state is known (a checker may join mid-run) */
  bool have_rcv;    /* rcv_nxt is meaningful */
  uint32_t rcv_nxt; /* last RCV.NXT seen */
} seen;

struct tcp_check {
  seen *conns;
  size_t n, cap;
  char error[256];
  uint64_t transitions[TCP_NSTATES][TCP_NSTATES];
};

int tcp_check_new(tcp_check **out) {
  tcp_check *k = calloc(1, sizeof *k);
  if (!k)
    return TCP_ERR_NOMEM;
  *out = k;
  return TCP_OK;
}

void tcp_check_free(tcp_check *k) {
  if (!k)
    return;
  free(k->conns);
  free(k);
}

const char *tcp_check_error(const tcp_check *k) {
  return k->error[0] ? k->error : NULL;
}

uint64_t tcp_check_transitions(const tcp_check *k, tcp_state from,
                               tcp_state to) {
  return k->transitions[from][to];
}

bool tcp_check_legal(tcp_state from, tcp_state to) {
  if (to == TCP_CLOSED) /* abort, reset, timeout; LISTEN is a host matter */
    return from != TCP_CLOSED;
  switch (from) {
  case TCP_CLOSED:
    return to == TCP_SYN_SENT || to == TCP_LISTEN;
  case TCP_LISTEN:
    return to == TCP_SYN_RECEIVED || to == TCP_SYN_SENT;
  case TCP_SYN_SENT:
    return to == TCP_SYN_RECEIVED || to == TCP_ESTABLISHED;
  case TCP_SYN_RECEIVED:
    return to == TCP_ESTABLISHED || to == TCP_FIN_WAIT_1 || to == TCP_LISTEN;
  case TCP_ESTABLISHED:
    return to == TCP_FIN_WAIT_1 || to == TCP_CLOSE_WAIT;
  case TCP_FIN_WAIT_1:
    return to == TCP_FIN_WAIT_2 || to == TCP_CLOSING || to == TCP_TIME_WAIT;
  case TCP_FIN_WAIT_2:
    return to == TCP_TIME_WAIT;
  case TCP_CLOSE_WAIT:
    return to == TCP_LAST_ACK;
  case TCP_CLOSING:
    return to == TCP_TIME_WAIT;
  case TCP_LAST_ACK:
  case TCP_TIME_WAIT:
    return false;
  }
  return false;
}

static int fail(tcp_check *k, const tcp_event *ev, const char *what) {
  if (!k->error[0]) {
    char line[200];
    tcp_event_format(ev, line, sizeof line);
    snprintf(k->error, sizeof k->error, "%s: %s", what, line);
  }
  return -1;
}

static seen *find(tcp_check *k, const tcp_event *ev) {
  for (size_t i = k->n; i-- > 0;)
    if (k->conns[i].host == ev->host && k->conns[i].conn_id == ev->conn_id)
      return &k->conns[i];
  if (k->n == k->cap) {
    size_t cap = k->cap ? 2 * k->cap : 16;
    seen *p = realloc(k->conns, cap * sizeof *p);
    if (!p)
      return NULL;
    k->conns = p;
    k->cap = cap;
  }
  seen *s = &k->conns[k->n++];
  *s = (seen){ev->host, ev->conn_id, TCP_CLOSED, false, false, 0};
  return s;
}

static int check_datagram(tcp_check *k, const tcp_event *ev) {
  tcp_segment d;
  int rv = tcp_wire_decode(&d, ev->dgram, ev->dgram_len);
  if (rv != TCP_WIRE_OK)
    return fail(k, ev, "datagram sent does not decode");
  const tcp_segment *s = &ev->seg;
  uint32_t ack = (s->flags & TCP_ACK) ? s->ack : 0;
  if (d.src != s->src || d.dst != s->dst || d.sport != s->sport ||
      d.dport != s->dport || d.seq != s->seq || d.ack != ack ||
      d.flags != s->flags || d.len != s->len || d.wnd != s->wnd)
    return fail(k, ev, "datagram sent differs from its event");
  return 0;
}

int tcp_check_event(tcp_check *k, const tcp_event *ev) {
  if (ev->type == TCP_EV_SEG_DROP && ev->why == TCP_WHY_INTEGRITY)
    return fail(k, ev, "payload is not the stream");
  if (ev->type == TCP_EV_SEG_OUT) {
    if (check_datagram(k, ev))
      return -1;
    if (!ev->conn && !(ev->seg.flags & TCP_RST))
      return fail(k, ev, "host-level segment is not a RST");
  }
  if (!ev->conn)
    return 0;

  seen *s = find(k, ev);
  if (!s)
    return fail(k, ev, "checker out of memory");
  if (ev->type == TCP_EV_STATE) {
    if (s->known && ev->from != s->state)
      return fail(k, ev, "state change from a state not current");
    if (!tcp_check_legal(ev->from, ev->to))
      return fail(k, ev, "illegal state transition");
    k->transitions[ev->from][ev->to]++;
    s->state = ev->to;
    s->known = true;
  } else if (s->known && ev->state != s->state) {
    return fail(k, ev, "state changed without a state event");
  } else {
    s->state = ev->state;
    s->known = true;
  }
  if (ev->type == TCP_EV_SEG_OUT) {
    if (ev->state == TCP_CLOSED)
      return fail(k, ev, "segment sent from CLOSED");
    if ((ev->seg.flags & TCP_ACK) && ev->seg.ack != ev->rcv_nxt)
      return fail(k, ev, "ACK does not carry RCV.NXT");
  }
  if (ev->type == TCP_EV_TIMER_FIRE && ev->time_ns < ev->deadline_ns)
    return fail(k, ev, "timer fired before its deadline");
  if (SEQ_GT(ev->snd_una, ev->snd_nxt))
    return fail(k, ev, "SND.UNA > SND.NXT");
  bool synced = ev->state != TCP_CLOSED && ev->state != TCP_LISTEN &&
                ev->state != TCP_SYN_SENT;
  if (synced) {
    if (s->have_rcv && SEQ_LT(ev->rcv_nxt, s->rcv_nxt))
      return fail(k, ev, "RCV.NXT moved backwards");
    s->rcv_nxt = ev->rcv_nxt;
    s->have_rcv = true;
  }
  return 0;
}
