/*
 * test_stats.c - the report's statistics against published values and
 * hand computations: Wilson and Clopper-Pearson intervals (Newcombe 1998,
 * Table I), Newcombe's paired interval (1998, method 10) on his example,
 * an exact McNemar test worked by hand, Holm's adjustment, and logistic
 * regression against the closed-form MLE of a single binary predictor.
 */
#include "stats.h"

#include <math.h>
#include <stdlib.h>

#include "harness.h"

#define NEAR(x, y, tol) CHECK(fabs((x) - (y)) <= (tol))

static void test_published_intervals(void) {
  static const struct {
    uint64_t k, n;
    double wl, wh, el, eh;
  } t[] = {
      {81, 263, 0.2553, 0.3662, 0.2527, 0.3676},
      {15, 148, 0.0624, 0.1605, 0.0578, 0.1617},
      {0, 20, 0.0, 0.1611, 0.0, 0.1684},
      {1, 29, 0.0061, 0.1718, 0.0009, 0.1776},
      {0, 10, 0.0, 0.2775, 0.0, 0.3085},
      {5, 20, 0.1119, 0.4687, 0.0866, 0.4910},
  };
  for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
    interval w = stats_wilson(t[i].k, t[i].n, 0.95);
    interval e = stats_clopper_pearson(t[i].k, t[i].n, 0.95);
    NEAR(w.lo, t[i].wl, 0.00005);
    NEAR(w.hi, t[i].wh, 0.00005);
    NEAR(e.lo, t[i].el, 0.00005);
    NEAR(e.hi, t[i].eh, 0.00005);
  }
  /* the rule of three, roughly: 0 of 10 000 -> at most 0.037 % */
  interval z = stats_clopper_pearson(0, 10000, 0.95);
  NEAR(z.hi, 0.000369, 0.000001);
  interval all = stats_wilson(10, 10, 0.95);
  CHECK_EQ(all.hi, 1);
}

static void test_mcnemar_by_hand(void) {
  /* b = 10, c = 2: P(X <= 2 | 12, 1/2) = (1 + 12 + 66) / 4096 */
  paired t = {5, 10, 2, 30};
  mcnemar m = stats_mcnemar(t, 0.95);
  NEAR(m.p_exact, 2.0 * 79 / 4096, 1e-12);
  NEAR(m.p_mid, 2.0 * (79 - 33) / 4096, 1e-12);
  NEAR(m.diff, 8.0 / 47, 1e-12);
  /* no discordant pair: p = 1 */
  paired same = {3, 0, 0, 7};
  CHECK_EQ(stats_mcnemar(same, 0.95).p_exact, 1);
}

static void test_newcombe_paired_example(void) {
  /* Newcombe (1998), paired example: 12, 9, 2, 21 -> 0.1591 with method
   * 10 interval 0.0112 to 0.2954 */
  paired t = {12, 9, 2, 21};
  mcnemar m = stats_mcnemar(t, 0.95);
  NEAR(m.diff, 0.1591, 0.00005);
  NEAR(m.ci.lo, 0.0112, 0.00005);
  NEAR(m.ci.hi, 0.2954, 0.00005);
  /* a sure difference: all discordant one way */
  paired u = {0, 50, 0, 50};
  mcnemar v = stats_mcnemar(u, 0.95);
  CHECK(v.ci.lo > 0.35 && v.ci.hi < 0.65 && v.ci.lo < 0.5 && v.ci.hi > 0.5);
}

static void test_holm(void) {
  double p[4] = {0.01, 0.04, 0.03, 0.005};
  stats_holm(p, 4);
  NEAR(p[0], 0.03, 1e-12);
  NEAR(p[1], 0.06, 1e-12);
  NEAR(p[2], 0.06, 1e-12);
  NEAR(p[3], 0.02, 1e-12);
}

static uint64_t rng = 12345;
static double unif(void) {
  rng = rng * 6364136223846793005ull + 1442695040888963407ull;
  return (double)(rng >> 11) * 0x1.0p-53;
}

static void test_logit_binary_closed_form(void) {
  /* one binary predictor: the MLE is the difference of the logits */
  size_t n = 1000;
  double *x = malloc(n * sizeof *x);
  uint8_t *y = malloc(n);
  size_t n1 = 0, k1 = 0, k0 = 0;
  for (size_t i = 0; i < n; i++) {
    x[i] = i % 3 == 0;
    y[i] = unif() < (x[i] ? 0.6 : 0.2);
    n1 += x[i] != 0;
    k1 += x[i] && y[i];
    k0 += !x[i] && y[i];
  }
  logit f = stats_logit(x, y, n, 1);
  CHECK(f.ok);
  double p1 = (double)k1 / (double)n1, p0 = (double)k0 / (double)(n - n1);
  NEAR(f.beta[0], log(p0 / (1 - p0)), 1e-6);
  NEAR(f.beta[1], log(p1 / (1 - p1)) - log(p0 / (1 - p0)), 1e-6);
  /* the SE of a log odds ratio: sqrt of the sum of 1/cell */
  double se = sqrt(1.0 / (double)k1 + 1.0 / (double)(n1 - k1) +
                   1.0 / (double)k0 + 1.0 / (double)(n - n1 - k0));
  NEAR(f.se[1], se, 1e-4);
  free(x);
  free(y);
}

static void test_logit_recovers_coefficients(void) {
  size_t n = 20000, k = 2;
  double *x = malloc(n * k * sizeof *x);
  uint8_t *y = malloc(n);
  for (size_t i = 0; i < n; i++) {
    double a = unif() * 2 - 1, b = unif() * 2 - 1;
    x[i * k] = a;
    x[i * k + 1] = b;
    double eta = -1 + 0.8 * a - 0.5 * b;
    y[i] = unif() < 1 / (1 + exp(-eta));
  }
  logit f = stats_logit(x, y, n, k);
  CHECK(f.ok);
  CHECK(fabs(f.beta[0] + 1) < 4 * f.se[0]);
  CHECK(fabs(f.beta[1] - 0.8) < 4 * f.se[1]);
  CHECK(fabs(f.beta[2] + 0.5) < 4 * f.se[2]);
  /* complete separation is reported, not fitted */
  for (size_t i = 0; i < n; i++)
    y[i] = x[i * k] > 0;
  CHECK(!stats_logit(x, y, n, k).ok);
  free(x);
  free(y);
}

int main(void) {
  RUN(test_published_intervals);
  RUN(test_mcnemar_by_hand);
  RUN(test_newcombe_paired_example);
  RUN(test_holm);
  RUN(test_logit_binary_closed_form);
  RUN(test_logit_recovers_coefficients);
  return t_summary();
}
