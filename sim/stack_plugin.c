/*
 * stack_plugin.c - the model as ns-3's TCP (the plug-in,
 * ns3::HalfcloseTcpL4Protocol) on ns-3's internet stack: Ipv4L3Protocol and
 * PointToPointNetDevice, no queue disc (CONV_STACK_PLUGIN). The hosts are
 * made as on the link (the same ISNs, ports, tick phases and trace) and
 * put behind the nodes; the applications reach them through ns-3's
 * sockets, whose events are ns-3's TCP's (stack_ns3.c). The model traces
 * everything itself, so the outcome is read as on the link, and it is the
 * same (tests/sim/test_two_paths.c).
 *
 * With [path] routers, the same ends across routers, queue discs and cross
 * traffic (ns3c_pathnet_new), in a simulation of the conversation's own.
 */
#include "conv_internal.h"

static void on_settled(void *user) {
  side *s = user;
  conv_settle(s->r);
}

static void on_lead(void *sim) {
  ns3c_stop(sim);
}

/* A [path]: the routers, their queue discs and the cross traffic, built
 * into the conversation's own simulation (conv_run renews it), the cross
 * traffic run for its lead; the conversation starts after it. */
static int path_start(run *r) {
  const conv_params *p = r->p;
  const char *tcp = hc_param_word("cross_tcp", p->cross_tcp);
  ns3c_path_config pc = {
      .access = {p->rate_bps, p->delay_ns, (uint32_t)p->queue, (uint32_t)p->mtu,
                 p->loss,
                 /* streams of their own: up to 512 per conversation */
                 (UINT64_C(1) << 32) + 512 * r->index},
      .routers = (uint32_t)p->routers,
      .core_rate_bps = p->bottleneck_rate_bps,
      .core_delay_ns = p->bottleneck_delay_ns,
      .core_loss = p->bottleneck_loss,
      .qdisc = (int)p->qdisc,
      .qdisc_packets = (uint32_t)p->qdisc_limit,
      .cross_flows = (uint32_t)p->cross_flows,
      .cross_onoff = p->cross_kind == CONV_CROSS_ONOFF,
      .cross_profile = p->cross_tcp == CONV_CROSS_TCP_NS3 ? NULL : tcp,
      .cross_rate_bps = p->cross_rate_bps,
      .cross_on_ns = p->cross_on_ns,
      .cross_off_ns = p->cross_off_ns};
  int rv = ns3c_pathnet_new(r->e->sim, &pc, &r->net);
  if (rv == 0 && p->cross_flows && p->cross_lead_ns) {
    rv = ns3c_schedule(r->e->sim, ns3c_now(r->e->sim) + p->cross_lead_ns,
                       on_lead, r->e->sim, NULL);
    if (rv == 0)
      rv = ns3c_run(r->e->sim);
  }
  r->t0 = ns3c_now(r->e->sim);
  return rv;
}

static int plugin_start(run *r, const tcp_profile *client,
                        const tcp_profile *server) {
  ns3c_tcp_config tc = {.link = {r->p->rate_bps, r->p->delay_ns,
                                 (uint32_t)r->p->queue, (uint32_t)r->p->mtu,
                                 r->p->loss, 2 * r->index},
                        .model = 1};
  int rv =
      r->p->routers ? path_start(r) : ns3c_tcpnet_get(r->e->sim, &tc, &r->net);
  if (rv)
    return rv;
  r->link = ns3c_tcpnet_link(r->net);
  if (r->cap[0] || r->cap[1])
    ns3c_link_set_capture(r->link, conv_capture, r);
  const tcp_profile *prof[2] = {client, server};
  for (int i = 0; i < 2; i++) {
    tcp_host_config cfg;
    conv_model_host_config(r, i, prof[i],
                           i ? CONV_SERVER_ADDR : CONV_CLIENT_ADDR, &cfg);
    r->ph[i] = ns3c_tcpnet_model(r->net, i, &cfg, r->t0, on_settled);
    if (!r->ph[i])
      return NS3C_ERR_INVAL;
  }
  if (r->opts && r->opts->check)
    tcp_check_new(&r->check);
  ns3c_tcp_callbacks cb = conv_socket_callbacks(r);
  r->srv_port = (uint16_t)r->p->port;
  rv = ns3c_tcp_listen(r->net, 1, r->srv_port, &cb, &r->lis);
  if (rv == 0)
    rv = ns3c_tcp_connect(r->net, 0, (uint16_t)r->p->port, &cb, &r->cs);
  return rv;
}

/* the model traces the calls itself */
static int64_t plugin_send(run *r, int node, uint64_t n) {
  int64_t rv = ns3c_tcp_send(conv_sock(r, node), n);
  return rv < 0 ? TCP_ERR_RESET : rv;
}

static int64_t plugin_recv(run *r, int node, uint64_t max) {
  int64_t model = 0, rv = ns3c_tcp_read(conv_sock(r, node), max, &model);
  return rv >= 0 ? rv : rv == NS3C_ERR_AGAIN ? TCP_ERR_WOULDBLOCK : model;
}

static void plugin_shutdown(run *r, int node) {
  ns3c_tcp_shutdown(conv_sock(r, node));
}

static void plugin_close(run *r, int node) {
  ns3c_tcp_close(conv_sock(r, node));
}

static void plugin_abort(run *r, int node) {
  ns3c_tcp_abort(conv_sock(r, node)); /* the plug-in's sockets have it */
}

static bool plugin_quiescent(const run *r) {
  return tcp_host_quiescent(r->ph[0]) && tcp_host_quiescent(r->ph[1]);
}

static bool plugin_traces(const run *r, int node) {
  (void)r;
  (void)node;
  return true;
}

static void plugin_end(run *r) {
  conv_sockets_end(r);
  if (r->net)
    ns3c_tcpnet_park(r->net); /* the hosts go, and their timers */
}

static void plugin_free(run *r) {
  (void)r; /* parked with the sockets */
}

const conv_stack_ops conv_stack_plugin = {
    .name = "the plug-in",
    .start = plugin_start,
    .send = plugin_send,
    .recv = plugin_recv,
    .shutdown = plugin_shutdown,
    .close = plugin_close,
    .abort = plugin_abort,
    .reconnect = conv_sockets_reconnect,
    .accept = conv_sockets_accept,
    .quiescent = plugin_quiescent,
    .traces = plugin_traces,
    .timers = NULL, /* the hosts' deadlines are the plug-in's events */
    .end = plugin_end,
    .free = plugin_free,
};
