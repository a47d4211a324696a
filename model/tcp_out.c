/*
 * tcp_out.c - everything a connection sends: SYNs, data and FIN under the
 * send window, congestion window, Nagle and sender-side SWS avoidance; pure
 * ACKs; RSTs; zero-window probes.
 *
 * Every segment a connection sends goes through send_seg(), which hands
 * each ACK to tcp_delack_after_ack() (delack.c): what sending an ACK does to
 * a pending delayed ACK is decided there, and that is where KB Q152474
 * lives. fin_ack_final (the article's fix) also stops window updates after
 * the ACK of the FIN (tcp_conn_maybe_window_update), so nothing follows it
 * of the host's accord.
 *
 * Retransmission is go-back-N from snd_una after a timeout (snd_nxt rewinds,
 * snd_max remembers how far we had gone); fast retransmit resends the one
 * segment at snd_una (RFC 5681 §3.2).
 */
#include "tcp_internal.h"

/* Linux's chunks (tso_defer): they need its skbs (snd_buf_grows). */
#define TSO_DEFER(p) ((p)->tso_defer && (p)->snd_buf_grows)

uint32_t tcp_conn_rcv_wnd(const tcp_conn *c) {
  uint64_t buffered = c->rcv_off - c->read_off;
  uint32_t buf = c->rcv_space; /* rcv_buf, or as it grew (rcvbuf.c) */
  return buffered < buf ? buf - (uint32_t)buffered : 0;
}

/* The window offered last as it stands now - before its 16-bit clamp, as
 * Linux keeps it (tp->rcv_wnd): a receive space over 65535 offers more
 * than the field can say. */
static uint32_t offered_now(const tcp_conn *c) {
  uint32_t edge = c->rcv_wup + c->rcv_wnd_offered;
  return SEQ_GT(edge, c->rcv_nxt) ? edge - c->rcv_nxt : 0;
}

/* Linux __tcp_select_window()'s free space: under half the full space
 * (window_clamp, grown or not) it ends quick-ACK mode, and *starved says
 * it is under a sixteenth of it or a segment - the window offered is then
 * none (rcv_wnd_mss); it counts up to rcv_ssthresh at most, where
 * rcv_grow_quickack keeps one. */
static uint32_t free_space_of(const tcp_conn *c, uint32_t space, bool *low,
                              bool *starved) {
  const tcp_profile *p = c->host->p;
  *low = p->rcv_wnd_mss && space < c->rcv_space / 2;
  *starved = *low && (space < c->rcv_space / 16 || space < c->mss);
  if (p->rcv_grow_quickack && space > c->rcv_ssthresh)
    space = c->rcv_ssthresh;
  return space;
}

static uint32_t linux_free_space(tcp_conn *c, uint32_t space, bool *starved) {
  bool low;
  space = free_space_of(c, space, &low, starved);
  if (low)
    c->quickack_left = 0;
  return space;
}

/* Linux __tcp_select_window() with window scaling: the free space
 * (free_space_of(); rounded down to the scale's unit where it is under
 * half the full space, none when starved) rounded up to that unit - no
 * rounding to segments (the scaled window would not keep it). *low says
 * quick-ACK mode ends. */
static uint32_t scaled_window_of(const tcp_conn *c, uint32_t space, bool *low) {
  uint32_t unit = 1u << c->rcv_wscale;
  bool starved, under_half = space < c->rcv_space / 2;
  space = free_space_of(c, space, low, &starved);
  if (under_half)
    space -= space % unit;
  if (starved)
    return 0;
  return (space + unit - 1) / unit * unit;
}

uint32_t tcp_conn_scaled_select(const tcp_conn *c) {
  bool low;
  return scaled_window_of(c, tcp_conn_rcv_wnd(c), &low);
}

/*
 * The window to advertise now, in bytes before scaling. The right edge
 * never moves left, and it moves right only by at least min(rcv_buf / 2,
 * MSS) at a time (receiver SWS avoidance, RFC 1122 §4.2.3.3). The field
 * carries at most 65535 units of the scale (RFC 7323 §2.3).
 */
