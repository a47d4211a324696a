/*
 * plain_ns3.cc - the plainest honest ns-3 program for the article's
 * conversations, as a peer would write it to compare against halfclose:
 * ns-3's own TCP (TcpSocketBase), two nodes on a point-to-point link
 * (10 Mb/s, 20 ms), MSS 1460 without timestamps (the model's segments),
 * one listener kept for the whole run, MSL 1 s so
 * TIME-WAIT does not pile up, no sniffer, no per-conversation events of its
 * own. Conversations run one after another: the client connects, writes
 * 300 B, shuts down sending, reads as data arrives and closes at end of
 * stream; the server reads to the peer's close, writes 20 000 B and
 * closes. The next conversation starts when the client has closed.
 *
 *   plain_ns3 [N]   (default 20000)
 *
 * Prints one line: conversations, completed, packets, CPU seconds.
 */
#include <ns3/core-module.h>
#include <ns3/internet-module.h>
#include <ns3/network-module.h>
#include <ns3/point-to-point-module.h>

#include <cstdio>
#include <cstdlib>
#include <sys/resource.h>

using namespace ns3;

namespace {

const uint32_t kRequest = 300, kResponse = 20000;

struct Run {
  Ptr<Node> client_node;
  Ipv4Address server_addr;
  long left = 0, completed = 0;
  uint64_t packets = 0;
};

Run run;

template <typename Side> void Release(Side *side);

struct Server {
  Ptr<Socket> s;
  uint32_t sent = 0;
  bool responding = false;

  void Write(Ptr<Socket>, uint32_t) {
    while (responding && sent < kResponse) {
      uint32_t room = s->GetTxAvailable();
      uint32_t n = kResponse - sent < room ? kResponse - sent : room;
      if (!n || s->Send(Create<Packet>(n), 0) <= 0)
        return;
      sent += n;
    }
    if (responding && sent == kResponse) {
      responding = false;
      s->Close();
      Release(this);
    }
  }
  void Read(Ptr<Socket> sock) {
    while (Ptr<Packet> p = sock->Recv())
      if (!p->GetSize())
        break;
  }
  void PeerClosed(Ptr<Socket> sock) {
    Read(sock);
    responding = true;
    Write(sock, 0);
  }
  void Failed(Ptr<Socket>) {
  }
};

void StartConversation();
template <typename Side> void Release(Side *side);

struct Client {
  Ptr<Socket> s;
  uint32_t read = 0;
  bool peer_closed = false, done = false;

  void Connected(Ptr<Socket> sock) {
    sock->Send(Create<Packet>(kRequest), 0);
    sock->ShutdownSend();
  }
  void ConnectFailed(Ptr<Socket>) {
    Finish(false);
  }
  void Read(Ptr<Socket> sock) {
    while (Ptr<Packet> p = sock->Recv()) {
      if (!p->GetSize())
        break;
      read += p->GetSize();
    }
    if (peer_closed && sock->GetRxAvailable() == 0)
      Finish(read == kResponse);
  }
  void PeerClosed(Ptr<Socket> sock) {
    peer_closed = true;
    Read(sock);
  }
  void Failed(Ptr<Socket>) {
    Finish(false);
  }
  void Finish(bool ok);
};

/* Let go of a finished side: its socket keeps running its timers inside
 * ns-3 and goes when they end; nothing calls back into the side. */
template <typename Side> void Release(Side *side) {
  side->s->SetRecvCallback(MakeNullCallback<void, Ptr<Socket>>());
  side->s->SetSendCallback(MakeNullCallback<void, Ptr<Socket>, uint32_t>());
  side->s->SetCloseCallbacks(MakeNullCallback<void, Ptr<Socket>>(),
                             MakeNullCallback<void, Ptr<Socket>>());
  Simulator::ScheduleNow([side] { delete side; });
}

void Client::Finish(bool ok) {
  if (done)
    return;
  done = true;
  run.completed += ok;
  s->Close();
  Release(this);
  Simulator::ScheduleNow(&StartConversation);
}

void Accept(Ptr<Socket> s, const Address &) {
  Server *srv = new Server(); /* one per conversation, released when it
                                 has closed */
  srv->s = s;
  s->SetRecvCallback(MakeCallback(&Server::Read, srv));
  s->SetSendCallback(MakeCallback(&Server::Write, srv));
  s->SetCloseCallbacks(MakeCallback(&Server::PeerClosed, srv),
                       MakeCallback(&Server::Failed, srv));
}

void StartConversation() {
  if (run.left-- <= 0)
    return;
  Client *c = new Client();
  c->s = Socket::CreateSocket(run.client_node, TcpSocketFactory::GetTypeId());
  c->s->Bind();
  c->s->SetConnectCallback(MakeCallback(&Client::Connected, c),
                           MakeCallback(&Client::ConnectFailed, c));
  c->s->SetRecvCallback(MakeCallback(&Client::Read, c));
  c->s->SetCloseCallbacks(MakeCallback(&Client::PeerClosed, c),
                          MakeCallback(&Client::Failed, c));
  c->s->Connect(InetSocketAddress(run.server_addr, 80));
}

void CountPacket(Ptr<const Packet>) {
  run.packets++;
}

} // namespace

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 20000;
  if (n <= 0) {
    fprintf(stderr, "usage: plain_ns3 [N]\n");
    return 2;
  }
  Config::SetDefault("ns3::TcpSocketBase::MaxSegLifetime", DoubleValue(1.0));
  /* the same segments as the model's: MSS 1460 on a 1500-byte MTU, which
   * needs the timestamp option off (on, a full segment is fragmented) */
  Config::SetDefault("ns3::TcpSocket::SegmentSize", UintegerValue(1460));
  Config::SetDefault("ns3::TcpSocketBase::Timestamp", BooleanValue(false));
  NodeContainer nodes;
  nodes.Create(2);
  PointToPointHelper p2p;
  p2p.SetDeviceAttribute("DataRate", StringValue("10Mbps"));
  p2p.SetChannelAttribute("Delay", StringValue("20ms"));
  NetDeviceContainer devs = p2p.Install(nodes);
  InternetStackHelper stack;
  stack.Install(nodes);
  Ipv4AddressHelper ips;
  ips.SetBase("10.0.0.0", "255.255.255.0");
  Ipv4InterfaceContainer ifs = ips.Assign(devs);
  /* counting what the devices send is not a sniffer: a trace that does
   * nothing but count, for packets per conversation */
  for (int i = 0; i < 2; i++)
    devs.Get(i)->TraceConnectWithoutContext("MacTx",
                                            MakeCallback(&CountPacket));
  Ptr<Socket> listener =
      Socket::CreateSocket(nodes.Get(1), TcpSocketFactory::GetTypeId());
  listener->Bind(InetSocketAddress(Ipv4Address::GetAny(), 80));
  listener->Listen();
  listener->SetAcceptCallback(
      MakeNullCallback<bool, Ptr<Socket>, const Address &>(),
      MakeCallback(&Accept));
  run.client_node = nodes.Get(0);
  run.server_addr = ifs.GetAddress(1);
  run.left = n;
  Simulator::ScheduleNow(&StartConversation);
  Simulator::Run();
  Simulator::Destroy();
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
               (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
  printf("conversations %ld completed %ld packets %llu cpu_s %.3f "
         "maxrss_kib %ld\n",
         n, run.completed, (unsigned long long)run.packets, cpu, ru.ru_maxrss);
  return run.completed == n ? 0 : 1;
}
