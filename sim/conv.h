/*
 * conv.h - one half-close conversation on ns-3, and what came of it.
 *
 * A conv_env is a simulation with one link, kept for a whole batch: each
 * conversation reconfigures the link, creates a client host (10.0.0.1, node
 * 0) and a server host (10.0.0.2, node 1) of the model, runs, and frees
 * them. Times inside a conversation are measured from its start, so a
 * conversation's result does not depend on what the process ran before.
 *
 * The client connects, writes `request` bytes, shuts down sending (the
 * half-close), reads at its own pace and closes at end of stream or error.
 * The server accepts, reads to end of stream (or the whole request, when
 * the client does not half-close or wait_eof is off), thinks, writes
 * `response` bytes, and closes. The
 * conversation ends when both applications have closed and the network is
 * quiet (only TIME-WAIT is left), or at the time limit.
 *
 * The outcome is computed from trace events alone: the model's, or for
 * ns-3's own TCP (CONV_STACK_NS3) the same events made from what ns-3
 * shows.
 */
#ifndef HALFCLOSE_CONV_H
#define HALFCLOSE_CONV_H

#include <stdio.h>

#include "conv_params.h"
#include "tcp.h"

#define CONV_CLIENT_ADDR 0x0a000001u
#define CONV_SERVER_ADDR 0x0a000002u
#define CONV_NONE        (-1) /* a time that did not happen */

/* The chain of KB Q152474, each link's time (ns from the start, or
 * CONV_NONE). */
typedef struct conv_anatomy {
  int64_t delack_armed;  /* the client armed the delayed ACK that became
                            the redundant ACK ... */
  uint32_t armed_by_seq; /* ... on the arrival of this segment (relative
                            sequence number) ... */
  uint32_t armed_by_len; /* ... carrying this many bytes */
  int64_t fin_arrived;   /* the server's FIN reached the client */
  int64_t fin_acked;     /* the client sent the ACK of the FIN */
  int64_t redundant_ack; /* the client sent a redundant ACK (below) */
  tcp_why redundant_why; /* why the model sent it (delack, window-update) */
  int64_t server_rst;    /* the server sent a RST */
  int64_t conn_reset;    /* a RST closed the client's connection */
  tcp_state reset_state; /* the client's state when it was reset */
  int64_t app_reset;     /* the client application's read (or write)
                            failed with a reset, before end of stream */
  uint64_t bytes_lost;   /* unread bytes discarded with it */
  int64_t unread_at_fin; /* response bytes received but not yet read when
                            the FIN arrived, or CONV_NONE */
} conv_anatomy;

/* Which mechanism produced the server's first RST, read from the trace:
 * the model's reason for the segment (tcp_why), or for an end whose
 * reasons are not traced (a kernel, ns-3's TCP) what the segments show. */
typedef enum conv_reset_cause {
  CONV_CAUSE_NONE,             /* the server sent no RST */
  CONV_CAUSE_REDUNDANT_ACK,    /* it answered the client's redundant ACK at a
                                  connection already gone: KB Q152474 */
  CONV_CAUSE_NO_CONNECTION,    /* it answered another segment that reached no
                                  connection (RFC 9293 3.10.7.1, 3.10.7.2) */
  CONV_CAUSE_CLOSE_UNREAD,     /* the server closed with unread data
                                  (RFC 2525 2.17) */
  CONV_CAUSE_ABORT,            /* the server's application aborted */
  CONV_CAUSE_DATA_AFTER_CLOSE, /* new data reached a connection its
                                  application had closed */
  CONV_CAUSE_OTHER,   /* a SYN in the window or an unacceptable ACK in the
                         handshake */
  CONV_CAUSE_UNKNOWN, /* a RST of an end whose reasons are not traced, and
                         not an answer to a redundant ACK */
  CONV_NCAUSES
} conv_reset_cause;

/* The cause's name as the store and the export write it ("" for none). */
const char *conv_reset_cause_name(int cause);

