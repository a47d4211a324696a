/*
 * store.c - see store.h.
 *
 * The insert statement is prepared once per store; the caller groups
 * conversations into transactions. WAL journaling with synchronous=NORMAL
 * keeps every committed transaction across a killed process.
 */
#include "store.h"

#include "outcome_cols.h"

#include <ctype.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct hc_store {
  sqlite3 *db;
  sqlite3_stmt *ins; /* the row insert, once the schema is known */
  char path[512];
  char profiles[SCN_MAX_PROFILES][48];
  int nprofiles;
  bool readonly; /* opened by a reader: nothing is ever written */
  int lock_fd;   /* a writer's flock on the file, or -1 */
};

/* The outcome columns, after the parameters. */
typedef struct ocol {
  const char *name;
  const char *unit;
  const char *meaning;
} ocol;

static const ocol outcome_cols[] = {
#define OCOL(name, unit, kind, member, present, meaning) {#name, unit, meaning},
    CONV_OUTCOME_COLUMNS(OCOL)
#undef OCOL
};
#define NOCOLS (sizeof outcome_cols / sizeof outcome_cols[0])

/* Text column i of a row, "" where a damaged or foreign store holds NULL
 * (sqlite3_column_text gives NULL there). */
static const char *store_col_text(sqlite3_stmt *q, int i) {
  const unsigned char *t = sqlite3_column_text(q, i);
  return t ? (const char *)t : "";
}

static int fail(char *err, size_t cap, const char *fmt, const char *a,
                const char *b) {
  if (err)
    snprintf(err, cap, fmt, a, b);
  return -1;
}

/* A value read back that is out of its range: the store is untrusted
 * input, and the message names the store, table, row and column. */
static int bad_value(const hc_store *st, char *err, size_t cap,
                     const char *table, const char *row, const char *col,
                     const char *want) {
  if (err)
    snprintf(err, cap, "%s: table %s, %s, column %s: %s", st->path, table, row,
             col, want);
  return -1;
}

/* A store of a format this halfclose does not read: format 1's outcomes
 * had other definitions, so it is never read as if they were the same. */
static int format_error(hc_store *st, int format, char *err, size_t cap) {
  char f[16];
  snprintf(f, sizeof f, "%d", format);
  if (format == 1)
    return fail(err, cap,
                "%s: store format %s, written by an older halfclose whose "
                "outcomes client_reset and app_error are defined "
                "differently; run the scenario again into a new store "
                "(halfclose run SCENARIO --out=NEW.db)",
                st->path, f);
  if (format == 2)
    return fail(err, cap,
                "%s: store format %s, written by an older halfclose without "
                "the reset_cause column; run the scenario again into a new "
                "store (halfclose run SCENARIO --out=NEW.db)",
                st->path, f);
  if (format == 3)
    return fail(err, cap,
                "%s: store format %s, written by an older halfclose without "
                "the failed_reset and failed_eof columns; run the scenario "
                "again into a new store (halfclose run SCENARIO --out=NEW.db)",
                st->path, f);
  if (err)
    snprintf(err, cap, "%s: store format %s; this halfclose reads format %d",
             st->path, f, STORE_FORMAT);
  return -1;
}

/* SQLite's application_id of a halfclose store: "HCls". */
#define STORE_APP_ID 0x48436c73

/* Whether `path-wal` holds frames a reader would need. */
static bool wal_pending(const char *path) {
  char wal[600];
  snprintf(wal, sizeof wal, "%s-wal", path);
  struct stat sb;
  return stat(wal, &sb) == 0 && sb.st_size > 0;
}

/* file:PATH?immutable=1 with the path percent-encoded. */
static void immutable_uri(const char *path, char *buf, size_t cap) {
  size_t n = (size_t)snprintf(buf, cap, "file:");
  for (const unsigned char *c = (const unsigned char *)path; *c && n + 4 < cap;
       c++)
    n += (size_t)(isalnum(*c) || strchr("/._-~", *c)
                      ? snprintf(buf + n, cap - n, "%c", *c)
                      : snprintf(buf + n, cap - n, "%%%02X", *c));
  snprintf(buf + n, cap - n, "?immutable=1");
}

/*
 * Is the open database a halfclose store? Reads SQLite's header field
 * application_id and nothing else, so a foreign file is never changed. An
 * SQLite database without a single table counts as empty (`*empty`): what
 * a run killed before its first commit leaves behind.
 */
static int identify(hc_store *st, bool *empty, char *err, size_t cap) {
  sqlite3_stmt *q = NULL;
  int id = -1,
      rc = sqlite3_prepare_v2(st->db, "PRAGMA application_id", -1, &q, NULL);
  if (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW)
    id = sqlite3_column_int(q, 0);
  sqlite3_finalize(q);
  if (id < 0)
    return fail(err, cap, "%s: not an SQLite results store (%s)", st->path,
                sqlite3_errmsg(st->db));
  *empty = false;
  if (id == STORE_APP_ID)
    return 0;
  int tables = -1;
  if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM sqlite_master", -1, &q,
                         NULL) == SQLITE_OK &&
      sqlite3_step(q) == SQLITE_ROW)
    tables = sqlite3_column_int(q, 0);
  sqlite3_finalize(q);
  if (tables == 0) {
    *empty = true;
    return 0;
  }
  int format = -1;
  if (sqlite3_prepare_v2(st->db, "SELECT format FROM batch", -1, &q, NULL) ==
          SQLITE_OK &&
      sqlite3_step(q) == SQLITE_ROW)
    format = sqlite3_column_int(q, 0);
  sqlite3_finalize(q);
  if (format == 1 || format == 2)
    return format_error(st, format, err, cap);
  return fail(err, cap,
              "%s: an SQLite database, but not a halfclose results store "
              "(no halfclose application id); left untouched%s",
              st->path, "");
}

