/*
 * info.c - `halfclose info`: what a results store holds, read-only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "scenario.h"
#include "store.h"

static const char *const SUB = "info";

static void usage(FILE *f) {
  fprintf(f, "usage: halfclose info STORE\n\n"
             "Says what a results store holds, without changing a byte of "
             "it: the scenario\nand its question, the seed, the profiles, "
             "which halfclose made it, where and\nwhen, the conversations "
             "planned and those complete under every profile (the\nreport "
             "counts these), the rows per profile and their failed reads "
             "(app_reset),\nwhether the batch is finished or can be resumed, "
             "and the file's size.\n");
}

int cmd_info(int argc, char **argv) {
  const char *path = NULL;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      return 0;
    } else if (cli_positional(SUB, a, &path, "store")) {
      return 2;
    }
  }
  if (!path)
    return cli_error(SUB, "which store? (see halfclose help info)");
  char err[600];
  hc_store *st;
  if (store_open(&st, path, STORE_READ, err, sizeof err) != 0)
    return cli_error(SUB, "%s", err);
  static scenario s;
  if (store_scenario(st, &s, err, sizeof err) != 0) {
    store_close(st);
    return cli_error(SUB, "%s", err);
  }
  store_batch b;
  store_batch_info(st, &b);
  /* rows and failed reads per profile; conversations whole under all */
  uint64_t rows[SCN_MAX_PROFILES] = {0}, apps[SCN_MAX_PROFILES] = {0};
  uint64_t other = 0, complete = 0, seen = 0, cur = UINT64_MAX;
  int have = 0, np = s.nprofiles;
  store_rows *it;
  if (store_rows_open(st, &it, err, sizeof err) != 0) {
    scn_free(&s);
    store_close(st);
    return cli_error(SUB, "%s", err);
  }
  store_row r;
  int step;
  while ((step = store_rows_next(it, &r, err, sizeof err)) == 1) {
    if (r.conversation != cur) {
      complete += cur != UINT64_MAX && have == np;
      seen += cur != UINT64_MAX;
      cur = r.conversation;
      have = 0;
    }
    int j = -1;
    for (int k = 0; k < np; k++)
      if (strcmp(s.profiles[k], r.profile) == 0)
        j = k;
    if (j < 0) {
      other++;
      continue;
    }
    rows[j]++;
    apps[j] += r.o.app_reset;
    have++;
  }
  store_rows_close(it);
  if (step < 0) {
    scn_free(&s);
    store_close(st);
    return cli_error(SUB, "%s", err);
  }
  complete += cur != UINT64_MAX && have == np;
  seen += cur != UINT64_MAX;
  struct stat sb;
  double mb = stat(path, &sb) == 0 ? (double)sb.st_size / 1e6 : 0;
  printf("store          %s (%.1f MB)\n", path, mb);
  printf("scenario       %s (from %s)\n", s.name, s.path);
  if (s.question && *s.question)
    printf("question       %s\n", s.question);
  printf("seed           %llu\n", (unsigned long long)s.seed);
  printf("profiles       ");
  for (int k = 0; k < np; k++)
    printf("%s%s", k ? ", " : "", s.profiles[k]);
  printf("; server: %s\n",
         s.server_profile[0] ? s.server_profile : "each conversation's own");
  printf("made by        halfclose %s on %s, started %s\n", b.version, b.host,
         b.started);
  printf("finished       %s\n", b.finished[0] ? b.finished : "not yet");
  printf("conversations  %llu planned (%llu grid cell%s x %llu); %llu with "
         "rows, %llu complete under every profile\n",
         (unsigned long long)b.planned, (unsigned long long)s.cells,
         s.cells == 1 ? "" : "s", (unsigned long long)s.conversations,
         (unsigned long long)seen, (unsigned long long)complete);
  for (int k = 0; k < np; k++)
    printf("  %-12s %llu rows, %llu failed reads (app_reset)\n", s.profiles[k],
           (unsigned long long)rows[k], (unsigned long long)apps[k]);
  if (other)
    printf("  other        %llu rows of profiles the scenario does not "
           "name\n",
           (unsigned long long)other);
  if (b.stopping[0])
    printf("stopping       %s\n", b.stopping);
  bool done = b.finished[0] && complete >= b.planned;
  if (done)
    printf("state          complete\n");
  else
    printf("state          incomplete: %llu of %llu conversations complete; "
           "`halfclose run %s --out=%s` resumes it\n",
           (unsigned long long)complete, (unsigned long long)b.planned, s.path,
           path);
  scn_free(&s);
  store_close(st);
  return 0;
}
