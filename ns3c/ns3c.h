/*
 * ns3c.h - a C API over libns3: just what halfclose needs from ns-3.
 *
 * A simulation (ns3c_sim) owns ns-3's simulator singleton for its lifetime,
 * so there is at most one per process; ns3c_sim_free() destroys it and a
 * new one may follow. Time is in nanoseconds. Callbacks are plain C
 * function pointers with a user pointer.
 *
 * A link (ns3c_link) is two ns-3 nodes joined by a point-to-point link:
 * data rate, propagation delay, a drop-tail queue counted in packets, an
 * MTU, and per-packet loss on each receiving side. Raw IPv4 datagrams go in
 * with ns3c_link_send() and come out through the receive callback of the
 * other node; nothing of ns-3's internet stack is involved. The link's
 * transmitters are simulated on ns-3's scheduler by the wrapper itself,
 * scheduling exactly the events PointToPointNetDevice and
 * PointToPointChannel would (and drawing loss as RateErrorModel with
 * ERROR_UNIT_PACKET would), without an ns-3 packet per datagram. A link can
 * be reconfigured between conversations, so one simulation serves a whole
 * batch.
 *
 * Randomness: ns-3's generator is seeded from (seed, run) at ns3c_sim_new,
 * and every random variable the wrapper creates is pinned to an explicit
 * stream number, so a run never depends on how many streams earlier runs
 * of the process used.
 *
 * Errors: 0 on success, a negative ns3c_error on failure, with a message in
 * ns3c_last_error(). No C++ exception crosses this interface.
 */
#ifndef HALFCLOSE_NS3C_H
#define HALFCLOSE_NS3C_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ns3c_error {
  NS3C_OK = 0,
  NS3C_ERR_INVAL = -1, /* argument out of range or misuse */
  NS3C_ERR_NS3 = -2,   /* ns-3 raised an exception (see ns3c_last_error) */
  NS3C_ERR_NOMEM = -3, /* allocation failed */
  NS3C_ERR_IO = -4,    /* a file could not be written */
  NS3C_ERR_BUSY = -5,  /* a simulation already exists in this process */
  NS3C_ERR_FULL = -6,  /* the device queue dropped the datagram */
  NS3C_ERR_AGAIN = -7, /* nothing to read yet */
  NS3C_ERR_CLOSED = -8 /* the connection failed */
} ns3c_error;

const char *ns3c_strerror(int rv);

/* The message of the last failure in this thread ("" if none). */
const char *ns3c_last_error(void);

typedef struct ns3c_sim ns3c_sim;
typedef struct ns3c_link ns3c_link;

/* ---- simulation ---- */

/* Create the simulation; ns-3's RNG gets seed `seed` (>= 1) and run `run`.
 * Returns 0, NS3C_ERR_BUSY, NS3C_ERR_INVAL or NS3C_ERR_NS3. */
int ns3c_sim_new(ns3c_sim **out, uint32_t seed, uint64_t run);

/* Destroy the simulation (Simulator::Destroy) and every link of it. */
void ns3c_sim_free(ns3c_sim *s);

/* Current simulated time, ns. */
uint64_t ns3c_now(const ns3c_sim *s);

typedef void (*ns3c_fn)(void *arg);

/* Schedule fn(arg) at absolute time at_ns (>= now). *id (may be NULL)
 * receives a handle for ns3c_cancel. Returns 0 or NS3C_ERR_INVAL. */
int ns3c_schedule(ns3c_sim *s, uint64_t at_ns, ns3c_fn fn, void *arg,
                  uint64_t *id);

/* Cancel a scheduled event; cancelling one that ran or was cancelled is a
 * no-op. Returns 0 or NS3C_ERR_INVAL. */
int ns3c_cancel(ns3c_sim *s, uint64_t id);

/* Run until no event is left or ns3c_stop() is called. Returns 0 or
 * NS3C_ERR_NS3. */
int ns3c_run(ns3c_sim *s);

/* From inside a callback: stop ns3c_run after the current event. */
void ns3c_stop(ns3c_sim *s);

/* Events executed since the simulation began. */
uint64_t ns3c_events(const ns3c_sim *s);

/* ---- links ---- */

