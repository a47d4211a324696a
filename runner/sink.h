/*
 * sink.h - internal to runner/: where finished conversations go, for the
 * local runner and the MPI one alike. A sink writes each conversation's
 * rows into the store, opens a transaction when needed and commits every
 * COMMIT_EVERY conversations or half a second, telling the progress
 * callback after each commit.
 */
#ifndef HALFCLOSE_SINK_H
#define HALFCLOSE_SINK_H

#include "batch.h"
#include "store.h"

typedef struct batch_sink {
  hc_store *st;
  const scenario *s;
  const batch_opts *o;
  batch_progress pr; /* what is in the store, what this run added */
  uint64_t in_tx;    /* conversations in the open transaction */
  double t0, last;   /* start, last commit (monotonic seconds) */
} batch_sink;

/* Monotonic seconds. */
double sink_now(void);

void sink_init(batch_sink *k, hc_store *st, const scenario *s,
               const batch_opts *o, uint64_t done, uint64_t total);

/* Write conversation `index`. 0, or -1 with a message. */
int sink_put(batch_sink *k, uint64_t index, const conv_outcome *o, char *err,
             size_t cap);

/* Commit what is pending and report progress. 0, or -1 with a message. */
int sink_flush(batch_sink *k, char *err, size_t cap);

#endif
