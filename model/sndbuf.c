/*
 * sndbuf.c - the send buffer as Linux counts it (knob snd_buf_grows).
 *
 * Linux 6.x keeps what the application wrote in skbs and counts the buffer
 * in memory: each skb costs its payload plus TCP_SKB_OVERHEAD (truesize of
 * an skb whose head holds only the headers; measured here with SO_MEMINFO:
 * 46 720 bytes queued in 4 skbs cost 50 048, in 6 skbs 51 712).
 *
 *   write   tcp_sendmsg_locked() fills the tail skb up to size_goal (half
 *           the peer's largest window in whole segments,
 *           tcp_xmit_size_goal()/tcp_bound_to_half_wnd()) and asks for a new
 *           skb only while the memory queued is below the buffer
 *           (sk_stream_memory_free()); a full skb is pushed at once
 *           (tcp_push_one()), so the first write of a large response takes
 *           size_goal plus the initial window: 22 + 10 segments = 46 720
 *           bytes against a 46 080-byte buffer, as measured.
 *   send    tcp_write_xmit() sends an skb a chunk at a time and
 *           tso_fragment() splits the rest off into an skb of its own: a
 *           chunk is TCP_TSO_SEGS segments, or with tso_defer what
 *           tcp_cwnd_test() and tcp_tso_autosize() allow, and
 *           tcp_tso_should_defer() may wait for an ACK to send a larger
 *           one (tcp_sndbuf_chunk() below).
 *   ACK     fully acknowledged skbs are freed (tcp_clean_rtx_queue()); a
 *           writer that waits (SOCK_NOSPACE) is then looked at by
 *           tcp_check_space()/tcp_new_space(): the buffer grows to
 *           2 x snd_buf_seg x max(10, cwnd) unless the congestion window is
 *           full (tcp_should_expand_sndbuf(), tcp_sndbuf_expand()), and the
 *           writer wakes only when the free memory is at least half the
 *           memory queued (sk_stream_write_space()).
 *
 * So a response a little larger than the first write waits until the
 * window is no longer full, then goes out whole, and the FIN after it on a
 * segment of its own - what crosscheck saw the kernel do.
 */
#include "tcp_internal.h"

#define TCP_SKB_OVERHEAD 832u     /* memory an skb costs beyond its payload */
#define TCP_WMEM_MAX     4194304u /* tcp_wmem[2]: the buffer grows to this */
#define TCP_INIT_CWND    10u      /* tcp_sndbuf_expand()'s floor, segments */

/* The index of the skb holding stream offset `off`, or -1. */
static int skb_at(const tcp_conn *c, uint64_t off) {
  int i = c->nskb - 1;
  while (i >= 0 && c->skb[i].start > off)
    i--;
  return i;
}

/* Forget the skbs that are acknowledged whole. */
static void skb_free_acked(tcp_conn *c) {
  int i = 0;
  while (i < c->nskb) {
    uint64_t end = i + 1 < c->nskb ? c->skb[i + 1].start : c->app_sent;
    if (end > c->una_off)
      break;
    i++;
  }
  if (i == 0)
    return;
  for (int k = i; k < c->nskb; k++)
    c->skb[k - i] = c->skb[k];
  c->nskb -= i;
}

/* Linux counts the window in segments: those in flight (a part one
 * whole) and the congestion window's. */
static uint32_t segs_in_flight(const tcp_conn *c) {
  return (c->snd_nxt - c->snd_una + c->mss - 1) / c->mss;
}

static uint64_t queued_memory(const tcp_conn *c) {
  return c->app_sent - c->una_off + (uint64_t)c->nskb * TCP_SKB_OVERHEAD;
}

/* A new skb begins at stream offset `off` (ascending; at the end when the
 * table is full, the bytes stay in the last skb). */
static void skb_begin(tcp_conn *c, uint64_t off) {
  if (c->nskb == TCP_MAX_SKBS)
    return;
  c->skb[c->nskb++] = (tcp_skb){.start = off};
}

/* tso_fragment(): the skb holding `off` is split there, unless `off` is
 * its start or the end of what was written. */
static void skb_split(tcp_conn *c, uint64_t off) {
  if (off >= c->app_sent || c->nskb == TCP_MAX_SKBS)
    return;
  int i = skb_at(c, off) + 1; /* the new skb's index */
  if (i == 0 || c->skb[i - 1].start == off)
    return;
  for (int k = c->nskb; k > i; k--)
    c->skb[k] = c->skb[k - 1];
  c->skb[i] = c->skb[i - 1]; /* the second part keeps the first's stamp */
  c->skb[i].start = off;     /* and mark, from here */
  c->nskb++;
}

void tcp_sndbuf_sent(tcp_conn *c, uint64_t from, uint64_t to) {
  uint64_t chunk = (uint64_t)TCP_TSO_SEGS * c->mss;
  for (uint64_t off = from + chunk; off < to; off += chunk)
    skb_split(c, off);
  skb_split(c, to);
}

