/*
 * path.cc - the model's two ends across a chain of routers, on ns-3's
 * internet stack, with queue discs at the routers and cross traffic
 * sharing the links between them (ns3c.h, "a path of routers").
 *
 * The network is built once per conversation into a fresh simulation, so
 * nothing of one conversation (a queue disc's averages, a cross flow's
 * window, PIE's periodic timer) reaches the next, and a conversation's
 * outcome depends on its parameters and streams alone.
 *
 * The conversation's datagrams are counted wherever they go: sent and
 * delivered at the ends' devices, and lost or dropped at any router's
 * device, queue disc or IPv4 layer - told from the cross traffic by their
 * addresses - so the conversation knows when nothing of its own is in
 * flight although the routers are never idle.
 */
#include "ns3c_internal.h"

#include <ns3/applications-module.h>
#include <ns3/internet-module.h>
#include <ns3/traffic-control-module.h>

#include "ns3/halfclose-tcp.h"

using namespace ns3;

namespace {

const uint32_t CLIENT = 0x0a000001u;    /* 10.0.0.1 */
const uint32_t SERVER = 0x0a000002u;    /* 10.0.0.2 */
const uint32_t CROSS_SRC = 0x0a020001u; /* 10.2.0.1, behind R1 */
const uint32_t CROSS_DST = 0x0a030001u; /* 10.3.0.1, behind Rn */
const uint16_t CROSS_PORT = 5000;       /* flow f listens on 5000 + f */

} // namespace

struct ns3c_path {
  ns3c_link *view; /* the ends' devices and the conversation's counters */
  std::vector<Ptr<QueueDisc>> qdiscs;
  std::vector<Ptr<PacketSink>> sinks;
  uint64_t conv_qdisc_drops = 0;
};

void ns3c_path_free(ns3c_path *p) {
  delete p;
}

/* The conversation's direction of a datagram: 0 from the client to the
 * server, 1 back, -1 not the conversation's. */
static int dir_of(const Ipv4Header &h) {
  uint32_t s = h.GetSource().Get(), d = h.GetDestination().Get();
  if (s == CLIENT && d == SERVER)
    return 0;
  if (s == SERVER && d == CLIENT)
    return 1;
  return -1;
}

/* ... of a frame as a point-to-point device holds it (a PPP header, then
 * the datagram) */
static int dir_of_frame(Ptr<const Packet> p) {
  Ptr<Packet> q = p->Copy();
  PppHeader ppp;
  Ipv4Header h;
  if (q->RemoveHeader(ppp) == 0 || q->PeekHeader(h) == 0)
    return -1;
  return dir_of(h);
}

/* ---- the routers: the conversation's datagrams among the others ---- */

static void router_lost(ns3c_path *p, Ptr<const Packet> pkt) {
  int d = dir_of_frame(pkt);
  if (d >= 0)
    p->view->Lost(1 - d, pkt);
}

static void router_qdrop(ns3c_path *p, Ptr<const Packet> pkt) {
  int d = dir_of_frame(pkt);
  if (d >= 0)
    p->view->QueueDrop(d, pkt);
}

static void qdisc_drop(ns3c_path *p, Ptr<const QueueDiscItem> item) {
  Ptr<const Ipv4QueueDiscItem> ip = DynamicCast<const Ipv4QueueDiscItem>(item);
  int d = ip ? dir_of(ip->GetHeader()) : -1;
  if (d < 0)
    return;
  p->conv_qdisc_drops++;
  p->view->QueueDrop(d, item->GetPacket());
}

static void ip_drop(ns3c_path *p, const Ipv4Header &h, Ptr<const Packet> pkt,
                    Ipv4L3Protocol::DropReason, Ptr<Ipv4>, uint32_t) {
  int d = dir_of(h);
  if (d >= 0)
    p->view->QueueDrop(d, pkt);
}

/* ---- building ---- */

/* A point-to-point link between a and b (the helper gives each device
 * the flow control a queue disc needs), with loss at both receivers from
 * streams `stream` and `stream` + 1. */
