/*
 * predict.c - see predict.h.
 *
 * Stage 1 is a small discrete-event account of one conversation written
 * from the rules, not from the model: byte offsets instead of sequence
 * numbers, one sender (the server's response) and one receiver (the
 * client), a FIFO link per direction with serialization (datagram + 2
 * bytes of PPP at the link rate) and propagation delay. Each rule cites
 * its source beside it - an RFC section, or the 4.4BSD-Lite2 or Linux
 * function the profile table names - never this project's model; where
 * two events fall on the same nanosecond they run in the order they were
 * scheduled, as in ns-3.
 *
 * The client reads as the model's application does: read_size bytes at
 * a time, either at every tick of read_interval from read_delay after the
 * request, or (read_interval 0) all there is once read_delay has passed
 * and then whenever data arrives. A reader that falls behind closes the
 * window: the server's persist timer, its window probes (empty, or one
 * byte beyond the window: probe_data) and its override of sender SWS
 * avoidance are played out, and so are the redundant ACK's RST and the
 * read it fails.
 *
 * Deliberately absent, because the regime excludes them: loss and
 * retransmission, out-of-order data. When the play-out meets one of them
 * anyway (a retransmission timer that would expire, three duplicate
 * ACKs), it declines with the reason.
 */
#include "predict.h"

#include <math.h>
#include <string.h>

#define HDR     40 /* IPv4 + TCP headers without options, bytes */
#define PPP     2  /* the point-to-point link's framing, bytes */
#define NEVER   INT64_MAX
#define MAXEV   512

enum ev_kind {
  EV_TO_SERVER, /* a datagram reaches the server */
  EV_TO_CLIENT, /* a datagram reaches the client */
  EV_CLIENT_DELACK,
  EV_SERVER_DELACK,
  EV_SERVER_WRITE,   /* the server application writes (after think) */
  EV_SERVER_RTX,     /* the server's retransmission deadline */
  EV_SERVER_PERSIST, /* the server's persist deadline */
  EV_CLIENT_READ     /* the client application's read tick */
};

/* W_PROBE: an empty window probe at an old sequence number (Linux's);
 * W_RST: the closed server's answer to the redundant ACK. */
enum what { W_HS_ACK, W_REQ, W_REQ_FIN, W_ACK, W_DATA, W_PROBE, W_RST };

typedef struct ev {
  int64_t at;
  uint64_t order; /* scheduling order, for ties */
  enum ev_kind kind;
  enum what what;
  uint64_t off; /* data: stream offset of the first byte */
  uint32_t len; /* data bytes */
  bool fin;     /* data: carries the FIN */
  uint64_t ack; /* ACK from the client: response bytes (+1 for the FIN) */
  uint32_t wnd; /* its window */
} ev;

typedef struct play {
  const predict_in *in;
  const conv_params *p;
  uint32_t mss; /* the payload of a full segment */
  uint32_t hdr; /* the headers of a segment after the SYNs, bytes */
  ev q[MAXEV];
  int nq;
  uint64_t order;
  int64_t link_free[2]; /* 0: client to server, 1: server to client */
  const char *fail;     /* why the play-out left the regime */

  /* the server: sender of the response */
  uint64_t una, nxt, maxs; /* sequence offsets: data bytes, +1 with FIN */
  uint64_t sml;            /* end of the last small segment sent, 0: none */
  uint64_t app_sent;       /* response bytes written by the application */
  bool closed;             /* close() called: the FIN follows the data */
  bool fin_sent, fin_acked, done;
  uint32_t cwnd, snd_wnd, max_wnd, dupacks;
  bool timing, have_rtt;
  uint64_t rtt_seq;
  int64_t rtt_start, srtt, rttvar, rto, rtx_at;
  int64_t rto_due;     /* when the RTO is due (rtx_at may be a probe's) */
  int64_t s_delack_at; /* the server's delayed ACK of the request */
  bool started;        /* the server application began its response */
  bool s_fin_rcvd, s_fin_ack_sent; /* the client's FIN, and its ACK */
  /* the server's receive side, for its own window updates: the request's
   * bytes in and read, and the window it offered last (as the client's) */
  uint64_t s_rcv_nxt, s_rcv_off, s_read_off, s_rcv_adv, s_rcv_wup;
  uint32_t s_rcv_offered;
  int64_t persist_at; /* the persist deadline, NEVER: not armed */
  uint32_t persist_backoff;
  bool force_send; /* persist fired on a small window */

  /* the client: receiver */
  uint64_t rcv_nxt, rcv_off, read_off, rcv_adv;
  uint64_t rcv_wup;     /* rcv_nxt when the window was last offered */
  uint32_t rcv_offered; /* ... and that window before the 16-bit field's
                           clamp (Linux tcp_select_window() keeps
                           tp->rcv_wnd so) */
  bool fin_rcvd, fin_ack_sent;
  int64_t delack_at;
  uint32_t unacked_segs, quickack_left;
  uint64_t unacked_bytes;
  int64_t ato, last_data;
  bool reading;        /* the application has begun reading */
  bool c_done;         /* ... and closed: end of stream, or a failed read */
  bool c_reset;        /* a RST reached the connection and will fail a read */
  bool c_reset_closed; /* a RST closed the connection */
  predict_out *out;
} play;

/* ---- events and the link ---- */

static void push(play *y, ev e) {
  if (y->nq == MAXEV) {
    y->fail = "too many events in flight";
    return;
  }
  e.order = y->order++;
  y->q[y->nq++] = e;
}

static bool pop(play *y, ev *e) {
  if (!y->nq)
    return false;
  int b = 0;
  for (int i = 1; i < y->nq; i++)
    if (y->q[i].at < y->q[b].at ||
        (y->q[i].at == y->q[b].at && y->q[i].order < y->q[b].order))
      b = i;
  *e = y->q[b];
  y->q[b] = y->q[--y->nq];
  return true;
}

/* The options the ends use (RFC 7323, RFC 2018), in the model's layout
 * (Linux's, model/wire.c): a SYN carries what its sender offers, a SYN-ACK
 * what both offered; later segments carry timestamps, 12 bytes, when both
 * ends use them - and a full segment's payload is 12 bytes less. */
static bool both_ts(const predict_in *in) {
  return in->client.timestamps && in->server.timestamps;
}

static uint32_t seg_hdr(const predict_in *in) {
  return HDR + (both_ts(in) ? 12u : 0u);
}

/* A SYN's headers from t, or with peer (the SYN it answers) a SYN-ACK's. */
static uint32_t syn_hdr(const tcp_profile *t, const tcp_profile *peer) {
  bool ts = t->timestamps && (!peer || peer->timestamps);
  bool sack = t->sack_permitted && (!peer || peer->sack_permitted);
  bool ws = t->window_scaling && (!peer || peer->window_scaling);
  return HDR + 4u + (ts ? 12u : sack ? 4u : 0u) + (ws ? 4u : 0u);
}

static uint32_t full_seg(const predict_in *in) {
  const tcp_profile *c = &in->client, *s = &in->server;
  uint32_t mss = c->mss < s->mss ? c->mss : s->mss;
  return both_ts(in) ? mss - 12u : mss;
}