int store_open(hc_store **out, const char *path, store_mode mode, char *err,
               size_t cap) {
  hc_store *st = calloc(1, sizeof *st);
  if (!st)
    return fail(err, cap, "%s: out of memory%s", path, "");
  snprintf(st->path, sizeof st->path, "%s", path);
  st->readonly = mode == STORE_READ;
  st->lock_fd = -1;
  struct stat sb;
  bool exists = stat(path, &sb) == 0;
  if (!exists && mode != STORE_CREATE) {
    free(st);
    return fail(err, cap, "%s: no such store%s", path, "");
  }
  if (exists && !S_ISREG(sb.st_mode)) {
    free(st);
    return fail(err, cap, "%s: not a regular file, not a results store%s", path,
                "");
  }
  if (exists && sb.st_size == 0 && mode == STORE_READ) {
    free(st);
    return fail(err, cap, "%s: an empty file, not a results store%s", path, "");
  }
  int flags = mode == STORE_READ ? SQLITE_OPEN_READONLY
              : mode == STORE_CREATE
                  ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                  : SQLITE_OPEN_READWRITE;
  int rc = sqlite3_open_v2(path, &st->db, flags, NULL);
  /* before the first read: another process may hold a lock for a moment
   * (a reader's checkpoint as it closes), which is no reason to fail */
  if (rc == SQLITE_OK)
    sqlite3_busy_timeout(st->db, 5000);
  bool empty = false;
  int id = rc == SQLITE_OK && (!exists || sb.st_size > 0)
               ? identify(st, &empty, err, cap)
               : 0;
  if (rc == SQLITE_OK && id != 0 && mode == STORE_READ &&
      sqlite3_errcode(st->db) == SQLITE_CANTOPEN && !wal_pending(path)) {
    /* a store left in WAL mode on media we cannot write: nothing is
     * pending in a -wal file, so the file alone is the whole store */
    char uri[1400];
    immutable_uri(path, uri, sizeof uri);
    sqlite3_close(st->db);
    st->db = NULL;
    rc = sqlite3_open_v2(uri, &st->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
                         NULL);
    if (rc == SQLITE_OK)
      sqlite3_busy_timeout(st->db, 5000);
    id = rc == SQLITE_OK ? identify(st, &empty, err, cap) : 0;
  }
  if (rc != SQLITE_OK) {
    fail(err, cap, "%s: cannot open: %s", path,
         st->db ? sqlite3_errmsg(st->db) : "out of memory");
    store_close(st);
    return -1;
  }
  if (id != 0) {
    store_close(st);
    return -1;
  }
  if (empty && mode == STORE_READ) {
    store_close(st);
    return fail(err, cap, "%s: an empty database, not a results store%s", path,
                "");
  }
  if (mode != STORE_READ) {
    /* one writer at a time: a flock (SQLite's own locks are fcntl locks,
     * independent of it); held until store_close, after SQLite closes */
    st->lock_fd = open(path, O_RDONLY | O_CLOEXEC);
    if (st->lock_fd < 0 || flock(st->lock_fd, LOCK_EX | LOCK_NB) != 0) {
      fail(err, cap,
           "%s: another halfclose run is writing to this store; wait for "
           "it to end, or use another --out%s",
           path, "");
      store_close(st);
      return -2;
    }
    /* a store to resume must be whole: a damaged b-tree can hide rows
     * from store_missing, or take new ones into damaged pages. Checked
     * before anything (the journal mode included) writes to it, once per
     * run: at the opening that decides to resume (STORE_CREATE); the
     * opens that follow in the same run (STORE_WRITE) find it so */
    if (!empty && mode == STORE_CREATE && store_check(st, err, cap) != 0) {
      size_t n = err ? strlen(err) : cap;
      if (n < cap)
        snprintf(err + n, cap - n,
                 "; refusing to resume into it (it is left as it is: keep "
                 "it for its readers, and run into another --out)");
      store_close(st);
      return -1;
    }
    char *msg = NULL;
    if (sqlite3_exec(st->db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                     NULL, NULL, &msg) != SQLITE_OK) {
      fail(err, cap, "%s: cannot use the store (%s)", path, msg ? msg : "?");
      sqlite3_free(msg);
      store_close(st);
      return -1;
    }
  }
  *out = st;
  return 0;
}

int store_open_memory(hc_store **out, const void *bytes, size_t n, char *err,
                      size_t cap) {
  hc_store *st = calloc(1, sizeof *st);
  if (!st)
    return fail(err, cap, "(memory): out of memory%s", "", "");
  snprintf(st->path, sizeof st->path, "(memory)");
  st->readonly = true;
  st->lock_fd = -1;
  unsigned char *copy = n ? sqlite3_malloc64(n) : NULL;
  if ((n && !copy) ||
      sqlite3_open_v2(":memory:", &st->db, SQLITE_OPEN_READWRITE, NULL) !=
          SQLITE_OK) {
    sqlite3_free(copy);
    store_close(st);
    return fail(err, cap, "(memory): cannot open%s", "", "");
  }
  if (n)
    memcpy(copy, bytes, n);
  if (sqlite3_deserialize(st->db, "main", copy, (sqlite3_int64)n,
                          (sqlite3_int64)n,
                          SQLITE_DESERIALIZE_FREEONCLOSE |
                              SQLITE_DESERIALIZE_READONLY) != SQLITE_OK) {
    store_close(st);
    return fail(err, cap, "(memory): not an SQLite database%s", "", "");
  }
  bool empty = false;
  if (identify(st, &empty, err, cap) != 0 || empty) {
    if (empty)
      fail(err, cap, "(memory): an empty database%s", "", "");
    store_close(st);
    return -1;
  }
  *out = st;
  return 0;
}

void store_close(hc_store *st) {
  if (!st)
    return;
  sqlite3_finalize(st->ins);
  /* a writer leaves a single file behind (no -wal, no -shm), so a reader
   * can open the store anywhere, read-only media included; if another
   * connection still has it, it stays in WAL mode for now */
  if (st->db && !st->readonly && st->lock_fd >= 0)
    sqlite3_exec(st->db, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
  sqlite3_close(st->db);
  if (st->lock_fd >= 0)
    close(st->lock_fd);
  free(st);
}

void store_forget_in_child(hc_store *st) {
  if (st && st->lock_fd >= 0) {
    close(st->lock_fd); /* the parent's copy keeps the lock */
    st->lock_fd = -1;
  }
}

const char *store_write_error(hc_store *st, char *buf, size_t cap) {
  int code = sqlite3_errcode(st->db) & 0xff;
  snprintf(buf, cap, "%s%s", sqlite3_errmsg(st->db),
           code == SQLITE_FULL
               ? ": the disk is full. The store is intact: it holds every "
                 "conversation committed before, whole; free space and run "
                 "the same command again to resume"
           : code == SQLITE_BUSY || code == SQLITE_LOCKED
               ? ": another program holds the store"
           : code == SQLITE_IOERR
               ? ": an I/O error. The store holds every conversation "
                 "committed before, whole; run again to resume"
               : "");
  return buf;
}

int store_check(hc_store *st, char *err, size_t cap) {
  sqlite3_stmt *q;
  const char *verdict = NULL;
  int rv = -1;
  if (sqlite3_prepare_v2(st->db, "PRAGMA quick_check", -1, &q, NULL) ==
          SQLITE_OK &&
      sqlite3_step(q) == SQLITE_ROW) {
    verdict = (const char *)sqlite3_column_text(q, 0);
    rv = verdict && strcmp(verdict, "ok") == 0 ? 0 : -1;
  }
  if (rv != 0)
    fail(err, cap, "%s: the store is damaged: %s", st->path,
         verdict ? verdict : sqlite3_errmsg(st->db));
  sqlite3_finalize(q);
  return rv;
}

uint64_t store_planned(hc_store *st) {
  sqlite3_stmt *q;
  uint64_t n = 0;
  if (sqlite3_prepare_v2(st->db, "SELECT conversations FROM batch", -1, &q,
                         NULL) == SQLITE_OK &&
      sqlite3_step(q) == SQLITE_ROW)
    n = (uint64_t)sqlite3_column_int64(q, 0);
  sqlite3_finalize(q);
  return n;
}

bool store_has_batch(hc_store *st) {
  sqlite3_stmt *q;
  bool has = false;
  if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM batch", -1, &q, NULL) ==
          SQLITE_OK &&
      sqlite3_step(q) == SQLITE_ROW)
    has = sqlite3_column_int(q, 0) == 1;
  sqlite3_finalize(q);
  return has;
}

