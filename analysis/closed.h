/*
 * closed.h - the closed-form probability of a redundant ACK, derived in
 * analysis/README.md, for comparison with the simulated rate.
 */
#ifndef HALFCLOSE_CLOSED_H
#define HALFCLOSE_CLOSED_H

#include "params.h"
#include "tcp.h"

/* P(timer armed at t still pending at t + gap_ns) for the profile's
 * delayed-ACK mode, over the tick grid's uniformly random phase. */
double closed_survival(const tcp_profile *p, double gap_ns);

/* P(the client sends a redundant ACK) for one conversation's parameters
 * and client profile, on a loss-free link. */
double closed_redundant_ack(const tcp_profile *client, const conv_params *c);

#endif