/* The client's window-scale unit (1: none), as the server reads it. */
static uint32_t c_wunit(const predict_in *in) {
  if (!in->client.window_scaling || !in->server.window_scaling)
    return 1;
  return 1u << in->client.wscale;
}

static int64_t txtime(const play *y, uint32_t ip_len) {
  return (int64_t)llround((double)(ip_len + PPP) * 8e9 /
                          (double)y->p->rate_bps);
}

/* A datagram of ip_len bytes sent on direction dir at now. */
static void send_dgram(play *y, int dir, int64_t now, uint32_t ip_len, ev e) {
  int64_t start = now > y->link_free[dir] ? now : y->link_free[dir];
  y->link_free[dir] = start + txtime(y, ip_len);
  e.at = y->link_free[dir] + (int64_t)y->p->delay_ns;
  e.kind = dir ? EV_TO_CLIENT : EV_TO_SERVER;
  push(y, e);
}

/* The delayed-ACK deadline of a host armed at now. Tick: a host-wide
 * timer of period `tick` (4.4BSD-Lite2 tcp_fasttimo() every PR_FASTHZ;
 * NT's TcpDelAckTicks of 100 ms), so the ACK goes at the first grid point
 * after now + timeout - tick. One-shot: now + timeout, or the adaptive
 * ATO (Linux tcp_send_delayed_ack()), with delack_wheel at the tick after
 * it. */
static int64_t delack_deadline(const tcp_profile *pr, int64_t phase,
                               int64_t ato, int64_t now) {
  int64_t tick = (int64_t)pr->delack_tick_ns;
  if (pr->delack_mode == TCP_DELACK_ONESHOT) {
    int64_t t = pr->delack_max_ns ? ato : (int64_t)pr->delack_ns;
    if (!pr->delack_wheel)
      return now + t;
    /* Linux's timer wheel: the tick after the jiffy of now + ATO, ATO in
     * whole jiffies; the jiffy of now began at its grid point */
    int64_t ph = (phase < 0 ? 0 : phase) % tick;
    int64_t into = ((now - ph) % tick + tick) % tick;
    return now - into + (t / tick + 1) * tick;
  }
  int64_t base =
      now + ((int64_t)pr->delack_ns > tick ? (int64_t)pr->delack_ns - tick : 0);
  int64_t ph = (phase < 0 ? 0 : phase) % tick;
  if (base < ph)
    return ph;
  return ph + ((base - ph) / tick + 1) * tick;
}

/* ---- the client ---- */

/* A receiver's free space: its buffer less what is in and unread. */
static uint32_t free_space(uint32_t buf, uint64_t in, uint64_t read) {
  uint64_t buffered = in - read;
  return buffered < buf ? buf - (uint32_t)buffered : 0;
}

/* What is left of the window offered last (at wup), before the field's
 * clamp, now that rcv_nxt is nxt. */
static uint32_t offered_left(uint64_t wup, uint32_t offered, uint64_t nxt) {
  uint64_t edge = wup + offered;
  return edge > nxt ? (uint32_t)(edge - nxt) : 0;
}

static uint32_t c_space(const play *y) {
  return free_space(y->in->client.rcv_buf, y->rcv_off, y->read_off);
}

static uint32_t c_offered_now(const play *y) {
  return offered_left(y->rcv_wup, y->rcv_offered, y->rcv_nxt);
}

/* The window the client offers: RFC 1122 4.2.3.3's receiver SWS
 * avoidance, or 4.4BSD-Lite2 tcp_output()'s sbspace() (rcv_wnd_bsd); the
 * right edge never moves left of the last offer, counted before the
 * 16-bit field's clamp (Linux tcp_select_window() sets tp->rcv_wnd, then
 * clamps what it writes). */
static uint32_t offer(const tcp_profile *pr, uint32_t space, uint32_t cur,
                      uint32_t mss) {
  uint32_t R = pr->rcv_buf;
  if (pr->rcv_wnd_bsd) {
    /* 4.4BSD-Lite2 tcp_output(): sbspace(), 0 below sb_hiwat / 4 and
     * t_maxseg, never less than rcv_adv - rcv_nxt */
    if (space < R / 4 && space < mss)
      space = 0;
    if (space < cur)
      space = cur;
  } else {
    uint32_t step = R / 2 < mss ? R / 2 : mss; /* RFC 1122 4.2.3.3 */
    if (space < cur || space - cur < step)
      space = cur;
  }
  return space;
}

static uint32_t c_advertise(play *y) {
  uint32_t space = offer(&y->in->client, c_space(y), c_offered_now(y), y->mss);
  y->rcv_offered = space;
  y->rcv_wup = y->rcv_nxt;
  uint32_t unit = c_wunit(y->in);
  if (space > 65535u * unit)
    space = 65535u * unit;
  y->rcv_adv = y->rcv_nxt + space;
  /* the field says whole units (RFC 7323 2.3); the edge kept is the
   * space's (4.4BSD-Lite2 tcp_output()'s rcv_adv) */
  return space - space % unit;
}

static void c_send_ack(play *y, int64_t now, bool delack) {
  const tcp_profile *c = &y->in->client;
  if (y->c_reset_closed)
    return; /* the RST closed the connection: nothing more is sent */
  if (y->fin_ack_sent && !y->out->redundant_ack) { /* an ACK after the ACK
                                                      of the FIN */
    y->out->redundant_ack = true;
    y->out->t_redundant = now;
  }
  ev e = {.what = W_ACK, .ack = y->rcv_nxt, .wnd = c_advertise(y)};
  send_dgram(y, 0, now, y->hdr, e);
  bool first_fin_ack = y->fin_rcvd && !y->fin_ack_sent;
  bool cancel = first_fin_ack ? c->fin_ack_cancels_delack || c->fin_ack_final
                              : c->ack_cancels_delack;
  y->unacked_segs = 0;
  y->unacked_bytes = 0;
  if (y->fin_rcvd)
    y->fin_ack_sent = true;
  if (cancel || delack)
    y->delack_at = NEVER;
}

/* A read that opens the window sends an update: 4.4BSD-Lite2 tcp_output()
 * (adv >= 2 t_maxseg or 2 adv >= sb_hiwat; no state guard, so also after
 * the FIN: winupdate_after_fin), or Linux tcp_cleanup_rbuf(): first the
 * ACK the arrivals held back (more than a segment unacknowledged while a
 * delayed ACK is pending), else an update when the window offered (its
 * unclamped tp->rcv_wnd) is at most half the buffer and the free space at
 * least doubles it. */
static void c_window_update(play *y, int64_t now) {
  const tcp_profile *c = &y->in->client;
  if (y->fin_rcvd &&
      !(c->winupdate_after_fin && !(c->fin_ack_final && y->fin_ack_sent)))
    return;
  uint32_t R = c->rcv_buf;
  uint32_t space = c_space(y);
  if (c->winupdate == TCP_WINUPDATE_LINUX) {
    uint32_t now_wnd = c_offered_now(y);
    if ((y->delack_at != NEVER &&
         y->unacked_bytes > (uint64_t)(c->ack_every - 1) * y->mss) ||
        (2 * (uint64_t)now_wnd <= R && space > now_wnd &&
         space >= 2 * (uint64_t)now_wnd))
      c_send_ack(y, now, false);
    return;
  }
  uint32_t cur =
      y->rcv_adv > y->rcv_nxt ? (uint32_t)(y->rcv_adv - y->rcv_nxt) : 0;
  if (space <= cur)
    return;
  uint32_t opened = space - cur;
  if (opened >= 2 * y->mss || 2 * opened >= R) /* two segments or half */
    c_send_ack(y, now, false);
}

