/*
 * plot.c - `halfclose plot`: a store's graphs with gnuplot.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "plot.h"

static const char *const SUB = "plot";

static void usage(FILE *f) {
  fprintf(
      f,
      "usage: halfclose plot STORE [--out=DIR] [--format=png|svg|pdf] "
      "[--y_full]\n\n"
      "Draws the store's graphs into DIR (default out/NAME-plots): the "
      "probability\nthat a read fails with a reset (app_reset) against "
      "one-way delay and against\nthe delayed-ACK timeout (95 %% Wilson "
      "error bars, one curve per profile), a\nheatmap over both, the "
      "outcomes per profile, the distribution of bytes lost,\nand, for "
      "a swept response size, the redundant ACK and failed read against "
      "the\nsize in segments with the analytic check's prediction. "
      "Graphs whose parameter\nthe scenario does not vary are "
      "skipped.\nThe data behind each graph stays in "
      "DIR/data. Default format: svg. A probability axis is fitted to the data "
      "(from 0,\nat most 1); --y_full draws it from 0 to 1.\n");
}

int cmd_plot(int argc, char **argv) {
  const char *path = NULL, *out = NULL, *format = "svg";
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i], *v;
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      return 0;
    } else if ((v = cli_opt(a, "out"))) {
      out = v;
    } else if ((v = cli_opt(a, "format"))) {
      if (strcmp(v, "png") && strcmp(v, "svg") && strcmp(v, "pdf"))
        return cli_error(SUB, "--format=%s: expected png, svg or pdf", v);
      format = v;
    } else if (strcmp(a, "--y_full") == 0) {
      plot_full_y(true);
    } else if (cli_positional(SUB, a, &path, "store")) {
      return 2;
    }
  }
  if (!path)
    return cli_error(SUB, "which store? (see --help)");
  struct stat od;
  if (out && stat(out, &od) == 0 && !S_ISDIR(od.st_mode))
    return cli_error(SUB, "--out=%s: a file, not a directory for the graphs",
                     out);
  /* a directory to be made: never under the store's own names (a
   * directory named STORE-wal would stop SQLite opening the store) */
  if (out && stat(out, &od) != 0 && cli_out_check(SUB, "out", out, path, 0))
    return 2;
  report *r;
  char err[1200] = "";
  if (report_analyze(&r, path, err, sizeof err) != 0)
    return cli_error(SUB, "%s", err); /* the store is the bad input */
  char dir[700];
  if (out)
    snprintf(dir, sizeof dir, "%s", out);
  else
    snprintf(dir, sizeof dir, "out/%s-plots", report_scenario_name(r));
  printf("plots of %s in %s:\n", path, dir);
  int rv = plot_store(r, dir, format, stdout, err, sizeof err);
  report_free(r);
  if (rv != 0) {
    fprintf(stderr, "halfclose plot: %s\n", err);
    return 1;
  }
  return 0;
}
