/*
 * tcp_internal.h - internal to model/: the TCB, the host and the helpers the
 * model's files share. Not part of the API; nothing outside model/ includes
 * it.
 *
 * Stream offsets: each direction's application bytes are numbered from 0 as
 * 64-bit offsets (una_off, app_sent, rcv_off, read_off). Sequence numbers are
 * 32-bit and wrap; they are only ever compared with the SEQ_* macros, and an
 * offset is recovered from a sequence number as a 32-bit distance from a
 * point whose offset is known (snd_una <-> una_off, rcv_nxt <-> rcv_off).
 */
#ifndef HALFCLOSE_TCP_INTERNAL_H
#define HALFCLOSE_TCP_INTERNAL_H

#include "tcp.h"
#include "tcp_wire.h"

#define SEQ_LT(a, b)  ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GT(a, b)  SEQ_LT(b, a)
#define SEQ_GEQ(a, b) SEQ_LEQ(b, a)

#define TCP_MAX_OOO     16  /* out-of-order ranges kept per connection */
#define TCP_DEFAULT_MSS 536 /* send MSS when the peer announces none */
#define TCP_MAX_SKBS    128 /* send buffers (skbs) tracked (snd_buf_grows) */
#define TCP_RQ_SKBS     128 /* receive queue skbs tracked (rcv_buf_grows) */
#define TCP_TSO_SEGS                                                           \
  2u /* Linux tcp_min_tso_segs: segments sent from an                          \
        skb at a time (sndbuf.c, psh_chunks) */

/* Pending notifications, one bit per tcp_notify. */
#define NOTE(n) (1u << (n))

typedef struct tcp_range {
  uint64_t start, end; /* stream offsets [start, end) */
  uint64_t last;       /* when data last joined it (the ooo_clock) */
} tcp_range;

/* An skb of the send queue as Linux keeps it (snd_buf_grows, sndbuf.c). */
typedef struct tcp_skb {
  uint64_t start; /* the stream offset it starts at */
  uint64_t sent;  /* when it was (last) sent, 0: not */
  bool retx;      /* sent again (TCPCB_RETRANS): no RTT sample */
} tcp_skb;

struct tcp_conn {
  tcp_host *host;        /* owner */
  tcp_conn *next;        /* host's list, oldest first */
  uint64_t id;           /* number on the host, from 1 */
  void *user;            /* application's pointer */
  tcp_state state;       /* RFC 9293 state */
  uint32_t laddr, raddr; /* local and remote addresses */
  uint16_t lport, rport; /* local and remote ports */
  bool passive;          /* created by a listener */
  bool owned;            /* the application holds the handle */
  bool app_closed;       /* the application released the handle */

  /* send sequence space (RFC 9293 §3.3.1) */
  uint32_t iss;      /* initial send sequence number */
  uint32_t snd_una;  /* oldest unacknowledged */
  uint32_t snd_nxt;  /* next to send (rewinds to snd_una on timeout) */
  uint32_t snd_max;  /* highest sequence number sent + 1 */
  uint32_t snd_wnd;  /* peer's window, bytes */
  uint32_t snd_wl1;  /* seq of the last window update */
  uint32_t snd_wl2;  /* ack of the last window update */
  uint32_t max_wnd;  /* largest window the peer offered, bytes */
  uint64_t una_off;  /* stream offset of the first unacknowledged byte */
  uint64_t app_sent; /* stream bytes the application queued */
  bool shut_wr;      /* the application shut down sending: FIN follows */
  bool fin_acked;    /* our FIN was acknowledged */
  uint16_t mss;      /* effective send MSS, bytes (less the timestamps
                        option's 12 where they are used) */