/* One recv() of read_size bytes (RFC 9293 §3.10.3 RECEIVE): data while
 * there is any, then the reset's error - unless the FIN is in and the
 * profile reads end of stream first (recv_eof_first: Linux
 * tcp_recvmsg_locked() tests SOCK_DONE before sk_err) - then end of
 * stream. 1: data, 0: end of stream, -1: the error, -2: nothing yet. */
static int c_recv(play *y, int64_t now) {
  uint64_t avail = y->rcv_off - y->read_off;
  if (avail) {
    y->read_off += avail < y->p->read_size ? avail : y->p->read_size;
    c_window_update(y, now);
    return 1;
  }
  if (y->c_reset && !(y->fin_rcvd && y->in->client.recv_eof_first))
    return -1;
  if (y->fin_rcvd || y->c_reset_closed)
    return 0;
  return -2;
}

/* The application: one read per tick of read_interval, or (read_interval
 * 0) every read that returns data; at end of stream, or on an error, it
 * closes and reads no more. */
static void c_read(play *y, int64_t now) {
  while (!y->c_done) {
    int r = c_recv(y, now);
    if (r == 1 && !y->p->read_interval_ns)
      continue;
    if (r == 0 || r == -1)
      y->c_done = true;
    if (r == -1)
      y->out->app_reset = true;
    return;
  }
}

/* A RST reaches the client, in TIME-WAIT: RFC 1337's rule ignores it;
 * otherwise the connection closes, and the application learns of it only
 * if the profile tells a reset in TIME-WAIT and it has not closed
 * (rst_timewait_notifies), losing what it has not read if the profile
 * discards it (rst_discards_unread: Winsock). */
static void c_rst(play *y, int64_t now) {
  const tcp_profile *c = &y->in->client;
  if (y->c_reset_closed || c->rfc1337)
    return;
  y->c_reset_closed = true;
  y->out->t_conn_reset = now;
  y->delack_at = NEVER;
  if (!c->rst_timewait_notifies || y->c_done)
    return;
  y->c_reset = true;
  if (c->rst_discards_unread)
    y->read_off = y->rcv_off;
  if (y->reading && !y->p->read_interval_ns)
    c_read(y, now);
}

/* Linux tcp_event_data_recv(): the ATO follows the gaps between data
 * arrivals, between TCP_DELACK_MIN and TCP_DELACK_MAX (delack,
 * delack_max). */
static void c_ato_update(play *y, int64_t now) {
  const tcp_profile *c = &y->in->client;
  if (!c->delack_max_ns)
    return;
  int64_t m = y->last_data ? now - y->last_data : 0;
  y->last_data = now;
  if (!m)
    return;
  int64_t lo = (int64_t)c->delack_ns, hi = (int64_t)c->delack_max_ns;
  if (m <= lo / 2)
    y->ato = y->ato / 2 + lo / 2;
  else if (m < y->ato)
    y->ato = y->ato / 2 + m;
  if (y->ato < lo)
    y->ato = lo;
  if (y->ato > hi)
    y->ato = hi;
}

/* Immediate or delayed: RFC 1122 4.2.3.2 (an ACK at least every second
 * full-sized segment) and the profile's rule - 4.4BSD-Lite2 tcp_input()'s
 * TCP_REASS delays only in ESTABLISHED (delack_finwait off: at once in
 * FIN-WAIT), Linux's quick-ACK mode (tcp_in_quickack_mode()), byte-counted
 * ACKs (Linux __tcp_ack_snd_check(): more than one rcv_mss unacked). */
static bool c_ack_now(play *y, uint32_t len) {
  const tcp_profile *c = &y->in->client;
  if (c->delack_mode == TCP_DELACK_OFF || !c->delack_finwait)
    return true; /* the half-closed client is in FIN-WAIT */
  if (y->quickack_left) {
    y->quickack_left--;
    return true;
  }
  switch (c->ack_rule) {
  case TCP_ACK_RULE_SEGMENTS:
    if (len >= y->mss)
      y->unacked_segs++;
    return y->unacked_segs >= c->ack_every;
  case TCP_ACK_RULE_BYTES:
    y->unacked_bytes += len;
    return y->unacked_bytes > (uint64_t)(c->ack_every - 1) * y->mss;
  default:
    return false;
  }
}

/* RFC 9293 §3.10.7.4 seventh and eighth: in-order text, then the FIN,
 * ACKed at once (fin_ack_now: RFC 9293's "send an acknowledgment for the
 * FIN"); a delayed ACK armed before it stays armed unless the profile
 * cancels it (KB Q152474). */
static void c_data(play *y, const ev *e, int64_t now) {
  if (e->off != y->rcv_off) {
    y->fail = e->off < y->rcv_off ? "data the client already has (a "
                                    "probe's byte sent again)"
                                  : "data out of order";
    return;
  }
  /* RFC 9293 §3.10.7.4 first: a segment beyond a zero window - a one-byte
   * window probe - is dropped and ACKed at once with the window there is */
  uint64_t wnd = y->rcv_adv > y->rcv_nxt ? y->rcv_adv - y->rcv_nxt : 0;
  if (e->len && wnd == 0) {
    c_send_ack(y, now, false);
    return;
  }
  if (e->len > wnd) {
    y->fail = "data beyond the window";
    return;
  }
  bool now_ack = false;
  if (e->len) {
    y->rcv_off += e->len;
    y->rcv_nxt += e->len;
    c_ato_update(y, now);
    now_ack = c_ack_now(y, e->len);
  }
  if (!e->fin) {
    if (now_ack)
      c_send_ack(y, now, false);
    else if (e->len && y->delack_at == NEVER) {
      y->delack_at =
          delack_deadline(&y->in->client, y->in->phase_ns[0], y->ato, now);
      ev t = {.at = y->delack_at, .kind = EV_CLIENT_DELACK};
      push(y, t);
    }
  } else {
    /* the FIN: one immediate ACK covers it and its data; a delayed ACK
     * armed by an earlier segment may outlive it */
    y->fin_rcvd = true;
    y->rcv_nxt += 1;
    y->out->t_fin = now;
    y->out->unread_at_fin = (int64_t)(y->rcv_off - y->read_off);
    c_send_ack(y, now, false);
  }
  if (y->reading && !y->p->read_interval_ns)
    c_read(y, now);
}

/* ---- the server ---- */

/* The server's receive window: the same rules as the client's, for the
 * updates its application's read of the request may send. */
static uint32_t s_space(const play *y) {
  return free_space(y->in->server.rcv_buf, y->s_rcv_off, y->s_read_off);
}

static uint32_t s_offered_now(const play *y) {
  return offered_left(y->s_rcv_wup, y->s_rcv_offered, y->s_rcv_nxt);
}

/* Every segment the server sends with an ACK offers a window. */
static void s_advertise(play *y) {
  uint32_t space = offer(&y->in->server, s_space(y), s_offered_now(y), y->mss);
  y->s_rcv_offered = space;
  y->s_rcv_wup = y->s_rcv_nxt;
  y->s_rcv_adv = y->s_rcv_nxt + (space > 65535 ? 65535 : space);
}

