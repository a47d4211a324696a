/*
 * stats.c - see stats.h. Every distribution function is GSL's.
 */
#include "stats.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* GSL aborts on errors by default; the report checks its results */
__attribute__((constructor)) static void quiet_gsl(void) {
  gsl_set_error_handler_off();
}

double stats_z(double conf) {
  return gsl_cdf_ugaussian_Pinv(1.0 - (1.0 - conf) / 2.0);
}

interval stats_wilson(uint64_t k, uint64_t n, double conf) {
  if (n == 0)
    return (interval){0, 1};
  double z = stats_z(conf), nn = (double)n, p = (double)k / nn;
  double den = 1 + z * z / nn;
  double mid = (p + z * z / (2 * nn)) / den;
  double half = z * sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn)) / den;
  interval r = {mid - half, mid + half};
  if (k == 0)
    r.lo = 0;
  if (k == n)
    r.hi = 1;
  return r;
}

/* The p where f(p) = target, f increasing in p, by bisection. */
static double solve_up(double (*f)(double, uint64_t, uint64_t), uint64_t k,
                       uint64_t n, double target) {
  double lo = 0, hi = 1;
  for (int i = 0; i < 200 && hi - lo > 1e-15; i++) {
    double mid = (lo + hi) / 2;
    if (f(mid, k, n) < target)
      lo = mid;
    else
      hi = mid;
  }
  return (lo + hi) / 2;
}

/* P(X >= k | n, p): increasing in p */
static double upper_tail(double p, uint64_t k, uint64_t n) {
  return gsl_cdf_binomial_Q((unsigned)(k - 1), p, (unsigned)n);
}

/* -P(X <= k | n, p): increasing in p */
static double neg_lower_tail(double p, uint64_t k, uint64_t n) {
  return -gsl_cdf_binomial_P((unsigned)k, p, (unsigned)n);
}

/*
 * The exact bounds are the p where the binomial tails equal alpha / 2. GSL's
 * inverse beta CDF (their closed form) fails to converge for some large n,
 * so the tails themselves - GSL's binomial CDF - are solved by bisection.
 */
interval stats_clopper_pearson(uint64_t k, uint64_t n, double conf) {
  if (n == 0)
    return (interval){0, 1};
  double alpha = 1 - conf;
  interval r;
  r.lo = k == 0 ? 0 : solve_up(upper_tail, k, n, alpha / 2);
  r.hi = k == n ? 1 : solve_up(neg_lower_tail, k, n, -alpha / 2);
  return r;
}

mcnemar stats_mcnemar(paired t, double conf) {
  mcnemar m;
  double n = (double)(t.a + t.b + t.c + t.d);
  unsigned nd = (unsigned)(t.b + t.c);
  unsigned lo = (unsigned)(t.b < t.c ? t.b : t.c);
  if (nd == 0) {
    m.p_exact = m.p_mid = 1;
  } else {
    double tail = gsl_cdf_binomial_P(lo, 0.5, nd);
    double at = gsl_ran_binomial_pdf(lo, 0.5, nd);
    m.p_exact = fmin(1.0, 2 * tail);
    m.p_mid = fmin(1.0, 2 * (tail - 0.5 * at));
  }
  if (n == 0) {
    m.diff = 0;
    m.ci = (interval){-1, 1};
    return m;
  }
  /* Newcombe (1998), method 10: Wilson intervals of both margins joined
   * through a continuity-corrected phi */
  double p1 = (double)(t.a + t.b) / n, p2 = (double)(t.a + t.c) / n;
  interval w1 = stats_wilson(t.a + t.b, (uint64_t)n, conf);
  interval w2 = stats_wilson(t.a + t.c, (uint64_t)n, conf);
  double A = (double)t.a, B = (double)t.b, C = (double)t.c, D = (double)t.d;
  double marg = (A + B) * (C + D) * (A + C) * (B + D);
  double phi = 0;
  if (marg > 0) {
    double num = A * D - B * C;
    if (num > 0)
      num = fmax(num - n / 2, 0);
    phi = num / sqrt(marg);
  }
  double d1 = p1 - w1.lo, e1 = w1.hi - p1, d2 = p2 - w2.lo, e2 = w2.hi - p2;
  double delta = sqrt(fmax(d1 * d1 - 2 * phi * d1 * e2 + e2 * e2, 0));
  double eps = sqrt(fmax(e1 * e1 - 2 * phi * e1 * d2 + d2 * d2, 0));
  m.diff = p1 - p2;
  m.ci = (interval){m.diff - delta, m.diff + eps};
  return m;
}