typedef struct ns3c_link_config {
  uint64_t rate_bps;      /* data rate, bit/s (> 0) */
  uint64_t delay_ns;      /* one-way propagation delay */
  uint32_t queue_packets; /* drop-tail queue of each device, packets (> 0) */
  uint32_t mtu;           /* device MTU, bytes (68..65535) */
  double loss;            /* per-packet loss probability, [0, 1) */
  uint64_t stream;        /* first ns-3 RNG stream for the loss (uses two) */
} ns3c_link_config;

/* Receive callback: a datagram arrived at node `node` (0 or 1). */
typedef void (*ns3c_recv_fn)(void *user, int node, const uint8_t *dgram,
                             size_t len);

/* Create a link between two new nodes. Returns 0, NS3C_ERR_INVAL or
 * NS3C_ERR_NS3. */
int ns3c_link_new(ns3c_sim *s, const ns3c_link_config *cfg, ns3c_link **out);

/* Change rate, delay, queue, MTU and loss; the loss streams restart, so
 * what is lost depends only on cfg and what is sent from here on. Call it
 * while nothing is in flight. Returns 0, NS3C_ERR_INVAL or NS3C_ERR_NS3. */
int ns3c_link_configure(ns3c_link *l, const ns3c_link_config *cfg);

/* Where datagrams arriving at either node go (fn may be NULL: dropped). */
void ns3c_link_set_receive(ns3c_link *l, ns3c_recv_fn fn, void *user);

/* Send a datagram from node `node` to the other one. Returns 0,
 * NS3C_ERR_INVAL (bad node, larger than the MTU) or NS3C_ERR_FULL. */
int ns3c_link_send(ns3c_link *l, int node, const uint8_t *dgram, size_t len);

/* Capture node 0's traffic, both directions, as bare IPv4 (DLT_RAW) into
 * `path` with ns-3's pcap writer; NULL stops capturing. Timestamps count
 * from this call, so a conversation's capture is the same whenever it
 * runs. The capture before is closed first: NS3C_ERR_IO when any of its
 * writes failed (the file is then incomplete). Returns 0, NS3C_ERR_IO or
 * NS3C_ERR_NS3. */
int ns3c_link_pcap(ns3c_link *l, const char *path);

/* Every datagram a node's device sends or receives, as IPv4 bytes, with
 * the node (fn may be NULL: none). */
typedef void (*ns3c_capture_fn)(void *user, int node, const uint8_t *dgram,
                                size_t len);
void ns3c_link_set_capture(ns3c_link *l, ns3c_capture_fn fn, void *user);

/* After a datagram was lost to the loss model or dropped by a full queue,
 * call fn(user), from an event of its own (the datagram may have been the
 * last thing in flight); NULL: none. On a path's link (ns3c_pathnet_new)
 * the conversation's datagrams dropped anywhere on the path. */
void ns3c_link_set_drop(ns3c_link *l, void (*fn)(void *user), void *user);

typedef struct ns3c_link_stats {
  uint64_t sent[2];        /* datagrams each node handed to its device */
  uint64_t delivered[2];   /* datagrams each node received */
  uint64_t lost[2];        /* dropped by the loss model at each receiver */
  uint64_t queue_drops[2]; /* dropped by each sender's full queue */
  /* In real time (emulation), each direction's one-way delay as the wall
   * clock measured it, frame by frame: from the start of a frame's
   * transmission by node i - its time on the link's schedule, which for a
   * kernel's frame is when the TAP's reader took it - to its arrival at
   * the other node by the wall clock, less its transmission time. The
   * link's configured delay when the arrival ran on time, more when late;
   * never less. Index: the sending node. */
  uint64_t wall_n[2];       /* frames measured */
  int64_t wall_sum_ns[2];   /* the sum of their delays */
  int64_t wall_min_ns[2];   /* the least */
  int64_t wall_max_ns[2];   /* the greatest */
  uint64_t wall_off_1ms[2]; /* frames more than 1 ms off the configured */
  /* Emulation: frames for a kernel (index: the receiving node) that its
   * TAP refused; each one is lost to the run without the link's say. */
  uint64_t tap_errors[2];
} ns3c_link_stats;

