// interop.cc - ns-3's own TCP against each of halfclose's profiles, in both
// directions, over one router, two conversations each:
//   bulk: a sender moves `bytes` and closes; the receiver reads everything
//     and closes when the sender's FIN is in;
//   half-close (the KB Q152474 conversation): the client sends a 300-byte
//     request and shuts down its sending side; the server answers 20 000
//     bytes and closes; the client reads 1 KiB every 100 ms.
// For each it prints the bytes delivered, the RSTs each end sent, how each
// end and each application ended, and (without --quiet) every segment
// from the first FIN on. Where a RST was called for and ns-3's TCP did not
// send it, or sent one a real stack would not, it says so and why.
//
//   ./interop [--bytes=100000] [--profiles=nt351,nt351-sp,bsd44,linux]
//             [--quiet]
//
// The last line is "all N transfers complete" or "N of M transfers
// complete: incomplete" (a transfer is complete when every byte was
// read, or, in a half-close conversation, when what the client lost is
// explained by a RST it received).
#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/halfclose-module.h"
#include "ns3/internet-module.h"
#include "ns3/point-to-point-module.h"

#include <iomanip>
#include <sstream>

using namespace ns3;

static const char *const state_names[] = {
    "CLOSED",      "LISTEN",     "SYN_SENT", "SYN_RCVD",
    "ESTABLISHED", "CLOSE_WAIT", "LAST_ACK", "FIN_WAIT_1",
    "FIN_WAIT_2",  "CLOSING",    "TIME_WAIT"};

struct End {
  std::string stack; // "ns-3" or a profile
  Ptr<Socket> sock;  // the connection's socket
  int state = TcpSocket::CLOSED;
  std::string app = "open"; // what its application was told at the end
  uint32_t rsts = 0;
  uint32_t fins = 0;        // FIN segments sent (more than 1: resent)
  SequenceNumber32 finEnd;  // the sequence number its FIN takes
  SequenceNumber32 lastAck; // the last acknowledgment it sent
  bool acked = false;
  bool closedShort = false; // left LAST_ACK before any ACK of its FIN was sent
};

struct Pair {
  bool halfClose = false; // the KB conversation, else bulk
  End snd, rcv;           // in a half-close conversation: client, server
  uint64_t bytes = 0, got = 0, left = 0;
  bool finSeen = false;
  Time rcvClosed = Time::Max();   // when the receiver's connection closed
  uint32_t sndAfterRcvClosed = 0; // segments the sender sent after that
  std::ostringstream teardown;
  uint32_t teardownSegs = 0;
};
static Pair *cur;

static void on_state(End *e, TcpSocket::TcpStates_t from,
                     TcpSocket::TcpStates_t to) {
  e->state = to;
  if (e == &cur->rcv && to == TcpSocket::CLOSED)
    cur->rcvClosed = Simulator::Now();
  const End &peer = e == &cur->rcv ? cur->snd : cur->rcv;
  if (from == TcpSocket::LAST_ACK && to == TcpSocket::CLOSED)
    e->closedShort = !peer.acked || peer.lastAck < e->finEnd + 1;
}

