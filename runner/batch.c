/*
 * batch.c - see batch.h.
 */
#include "batch.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pool.h"
#include "sink.h"
#include "store.h"

#define BATCH_MSGS 16 /* conversations a worker sends at a time */

typedef struct msg {
  uint64_t index; /* conversation */
  int32_t status; /* 0, or -1 with error, -2 refused (bad input) */
  char error[240];
  conv_outcome o[SCN_MAX_PROFILES];
} msg;

uint32_t batch_ns3_seed(const scenario *s) {
  return (uint32_t)(scn_conv_seed(s) % 2147483646u) + 1;
}

int batch_conversation(conv_env *e, const scenario *s, uint64_t i, bool check,
                       conv_outcome *outcomes, char *err, size_t cap) {
  conv_params drawn;
  double values[SCN_MAX_KEYS];
  scn_draw(s, i, &drawn, values);
  for (int pr = 0; pr < s->nprofiles; pr++) {
    conv_params p = drawn; /* a variant's conversation keys over the draw */
    scn_params_for(s, s->profiles[pr], &p);
    scn_ends ends;
    char why[400] = "";
    if (scn_ends_for(s, s->profiles[pr], values, &ends, why, sizeof why)) {
      snprintf(err, cap, "conversation %llu: %s", (unsigned long long)i, why);
      return -1;
    }
    /* every conversation is bounded before it runs, not a sample of them:
     * one that would run for minutes is refused (bad input) */
    if (!ends.ns3 &&
        hc_conv_bounded(&p, &ends.client, &ends.server, why, sizeof why)) {
      snprintf(err, cap, "conversation %llu, profile %s: %s",
               (unsigned long long)i, s->profiles[pr], why);
      return -2;
    }
    if (ends.ns3 && hc_conv_bounded(&p, NULL, NULL, why, sizeof why)) {
      snprintf(err, cap, "conversation %llu, profile %s: %s",
               (unsigned long long)i, s->profiles[pr], why);
      return -2;
    }
    conv_opts opts = {.check = check && !ends.ns3};
    conv_stack stack = ends.ns3      ? CONV_STACK_NS3
                       : p.ns3_stack ? CONV_STACK_PLUGIN
                                     : CONV_STACK_MODEL;
    if (conv_run(e, &p, stack, &ends.client, &ends.server, scn_conv_seed(s), i,
                 &opts, &outcomes[pr], why, sizeof why) != 0) {
      snprintf(err, cap, "conversation %llu, profile %s: %s",
               (unsigned long long)i, s->profiles[pr], why);
      return -1;
    }
  }
  return 0;
}

/* The batch's items: the missing conversations, in index order. */
typedef struct bctx {
  const scenario *s;
  const store_range *r;
  size_t nr;
  bool check;
  conv_env *e; /* a worker's simulation */
  msg *m;      /* a worker's message */
  /* the parent's */
  batch_sink *sink;
  batch_status status;
  char *err;
  size_t cap;
} bctx;

/* The conversation index of missing item j. */
static uint64_t index_of(const bctx *c, uint64_t j) {
  for (size_t k = 0; k < c->nr; k++) {
    uint64_t len = c->r[k].end - c->r[k].start;
    if (j < len)
      return c->r[k].start + j;
    j -= len;
  }
  return UINT64_MAX;
}

static int worker_setup(void *ctx) {
  bctx *c = ctx;
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  /* a worker outlives a parent killed with -9 until its next write to the
   * pipe; it must not hold the store's lock meanwhile, or the run that
   * resumes is refused as if another were writing */
  store_forget_in_child(c->sink->st);
  char why[300] = "out of memory";
  c->m = calloc(1, sizeof *c->m);
  if (!c->m || conv_env_new(&c->e, batch_ns3_seed(c->s), why, sizeof why))
    return -1;
  return 0;
}

static int worker_run(void *ctx, uint64_t j, pool_out *out) {
  bctx *c = ctx;
  msg *b = c->m;
  memset(b, 0, sizeof *b);
  b->index = index_of(c, j);
  b->status = batch_conversation(c->e, c->s, b->index, c->check, b->o, b->error,
                                 sizeof b->error);
  if (pool_put(out, j, b, sizeof *b) != 0)
    return -1;
  return b->status ? -1 : 0; /* a failed conversation ends the worker */
}

