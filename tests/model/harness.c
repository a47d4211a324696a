/*
 * harness.c - see harness.h.
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

int t_failed, t_passed, t_cur_failed;

void t_run(const char *name, void (*fn)(void)) {
  const char *only = getenv("HC_ONLY");
  if (only && !strstr(name, only))
    return;
  t_cur_failed = 0;
  fn();
  if (t_cur_failed) {
    fprintf(stderr, "FAIL %s\n", name);
    t_failed++;
  } else {
    fprintf(stderr, "ok   %s\n", name);
    t_passed++;
  }
}

int t_summary(void) {
  printf("%d passed, %d failed\n", t_passed, t_failed);
  return t_failed ? 1 : 0;
}

tcp_profile h_profile(const char *name) {
  tcp_profile p;
  int rv = tcp_profile_preset(&p, name);
  if (rv) {
    fprintf(stderr, "no profile %s\n", name);
    abort();
  }
  return p;
}

tcp_profile h_profile_plain(const char *name) {
  tcp_profile p = h_profile(name);
  p.timestamps = p.sack_permitted = p.window_scaling = false;
  return p;
}

static void *h_alloc(void *user, size_t n) {
  h_side *s = user;
  s->t->allocs++;
  return calloc(1, n);
}

static void h_free(void *user, void *p) {
  h_side *s = user;
  if (p)
    s->t->allocs--;
  free(p);
}

static void h_output(void *user, const uint8_t *d, size_t len) {
  h_side *s = user;
  harness *t = s->t;
  unsigned n = t->sent[s->side]++;
  tcp_segment seg;
  if (tcp_wire_decode(&seg, d, len) != TCP_WIRE_OK) {
    fprintf(stderr, "harness: host sent a datagram that does not decode\n");
    t_cur_failed++;
    return;
  }
  if (t->drop && t->drop(t, s->side, &seg, n)) {
    t->dropped++;
    if (t->verbose)
      fprintf(stderr, "             (dropped on the wire)\n");
    return;
  }
  if (t->nq == H_MAXQ) {
    fprintf(stderr, "harness: wire queue full\n");
    t_cur_failed++;
    return;
  }
  uint64_t start =
      t->now > t->link_free[s->side] ? t->now : t->link_free[s->side];
  uint64_t ser =
      t->rate_bps ? (uint64_t)len * 8 * 1000000000ull / t->rate_bps : 0;
  t->link_free[s->side] = start + ser;
  h_pkt *p = &t->q[t->nq++];
  p->at = start + ser + t->delay_ns;
  p->to = 1 - s->side;
  p->len = len;
  p->data = malloc(len);
  memcpy(p->data, d, len);
}

static void h_trace(void *user, const tcp_event *ev) {
  h_side *s = user;
  harness *t = s->t;
  if (tcp_check_event(t->check, ev) != 0 && t->verbose)
    fprintf(stderr, "CHECK: %s\n", tcp_check_error(t->check));
  if (t->verbose) {
    char line[256];
    tcp_event_format(ev, line, sizeof line);
    fprintf(stderr, "%s\n", line);
  }
  if (t->nlog == t->caplog) {
    t->caplog = t->caplog ? 2 * t->caplog : 256;
    t->log = realloc(t->log, t->caplog * sizeof *t->log);
  }
  tcp_event e = *ev;
  e.dgram = NULL;
  e.dgram_len = 0;
  e.seg.data = NULL;
  t->log[t->nlog++] = e;
}

static uint32_t h_random(void *user) {
  h_side *s = user;
  if (s->t->iss[s->side])
    return s->t->iss[s->side];
  /* xorshift32 per side, fixed seeds: runs are reproducible */
  uint32_t *v = &s->t->rng[s->side];
  *v ^= *v << 13;
  *v ^= *v >> 17;
  *v ^= *v << 5;
  return *v;
}

static void h_notify(void *user, tcp_conn *c, tcp_notify what) {
  h_side *s = user;
  if (s->t->notify)
    s->t->notify(s->t, s->side, c, what);
}

void h_init(harness *t, const tcp_profile *pa, const tcp_profile *pb,
            uint64_t delay_ns, uint64_t rate_bps) {
  memset(t, 0, sizeof *t);
  t->delay_ns = delay_ns;
  t->rate_bps = rate_bps;
  t->verbose = getenv("HC_TRACE") != NULL;
  t->rng[0] = 0x12345678u;
  t->rng[1] = 0x9abcdef0u;
  tcp_check_new(&t->check);
  const tcp_profile *ps[2] = {pa, pb};
  uint32_t addr[2] = {H_ADDR_A, H_ADDR_B};
  for (int i = 0; i < 2; i++) {
    t->s[i].t = t;
    t->s[i].side = i;
    tcp_host_config cfg = {0};
    cfg.addr = addr[i];
    cfg.profile = *ps[i];
    cfg.user = &t->s[i];
    cfg.output = h_output;
    cfg.notify = h_notify;
    cfg.trace = h_trace;
    cfg.random = h_random;
    cfg.alloc = h_alloc;
    cfg.free = h_free;
    if (tcp_host_new(&t->s[i].host, &cfg) != 0) {
      fprintf(stderr, "tcp_host_new failed\n");
      abort();
    }
  }
}