// every segment an end host sends: from the first FIN on, the teardown
static void on_tx(End *e, Ptr<const Packet> p, Ptr<Ipv4>, uint32_t) {
  Ptr<Packet> q = p->Copy();
  Ipv4Header ip;
  TcpHeader tcp;
  q->RemoveHeader(ip);
  if (ip.GetProtocol() != 6)
    return;
  q->RemoveHeader(tcp);
  uint8_t f = tcp.GetFlags();
  if (f & TcpHeader::RST)
    e->rsts++;
  else if (e == &cur->snd && Simulator::Now() > cur->rcvClosed)
    cur->sndAfterRcvClosed++;
  if (f & TcpHeader::FIN) {
    cur->finSeen = true;
    e->fins++;
    e->finEnd = tcp.GetSequenceNumber() + q->GetSize();
  }
  if ((f & TcpHeader::ACK) && !(f & TcpHeader::RST)) {
    e->lastAck = tcp.GetAckNumber();
    e->acked = true;
  }
  if (!cur->finSeen)
    return;
  cur->teardownSegs++;
  std::string fl;
  if (f & TcpHeader::SYN)
    fl += "S";
  if (f & TcpHeader::FIN)
    fl += "F";
  if (f & TcpHeader::RST)
    fl += "R";
  if (f & TcpHeader::PSH)
    fl += "P";
  if (f & TcpHeader::ACK)
    fl += ".";
  cur->teardown << "    " << std::fixed << std::setprecision(3) << std::setw(9)
                << Simulator::Now().GetSeconds() * 1000 << " ms  "
                << (e == &cur->snd ? "sender  " : "receiver") << " ("
                << std::setw(8) << e->stack << ") " << std::setw(3) << fl
                << " seq " << tcp.GetSequenceNumber() << " ack "
                << tcp.GetAckNumber() << " len " << q->GetSize() << "\n";
}

static void send_more(Ptr<Socket> s, uint32_t) {
  while (cur->left && s->GetTxAvailable()) {
    uint32_t n = (uint32_t)std::min<uint64_t>(cur->left, s->GetTxAvailable());
    int r = s->Send(Create<Packet>(n));
    if (r <= 0)
      return;
    cur->left -= (uint64_t)r;
  }
  End &e = cur->halfClose ? cur->rcv : cur->snd;
  if (!cur->left && (e.app == "open" || e.app == "normal close")) {
    e.app = cur->halfClose ? "normal close, then closed" : "closed";
    s->Close();
  }
}

static void told(End *e, const char *what, Ptr<Socket>) {
  if (e->app == "open" || e->app == "closed" ||
      std::string(what) == "error close")
    e->app = what;
}

static void rcv_read(Ptr<Socket> s) {
  // ns-3's TCP returns an empty packet at end of stream
  for (Ptr<Packet> p = s->Recv(); p && p->GetSize(); p = s->Recv())
    cur->got += p->GetSize();
}

static void rcv_peer_closed(Ptr<Socket> s) {
  rcv_read(s);
  cur->rcv.app = "normal close";
  if (!cur->halfClose) {
    s->Close(); // the sender's FIN is in: close our side too
    return;
  }
  cur->got = 0; // the request is in: now count the response the client reads
  cur->left = cur->bytes;
  s->SetSendCallback(MakeCallback(&send_more));
  send_more(s, 0); // the response, then close
}

// the half-closing client: 1 KiB every 100 ms until all is read or an
// error; then it closes
static void client_read() {
  Ptr<Socket> s = cur->snd.sock;
  if (!s || cur->snd.app == "error close" || cur->got == cur->bytes)
    return;
  Ptr<Packet> p = s->Recv(1024, 0);
  if (p)
    cur->got += p->GetSize();
  if (cur->got == cur->bytes)
    s->Close();
  else
    Simulator::Schedule(MilliSeconds(100), &client_read);
}

static void accepted(Ptr<Socket> s, const Address &) {
  cur->rcv.sock = s;
  s->SetRecvCallback(MakeCallback(&rcv_read));
  s->SetCloseCallbacks(MakeCallback(&rcv_peer_closed),
                       MakeBoundCallback(&told, &cur->rcv, "error close"));
  s->TraceConnectWithoutContext("State",
                                MakeBoundCallback(&on_state, &cur->rcv));
}

static void connected(Ptr<Socket> s) {
  if (cur->halfClose) {
    s->Send(Create<Packet>(300));
    s->ShutdownSend();
    Simulator::ScheduleNow(&client_read);
    return;
  }
  s->SetSendCallback(MakeCallback(&send_more));
  send_more(s, 0);
}