/*
 * What came of one conversation, each field set by one kind of trace event
 * of the client (or, for server_rst, of the server):
 */
typedef struct conv_outcome {
  bool redundant_ack;           /* a pure ACK (no data, SYN, FIN or RST) the
                                   client sent after its ACK of the server's
                                   FIN, not owed to an arriving segment: answers
                                   to an unacceptable segment (a retransmitted
                                   FIN among them) and challenge ACKs excluded
                                   (seg-out) */
  bool server_rst;              /* the server sent a RST (seg-out) */
  conv_reset_cause reset_cause; /* the mechanism of the server's first RST */
  bool conn_reset;              /* a RST closed the client's connection, in any
                                   state (state -> CLOSED at a RST's arrival) */
  bool reset_after_close;       /* ... after the client application had closed:
                                   harmless, it only ends TIME-WAIT early */
  bool app_reset;               /* the KB symptom: before the application saw
                                   end of stream, a read or write returned
                                   connection reset (app) */
  bool completed;               /* both applications closed within the limit */
  uint64_t bytes_lost;          /* response bytes the client host received in
                                   order that its application never got:
                                   discarded by a reset (data-lost) */
  uint64_t bytes_read;          /* response bytes the client application read */
  uint64_t exchanges;           /* responses the client read whole (at most
                                   `requests`) */
  uint64_t requests_failed;     /* requests - exchanges: requests whose
                                   response the client never read whole */
  uint64_t failed_reset;        /* ... given up when a read on their
                                   connection returned connection reset */
  uint64_t failed_eof;          /* ... given up at the end of the stream
                                   before their response (the rest: never
                                   answered within the time limit) */
  uint64_t connections;         /* connections the client opened */
  uint64_t retries;             /* requests the client sent again, each on
                                   a new connection (retry) */
  int client_error;             /* the error the client's read returned, or 0 */
  uint64_t duration_ns;         /* from start to the end of the conversation */
  uint32_t segments[2];         /* segments sent by client, server */
  uint32_t retransmits[2];      /* retransmissions by client, server */
  uint32_t lost;                /* datagrams the link lost or dropped */
  int64_t phase_ns[2];          /* delayed-ACK tick-grid phase the client and
                                   the server drew, or CONV_NONE (not tick) */
  conv_anatomy a;               /* the times of the chain */
} conv_outcome;

typedef struct conv_env conv_env;

/* A simulation with one link. seed (>= 1) seeds ns-3's generator, whose
 * streams drive the link's loss. Returns 0, or -1 with ns-3's message in
 * err[0..cap) (err may be NULL). */
int conv_env_new(conv_env **out, uint32_t seed, char *err, size_t cap);
void conv_env_free(conv_env *e);

/* The same in real time (emulation). */
int conv_env_new_realtime(conv_env **out, uint32_t seed, char *err, size_t cap);

/* Put a real kernel behind node `node` (0 client, 1 server) of a
 * real-time env's link: its frames come and go through the TAP `tap_fd`,
 * between the MAC addresses given (the link's and the TAP's). 0, or -1
 * with a message. Before conv_run. */
int conv_env_attach_kernel(conv_env *e, int node, int tap_fd,
                           const uint8_t link_mac[6], const uint8_t tap_mac[6],
                           char *err, size_t cap);

/* A real-time link's timing, per direction (0: client to server): frames
 * measured, their one-way delay on the wall clock (sum, least, greatest,
 * ns), frames more than 1 ms off the configured delay, TAP errors. */
typedef struct conv_link_timing {
  uint64_t frames[2];
  int64_t sum_ns[2], min_ns[2], max_ns[2];
  uint64_t off_1ms[2];
  uint64_t tap_errors[2];
} conv_link_timing;
void conv_env_timing(conv_env *e, conv_link_timing *t);

/* The simulation's clock, ns. */
uint64_t conv_env_now(const conv_env *e);

/* In a real-time run, from inside it: CLOCK_MONOTONIC at simulated 0, ns
 * (ns3c_sim_clock0_ns); -1 otherwise. */
