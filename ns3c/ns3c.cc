/*
 * ns3c.cc - the C API of ns3c.h, in C++ over libns3.
 *
 * Every extern "C" function catches every exception and turns it into
 * NS3C_ERR_NS3 with the message kept in a thread-local buffer (the way
 * LevelDB's c.cc funnels errors through one place). ns-3 itself mostly
 * aborts rather than throws; the wrapper checks arguments first so that a
 * caller's mistake is an error return, not an abort inside ns-3.
 *
 * Scheduled C callbacks are ns-3 events that call a trampoline; handles
 * name reusable slots (index and generation) that hold the pending
 * events, so ns3c_cancel of a finished event is a cheap no-op and no event
 * costs an allocation of the wrapper's.
 */
#include "ns3c_internal.h"

#include <ns3/internet-module.h>
#include <ns3/traffic-control-module.h>

#include <algorithm>
#include <cerrno>
#include <iterator>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <exception>
#include <string>
#include <vector>

using namespace ns3;

static thread_local std::string last_error;

int ns3c_fail(int rv, const std::string &msg) {
  last_error = msg;
  return rv;
}

static bool sim_alive = false;

extern "C" const char *ns3c_strerror(int rv) {
  switch (rv) {
  case NS3C_OK:
    return "success";
  case NS3C_ERR_INVAL:
    return "invalid argument";
  case NS3C_ERR_NS3:
    return "ns-3 error";
  case NS3C_ERR_NOMEM:
    return "out of memory";
  case NS3C_ERR_IO:
    return "cannot write file";
  case NS3C_ERR_BUSY:
    return "a simulation already exists";
  case NS3C_ERR_FULL:
    return "device queue full";
  case NS3C_ERR_AGAIN:
    return "nothing to read yet";
  case NS3C_ERR_CLOSED:
    return "the connection failed";
  }
  return "unknown error";
}

extern "C" const char *ns3c_last_error(void) {
  return last_error.c_str();
}

/* ns-3 takes the simulator's kind from a global value when the first
 * event is scheduled: each new simulation sets it, so a simulation after a
 * real-time one in the same process is not real-time (it was). */
int ns3c_sim_create(ns3c_sim **out, uint32_t seed, uint64_t run,
                    bool realtime) {
  if (!out || seed == 0)
    return ns3c_fail(NS3C_ERR_INVAL, "seed must be >= 1");
  if (sim_alive)
    return ns3c_fail(NS3C_ERR_BUSY, "one simulation per process");
  GUARD_BEGIN
  GlobalValue::Bind("SimulatorImplementationType",
                    StringValue(realtime ? "ns3::RealtimeSimulatorImpl"
                                         : "ns3::DefaultSimulatorImpl"));
  if (realtime) /* a kernel checks them */
    GlobalValue::Bind("ChecksumEnabled", BooleanValue(true));
  RngSeedManager::SetSeed(seed);
  RngSeedManager::SetRun(run);
  ns3c_sim *s = new ns3c_sim();
  s->events = 0;
  s->tcpnet = nullptr;
  s->modelnet = nullptr;
  s->pathnet = nullptr;
  s->realtime = realtime;
  sim_alive = true;
  *out = s;
  return NS3C_OK;
  GUARD_END
}

extern "C" int ns3c_sim_new(ns3c_sim **out, uint32_t seed, uint64_t run) {
  return ns3c_sim_create(out, seed, run, false);
}

extern "C" void ns3c_sim_free(ns3c_sim *s) {
  if (!s)
    return;
  try {
    ns3c_tcpnet_free(s->tcpnet);
    ns3c_tcpnet_free(s->modelnet);
    ns3c_tcpnet_free(s->pathnet);
    for (ns3c_link *l : s->links)
      delete l;
    s->clock = nullptr;
    Simulator::Destroy();
  } catch (...) {
  }
  delete s;
  sim_alive = false;
}

extern "C" uint64_t ns3c_now(const ns3c_sim *s) {
  (void)s;
  return (uint64_t)Simulator::Now().GetNanoSeconds();
}

/* Handles: a slot's index + 1 in the low 32 bits and its generation in the
 * high ones, so a handle of an event that ran or was cancelled matches no
 * live slot. No allocation per event (the slots are reused). */