static void install(Ptr<Node> n, const std::string &stack) {
  InternetStackHelper h;
  if (stack != "ns-3") {
    Config::SetDefault("ns3::HalfcloseTcpL4Protocol::Profile",
                       StringValue(stack));
    h.SetTcp("ns3::HalfcloseTcpL4Protocol");
  }
  h.Install(n);
}

static void run(Pair &pr) {
  cur = &pr;
  NodeContainer n;
  n.Create(3);
  install(n.Get(0), pr.snd.stack);
  install(n.Get(1), "ns-3"); // the router
  install(n.Get(2), pr.rcv.stack);
  PointToPointHelper p2p;
  p2p.SetDeviceAttribute("DataRate", StringValue("10Mbps"));
  p2p.SetChannelAttribute("Delay", StringValue("10ms"));
  Ipv4AddressHelper ip("10.1.1.0", "255.255.255.0");
  ip.Assign(p2p.Install(n.Get(0), n.Get(1)));
  ip.SetBase("10.1.2.0", "255.255.255.0");
  Ipv4Address to = ip.Assign(p2p.Install(n.Get(1), n.Get(2))).GetAddress(1);
  Ipv4GlobalRoutingHelper::PopulateRoutingTables();

  Ptr<Socket> lis =
      Socket::CreateSocket(n.Get(2), TcpSocketFactory::GetTypeId());
  lis->Bind(InetSocketAddress(Ipv4Address::GetAny(), 9000));
  lis->Listen();
  lis->SetAcceptCallback(MakeNullCallback<bool, Ptr<Socket>, const Address &>(),
                         MakeCallback(&accepted));
  Ptr<Socket> s = Socket::CreateSocket(n.Get(0), TcpSocketFactory::GetTypeId());
  pr.snd.sock = s;
  s->Bind();
  s->TraceConnectWithoutContext("State", MakeBoundCallback(&on_state, &pr.snd));
  s->SetConnectCallback(MakeCallback(&connected),
                        MakeNullCallback<void, Ptr<Socket>>());
  s->SetCloseCallbacks(MakeBoundCallback(&told, &pr.snd, "normal close"),
                       MakeBoundCallback(&told, &pr.snd, "error close"));
  // ns-3's TCP sends at Connect: only once the nodes run (t = 0)
  Simulator::ScheduleNow([s, to] { s->Connect(InetSocketAddress(to, 9000)); });
  Config::ConnectWithoutContext("/NodeList/0/$ns3::Ipv4L3Protocol/Tx",
                                MakeBoundCallback(&on_tx, &pr.snd));
  Config::ConnectWithoutContext("/NodeList/2/$ns3::Ipv4L3Protocol/Tx",
                                MakeBoundCallback(&on_tx, &pr.rcv));
  Simulator::Stop(Seconds(300));
  Simulator::Run();
  lis->Close();
  pr.snd.sock = nullptr;
  pr.rcv.sock = nullptr;
  Simulator::Destroy();
}