static void s_send(play *y, int64_t now, uint32_t ip_len, ev e) {
  s_advertise(y);
  send_dgram(y, 1, now, ip_len, e);
}

/* RFC 6298 §2.2-2.4: SRTT and RTTVAR from a sample, RTO = SRTT + 4 RTTVAR
 * within the profile's bounds (§2.4, 2.5). */
static void s_rtt_sample(play *y, int64_t r) {
  const tcp_profile *s = &y->in->server;
  if (!y->have_rtt) {
    y->srtt = r;
    y->rttvar = r / 2;
    y->have_rtt = true;
  } else {
    int64_t diff = y->srtt > r ? y->srtt - r : r - y->srtt;
    y->rttvar = (3 * y->rttvar + diff) / 4;
    y->srtt = (7 * y->srtt + r) / 8;
  }
  int64_t rto = y->srtt + 4 * y->rttvar;
  /* Linux tcp_rtt_estimator(): the variance term never below rto_min */
  if (s->rto_var_min && 4 * y->rttvar < (int64_t)s->rto_min_ns)
    rto = y->srtt + (int64_t)s->rto_min_ns;
  if (rto < (int64_t)s->rto_min_ns)
    rto = (int64_t)s->rto_min_ns;
  if (rto > (int64_t)s->rto_max_ns)
    rto = (int64_t)s->rto_max_ns;
  y->rto = rto;
}

/* The server's tail loss probe (tlp: Linux tcp_schedule_loss_probe(),
 * with SACK both ways): the timer first fires at 2 SRTT + 2 ms (+ rto_min
 * instead with one segment out), at most at the RTO (at `rto_at`). Its
 * expiry, like the RTO's, is outside the regime. */
static int64_t s_probe_at(const play *y, int64_t now, int64_t rto_at) {
  const tcp_profile *s = &y->in->server, *c = &y->in->client;
  if (!s->tlp || !s->sack_permitted || !c->sack_permitted || !y->have_rtt ||
      y->una == y->maxs)
    return rto_at;
  int64_t pto = 2 * y->srtt +
                (y->maxs - y->una <= y->mss ? (int64_t)s->rto_min_ns : 2000000);
  return now + pto < rto_at ? now + pto : rto_at;
}

/* RFC 6298 §5.1, 5.3: the retransmission timer runs while data is
 * outstanding; its expiry is outside the regime (declined). */
static void s_rtx_set(play *y, int64_t at) {
  y->rtx_at = at;
  if (at != NEVER) {
    ev t = {.at = at, .kind = EV_SERVER_RTX};
    push(y, t);
  }
}

/* Any segment with an ACK ends the server's pending delayed ACK (RFC 1122
 * 4.2.3.2; 4.4BSD-Lite2 tcp_output() clears TF_DELACK, Linux
 * tcp_event_ack_sent()); its first ACK of the client's FIN - bare, or
 * carried by the response - only if the profile says so (KB Q152474:
 * NT 3.51's did not). */
static void s_after_ack(play *y) {
  const tcp_profile *s = &y->in->server;
  bool fin_ack = y->s_fin_rcvd && !y->s_fin_ack_sent;
  bool cancel = fin_ack ? s->fin_ack_cancels_delack || s->fin_ack_final
                        : s->ack_cancels_delack;
  if (y->s_fin_rcvd)
    y->s_fin_ack_sent = true;
  if (cancel)
    y->s_delack_at = NEVER;
}

/* The persist timer's interval (RFC 1122 4.2.2.17): the RTO within the
 * profile's floor and ceiling (4.4BSD-Lite2 tcp_setpersist(): at least
 * TCPTV_PERSMIN; Linux tcp_probe0_base(): the RTO), doubled per probe
 * already sent, up to the ceiling. */
static int64_t s_persist_interval(const play *y) {
  const tcp_profile *s = &y->in->server;
  int64_t lo = (int64_t)s->persist_min_ns, hi = (int64_t)s->persist_max_ns;
  int64_t t = y->rto > lo ? y->rto : lo;
  if (t > hi)
    t = hi;
  for (uint32_t i = 0; i < y->persist_backoff && t < hi; i++)
    t *= 2;
  return t < hi ? t : hi;
}

static void s_persist_set(play *y, int64_t at) {
  y->persist_at = at;
  ev t = {.at = at, .kind = EV_SERVER_PERSIST};
  push(y, t);
}

/* Send what the windows, Nagle and SWS avoidance allow (RFC 5681, RFC 896,
 * RFC 1122 4.2.3.4); a window too small to use, with nothing in flight,
 * starts the persist timer (RFC 1122 4.2.2.17). */
static void s_output(play *y, int64_t now) {
  const tcp_profile *s = &y->in->server;
  uint64_t unsent = 0;
  bool small_window = false, sent_new = false;
  for (;;) {
    unsent = y->app_sent > y->nxt ? y->app_sent - y->nxt : 0;
    bool fin_pending = y->closed && !y->fin_sent;
    uint64_t flight = y->nxt - y->una;
    uint32_t wnd = y->snd_wnd < y->cwnd ? y->snd_wnd : y->cwnd;
    uint64_t usable = wnd > flight ? wnd - flight : 0;
    uint64_t len = y->mss;
    if (unsent < len)
      len = unsent;
    if (usable < len)
      len = usable;
    bool fin = fin_pending && len == unsent;
    if (len == 0 && !fin)
      break;
    if (len < unsent && len < y->mss && len < y->max_wnd / 2 &&
        !y->force_send) {
      small_window = true;
      break;
    }
    if (s->nagle && len < y->mss && len == unsent && flight > 0 && !fin &&
        (!s->nagle_minshall || (y->sml > y->una && y->sml <= y->nxt)))
      break;
    bool rexmit = y->nxt < y->maxs; /* under a one-byte probe */
    if (!y->timing && !rexmit) {
      y->timing = true;
      y->rtt_seq = y->nxt;
      y->rtt_start = now;
    }
    ev e = {.what = W_DATA, .off = y->nxt, .len = (uint32_t)len, .fin = fin};
    s_send(y, now, y->hdr + (uint32_t)len, e);
    s_after_ack(y);
    y->nxt += len + fin;
    if (len < y->mss && !rexmit) /* new data (Minshall) */
      y->sml = y->nxt;
    if (fin)
      y->fin_sent = true;
    if (y->nxt > y->maxs)
      y->maxs = y->nxt;
    if (y->rtx_at == NEVER && y->una != y->maxs) {
      y->rto_due = now + y->rto;
      s_rtx_set(y, y->rto_due);
    }
    if (!rexmit)
      sent_new = true;
    if (fin)
      break;
  }
  if (sent_new) /* tcp_write_xmit(): a probe in place of the RTO */
    s_rtx_set(y, s_probe_at(y, now, y->rto_due));
  y->force_send = false;
  if ((y->snd_wnd == 0 || small_window) && unsent > 0 &&
      (y->una == y->maxs || y->rtx_at == NEVER) && y->persist_at == NEVER) {
    y->persist_backoff = 0;
    s_persist_set(y, now + s_persist_interval(y));
  }
}

