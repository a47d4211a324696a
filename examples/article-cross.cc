// article-cross.cc - the KB Q152474 conversation across two routers, with
// cross traffic on the bottleneck between them:
//
//   client --- R1 ==bottleneck== R2 --- server
//   cross senders -/              \- cross sinks
//
// The client sends a 300-byte request and shuts down its sending side; the
// server answers `response` bytes and closes; the client reads 1 KiB every
// 100 ms. Both run halfclose's model under `profile` (nt351 by default);
// the cross traffic is `crossFlows` BulkSend flows on ns-3's own TCP (or,
// with --crossProfile=NAME, on the model under that profile).
//
//   ./article-cross [--profile=nt351] [--crossFlows=4] [--crossProfile=]
//                   [--queueDisc=ns3::FqCoDelQueueDisc] [--response=20000]
//
// It prints, from the model's trace, the client's redundant ACK (a segment
// it sent after acknowledging the server's FIN), the server's RST, and what
// the client's application was told, then one line:
//   "client: N of M bytes read, error close" or "..., normal close".
#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/halfclose-module.h"
#include "ns3/internet-module.h"
#include "ns3/point-to-point-module.h"
#include "ns3/traffic-control-module.h"

using namespace ns3;

static Ptr<Socket> client;
static uint64_t response = 20000, readBytes = 0, left = 0;
static std::string told = "nothing";
static bool finAcked = false; // the client has acknowledged the server's FIN

// the client's model events: its ACK of the FIN, and anything sent after
static void client_event(const std::string &line) {
  if (line.find("seg-out") == std::string::npos)
    return;
  if (finAcked)
    std::cout << "client's redundant ACK, after its ACK of the FIN:\n  " << line
              << "\n";
  if (line.find("ack-fin") != std::string::npos) {
    finAcked = true;
    std::cout << "client ACKs the server's FIN:\n  " << line << "\n";
  }
}

static void server_event(const std::string &line) {
  if (line.find("seg-out") != std::string::npos &&
      line.find("[RST") != std::string::npos)
    std::cout << "server answers with a RST:\n  " << line << "\n";
}

static void client_read() {
  if (told == "error close" || readBytes == response)
    return;
  if (Ptr<Packet> p = client->Recv(1024, 0))
    readBytes += p->GetSize();
  Simulator::Schedule(MilliSeconds(100), &client_read);
}

static void server_send(Ptr<Socket> s, uint32_t) {
  while (left && s->GetTxAvailable()) {
    int r =
        s->Send(Create<Packet>(std::min<uint64_t>(left, s->GetTxAvailable())));
    if (r <= 0)
      return;
    left -= (uint64_t)r;
  }
  if (!left) {
    s->SetSendCallback(MakeNullCallback<void, Ptr<Socket>, uint32_t>());
    s->Close();
  }
}

static void drain(Ptr<Socket> s) {
  for (Ptr<Packet> p = s->Recv(); p && p->GetSize(); p = s->Recv()) {
  }
}

static void client_normal(Ptr<Socket>) {
  if (told == "nothing")
    told = "normal close";
}

static void client_error(Ptr<Socket>) {
  told = "error close";
}

static void server_request_done(Ptr<Socket> s) {
  drain(s);
  left = response;
  s->SetSendCallback(MakeCallback(&server_send));
  server_send(s, 0);
}

static void accepted(Ptr<Socket> s, const Address &) {
  s->SetRecvCallback(MakeCallback(&drain));
  s->SetCloseCallbacks(MakeCallback(&server_request_done),
                       MakeNullCallback<void, Ptr<Socket>>());
}

static void connected(Ptr<Socket> s) {
  s->Send(Create<Packet>(300));
  s->ShutdownSend(); // the half-close
  Simulator::ScheduleNow(&client_read);
}

