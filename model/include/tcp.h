/*
 * tcp.h - the halfclose TCP model: sans-IO TCP/IPv4 endpoints.
 *
 * A host (tcp_host) owns one IPv4 address, its listening ports and its
 * connections (tcp_conn, one TCB each). Whoever drives the model - the ns-3
 * wrapper in a simulation, a test harness by hand - feeds it three kinds of
 * input, each with the current time in nanoseconds:
 *
 *   - a datagram arrived:   tcp_host_input()
 *   - time reached a deadline: tcp_host_on_expiry(), after tcp_host_expiry()
 *   - an application call:  tcp_host_connect(), tcp_conn_send(), ...
 *
 * and the model answers through the callbacks of tcp_host_config: datagrams
 * to transmit (`output`), notifications for the application (`notify`) and
 * trace events (`trace`). It never reads a clock, never sleeps and never
 * schedules anything itself: its next deadline is tcp_host_expiry(), with
 * UINT64_MAX meaning none.
 *
 * How a host behaves where TCP implementations differ - delayed ACK, what a
 * RST in TIME-WAIT does, and so on - is data: a tcp_profile, filled from a
 * named preset ("nt351", "nt351-sp", "bsd44", "linux", each optionally with
 * "+rfc1337") and then adjusted knob by knob with tcp_profile_set().
 *
 * Application data is the deterministic stream of tcp_payload_byte(): the
 * application says how many bytes it writes, and reads back the stream bytes.
 *
 * Callbacks: `output` and `trace` must not call back into the model.
 * `notify` is called only when the model is consistent (at the end of an
 * input, expiry or application call), and may call any application function.
 *
 * Errors: functions return 0 or a count on success and a negative
 * tcp_error on failure; tcp_strerror() names it.
 */
#ifndef HALFCLOSE_TCP_H
#define HALFCLOSE_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------------------
 * Segments on the wire
 */

/* TCP header flag bits, as on the wire. */
#define TCP_FIN 0x01u
#define TCP_SYN 0x02u
#define TCP_RST 0x04u
#define TCP_PSH 0x08u
#define TCP_ACK 0x10u
#define TCP_URG 0x20u

#define TCP_IPV4_HDR_LEN 20u /* IPv4 header without options, bytes */
#define TCP_TCP_HDR_LEN  20u /* TCP header without options, bytes */
#define TCP_MSS_OPT_LEN  4u  /* kind 2, length 4, 16-bit value */
#define TCP_OPT_MAX_LEN  40u /* the most options a TCP header holds */
#define TCP_TS_OPT_LEN   12u /* the timestamps option as Linux lays it out
                                (with two NOPs or sackOK): what it takes
                                from each segment's payload */
#define TCP_MAX_SACKS    4u  /* SACK blocks in one segment, at most */

/* Options of a segment besides the MSS (tcp_segment.opts). */
#define TCP_OPT_SACK_OK 0x01u /* SACK-permitted (RFC 2018 §2) */
#define TCP_OPT_WSCALE  0x02u /* window scale (RFC 7323 §2) */
#define TCP_OPT_TS      0x04u /* timestamps (RFC 7323 §3) */
#define TCP_IPPROTO_TCP  6u
#define TCP_MAX_DATAGRAM 65535u /* largest IPv4 datagram, bytes */

/* One TCP segment in host byte order, as encoded or decoded. */
typedef struct tcp_segment {
  uint32_t src;         /* IPv4 source address */
  uint32_t dst;         /* IPv4 destination address */
  uint16_t sport;       /* TCP source port */
  uint16_t dport;       /* TCP destination port */
  uint32_t seq;         /* sequence number */
  uint32_t ack;         /* acknowledgment number (meaningful with TCP_ACK) */
  uint8_t flags;        /* TCP_FIN | TCP_SYN | ... */
  uint16_t wnd;         /* advertised window, bytes (no scaling) */
  uint16_t urp;         /* urgent pointer (never set by the model) */
  uint16_t mss;         /* MSS option value, bytes; 0 = option absent */
  uint8_t opts;         /* TCP_OPT_* present */
  uint8_t wscale;       /* window-scale shift (TCP_OPT_WSCALE) */
  uint8_t nsack;        /* SACK blocks, at most TCP_MAX_SACKS */
  uint32_t ts_val;      /* TS val and TS ecr (TCP_OPT_TS) */
  uint32_t ts_ecr;
  uint32_t sack[TCP_MAX_SACKS][2]; /* SACK blocks: left and right edge */
  uint8_t ttl;          /* IPv4 time to live */
  uint16_t ip_id;       /* IPv4 identification */
  uint16_t len;         /* payload length, bytes */
  const uint8_t *data;  /* decode: payload inside the datagram; encode: the
                           payload to copy, or NULL to generate it */
  uint64_t payload_off; /* encode with data == NULL: stream offset of the
                           first payload byte */
} tcp_segment;

/* Why a datagram was rejected by tcp_wire_decode (all negative, and apart
 * from tcp_error's values: tcp_strerror names both). */