static ns3c_sim::Slot *slot_of(ns3c_sim *s, uint64_t id) {
  uint64_t i = (id & 0xffffffffu) - 1;
  if (i >= s->slots.size())
    return nullptr;
  ns3c_sim::Slot *sl = &s->slots[i];
  return sl->live && sl->gen == (uint32_t)(id >> 32) ? sl : nullptr;
}

static void release(ns3c_sim *s, ns3c_sim::Slot *sl) {
  sl->live = false;
  sl->gen++;
  s->free_slots.push_back((uint32_t)(sl - s->slots.data()));
}

static void trampoline(ns3c_sim *s, ns3c_fn fn, void *arg, uint64_t id) {
  ns3c_sim::Slot *sl = slot_of(s, id);
  if (sl)
    release(s, sl);
  s->events++;
  fn(arg);
}

extern "C" int ns3c_schedule(ns3c_sim *s, uint64_t at_ns, ns3c_fn fn, void *arg,
                             uint64_t *id) {
  if (!s || !fn)
    return ns3c_fail(NS3C_ERR_INVAL, "no simulation or no function");
  uint64_t now = ns3c_now(s);
  if (at_ns < now)
    return ns3c_fail(NS3C_ERR_INVAL, "event scheduled in the past");
  GUARD_BEGIN
  if (s->free_slots.empty()) {
    s->slots.emplace_back();
    s->free_slots.push_back((uint32_t)(s->slots.size() - 1));
  }
  uint32_t i = s->free_slots.back();
  s->free_slots.pop_back();
  ns3c_sim::Slot &sl = s->slots[i];
  uint64_t handle = (uint64_t)sl.gen << 32 | (uint64_t)(i + 1);
  sl.live = true;
  sl.ev = Simulator::Schedule(NanoSeconds(at_ns - now), &trampoline, s, fn, arg,
                              handle);
  if (id)
    *id = handle;
  return NS3C_OK;
  GUARD_END
}

extern "C" int ns3c_cancel(ns3c_sim *s, uint64_t id) {
  if (!s)
    return ns3c_fail(NS3C_ERR_INVAL, "no simulation");
  ns3c_sim::Slot *sl = slot_of(s, id);
  if (!sl)
    return NS3C_OK;
  GUARD_BEGIN
  Simulator::Remove(sl->ev); /* out of the queue: the clock does not
                                advance to a cancelled event */
  release(s, sl);
  return NS3C_OK;
  GUARD_END
}

extern "C" int ns3c_run(ns3c_sim *s) {
  if (!s)
    return ns3c_fail(NS3C_ERR_INVAL, "no simulation");
  GUARD_BEGIN
  Simulator::Run();
  return NS3C_OK;
  GUARD_END
}

extern "C" void ns3c_stop(ns3c_sim *s) {
  (void)s;
  Simulator::Stop();
}

extern "C" uint64_t ns3c_events(const ns3c_sim *s) {
  return s->events;
}

/* ---------------------------------------------------------------------------
 * Links
 */

static void ns3c_link_lost_cb(ns3c_link *l, int i, Ptr<const Packet> p) {
  l->Lost(i, p);
}

static void ns3c_link_qdrop_cb(ns3c_link *l, int i, Ptr<const Packet> p) {
  l->QueueDrop(i, p);
}

int ns3c_link_check(const ns3c_link_config *c) {
  if (!c)
    return ns3c_fail(NS3C_ERR_INVAL, "no link configuration");
  if (c->rate_bps == 0)
    return ns3c_fail(NS3C_ERR_INVAL, "link rate must be > 0");
  if (c->queue_packets == 0)
    return ns3c_fail(NS3C_ERR_INVAL, "queue must hold at least one packet");
  if (c->mtu < 68 || c->mtu > 65535)
    return ns3c_fail(NS3C_ERR_INVAL, "MTU must be within 68..65535");
  if (!(c->loss >= 0.0 && c->loss < 1.0))
    return ns3c_fail(NS3C_ERR_INVAL, "loss must be within [0, 1)");
  return NS3C_OK;
}

void ns3c_link::Delivered(int i) {
  stats.delivered[i]++;
}

void ns3c_link::Dropped() {
  if (!dropped || dropped_due)
    return;
  dropped_due = true; /* not from inside a device or a host's output */
  Simulator::ScheduleNow(&ns3c_link::CallDropped, this);
}

