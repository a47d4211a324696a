/*
 * report_data.h - what a report holds: the rates with their intervals,
 * the paired tests, the parameter bins, the regression, the analytic
 * check and the conversations themselves. Internal to the analysis (which
 * computes it) and the plots (which draw it, read-only); every other
 * caller holds a report through report.h and never declares one.
 */
#ifndef HALFCLOSE_REPORT_DATA_H
#define HALFCLOSE_REPORT_DATA_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "conv.h"
#include "report.h"
#include "scenario.h"
#include "stats.h"

#define REPORT_MAX_BINS 160 /* a grid of up to SCN_MAX_VALUES: one bin each */

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
  uint64_t rst_cause[CONV_NCAUSES];   /* conversations whose server's first
                                         RST had this cause ([0]: none) */
  rate req_failed;                    /* conversations with a failed request */
  uint64_t requests, requests_failed; /* over all conversations */
  uint64_t failed_reset, failed_eof;  /* ... of them, how */
  uint64_t retry_failed; /* conversations where a request failed although
                            the client sent requests again (retries > 0
                            and requests_failed > 0): the retry met the
                            race again */
  uint64_t connections, retries; /* likewise: opened, sent again */
  /* drops on the way (a loss model, a queue, anywhere on a [path]) */
  uint64_t with_drops; /* conversations that lost a datagram */
  uint64_t drops;      /* ... the datagrams */
  uint64_t unanswered; /* a redundant ACK and no server RST */
  uint64_t unfelt;     /* a server RST and no connection reset */
  uint64_t unanswered_drops, unfelt_drops; /* ... of them, with drops */
} profile_stats;

/* The analytic check of one profile (predict.h). */
#define REPORT_MAX_REASONS 12
typedef struct check_stats {
  uint64_t regime;        /* conversations in stage 1's regime */
  uint64_t by_definition; /* ... whose client cannot send one: not counted */
  uint64_t compared;      /* regime - by_definition */
  uint64_t agree;         /* prediction == simulation among those */
  uint64_t predicted_yes, simulated_yes; /* among those compared */
  int nreasons;                          /* why the others were not predicted */
  const char *reason[REPORT_MAX_REASONS];
  uint64_t reason_n[REPORT_MAX_REASONS];
  uint64_t app_agree; /* among those compared: the failed read
                         (app_reset) predicted as simulated */
  uint64_t app_predicted_yes, app_simulated_yes;
  uint64_t times_agree;       /* among those compared: the FIN's arrival, the
                                 redundant ACK, the reset and the bytes unread
                                 at the FIN, each as stored, to the ns */
  uint64_t compared2, agree2; /* stage 2: app_reset given a redundant ACK */
  /* stage K, the keep-alive window (predict_keepalive) */
  uint64_t ka_applicable; /* two requests against an idle_timeout */
  uint64_t ka_regime;     /* ... predicted */
  uint64_t ka_agree;      /* exchanges, requests_failed, retries and
                             connections all as simulated */
  uint64_t ka_predicted_fail, ka_simulated_fail; /* the second request
                             reached the server after its close / the
                             simulation's requests_failed + retries > 0 */
  uint64_t ka_rst_agree; /* the server's RST and its cause (data after
                            close) as simulated */
  uint64_t ka_timed, ka_times_agree; /* the RST's time (the request's
                             arrival) and the FIN's arrival, where the
                             request fails: each as stored, to the ns */
  int ka_nreasons;
  const char *ka_reason[REPORT_MAX_REASONS];
  uint64_t ka_reason_n[REPORT_MAX_REASONS];
} check_stats;

/* A conversation where prediction and simulation differ. */
#define REPORT_MAX_DISAGREE 40
typedef struct disagreement {
  uint64_t conv;
  int profile;
  int stage; /* 1: redundant ACK, 2: app_reset (the consistency check),
                3: app_reset (stage 1, from the parameters), 4: the
                chain's times (stage 1), 5: the keep-alive window's
                outcomes (stage K), 6: its times */
  bool predicted;
  bool simulated;
} disagreement;

/* profile[0] against profile[j], on the same conversations. */
typedef struct pair_stats {
  int j;
  paired symptom, lost, reset; /* 2x2 tables: app_reset, bytes_lost > 0,
                                  conn_reset */
  mcnemar symptom_test, lost_test, reset_test;
  paired reqfail; /* a failed request (requests_failed > 0) */
  mcnemar reqfail_test;
} pair_stats;

