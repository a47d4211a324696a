/*
 * host.c - a host: its address, listeners, connection table and the
 * answers it gives for segments that no connection owns.
 *
 * Demultiplexing is by exact 4-tuple over the connections that still hold a
 * TCB (state != CLOSED), then by listening port. A segment that matches
 * neither is answered with a RST built by RFC 9293 §3.10.7.1; that is where
 * the server's RST of KB Q152474 comes from, once its TCB is gone.
 *
 * Connections are freed only when the host is left (tcp_host_leave), never in
 * the middle of processing, and only once no handle refers to them: a
 * CLOSED connection whose application has not called close() stays, so the
 * application can still read what it had received and learn the error.
 *
 * Notifications are collected as bits on each connection and delivered when
 * the outermost entry point returns, so the application sees a consistent
 * model and may call back into it from its notify callback.
 */
#include "tcp_internal.h"

#include <stdlib.h>
#include <string.h>

static void *default_alloc(void *user, size_t n) {
  (void)user;
  return calloc(1, n);
}

static void default_free(void *user, void *ptr) {
  (void)user;
  free(ptr);
}

void *tcp_mem_alloc(tcp_host *h, size_t n) {
  void *p = h->cfg.alloc(h->cfg.user, n);
  if (p)
    memset(p, 0, n);
  return p;
}

void tcp_mem_free(tcp_host *h, void *ptr) {
  h->cfg.free(h->cfg.user, ptr);
}

uint32_t tcp_host_random(tcp_host *h) {
  if (h->cfg.random)
    return h->cfg.random(h->cfg.user);
  /* deterministic when the driver supplies no randomness */
  return (uint32_t)(tcp_splitmix64(&h->rng) >> 32);
}