void h_fini(harness *t) {
  const char *err = tcp_check_error(t->check);
  if (err) {
    fprintf(stderr, "invariant violated: %s\n", err);
    t_cur_failed++;
  }
  for (int i = 0; i < 2; i++)
    tcp_host_free(t->s[i].host);
  if (t->allocs != 0) {
    fprintf(stderr, "leak: %ld blocks not freed\n", t->allocs);
    t_cur_failed++;
  }
  for (size_t i = 0; i < t->nq; i++)
    free(t->q[i].data);
  free(t->log);
  tcp_check_free(t->check);
}

void h_at(harness *t, uint64_t when, void (*fn)(harness *, void *), void *arg) {
  if (t->ncalls == sizeof t->calls / sizeof *t->calls) {
    fprintf(stderr, "harness: too many scheduled calls\n");
    abort();
  }
  t->calls[t->ncalls++] = (h_call){when, fn, arg};
}

void h_inject(harness *t, int to, const tcp_segment *s) {
  uint8_t buf[TCP_MAX_DATAGRAM];
  size_t n = tcp_wire_encode(buf, sizeof buf, s);
  tcp_host_input(t->s[to].host, buf, n, t->now);
}

bool h_step(harness *t, uint64_t limit) {
  /* earliest of: a packet arrival, a host deadline, a scheduled call;
   * ties go packets, then calls, then timers (a stable, documented order) */
  uint64_t best = UINT64_MAX;
  int kind = -1;
  size_t idx = 0;
  for (size_t i = 0; i < t->nq; i++)
    if (t->q[i].at < best) {
      best = t->q[i].at;
      kind = 0;
      idx = i;
    }
  for (size_t i = 0; i < t->ncalls; i++)
    if (t->calls[i].at < best) {
      best = t->calls[i].at;
      kind = 1;
      idx = i;
    }
  for (int i = 0; i < 2; i++) {
    uint64_t e = tcp_host_expiry(t->s[i].host);
    if (e < best) {
      best = e;
      kind = 2;
      idx = (size_t)i;
    }
  }
  if (kind < 0 || best > limit)
    return false;
  if (best > t->now)
    t->now = best;
  if (kind == 0) {
    h_pkt p = t->q[idx];
    memmove(&t->q[idx], &t->q[idx + 1], (t->nq - idx - 1) * sizeof *t->q);
    t->nq--;
    tcp_host_input(t->s[p.to].host, p.data, p.len, t->now);
    free(p.data);
  } else if (kind == 1) {
    h_call c = t->calls[idx];
    memmove(&t->calls[idx], &t->calls[idx + 1],
            (t->ncalls - idx - 1) * sizeof *t->calls);
    t->ncalls--;
    c.fn(t, c.arg);
  } else {
    tcp_host_on_expiry(t->s[idx].host, t->now);
  }
  return true;
}

void h_run(harness *t, uint64_t limit) {
  while (h_step(t, limit))
    ;
  /* the clock reaches the limit: a caller's next "now + x" counts from
   * there, not from the last event, so a quiet stretch still passes */
  if (limit != UINT64_MAX && limit > t->now)
    t->now = limit;
}

size_t h_count(const harness *t, tcp_event_type type, uint32_t host,
               tcp_why why) {
  size_t n = 0;
  for (size_t i = 0; i < t->nlog; i++)
    if (t->log[i].type == type && (!host || t->log[i].host == host) &&
        (why == TCP_WHY_NONE || t->log[i].why == why))
      n++;
  return n;
}

const tcp_event *h_find(const harness *t, size_t from, tcp_event_type type,
                        uint32_t host, int flags_all, int flags_none) {
  for (size_t i = from; i < t->nlog; i++) {
    const tcp_event *e = &t->log[i];
    if (e->type != type || (host && e->host != host))
      continue;
    if ((e->seg.flags & flags_all) != flags_all || (e->seg.flags & flags_none))
      continue;
    return e;
  }
  return NULL;
}

void h_dump(const harness *t, FILE *f) {
  char line[256];
  for (size_t i = 0; i < t->nlog; i++) {
    tcp_event_format(&t->log[i], line, sizeof line);
    fprintf(f, "%s\n", line);
  }
}

/* ---- the article's application pair: the conversation's applications
 * (sim/apps.c) on this harness's hosts ---- */

void h_kb_defaults(h_kb *kb) {
  memset(kb, 0, sizeof *kb);
  kb->port = 80;
  kb->request = 300;
  kb->response = 20000;
  kb->half_close = true;
  kb->read_size = 65536;
}

static tcp_conn *kb_conn(harness *t, int node) {
  return node ? t->kb.sc : t->kb.cc;
}

static int64_t ep_send(void *u, int node, uint64_t n) {
  harness *t = u;
  int64_t rv = tcp_conn_send(kb_conn(t, node), n, t->now);
  if (node == 1 && rv > 0)
    t->kb.server_sent += (uint64_t)rv;
  return rv;
}