typedef enum tcp_wire_error {
  TCP_WIRE_OK = 0,
  TCP_WIRE_TOO_SHORT = -32,       /* fewer bytes than the headers need */
  TCP_WIRE_NOT_IPV4 = -33,        /* IP version is not 4 */
  TCP_WIRE_BAD_IHL = -34,         /* IHL < 5 or past the datagram */
  TCP_WIRE_BAD_TOTAL_LEN = -35,   /* total length disagrees with the buffer */
  TCP_WIRE_BAD_IP_CHECKSUM = -36, /* IPv4 header checksum wrong */
  TCP_WIRE_FRAGMENT = -37,        /* MF set or fragment offset non-zero */
  TCP_WIRE_NOT_TCP = -38,         /* protocol is not 6 */
  TCP_WIRE_BAD_DATA_OFFSET = -39, /* TCP data offset < 5 or past the
                                     datagram */
  TCP_WIRE_BAD_OPTION = -40,      /* an option runs past the header */
  TCP_WIRE_BAD_TCP_CHECKSUM = -41 /* TCP checksum (with pseudo-header)
                                     wrong */
} tcp_wire_error;

/* The name of a tcp_wire_error, e.g. "bad TCP checksum". */
const char *tcp_wire_strerror(int err);

/*
 * Decode the datagram buf[0..len) into `s` (s->data points into buf).
 * Returns TCP_WIRE_OK or a negative tcp_wire_error; `s` is unspecified then.
 * For a driver that watches datagrams the model did not send.
 */
int tcp_wire_decode(tcp_segment *s, const uint8_t *buf, size_t len);

/*
 * Encode `s` into buf[0..cap): the IPv4 datagram, checksums computed, the
 * payload copied from s->data or, when NULL, the stream's own bytes from
 * s->payload_off. Returns the datagram length, or 0 when it does not fit
 * in `cap` or exceeds TCP_MAX_DATAGRAM. For a driver that injects segments
 * the model did not send (a script's peer).
 */
size_t tcp_wire_encode(uint8_t *buf, size_t cap, const tcp_segment *s);

#define TCP_NEVER UINT64_MAX    /* a deadline that never comes */
#define TCP_MS    1000000ull    /* nanoseconds in a millisecond */
#define TCP_S     1000000000ull /* nanoseconds in a second */

typedef enum tcp_error {
  TCP_OK = 0,
  TCP_ERR_INVAL = -1,            /* argument out of range or misuse */
  TCP_ERR_NOMEM = -2,            /* the allocator failed */
  TCP_ERR_STATE = -3,            /* not allowed in the connection's state */
  TCP_ERR_ADDRINUSE = -4,        /* port already listening or 4-tuple in use */
  TCP_ERR_NOPORT = -5,           /* no ephemeral port left */
  TCP_ERR_RESET = -6,            /* connection reset by the peer */
  TCP_ERR_TIMEOUT = -7,          /* retransmissions gave up */
  TCP_ERR_REFUSED = -8,          /* connection refused (RST in SYN-SENT) */
  TCP_ERR_SHUTDOWN = -9,         /* sending after shutdown */
  TCP_ERR_WOULDBLOCK = -10,      /* nothing to read / no room to write now */
  TCP_ERR_ABORTED = -11,         /* this side aborted the connection */
  TCP_ERR_UNKNOWN_KNOB = -12,    /* tcp_profile_set: no such knob */
  TCP_ERR_BAD_VALUE = -13,       /* tcp_profile_set: value out of range */
  TCP_ERR_UNKNOWN_PROFILE = -14, /* tcp_profile_preset: no such preset */
  TCP_ERR_PIPE = -15             /* broken pipe: a RST in CLOSE-WAIT (Linux) */
} tcp_error;

/* SplitMix64 (Steele, Lea and Flood 2014): the next number of the stream
 * whose state is *state. The model's own generator when the driver gives
 * none, and the one mixer every layer above draws its randomness from. */
uint64_t tcp_splitmix64(uint64_t *state);

/* The name of a tcp_error or a tcp_wire_error. */
const char *tcp_strerror(int rv);

/* The tcp_error a kernel's errno value stands for (ECONNRESET ->
 * TCP_ERR_RESET, EAGAIN and EINPROGRESS -> TCP_ERR_WOULDBLOCK, ...;
 * TCP_ERR_INVAL for the rest, 0 for 0): for drivers that hold the model
 * and a kernel side by side. */
int tcp_error_from_errno(int e);

/* The eleven states of RFC 9293 §3.3.2. */
typedef enum tcp_state {
  TCP_CLOSED,
  TCP_LISTEN,
  TCP_SYN_SENT,
  TCP_SYN_RECEIVED,
  TCP_ESTABLISHED,
  TCP_FIN_WAIT_1,
  TCP_FIN_WAIT_2,
  TCP_CLOSE_WAIT,
  TCP_CLOSING,
  TCP_LAST_ACK,
  TCP_TIME_WAIT
} tcp_state;
#define TCP_NSTATES 11