void ns3c_link::CallDropped() {
  dropped_due = false;
  if (dropped)
    dropped(dropped_user);
}

void ns3c_link::Lost(int i, Ptr<const Packet> p) {
  (void)p;
  stats.lost[i]++;
  Dropped();
}

void ns3c_link::QueueDrop(int i, Ptr<const Packet> p) {
  (void)p;
  stats.queue_drops[i]++;
  Dropped();
}

/* ---- the raw link's transmitters ----
 *
 * As PointToPointNetDevice: Send enqueues (a full queue drops: MacTxDrop);
 * an idle transmitter starts at once; starting sniffs the frame (the pcap
 * of node 0) and schedules, in this order, its own completion after the
 * frame's transmission time (the datagram and the 2-byte PPP header at the
 * rate) and - as PointToPointChannel - the arrival at the other end one
 * propagation delay later (ScheduleWithContext, the receiving node's id);
 * completion starts the next waiting frame. The arrival draws the
 * receiver's loss as RateErrorModel does with ERROR_UNIT_PACKET (one
 * uniform from the receiver's stream, lost below the rate; none drawn when
 * loss is off), then sniffs and delivers. The same events are scheduled in
 * the same order at the same times, so ns-3 assigns them the same order
 * among equal times, and a conversation's events, captures and outcome are
 * those of ns-3's devices, byte for byte - without an ns-3 packet, header,
 * queue or trace callback per datagram. */

ns3c_link::Frame *ns3c_link::NewFrame(const uint8_t *d, size_t len) {
  Frame *f;
  if (spare.empty()) {
    frames.emplace_back(new Frame());
    f = frames.back().get();
  } else {
    f = spare.back();
    spare.pop_back();
  }
  f->bytes.assign(d, d + len);
  return f;
}

void ns3c_link::Capture(int i, const uint8_t *d, size_t len) {
  if (pcap && i == 0)
    pcap->Write(Simulator::Now() - pcap_t0, Create<Packet>(d, (uint32_t)len));
  if (capture)
    capture(capture_user, i, d, len);
}

/* In real time: the wall clock on the simulation's time line, ns - where
 * the scheduler's clock is, against Now(), where its events are. */
static int64_t ns3c_wall_ns(ns3c_sim *s) {
  if (!s->clock)
    s->clock =
        DynamicCast<RealtimeSimulatorImpl>(Simulator::GetImplementation());
  return s->clock ? s->clock->RealtimeNow().GetNanoSeconds()
                  : Simulator::Now().GetNanoSeconds();
}

extern "C" int64_t ns3c_sim_clock0_ns(ns3c_sim *s) {
  if (!s || !s->realtime)
    return -1;
  /* the scheduler's wall clock is the system clock from its origin; the
   * monotonic clock read either side of it places that origin; the
   * scheduler is looked up first, outside the reads (read between them,
   * an ASan build put a kernel's delayed ACK 4 us before its jiffy, where
   * 344 in regular builds followed theirs by 19-112 us) */
  ns3c_wall_ns(s);
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  int64_t wall = ns3c_wall_ns(s);
  clock_gettime(CLOCK_MONOTONIC, &b);
  int64_t ma = (int64_t)a.tv_sec * 1000000000 + a.tv_nsec,
          mb = (int64_t)b.tv_sec * 1000000000 + b.tv_nsec;
  return ma + (mb - ma) / 2 - wall;
}

void ns3c_link::TransmitStart(int i, Frame *f) {
  tx[i].busy = true;
  Capture(i, f->bytes.data(), f->bytes.size());
  uint32_t bytes = (uint32_t)f->bytes.size() + 2; /* and the PPP header */
  uint32_t slot = (bytes * 2654435761u) >> 26;    /* 64 slots */
  if (txlen[slot] != bytes) {
    txlen[slot] = bytes;
    txtime[slot] = rate.CalculateBytesTxTime(bytes);
  }
  Time t = txtime[slot];
  if (sim->realtime) {
    f->start_ns = Simulator::Now().GetNanoSeconds();
    f->tx_ns = t.GetNanoSeconds();
  }
  Simulator::Schedule(t, &ns3c_link::TransmitComplete, this, i);
  Simulator::ScheduleWithContext(node[1 - i]->GetId(), t + delay,
                                 &ns3c_link::Deliver, this, 1 - i, f);
}