static uint32_t advertise(tcp_conn *c) {
  uint32_t space = tcp_conn_rcv_wnd(c);
  uint32_t cur = offered_now(c);
  uint32_t unit = 1u << c->rcv_wscale;
  if (c->host->p->rcv_wnd_mss && c->rcv_wscale) {
    /* tcp_select_window(): never less than what is left of the last,
     * rounded up to the unit */
    bool low;
    space = scaled_window_of(c, space, &low);
    if (low)
      c->quickack_left = 0;
    if (space < cur)
      space = (cur + unit - 1) / unit * unit;
  } else if (c->host->p->rcv_wnd_mss) {
    /* Linux __tcp_select_window() without scaling: its free space
     * (linux_free_space(), none when starved); then the window offered last,
     * unless the free space is not within one segment of it - then the
     * free space rounded down to whole segments; tcp_select_window():
     * never less than what is left of the last */
    uint32_t last = c->rcv_wnd_offered, mss = c->mss;
    bool starved;
    space = linux_free_space(c, space, &starved);
    if (starved)
      space = 0;
    if (last + mss <= space || last > space)
      space -= space % mss;
    else
      space = last;
    if (space < cur)
      space = cur;
  } else if (c->host->p->rcv_wnd_bsd) {
    /* 4.4BSD tcp_output(): the free space, none while it is below a
     * quarter of the buffer and a segment, never less than what is left
     * of the last offer */
    if (space < c->host->p->rcv_buf / 4 && space < c->mss)
      space = 0;
    if (space < cur)
      space = cur;
  } else {
    uint32_t half = c->host->p->rcv_buf / 2;
    uint32_t step = half < c->mss ? half : c->mss;
    if (space < cur || space - cur < step)
      space = cur;
  }
  c->rcv_wnd_offered = space;
  c->rcv_wup = c->rcv_nxt;
  if (space > 65535u * unit)
    space = 65535u * unit;
  /* the field says less where the space is not whole units: the edge
   * kept is the space's, as 4.4BSD-Lite2 tcp_output() keeps rcv_adv -
   * so what the peer was told never shrinks */
  c->rcv_adv = c->rcv_nxt + space;
  return space;
}

/* The window of a SYN or SYN-ACK, never scaled: the receive space, at
 * most 65535 - in whole segments of `seg` bytes where the profile offers
 * whole segments (Linux tcp_select_initial_window(): rounddown(space,
 * mss)). */
static uint16_t syn_window(const tcp_profile *p, uint32_t seg) {
  uint32_t w = p->rcv_buf > 65535 ? 65535 : p->rcv_buf;
  if (p->rcv_wnd_mss && w > seg)
    w -= w % seg;
  return (uint16_t)w;
}

/* Stream offset of the data byte at sequence number `seq`. */
uint64_t tcp_conn_seq_off(const tcp_conn *c, uint32_t seq) {
  uint32_t syn = c->snd_una == c->iss; /* the SYN is still unacknowledged */
  return c->una_off + (uint32_t)(seq - c->snd_una) - syn;
}

/* The options of segment s: a SYN offers what the profile has, a SYN-ACK
 * answers what both offered; afterwards timestamps on every segment, and
 * with SACK the out-of-order ranges held, the one data last joined first,
 * then the others newest first (RFC 2018 §4; as Linux orders them,
 * measured with a script against the kernel). */
