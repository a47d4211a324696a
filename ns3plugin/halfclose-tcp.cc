/*
 * halfclose-tcp.cc - see halfclose-tcp.h.
 */
#include "ns3/halfclose-tcp.h"

#include "ns3/inet-socket-address.h"
#include "ns3/ipv4-header.h"
#include "ns3/ipv4-route.h"
#include "ns3/ipv4-routing-protocol.h"
#include "ns3/ipv4.h"
#include "ns3/log.h"
#include "ns3/packet.h"
#include "ns3/simulator.h"
#include "ns3/boolean.h"
#include "ns3/string.h"

#include <cctype>
#include <cstring>
#include <memory>
#include <vector>

extern "C" {
#include "tcp.h"
#include "conv_params.h"
#include "scenario.h"
}

namespace ns3 {

NS_LOG_COMPONENT_DEFINE("HalfcloseTcp");
NS_OBJECT_ENSURE_REGISTERED(HalfcloseTcpL4Protocol);
NS_OBJECT_ENSURE_REGISTERED(HalfcloseTcpSocketFactory);
NS_OBJECT_ENSURE_REGISTERED(HalfcloseTcpSocket);

/* ---- the protocol ---- */

/* A knob's attribute: its value as text, kept by the protocol object. */
class KnobAccessor : public AttributeAccessor {
public:
  explicit KnobAccessor(size_t i) : m_i(i) {
  }
  bool Set(ObjectBase *o, const AttributeValue &v) const override {
    auto *p = dynamic_cast<HalfcloseTcpL4Protocol *>(o);
    auto *s = dynamic_cast<const StringValue *>(&v);
    return p && s && p->SetKnob(m_i, s->Get());
  }
  bool Get(const ObjectBase *o, AttributeValue &v) const override {
    auto *p = dynamic_cast<const HalfcloseTcpL4Protocol *>(o);
    auto *s = dynamic_cast<StringValue *>(&v);
    if (!p || !s)
      return false;
    s->Set(p->GetKnob(m_i));
    return true;
  }
  bool HasGetter() const override {
    return true;
  }
  bool HasSetter() const override {
    return true;
  }

private:
  size_t m_i;
};

/* ack_every -> AckEvery: a knob's name in ns-3's attribute style */
static std::string camel(const char *name) {
  std::string out;
  bool up = true;
  for (const char *c = name; *c; c++) {
    if (*c == '_') {
      up = true;
      continue;
    }
    out += up ? (char)std::toupper((unsigned char)*c) : *c;
    up = false;
  }
  return out;
}

static TypeId add_knobs(TypeId tid) {
  size_t n;
  const tcp_knob_info *k = tcp_profile_knobs(&n);
  for (size_t i = 0; i < n; i++) {
    char range[200];
    std::string help = std::string(k[i].help) + " (knob " + k[i].name + "; " +
                       hc_knob_range(&k[i], range, sizeof range) +
                       "; empty: the profile's value)";
    tid.AddAttribute(camel(k[i].name), help, StringValue(""),
                     Create<KnobAccessor>(i), MakeStringChecker());
  }
  return tid;
}

TypeId HalfcloseTcpL4Protocol::GetTypeId() {
  static TypeId tid = add_knobs(
      TypeId("ns3::HalfcloseTcpL4Protocol")
          .SetParent<IpL4Protocol>()
          .SetGroupName("Internet")
          .AddConstructor<HalfcloseTcpL4Protocol>()
          .AddAttribute("Profile",
                        "the behaviour profile of this node's TCP: nt351, "
                        "nt351-sp, bsd44 or linux, each with +rfc1337, or "
                        "FILE:NAME for a [profile NAME] of a scenario file",
                        StringValue("nt351"),
                        MakeStringAccessor(&HalfcloseTcpL4Protocol::m_profile),
                        MakeStringChecker())
          .AddAttribute("Knobs",
                        "knobs over the profile, as KNOB=VALUE separated by "
                        "commas (delack=200ms,ack_every=2); the names and "
                        "values of halfclose profiles",
                        StringValue(""),
                        MakeStringAccessor(&HalfcloseTcpL4Protocol::m_knobs),
                        MakeStringChecker())
          .AddTraceSource(
              "Tx", "a segment the model sent: packet, from, to",
              MakeTraceSourceAccessor(&HalfcloseTcpL4Protocol::m_txTrace),
              "ns3::HalfcloseTcpL4Protocol::SegmentTracedCallback")
          .AddTraceSource(
              "Rx", "a segment the model received: packet, from, to",
              MakeTraceSourceAccessor(&HalfcloseTcpL4Protocol::m_rxTrace),
              "ns3::HalfcloseTcpL4Protocol::SegmentTracedCallback")
          .AddTraceSource(
              "State",
              "a connection's state change: its number on this node, "
              "from, to",
              MakeTraceSourceAccessor(&HalfcloseTcpL4Protocol::m_stateTrace),
              "ns3::HalfcloseTcpL4Protocol::StateTracedCallback")
          .AddTraceSource(
              "ModelEvent",
              "each of the model's trace events as one line (segments and "
              "why they were sent, timers, application calls, drops)",
              MakeTraceSourceAccessor(&HalfcloseTcpL4Protocol::m_eventTrace),
              "ns3::HalfcloseTcpL4Protocol::ModelEventTracedCallback"));
  return tid;
}

HalfcloseTcpL4Protocol::HalfcloseTcpL4Protocol()
    : m_host(nullptr), m_timerAt(TCP_NEVER), m_epoch(0), m_parked(false),
      m_driverTrace(nullptr), m_driverRandom(nullptr), m_driverSettled(nullptr),
      m_driverUser(nullptr) {
  size_t n;
  tcp_profile_knobs(&n);
  m_knobText.resize(n);
}

bool HalfcloseTcpL4Protocol::SetKnob(size_t i, const std::string &text) {
  size_t n;
  const tcp_knob_info *k = tcp_profile_knobs(&n);
  if (i >= n)
    return false;
  uint64_t v;
  char why[200];
  if (!text.empty() &&
      hc_parse_knob(&k[i], text.c_str(), &v, why, sizeof why) != 0)
    NS_FATAL_ERROR("HalfcloseTcpL4Protocol: " << camel(k[i].name) << " \""
                                              << text << "\": " << why);
  m_knobText[i] = text;
  return true;
}

std::string HalfcloseTcpL4Protocol::GetKnob(size_t i) const {
  return i < m_knobText.size() ? m_knobText[i] : std::string();
}

/* The profile the attributes give: Profile (a preset or FILE:NAME), then
 * Knobs, then each knob's own attribute. A bad one stops the program. */
void HalfcloseTcpL4Protocol::Profile(tcp_profile *p) const {
  size_t colon = m_profile.rfind(':');
  if (colon != std::string::npos) {
    std::string path = m_profile.substr(0, colon),
                name = m_profile.substr(colon + 1);
    std::unique_ptr<scenario> s(new scenario());
    static char msgs[16384];
    if (scn_load(s.get(), path.c_str(), msgs, sizeof msgs, nullptr) != 0)
      NS_FATAL_ERROR("HalfcloseTcpL4Protocol: Profile \"" << m_profile
                                                          << "\":\n"
                                                          << msgs);
    const scn_user_profile *u = scn_user_find(s.get(), name.c_str());
    char why[400] = "";
    if (!u)
      snprintf(why, sizeof why, "%s defines no [profile %s]", path.c_str(),
               name.c_str());
    else
      scn_user_resolve(s.get(), u, p, why, sizeof why);
    scn_free(s.get());
    if (why[0])
      NS_FATAL_ERROR("HalfcloseTcpL4Protocol: Profile \"" << m_profile
                                                          << "\": " << why);
  } else if (tcp_profile_preset(p, m_profile.c_str()) != 0)
    NS_FATAL_ERROR("HalfcloseTcpL4Protocol: Profile \""
                   << m_profile
                   << "\": expected nt351, nt351-sp, bsd44 or linux, each "
                      "with +rfc1337, or FILE:NAME");
  std::string knobs = m_knobs;
  size_t at = 0;
  while (at < knobs.size()) {
    size_t end = knobs.find(',', at);
    std::string kv =
        knobs.substr(at, end == std::string::npos ? end : end - at);
    at = end == std::string::npos ? knobs.size() : end + 1;
    if (kv.empty())
      continue;
    size_t eq = kv.find('=');
    std::string k = kv.substr(0, eq),
                v = eq == std::string::npos ? std::string() : kv.substr(eq + 1);
    char why[200] = "";
    if (hc_profile_set_text(p, k.c_str(), v.c_str(), why, sizeof why) != 0)
      NS_FATAL_ERROR("HalfcloseTcpL4Protocol: Knobs \"" << kv << "\": " << why);
  }
  size_t n;
  const tcp_knob_info *k = tcp_profile_knobs(&n);
  for (size_t i = 0; i < n; i++) {
    char why[200] = "";
    if (!m_knobText[i].empty() &&
        hc_profile_set_text(p, k[i].name, m_knobText[i].c_str(), why,
                            sizeof why) != 0)
      NS_FATAL_ERROR("HalfcloseTcpL4Protocol: " << camel(k[i].name) << " \""
                                                << m_knobText[i]
                                                << "\": " << why);
  }
  char why[200];
  if (tcp_profile_check(p, why, sizeof why) != 0)
    NS_FATAL_ERROR("HalfcloseTcpL4Protocol: " << why);
}

HalfcloseTcpL4Protocol::~HalfcloseTcpL4Protocol() {
  if (m_host)
    tcp_host_free(m_host);
}

void HalfcloseTcpL4Protocol::DoDispose() {
  m_timer.Cancel();
  Unhost();
  m_sockets.clear();
  m_held.clear();
  m_node = nullptr;
  m_downTarget.Nullify();
  m_downTarget6.Nullify();
  IpL4Protocol::DoDispose();
}

void HalfcloseTcpL4Protocol::NotifyNewAggregate() {
  Ptr<Node> node = this->GetObject<Node>();
  Ptr<Ipv4> ipv4 = this->GetObject<Ipv4>();
  if (!m_node && node && ipv4) {
    m_node = node;
    /* NSC's route: the node's TcpSocketFactory is this protocol's */
    Ptr<HalfcloseTcpSocketFactory> f =
        CreateObject<HalfcloseTcpSocketFactory>();
    f->SetTcp(this);
    node->AggregateObject(f);
  }
  if (ipv4 && m_downTarget.IsNull()) {
    ipv4->Insert(this);
    SetDownTarget(MakeCallback(&Ipv4::Send, ipv4));
  }
  IpL4Protocol::NotifyNewAggregate();
}

Ipv4Address HalfcloseTcpL4Protocol::LocalAddress() const {
  Ptr<Ipv4> ipv4 = m_node ? m_node->GetObject<Ipv4>() : nullptr;
  if (!ipv4)
    return Ipv4Address::GetAny();
  for (uint32_t i = 0; i < ipv4->GetNInterfaces(); i++)
    for (uint32_t a = 0; a < ipv4->GetNAddresses(i); a++) {
      Ipv4Address x = ipv4->GetAddress(i, a).GetLocal();
      if (x != Ipv4Address::GetLoopback())
        return x;
    }
  return Ipv4Address::GetAny();
}

/* Free the host. Sockets may outlive it (an application's Ptr): none may
 * reach into it after it is freed. */
void HalfcloseTcpL4Protocol::Unhost() {
  m_timer.Cancel();
  m_timerAt = TCP_NEVER;
  m_listeners.clear();
  m_following.clear();
  for (HalfcloseTcpSocket *s : m_sockets)
    s->Forget();
  if (m_host)
    tcp_host_free(m_host);
  m_host = nullptr;
  std::set<Ptr<HalfcloseTcpSocket>> held;
  held.swap(m_held); /* their destructors reach back into m_sockets */
}

tcp_host *HalfcloseTcpL4Protocol::Configure(const tcp_host_config *given,
                                            int64_t epoch_ns,
                                            void (*settled)(void *)) {
  Unhost();
  m_parked = false;
  m_epoch = epoch_ns;
  tcp_host_config cfg = *given;
  if (!cfg.addr)
    cfg.addr = LocalAddress().Get();
  m_driverTrace = given->trace;
  m_driverRandom = given->random;
  m_driverSettled = settled;
  m_driverUser = given->user;
  cfg.user = this;
  cfg.output = OnOutput;
  cfg.notify = [](void *u, tcp_conn *c, tcp_notify what) {
    OnNotify(u, c, (int)what);
  };
  cfg.trace = OnTrace;
  cfg.random = given->random ? OnRandom : nullptr;
  if (cfg.trace_types) /* the sockets follow their states */
    cfg.trace_types |= 1u << TCP_EV_STATE;
  if (tcp_host_new(&m_host, &cfg) != 0)
    m_host = nullptr;
  return m_host;
}

void HalfcloseTcpL4Protocol::Park() {
  Unhost();
  m_parked = true;
  m_driverTrace = nullptr;
  m_driverRandom = nullptr;
  m_driverSettled = nullptr;
  m_driverUser = nullptr;
}

uint32_t HalfcloseTcpL4Protocol::OnRandom(void *user) {
  auto *self = static_cast<HalfcloseTcpL4Protocol *>(user);
  return self->m_driverRandom(self->m_driverUser);
}

/* The model host, once the node has an address: its profile and knobs
 * as the attributes say. */
bool HalfcloseTcpL4Protocol::Start() {
  if (m_host)
    return true;
  Ipv4Address addr = LocalAddress();
  if (addr == Ipv4Address::GetAny())
    NS_FATAL_ERROR("HalfcloseTcpL4Protocol: the node has no IPv4 address yet");
  tcp_host_config cfg;
  std::memset(&cfg, 0, sizeof cfg);
  cfg.addr = addr.Get();
  Profile(&cfg.profile);
  cfg.user = this;
  cfg.output = OnOutput;
  cfg.notify = [](void *u, tcp_conn *c, tcp_notify what) {
    OnNotify(u, c, (int)what);
  };
  cfg.trust_input = true; /* ns-3's TCP leaves its checksum 0 unless
                             ChecksumEnabled, and its bytes are not the
                             model's pattern */
  cfg.trace = OnTrace;    /* every event: State and ModelEvent */
  if (tcp_host_new(&m_host, &cfg) != 0)
    NS_FATAL_ERROR("HalfcloseTcpL4Protocol: out of memory");
  return true;
}

tcp_host *HalfcloseTcpL4Protocol::Host() {
  Start();
  return m_host;
}

uint64_t HalfcloseTcpL4Protocol::Now() const {
  return (uint64_t)(Simulator::Now().GetNanoSeconds() - m_epoch);
}

void HalfcloseTcpL4Protocol::Poke() {
  uint64_t t = m_host ? tcp_host_expiry(m_host) : TCP_NEVER;
  if (t == m_timerAt && m_timer.IsRunning())
    return;
  m_timer.Cancel();
  m_timerAt = t;
  if (t == TCP_NEVER)
    return;
  uint64_t now = Now();
  m_timer = Simulator::Schedule(NanoSeconds(t > now ? t - now : 0),
                                &HalfcloseTcpL4Protocol::Expire, this);
}

void HalfcloseTcpL4Protocol::Expire() {
  m_timerAt = TCP_NEVER;
  if (m_host)
    tcp_host_on_expiry(m_host, Now());
  Poke();
  if (m_driverSettled)
    m_driverSettled(m_driverUser);
}

void HalfcloseTcpL4Protocol::OnOutput(void *user, const uint8_t *d,
                                      size_t len) {
  auto *self = static_cast<HalfcloseTcpL4Protocol *>(user);
  if (len < 20 || self->m_downTarget.IsNull())
    return;
  size_t ihl = (size_t)(d[0] & 0x0f) * 4;
  Ipv4Address src((uint32_t)d[12] << 24 | (uint32_t)d[13] << 16 |
                  (uint32_t)d[14] << 8 | d[15]);
  Ipv4Address dst((uint32_t)d[16] << 24 | (uint32_t)d[17] << 16 |
                  (uint32_t)d[18] << 8 | d[19]);
  Ptr<Packet> p = Create<Packet>(d + ihl, (uint32_t)(len - ihl));
  self->m_txTrace(p, src, dst);
  /* the model's own IPv4 header - its identification, TTL and flags - so
   * the datagram on the wire is the model's, byte for byte */
  Ipv4Header h;
  h.SetSource(src);
  h.SetDestination(dst);
  h.SetProtocol(PROT_NUMBER);
  h.SetPayloadSize((uint16_t)(len - ihl));
  h.SetTos(d[1]);
  h.SetIdentification((uint16_t)(d[4] << 8 | d[5]));
  if (d[6] & 0x40)
    h.SetDontFragment();
  else
    h.SetMayFragment();
  h.SetTtl(d[8]);
  /* A node is initialized when the simulation starts: a segment of a
   * socket used before (a Connect in main()) goes once it has started */
  if (self->m_node && !self->m_node->IsInitialized())
    Simulator::ScheduleNow(&HalfcloseTcpL4Protocol::SendDown,
                           Ptr<HalfcloseTcpL4Protocol>(self), p, h);
  else
    self->SendDown(p, h);
}
/* the node's routing chooses the route, as for ns-3's own TCP */
void HalfcloseTcpL4Protocol::SendDown(Ptr<Packet> p, Ipv4Header h) {
  Ptr<Ipv4> ipv4 = m_node ? m_node->GetObject<Ipv4>() : nullptr;
  if (!ipv4 || !ipv4->GetRoutingProtocol()) {
    if (!m_downTarget.IsNull())
      m_downTarget(p, h.GetSource(), h.GetDestination(), PROT_NUMBER, nullptr);
    return;
  }
  Socket::SocketErrno err;
  Ptr<Ipv4Route> route =
      ipv4->GetRoutingProtocol()->RouteOutput(p, h, nullptr, err);
  if (route) /* none: no route to the peer, the datagram is lost */
    ipv4->SendWithHeader(p, h, route);
}
void HalfcloseTcpL4Protocol::OnNotify(void *user, tcp_conn *c, int what) {
  auto *self = static_cast<HalfcloseTcpL4Protocol *>(user);
  if (what == TCP_NOTIFY_ACCEPTABLE) {
    tcp_conn_info i;
    tcp_conn_info_get(c, &i);
    auto l = self->m_listeners.find(i.lport);
    if (l != self->m_listeners.end()) {
      Ptr<HalfcloseTcpSocket> keep = l->second;
      keep->Accept();
    }
    return;
  }
  /* at once, as ns-3's own TCP tells its applications (the model takes
   * calls from inside its notifications); the socket lives through it */
  Ptr<HalfcloseTcpSocket> s =
      static_cast<HalfcloseTcpSocket *>(tcp_conn_user(c));
  if (s)
    s->Notify(what);
}

static TcpSocket::TcpStates_t ns3_state(tcp_state s) {
  switch (s) {
  case TCP_LISTEN:
    return TcpSocket::LISTEN;
  case TCP_SYN_SENT:
    return TcpSocket::SYN_SENT;
  case TCP_SYN_RECEIVED:
    return TcpSocket::SYN_RCVD;
  case TCP_ESTABLISHED:
    return TcpSocket::ESTABLISHED;
  case TCP_FIN_WAIT_1:
    return TcpSocket::FIN_WAIT_1;
  case TCP_FIN_WAIT_2:
    return TcpSocket::FIN_WAIT_2;
  case TCP_CLOSE_WAIT:
    return TcpSocket::CLOSE_WAIT;
  case TCP_CLOSING:
    return TcpSocket::CLOSING;
  case TCP_LAST_ACK:
    return TcpSocket::LAST_ACK;
  case TCP_TIME_WAIT:
    return TcpSocket::TIME_WAIT;
  case TCP_CLOSED:
  default:
    return TcpSocket::CLOSED;
  }
}

void HalfcloseTcpL4Protocol::OnTrace(void *user, const tcp_event *ev) {
  auto *self = static_cast<HalfcloseTcpL4Protocol *>(user);
  if (self->m_driverTrace)
    self->m_driverTrace(self->m_driverUser, ev);
  if (ev->type == TCP_EV_STATE) {
    TcpSocket::TcpStates_t from = ns3_state(ev->from), to = ns3_state(ev->to);
    self->m_stateTrace(ev->conn_id, from, to);
    auto f = self->m_following.find(ev->conn_id);
    if (f != self->m_following.end()) {
      f->second->SetState(to);
      if (to == TcpSocket::CLOSED)
        self->m_following.erase(f);
    }
  }
  if (self->m_eventTrace.IsEmpty())
    return;
  char line[512];
  tcp_event_format(ev, line, sizeof line);
  self->m_eventTrace(std::string(line));
}

void HalfcloseTcpL4Protocol::Register(tcp_conn *c, HalfcloseTcpSocket *s) {
  tcp_conn_set_user(c, s);
  tcp_conn_info i;
  tcp_conn_info_get(c, &i);
  Follow(i.id, s);
  s->SetState(ns3_state(i.state));
}

void HalfcloseTcpL4Protocol::Track(HalfcloseTcpSocket *s, bool live) {
  if (live) {
    m_sockets.insert(s);
    return;
  }
  m_sockets.erase(s);
  for (auto f = m_following.begin(); f != m_following.end();)
    f = f->second == s ? m_following.erase(f) : std::next(f);
}

void HalfcloseTcpL4Protocol::Hold(Ptr<HalfcloseTcpSocket> s) {
  m_held.insert(s);
}

void HalfcloseTcpL4Protocol::Release(Ptr<HalfcloseTcpSocket> s) {
  /* not now: the socket may be the caller */
  Simulator::ScheduleNow(&HalfcloseTcpL4Protocol::Drop,
                         Ptr<HalfcloseTcpL4Protocol>(this), s);
}

void HalfcloseTcpL4Protocol::Drop(Ptr<HalfcloseTcpSocket> s) {
  m_held.erase(s);
}

void HalfcloseTcpL4Protocol::Follow(uint64_t id, HalfcloseTcpSocket *s) {
  m_following[id] = s;
}

void HalfcloseTcpL4Protocol::Listening(uint16_t port, HalfcloseTcpSocket *s) {
  m_listeners[port] = s;
}

void HalfcloseTcpL4Protocol::Unlistening(uint16_t port) {
  m_listeners.erase(port);
}

Ptr<Socket> HalfcloseTcpL4Protocol::CreateSocket() {
  Start();
  Ptr<HalfcloseTcpSocket> s = CreateObject<HalfcloseTcpSocket>();
  s->SetTcp(this);
  return s;
}

int HalfcloseTcpL4Protocol::GetProtocolNumber() const {
  return PROT_NUMBER;
}

static uint16_t ip_checksum(const uint8_t *h, size_t n) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < n; i += 2)
    sum += (uint32_t)h[i] << 8 | h[i + 1];
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