int64_t conv_env_clock0_ns(conv_env *e);

/*
 * A real kernel at an end (emulation): its application is a program that
 * runs outside (halfclose-peer), and the link's node for that end already
 * leads to the kernel's TAP (conv_env_attach_kernel). The conversation starts
 * the client's program through `start` (a kernel server is listening before
 * conv_run), asks `poll` whether an end's program has exited and, once it
 * has, what it saw (`report`: bytes read, end of stream, the error).
 */
/* What a kernel end's program saw, once it exited. */
typedef struct conv_kernel_report {
  uint64_t bytes_read; /* response bytes its application read */
  bool eof;            /* its last connection ended with end of stream */
  int error;           /* the first errno a read or write got, or 0 */
  bool counted;        /* the client's counts below are given */
  uint64_t responses;  /* responses read whole, all connections */
  uint64_t connections, retries;
  uint64_t failed_reset, failed_eof; /* requests given up at a reset, at
                                        the end of the stream */
} conv_kernel_report;

typedef struct conv_kernel {
  bool end[2];               /* client, server: a real kernel */
  void (*start)(void *user); /* start the kernel client's program */
  /* Has end's program exited? Then what it saw. peer_done: the other
   * end is done, so a server waiting for another connection is
   * ended. */
  bool (*poll)(void *user, int end, bool peer_done, conv_kernel_report *out);
  void *user;
} conv_kernel;

typedef struct conv_opts {
  /* Every trace event of both hosts, with times from the start (may be
   * NULL). */
  void (*trace)(void *user, const tcp_event *ev);
  void *trace_user;
  const char *pcap_path;        /* capture at the client's device (pcapng,
                                   each packet's reason as its comment), or
                                   NULL */
  const char *pcap_server_path; /* ... at the server's device, or NULL */
  bool check;                /* run the invariant checker; a violation fails */
  const conv_kernel *kernel; /* real kernels at the ends, or NULL */
} conv_opts;

/* The TCP below the applications. */
typedef enum conv_stack {
  CONV_STACK_MODEL, /* two hosts of the model on an ns3c link */
  CONV_STACK_NS3,   /* ns-3's own TCP (TcpSocketBase) on the same link
                       model: the `ns3-native` reference. Its delayed-ACK
                       timeout and count come from the client's profile,
                       its buffers are ns-3's (128 KiB); MSL is 500 ms so
                       TIME-WAIT   sockets    do not pile up. What ns-3 does not
                       show is not in   the outcome: why a segment was sent (an
                       owed   ACK   counts as redundant), the delayed ACK's
                       arming,   the   tick phases. The invariant checker does not
                       apply. */
  CONV_STACK_PLUGIN /* the model as ns-3's TCP (the plug-in,
                       ns3::HalfcloseTcpL4Protocol) on ns-3's internet
                       stack - Ipv4L3Protocol, PointToPointNetDevice, no
                       queue disc - through ns-3's socket API: the same
                       hosts, draws and applications as CONV_STACK_MODEL,
                       and the same outcome and captures, byte for byte
                       (tests/sim/test_two_paths.c) */
} conv_stack;

/*
 * Run conversation `index` with parameters `p` on `stack`, the client's and
 * the server's profile, and randomness from (seed, index) only: ISNs, the
 * tick grids' phases, the link's loss. Returns 0, or -1 with a message
 * in err[0..cap) that keeps what ns-3 or the model said (err may be NULL).
 */
int conv_run(conv_env *e, const conv_params *p, conv_stack stack,
             const tcp_profile *client, const tcp_profile *server,
             uint64_t seed, uint64_t index, const conv_opts *opts,
             conv_outcome *out, char *err, size_t cap);

/* One-paragraph outcome, and the chain with its times (outcome_print.c). */
void conv_outcome_print(FILE *f, const conv_outcome *o);
void conv_anatomy_print(FILE *f, const conv_outcome *o);

#endif
