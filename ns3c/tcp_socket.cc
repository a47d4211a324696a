/*
 * tcp_socket.cc - ns-3's own TCP (TcpSocketBase over ns-3's internet
 * stack) behind the C handles of ns3c.h: the network of two nodes, and
 * sockets whose events and state changes reach C callbacks.
 *
 * No application logic lives here: what a client or a server does with a
 * socket, and what came of a conversation, is the conversation's (sim/).
 * Every ns-3 callback a socket has points at its ns3c_tcp; ns3c_tcp_free
 * points them back at nothing before the handle goes, because ns-3 keeps
 * running a closed socket's timers (TIME-WAIT, retransmissions) after the
 * conversation that owned it has ended.
 */
#include "ns3c_internal.h"

#include <ns3/internet-module.h>

#include "ns3/halfclose-tcp.h"

using namespace ns3;

struct ns3c_tcp {
  ns3c_tcpnet *net;
  Ptr<Socket> sock;
  ns3c_tcp_callbacks cb;
  bool traced; /* the "State" trace is connected */

  void Event(ns3c_tcp_event ev, ns3c_tcp *accepted = nullptr) {
    if (cb.event)
      cb.event(cb.user, this, ev, accepted);
  }
  void Connected(Ptr<Socket>) {
    Event(NS3C_TCP_CONNECTED);
  }
  void ConnectFailed(Ptr<Socket>) {
    Event(NS3C_TCP_CONNECT_FAILED);
  }
  void Readable(Ptr<Socket>) {
    Event(NS3C_TCP_READABLE);
  }
  void Writable(Ptr<Socket>, uint32_t) {
    Event(NS3C_TCP_WRITABLE);
  }
  void PeerClosed(Ptr<Socket>) {
    Event(NS3C_TCP_PEER_CLOSED);
  }
  void Failed(Ptr<Socket>) {
    Event(NS3C_TCP_ERROR);
  }
  void State(TcpSocket::TcpStates_t from, TcpSocket::TcpStates_t to) {
    if (cb.state)
      cb.state(cb.user, this, (ns3c_tcp_state)from, (ns3c_tcp_state)to);
  }
  void Accepted(Ptr<Socket> s, const Address &);
  void Hook();
};

static ns3c_tcp *make_tcp(ns3c_tcpnet *n, Ptr<Socket> s,
                          const ns3c_tcp_callbacks *cb) {
  ns3c_tcp *t = new ns3c_tcp();
  t->net = n;
  t->sock = s;
  t->cb = *cb;
  t->traced = false;
  t->Hook();
  return t;
}

void ns3c_tcp::Hook() {
  sock->SetConnectCallback(MakeCallback(&ns3c_tcp::Connected, this),
                           MakeCallback(&ns3c_tcp::ConnectFailed, this));
  sock->SetRecvCallback(MakeCallback(&ns3c_tcp::Readable, this));
  sock->SetSendCallback(MakeCallback(&ns3c_tcp::Writable, this));
  sock->SetCloseCallbacks(MakeCallback(&ns3c_tcp::PeerClosed, this),
                          MakeCallback(&ns3c_tcp::Failed, this));
  traced = sock->TraceConnectWithoutContext(
      "State", MakeCallback(&ns3c_tcp::State, this));
}

void ns3c_tcp::Accepted(Ptr<Socket> s, const Address &) {
  Event(NS3C_TCP_ACCEPTED, make_tcp(net, s, &cb));
}

void ns3c_tcpnet_free(ns3c_tcpnet *n) {
  if (n)
    ns3c_path_free(n->path);
  delete n; /* its link belongs to the simulation's list */
}

extern "C" int ns3c_tcpnet_get(ns3c_sim *s, const ns3c_tcp_config *cfg,
                               ns3c_tcpnet **out) {
  if (!s || !cfg || !out)
    return ns3c_fail(NS3C_ERR_INVAL, "no simulation or no configuration");
  int rv = ns3c_link_check(&cfg->link);
  if (rv)
    return rv;
  if (cfg->link.mtu < 576)
    return ns3c_fail(NS3C_ERR_INVAL, "ns-3's TCP needs an MTU of 576 or more");
  GUARD_BEGIN
  ns3c_tcpnet *&net = cfg->model ? s->modelnet : s->tcpnet;
  if (!net) {
    /* real checksums: the capture decodes like any other, and the pcap
     * opens in Wireshark without complaints */
    GlobalValue::Bind("ChecksumEnabled", BooleanValue(true));
    ns3c_tcpnet *n = new ns3c_tcpnet();
    n->next_port = 1000;
    n->model = cfg->model != 0;
    n->link = n->model ? ns3c_link_build(s, &cfg->link, true,
                                         "ns3::HalfcloseTcpL4Protocol", true)
                       : ns3c_link_build(s, &cfg->link, true);
    net = n;
  }
  ns3c_link_apply(net->link, &cfg->link);
  if (net->model) {
    *out = net;
    return NS3C_OK;
  }
  Config::SetDefault("ns3::TcpSocket::SegmentSize",
                     UintegerValue(cfg->link.mtu - 40));
  Config::SetDefault("ns3::TcpSocket::DelAckTimeout",
                     TimeValue(NanoSeconds(cfg->delack_ns)));
  Config::SetDefault("ns3::TcpSocket::DelAckCount",
                     UintegerValue(cfg->delack_count));
  /* the model's header: the MSS option and nothing else (with ns-3's
   * default timestamps a full segment would not fit the MTU) */
  Config::SetDefault("ns3::TcpSocketBase::Timestamp", BooleanValue(false));
  Config::SetDefault("ns3::TcpSocketBase::Sack", BooleanValue(false));
  Config::SetDefault("ns3::TcpSocketBase::WindowScaling", BooleanValue(false));
  Config::SetDefault("ns3::TcpSocketBase::MaxSegLifetime",
                     DoubleValue((double)cfg->msl_ns / 1e9));
  *out = net;
  return NS3C_OK;
  GUARD_END
}

