/*
 * plugin_ns3.cc - the plug-in's benchmark: one ns-3 program, the article's
 * conversations back to back on a one-router dumbbell (client - router -
 * server, 100 Mb/s and 1 ms to the router, 10 Mb/s and 19 ms from it),
 * with the end hosts' TCP chosen by one line: ns-3's own (TcpSocketBase)
 * or halfclose's model under a profile (InternetStackHelper::SetTcp). The
 * router runs ns-3's stack either way.
 *
 * A conversation: the client connects, writes 300 B, shuts down sending,
 * reads as data arrives and closes at the end of the stream (or an error);
 * the server reads to the peer's close, writes 20 000 B and closes. The
 * next starts when the client has closed. One listener serves the whole
 * run. TIME-WAIT is 1 s on both stacks (ns-3's MaxSegLifetime, the model's
 * msl knob) so that it does not pile up; MSS 1460, no timestamps.
 *
 *   plugin_ns3 TCP N     TCP: ns3, or a profile (nt351, linux, ...)
 *
 * Prints one line: the stack, conversations, completed, failed (a reset
 * or a failed connect), packets the end hosts' devices sent, CPU seconds,
 * conversations per CPU second, peak RSS.
 */
#include <ns3/core-module.h>
#include <ns3/halfclose-module.h>
#include <ns3/internet-module.h>
#include <ns3/network-module.h>
#include <ns3/point-to-point-module.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/resource.h>

using namespace ns3;

namespace {

const uint32_t kRequest = 300, kResponse = 20000;

long left, completed, failed;
uint64_t packets;
Ptr<Node> clientNode;
Ipv4Address serverAddr;

void Next();

/* One conversation's two sockets: each side lets go of its socket when it
 * has closed; the stack keeps it until its connection ends. */
struct Conv {
  Ptr<Socket> c, s;
  uint32_t got = 0, sent = 0;
  bool responding = false, clientDone = false, serverDone = false;
  bool peerClosed = false;

  void Drop() {
    if (clientDone && serverDone)
      Simulator::ScheduleNow([this] { delete this; });
  }
  static void Quiet(Ptr<Socket> x) {
    x->SetRecvCallback(MakeNullCallback<void, Ptr<Socket>>());
    x->SetSendCallback(MakeNullCallback<void, Ptr<Socket>, uint32_t>());
    x->SetCloseCallbacks(MakeNullCallback<void, Ptr<Socket>>(),
                         MakeNullCallback<void, Ptr<Socket>>());
    x->SetConnectCallback(MakeNullCallback<void, Ptr<Socket>>(),
                          MakeNullCallback<void, Ptr<Socket>>());
  }
  void ClientEnd(bool ok) {
    if (clientDone)
      return;
    clientDone = true;
    completed += ok;
    failed += !ok;
    c->Close();
    Quiet(c);
    c = nullptr;
    Drop();
    Simulator::ScheduleNow(&Next);
  }
  void ServerEnd() {
    if (serverDone)
      return;
    serverDone = true;
    s->Close();
    Quiet(s);
    s = nullptr;
    Drop();
  }
  void Connected(Ptr<Socket> x) {
    x->Send(Create<Packet>(kRequest), 0);
    x->ShutdownSend();
  }
  void ClientRead(Ptr<Socket> x) {
    for (Ptr<Packet> p = x->Recv(); p; p = x->Recv()) {
      if (!p->GetSize())
        return ClientEnd(got == kResponse); /* the end of the stream */
      got += p->GetSize();
    }
    /* ns-3's TCP gives the empty packet only in CLOSE-WAIT: a client that
     * half-closed learns the end from the normal close */
    if (peerClosed && x->GetRxAvailable() == 0)
      ClientEnd(got == kResponse);
  }
  void PeerClosed(Ptr<Socket> x) {
    peerClosed = true;
    ClientRead(x);
  }
  void ClientFailed(Ptr<Socket>) {
    ClientEnd(false);
  }
  void ServerRead(Ptr<Socket> x) {
    for (Ptr<Packet> p = x->Recv(); p && p->GetSize(); p = x->Recv()) {
    }
  }
  void ServerWrite(Ptr<Socket> x, uint32_t) {
    while (responding && sent < kResponse) {
      int n = x->Send(Create<Packet>(kResponse - sent), 0);
      if (n <= 0)
        return;
      sent += (uint32_t)n;
    }
    if (responding && sent == kResponse) {
      responding = false;
      ServerEnd();
    }
  }
  void RequestDone(Ptr<Socket> x) {
    ServerRead(x);
    responding = true;
    ServerWrite(x, 0);
  }
  void ServerFailed(Ptr<Socket>) {
    ServerEnd();
  }
};

Conv *waiting; /* the conversation whose server socket is next accepted */

void Accept(Ptr<Socket> x, const Address &) {
  Conv *v = waiting;
  v->s = x;
  x->SetRecvCallback(MakeCallback(&Conv::ServerRead, v));
  x->SetSendCallback(MakeCallback(&Conv::ServerWrite, v));
  x->SetCloseCallbacks(MakeCallback(&Conv::RequestDone, v),
                       MakeCallback(&Conv::ServerFailed, v));
}

void Next() {
  if (left-- <= 0)
    return;
  Conv *v = waiting = new Conv();
  v->c = Socket::CreateSocket(clientNode, TcpSocketFactory::GetTypeId());
  v->c->Bind();
  v->c->SetConnectCallback(MakeCallback(&Conv::Connected, v),
                           MakeCallback(&Conv::ClientFailed, v));
  v->c->SetRecvCallback(MakeCallback(&Conv::ClientRead, v));
  v->c->SetCloseCallbacks(MakeCallback(&Conv::PeerClosed, v),
                          MakeCallback(&Conv::ClientFailed, v));
  v->c->Connect(InetSocketAddress(serverAddr, 80));
}

void Count(Ptr<const Packet>) {
  packets++;
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 3 || atol(argv[2]) <= 0) {
    fprintf(stderr, "usage: plugin_ns3 ns3|PROFILE N\n");
    return 2;
  }
  std::string tcp = argv[1];
  long n = atol(argv[2]);
  Config::SetDefault("ns3::TcpSocketBase::MaxSegLifetime", DoubleValue(0.5));
  Config::SetDefault("ns3::TcpSocket::SegmentSize", UintegerValue(1460));
  Config::SetDefault("ns3::TcpSocketBase::Timestamp", BooleanValue(false));
  Config::SetDefault("ns3::HalfcloseTcpL4Protocol::Profile", StringValue(tcp));
  Config::SetDefault("ns3::HalfcloseTcpL4Protocol::Msl", StringValue("500ms"));

