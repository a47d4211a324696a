/*
 * test_plugin.cc - the model as ns-3's TCP, driven only through ns-3's own
 * API (InternetStackHelper::SetTcp, TcpSocketFactory, BulkSend, PacketSink,
 * sockets and their callbacks):
 *   - BulkSend to PacketSink across a router, the model at both ends, for
 *     each built-in profile: every byte arrives;
 *   - interop: ns-3's own TCP at one end and the model (each profile) at
 *     the other, in both directions: every byte arrives;
 *   - the article's conversation (a half-closing client reading 1 KiB every
 *     100 ms a 20 000-byte response over 20 ms): under nt351 the server
 *     answers a redundant ACK with a RST and the client's application gets
 *     an error close (the KB symptom); under nt351-sp (the control) there
 *     is no RST and the close is normal, every byte read.
 *   - the attributes: nt351 with the fix's one knob (FinAckFinal, as a
 *     default, and as Config::Set on a node's path) and a FILE:NAME
 *     profile of a scenario file behave as nt351-sp; FinAckFinal=false
 *     (the negative control) as nt351;
 *   - the trace sources: State, each socket's State and ModelEvent tell the
 *     client's FIN-WAIT-2 -> TIME-WAIT -> CLOSED and the delayed ACK after
 *     the FIN's ACK.
 * Prints "N passed, N failed".
 */
#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/halfclose-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

using namespace ns3;

static int passed, failed;
#define CHECK(c, ...)                                                          \
  do {                                                                         \
    if (c) {                                                                   \
      passed++;                                                                \
    } else {                                                                   \
      failed++;                                                                \
      std::printf("FAIL %s:%d: ", __FILE__, __LINE__);                         \
      std::printf(__VA_ARGS__);                                                \
      std::printf("\n");                                                       \
    }                                                                          \
  } while (0)

/* Three nodes in a line, client - router - server; each end's TCP is
 * ns-3's ("") or the model's with the profile named. */
struct Net {
  NodeContainer n;
  Ipv4Address server;
};

static void install(Ptr<Node> node, const std::string &profile) {
  InternetStackHelper stack;
  if (!profile.empty()) {
    Config::SetDefault("ns3::HalfcloseTcpL4Protocol::Profile",
                       StringValue(profile));
    stack.SetTcp("ns3::HalfcloseTcpL4Protocol");
  }
  stack.Install(node);
}

static Net line(const std::string &client, const std::string &server,
                const std::string &rate, const std::string &delay) {
  Net net;
  net.n.Create(3);
  install(net.n.Get(0), client);
  install(net.n.Get(1), "");
  install(net.n.Get(2), server);
  PointToPointHelper p2p;
  p2p.SetDeviceAttribute("DataRate", StringValue(rate));
  p2p.SetChannelAttribute("Delay", StringValue(delay));
  NetDeviceContainer a = p2p.Install(net.n.Get(0), net.n.Get(1));
  NetDeviceContainer b = p2p.Install(net.n.Get(1), net.n.Get(2));
  Ipv4AddressHelper ip;
  ip.SetBase("10.1.1.0", "255.255.255.0");
  ip.Assign(a);
  ip.SetBase("10.1.2.0", "255.255.255.0");
  net.server = ip.Assign(b).GetAddress(1);
  Ipv4GlobalRoutingHelper::PopulateRoutingTables();
  return net;
}

static uint64_t bulk(const std::string &client, const std::string &server,
                     uint64_t bytes) {
  Net net = line(client, server, "10Mbps", "5ms");
  PacketSinkHelper sink("ns3::TcpSocketFactory",
                        InetSocketAddress(Ipv4Address::GetAny(), 9000));
  ApplicationContainer s = sink.Install(net.n.Get(2));
  BulkSendHelper src("ns3::TcpSocketFactory",
                     InetSocketAddress(net.server, 9000));
  src.SetAttribute("MaxBytes", UintegerValue(bytes));
  src.Install(net.n.Get(0));
  Simulator::Stop(Seconds(60));
  Simulator::Run();
  uint64_t got = DynamicCast<PacketSink>(s.Get(0))->GetTotalRx();
  Simulator::Destroy();
  return got;
}

/* ---- the article's conversation, over sockets ---- */

struct Article {
  Ptr<Socket> client, server;
  uint64_t read = 0, rsts = 0;
  bool error_close = false, normal_close = false, sent = false;
};
static Article art;
static std::function<void()> before_sockets; /* attributes to set */
static std::vector<std::string> events;      /* the client's ModelEvent */
static std::vector<std::pair<int, int>> states, sock_states;

static void on_event(const std::string &line) {
  events.push_back(line);
}
static void on_state(uint64_t, TcpSocket::TcpStates_t from,
                     TcpSocket::TcpStates_t to) {
  states.emplace_back(from, to);
}
static void on_sock_state(TcpSocket::TcpStates_t from,
                          TcpSocket::TcpStates_t to) {
  sock_states.emplace_back(from, to);
}

