/*
 * rcvbuf.c - the receive space as Linux grows it (knob rcv_buf_grows).
 *
 * Linux sizes the receive buffer to what the application reads in a round
 * trip (dynamic right-sizing). Two measures, both of the receiver alone:
 *
 *   RTT     tcp_rcv_rtt_measure(), at each in-order arrival: a sample is
 *           the time from one arrival until rcv_nxt passes what was then
 *           rcv_nxt plus the window offered - a window's worth of data,
 *           so at least a round trip; the estimate (x 8) keeps the
 *           smallest sample (tcp_rcv_rtt_update(), win_dep). With
 *           timestamps also tcp_rcv_rtt_measure_ts(), in ESTABLISHED only
 *           (tcp_rcv_established(); a half-closed receiver in FIN-WAIT
 *           takes none): a full segment with a new echo gives the time
 *           since we sent the TS val it echoes (a pure ACK takes its
 *           echo, rcv_rtt_last_tsecr: data with that echo gives none),
 *           in whole milliseconds (none when 0); a smaller sample
 *           replaces the estimate, a larger one moves it by an eighth
 *           while the application has read everything.
 *   space   tcp_rcv_space_adjust(), at each read: once the estimate
 *           exists and a round trip has passed since the measure began
 *           (both times the last segment's arrival, tcp_mstamp), the
 *           bytes read since (copied) up to the end of the read's first
 *           skb - Linux measures after each skb's copy, and the later
 *           copies of a read find no time passed - less those still
 *           queued after it, are compared with the last measure (the
 *           first: min(rcv_ssthresh, the window, 10 x advmss) as the
 *           connection is established, tcp_init_buffer_space()); more, and
 *           tcp_rcvbuf_grow() makes the space 2 x copied, plus twice that
 *           in proportion to the growth (copied - last) / last - if larger
 *           than now, capped by tcp_rmem[2]; window_clamp follows. (Linux
 *           6.18, after 6.16's receive-side rework: no 16 x advmss term,
 *           no zero TS samples, the queue's bytes not counted as read.)
 *
 * The model counts the space in bytes of window (rcv_buf is the window
 * Linux's default buffer allows); what it changes: the free space the
 * window is offered from, the window update's window_clamp, and the room
 * rcv_ssthresh has to grow (rcv_grow_quickack) - the quick ACKs.
 */
#include "tcp_internal.h"

#define RCV_SPACE_MAX (20u << 20) /* tcp_rmem[2] (32 MiB on Linux 6.18) x
                                     rcv_buf's payload share 0.625: bound */
#define INIT_SEGS     10u        /* TCP_INIT_CWND */

/* A measure begins with what was read up to stream offset `read`. */
static void measure_begin(tcp_conn *c, uint64_t read, uint64_t now) {
  c->rcvq_read = read;
  c->rcvq_time = now;
}

uint32_t tcp_conn_advmss(const tcp_conn *c) {
  uint32_t m = c->host->p->mss;
  return c->ts_ok && m > TCP_TS_OPT_LEN + 64 ? m - TCP_TS_OPT_LEN : m;
}

void tcp_rcvbuf_established(tcp_conn *c, uint64_t now) {
  /* tcp_init_buffer_space(), from tcp_init_transfer() as the connection
   * is established: the first measure is min3(rcv_ssthresh, rcv_wnd,
   * TCP_INIT_CWND x advmss) and runs from now */
  uint32_t s = INIT_SEGS * tcp_conn_advmss(c);
  if (c->rcv_ssthresh < s)
    s = c->rcv_ssthresh;
  if (c->rcv_wnd_offered && c->rcv_wnd_offered < s)
    s = c->rcv_wnd_offered;
  c->rcvq_space = s;
  measure_begin(c, c->read_off, now);
}