IpL4Protocol::RxStatus
HalfcloseTcpL4Protocol::Receive(Ptr<Packet> p, const Ipv4Header &header,
                                Ptr<Ipv4Interface> incomingInterface) {
  (void)incomingInterface;
  if (m_parked)
    return IpL4Protocol::RX_OK; /* a driver's conversation is over */
  Start();
  uint32_t n = p->GetSize();
  std::vector<uint8_t> d(20 + n);
  uint16_t total = (uint16_t)(20 + n);
  uint32_t src = header.GetSource().Get(), dst = header.GetDestination().Get();
  uint8_t h[20] = {0x45,
                   0,
                   (uint8_t)(total >> 8),
                   (uint8_t)total,
                   (uint8_t)(header.GetIdentification() >> 8),
                   (uint8_t)header.GetIdentification(),
                   0x40,
                   0,
                   header.GetTtl(),
                   PROT_NUMBER,
                   0,
                   0,
                   (uint8_t)(src >> 24),
                   (uint8_t)(src >> 16),
                   (uint8_t)(src >> 8),
                   (uint8_t)src,
                   (uint8_t)(dst >> 24),
                   (uint8_t)(dst >> 16),
                   (uint8_t)(dst >> 8),
                   (uint8_t)dst};
  uint16_t ck = ip_checksum(h, 20);
  h[10] = (uint8_t)(ck >> 8);
  h[11] = (uint8_t)ck;
  std::memcpy(d.data(), h, 20);
  p->CopyData(d.data() + 20, n);
  m_rxTrace(p, header.GetSource(), header.GetDestination());
  tcp_host_input(m_host, d.data(), d.size(), Now());
  Poke();
  if (m_driverSettled)
    m_driverSettled(m_driverUser);
  return IpL4Protocol::RX_OK;
}

