/*
 * native.cc - the half-close conversation on ns-3's own TCP (TcpSocketBase
 * over ns-3's internet stack), for the `ns3-native` reference profile and
 * the side-by-side benchmark.
 *
 * Two nodes with the internet stack share a point-to-point link, built
 * once per simulation and reconfigured per conversation like ns3c_link.
 * The applications are the same as the model's conversation: the client
 * connects, writes the request, shuts down sending, reads at its pace; the
 * server reads to the peer's close, thinks, writes the response, closes.
 * The outcome is read off a sniffer on the client's device (TCP headers)
 * and the sockets' callbacks. After both applications are done the
 * simulation runs until every TCP timer has expired, so a conversation
 * leaves nothing behind for the next.
 *
 * ns-3's TCP deviates from RFC 9293 at half-close (see the README); this
 * file measures it as it is and does not correct it.
 */
#include "ns3c.h"

#include <ns3/core-module.h>
#include <ns3/internet-module.h>
#include <ns3/network-module.h>
#include <ns3/point-to-point-module.h>

#include <cstring>
#include <string>

using namespace ns3;

namespace {

struct Native {
  NodeContainer nodes;
  Ptr<PointToPointNetDevice> dev[2];
  Ptr<PointToPointChannel> chan;
  Ptr<RateErrorModel> em[2];
  Ptr<UniformRandomVariable> rv[2];
  Ipv4Address addr[2];
  uint16_t next_port = 1000;
};

struct Conv {
  const ns3c_native_params *p;
  ns3c_native_result *r;
  uint64_t t0;
  Ptr<Socket> listener, server, client;
  uint64_t req_sent = 0, srv_read = 0, resp_sent = 0, read = 0;
  bool srv_started = false, srv_closed = false, cli_done = false;
  bool peer_closed = false, have_fin = false, fin_acked = false;
  uint32_t fin_end = 0;
  EventId read_ev;
};

Native *native_env = nullptr;
Conv *cur = nullptr;

int64_t rel() {
  return (int64_t)((uint64_t)Simulator::Now().GetNanoSeconds() - cur->t0);
}

void ClientRead();
void ServerWrite(Ptr<Socket> s, uint32_t);

/* Both applications are done: the conversation is complete. */
void CheckDone() {
  Conv *c = cur;
  if (c->cli_done && c->srv_closed && !c->r->completed) {
    c->r->completed = 1;
    c->r->duration_ns = (uint64_t)rel();
  }
}

void ClientDone() {
  Conv *c = cur;
  if (c->cli_done)
    return;
  c->cli_done = true;
  c->read_ev.Cancel();
  c->client->Close();
  CheckDone();
}

void ClientRead() {
  Conv *c = cur;
  if (c->cli_done)
    return;
  for (;;) {
    Ptr<Packet> pk = c->client->Recv(c->p->read_size, 0);
    uint32_t n = pk ? pk->GetSize() : 0;
    c->read += n;
    if (n && c->p->read_interval_ns)
      break;
    if (!n) {
      if (c->peer_closed && c->client->GetRxAvailable() == 0)
        ClientDone();
      break;
    }
  }
  if (!c->cli_done && c->p->read_interval_ns)
    c->read_ev =
        Simulator::Schedule(NanoSeconds(c->p->read_interval_ns), &ClientRead);
}

void ClientRecv(Ptr<Socket>) {
  if (!cur->p->read_interval_ns)
    ClientRead();
}

void ClientShutdown(Ptr<Socket> s) {
  s->ShutdownSend();
}

void ClientConnected(Ptr<Socket> s) {
  Conv *c = cur;
  uint32_t n = (uint32_t)c->p->request;
  c->req_sent = (uint64_t)s->Send(Create<Packet>(n), 0);
  if (c->p->half_close)
    Simulator::Schedule(NanoSeconds(c->p->shutdown_delay_ns), &ClientShutdown,
                        s);
  c->read_ev =
      Simulator::Schedule(NanoSeconds(c->p->read_delay_ns), &ClientRead);
}

void ClientFailed(Ptr<Socket>) {
  cur->r->app_reset = 1;
  cur->cli_done = true;
}

void ClientNormalClose(Ptr<Socket>) {
  cur->peer_closed = true;
  if (!cur->p->read_interval_ns)
    ClientRead();
}

void ClientErrorClose(Ptr<Socket>) {
  Conv *c = cur;
  c->r->conn_reset = 1;
  c->r->reset_after_close = c->cli_done;
  c->r->t_conn_reset = rel();
  if (c->read < c->p->response && !c->cli_done) {
    c->r->app_reset = 1;
    c->r->t_app_reset = rel();
    c->r->bytes_lost = c->p->response - c->read;
  }
  c->cli_done = true;
  c->read_ev.Cancel();
  CheckDone();
}

void ServerClose() {
  Conv *c = cur;
  if (c->srv_closed)
    return;
  c->srv_closed = true;
  if (c->server)
    c->server->Close();
  CheckDone();
}

void ServerWrite(Ptr<Socket> s, uint32_t) {
  Conv *c = cur;
  if (!c->srv_started || c->srv_closed)
    return;
  while (c->resp_sent < c->p->response) {
    uint32_t room = s->GetTxAvailable();
    uint64_t left = c->p->response - c->resp_sent;
    uint32_t n = (uint32_t)(left < room ? left : room);
    if (!n)
      return;
    int sent = s->Send(Create<Packet>(n), 0);
    if (sent <= 0)
      return;
    c->resp_sent += (uint64_t)sent;
  }
  Simulator::Schedule(NanoSeconds(c->p->close_delay_ns), &ServerClose);
  c->srv_started = false; /* written: nothing more to do */
}

void ServerErrorClose(Ptr<Socket>) {
  ServerClose();
}

void ServerStart() {
  cur->srv_started = true;
  ServerWrite(cur->server, 0);
}

void ServerRecv(Ptr<Socket> s) {
  Conv *c = cur;
  Ptr<Packet> pk;
  while ((pk = s->Recv()) && pk->GetSize())
    c->srv_read += pk->GetSize();
  if (!c->p->wait_eof && c->srv_read >= c->p->request && !c->resp_sent &&
      !c->srv_started)
    Simulator::Schedule(NanoSeconds(c->p->think_ns), &ServerStart);
}

void ServerPeerClose(Ptr<Socket> s) {
  ServerRecv(s);
  if (!cur->resp_sent && !cur->srv_started)
    Simulator::Schedule(NanoSeconds(cur->p->think_ns), &ServerStart);
}

void ServerAccept(Ptr<Socket> s, const Address &) {
  Conv *c = cur;
  if (c->server)
    return;
  c->server = s;
  s->SetRecvCallback(MakeCallback(&ServerRecv));
  s->SetSendCallback(MakeCallback(&ServerWrite));
  s->SetCloseCallbacks(MakeCallback(&ServerPeerClose),
                       MakeCallback(&ServerErrorClose));
}

/* The client's device: what it sends and receives. The headers are read
 * from the bytes (after the 2-byte PPP header): ns-3's own TcpHeader
 * deserializer aborts the process on some segments it sees here. */
void Sniff(Ptr<const Packet> p) {
  Conv *c = cur;
  if (!c)
    return;
  uint8_t b[96];
  uint32_t n = p->CopyData(b, sizeof b);
  if (n < 2 + 20 + 20)
    return;
  const uint8_t *ip = b + 2;
  uint32_t ihl = (uint32_t)(ip[0] & 15) * 4;
  uint32_t total = (uint32_t)(ip[2] << 8 | ip[3]);
  if ((ip[0] >> 4) != 4 || ip[9] != 6 || 2 + ihl + 20 > n)
    return;
  const uint8_t *t = ip + ihl;
  uint32_t thl = (uint32_t)(t[12] >> 4) * 4;
  if (thl < 20 || ihl + thl > total)
    return;
  auto get32 = [](const uint8_t *q) {
    return (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 |
           q[3];
  };
  uint32_t src = get32(ip + 12), seq = get32(t + 4), ack = get32(t + 8);
  uint8_t f = t[13];
  uint32_t len = total - ihl - thl;
  bool from_server = src == native_env->addr[1].Get();
  int64_t now = rel();
  c->r->segments[from_server ? 1 : 0]++;
  if (from_server) {
    if ((f & 0x01) && !c->have_fin) { /* FIN */
      c->have_fin = true;
      c->fin_end = seq + len + 1;
    }
    if ((f & 0x04) && !c->r->server_rst) { /* RST */
      c->r->server_rst = 1;
      c->r->t_server_rst = now;
    }
    return;
  }
  if (!(f & 0x10) || !c->have_fin || ack != c->fin_end)
    return;
  if (!c->fin_acked) {
    c->fin_acked = true;
  } else if (!c->r->redundant_ack) {
    c->r->redundant_ack = 1;
    c->r->t_redundant_ack = now;
  }
}

void Configure(const ns3c_native_params *p) {
  Native *e = native_env;
  for (int i = 0; i < 2; i++) {
    e->dev[i]->SetDataRate(DataRate(p->rate_bps));
    e->dev[i]->GetQueue()->SetMaxSize(
        QueueSize(QueueSizeUnit::PACKETS, p->queue));
    e->em[i]->SetRate(p->loss);
    e->rv[i]->SetStream((int64_t)(p->stream + (uint64_t)i));
    if (p->loss > 0)
      e->em[i]->Enable();
    else
      e->em[i]->Disable();
  }
  e->chan->SetAttribute("Delay", TimeValue(NanoSeconds(p->delay_ns)));
  Config::SetDefault("ns3::TcpSocket::SegmentSize", UintegerValue(p->mtu - 40));
  Config::SetDefault("ns3::TcpSocket::DelAckTimeout",
                     TimeValue(NanoSeconds(p->delack_ns)));
  Config::SetDefault("ns3::TcpSocket::DelAckCount",
                     UintegerValue(p->ack_every));
  Config::SetDefault("ns3::TcpSocketBase::MaxSegLifetime",
                     DoubleValue((double)p->msl_ns / 1e9));
}

void Build() {
  Native *e = new Native();
  e->nodes.Create(2);
  PointToPointHelper p2p;
  NetDeviceContainer devs = p2p.Install(e->nodes);
  InternetStackHelper stack;
  stack.Install(e->nodes);
  Ipv4AddressHelper ips;
  ips.SetBase("10.0.0.0", "255.255.255.0");
  Ipv4InterfaceContainer ifs = ips.Assign(devs);
  for (int i = 0; i < 2; i++) {
    e->dev[i] = DynamicCast<PointToPointNetDevice>(devs.Get(i));
    e->addr[i] = ifs.GetAddress(i);
    e->rv[i] = CreateObject<UniformRandomVariable>();
    e->em[i] = CreateObject<RateErrorModel>();
    e->em[i]->SetUnit(RateErrorModel::ERROR_UNIT_PACKET);
    e->em[i]->SetRandomVariable(e->rv[i]);
    e->dev[i]->SetReceiveErrorModel(e->em[i]);
  }
  e->chan = DynamicCast<PointToPointChannel>(e->dev[0]->GetChannel());
  /* built outside Simulator::Run: initialize now (the traffic control
   * layer learns its devices here), not at the next run */
  for (int i = 0; i < 2; i++)
    e->nodes.Get(i)->Initialize();
  e->dev[0]->TraceConnectWithoutContext("PromiscSniffer", MakeCallback(&Sniff));
  native_env = e;
}

} // namespace

extern "C" int ns3c_native_run(ns3c_sim *s, const ns3c_native_params *p,
                               ns3c_native_result *r) {
  if (!s || !p || !r || p->rate_bps == 0 || p->queue == 0 || p->mtu < 576 ||
      p->read_size == 0 || !(p->loss >= 0 && p->loss < 1))
    return NS3C_ERR_INVAL;
  try {
    if (!native_env)
      Build();
    Configure(p);
    memset(r, 0, sizeof *r);
    r->t_server_rst = r->t_conn_reset = r->t_app_reset = r->t_redundant_ack =
        -1;
    Conv c;
    c.p = p;
    c.r = r;
    c.t0 = (uint64_t)Simulator::Now().GetNanoSeconds();
    cur = &c;
    Native *e = native_env;
    uint16_t port = e->next_port++;
    if (e->next_port > 60000)
      e->next_port = 1000;
    TypeId tcp = TcpSocketFactory::GetTypeId();
    c.listener = Socket::CreateSocket(e->nodes.Get(1), tcp);
    c.listener->Bind(InetSocketAddress(Ipv4Address::GetAny(), port));
    c.listener->Listen();
    c.listener->SetAcceptCallback(
        MakeNullCallback<bool, Ptr<Socket>, const Address &>(),
        MakeCallback(&ServerAccept));
    c.client = Socket::CreateSocket(e->nodes.Get(0), tcp);
    c.client->Bind();
    c.client->SetConnectCallback(MakeCallback(&ClientConnected),
                                 MakeCallback(&ClientFailed));
    c.client->SetRecvCallback(MakeCallback(&ClientRecv));
    c.client->SetCloseCallbacks(MakeCallback(&ClientNormalClose),
                                MakeCallback(&ClientErrorClose));
    c.client->Connect(InetSocketAddress(e->addr[1], port));
    /* run to the limit: after both sides are done only TCP's own timers
     * (TIME-WAIT) are left, and the limit event ends the run */
    EventId limit =
        Simulator::Schedule(NanoSeconds(p->time_limit_ns), &Simulator::Stop);
    Simulator::Run();
    if (!r->completed)
      r->duration_ns = (uint64_t)rel();
    Simulator::Remove(limit);
    r->bytes_read = c.read;
    c.read_ev.Cancel();
    c.listener->Close();
    if (!r->completed) { /* stuck at the limit: end it */
      c.client->Close();
      if (c.server)
        c.server->Close();
    }
    cur = nullptr;
    Simulator::Run(); /* drain whatever is left */
    return NS3C_OK;
  } catch (...) {
    cur = nullptr;
    return NS3C_ERR_NS3;
  }
}

void ns3c_native_forget(void) {
  delete native_env;
  native_env = nullptr;
}