static NetDeviceContainer join(Ptr<Node> a, Ptr<Node> b, uint64_t rate,
                               uint64_t delay, uint32_t qa, uint32_t qb,
                               uint32_t mtu, double loss, int64_t stream) {
  PointToPointHelper h;
  h.SetDeviceAttribute("DataRate", DataRateValue(DataRate(rate)));
  h.SetDeviceAttribute("Mtu", UintegerValue(mtu));
  h.SetChannelAttribute("Delay", TimeValue(NanoSeconds(delay)));
  NetDeviceContainer d = h.Install(a, b);
  uint32_t q[2] = {qa, qb};
  for (uint32_t i = 0; i < 2; i++) {
    Ptr<PointToPointNetDevice> dev =
        DynamicCast<PointToPointNetDevice>(d.Get(i));
    dev->GetQueue()->SetMaxSize(QueueSize(QueueSizeUnit::PACKETS, q[i]));
    if (loss > 0) {
      Ptr<UniformRandomVariable> rv = CreateObject<UniformRandomVariable>();
      rv->SetStream(stream + i);
      Ptr<RateErrorModel> em = CreateObject<RateErrorModel>();
      em->SetUnit(RateErrorModel::ERROR_UNIT_PACKET);
      em->SetRandomVariable(rv);
      em->SetRate(loss);
      dev->SetReceiveErrorModel(em);
    }
  }
  return d;
}

static Ptr<Ipv4StaticRouting> routing(Ptr<Node> n) {
  Ipv4StaticRoutingHelper h;
  return h.GetStaticRouting(n->GetObject<Ipv4>());
}

static const char *qdisc_type(int q) {
  switch (q) {
  case NS3C_QDISC_FIFO:
    return "ns3::FifoQueueDisc";
  case NS3C_QDISC_RED:
    return "ns3::RedQueueDisc";
  case NS3C_QDISC_CODEL:
    return "ns3::CoDelQueueDisc";
  case NS3C_QDISC_FQ_CODEL:
    return "ns3::FqCoDelQueueDisc";
  case NS3C_QDISC_PIE:
    return "ns3::PieQueueDisc";
  }
  return nullptr;
}

static int check(const ns3c_path_config *c) {
  int rv = ns3c_link_check(&c->access);
  if (rv)
    return rv;
  if (c->access.mtu < 576)
    return ns3c_fail(NS3C_ERR_INVAL, "a path needs an MTU of 576 or more");
  if (c->routers < 1 || c->routers > 8)
    return ns3c_fail(NS3C_ERR_INVAL, "a path has 1 to 8 routers");
  if (c->core_rate_bps == 0)
    return ns3c_fail(NS3C_ERR_INVAL, "the core links' rate must be > 0");
  if (!(c->core_loss >= 0.0 && c->core_loss < 1.0))
    return ns3c_fail(NS3C_ERR_INVAL, "core loss must be within [0, 1)");
  if (!qdisc_type(c->qdisc))
    return ns3c_fail(NS3C_ERR_INVAL, "unknown queue disc");
  if (c->qdisc_packets == 0)
    return ns3c_fail(NS3C_ERR_INVAL, "a queue disc holds at least a packet");
  if (c->cross_flows > 64)
    return ns3c_fail(NS3C_ERR_INVAL, "at most 64 cross flows");
  if (c->cross_flows && c->routers < 2)
    return ns3c_fail(NS3C_ERR_INVAL,
                     "cross traffic shares the links between routers: it "
                     "needs 2 routers or more");
  if (c->cross_flows && c->cross_onoff &&
      (c->cross_rate_bps == 0 || c->cross_on_ns == 0))
    return ns3c_fail(NS3C_ERR_INVAL,
                     "on/off cross traffic needs a rate and an on time > 0");
  return NS3C_OK;
}

/* ns-3's TCP for the cross traffic: its own defaults, set each time, so
 * the flows do not take what a conversation on ns-3's TCP set before
 * (tcp_socket.cc sets these for its own sockets) */
static void ns3_tcp_defaults(uint32_t mtu) {
  Config::SetDefault("ns3::TcpSocket::SegmentSize",
                     UintegerValue(mtu - 40 - 12)); /* and timestamps */
  Config::SetDefault("ns3::TcpSocket::DelAckTimeout",
                     TimeValue(MilliSeconds(200)));
  Config::SetDefault("ns3::TcpSocket::DelAckCount", UintegerValue(2));
  Config::SetDefault("ns3::TcpSocketBase::Timestamp", BooleanValue(true));
  Config::SetDefault("ns3::TcpSocketBase::Sack", BooleanValue(true));
  Config::SetDefault("ns3::TcpSocketBase::WindowScaling", BooleanValue(true));
  Config::SetDefault("ns3::TcpSocketBase::MaxSegLifetime", DoubleValue(120));
}