static int cmp_idx(const void *a, const void *b, void *p) {
  const double *v = p;
  double x = v[*(const size_t *)a], y = v[*(const size_t *)b];
  return x < y ? -1 : x > y;
}

/* qsort_r is a GNU extension: a small insertion sort on indices does */
static void sort_idx(size_t *idx, size_t m, const double *p) {
  for (size_t i = 1; i < m; i++) {
    size_t v = idx[i], j = i;
    while (j > 0 && cmp_idx(&idx[j - 1], &v, (void *)p) > 0) {
      idx[j] = idx[j - 1];
      j--;
    }
    idx[j] = v;
  }
}

void stats_holm(double *p, size_t m) {
  if (m == 0)
    return;
  size_t *idx = malloc(m * sizeof *idx);
  double *adj = malloc(m * sizeof *adj);
  if (!idx || !adj) {
    free(idx);
    free(adj);
    return;
  }
  for (size_t i = 0; i < m; i++)
    idx[i] = i;
  sort_idx(idx, m, p);
  double run = 0;
  for (size_t r = 0; r < m; r++) {
    double v = fmin(1.0, (double)(m - r) * p[idx[r]]);
    run = fmax(run, v); /* adjusted p-values never decrease */
    adj[idx[r]] = run;
  }
  memcpy(p, adj, m * sizeof *p);
  free(idx);
  free(adj);
}

double stats_wald_p(double z) {
  return 2 * gsl_cdf_ugaussian_Q(fabs(z));
}

logit stats_logit(const double *x, const uint8_t *y, size_t n, size_t k) {
  logit r;
  memset(&r, 0, sizeof r);
  size_t p = k + 1;
  if (k > LOGIT_MAX_K || n <= p)
    return r;
  gsl_matrix *H = gsl_matrix_alloc(p, p);
  gsl_vector *g = gsl_vector_alloc(p), *step = gsl_vector_alloc(p);
  double beta[9] = {0};
  bool converged = false;
  for (r.iterations = 1; r.iterations <= 50; r.iterations++) {
    /* gradient and Fisher information at beta */
    gsl_matrix_set_zero(H);
    gsl_vector_set_zero(g);
    for (size_t i = 0; i < n; i++) {
      double row[9] = {1};
      for (size_t j = 0; j < k; j++)
        row[j + 1] = x[i * k + j];
      double eta = 0;
      for (size_t j = 0; j < p; j++)
        eta += beta[j] * row[j];
      double mu = 1 / (1 + exp(-eta)), w = mu * (1 - mu);
      for (size_t j = 0; j < p; j++) {
        *gsl_vector_ptr(g, j) += (y[i] - mu) * row[j];
        for (size_t l = 0; l <= j; l++)
          *gsl_matrix_ptr(H, j, l) += w * row[j] * row[l];
      }
    }
    for (size_t j = 0; j < p; j++)
      for (size_t l = j + 1; l < p; l++)
        gsl_matrix_set(H, j, l, gsl_matrix_get(H, l, j));
    gsl_set_error_handler_off();
    if (gsl_linalg_cholesky_decomp1(H) != 0)
      break; /* singular information: separation or a constant column */
    gsl_linalg_cholesky_solve(H, g, step);
    double biggest = 0;
    for (size_t j = 0; j < p; j++) {
      beta[j] += gsl_vector_get(step, j);
      biggest = fmax(biggest, fabs(gsl_vector_get(step, j)));
    }
    if (biggest < 1e-8) {
      converged = true;
      gsl_linalg_cholesky_invert(H);
      for (size_t j = 0; j < p; j++)
        r.se[j] = sqrt(gsl_matrix_get(H, j, j));
      break;
    }
  }
  /* on standardized predictors: a coefficient beyond 30 (an odds ratio of
   * e^30 per SD) or a standard error beyond 100 is a likelihood that keeps
   * rising along some direction - separation, or collinearity */
  bool separated = false;
  for (size_t j = 0; j < p; j++)
    separated |= fabs(beta[j]) > 30 || !(r.se[j] <= 100);
  r.ok = converged && !separated;
  memcpy(r.beta, beta, sizeof beta);
  gsl_matrix_free(H);
  gsl_vector_free(g);
  gsl_vector_free(step);
  return r;
}