/* Counters since the last ns3c_link_configure (or creation). */
void ns3c_link_stats_get(const ns3c_link *l, ns3c_link_stats *out);

/* ---- ns-3's own TCP (tcp_socket.cc) ----
 *
 * Two more nodes of the simulation with ns-3's internet stack (10.0.0.1
 * and 10.0.0.2) on a point-to-point link of their own, built on first use
 * and reconfigured like ns3c_link; TCP sockets on them (TcpSocketBase)
 * behind a C handle. A socket's events reach one C callback; its state
 * changes (ns-3's "State" trace) another. ns3c_tcp_free() detaches both
 * before it frees the handle, so nothing calls back into a conversation
 * that has ended while ns-3 runs the socket's last timers.
 */

typedef struct ns3c_tcpnet ns3c_tcpnet;
typedef struct ns3c_tcp ns3c_tcp;

typedef struct ns3c_tcp_config {
  ns3c_link_config link; /* as for ns3c_link */
  int model;             /* nonzero: the network whose TCP is halfclose's
                            model as ns-3's TCP (the plug-in,
                            ns3::HalfcloseTcpL4Protocol), with no queue disc
                            before the devices: the device queue is the
                            link's, as on ns3c_link; the delayed-ACK and MSL
                            settings below then do not apply (the model's
                            hosts are configured with ns3c_tcpnet_model) */
  uint64_t delack_ns;    /* TcpSocket::DelAckTimeout */
  uint32_t delack_count; /* TcpSocket::DelAckCount */
  uint64_t msl_ns;       /* TcpSocketBase::MaxSegLifetime */
} ns3c_tcp_config;       /* buffers: ns-3's defaults (128 KiB) */

/* The network of ns-3's TCP (or, with cfg->model, of the model: another
 * one), built on first use; configured for the sockets created from here
 * on. Returns 0, NS3C_ERR_INVAL or NS3C_ERR_NS3. */
int ns3c_tcpnet_get(ns3c_sim *s, const ns3c_tcp_config *cfg, ns3c_tcpnet **out);

/* The model's network: put a new model host, made from cfg, behind node
 * `node` (its output, notifications and sockets are the plug-in's; cfg's
 * trace and random are called too), whose clock reads 0 at epoch_ns of the
 * simulation's; `settled` (may be NULL) hears, with cfg's user, after each
 * arrival and timer the host has handled. What the node had ends silently.
 * The host, or null after ns3c_fail (not the model's network, or the model
 * refused cfg). */
struct tcp_host;
struct tcp_host_config;
struct tcp_host *ns3c_tcpnet_model(ns3c_tcpnet *n, int node,
                                   const struct tcp_host_config *cfg,
                                   uint64_t epoch_ns,
                                   void (*settled)(void *user));

/* Read at most `max` bytes: the count, 0 at the end of the stream,
 * NS3C_ERR_AGAIN when nothing is there yet, or NS3C_ERR_CLOSED when the
 * connection failed; on the model's network *model_rv (may be NULL) gets
 * the model's own result (a tcp_conn_recv value). */
int64_t ns3c_tcp_read(ns3c_tcp *t, uint64_t max, int64_t *model_rv);

/* ... and free both nodes' hosts: what arrives from here on is dropped,
 * until the next ns3c_tcpnet_model. */
void ns3c_tcpnet_park(ns3c_tcpnet *n);

/* Node `node`'s address (host byte order). */
uint32_t ns3c_tcpnet_addr(const ns3c_tcpnet *n, int node);

/* A port no listener of this network has used yet. */
uint16_t ns3c_tcpnet_new_port(ns3c_tcpnet *n);

/* The link the network's two nodes share: its counters, its capture. */
ns3c_link *ns3c_tcpnet_link(ns3c_tcpnet *n);

typedef enum ns3c_tcp_event {
  NS3C_TCP_CONNECTED,      /* an active open completed */
  NS3C_TCP_CONNECT_FAILED, /* it failed */
  NS3C_TCP_ACCEPTED,       /* a listener's new connection (the `accepted`
                              argument; its events go to the same callback) */
  NS3C_TCP_READABLE,       /* data arrived */
  NS3C_TCP_WRITABLE,       /* room in the send buffer */
  NS3C_TCP_PEER_CLOSED,    /* the peer's FIN: end of stream after the data */
  NS3C_TCP_ERROR           /* the connection failed: a RST or a time-out */
} ns3c_tcp_event;

