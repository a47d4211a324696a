/*
 * batch_mpi.c - the batch runner across machines: `mpirun -np N halfclose
 * run ...` (OpenMPI). Built only when MPI is found.
 *
 * Rank 0 alone opens the store: it binds the batch, finds the missing
 * conversation indices (as runs), and sends them to ranks 1..N-1, which
 * share them the way worker processes do (interleaved) and send back one
 * message per conversation with every profile's outcome. Rank 0 writes
 * them, whole conversations per transaction, exactly as batch_run does;
 * so the store equals a single-process run's, and a run stopped at any
 * point resumes under MPI or without it. With one rank, rank 0 runs the
 * conversations itself.
 */
#include "batch_mpi.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sink.h"
#include "store.h"

#define TAG_RANGES 1
#define TAG_RESULT 2
#define TAG_DONE   3
#define TAG_STOP   4 /* rank 0 to the others: stop after this conversation */

typedef struct mpi_msg {
  uint64_t index;
  int32_t status;
  char error[240];
  conv_outcome o[SCN_MAX_PROFILES];
} mpi_msg;

bool batch_mpi_launched(void) {
  return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE") ||
         getenv("PMIX_RANK");
}

/* Conversation i into m, its status -1 with the message if it failed. */
static void run_one(conv_env *e, const scenario *s, uint64_t i, bool check,
                    mpi_msg *m) {
  memset(m, 0, sizeof *m);
  m->index = i;
  m->status =
      batch_conversation(e, s, i, check, m->o, m->error, sizeof m->error);
}

