/*
 * tcp_in.c - segment arrival: RFC 9293 §3.10.7 step by step.
 *
 * tcp_listen_input() is §3.10.7.2 (LISTEN), syn_sent_input() §3.10.7.3
 * (SYN-SENT), and tcp_conn_input() §3.10.7.4 for every other state, in the
 * RFC's order: sequence check, RST, SYN, ACK, text, FIN. Checks that hold in
 * every state come first; the per-state switch follows.
 *
 * RST and SYN in a synchronized state follow RFC 5961 as RFC 9293 adopts it
 * when the profile's rfc5961 knob is on (linux): a RST is acted on only when
 * its sequence number is exactly RCV.NXT, and a RST elsewhere in the window
 * or any SYN draws a challenge ACK. Off (the 1990s stacks), RFC 793 §3.9:
 * any RST in the window resets, and a SYN in the window is answered with a
 * RST and resets the connection.
 *
 * Delayed ACK is decided here, per data segment (ack_policy); the ACK of the
 * peer's FIN is always immediate and covers the data that came with it, so
 * only a delayed ACK armed by an earlier segment can outlive it. Deliberate
 * simplifications: data and FIN carried on a SYN are dropped (the peer
 * retransmits them), URG is ignored; timestamps are sent and echoed but
 * serve neither RTT measurement nor PAWS, and SACK blocks are sent but the
 * sender recovers without them.
 */
#include "tcp_internal.h"

#include <assert.h>

/* The peer's SYN: the MSS, and the options both ends offered are used
 * from now on (RFC 7323 §2.2, §3.2; RFC 2018 §2) - a SYN-ACK carries only
 * what the SYN offered. With timestamps every segment carries 12 bytes of
 * options, which Linux takes from the payload (tcp_current_mss()). */
static void set_peer_options(tcp_conn *c, const tcp_segment *seg) {
  const tcp_profile *p = c->host->p;
  uint16_t peer = seg->mss ? seg->mss : TCP_DEFAULT_MSS;
  uint16_t mine = p->mss;
  c->ts_ok = p->timestamps && (seg->opts & TCP_OPT_TS);
  c->sack_ok = p->sack_permitted && (seg->opts & TCP_OPT_SACK_OK);
  c->wscale_ok = p->window_scaling && (seg->opts & TCP_OPT_WSCALE);
  if (c->wscale_ok) {
    c->snd_wscale = seg->wscale > 14 ? 14 : seg->wscale; /* §2.3 */
    c->rcv_wscale = p->wscale;
  } else {
    c->snd_wscale = c->rcv_wscale = 0;
  }
  if (c->ts_ok)
    c->ts_recent = seg->ts_val;
  c->mss = peer < mine ? peer : mine;
  if (c->ts_ok && c->mss > TCP_TS_OPT_LEN + 64)
    c->mss -= TCP_TS_OPT_LEN;
  c->cwnd = p->init_cwnd * (uint32_t)c->mss; /* initial window */
}

/* The peer's SYN (or SYN-ACK): its sequence space, and its options. */
static void syn_arrived(tcp_conn *c, const tcp_segment *seg) {
  c->irs = seg->seq;
  c->rcv_nxt = seg->seq + 1;
  c->rcv_adv = c->rcv_wup = c->rcv_nxt;
  /* Linux keeps the SYN's window as offered from here (tp->rcv_wnd: its
   * next window never less, tcp_select_window()) */
  if (!c->host->p->rcv_wnd_mss)
    c->rcv_wnd_offered = 0;
  set_peer_options(c, seg);
}

/* RFC 2883 (Linux tcp_dsack_set()): data that arrives again is reported
 * in the first SACK block of the next ACK. */
static void set_dsack(tcp_conn *c, uint32_t start, uint32_t end) {
  c->dsack = true;
  c->dsack_seq[0] = start;
  c->dsack_seq[1] = end;
}

/* The window a segment offers, in bytes: scaled but in a SYN (§2.2). */
static uint32_t seg_window(const tcp_conn *c, const tcp_segment *seg) {
  if (seg->flags & TCP_SYN)
    return seg->wnd;
  return (uint32_t)seg->wnd << c->snd_wscale;
}

/* A D-SACK (RFC 2883): the segment's first SACK block reports data
 * below its ACK, received twice. */
static bool seg_dsack(const tcp_segment *seg, uint32_t ack) {
  return seg->nsack > 0 && SEQ_LEQ(seg->sack[0][1], ack);
}