static void put_options(tcp_conn *c, tcp_segment *s, uint64_t now) {
  const tcp_profile *p = c->host->p;
  bool syn = s->flags & TCP_SYN, synack = syn && (s->flags & TCP_ACK);
  if (syn) {
    s->mss = p->mss;
    if (synack ? c->sack_ok : p->sack_permitted)
      s->opts |= TCP_OPT_SACK_OK;
    if (synack ? c->wscale_ok : p->window_scaling) {
      s->opts |= TCP_OPT_WSCALE;
      s->wscale = p->wscale;
    }
  }
  if (syn ? (synack ? c->ts_ok : p->timestamps) : c->ts_ok) {
    s->opts |= TCP_OPT_TS;
    s->ts_val = tcp_conn_ts_now(c, now);
    s->ts_ecr = syn && !synack ? 0 : c->ts_recent;
  }
  /* the blocks a segment of this length has room for within the MTU
   * (its payload, the options, 40 bytes of headers; 4 bytes to open the
   * list, 8 a block). Linux shrinks the payload instead
   * (tcp_current_mss()); here a full segment carries none. */
  uint32_t used = s->len + ((s->opts & TCP_OPT_TS) ? TCP_TS_OPT_LEN : 0);
  uint32_t room = p->mss > used ? p->mss - used : 0;
  uint8_t most = room >= 12 ? (uint8_t)((room - 4) / 8) : 0;
  if (most > TCP_MAX_SACKS)
    most = TCP_MAX_SACKS;
  if (!syn && c->sack_ok && !(s->flags & TCP_RST) && most) {
    uint32_t base = c->rcv_nxt - (uint32_t)c->rcv_off;
    if (c->dsack) { /* a duplicate first (RFC 2883), once */
      s->sack[0][0] = c->dsack_seq[0];
      s->sack[0][1] = c->dsack_seq[1];
      s->nsack = 1;
    }
    uint64_t below = UINT64_MAX; /* the next block is the newest under */
    while (s->nsack < most) {
      int best = -1;
      for (int i = 0; i < c->nooo; i++)
        if (c->ooo[i].last < below &&
            (best < 0 || c->ooo[i].last > c->ooo[best].last))
          best = i;
      if (best < 0)
        break;
      below = c->ooo[best].last;
      s->sack[s->nsack][0] = base + (uint32_t)c->ooo[best].start;
      s->sack[s->nsack][1] = base + (uint32_t)c->ooo[best].end;
      s->nsack++;
    }
    c->dsack = false; /* Linux tcp_options_write(): reported once */
  }
}

static void send_seg(tcp_conn *c, uint32_t seq, uint8_t flags, uint32_t len,
                     tcp_why why, uint64_t now) {
  tcp_host *h = c->host;
  const tcp_profile *p = h->p;
  tcp_segment s = {0};
  s.src = c->laddr;
  s.dst = c->raddr;
  s.sport = c->lport;
  s.dport = c->rport;
  s.seq = seq;
  s.flags = flags;
  s.ttl = p->ttl;
  s.ip_id = h->ip_id++;
  if (flags & TCP_ACK)
    s.ack = c->rcv_nxt;
  if (!(flags & TCP_RST) || (flags & TCP_ACK)) { /* RST|ACK: the window too */
    if (!(flags & TCP_ACK)) {
      s.wnd = syn_window(p, p->mss);
      c->rcv_wnd_offered = s.wnd; /* the SYN's offer, kept (Linux rcv_wnd) */
    } else if ((flags & TCP_SYN) && (c->wscale_ok || p->rcv_wnd_mss)) {
      /* a SYN-ACK's window is never scaled (RFC 7323 §2.2); Linux offers
       * tcp_select_initial_window()'s, as in a SYN but in whole segments
       * of the MSS less the timestamps (tcp_openreq_init_rwin()) - 65160
       * - which also starts its threshold */
      s.wnd = syn_window(p, c->ts_ok ? p->mss - TCP_TS_OPT_LEN : p->mss);
      if (p->rcv_wnd_mss)
        c->rcv_ssthresh = s.wnd;
      c->rcv_wnd_offered = s.wnd;
      c->rcv_wup = c->rcv_nxt;
      c->rcv_adv = c->rcv_nxt + s.wnd;
    } else {
      uint32_t w = advertise(c) >> c->rcv_wscale;
      s.wnd = (uint16_t)(w > 65535 ? 65535 : w);
    }
  }
  s.len = (uint16_t)len;
  put_options(c, &s, now); /* after the length: the SACK blocks' room */
  if (len)
    s.payload_off = tcp_conn_seq_off(c, seq);
  size_t n =
      tcp_wire_encode_opt(h->obuf, h->obuf_cap, &s, h->cfg.opaque_payload);
  if (SEQ_LT(seq, c->snd_max) && (len || (flags & (TCP_SYN | TCP_FIN))) &&
      why != TCP_WHY_PERSIST) /* a repeated one-byte probe is a probe */
    c->retransmits++;
  if (TRACES(h, TCP_EV_SEG_OUT)) {
    tcp_event ev = {.type = TCP_EV_SEG_OUT, .seg = s, .why = why};
    ev.dgram = h->obuf;
    ev.dgram_len = n;
    tcp_trace_conn(c, &ev, now);
  }
  c->last_xmit_ns = now;
  if (len && SEQ_LT(seq, c->snd_max) && h->p->snd_buf_grows) {
    uint64_t off = tcp_conn_seq_off(c, seq);
    tcp_sndbuf_resent(c, off, off + len, now);
  }
  if (len) {
    tcp_delack_data_sent(c, now);
    c->last_data_sent_ns = now;
  }
  h->cfg.output(h->cfg.user, h->obuf, n);
  if (flags & TCP_ACK)
    tcp_delack_after_ack(c, why, now);
}