static void report(const Pair &pr, bool quiet) {
  const char *a = pr.halfClose ? "client" : "sender",
             *b = pr.halfClose ? "server" : "receiver";
  std::cout << (pr.halfClose ? "half-close " : "bulk ") << pr.snd.stack
            << " -> " << pr.rcv.stack << ": " << pr.got << " of " << pr.bytes
            << " bytes read; teardown " << pr.teardownSegs
            << " segments, RSTs sent: " << a << " " << pr.snd.rsts << ", " << b
            << " " << pr.rcv.rsts << "; " << a << " ends "
            << state_names[pr.snd.state] << " (" << pr.snd.app << "), " << b
            << " ends " << state_names[pr.rcv.state] << " (" << pr.rcv.app
            << ")\n";
  if (pr.halfClose && pr.rcv.stack == "ns-3" && pr.sndAfterRcvClosed &&
      !pr.rcv.rsts)
    std::cout << "  why: the client sent " << pr.sndAfterRcvClosed
              << " segment(s) after the server's connection had closed, and "
                 "ns-3's TCP answered none: the segment reached its "
                 "listener on that port, which drops an ACK where RFC 9293 "
                 "3.10.7.2 has a listener answer with a RST. Against ns-3's "
                 "TCP as the server, the KB race cannot show.\n";
  if (pr.halfClose && pr.rcv.stack != "ns-3" && pr.rcv.rsts)
    std::cout << "  why: the client sent " << pr.sndAfterRcvClosed
              << " segment(s) after the server's connection had closed; "
                 "the server's stack answered with a RST"
              << (pr.snd.app == "error close"
                      ? ", and the client's application lost what it had "
                        "not read (error close)"
                      : "")
              << ".\n";
  for (int i = 0; i < 2; i++) {
    const End &ns3 = i ? pr.snd : pr.rcv, &model = i ? pr.rcv : pr.snd;
    if (ns3.stack != "ns-3" || model.fins < 2 || !ns3.acked ||
        ns3.lastAck != model.finEnd)
      continue;
    std::cout << "  why: ns-3's TCP acknowledged the " << (i ? b : a)
              << "'s FIN, which came on its last data segment, one short "
                 "(ack "
              << ns3.lastAck << ", the FIN's own sequence number, where RFC "
              << "9293 3.10.7.4 (eighth, the FIN bit) has it acknowledge the "
                 "FIN too); the "
              << model.stack << " stack never saw its FIN acknowledged and "
              << "sent it " << model.fins << " times"
              << (ns3.rsts ? ", until ns-3's TCP, its connection gone, "
                             "answered with a RST"
                           : "; ns-3's TCP, its connection gone, answered "
                             "none of them")
              << (model.state == TcpSocket::LAST_ACK
                      ? ", and it is still in LAST_ACK at the end of the run"
                      : "")
              << ".\n";
  }
  for (const End *e : {&pr.snd, &pr.rcv})
    if (e->stack == "ns-3" && e->closedShort)
      std::cout << "  why: ns-3's TCP left LAST_ACK for CLOSED on an ACK that "
                   "did not cover its FIN (none that did had been sent yet): "
                   "it closes LAST_ACK on any in-order ACK, where RFC 9293 "
                   "3.10.7.4 waits for the ACK of the FIN; the peer's ACK of "
                   "the FIN then met a listener or nothing.\n";
  if (!quiet)
    std::cout << pr.teardown.str();
}

int main(int argc, char **argv) {
  uint64_t bytes = 100000;
  std::string profiles = "nt351,nt351-sp,bsd44,linux";
  bool quiet = false;
  CommandLine cmd;
  cmd.AddValue("bytes", "bytes each sender moves", bytes);
  cmd.AddValue("profiles", "the profiles, separated by commas", profiles);
  cmd.AddValue("quiet", "no teardown timelines", quiet);
  cmd.Parse(argc, argv);

  uint32_t total = 0, complete = 0;
  std::istringstream list(profiles);
  for (std::string p; std::getline(list, p, ',');)
    for (int mode = 0; mode < 2; mode++)
      for (int dir = 0; dir < 2; dir++) {
        Pair pr;
        pr.halfClose = mode == 1;
        pr.snd.stack = dir == 0 ? "ns-3" : p;
        pr.rcv.stack = dir == 0 ? p : "ns-3";
        pr.bytes = pr.left = pr.halfClose ? 20000 : bytes;
        run(pr);
        report(pr, quiet);
        total++;
        complete += pr.got == pr.bytes || (pr.halfClose && pr.rcv.rsts &&
                                           pr.snd.app == "error close");
      }
  if (complete == total)
    std::cout << "all " << total << " transfers complete\n";
  else
    std::cout << complete << " of " << total
              << " transfers complete: incomplete\n";
  return complete == total ? 0 : 1;
}
