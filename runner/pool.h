/*
 * pool.h - the one pool of worker processes: the batch's (a few
 * long-lived workers, each running its share of the conversations on its
 * own ns-3 simulation) and crosscheck's (a fresh process for each kernel
 * run, whose namespaces and real-time simulation die with it).
 *
 * Items 0..n-1 run in children; each result goes up its pipe as a frame
 * (the item, a length, the bytes) and reaches the parent's `take` as it
 * comes. No SQLite handle and no ns-3 simulation crosses the fork: a child
 * makes its own (`setup`).
 */
#ifndef HALFCLOSE_POOL_H
#define HALFCLOSE_POOL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pool_out pool_out;

typedef struct pool_spec {
  uint64_t n;    /* items 0 .. n-1 */
  int jobs;      /* processes at a time (at most 256) */
  bool per_item; /* a fresh process for each item; else worker w runs
                    items w, w + jobs, w + 2 jobs, ... */
  void *ctx;
  /* In a child. setup (may be NULL): before its first item; nonzero ends
   * it. run: item i, its result sent with pool_put (a worker may send
   * none and exit nonzero: the parent then fails the pool or, per item,
   * hears of a lost item). */
  int (*setup)(void *ctx);
  int (*run)(void *ctx, uint64_t i, pool_out *out);
  /* In the parent: a result (lost: the item's process ended without one);
   * 0 to go on, nonzero to stop the pool. */
  int (*take)(void *ctx, uint64_t i, const void *data, size_t len, bool lost);
  const volatile sig_atomic_t *stop; /* set: the pool stops (may be NULL) */
  void (*killed)(void *ctx); /* after children were killed (may be NULL) */
} pool_spec;

/* 0: every item's result was taken; 1: stopped (the stop flag, or take);
 * -1: a failure - fork, pipe, or a worker that died with items undone -
 * with a message. Children still running at a stop are killed. */
int pool_run(const pool_spec *sp, char *err, size_t cap);

/* Send item i's result (buffered: a worker's frames go up 16 at a time or
 * every 0.2 s, and all at its end). 0, or -1 when the pipe is gone. */
int pool_put(pool_out *o, uint64_t i, const void *data, size_t len);

#endif