static Ptr<HalfcloseTcpL4Protocol> model_of(ns3c_tcpnet *n, int node) {
  if (!n || !n->model || (node != 0 && node != 1))
    return nullptr;
  return n->link->node[node]->GetObject<HalfcloseTcpL4Protocol>();
}

extern "C" struct tcp_host *ns3c_tcpnet_model(ns3c_tcpnet *n, int node,
                                              const tcp_host_config *cfg,
                                              uint64_t epoch_ns,
                                              void (*settled)(void *user)) {
  try {
    Ptr<HalfcloseTcpL4Protocol> m = model_of(n, node);
    if (!m || !cfg) {
      ns3c_fail(NS3C_ERR_INVAL, "not the model's network");
      return nullptr;
    }
    tcp_host *h = m->Configure(cfg, (int64_t)epoch_ns, settled);
    if (!h)
      ns3c_fail(NS3C_ERR_INVAL, "the model refused the host's configuration");
    return h;
  } catch (const std::exception &e) {
    ns3c_fail(NS3C_ERR_NS3, std::string("ns-3: ") + e.what());
    return nullptr;
  }
}

extern "C" void ns3c_tcpnet_park(ns3c_tcpnet *n) {
  for (int i = 0; i < 2; i++)
    if (Ptr<HalfcloseTcpL4Protocol> m = model_of(n, i))
      m->Park();
}

extern "C" uint32_t ns3c_tcpnet_addr(const ns3c_tcpnet *n, int node) {
  (void)n;
  return 0x0a000001u + (uint32_t)(node ? 1 : 0);
}

extern "C" uint16_t ns3c_tcpnet_new_port(ns3c_tcpnet *n) {
  if (++n->next_port > 60000)
    n->next_port = 1000;
  return n->next_port;
}

extern "C" ns3c_link *ns3c_tcpnet_link(ns3c_tcpnet *n) {
  return n->link;
}

/* A new TCP socket on `node`, or null after ns3c_fail (a caller's mistake:
 * no network, a node that is not 0 or 1, no callbacks). */
static Ptr<Socket> new_socket(ns3c_tcpnet *n, int node,
                              const ns3c_tcp_callbacks *cb, ns3c_tcp **out) {
  if (!n || (node != 0 && node != 1) || !cb || !out) {
    ns3c_fail(NS3C_ERR_INVAL, "bad node or no callbacks");
    return nullptr;
  }
  return Socket::CreateSocket(n->link->node[node],
                              TcpSocketFactory::GetTypeId());
}

extern "C" int ns3c_tcp_listen(ns3c_tcpnet *n, int node, uint16_t port,
                               const ns3c_tcp_callbacks *cb, ns3c_tcp **out) {
  GUARD_BEGIN
  Ptr<Socket> s = new_socket(n, node, cb, out);
  if (!s)
    return NS3C_ERR_INVAL;
  if (s->Bind(InetSocketAddress(Ipv4Address::GetAny(), port)) != 0 ||
      s->Listen() != 0)
    return ns3c_fail(NS3C_ERR_INVAL,
                     "cannot listen on port " + std::to_string(port));
  ns3c_tcp *t = make_tcp(n, s, cb);
  s->SetAcceptCallback(MakeNullCallback<bool, Ptr<Socket>, const Address &>(),
                       MakeCallback(&ns3c_tcp::Accepted, t));
  *out = t;
  return NS3C_OK;
  GUARD_END
}