void tcp_rcvbuf_on_data(tcp_conn *c, uint64_t now) {
  if (c->rcv_rtt_time) {
    if (SEQ_LT(c->rcv_nxt, c->rcv_rtt_seq))
      return; /* the window's worth is not in yet */
    uint64_t m = now - c->rcv_rtt_time;
    if (m == 0)
      m = 1;
    if (c->rcv_rtt8_ns == 0 || 8 * m < c->rcv_rtt8_ns)
      c->rcv_rtt8_ns = 8 * m;
  }
  c->rcv_rtt_seq = c->rcv_nxt + c->rcv_wnd_offered;
  c->rcv_rtt_time = now;
}

void tcp_rcvbuf_queued(tcp_conn *c) {
  /* each in-order arrival is an skb of its own (a segment of the link's
   * size does not fit the tail skb's room: tcp_try_coalesce() fails); a
   * full ring lets its last skb take the bytes - the oldest, which reads
   * meet first, stay exact */
  if (c->rq_n == TCP_RQ_SKBS) {
    c->rq_end[(c->rq_head + c->rq_n - 1) % TCP_RQ_SKBS] = c->rcv_off;
    return;
  }
  c->rq_end[(c->rq_head + c->rq_n++) % TCP_RQ_SKBS] = c->rcv_off;
}

void tcp_rcvbuf_on_read(tcp_conn *c, uint64_t from) {
  /* tcp_recvmsg() calls tcp_rcv_space_adjust() after each skb's copy,
   * with copied_seq where that copy ended; the time is tcp_mstamp, the
   * last segment's arrival, which a read does not refresh - so once the
   * first copy has begun a new measure, the later ones of the same read
   * find no time passed. One evaluation, then: at the end of the first
   * copy, the first skb's end or the read's. */
  uint64_t at = c->read_off;
  bool first = true;
  while (c->rq_n && c->rq_end[c->rq_head] <= c->read_off) {
    uint64_t end = c->rq_end[c->rq_head];
    if (first && end > from) {
      at = end;
      first = false;
    }
    c->rq_head = (c->rq_head + 1) % TCP_RQ_SKBS;
    c->rq_n--;
  }
  uint64_t now = c->mstamp_ns;
  if (c->rcv_rtt8_ns == 0 || now < c->rcvq_time ||
      now - c->rcvq_time < c->rcv_rtt8_ns / 8)
    return; /* no estimate yet (none before the measure began), or too soon */
  uint64_t copied = at - c->rcvq_read;
  uint64_t inq = c->rcv_off - at;
  copied = copied > inq ? copied - inq : 0;
  if (copied > c->rcvq_space) {
    uint64_t last = c->rcvq_space ? c->rcvq_space : 1;
    uint64_t win = 2 * copied;
    win += 2 * (win * (copied - last) / last);
    if (win > RCV_SPACE_MAX)
      win = RCV_SPACE_MAX;
    if (win > c->rcv_space)
      c->rcv_space = (uint32_t)win;
    c->rcvq_space = copied > UINT32_MAX ? UINT32_MAX : (uint32_t)copied;
  }
  measure_begin(c, at, now);
}

void tcp_rcvbuf_on_ts(tcp_conn *c, uint32_t tsecr, uint32_t len, uint64_t now) {
  if (tsecr == c->rtt_tsecr)
    return;
  c->rtt_tsecr = tsecr;
  if (len < c->mss) /* icsk_ack.rcv_mss */
    return;
  int32_t ms = (int32_t)(tcp_conn_ts_now(c, now) - tsecr);
  if (ms <= 0) /* none under a millisecond (Linux 6.16: no zero samples) */
    return;
  uint64_t sample = (uint64_t)ms * 1000000u;
  if (c->rcv_rtt8_ns == 0 || 8 * sample < c->rcv_rtt8_ns)
    c->rcv_rtt8_ns = 8 * sample;
  else if (c->read_off == c->rcv_off) /* tcp_rcv_rtt_update(), win_dep 0 */
    c->rcv_rtt8_ns = c->rcv_rtt8_ns - c->rcv_rtt8_ns / 8 + sample;
}
