/*
 * report.h - the statistical report of a results store.
 *
 * The report opens with the headline - every profile's reset and failure
 * rate with its 95 % interval, the paired test of the fix against the bug,
 * and the verdict - then gives the scenario and its question, the tables
 * (outcomes, bytes lost, every randomized parameter in bins, the paired
 * comparisons, a logistic regression of the reset on the parameters), the
 * closed-form comparison, and notes on the methods.
 *
 * Markdown and self-contained HTML read the same; JSON carries every
 * number for scripts. The analysis is computed once (report_analyze) and
 * written in any format.
 */
#ifndef HALFCLOSE_REPORT_H
#define HALFCLOSE_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "scenario.h"
#include "stats.h"

#define REPORT_MAX_BINS 64

typedef enum report_format {
  REPORT_MD,
  REPORT_HTML,
  REPORT_JSON
} report_format;

typedef struct rate {
  uint64_t k, n;   /* events, trials */
  double p;        /* k / n */
  interval wilson; /* 95 % */
  interval exact;  /* Clopper-Pearson 95 % */
} rate;

/* One profile's totals. */
typedef struct profile_stats {
  char name[48];
  rate app_reset; /* the KB symptom: a read failed with a reset
                     before end of stream */
  rate lost_any;  /* bytes_lost > 0 */
  rate redundant_ack, server_rst, conn_reset;
  rate reset_after_close; /* conn_reset after the application closed */
  rate completed;
  double lost_mean;          /* bytes lost per conversation */
  double lost_mean_affected; /* per conversation that lost bytes */
  uint64_t lost_q50, lost_q90, lost_q99, lost_max; /* among those */
  double predicted; /* closed-form P(redundant ACK), mean */
} profile_stats;

/* profile[0] against profile[j], on the same conversations. */
typedef struct pair_stats {
  int j;
  paired symptom, lost, reset; /* 2x2 tables: app_reset, bytes_lost > 0,
                                  conn_reset */
  mcnemar symptom_test, lost_test, reset_test;
} pair_stats;

/* One bin of one parameter, for every profile. */
typedef struct bin_stats {
  double lo, hi; /* [lo, hi), base units; lo == hi: one value */
  rate symptom[SCN_MAX_PROFILES];     /* app_reset */
  rate reset[SCN_MAX_PROFILES];       /* conn_reset */
  rate redundant[SCN_MAX_PROFILES];   /* redundant_ack */
  double predicted[SCN_MAX_PROFILES]; /* closed form, mean over the bin */
  bool outside[SCN_MAX_PROFILES];     /* prediction outside the interval */
  double p_raw, p_holm;               /* McNemar profile 0 vs 1 on app_reset */
} bin_stats;

typedef struct param_bins {
  int key;         /* index in the scenario's keys */
  char column[48]; /* its store column */
  bool log_scale;  /* bins equal in log space */
  int nbins;
  bin_stats bin[REPORT_MAX_BINS];
} param_bins;

typedef struct regression {
  bool fitted;            /* false: no events, all events, separation */
  char why[96];           /* why not */
  int nx;                 /* predictors */
  int key[LOGIT_MAX_K];   /* their scenario keys */
  bool logx[LOGIT_MAX_K]; /* log10 of the value */
  double mean[LOGIT_MAX_K], sd[LOGIT_MAX_K]; /* standardization */
  logit fit;
} regression;

/* Outcome flags of one conversation under one profile. */
enum {
  REPORT_F_REDUNDANT = 1,
  REPORT_F_SRST = 2,
  REPORT_F_RESET = 4,
  REPORT_F_APP = 8,
  REPORT_F_DONE = 16,
  REPORT_F_HARMLESS = 32, /* conn_reset after the application closed */
  REPORT_F_LOST = 64      /* bytes_lost > 0 */
};

typedef struct report_obs {
  uint64_t conv;                   /* conversation index */
  uint8_t f[SCN_MAX_PROFILES];     /* REPORT_F_* per profile */
  uint64_t lost[SCN_MAX_PROFILES]; /* bytes lost per profile */
} report_obs;

/* Every complete conversation, kept for the plots. */
typedef struct report_data {
  report_obs *o;
  size_t n, cap;
  double *vals; /* n x nkeys: each key's drawn value */
  float *pred;  /* n x nprofiles: closed-form P(redundant ACK) */
} report_data;

typedef struct report {
  scenario s; /* from the store */
  char store_path[512];
  char version[32], started[32], finished[32], host[128];
  char stopping[400]; /* the sequential stopping rule, or "" */
  uint64_t n;         /* conversations with every profile's row */
  uint64_t planned;
  profile_stats prof[SCN_MAX_PROFILES];
  pair_stats pair[SCN_MAX_PROFILES];
  int npairs;
  param_bins params[SCN_MAX_KEYS];
  int nparams;
  regression reg[SCN_MAX_PROFILES];
  report_data data; /* the conversations themselves */
  int flagged;      /* closed-form bins outside their interval */
  int compared;     /* closed-form bins compared */
} report;

/* Read the store and compute everything. -1 with a message in err. */
int report_analyze(report *r, const char *store_path, char *err, size_t cap);
void report_free(report *r);

/* Write the report. plots_dir (may be NULL) holds the plots to embed in
 * HTML and link from Markdown. */
int report_write(const report *r, report_format fmt, const char *plots_dir,
                 FILE *f);

/* Which bin of pb value v falls in, or -1. */
int report_bin_of(const param_bins *pb, double v);

/* Label of a bin with units, e.g. "[20ms, 50ms)". */
void report_bin_label(const report *r, const param_bins *pb, const bin_stats *b,
                      char *buf, size_t cap);

/* A value of scenario key `key` with a readable unit ("20ms", "1.5KB"). */
void report_value_text(const report *r, int key, double v, char *buf,
                       size_t cap);

#endif
