/*
 * ns3c_internal.h - what the wrapper's C++ files share and its C API does
 * not show: the error funnel (fail() and the GUARD macros every extern "C"
 * function wraps itself in), the simulation and the link objects.
 */
#ifndef HALFCLOSE_NS3C_INTERNAL_H
#define HALFCLOSE_NS3C_INTERNAL_H

#include "ns3c.h"

#include <ns3/core-module.h>
#include <ns3/network-module.h>
#include <ns3/point-to-point-module.h>

#include <deque>
#include <memory>
#include <string>
#include <vector>

/* Keep `msg` as the last error and return `rv`. */
int ns3c_fail(int rv, const std::string &msg);

#define GUARD_BEGIN try {
#define GUARD_END                                                              \
  }                                                                            \
  catch (const std::bad_alloc &) {                                             \
    return ns3c_fail(NS3C_ERR_NOMEM, "out of memory");                         \
  }                                                                            \
  catch (const std::exception &e) {                                            \
    return ns3c_fail(NS3C_ERR_NS3, std::string("ns-3: ") + e.what());          \
  }                                                                            \
  catch (...) {                                                                \
    return ns3c_fail(NS3C_ERR_NS3, "ns-3: unknown exception");                 \
  }

struct ns3c_link {
  ns3c_sim *sim;
  bool internet; /* the nodes run ns-3's internet stack (tcp_socket.cc) */
  ns3::Ptr<ns3::Node> node[2];
  ns3::Ptr<ns3::PointToPointNetDevice> dev[2];
  ns3::Ptr<ns3::PointToPointChannel> chan;
  ns3::Ptr<ns3::RateErrorModel> em[2];
  ns3::Ptr<ns3::UniformRandomVariable> rv[2];
  ns3c_link_config cfg;
  ns3c_recv_fn recv;
  void *user;
  ns3c_capture_fn capture; /* each node's traffic as IPv4 bytes, or null */
  void *capture_user;
  ns3c_link_stats stats;
  ns3::Ptr<ns3::PcapFileWrapper> pcap;
  ns3::Time pcap_t0; /* the capture's clock starts when it is opened */
  std::vector<uint8_t> buf;

  /* A raw link (not internet) has no ns-3 device: its two transmitters are
   * simulated here, event for event as PointToPointNetDevice and
   * PointToPointChannel schedule them (see ns3c.cc), without ns-3 packets,
   * headers, queues or traces on the way. */
  struct Frame {
    std::vector<uint8_t> bytes;
    int64_t start_ns; /* real time: when its transmission started */
    int64_t tx_ns;    /* ... and its transmission time */
  };
  struct Transmitter {
    bool busy = false;
    std::deque<Frame *> waiting; /* the device queue: not yet on the wire */
  };
  Transmitter tx[2];
  std::vector<std::unique_ptr<Frame>> frames; /* every frame, owned */
  std::vector<Frame *> spare;                 /* frames free for reuse */
  ns3::DataRate rate;
  ns3::Time delay;
  /* transmission times by frame length, as DataRate computes them (its
   * 64-bit fixed-point division is a hot spot): a small direct-mapped
   * cache, cleared when the rate changes */
  uint32_t txlen[64] = {};
  ns3::Time txtime[64];

  /* emulation: a real kernel behind a node, through a TAP (emu.cc) */
  ns3::Ptr<ns3::NetDevice> fd[2]; /* reads the TAP (its own thread) */
  int tap[2] = {-1, -1};          /* ... which the link writes itself */
  uint8_t eth[2][14];             /* to the kernel's MAC, from the node's */
  bool FromKernel(int i, ns3::Ptr<ns3::NetDevice> d,
                  ns3::Ptr<const ns3::Packet> p, uint16_t proto,
                  const ns3::Address &from);
  void ToKernel(int j, const uint8_t *d, size_t len);

  Frame *NewFrame(const uint8_t *d, size_t len);
  void TransmitStart(int i, Frame *f);
  void TransmitComplete(int i);
  void Deliver(int j, Frame *f);
  void MeasureWall(int i, const Frame *f);
  void Capture(int i, const uint8_t *d, size_t len);