static void build(ns3c_sim *s, const ns3c_path_config *c, ns3c_path *p,
                  Ptr<Node> end[2]) {
  const uint32_t n = c->routers;
  const int64_t stream = (int64_t)c->access.stream;
  NodeContainer routers;
  routers.Create(n);
  Ptr<Node> cross[2];
  for (int i = 0; i < 2; i++)
    end[i] = CreateObject<Node>();

  InternetStackHelper model, plain;
  model.SetTcp("ns3::HalfcloseTcpL4Protocol");
  model.Install(NodeContainer(end[0], end[1]));
  plain.Install(routers);
  if (c->cross_flows) {
    for (int i = 0; i < 2; i++)
      cross[i] = CreateObject<Node>();
    InternetStackHelper cs;
    if (c->cross_profile && c->cross_profile[0]) {
      TypeId t = HalfcloseTcpL4Protocol::GetTypeId();
      struct TypeId::AttributeInformation info;
      t.LookupAttributeByName("Profile", &info);
      Config::SetDefault("ns3::HalfcloseTcpL4Protocol::Profile",
                         StringValue(c->cross_profile));
      cs.SetTcp("ns3::HalfcloseTcpL4Protocol");
      cs.Install(NodeContainer(cross[0], cross[1]));
      /* back to what it was: the default is read at each install */
      Config::SetDefault("ns3::HalfcloseTcpL4Protocol::Profile",
                         *info.initialValue);
    } else {
      ns3_tcp_defaults(c->access.mtu);
      cs.Install(NodeContainer(cross[0], cross[1]));
    }
  }

  /* the chain: link 0 client-R1, links 1..n-1 between routers, link n
   * Rn-server; the ends' devices queue [link]'s packets, a router's one
   * (its queue disc holds the backlog) */
  const ns3c_link_config &a = c->access;
  std::vector<NetDeviceContainer> links;
  for (uint32_t k = 0; k <= n; k++) {
    Ptr<Node> left = k == 0 ? end[0] : routers.Get(k - 1);
    Ptr<Node> right = k == n ? end[1] : routers.Get(k);
    bool core = k > 0 && k < n;
    links.push_back(join(left, right, core ? c->core_rate_bps : a.rate_bps,
                         core ? c->core_delay_ns : a.delay_ns,
                         k == 0 ? a.queue_packets : 1,
                         k == n ? a.queue_packets : 1, a.mtu,
                         core ? c->core_loss : a.loss, stream + 2 * k));
  }
  NetDeviceContainer crossLinks[2];
  if (c->cross_flows) {
    /* as an end's access link, without loss */
    crossLinks[0] = join(cross[0], routers.Get(0), a.rate_bps, a.delay_ns,
                         a.queue_packets, 1, a.mtu, 0, 0);
    crossLinks[1] = join(routers.Get(n - 1), cross[1], a.rate_bps, a.delay_ns,
                         1, a.queue_packets, a.mtu, 0, 0);
  }

  /* a queue disc on every router device, before any address (an address
   * given by a helper would install the default one) */
  TrafficControlHelper tch;
  QueueSizeValue limit(QueueSize(QueueSizeUnit::PACKETS, c->qdisc_packets));
  NetDeviceContainer routerDevs;
  for (uint32_t k = 0; k <= n; k++) {
    if (k > 0)
      routerDevs.Add(links[k].Get(0));
    if (k < n)
      routerDevs.Add(links[k].Get(1));
  }
  if (c->cross_flows) {
    routerDevs.Add(crossLinks[0].Get(1));
    routerDevs.Add(crossLinks[1].Get(0));
  }
  if (c->qdisc == NS3C_QDISC_RED) {
    /* RED's thresholds at a fifth and three fifths of its limit
     * (assumed; ns-3's 5 and 15 packets fit only its 25-packet default) */
    double lim = (double)c->qdisc_packets;
    tch.SetRootQueueDisc("ns3::RedQueueDisc", "MaxSize", limit, "MinTh",
                         DoubleValue(std::max(1.0, lim / 5)), "MaxTh",
                         DoubleValue(std::max(2.0, 3 * lim / 5)),
                         "LinkBandwidth",
                         DataRateValue(DataRate(c->core_rate_bps)), "LinkDelay",
                         TimeValue(NanoSeconds(c->core_delay_ns)));
  } else {
    tch.SetRootQueueDisc(qdisc_type(c->qdisc), "MaxSize", limit);
  }
  QueueDiscContainer qd = tch.Install(routerDevs);
  int64_t qs = stream + 2 * (int64_t)(n + 1);
  for (uint32_t i = 0; i < qd.GetN(); i++) {
    Ptr<QueueDisc> q = qd.Get(i);
    p->qdiscs.push_back(q);
    if (Ptr<RedQueueDisc> red = DynamicCast<RedQueueDisc>(q))
      qs += red->AssignStreams(qs);
    else if (Ptr<PieQueueDisc> pie = DynamicCast<PieQueueDisc>(q))
      qs += pie->AssignStreams(qs);
    q->TraceConnectWithoutContext("Drop", MakeBoundCallback(&qdisc_drop, p));
  }

  /* addresses: the ends 10.0.0.1 and 10.0.0.2 (the conversation's), link
   * k's routers 10.1.k.1 and .2, the cross nodes 10.2.0.1 and 10.3.0.1 */
  ns3c_address(links[0].Get(0), CLIENT);
  ns3c_address(links[n].Get(1), SERVER);
  std::vector<uint32_t> left(n), right(n); /* each router's interfaces */
  for (uint32_t k = 0; k <= n; k++) {
    if (k < n) /* router k's side of link k, toward the client */
      left[k] = ns3c_address(links[k].Get(1), 0x0a010002u | k << 8);
    if (k > 0) /* router k - 1's side of link k, toward the server */
      right[k - 1] = ns3c_address(links[k].Get(0), 0x0a010001u | k << 8);
  }
  for (int i = 0; i < 2; i++)
    routing(end[i])->SetDefaultRoute(
        Ipv4Address(i ? 0x0a010001u | n << 8 : 0x0a010002u), 1);
  uint32_t xif = 0, yif = 0;
  if (c->cross_flows) {
    ns3c_address(crossLinks[0].Get(0), CROSS_SRC);
    xif = ns3c_address(crossLinks[0].Get(1), 0x0a020002u);
    yif = ns3c_address(crossLinks[1].Get(0), 0x0a030002u);
    ns3c_address(crossLinks[1].Get(1), CROSS_DST);
    routing(cross[0])->SetDefaultRoute(Ipv4Address(0x0a020002u), 1);
    routing(cross[1])->SetDefaultRoute(Ipv4Address(0x0a030002u), 1);
  }
  for (uint32_t k = 0; k < n; k++) {
    Ptr<Ipv4StaticRouting> r = routing(routers.Get(k));
    r->AddHostRouteTo(Ipv4Address(CLIENT), left[k]);
    r->AddHostRouteTo(Ipv4Address(SERVER), right[k]);
    if (c->cross_flows) {
      r->AddHostRouteTo(Ipv4Address(CROSS_SRC), k == 0 ? xif : left[k]);
      r->AddHostRouteTo(Ipv4Address(CROSS_DST), k == n - 1 ? yif : right[k]);
    }
  }

  /* the conversation's datagrams, wherever they go: at the ends' devices
   * (every frame there is the conversation's) as on any internet link -
   * the view is a link of the two devices - and at the routers, told
   * from the cross traffic by their addresses */
  Ptr<NetDevice> endDev[2] = {links[0].Get(0), links[n].Get(1)};
  ns3c_link *v = new ns3c_link();
  v->sim = s;
  v->internet = true;
  v->cfg = a;
  p->view = v;
  s->links.push_back(v);
  for (int i = 0; i < 2; i++) {
    v->node[i] = end[i];
    v->dev[i] = DynamicCast<PointToPointNetDevice>(endDev[i]);
    v->Watch(i);
    v->WatchTc(i);
  }
  for (uint32_t i = 0; i < routerDevs.GetN(); i++) {
    routerDevs.Get(i)->TraceConnectWithoutContext(
        "PhyRxDrop", MakeBoundCallback(&router_lost, p));
    routerDevs.Get(i)->TraceConnectWithoutContext(
        "MacTxDrop", MakeBoundCallback(&router_qdrop, p));
  }
  for (uint32_t k = 0; k < n; k++)
    routers.Get(k)->GetObject<Ipv4L3Protocol>()->TraceConnectWithoutContext(
        "Drop", MakeBoundCallback(&ip_drop, p));

  /* the cross traffic: flow f from 10.2.0.1 to 10.3.0.1 port 5000 + f,
   * all from time 0 */
  int64_t fs = stream + 64;
  for (uint32_t f = 0; f < c->cross_flows; f++) {
    uint16_t port = (uint16_t)(CROSS_PORT + f);
    PacketSinkHelper sink("ns3::TcpSocketFactory",
                          InetSocketAddress(Ipv4Address::GetAny(), port));
    ApplicationContainer sa = sink.Install(cross[1]);
    p->sinks.push_back(DynamicCast<PacketSink>(sa.Get(0)));
    InetSocketAddress to(Ipv4Address(CROSS_DST), port);
    if (c->cross_onoff) {
      OnOffHelper oo("ns3::TcpSocketFactory", to);
      oo.SetConstantRate(DataRate(c->cross_rate_bps), a.mtu - 52);
      std::ostringstream on, off;
      on << "ns3::ExponentialRandomVariable[Mean="
         << (double)c->cross_on_ns / 1e9 << "]";
      off << "ns3::ExponentialRandomVariable[Mean="
          << (double)c->cross_off_ns / 1e9 << "]";
      oo.SetAttribute("OnTime", StringValue(on.str()));
      oo.SetAttribute("OffTime", StringValue(c->cross_off_ns
                                                 ? off.str()
                                                 : "ns3::ConstantRandomVariable"
                                                   "[Constant=0]"));
      ApplicationContainer app = oo.Install(cross[0]);
      DynamicCast<OnOffApplication>(app.Get(0))->AssignStreams(fs + 2 * f);
    } else {
      BulkSendHelper bulk("ns3::TcpSocketFactory", to);
      bulk.SetAttribute("SendSize", UintegerValue(a.mtu - 52));
      bulk.Install(cross[0]);
    }
  }

  /* built outside Simulator::Run: initialize now (the traffic control
   * layers learn their devices here) */
  for (NodeList::Iterator it = NodeList::Begin(); it != NodeList::End(); ++it)
    if (!(*it)->IsInitialized())
      (*it)->Initialize();
}

