/*
 * halfclose-tcp.h - the halfclose TCP model as ns-3's TCP.
 *
 * InternetStackHelper::SetTcp("ns3::HalfcloseTcpL4Protocol") installs it in
 * place of ns-3's TCP: the node's model host takes the segments Ipv4 hands
 * to protocol 6, sends the model's datagrams down through the node's
 * routing, and runs the model's timers on ns-3's scheduler. The protocol
 * aggregates a TcpSocketFactory to the node, so every ns-3 application
 * that asks for "ns3::TcpSocketFactory" (BulkSend, PacketSink, OnOff) runs
 * on the model unchanged. Each node takes the behaviour profile of its
 * "Profile" attribute (a built-in name: nt351, nt351-sp, bsd44, linux,
 * each with +rfc1337, or FILE:NAME for a [profile NAME] of a scenario
 * file), the knobs of "Knobs" ("delack=200ms,ack_every=2") and then every
 * knob's own attribute (AckEvery, Delack, FinAckFinal, ...: the knob's name
 * in CamelCase, its value as halfclose writes it, empty for the profile's).
 * They are read when the node's model host starts (its first socket or
 * segment), so Config::SetDefault before each install gives nodes
 * different stacks, and Config::Set on a node's path works until then.
 *
 * Trace sources: Tx and Rx (every segment), State (a connection's state
 * change, in TcpSocket's states) and ModelEvent (each of the model's
 * trace events as one line: timers, application calls, drops and why
 * each segment was sent). Each socket also has TcpSocketBase's State.
 *
 * The model carries no application bytes: on the wire a stream's byte k is
 * the model's own pattern (tcp_payload_byte(k)), and a receiving
 * application gets the right number of zero bytes, not the sender's
 * content. Recv returns an empty packet at the end of the stream, as ns-3's
 * TCP does.
 */
#ifndef HALFCLOSE_NS3_TCP_H
#define HALFCLOSE_NS3_TCP_H

#include "ns3/event-id.h"
#include "ns3/ip-l4-protocol.h"
#include "ns3/ipv4-address.h"
#include "ns3/ipv4-header.h"
#include "ns3/node.h"
#include "ns3/socket-factory.h"
#include "ns3/tcp-socket-factory.h"
#include "ns3/tcp-socket.h"
#include "ns3/traced-callback.h"
#include "ns3/traced-value.h"

#include <map>
#include <set>
#include <string>
#include <vector>

extern "C" {
struct tcp_host;
struct tcp_conn;
struct tcp_event;
struct tcp_profile;
struct tcp_host_config;
}

namespace ns3 {

class HalfcloseTcpSocket;

class HalfcloseTcpL4Protocol : public IpL4Protocol {
public:
  static TypeId GetTypeId();
  static const uint8_t PROT_NUMBER = 6;
  HalfcloseTcpL4Protocol();
  ~HalfcloseTcpL4Protocol() override;

  Ptr<Socket> CreateSocket();

  int GetProtocolNumber() const override;
  IpL4Protocol::RxStatus Receive(Ptr<Packet> p, const Ipv4Header &header,
                                 Ptr<Ipv4Interface> incomingInterface) override;
  IpL4Protocol::RxStatus Receive(Ptr<Packet> p, const Ipv6Header &header,
                                 Ptr<Ipv6Interface> incomingInterface) override;
  void SetDownTarget(IpL4Protocol::DownTargetCallback cb) override;
  void SetDownTarget6(IpL4Protocol::DownTargetCallback6 cb) override;
  IpL4Protocol::DownTargetCallback GetDownTarget() const override;
  IpL4Protocol::DownTargetCallback6 GetDownTarget6() const override;

  /* For a driver that runs its own conversations through this stack
   * (halfclose's conversation on the plug-in path). Configure replaces the
   * node's model host by one made from cfg, the profile and knob
   * attributes aside: cfg's trace and random, when given, are called with
   * cfg's user (every event, besides this protocol's own traces), and the
   * host's clock reads 0 at epoch_ns of the simulation's; `settled` (may
   * be null) is called with cfg's user after every arrival and every timer
   * the host has handled. Park frees the host and drops what arrives until
   * the next Configure. Either ends every connection of the node at once,
   * silently. Returns the host, or null when the model refused cfg. */
  struct tcp_host *Configure(const struct tcp_host_config *cfg,
                             int64_t epoch_ns, void (*settled)(void *user));
  void Park();