IpL4Protocol::RxStatus
HalfcloseTcpL4Protocol::Receive(Ptr<Packet> p, const Ipv6Header &header,
                                Ptr<Ipv6Interface> incomingInterface) {
  (void)p;
  (void)header;
  (void)incomingInterface;
  return IpL4Protocol::RX_ENDPOINT_UNREACH; /* the model is IPv4 only */
}

void HalfcloseTcpL4Protocol::SetDownTarget(
    IpL4Protocol::DownTargetCallback cb) {
  m_downTarget = cb;
}

void HalfcloseTcpL4Protocol::SetDownTarget6(
    IpL4Protocol::DownTargetCallback6 cb) {
  m_downTarget6 = cb;
}

IpL4Protocol::DownTargetCallback HalfcloseTcpL4Protocol::GetDownTarget() const {
  return m_downTarget;
}

IpL4Protocol::DownTargetCallback6
HalfcloseTcpL4Protocol::GetDownTarget6() const {
  return m_downTarget6;
}

/* ---- the factory ---- */

TypeId HalfcloseTcpSocketFactory::GetTypeId() {
  static TypeId tid = TypeId("ns3::HalfcloseTcpSocketFactory")
                          .SetParent<TcpSocketFactory>()
                          .SetGroupName("Internet");
  return tid;
}