/* "ESTABLISHED", "FIN-WAIT-1", ... as RFC 9293 spells them. */
const char *tcp_state_name(tcp_state s);

/* ---------------------------------------------------------------------------
 * Behaviour profiles
 */

typedef enum tcp_delack_mode {
  TCP_DELACK_OFF,     /* every segment is ACKed at once */
  TCP_DELACK_ONESHOT, /* deadline = first unACKed arrival + timeout */
  TCP_DELACK_TICK     /* deadline rounded up to a host-wide tick grid */
} tcp_delack_mode;

/* What makes a receiver ACK at once instead of delaying. */
typedef enum tcp_ack_rule {
  TCP_ACK_RULE_NONE,     /* no count: only the timer, window updates and the
                            immediate-ACK causes (4.4BSD) */
  TCP_ACK_RULE_SEGMENTS, /* every ack_every full-sized segments; smaller
                            segments do not count */
  TCP_ACK_RULE_BYTES     /* when more than (ack_every - 1) x MSS in-order
                            bytes are unacknowledged (Linux) */
} tcp_ack_rule;

/* When a read that opened the receive window makes the receiver say so. */
typedef enum tcp_winupdate_rule {
  TCP_WINUPDATE_BSD,  /* the window opened by two segments or half the
                         buffer (4.4BSD tcp_output) */
  TCP_WINUPDATE_LINUX /* the window offered had fallen to half the largest
                         or less, and the new one is at least twice it
                         (Linux tcp_cleanup_rbuf) */
} tcp_winupdate_rule;

/* The largest receive buffer a profile may have; the window offered is at
 * most 65535 whatever the buffer (no window scaling). */
#define TCP_RCV_BUF_MAX (1u << 20)