/* The persist timer fired: a small window is used anyway (RFC 1122
 * 4.2.3.4's override); a zero one is probed - with the next byte, beyond
 * it (probe_data: 4.4BSD-Lite2 tcp_output() under t_force), or with an
 * empty segment at an old sequence number (Linux tcp_xmit_probe_skb()) -
 * and the timer backs off. */
static void s_persist(play *y, int64_t now) {
  if (y->persist_at != now)
    return; /* stopped or moved since */
  y->persist_at = NEVER;
  if (y->snd_wnd > 0) {
    y->force_send = true;
    s_output(y, now);
    return;
  }
  if (y->in->server.probe_data && y->nxt < y->app_sent) {
    ev e = {.what = W_DATA, .off = y->nxt, .len = 1};
    s_send(y, now, y->hdr + 1, e);
    if (y->nxt + 1 > y->maxs)
      y->maxs = y->nxt + 1;
  } else {
    ev e = {.what = W_PROBE};
    s_send(y, now, y->hdr, e);
  }
  s_after_ack(y);
  y->persist_backoff++;
  s_persist_set(y, now + s_persist_interval(y));
}

static void s_write(play *y, int64_t now) {
  if (y->closed)
    return;
  uint64_t left = y->p->response - y->app_sent;
  uint64_t queued = y->app_sent - (y->una < y->app_sent ? y->una : y->app_sent);
  uint64_t room =
      queued < y->in->server.snd_buf ? y->in->server.snd_buf - queued : 0;
  uint64_t n = left < room ? left : room;
  y->app_sent += n;
  if (n)
    s_output(y, now);
  if (y->app_sent == y->p->response) {
    y->closed = true; /* close() at once: the FIN follows the data */
    s_output(y, now);
  }
}

/* RFC 9293 §3.10.7.4 fifth (the ACK field), RFC 5681 §3.1 slow start
 * (or 4.4BSD-Lite2 tcp_input()'s t_maxseg per ACK: ss_incr_mss, Linux's
 * segments acked: ss_acked_segs); three
 * duplicate ACKs (RFC 5681 §3.2) are outside the regime. */
static void s_ack(play *y, const ev *e, int64_t now) {
  if (e->ack > y->maxs) {
    y->fail = "an ACK of data not sent";
    return;
  }
  /* a duplicate only while the retransmission timer runs (4.4BSD-Lite2
   * tcp_input()): not the answer to a one-byte probe */
  bool dup = e->ack == y->una && e->wnd == y->snd_wnd && y->una != y->maxs &&
             y->rtx_at != NEVER;
  if (e->ack >= y->una) {
    y->snd_wnd = e->wnd;
    if (e->wnd > y->max_wnd)
      y->max_wnd = e->wnd;
    if (e->wnd > 0) { /* an open window ends persist */
      y->persist_at = NEVER;
      y->persist_backoff = 0;
    }
  }
  bool writable = false;
  if (e->ack > y->una) {
    uint64_t acked = e->ack - y->una;
    if (y->fin_sent && !y->fin_acked && e->ack == y->maxs) {
      acked--; /* the FIN */
      y->fin_acked = true;
    }
    y->una = e->ack;
    if (y->nxt < y->una)
      y->nxt = y->una;
    if (y->timing && e->ack > y->rtt_seq) {
      s_rtt_sample(y, now - y->rtt_start);
      y->timing = false;
    }
    y->dupacks = 0;
    /* slow start: 4.4BSD adds t_maxseg per ACK (tcp_input.c), Linux
     * every segment acknowledged (tcp_slow_start(), a short one whole);
     * otherwise RFC 5681 §3.1's byte counting, at most one segment */
    if (y->in->server.ss_incr_mss)
      y->cwnd += y->mss;
    else if (y->in->server.ss_acked_segs)
      y->cwnd += (uint32_t)((acked + y->mss - 1) / y->mss) * y->mss;
    else
      y->cwnd += acked < y->mss ? (uint32_t)acked : y->mss;
    y->rto_due = y->una == y->maxs ? NEVER : now + y->rto;
    s_rtx_set(y, y->una == y->maxs ? NEVER : s_probe_at(y, now, y->rto_due));
    writable = acked && !y->closed;
  } else if (dup && ++y->dupacks == 3) {
    y->fail = "three duplicate ACKs (fast retransmit)";
    return;
  }
  if (y->fin_acked) {
    y->done = true; /* LAST-ACK -> CLOSED */
    return;
  }
  s_output(y, now);
  if (writable && y->started)
    s_write(y, now);
}

/* The server application reads the request as it arrives; the read may
 * send a window update, by the server's rule (as the client's:
 * c_window_update). The request fits one segment, so no ACK is held back
 * for Linux's tcp_cleanup_rbuf() to send. */
static void s_read_request(play *y, int64_t now) {
  const tcp_profile *s = &y->in->server;
  y->s_read_off = y->s_rcv_off;
  uint32_t R = s->rcv_buf, space = s_space(y);
  bool update;
  if (s->winupdate == TCP_WINUPDATE_LINUX) {
    uint32_t now_wnd = s_offered_now(y);
    update = 2 * (uint64_t)now_wnd <= R && space > now_wnd &&
             space >= 2 * (uint64_t)now_wnd;
  } else {
    uint32_t cur = y->s_rcv_adv > y->s_rcv_nxt
                       ? (uint32_t)(y->s_rcv_adv - y->s_rcv_nxt)
                       : 0;
    uint32_t opened = space > cur ? space - cur : 0;
    update = opened && (opened >= 2 * y->mss || 2 * opened >= R);
  }
  if (update) {
    ev a = {.what = W_ACK};
    s_send(y, now, y->hdr, a);
    s_after_ack(y);
  }
}

/* Whether the server ACKs a request of `request` bytes at once: no
 * delayed ACKs, quick-ACK mode at a connection's start (Linux
 * tcp_event_data_recv(), icsk_ack.quick), or the byte or segment rule of
 * the immediate ACK (RFC 1122 4.2.3.2). */
static bool s_acks_request(const tcp_profile *s, uint64_t request,
                           uint32_t mss) {
  if (s->delack_mode == TCP_DELACK_OFF || s->quickack > 0)
    return true;
  if (s->ack_rule == TCP_ACK_RULE_BYTES)
    return request > (uint64_t)(s->ack_every - 1) * mss;
  if (s->ack_rule == TCP_ACK_RULE_SEGMENTS)
    return request >= mss && s->ack_every <= 1;
  return false;
}

/* The server's side of the request: ACK of the handshake, the request and
 * the client's FIN. */
