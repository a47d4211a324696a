/*
 * ladder.h - a conversation's timeline in the style of the article's trace:
 * one line per segment sent, with the delayed-ACK timer, state changes and
 * the applications' telling calls between them.
 *
 * Feed it every trace event (ladder_on_event fits conv_opts.trace), then
 * print. Sequence and acknowledgment numbers are relative to each side's
 * initial sequence number, as Wireshark shows them.
 */
#ifndef HALFCLOSE_LADDER_H
#define HALFCLOSE_LADDER_H

#include <stdio.h>

#include "tcp.h"

typedef struct ladder ladder;

ladder *ladder_new(void);
void ladder_free(ladder *l);

/* A trace callback: void *user is the ladder. */
void ladder_on_event(void *user, const tcp_event *ev);

struct conv_outcome;

/* Mark the segments the outcome names: the redundant ACK (the first pure
 * ACK the client sent at its time, for its reason) and the server's first
 * RST after it. Only these get "<<<" in the timeline and red in the
 * diagram. */
void ladder_mark_outcome(ladder *l, const struct conv_outcome *o);

/* The text timeline. At most 200 000 events are kept (memory stays
 * bounded whatever the conversation); past that the timeline ends with a
 * line that says how many were not kept. */
void ladder_print(const ladder *l, FILE *f);

/* Events past the limit, not kept (0: the timeline is whole). */
uint64_t ladder_dropped(const ladder *l);

/* Segments recorded, for callers that draw them (plots). */
typedef struct ladder_seg {
  uint64_t time_ns;          /* sent */
  int64_t recv_ns;           /* arrived at the other side, or -1: lost */
  int from;                  /* 0 client, 1 server */
  uint8_t flags;             /* TCP flags */
  uint32_t seq, ack;         /* relative */
  uint16_t len;              /* payload bytes */
  tcp_why why;               /* why it was sent */
  uint32_t raw_seq, raw_ack; /* as on the wire, to match the arrival */
  int mark;                  /* LADDER_REDUNDANT_ACK, LADDER_ITS_RST,
                                LADDER_RST_CAUSE or 0 */
} ladder_seg;

#define LADDER_REDUNDANT_ACK 1 /* the outcome's redundant ACK */
#define LADDER_ITS_RST                                                         \
  2 /* the server's RST after it, or its first                                 \
       RST of another cause (reset_cause) */
#define LADDER_RST_CAUSE                                                       \
  3 /* the client's segment that RST answers: the                              \
       last to reach the server before it */

/* Delayed-ACK timer and state events, for drawing. */
typedef struct ladder_mark {
  uint64_t time_ns;
  int side;            /* 0 client, 1 server */
  tcp_event_type type; /* TCP_EV_TIMER_ARM / _FIRE, or TCP_EV_STATE */
  tcp_state to;        /* STATE: the new state */
} ladder_mark;

size_t ladder_marks(const ladder *l, const ladder_mark **out);

size_t ladder_segments(const ladder *l, const ladder_seg **out);

#endif