  NodeContainer n3;
  n3.Create(3); /* client, router, server */
  InternetStackHelper hosts, router;
  if (tcp != "ns3")
    hosts.SetTcp("ns3::HalfcloseTcpL4Protocol"); /* the one line */
  hosts.Install(n3.Get(0));
  hosts.Install(n3.Get(2));
  router.Install(n3.Get(1));
  PointToPointHelper access, neck;
  access.SetDeviceAttribute("DataRate", StringValue("100Mbps"));
  access.SetChannelAttribute("Delay", StringValue("1ms"));
  neck.SetDeviceAttribute("DataRate", StringValue("10Mbps"));
  neck.SetChannelAttribute("Delay", StringValue("19ms"));
  NetDeviceContainer a = access.Install(n3.Get(0), n3.Get(1));
  NetDeviceContainer b = neck.Install(n3.Get(1), n3.Get(2));
  Ipv4AddressHelper ip("10.1.1.0", "255.255.255.0");
  ip.Assign(a);
  ip.SetBase("10.1.2.0", "255.255.255.0");
  serverAddr = ip.Assign(b).GetAddress(1);
  Ipv4GlobalRoutingHelper::PopulateRoutingTables();
  a.Get(0)->TraceConnectWithoutContext("MacTx", MakeCallback(&Count));
  b.Get(1)->TraceConnectWithoutContext("MacTx", MakeCallback(&Count));

  Ptr<Socket> lis = Socket::CreateSocket(n3.Get(2), TcpSocketFactory::GetTypeId());
  lis->Bind(InetSocketAddress(Ipv4Address::GetAny(), 80));
  lis->Listen();
  lis->SetAcceptCallback(MakeNullCallback<bool, Ptr<Socket>, const Address &>(),
                         MakeCallback(&Accept));
  clientNode = n3.Get(0);
  left = n;
  Simulator::ScheduleNow(&Next); /* ns-3's TCP sends only once nodes run */
  Simulator::Run();
  lis = nullptr;
  Simulator::Destroy();

  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
               (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
  printf("tcp %s conversations %ld completed %ld failed %ld packets %llu "
         "cpu_s %.3f conv_per_cpu_s %.0f maxrss_kib %ld\n",
         tcp.c_str(), n, completed, failed, (unsigned long long)packets, cpu,
         (double)n / cpu, ru.ru_maxrss);
  return completed + failed == n ? 0 : 1;
}