static void s_request(play *y, const ev *e, int64_t now) {
  const tcp_profile *s = &y->in->server;
  if (e->what == W_HS_ACK) {
    /* 4.4BSD-Lite2 tcp_input.c: the ACK of the SYN opens snd_cwnd by
     * t_maxseg like any other in slow start */
    if (s->ss_incr_mss)
      y->cwnd += y->mss;
    s_rtt_sample(y, now - y->rtt_start); /* the SYN-ACK was timed */
    y->timing = false;
    y->snd_wnd = e->wnd;
    if (e->wnd > y->max_wnd)
      y->max_wnd = e->wnd;
    return;
  }
  if (e->what == W_REQ) {
    y->s_rcv_off += y->p->request;
    y->s_rcv_nxt += y->p->request;
    /* the server in ESTABLISHED: quick ACK, immediate or delayed */
    if (s_acks_request(s, y->p->request, y->mss)) {
      ev a = {.what = W_ACK};
      s_send(y, now, y->hdr, a);
      s_after_ack(y);
    } else {
      y->s_delack_at =
          delack_deadline(s, y->in->phase_ns[1], (int64_t)s->delack_ns, now);
      ev t = {.at = y->s_delack_at, .kind = EV_SERVER_DELACK};
      push(y, t);
    }
    s_read_request(y, now);
    if (!y->p->wait_eof) { /* the whole request is there: respond */
      y->started = true;
      ev w = {.at = now + (int64_t)y->p->think_ns, .kind = EV_SERVER_WRITE};
      push(y, w);
    }
    return;
  }
  /* the client's FIN, end of stream for the application: ACKed at once
   * (RFC 9293 §3.10.7.4 eighth), or - when it ends ESTABLISHED under a
   * profile that delays it (fin_ack_now off: Linux tcp_fin() schedules
   * the ACK) - by the delayed-ACK timer or the response, whichever
   * comes first */
  y->s_fin_rcvd = true;
  y->s_rcv_nxt += 1;
  if (!s->fin_ack_now && !y->closed) {
    if (y->s_delack_at == NEVER) {
      y->s_delack_at =
          delack_deadline(s, y->in->phase_ns[1], (int64_t)s->delack_ns, now);
      ev t = {.at = y->s_delack_at, .kind = EV_SERVER_DELACK};
      push(y, t);
    }
  } else {
    ev a = {.what = W_ACK};
    s_send(y, now, y->hdr, a);
    s_after_ack(y);
  }
  if (y->p->wait_eof) {
    y->started = true;
    ev w = {.at = now + (int64_t)y->p->think_ns, .kind = EV_SERVER_WRITE};
    push(y, w);
  }
}

/* ---- the regime and the play-out ---- */

/* Linux's ACK and send rules this predictor has no rule for: an end that
 * uses any of them is declined (with which), never guessed. Each is
 * Linux's: tcp_event_data_recv()/__tcp_ack_snd_check() (ack_pushed,
 * rcv_grow_quickack, ack_window_holds, quickack_idle),
 * tcp_event_data_sent() (pingpong_thresh), tcp_cwnd_restart()
 * (cwnd_restart), tcp_rcv_space_adjust() (rcv_buf_grows), tcp_sendmsg_locked()
 * chunks (psh_chunks), __tcp_select_window() (rcv_wnd_mss),
 * tcp_tso_should_defer() (tso_defer). */
static const char *linux_rules(const tcp_profile *t, bool server) {
  if (t->ack_pushed)
    return server ? "the server ACKs pushed segments as Linux does "
                    "(ack_pushed): not modelled"
                  : "the client ACKs pushed segments as Linux does "
                    "(ack_pushed): not modelled";
  if (t->psh_chunks)
    return server ? "the server sends in Linux's chunks (psh_chunks): not "
                    "modelled"
                  : "the client sends in Linux's chunks (psh_chunks): not "
                    "modelled";
  if (t->rcv_grow_quickack)
    return server ? "the server's quick ACKs follow its window's growth "
                    "(rcv_grow_quickack): not modelled"
                  : "the client's quick ACKs follow its window's growth "
                    "(rcv_grow_quickack): not modelled";
  if (t->ack_window_holds)
    return server ? "the server holds ACKs for its window "
                    "(ack_window_holds): not modelled"
                  : "the client holds ACKs for its window "
                    "(ack_window_holds): not modelled";
  if (t->rcv_wnd_mss)
    return server ? "the server offers its window in whole segments "
                    "(rcv_wnd_mss): not modelled"
                  : "the client offers its window in whole segments "
                    "(rcv_wnd_mss): not modelled";
  if (t->tso_defer)
    return server ? "the server defers sends as tcp_tso_should_defer() "
                    "(tso_defer): not modelled"
                  : "the client defers sends as tcp_tso_should_defer() "
                    "(tso_defer): not modelled";
  if (t->pingpong_thresh)
    return server ? "the server's quick ACKs stop in interactive mode "
                    "(pingpong_thresh): not modelled"
                  : "the client's quick ACKs stop in interactive mode "
                    "(pingpong_thresh): not modelled";
  if (t->cwnd_restart)
    return server ? "the server restarts its window after an idle RTO "
                    "(cwnd_restart): not modelled"
                  : "the client restarts its window after an idle RTO "
                    "(cwnd_restart): not modelled";
  if (t->rcv_buf_grows)
    return server ? "the server's receive space grows as it reads "
                    "(rcv_buf_grows): not modelled"
                  : "the client's receive space grows as it reads "
                    "(rcv_buf_grows): not modelled";
  if (t->quickack_idle)
    return server ? "the server's quick ACKs restart after an idle gap "
                    "(quickack_idle): not modelled"
                  : "the client's quick ACKs restart after an idle gap "
                    "(quickack_idle): not modelled";
  return NULL;
}

static const char *regime(const predict_in *in, uint32_t mss) {
  const conv_params *p = in->p;
  if (p->loss > 0)
    return "the link loses packets";
  if (p->requests > 1 || p->max_requests || p->close_mode != CONV_CLOSE_PLAIN ||
      p->retry || p->idle_timeout_ns)
    return "more than one exchange, max_requests, retry, idle_timeout or a "
           "close_mode other than close";
  if (!p->half_close || p->shutdown_delay_ns)
    return "no half-close right after the request";
  if (p->close_delay_ns || p->close_on_eof)
    return "the server does not close right after its write";
  if (p->close_when_read)
    return "the client closes before end of stream";
  if (p->request == 0 || p->request > mss || p->request > in->server.rcv_buf ||
      p->request > in->client.snd_buf)
    return "the request does not fit one segment";
  if (p->response == 0)
    return "no response";
  if (in->server.snd_buf_grows && p->response > in->server.snd_buf)
    return "the server's send buffer grows while it writes (snd_buf_grows)";
  if ((uint64_t)p->queue * mss < in->server.snd_buf + 4ull * mss)
    return "the link's queue could overflow";
  if (in->client.delack_mode == TCP_DELACK_TICK &&
      (in->phase_ns[0] < 0 || in->client.delack_tick_ns == 0))
    return "the client's tick phase is unknown";
  if (in->server.delack_mode == TCP_DELACK_TICK &&
      (in->phase_ns[1] < 0 || in->server.delack_tick_ns == 0))
    return "the server's tick phase is unknown";
  if (in->client.delack_mode == TCP_DELACK_ONESHOT && in->client.delack_wheel &&
      in->phase_ns[0] < 0)
    return "the client's jiffy phase is unknown";
  if (in->server.delack_mode == TCP_DELACK_ONESHOT && in->server.delack_wheel &&
      in->phase_ns[1] < 0)
    return "the server's jiffy phase is unknown";
  return NULL;
}

int64_t predict_request_time(const predict_in *in) {
  play y;
  memset(&y, 0, sizeof y);
  y.p = in->p;
  /* SYN, then SYN-ACK: each serialized and delayed once */
  int64_t a1 =
      txtime(&y, syn_hdr(&in->client, NULL)) + (int64_t)in->p->delay_ns;
  return a1 + txtime(&y, syn_hdr(&in->server, &in->client)) +
         (int64_t)in->p->delay_ns;
}