/* tcp_xmit_size_goal(): half the largest window the peer offered, in whole
 * segments, at least one. */
static uint64_t size_goal(const tcp_conn *c) {
  uint32_t half = c->max_wnd > TCP_DEFAULT_MSS ? c->max_wnd / 2 : c->max_wnd;
  uint64_t goal = half < 65536u ? half : 65536u;
  goal -= goal % c->mss;
  return goal > c->mss ? goal : c->mss;
}

uint64_t tcp_sndbuf_space(tcp_conn *c) {
  skb_free_acked(c);
  uint64_t q = queued_memory(c);
  return q < c->sndbuf ? c->sndbuf - q : 0;
}

uint64_t tcp_sndbuf_write(tcp_conn *c, uint64_t len, uint64_t now) {
  uint64_t goal = size_goal(c), copied = 0;
  skb_free_acked(c);
  while (copied < len) {
    uint64_t nxt_off = tcp_conn_seq_off(c, c->snd_nxt);
    bool tail_open = c->nskb > 0 && c->skb[c->nskb - 1].start >= nxt_off &&
                     c->app_sent - c->skb[c->nskb - 1].start < goal;
    uint64_t room;
    if (tail_open) {
      room = goal - (c->app_sent - c->skb[c->nskb - 1].start);
    } else {
      if (queued_memory(c) >= c->sndbuf) {
        c->snd_blocked = true;
        break;
      }
      skb_begin(c, c->app_sent);
      room = goal;
    }
    uint64_t n = len - copied < room ? len - copied : room;
    c->app_sent += n;
    copied += n;
    /* a full skb is pushed at once (tcp_push_one()) */
    if (copied < len && n == room &&
        (c->state == TCP_ESTABLISHED || c->state == TCP_CLOSE_WAIT))
      tcp_conn_output(c, now);
  }
  return copied;
}

void tcp_sndbuf_check_space(tcp_conn *c, uint64_t now) {
  (void)now;
  if (!c->host->p->snd_buf_grows || !c->snd_blocked)
    return;
  skb_free_acked(c);
  uint32_t cwnd = c->cwnd / c->mss;
  if (segs_in_flight(c) < cwnd) { /* tcp_should_expand_sndbuf() */
    uint64_t want = 2ull * c->host->p->snd_buf_seg *
                    (cwnd > TCP_INIT_CWND ? cwnd : TCP_INIT_CWND);
    if (want > TCP_WMEM_MAX)
      want = TCP_WMEM_MAX;
    if (want > c->sndbuf)
      c->sndbuf = (uint32_t)want;
  }
  uint64_t q = queued_memory(c);
  if (q < c->sndbuf && c->sndbuf - q >= q / 2) { /* sk_stream_write_space() */
    c->snd_blocked = false;
    tcp_conn_note(c, TCP_NOTIFY_WRITABLE);
  }
}

uint64_t tcp_sndbuf_acked(tcp_conn *c, uint64_t to, uint64_t now,
                          uint64_t *ca_rtt) {
  /* tcp_clean_rtx_queue(): the oldest skb newly acknowledged, fully or in
   * part, gives the RTT sample (first_ackt), the newest the congestion
   * control's (last_ackt) - none when one of them was sent again
   * (FLAG_RETRANS_DATA_ACKED: Karn) */
  *ca_rtt = 0;
  if (to <= c->una_off)
    return 0; /* only a SYN or FIN acknowledged */
  int i = skb_at(c, c->una_off), j = skb_at(c, to - 1);
  if (i < 0 || j < i)
    return 0;
  for (int k = i; k <= j; k++)
    if (c->skb[k].retx || !c->skb[k].sent || now < c->skb[k].sent)
      return 0;
  uint64_t m = now - c->skb[i].sent;
  *ca_rtt = now - c->skb[j].sent;
  if (!c->lsrtt_ns)
    c->lsrtt_ns = c->srtt_ns ? c->srtt_ns : m;
  c->lsrtt_ns = c->lsrtt_ns - c->lsrtt_ns / 8 + m / 8;
  /* tcp_update_rtt_min(): the windowed minimum takes the newest's */
  if (!c->min_rtt_ns || *ca_rtt < c->min_rtt_ns)
    c->min_rtt_ns = *ca_rtt;
  return m;
}

void tcp_sndbuf_resent(tcp_conn *c, uint64_t from, uint64_t to, uint64_t now) {
  /* tcp_retransmit_skb(): the part sent again is an skb of its own
   * (tcp_fragment()), stamped now and marked TCPCB_RETRANS */
  skb_split(c, from);
  skb_split(c, to);
  for (int k = skb_at(c, from); k >= 0 && k < c->nskb && c->skb[k].start < to;
       k++) {
    c->skb[k].sent = now;
    c->skb[k].retx = true;
  }
}