/* The connection is established: Linux's tcp_init_transfer() starts the
 * window's threshold and the receive-space measure from here. */
static void established(tcp_conn *c, uint64_t now) {
  tcp_conn_set_state(c, TCP_ESTABLISHED, now);
  if (HYSTART(c->host->p)) /* cubictcp_init() */
    tcp_hystart_start(c, now);
  tcp_delack_threshold_start(c);
  if (c->host->p->rcv_buf_grows)
    tcp_rcvbuf_established(c, now);
}

/* RFC 6298 §2: one RTT sample of r nanoseconds. */
static void rtt_sample(tcp_conn *c, uint64_t r) {
  const tcp_profile *p = c->host->p;
  if (!c->have_rtt) {
    c->srtt_ns = r;
    c->rttvar_ns = r / 2;
    c->have_rtt = true;
  } else {
    uint64_t diff = c->srtt_ns > r ? c->srtt_ns - r : r - c->srtt_ns;
    c->rttvar_ns = (3 * c->rttvar_ns + diff) / 4;
    c->srtt_ns = (7 * c->srtt_ns + r) / 8;
  }
  uint64_t rto = c->srtt_ns + 4 * c->rttvar_ns;
  if (p->rto_var_min && 4 * c->rttvar_ns < p->rto_min_ns)
    rto = c->srtt_ns + p->rto_min_ns; /* Linux: rttvar >= tcp_rto_min */
  if (rto < p->rto_min_ns)
    rto = p->rto_min_ns;
  if (rto > p->rto_max_ns)
    rto = p->rto_max_ns;
  c->rto_ns = rto;
}

/* Cubic before a loss has set its W_max (bictcp_update(): with
 * last_max_cwnd 0 the increment is capped at 5% a round trip, cnt 20): a
 * segment per 20 segments acknowledged (tcp_cong_avoid_ai()). */
static void cubic_start_acked(tcp_conn *c, uint32_t segs) {
  c->ca_acked += segs;
  if (c->ca_acked >= CUBIC_START_CNT) {
    c->cwnd += c->mss * (c->ca_acked / CUBIC_START_CNT);
    c->ca_acked %= CUBIC_START_CNT;
  }
}

/* The SYN's or SYN-ACK's round trip: a sample for RFC 6298, and the first
 * of Linux's windowed minimum too (tcp_ack_update_rtt() from
 * tcp_synack_rtt_meas() or the SYN-SENT ACK: tcp_update_rtt_min()), which
 * sizes the TSO chunks (sndbuf.c); the handshake carries no data, so it is
 * often the smallest. */
static void handshake_rtt(tcp_conn *c, uint64_t r) {
  rtt_sample(c, r);
  if (!c->min_rtt_ns || r < c->min_rtt_ns)
    c->min_rtt_ns = r;
}

static void window_update(tcp_conn *c, const tcp_segment *seg, uint64_t now) {
  uint32_t wnd = seg_window(c, seg);
  c->snd_wnd = wnd;
  c->snd_wl1 = seg->seq;
  c->snd_wl2 = seg->ack;
  if (wnd > c->max_wnd)
    c->max_wnd = wnd;
  if (wnd > 0) {
    tcp_conn_timer_stop(c, TCP_TIMER_PERSIST, now);
    c->persist_backoff = 0;
  }
}

/* A SYN-RECEIVED connection from a listener goes back to LISTEN: its TCB
 * is gone and the listener carries on (§3.10.7.4, second and fourth). */
static void back_to_listen(tcp_conn *c, uint64_t now) {
  tcp_conn_set_state(c, TCP_LISTEN, now);
  for (int t = 0; t < TCP_NTIMERS; t++)
    tcp_conn_timer_stop(c, (tcp_timer)t, now);
  c->state = TCP_CLOSED;
}

/* §3.10.7.2: a segment for a listening port and no connection. */
void tcp_listen_input(tcp_host *h, const tcp_segment *seg, uint64_t now) {
  if (seg->flags & TCP_RST) {
    tcp_trace_drop(h, NULL, seg, TCP_WHY_RST_IGNORED, 0, now);
    return;
  }
  if (seg->flags & TCP_ACK) {
    tcp_host_send_rst(h, seg, TCP_WHY_RST_LISTEN, now);
    return;
  }
  if (!(seg->flags & TCP_SYN)) {
    tcp_trace_drop(h, NULL, seg, TCP_WHY_STRAY, 0, now);
    return;
  }
  tcp_listener *l = tcp_host_listener(h, seg->dport);
  if (tcp_host_backlog_count(h, seg->dport) >= l->backlog) {
    tcp_trace_drop(h, NULL, seg, TCP_WHY_STRAY, 1, now);
    return;
  }
  tcp_conn *c = tcp_conn_new(h, seg->src, seg->dport, seg->sport);
  if (!c) {
    tcp_trace_drop(h, NULL, seg, TCP_WHY_STRAY, TCP_ERR_NOMEM, now);
    return;
  }
  c->passive = true;
  c->state = TCP_LISTEN;
  syn_arrived(c, seg);
  window_update(c, seg, now);
  tcp_conn_set_state(c, TCP_SYN_RECEIVED, now);
  tcp_conn_send_syn(c, now);
}