int predict_redundant_ack(const predict_in *in, predict_out *out) {
  memset(out, 0, sizeof *out);
  const tcp_profile *c = &in->client, *s = &in->server;
  if (!in->p || in->p->rate_bps == 0) {
    out->why = "no parameters";
    return -1;
  }
  uint32_t mss = full_seg(in);
  out->by_definition =
      c->fin_ack_final ||
      ((c->fin_ack_cancels_delack || c->delack_mode == TCP_DELACK_OFF) &&
       !c->winupdate_after_fin);
  out->t_fin = out->t_redundant = out->t_conn_reset = -1;
  out->unread_at_fin = -1;
  out->why = regime(in, mss);
  /* Linux's own ACK and send rules decide when, not whether after the
   * FIN: a profile that sends nothing after the ACK of the FIN by
   * definition is counted so whatever its rules */
  if (!out->why && !out->by_definition) {
    out->why = linux_rules(c, false);
    if (!out->why)
      out->why = linux_rules(s, true);
  }
  if (out->why)
    return 0;

  static play y; /* large; one conversation at a time */
  memset(&y, 0, sizeof y);
  y.in = in;
  y.p = in->p;
  y.mss = mss;
  y.hdr = seg_hdr(in);
  y.out = out;
  y.delack_at = y.s_delack_at = y.rtx_at = y.persist_at = y.rto_due = NEVER;
  y.ato = (int64_t)c->delack_ns;
  y.quickack_left = c->quickack;
  y.cwnd = s->init_cwnd * mss;
  y.rto = (int64_t)s->rto_initial_ns;

  /* the handshake: SYN, SYN-ACK (timed by the server), then the client's
   * ACK, request and FIN back to back */
  int64_t a1 = txtime(&y, syn_hdr(c, NULL)) + (int64_t)in->p->delay_ns;
  y.link_free[0] = txtime(&y, syn_hdr(c, NULL));
  y.snd_wnd = y.max_wnd = c->rcv_buf; /* the client's SYN */
  s_advertise(&y);                    /* the server's SYN-ACK */
  y.rtt_start = a1;
  y.link_free[1] = a1;
  int64_t a2 = a1 + txtime(&y, syn_hdr(s, c)) + (int64_t)in->p->delay_ns;
  y.link_free[1] = a1 + txtime(&y, syn_hdr(s, c));
  y.link_free[0] = y.link_free[0] > a2 ? y.link_free[0] : a2;
  uint32_t w = c_advertise(&y);
  ev hs = {.what = W_HS_ACK, .wnd = w};
  send_dgram(&y, 0, a2, y.hdr, hs);
  ev rq = {.what = W_REQ, .wnd = w};
  send_dgram(&y, 0, a2, y.hdr + (uint32_t)in->p->request, rq);
  ev rf = {.what = W_REQ_FIN, .wnd = w};
  send_dgram(&y, 0, a2, y.hdr, rf);
  /* the application's first read, read_delay after the request */
  ev rd = {.at = a2 + (int64_t)in->p->read_delay_ns, .kind = EV_CLIENT_READ};
  push(&y, rd);

  ev e;
  while (!y.fail && pop(&y, &e)) {
    int64_t now = e.at;
    if (now > (int64_t)in->p->time_limit_ns) {
      y.fail = "past the time limit";
      break;
    }
    switch (e.kind) {
    case EV_TO_SERVER:
      if (y.done) { /* no connection: RST <SEQ=SEG.ACK> (RFC 9293
                       §3.10.7.1) */
        ev r = {.what = W_RST};
        send_dgram(&y, 1, now, HDR, r); /* no connection: no options */
        break;
      }
      if (e.what == W_ACK)
        s_ack(&y, &e, now);
      else
        s_request(&y, &e, now);
      break;
    case EV_TO_CLIENT:
      if (e.what == W_DATA)
        c_data(&y, &e, now);
      else if (e.what == W_PROBE) /* an old sequence number: RFC 9293
                                     §3.10.7.4 first, ACKed at once */
        c_send_ack(&y, now, false);
      else if (e.what == W_RST)
        c_rst(&y, now);
      break; /* the server's pure ACKs change nothing that matters here */
    case EV_CLIENT_READ:
      y.reading = true;
      c_read(&y, now);
      if (!y.c_done && in->p->read_interval_ns) {
        ev t = {.at = now + (int64_t)in->p->read_interval_ns,
                .kind = EV_CLIENT_READ};
        push(&y, t);
      }
      break;
    case EV_SERVER_PERSIST:
      if (!y.done)
        s_persist(&y, now);
      break;
    case EV_CLIENT_DELACK:
      if (y.delack_at == now) {
        y.delack_at = NEVER;
        c_send_ack(&y, now, true);
      }
      break;
    case EV_SERVER_DELACK:
      if (y.s_delack_at == now) {
        y.s_delack_at = NEVER;
        ev a = {.what = W_ACK};
        s_send(&y, now, y.hdr, a);
        s_after_ack(&y);
      }
      break;
    case EV_SERVER_WRITE:
      s_write(&y, now);
      break;
    case EV_SERVER_RTX:
      if (y.rtx_at == now && y.una != y.maxs)
        y.fail = y.rtx_at < y.rto_due ? "a tail loss probe would fire"
                                      : "a retransmission timeout would fire";
      break;
    }
  }
  if (!y.fail && !y.fin_rcvd)
    y.fail = "the FIN never arrived";
  if (!y.fail && !y.c_done)
    y.fail = "the application never read to the end";
  if (y.fail) {
    out->why = y.fail;
    out->redundant_ack = out->app_reset = false;
    return 0;
  }
  out->in_regime = true;
  return 0;
}

int predict_app_reset(const predict_in *in, int64_t t_fin_ns,
                      int64_t t_redundant_ns, uint64_t unread_bytes) {
  const conv_params *p = in->p;
  if (t_redundant_ns < 0 || t_fin_ns < 0 || p->read_interval_ns == 0 ||
      !p->half_close)
    return -1; /* the rule below is a half-closed client's, in TIME-WAIT */
  if (!in->client.rst_timewait_notifies || in->client.rfc1337)
    return 0; /* the reset never reaches the application */
  play y;
  memset(&y, 0, sizeof y);
  y.p = p;
  /* the RST: the redundant ACK's trip to the server, the RST's trip back
   * (from no connection: no options) */
  int64_t t_rst = t_redundant_ns + txtime(&y, seg_hdr(in)) + txtime(&y, HDR) +
                  2 * (int64_t)p->delay_ns;
  /* the reads: at t0 + read_delay + k x interval; those at or after the
   * FIN drain `unread` read_size at a time, then one returns end of stream
   * and the application closes */
  int64_t t0 = predict_request_time(in) + (int64_t)p->read_delay_ns;
  int64_t iv = (int64_t)p->read_interval_ns;
  int64_t k = t_fin_ns <= t0 ? 0 : (t_fin_ns - t0 + iv - 1) / iv;
  uint64_t reads = (unread_bytes + p->read_size - 1) / p->read_size;
  int64_t t_eof = t0 + (k + (int64_t)reads) * iv;
  return t_rst <= t_eof ? 1 : 0;
}