extern "C" int ns3c_pathnet_new(ns3c_sim *s, const ns3c_path_config *cfg,
                                ns3c_tcpnet **out) {
  if (!s || !cfg || !out)
    return ns3c_fail(NS3C_ERR_INVAL, "no simulation or no configuration");
  if (s->pathnet || s->tcpnet || s->modelnet)
    return ns3c_fail(NS3C_ERR_INVAL, "a path needs a simulation of its own");
  int rv = check(cfg);
  if (rv)
    return rv;
  GUARD_BEGIN
  GlobalValue::Bind("ChecksumEnabled", BooleanValue(true));
  ns3c_path *p = new ns3c_path();
  Ptr<Node> end[2];
  try {
    build(s, cfg, p, end);
  } catch (...) {
    delete p;
    throw;
  }
  ns3c_tcpnet *n = new ns3c_tcpnet();
  n->link = p->view;
  n->model = true;
  n->next_port = 1000;
  n->path = p;
  s->pathnet = n;
  *out = n;
  return NS3C_OK;
  GUARD_END
}

extern "C" void ns3c_pathnet_stats(const ns3c_tcpnet *n, ns3c_path_stats *out) {
  *out = ns3c_path_stats{};
  if (!n || !n->path)
    return;
  for (const Ptr<QueueDisc> &q : n->path->qdiscs) {
    const QueueDisc::Stats &st = q->GetStats();
    out->qdisc_packets += st.nTotalReceivedPackets;
    out->qdisc_drops += st.nTotalDroppedPackets;
  }
  out->conv_qdisc_drops = n->path->conv_qdisc_drops;
  for (const Ptr<PacketSink> &k : n->path->sinks)
    out->cross_bytes += k->GetTotalRx();
}