void HalfcloseTcpSocketFactory::SetTcp(Ptr<HalfcloseTcpL4Protocol> tcp) {
  m_tcp = tcp;
}

Ptr<Socket> HalfcloseTcpSocketFactory::CreateSocket() {
  return m_tcp->CreateSocket();
}

void HalfcloseTcpSocketFactory::DoDispose() {
  m_tcp = nullptr;
  TcpSocketFactory::DoDispose();
}

/* ---- the socket ---- */

TypeId HalfcloseTcpSocket::GetTypeId() {
  static TypeId tid =
      TypeId("ns3::HalfcloseTcpSocket")
          .SetParent<TcpSocket>()
          .SetGroupName("Internet")
          .AddConstructor<HalfcloseTcpSocket>()
          .AddAttribute(
              "AbortOnClose",
              "Close() aborts the connection: a RST, and data unsent or "
              "unread discarded, as close() with SO_LINGER {1, 0} (RFC 9293 "
              "3.10.4 ABORT)",
              BooleanValue(false),
              MakeBooleanAccessor(&HalfcloseTcpSocket::m_abortOnClose),
              MakeBooleanChecker())
          .AddTraceSource("State", "the connection's state, as TcpSocketBase's",
                          MakeTraceSourceAccessor(&HalfcloseTcpSocket::m_state),
                          "ns3::TcpStatesTracedValueCallback");
  return tid;
}