void store_column(const scn_key *k, const hc_param *d, char *buf, size_t cap) {
  const char *name = d ? d->key : k->name;
  hc_kind kind = d ? d->kind : k->kind;
  const char *suffix = "";
  if (k && k->words)
    suffix = "";
  else if (kind == HC_TIME)
    suffix = "_ns";
  else if (kind == HC_RATE)
    suffix = "_bps";
  else if (kind == HC_BYTES)
    suffix = "_bytes";
  snprintf(buf, cap, "%s%s", name, suffix);
}

static const char *unit_of(hc_kind k, bool mode) {
  if (mode)
    return "text";
  switch (k) {
  case HC_TIME:
    return "ns";
  case HC_RATE:
    return "bit/s";
  case HC_BYTES:
    return "bytes";
  case HC_PROB:
    return "probability";
  case HC_COUNT:
    return "count";
  case HC_BOOL:
    return "0/1";
  }
  return "";
}

/* Append to a growing SQL string. */
typedef struct sbuf {
  char *s;
  size_t n, cap;
} sbuf;

static void put(sbuf *b, const char *t) {
  size_t k = strlen(t);
  if (b->n + k + 1 > b->cap) {
    b->cap = (b->n + k + 1) * 2;
    char *p = realloc(b->s, b->cap);
    if (!p)
      abort();
    b->s = p;
  }
  memcpy(b->s + b->n, t, k + 1);
  b->n += k;
}

/* Column names of conversations, in order, into cols (each up to 48). */
static int column_names(const scenario *s, char cols[][48], hc_kind *kinds,
                        bool *modes) {
  int n = 0;
  size_t np;
  const hc_param *t = hc_params(&np);
  for (size_t i = 0; i < np; i++) {
    store_column(NULL, &t[i], cols[n], 48);
    kinds[n] = t[i].kind;
    modes[n] = false;
    n++;
  }
  for (int k = 0; k < s->nkeys; k++) {
    if (s->keys[k].param)
      continue;
    store_column(&s->keys[k], NULL, cols[n], 48);
    kinds[n] = s->keys[k].kind;
    modes[n] = s->keys[k].words != NULL;
    n++;
  }
  return n;
}

/* A store written before a parameter existed lacks its column. Its
 * scenario could not set the parameter (that halfclose refused unknown
 * keys), so every row ran at the default: the column is added with the
 * default as its value, and the store resumes. 0, or -1. */
static int add_missing_params(hc_store *st) {
  size_t np;
  const hc_param *t = hc_params(&np);
  for (size_t i = 0; i < np; i++) {
    char col[64], sql[256];
    store_column(NULL, &t[i], col, sizeof col);
    sqlite3_stmt *q;
    snprintf(sql, sizeof sql,
             "SELECT 1 FROM pragma_table_info('conversations') WHERE name = "
             "'%s'",
             col);
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
      return -1;
    bool have = sqlite3_step(q) == SQLITE_ROW;
    sqlite3_finalize(q);
    if (have)
      continue;
    if (t[i].kind == HC_PROB)
      snprintf(sql, sizeof sql,
               "ALTER TABLE conversations ADD COLUMN %s REAL NOT NULL "
               "DEFAULT %.17g",
               col, t[i].def);
    else
      snprintf(sql, sizeof sql,
               "ALTER TABLE conversations ADD COLUMN %s INTEGER NOT NULL "
               "DEFAULT %lld",
               col, (long long)t[i].def);
    if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
      return -1;
  }
  return 0;
}

static int prepare_insert(hc_store *st, const scenario *s) {
  char cols[SCN_MAX_KEYS + 32][48];
  hc_kind kinds[SCN_MAX_KEYS + 32];
  bool modes[SCN_MAX_KEYS + 32];
  int nc = column_names(s, cols, kinds, modes);
  sbuf b = {0};
  put(&b, "INSERT INTO conversations (conversation, profile, cell");
  for (int i = 0; i < nc; i++) {
    put(&b, ", ");
    put(&b, cols[i]);
  }
  for (size_t i = 0; i < NOCOLS; i++) {
    put(&b, ", ");
    put(&b, outcome_cols[i].name);
  }
  put(&b, ") VALUES (?, ?, ?");
  for (size_t i = 0; i < nc + NOCOLS; i++)
    put(&b, ", ?");
  put(&b, ")");
  int rv = sqlite3_prepare_v2(st->db, b.s, -1, &st->ins, NULL);
  free(b.s);
  return rv == SQLITE_OK ? 0 : -1;
}