  /* for the sockets */
  struct tcp_host *Host();
  uint64_t Now() const;
  void Poke(); /* after any call into the model: schedule its next timer */
  void Register(struct tcp_conn *c, HalfcloseTcpSocket *s);
  void Listening(uint16_t port, HalfcloseTcpSocket *s);
  void Track(HalfcloseTcpSocket *s, bool live); /* sockets of this host */
  void Unlistening(uint16_t port);
  /* the stack keeps a socket with a connection or a listen alive, as
   * ns-3's TCP does, whether or not its application holds it; Release lets
   * go once the application has closed it or its connection is gone */
  void Hold(Ptr<HalfcloseTcpSocket> s);
  void Release(Ptr<HalfcloseTcpSocket> s);
  /* socket s follows connection id's states until it is CLOSED or s goes */
  void Follow(uint64_t id, HalfcloseTcpSocket *s);
  Ipv4Address LocalAddress() const;

  /* knob i of tcp_profile_knobs() as its attribute holds it ("" for the
   * profile's value); false and a fatal error for a value it refuses */
  bool SetKnob(size_t i, const std::string &text);
  std::string GetKnob(size_t i) const;

  typedef void (*SegmentTracedCallback)(Ptr<const Packet> p, Ipv4Address from,
                                        Ipv4Address to);
  typedef void (*StateTracedCallback)(uint64_t conn,
                                      TcpSocket::TcpStates_t from,
                                      TcpSocket::TcpStates_t to);
  typedef void (*ModelEventTracedCallback)(const std::string &line);

protected:
  void NotifyNewAggregate() override;
  void DoDispose() override;

private:
  static void OnOutput(void *user, const uint8_t *d, size_t len);
  static void OnNotify(void *user, struct tcp_conn *c, int what);
  static void OnTrace(void *user, const struct tcp_event *ev);
  static uint32_t OnRandom(void *user);
  void Unhost(); /* free the host: its sockets forget it, its timer goes */
  void Expire();
  bool Start(); /* the model host, once the node has its address */
  void SendDown(Ptr<Packet> p, Ipv4Header h);
  void Profile(::tcp_profile *p) const; /* from the attributes */
  void Drop(Ptr<HalfcloseTcpSocket> s);

  Ptr<Node> m_node;
  IpL4Protocol::DownTargetCallback m_downTarget;
  IpL4Protocol::DownTargetCallback6 m_downTarget6;
  struct tcp_host *m_host;
  std::string m_profile, m_knobs;
  std::vector<std::string> m_knobText; /* by tcp_profile_knobs() index */
  EventId m_timer;
  uint64_t m_timerAt;
  int64_t m_epoch; /* simulation time (ns) at which the host's clock is 0 */
  bool m_parked;   /* a driver parked the host: arrivals are dropped */
  void (*m_driverTrace)(void *, const tcp_event *);
  uint32_t (*m_driverRandom)(void *);
  void (*m_driverSettled)(void *);
  void *m_driverUser;
  std::map<uint16_t, HalfcloseTcpSocket *> m_listeners;
  std::set<HalfcloseTcpSocket *> m_sockets;
  std::map<uint64_t, HalfcloseTcpSocket *> m_following;
  std::set<Ptr<HalfcloseTcpSocket>> m_held;
  TracedCallback<Ptr<const Packet>, Ipv4Address, Ipv4Address> m_txTrace;
  TracedCallback<Ptr<const Packet>, Ipv4Address, Ipv4Address> m_rxTrace;
  TracedCallback<uint64_t, TcpSocket::TcpStates_t, TcpSocket::TcpStates_t>
      m_stateTrace;
  TracedCallback<const std::string &> m_eventTrace;
};

class HalfcloseTcpSocketFactory : public TcpSocketFactory {
public:
  static TypeId GetTypeId();
  void SetTcp(Ptr<HalfcloseTcpL4Protocol> tcp);
  Ptr<Socket> CreateSocket() override;

protected:
  void DoDispose() override;

private:
  Ptr<HalfcloseTcpL4Protocol> m_tcp;
};

class HalfcloseTcpSocket : public TcpSocket {
public:
  static TypeId GetTypeId();
  HalfcloseTcpSocket();
  ~HalfcloseTcpSocket() override;
  void SetTcp(Ptr<HalfcloseTcpL4Protocol> tcp);
  void Attach(struct tcp_conn *c); /* an accepted connection */
  void Notify(int what);           /* from the model */
  void SetState(TcpSocket::TcpStates_t s) {
    m_state = s;
  }
  void Accept(); /* a listener's connection is ready */
  void Forget(); /* the host is gone: no handle into it any more */
  void DataSent(uint32_t n) {
    NotifyDataSent(n);
  }
  /* what the model said to the last Recv (tcp_conn_recv's value) */
  int64_t LastRecv() const {
    return m_lastRecv;
  }