HalfcloseTcpSocket::HalfcloseTcpSocket()
    : m_conn(nullptr), m_port(0), m_listening(false), m_shutRecv(false),
      m_closeNotified(false), m_connected(false),
      m_errno(Socket::ERROR_NOTERROR), m_sndBuf(131072), m_rcvBuf(131072),
      m_segSize(536), m_ssthresh(UINT32_MAX), m_cwnd(1), m_synRetries(6),
      m_dataRetries(6), m_delAckCount(2), m_connTimeout(Seconds(3)),
      m_delAck(MilliSeconds(200)), m_persist(Seconds(6)), m_noDelay(true),
      m_abortOnClose(false), m_lastRecv(0), m_state(TcpSocket::CLOSED) {
}

HalfcloseTcpSocket::~HalfcloseTcpSocket() {
  if (m_conn)
    tcp_conn_set_user(m_conn, nullptr);
  if (m_tcp && m_listening)
    m_tcp->Unlistening(m_port);
  if (m_tcp)
    m_tcp->Track(this, false);
}

void HalfcloseTcpSocket::SetTcp(Ptr<HalfcloseTcpL4Protocol> tcp) {
  m_tcp = tcp;
  m_tcp->Track(this, true);
}

void HalfcloseTcpSocket::Forget() {
  m_conn = nullptr;
  m_listening = false;
}