/* §3.10.7.3 */
static void syn_sent_input(tcp_conn *c, const tcp_segment *seg, uint64_t now) {
  tcp_host *h = c->host;
  c->mstamp_ns = now; /* tcp_mstamp_refresh() */
  uint8_t flags = seg->flags;
  if ((flags & TCP_ACK) &&
      (SEQ_LEQ(seg->ack, c->iss) || SEQ_GT(seg->ack, c->snd_max))) {
    if (!(flags & TCP_RST))
      tcp_host_send_rst(h, seg, TCP_WHY_RST_BAD_ACK, now);
    else
      tcp_trace_drop(h, c, seg, TCP_WHY_BAD_ACK, 0, now);
    return;
  }
  if (flags & TCP_RST) {
    if (flags & TCP_ACK)
      tcp_conn_drop(c, TCP_ERR_REFUSED, true, now);
    else
      tcp_trace_drop(h, c, seg, TCP_WHY_RST_IGNORED, 0, now);
    return;
  }
  if (!(flags & TCP_SYN)) {
    tcp_trace_drop(h, c, seg, TCP_WHY_STRAY, 0, now);
    return;
  }
  syn_arrived(c, seg);
  window_update(c, seg, now);
  if (flags & TCP_ACK)
    c->snd_una = seg->ack;
  if (SEQ_GT(c->snd_una, c->iss)) {
    if (c->rtt_timing) {
      handshake_rtt(c, now - c->rtt_start);
      c->rtt_timing = false;
    }
    c->backoff = 0;
    tcp_conn_timer_stop(c, TCP_TIMER_RTX, now);
    established(c, now);
    tcp_conn_note(c, TCP_NOTIFY_CONNECTED);
    tcp_conn_note(c, TCP_NOTIFY_WRITABLE);
    uint32_t before = c->snd_nxt;
    tcp_conn_output(c, now);
    if (c->snd_nxt == before)
      tcp_conn_send_ack(c, TCP_WHY_ACK_HANDSHAKE, now);
  } else {
    /* simultaneous open: <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> */
    tcp_conn_set_state(c, TCP_SYN_RECEIVED, now);
    c->snd_nxt = c->iss;
    tcp_conn_send_syn(c, now);
  }
}

/* §3.10.7.4 first: is the segment acceptable for RCV.NXT/RCV.WND? */
static bool acceptable(const tcp_conn *c, uint32_t seq, uint32_t seg_len,
                       uint32_t wnd, uint8_t seg_flags, uint32_t seg_data) {
  uint32_t lo = c->rcv_nxt;
#define IN_WND(x) (SEQ_LEQ(lo, (x)) && SEQ_LT((x), lo + wnd))
  if (seg_len == 0)
    return wnd == 0 ? seq == lo : IN_WND(seq);
  if (wnd == 0) /* a bare FIN at RCV.NXT takes no window (see below) */
    return seg_len == 1 && seq == lo && !(seg_flags & TCP_SYN) && !seg_data;
  return IN_WND(seq) || IN_WND(seq + seg_len - 1);
#undef IN_WND
}

/* §3.10.7.4 fifth, once the state is synchronized. Returns false when the
 * segment is finished with (dropped, or the connection closed). */
