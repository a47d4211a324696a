/*
 * report.c - `halfclose report`: the statistical report of a store.
 */
#include <stdio.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>

#include "cli.h"
#include "plot.h"
#include "report.h"

static const char *const SUB = "report";

static void usage(FILE *f) {
  fprintf(f, "usage: halfclose report STORE [--format=md|html|json] "
             "[--out=FILE] [--plots=DIR]\n\n"
             "Writes the statistical report of a results store: the headline "
             "(the failed\nread - app_reset - first, then lost data and the "
             "chain behind them, with 95 %%\nintervals; the paired test of "
             "each profile against the first; the verdict),\nthe scenario "
             "and its question, the tables, a logistic regression, the\n"
             "analytic check against an independent predictor, and notes on "
             "the methods.\nHTML is "
             "self-contained and embeds the plots found in DIR (from\n"
             "`halfclose plot`); JSON carries every number. Default: Markdown "
             "on\nstandard output.\n");
}

/* Whether a graph in dir is not whole (a plot killed while writing, a
 * full disk): the report would embed it as it is. */
static bool incomplete_graph(const char *dir, char *err, size_t cap) {
  DIR *d = opendir(dir);
  if (!d)
    return false;
  bool bad = false;
  struct dirent *e;
  while (!bad && (e = readdir(d))) {
    const char *dot = strrchr(e->d_name, '.');
    if (!dot ||
        (strcmp(dot, ".svg") && strcmp(dot, ".png") && strcmp(dot, ".pdf")))
      continue;
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
    bad = plot_complete(p, err, cap) != 0;
  }
  closedir(d);
  return bad;
}

int cmd_report(int argc, char **argv) {
  const char *path = NULL, *out = NULL, *plots = NULL;
  report_format fmt = REPORT_MD;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i], *v;
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      return 0;
    } else if ((v = cli_opt(a, "format"))) {
      if (strcmp(v, "md") == 0)
        fmt = REPORT_MD;
      else if (strcmp(v, "html") == 0)
        fmt = REPORT_HTML;
      else if (strcmp(v, "json") == 0)
        fmt = REPORT_JSON;
      else
        return cli_error(SUB, "--format=%s: expected md, html or json", v);
    } else if ((v = cli_opt(a, "out"))) {
      out = v;
    } else if ((v = cli_opt(a, "plots"))) {
      plots = v;
    } else if (cli_positional(SUB, a, &path, "store")) {
      return 2;
    }
  }
  if (!path)
    return cli_error(SUB, "which store? (see --help)");
  if (cli_out_check(SUB, "out", out, path, 0))
    return 2;
  struct stat pd;
  if (plots && (stat(plots, &pd) != 0 || !S_ISDIR(pd.st_mode)))
    return cli_error(SUB,
                     "--plots=%s: no such directory (halfclose plot "
                     "STORE --out=DIR makes one)",
                     plots);
  char err[1200] = "";
  if (plots && incomplete_graph(plots, err, sizeof err))
    return cli_error(SUB, "--plots=%s: %s; draw the graphs again", plots, err);
  report *r;
  if (report_analyze(&r, path, err, sizeof err) != 0)
    return cli_error(SUB, "%s", err); /* the store is the bad input */
  FILE *f = cli_out_open(SUB, out);
  if (!f) {
    report_free(r);
    return 2;
  }
  int rv = report_write(r, fmt, plots, out, f);
  report_free(r);
  rv = cli_out_close(f, out, rv);
  if (rv != 0) {
    fprintf(stderr, "halfclose report: cannot write the report\n");
    return 1;
  }
  return 0;
}
