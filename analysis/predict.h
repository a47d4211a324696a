/*
 * predict.h - an analytic check of the simulation that does not assume its
 * answer: whether a conversation sends the redundant ACK and whether a
 * read then fails with the reset, predicted from the rules alone.
 *
 * Stage 1 (predict_redundant_ack) holds in a regime where the outcome
 * follows from the parameters alone: a loss-free link, a request that fits
 * one segment, the half-close right after it, and a server that closes
 * right after its last write. There it plays the conversation out with
 * the rules themselves - the initial window and slow start, the send
 * buffer and Nagle, the receiver's window as the application reads it
 * (paced, or as data arrives) and its silly-window rule, window updates,
 * the persist timer and its probes, the immediate-ACK rule (every N full
 * segments, or N-1 MSS of bytes), the delayed-ACK timer in its mode (a
 * tick grid with the conversation's drawn phase, or one-shot), the FIN on
 * the last data segment or alone, the RST that answers the redundant ACK,
 * and the link's serialization and delay - and reads off the outcomes and
 * the chain's times. It calls nothing of the model: it is a second,
 * independent coding of the rules the model's sources cite, so a
 * disagreement is a bug in one of the two. Outside the regime it declines
 * (and says why).
 *
 * Stage 2 (predict_app_reset) is a consistency check, not a prediction:
 * it takes the simulation's own time of the redundant ACK and the bytes
 * still unread when the FIN arrived, and checks whether the RST, one round
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
  bool app_reset;     /* predicted: a read fails with the RST that
                         answers it */
  /* the chain's times, ns, as the store's anatomy records them (-1: did
   * not happen), and the bytes unread when the FIN arrived */
  int64_t t_fin, t_redundant, t_conn_reset;
  int64_t unread_at_fin;
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
 * redundant ACK, a reader that reads as data arrives, or a client that
 * did not half-close - in CLOSE-WAIT, not TIME-WAIT, when the RST
 * comes).
 */
int predict_app_reset(const predict_in *in, int64_t t_fin_ns,
                      int64_t t_redundant_ns, uint64_t unread_bytes);

/*
 * Stage K, the keep-alive window (issue 27's race): a client reads its
 * first response whole, waits `gap`, and sends its second request on the
 * same connection; the server closed it idle_timeout after writing the
 * first response. The request fails exactly when it reaches the server
 * at or after that close - its application is gone, whatever the stack
 * then does with the segment - so the window is the last one-way trip
 * (serialization and delay) before the close, and every later send.
 * Holds in a regime where every time involved follows from the
 * parameters: two requests, no pipelining and no half-close, a plain
 * close, a loss-free link, a one-segment request, and a first response
 * that leaves in one flight (it fits the initial window, the send buffer
 * and the client's window, and Nagle does not hold its last segment).
 * The server's ACK of the first request goes first where a rule says so
 * (quick ACK, no delayed ACKs, the immediate-ACK rule, Linux's ACK of a
 * pushed segment at the read), or at its delayed-ACK deadline unless the
 * response carries it. Elsewhere it declines and says why; a request that
 * reaches the server on the nanosecond of its close too (which runs first
 * is the simulator's order of events, not a rule).
 */
typedef struct predict_ka {
  bool in_regime;   /* false: not predicted, `why` says why */
  const char *why;  /* why not in the regime */
  bool reconnects;  /* gap > reuse_timeout: the request goes on a new
                       connection, no race to lose */
  bool fails;       /* the request reaches the server after its close */
  bool server_rst;  /* ... and the server answers it with a RST */
  int64_t t_close;  /* the server's idle close, ns, or -1 */
  int64_t t_arrive; /* the second request reaches the server, or -1 */
  int64_t t_fin;    /* the server's FIN reaches the client, when the
                       request fails on the only connection, or -1 */
  uint64_t exchanges, requests_failed, retries, connections; /* predicted */
} predict_ka;

/* Stage K: 0, or -1 when the inputs are unusable (out->why says why). */
int predict_keepalive(const predict_in *in, predict_ka *out);

/* When the client application writes its request (the handshake done):
 * the origin of its read schedule. */
int64_t predict_request_time(const predict_in *in);

#endif