  /* options negotiated in the handshake (RFC 7323, RFC 2018) */
  bool ts_ok;         /* both offered timestamps: on every segment */
  bool sack_ok;       /* both offered SACK: blocks in our ACKs */
  bool wscale_ok;     /* both offered window scaling */
  uint8_t snd_wscale; /* the peer's shift: its windows arrive scaled */
  uint8_t rcv_wscale; /* ours: the windows we send are scaled */
  uint32_t ts_recent; /* the TS val to echo (RFC 7323 §4.3) */
  uint32_t ts_offset; /* our TS val is this plus the clock in ms */
  uint32_t rtt_tsecr; /* the echo the last receive-RTT sample came from */

  /* the send buffer as Linux counts it (snd_buf_grows, sndbuf.c) */
  uint32_t sndbuf;            /* its size now, bytes of memory */
  bool snd_blocked;           /* a write found it full (SOCK_NOSPACE) */
  int nskb;                   /* skbs queued ... */
  tcp_skb skb[TCP_MAX_SKBS];  /* ... in stream order */
  uint64_t chunk_left;   /* tso_defer: bytes left of the chunk under way */
  uint64_t chunk_from;   /* ... and where it began */
  uint64_t last_xmit_ns; /* when a segment was last sent */
  uint64_t lsrtt_ns;     /* Linux's smoothed RTT, a sample an ACK */
  uint64_t min_rtt_ns;   /* ... and the smallest sample */
  /* cubic's start (cubic_start): before a loss, CA by segments acked */
  bool ca_wmax;      /* a loss has set cubic's W_max */
  uint32_t ca_acked; /* segments acked towards the next increment */
  /* cubic's HyStart (hystart, hystart.c) */
  bool hs_found;           /* slow start's end found (ca->found) */
  uint32_t hs_end_seq;     /* the round ends when snd_una passes this */
  uint32_t hs_samples;     /* delay samples of the round so far */
  uint64_t hs_round_start; /* when the round began */
  uint64_t hs_last_ack;    /* the ACK train's last ACK */
  uint64_t hs_curr_rtt;    /* the round's smallest delay sample */
  uint64_t hs_delay_min;   /* the smallest delay sample of all */

  /* receive sequence space */
  uint32_t irs;               /* initial receive sequence number */
  uint32_t rcv_nxt;           /* next expected */
  uint32_t rcv_adv;           /* right edge of the window last advertised */
  uint32_t rcv_wnd_offered;   /* ... that window's size before the 16-bit
                                 clamp (Linux's tp->rcv_wnd) ... */
  uint32_t rcv_wup;           /* ... and rcv_nxt when it was offered */
  uint64_t rcv_off;           /* stream offset of rcv_nxt's data */
  uint64_t read_off;          /* stream offset the application has read to */
  bool fin_rcvd;              /* the peer's FIN arrived in order */
  bool fin_ack_sent;          /* an ACK covering the peer's FIN was sent */
  tcp_range ooo[TCP_MAX_OOO]; /* out-of-order data, sorted, disjoint */
  int nooo;                   /* entries in ooo */
  uint64_t ooo_clock;         /* out-of-order arrivals so far */
  bool dsack;                 /* a duplicate to report (RFC 2883) ... */
  uint32_t dsack_seq[2];      /* ... its sequence range, the next ACK's
                                 first SACK block */
  bool ooo_fin;               /* an out-of-order FIN is held */
  uint64_t ooo_fin_off;       /* its stream offset */

