/*
 * export.c - `halfclose export`: a store's rows as CSV or JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "store.h"

static const char *const SUB = "export";

static void usage(FILE *f) {
  fprintf(f, "usage: halfclose export STORE [--csv | --json] [--out=FILE]\n\n"
             "Writes one row per conversation and profile, ordered by "
             "conversation then\nprofile: conversation, profile, cell, one "
             "column per parameter (units in\nthe name: _ns, _bps, _bytes), "
             "then the outcome. The store's `columns` table\ndocuments every "
             "column. Default: CSV on standard output.\n");
}

int cmd_export(int argc, char **argv) {
  const char *path = NULL, *out = NULL;
  bool json = false;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i], *v;
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      return 0;
    } else if (strcmp(a, "--csv") == 0) {
      json = false;
    } else if (strcmp(a, "--json") == 0) {
      json = true;
    } else if ((v = cli_opt(a, "out"))) {
      out = v;
    } else if (a[0] == '-') {
      return cli_error(SUB, "unknown option \"%s\" (see --help)", a);
    } else if (!path) {
      path = a;
    } else {
      return cli_error(SUB, "one store at a time");
    }
  }
  if (!path)
    return cli_error(SUB, "which store? (see --help)");
  hc_store *st;
  char err[600] = "";
  if (store_open(&st, path, false, err, sizeof err) != 0)
    return cli_error(SUB, "%s", err);
  /* write beside the target and rename: never a half-written file */
  char tmp[600];
  FILE *f = stdout;
  if (out) {
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    f = fopen(tmp, "w");
    if (!f) {
      store_close(st);
      return cli_error(SUB, "cannot write %s", tmp);
    }
  }
  int rv = store_export(st, f, json, err, sizeof err);
  store_close(st);
  if (out) {
    if (fclose(f) != 0)
      rv = -1;
    if (rv == 0 && rename(tmp, out) != 0)
      rv = -1;
    if (rv != 0)
      remove(tmp);
  } else if (fflush(stdout) != 0) {
    rv = -1;
  }
  if (rv != 0)
    return fprintf(stderr, "halfclose export: %s\n",
                   err[0] ? err : "write failed"),
           1;
  return 0;
}