static bool process_ack(tcp_conn *c, const tcp_segment *seg, uint64_t now) {
  uint32_t ack = seg->ack;
  if (SEQ_GT(ack, c->snd_max)) { /* acknowledges something not yet sent */
    tcp_conn_send_ack(c, TCP_WHY_UNACCEPTABLE, now);
    tcp_trace_drop(c->host, c, seg, TCP_WHY_BAD_ACK, 0, now);
    return false;
  }
  /* a duplicate only while the retransmission timer runs (4.4BSD-Lite2
   * tcp_input(): t_timer[TCPT_REXMT] == 0 resets t_dupacks), so the
   * answers to one-byte window probes are not */
  bool sacks_above = false; /* a SACK block above the ACK: a hole */
  for (int i = 0; i < seg->nsack; i++)
    if (SEQ_GT(seg->sack[i][1], ack))
      sacks_above = true;
  /* ... and with SACK, an ACK reporting data above it is a duplicate
   * even if its window moved (RFC 6675 §2; Linux counts the segments
   * SACKed, tcp_time_to_recover()) */
  bool dup =
      ack == c->snd_una && seg->len == 0 &&
      !(seg->flags & (TCP_SYN | TCP_FIN)) &&
      (seg_window(c, seg) == c->snd_wnd || (c->sack_ok && sacks_above)) &&
      c->snd_una != c->snd_max && c->deadline[TCP_TIMER_RTX] != TCP_NEVER;
  if (SEQ_LEQ(c->snd_una, ack) &&
      (SEQ_LT(c->snd_wl1, seg->seq) ||
       (c->snd_wl1 == seg->seq && SEQ_LEQ(c->snd_wl2, ack))))
    window_update(c, seg, now);

  bool advanced = SEQ_GT(ack, c->snd_una);
  c->disorder = sacks_above; /* a hole at the peer (Linux: Disorder) */
  if (advanced) {
    uint32_t acked = ack - c->snd_una;
    if (c->snd_una == c->iss)
      acked--; /* our SYN */
    if (c->shut_wr && !c->fin_acked && SEQ_GT(ack, conn_fin_seq(c))) {
      acked--; /* our FIN */
      c->fin_acked = true;
    }
    uint64_t skb_rtt = 0, ca_rtt = 0;
    if (c->host->p->snd_buf_grows) /* before snd_una moves */
      skb_rtt = tcp_sndbuf_acked(c, c->una_off + acked, now, &ca_rtt);
    c->una_off += acked;
    c->snd_una = ack;
    if (SEQ_LT(c->snd_nxt, ack))
      c->snd_nxt = ack;
    if (RTT_PER_ACK(c->host->p)) {
      /* Linux: the skbs' sample, every ACK (tcp_ack_update_rtt()) */
      if (skb_rtt)
        rtt_sample(c, skb_rtt);
      c->rtt_timing = false;
    } else if (c->rtt_timing && SEQ_GT(ack, c->rtt_seq)) {
      rtt_sample(c, now - c->rtt_start);
      c->rtt_timing = false;
    }
    if (ca_rtt && HYSTART(c->host->p)) /* cubictcp_acked() */
      tcp_hystart_acked(c, ca_rtt, now);
    c->backoff = 0;
    c->dupacks = 0;
    if (c->in_recovery) { /* Reno: the first new ACK ends recovery */
      c->cwnd = c->ssthresh;
      c->in_recovery = false;
    } else if (c->cwnd < c->ssthresh) { /* slow start */
      if (c->host->p->ss_incr_mss)
        c->cwnd += c->mss; /* 4.4BSD: incr = t_maxseg, whatever was acked */
      else if (c->host->p->ss_acked_segs) {
        /* Linux tcp_slow_start(): the packets acked, a short one whole,
         * up to ssthresh; cubic counts what is left towards congestion
         * avoidance (cubictcp_cong_avoid()) */
        uint32_t segs = (acked + c->mss - 1) / c->mss;
        uint64_t w = c->cwnd + (uint64_t)segs * c->mss;
        c->cwnd = w > c->ssthresh ? c->ssthresh : (uint32_t)w;
        if (w > c->ssthresh && CUBIC_START(c->host->p) && !c->ca_wmax)
          cubic_start_acked(c, (uint32_t)((w - c->ssthresh) / c->mss));
      } else /* RFC 5681 §3.1: min(N, SMSS), N the data bytes newly
              acknowledged - none for the ACK of a SYN or a bare FIN */
        c->cwnd += acked < c->mss ? acked : c->mss;
    } else if (CUBIC_START(c->host->p) && !c->ca_wmax) {
      cubic_start_acked(c, (acked + c->mss - 1) / c->mss);
    } else { /* congestion avoidance */
      uint32_t inc = (uint32_t)((uint64_t)c->mss * c->mss / c->cwnd);
      c->cwnd += inc ? inc : 1;
    }
    /* the timer: a loss probe's where one applies (tcp_set_xmit_timer()) */
    tcp_conn_rtx_restart(c, now);
    tcp_conn_tlp_schedule(c, true, now);
    if (acked && !c->shut_wr && !c->host->p->snd_buf_grows)
      tcp_conn_note(c, TCP_NOTIFY_WRITABLE);
  } else if (dup) {
    c->dupacks++;
    if (c->dupacks == 3) { /* RFC 5681 §3.2 fast retransmit */
      uint32_t flight = c->snd_max - c->snd_una;
      uint32_t half = flight / 2;
      c->ssthresh = half > 2u * c->mss ? half : 2u * c->mss;
      c->recover = c->snd_max;
      c->in_recovery = true;
      c->ca_wmax = true; /* cubictcp_recalc_ssthresh(): last_max_cwnd */
      tcp_conn_retransmit_one(c, now);
      c->cwnd = c->ssthresh + 3u * c->mss;
    } else if (c->dupacks > 3 && c->in_recovery) {
      c->cwnd += c->mss; /* each further duplicate: a segment left */
    }
  }
  tcp_conn_tlp_ack(c, ack, advanced, seg_dsack(seg, ack));
  switch (c->state) {
  case TCP_FIN_WAIT_1:
    if (c->fin_acked)
      tcp_conn_set_state(c, TCP_FIN_WAIT_2, now);
    break;
  case TCP_CLOSING:
    if (c->fin_acked)
      tcp_conn_enter_time_wait(c, now);
    break;
  case TCP_LAST_ACK:
    if (c->fin_acked) {
      tcp_conn_set_state(c, TCP_CLOSED, now);
      tcp_conn_note(c, TCP_NOTIFY_CLOSED);
      return false;
    }
    break;
  default:
    break;
  }
  return true;
}