  /* delayed ACK */
  uint32_t unacked_segs;  /* full segments received since the last ACK */
  bool ack_pushed;        /* ... one of them pushed (ack_pushed) */
  bool ack_pushed2;       /* ... and another since (Linux ICSK_ACK_PUSHED2) */
  uint64_t unacked_bytes; /* in-order bytes received since the last ACK */
  uint32_t quickack_left; /* data segments still ACKed at once */
  uint32_t pingpong;      /* replies within the ATO (pingpong_thresh) */
  uint64_t last_data_sent_ns; /* the last segment with data (lsndtime) */
  uint32_t rcv_ssthresh; /* the window's growth threshold (rcv_grow_quickack) */
  bool rcv_ratio_known;  /* ... a segment has measured the buffer's payload
                            share (Linux scaling_ratio) */
  /* the receive space as Linux grows it (rcv_buf_grows, rcvbuf.c) */
  uint32_t rcv_space;    /* the space now (window_clamp), bytes */
  uint32_t rcvq_space;   /* bytes read in the last measured round trip */
  uint64_t rcvq_read;    /* read_off when the measure began */
  uint64_t rcvq_time;    /* ... and the time */
  uint64_t rq_end[TCP_RQ_SKBS]; /* the unread queue's skbs: where each ends
                                   (a ring; when full, the last grows) */
  uint32_t rq_head, rq_n;       /* ... its oldest and how many */
  uint64_t mstamp_ns;           /* the last segment's arrival (tcp_mstamp) */
  uint64_t rcv_rtt8_ns;  /* receive RTT estimate x 8, 0: none yet */
  uint32_t rcv_rtt_seq;  /* rcv_nxt that ends the running sample */
  uint64_t rcv_rtt_time; /* when it began, 0: not begun */
  uint64_t ato_ns;       /* adaptive timeout (delack_max_ns != 0) */
  uint64_t last_data_ns; /* arrival of the previous data segment */

  /* retransmission (RFC 6298) */
  bool rtt_timing;    /* a segment is being timed */
  uint32_t snd_sml;   /* end of the last small segment sent (Minshall) */
  bool sml_sent;      /* ... once there was one */
  uint32_t rtt_seq;   /* its sequence number */
  uint64_t rtt_start; /* when it was sent */
  bool have_rtt;      /* srtt/rttvar hold a sample */
  uint64_t srtt_ns, rttvar_ns, rto_ns;
  uint32_t backoff; /* consecutive timeouts of the oldest segment */

  /* congestion control (Reno, RFC 5681) */
  uint32_t cwnd, ssthresh; /* bytes */
  uint32_t dupacks;        /* consecutive duplicate ACKs */
  uint32_t recover;        /* snd_max when recovery began */
  bool in_recovery;        /* fast recovery in progress */
  bool tlp_armed;          /* the retransmission timer is a loss probe's */
  bool disorder;           /* the last ACK reported data above it (SACK):
                              Linux's Disorder state, no probes */
  uint64_t tlp_rto_at;     /* ... and when the RTO it stands in for is due */
  bool tlp_out;            /* a probe is outstanding (Linux tlp_high_seq) */
  uint32_t tlp_high_seq;   /* ... snd_nxt when it went */
  bool tlp_retrans;        /* ... and it was the last segment again */
  uint32_t last_new_seq;   /* where the last segment of new data began */

  uint32_t persist_backoff;       /* zero-window probes sent in a row */
  bool force_send;                /* persist fired on a small window: send what
                                     it allows (RFC 1122 §4.2.3.4 override) */
  uint64_t deadline[TCP_NTIMERS]; /* TCP_NEVER when not armed */

  int error;      /* pending error for the application, 0 if none */
  uint32_t notes; /* pending notifications, NOTE() bits */
  bool eof_seen;  /* recv returned end of stream */

  /* statistics */
  uint64_t bytes_discarded;
  uint32_t retransmits;
  uint32_t integrity_errors;
};

typedef struct tcp_listener {
  uint16_t port;    /* listening port */
  uint32_t backlog; /* connections not yet accepted, at most */
} tcp_listener;

struct tcp_host {
  tcp_host_config cfg;
  tcp_profile *p;          /* &cfg.profile */
  tcp_conn *conns, *tail;  /* every connection, oldest first */
  tcp_listener *listeners; /* listening ports */
  size_t nlisteners, caplisteners;
  uint64_t next_id; /* id of the next connection */
  uint16_t ip_id;   /* IPv4 identification counter */
  uint64_t rng;     /* built-in generator state */
  int depth;        /* nesting of entry points */
  uint64_t now;     /* time of the outermost entry point, ns */
  uint8_t *obuf;    /* output datagram */
  size_t obuf_cap;  /* its size: the largest segment the MSS allows */
};