typedef struct tcp_profile {
  char name[48];                /* preset name plus modifiers, for reports */
  tcp_delack_mode delack_mode;  /* how a delayed ACK is scheduled */
  uint64_t delack_ns;           /* delayed-ACK timeout (linux: minimum), ns */
  uint64_t delack_max_ns;       /* adaptive timeout ceiling, ns; 0 = fixed */
  uint64_t delack_tick_ns;      /* tick mode: tick period, ns */
  uint64_t delack_phase_ns;     /* tick mode, delack_wheel: grid offset
                                   from time 0, ns */
  bool delack_wheel;            /* one-shot: the timer fires at the jiffy
                                   (delack_tick) after its expiry's, on the
                                   grid (Linux's timer wheel) */
  bool delack_finwait;          /* delay ACKs in FIN-WAIT-1/2 too (else
                                   ESTABLISHED only) */
  tcp_ack_rule ack_rule;        /* what counts towards an immediate ACK */
  bool ack_window_holds;        /* bytes rule: only if the window offered
                                   would not shrink (Linux) */
  bool rcv_grow_quickack;       /* quick-ACK mode holds while the window's
                                   threshold grows (Linux tcp_grow_window) */
  uint32_t ack_every;           /* N of the ack rule: segments, or MSS-sized
                                   amounts of bytes */
  uint32_t quickack;            /* first N data segments ACKed at once */
  bool cwnd_restart;            /* a write after the sender has been idle
                                   longer than the RTO restarts from the
                                   initial window (Linux
                                   tcp_slow_start_after_idle) */
  bool quickack_idle;           /* data after a gap longer than the RTO
                                   restarts the quick ACKs (Linux) */
  uint32_t pingpong_thresh;     /* replies sent within the ATO of an arrival
                                   that make the connection interactive: no
                                   quick ACKs until a delayed ACK fires
                                   (Linux tcp_pingpong_thresh); 0: never */
  bool ack_cancels_delack;      /* any ACK sent clears a pending delayed ACK */
  bool fin_ack_cancels_delack;  /* the ACK of the peer's FIN clears it; false
                                   is the KB Q152474 bug */
  bool fin_ack_now;             /* a FIN that ends ESTABLISHED is ACKed at
                                   once; false: the ACK is delayed like
                                   data's and rides on what the application
                                   sends next (Linux) */
  bool fin_ack_final;           /* after the ACK of the peer's FIN, send no
                                   ACK of our own accord (no delayed ACK, no
                                   window update): the article's fix */
  bool rfc1337;                 /* ignore RST in TIME-WAIT */
  bool rfc5961;                 /* RST acted on only at exactly RCV.NXT, SYN
                                   answered by a challenge ACK; false: RFC
                                   793, any in-window RST or SYN resets */
  bool rst_timewait_notifies;   /* a RST in TIME-WAIT reaches the application
                                   (else the TCB dies silently) */
  bool rst_closing_notifies;    /* a RST in CLOSING or LAST-ACK reaches the
                                   application */
  bool rst_close_wait_epipe;    /* a RST in CLOSE-WAIT is reported as EPIPE
                                   (TCP_ERR_PIPE), not as a reset */
  bool rst_discards_unread;     /* a reset discards unread data at once
                                   (Winsock); else data stays readable first */
  bool recv_eof_first;          /* after the peer's FIN, a later reset
                                   reads as end of stream (0), not as the
                                   error (Linux) */
  bool rst_abort_ack;           /* an abort or a close with unread data
                                   sends RST|ACK of RCV.NXT with the
                                   window (4.4BSD, Linux), else RFC 793's
                                   bare RST */
  bool close_unread_rst;        /* close() with unread data sends a RST
                                   (RFC 2525 2.17); else the data is
                                   flushed and a FIN sent (4.4BSD) */
  bool rst_data_after_close;    /* new data arriving after close() (in
                                   FIN-WAIT-1/2) is answered with a RST
                                   and the connection closed; else it is
                                   taken and never read */
  bool winupdate_after_fin;     /* send window updates after the peer's FIN */
  tcp_winupdate_rule winupdate; /* when a read sends a window update */
  bool nagle;                   /* Nagle's algorithm (RFC 896) */
  bool nagle_minshall;          /* ... holding a small segment only while an
                                   earlier small one is unacknowledged
                                   (Minshall's variant, Linux) */
  uint16_t mss;                 /* MSS announced and used at most, bytes */
  bool timestamps;              /* offer and use TCP timestamps (RFC 7323
                                   §3): TS val/ecr on every segment, the
                                   MSS's payload less 12 bytes */
  bool sack_permitted;          /* offer SACK (RFC 2018): blocks in the
                                   ACKs of out-of-order data */
  bool window_scaling;          /* offer window scaling (RFC 7323 §2) */
  uint8_t wscale;               /* ... the shift offered */
  uint32_t init_cwnd;           /* initial congestion window, segments */
  uint32_t rcv_buf;             /* receive buffer, bytes (<= 65535) */
  uint32_t snd_buf;             /* send buffer, bytes (snd_buf_grows: its
                                   first size, bytes of memory) */
  bool ack_pushed;              /* a read that empties the queue ACKs a pushed
                                   segment at once (Linux ICSK_ACK_PUSHED) */
  bool rcv_wnd_mss;             /* the window offered in whole segments unless
                                   within one of the free space (Linux) */
  bool psh_chunks;              /* PSH on the last segment of each chunk sent
                                   (Linux tso_fragment/GSO); else on the last
                                   queued */
  bool tso_defer;               /* chunks sized and deferred as Linux's
                                   tcp_write_xmit() does (with snd_buf_grows) */
  bool snd_buf_grows;           /* counted and grown as Linux does (skbs of
                                   memory, tcp_sndbuf_expand) */
  uint32_t snd_buf_seg;         /* ... memory a segment of cwnd adds */
  bool rcv_buf_grows;           /* the receive space grows as the application
                                   reads (Linux dynamic right-sizing,
                                   tcp_rcv_space_adjust) */
  uint64_t rto_initial_ns;      /* RTO before any RTT sample, ns */
  uint64_t rto_min_ns;          /* lower bound of the RTO, ns */
  bool tlp;                     /* tail loss probes: with SACK and no
                                   recovery under way, the timer first
                                   fires after 2 SRTT (+ 2 ms, or + rto_min
                                   with one segment out) and sends new data
                                   or the last segment again (Linux) */
  bool rto_var_min;             /* rto_min bounds the variance term: RTO =
                                   SRTT + max(4 RTTVAR, rto_min) (Linux);
                                   else the RTO, max(SRTT + 4 RTTVAR,
                                   rto_min) (RFC 6298) */
  uint64_t rto_max_ns;          /* upper bound of the backed-off RTO, ns */
  bool rtt_per_ack;             /* an RTT sample from every ACK of new data,
                                   the oldest skb it acknowledges (Linux;
                                   with snd_buf_grows); else one timed
                                   segment a round trip (RFC 6298 §3) */
  bool cubic_start;             /* congestion avoidance before any loss:
                                   a segment per 20 acked (Linux cubic with
                                   no W_max yet); else RFC 5681's */
  bool hystart;                 /* slow start ends at an ACK train or a
                                   grown round trip (Linux cubic's HyStart;
                                   with snd_buf_grows) */
  bool rcv_wnd_bsd;             /* the window offered is the free buffer
                                   space (0 when below a quarter of the
                                   buffer and one MSS), never shrinking
                                   (4.4BSD); else RFC 1122's edge that
                                   moves by min(buffer/2, MSS) at least */
  bool ss_incr_mss;             /* slow start opens cwnd by a whole MSS per
                                   ACK of anything new, the SYN's included
                                   (4.4BSD); else by the bytes acked, at
                                   most one MSS (RFC 5681 3.1) */
  bool ss_acked_segs;           /* ... by every segment an ACK newly
                                   acknowledges, with no one-MSS limit
                                   (Linux tcp_slow_start()) */
  uint64_t persist_min_ns;      /* the persist timer's floor, ns (it starts
                                   at the RTO, at least this) */
  uint64_t persist_max_ns;      /* ... and its backed-off ceiling, ns */
  bool probe_data;              /* a zero-window probe carries the next
                                   byte, beyond the window (4.4BSD); else
                                   it is an empty segment at SND.UNA - 1
                                   (Linux) */
  uint32_t max_retries;         /* retransmissions of one segment before the
                                   connection is aborted with a timeout */
  uint32_t syn_retries;         /* retransmissions of a SYN before giving up */
  uint64_t msl_ns;              /* maximum segment lifetime; TIME-WAIT lasts
                                   2 * msl_ns */
  uint8_t ttl;                  /* IPv4 TTL of segments sent */
} tcp_profile;

