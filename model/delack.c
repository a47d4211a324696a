/*
 * delack.c - the delayed ACK, all of it: whether an in-order data segment
 * is acknowledged at once or arms the timer (the state condition,
 * quick-ACK mode, and the every-N rule: full segments, RFC 1122 §4.2.3.2,
 * or bytes, Linux __tcp_ack_snd_check()), Linux's adaptive ATO, the
 * deadline in one-shot and tick modes, and what an ACK sent does to a
 * pending delayed ACK - where KB Q152474 lives. The timer's firing sends
 * the ACK through tcp_conn_on_timer() (conn.c), as every timer does.
 */
#include "tcp_internal.h"

/* Linux's ATO estimate (tcp_event_data_recv), kept in [delack, delack_max]. */
static void ato_update(tcp_conn *c, uint64_t now) {
  const tcp_profile *p = c->host->p;
  if (!p->delack_max_ns)
    return;
  if (!c->ato_ns) /* the first data: TCP_ATO_MIN */
    c->ato_ns = p->delack_ns;
  uint64_t m = c->last_data_ns ? now - c->last_data_ns : 0;
  c->last_data_ns = now;
  if (!m)
    return;
  if (m <= p->delack_ns / 2)
    c->ato_ns = c->ato_ns / 2 + p->delack_ns / 2;
  else if (m < c->ato_ns)
    c->ato_ns = c->ato_ns / 2 + m;
  else if (p->quickack_idle && m > c->rto_ns) {
    /* "Too long gap": quick ACKs again (tcp_incr_quickack()), as many
     * as half the window holds segments, at least 2, at most quickack */
    uint32_t q = c->mss ? c->rcv_wnd_offered / (2 * c->mss) : 0;
    if (q == 0)
      q = 2;
    if (q > p->quickack)
      q = p->quickack;
    if (q > c->quickack_left)
      c->quickack_left = q;
  }
  if (c->ato_ns < p->delack_ns)
    c->ato_ns = p->delack_ns;
  if (c->ato_ns > p->delack_max_ns)
    c->ato_ns = p->delack_max_ns;
}

/* Linux counts the receive buffer's room in window bytes through the
 * payload share of its memory (scaling_ratio). Until a segment has
 * measured it the share is TCP_DEFAULT_SCALING_RATIO, 128/256, where
 * rcv_space (rcv_buf) holds the measured 160/256 of 1448-byte segments:
 * the full space is then 4/5 of it. */
static uint32_t initial_clamp(const tcp_conn *c) {
  /* tcp_init_buffer_space(): window_clamp is the full space less one
   * segment (tcp_app_win's reservation, "force reservation of one
   * segment") */
  uint32_t full = c->rcv_space / 5 * 4, adv = tcp_conn_advmss(c);
  return full > 2 * adv ? full - adv : full;
}

void tcp_delack_threshold_start(tcp_conn *c) {
  /* ... and the threshold no more */
  uint32_t clamp = initial_clamp(c);
  if (c->host->p->rcv_grow_quickack && c->rcv_ssthresh > clamp)
    c->rcv_ssthresh = clamp;
}

void tcp_delack_threshold_measure(tcp_conn *c, uint32_t len) {
  /* tcp_measure_rcv_mss(): the first segment at least icsk_ack.rcv_mss
   * (TCP_MSS_DEFAULT 536 at first) and not of that size measures the
   * share; tcp_set_window_clamp() raises window_clamp to the full space
   * and the threshold to the window offered last if that is more */
  if (!c->host->p->rcv_grow_quickack || c->rcv_ratio_known || len <= 536)
    return;
  c->rcv_ratio_known = true;
  uint32_t w =
      c->rcv_wnd_offered < c->rcv_space ? c->rcv_wnd_offered : c->rcv_space;
  if (w > c->rcv_ssthresh)
    c->rcv_ssthresh = w;
}

void tcp_delack_grow_window(tcp_conn *c, uint32_t len) {
  /* Linux tcp_grow_window(), for in-order and out-of-order data alike:
   * while the threshold of the window can grow towards the free space, it
   * does by two segments of the MSS announced (advmss) an arrival, and
   * quick-ACK mode holds (icsk_ack.quick |= 1) */
  const tcp_profile *p = c->host->p;
  if (!p->rcv_grow_quickack || len < 128)
    return;
  uint32_t space = tcp_conn_rcv_wnd(c);
  if (!c->rcv_ratio_known) {
    uint32_t clamp = initial_clamp(c);
    if (space > clamp)
      space = clamp;
  }
  if (space > c->rcv_ssthresh) {
    uint32_t room = space - c->rcv_ssthresh, incr = 2u * tcp_conn_advmss(c);
    if (incr < 2 * len)
      incr = 2 * len;
    c->rcv_ssthresh += room < incr ? room : incr;
    c->quickack_left |= 1;
  }
}

