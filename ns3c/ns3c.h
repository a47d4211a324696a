/*
 * ns3c.h - a C API over libns3: just what halfclose needs from ns-3.
 *
 * A simulation (ns3c_sim) owns ns-3's simulator singleton for its lifetime,
 * so there is at most one per process; ns3c_sim_free() destroys it and a
 * new one may follow. Time is in nanoseconds. Callbacks are plain C
 * function pointers with a user pointer.
 *
 * A link (ns3c_link) is two ns-3 nodes joined by a point-to-point channel:
 * data rate, propagation delay, a drop-tail queue counted in packets, an
 * MTU, and per-packet loss on each receiving side (ns-3's RateErrorModel
 * with ERROR_UNIT_PACKET). Raw IPv4 datagrams go in with ns3c_link_send()
 * and come out through the receive callback of the other node; nothing of
 * ns-3's internet stack is involved. A link can be reconfigured between
 * conversations, so one simulation serves a whole batch.
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
  NS3C_ERR_FULL = -6   /* the device queue dropped the datagram */
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
 * runs. Returns 0, NS3C_ERR_IO or NS3C_ERR_NS3. */
int ns3c_link_pcap(ns3c_link *l, const char *path);

typedef struct ns3c_link_stats {
  uint64_t sent[2];        /* datagrams each node handed to its device */
  uint64_t delivered[2];   /* datagrams each node received */
  uint64_t lost[2];        /* dropped by the loss model at each receiver */
  uint64_t queue_drops[2]; /* dropped by each sender's full queue */
} ns3c_link_stats;

/* Counters since the last ns3c_link_configure (or creation). */
void ns3c_link_stats_get(const ns3c_link *l, ns3c_link_stats *out);

/* ---- ns-3's own TCP: the `ns3-native` reference ---- */

typedef struct ns3c_native_params {
  uint64_t rate_bps, delay_ns; /* link */
  uint32_t queue, mtu;         /* packets, bytes */
  double loss;                 /* per packet, each direction */
  uint64_t stream;             /* first RNG stream of the loss (two) */
  uint64_t request, response;  /* bytes */
  int half_close, wait_eof;    /* 0/1, as the conversation's keys */
  uint64_t shutdown_delay_ns, read_size, read_interval_ns, read_delay_ns;
  uint64_t think_ns, close_delay_ns, time_limit_ns;
  uint64_t delack_ns; /* TcpSocket::DelAckTimeout */
  uint32_t ack_every; /* TcpSocket::DelAckCount */
  uint64_t msl_ns;    /* TcpSocketBase::MaxSegLifetime */
} ns3c_native_params;

typedef struct ns3c_native_result {
  int redundant_ack, server_rst, conn_reset, reset_after_close, app_reset,
      completed;
  uint64_t bytes_read, bytes_lost, duration_ns;
  uint32_t segments[2]; /* seen on the client's device: client,
                           server */
  int64_t t_redundant_ack, t_server_rst, t_conn_reset, t_app_reset;
} ns3c_native_result;

/* One conversation on TcpSocketBase over ns-3's internet stack (two more
 * nodes of the simulation, built on first use). Returns 0, NS3C_ERR_INVAL
 * or NS3C_ERR_NS3. */
int ns3c_native_run(ns3c_sim *s, const ns3c_native_params *p,
                    ns3c_native_result *r);

#ifdef __cplusplus
}
#endif

#endif