/*
 * Fill `p` from a preset: "nt351", "nt351-sp", "bsd44", "linux", optionally
 * followed by "+rfc1337". Returns 0 or TCP_ERR_UNKNOWN_PROFILE.
 */
int tcp_profile_preset(tcp_profile *p, const char *name);

/*
 * Set knob `knob` of `p` to `value`, in the knob's base unit: nanoseconds,
 * bytes, a count, 0/1, or the index of one of its words (delack_mode:
 * off/oneshot/tick; ack_rule: none/segments/bytes). The knob's range is
 * checked here, and only here. Text with units is the business of the
 * layers above (sim/conv_params.h). Returns 0, TCP_ERR_UNKNOWN_KNOB or
 * TCP_ERR_BAD_VALUE (out of the knob's range).
 */
int tcp_profile_set(tcp_profile *p, const char *knob, uint64_t value);

/* Knob `knob` of `p`, in its base unit. 0 or TCP_ERR_UNKNOWN_KNOB. */
int tcp_profile_get(const tcp_profile *p, const char *knob, uint64_t *value);

/* Knobs that are each in range but contradict one another: rto_min above
 * rto_max (RFC 6298 2.4 and 2.5 bound the RTO from below and above); in
 * tick mode a delack that is not a whole number of delack_tick. 0, or
 * TCP_ERR_BAD_VALUE with why[0..cap) naming the knobs. */
int tcp_profile_check(const tcp_profile *p, char *why, size_t cap);

typedef enum tcp_knob_kind {
  TCP_KNOB_BOOL,
  TCP_KNOB_TIME,  /* nanoseconds */
  TCP_KNOB_BYTES, /* bytes */
  TCP_KNOB_COUNT,
  TCP_KNOB_WORD /* one of a list of words (delack_mode, ack_rule) */
} tcp_knob_kind;

typedef struct tcp_knob_info {
  const char *name;         /* as tcp_profile_set takes it */
  tcp_knob_kind kind;       /* what its value is */
  uint64_t min, max;        /* valid range (TIME/BYTES/COUNT) */
  const char *help;         /* one line */
  const char *const *words; /* WORD: the words, NULL-terminated; the value
                               is the index */
} tcp_knob_info;

/* The table of knobs; *n receives its length. */
const tcp_knob_info *tcp_profile_knobs(size_t *n);

/* The knob named `name`, or NULL. */
const tcp_knob_info *tcp_profile_knob(const char *name);

/* The preset names, NULL-terminated. */
const char *const *tcp_profile_presets(void);

/*
 * Where preset `preset`'s value of `knob` comes from: *value receives the
 * value (base unit), *source the source (an RFC section, a stack's file and
 * function, Microsoft's documentation, or "assumed: " and the reason).
 * Returns 0, TCP_ERR_UNKNOWN_PROFILE or TCP_ERR_UNKNOWN_KNOB.
 */
int tcp_profile_source(const char *preset, const char *knob, uint64_t *value,
                       const char **source);

/* ---------------------------------------------------------------------------
 * Trace events
 */

typedef enum tcp_event_type {
  TCP_EV_SEG_OUT,      /* a segment was sent (seg, why) */
  TCP_EV_SEG_IN,       /* a segment arrived and was demultiplexed (seg) */
  TCP_EV_SEG_DROP,     /* an arrival was dropped (seg if decoded, why) */
  TCP_EV_STATE,        /* state change (from, to) */
  TCP_EV_TIMER_ARM,    /* timer armed or moved (timer, deadline) */
  TCP_EV_TIMER_FIRE,   /* timer fired (timer, deadline) */
  TCP_EV_TIMER_CANCEL, /* timer cancelled (timer, deadline it had) */
  TCP_EV_APP,          /* application call and its result (call, arg, result) */
  TCP_EV_NOTIFY,       /* notification for the application (notify) */
  TCP_EV_DATA_LOST     /* unread received bytes discarded by a reset (arg) */
} tcp_event_type;

typedef enum tcp_timer {
  TCP_TIMER_RTX,      /* retransmission */
  TCP_TIMER_DELACK,   /* delayed ACK */
  TCP_TIMER_PERSIST,  /* zero-window probe */
  TCP_TIMER_TIMEWAIT, /* 2 MSL */
  TCP_NTIMERS
} tcp_timer;