/* How an in-order data segment of `len` bytes is acknowledged. */
static ack_decision ack_policy(tcp_conn *c, uint32_t len, tcp_why *why) {
  const tcp_profile *p = c->host->p;
  bool may_delay = p->delack_mode != TCP_DELACK_OFF &&
                   (c->state == TCP_ESTABLISHED ||
                    (p->delack_finwait && (c->state == TCP_FIN_WAIT_1 ||
                                           c->state == TCP_FIN_WAIT_2)));
  if (!may_delay) {
    *why = TCP_WHY_ACK_NOW;
    return ACK_SEND;
  }
  tcp_delack_grow_window(c, len);
  /* the sequence space unacknowledged (Linux rcv_nxt - rcv_wup) counts
   * this segment whatever sends the ACK: a FIN on it may yet turn a quick
   * ACK into a delayed one and ask the bytes rule (fin_ack_due()) */
  if (p->ack_rule == TCP_ACK_RULE_BYTES)
    c->unacked_bytes += len;
  if (c->quickack_left && !tcp_conn_interactive(c)) {
    c->quickack_left--;
    *why = TCP_WHY_ACK_QUICK;
    return ACK_SEND;
  }
  bool now = false;
  switch (p->ack_rule) {
  case TCP_ACK_RULE_NONE:
    break;
  case TCP_ACK_RULE_SEGMENTS: /* RFC 1122 §4.2.3.2: full-sized segments */
    if (len >= c->mss)
      c->unacked_segs++;
    now = c->unacked_segs >= p->ack_every;
    break;
  case TCP_ACK_RULE_BYTES:
    now = tcp_delack_bytes_due(c, 0);
    break;
  }
  if (now) {
    *why = TCP_WHY_ACK_EVERY;
    return ACK_SEND;
  }
  return ACK_DELAY;
}

/* When a delayed ACK armed now fires: one-shot, from the arrival (Linux:
 * the adaptive ATO); tick, at a host-wide grid point (NT, 4.4BSD). */
static uint64_t deadline(tcp_conn *c, uint64_t now) {
  const tcp_profile *p = c->host->p;
  if (p->delack_mode == TCP_DELACK_ONESHOT) {
    uint64_t ato = p->delack_max_ns ? c->ato_ns : p->delack_ns;
    if (p->delack_wheel) {
      /* Linux: armed for jiffies + ATO in whole jiffies, fired at the
       * tick after that (calc_index() rounds up one granule); the jiffy
       * now began at the last grid point at or before now */
      uint64_t tick = p->delack_tick_ns;
      uint64_t phase = p->delack_phase_ns % tick;
      uint64_t k = (now + tick - phase) / tick; /* grid point k: phase +
                                                   (k - 1) tick */
      return phase + (k + ato / tick) * tick;
    }
    /* Linux tcp_send_delayed_ack() with an ATO of 0 (no data yet: a FIN
     * alone): the timer expires at the next jiffy (delack_tick) */
    if (p->delack_max_ns && ato == 0)
      return now + p->delack_tick_ns;
    return now + ato;
  }
  /* tick: the first grid point after now + delack - tick, so a timeout of
   * k ticks fires at the k-th tick boundary after the arrival */
  uint64_t tick = p->delack_tick_ns;
  uint64_t base = now + (p->delack_ns > tick ? p->delack_ns - tick : 0);
  uint64_t phase = p->delack_phase_ns % tick;
  if (base < phase)
    return phase;
  return phase + ((base - phase) / tick + 1) * tick;
}

ack_decision tcp_delack_on_data(tcp_conn *c, uint32_t len, tcp_why *why,
                                uint64_t now) {
  tcp_delack_threshold_measure(c, len);
  ato_update(c, now);
  return ack_policy(c, len, why);
}

void tcp_delack_arm(tcp_conn *c, uint64_t now) {
  if (c->deadline[TCP_TIMER_DELACK] == TCP_NEVER) /* armed: stays as it is */
    tcp_conn_timer_set(c, TCP_TIMER_DELACK, deadline(c, now), now);
}

bool tcp_delack_bytes_due(const tcp_conn *c, uint32_t extra) {
  const tcp_profile *p = c->host->p;
  /* Linux __tcp_ack_snd_check(): more than (ack_every - 1) MSS of
   * sequence space unacknowledged (rcv_nxt - rcv_wup) ... */
  if (c->unacked_bytes + extra <= (uint64_t)(p->ack_every - 1) * c->mss)
    return false;
  /* ... and the window offered would not shrink (unclamped, as Linux
   * compares tp->rcv_wnd) */
  if (!p->ack_window_holds)
    return true;
  if (c->rcv_wscale) /* the window __tcp_select_window() would choose */
    return tcp_conn_scaled_select(c) >= c->rcv_wnd_offered;
  return tcp_conn_rcv_wnd(c) >= c->rcv_wnd_offered;
}

bool tcp_conn_interactive(const tcp_conn *c) {
  uint32_t t = c->host->p->pingpong_thresh;
  return t && c->pingpong >= t;
}

void tcp_delack_data_sent(tcp_conn *c, uint64_t now) {
  /* Linux tcp_event_data_sent(): a reply within the ATO of the last
   * arrival (icsk_ack.lrcvtime; none before the first data) */
  if (c->host->p->pingpong_thresh && c->last_data_ns &&
      now - c->last_data_ns < c->ato_ns && c->pingpong < 255)
    c->pingpong++;
}

/* What sending an ACK does to delayed-ACK bookkeeping. */
void tcp_delack_after_ack(tcp_conn *c, tcp_why why, uint64_t now) {
  const tcp_profile *p = c->host->p;
  bool first_fin_ack = c->fin_rcvd && !c->fin_ack_sent;
  bool cancel = first_fin_ack ? p->fin_ack_cancels_delack || p->fin_ack_final
                              : p->ack_cancels_delack;
  c->unacked_segs = 0;
  c->unacked_bytes = 0;
  c->ack_pushed = c->ack_pushed2 = false;
  if (c->fin_rcvd)
    c->fin_ack_sent = true;
  if (cancel || why == TCP_WHY_DELACK)
    tcp_conn_timer_stop(c, TCP_TIMER_DELACK, now);
}