void ns3c_link::TransmitComplete(int i) {
  tx[i].busy = false;
  if (tx[i].waiting.empty())
    return;
  Frame *f = tx[i].waiting.front();
  tx[i].waiting.pop_front();
  TransmitStart(i, f);
}

void ns3c_link::MeasureWall(int i, const Frame *f) {
  int64_t d = ns3c_wall_ns(sim) - f->start_ns - f->tx_ns;
  int64_t off = d - (int64_t)cfg.delay_ns;
  if (stats.wall_n[i] == 0 || d < stats.wall_min_ns[i])
    stats.wall_min_ns[i] = d;
  if (stats.wall_n[i] == 0 || d > stats.wall_max_ns[i])
    stats.wall_max_ns[i] = d;
  stats.wall_n[i]++;
  stats.wall_sum_ns[i] += d;
  if (off > 1000000 || off < -1000000)
    stats.wall_off_1ms[i]++;
}

void ns3c_link::Deliver(int j, Frame *f) {
  if (sim->realtime)
    MeasureWall(1 - j, f);
  if (cfg.loss > 0 && rv[j]->GetValue() < cfg.loss) {
    stats.lost[j]++;
    Dropped();
  } else {
    stats.delivered[j]++; /* first: the capture's reader may ask whether
                             the link is idle */
    if (fd[j])            /* a kernel is on the wall clock: its frame first */
      ToKernel(j, f->bytes.data(), f->bytes.size());
    Capture(j, f->bytes.data(), f->bytes.size());
    if (!fd[j] && recv)
      recv(user, j, f->bytes.data(), f->bytes.size());
  }
  spare.push_back(f);
}

void ns3c_link::Sniff(int i, Ptr<const Packet> p) {
  if (!(pcap && i == 0) && !capture)
    return;
  Ptr<Packet> q = p->Copy();
  PppHeader ppp;
  q->RemoveHeader(ppp);
  if (pcap && i == 0)
    pcap->Write(Simulator::Now() - pcap_t0, q);
  if (capture) {
    uint32_t n = q->GetSize();
    if (buf.size() < n)
      buf.resize(n);
    q->CopyData(buf.data(), n);
    capture(capture_user, i, buf.data(), n);
  }
}

void ns3c_link_apply(ns3c_link *l, const ns3c_link_config *c) {
  for (int i = 0; i < 2; i++) {
    /* a fresh stream position for every configuration: what is lost
     * depends only on (seed, run, stream) and the packets from here on
     * (without loss nothing is drawn, and the position does not matter) */
    if (c->loss > 0)
      l->rv[i]->SetStream((int64_t)(c->stream + (uint64_t)i));
    if (!l->internet)
      continue;
    l->dev[i]->SetDataRate(DataRate(c->rate_bps));
    l->dev[i]->SetMtu((uint16_t)c->mtu);
    l->dev[i]->GetQueue()->SetMaxSize(
        QueueSize(QueueSizeUnit::PACKETS, c->queue_packets));
    l->em[i]->SetRate(c->loss);
    if (c->loss > 0)
      l->em[i]->Enable();
    else
      l->em[i]->Disable();
  }
  if (l->internet)
    l->chan->SetAttribute("Delay", TimeValue(NanoSeconds(c->delay_ns)));
  l->rate = DataRate(c->rate_bps);
  l->delay = NanoSeconds(c->delay_ns);
  std::fill(std::begin(l->txlen), std::end(l->txlen), 0u);
  l->cfg = *c;
  l->stats = ns3c_link_stats{};
}

static void ns3c_link_sniff_cb(ns3c_link *l, int i, Ptr<const Packet> p) {
  l->Sniff(i, p);
}

static void ns3c_link_rx_cb(ns3c_link *l, int i, Ptr<const Packet> p) {
  (void)p;
  l->Delivered(i);
}

static void ns3c_link_tx_cb(ns3c_link *l, int i, Ptr<const Packet> p) {
  (void)p;
  l->stats.sent[i]++;
}

/* the traffic-control layer dropped a datagram: with no queue disc, only
 * because the device queue was full - the device's drop, as on a raw link */
