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
 * Deliberately absent, because the regime excludes them: loss and
 * retransmission, out-of-order data, zero windows and persist, a reader
 * that falls behind. When the play-out meets one of them anyway (a
 * retransmission timer that would expire, three duplicate ACKs, a window
 * too small to use), it declines with the reason.
 */
#include "predict.h"

#include <math.h>
#include <string.h>

#define HDR     40 /* IPv4 + TCP headers, bytes */
#define SYN_HDR 44 /* with the MSS option */
#define PPP     2  /* the point-to-point link's framing, bytes */
#define NEVER   INT64_MAX
#define MAXEV   512

enum ev_kind {
  EV_TO_SERVER, /* a datagram reaches the server */
  EV_TO_CLIENT, /* a datagram reaches the client */
  EV_CLIENT_DELACK,
  EV_SERVER_DELACK,
  EV_SERVER_WRITE, /* the server application writes (after think) */
  EV_SERVER_RTX    /* the server's retransmission deadline */
};

enum what { W_HS_ACK, W_REQ, W_REQ_FIN, W_ACK, W_DATA };

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
  uint32_t mss;
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
  int64_t s_delack_at; /* the server's delayed ACK of the request */
  bool started;        /* the server application began its response */

  /* the client: receiver */
  uint64_t rcv_nxt, rcv_off, read_off, rcv_adv;
  bool fin_rcvd, fin_ack_sent;
  int64_t delack_at;
  uint32_t unacked_segs, quickack_left;
  uint64_t unacked_bytes;
  int64_t ato, last_data;
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
 * ATO (Linux tcp_send_delayed_ack()). */
static int64_t delack_deadline(const tcp_profile *pr, int64_t phase,
                               int64_t ato, int64_t now) {
  if (pr->delack_mode == TCP_DELACK_ONESHOT)
    return now + (pr->delack_max_ns ? ato : (int64_t)pr->delack_ns);
  int64_t tick = (int64_t)pr->delack_tick_ns;
  int64_t base =
      now + ((int64_t)pr->delack_ns > tick ? (int64_t)pr->delack_ns - tick : 0);
  int64_t ph = (phase < 0 ? 0 : phase) % tick;
  if (base < ph)
    return ph;
  return ph + ((base - ph) / tick + 1) * tick;
}

/* ---- the client ---- */

/* The window the client offers: RFC 1122 4.2.3.3's receiver SWS
 * avoidance, or 4.4BSD-Lite2 tcp_output()'s sbspace() (rcv_wnd_bsd). */
static uint32_t c_advertise(play *y) {
  uint32_t R = y->in->client.rcv_buf;
  uint64_t buffered = y->rcv_off - y->read_off;
  uint32_t space = buffered < R ? R - (uint32_t)buffered : 0;
  uint32_t cur =
      y->rcv_adv > y->rcv_nxt ? (uint32_t)(y->rcv_adv - y->rcv_nxt) : 0;
  if (y->in->client.rcv_wnd_bsd) {
    /* 4.4BSD-Lite2 tcp_output(): sbspace(), 0 below sb_hiwat / 4 and
     * t_maxseg, never less than rcv_adv - rcv_nxt */
    if (space < R / 4 && space < y->mss)
      space = 0;
    if (space < cur)
      space = cur;
  } else {
    uint32_t step = R / 2 < y->mss ? R / 2 : y->mss; /* RFC 1122 4.2.3.3 */
    if (space < cur || space - cur < step)
      space = cur;
  }
  if (space > 65535)
    space = 65535;
  y->rcv_adv = y->rcv_nxt + space;
  return space;
}

static void c_send_ack(play *y, int64_t now, bool delack) {
  const tcp_profile *c = &y->in->client;
  if (y->fin_ack_sent) /* an ACK after the ACK of the FIN */
    y->out->redundant_ack = true;
  ev e = {.what = W_ACK, .ack = y->rcv_nxt, .wnd = c_advertise(y)};
  send_dgram(y, 0, now, HDR, e);
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
 * the FIN: winupdate_after_fin), or Linux tcp_cleanup_rbuf() (the window
 * was at most half the clamp and would double). */
static void c_window_update(play *y, int64_t now) {
  const tcp_profile *c = &y->in->client;
  if (y->fin_rcvd &&
      !(c->winupdate_after_fin && !(c->fin_ack_final && y->fin_ack_sent)))
    return;
  uint32_t R = c->rcv_buf;
  uint64_t buffered = y->rcv_off - y->read_off;
  uint32_t space = buffered < R ? R - (uint32_t)buffered : 0;
  uint32_t cur =
      y->rcv_adv > y->rcv_nxt ? (uint32_t)(y->rcv_adv - y->rcv_nxt) : 0;
  if (space <= cur)
    return;
  uint32_t opened = space - cur;
  uint32_t clamp = R < 65535 ? R : 65535;
  if (c->winupdate == TCP_WINUPDATE_LINUX
          ? 2 * (uint64_t)cur <= clamp && space >= 2 * (uint64_t)cur
          : opened >= 2 * y->mss || 2 * opened >= R) /* two segments or
                                                         half */
    c_send_ack(y, now, false);
}