  Socket::SocketErrno GetErrno() const override;
  Socket::SocketType GetSocketType() const override;
  Ptr<Node> GetNode() const override;
  int Bind(const Address &address) override;
  int Bind() override;
  int Bind6() override;
  int Close() override;
  int ShutdownSend() override;
  int ShutdownRecv() override;
  int Connect(const Address &address) override;
  int Listen() override;
  uint32_t GetTxAvailable() const override;
  int Send(Ptr<Packet> p, uint32_t flags) override;
  int SendTo(Ptr<Packet> p, uint32_t flags, const Address &to) override;
  uint32_t GetRxAvailable() const override;
  Ptr<Packet> Recv(uint32_t maxSize, uint32_t flags) override;
  Ptr<Packet> RecvFrom(uint32_t maxSize, uint32_t flags,
                       Address &fromAddress) override;
  int GetSockName(Address &address) const override;
  int GetPeerName(Address &address) const override;
  bool SetAllowBroadcast(bool allowBroadcast) override;
  bool GetAllowBroadcast() const override;

  /* TcpSocket's attributes: kept and returned; the model's behaviour
   * comes from the node's profile and knobs */
  void SetSndBufSize(uint32_t size) override {
    m_sndBuf = size;
  }
  uint32_t GetSndBufSize() const override {
    return m_sndBuf;
  }
  void SetRcvBufSize(uint32_t size) override {
    m_rcvBuf = size;
  }
  uint32_t GetRcvBufSize() const override {
    return m_rcvBuf;
  }
  void SetSegSize(uint32_t size) override {
    m_segSize = size;
  }
  uint32_t GetSegSize() const override {
    return m_segSize;
  }
  void SetInitialSSThresh(uint32_t t) override {
    m_ssthresh = t;
  }
  uint32_t GetInitialSSThresh() const override {
    return m_ssthresh;
  }
  void SetInitialCwnd(uint32_t c) override {
    m_cwnd = c;
  }
  uint32_t GetInitialCwnd() const override {
    return m_cwnd;
  }
  void SetConnTimeout(Time t) override {
    m_connTimeout = t;
  }
  Time GetConnTimeout() const override {
    return m_connTimeout;
  }
  void SetSynRetries(uint32_t n) override {
    m_synRetries = n;
  }
  uint32_t GetSynRetries() const override {
    return m_synRetries;
  }
  void SetDataRetries(uint32_t n) override {
    m_dataRetries = n;
  }
  uint32_t GetDataRetries() const override {
    return m_dataRetries;
  }
  void SetDelAckTimeout(Time t) override {
    m_delAck = t;
  }
  Time GetDelAckTimeout() const override {
    return m_delAck;
  }
  void SetDelAckMaxCount(uint32_t n) override {
    m_delAckCount = n;
  }
  uint32_t GetDelAckMaxCount() const override {
    return m_delAckCount;
  }
  void SetTcpNoDelay(bool v) override {
    m_noDelay = v;
  }
  bool GetTcpNoDelay() const override {
    return m_noDelay;
  }
  void SetPersistTimeout(Time t) override {
    m_persist = t;
  }
  Time GetPersistTimeout() const override {
    return m_persist;
  }

private:
  Ptr<HalfcloseTcpL4Protocol> m_tcp;
  struct tcp_conn *m_conn;
  uint16_t m_port; /* bound or listening */
  bool m_listening;
  bool m_shutRecv;
  bool m_closeNotified; /* normal or error close told */
  bool m_connected;
  mutable Socket::SocketErrno m_errno;
  uint32_t m_sndBuf, m_rcvBuf, m_segSize, m_ssthresh, m_cwnd;
  uint32_t m_synRetries, m_dataRetries, m_delAckCount;
  Time m_connTimeout, m_delAck, m_persist;
  bool m_noDelay;
  bool m_abortOnClose; /* the attribute AbortOnClose: SO_LINGER {1, 0} */
  int64_t m_lastRecv;
  TracedValue<TcpSocket::TcpStates_t> m_state;
};

} // namespace ns3

#endif