/* Insert [start, end) into the out-of-order list. Returns false if full. */
static bool ooo_insert(tcp_conn *c, uint64_t start, uint64_t end) {
  uint64_t now = ++c->ooo_clock; /* the newest range first in SACK */
  int i = 0;
  while (i < c->nooo && c->ooo[i].end < start)
    i++;
  if (i < c->nooo && c->ooo[i].start <= end) { /* overlaps or touches */
    if (start < c->ooo[i].start)
      c->ooo[i].start = start;
    if (end > c->ooo[i].end)
      c->ooo[i].end = end;
    c->ooo[i].last = now;
    while (i + 1 < c->nooo && c->ooo[i + 1].start <= c->ooo[i].end) {
      if (c->ooo[i + 1].end > c->ooo[i].end)
        c->ooo[i].end = c->ooo[i + 1].end;
      for (int j = i + 1; j + 1 < c->nooo; j++)
        c->ooo[j] = c->ooo[j + 1];
      c->nooo--;
    }
    return true;
  }
  if (c->nooo == TCP_MAX_OOO)
    return false;
  for (int j = c->nooo; j > i; j--)
    c->ooo[j] = c->ooo[j - 1];
  c->ooo[i] = (tcp_range){start, end, now};
  c->nooo++;
  return true;
}

/* Move held out-of-order data that now follows rcv_nxt into the stream. */
static bool ooo_merge(tcp_conn *c) {
  bool filled = false;
  while (c->nooo > 0 && c->ooo[0].start <= c->rcv_off) {
    if (c->ooo[0].end > c->rcv_off) {
      uint64_t d = c->ooo[0].end - c->rcv_off;
      c->rcv_off += d;
      c->rcv_nxt += (uint32_t)d;
    }
    for (int j = 0; j + 1 < c->nooo; j++)
      c->ooo[j] = c->ooo[j + 1];
    c->nooo--;
    filled = true;
  }
  return filled;
}

/* A FIN that ends ESTABLISHED under a profile that delays its ACK (Linux
 * tcp_fin(): the ACK scheduled, pingpong mode) is still ACKed at once when
 * the ACK check that follows says so (__tcp_ack_snd_check()): more than
 * (ack_every - 1) full segments unacknowledged, the FIN's sequence number
 * counted (rcv_nxt - rcv_wup), with the window holding - or a hole just
 * filled (tcp_data_queue(): ICSK_ACK_NOW). Pingpong mode rules out only
 * the quick ACK. */
static bool fin_ack_due(const tcp_conn *c, ack_decision d, tcp_why why) {
  const tcp_profile *p = c->host->p;
  if (d == ACK_SEND && why == TCP_WHY_ACK_OOO)
    return true;
  return p->ack_rule == TCP_ACK_RULE_BYTES &&
         p->delack_mode != TCP_DELACK_OFF && tcp_delack_bytes_due(c, 1);
}