/* Ranks 1..N-1: run every missing index whose position is w mod workers. */
static void serve(const scenario *s, const batch_opts *o, int rank, int size) {
  uint64_t nr = 0;
  MPI_Recv(&nr, 1, MPI_UINT64_T, 0, TAG_RANGES, MPI_COMM_WORLD,
           MPI_STATUS_IGNORE);
  store_range *r = malloc((nr ? nr : 1) * sizeof *r);
  if (nr)
    MPI_Recv(r, (int)(nr * 2), MPI_UINT64_T, 0, TAG_RANGES, MPI_COMM_WORLD,
             MPI_STATUS_IGNORE);
  mpi_msg *m = calloc(1, sizeof *m);
  conv_env *e = NULL;
  bool ok = m && r && conv_env_new(&e, batch_ns3_seed(s), NULL, 0) == 0;
  uint64_t workers = (uint64_t)size - 1, w = (uint64_t)rank - 1, j = 0;
  for (uint64_t k = 0; ok && k < nr; k++)
    for (uint64_t i = r[k].start; ok && i < r[k].end; i++, j++) {
      if (j % workers != w)
        continue;
      int stop = 0;
      MPI_Iprobe(0, TAG_STOP, MPI_COMM_WORLD, &stop, MPI_STATUS_IGNORE);
      if (stop)
        break;
      run_one(e, s, i, o->check, m);
      MPI_Send(m, (int)sizeof *m, MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD);
      if (m->status)
        break;
    }
  int done = ok ? 0 : -1;
  MPI_Send(&done, 1, MPI_INT, 0, TAG_DONE, MPI_COMM_WORLD);
  /* a stop rank 0 sent, read or not, is received before leaving */
  int stop = 0;
  MPI_Iprobe(0, TAG_STOP, MPI_COMM_WORLD, &stop, MPI_STATUS_IGNORE);
  if (stop)
    MPI_Recv(&stop, 1, MPI_INT, 0, TAG_STOP, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  conv_env_free(e);
  free(m);
  free(r);
}

/* Rank 0 after a failure or a stop: tell every other rank, and take what
 * they still send until each has said it is done. */
/* A rank's last word (0: it ran its share; -1: it could not start). */
static int recv_done(int source) {
  int done;
  MPI_Recv(&done, 1, MPI_INT, source, TAG_DONE, MPI_COMM_WORLD,
           MPI_STATUS_IGNORE);
  return done;
}

static void stop_ranks(int size, int open) {
  static mpi_msg m; /* what they still send is dropped */
  int stop = 1;
  for (int k = 1; k < size; k++)
    MPI_Send(&stop, 1, MPI_INT, k, TAG_STOP, MPI_COMM_WORLD);
  while (open > 0) {
    MPI_Status ms;
    MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &ms);
    if (ms.MPI_TAG == TAG_DONE) {
      recv_done(ms.MPI_SOURCE);
      open--;
    } else {
      MPI_Recv(&m, (int)sizeof m, MPI_BYTE, ms.MPI_SOURCE, ms.MPI_TAG,
               MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
  }
}

static batch_status run_rank0(const scenario *s, uint64_t total,
                              const batch_opts *o, batch_progress *out,
                              char *err, size_t cap, int size);

batch_status batch_run_mpi(const scenario *s, uint64_t total,
                           const batch_opts *o, batch_progress *out, char *err,
                           size_t cap, int *rank_out) {
  int rank = 0, size = 1;
  MPI_Init(NULL, NULL);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  *rank_out = rank;
  batch_status st = BATCH_DONE;
  if (rank != 0)
    serve(s, o, rank, size);
  else
    st = run_rank0(s, total, o, out, err, cap, size);
  MPI_Finalize();
  return st;
}

static batch_status run_rank0(const scenario *s, uint64_t total,
                              const batch_opts *o, batch_progress *out,
                              char *err, size_t cap, int size) {
  hc_store *st;
  store_range *list = NULL;
  size_t nranges = 0;
  uint64_t n = 0;
  batch_status status = BATCH_DONE;
  if (store_open(&st, o->store_path, STORE_CREATE, err, cap) != 0) {
    st = NULL;
    status = BATCH_REFUSED;
  } else if (store_bind(st, s, total, o->version, err, cap) != 0) {
    status = BATCH_REFUSED;
  } else if (store_missing(st, total, s->nprofiles, &list, &nranges, &n) != 0) {
    if (!err[0])
      snprintf(err, cap, "%s: cannot read the store", o->store_path);
    status = BATCH_FAILED;
  }
  batch_sink sink;
  sink_init(&sink, st, s, o, total - n, total);
  /* tell every rank what to run (nothing, if the store cannot be used) */
  uint64_t nr = status == BATCH_DONE ? nranges : 0;
  for (int k = 1; k < size; k++) {
    MPI_Send(&nr, 1, MPI_UINT64_T, k, TAG_RANGES, MPI_COMM_WORLD);
    if (nr)
      MPI_Send(list, (int)(nr * 2), MPI_UINT64_T, k, TAG_RANGES,
               MPI_COMM_WORLD);
  }
  mpi_msg *m = calloc(1, sizeof *m);
  conv_env *e = NULL;
  int open = size - 1;
  size_t k = 0;
  uint64_t i = nranges ? list[0].start : 0;
  while (status == BATCH_DONE && m && (size > 1 ? open > 0 : k < nranges)) {
    if (o->stop && *o->stop) {
      status = BATCH_INTERRUPTED;
      break;
    }
    if (size == 1) { /* one rank: run it here */
      char why[300] = "";
      if (!e && conv_env_new(&e, batch_ns3_seed(s), why, sizeof why) != 0) {
        snprintf(err, cap, "cannot start: %s", why);
        status = BATCH_FAILED;
        break;
      }
      run_one(e, s, i, o->check, m);
      if (++i >= list[k].end && ++k < nranges)
        i = list[k].start;
    } else {
      MPI_Status ms;
      MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &ms);
      if (ms.MPI_TAG == TAG_DONE) {
        open--;
        if (recv_done(ms.MPI_SOURCE) != 0) {
          snprintf(err, cap, "rank %d could not start ns-3", ms.MPI_SOURCE);
          status = BATCH_FAILED;
        }
        continue;
      }
      MPI_Recv(m, (int)sizeof *m, MPI_BYTE, ms.MPI_SOURCE, TAG_RESULT,
               MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
    if (m->status) {
      snprintf(err, cap, "%s", m->error);
      status = m->status == -2 ? BATCH_REFUSED : BATCH_FAILED;
      break;
    }
    if (sink_put(&sink, m->index, m->o, err, cap) != 0) {
      status = BATCH_FAILED;
      break;
    }
  }
  char ferr[300];
  if (st && sink_flush(&sink, ferr, sizeof ferr) != 0 && status == BATCH_DONE) {
    snprintf(err, cap, "%s", ferr);
    status = BATCH_FAILED;
  }
  if (status == BATCH_DONE && sink.pr.done == total && st)
    store_finish(st);
  sink.pr.elapsed_s = sink_now() - sink.t0;
  store_close(st);
  conv_env_free(e);
  free(list);
  if (out)
    *out = sink.pr;
  if (status != BATCH_DONE && size > 1)
    stop_ranks(size, open);
  free(m);
  return status;
}