static int create_schema(hc_store *st, const scenario *s, char *err,
                         size_t cap) {
  char cols[SCN_MAX_KEYS + 32][48];
  hc_kind kinds[SCN_MAX_KEYS + 32];
  bool modes[SCN_MAX_KEYS + 32];
  int nc = column_names(s, cols, kinds, modes);
  sbuf b = {0};
  put(&b, "CREATE TABLE batch (id INTEGER PRIMARY KEY CHECK (id = 1), "
          "format INTEGER NOT NULL, halfclose_version TEXT NOT NULL, "
          "scenario_path TEXT NOT NULL, scenario_name TEXT NOT NULL, "
          "scenario_text TEXT NOT NULL, scenario_hash TEXT NOT NULL, "
          "question TEXT NOT NULL, seed INTEGER NOT NULL, "
          "conversations INTEGER NOT NULL, per_cell INTEGER NOT NULL, "
          "cells INTEGER NOT NULL, profiles TEXT NOT NULL, "
          "server_profile TEXT NOT NULL, host TEXT NOT NULL, "
          "started TEXT NOT NULL, finished TEXT, stopping TEXT, "
          "draw_version INTEGER);"
          "CREATE TABLE columns (name TEXT PRIMARY KEY, unit TEXT NOT NULL, "
          "meaning TEXT NOT NULL);"
          "CREATE TABLE conversations (conversation INTEGER NOT NULL, "
          "profile TEXT NOT NULL, cell INTEGER NOT NULL");
  for (int i = 0; i < nc; i++) {
    put(&b, ", ");
    put(&b, cols[i]);
    put(&b, modes[i] ? " TEXT" : kinds[i] == HC_PROB ? " REAL" : " INTEGER");
  }
  for (size_t i = 0; i < NOCOLS; i++) {
    put(&b, ", ");
    put(&b, outcome_cols[i].name);
    put(&b, strcmp(outcome_cols[i].unit, "text") == 0 ? " TEXT" : " INTEGER");
  }
  put(&b, ", PRIMARY KEY (conversation, profile)) WITHOUT ROWID;");
  char *msg = NULL;
  int rv = sqlite3_exec(st->db, b.s, NULL, NULL, &msg);
  free(b.s);
  if (rv != SQLITE_OK) {
    fail(err, cap, "%s: cannot create the store: %s", st->path,
         msg ? msg : "?");
    sqlite3_free(msg);
    return -1;
  }
  /* document the columns */
  sqlite3_stmt *q;
  sqlite3_prepare_v2(st->db, "INSERT INTO columns VALUES (?, ?, ?)", -1, &q,
                     NULL);
  static const ocol fixed[] = {
      {"conversation", "index", "conversation index in the batch"},
      {"profile", "text", "client profile"},
      {"cell", "index", "grid cell (conversation mod cells)"}};
  for (size_t i = 0; i < 3; i++) {
    sqlite3_bind_text(q, 1, fixed[i].name, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, fixed[i].unit, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, fixed[i].meaning, -1, SQLITE_STATIC);
    sqlite3_step(q);
    sqlite3_reset(q);
  }
  size_t np;
  const hc_param *t = hc_params(&np);
  for (int i = 0; i < nc; i++) {
    const char *meaning = "profile knob set by the scenario";
    for (size_t j = 0; j < np; j++) {
      char c[48];
      store_column(NULL, &t[j], c, sizeof c);
      if (strcmp(c, cols[i]) == 0)
        meaning = t[j].help;
    }
    sqlite3_bind_text(q, 1, cols[i], -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, unit_of(kinds[i], modes[i]), -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, meaning, -1, SQLITE_STATIC);
    sqlite3_step(q);
    sqlite3_reset(q);
  }
  for (size_t i = 0; i < NOCOLS; i++) {
    sqlite3_bind_text(q, 1, outcome_cols[i].name, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, outcome_cols[i].unit, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, outcome_cols[i].meaning, -1, SQLITE_STATIC);
    sqlite3_step(q);
    sqlite3_reset(q);
  }
  sqlite3_finalize(q);
  return 0;
}