/* §3.10.7.4 seventh and eighth: segment text and FIN, after trimming. */
static void process_text(tcp_conn *c, uint32_t seq, const uint8_t *data,
                         uint32_t len, bool fin, bool psh, uint64_t now) {
  if (!state_receives(c->state)) /* FIN already received: text ignored */
    return;
  uint32_t gap = seq - c->rcv_nxt;
  if (len && !c->host->cfg.trust_input) {
    uint64_t off = c->rcv_off + gap;
    if (tcp_payload_check(data, off, len) != len) {
      c->integrity_errors++;
      tcp_trace_drop(c->host, c, NULL, TCP_WHY_INTEGRITY, (int64_t)off, now);
    }
  }
  if (gap) { /* out of order: hold it, send a duplicate ACK at once */
    uint64_t start = c->rcv_off + gap;
    if (len) {
      tcp_delack_threshold_measure(c, len);
      tcp_delack_grow_window(c, len);
    }
    if (len && !ooo_insert(c, start, start + len))
      tcp_trace_drop(c->host, c, NULL, TCP_WHY_STRAY, 0, now);
    if (fin) {
      c->ooo_fin = true;
      c->ooo_fin_off = start + len;
    }
    tcp_conn_send_ack(c, TCP_WHY_ACK_OOO, now);
    return;
  }

  ack_decision d = ACK_NONE;
  tcp_why why = TCP_WHY_NONE;
  if (len) {
    c->rcv_off += len;
    c->rcv_nxt += len;
    tcp_conn_note(c, TCP_NOTIFY_READABLE);
    /* Linux tcp_measure_rcv_mss(): a full segment with PSH, or a short
     * one, marks the ACK pushed (ICSK_ACK_PUSHED) until an ACK goes */
    if (c->host->p->ack_pushed && (psh || len < c->mss)) {
      c->ack_pushed2 = c->ack_pushed; /* a second one: ICSK_ACK_PUSHED2 */
      c->ack_pushed = true;
    }
    if (c->host->p->rcv_buf_grows) {
      tcp_rcvbuf_queued(c);
      tcp_rcvbuf_on_data(c, now);
    }
    d = tcp_delack_on_data(c, len, &why, now);
  }
  if (ooo_merge(c)) {
    if (c->host->p->rcv_buf_grows)
      tcp_rcvbuf_queued(c);
    d = ACK_SEND;
    why = TCP_WHY_ACK_OOO;
    tcp_conn_note(c, TCP_NOTIFY_READABLE);
  }
  if (c->ooo_fin && c->ooo_fin_off == c->rcv_off) {
    fin = true;
    c->ooo_fin = false;
  }
  if (!fin) {
    if (d == ACK_SEND)
      tcp_conn_send_ack(c, why, now);
    else if (d == ACK_DELAY)
      tcp_delack_arm(c, now);
    return;
  }
  /* eighth: the FIN. Whatever its data wanted, one immediate ACK covers
   * both - unless the profile delays the ACK of a FIN that ends
   * ESTABLISHED (Linux tcp_fin(): scheduled, pingpong mode: no more quick
   * ACKs), so the application's answer carries it. A delayed ACK armed by
   * an earlier segment may still be pending: whether the ACK of the FIN
   * clears it is the profile's call (KB Q152474). */
  c->fin_rcvd = true;
  c->rcv_nxt += 1;
  tcp_conn_note(c, TCP_NOTIFY_READABLE);
  bool delay = c->state == TCP_ESTABLISHED && !c->host->p->fin_ack_now;
  switch (c->state) {
  case TCP_ESTABLISHED:
    tcp_conn_set_state(c, TCP_CLOSE_WAIT, now);
    break;
  case TCP_FIN_WAIT_1:
    if (c->fin_acked)
      tcp_conn_enter_time_wait(c, now);
    else
      tcp_conn_set_state(c, TCP_CLOSING, now);
    break;
  case TCP_FIN_WAIT_2:
    tcp_conn_enter_time_wait(c, now);
    break;
  default:
    break;
  }
  if (delay && fin_ack_due(c, d, why)) /* Linux: the ACK check after */
    delay = false;
  if (delay) {
    c->quickack_left = 0;
    if (c->host->p->pingpong_thresh) /* inet_csk_enter_pingpong_mode() */
      c->pingpong = c->host->p->pingpong_thresh;
    tcp_delack_arm(c, now);
    return;
  }
  tcp_conn_send_ack(c, TCP_WHY_ACK_FIN, now);
}

