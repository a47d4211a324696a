/*
 * outcome_print.c - printing a conversation's outcome and the anatomy of a
 * reset.
 */
#include <inttypes.h>
#include <stdio.h>

#include "conv.h"

static const char *yn(bool b) {
  return b ? "yes" : "no";
}

void conv_outcome_print(FILE *f, const conv_outcome *o) {
  fprintf(f,
          "outcome: redundant_ack=%s server_rst=%s conn_reset=%s%s "
          "app_reset=%s bytes_lost=%" PRIu64 " completed=%s\n",
          yn(o->redundant_ack), yn(o->server_rst), yn(o->conn_reset),
          o->reset_after_close ? " (after close: harmless)" : "",
          yn(o->app_reset), o->bytes_lost, yn(o->completed));
  fprintf(f,
          "         bytes_read=%" PRIu64 " duration=%.3f ms segments=%u/%u "
          "retransmits=%u/%u lost=%u%s%s",
          o->bytes_read, (double)o->duration_ns / 1e6, o->segments[0],
          o->segments[1], o->retransmits[0], o->retransmits[1], o->lost,
          o->server_rst ? " reset_cause=" : "",
          conv_reset_cause_name(o->reset_cause));
  if (o->exchanges + o->requests_failed > 1)
    fprintf(f, " exchanges=%" PRIu64 "/%" PRIu64, o->exchanges,
            o->exchanges + o->requests_failed);
  if (o->requests_failed)
    fprintf(f, " failed_reset=%" PRIu64 " failed_eof=%" PRIu64, o->failed_reset,
            o->failed_eof);
  if (o->connections > 1 || o->retries)
    fprintf(f, " connections=%" PRIu64 " retries=%" PRIu64, o->connections,
            o->retries);
  fputc('\n', f);
}

static void step(FILE *f, int64_t t, const char *what) {
  if (t == CONV_NONE)
    fprintf(f, "  %10s ms  %s\n", "-", what);
  else
    fprintf(f, "  %10.3f ms  %s\n", (double)t / 1e6, what);
}

void conv_anatomy_print(FILE *f, const conv_outcome *o) {
  const conv_anatomy *a = &o->a;
  char buf[200];
  fprintf(f, "anatomy of the reset:\n");
  if (a->delack_armed != CONV_NONE) {
    snprintf(buf, sizeof buf,
             "the client arms its delayed ACK on the segment seq=%" PRIu32
             " len=%" PRIu32,
             a->armed_by_seq, a->armed_by_len);
    step(f, a->delack_armed, buf);
  } else if (o->redundant_ack) {
    snprintf(buf, sizeof buf, "the redundant ACK is a %s, not a delayed ACK",
             a->redundant_why == TCP_WHY_WINDOW_UPDATE
                 ? "window update"
                 : tcp_why_name(a->redundant_why));
    step(f, CONV_NONE, buf);
  }
  step(f, a->fin_arrived, "the server's FIN reaches the client");
  step(f, a->fin_acked, "the client ACKs the FIN (the server may now close)");
  step(f, a->redundant_ack, "the client sends another ACK: redundant");
  static const char *const rst[CONV_NCAUSES] = {
      [CONV_CAUSE_REDUNDANT_ACK] =
          "the server, with no connection left, sends a RST",
      [CONV_CAUSE_NO_CONNECTION] =
          "the server, with no connection left, answers another segment "
          "with a RST",
      [CONV_CAUSE_CLOSE_UNREAD] = "the server closes with unread data: a RST",
      [CONV_CAUSE_ABORT] = "the server's application aborts: a RST",
      [CONV_CAUSE_DATA_AFTER_CLOSE] =
          "new data reaches the server after its close: a RST",
      [CONV_CAUSE_OTHER] = "the server sends a RST (handshake or SYN)",
      [CONV_CAUSE_UNKNOWN] = "the server sends a RST"};
  step(f, a->server_rst,
       o->reset_cause > CONV_CAUSE_NONE && o->reset_cause < CONV_NCAUSES
           ? rst[o->reset_cause]
           : "the server sends a RST");
  snprintf(buf, sizeof buf, "the RST closes the client's connection in %s%s",
           a->conn_reset == CONV_NONE ? "-" : tcp_state_name(a->reset_state),
           o->reset_after_close ? ", the application already closed" : "");
  step(f, a->conn_reset, buf);
  if (a->app_reset != CONV_NONE) {
    snprintf(buf, sizeof buf,
             "the client's read fails with a reset; %" PRIu64
             " unread bytes lost",
             a->bytes_lost);
    step(f, a->app_reset, buf);
  } else if (a->conn_reset != CONV_NONE) {
    snprintf(buf, sizeof buf,
             "the application is not told; it reads what arrived (%" PRIu64
             " bytes lost)",
             a->bytes_lost);
    step(f, CONV_NONE, buf);
  }
}