int main(int argc, char **argv) {
  std::string profile = "nt351", crossProfile,
              queueDisc = "ns3::FqCoDelQueueDisc";
  uint32_t crossFlows = 4;
  CommandLine cmd;
  cmd.AddValue("profile", "the client's and the server's profile", profile);
  cmd.AddValue("crossFlows", "BulkSend flows across the bottleneck",
               crossFlows);
  cmd.AddValue("crossProfile", "their TCP: empty for ns-3's, else a profile",
               crossProfile);
  cmd.AddValue("queueDisc", "the bottleneck's queue disc", queueDisc);
  cmd.AddValue("response", "bytes the server answers", response);
  cmd.Parse(argc, argv);

  NodeContainer ends, routers, cross;
  ends.Create(2); // client, server
  routers.Create(2);
  cross.Create(2 * crossFlows); // senders, then sinks
  InternetStackHelper model, plain, crossStack;
  Config::SetDefault("ns3::HalfcloseTcpL4Protocol::Profile",
                     StringValue(profile));
  model.SetTcp("ns3::HalfcloseTcpL4Protocol");
  model.Install(ends);
  plain.Install(routers);
  if (!crossProfile.empty()) {
    Config::SetDefault("ns3::HalfcloseTcpL4Protocol::Profile",
                       StringValue(crossProfile));
    crossStack.SetTcp("ns3::HalfcloseTcpL4Protocol");
  }
  crossStack.Install(cross);

  PointToPointHelper access, neck;
  access.SetDeviceAttribute("DataRate", StringValue("100Mbps"));
  access.SetChannelAttribute("Delay", StringValue("1ms"));
  neck.SetDeviceAttribute("DataRate", StringValue("5Mbps"));
  neck.SetChannelAttribute("Delay", StringValue("18ms"));
  neck.SetQueue("ns3::DropTailQueue", "MaxSize", StringValue("1p"));
  NetDeviceContainer core = neck.Install(routers);
  TrafficControlHelper tch;
  tch.SetRootQueueDisc(queueDisc);
  QueueDiscContainer qd = tch.Install(core);
  Ipv4AddressHelper ip("10.0.0.0", "255.255.255.0");
  ip.Assign(core);
  ip.SetBase("10.1.0.0", "255.255.255.0");
  ip.Assign(access.Install(ends.Get(0), routers.Get(0)));
  ip.SetBase("10.2.0.0", "255.255.255.0");
  Ipv4Address server =
      ip.Assign(access.Install(ends.Get(1), routers.Get(1))).GetAddress(0);
  std::vector<Ipv4Address> sinks;
  for (uint32_t i = 0; i < crossFlows; i++) {
    std::ostringstream a, b;
    a << "10.3." << i << ".0";
    b << "10.4." << i << ".0";
    ip.SetBase(a.str().c_str(), "255.255.255.0");
    ip.Assign(access.Install(cross.Get(i), routers.Get(0)));
    ip.SetBase(b.str().c_str(), "255.255.255.0");
    sinks.push_back(
        ip.Assign(access.Install(cross.Get(crossFlows + i), routers.Get(1)))
            .GetAddress(0));
  }
  Ipv4GlobalRoutingHelper::PopulateRoutingTables();

  for (uint32_t i = 0; i < crossFlows; i++) {
    PacketSinkHelper sink("ns3::TcpSocketFactory",
                          InetSocketAddress(Ipv4Address::GetAny(), 5000));
    sink.Install(cross.Get(crossFlows + i));
    BulkSendHelper bulk("ns3::TcpSocketFactory",
                        InetSocketAddress(sinks[i], 5000));
    bulk.Install(cross.Get(i)).Start(MilliSeconds(100 * i));
  }

  // the article's conversation, a second into the cross traffic
  Ptr<Socket> lis =
      Socket::CreateSocket(ends.Get(1), TcpSocketFactory::GetTypeId());
  lis->Bind(InetSocketAddress(Ipv4Address::GetAny(), 40000));
  lis->Listen();
  lis->SetAcceptCallback(MakeNullCallback<bool, Ptr<Socket>, const Address &>(),
                         MakeCallback(&accepted));
  client = Socket::CreateSocket(ends.Get(0), TcpSocketFactory::GetTypeId());
  client->Bind();
  client->SetConnectCallback(MakeCallback(&connected),
                             MakeNullCallback<void, Ptr<Socket>>());
  client->SetCloseCallbacks(MakeCallback(&client_normal),
                            MakeCallback(&client_error));
  Simulator::Schedule(Seconds(1), [server] {
    client->Connect(InetSocketAddress(server, 40000));
  });
  std::ostringstream c, s;
  c << "/NodeList/" << ends.Get(0)->GetId()
    << "/$ns3::HalfcloseTcpL4Protocol/ModelEvent";
  s << "/NodeList/" << ends.Get(1)->GetId()
    << "/$ns3::HalfcloseTcpL4Protocol/ModelEvent";
  Config::ConnectWithoutContext(c.str(), MakeCallback(&client_event));
  Config::ConnectWithoutContext(s.str(), MakeCallback(&server_event));
  Simulator::Stop(Seconds(20));
  Simulator::Run();

  QueueDisc::Stats st = qd.Get(0)->GetStats();
  std::cout << "bottleneck (" << queueDisc << "): " << st.nTotalDroppedPackets
            << " of " << st.nTotalReceivedPackets << " packets dropped\n";
  std::cout << "client: " << readBytes << " of " << response << " bytes read, "
            << told << "\n";
  client = nullptr;
  Simulator::Destroy();
  return 0;
}
