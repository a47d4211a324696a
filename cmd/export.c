/*
 * export.c - `halfclose export`: a store's rows as CSV or JSON.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "export.h"
#include "store.h"

static const char *const SUB = "export";

static void usage(FILE *f) {
  fprintf(f,
          "usage: halfclose export STORE [--format=csv|json] [--out=FILE]\n\n"
          "Writes one row per conversation and profile, ordered by "
          "conversation then\nprofile: conversation, profile, cell, one "
          "column per parameter (units in\nthe name: _ns, _bps, _bytes), "
          "then the outcome. The store's `columns` table\ndocuments every "
          "column. Default: CSV on standard output (--csv and --json are\n"
          "--format=csv and --format=json).\n");
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
    } else if ((v = cli_opt(a, "format"))) {
      if (strcmp(v, "csv") != 0 && strcmp(v, "json") != 0)
        return cli_error(SUB, "--format=%s: expected csv or json", v);
      json = strcmp(v, "json") == 0;
    } else if ((v = cli_opt(a, "out"))) {
      out = v;
    } else if (cli_positional(SUB, a, &path, "store")) {
      return 2;
    }
  }
  if (!path)
    return cli_error(SUB, "which store? (see --help)");
  if (cli_out_check(SUB, "out", out, path, 0))
    return 2;
  hc_store *st;
  char err[600] = "";
  if (store_open(&st, path, STORE_READ, err, sizeof err) != 0)
    return cli_error(SUB, "%s", err);
  FILE *f = cli_out_open(SUB, out);
  if (!f) {
    store_close(st);
    return 2;
  }
  int rv = export_rows(st, f, json, err, sizeof err);
  store_close(st);
  int wrote = cli_out_close(f, out, rv);
  if (rv != 0) /* the store could not be read to the end: bad input */
    return cli_error(SUB, "%s", err);
  if (wrote != 0)
    return fprintf(stderr, "halfclose export: cannot write %s: %s\n",
                   out ? out : "standard output", strerror(errno)),
           1;
  return 0;
}
