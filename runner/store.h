/*
 * store.h - the results store: one SQLite file per batch.
 *
 * Table `batch` has one row: the scenario's text and hash, the seed, the
 * profiles, the halfclose version, the host, when the batch started and
 * finished, and the store's format number. Table `conversations` has one
 * row per conversation index and profile: the grid cell, every drawn
 * parameter (one column per parameter, and one per profile knob the
 * scenario sets), every outcome field and the times of the anatomy. Table
 * `columns` documents each column of `conversations` with its unit.
 *
 * Rows are written in transactions, all profiles of a conversation in the
 * same one, so the store only ever holds whole conversations: a batch
 * killed at any point (kill -9 included) resumes by running the indices
 * that are missing. A store is refused for a scenario or seed other than
 * its own, and a store of another format or a file that is not a store
 * gets a clear error.
 */
#ifndef HALFCLOSE_STORE_H
#define HALFCLOSE_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "conv.h"
#include "scenario.h"

#define STORE_FORMAT                                                           \
  4 /* bumped when the schema changes (2: conn_reset,                          \
       reset_after_close, app_reset; 3: reset_cause; 4: failed_reset,          \
       failed_eof) */

typedef struct hc_store hc_store;

typedef enum store_mode {
  STORE_READ,  /* a reader: read-only, changes no byte of the file */
  STORE_WRITE, /* an existing store, to extend or finish */
  STORE_CREATE /* the same, or a new store where there is none (or an empty
                  file, or an SQLite database without a table) */
} store_mode;

/*
 * Open a store. A file that is not a halfclose store (SQLite's
 * application_id says so) is refused in every mode without being changed.
 * Readers open read-only; a store in WAL mode on media that cannot be
 * written is read from the file alone when no -wal frames are pending. A
 * store opened to resume (STORE_CREATE, how a run opens it first) is
 * checked whole first (quick_check) and refused if damaged. On failure returns
 * -1 with a message in err, or -2 when another run holds the store (a writer's
 * flock).
 */
int store_open(hc_store **out, const char *path, store_mode mode, char *err,
               size_t cap);
void store_close(hc_store *st);
/* In a child forked while `st` was open: let go of the writer's lock the
 * child inherited (a flock belongs to the open file, shared across fork),
 * so that the lock ends with the run that took it, not with its last
 * worker. The child must not use `st` afterwards. */
void store_forget_in_child(hc_store *st);

/* A reader over a store's bytes in memory (SQLite's deserialize), for the
 * store fuzz target: read-only, identified like a file. */
int store_open_memory(hc_store **out, const void *bytes, size_t n, char *err,
                      size_t cap);

/* Why the last write failed, in words that say what to do (a full disk,
 * another program holding the store); into buf. */
const char *store_write_error(hc_store *st, char *buf, size_t cap);

/* SQLite's quick_check over the whole file: 0, or -1 with a message naming
 * the damage. For a reader that does not read every page itself. */
int store_check(hc_store *st, char *err, size_t cap);

/* The conversations the batch plans (0 if unknown). */
uint64_t store_planned(hc_store *st);

/* Whether the store has its batch row yet. */
bool store_has_batch(hc_store *st);

/* Create the tables and the batch row for scenario s (a new store), or
 * check that the store's batch is s's (same text hash, seed, profiles) and
 * raise its planned total to `total`. -1 with a message on mismatch. */
int store_bind(hc_store *st, const scenario *s, uint64_t total,
               const char *version, char *err, size_t cap);

/* A run of conversation indices [start, end). */
typedef struct store_range {
  uint64_t start, end;
} store_range;

/* The conversation indices below `total` that lack a row for some profile,
 * as ascending runs (*ranges is malloc'ed; memory grows with the number of
 * holes, not of conversations). Partial conversations are deleted first.
 * *missing receives how many indices the runs hold. */
int store_missing(hc_store *st, uint64_t total, int nprofiles,
                  store_range **ranges, size_t *nranges, uint64_t *missing);

/* Write conversation i's rows, one per profile, in the open transaction. */
int store_put(hc_store *st, const scenario *s, uint64_t i,
              const conv_outcome *outcomes);

int store_begin(hc_store *st);
int store_commit(hc_store *st);

/* Each profile's failed reads (app_reset) k[i] among n[i] conversations below
 * `below`, in the order of s->profiles. */
int store_reset_counts(hc_store *st, uint64_t below, const scenario *s,
                       uint64_t *k, uint64_t *n);

/* Record the sequential stopping rule and where it stopped. */
int store_note_stopping(hc_store *st, const char *text);

/* Mark the batch finished now. */
int store_finish(hc_store *st);

/* The batch's scenario, parsed from the text kept in the store; its
 * profile list is the store's. -1 with a message. */
int store_scenario(hc_store *st, scenario *s, char *err, size_t cap);

/* The row of profile `profile` for conversation i: 1, 0 if there is none,
 * or -1 with a message (a damaged store). */
int store_get(hc_store *st, uint64_t i, const char *profile, conv_outcome *o,
              char *err, size_t cap);

/* Every column of every row, ordered by conversation and profile, as the
 * store holds them (for export.c): open, then next until 0 (the end) or
 * -1 (an error with its message), reading the cells of each row; close. */
typedef struct store_table store_table;
typedef enum store_cell {
  STORE_CELL_NULL,
  STORE_CELL_NUMBER, /* an integer or a real, as text */
  STORE_CELL_TEXT
} store_cell;
int store_table_open(hc_store *st, store_table **t, char *err, size_t cap);
int store_table_columns(const store_table *t);
const char *store_table_column(const store_table *t, int c);
int store_table_next(store_table *t, char *err, size_t cap);
/* Cell c of the current row: its kind, and its text (never NULL; valid
 * until the next row). */
store_cell store_table_cell(const store_table *t, int c, const char **text);
void store_table_close(store_table *t);

/* One stored row: conversation, profile, and the outcome as far as the
 * store keeps it (the outcome's counts and flags, the tick phases, and of
 * the anatomy the FIN's arrival, the redundant ACK and the bytes unread at
 * the FIN; what the store does not keep is zero). `profile` is valid until
 * the next call. */
typedef struct store_row {
  uint64_t conversation;
  const char *profile;
  conv_outcome o;
} store_row;

/* Every row, ordered by conversation: open, then next until it returns 0
 * (the end) or -1 (an error with its message: a damaged store is never a
 * short read), then close. */
typedef struct store_rows store_rows;
int store_rows_open(hc_store *st, store_rows **it, char *err, size_t cap);
int store_rows_next(store_rows *it, store_row *row, char *err, size_t cap);
void store_rows_close(store_rows *it);

/* The batch row: who ran it, when, how far. */
typedef struct store_batch {
  char version[32], started[32], finished[32], host[128];
  uint64_t planned;
  char stopping[512]; /* the sequential stopping rule, or "" */
} store_batch;
void store_batch_info(hc_store *st, store_batch *b);

/* Column name of a parameter or knob key ("delay_ns", "rate_bps"). */
void store_column(const scn_key *k, const hc_param *d, char *buf, size_t cap);

#endif