/* ---- stage K: the keep-alive window ---- */

/* Whether the server ACKs the first request on a segment of its own
 * before its response: stage 1's rules (s_acks_request()), or Linux's ACK
 * of a pushed segment at the read that empties the queue
 * (tcp_cleanup_rbuf() under ICSK_ACK_PUSHED) - the server reads the
 * request as it arrives. */
static bool ka_ack_first(const predict_in *in, uint32_t mss) {
  return in->server.ack_pushed ||
         s_acks_request(&in->server, in->p->request, mss);
}

/* The longest a profile holds an ACK: its timeout (the adaptive ATO's
 * ceiling) and, on a tick grid, one period more. */
static int64_t ka_longest_delack(const tcp_profile *t) {
  int64_t d = (int64_t)(t->delack_max_ns > t->delack_ns ? t->delack_max_ns
                                                        : t->delack_ns);
  if (t->delack_mode == TCP_DELACK_TICK)
    d += (int64_t)t->delack_tick_ns;
  return d;
}

static const char *ka_regime(const predict_in *in, uint32_t mss) {
  const conv_params *p = in->p;
  const tcp_profile *c = &in->client, *s = &in->server;
  if (p->loss > 0)
    return "the link loses packets";
  if (p->requests != 2 || !p->idle_timeout_ns)
    return "not two requests against an idle_timeout";
  if (p->pipeline || p->half_close || p->wait_eof)
    return "pipelined requests, a half-close, or a server that waits for "
           "the end of the stream";
  if (p->max_requests == 1 || p->close_mode != CONV_CLOSE_PLAIN)
    return "max_requests 1, or a close_mode other than close";
  if (p->read_interval_ns)
    return "a paced reader";
  if (p->request == 0 || p->request > mss || p->request > s->rcv_buf ||
      p->request > c->snd_buf)
    return "the request does not fit one segment";
  uint64_t iw = (uint64_t)(s->init_cwnd + (s->ss_incr_mss ? 1 : 0)) * mss;
  if (p->response == 0 || p->response > iw || p->response > s->snd_buf ||
      p->response + mss > c->rcv_buf)
    return "the first response does not leave in one flight (initial "
           "window, send buffer, client's window)";
  if (s->nagle && !s->nagle_minshall && p->response > mss && p->response % mss)
    return "Nagle holds the first response's last segment for an ACK";
  if (p->queue < (p->response + mss - 1) / mss + 2)
    return "the link's queue could overflow";
  if (s->delack_mode == TCP_DELACK_TICK &&
      (in->phase_ns[1] < 0 || s->delack_tick_ns == 0))
    return "the server's tick phase is unknown";
  if (s->delack_mode == TCP_DELACK_ONESHOT && s->delack_wheel &&
      in->phase_ns[1] < 0)
    return "the server's jiffy phase is unknown";
  return NULL;
}

int predict_keepalive(const predict_in *in, predict_ka *out) {
  memset(out, 0, sizeof *out);
  out->t_close = out->t_arrive = out->t_fin = -1;
  if (!in->p || in->p->rate_bps == 0) {
    out->why = "no parameters";
    return -1;
  }
  const conv_params *p = in->p;
  const tcp_profile *c = &in->client, *s = &in->server;
  uint32_t mss = full_seg(in);
  if ((out->why = ka_regime(in, mss)) != NULL)
    return 0;
  play y; /* for txtime() only */
  memset(&y, 0, sizeof y);
  y.p = p;
  y.hdr = seg_hdr(in);
  int64_t d = (int64_t)p->delay_ns;
  /* the client's ACK of the SYN-ACK, then its request, back to back */
  int64_t t_req = predict_request_time(in);
  int64_t t_a1 =
      t_req + txtime(&y, y.hdr) + txtime(&y, y.hdr + (uint32_t)p->request) + d;
  /* the server reads it as it arrives and writes its response `think`
   * later, behind its own ACK when that goes first; the whole response
   * is written at once, so its idle timer starts then */
  int64_t t_w = t_a1 + (int64_t)p->think_ns;
  int64_t t_ack = t_a1; /* its ACK of the request: at once, or delayed -
                          and then cancelled by the response if that
                          comes first (RFC 1122 4.2.3.2) */
  if (!ka_ack_first(in, mss))
    t_ack = delack_deadline(s, in->phase_ns[1], (int64_t)s->delack_ns, t_a1);
  int64_t t_s = t_w;
  if (t_ack <= t_w && t_ack + txtime(&y, y.hdr) > t_s)
    t_s = t_ack + txtime(&y, y.hdr);
  int64_t flight = 0;
  for (uint64_t off = 0; off < p->response; off += mss) {
    uint64_t len = p->response - off < mss ? p->response - off : mss;
    flight += txtime(&y, y.hdr + (uint32_t)len);
  }
  int64_t t_last = t_s + flight + d; /* the response's last byte arrives */
  out->t_close = t_w + (int64_t)p->idle_timeout_ns;
  /* the client reads it whole as it arrives (from read_delay on), and
   * sends the next request `gap` later - on a new connection when the
   * pooled one was idle longer than reuse_timeout */
  int64_t t_read = t_last;
  if (t_req + (int64_t)p->read_delay_ns > t_read)
    t_read = t_req + (int64_t)p->read_delay_ns;
  int64_t t_send = t_read + (int64_t)p->gap_ns;
  if (t_send < t_last + ka_longest_delack(c) + txtime(&y, y.hdr))
    out->why = "the client's ACK of the response may still be on the link "
               "when the request goes";
  else if (out->t_close < t_s + flight + ka_longest_delack(s))
    out->why = "the server's close may meet its own response or ACK on the "
               "link";
  else if ((t_send > out->t_close ? t_send : out->t_close) +
               8 * (2 * d + txtime(&y, (uint32_t)p->mtu)) + flight >
           (int64_t)p->time_limit_ns)
    out->why = "too near the time limit";
  if (out->why)
    return 0;
  out->in_regime = true;
  out->exchanges = 2;
  out->connections = 1;
  if (p->reuse_timeout_ns && p->gap_ns > p->reuse_timeout_ns) {
    out->reconnects = true;
    out->connections = 2;
    return 0;
  }
  out->t_arrive = t_send + txtime(&y, y.hdr + (uint32_t)p->request) + d;
  if (out->t_arrive == out->t_close) {
    /* the timer and the segment on the same nanosecond: which runs first
     * is the simulator's order of events, not a rule */
    out->in_regime = false;
    out->why = "the request reaches the server on the nanosecond of its "
               "close";
    return 0;
  }
  if (out->t_arrive < out->t_close)
    return 0; /* read and answered */
  /* the server's application is gone: the request is never answered. Its
   * FIN left at the close; the request draws a RST where the profile
   * answers data after close with one (Linux tcp_rcv_state_process()
   * under RCV_SHUTDOWN, 4.4BSD-Lite2 tcp_input() under SS_NOFDREF, RFC
   * 2525 2.17) */
  out->fails = true;
  out->server_rst = s->rst_data_after_close;
  if (p->retry) {
    out->retries = 1;
    out->connections = 2;
    return 0;
  }
  out->exchanges = 1;
  out->requests_failed = 1;
  out->t_fin = out->t_close + txtime(&y, y.hdr) + d;
  return 0;
}