static void count_rst(Ptr<const Packet> p, Ipv4Address, Ipv4Address) {
  uint8_t h[14];
  if (p->GetSize() >= 14 && p->CopyData(h, 14) == 14 && (h[13] & 0x04))
    art.rsts++; /* a RST the client received */
}

static void client_read() {
  if (art.error_close || !art.client)
    return;
  Ptr<Packet> p = art.client->Recv(1024, 0);
  if (p)
    art.read += p->GetSize();
  Simulator::Schedule(MilliSeconds(100), &client_read);
}

static void server_readable(Ptr<Socket> s) {
  for (Ptr<Packet> p = s->Recv(); p && p->GetSize(); p = s->Recv()) {
  }
  (void)s;
}

/* the response, as the send buffer takes it, then close */
static uint32_t left;
static void server_send(Ptr<Socket> s, uint32_t) {
  while (left && s->GetTxAvailable()) {
    uint32_t n = std::min(left, s->GetTxAvailable());
    int r = s->Send(Create<Packet>(n));
    if (r <= 0)
      return;
    left -= (uint32_t)r;
  }
  if (!left && !art.sent) {
    art.sent = true;
    s->Close();
  }
}

static void server_peer_closed(Ptr<Socket> s) {
  /* the request's end of stream: the response, then close */
  left = 20000;
  s->SetSendCallback(MakeCallback(&server_send));
  server_send(s, 0);
}

static void accepted(Ptr<Socket> s, const Address &) {
  art.server = s;
  s->SetRecvCallback(MakeCallback(&server_readable));
  s->SetCloseCallbacks(MakeCallback(&server_peer_closed),
                       MakeNullCallback<void, Ptr<Socket>>());
}

static void connected(Ptr<Socket> s) {
  s->Send(Create<Packet>(300));
  s->ShutdownSend(); /* the half-close */
  Simulator::ScheduleNow(&client_read);
}

static void client_normal(Ptr<Socket>) {
  art.normal_close = true;
}
static void client_error(Ptr<Socket>) {
  art.error_close = true;
}

static void article(const std::string &profile) {
  art = Article();
  events.clear();
  states.clear();
  sock_states.clear();
  Net net = line(profile, profile, "10Mbps", "10ms");
  if (before_sockets)
    before_sockets();
  Ptr<Socket> lis =
      Socket::CreateSocket(net.n.Get(2), TcpSocketFactory::GetTypeId());
  lis->Bind(InetSocketAddress(Ipv4Address::GetAny(), 40000));
  lis->Listen();
  lis->SetAcceptCallback(MakeNullCallback<bool, Ptr<Socket>, const Address &>(),
                         MakeCallback(&accepted));
  art.client =
      Socket::CreateSocket(net.n.Get(0), TcpSocketFactory::GetTypeId());
  art.client->Bind();
  art.client->SetConnectCallback(MakeCallback(&connected),
                                 MakeNullCallback<void, Ptr<Socket>>());
  art.client->SetCloseCallbacks(MakeCallback(&client_normal),
                                MakeCallback(&client_error));
  art.client->Connect(InetSocketAddress(net.server, 40000));
  Config::ConnectWithoutContext("/NodeList/0/$ns3::HalfcloseTcpL4Protocol/Rx",
                                MakeCallback(&count_rst));
  Config::ConnectWithoutContext(
      "/NodeList/0/$ns3::HalfcloseTcpL4Protocol/ModelEvent",
      MakeCallback(&on_event));
  Config::ConnectWithoutContext(
      "/NodeList/0/$ns3::HalfcloseTcpL4Protocol/State",
      MakeCallback(&on_state));
  art.client->TraceConnectWithoutContext("State", MakeCallback(&on_sock_state));
  Simulator::Stop(Seconds(30));
  Simulator::Run();
  Simulator::Destroy();
  art.client = nullptr;
  art.server = nullptr;
}

static bool fixed() {
  return art.rsts == 0 && !art.error_close && art.read == 20000;
}
static bool broken() {
  return art.rsts >= 1 && art.error_close && art.read < 20000;
}

static bool has_state(const std::vector<std::pair<int, int>> &v, int from,
                      int to) {
  return std::find(v.begin(), v.end(), std::make_pair(from, to)) != v.end();
}