/* host.c */
void *tcp_mem_alloc(tcp_host *h, size_t n);
void tcp_mem_free(tcp_host *h, void *ptr);
uint32_t tcp_host_random(tcp_host *h);
void tcp_host_enter(tcp_host *h, uint64_t now);
void tcp_host_leave(tcp_host *h);
void tcp_host_send_rst(tcp_host *h, const tcp_segment *in, tcp_why why,
                       uint64_t now);
tcp_listener *tcp_host_listener(tcp_host *h, uint16_t port);
uint32_t tcp_host_backlog_count(tcp_host *h, uint16_t port);
tcp_conn *tcp_conn_new(tcp_host *h, uint32_t raddr, uint16_t lport,
                       uint16_t rport);

/* trace.c */
void tcp_trace_conn(const tcp_conn *c, tcp_event *ev, uint64_t now);
void tcp_trace_host(const tcp_host *h, tcp_event *ev, uint64_t now);
void tcp_trace_app(tcp_conn *c, tcp_app_call call, int64_t arg, int64_t result,
                   uint64_t now);
void tcp_trace_timer(tcp_conn *c, tcp_event_type type, tcp_timer t,
                     uint64_t deadline, uint64_t now);
void tcp_trace_drop(tcp_host *h, tcp_conn *c, const tcp_segment *seg,
                    tcp_why why, int64_t result, uint64_t now);
#define TRACING(h) ((h)->cfg.trace != NULL)
/* Whether events of `type` (and, for timer events, of timer `t`) are
 * wanted: the trace is on and the masks let them through. */
#define TRACES(h, type)                                                        \
  (TRACING(h) && (!(h)->cfg.trace_types || ((h)->cfg.trace_types >> (type)&1u)))
#define TRACES_TIMER(h, type, t)                                               \
  (TRACES(h, type) &&                                                          \
   (!(h)->cfg.trace_timers || ((h)->cfg.trace_timers >> (t)&1u)))

/* conn.c: state, timers, errors */
void tcp_conn_set_state(tcp_conn *c, tcp_state to, uint64_t now);
void tcp_conn_timer_set(tcp_conn *c, tcp_timer t, uint64_t deadline,
                        uint64_t now);
void tcp_conn_timer_stop(tcp_conn *c, tcp_timer t, uint64_t now);
void tcp_conn_note(tcp_conn *c, tcp_notify n);
void tcp_conn_drop(tcp_conn *c, int error, bool notify_app, uint64_t now);
void tcp_conn_enter_time_wait(tcp_conn *c, uint64_t now);
void tcp_conn_on_timer(tcp_conn *c, tcp_timer t, uint64_t now);
void tcp_conn_discard_unread(tcp_conn *c, uint64_t now);

/* tcp_in.c */
void tcp_conn_input(tcp_conn *c, const tcp_segment *seg, uint64_t now);
void tcp_listen_input(tcp_host *h, const tcp_segment *seg, uint64_t now);

/* tcp_out.c */
void tcp_conn_output(tcp_conn *c, uint64_t now);
void tcp_conn_send_ack(tcp_conn *c, tcp_why why, uint64_t now);
void tcp_conn_send_rst(tcp_conn *c, tcp_why why, uint64_t now);

/* The persist timer's first interval: the RTO, within the profile's
 * persist_min and persist_max. */
uint64_t tcp_conn_persist_base(const tcp_conn *c);
void tcp_conn_send_syn(tcp_conn *c, uint64_t now);
void tcp_conn_retransmit_one(tcp_conn *c, uint64_t now);
void tcp_conn_send_probe(tcp_conn *c, uint64_t now);
void tcp_conn_maybe_window_update(tcp_conn *c, uint64_t now);

