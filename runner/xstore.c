/*
 * xstore.c - crosscheck's store: the tables, the rows of each pair, and
 * reading a store back for --against. See crosscheck.h.
 */
#include "crosscheck.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int sql(sqlite3 *db, const char *q, char *err, size_t cap) {
  char *e = NULL;
  if (sqlite3_exec(db, q, NULL, NULL, &e) == SQLITE_OK)
    return 0;
  snprintf(err, cap, "%s", e ? e : sqlite3_errmsg(db));
  sqlite3_free(e);
  return -1;
}

/* An existing --out must be a crosscheck store (it is replaced) or absent:
 * anything else is left alone. 0, or -1 with the reason. */
int xstore_out_check(const char *path, char *err, size_t cap) {
  struct stat sb;
  if (stat(path, &sb) != 0)
    return 0;
  if (!S_ISREG(sb.st_mode)) {
    snprintf(err, cap, "%.400s: not a regular file", path);
    return -1;
  }
  sqlite3 *db = NULL;
  int id = -1;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA application_id", -1, &q, NULL) ==
            SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
      id = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
  }
  sqlite3_close(db);
  if (id == XSTORE_APP_ID)
    return 0;
  snprintf(err, cap,
           "--out=%.400s exists and is not a crosscheck store; left untouched "
           "(choose "
           "another --out)",
           path);
  return -1;
}

/* The pairs table's columns, once: its schema, its essay (the `columns`
 * table of the store) and the insert's placeholders derive from it. */
#define XSTORE_PAIR_COLUMNS(X)                                                 \
  X(conversation, "INTEGER PRIMARY KEY", "index in the scenario")              \
  X(params, "TEXT", "its drawn parameters")                                    \
  X(verdict, "TEXT", "identical, different, timing or failed")                 \
  X(class, "TEXT", "the kind of difference (NULL: the run failed)")            \
  X(first_diff, "INTEGER",                                                     \
    "the kernel's first segment that differs (each direction compared on "     \
    "its own), or NULL")                                                       \
  X(kernel_segment, "TEXT", "that segment")                                    \
  X(model_segment, "TEXT", "the model's counterpart")                          \
  X(kernel_segments, "INTEGER", "segments in the kernel's sequence")           \
  X(model_segments, "INTEGER", "segments in the model's sequence")             \
  X(kernel_seq, "TEXT", "the kernel's sequence, a segment a line")             \
  X(model_seq, "TEXT", "the model's sequence, a segment a line")               \
  X(late_ms, "REAL", "how far the link's events ran behind the wall clock")    \
  X(clock0_ns, "INTEGER",                                                      \
    "the kernels' CLOCK_MONOTONIC at simulated 0, ns (their jiffies and "      \
    "TCP timestamps' milliseconds on the time line), or NULL")                 \
  X(delay_ms, "REAL", "the configured one-way delay")                          \
  X(model_extra_ms, "REAL",                                                    \
    "the model's link longer by this each way: half the kernel's handshake "   \
    "round trip beyond the model's (0: --no_rtt_match)")                       \
  X(c2s_mean_ms, "REAL", "measured one-way delay, client to server, mean")     \
  X(c2s_max_ms, "REAL", "... and greatest")                                    \
  X(s2c_mean_ms, "REAL", "measured one-way delay, server to client, mean")     \
  X(s2c_max_ms, "REAL", "... and greatest")                                    \
  X(frames_off, "INTEGER", "frames more than 1 ms off the configured delay")   \
  X(kernel_app_reset, "INTEGER", "the kernel client's read failed, 0/1")       \
  X(model_app_reset, "INTEGER", "the model client's read failed, 0/1")         \
  X(kernel_bytes_read, "INTEGER", "response bytes the kernel client read")     \
  X(model_bytes_read, "INTEGER", "response bytes the model client read")       \
  X(kernel_completed, "INTEGER", "the kernel conversation completed, 0/1")     \
  X(model_completed, "INTEGER", "the model conversation completed, 0/1")       \
  X(error, "TEXT", "why the run failed, or NULL")                              \
  X(kernel_repeated, "INTEGER",                                                \
    "a differing pair's kernel run again: 1 the same sequence, 0 another, "    \
    "NULL not run or not trusted")                                             \
  X(kernel_seq_again, "TEXT", "that second run's sequence")                    \
  X(model_matches_again, "INTEGER", "the model identical to it, 0/1")