/* Why a segment was sent, or why an arrival was dropped. */
typedef enum tcp_why {
  TCP_WHY_NONE,
  TCP_WHY_SYN,             /* connection request or its retransmission */
  TCP_WHY_SYNACK,          /* answer to a SYN */
  TCP_WHY_DATA,            /* new data (with or without FIN) */
  TCP_WHY_FIN,             /* a FIN without data */
  TCP_WHY_RETRANSMIT,      /* retransmission timeout */
  TCP_WHY_FAST_RETRANSMIT, /* third duplicate ACK */
  TCP_WHY_ACK_EVERY,       /* ACK of every N-th full segment */
  TCP_WHY_ACK_QUICK,       /* quick-ACK at connection start */
  TCP_WHY_ACK_NOW,       /* ACK at once: delayed ACK off or not in this state */
  TCP_WHY_ACK_OOO,       /* out-of-order data or a filled hole */
  TCP_WHY_ACK_FIN,       /* ACK of the peer's FIN */
  TCP_WHY_ACK_HANDSHAKE, /* third segment of the handshake */
  TCP_WHY_DELACK,        /* the delayed-ACK timer fired */
  TCP_WHY_UNACCEPTABLE,  /* answer to an unacceptable segment (§3.10.7.4) */
  TCP_WHY_CHALLENGE,     /* challenge ACK (RFC 5961) */
  TCP_WHY_WINDOW_UPDATE, /* the application read and the window opened */
  TCP_WHY_ACK_PUSHED,    /* a read emptied the queue after a pushed segment */
  TCP_WHY_PERSIST,       /* zero-window probe */
  TCP_WHY_RST_NO_CONN,   /* RST: no connection for the segment (§3.10.7.1) */
  TCP_WHY_RST_LISTEN,    /* RST: ACK to a listening port (§3.10.7.2) */
  TCP_WHY_RST_BAD_ACK,   /* RST: unacceptable ACK in SYN-SENT/-RECEIVED */
  TCP_WHY_RST_ABORT,     /* RST: the application aborted */
  TCP_WHY_RST_UNREAD,    /* RST: closed with unread data (RFC 2525 §2.17) */
  TCP_WHY_RST_SYN,       /* RST: a SYN in the window (RFC 793, rfc5961 off) */
  TCP_WHY_RST_AFTER_CLOSE, /* RST: new data after the application closed */
  /* reasons for TCP_EV_SEG_DROP */
  TCP_WHY_MALFORMED,     /* did not decode (wire error in `result`) */
  TCP_WHY_NOT_MINE,      /* destination address is not this host */
  TCP_WHY_OUT_OF_WINDOW, /* failed the acceptability test */
  TCP_WHY_RST_IGNORED,   /* a RST not acted on */
  TCP_WHY_NO_ACK,        /* no ACK bit in a synchronized state */
  TCP_WHY_BAD_ACK,       /* ACK of something not yet sent */
  TCP_WHY_STRAY,         /* nothing to do with it */
  TCP_WHY_INTEGRITY,     /* payload differs from the stream (model bug) */
  TCP_WHY_LOSS_PROBE     /* the last segment sent again: a tail loss
                            probe (RFC 8985 §7; Linux, tlp) */
} tcp_why;

typedef enum tcp_app_call {
  TCP_CALL_CONNECT,
  TCP_CALL_LISTEN,
  TCP_CALL_ACCEPT,
  TCP_CALL_SEND,
  TCP_CALL_RECV,
  TCP_CALL_SHUTDOWN,
  TCP_CALL_CLOSE,
  TCP_CALL_ABORT
} tcp_app_call;

typedef enum tcp_notify {
  TCP_NOTIFY_CONNECTED,  /* an active open completed */
  TCP_NOTIFY_ACCEPTABLE, /* a listener has a connection ready to accept */
  TCP_NOTIFY_READABLE,   /* data, end of stream or an error can be read */
  TCP_NOTIFY_WRITABLE,   /* room in the send buffer again */
  TCP_NOTIFY_CLOSED,     /* the connection reached CLOSED without error */
  TCP_NOTIFY_ERROR       /* the connection failed (tcp_conn_error) */
} tcp_notify;

typedef struct tcp_conn tcp_conn;
typedef struct tcp_host tcp_host;

/* One trace event. Fields not listed for a type are zero. */
typedef struct tcp_event {
  tcp_event_type type;
  uint64_t time_ns;     /* when it happened */
  uint32_t host;        /* address of the host that traced it */
  const tcp_conn *conn; /* the connection, or NULL for host-level events */
  uint64_t conn_id;     /* the connection's number on its host, 0 if none */
  tcp_segment seg;      /* SEG_OUT, SEG_IN, SEG_DROP: the segment */
  const uint8_t *dgram; /* SEG_OUT, SEG_IN: the datagram's bytes */
  size_t dgram_len;     /* SEG_OUT, SEG_IN: its length */
  tcp_why why;          /* SEG_OUT, SEG_DROP */
  tcp_state from, to;   /* STATE */
  tcp_timer timer;      /* TIMER_* */
  uint64_t deadline_ns; /* TIMER_* */
  tcp_app_call call;    /* APP */
  int64_t arg;          /* APP: byte count asked; DATA_LOST: bytes */
  int64_t result;       /* APP: return value; SEG_DROP/MALFORMED: error */
  tcp_notify notify;    /* NOTIFY */
  tcp_state state;      /* connection state after the event */
  uint32_t snd_una;     /* connection snapshot after the event */
  uint32_t snd_nxt;
  uint32_t rcv_nxt;
} tcp_event;