/* Linux's smoothed RTT (tcp_rtt_estimator(): a sample every ACK, from the
 * oldest skb it acknowledges; sndbuf.c), before any: the model's own. */
static inline uint64_t tcp_conn_lsrtt(const tcp_conn *c) {
  return c->lsrtt_ns ? c->lsrtt_ns : c->srtt_ns;
}

/* Our TS val now: a millisecond clock from the connection's offset (Linux
 * tcp_time_stamp_ts()); with delack_wheel its milliseconds begin on the
 * host's jiffy grid, as both count CLOCK_MONOTONIC. */
static inline uint32_t tcp_conn_ts_now(const tcp_conn *c, uint64_t now) {
  const tcp_profile *p = c->host->p;
  if (p->delack_wheel) {
    uint64_t tick = p->delack_tick_ns;
    now += tick - p->delack_phase_ns % tick;
  }
  return c->ts_offset + (uint32_t)(now / 1000000u);
}

/* Linux __tcp_select_window() with window scaling, without its side
 * effects: the window an ACK sent now would offer (tcp_out.c). */
uint32_t tcp_conn_scaled_select(const tcp_conn *c);

/* The MSS this end announced, less the timestamps when they are on
 * (Linux tp->advmss). */
uint32_t tcp_conn_advmss(const tcp_conn *c);

/* The receive space as Linux grows it (rcvbuf.c, rcv_buf_grows): as the
 * connection is established, after in-order data arrived (rcv_nxt
 * advanced), and after a read. */
void tcp_rcvbuf_established(tcp_conn *c, uint64_t now);
void tcp_rcvbuf_on_data(tcp_conn *c, uint64_t now);
/* A data segment of len bytes with timestamps arrived (before it is
 * queued): Linux's receive-RTT sample from its echo. */
void tcp_rcvbuf_on_ts(tcp_conn *c, uint32_t tsecr, uint32_t len, uint64_t now);
/* A read that began at stream offset `from` (read_off is where it ended);
 * in-order data up to rcv_off was queued as an skb of its own. */
void tcp_rcvbuf_on_read(tcp_conn *c, uint64_t from);
void tcp_rcvbuf_queued(tcp_conn *c);

/* The send buffer as Linux counts it (sndbuf.c, snd_buf_grows): a write
 * (returns the bytes taken), new data sent [from, to) as stream offsets,
 * and the writer's wake-up after an ACK. */
uint64_t tcp_sndbuf_write(tcp_conn *c, uint64_t len, uint64_t now);
/* Room left in a Linux-style send buffer, in its memory units (bytes of
 * buffer, not of payload): 0 when a write would block. */
uint64_t tcp_sndbuf_space(tcp_conn *c);
void tcp_sndbuf_sent(tcp_conn *c, uint64_t from, uint64_t to);
void tcp_sndbuf_check_space(tcp_conn *c, uint64_t now);
/* tso_defer: the segments the chunk starting at the next byte to send may
 * have, or 0 to wait for an ACK (tcp_tso_should_defer()); a chunk sent
 * [from, to); an ACK about to move snd_una to stream offset `to`: Linux's
 * RTT sample from the oldest skb it acknowledges (0: none), and in
 * *ca_rtt the newest's; [from, to) sent again; the pacing rate, bytes a
 * second (tcp_update_pacing_rate()). */
uint64_t tcp_sndbuf_chunk(tcp_conn *c, uint64_t now);
void tcp_sndbuf_chunk_sent(tcp_conn *c, uint64_t from, uint64_t to,
                           uint64_t now);
uint64_t tcp_sndbuf_acked(tcp_conn *c, uint64_t to, uint64_t now,
                          uint64_t *ca_rtt);
void tcp_sndbuf_resent(tcp_conn *c, uint64_t from, uint64_t to, uint64_t now);
uint64_t tcp_sndbuf_pacing_rate(const tcp_conn *c);