/* ns-3's TcpStates_t, in the order of RFC 9293's names */
typedef enum ns3c_tcp_state {
  NS3C_TCP_CLOSED,
  NS3C_TCP_LISTEN,
  NS3C_TCP_SYN_SENT,
  NS3C_TCP_SYN_RCVD,
  NS3C_TCP_ESTABLISHED,
  NS3C_TCP_CLOSE_WAIT,
  NS3C_TCP_LAST_ACK,
  NS3C_TCP_FIN_WAIT_1,
  NS3C_TCP_FIN_WAIT_2,
  NS3C_TCP_CLOSING,
  NS3C_TCP_TIME_WAIT
} ns3c_tcp_state;

typedef struct ns3c_tcp_callbacks {
  void (*event)(void *user, ns3c_tcp *sock, ns3c_tcp_event ev,
                ns3c_tcp *accepted);
  void (*state)(void *user, ns3c_tcp *sock, ns3c_tcp_state from,
                ns3c_tcp_state to); /* may be NULL */
  void *user;
} ns3c_tcp_callbacks;

/* A listening socket on `node` and `port`. Returns 0, NS3C_ERR_INVAL or
 * NS3C_ERR_NS3. */
int ns3c_tcp_listen(ns3c_tcpnet *n, int node, uint16_t port,
                    const ns3c_tcp_callbacks *cb, ns3c_tcp **out);

/* A socket on `node` connecting to `port` of the other node. */
int ns3c_tcp_connect(ns3c_tcpnet *n, int node, uint16_t port,
                     const ns3c_tcp_callbacks *cb, ns3c_tcp **out);

/* Queue `len` bytes of the stream (zeros) to send: the count taken (0 when
 * the buffer is full), or NS3C_ERR_INVAL after the socket failed. On the
 * model's network the whole length is offered, as to tcp_conn_send. */
int64_t ns3c_tcp_send(ns3c_tcp *t, uint64_t len);

/* Take at most `max` received bytes: the count (0 when none is ready). */
uint64_t ns3c_tcp_recv(ns3c_tcp *t, uint64_t max);

/* Bytes received in order that the application has not taken. */
uint64_t ns3c_tcp_unread(const ns3c_tcp *t);

/* shutdown(SHUT_WR), close(). */
int ns3c_tcp_shutdown(ns3c_tcp *t);
int ns3c_tcp_close(ns3c_tcp *t);
/* close() with SO_LINGER {1, 0}: a RST. Only a socket with the attribute
 * AbortOnClose (the plug-in's) has it: NS3C_ERR_INVAL for ns-3's own
 * TCP, which has no abortive close. */
int ns3c_tcp_abort(ns3c_tcp *t);

/* Detach the callbacks and free the handle; ns-3 keeps the socket until
 * its own timers end. NULL is a no-op. */
void ns3c_tcp_free(ns3c_tcp *t);

/* ---- a path of routers, with cross traffic (path.cc) ----
 *
 * The model's two ends (10.0.0.1, the client, node 0; 10.0.0.2, the
 * server, node 1) on ns-3's internet stack with the model as their TCP, as
 * on the model's network above, but joined by a chain of routers:
 *
 *   client --access-- R1 --core-- R2 ... Rn --access-- server
 *   cross senders --/                        \-- cross sinks
 *
 * Every router device sends through a queue disc of ns-3's traffic-control
 * layer (its device queue holds one packet, so the backlog is the queue
 * disc's); the ends have none (their device queue is `access`'s). Cross
 * traffic runs from a node behind R1 to one behind Rn, one connection per
 * flow, from time 0 of the simulation, over ns-3's TCP or the model under
 * a profile. Routing is static (host routes). Built into a fresh
 * simulation, once per conversation: ns3c_sim_free() takes it away. */