/* One bin of one parameter, for every profile. */
typedef struct bin_stats {
  double lo, hi; /* [lo, hi), base units; lo == hi: one value */
  rate symptom[SCN_MAX_PROFILES];      /* app_reset */
  rate reset[SCN_MAX_PROFILES];        /* conn_reset */
  rate redundant[SCN_MAX_PROFILES];    /* redundant_ack */
  uint64_t reg_n[SCN_MAX_PROFILES];    /* stage-1 comparisons in the bin */
  uint64_t reg_pred[SCN_MAX_PROFILES]; /* predicted redundant ACKs */
  uint64_t reg_sim[SCN_MAX_PROFILES];  /* simulated ones, same conversations */
  double p_raw, p_holm;                /* McNemar profile 0 vs 1 on app_reset */
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
  char why[200];          /* why not */
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
  REPORT_F_LOST = 64,     /* bytes_lost > 0 */
  REPORT_F_REQFAIL = 128  /* requests_failed > 0 */
};

/* Stage-1 codes per conversation and profile. */
enum {
  REPORT_P_OUT = -1, /* not in the regime */
  REPORT_P_DEF = -2, /* in it, but no redundant ACK by definition */
  REPORT_P_NO = 0,   /* predicted: none */
  REPORT_P_YES = 1   /* predicted: a redundant ACK */
};

typedef struct report_obs {
  uint64_t conv;                      /* conversation index */
  uint8_t f[SCN_MAX_PROFILES];        /* REPORT_F_* per profile */
  int8_t p1[SCN_MAX_PROFILES];        /* REPORT_P_* */
  uint8_t pa[SCN_MAX_PROFILES];       /* where p1 is REPORT_P_NO or _YES: 1 if
                                         stage 1 predicts a failed read */
  uint64_t lost[SCN_MAX_PROFILES];    /* bytes lost per profile */
  uint8_t cause[SCN_MAX_PROFILES];    /* conv_reset_cause per profile */
  uint16_t nreq[SCN_MAX_PROFILES];    /* requests (exchanges + failed; the
                                         parameter is at most 10000) */
  uint16_t reqfail[SCN_MAX_PROFILES]; /* requests_failed */
  uint16_t freset[SCN_MAX_PROFILES];  /* ... at a reset (failed_reset) */
  uint16_t feof[SCN_MAX_PROFILES];    /* ... at end of stream (failed_eof) */
  uint32_t conns[SCN_MAX_PROFILES];   /* connections the client opened */
  uint32_t retries[SCN_MAX_PROFILES]; /* requests it sent again */
  uint32_t drops[SCN_MAX_PROFILES];   /* datagrams lost on the way (lost) */
} report_obs;

/* Every complete conversation, kept for the plots. */
typedef struct report_data {
  report_obs *o;
  size_t n, cap;
  double *vals; /* n x nkeys: each key's drawn value */
} report_data;

struct report {
  scenario s; /* from the store */
  char store_path[512];
  char version[32], started[32], finished[32], host[128];
  char stopping[512]; /* the sequential stopping rule, or "" */
  uint64_t n;         /* conversations with every profile's row */
  uint64_t planned;
  profile_stats prof[SCN_MAX_PROFILES];
  pair_stats pair[SCN_MAX_PROFILES];
  int npairs;
  param_bins params[SCN_MAX_KEYS];
  int nparams;
  char unbinned[1024]; /* drawn keys a variant sets, not binned, or "" */
  regression reg[SCN_MAX_PROFILES];
  report_data data;                    /* the conversations themselves */
  check_stats check[SCN_MAX_PROFILES]; /* the analytic check */
  disagreement dis[REPORT_MAX_DISAGREE];
  int ndis;            /* listed (the first REPORT_MAX_DISAGREE) */
  uint64_t ndis_total; /* all of them */
};

/* Which bin of pb value v falls in, or -1. */
int report_bin_of(const param_bins *pb, double v);

/* Label of a bin with units, e.g. "[20ms, 50ms)". */
void report_bin_label(const report *r, const param_bins *pb, const bin_stats *b,
                      char *buf, size_t cap);

/* A value of scenario key `key` with a readable unit ("20ms", "1.5KB"). */
void report_value_text(const report *r, int key, double v, char *buf,
                       size_t cap);

#endif
