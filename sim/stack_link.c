/*
 * stack_link.c - the model's hosts on the wrapper's own link: the fast path
 * (CONV_STACK_MODEL). Each host has at most one pending ns-3 event, its
 * next deadline, moved whenever its expiry changes (timers). A real kernel
 * may stand at an end of the link instead of a host (stack_kernel.c).
 */
#include "conv_internal.h"

#include <stdio.h>

static void on_deadline(void *arg) {
  side *s = arg;
  s->ev_at = 0;
  tcp_host_on_expiry(s->host, conv_rel(s->r));
  conv_settle(s->r);
}

static void reschedule(side *s) {
  run *r = s->r;
  if (!s->host)
    return; /* ns-3's TCP keeps its own timers */
  uint64_t exp = tcp_host_expiry(s->host);
  uint64_t at = exp == TCP_NEVER ? 0 : r->t0 + exp;
  if (at == s->ev_at)
    return;
  if (s->ev_at)
    ns3c_cancel(r->e->sim, s->ev_id);
  s->ev_at = 0;
  if (at && ns3c_schedule(r->e->sim, at, on_deadline, s, &s->ev_id) == 0)
    s->ev_at = at;
}

static void link_timers(run *r) {
  reschedule(&r->s[0]);
  reschedule(&r->s[1]);
}

static void on_notify(void *user, tcp_conn *c, tcp_notify what) {
  side *s = user;
  run *r = s->r;
  /* one connection at a time: the next waits until the server is done
   * with this one (link_accept) */
  conv_apps_host_notify(&r->app, s->node, s->host, r->cc, &r->sc, c, what,
                        conv_rel(r));
}

static void link_accept(run *r) {
  if (conv_is_kernel(r, 1) ||
      tcp_host_accept(r->s[1].host, (uint16_t)r->p->port, &r->sc,
                      conv_rel(r)) != 0)
    return;
  conv_server_accepted(r);
  conv_server_event(r, TCP_NOTIFY_ACCEPTABLE); /* what came with it */
}

static int link_reconnect(run *r) {
  if (conv_is_kernel(r, 0))
    return TCP_ERR_INVAL; /* a kernel client plays one connection */
  return tcp_host_connect(r->s[0].host, &r->cc, 0, CONV_SERVER_ADDR,
                          (uint16_t)r->p->port, conv_rel(r));
}

static void on_output(void *user, const uint8_t *d, size_t len) {
  side *s = user;
  /* a full queue drops the datagram, as a real device would */
  ns3c_link_send(s->r->e->link, s->node, d, len);
}

static void on_receive(void *user, int node, const uint8_t *d, size_t len) {
  run *r = user;
  tcp_host_input(r->s[node].host, d, len, conv_rel(r));
  conv_settle(r);
}

static uint32_t on_random(void *user) {
  side *s = user;
  return (uint32_t)(tcp_splitmix64(&s->rng) >> 32);
}

/* A model host's configuration, the same on the link and on the plug-in. */
void conv_model_host_config(run *r, int node, const tcp_profile *prof,
                            uint32_t addr, tcp_host_config *out) {
  side *s = &r->s[node];
  s->r = r;
  s->node = node;
  tcp_host_config cfg = {0};
  cfg.addr = addr;
  cfg.profile = *prof;
  uint64_t mss_max = r->p->mtu - TCP_IPV4_HDR_LEN - TCP_TCP_HDR_LEN;
  if (cfg.profile.mss > mss_max)
    cfg.profile.mss = (uint16_t)mss_max;
  bool grid = cfg.profile.delack_mode == TCP_DELACK_TICK ||
              (cfg.profile.delack_mode == TCP_DELACK_ONESHOT &&
               cfg.profile.delack_wheel);
  if (grid && r->p->random_phase)
    cfg.profile.delack_phase_ns =
        tcp_splitmix64(&s->rng) % cfg.profile.delack_tick_ns;
  r->out->phase_ns[node] =
      grid ? (int64_t)(cfg.profile.delack_phase_ns % cfg.profile.delack_tick_ns)
           : CONV_NONE;
  /* without the invariant checker (a batch run without --check) the
   * datagrams are trusted: they come unchanged from the other host */
  cfg.trust_input = !(r->opts && r->opts->check) && !r->kernel;
  /* ... and, with nothing captured, the payload and checksum go unwritten
   * (the other end trusts them; nothing else reads them) */
  cfg.opaque_payload = cfg.trust_input && !r->cap[0] && !r->cap[1];
  if (!(r->opts && (r->opts->check || r->opts->trace))) {
    /* only the events the outcome and the anatomy are read from (the
     * checker and a replay's ladder get every event) */
    cfg.trace_types = 1u << TCP_EV_SEG_OUT | 1u << TCP_EV_SEG_IN |
                      1u << TCP_EV_STATE | 1u << TCP_EV_TIMER_ARM |
                      1u << TCP_EV_APP | 1u << TCP_EV_DATA_LOST;
    cfg.trace_timers = 1u << TCP_TIMER_DELACK;
  }
  cfg.user = s;
  cfg.output = on_output;
  cfg.notify = on_notify;
  cfg.trace = conv_trace;
  cfg.random = on_random;
  *out = cfg;
}