const char *tcp_event_type_name(tcp_event_type t);
const char *tcp_timer_name(tcp_timer t);
const char *tcp_why_name(tcp_why w);
const char *tcp_call_name(tcp_app_call c);
const char *tcp_notify_name(tcp_notify n);

/* "SYN,ACK" style flag names into buf; returns buf. */
char *tcp_flags_str(uint8_t flags, char *buf, size_t cap);

/* One line describing `ev` into buf; returns the length. */
int tcp_event_format(const tcp_event *ev, char *buf, size_t cap);

/* ---------------------------------------------------------------------------
 * Hosts
 */

typedef struct tcp_host_config {
  uint32_t addr;       /* this host's IPv4 address, host order */
  tcp_profile profile; /* behaviour of every connection of the host */
  void *user;          /* passed to every callback */
  /* Transmit a datagram (required). The bytes are valid during the call. */
  void (*output)(void *user, const uint8_t *dgram, size_t len);
  /* An application notification (may be NULL). */
  void (*notify)(void *user, tcp_conn *c, tcp_notify what);
  /* A trace event (may be NULL: nothing is formatted then). */
  void (*trace)(void *user, const tcp_event *ev);
  /* Random 32-bit numbers for ISS and ephemeral ports (may be NULL: a
   * deterministic generator seeded from the address is used). */
  uint32_t (*random)(void *user);
  /* Allocator (both NULL: malloc and free). */
  void *(*alloc)(void *user, size_t size);
  void (*free)(void *user, void *ptr);
  /* Trust arriving datagrams: skip the TCP checksum and the payload
   * integrity check (the IPv4 header, its checksum and every length are
   * still checked). For a driver whose datagrams come unchanged from
   * another host of the model, where neither can fail; a batch run without
   * --check. Tests, fuzzing and replays leave it false. */
  bool trust_input;
  /* Nobody reads the payload bytes or the TCP checksum of what this host
   * sends - its peer trusts input and nothing captures them: they are not
   * written (the payload area keeps whatever the output buffer held, the
   * checksum field is 0); the IPv4 header and every TCP header field are.
   * A batch run without --check or captures. */
  bool opaque_payload;
  /* Which events reach `trace`: a mask of (1 << tcp_event_type), 0 for
   * all; and of timer events, a mask of (1 << tcp_timer), 0 for all. A
   * driver that reads the trace only for its outcome skips building the
   * rest (the invariant checker needs them all). */
  uint32_t trace_types, trace_timers;
} tcp_host_config;

/* Create a host. Returns 0, TCP_ERR_INVAL or TCP_ERR_NOMEM. */
int tcp_host_new(tcp_host **out, const tcp_host_config *cfg);

/* Free a host and every connection it has; handles become invalid. */
void tcp_host_free(tcp_host *h);

const tcp_profile *tcp_host_profile(const tcp_host *h);
uint32_t tcp_host_addr(const tcp_host *h);

/*
 * A datagram arrived at time now_ns. Malformed datagrams are dropped with a
 * TCP_EV_SEG_DROP trace event. Returns 0, or the (negative) tcp_wire_error
 * of a datagram that did not decode.
 */
int tcp_host_input(tcp_host *h, const uint8_t *dgram, size_t len,
                   uint64_t now_ns);

/* The earliest deadline of any connection of the host, or TCP_NEVER. */
uint64_t tcp_host_expiry(const tcp_host *h);

/* Run every timer whose deadline is <= now_ns. */
void tcp_host_on_expiry(tcp_host *h, uint64_t now_ns);

/* True when nothing more can happen without input: every connection is
 * CLOSED or in TIME-WAIT with only its 2 MSL timer left. */
bool tcp_host_quiescent(const tcp_host *h);

/* Number of connections that still hold a TCB (any state but CLOSED). */
size_t tcp_host_conn_count(const tcp_host *h);

/* Listen on `port` with room for `backlog` connections not yet accepted.
 * Returns 0, TCP_ERR_INVAL, TCP_ERR_ADDRINUSE or TCP_ERR_NOMEM. */
int tcp_host_listen(tcp_host *h, uint16_t port, uint32_t backlog,
                    uint64_t now_ns);

/* Stop listening on `port`; connections not yet accepted are reset. */
int tcp_host_unlisten(tcp_host *h, uint16_t port, uint64_t now_ns);

/* Take an established connection from the listener on `port`.
 * Returns 0, TCP_ERR_WOULDBLOCK (none ready) or TCP_ERR_INVAL. */
int tcp_host_accept(tcp_host *h, uint16_t port, tcp_conn **out,
                    uint64_t now_ns);