static const struct {
  const char *name, *type, *meaning;
} pair_cols[] = {
#define PCOL(name, type, meaning) {#name, type, meaning},
    XSTORE_PAIR_COLUMNS(PCOL)
#undef PCOL
};
#define NPCOLS (sizeof pair_cols / sizeof pair_cols[0])

/* The tables: the run's settings (crosscheck), a row per pair, and what
 * each column of the pairs means. */
static int create_tables(sqlite3 *db, char *err, size_t cap) {
  char q[4096];
  size_t n = (size_t)snprintf(q, sizeof q,
                              "CREATE TABLE crosscheck(key TEXT PRIMARY KEY, "
                              "value TEXT); CREATE TABLE columns(name TEXT "
                              "PRIMARY KEY, meaning TEXT); CREATE TABLE "
                              "pairs(");
  for (size_t i = 0; i < NPCOLS && n < sizeof q; i++)
    n += (size_t)snprintf(q + n, sizeof q - n, "%s%s %s", i ? ", " : "",
                          pair_cols[i].name, pair_cols[i].type);
  if (n + 3 >= sizeof q)
    return snprintf(err, cap, "the schema is too long"), -1;
  snprintf(q + n, sizeof q - n, ");");
  if (sql(db, q, err, cap) != 0)
    return -1;
  sqlite3_stmt *ins = NULL;
  if (sqlite3_prepare_v2(db, "INSERT INTO columns VALUES(?,?)", -1, &ins,
                         NULL) != SQLITE_OK)
    return snprintf(err, cap, "%s", sqlite3_errmsg(db)), -1;
  int rc = 0;
  for (size_t i = 0; i < NPCOLS && rc == 0; i++) {
    sqlite3_bind_text(ins, 1, pair_cols[i].name, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 2, pair_cols[i].meaning, -1, SQLITE_STATIC);
    rc = sqlite3_step(ins) == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(ins);
  }
  sqlite3_finalize(ins);
  if (rc)
    snprintf(err, cap, "%s", sqlite3_errmsg(db));
  return rc;
}

static const char *const KIND_TEXT[] = {
    "identical",
    "identical but for segments of opposite directions crossing within "
    "1 ms",
    "interleaving: each direction identical, their order differs by more "
    "than 1 ms",
    "a segment the kernel sent or received that the model did not",
    "a segment the model sent or received that the kernel did not",
    "one segment differs",
    "several differences"};

