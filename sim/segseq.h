/*
 * segseq.h - a conversation's segments in canonical form, for comparing two
 * runs of it that have nothing in common but the parameters (the linux
 * profile simulated, the Linux kernel emulated).
 *
 * The sequence is what the client's side of the link saw, in its order: the
 * segments the client sent and those it received. Each segment is reduced
 * to what both stacks must agree on - its direction, its flags without PSH
 * (Linux sets PSH by its own rule; it changes nothing here), SEQ relative to
 * the sender's initial sequence number, ACK relative to the receiver's (0
 * without the ACK flag), the payload length - and of the window only
 * whether it was zero, where the window matters to this conversation: a
 * closed window stops the sender. Its other values are left out: Linux
 * rounds its window to whole segments and sizes it from the socket's
 * memory accounting, which no profile models.
 */
#ifndef HALFCLOSE_SEGSEQ_H
#define HALFCLOSE_SEGSEQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcp.h"

typedef struct seg_canon {
  uint8_t dir;   /* 0: client to server, 1: server to client */
  uint8_t flags; /* TCP_FIN | TCP_SYN | TCP_RST | TCP_ACK */
  bool zero_window;
  bool psh; /* PSH was set: shown, never compared */
  uint32_t seq, ack, len;
  uint64_t t_ns; /* when it was seen (not compared but for crossings) */
} seg_canon;

typedef struct seg_seq {
  seg_canon *v;
  size_t n, cap;
  uint32_t isn[2];  /* each direction's initial sequence number ... */
  bool have_isn[2]; /* ... once its SYN was seen */
  bool oom;         /* a segment could not be kept */
} seg_seq;

void segseq_init(seg_seq *s);
void segseq_free(seg_seq *s);

/* Add a segment the client sent (client_sent) or received at t_ns. */
void segseq_add(seg_seq *s, const tcp_segment *seg, bool client_sent,
                uint64_t t_ns);

/* "C>S ACK 302 20002 0" (direction, flags, SEQ, ACK, length, and " win=0"
 * for a closed window) - what is compared; returns buf. */
char *segseq_format(const seg_canon *c, char *buf, size_t cap);

/* The whole sequence, one segment a line after the time it was seen (ms)
 * and with " psh" where PSH was set (shown, not compared), into a malloc'd
 * string (NULL when out of memory). */
char *segseq_text(const seg_seq *s);

/* Read back what segseq_text() wrote into an empty sequence (segseq_init);
 * 0, or -1 at the first line that is not such a segment (*line: its
 * number, from 1). */
int segseq_parse(seg_seq *s, const char *text, int *line);

/* The index of the first segment where a and b differ (one may end first),
 * or SIZE_MAX when they are identical. */
size_t segseq_first_diff(const seg_seq *a, const seg_seq *b);

/* What kind of difference a and b have. */
typedef enum segseq_kind {
  SEGSEQ_IDENTICAL,
  SEGSEQ_CROSSED,      /* each direction the same; segments of opposite
                          directions cross, each crossing pair less than
                          the tolerance apart in both runs: identical as
                          far as timing can tell */
  SEGSEQ_INTERLEAVING, /* each direction the same, the order across
                          directions differs by more than the tolerance */
  SEGSEQ_EXTRA_A,      /* leaving one segment of a out makes the rest
                          identical */
  SEGSEQ_EXTRA_B,      /* ... one segment of b */
  SEGSEQ_CHANGED,      /* the same count, one segment differs */
  SEGSEQ_SEVERAL       /* anything else */
} segseq_kind;

/* Compare a and b; segments of opposite directions seen less than tol_ns
 * apart may come in either order (a real stack takes time to answer that
 * a model does not). *first_diff (may be NULL): the first index where the
 * sequences differ, SIZE_MAX when identical. */
segseq_kind segseq_compare(const seg_seq *a, const seg_seq *b, uint64_t tol_ns,
                           size_t *first_diff);

/* The first real difference, whatever the order across directions: the
 * earliest segment of a (by its index *ia) whose counterpart in b - the
 * same direction, the same rank - differs, and that counterpart's index
 * *ib; an index equal to n means that side has no such segment. False
 * when each direction is the same in both. */
bool segseq_first_real_diff(const seg_seq *a, const seg_seq *b, size_t *ia,
                            size_t *ib);

#endif
