/*
 * stack_ns3.c - ns-3's own TCP (TcpSocketBase on ns-3's internet stack,
 * CONV_STACK_NS3), the `ns3-native` reference: its sockets' events reach
 * the applications (shared with the plug-in, whose sockets are ns-3's
 * too), and since ns-3 does not trace as the model does, the events the
 * outcome is read from are made here - the application's calls, the
 * client socket's states, the data lost at a reset - and from the
 * datagrams on the devices (conv_capture).
 */
#include "conv_internal.h"

ns3c_tcp *conv_sock(run *r, int node) {
  return node == 0 ? r->cs : r->ss;
}

static tcp_state from_ns3(ns3c_tcp_state st) {
  static const tcp_state map[] = {
      TCP_CLOSED,      TCP_LISTEN,     TCP_SYN_SENT, TCP_SYN_RECEIVED,
      TCP_ESTABLISHED, TCP_CLOSE_WAIT, TCP_LAST_ACK, TCP_FIN_WAIT_1,
      TCP_FIN_WAIT_2,  TCP_CLOSING,    TCP_TIME_WAIT};
  return (size_t)st < sizeof map / sizeof map[0] ? map[st] : TCP_CLOSED;
}

static void on_ns3_state(void *user, ns3c_tcp *t, ns3c_tcp_state from,
                         ns3c_tcp_state to) {
  run *r = user;
  if (r->ops == &conv_stack_plugin)
    return; /* the model traces its states */
  if (t == r->ss) {
    r->sstate = from_ns3(to);
    conv_settle(r);
  }
  if (t != r->cs)
    return;
  tcp_event ev = {0};
  ev.type = TCP_EV_STATE;
  ev.time_ns = conv_rel(r);
  ev.host = CONV_CLIENT_ADDR;
  ev.from = from_ns3(from);
  ev.to = ev.state = r->cstate = from_ns3(to);
  conv_trace(&r->s[0], &ev);
  conv_settle(r);
}

/* The server's application takes a connection; the one before (closed)
 * is let go of. */
static void adopt(run *r, ns3c_tcp *accepted) {
  if (r->ss)
    ns3c_tcp_free(r->ss);
  r->ss = accepted;
  r->sstate = TCP_ESTABLISHED;
  r->failed[1] = r->peer_closed[1] = false;
  conv_server_accepted(r);
  if (r->ops == &conv_stack_plugin) /* as the link's server: it reads at
                                       once */
    conv_server_event(r, TCP_NOTIFY_ACCEPTABLE);
}

void conv_sockets_accept(run *r) {
  if (r->ss_next) {
    ns3c_tcp *t = r->ss_next;
    r->ss_next = NULL;
    adopt(r, t);
  }
}

int conv_sockets_reconnect(run *r) {
  /* the one before is closed: ns-3 keeps it until its timers end */
  ns3c_tcp_free(r->cs);
  r->cs = NULL;
  r->failed[0] = r->peer_closed[0] = false;
  ns3c_tcp_callbacks cb = conv_socket_callbacks(r);
  return ns3c_tcp_connect(r->net, 0, r->srv_port, &cb, &r->cs);
}

static void on_ns3_event(void *user, ns3c_tcp *t, ns3c_tcp_event what,
                         ns3c_tcp *accepted) {
  run *r = user;
  if (what == NS3C_TCP_ACCEPTED) {
    if (!r->ss || r->app.srv_done)
      adopt(r, accepted);
    else if (!r->ss_next) /* one at a time: it waits (conv_sockets_accept) */
      r->ss_next = accepted;
    else {
      ns3c_tcp_close(accepted);
      ns3c_tcp_free(accepted);
    }
    conv_settle(r);
    return;
  }
  int node = t == r->cs ? 0 : t == r->ss ? 1 : -1;
  if (node < 0)
    return;
  tcp_notify n = TCP_NOTIFY_READABLE;
  switch (what) {
  case NS3C_TCP_CONNECTED:
    n = TCP_NOTIFY_CONNECTED;
    break;
  case NS3C_TCP_WRITABLE:
    n = TCP_NOTIFY_WRITABLE;
    break;
  case NS3C_TCP_PEER_CLOSED:
    r->peer_closed[node] = true;
    break;
  case NS3C_TCP_CONNECT_FAILED:
  case NS3C_TCP_ERROR:
    if (!r->failed[node] && node == 0 && r->ops == &conv_stack_ns3) {
      /* what the client host had received in order and not handed to the
       * application goes with the connection */
      tcp_event ev = {0};
      ev.type = TCP_EV_DATA_LOST;
      ev.time_ns = conv_rel(r);
      ev.host = CONV_CLIENT_ADDR;
      ev.arg = (int64_t)ns3c_tcp_unread(t);
      ev.state = r->cstate;
      if (ev.arg > 0)
        conv_trace(&r->s[0], &ev);
    }
    r->failed[node] = true;
    n = TCP_NOTIFY_ERROR;
    break;
  default:
    break;
  }
  if (node == 0)
    conv_client_event(r, n);
  else
    conv_server_event(r, n);
  conv_settle(r);
}