uint64_t tcp_splitmix64(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

int tcp_host_new(tcp_host **out, const tcp_host_config *cfg) {
  if (!out || !cfg || !cfg->output || (!cfg->alloc) != (!cfg->free))
    return TCP_ERR_INVAL;
  if (cfg->profile.mss < 64 || cfg->profile.ack_every == 0 ||
      cfg->profile.rcv_buf == 0 || cfg->profile.rcv_buf > TCP_RCV_BUF_MAX ||
      cfg->profile.snd_buf == 0 ||
      ((cfg->profile.delack_mode == TCP_DELACK_TICK ||
        cfg->profile.delack_wheel) &&
       cfg->profile.delack_tick_ns == 0))
    return TCP_ERR_INVAL;
  void *(*alloc)(void *, size_t) = cfg->alloc ? cfg->alloc : default_alloc;
  tcp_host *h = alloc(cfg->user, sizeof *h);
  if (!h)
    return TCP_ERR_NOMEM;
  memset(h, 0, sizeof *h);
  h->cfg = *cfg;
  if (!h->cfg.alloc) {
    h->cfg.alloc = default_alloc;
    h->cfg.free = default_free;
  }
  h->obuf_cap =
      TCP_IPV4_HDR_LEN + TCP_TCP_HDR_LEN + TCP_OPT_MAX_LEN + cfg->profile.mss;
  h->obuf = h->cfg.alloc(h->cfg.user, h->obuf_cap);
  if (!h->obuf) {
    h->cfg.free(h->cfg.user, h);
    return TCP_ERR_NOMEM;
  }
  memset(h->obuf, 0, h->obuf_cap); /* an opaque payload is these bytes */
  h->p = &h->cfg.profile;
  h->next_id = 1;
  h->rng = 0x243F6A8885A308D3ull ^ cfg->addr;
  h->ip_id = (uint16_t)tcp_host_random(h);
  *out = h;
  return TCP_OK;
}

void tcp_host_free(tcp_host *h) {
  if (!h)
    return;
  tcp_conn *c = h->conns;
  while (c) {
    tcp_conn *next = c->next;
    tcp_mem_free(h, c);
    c = next;
  }
  tcp_mem_free(h, h->listeners);
  tcp_mem_free(h, h->obuf);
  h->cfg.free(h->cfg.user, h);
}

const tcp_profile *tcp_host_profile(const tcp_host *h) {
  return h->p;
}

uint32_t tcp_host_addr(const tcp_host *h) {
  return h->cfg.addr;
}

bool tcp_host_quiescent(const tcp_host *h) {
  for (const tcp_conn *c = h->conns; c; c = c->next) {
    if (c->state == TCP_CLOSED)
      continue;
    if (c->state != TCP_TIME_WAIT)
      return false;
    for (int t = 0; t < TCP_NTIMERS; t++)
      if (t != TCP_TIMER_TIMEWAIT && c->deadline[t] != TCP_NEVER)
        return false;
  }
  return true;
}

size_t tcp_host_conn_count(const tcp_host *h) {
  size_t n = 0;
  for (const tcp_conn *c = h->conns; c; c = c->next)
    n += c->state != TCP_CLOSED;
  return n;
}

tcp_conn *tcp_conn_new(tcp_host *h, uint32_t raddr, uint16_t lport,
                       uint16_t rport) {
  tcp_conn *c = tcp_mem_alloc(h, sizeof *c);
  if (!c)
    return NULL;
  const tcp_profile *p = h->p;
  c->host = h;
  c->id = h->next_id++;
  c->state = TCP_CLOSED;
  c->laddr = h->cfg.addr;
  c->raddr = raddr;
  c->lport = lport;
  c->rport = rport;
  c->iss = tcp_host_random(h);
  c->snd_una = c->snd_nxt = c->snd_max = c->iss;
  /* Linux draws a TS offset per connection (tcp_ts_off()); a hash of the
   * ISS is as arbitrary and draws nothing more */
  c->ts_offset = c->iss * 0x9E3779B1u;
  c->mss = TCP_DEFAULT_MSS < p->mss ? TCP_DEFAULT_MSS : p->mss;
  c->rto_ns = p->rto_initial_ns;
  c->cwnd = 2 * p->mss; /* raised to the RFC 5681 IW once MSS is known */
  c->ssthresh = UINT32_MAX;
  c->sndbuf = p->snd_buf;
  c->quickack_left = p->quickack;
  /* Linux starts the threshold at its first window: the space, at most
   * 65535, rounded down to whole segments (tcp_select_initial_window) */
  c->rcv_ssthresh = p->rcv_buf < 65535 ? p->rcv_buf : 65535;
  if (c->rcv_ssthresh > p->mss)
    c->rcv_ssthresh -= c->rcv_ssthresh % p->mss;
  /* Linux's icsk_ack.ato is 0 until the first data sets TCP_ATO_MIN
   * (tcp_event_data_recv()); a fixed timeout is what it is */
  c->ato_ns = p->delack_max_ns ? 0 : p->delack_ns;
  c->rcv_space = p->rcv_buf;
  for (int t = 0; t < TCP_NTIMERS; t++)
    c->deadline[t] = TCP_NEVER;
  if (h->tail)
    h->tail->next = c;
  else
    h->conns = c;
  h->tail = c;
  return c;
}

/* Free connections that are CLOSED and that no handle refers to. */
static void reap(tcp_host *h) {
  tcp_conn **pp = &h->conns;
  h->tail = NULL;
  while (*pp) {
    tcp_conn *c = *pp;
    bool referenced = c->owned && !c->app_closed;
    if (c->state == TCP_CLOSED && !referenced) {
      *pp = c->next;
      tcp_mem_free(h, c);
    } else {
      h->tail = c;
      pp = &c->next;
    }
  }
}

void tcp_host_enter(tcp_host *h, uint64_t now) {
  if (h->depth++ == 0)
    h->now = now;
}

void tcp_host_leave(tcp_host *h) {
  if (h->depth > 1) {
    h->depth--;
    return;
  }
  /* depth stays 1 while notifying: calls from the callback do not deliver */
  bool again = true;
  while (again) {
    again = false;
    for (tcp_conn *c = h->conns; c; c = c->next) {
      uint32_t notes = c->notes;
      if (!notes)
        continue;
      c->notes = 0;
      for (int n = 0; n <= TCP_NOTIFY_ERROR; n++) {
        if (!(notes & NOTE(n)))
          continue;
        bool for_listener = n == TCP_NOTIFY_ACCEPTABLE;
        if ((!c->owned && !for_listener) || c->app_closed)
          continue;
        if (TRACES(h, TCP_EV_NOTIFY)) {
          tcp_event ev = {.type = TCP_EV_NOTIFY, .notify = (tcp_notify)n};
          tcp_trace_conn(c, &ev, h->now);
        }
        if (h->cfg.notify) {
          h->cfg.notify(h->cfg.user, c, (tcp_notify)n);
          again = true;
        }
      }
    }
  }
  h->depth--;
  reap(h);
}

tcp_listener *tcp_host_listener(tcp_host *h, uint16_t port) {
  for (size_t i = 0; i < h->nlisteners; i++)
    if (h->listeners[i].port == port)
      return &h->listeners[i];
  return NULL;
}

uint32_t tcp_host_backlog_count(tcp_host *h, uint16_t port) {
  uint32_t n = 0;
  for (tcp_conn *c = h->conns; c; c = c->next)
    n += c->passive && !c->owned && c->lport == port && c->state != TCP_CLOSED;
  return n;
}

static tcp_conn *lookup(tcp_host *h, const tcp_segment *s) {
  for (tcp_conn *c = h->conns; c; c = c->next)
    if (c->state != TCP_CLOSED && c->lport == s->dport &&
        c->rport == s->sport && c->raddr == s->src)
      return c;
  return NULL;
}

static void emit(tcp_host *h, const tcp_segment *s, tcp_why why, uint64_t now) {
  size_t n =
      tcp_wire_encode_opt(h->obuf, h->obuf_cap, s, h->cfg.opaque_payload);
  if (TRACES(h, TCP_EV_SEG_OUT)) {
    tcp_event ev = {.type = TCP_EV_SEG_OUT, .seg = *s, .why = why};
    ev.dgram = h->obuf;
    ev.dgram_len = n;
    tcp_trace_host(h, &ev, now);
  }
  h->cfg.output(h->cfg.user, h->obuf, n);
}

/* RFC 9293 §3.10.7.1: the reset for a segment that has no connection. */
void tcp_host_send_rst(tcp_host *h, const tcp_segment *in, tcp_why why,
                       uint64_t now) {
  if (in->flags & TCP_RST) /* a reset is never answered */
    return;
  tcp_segment s = {0};
  s.src = h->cfg.addr;
  s.dst = in->src;
  s.sport = in->dport;
  s.dport = in->sport;
  s.ttl = h->p->ttl;
  s.ip_id = h->ip_id++;
  if (in->flags & TCP_ACK) {
    s.seq = in->ack; /* <SEQ=SEG.ACK><CTL=RST> */
    s.flags = TCP_RST;
  } else {
    uint32_t seg_len =
        in->len + !!(in->flags & TCP_SYN) + !!(in->flags & TCP_FIN);
    s.seq = 0; /* <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> */
    s.ack = in->seq + seg_len;
    s.flags = TCP_RST | TCP_ACK;
  }
  emit(h, &s, why, now);
}

int tcp_host_input(tcp_host *h, const uint8_t *dgram, size_t len,
                   uint64_t now) {
  tcp_segment seg;
  int rv = tcp_wire_decode_opt(&seg, dgram, len, !h->cfg.trust_input);
  tcp_host_enter(h, now);
  if (rv != TCP_WIRE_OK) {
    tcp_trace_drop(h, NULL, NULL, TCP_WHY_MALFORMED, rv, now);
    goto out;
  }
  tcp_conn *c = lookup(h, &seg);
  if (TRACES(h, TCP_EV_SEG_IN)) {
    tcp_event ev = {.type = TCP_EV_SEG_IN, .seg = seg};
    ev.dgram = dgram;
    ev.dgram_len = len;
    if (c)
      tcp_trace_conn(c, &ev, now);
    else
      tcp_trace_host(h, &ev, now);
  }
  if (seg.dst != h->cfg.addr) {
    tcp_trace_drop(h, NULL, &seg, TCP_WHY_NOT_MINE, 0, now);
    goto out;
  }
  if (c)
    tcp_conn_input(c, &seg, now);
  else if (tcp_host_listener(h, seg.dport))
    tcp_listen_input(h, &seg, now);
  else if (seg.flags & TCP_RST)
    tcp_trace_drop(h, NULL, &seg, TCP_WHY_RST_IGNORED, 0, now);
  else
    tcp_host_send_rst(h, &seg, TCP_WHY_RST_NO_CONN, now);
out:
  tcp_host_leave(h);
  return rv;
}

uint64_t tcp_host_expiry(const tcp_host *h) {
  uint64_t t = TCP_NEVER;
  for (const tcp_conn *c = h->conns; c; c = c->next)
    for (int i = 0; i < TCP_NTIMERS; i++)
      if (c->deadline[i] < t)
        t = c->deadline[i];
  return t;
}

void tcp_host_on_expiry(tcp_host *h, uint64_t now) {
  tcp_host_enter(h, now);
  for (tcp_conn *c = h->conns; c; c = c->next)
    for (int i = 0; i < TCP_NTIMERS; i++)
      if (c->deadline[i] <= now && c->state != TCP_CLOSED)
        tcp_conn_on_timer(c, (tcp_timer)i, now);
  tcp_host_leave(h);
}

int tcp_host_listen(tcp_host *h, uint16_t port, uint32_t backlog,
                    uint64_t now) {
  int rv = TCP_OK;
  tcp_host_enter(h, now);
  if (port == 0 || backlog == 0) {
    rv = TCP_ERR_INVAL;
    goto out;
  }
  if (tcp_host_listener(h, port)) {
    rv = TCP_ERR_ADDRINUSE;
    goto out;
  }
  if (h->nlisteners == h->caplisteners) {
    size_t cap = h->caplisteners ? 2 * h->caplisteners : 4;
    tcp_listener *l = tcp_mem_alloc(h, cap * sizeof *l);
    if (!l) {
      rv = TCP_ERR_NOMEM;
      goto out;
    }
    if (h->listeners)
      memcpy(l, h->listeners, h->nlisteners * sizeof *l);
    tcp_mem_free(h, h->listeners);
    h->listeners = l;
    h->caplisteners = cap;
  }
  h->listeners[h->nlisteners++] = (tcp_listener){port, backlog};
out:
  if (TRACES(h, TCP_EV_APP)) {
    tcp_event ev = {.type = TCP_EV_APP, .call = TCP_CALL_LISTEN};
    ev.arg = port;
    ev.result = rv;
    tcp_trace_host(h, &ev, now);
  }
  tcp_host_leave(h);
  return rv;
}

int tcp_host_unlisten(tcp_host *h, uint16_t port, uint64_t now) {
  tcp_listener *l = tcp_host_listener(h, port);
  if (!l)
    return TCP_ERR_INVAL;
  tcp_host_enter(h, now);
  *l = h->listeners[--h->nlisteners];
  for (tcp_conn *c = h->conns; c; c = c->next)
    if (c->passive && !c->owned && c->lport == port && c->state != TCP_CLOSED) {
      tcp_conn_send_rst(c, TCP_WHY_RST_ABORT, now);
      tcp_conn_drop(c, TCP_ERR_ABORTED, false, now);
    }
  tcp_host_leave(h);
  return TCP_OK;
}

int tcp_host_accept(tcp_host *h, uint16_t port, tcp_conn **out, uint64_t now) {
  if (!out || !tcp_host_listener(h, port))
    return TCP_ERR_INVAL;
  for (tcp_conn *c = h->conns; c; c = c->next) {
    if (!c->passive || c->owned || c->lport != port)
      continue;
    if (c->state == TCP_CLOSED || c->state == TCP_SYN_RECEIVED)
      continue;
    tcp_host_enter(h, now);
    c->owned = true;
    *out = c;
    tcp_trace_app(c, TCP_CALL_ACCEPT, port, 0, now);
    tcp_host_leave(h);
    return TCP_OK;
  }
  return TCP_ERR_WOULDBLOCK;
}

static bool tuple_in_use(tcp_host *h, uint16_t lport, uint32_t raddr,
                         uint16_t rport) {
  for (tcp_conn *c = h->conns; c; c = c->next)
    if (c->state != TCP_CLOSED && c->lport == lport && c->raddr == raddr &&
        c->rport == rport)
      return true;
  return false;
}

int tcp_host_connect(tcp_host *h, tcp_conn **out, uint16_t lport,
                     uint32_t raddr, uint16_t rport, uint64_t now) {
  if (!out || rport == 0)
    return TCP_ERR_INVAL;
  if (lport && tuple_in_use(h, lport, raddr, rport))
    return TCP_ERR_ADDRINUSE;
  /* ephemeral range 49152-65535 (RFC 6335), random start, first free */
  for (uint32_t tries = 0; !lport && tries < 16384; tries++) {
    uint16_t cand = (uint16_t)(49152 + (tcp_host_random(h) + tries) % 16384);
    if (!tuple_in_use(h, cand, raddr, rport) && !tcp_host_listener(h, cand))
      lport = cand;
  }
  if (!lport)
    return TCP_ERR_NOPORT;
  tcp_conn *c = tcp_conn_new(h, raddr, lport, rport);
  if (!c)
    return TCP_ERR_NOMEM;
  tcp_host_enter(h, now);
  c->owned = true;
  tcp_trace_app(c, TCP_CALL_CONNECT, rport, 0, now);
  tcp_conn_set_state(c, TCP_SYN_SENT, now);
  tcp_conn_send_syn(c, now);
  *out = c;
  tcp_host_leave(h);
  return TCP_OK;
}