void HalfcloseTcpSocket::Attach(tcp_conn *c) {
  m_conn = c;
  m_connected = true;
  m_tcp->Register(c, this);
  m_tcp->Hold(this);
}

void HalfcloseTcpSocket::Accept() {
  if (!m_listening)
    return;
  tcp_conn *c;
  while (tcp_host_accept(m_tcp->Host(), m_port, &c, m_tcp->Now()) == 0) {
    tcp_conn_info i;
    tcp_conn_info_get(c, &i);
    Address from = InetSocketAddress(Ipv4Address(i.raddr), i.rport);
    if (!NotifyConnectionRequest(from)) {
      tcp_conn_abort(c, m_tcp->Now());
      continue;
    }
    Ptr<HalfcloseTcpSocket> s = CreateObject<HalfcloseTcpSocket>();
    s->SetTcp(m_tcp);
    s->Attach(c);
    NotifyNewConnectionCreated(s, from);
    /* what arrived before the application had the socket */
    if (s->GetRxAvailable())
      s->Notify(TCP_NOTIFY_READABLE);
  }
  m_tcp->Poke();
}

void HalfcloseTcpSocket::Notify(int what) {
  if (!m_conn)
    return;
  tcp_conn_info i;
  tcp_conn_info_get(m_conn, &i);
  switch (what) {
  case TCP_NOTIFY_CONNECTED:
    m_connected = true;
    NotifyConnectionSucceeded();
    break;
  case TCP_NOTIFY_READABLE:
    if (i.bytes_received > i.bytes_read && !m_shutRecv)
      NotifyDataRecv();
    /* ns-3's convention: the normal close when the peer's FIN is in */
    if (i.fin_received && !m_closeNotified && !i.error) {
      m_closeNotified = true;
      NotifyNormalClose();
    }
    break;
  case TCP_NOTIFY_WRITABLE:
    NotifySend(GetTxAvailable());
    break;
  case TCP_NOTIFY_CLOSED:
    if (!m_closeNotified) {
      m_closeNotified = true;
      NotifyNormalClose();
    }
    m_tcp->Release(this); /* the connection is over */
    break;
  case TCP_NOTIFY_ERROR: {
    int e = tcp_conn_error(m_conn);
    m_errno = e == TCP_ERR_RESET || e == TCP_ERR_PIPE
                  ? Socket::ERROR_SHUTDOWN
                  : Socket::ERROR_NOROUTETOHOST;
    if (!m_connected)
      NotifyConnectionFailed();
    else /* also after the normal close was told */
      NotifyErrorClose();
    m_tcp->Release(this); /* the application may still read what is left */
    break;
  }
  default:
    break;
  }
  m_tcp->Poke();
}