ns3c_tcp_callbacks conv_socket_callbacks(run *r) {
  return (ns3c_tcp_callbacks){on_ns3_event, on_ns3_state, r};
}

static int ns3_start(run *r, const tcp_profile *client,
                     const tcp_profile *server) {
  (void)server; /* ns-3's TCP: the client's delayed-ACK settings */
  ns3c_tcp_config tc = {
      .link = {r->p->rate_bps, r->p->delay_ns, (uint32_t)r->p->queue,
               (uint32_t)r->p->mtu, r->p->loss, 2 * r->index},
      .delack_ns = client->delack_ns,
      .delack_count = client->ack_every,
      .msl_ns = 500 * TCP_MS}; /* TIME-WAIT sockets must not pile up */
  int rv = ns3c_tcpnet_get(r->e->sim, &tc, &r->net);
  if (rv)
    return rv;
  r->link = ns3c_tcpnet_link(r->net);
  r->cstate = r->sstate = TCP_CLOSED;
  ns3c_tcp_callbacks cb = conv_socket_callbacks(r);
  uint16_t port = r->srv_port = ns3c_tcpnet_new_port(r->net);
  ns3c_link_set_capture(r->link, conv_capture, r);
  rv = ns3c_tcp_listen(r->net, 1, port, &cb, &r->lis);
  if (rv == 0)
    rv = ns3c_tcp_connect(r->net, 0, port, &cb, &r->cs);
  return rv;
}

static int64_t ns3_send(run *r, int node, uint64_t n) {
  int64_t rv =
      r->failed[node] ? TCP_ERR_RESET : ns3c_tcp_send(conv_sock(r, node), n);
  if (rv < 0)
    rv = TCP_ERR_RESET;
  return conv_app_event(r, node, TCP_CALL_SEND, (int64_t)n,
                        rv == 0 ? TCP_ERR_WOULDBLOCK : rv);
}

static int64_t ns3_recv(run *r, int node, uint64_t max) {
  int64_t rv;
  if (r->failed[node])
    rv = TCP_ERR_RESET;
  else if ((rv = (int64_t)ns3c_tcp_recv(conv_sock(r, node), max)) == 0)
    rv = r->peer_closed[node] && ns3c_tcp_unread(conv_sock(r, node)) == 0
             ? 0
             : TCP_ERR_WOULDBLOCK;
  return conv_app_event(r, node, TCP_CALL_RECV, (int64_t)max, rv);
}

static void ns3_shutdown(run *r, int node) {
  conv_app_event(r, node, TCP_CALL_SHUTDOWN, 0,
                 r->failed[node] ? TCP_ERR_RESET
                                 : ns3c_tcp_shutdown(conv_sock(r, node)));
}

static void ns3_close(run *r, int node) {
  conv_app_event(r, node, TCP_CALL_CLOSE, 0,
                 ns3c_tcp_close(conv_sock(r, node)));
}

/* ns-3's TCP has no SO_LINGER: no abortive close to model */
static void ns3_abort(run *r, int node) {
  (void)node;
  conv_fail(r, "close_mode abort: %s",
            "ns-3's own TCP has no abortive close (no SO_LINGER); use a "
            "profile of the model");
}

/* Nothing will happen unless an application acts: no timer but TIME-WAIT's
 * (ns-3's TCP cancels every other timer as it enters TIME-WAIT) */
static bool ns3_quiescent(const run *r) {
  return (r->cstate == TCP_TIME_WAIT || r->cstate == TCP_CLOSED) &&
         r->sstate == TCP_CLOSED;
}

static bool ns3_traces(const run *r, int node) {
  (void)r;
  (void)node;
  return false;
}

/* End what the limit left open, and let go of the sockets before ns-3
 * runs their last timers: nothing may call back into this run. */
void conv_sockets_end(run *r) {
  if (!r->net)
    return;
  ns3c_link_set_capture(r->link, NULL, NULL);
  if (!r->app.client_done && r->cs)
    ns3c_tcp_close(r->cs);
  if (!r->app.srv_done && r->ss)
    ns3c_tcp_close(r->ss);
  if (r->lis)
    ns3c_tcp_close(r->lis);
  if (r->ss_next)
    ns3c_tcp_close(r->ss_next);
  ns3c_tcp_free(r->ss_next);
  ns3c_tcp_free(r->cs);
  ns3c_tcp_free(r->ss);
  ns3c_tcp_free(r->lis);
}

static void ns3_free(run *r) {
  (void)r; /* ns-3 keeps its sockets until their timers end */
}

const conv_stack_ops conv_stack_ns3 = {
    .name = "ns-3's TCP",
    .start = ns3_start,
    .send = ns3_send,
    .recv = ns3_recv,
    .shutdown = ns3_shutdown,
    .close = ns3_close,
    .abort = ns3_abort,
    .reconnect = conv_sockets_reconnect,
    .accept = conv_sockets_accept,
    .quiescent = ns3_quiescent,
    .traces = ns3_traces,
    .timers = NULL, /* ns-3's TCP keeps its own timers */
    .end = conv_sockets_end,
    .free = ns3_free,
};