  /* ns3c_link_set_drop: told, from an event of its own, when a datagram
   * was lost or dropped */
  void (*dropped)(void *user) = nullptr;
  void *dropped_user = nullptr;
  bool dropped_due = false;
  void Dropped();
  void CallDropped();

  /* Count and capture node i's traffic on dev[i] (internet links): sent
   * and received at its MAC, lost to its receive error model, dropped by
   * its device queue, sniffed for the capture; WatchTc: and what its
   * node's traffic-control layer drops (no queue disc: a full device
   * queue). The stack must be installed for WatchTc. */
  void Watch(int i);
  void WatchTc(int i);

  void Delivered(int i);
  void Lost(int i, ns3::Ptr<const ns3::Packet> p);
  void QueueDrop(int i, ns3::Ptr<const ns3::Packet> p);
  void Sniff(int i, ns3::Ptr<const ns3::Packet> p);
};

struct ns3c_sim {
  std::vector<ns3c_link *> links;
  struct Slot {
    ns3::EventId ev;
    uint32_t gen = 1; /* bumped at every release */
    bool live = false;
  };
  std::vector<Slot> slots;          /* scheduled C callbacks, by handle */
  std::vector<uint32_t> free_slots; /* indices of slots not live */
  uint64_t events;                  /* callbacks run */
  bool realtime;                    /* RealtimeSimulatorImpl (emu.cc) */
  ns3::Ptr<ns3::RealtimeSimulatorImpl> clock; /* its wall clock, once read */
  ns3c_tcpnet *tcpnet;   /* ns-3's TCP, once used (tcp_socket.cc) */
  ns3c_tcpnet *modelnet; /* the model as ns-3's TCP, once used */
  ns3c_tcpnet *pathnet;  /* the model's ends on a path (path.cc) */
};

struct ns3c_path; /* path.cc: routers, queue discs, cross traffic */

struct ns3c_tcpnet {
  ns3c_link *link;    /* the two ends' link (on a path: their view) */
  bool model;         /* the model as ns-3's TCP (the plug-in) */
  uint16_t next_port; /* listeners take a new port per conversation, so a
                         new connection never meets an old TIME-WAIT */
  ns3c_path *path;    /* a path's nodes and counters, or null */
};

/* Free a path's objects (ns-3's go with the simulation). */
void ns3c_path_free(ns3c_path *p);

/* Check a link configuration: 0, or NS3C_ERR_INVAL with the reason. */
int ns3c_link_check(const ns3c_link_config *c);

/* Build a link between two new nodes; with `internet`, the nodes get ns-3's
 * internet stack and the addresses 10.0.0.1 and 10.0.0.2, and datagrams
 * reach the stack instead of the receive callback; `tcp` then names the
 * stack's TCP (an IpL4Protocol TypeId; empty: ns-3's own), and `no_qdisc`
 * takes the traffic-control layer's default queue disc away (what it then
 * drops because the device queue is full counts as the device's drop).
 * Throws as ns-3 does. */
ns3c_link *ns3c_link_build(ns3c_sim *s, const ns3c_link_config *cfg,
                           bool internet, const std::string &tcp = "",
                           bool no_qdisc = false);

/* Give `dev` the address `addr`/24 on its node, by hand (a helper would
 * install a queue disc), and bring it up; its interface. */
uint32_t ns3c_address(ns3::Ptr<ns3::NetDevice> dev, uint32_t addr);

/* Apply a configuration (checked) and reset the counters. */
void ns3c_link_apply(ns3c_link *l, const ns3c_link_config *c);

/* A new simulation, in real time or not (ns3c_sim_new, _new_realtime). */
int ns3c_sim_create(ns3c_sim **out, uint32_t seed, uint64_t run, bool realtime);

/* Free ns-3's TCP network of a simulation (tcp_socket.cc). */
void ns3c_tcpnet_free(ns3c_tcpnet *n);

#endif