int xstore_put_meta(sqlite3 *db, const char *k, const char *v) {
  sqlite3_stmt *q = NULL;
  int rc = sqlite3_prepare_v2(
      db, "INSERT OR REPLACE INTO crosscheck VALUES(?,?)", -1, &q, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(q, 1, k, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, v, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(q) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
  }
  sqlite3_finalize(q);
  return rc == SQLITE_OK ? 0 : -1;
}

static const char *const VERDICT[] = {"identical", "different", "timing",
                                      "failed"};

int xstore_put_pair(sqlite3 *db, uint64_t i, const xpair *x, verdict v,
                    const char *err) {
  sqlite3_stmt *q = NULL;
  char ins[256] = "INSERT INTO pairs VALUES(";
  for (size_t p = 0; p < NPCOLS; p++) /* a placeholder a column */
    strcat(ins, p ? ",?" : "?");
  strcat(ins, ")");
  if (sqlite3_prepare_v2(db, ins, -1, &q, NULL) != SQLITE_OK)
    return -1;
  /* the first real difference (each direction on its own): the kernel's
   * segment and the model's counterpart there */
  size_t k = SIZE_MAX, km = SIZE_MAX;
  if (x->kind > SEGSEQ_CROSSED &&
      !segseq_first_real_diff(&x->kernel, &x->model, &k, &km))
    k = x->first_diff, km = x->first_diff; /* only the order differs */
  char ks[64] = "", ms[64] = "";
  if (k != SIZE_MAX && k < x->kernel.n)
    segseq_format(&x->kernel.v[k], ks, sizeof ks);
  if (km != SIZE_MAX && km < x->model.n)
    segseq_format(&x->model.v[km], ms, sizeof ms);
  char *kt = segseq_text(&x->kernel), *mt = segseq_text(&x->model);
  int c = 1;
  sqlite3_bind_int64(q, c++, (sqlite3_int64)i);
  sqlite3_bind_text(q, c++, x->params, -1, SQLITE_STATIC);
  sqlite3_bind_text(q, c++, VERDICT[v], -1, SQLITE_STATIC);
  if (v == V_FAILED)
    sqlite3_bind_null(q, c++);
  else
    sqlite3_bind_text(q, c++, KIND_TEXT[x->kind], -1, SQLITE_STATIC);
  if (k == SIZE_MAX || v == V_FAILED) {
    sqlite3_bind_null(q, c++);
    sqlite3_bind_null(q, c++);
    sqlite3_bind_null(q, c++);
  } else {
    sqlite3_bind_int64(q, c++, (sqlite3_int64)k);
    sqlite3_bind_text(q, c++, ks, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, c++, ms, -1, SQLITE_STATIC);
  }
  sqlite3_bind_int64(q, c++, (sqlite3_int64)x->kernel.n);
  sqlite3_bind_int64(q, c++, (sqlite3_int64)x->model.n);
  sqlite3_bind_text(q, c++, kt ? kt : "", -1, SQLITE_STATIC);
  sqlite3_bind_text(q, c++, mt ? mt : "", -1, SQLITE_STATIC);
  sqlite3_bind_double(q, c++, x->t.late_ms);
  if (x->t.clock0_ns >= 0)
    sqlite3_bind_int64(q, c++, x->t.clock0_ns);
  else
    sqlite3_bind_null(q, c++);
  sqlite3_bind_double(q, c++, (double)x->p.delay_ns / 1e6);
  sqlite3_bind_double(q, c++, (double)x->extra_ns / 1e6);
  sqlite3_bind_double(q, c++, x->t.mean_ms[0]);
  sqlite3_bind_double(q, c++, x->t.max_ms[0]);
  sqlite3_bind_double(q, c++, x->t.mean_ms[1]);
  sqlite3_bind_double(q, c++, x->t.max_ms[1]);
  sqlite3_bind_int64(q, c++, (sqlite3_int64)(x->t.off[0] + x->t.off[1]));
  sqlite3_bind_int(q, c++, x->ko.app_reset);
  sqlite3_bind_int(q, c++, x->mo.app_reset);
  sqlite3_bind_int64(q, c++, (sqlite3_int64)x->ko.bytes_read);
  sqlite3_bind_int64(q, c++, (sqlite3_int64)x->mo.bytes_read);
  sqlite3_bind_int(q, c++, x->ko.completed);
  sqlite3_bind_int(q, c++, x->mo.completed);
  if (err && err[0])
    sqlite3_bind_text(q, c++, err, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null(q, c++);
  sqlite3_bind_null(q, c++); /* kernel_repeated, kernel_seq_again, */
  sqlite3_bind_null(q, c++); /* model_matches_again: the second pass */
  sqlite3_bind_null(q, c++);
  int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : -1;
  sqlite3_finalize(q);
  free(kt);
  free(mt);
  return rc;
}

const char *xstore_kind_text(segseq_kind k) {
  return KIND_TEXT[k];
}

int xstore_create(const char *path, sqlite3 **db, char *err, size_t cap) {
  *db = NULL;
  if (sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                      NULL) != SQLITE_OK) {
    snprintf(err, cap, "%s", *db ? sqlite3_errmsg(*db) : "cannot open");
    return -1;
  }
  return create_tables(*db, err, cap);
}

int xstore_finish(sqlite3 *db, char *err, size_t cap) {
  char q[64];
  snprintf(q, sizeof q, "PRAGMA application_id=%d", XSTORE_APP_ID);
  return sql(db, q, err, cap);
}

int xstore_put_repeat(sqlite3 *db, uint64_t i, int same, const char *text,
                      int model) {
  sqlite3_stmt *q = NULL;
  int rc = sqlite3_prepare_v2(db,
                              "UPDATE pairs SET kernel_repeated = ?, "
                              "kernel_seq_again = ?, model_matches_again = ? "
                              "WHERE conversation = ?",
                              -1, &q, NULL);
  if (rc == SQLITE_OK) {
    if (same < 0) {
      sqlite3_bind_null(q, 1);
      sqlite3_bind_null(q, 2);
      sqlite3_bind_null(q, 3);
    } else {
      sqlite3_bind_int(q, 1, same);
      sqlite3_bind_text(q, 2, text ? text : "", -1, SQLITE_STATIC);
      sqlite3_bind_int(q, 3, model);
    }
    sqlite3_bind_int64(q, 4, (sqlite3_int64)i);
    rc = sqlite3_step(q) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
  }
  sqlite3_finalize(q);
  return rc == SQLITE_OK ? 0 : -1;
}

/* --against: a crosscheck store of the same scenario, opened read-only;
 * *n: its conversations (0..n-1), *kernel: the kernel it ran. */
sqlite3 *xstore_against_open(const char *path, const scenario *s, uint64_t *n,
                             char *kernel, size_t kcap, char *err, size_t cap) {
  sqlite3 *db = NULL;
  sqlite3_stmt *q = NULL;
  int id = -1;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2(db, "PRAGMA application_id", -1, &q, NULL) ==
          SQLITE_OK &&
      sqlite3_step(q) == SQLITE_ROW)
    id = sqlite3_column_int(q, 0);
  sqlite3_finalize(q);
  if (id != XSTORE_APP_ID) {
    snprintf(err, cap, "--against=%.400s: not a crosscheck store", path);
    sqlite3_close(db);
    return NULL;
  }
  bool same = false;
  kernel[0] = 0;
  if (sqlite3_prepare_v2(db, "SELECT key, value FROM crosscheck", -1, &q,
                         NULL) == SQLITE_OK)
    while (sqlite3_step(q) == SQLITE_ROW) {
      const char *k = (const char *)sqlite3_column_text(q, 0),
                 *v = (const char *)sqlite3_column_text(q, 1);
      if (k && v && strcmp(k, "scenario_text") == 0)
        same = strcmp(v, s->text) == 0;
      if (k && v && strcmp(k, "kernel") == 0)
        snprintf(kernel, kcap, "%s", v);
    }
  sqlite3_finalize(q);
  int64_t count = -1, max = -1;
  if (sqlite3_prepare_v2(db, "SELECT count(*), max(conversation) FROM pairs",
                         -1, &q, NULL) == SQLITE_OK &&
      sqlite3_step(q) == SQLITE_ROW) {
    count = sqlite3_column_int64(q, 0);
    max = sqlite3_column_type(q, 1) == SQLITE_NULL ? -1
                                                   : sqlite3_column_int64(q, 1);
  }
  sqlite3_finalize(q);
  if (!same || count < 1 || max + 1 != count) {
    snprintf(err, cap, "--against=%.400s: %s", path,
             !same ? "made from another scenario text than this one"
                   : "its conversations are not 0 to n-1");
    sqlite3_close(db);
    return NULL;
  }
  *n = (uint64_t)count;
  return db;
}