Socket::SocketErrno HalfcloseTcpSocket::GetErrno() const {
  return m_errno;
}

Socket::SocketType HalfcloseTcpSocket::GetSocketType() const {
  return Socket::NS3_SOCK_STREAM;
}

Ptr<Node> HalfcloseTcpSocket::GetNode() const {
  return m_tcp ? m_tcp->GetObject<Node>() : nullptr;
}

int HalfcloseTcpSocket::Bind(const Address &address) {
  if (!InetSocketAddress::IsMatchingType(address)) {
    m_errno = Socket::ERROR_INVAL;
    return -1;
  }
  m_port = InetSocketAddress::ConvertFrom(address).GetPort();
  return 0;
}

int HalfcloseTcpSocket::Bind() {
  m_port = 0; /* an ephemeral port at Connect */
  return 0;
}

int HalfcloseTcpSocket::Bind6() {
  m_errno = Socket::ERROR_AFNOSUPPORT;
  return -1;
}

int HalfcloseTcpSocket::Close() {
  if (m_listening) {
    tcp_host_unlisten(m_tcp->Host(), m_port, m_tcp->Now());
    m_tcp->Unlistening(m_port);
    m_listening = false;
    m_state = TcpSocket::CLOSED;
  }
  if (m_conn) {
    tcp_conn_set_user(m_conn, nullptr);
    if (m_abortOnClose) /* the handle ends here, either way */
      tcp_conn_abort(m_conn, m_tcp->Now());
    else
      tcp_conn_close(m_conn, m_tcp->Now());
    m_conn = nullptr;
  }
  m_tcp->Release(this);
  m_tcp->Poke();
  return 0;
}

int HalfcloseTcpSocket::ShutdownSend() {
  if (!m_conn) {
    m_errno = Socket::ERROR_NOTCONN;
    return -1;
  }
  tcp_conn_shutdown(m_conn, m_tcp->Now());
  m_tcp->Poke();
  return 0;
}

int HalfcloseTcpSocket::ShutdownRecv() {
  m_shutRecv = true;
  return 0;
}

int HalfcloseTcpSocket::Connect(const Address &address) {
  if (!InetSocketAddress::IsMatchingType(address) || m_conn) {
    m_errno = m_conn ? Socket::ERROR_ISCONN : Socket::ERROR_INVAL;
    return -1;
  }
  InetSocketAddress to = InetSocketAddress::ConvertFrom(address);
  tcp_conn *c;
  if (tcp_host_connect(m_tcp->Host(), &c, m_port, to.GetIpv4().Get(),
                       to.GetPort(), m_tcp->Now()) != 0) {
    m_errno = Socket::ERROR_ADDRINUSE;
    return -1;
  }
  m_conn = c;
  m_tcp->Register(c, this);
  m_tcp->Hold(this);
  m_tcp->Poke();
  return 0;
}

