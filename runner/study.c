/*
 * study.c - a batch as `halfclose run` asks for it: on worker processes or
 * across MPI ranks, and with sequential stopping - the batch grown by a
 * quarter, block by block, until every profile's failed-read interval is
 * narrow enough.
 *
 * The stopping rule looks at the store only at block boundaries, a fixed
 * sequence of sizes decided before any outcome is seen; it stops on the
 * interval's width, which depends on the rate only through p(1 - p), so
 * the reported rate is biased by far less than its interval (a fixed-width
 * interval in the manner of Chow and Robbins, 1965). The rule and where it
 * stopped are written into the store.
 */
#include "batch.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch_mpi.h"
#include "stats.h"
#include "store.h"

/* The widest 95 % Wilson half-width of the profiles' app_reset rates over
 * the first `total` conversations: 0, or -1 with a message. */
static int widest_half_width(const scenario *s, const char *path,
                             uint64_t total, double *widest, char *err,
                             size_t cap) {
  uint64_t k[SCN_MAX_PROFILES], n[SCN_MAX_PROFILES];
  hc_store *st;
  if (store_open(&st, path, STORE_READ, err, cap) != 0)
    return -1;
  int rv = store_reset_counts(st, total, s, k, n);
  store_close(st);
  if (rv != 0) {
    snprintf(err, cap, "%s: cannot count the failed reads", path);
    return -1;
  }
  *widest = 0;
  for (int i = 0; i < s->nprofiles; i++) {
    interval w = stats_wilson(k[i], n[i], 0.95);
    *widest = fmax(*widest, (w.hi - w.lo) / 2);
  }
  return 0;
}

#ifndef HALFCLOSE_MPI
/* built without MPI: no process counts as started by mpirun */
bool batch_mpi_launched(void) {
  return false;
}

batch_status batch_run_mpi(const scenario *s, uint64_t total,
                           const batch_opts *o, batch_progress *out, char *err,
                           size_t cap, int *rank) {
  (void)s, (void)total, (void)o, (void)out;
  *rank = 0;
  snprintf(err, cap, "this halfclose was built without MPI");
  return BATCH_FAILED;
}
#endif

/* The block after `total`: a quarter more (at least one conversation per
 * cell), rounded up to whole cells, so every grid cell keeps its share.
 * A quarter, not a doubling: the interval's width shrinks as 1/sqrt(n),
 * and doubling overshoots the size the target needs by up to twice. */
uint64_t batch_next_block(uint64_t total, uint64_t cells) {
  uint64_t grow = total / 4 > cells ? total / 4 : cells;
  uint64_t next = total + grow;
  return (next + cells - 1) / cells * cells;
}

batch_status batch_study(const scenario *s, const study_opts *so,
                         const batch_opts *o, study_result *res, char *err,
                         size_t cap) {
  memset(res, 0, sizeof *res);
  uint64_t total = so->total;
  if (so->until > 0 && total > so->max_total)
    total = so->max_total;
  res->total = total;
  if (batch_mpi_launched()) {
    /* under mpirun: rank 0 writes the store, the other ranks simulate;
     * sequential stopping is for single-machine runs */
    int rank = 0;
    batch_status st = batch_run_mpi(s, total, o, &res->p, err, cap, &rank);
    res->worker_rank = rank != 0;
    return st;
  }
  batch_status st = batch_run(s, total, o, &res->p, err, cap);
  while (so->until > 0 && st == BATCH_DONE) {
    double widest;
    if (widest_half_width(s, o->store_path, total, &widest, err, cap) != 0)
      return BATCH_FAILED;
    bool enough = widest <= so->until;
    if (enough || total >= so->max_total) {
      uint64_t first = scn_total(s) < total ? scn_total(s) : total;
      snprintf(res->note, sizeof res->note,
               "sequential: from %" PRIu64 " conversations, blocks grown "
               "by a quarter until every profile's app_reset 95 %% Wilson "
               "half-width "
               "was at most %.4g, checked at block boundaries only, at most "
               "%" PRIu64 "; stopped at %" PRIu64 " with a widest half-width "
               "of %.4g%s",
               first, so->until, so->max_total, total, widest,
               enough ? "" : " (the limit, not the target)");
      hc_store *sto;
      if (store_open(&sto, o->store_path, STORE_WRITE, err, cap) != 0)
        return BATCH_FAILED;
      int rv = store_note_stopping(sto, res->note);
      store_close(sto);
      if (rv != 0) {
        snprintf(err, cap, "%s: cannot record the stopping rule",
                 o->store_path);
        return BATCH_FAILED;
      }
      break;
    }
    uint64_t next = batch_next_block(total, s->cells);
    total = next > so->max_total ? so->max_total : next;
    res->total = total;
    batch_progress q;
    st = batch_run(s, total, o, &q, err, cap);
    q.this_run += res->p.this_run;
    q.elapsed_s += res->p.elapsed_s;
    res->p = q;
  }
  return st;
}