/* Every stored kernel run below `total` to fn, as if just emulated. */
int xstore_against_run(sqlite3 *db, uint64_t total, xdone_fn fn, void *ctx,
                       char *err, size_t cap) {
  sqlite3_stmt *q = NULL;
  /* a store from before clock0_ns (format 2) places no clock */
  bool has_clock = sqlite3_prepare_v2(db, "SELECT clock0_ns FROM pairs", -1, &q,
                                      NULL) == SQLITE_OK;
  sqlite3_finalize(q);
  q = NULL;
  char sel[512];
  snprintf(sel, sizeof sel,
           "SELECT conversation, verdict, kernel_seq, late_ms, c2s_mean_ms, "
           "c2s_max_ms, s2c_mean_ms, s2c_max_ms, frames_off, "
           "kernel_app_reset, kernel_bytes_read, kernel_completed, error, %s "
           "FROM pairs ORDER BY conversation",
           has_clock ? "clock0_ns" : "NULL");
  int rc = sqlite3_prepare_v2(db, sel, -1, &q, NULL);
  while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
    uint64_t i = (uint64_t)sqlite3_column_int64(q, 0);
    if (i >= total) { /* ordered: the rest are beyond --conversations */
      rc = SQLITE_DONE;
      break;
    }
    const char *vd = (const char *)sqlite3_column_text(q, 1),
               *text = (const char *)sqlite3_column_text(q, 2),
               *e = (const char *)sqlite3_column_text(q, 12);
    /* the store is untrusted: a known verdict, times that are finite and
     * not negative, and a kernel sequence unless the run failed */
    static const char *const verdicts[] = {"identical", "different", "timing",
                                           "failed"};
    bool known = false;
    for (size_t v = 0; vd && v < 4; v++)
      known = known || strcmp(vd, verdicts[v]) == 0;
    const char *why = !known ? "verdict: expected identical, different, "
                               "timing or failed"
                             : NULL;
    for (int c = 3; !why && c <= 7; c++) {
      double x = sqlite3_column_double(q, c);
      if (sqlite3_column_type(q, c) == SQLITE_NULL || !(x >= 0) ||
          !(x <= 86400e3))
        why = "a timing column (late_ms, c2s_*, s2c_*): expected a number "
              "of ms from 0";
    }
    if (!why && sqlite3_column_type(q, 13) != SQLITE_NULL &&
        (sqlite3_column_type(q, 13) != SQLITE_INTEGER ||
         sqlite3_column_int64(q, 13) < 0))
      why = "clock0_ns: expected NULL or a whole number of ns from 0";
    if (!why && strcmp(vd, "failed") != 0 && (!text || !*text))
      why = "kernel_seq: empty, but the kernel run did not fail";
    if (why) {
      snprintf(err, cap, "table pairs, conversation %" PRIu64 ", column %s", i,
               why);
      sqlite3_finalize(q);
      return -2;
    }
    xrec r;
    memset(&r, 0, sizeof r);
    r.index = i;
    r.t.trusted = !vd || strcmp(vd, "timing") != 0;
    r.t.rt_priority = true;
    r.t.late_ms = sqlite3_column_double(q, 3);
    r.t.clock0_ns = sqlite3_column_type(q, 13) == SQLITE_NULL
                        ? -1
                        : sqlite3_column_int64(q, 13);
    r.t.mean_ms[0] = sqlite3_column_double(q, 4);
    r.t.max_ms[0] = sqlite3_column_double(q, 5);
    r.t.mean_ms[1] = sqlite3_column_double(q, 6);
    r.t.max_ms[1] = sqlite3_column_double(q, 7);
    r.t.off[0] = (uint64_t)sqlite3_column_int64(q, 8);
    r.o.app_reset = sqlite3_column_int(q, 9) != 0;
    r.o.bytes_read = (uint64_t)sqlite3_column_int64(q, 10);
    r.o.completed = sqlite3_column_int(q, 11) != 0;
    seg_seq k;
    segseq_init(&k);
    int line = 0;
    if (segseq_parse(&k, text ? text : "", &line) != 0) {
      snprintf(err, cap,
               "table pairs, conversation %" PRIu64 ", column kernel_seq, "
               "line %d: expected \"MS C>S|S>C FLAGS SEQ ACK LEN\" with a "
               "time from 0 to 86400000 ms",
               i, line);
      segseq_free(&k);
      sqlite3_finalize(q);
      return -2;
    }
    r.nsegs = (uint32_t)k.n;
    bool failed = vd && strcmp(vd, "failed") == 0;
    /* a failed run always says so, even when its error text is empty */
    if (fn(ctx, i, &r, k.v, failed ? (e && *e ? e : "failed") : "") != 0) {
      sqlite3_finalize(q);
      return -1;
    }
    rc = SQLITE_OK;
  }
  if (rc != SQLITE_DONE)
    snprintf(err, cap, "%s", sqlite3_errmsg(db));
  sqlite3_finalize(q);
  return rc == SQLITE_DONE ? 0 : -1;
}