/* tcp_update_pacing_rate(): 2 x (cwnd under ssthresh / 2) or 1.2 x
 * max(cwnd, in flight) x mss / srtt, bytes a second. */
uint64_t tcp_sndbuf_pacing_rate(const tcp_conn *c) {
  uint64_t srtt = tcp_conn_lsrtt(c);
  if (!srtt || !c->mss)
    return 0;
  uint32_t cwnd = c->cwnd / c->mss, ssthresh = c->ssthresh / c->mss;
  uint32_t in_flight = segs_in_flight(c);
  uint64_t ratio = cwnd < ssthresh / 2 ? 200 : 120;
  uint64_t pkts = cwnd > in_flight ? cwnd : in_flight;
  return (uint64_t)c->mss * ratio * pkts * 10000000ull / srtt;
}

/* tcp_tso_autosize(): segments per chunk, a 1024th of a second's worth at
 * the pacing rate plus 64 KB >> (min_rtt / 512 us), at least 2. */
static uint32_t autosize(const tcp_conn *c) {
  uint64_t srtt = tcp_conn_lsrtt(c);
  if (!srtt)
    return TCP_TSO_SEGS;
  uint64_t bytes = tcp_sndbuf_pacing_rate(c) >> 10;
  uint64_t min_rtt = c->min_rtt_ns ? c->min_rtt_ns : srtt;
  uint64_t r = min_rtt / 1000 >> 9;
  if (r < 32)
    bytes += 65536u >> r;
  if (bytes > 65536)
    bytes = 65536;
  uint64_t segs = bytes / c->mss;
  return segs > TCP_TSO_SEGS ? (uint32_t)segs : TCP_TSO_SEGS;
}

/* Linux's tcp_write_xmit() for the chunk that starts at snd_nxt: at most
 * tcp_cwnd_test()'s quota (half cwnd, and what cwnd leaves) and
 * tcp_tso_autosize()'s segments, within the window and its skb; or 0 when
 * tcp_tso_should_defer() waits for an ACK to send a larger one. */
uint64_t tcp_sndbuf_chunk(tcp_conn *c, uint64_t now) {
  uint32_t mss = c->mss;
  uint64_t nxt_off = tcp_conn_seq_off(c, c->snd_nxt);
  int i = skb_at(c, nxt_off);
  bool tail = i < 0 || i == c->nskb - 1;
  uint64_t end = tail ? c->app_sent : c->skb[i + 1].start;
  uint64_t skb_len = end - nxt_off;
  uint32_t flight = c->snd_nxt - c->snd_una;
  uint32_t in_flight = segs_in_flight(c), cwnd = c->cwnd / mss;
  if (in_flight >= cwnd || skb_len == 0)
    return 0;
  uint32_t half = cwnd / 2 ? cwnd / 2 : 1;
  uint32_t quota = cwnd - in_flight < half ? cwnd - in_flight : half;
  uint32_t max_segs = autosize(c);
  uint64_t send_win = c->snd_wnd > flight ? c->snd_wnd - flight : 0;
  uint64_t bytes = (uint64_t)(quota < max_segs ? quota : max_segs) * mss;
  if (bytes > skb_len)
    bytes = skb_len;
  if (bytes > send_win && send_win >= mss)
    bytes = send_win - send_win % mss;
  if (skb_len <= mss || c->in_recovery ||
      now - c->last_xmit_ns > 1000000) /* the last write was not recent */
    return bytes;
  uint64_t cong_win = (uint64_t)(cwnd - in_flight) * mss;
  uint64_t limit = send_win < cong_win ? send_win : cong_win;
  if (limit >= (uint64_t)max_segs * mss) /* a full chunk can go */
    return bytes;
  if (!tail && limit >= skb_len) /* the skb gets no more data */
    return bytes;
  uint64_t whole = (uint64_t)cwnd * mss;
  if (c->snd_wnd < whole)
    whole = c->snd_wnd;
  if (limit >= whole / 3) /* tcp_tso_win_divisor 3 of the window */
    return bytes;
  int h = skb_at(c, c->una_off);
  if (h < 0 || !c->skb[h].sent || now - c->skb[h].sent < tcp_conn_lsrtt(c) / 2)
    return bytes; /* the next ACK may come too late */
  if (cong_win < send_win ? cong_win <= skb_len : send_win <= skb_len)
    return 0; /* cwnd- or rwnd-limited: wait */
  if (tail && c->shut_wr)
    return bytes; /* it carries the FIN */
  return 0;       /* application-limited: more may come */
}

void tcp_sndbuf_chunk_sent(tcp_conn *c, uint64_t from, uint64_t to,
                           uint64_t now) {
  skb_split(c, to);
  int i = skb_at(c, from);
  if (i >= 0 && c->skb[i].start == from)
    c->skb[i].sent = now;
}
