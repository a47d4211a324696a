/*
 * predict.h - an analytic check of the simulation that does not assume its
 * answer: whether a conversation sends the redundant ACK, predicted from
 * the rules of ACK clocking alone, and whether a redundant ACK then fails
 * the application's read, predicted from the reader's lag.
 *
 * Stage 1 (predict_redundant_ack) holds in a regime where the outcome
 * follows from the parameters alone: a loss-free link, a request that fits
 * one segment, the half-close right after it, a client that reads whenever
 * data arrives, and a server that closes right after its last write. There
 * it plays the response's transfer out with the rules themselves - the
 * initial window and slow start, the send buffer and Nagle, the receiver's
 * window and its silly-window rule, the immediate-ACK rule (every N full
 * segments, or N-1 MSS of bytes), the delayed-ACK timer in its mode (a tick
 * grid with the conversation's drawn phase, or one-shot), the FIN on the
 * last data segment or alone, and the link's serialization and delay - and
 * reads off whether a delayed ACK is pending when the FIN arrives, and
 * whether the ACK of the FIN or a window update after it leaves one behind.
 * It calls nothing of the model: it is a second, independent coding of the
 * rules the model's sources cite, so a disagreement is a bug in one of the
 * two. Outside the regime it declines (and says why).
 *
 * Stage 2 (predict_app_reset) takes what stage 1 cannot derive for a paced
 * reader - the time of the redundant ACK and the bytes still unread when
 * the FIN arrived, both measured - and predicts whether the RST, one round
 * trip after the redundant ACK, reaches the client before its application
 * has read to the end of the stream.
 */
#ifndef HALFCLOSE_PREDICT_H
#define HALFCLOSE_PREDICT_H

#include <stdbool.h>
#include <stdint.h>

#include "conv_params.h"
#include "tcp.h"

typedef struct predict_in {
  const conv_params *p;
  tcp_profile client, server; /* as run: MSS capped by the MTU */
  int64_t phase_ns[2];        /* drawn tick phases (client, server), or -1 */
} predict_in;

typedef struct predict_out {
  bool in_regime;     /* false: not predicted, `why` says why */
  const char *why;    /* why not in the regime */
  bool by_definition; /* the client cannot send one whatever happens
                         (its ACK of the FIN ends everything it sends
                         of its own accord): not a test of the rules */
  bool redundant_ack; /* predicted */
} predict_out;

/* Stage 1: 0, or -1 when the inputs are unusable (out->why says why). */
int predict_redundant_ack(const predict_in *in, predict_out *out);

/*
 * Stage 2: given a redundant ACK sent at t_redundant_ns, the FIN's arrival
 * at t_fin_ns with unread_bytes not yet read, does a read fail with the
 * reset? The client's reads: read_size bytes at t_reads0 + k x
 * read_interval (k = 0, 1, ...); whether the RST discards unread data (the
 * profile) decides nothing here - any read after the RST fails - but a
 * profile that never tells the application (rst_timewait_notifies off) is
 * never reset. Returns 1 (reset), 0 (not), or -1 (no prediction: no
 * redundant ACK, or a reader that reads as data arrives).
 */
int predict_app_reset(const predict_in *in, int64_t t_fin_ns,
                      int64_t t_redundant_ns, uint64_t unread_bytes);

/* When the client application writes its request (the handshake done):
 * the origin of its read schedule. */
int64_t predict_request_time(const predict_in *in);

#endif