void tcp_conn_rtx_restart(tcp_conn *c, uint64_t now) {
  c->tlp_armed = false;
  if (c->snd_una == c->snd_max)
    tcp_conn_timer_stop(c, TCP_TIMER_RTX, now);
  else
    tcp_conn_timer_set(c, TCP_TIMER_RTX, now + c->rto_ns, now);
}

static void rtx_ensure(tcp_conn *c, uint64_t now) {
  if (c->deadline[TCP_TIMER_RTX] == TCP_NEVER && c->snd_una != c->snd_max)
    tcp_conn_timer_set(c, TCP_TIMER_RTX, now + c->rto_ns, now);
}

void tcp_conn_send_syn(tcp_conn *c, uint64_t now) {
  bool synack = c->state == TCP_SYN_RECEIVED;
  if (!c->rtt_timing && c->backoff == 0) {
    c->rtt_timing = true;
    c->rtt_seq = c->iss;
    c->rtt_start = now;
  }
  send_seg(c, c->iss, TCP_SYN | (synack ? TCP_ACK : 0), 0,
           synack ? TCP_WHY_SYNACK : TCP_WHY_SYN, now);
  c->snd_nxt = c->iss + 1;
  if (SEQ_GT(c->snd_nxt, c->snd_max))
    c->snd_max = c->snd_nxt;
  rtx_ensure(c, now);
}

void tcp_conn_send_ack(tcp_conn *c, tcp_why why, uint64_t now) {
  if (c->state == TCP_CLOSED || c->state == TCP_LISTEN ||
      c->state == TCP_SYN_SENT)
    return;
  send_seg(c, c->snd_nxt, TCP_ACK, 0, why, now);
}

void tcp_conn_send_rst(tcp_conn *c, tcp_why why, uint64_t now) {
  /* the application's abort (or a close with unread data): RFC 9293
   * 3.10.4's <SEQ=SND.NXT><CTL=RST>, or with rst_abort_ack 4.4BSD's and
   * Linux's RST|ACK of RCV.NXT with the window */
  bool ack = c->host->p->rst_abort_ack &&
             (why == TCP_WHY_RST_ABORT || why == TCP_WHY_RST_UNREAD);
  send_seg(c, c->snd_nxt, TCP_RST | (ack ? TCP_ACK : 0), 0, why, now);
}

void tcp_conn_send_probe(tcp_conn *c, uint64_t now) {
  uint64_t nxt_off = tcp_conn_seq_off(c, c->snd_nxt);
  if (c->host->p->probe_data && nxt_off < c->app_sent) {
    /* 4.4BSD: the next byte, beyond the zero window. A peer whose window
     * has opened meanwhile takes it; one whose window is still shut
     * drops it and answers with its window. SND.NXT stays, SND.MAX
     * covers the byte (so its ACK is acceptable); the FIN never rides
     * along */
    send_seg(c, c->snd_nxt, TCP_ACK, 1, TCP_WHY_PERSIST, now);
    if (SEQ_GT(c->snd_nxt + 1, c->snd_max))
      c->snd_max = c->snd_nxt + 1;
    return;
  }
  /* an already acknowledged sequence number: the peer answers with an ACK
   * that carries its current window, and no sequence space is used */
  send_seg(c, c->snd_una - 1, TCP_ACK, 0, TCP_WHY_PERSIST, now);
}

