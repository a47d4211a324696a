/*
 * crosscheck.h - the crosscheck engine (crosscheck.c): a scenario's
 * conversations kernel to kernel (emulated) against a profile (simulated),
 * segment for segment; what it keeps of a conversation; and its store
 * (xstore.c): an SQLite file of its own, written beside its name and
 * renamed when complete, and read back by --against.
 */
#ifndef HALFCLOSE_CROSSCHECK_H
#define HALFCLOSE_CROSSCHECK_H

#include <signal.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conv.h"
#include "scenario.h"
#include "segseq.h"
#include "session.h"

/* SQLite's application_id of a crosscheck store: "HCcx". */
#define XSTORE_APP_ID 0x48436378
#define XSTORE_FORMAT 3    /* 3: clock0_ns */
#define XMAX_SEGS     4096 /* segments kept of one conversation */

/* What a child sends back for one emulated conversation. */
typedef struct xrec {
  uint64_t index;
  int status; /* 0, or -1 with err */
  char err[256];
  conv_outcome o;
  emu_timing t;
  uint32_t nsegs; /* followed by this many seg_canon */
} xrec;

typedef enum verdict { V_IDENTICAL, V_DIFFERENT, V_TIMING, V_FAILED } verdict;

/* One conversation's pair. */
typedef struct xpair {
  conv_params p;
  char params[512];
  seg_seq model, kernel;
  conv_outcome mo, ko;
  emu_timing t;
  uint64_t extra_ns; /* the model's link longer by this each way */
  int64_t clock0_ns; /* the kernels' clock at simulated 0 (emu_timing), the
                        model's hosts' clocks set to it; -1: drawn */
  segseq_kind kind;  /* kernel (a) against model (b) */
  size_t first_diff;
  verdict verdict; /* the first pass's */
} xpair;

/* What becomes of one kernel run: its record, its sequence (the callee
 * owns segs), and an error text ("" if none). 0, or -1 to stop. */
typedef int (*xdone_fn)(void *ctx, uint64_t i, const xrec *r, seg_canon *segs,
                        const char *err);

/* The kind of difference in words. */
const char *xstore_kind_text(segseq_kind k);

/* An existing file at `path` must be a crosscheck store (it is replaced)
 * or nothing; 0, or -1 with the reason. */
int xstore_out_check(const char *path, char *err, size_t cap);

/* A new store at `path` with its tables; 0, or -1 with SQLite's message. */
int xstore_create(const char *path, sqlite3 **db, char *err, size_t cap);

int xstore_put_meta(sqlite3 *db, const char *key, const char *value);
int xstore_put_pair(sqlite3 *db, uint64_t i, const xpair *x, verdict v,
                    const char *err);

/* The second kernel run of conversation i: whether the kernel repeated
 * itself (same; -1 unknown), its sequence, whether the model matches it. */
int xstore_put_repeat(sqlite3 *db, uint64_t i, int same, const char *text,
                      int model);

/* Mark the store as a crosscheck store: the last write. */
int xstore_finish(sqlite3 *db, char *err, size_t cap);

/* --against: a crosscheck store of scenario s, opened read-only; *n its
 * conversations (0..n-1), kernel: the kernel it ran. NULL and a message
 * in err if it is not one. */
sqlite3 *xstore_against_open(const char *path, const scenario *s, uint64_t *n,
                             char *kernel, size_t kcap, char *err, size_t cap);

/* Every stored kernel run below `total` to fn, as if just emulated.
 * Returns 0; -2 with the table, conversation and column in err for a
 * stored value out of its range (bad input); -1 when fn or SQLite fails. */
int xstore_against_run(sqlite3 *db, uint64_t total, xdone_fn fn, void *ctx,
                       char *err, size_t cap);

/* One crosscheck run. */
typedef struct xcheck_opts {
  const scenario *s;          /* its conversations ... */
  const char *scenario_path;  /* ... from this file */
  uint64_t total;             /* conversations 0 .. total-1 */
  int jobs;                   /* kernel runs at a time */
  bool repeat;                /* run each differing kernel run again */
  bool rtt_match;             /* simulate again with the kernel's round trip */
  bool cpus_idle;             /* the CPUs were let idle (for the record) */
  const tcp_profile *profile; /* the profile simulated, at both ends ... */
  const char *profile_name;   /* ... and its name */
  const char *store;          /* written beside, renamed over when whole */
  sqlite3 *against;           /* kernel runs of an earlier crosscheck, or
                                 NULL: run the kernel */
  const char *against_path, *against_kernel;
  const volatile sig_atomic_t *interrupted; /* a signal that stops it */
} xcheck_opts;

/* What came of it, for the command to print. */
typedef struct xcheck_result {
  xpair *pairs; /* `total` of them (xcheck_free) */
  uint64_t total;
  uint64_t capped; /* conversations whose time limit was cut to 60 s */
  uint64_t counts[4], kinds[7], kind_first[7];
  uint64_t ndiff, repeated, not_repeated, unknown, model_matches;
  double wall_s;
  bool kept; /* failures kept the store from being written */
} xcheck_result;

/* 0: done, the store written; 1: failed; 2: bad input (an --against store
 * out of its ranges); 128 + a signal: interrupted - each after a message
 * on standard error. *res is filled as far as the run got. */
int xcheck_run(const xcheck_opts *o, xcheck_result *res);
void xcheck_free(xcheck_result *res);

#endif