/* Whether a reset in the connection's state reaches the application: after
 * the FIN exchange (CLOSING, LAST-ACK, TIME-WAIT) it is the profile's call,
 * before it always. */
static bool reset_told(const tcp_conn *c) {
  const tcp_profile *p = c->host->p;
  switch (c->state) {
  case TCP_TIME_WAIT:
    return p->rst_timewait_notifies;
  case TCP_CLOSING:
  case TCP_LAST_ACK:
    return p->rst_closing_notifies;
  default:
    return true;
  }
}

/* §3.10.7.4: SYN-RECEIVED and every synchronized state. */
void tcp_conn_input(tcp_conn *c, const tcp_segment *seg, uint64_t now) {
  tcp_host *h = c->host;
  const tcp_profile *p = h->p;
  if (c->state == TCP_SYN_SENT) {
    syn_sent_input(c, seg, now);
    return;
  }
  uint8_t flags = seg->flags;
  uint32_t seq = seg->seq;
  uint32_t len = seg->len;
  const uint8_t *data = seg->data;
  uint32_t seg_len = len + !!(flags & TCP_SYN) + !!(flags & TCP_FIN);
  uint32_t wnd = SEQ_GT(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
  c->mstamp_ns = now; /* tcp_mstamp_refresh() */

  /* RFC 7323 §4.3 (Linux tcp_replace_ts_recent()): the TS val to echo is
   * that of the newest segment that starts at or before the last ACK -
   * a duplicate of data already ACKed too, which Linux's tcp_sequence()
   * takes while it ends at or after that ACK */
  if (c->ts_ok && (seg->opts & TCP_OPT_TS) && SEQ_LEQ(seq, c->rcv_wup) &&
      SEQ_GEQ(seq + seg_len, c->rcv_wup) &&
      (int32_t)(seg->ts_val - c->ts_recent) >= 0)
    c->ts_recent = seg->ts_val;

  /* first: sequence number */
  if (!acceptable(c, seq, seg_len, wnd, flags, len)) {
    if (wnd == 0 && seq == c->rcv_nxt) {
      /* a zero window still takes ACKs and RSTs: keep the controls.
       * Data is a window probe: dropped, with its FIN, and ACKed at once
       * (4.4BSD-Lite2 tcp_input(): TF_ACKNOW). A bare FIN never gets here
       * (acceptable() takes it: it is accepted, as 4.4BSD's trimming,
       * which counts data only, and Linux's tcp_sequence() do) */
      assert(len > 0 && "tcp_conn_input: a bare FIN at RCV.NXT is acceptable");
      len = 0;
      flags &= (uint8_t)~TCP_FIN;
      tcp_conn_send_ack(c, TCP_WHY_UNACCEPTABLE, now);
    } else {
      if (flags & TCP_RST) {
        tcp_trace_drop(h, c, seg, TCP_WHY_RST_IGNORED, 0, now);
        return;
      }
      if (len && c->sack_ok && SEQ_LEQ(seq + len, c->rcv_nxt))
        set_dsack(c, seq, seq + len); /* data had whole: D-SACK it */
      if (c->state == TCP_TIME_WAIT && (flags & TCP_FIN) &&
          seq + seg_len == c->rcv_nxt) /* retransmitted FIN: 2 MSL again */
        tcp_conn_timer_set(c, TCP_TIMER_TIMEWAIT, now + 2 * p->msl_ns, now);
      tcp_trace_drop(h, c, seg, TCP_WHY_OUT_OF_WINDOW, 0, now);
      tcp_conn_send_ack(c, TCP_WHY_UNACCEPTABLE, now);
      return;
    }
  }
  /* trim what precedes RCV.NXT (a SYN first) and what passes the window */
  if (SEQ_LT(seq, c->rcv_nxt)) {
    if (flags & TCP_SYN) {
      flags &= (uint8_t)~TCP_SYN;
      seq++;
    }
    uint32_t d = c->rcv_nxt - seq;
    if (d > len) { /* the FIN, if any, is old too */
      d = len;
      flags &= (uint8_t)~TCP_FIN;
    }
    if (d && c->sack_ok) /* its head was had: D-SACK it (RFC 2883) */
      set_dsack(c, seq, seq + d);
    data += d;
    len -= d;
    seq += d;
  }
  if (len && SEQ_GT(seq + len, c->rcv_nxt + wnd)) {
    len = c->rcv_nxt + wnd - seq;
    flags &= (uint8_t)~TCP_FIN;
  }

  /* second: RST. RFC 5961 §3.2: an exact match resets, the rest of the
   * window draws a challenge ACK; RFC 793 §3.9: anything in the window
   * (already checked above) resets. */
  if (flags & TCP_RST) {
    if (p->rfc5961 && seq != c->rcv_nxt) {
      tcp_conn_send_ack(c, TCP_WHY_CHALLENGE, now);
      return;
    }
    switch (c->state) {
    case TCP_SYN_RECEIVED:
      if (c->passive)
        back_to_listen(c, now);
      else
        tcp_conn_drop(c, TCP_ERR_REFUSED, true, now);
      break;
    case TCP_ESTABLISHED:
    case TCP_FIN_WAIT_1:
    case TCP_FIN_WAIT_2:
      tcp_conn_drop(c, TCP_ERR_RESET, true, now);
      break;
    case TCP_CLOSE_WAIT:
      tcp_conn_drop(c, p->rst_close_wait_epipe ? TCP_ERR_PIPE : TCP_ERR_RESET,
                    true, now);
      break;
    case TCP_TIME_WAIT:
      if (p->rfc1337) {
        tcp_trace_drop(h, c, seg, TCP_WHY_RST_IGNORED, 0, now);
        break;
      }
      tcp_conn_drop(c, TCP_ERR_RESET, reset_told(c), now);
      break;
    default: /* CLOSING, LAST-ACK */
      tcp_conn_drop(c, TCP_ERR_RESET, reset_told(c), now);
      break;
    }
    return;
  }

  /* fourth: SYN. RFC 5961 §4.2: a challenge ACK; RFC 793 §3.9: a SYN in
   * the window is an error, answered with a RST, the connection reset. */
  if (flags & TCP_SYN) {
    if (c->state == TCP_SYN_RECEIVED && c->passive) {
      back_to_listen(c, now);
    } else if (p->rfc5961) {
      tcp_conn_send_ack(c, TCP_WHY_CHALLENGE, now);
    } else {
      tcp_host_send_rst(h, seg, TCP_WHY_RST_SYN, now);
      tcp_conn_drop(c, TCP_ERR_RESET, reset_told(c), now);
    }
    return;
  }

  /* fifth: ACK */
  if (!(flags & TCP_ACK)) {
    tcp_trace_drop(h, c, seg, TCP_WHY_NO_ACK, 0, now);
    return;
  }
  if (c->state == TCP_SYN_RECEIVED) {
    if (!(SEQ_LT(c->snd_una, seg->ack) && SEQ_LEQ(seg->ack, c->snd_max))) {
      tcp_host_send_rst(h, seg, TCP_WHY_RST_BAD_ACK, now);
      return;
    }
    window_update(c, seg, now);
    if (c->rtt_timing) {
      handshake_rtt(c, now - c->rtt_start);
      c->rtt_timing = false;
    }
    established(c, now);
    tcp_conn_note(c, c->passive ? TCP_NOTIFY_ACCEPTABLE : TCP_NOTIFY_CONNECTED);
  }
  if (!process_ack(c, seg, now))
    return;

  /* data to an application that has closed: the stacks answer with a RST
   * at SEG.ACK and close (4.4BSD tcp_input(), Linux
   * tcp_rcv_state_process(); the profile's rst_data_after_close). Only
   * new data counts: what precedes RCV.NXT was trimmed above. */
  if (len && c->app_closed && p->rst_data_after_close &&
      (c->state == TCP_FIN_WAIT_1 || c->state == TCP_FIN_WAIT_2)) {
    tcp_host_send_rst(h, seg, TCP_WHY_RST_AFTER_CLOSE, now);
    tcp_conn_drop(c, TCP_ERR_RESET, false, now);
    return;
  }
  /* sixth (URG) is ignored; seventh and eighth */
  /* the receive RTT from the echo, before the data is queued: Linux
   * samples it in tcp_rcv_established() alone, in ESTABLISHED, and a pure
   * ACK takes its echo too (rcv_rtt_last_tsecr) - the data that follows
   * with the same echo gives no sample */
  if (c->ts_ok && (seg->opts & TCP_OPT_TS) && p->rcv_buf_grows &&
      c->state == TCP_ESTABLISHED)
    tcp_rcvbuf_on_ts(c, seg->ts_ecr, len, now);
  if (len || (flags & TCP_FIN)) {
    process_text(c, seq, data, len, (flags & TCP_FIN) != 0,
                 (flags & TCP_PSH) != 0, now);
  }
  tcp_conn_output(c, now);
  tcp_sndbuf_check_space(c, now);
}
