/*
 * outcome_cols.h - the one table of a conversation's outcome columns.
 *
 * Every place that stores, reads back, exports or compares an outcome
 * derives its columns from CONV_OUTCOME_COLUMNS: the store's schema, its
 * column essay and its writes (runner/store.c), the rows read back
 * (decode_row), the export (which follows the table), and the replay's
 * comparison with a stored row (conv_outcome_same). Adding a column is a
 * line here and the code in conv.c that computes it.
 *
 * X(name, unit, kind, member, present, meaning):
 *   name     the column
 *   unit     as the store's `columns` table states it
 *   kind     OC_BOOL (0/1), OC_COUNT (a whole number), OC_U32 (one that
 *            fits 32 bits; OC_U32N: or NULL), OC_TIME (ns from the start,
 *            or NULL), OC_ERROR (a tcp_error, stored by its name),
 *            OC_STATE (a tcp_state, by its name), OC_CAUSE (a
 *            conv_reset_cause, by its name)
 *   member   the conv_outcome member that holds it
 *   present  an expression over `o` (a const conv_outcome *): false makes
 *            the column NULL ("did not happen")
 */
#ifndef HALFCLOSE_OUTCOME_COLS_H
#define HALFCLOSE_OUTCOME_COLS_H

#include <stdbool.h>

#include "conv.h"

typedef enum conv_col_kind {
  OC_BOOL,  /* 0 or 1 */
  OC_COUNT, /* 0 .. INT64_MAX */
  OC_U32,   /* 0 .. UINT32_MAX */
  OC_U32N,  /* the same, or NULL */
  OC_TIME,  /* 0 .. INT64_MAX ns, or NULL (CONV_NONE) */
  OC_ERROR, /* a tcp_error by its name, or NULL (0) */
  OC_STATE, /* a tcp_state by its name, or NULL */
  OC_CAUSE  /* a conv_reset_cause by its name, or NULL (none) */
} conv_col_kind;

