/*
 * closed.c - see closed.h and the derivation in analysis/README.md.
 *
 *   P(redundant ACK) = 1/2 * S(g)
 *
 * where 1/2 is the chance that an odd number of full segments is left
 * unacknowledged before the FIN-bearing segment (ACK every 2nd), and S(g)
 * is the chance that the delayed-ACK timer armed by the segment before it
 * has not fired when the FIN arrives, g later: the FIN-bearing segment's
 * serialization on the link, back to back with its predecessor.
 */
#include "closed.h"

double closed_survival(const tcp_profile *p, double g) {
  double d = (double)p->delack_ns;
  switch (p->delack_mode) {
  case TCP_DELACK_OFF:
    return 0;
  case TCP_DELACK_ONESHOT:
    /* the adaptive ATO starts at its minimum */
    return g < d ? 1 : 0;
  case TCP_DELACK_TICK:
    break;
  }
  /* the deadline is the first tick after t + D - T: with a uniform phase
   * the wait X is uniform on (lo, lo + T], lo = max(D - T, 0) */
  double t = (double)p->delack_tick_ns;
  double lo = d > t ? d - t : 0;
  if (g <= lo)
    return 1;
  if (g >= lo + t)
    return 0;
  return (lo + t - g) / t;
}

double closed_redundant_ack(const tcp_profile *client, const conv_params *c) {
  if (client->fin_ack_cancels_delack || client->ack_every != 2 ||
      c->response == 0)
    return 0;
  double mss = client->mss;
  if (mss > (double)c->mtu - 40)
    mss = (double)c->mtu - 40;
  /* the FIN rides on the last data segment; its payload */
  double last = (double)(c->response % (uint64_t)mss);
  if (last == 0)
    last = mss;
  double g = (last + 40 + 2) * 8 * 1e9 / (double)c->rate_bps;
  return 0.5 * closed_survival(client, g);
}