static int parent_take(void *ctx, uint64_t j, const void *data, size_t len,
                       bool lost) {
  bctx *c = ctx;
  (void)j;
  msg m;
  if (lost || len != sizeof m) {
    snprintf(c->err, c->cap, "a worker sent a malformed result");
    c->status = BATCH_FAILED;
    return 1;
  }
  memcpy(&m, data, sizeof m);
  if (m.status != 0) {
    snprintf(c->err, c->cap, "%s", m.error);
    c->status = m.status == -2 ? BATCH_REFUSED : BATCH_FAILED;
    return 1;
  }
  if (sink_put(c->sink, m.index, m.o, c->err, c->cap) != 0) {
    c->status = BATCH_FAILED;
    return 1;
  }
  return 0;
}

batch_status batch_run(const scenario *s, uint64_t total, const batch_opts *o,
                       batch_progress *out, char *err, size_t cap) {
  hc_store *st;
  store_range *list = NULL;
  size_t nranges = 0;
  uint64_t n = 0;
  if (store_open(&st, o->store_path, STORE_CREATE, err, cap) != 0)
    return BATCH_REFUSED;
  if (store_bind(st, s, total, o->version, err, cap) != 0) {
    store_close(st);
    return BATCH_REFUSED;
  }
  if (store_missing(st, total, s->nprofiles, &list, &nranges, &n) != 0) {
    if (!err[0])
      snprintf(err, cap, "%s: cannot read the store", o->store_path);
    store_close(st);
    free(list);
    return BATCH_FAILED;
  }
  /* the store is closed before the workers start: no SQLite handle
   * crosses a fork */
  store_close(st);
  batch_status status = BATCH_DONE;
  bctx c = {s, list, nranges, o->check, NULL, NULL, NULL, BATCH_DONE, err, cap};
  int orv = store_open(&st, o->store_path, STORE_WRITE, err, cap);
  if (orv != 0 || store_bind(st, s, total, o->version, err, cap) != 0) {
    /* another run took the store between our two opens: bad input, as
     * when it held it at the first */
    status = orv == -2 ? BATCH_REFUSED : BATCH_FAILED;
    if (orv == 0)
      store_close(st);
    st = NULL;
  }
  batch_sink sink;
  sink_init(&sink, st, s, o, total - n, total);
  c.sink = &sink;
  if (status == BATCH_DONE && n) {
    /* the store is open in the parent now, but the workers' setup opens
     * nothing of it, and the pool forks them only here */
    pool_spec sp = {n,          o->jobs,     false,   &c,  worker_setup,
                    worker_run, parent_take, o->stop, NULL};
    char perr[300] = "";
    int prv = pool_run(&sp, perr, sizeof perr);
    if (c.status != BATCH_DONE)
      status = c.status;
    else if (prv == 1)
      status = BATCH_INTERRUPTED;
    else if (prv < 0) {
      snprintf(err, cap,
               "%s; %llu of %llu conversations are in the store: run again "
               "to resume",
               perr, (unsigned long long)sink.pr.done,
               (unsigned long long)total);
      status = BATCH_FAILED;
    }
  }
  char ferr[300];
  if (st && sink_flush(&sink, ferr, sizeof ferr) != 0 &&
      status != BATCH_FAILED) {
    snprintf(err, cap, "%s", ferr);
    status = BATCH_FAILED;
  }
  if (status == BATCH_DONE && sink.pr.done != total) {
    snprintf(err, cap,
             "a worker died; %llu of %llu conversations are in "
             "the store: run again to resume",
             (unsigned long long)sink.pr.done, (unsigned long long)total);
    status = BATCH_FAILED;
  }
  if (status == BATCH_DONE && st)
    store_finish(st);
  sink.pr.elapsed_s = sink_now() - sink.t0;
  store_close(st);
  free(list);
  if (out)
    *out = sink.pr;
  return status;
}
