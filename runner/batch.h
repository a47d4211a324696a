/*
 * batch.h - the batch runner: a scenario's conversations, every profile
 * each, run by worker processes into the results store.
 *
 * ns-3's simulator is a per-process singleton, so parallelism is worker
 * processes: each runs its share of the missing conversation indices
 * (interleaved, so shares cost alike) on its own simulation and sends the
 * outcomes through a pipe; the parent alone writes the store, a
 * transaction at a time, whole conversations only. Running again on the
 * same store resumes: only missing indices run, and since conversation i
 * depends on (scenario, seed, i) alone, the final store is the one an
 * uninterrupted run would have written, whatever --jobs was.
 */
#ifndef HALFCLOSE_BATCH_H
#define HALFCLOSE_BATCH_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "conv.h"
#include "scenario.h"

typedef struct batch_progress {
  uint64_t done;     /* conversations in the store */
  uint64_t total;    /* conversations planned */
  uint64_t this_run; /* conversations this run has added */
  double elapsed_s;  /* since this run began */
} batch_progress;

typedef struct batch_opts {
  const char *store_path;
  const char *version;         /* written into the store */
  int jobs;                    /* worker processes (>= 1) */
  bool check;                  /* run the invariant checker */
  volatile sig_atomic_t *stop; /* set (by a signal handler) to stop */
  /* called after each commit, and once at the end (may be NULL) */
  void (*progress)(void *user, const batch_progress *p);
  void *user;
} batch_opts;

typedef enum batch_status {
  BATCH_DONE = 0,        /* every conversation is in the store */
  BATCH_INTERRUPTED = 1, /* stopped; the store holds whole conversations */
  BATCH_FAILED = -1,     /* an error; message in err */
  BATCH_REFUSED = -2     /* the store cannot be used (not a store, another
                            scenario, another run holds it): bad input */
} batch_status;

/* Run scenario s up to `total` conversations into the store. */
batch_status batch_run(const scenario *s, uint64_t total, const batch_opts *o,
                       batch_progress *out, char *err, size_t cap);

/* What `halfclose run` asks for: the first block of conversations, and
 * with until > 0 sequential stopping (grow the batch block by block, each
 * a quarter larger (batch_next_block), until every profile's app_reset 95 %
 * Wilson half-width is at most `until`, checked at block boundaries only,
 * never past max_total). */
typedef struct study_opts {
  uint64_t total;
  double until;
  uint64_t max_total;
} study_opts;

typedef struct study_result {
  batch_progress p; /* of the whole study */
  uint64_t total;   /* conversations it ran to */
  bool worker_rank; /* an MPI rank other than 0: nothing to report */
  char note[400];   /* the stopping rule and where it stopped, or "" */
} study_result;

/* The block of sequential stopping after `total` conversations. */
uint64_t batch_next_block(uint64_t total, uint64_t cells);

/* The study: under mpirun across the ranks (MPI set up and torn down
 * here; no sequential stopping), else batch_run, block after block. */
batch_status batch_study(const scenario *s, const study_opts *so,
                         const batch_opts *o, study_result *res, char *err,
                         size_t cap);

/* The ns-3 seed of a batch (>= 1), from the scenario's hash and seed. */
uint32_t batch_ns3_seed(const scenario *s);

/* Conversation i under every profile of s, on an existing simulation:
 * outcomes[p] for s->profiles[p]. 0; -1 with a message; -2 with a
 * message when the conversation is refused as unbounded (bad input:
 * hc_conv_bounded). */
int batch_conversation(conv_env *e, const scenario *s, uint64_t i, bool check,
                       conv_outcome *outcomes, char *err, size_t cap);

#endif