extern "C" int ns3c_tcp_connect(ns3c_tcpnet *n, int node, uint16_t port,
                                const ns3c_tcp_callbacks *cb, ns3c_tcp **out) {
  GUARD_BEGIN
  Ptr<Socket> s = new_socket(n, node, cb, out);
  if (!s)
    return NS3C_ERR_INVAL;
  ns3c_tcp *t = make_tcp(n, s, cb);
  Ipv4Address to(ns3c_tcpnet_addr(n, 1 - node));
  if (s->Bind() != 0 || s->Connect(InetSocketAddress(to, port)) != 0) {
    ns3c_tcp_free(t);
    return ns3c_fail(NS3C_ERR_INVAL, "cannot connect");
  }
  *out = t;
  return NS3C_OK;
  GUARD_END
}

extern "C" int64_t ns3c_tcp_send(ns3c_tcp *t, uint64_t len) {
  GUARD_BEGIN
  if (t->net->model) { /* the model takes what its buffer takes */
    int sent = t->sock->Send(
        Create<Packet>((uint32_t)(len < UINT32_MAX ? len : UINT32_MAX)), 0);
    if (sent >= 0)
      return sent;
    return t->sock->GetErrno() == Socket::ERROR_MSGSIZE
               ? 0
               : ns3c_fail(NS3C_ERR_INVAL, "the socket cannot send");
  }
  uint32_t room = t->sock->GetTxAvailable();
  uint32_t n = (uint32_t)(len < room ? len : room);
  if (n == 0)
    return 0;
  int sent = t->sock->Send(Create<Packet>(n), 0);
  if (sent < 0)
    return ns3c_fail(NS3C_ERR_INVAL, "the socket cannot send");
  return sent;
  GUARD_END
}

extern "C" uint64_t ns3c_tcp_recv(ns3c_tcp *t, uint64_t max) {
  try {
    Ptr<Packet> p =
        t->sock->Recv((uint32_t)(max < UINT32_MAX ? max : UINT32_MAX), 0);
    return p ? p->GetSize() : 0;
  } catch (...) {
    return 0;
  }
}

extern "C" int64_t ns3c_tcp_read(ns3c_tcp *t, uint64_t max, int64_t *model_rv) {
  try {
    Ptr<Packet> p =
        t->sock->Recv((uint32_t)(max < UINT32_MAX ? max : UINT32_MAX), 0);
    Ptr<HalfcloseTcpSocket> m = DynamicCast<HalfcloseTcpSocket>(t->sock);
    if (model_rv)
      *model_rv = m ? m->LastRecv() : 0;
    if (p)
      return p->GetSize(); /* 0: the end of the stream */
    Socket::SocketErrno e = t->sock->GetErrno();
    return e == Socket::ERROR_AGAIN || e == Socket::ERROR_NOTERROR
               ? NS3C_ERR_AGAIN
               : NS3C_ERR_CLOSED;
  } catch (...) {
    return ns3c_fail(NS3C_ERR_NS3, "ns-3: exception in Recv");
  }
}

extern "C" uint64_t ns3c_tcp_unread(const ns3c_tcp *t) {
  return t->sock->GetRxAvailable();
}

extern "C" int ns3c_tcp_shutdown(ns3c_tcp *t) {
  GUARD_BEGIN
  return t->sock->ShutdownSend() == 0
             ? NS3C_OK
             : ns3c_fail(NS3C_ERR_INVAL, "shutdown refused");
  GUARD_END
}

extern "C" int ns3c_tcp_close(ns3c_tcp *t) {
  GUARD_BEGIN
  return t->sock->Close() == 0 ? NS3C_OK
                               : ns3c_fail(NS3C_ERR_INVAL, "close refused");
  GUARD_END
}

extern "C" int ns3c_tcp_abort(ns3c_tcp *t) {
  GUARD_BEGIN
  if (!t->sock->SetAttributeFailSafe("AbortOnClose", BooleanValue(true)))
    return ns3c_fail(NS3C_ERR_INVAL, "this TCP has no abortive close");
  return t->sock->Close() == 0 ? NS3C_OK
                               : ns3c_fail(NS3C_ERR_INVAL, "close refused");
  GUARD_END
}

extern "C" void ns3c_tcp_free(ns3c_tcp *t) {
  if (!t)
    return;
  try {
    Ptr<Socket> s = t->sock;
    s->SetConnectCallback(MakeNullCallback<void, Ptr<Socket>>(),
                          MakeNullCallback<void, Ptr<Socket>>());
    s->SetRecvCallback(MakeNullCallback<void, Ptr<Socket>>());
    s->SetSendCallback(MakeNullCallback<void, Ptr<Socket>, uint32_t>());
    s->SetCloseCallbacks(MakeNullCallback<void, Ptr<Socket>>(),
                         MakeNullCallback<void, Ptr<Socket>>());
    s->SetAcceptCallback(
        MakeNullCallback<bool, Ptr<Socket>, const Address &>(),
        MakeNullCallback<void, Ptr<Socket>, const Address &>());
    if (t->traced)
      s->TraceDisconnectWithoutContext("State",
                                       MakeCallback(&ns3c_tcp::State, t));
  } catch (...) {
  }
  delete t;
}