void tcp_conn_retransmit_one(tcp_conn *c, uint64_t now) {
  uint64_t left = c->app_sent - c->una_off;
  uint32_t len = left < c->mss ? (uint32_t)left : c->mss;
  bool fin = c->shut_wr && len == left;
  c->rtt_timing = false; /* Karn */
  send_seg(c, c->snd_una, TCP_ACK | (fin ? TCP_FIN : 0), len,
           TCP_WHY_FAST_RETRANSMIT, now);
  uint32_t end = c->snd_una + len + fin;
  if (SEQ_GT(end, c->snd_nxt))
    c->snd_nxt = end;
}

void tcp_conn_output(tcp_conn *c, uint64_t now) {
  const tcp_profile *p = c->host->p;
  if ((c->state == TCP_SYN_SENT || c->state == TCP_SYN_RECEIVED) &&
      c->snd_nxt == c->iss)
    tcp_conn_send_syn(c, now);
  switch (c->state) {
  case TCP_ESTABLISHED:
  case TCP_CLOSE_WAIT:
  case TCP_FIN_WAIT_1:
  case TCP_CLOSING:
  case TCP_LAST_ACK:
    break;
  default:
    return;
  }

  uint64_t unsent = 0, burst_from = UINT64_MAX, burst_to = 0;
  bool small_window = false, sent_new = false;
  for (;;) {
    uint64_t nxt_off = tcp_conn_seq_off(c, c->snd_nxt);
    unsent = nxt_off < c->app_sent ? c->app_sent - nxt_off : 0;
    bool fin_pending = c->shut_wr && SEQ_LEQ(c->snd_nxt, conn_fin_seq(c));
    uint32_t flight = c->snd_nxt - c->snd_una;
    uint32_t wnd = c->snd_wnd < c->cwnd ? c->snd_wnd : c->cwnd;
    uint32_t usable = wnd > flight ? wnd - flight : 0;
    uint32_t len = c->mss;
    if (unsent < len)
      len = (uint32_t)unsent;
    if (usable < len)
      len = usable;
    bool rexmit = SEQ_LT(c->snd_nxt, c->snd_max);
    bool new_data = len && !rexmit;
    if (TSO_DEFER(p) && new_data) {
      if (c->chunk_left == 0) {
        uint64_t bytes = tcp_sndbuf_chunk(c, now);
        if (bytes == 0)
          break; /* deferred: a later ACK sends a larger chunk */
        c->chunk_left = bytes;
        c->chunk_from = nxt_off;
      }
      if (len > c->chunk_left)
        len = (uint32_t)c->chunk_left;
    }
    bool fin = fin_pending && len == unsent;
    if (len == 0 && !fin)
      break;
    /* sender SWS avoidance (RFC 1122 §4.2.3.4): a small segment that the
     * window cuts short waits, unless it is half the largest window seen
     * or the persist timer overrides */
    if (len < unsent && len < c->mss && len < c->max_wnd / 2 &&
        !c->force_send) {
      small_window = true;
      break;
    }
    /* Nagle (RFC 896): no small segment while data is in flight - or,
     * Minshall's variant, while an earlier small segment is; a FIN goes */
    if (p->nagle && len < c->mss && len == unsent && flight > 0 && !fin &&
        (!p->nagle_minshall || (c->sml_sent && SEQ_GT(c->snd_sml, c->snd_una) &&
                                SEQ_LEQ(c->snd_sml, c->snd_nxt))))
      break;
    tcp_why why =
        rexmit ? TCP_WHY_RETRANSMIT : (len ? TCP_WHY_DATA : TCP_WHY_FIN);
    bool psh = len && len == unsent;
    bool chunk_end = TSO_DEFER(p) && new_data && len == c->chunk_left;
    if (TSO_DEFER(p) && new_data && p->psh_chunks) {
      /* the last of a chunk of two or more segments (GSO); a chunk of one
       * carries none (crosscheck: a segment sent alone as cwnd opened by
       * one, without PSH) */
      psh = psh || (chunk_end && nxt_off + len - c->chunk_from > c->mss);
    } else if (p->psh_chunks && len && !rexmit) {
      /* Linux sends at most TCP_TSO_SEGS segments of an skb at a time and
       * GSO puts the skb's PSH on its last: each such chunk of a burst,
       * and the burst's end, carry PSH */
      uint64_t from = burst_from == UINT64_MAX ? nxt_off : burst_from;
      uint64_t sent = nxt_off + len - from;
      uint64_t left = unsent - len, room = usable - len;
      psh = sent % ((uint64_t)TCP_TSO_SEGS * c->mss) == 0 || left == 0 ||
            room < (left < c->mss ? left : c->mss);
    }
    uint8_t flags = TCP_ACK | (fin ? TCP_FIN : 0) | (psh ? TCP_PSH : 0);
    if (!rexmit && !c->rtt_timing) {
      c->rtt_timing = true;
      c->rtt_seq = c->snd_nxt;
      c->rtt_start = now;
    }
    if (new_data)
      c->last_new_seq = c->snd_nxt;
    if (!rexmit)
      sent_new = true;
    send_seg(c, c->snd_nxt, flags, len, why, now);
    if (TSO_DEFER(p) && new_data) {
      c->chunk_left -= len;
      if (chunk_end)
        tcp_sndbuf_chunk_sent(c, c->chunk_from, nxt_off + len, now);
    }
    if (!rexmit && len) {
      if (burst_from == UINT64_MAX)
        burst_from = nxt_off;
      burst_to = nxt_off + len;
    }
    c->snd_nxt += len + fin;
    if (!rexmit && len < c->mss) { /* tcp_minshall_update() */
      c->snd_sml = c->snd_nxt;
      c->sml_sent = true;
    }
    if (SEQ_GT(c->snd_nxt, c->snd_max))
      c->snd_max = c->snd_nxt;
    rtx_ensure(c, now);
    if (fin)
      break;
  }
  c->force_send = false;
  if (p->snd_buf_grows && !TSO_DEFER(p) && burst_from != UINT64_MAX)
    tcp_sndbuf_sent(c, burst_from, burst_to);
  if (sent_new) /* tcp_write_xmit() sent new data or the FIN */
    tcp_conn_tlp_schedule(c, false, now);
  /* a window too small to use, data waiting and nothing in flight (or
   * only a one-byte probe, which runs no retransmission timer): no ACK
   * will come to open it, so the persist timer must */
  if ((c->snd_wnd == 0 || small_window) && unsent > 0 &&
      (c->snd_una == c->snd_max || c->deadline[TCP_TIMER_RTX] == TCP_NEVER) &&
      c->deadline[TCP_TIMER_PERSIST] == TCP_NEVER) {
    c->persist_backoff = 0;
    tcp_conn_timer_set(c, TCP_TIMER_PERSIST, now + tcp_conn_persist_base(c),
                       now);
  }
}