/* the attributes: a knob's default, a Config::Set path, FILE:NAME */
static void attributes() {
  Config::SetDefault("ns3::HalfcloseTcpL4Protocol::FinAckFinal",
                     StringValue("true"));
  article("nt351");
  CHECK(fixed(), "nt351 + FinAckFinal=true default: %llu RSTs, %llu read",
        (unsigned long long)art.rsts, (unsigned long long)art.read);
  Config::SetDefault("ns3::HalfcloseTcpL4Protocol::FinAckFinal",
                     StringValue("false"));
  article("nt351");
  CHECK(broken(), "nt351 + FinAckFinal=false: %llu RSTs, %llu read",
        (unsigned long long)art.rsts, (unsigned long long)art.read);
  Config::SetDefault("ns3::HalfcloseTcpL4Protocol::FinAckFinal",
                     StringValue(""));

  before_sockets = [] {
    Config::Set("/NodeList/*/$ns3::HalfcloseTcpL4Protocol/FinAckFinal",
                StringValue("true"));
  };
  article("nt351");
  CHECK(fixed(), "nt351 + Config::Set FinAckFinal: %llu RSTs, %llu read",
        (unsigned long long)art.rsts, (unsigned long long)art.read);
  before_sockets = nullptr;

  const char *path = "test_plugin_profile.ini";
  {
    std::ofstream f(path);
    f << "[profile patched]\nbase = nt351\nfin_ack_final = true\n";
  }
  article(std::string(path) + ":patched");
  CHECK(fixed(), "FILE:NAME profile: %llu RSTs, %llu read",
        (unsigned long long)art.rsts, (unsigned long long)art.read);
  std::remove(path);

  StringValue v;
  Ptr<HalfcloseTcpL4Protocol> p = CreateObject<HalfcloseTcpL4Protocol>();
  p->SetAttribute("Delack", StringValue("300ms"));
  p->GetAttribute("Delack", v);
  CHECK(v.Get() == "300ms", "Delack reads back \"%s\"", v.Get().c_str());
  /* every knob of the model has its attribute, in ns-3's style, whose help
   * names the knob */
  TypeId tid = HalfcloseTcpL4Protocol::GetTypeId();
  int knobs = 0, found = 0;
  for (uint32_t i = 0; i < tid.GetAttributeN(); i++) {
    TypeId::AttributeInformation a = tid.GetAttribute(i);
    if (a.help.find("(knob ") == std::string::npos)
      continue;
    knobs++;
    std::string name = a.help.substr(a.help.find("(knob ") + 6);
    name = name.substr(0, name.find(';'));
    std::string camel;
    bool up = true;
    for (char ch : name) {
      if (ch == '_') {
        up = true;
        continue;
      }
      camel += up ? (char)std::toupper((unsigned char)ch) : ch;
      up = false;
    }
    found += a.name == camel;
  }
  CHECK(knobs >= 40 && found == knobs,
        "%d knob attributes, %d named as their knob in CamelCase", knobs,
        found);
}

int main() {
  static const char *const profiles[] = {"nt351", "nt351-sp", "bsd44", "linux"};
  for (const char *p : profiles) {
    uint64_t got = bulk(p, p, 300000);
    CHECK(got == 300000, "%s to %s: %llu of 300000 bytes", p, p,
          (unsigned long long)got);
    got = bulk("", p, 200000);
    CHECK(got == 200000, "ns-3's TCP to %s: %llu of 200000 bytes", p,
          (unsigned long long)got);
    got = bulk(p, "", 200000);
    CHECK(got == 200000, "%s to ns-3's TCP: %llu of 200000 bytes", p,
          (unsigned long long)got);
  }
  article("nt351");
  CHECK(has_state(states, TcpSocket::FIN_WAIT_2, TcpSocket::TIME_WAIT) &&
            has_state(states, TcpSocket::TIME_WAIT, TcpSocket::CLOSED),
        "State: the client's TIME-WAIT and its end by RST (%zu changes)",
        states.size());
  CHECK(!sock_states.empty() && sock_states.back().second == TcpSocket::CLOSED,
        "the client socket's State ends CLOSED");
  {
    size_t fin_ack = events.size(), delack = events.size();
    for (size_t i = 0; i < events.size(); i++) {
      if (fin_ack == events.size() &&
          events[i].find("ack-fin") != std::string::npos)
        fin_ack = i;
      if (events[i].find("delack") != std::string::npos &&
          events[i].find("seg-out") != std::string::npos)
        delack = i;
    }
    CHECK(fin_ack < delack && delack < events.size(),
          "ModelEvent: a delayed ACK sent after the FIN's ACK (%zu events)",
          events.size());
  }
  CHECK(art.rsts >= 1 && art.error_close && art.read < 20000,
        "nt351: %llu RSTs, error close %d, %llu of 20000 bytes read",
        (unsigned long long)art.rsts, art.error_close,
        (unsigned long long)art.read);
  article("nt351-sp");
  CHECK(art.rsts == 0 && !art.error_close && art.read == 20000,
        "nt351-sp: %llu RSTs, error close %d, %llu of 20000 bytes read",
        (unsigned long long)art.rsts, art.error_close,
        (unsigned long long)art.read);
  attributes();
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
