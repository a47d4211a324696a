/*
 * report.h - the statistical report of a results store.
 *
 * The report opens with the headline - every profile's failed-read rate
 * (app_reset, the KB symptom), lost-data rate and the chain behind them
 * with 95 % intervals, the paired tests of each profile against the first,
 * and the verdict on the failed read - then gives the scenario and its
 * question, the tables (outcomes, bytes lost, every randomized parameter in
 * bins, a logistic regression of the failed read on the parameters), the
 * analytic check against an independent predictor, and notes on the
 * methods.
 *
 * Markdown and self-contained HTML read the same; JSON carries every
 * number for scripts. The analysis is computed once (report_analyze) and
 * written in any format. A report is opaque here: it is large (every
 * parameter's bins), so the analysis allocates it; report_data.h shows its
 * contents to the plots.
 */
#ifndef HALFCLOSE_REPORT_H
#define HALFCLOSE_REPORT_H

#include <stdio.h>

typedef struct report report;
struct hc_store;

typedef enum report_format {
  REPORT_MD,
  REPORT_HTML,
  REPORT_JSON
} report_format;

/* Read the store and compute everything into a new report (*out). 0, or
 * -1 with a message in err (a damaged store is an error, never a partial
 * report). */
int report_analyze(report **out, const char *store_path, char *err, size_t cap);

/* The same from an open store (label names it in messages). */
int report_analyze_store(report **out, struct hc_store *st, const char *label,
                         char *err, size_t cap);

/* Free a report (NULL is a no-op). */
void report_free(report *r);

/* The name of the report's scenario. */
const char *report_scenario_name(const report *r);

/* Write the report to f. plots_dir (may be NULL) holds the plots to embed
 * in HTML and link from Markdown; out_path is the file f will become (NULL
 * for standard output), so Markdown links its graphs relative to it. */
int report_write(const report *r, report_format fmt, const char *plots_dir,
                 const char *out_path, FILE *f);

#endif