int HalfcloseTcpSocket::Listen() {
  if (tcp_host_listen(m_tcp->Host(), m_port, 64, m_tcp->Now()) != 0) {
    m_errno = Socket::ERROR_ADDRINUSE;
    return -1;
  }
  m_listening = true;
  m_state = TcpSocket::LISTEN;
  m_tcp->Listening(m_port, this);
  m_tcp->Hold(this);
  return 0;
}

uint32_t HalfcloseTcpSocket::GetTxAvailable() const {
  if (!m_conn)
    return 0;
  uint64_t n = tcp_conn_send_space(m_conn);
  return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

int HalfcloseTcpSocket::Send(Ptr<Packet> p, uint32_t flags) {
  (void)flags;
  if (!m_conn) {
    m_errno = Socket::ERROR_NOTCONN;
    return -1;
  }
  /* what the model takes, as a write(2) to the stack: part of it, or none
   * when the buffer is full (-1, ERROR_MSGSIZE, as ns-3's TCP says it) - a
   * Linux-like buffer may take more than GetTxAvailable() said */
  int64_t r = tcp_conn_send(m_conn, p->GetSize(), m_tcp->Now());
  m_tcp->Poke();
  if (r <= 0) {
    m_errno = r == 0 ? Socket::ERROR_MSGSIZE : Socket::ERROR_SHUTDOWN;
    return -1;
  }
  Simulator::ScheduleNow(&HalfcloseTcpSocket::DataSent,
                         Ptr<HalfcloseTcpSocket>(this), (uint32_t)r);
  return (int)r;
}

int HalfcloseTcpSocket::SendTo(Ptr<Packet> p, uint32_t flags,
                               const Address &to) {
  (void)to;
  return Send(p, flags);
}

uint32_t HalfcloseTcpSocket::GetRxAvailable() const {
  if (!m_conn)
    return 0;
  tcp_conn_info i;
  tcp_conn_info_get(m_conn, &i);
  uint64_t n = i.bytes_received - i.bytes_read;
  return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

/* ns-3's convention: data, an empty packet at the end of the stream, or
 * null with the errno: ERROR_AGAIN when nothing is there yet,
 * ERROR_SHUTDOWN when a reset ended the connection (its unread data gone
 * as the profile's stack discards it). Every read reaches the model, which
 * traces it, as a read(2) reaches a kernel. */
Ptr<Packet> HalfcloseTcpSocket::Recv(uint32_t maxSize, uint32_t flags) {
  (void)flags;
  if (!m_conn || m_shutRecv || maxSize == 0) {
    m_errno = m_conn ? Socket::ERROR_AGAIN : Socket::ERROR_NOTCONN;
    return nullptr;
  }
  uint32_t n = std::min(maxSize, std::max(GetRxAvailable(), 1u));
  int64_t r = tcp_conn_recv(m_conn, nullptr, n, m_tcp->Now());
  m_lastRecv = r;
  m_tcp->Poke();
  if (r > 0) /* zeros, as ns-3's applications send them */
    return Create<Packet>((uint32_t)r);
  if (r == 0)
    return Create<Packet>();
  m_errno =
      r == TCP_ERR_WOULDBLOCK ? Socket::ERROR_AGAIN : Socket::ERROR_SHUTDOWN;
  return nullptr;
}

Ptr<Packet> HalfcloseTcpSocket::RecvFrom(uint32_t maxSize, uint32_t flags,
                                         Address &fromAddress) {
  Ptr<Packet> p = Recv(maxSize, flags);
  if (p)
    GetPeerName(fromAddress);
  return p;
}

int HalfcloseTcpSocket::GetSockName(Address &address) const {
  if (!m_conn) {
    address = InetSocketAddress(Ipv4Address::GetAny(), m_port);
    return 0;
  }
  tcp_conn_info i;
  tcp_conn_info_get(m_conn, &i);
  address = InetSocketAddress(Ipv4Address(i.laddr), i.lport);
  return 0;
}

int HalfcloseTcpSocket::GetPeerName(Address &address) const {
  if (!m_conn) {
    m_errno = Socket::ERROR_NOTCONN;
    return -1;
  }
  tcp_conn_info i;
  tcp_conn_info_get(m_conn, &i);
  address = InetSocketAddress(Ipv4Address(i.raddr), i.rport);
  return 0;
}

bool HalfcloseTcpSocket::SetAllowBroadcast(bool allowBroadcast) {
  return !allowBroadcast;
}

bool HalfcloseTcpSocket::GetAllowBroadcast() const {
  return false;
}

} // namespace ns3
