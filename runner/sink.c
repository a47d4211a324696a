/*
 * sink.c - see sink.h.
 */
#include "sink.h"

#include <stdio.h>
#include <time.h>

#define COMMIT_EVERY 512 /* conversations per transaction at most */

double sink_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

void sink_init(batch_sink *k, hc_store *st, const scenario *s,
               const batch_opts *o, uint64_t done, uint64_t total) {
  k->st = st;
  k->s = s;
  k->o = o;
  k->pr = (batch_progress){done, total, 0, 0};
  k->in_tx = 0;
  k->t0 = k->last = sink_now();
}

int sink_flush(batch_sink *k, char *err, size_t cap) {
  int rv = 0;
  if (k->in_tx && store_commit(k->st) != 0) {
    char why[400];
    snprintf(err, cap, "%s: cannot commit: %s", k->o->store_path,
             store_write_error(k->st, why, sizeof why));
    rv = -1;
  }
  k->in_tx = 0;
  k->last = sink_now();
  k->pr.elapsed_s = k->last - k->t0;
  if (k->o->progress)
    k->o->progress(k->o->user, &k->pr);
  return rv;
}

int sink_put(batch_sink *k, uint64_t index, const conv_outcome *o, char *err,
             size_t cap) {
  if ((k->in_tx == 0 && store_begin(k->st) != 0) ||
      store_put(k->st, k->s, index, o) != 0) {
    char why[400];
    snprintf(err, cap, "%s: cannot write conversation %llu: %s",
             k->o->store_path, (unsigned long long)index,
             store_write_error(k->st, why, sizeof why));
    return -1;
  }
  k->in_tx++;
  k->pr.done++;
  k->pr.this_run++;
  if (k->in_tx >= COMMIT_EVERY || sink_now() - k->last > 0.5)
    return sink_flush(k, err, cap);
  return 0;
}