/* The application reads whatever is there, read_size at a time. */
static void c_read(play *y, int64_t now) {
  while (y->rcv_off > y->read_off) {
    uint64_t n = y->rcv_off - y->read_off;
    if (n > y->p->read_size)
      n = y->p->read_size;
    y->read_off += n;
    c_window_update(y, now);
  }
  /* at end of stream the application closes: nothing more to send */
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
    y->fail = "data out of order";
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
    c_send_ack(y, now, false);
  }
  c_read(y, now);
}

/* ---- the server ---- */

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
  if (rto < (int64_t)s->rto_min_ns)
    rto = (int64_t)s->rto_min_ns;
  if (rto > (int64_t)s->rto_max_ns)
    rto = (int64_t)s->rto_max_ns;
  y->rto = rto;
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
 * tcp_event_ack_sent()); its ACK of the client's FIN only if the profile
 * says so (KB Q152474: NT 3.51's did not). */
static void s_after_ack(play *y, bool fin_ack) {
  const tcp_profile *s = &y->in->server;
  bool cancel = fin_ack ? s->fin_ack_cancels_delack || s->fin_ack_final
                        : s->ack_cancels_delack;
  if (cancel)
    y->s_delack_at = NEVER;
}

/* Send what the windows, Nagle and SWS avoidance allow (RFC 5681, RFC 896,
 * RFC 1122 4.2.3.4). */
static void s_output(play *y, int64_t now) {
  const tcp_profile *s = &y->in->server;
  for (;;) {
    uint64_t unsent = y->app_sent > y->nxt ? y->app_sent - y->nxt : 0;
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
    if (len < unsent && len < y->mss && len < y->max_wnd / 2) {
      if (y->una == y->maxs)
        y->fail = "the window is too small to use (persist)";
      break;
    }
    if (s->nagle && len < y->mss && len == unsent && flight > 0 && !fin &&
        (!s->nagle_minshall || (y->sml > y->una && y->sml <= y->nxt)))
      break;
    if (!y->timing) {
      y->timing = true;
      y->rtt_seq = y->nxt;
      y->rtt_start = now;
    }
    ev e = {.what = W_DATA, .off = y->nxt, .len = (uint32_t)len, .fin = fin};
    send_dgram(y, 1, now, HDR + (uint32_t)len, e);
    s_after_ack(y, false);
    y->nxt += len + fin;
    if (len < y->mss && y->nxt > y->maxs) /* new data (Minshall) */
      y->sml = y->nxt;
    if (fin)
      y->fin_sent = true;
    if (y->nxt > y->maxs)
      y->maxs = y->nxt;
    if (y->rtx_at == NEVER && y->una != y->maxs)
      s_rtx_set(y, now + y->rto);
    if (fin)
      break;
  }
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
 * (or 4.4BSD-Lite2 tcp_input()'s t_maxseg per ACK: ss_incr_mss); three
 * duplicate ACKs (RFC 5681 §3.2) are outside the regime. */
static void s_ack(play *y, const ev *e, int64_t now) {
  if (e->ack > y->maxs) {
    y->fail = "an ACK of data not sent";
    return;
  }
  bool dup = e->ack == y->una && e->wnd == y->snd_wnd && y->una != y->maxs;
  if (e->ack >= y->una) {
    y->snd_wnd = e->wnd;
    if (e->wnd > y->max_wnd)
      y->max_wnd = e->wnd;
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
    /* slow start: 4.4BSD adds t_maxseg per ACK (tcp_input.c); otherwise
     * RFC 5681 §3.1's byte counting, at most one segment */
    if (y->in->server.ss_incr_mss)
      y->cwnd += y->mss;
    else
      y->cwnd += acked < y->mss ? (acked ? (uint32_t)acked : 1) : y->mss;
    s_rtx_set(y, y->una == y->maxs ? NEVER : now + y->rto);
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
    /* the server in ESTABLISHED: quick ACK, immediate or delayed */
    bool now_ack = s->delack_mode == TCP_DELACK_OFF || s->quickack > 0;
    if (!now_ack && s->ack_rule == TCP_ACK_RULE_BYTES)
      now_ack = y->p->request > (uint64_t)(s->ack_every - 1) * y->mss;
    if (!now_ack && s->ack_rule == TCP_ACK_RULE_SEGMENTS)
      now_ack = y->p->request >= y->mss && s->ack_every <= 1;
    if (now_ack) {
      ev a = {.what = W_ACK};
      send_dgram(y, 1, now, HDR, a);
      s_after_ack(y, false);
    } else {
      y->s_delack_at =
          delack_deadline(s, y->in->phase_ns[1], (int64_t)s->delack_ns, now);
      ev t = {.at = y->s_delack_at, .kind = EV_SERVER_DELACK};
      push(y, t);
    }
    if (!y->p->wait_eof) { /* the whole request is there: respond */
      y->started = true;
      ev w = {.at = now + (int64_t)y->p->think_ns, .kind = EV_SERVER_WRITE};
      push(y, w);
    }
    return;
  }
  /* the client's FIN: ACKed at once; end of stream for the application */
  ev a = {.what = W_ACK};
  send_dgram(y, 1, now, HDR, a);
  s_after_ack(y, true);
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
 * rcv_grow_quickack, ack_window_holds), tcp_sendmsg_locked() chunks
 * (psh_chunks), __tcp_select_window() (rcv_wnd_mss),
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
  return NULL;
}

static const char *regime(const predict_in *in, uint32_t mss) {
  const conv_params *p = in->p;
  if (p->loss > 0)
    return "the link loses packets";
  if (!p->half_close || p->shutdown_delay_ns)
    return "no half-close right after the request";
  if (p->read_interval_ns || p->read_delay_ns)
    return "the client does not read as data arrives";
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
  return NULL;
}

int64_t predict_request_time(const predict_in *in) {
  play y;
  memset(&y, 0, sizeof y);
  y.p = in->p;
  /* SYN, then SYN-ACK: each serialized and delayed once */
  int64_t a1 = txtime(&y, SYN_HDR) + (int64_t)in->p->delay_ns;
  return a1 + txtime(&y, SYN_HDR) + (int64_t)in->p->delay_ns;
}

int predict_redundant_ack(const predict_in *in, predict_out *out) {
  memset(out, 0, sizeof *out);
  const tcp_profile *c = &in->client, *s = &in->server;
  if (!in->p || in->p->rate_bps == 0) {
    out->why = "no parameters";
    return -1;
  }
  uint32_t mss = c->mss < s->mss ? c->mss : s->mss;
  out->by_definition =
      c->fin_ack_final ||
      ((c->fin_ack_cancels_delack || c->delack_mode == TCP_DELACK_OFF) &&
       !c->winupdate_after_fin);
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
  y.out = out;
  y.delack_at = y.s_delack_at = y.rtx_at = NEVER;
  y.ato = (int64_t)c->delack_ns;
  y.quickack_left = c->quickack;
  y.cwnd = s->init_cwnd * mss;
  y.rto = (int64_t)s->rto_initial_ns;

  /* the handshake: SYN, SYN-ACK (timed by the server), then the client's
   * ACK, request and FIN back to back */
  int64_t a1 = txtime(&y, SYN_HDR) + (int64_t)in->p->delay_ns;
  y.link_free[0] = txtime(&y, SYN_HDR);
  y.snd_wnd = y.max_wnd = c->rcv_buf; /* the client's SYN */
  y.rtt_start = a1;
  y.link_free[1] = a1;
  int64_t a2 = a1 + txtime(&y, SYN_HDR) + (int64_t)in->p->delay_ns;
  y.link_free[1] = a1 + txtime(&y, SYN_HDR);
  y.link_free[0] = y.link_free[0] > a2 ? y.link_free[0] : a2;
  uint32_t w = c_advertise(&y);
  ev hs = {.what = W_HS_ACK, .wnd = w};
  send_dgram(&y, 0, a2, HDR, hs);
  ev rq = {.what = W_REQ, .wnd = w};
  send_dgram(&y, 0, a2, HDR + (uint32_t)in->p->request, rq);
  ev rf = {.what = W_REQ_FIN, .wnd = w};
  send_dgram(&y, 0, a2, HDR, rf);

  ev e;
  while (!y.fail && pop(&y, &e)) {
    int64_t now = e.at;
    if (now > (int64_t)in->p->time_limit_ns) {
      y.fail = "past the time limit";
      break;
    }
    switch (e.kind) {
    case EV_TO_SERVER:
      if (y.done)
        break; /* a closed server answers with a RST: not needed here */
      if (e.what == W_ACK)
        s_ack(&y, &e, now);
      else
        s_request(&y, &e, now);
      break;
    case EV_TO_CLIENT:
      if (e.what == W_DATA)
        c_data(&y, &e, now);
      break; /* the server's pure ACKs change nothing that matters here */
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
        send_dgram(&y, 1, now, HDR, a);
      }
      break;
    case EV_SERVER_WRITE:
      s_write(&y, now);
      break;
    case EV_SERVER_RTX:
      if (y.rtx_at == now && y.una != y.maxs)
        y.fail = "a retransmission timeout would fire";
      break;
    }
  }
  if (!y.fail && !y.fin_rcvd)
    y.fail = "the FIN never arrived";
  if (y.fail) {
    out->why = y.fail;
    out->redundant_ack = false;
    return 0;
  }
  out->in_regime = true;
  return 0;
}

int predict_app_reset(const predict_in *in, int64_t t_fin_ns,
                      int64_t t_redundant_ns, uint64_t unread_bytes) {
  const conv_params *p = in->p;
  if (t_redundant_ns < 0 || t_fin_ns < 0 || p->read_interval_ns == 0)
    return -1;
  if (!in->client.rst_timewait_notifies || in->client.rfc1337)
    return 0; /* the reset never reaches the application */
  play y;
  memset(&y, 0, sizeof y);
  y.p = p;
  /* the RST: the redundant ACK's trip to the server, the RST's trip back */
  int64_t t_rst = t_redundant_ns + txtime(&y, HDR) + txtime(&y, HDR) +
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