/* Linux tcp_cleanup_rbuf(): the ACK the arrival held back goes with the
 * read - more than (ack_every - 1) segments unacknowledged (rcv_nxt -
 * rcv_wup, a FIN not yet ACKed counted), or the read emptied the queue
 * after a pushed segment (one is not enough in interactive mode). Sent:
 * true. */
static bool held_back_ack(tcp_conn *c, uint64_t now) {
  const tcp_profile *p = c->host->p;
  if (c->deadline[TCP_TIMER_DELACK] == TCP_NEVER)
    return false;
  uint64_t unacked =
      c->unacked_bytes + (c->fin_rcvd && !c->fin_ack_sent ? 1 : 0);
  if (unacked > (uint64_t)(p->ack_every - 1) * c->mss) {
    tcp_conn_send_ack(c, TCP_WHY_ACK_EVERY, now);
    return true;
  }
  if ((c->ack_pushed2 || (c->ack_pushed && !tcp_conn_interactive(c))) &&
      c->read_off == c->rcv_off) {
    tcp_conn_send_ack(c, TCP_WHY_ACK_PUSHED, now);
    return true;
  }
  return false;
}

void tcp_conn_maybe_window_update(tcp_conn *c, uint64_t now) {
  const tcp_profile *p = c->host->p;
  bool may = c->fin_rcvd ? p->winupdate_after_fin && c->state != TCP_CLOSED &&
                               !(p->fin_ack_final && c->fin_ack_sent)
                         : state_receives(c->state);
  if (!may) {
    /* after the FIN Linux offers no window (RCV_SHUTDOWN), but the ACK
     * of the FIN, held back, still goes with a read that calls for it */
    if (p->winupdate == TCP_WINUPDATE_LINUX && c->fin_rcvd &&
        !c->fin_ack_sent && c->state != TCP_CLOSED)
      held_back_ack(c, now);
    return;
  }
  uint32_t space = tcp_conn_rcv_wnd(c);
  uint32_t cur = SEQ_GT(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
  if (p->winupdate == TCP_WINUPDATE_LINUX) {
    /* tcp_cleanup_rbuf(): the ACK the arrival held back (held_back_ack);
     * else a window update when the window offered has fallen to half
     * the space or less and the read at least doubles it (in Linux's
     * unclamped terms: window_clamp, tcp_receive_window()) */
    uint32_t now_wnd = offered_now(c);
    if (held_back_ack(c, now) || 2 * (uint64_t)now_wnd > c->rcv_space)
      return;
    /* the free space __tcp_select_window() would offer from */
    bool starved;
    space = linux_free_space(c, space, &starved);
    if (space > now_wnd && space >= 2 * (uint64_t)now_wnd)
      tcp_conn_send_ack(c, TCP_WHY_WINDOW_UPDATE, now);
    return;
  }
  if (space <= cur)
    return;
  /* 4.4BSD's rule: two segments' worth, or half the buffer */
  uint32_t opened = space - cur;
  if (opened >= 2u * c->mss || 2 * opened >= p->rcv_buf)
    tcp_conn_send_ack(c, TCP_WHY_WINDOW_UPDATE, now);
}

/*
 * Tail loss probes (knob tlp; RFC 8985 §7, Linux tcp_schedule_loss_probe()
 * and tcp_send_loss_probe()). With SACK, in Linux's Open state (no
 * recovery, no duplicate ACK, no SACK block above the ACK) and data
 * out, the retransmission timer first fires as a probe timeout: 2 SRTT
 * plus 2 ms (TCP_TIMEOUT_MIN), plus rto_min instead with one segment out
 * (room for a delayed ACK), 1 s before an RTT sample, never later than the
 * RTO. The probe is one new segment if the window takes one, else the
 * last segment again; at most one is outstanding. Then the RTO runs from
 * the probe. The ACKs that follow end the episode, or, an ACK beyond the
 * probe without a duplicate first, show it repaired a loss: the window is
 * reduced as cubic does (x 0.7, tcp_init_cwnd_reduction()).
 */
bool tcp_conn_tlp_schedule(tcp_conn *c, bool advancing, uint64_t now) {
  const tcp_profile *p = c->host->p;
  if (!p->tlp || !c->sack_ok || c->in_recovery || c->backoff || c->disorder ||
      c->dupacks || c->snd_una == c->snd_max || c->state < TCP_ESTABLISHED)
    return false;
  uint64_t srtt = tcp_conn_lsrtt(c);
  uint64_t pto = 1000000000u; /* TCP_TIMEOUT_INIT */
  if (srtt)
    pto = 2 * srtt +
          (c->snd_max - c->snd_una <= c->mss ? p->rto_min_ns : 2000000u);
  uint64_t rto_at = now + c->rto_ns;
  if (!advancing && c->deadline[TCP_TIMER_RTX] != TCP_NEVER)
    rto_at = c->tlp_armed ? c->tlp_rto_at : c->deadline[TCP_TIMER_RTX];
  uint64_t at = now + pto < rto_at ? now + pto : rto_at;
  if (at <= now)
    at = now + 1;
  c->tlp_rto_at = rto_at;
  tcp_conn_timer_set(c, TCP_TIMER_RTX, at, now);
  c->tlp_armed = true;
  return true;
}

void tcp_conn_tlp_fire(tcp_conn *c, uint64_t now) {
  const tcp_profile *p = c->host->p;
  c->tlp_armed = false;
  if (c->tlp_out) { /* at most one outstanding: the RTO as it was due */
    uint64_t at = c->tlp_rto_at > now ? c->tlp_rto_at : now + 1;
    tcp_conn_timer_set(c, TCP_TIMER_RTX, at, now);
    return;
  }
  uint64_t nxt_off = tcp_conn_seq_off(c, c->snd_nxt);
  uint64_t unsent = nxt_off < c->app_sent ? c->app_sent - nxt_off : 0;
  uint32_t flight = c->snd_nxt - c->snd_una;
  uint32_t room = c->snd_wnd > flight ? c->snd_wnd - flight : 0;
  uint32_t len = unsent < c->mss ? (uint32_t)unsent : c->mss;
  if (c->snd_nxt == c->snd_max && len && room >= len) {
    /* new data, whatever cwnd says (tcp_write_xmit(), push_one 2) */
    bool fin = c->shut_wr && len == unsent;
    c->last_new_seq = c->snd_nxt;
    send_seg(c, c->snd_nxt, TCP_ACK | TCP_PSH | (fin ? TCP_FIN : 0), len,
             TCP_WHY_DATA, now);
    if (p->snd_buf_grows && TSO_DEFER(p))
      tcp_sndbuf_chunk_sent(c, nxt_off, nxt_off + len, now);
    else if (p->snd_buf_grows)
      tcp_sndbuf_sent(c, nxt_off, nxt_off + len);
    c->chunk_left = 0;
    c->snd_nxt += len + fin;
    if (SEQ_GT(c->snd_nxt, c->snd_max))
      c->snd_max = c->snd_nxt;
    c->tlp_retrans = false;
  } else {
    /* the last segment sent, again (its FIN too; a FIN alone if no data
     * is out) */
    bool fin = c->shut_wr && c->snd_max == conn_fin_seq(c) + 1;
    uint32_t end = c->snd_max - (fin ? 1 : 0), from = c->last_new_seq;
    if (SEQ_LT(from, c->snd_una) || SEQ_GT(from, end))
      from = c->snd_una;
    uint32_t n = SEQ_GT(end, from) ? end - from : 0;
    if (n > c->mss) {
      from = end - c->mss;
      n = c->mss;
    }
    c->rtt_timing = false; /* Karn */
    send_seg(c, from, TCP_ACK | (n ? TCP_PSH : 0) | (fin ? TCP_FIN : 0), n,
             TCP_WHY_LOSS_PROBE, now);
    c->tlp_retrans = true;
  }
  c->tlp_out = true;
  c->tlp_high_seq = c->snd_nxt;
  tcp_conn_timer_set(c, TCP_TIMER_RTX, now + c->rto_ns, now); /* from now */
}

void tcp_conn_tlp_ack(tcp_conn *c, uint32_t ack, bool advanced, bool dsack) {
  /* tcp_process_tlp_ack() */
  if (!c->tlp_out || SEQ_LT(ack, c->tlp_high_seq))
    return;
  if (!c->tlp_retrans || dsack || !advanced) { /* new data acked, or the
                                       original and the probe both came */
    c->tlp_out = false;
    return;
  }
  if (SEQ_GT(ack, c->tlp_high_seq)) { /* the probe repaired a loss */
    uint64_t w = (uint64_t)c->cwnd * 717 / 1024;
    c->ssthresh = w > 2u * c->mss ? (uint32_t)w : 2u * c->mss;
    c->cwnd = c->ssthresh;
    c->ca_wmax = true; /* cubictcp_recalc_ssthresh() */
    c->tlp_out = false;
  }
}