static void ns3c_link_tcdrop_cb(ns3c_link *l, int i, Ptr<const Packet> p) {
  l->stats.sent[i]++;
  l->QueueDrop(i, p);
}

void ns3c_link::Watch(int i) {
  dev[i]->TraceConnectWithoutContext(
      "MacTx", MakeBoundCallback(&ns3c_link_tx_cb, this, i));
  dev[i]->TraceConnectWithoutContext(
      "MacRx", MakeBoundCallback(&ns3c_link_rx_cb, this, i));
  dev[i]->TraceConnectWithoutContext(
      "PhyRxDrop", MakeBoundCallback(&ns3c_link_lost_cb, this, i));
  dev[i]->TraceConnectWithoutContext(
      "MacTxDrop", MakeBoundCallback(&ns3c_link_qdrop_cb, this, i));
  dev[i]->TraceConnectWithoutContext(
      "PromiscSniffer", MakeBoundCallback(&ns3c_link_sniff_cb, this, i));
}

void ns3c_link::WatchTc(int i) {
  node[i]->GetObject<TrafficControlLayer>()->TraceConnectWithoutContext(
      "Drop", MakeBoundCallback(&ns3c_link_tcdrop_cb, this, i));
}

uint32_t ns3c_address(Ptr<NetDevice> dev, uint32_t addr) {
  Ptr<Ipv4> ip = dev->GetNode()->GetObject<Ipv4>();
  int32_t k = ip->AddInterface(dev);
  ip->AddAddress(
      k, Ipv4InterfaceAddress(Ipv4Address(addr), Ipv4Mask("255.255.255.0")));
  ip->SetUp(k);
  return (uint32_t)k;
}

ns3c_link *ns3c_link_build(ns3c_sim *s, const ns3c_link_config *cfg,
                           bool internet, const std::string &tcp,
                           bool no_qdisc) {
  ns3c_link *l = new ns3c_link();
  l->sim = s;
  l->internet = internet;
  l->recv = nullptr;
  l->user = nullptr;
  l->capture = nullptr;
  l->capture_user = nullptr;
  for (int i = 0; i < 2; i++) {
    l->node[i] = CreateObject<Node>();
    l->rv[i] = CreateObject<UniformRandomVariable>();
  }
  if (!internet) { /* the transmitters are simulated here (above) */
    ns3c_link_apply(l, cfg);
    s->links.push_back(l);
    return l;
  }
  l->chan = CreateObject<PointToPointChannel>();
  NetDeviceContainer devs;
  for (int i = 0; i < 2; i++) {
    l->dev[i] = CreateObject<PointToPointNetDevice>();
    l->dev[i]->SetAddress(Mac48Address::Allocate());
    l->dev[i]->SetQueue(CreateObject<DropTailQueue<Packet>>());
    l->node[i]->AddDevice(l->dev[i]);
    devs.Add(l->dev[i]);
    l->em[i] = CreateObject<RateErrorModel>();
    l->em[i]->SetUnit(RateErrorModel::ERROR_UNIT_PACKET);
    l->em[i]->SetRandomVariable(l->rv[i]);
    l->dev[i]->SetReceiveErrorModel(l->em[i]);
  }
  l->dev[0]->Attach(l->chan);
  l->dev[1]->Attach(l->chan);
  for (int i = 0; i < 2; i++)
    l->Watch(i); /* the stack sends and receives: count at the MAC */
  InternetStackHelper stack;
  if (!tcp.empty())
    stack.SetTcp(tcp);
  stack.Install(NodeContainer(l->node[0], l->node[1]));
  if (no_qdisc) {
    /* addresses by hand: Ipv4AddressHelper would install a queue disc */
    for (int i = 0; i < 2; i++) {
      ns3c_address(l->dev[i], 0x0a000001u + (uint32_t)i);
      l->WatchTc(i);
    }
  } else {
    Ipv4AddressHelper ips;
    ips.SetBase("10.0.0.0", "255.255.255.0");
    ips.Assign(devs);
  }

  /* built outside Simulator::Run: initialize now (the traffic control
   * layer learns its devices here), not at the next run */
  for (int i = 0; i < 2; i++)
    l->node[i]->Initialize();
  ns3c_link_apply(l, cfg);
  s->links.push_back(l);
  return l;
}