static int64_t ep_recv(void *u, int node, uint64_t max) {
  harness *t = u;
  h_kb *kb = &t->kb;
  int64_t rv = tcp_conn_recv(kb_conn(t, node), NULL, max, t->now);
  if (node == 1) {
    if (rv > 0)
      kb->server_read += (uint64_t)rv;
    return rv;
  }
  if (rv > 0)
    kb->client_read += (uint64_t)rv;
  else if (rv == 0)
    kb->client_eof = true;
  else if (rv != TCP_ERR_WOULDBLOCK && !kb->client_error)
    kb->client_error = (int)rv;
  return rv;
}

static void ep_shutdown(void *u, int node) {
  harness *t = u;
  tcp_conn_shutdown(kb_conn(t, node), t->now);
}

static void ep_close(void *u, int node) {
  harness *t = u;
  if (node == 0 && t->kb.client_keep_open)
    return; /* the test inspects the connection afterwards */
  *(node ? &t->kb.server_closed : &t->kb.client_closed) = true;
  tcp_conn_close(kb_conn(t, node), t->now);
}

static void ep_abort(void *u, int node) {
  harness *t = u;
  *(node ? &t->kb.server_closed : &t->kb.client_closed) = true;
  tcp_conn_abort(kb_conn(t, node), t->now);
}

static int ep_reconnect(void *u) {
  harness *t = u;
  return tcp_host_connect(t->s[0].host, &t->kb.cc, 0, H_ADDR_B, t->kb.port,
                          t->now);
}

/* an application event: its slot holds what conv_apps_fire needs */
static void kb_fire(harness *t, void *arg) {
  h_kb_event *e = arg;
  e->live = false;
  conv_apps_fire(&t->kb.app, e->fn, e->gen, e->tok);
}

static void ep_after(void *u, uint64_t delay, void (*fn)(conv_apps *a),
                     uint64_t tok) {
  harness *t = u;
  for (size_t i = 0; i < H_KB_EVENTS; i++) {
    h_kb_event *e = &t->kb.ev[i];
    if (e->live)
      continue;
    *e = (h_kb_event){fn, t->kb.app.srv_gen, tok, true};
    h_at(t, t->now + delay, kb_fire, e);
    return;
  }
  fprintf(stderr, "harness: too many application events\n");
  abort();
}

static void ep_fail(void *u, const char *what, int err) {
  (void)u;
  fprintf(stderr, "harness: the applications failed: %s: %s\n", what,
          tcp_strerror(err));
  t_cur_failed++;
}

static void kb_notify(harness *t, int side, tcp_conn *c, tcp_notify what) {
  conv_apps_host_notify(&t->kb.app, side, t->s[side].host, t->kb.cc, &t->kb.sc,
                        c, what, t->now);
}

void h_kb_client_closes_first(h_kb *kb, uint64_t response, uint64_t think,
                              uint64_t client_delay) {
  kb->half_close = false;
  kb->response = response;
  kb->think = think;
  kb->server_close_on_eof = true;
  kb->client_close_when_read = true;
  kb->client_close_delay = client_delay;
}

void h_kb_start(harness *t) {
  h_kb *kb = &t->kb;
  conv_params *p = &kb->p;
  conv_params_default(p);
  p->port = kb->port;
  p->request = kb->request;
  p->response = kb->response;
  p->half_close = kb->half_close;
  p->read_delay_ns = kb->read_delay;
  p->read_interval_ns = kb->read_interval;
  p->read_size = kb->read_size;
  p->close_delay_ns = kb->close_delay;
  p->think_ns = kb->think;
  p->close_on_eof = kb->server_close_on_eof;
  p->close_when_read = kb->client_close_when_read;
  p->read_close_delay_ns = kb->client_close_delay;
  conv_endpoint ep = {t,        ep_send,      ep_recv,  ep_shutdown, ep_close,
                      ep_abort, ep_reconnect, ep_after, ep_fail};
  conv_apps_init(&kb->app, p, &ep, &kb->out);
  t->notify = kb_notify;
  tcp_host_listen(t->s[1].host, kb->port, 8, t->now);
  tcp_host_connect(t->s[0].host, &kb->cc, 0, H_ADDR_B, kb->port, t->now);
}

unsigned h_kb_run_dropping(harness *t, h_drop_fn drop) {
  t->drop = drop;
  h_kb_start(t);
  h_run(t, 600 * TCP_S);
  return t->dropped;
}

uint64_t h_kb_transfer(harness *t, const tcp_profile *c, const tcp_profile *s,
                       uint64_t delay_ns, uint64_t rate_bps, uint64_t response,
                       uint64_t read_interval, uint64_t read_size) {
  h_init(t, c, s, delay_ns, rate_bps);
  h_kb_defaults(&t->kb);
  t->kb.response = response;
  t->kb.read_interval = read_interval;
  t->kb.read_size = read_size;
  h_kb_start(t);
  h_run(t, 600 * TCP_S);
  return t->kb.client_read;
}