static int make_host(run *r, int node, const tcp_profile *prof, uint32_t addr) {
  tcp_host_config cfg;
  conv_model_host_config(r, node, prof, addr, &cfg);
  return tcp_host_new(&r->s[node].host, &cfg);
}

static int link_start(run *r, const tcp_profile *client,
                      const tcp_profile *server) {
  const conv_params *p = r->p;
  ns3c_link_config lc = {p->rate_bps,      p->delay_ns, (uint32_t)p->queue,
                         (uint32_t)p->mtu, p->loss,     2 * r->index};
  int rv = ns3c_link_configure(r->e->link, &lc);
  if (rv)
    return rv;
  /* the kernels' datagrams are their trace */
  if (r->cap[0] || r->cap[1] || r->kernel)
    ns3c_link_set_capture(r->e->link, conv_capture, r);
  if (r->opts && r->opts->check)
    tcp_check_new(&r->check);
  ns3c_link_set_receive(r->e->link, on_receive, r);
  if (r->kernel)
    rv = conv_kernel_start(r);
  if (rv == 0 && !conv_is_kernel(r, 0))
    rv = make_host(r, 0, client, CONV_CLIENT_ADDR);
  if (rv == 0 && !conv_is_kernel(r, 1))
    rv = make_host(r, 1, server, CONV_SERVER_ADDR);
  if (rv == 0 && !conv_is_kernel(r, 1))
    rv = tcp_host_listen(r->s[1].host, (uint16_t)p->port, 16, 0);
  if (rv == 0 && !conv_is_kernel(r, 0))
    rv = tcp_host_connect(r->s[0].host, &r->cc, 0, CONV_SERVER_ADDR,
                          (uint16_t)p->port, 0);
  if (rv == 0 && conv_is_kernel(r, 0))
    r->kernel->start(r->kernel->user);
  return rv;
}

static int64_t link_send(run *r, int node, uint64_t n) {
  return tcp_conn_send(node == 0 ? r->cc : r->sc, n, conv_rel(r));
}

static int64_t link_recv(run *r, int node, uint64_t max) {
  return tcp_conn_recv(node == 0 ? r->cc : r->sc, NULL, max, conv_rel(r));
}

static void link_shutdown(run *r, int node) {
  tcp_conn_shutdown(node == 0 ? r->cc : r->sc, conv_rel(r));
}

static void link_close(run *r, int node) {
  tcp_conn_close(node == 0 ? r->cc : r->sc, conv_rel(r));
}

static void link_abort(run *r, int node) {
  tcp_conn_abort(node == 0 ? r->cc : r->sc, conv_rel(r));
}

/* A kernel end: its program has exited (the caller's test), and nothing
 * has crossed the link for a round trip and 10 ms - what was in flight
 * has arrived and what it drew (a RST for data to a closed socket) has
 * come back, as a model end's conversation runs until its host is
 * quiescent. */
static bool kernel_quiet(const run *r) {
  return conv_rel(r) >= r->last_frame_ns + 2 * r->p->delay_ns + 10 * TCP_MS;
}

/* a kernel end: its program exited */
static bool link_quiescent(const run *r) {
  return (conv_is_kernel(r, 0) ? kernel_quiet(r)
                               : tcp_host_quiescent(r->s[0].host)) &&
         (conv_is_kernel(r, 1) ? kernel_quiet(r)
                               : tcp_host_quiescent(r->s[1].host));
}

static bool link_traces(const run *r, int node) {
  return !conv_is_kernel(r, node);
}

static void link_end(run *r) {
  for (int i = 0; i < 2; i++)
    if (r->s[i].ev_at)
      ns3c_cancel(r->e->sim, r->s[i].ev_id);
  if (r->watch_id)
    ns3c_cancel(r->e->sim, r->watch_id);
}

static void link_free(run *r) {
  for (int i = 0; i < 2; i++)
    tcp_host_free(r->s[i].host);
}

const conv_stack_ops conv_stack_link = {
    .name = "link",
    .start = link_start,
    .send = link_send,
    .recv = link_recv,
    .shutdown = link_shutdown,
    .close = link_close,
    .abort = link_abort,
    .reconnect = link_reconnect,
    .accept = link_accept,
    .quiescent = link_quiescent,
    .traces = link_traces,
    .timers = link_timers,
    .end = link_end,
    .free = link_free,
};