typedef enum ns3c_qdisc {
  NS3C_QDISC_FIFO,     /* ns3::FifoQueueDisc */
  NS3C_QDISC_RED,      /* ns3::RedQueueDisc */
  NS3C_QDISC_CODEL,    /* ns3::CoDelQueueDisc */
  NS3C_QDISC_FQ_CODEL, /* ns3::FqCoDelQueueDisc */
  NS3C_QDISC_PIE       /* ns3::PieQueueDisc */
} ns3c_qdisc;

typedef struct ns3c_path_config {
  ns3c_link_config access; /* each end's link to its router (the loss
                              applies at both ends of each; the stream is
                              the first of the path's: it uses 64 + 2 per
                              flow from there) */
  uint32_t routers;        /* 1..8 */
  uint64_t core_rate_bps;  /* each link between two routers */
  uint64_t core_delay_ns;
  double core_loss;
  int qdisc;                 /* ns3c_qdisc, on every router device */
  uint32_t qdisc_packets;    /* its limit */
  uint32_t cross_flows;      /* 0..64; more than 0 needs routers >= 2 */
  int cross_onoff;           /* 0: bulk (BulkSend), 1: on/off (OnOff) */
  const char *cross_profile; /* NULL or "": ns-3's TCP; else a profile */
  uint64_t cross_rate_bps;   /* on/off: the rate while on */
  uint64_t cross_on_ns;      /* on/off: mean on and off times */
  uint64_t cross_off_ns;     /* (exponential) */
} ns3c_path_config;

/* Build the path into simulation `s`, which must have no other network of
 * sockets. The network's sockets and model hosts work as on the model's
 * network (ns3c_tcpnet_model, ns3c_tcp_listen, ...); its link
 * (ns3c_tcpnet_link) is the two ends' view: the captures of the client's
 * and the server's device, and counters of the conversation's datagrams
 * only - sent by each end, delivered to each end, lost to a loss model on
 * the way to each end, dropped by a queue (disc) after each end sent it -
 * wherever on the path that happened (and ns3c_link_set_drop hears of
 * each). Returns 0, NS3C_ERR_INVAL (with the reason) or NS3C_ERR_NS3. */
int ns3c_pathnet_new(ns3c_sim *s, const ns3c_path_config *cfg,
                     ns3c_tcpnet **out);

typedef struct ns3c_path_stats {
  uint64_t qdisc_packets;    /* packets the routers' queue discs took in */
  uint64_t qdisc_drops;      /* ... and dropped (all traffic) */
  uint64_t conv_qdisc_drops; /* ... of them, the conversation's */
  uint64_t cross_bytes;      /* bytes the cross traffic's sinks received */
} ns3c_path_stats;

/* Counters since the path was built; zeros for another network. */
void ns3c_pathnet_stats(const ns3c_tcpnet *n, ns3c_path_stats *out);

/* ---- emulation: real kernels on a link, in real time (emu.cc) ---- */

/* A simulation on ns-3's RealtimeSimulatorImpl: events run when the wall
 * clock reaches them. Otherwise as ns3c_sim_new. */
int ns3c_sim_new_realtime(ns3c_sim **out, uint32_t seed, uint64_t run);

/* From inside ns3c_run of a real-time simulation: CLOCK_MONOTONIC, ns, at
 * simulated time 0 - where the kernels' clocks (their jiffies, their TCP
 * timestamps) stand on the simulation's time line. -1 otherwise. */
int64_t ns3c_sim_clock0_ns(ns3c_sim *s);

/* Put a real host behind node `node` of a raw link: `fd` is a TAP (opened
 * with IFF_TAP | IFF_NO_PI) whose kernel side has the address the node
 * stands for. IPv4 frames from the kernel to `self_mac` enter the link as
 * if the node had sent them (rate, delay, queue, loss and capture apply);
 * what the link delivers to the node goes to the kernel, addressed to
 * `kernel_mac`. The link's receive callback no longer sees that node's
 * arrivals. Returns 0, NS3C_ERR_INVAL or NS3C_ERR_NS3. */
int ns3c_link_attach_fd(ns3c_link *l, int node, int fd,
                        const uint8_t self_mac[6], const uint8_t kernel_mac[6]);

#ifdef __cplusplus
}
#endif

#endif
