/*
 * hystart.c - Linux cubic's HyStart (knob hystart): slow start ends before
 * a loss, when the ACKs of a round come as one long train or the round trip
 * has grown (tcp_cubic.c, hystart_detect 3: both). The model's congestion
 * avoidance is Reno's (cubic's before a loss with cubic_start, tcp_in.c);
 * what HyStart changes is ssthresh, set to cwnd when either fires - and
 * with it the window a keep-alive connection restarts from after idle
 * (tcp_cwnd_restart() keeps ssthresh), and the pacing rate that sizes the
 * TSO chunks (2 x in slow start below ssthresh / 2, else 1.2 x), so where
 * a response's PSH flags fall.
 *
 *   samples  each ACK that newly acknowledges data not sent again: the
 *            time since the newest skb it acknowledges was sent (the
 *            ack_sample's rtt_us, tcp_clean_rtx_queue()'s last_ackt); the
 *            smallest so far is delay_min (cubictcp_acked()).
 *   rounds   a round ends when snd_una passes the snd_nxt it began with
 *            (bictcp_hystart_reset()); the first starts as the connection
 *            is established (cubictcp_init()), and a timeout starts all
 *            again, delay_min too (cubictcp_state(), TCP_CA_Loss).
 *   train    from 16 segments of cwnd (hystart_low_window): an ACK within
 *            2 ms of the last one of the train (hystart_ack_delta_us)
 *            extends it; the round found when it lasts longer than
 *            (delay_min + hystart_ack_delay()) / 2 - halved as cubic has
 *            no pacing of its own (SK_PACING_NONE).
 *   delay    the smallest of a round's first 8 samples (HYSTART_MIN_SAMPLES)
 *            above delay_min + delay_min / 8 clamped to 4-16 ms.
 */
#include "tcp_internal.h"

#define LOW_WINDOW  16u            /* hystart_low_window, segments */
#define ACK_DELTA   (2u * TCP_MS)  /* hystart_ack_delta_us */
#define MIN_SAMPLES 8u             /* HYSTART_MIN_SAMPLES */
#define DELAY_MIN   (4u * TCP_MS)  /* HYSTART_DELAY_MIN */
#define DELAY_MAX   (16u * TCP_MS) /* HYSTART_DELAY_MAX */
#define GSO_MAX     65536u         /* sk_gso_max_size */

static void round_reset(tcp_conn *c, uint64_t now) {
  c->hs_round_start = c->hs_last_ack = now;
  c->hs_end_seq = c->snd_nxt;
  c->hs_curr_rtt = UINT64_MAX;
  c->hs_samples = 0;
}

void tcp_hystart_start(tcp_conn *c, uint64_t now) {
  c->hs_found = false;
  c->hs_delay_min = 0;
  round_reset(c, now);
}

/* hystart_ack_delay(): what TSO may hold an ACK back, 4 GSO-sized bursts
 * at the pacing rate, at most a millisecond. */
static uint64_t ack_delay(const tcp_conn *c) {
  uint64_t rate = tcp_sndbuf_pacing_rate(c);
  if (!rate)
    return 0;
  uint64_t d = (uint64_t)GSO_MAX * 4 * 1000000000ull / rate;
  return d < TCP_MS ? d : TCP_MS;
}

static void found(tcp_conn *c) {
  c->hs_found = true;
  c->ssthresh = c->cwnd;
}

void tcp_hystart_acked(tcp_conn *c, uint64_t rtt, uint64_t now) {
  if (rtt == 0)
    rtt = 1;
  if (c->hs_delay_min == 0 || rtt < c->hs_delay_min)
    c->hs_delay_min = rtt;
  if (c->hs_found || c->cwnd >= c->ssthresh)
    return;
  if (SEQ_GT(c->snd_una, c->hs_end_seq))
    round_reset(c, now);
  if (c->cwnd < LOW_WINDOW * c->mss)
    return;
  if (now - c->hs_last_ack <= ACK_DELTA) {
    c->hs_last_ack = now;
    uint64_t threshold = (c->hs_delay_min + ack_delay(c)) / 2;
    if (now - c->hs_round_start > threshold) {
      found(c);
      return;
    }
  }
  if (rtt < c->hs_curr_rtt)
    c->hs_curr_rtt = rtt;
  if (c->hs_samples < MIN_SAMPLES) {
    c->hs_samples++;
    return;
  }
  uint64_t margin = c->hs_delay_min / 8;
  margin = margin < DELAY_MIN   ? DELAY_MIN
           : margin > DELAY_MAX ? DELAY_MAX
                                : margin;
  if (c->hs_curr_rtt > c->hs_delay_min + margin)
    found(c);
}