/* clang-format off */
#define CONV_OUTCOME_COLUMNS(X)                                                \
  X(redundant_ack, "0/1", OC_BOOL, redundant_ack, true,                        \
    "after ACKing the server's FIN the client sent a pure ACK no arriving "    \
    "segment required (answers to unacceptable segments and challenge ACKs "   \
    "excluded)")                                                               \
  X(server_rst, "0/1", OC_BOOL, server_rst, true, "the server sent a RST")    \
  X(conn_reset, "0/1", OC_BOOL, conn_reset, true,                              \
    "a RST closed the client's connection, in any state")                     \
  X(reset_after_close, "0/1", OC_BOOL, reset_after_close, true,                \
    "that RST came after the client application had closed (harmless)")       \
  X(app_reset, "0/1", OC_BOOL, app_reset, true,                                \
    "the KB symptom: before end of stream, a client read or write returned "   \
    "connection reset")                                                        \
  X(completed, "0/1", OC_BOOL, completed, true,                                \
    "both applications closed in time")                                        \
  X(bytes_lost, "bytes", OC_COUNT, bytes_lost, true,                           \
    "response bytes the client host received that its application never "     \
    "got (discarded by a reset)")                                              \
  X(bytes_read, "bytes", OC_COUNT, bytes_read, true,                           \
    "response bytes the client read")                                          \
  X(client_error, "text", OC_ERROR, client_error, o->client_error != 0,        \
    "error of the client's read, if any")                                      \
  X(duration_ns, "ns", OC_COUNT, duration_ns, true,                            \
    "start to end of the conversation")                                        \
  X(segments_client, "count", OC_U32, segments[0], true,                       \
    "segments the client sent")                                                \
  X(segments_server, "count", OC_U32, segments[1], true,                       \
    "segments the server sent")                                                \
  X(retransmits_client, "count", OC_U32, retransmits[0], true,                 \
    "segments the client sent again: retransmission timeouts, fast "          \
    "retransmits, loss probes")                                                \
  X(retransmits_server, "count", OC_U32, retransmits[1], true,                 \
    "segments the server sent again: retransmission timeouts, fast "          \
    "retransmits, loss probes")                                                \
  X(lost, "count", OC_U32, lost, true,                                         \
    "datagrams lost or dropped on the link")                                   \
  X(t_delack_armed_ns, "ns", OC_TIME, a.delack_armed,                          \
    o->a.delack_armed != CONV_NONE, "redundant ACK's timer armed (or NULL)")   \
  X(armed_by_seq, "seq", OC_U32N, a.armed_by_seq,                               \
    o->a.delack_armed != CONV_NONE,                                            \
    "relative seq of the segment that armed it")                               \
  X(armed_by_len, "bytes", OC_U32N, a.armed_by_len,                             \
    o->a.delack_armed != CONV_NONE, "its payload length")                      \
  X(t_fin_arrived_ns, "ns", OC_TIME, a.fin_arrived,                            \
    o->a.fin_arrived != CONV_NONE, "server FIN reached the client")            \
  X(t_fin_acked_ns, "ns", OC_TIME, a.fin_acked, o->a.fin_acked != CONV_NONE,   \
    "client ACKed the FIN")                                                    \
  X(t_redundant_ack_ns, "ns", OC_TIME, a.redundant_ack,                        \
    o->a.redundant_ack != CONV_NONE, "client sent the redundant ACK")          \
  X(t_server_rst_ns, "ns", OC_TIME, a.server_rst,                              \
    o->a.server_rst != CONV_NONE, "server sent the RST")                       \
  X(t_conn_reset_ns, "ns", OC_TIME, a.conn_reset,                              \
    o->a.conn_reset != CONV_NONE, "a RST closed the client's connection")      \
  X(reset_state, "text", OC_STATE, a.reset_state,                              \
    o->a.conn_reset != CONV_NONE, "client state when reset")                   \
  X(t_app_reset_ns, "ns", OC_TIME, a.app_reset, o->a.app_reset != CONV_NONE,   \
    "client read or write failed with a reset")                                \
  X(unread_at_fin_bytes, "bytes", OC_TIME, a.unread_at_fin,                    \
    o->a.unread_at_fin != CONV_NONE,                                           \
    "response bytes received but not yet read when the FIN arrived")          \
  X(phase_client_ns, "ns", OC_TIME, phase_ns[0], o->phase_ns[0] != CONV_NONE, \
    "the client's delayed-ACK tick-grid phase")                                \
  X(phase_server_ns, "ns", OC_TIME, phase_ns[1], o->phase_ns[1] != CONV_NONE, \
    "the server's delayed-ACK tick-grid phase")                                \
  X(exchanges, "count", OC_COUNT, exchanges, true,                             \
    "responses the client read whole (of requests)")                          \
  X(requests_failed, "count", OC_COUNT, requests_failed, true,                 \
    "requests whose response the client never read whole")                    \
  X(failed_reset, "count", OC_COUNT, failed_reset, true,                       \
    "failed requests given up when a read returned connection reset")         \
  X(failed_eof, "count", OC_COUNT, failed_eof, true,                           \
    "failed requests given up at the end of the stream before their "          \
    "response")                                                                \
  X(connections, "count", OC_COUNT, connections, true,                         \
    "connections the client opened")                                           \
  X(retries, "count", OC_COUNT, retries, true,                                 \
    "requests the client sent again on a new connection (retry)")              \
  X(reset_cause, "text", OC_CAUSE, reset_cause,                                \
    o->reset_cause != CONV_CAUSE_NONE,                                         \
    "the mechanism of the server's first RST: redundant_ack (KB Q152474), "    \
    "no_connection, close_unread, abort, data_after_close, other, unknown "    \
    "(an end that does not trace its reasons), or NULL (no RST)")
/* clang-format on */

/* Whether two outcomes have every column equal (a column NULL in both is
 * equal). If not, *which is the first column that differs. */
bool conv_outcome_same(const conv_outcome *a, const conv_outcome *b,
                       const char **which);

#endif
