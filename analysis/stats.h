/*
 * stats.h - the statistics of the report, on GSL's distributions: binomial
 * intervals (Wilson, Clopper-Pearson), the exact McNemar test with its
 * mid-p, Newcombe's interval for a difference of paired proportions, Holm's
 * correction, and logistic regression by iteratively reweighted least
 * squares.
 *
 * Nothing here reads files or prints; the report does.
 */
#ifndef HALFCLOSE_STATS_H
#define HALFCLOSE_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct interval {
  double lo, hi; /* bounds of the interval */
} interval;

/* Wilson score interval for k events in n trials, coverage `conf`. */
interval stats_wilson(uint64_t k, uint64_t n, double conf);

/* Clopper-Pearson exact interval; lo = 0 when k = 0, hi = 1 when k = n. */
interval stats_clopper_pearson(uint64_t k, uint64_t n, double conf);

/* A paired 2x2 table: a both, b first only, c second only, d neither. */
typedef struct paired {
  uint64_t a, b, c, d;
} paired;

typedef struct mcnemar {
  double p_exact; /* two-sided exact binomial test on the discordant pairs */
  double p_mid;   /* its mid-p version */
  double diff;    /* p1 - p2 = (b - c) / n */
  interval ci;    /* Newcombe's hybrid score interval (method 10) */
} mcnemar;

/* The exact McNemar test and the difference of the paired proportions. */
mcnemar stats_mcnemar(paired t, double conf);

/* Holm's step-down adjustment of m p-values, in place. */
void stats_holm(double *p, size_t m);

/* Logistic regression of y (0/1) on k predictors (x is n rows of k, no
 * intercept column: one is added). */
typedef struct logit {
  bool ok; /* converged without separation */
  int iterations;
  double beta[9]; /* intercept, then one per predictor */
  double se[9];   /* standard errors (inverse Fisher information) */
} logit;

#define LOGIT_MAX_K 8

logit stats_logit(const double *x, const uint8_t *y, size_t n, size_t k);

/* Two-sided p-value of a Wald z statistic. */
double stats_wald_p(double z);

/* The standard normal quantile for a two-sided `conf` interval. */
double stats_z(double conf);

#endif