static void now_iso(char *buf, size_t cap) {
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void profiles_text(const scenario *s, char *buf, size_t cap) {
  buf[0] = 0;
  for (int i = 0; i < s->nprofiles; i++) {
    if (i)
      strncat(buf, ",", cap - strlen(buf) - 1);
    strncat(buf, s->profiles[i], cap - strlen(buf) - 1);
  }
}

/* The batch row's columns `cols` (the first must be format) in *q, stepped
 * to the row, the format checked. -1 with a message, *q finalized. */
static int batch_row(hc_store *st, const char *cols, sqlite3_stmt **q,
                     char *err, size_t cap) {
  char sql[256];
  snprintf(sql, sizeof sql, "SELECT %s FROM batch", cols);
  int rc = sqlite3_prepare_v2(st->db, sql, -1, q, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step(*q);
  if (rc != SQLITE_ROW) {
    char why[300];
    snprintf(why, sizeof why, "%s",
             rc == SQLITE_DONE ? "its batch table is empty"
                               : sqlite3_errmsg(st->db));
    sqlite3_finalize(*q);
    *q = NULL;
    return fail(err, cap, "%s: not a whole halfclose results store: %s",
                st->path, why);
  }
  int format = sqlite3_column_int(*q, 0);
  if (format != STORE_FORMAT) {
    sqlite3_finalize(*q);
    *q = NULL;
    return format_error(st, format, err, cap);
  }
  return 0;
}

int store_bind(hc_store *st, const scenario *s, uint64_t total,
               const char *version, char *err, size_t cap) {
  char hash[32], profs[512];
  snprintf(hash, sizeof hash, "%016" PRIx64, s->hash);
  profiles_text(s, profs, sizeof profs);
  for (int i = 0; i < s->nprofiles; i++)
    snprintf(st->profiles[i], sizeof st->profiles[i], "%s", s->profiles[i]);
  st->nprofiles = s->nprofiles;
  if (!store_has_batch(st)) {
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA application_id=%d", STORE_APP_ID);
    if (sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK ||
        create_schema(st, s, err, cap) != 0)
      return -1;
    sqlite3_stmt *q;
    sqlite3_prepare_v2(st->db,
                       "INSERT INTO batch VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, "
                       "?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?)",
                       -1, &q, NULL);
    char host[256] = "unknown", started[32];
    gethostname(host, sizeof host - 1);
    now_iso(started, sizeof started);
    sqlite3_bind_int(q, 1, STORE_FORMAT);
    sqlite3_bind_int(q, 16, SCN_DRAW_VERSION);
    sqlite3_bind_text(q, 2, version, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, s->path, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, s->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, s->text, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 6, hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 7, s->question, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 8, (sqlite3_int64)s->seed);
    sqlite3_bind_int64(q, 9, (sqlite3_int64)total);
    sqlite3_bind_int64(q, 10, (sqlite3_int64)(total / s->cells));
    sqlite3_bind_int64(q, 11, (sqlite3_int64)s->cells);
    sqlite3_bind_text(q, 12, profs, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 13, s->server_profile, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 14, host, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 15, started, -1, SQLITE_STATIC);
    int rv = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rv != SQLITE_DONE ||
        sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
      return fail(err, cap, "%s: cannot write: %s", st->path,
                  sqlite3_errmsg(st->db));
    return prepare_insert(st, s) == 0
               ? 0
               : fail(err, cap, "%s: %s", st->path, sqlite3_errmsg(st->db));
  }
  /* an existing store (checked whole by store_open): it must be this
   * batch */
  sqlite3_stmt *q;
  if (batch_row(st,
                "format, scenario_hash, seed, profiles, scenario_path, "
                "conversations",
                &q, err, cap) != 0)
    return -1;
  char old_hash[32], old_profs[512], old_path[512];
  snprintf(old_hash, sizeof old_hash, "%s", store_col_text(q, 1));
  uint64_t old_seed = (uint64_t)sqlite3_column_int64(q, 2);
  snprintf(old_profs, sizeof old_profs, "%s", store_col_text(q, 3));
  snprintf(old_path, sizeof old_path, "%s", store_col_text(q, 4));
  uint64_t old_total = (uint64_t)sqlite3_column_int64(q, 5);
  sqlite3_finalize(q);
  if (strcmp(old_hash, hash) != 0)
    return fail(err, cap,
                "%s: made from another scenario (%s); use another --out",
                st->path, old_path);
  sqlite3_stmt *dv;
  if (sqlite3_prepare_v2(st->db, "SELECT draw_version FROM batch", -1, &dv,
                         NULL) == SQLITE_OK) {
    long long got = sqlite3_step(dv) == SQLITE_ROW &&
                            sqlite3_column_type(dv, 0) != SQLITE_NULL
                        ? sqlite3_column_int64(dv, 0)
                        : SCN_DRAW_VERSION;
    sqlite3_finalize(dv);
    if (got != SCN_DRAW_VERSION) {
      char what[96];
      snprintf(what, sizeof what, "%lld, not %d", got, SCN_DRAW_VERSION);
      return fail(err, cap, "%s: drawn with version %s; use another --out",
                  st->path, what);
    }
  }
  if (old_seed != s->seed) {
    char a[64];
    snprintf(a, sizeof a, "%" PRIu64 ", not %" PRIu64, old_seed, s->seed);
    return fail(err, cap, "%s: made with seed %s; use another --out", st->path,
                a);
  }
  if (strcmp(old_profs, profs) != 0) {
    /* profiles may be added to a store, never dropped: the new ones run on
     * the same draws (the conversations run again whole, and the old
     * profiles' rows come out as they were) */
    char copy[512], *save = NULL;
    snprintf(copy, sizeof copy, "%s", old_profs);
    for (char *t = strtok_r(copy, ",", &save); t;
         t = strtok_r(NULL, ",", &save)) {
      bool kept = false;
      for (int i = 0; i < s->nprofiles; i++)
        kept |= strcmp(s->profiles[i], t) == 0;
      if (!kept) {
        char what[600];
        snprintf(what, sizeof what,
                 "%s; a run may add profiles to a store, "
                 "not drop %s",
                 old_profs, t);
        return fail(err, cap, "%s: made for profiles %s; use another --out",
                    st->path, what);
      }
    }
    sqlite3_prepare_v2(st->db, "UPDATE batch SET profiles = ?, finished = NULL",
                       -1, &q, NULL);
    sqlite3_bind_text(q, 1, profs, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
      return fail(err, cap, "%s: %s", st->path, sqlite3_errmsg(st->db));
  }
  if (total > old_total) {
    sqlite3_prepare_v2(st->db,
                       "UPDATE batch SET conversations = ?, per_cell = ?, "
                       "finished = NULL",
                       -1, &q, NULL);
    sqlite3_bind_int64(q, 1, (sqlite3_int64)total);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)(total / s->cells));
    sqlite3_step(q);
    sqlite3_finalize(q);
  }
  return add_missing_params(st) == 0 && prepare_insert(st, s) == 0
             ? 0
             : fail(err, cap, "%s: %s", st->path, sqlite3_errmsg(st->db));
}

static int add_range(store_range **r, size_t *n, size_t *cap, uint64_t a,
                     uint64_t b) {
  if (a >= b)
    return 0;
  if (*n == *cap) {
    *cap = *cap ? 2 * *cap : 16;
    store_range *p = realloc(*r, *cap * sizeof *p);
    if (!p)
      return -1;
    *r = p;
  }
  (*r)[(*n)++] = (store_range){a, b};
  return 0;
}

int store_missing(hc_store *st, uint64_t total, int nprofiles,
                  store_range **ranges, size_t *nranges, uint64_t *missing) {
  sqlite3_stmt *q;
  /* partial conversations cannot exist (one transaction each), but a
   * store edited by hand might have them: they are run again */
  char sql[200];
  snprintf(sql, sizeof sql,
           "DELETE FROM conversations WHERE conversation IN (SELECT "
           "conversation FROM conversations GROUP BY conversation HAVING "
           "count(*) < %d)",
           nprofiles);
  if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return -1;
  if (sqlite3_prepare_v2(st->db,
                         "SELECT DISTINCT conversation FROM conversations "
                         "ORDER BY conversation",
                         -1, &q, NULL) != SQLITE_OK)
    return -1;
  *ranges = NULL;
  *nranges = 0;
  size_t cap = 0;
  uint64_t next = 0; /* first index not known to be present */
  int rv = 0, step;
  while (rv == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
    sqlite3_int64 i = sqlite3_column_int64(q, 0);
    if (i < 0 || (uint64_t)i >= total)
      continue;
    rv = add_range(ranges, nranges, &cap, next, (uint64_t)i);
    next = (uint64_t)i + 1;
  }
  if (rv == 0 && step != SQLITE_DONE) /* damaged: not the end of the rows */
    rv = -1;
  sqlite3_finalize(q);
  if (rv == 0)
    rv = add_range(ranges, nranges, &cap, next, total);
  *missing = 0;
  for (size_t k = 0; k < *nranges; k++)
    *missing += (*ranges)[k].end - (*ranges)[k].start;
  return rv;
}

int store_begin(hc_store *st) {
  return sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

int store_commit(hc_store *st) {
  return sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* One outcome column's value, NULL where it did not happen. */
static void bind_outcome(sqlite3_stmt *q, int c, conv_col_kind kind,
                         bool present, int64_t v) {
  if (!present)
    sqlite3_bind_null(q, c);
  else if (kind == OC_ERROR)
    sqlite3_bind_text(q, c, tcp_strerror((int)v), -1, SQLITE_STATIC);
  else if (kind == OC_STATE)
    sqlite3_bind_text(q, c, tcp_state_name((tcp_state)v), -1, SQLITE_STATIC);
  else if (kind == OC_CAUSE)
    sqlite3_bind_text(q, c, conv_reset_cause_name((int)v), -1, SQLITE_STATIC);
  else
    sqlite3_bind_int64(q, c, (sqlite3_int64)v);
}

int store_put(hc_store *st, const scenario *s, uint64_t i,
              const conv_outcome *outcomes) {
  conv_params drawn;
  double values[SCN_MAX_KEYS];
  scn_draw(s, i, &drawn, values);
  size_t np;
  const hc_param *t = hc_params(&np);
  bool variants = scn_has_variant_params(s);
  for (int pr = 0; pr < s->nprofiles; pr++) {
    const conv_outcome *o = &outcomes[pr];
    conv_params p = drawn; /* a variant's conversation keys over the draw */
    scn_params_for(s, s->profiles[pr], &p);
    sqlite3_stmt *q = st->ins;
    int c = 1;
    sqlite3_bind_int64(q, c++, (sqlite3_int64)i);
    sqlite3_bind_text(q, c++, s->profiles[pr], -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, c++, (sqlite3_int64)scn_cell(s, i));
    /* the parameters are the same for every profile but a variant's:
     * bindings survive sqlite3_reset, so they are bound once per
     * conversation */
    if (pr > 0 && !variants) {
      c += (int)np;
      for (int k = 0; k < s->nkeys; k++)
        c += !s->keys[k].param;
      goto outcome;
    }
    for (size_t k = 0; k < np; k++) {
      double v = hc_param_get(&p, &t[k]);
      if (t[k].kind == HC_PROB)
        sqlite3_bind_double(q, c++, v);
      else
        sqlite3_bind_int64(q, c++, (sqlite3_int64)v);
    }
    for (int k = 0; k < s->nkeys; k++) {
      const scn_key *key = &s->keys[k];
      if (key->param)
        continue;
      if (key->words) {
        char w[16];
        scn_knob_text(key, values[k], w, sizeof w);
        sqlite3_bind_text(q, c++, w, -1, SQLITE_TRANSIENT);
      } else {
        sqlite3_bind_int64(q, c++, (sqlite3_int64)values[k]);
      }
    }
  outcome:
#define BIND(name, unit, kind, member, present, meaning)                       \
  bind_outcome(q, c++, kind, (present), (int64_t)o->member);
    CONV_OUTCOME_COLUMNS(BIND)
#undef BIND
    int rv = sqlite3_step(q);
    sqlite3_reset(q);
    if (rv != SQLITE_DONE)
      return -1;
  }
  return 0;
}

int store_reset_counts(hc_store *st, uint64_t below, const scenario *s,
                       uint64_t *k, uint64_t *n) {
  sqlite3_stmt *q;
  if (sqlite3_prepare_v2(st->db,
                         "SELECT profile, sum(app_reset), count(*) FROM "
                         "conversations WHERE conversation < ? GROUP BY "
                         "profile",
                         -1, &q, NULL) != SQLITE_OK)
    return -1;
  sqlite3_bind_int64(q, 1, (sqlite3_int64)below);
  for (int i = 0; i < s->nprofiles; i++)
    k[i] = n[i] = 0;
  int step;
  while ((step = sqlite3_step(q)) == SQLITE_ROW)
    for (int i = 0; i < s->nprofiles; i++)
      if (strcmp(store_col_text(q, 0), s->profiles[i]) == 0) {
        k[i] = (uint64_t)sqlite3_column_int64(q, 1);
        n[i] = (uint64_t)sqlite3_column_int64(q, 2);
      }
  sqlite3_finalize(q);
  return step == SQLITE_DONE ? 0 : -1;
}

int store_note_stopping(hc_store *st, const char *text) {
  sqlite3_stmt *q;
  if (sqlite3_prepare_v2(st->db, "UPDATE batch SET stopping = ?", -1, &q,
                         NULL) != SQLITE_OK)
    return -1;
  sqlite3_bind_text(q, 1, text, -1, SQLITE_STATIC);
  int rv = sqlite3_step(q) == SQLITE_DONE ? 0 : -1;
  sqlite3_finalize(q);
  return rv;
}

int store_finish(hc_store *st) {
  char now[32], sql[96];
  now_iso(now, sizeof now);
  snprintf(sql, sizeof sql, "UPDATE batch SET finished = '%s'", now);
  return sqlite3_exec(st->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* Column c of the batch row: a whole number from lo to 1e12, or -1 after
 * naming the column in err. */
static int batch_count(const hc_store *st, sqlite3_stmt *q, int c,
                       const char *name, sqlite3_int64 lo, uint64_t *v,
                       char *err, size_t cap) {
  sqlite3_int64 x = sqlite3_column_int64(q, c);
  if (sqlite3_column_type(q, c) != SQLITE_INTEGER || x < lo ||
      x > (sqlite3_int64)SCN_MAX_CONVERSATIONS)
    return bad_value(st, err, cap, "batch", "its one row", name,
                     lo ? "not a whole number from 1 to 1e+12"
                        : "not a whole number from 0 to 1e+12");
  *v = (uint64_t)x;
  return 0;
}

int store_scenario(hc_store *st, scenario *s, char *err, size_t cap) {
  sqlite3_stmt *q;
  if (batch_row(st,
                "format, scenario_path, scenario_text, profiles, per_cell, "
                "seed",
                &q, err, cap) != 0)
    return -1;
  /* the seed the batch ran with (run --seed overrides the file's) and its
   * conversations per cell, read back as untrusted: the loader's ranges */
  uint64_t seed, per_cell;
  if (batch_count(st, q, 5, "seed", 0, &seed, err, cap) != 0 ||
      batch_count(st, q, 4, "per_cell", 1, &per_cell, err, cap) != 0) {
    sqlite3_finalize(q);
    return -1;
  }
  char path[512];
  snprintf(path, sizeof path, "%s", store_col_text(q, 1));
  char *text = strdup(store_col_text(q, 2));
  char profs[512];
  snprintf(profs, sizeof profs, "%s", store_col_text(q, 3));
  sqlite3_finalize(q);
  char why[400] = "out of memory";
  int rv = text ? scn_load_text(s, path, text, why, sizeof why, NULL) : -1;
  free(text);
  if (rv != 0)
    return fail(err, cap,
                "%s: the scenario kept in the store does not load: %s",
                st->path, why);
  if (scn_set_profiles(s, profs, why, sizeof why) != 0) {
    scn_free(s);
    return fail(err, cap, "%s: the store lists unknown profiles: %s", st->path,
                why);
  }
  s->conversations = per_cell;
  s->seed = seed;
  /* the draws are made again from the text: only by the algorithm that
   * made them (a store from before the column: version 1) */
  sqlite3_stmt *dv;
  if (sqlite3_prepare_v2(st->db, "SELECT draw_version FROM batch", -1, &dv,
                         NULL) == SQLITE_OK) {
    if (sqlite3_step(dv) == SQLITE_ROW &&
        sqlite3_column_type(dv, 0) != SQLITE_NULL &&
        sqlite3_column_int64(dv, 0) != SCN_DRAW_VERSION) {
      char what[160];
      snprintf(what, sizeof what, "%lld, this halfclose draws with version %d",
               (long long)sqlite3_column_int64(dv, 0), SCN_DRAW_VERSION);
      sqlite3_finalize(dv);
      scn_free(s);
      return fail(err, cap,
                  "%s: drawn with version %s: its conversations' parameters "
                  "cannot be drawn again (halfclose export reads the stored "
                  "ones)",
                  st->path, what);
    }
    sqlite3_finalize(dv);
  }
  return 0;
}

/* The columns every reader of rows takes, in the order decode_row reads:
 * the conversation, the profile and every outcome column. */
#define ROW_NAME(name, unit, kind, member, present, meaning) ", " #name
#define ROW_COLUMNS                                          "conversation, profile" CONV_OUTCOME_COLUMNS(ROW_NAME)

/* How each column of ROW_COLUMNS is read back. The store is untrusted
 * input (a user may edit it with sqlite3): every value must be in its
 * range, or NULL where NULL means "did not happen". */
typedef enum col_kind {
  COL_BOOL,  /* 0 or 1 */
  COL_COUNT, /* 0 .. INT64_MAX: bytes, nanoseconds */
  COL_U32,   /* 0 .. UINT32_MAX: segment counts */
  COL_U32N,  /* the same, or NULL (0) */
  COL_TIME,  /* NULL (never) or 0 .. INT64_MAX */
  COL_ERROR, /* NULL (none) or the name of a tcp_error */
  COL_STATE, /* NULL or the name of a tcp_state */
  COL_CAUSE, /* NULL or the name of a conv_reset_cause */
} col_kind;

#define COL_OF(k)                                                              \
  ((k) == OC_BOOL    ? COL_BOOL                                                \
   : (k) == OC_COUNT ? COL_COUNT                                               \
   : (k) == OC_U32   ? COL_U32                                                 \
   : (k) == OC_U32N  ? COL_U32N                                                \
   : (k) == OC_TIME  ? COL_TIME                                                \
   : (k) == OC_ERROR ? COL_ERROR                                               \
   : (k) == OC_STATE ? COL_STATE                                               \
                     : COL_CAUSE)

static const struct {
  const char *name;
  col_kind kind;
} row_cols[] = {{"conversation", COL_COUNT},
                {"profile", COL_COUNT},
#define ROW_COL(name, unit, kind, member, present, meaning)                    \
  {#name, COL_OF(kind)},
                CONV_OUTCOME_COLUMNS(ROW_COL)
#undef ROW_COL
};

#define NROWCOLS (sizeof row_cols / sizeof row_cols[0])

/* Column c of the current row (a query whose first two columns are the
 * conversation and the profile), checked as row_cols[rc]: 0 with the value
 * in *v (CONV_NONE for an allowed NULL), or -1 with the message. */
static int read_col(const hc_store *st, sqlite3_stmt *q, int c, size_t rc,
                    int64_t *v, char *err, size_t cap) {
  col_kind k = row_cols[rc].kind;
  int type = sqlite3_column_type(q, c);
  if (type == SQLITE_NULL && k == COL_TIME) {
    *v = CONV_NONE;
    return 0;
  }
  if (type == SQLITE_NULL &&
      (k == COL_U32N || k == COL_ERROR || k == COL_STATE || k == COL_CAUSE)) {
    *v = 0;
    return 0;
  }
  if ((k == COL_ERROR || k == COL_STATE || k == COL_CAUSE) &&
      type == SQLITE_TEXT) {
    const char *t = store_col_text(q, c);
    if (k == COL_ERROR) /* the codes are -1 .. -15 */
      for (int e = -1; e >= -64; e--)
        if (strcmp(tcp_strerror(e), t) == 0 && strcmp(t, tcp_strerror(0))) {
          *v = e;
          return 0;
        }
    if (k == COL_STATE)
      for (int st2 = 0; st2 < TCP_NSTATES; st2++)
        if (strcmp(tcp_state_name((tcp_state)st2), t) == 0) {
          *v = st2;
          return 0;
        }
    if (k == COL_CAUSE) /* 0, "", is NULL's */
      for (int c2 = 1; c2 < CONV_NCAUSES; c2++)
        if (strcmp(conv_reset_cause_name(c2), t) == 0) {
          *v = c2;
          return 0;
        }
  }
  sqlite3_int64 x = sqlite3_column_int64(q, c);
  int64_t hi = k == COL_BOOL                   ? 1
               : k == COL_U32 || k == COL_U32N ? (int64_t)UINT32_MAX
                                               : INT64_MAX;
  if (type == SQLITE_INTEGER && x >= 0 && x <= hi && k != COL_ERROR &&
      k != COL_STATE && k != COL_CAUSE) {
    *v = x;
    return 0;
  }
  char row[160], want[160];
  const char *text = (const char *)sqlite3_column_text(q, c);
  snprintf(row, sizeof row, "conversation %lld, profile %s",
           (long long)sqlite3_column_int64(q, 0), store_col_text(q, 1));
  snprintf(want, sizeof want, "%s: expected %s",
           type == SQLITE_NULL ? "NULL"
           : text              ? text
                               : "?",
           k == COL_BOOL    ? "0 or 1"
           : k == COL_U32   ? "a whole number from 0 to 4294967295"
           : k == COL_U32N  ? "NULL or a whole number from 0 to 4294967295"
           : k == COL_COUNT ? "a whole number from 0"
           : k == COL_ERROR ? "NULL or the name of a TCP error"
           : k == COL_STATE ? "NULL or the name of a TCP state"
           : k == COL_CAUSE ? "NULL or a reset cause's name"
                            : "NULL or a whole number from 0");
  return bad_value(st, err, cap, "conversations", row, row_cols[rc].name, want);
}

/* One row of ROW_COLUMNS into *row, every value checked: 0, or -1 with a
 * message naming the store, the row and the column. */
static int decode_row(const hc_store *st, sqlite3_stmt *q, store_row *row,
                      char *err, size_t cap) {
  int64_t v[NROWCOLS];
  for (size_t c = 0; c < NROWCOLS; c++) {
    if (c == 1) { /* the profile's name */
      if (sqlite3_column_type(q, 1) != SQLITE_TEXT)
        return bad_value(st, err, cap, "conversations", "a row", "profile",
                         "expected a profile's name");
      continue;
    }
    if (read_col(st, q, (int)c, c, &v[c], err, cap) != 0)
      return -1;
  }
  conv_outcome *o = &row->o;
  memset(o, 0, sizeof *o);
  row->conversation = (uint64_t)v[0];
  row->profile = store_col_text(q, 1);
  size_t c = 2;
#define ASSIGN(name, unit, kind, member, present, meaning) o->member = v[c++];
  CONV_OUTCOME_COLUMNS(ASSIGN)
#undef ASSIGN
  return 0;
}

/* A cursor over the conversations: the rows' (decoded outcomes) and the
 * table's (every column, for export) share it. */
typedef struct cursor {
  hc_store *st;
  sqlite3_stmt *q;
} cursor;

struct store_rows {
  cursor c;
};

struct store_table {
  cursor c;
  int check[128]; /* per column: its row_cols index, or -1 (not checked) */
  const hc_param *param[128]; /* per column: the parameter it holds, or
                                 NULL */
};

static int cursor_open(cursor *c, hc_store *st, const char *sql, char *err,
                       size_t cap) {
  c->st = st;
  if (sqlite3_prepare_v2(st->db, sql, -1, &c->q, NULL) == SQLITE_OK)
    return 0;
  return fail(err, cap, "%s: not a halfclose results store (%s)", st->path,
              sqlite3_errmsg(st->db));
}

/* 1 a row, 0 the end, -1 an error: a damaged store is not an end */
static int cursor_next(cursor *c, char *err, size_t cap) {
  int step = sqlite3_step(c->q);
  if (step == SQLITE_ROW)
    return 1;
  if (step == SQLITE_DONE)
    return 0;
  return fail(err, cap, "%s: reading the conversations: %s", c->st->path,
              sqlite3_errmsg(c->st->db));
}

int store_rows_open(hc_store *st, store_rows **out, char *err, size_t cap) {
  store_rows *it = calloc(1, sizeof *it);
  if (!it)
    return fail(err, cap, "%s: out of memory%s", st->path, "");
  if (cursor_open(&it->c, st,
                  "SELECT " ROW_COLUMNS " FROM conversations "
                  "ORDER BY conversation",
                  err, cap) != 0) {
    free(it);
    return -1;
  }
  *out = it;
  return 0;
}

int store_rows_next(store_rows *it, store_row *row, char *err, size_t cap) {
  int rv = cursor_next(&it->c, err, cap);
  if (rv == 1 && decode_row(it->c.st, it->c.q, row, err, cap) != 0)
    return -1;
  return rv;
}

void store_rows_close(store_rows *it) {
  if (!it)
    return;
  sqlite3_finalize(it->c.q);
  free(it);
}

void store_batch_info(hc_store *st, store_batch *b) {
  memset(b, 0, sizeof *b);
  sqlite3_stmt *q;
  if (sqlite3_prepare_v2(st->db,
                         "SELECT halfclose_version, started, "
                         "coalesce(finished, ''), host, conversations, "
                         "coalesce(stopping, '') FROM batch",
                         -1, &q, NULL) == SQLITE_OK &&
      sqlite3_step(q) == SQLITE_ROW) {
    snprintf(b->version, sizeof b->version, "%s", store_col_text(q, 0));
    snprintf(b->started, sizeof b->started, "%s", store_col_text(q, 1));
    snprintf(b->finished, sizeof b->finished, "%s", store_col_text(q, 2));
    snprintf(b->host, sizeof b->host, "%s", store_col_text(q, 3));
    b->planned = (uint64_t)sqlite3_column_int64(q, 4);
    snprintf(b->stopping, sizeof b->stopping, "%s", store_col_text(q, 5));
  }
  sqlite3_finalize(q);
}

int store_get(hc_store *st, uint64_t i, const char *profile, conv_outcome *o,
              char *err, size_t cap) {
  sqlite3_stmt *q;
  if (sqlite3_prepare_v2(st->db,
                         "SELECT " ROW_COLUMNS " FROM conversations WHERE "
                         "conversation = ? AND profile = ?",
                         -1, &q, NULL) != SQLITE_OK)
    return fail(err, cap, "%s: %s", st->path, sqlite3_errmsg(st->db));
  sqlite3_bind_int64(q, 1, (sqlite3_int64)i);
  sqlite3_bind_text(q, 2, profile, -1, SQLITE_STATIC);
  int step = sqlite3_step(q);
  bool found = step == SQLITE_ROW;
  if (!found && step != SQLITE_DONE) {
    fail(err, cap, "%s: reading the store: %s", st->path,
         sqlite3_errmsg(st->db));
    sqlite3_finalize(q);
    return -1;
  }
  if (found) {
    store_row row;
    if (decode_row(st, q, &row, err, cap) != 0) {
      sqlite3_finalize(q);
      return -1;
    }
    *o = row.o;
  }
  sqlite3_finalize(q);
  return found ? 1 : 0;
}

int store_table_open(hc_store *st, store_table **out, char *err, size_t cap) {
  store_table *t = calloc(1, sizeof *t);
  if (!t)
    return fail(err, cap, "%s: out of memory%s", st->path, "");
  if (cursor_open(&t->c, st,
                  "SELECT * FROM conversations ORDER BY conversation, "
                  "profile",
                  err, cap) != 0) {
    free(t);
    return -1;
  }
  /* the outcome columns are checked as the row readers check them, the
   * parameter columns against their parameter's range */
  size_t np;
  const hc_param *pt = hc_params(&np);
  for (int c = 0; c < 128; c++) {
    t->check[c] = -1;
    t->param[c] = NULL;
    for (size_t k = 0; c < sqlite3_column_count(t->c.q) && k < np; k++) {
      char col[64];
      store_column(NULL, &pt[k], col, sizeof col);
      if (strcmp(sqlite3_column_name(t->c.q, c), col) == 0)
        t->param[c] = &pt[k];
    }
    const char *name = c < sqlite3_column_count(t->c.q)
                           ? sqlite3_column_name(t->c.q, c)
                           : NULL;
    for (size_t k = 2; name && k < NROWCOLS; k++)
      if (strcmp(name, row_cols[k].name) == 0)
        t->check[c] = (int)k;
  }
  *out = t;
  return 0;
}

int store_table_columns(const store_table *t) {
  return sqlite3_column_count(t->c.q);
}

const char *store_table_column(const store_table *t, int c) {
  const char *name = sqlite3_column_name(t->c.q, c);
  return name ? name : "";
}

int store_table_next(store_table *t, char *err, size_t cap) {
  int rv = cursor_next(&t->c, err, cap);
  if (rv != 1)
    return rv;
  int nc = sqlite3_column_count(t->c.q);
  for (int c = 0; c < nc && c < 128; c++) {
    int64_t v;
    if (t->check[c] >= 0 &&
        read_col(t->c.st, t->c.q, c, (size_t)t->check[c], &v, err, cap) != 0)
      return -1;
    const hc_param *d = t->param[c];
    int type = sqlite3_column_type(t->c.q, c);
    double x = sqlite3_column_double(t->c.q, c);
    if (d && ((type != SQLITE_INTEGER && type != SQLITE_FLOAT) ||
              !(x >= d->min && x <= d->max))) {
      char row[160], want[200];
      const char *text = (const char *)sqlite3_column_text(t->c.q, c);
      snprintf(row, sizeof row, "conversation %lld, profile %s",
               (long long)sqlite3_column_int64(t->c.q, 0),
               store_col_text(t->c.q, 1));
      snprintf(want, sizeof want, "%s: expected a number from %g to %g",
               type == SQLITE_NULL ? "NULL"
               : text              ? text
                                   : "?",
               d->min, d->max);
      return bad_value(t->c.st, err, cap, "conversations", row,
                       sqlite3_column_name(t->c.q, c), want);
    }
  }
  return 1;
}

store_cell store_table_cell(const store_table *t, int c, const char **text) {
  int type = sqlite3_column_type(t->c.q, c);
  *text = store_col_text(t->c.q, c); /* never NULL, even for a BLOB */
  return type == SQLITE_NULL                          ? STORE_CELL_NULL
         : type == SQLITE_TEXT || type == SQLITE_BLOB ? STORE_CELL_TEXT
                                                      : STORE_CELL_NUMBER;
}

void store_table_close(store_table *t) {
  if (!t)
    return;
  sqlite3_finalize(t->c.q);
  free(t);
}