/* Knobs that use Linux's skbs (snd_buf_grows) */
#define RTT_PER_ACK(p)  ((p)->rtt_per_ack && (p)->snd_buf_grows)
#define HYSTART(p)      ((p)->hystart && (p)->snd_buf_grows)
#define CUBIC_START(p)  ((p)->cubic_start)
#define CUBIC_START_CNT 20u /* bictcp_update(): cnt while last_max_cwnd 0 */

/* cubic's HyStart (hystart.c, hystart): (re)started as the connection is
 * established and at a timeout; an ACK's delay sample (the newest skb's
 * round trip), before the window grows. */
void tcp_hystart_start(tcp_conn *c, uint64_t now);
void tcp_hystart_acked(tcp_conn *c, uint64_t rtt, uint64_t now);
uint32_t tcp_conn_rcv_wnd(const tcp_conn *c);
/* Stream offset of the data byte at sequence number `seq`. */
uint64_t tcp_conn_seq_off(const tcp_conn *c, uint32_t seq);
void tcp_conn_rtx_restart(tcp_conn *c, uint64_t now);
/* Tail loss probes (tlp, tcp_out.c): schedule one in place of the RTO
 * (advancing: an ACK just restarted the RTO), false if none applies; the
 * timer fired as a probe's; an ACK of `ack` that moved snd_una or not. */
bool tcp_conn_tlp_schedule(tcp_conn *c, bool advancing, uint64_t now);
void tcp_conn_tlp_fire(tcp_conn *c, uint64_t now);
void tcp_conn_tlp_ack(tcp_conn *c, uint32_t ack, bool advanced, bool dsack);

/* The delayed ACK (delack.c). */
typedef enum ack_decision {
  ACK_NONE,  /* nothing to acknowledge */
  ACK_DELAY, /* arm the delayed ACK */
  ACK_SEND   /* acknowledge at once, for `why` */
} ack_decision;
/* Data of `len` bytes arrived, in order or not: the window's threshold
 * grows as Linux's does (rcv_grow_quickack). */
void tcp_delack_grow_window(tcp_conn *c, uint32_t len);
/* The window's growth threshold as the connection is established, and
 * at in-order data of len bytes (rcv_grow_quickack). */
void tcp_delack_threshold_start(tcp_conn *c);
void tcp_delack_threshold_measure(tcp_conn *c, uint32_t len);
/* In-order data of `len` bytes arrived: acknowledge it now (*why) or
 * delay (updates the adaptive ATO and the every-N counters). */
ack_decision tcp_delack_on_data(tcp_conn *c, uint32_t len, tcp_why *why,
                                uint64_t now);
/* Arm the delayed-ACK timer unless it is armed. */
void tcp_delack_arm(tcp_conn *c, uint64_t now);
/* An ACK went out (for `why`): reset the counters, and cancel a pending
 * delayed ACK as the profile says. */
void tcp_delack_after_ack(tcp_conn *c, tcp_why why, uint64_t now);
/* A segment with data went out (Linux's interactive mode counts it). */
void tcp_delack_data_sent(tcp_conn *c, uint64_t now);
/* The bytes rule's immediate ACK is due, `extra` sequence numbers (a
 * FIN's) counted beside the unacknowledged data. */
bool tcp_delack_bytes_due(const tcp_conn *c, uint32_t extra);
/* In Linux's interactive (pingpong) mode: no quick ACKs. */
bool tcp_conn_interactive(const tcp_conn *c);

/* The sequence number of our FIN (valid once shut_wr is set). */
static inline uint32_t conn_fin_seq(const tcp_conn *c) {
  return c->iss + 1 + (uint32_t)c->app_sent;
}

/* Whether the state carries a synchronized connection that receives data. */
static inline bool state_receives(tcp_state s) {
  return s == TCP_ESTABLISHED || s == TCP_FIN_WAIT_1 || s == TCP_FIN_WAIT_2;
}

#endif