extern "C" int ns3c_link_new(ns3c_sim *s, const ns3c_link_config *cfg,
                             ns3c_link **out) {
  if (!s || !out)
    return ns3c_fail(NS3C_ERR_INVAL, "no simulation");
  int rv = ns3c_link_check(cfg);
  if (rv)
    return rv;
  GUARD_BEGIN
  *out = ns3c_link_build(s, cfg, false);
  return NS3C_OK;
  GUARD_END
}

extern "C" int ns3c_link_configure(ns3c_link *l, const ns3c_link_config *cfg) {
  if (!l)
    return ns3c_fail(NS3C_ERR_INVAL, "no link");
  int rv = ns3c_link_check(cfg);
  if (rv)
    return rv;
  for (int i = 0; i < 2; i++)
    if ((l->internet ? l->dev[i]->GetQueue()->GetNPackets()
                     : l->tx[i].waiting.size()) > cfg->queue_packets)
      return ns3c_fail(NS3C_ERR_INVAL, "queue holds more than the new size");
  GUARD_BEGIN
  ns3c_link_apply(l, cfg);
  return NS3C_OK;
  GUARD_END
}

extern "C" void ns3c_link_set_receive(ns3c_link *l, ns3c_recv_fn fn,
                                      void *user) {
  l->recv = fn;
  l->user = user;
}

extern "C" void ns3c_link_set_drop(ns3c_link *l, void (*fn)(void *user),
                                   void *user) {
  l->dropped = fn;
  l->dropped_user = user;
}

extern "C" void ns3c_link_set_capture(ns3c_link *l, ns3c_capture_fn fn,
                                      void *user) {
  l->capture = fn;
  l->capture_user = user;
}

extern "C" int ns3c_link_send(ns3c_link *l, int node, const uint8_t *dgram,
                              size_t len) {
  if (!l || (node != 0 && node != 1) || !dgram || len == 0)
    return ns3c_fail(NS3C_ERR_INVAL, "bad node or empty datagram");
  if (len > l->cfg.mtu)
    return ns3c_fail(NS3C_ERR_INVAL, "datagram larger than the MTU");
  if (l->internet)
    return ns3c_fail(NS3C_ERR_INVAL, "ns-3's internet stack sends here");
  GUARD_BEGIN
  l->stats.sent[node]++;
  ns3c_link::Transmitter &t = l->tx[node];
  if (t.busy && t.waiting.size() >= l->cfg.queue_packets) {
    l->stats.queue_drops[node]++;
    l->Dropped();
    return ns3c_fail(NS3C_ERR_FULL, "device queue full");
  }
  ns3c_link::Frame *f = l->NewFrame(dgram, len);
  if (t.busy)
    t.waiting.push_back(f);
  else
    l->TransmitStart(node, f);
  return NS3C_OK;
  GUARD_END
}

extern "C" int ns3c_link_pcap(ns3c_link *l, const char *path) {
  if (!l)
    return ns3c_fail(NS3C_ERR_INVAL, "no link");
  GUARD_BEGIN
  /* the capture before: closed, and every write checked (ns-3's writer
   * reports a failed write only through its stream's state) */
  bool failed = false;
  if (l->pcap) {
    l->pcap->Close();
    failed = l->pcap->Fail();
  }
  l->pcap = nullptr;
  if (failed)
    return ns3c_fail(NS3C_ERR_IO, "the capture could not be written whole "
                                  "(disk full?)");
  if (!path)
    return NS3C_OK;
  /* ns-3 aborts the process when it cannot open the file: look first */
  FILE *probe = fopen(path, "wb");
  if (!probe)
    return ns3c_fail(NS3C_ERR_IO, std::string("cannot write ") + path + ": " +
                                      strerror(errno));
  fclose(probe);
  PcapHelper helper;
  Ptr<PcapFileWrapper> f =
      helper.CreateFile(path, std::ios::out, PcapHelper::DLT_RAW);
  if (!f || f->Fail())
    return ns3c_fail(NS3C_ERR_IO, std::string("cannot write ") + path);
  l->pcap = f;
  l->pcap_t0 = Simulator::Now();
  return NS3C_OK;
  GUARD_END
}

extern "C" void ns3c_link_stats_get(const ns3c_link *l, ns3c_link_stats *out) {
  *out = l->stats;
}