/* Active open to raddr:rport from an ephemeral port (lport 0) or `lport`.
 * Returns 0, TCP_ERR_ADDRINUSE, TCP_ERR_NOPORT or TCP_ERR_NOMEM. */
int tcp_host_connect(tcp_host *h, tcp_conn **out, uint16_t lport,
                     uint32_t raddr, uint16_t rport, uint64_t now_ns);

/* ---------------------------------------------------------------------------
 * Connections: the socket-like application interface
 */

/* Queue `len` stream bytes for sending. Returns the number accepted (maybe
 * fewer than len, 0 when the buffer is full: wait for WRITABLE),
 * TCP_ERR_SHUTDOWN, TCP_ERR_STATE or the connection's error. */
int64_t tcp_conn_send(tcp_conn *c, size_t len, uint64_t now_ns);

/* Room in the send buffer now: bytes a send would take at most (under
 * snd_buf_grows, the buffer's free memory, which a send fills at more
 * than a byte per byte); 0 when a send would take nothing - and then, as
 * after a send that took less than asked, WRITABLE follows when there is
 * room again. */
uint64_t tcp_conn_send_space(tcp_conn *c);

/* Read up to `len` bytes into buf (buf may be NULL to discard). Returns the
 * count (> 0), 0 at end of stream, TCP_ERR_WOULDBLOCK, or the connection's
 * error (TCP_ERR_RESET, TCP_ERR_TIMEOUT, ...). */
int64_t tcp_conn_recv(tcp_conn *c, uint8_t *buf, size_t len, uint64_t now_ns);

/* shutdown(SEND): a FIN follows the data already queued (RFC 9293 CLOSE).
 * Returns 0 or TCP_ERR_STATE. */
int tcp_conn_shutdown(tcp_conn *c, uint64_t now_ns);

/* Release the handle: shutdown(SEND) if not done, then the TCB lives on
 * until CLOSED by itself. Unread data makes it an abort (RFC 2525 §2.17).
 * The handle is invalid afterwards. Returns 0. */
int tcp_conn_close(tcp_conn *c, uint64_t now_ns);

/* Send a RST and drop the connection (RFC 9293 ABORT); releases the handle.
 * Returns 0. */
int tcp_conn_abort(tcp_conn *c, uint64_t now_ns);

tcp_state tcp_conn_state(const tcp_conn *c);
void tcp_conn_set_user(tcp_conn *c, void *user);
void *tcp_conn_user(const tcp_conn *c);

/* The connection's pending error (0 if none): TCP_ERR_RESET, ... */
int tcp_conn_error(const tcp_conn *c);

/* A snapshot of a connection, for tests and reports. */
typedef struct tcp_conn_info {
  tcp_state state;
  uint64_t id;                        /* the connection's number on its host */
  uint32_t laddr, raddr;              /* addresses */
  uint16_t lport, rport;              /* ports */
  uint32_t iss, irs;                  /* initial sequence numbers */
  uint32_t snd_una, snd_nxt, snd_wnd; /* send sequence space */
  uint32_t rcv_nxt, rcv_wnd;          /* receive sequence space */
  uint16_t mss;                       /* effective send MSS, bytes */
  uint32_t cwnd, ssthresh; /* congestion window and threshold, bytes */
  uint64_t srtt_ns, rttvar_ns, rto_ns; /* RFC 6298 estimator */
  uint64_t bytes_sent;                 /* stream bytes the application queued */
  uint64_t bytes_acked;                /* stream bytes the peer acknowledged */
  uint64_t bytes_received;             /* stream bytes received in order */
  uint64_t bytes_read;                 /* stream bytes the application read */
  uint64_t bytes_discarded;            /* received bytes discarded by a reset */
  uint32_t retransmits;                /* segments retransmitted */
  uint32_t integrity_errors; /* arrivals whose payload was not the stream */
  bool fin_received;         /* the peer's FIN arrived in order */
  bool fin_acked;            /* our FIN was acknowledged */
  int error;                 /* pending error */
  uint64_t deadline_ns[TCP_NTIMERS]; /* each timer's deadline or TCP_NEVER */
} tcp_conn_info;

void tcp_conn_info_get(const tcp_conn *c, tcp_conn_info *out);

/* ---------------------------------------------------------------------------
 * Invariant checker: feed it every trace event of a run.
 */

typedef struct tcp_check tcp_check;

int tcp_check_new(tcp_check **out);
void tcp_check_free(tcp_check *k);

/* Check one event. Returns 0, or -1 and keeps the first violation. */
int tcp_check_event(tcp_check *k, const tcp_event *ev);

/* The first violation, or NULL. */
const char *tcp_check_error(const tcp_check *k);

/* How many times the transition from -> to was seen. */
uint64_t tcp_check_transitions(const tcp_check *k, tcp_state from,
                               tcp_state to);

/* Whether from -> to is a transition RFC 9293 allows. */
bool tcp_check_legal(tcp_state from, tcp_state to);

#endif
