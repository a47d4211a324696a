/*
 * diff.c - `halfclose diff`: two stores side by side, profile by profile,
 * paired where they hold the same conversations.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "scenario.h"
#include "stats.h"
#include "store.h"

static const char *const SUB = "diff";

static void usage(FILE *f) {
  fprintf(f, "usage: halfclose diff STORE_A STORE_B\n\n"
             "Compares two results stores, profile by profile (the profiles "
             "both hold):\nfor each outcome - the failed read (app_reset), "
             "lost data (bytes_lost > 0),\nthe redundant ACK, a RST closing "
             "the connection (conn_reset) - its rate in A\nand in B with 95 "
             "%% Wilson intervals, and B - A. Conversations with the same\n"
             "index and the same drawn parameters in both (the same scenario "
             "and seed, or a\ncopy that changed only what the conversations "
             "run under: knobs, profiles) are\npaired: B - A is then on those "
             "pairs, with Newcombe's interval and the exact\nMcNemar test. "
             "Without pairs the two are compared as independent samples\n"
             "(Newcombe's interval for two independent proportions, no "
             "test). Neither\nstore is changed.\n");
}

enum { O_APP, O_LOST, O_RED, O_RESET, NOUT };
static const char *const out_name[NOUT] = {
    "read failed (app_reset)", "lost data (bytes_lost > 0)", "redundant ACK",
    "RST closed the connection (conn_reset)"};

/* One store: its scenario and, per conversation and profile, the four
 * outcomes as bits (bit 7: present). */
typedef struct side {
  hc_store *st;
  scenario s;
  uint64_t n;    /* conversations indexed (max index + 1) */
  uint8_t *bits; /* n x nprofiles */
} side;

static int open_side(side *d, const char *path, char *err, size_t cap) {
  memset(d, 0, sizeof *d);
  if (store_open(&d->st, path, STORE_READ, err, cap) != 0)
    return -1;
  if (store_scenario(d->st, &d->s, err, cap) != 0)
    return -1;
  store_batch b;
  store_batch_info(d->st, &b);
  d->n = b.planned ? b.planned : 1;
  int np = d->s.nprofiles;
  d->bits = calloc((size_t)d->n * (size_t)np, 1);
  if (!d->bits)
    return snprintf(err, cap, "out of memory"), -1;
  store_rows *it;
  if (store_rows_open(d->st, &it, err, cap) != 0)
    return -1;
  store_row r;
  int step;
  while ((step = store_rows_next(it, &r, err, cap)) == 1) {
    if (r.conversation >= d->n)
      continue; /* beyond the plan: not this batch's */
    for (int k = 0; k < np; k++)
      if (strcmp(d->s.profiles[k], r.profile) == 0)
        d->bits[r.conversation * (uint64_t)np + (uint64_t)k] =
            (uint8_t)(128 | (r.o.app_reset << O_APP) |
                      ((r.o.bytes_lost > 0) << O_LOST) |
                      (r.o.redundant_ack << O_RED) |
                      (r.o.conn_reset << O_RESET));
  }
  store_rows_close(it);
  return step < 0 ? -1 : 0;
}

static void close_side(side *d) {
  free(d->bits);
  if (d->s.text)
    scn_free(&d->s);
  if (d->st)
    store_close(d->st);
}

/* Newcombe's hybrid score interval for p2 - p1 of two independent
 * proportions (1998, method 10), from their Wilson intervals. */
static interval independent(uint64_t k1, uint64_t n1, uint64_t k2,
                            uint64_t n2) {
  interval w1 = stats_wilson(k1, n1, 0.95), w2 = stats_wilson(k2, n2, 0.95);
  double p1 = (double)k1 / (double)n1, p2 = (double)k2 / (double)n2;
  double d = p2 - p1;
  interval r = {
      d - sqrt((p2 - w2.lo) * (p2 - w2.lo) + (w1.hi - p1) * (w1.hi - p1)),
      d + sqrt((w2.hi - p2) * (w2.hi - p2) + (p1 - w1.lo) * (p1 - w1.lo))};
  return r;
}

static void pct(char *buf, size_t cap, uint64_t k, uint64_t n) {
  interval w = stats_wilson(k, n, 0.95);
  snprintf(buf, cap, "%6.2f %% [%.2f, %.2f]",
           n ? 100.0 * (double)k / (double)n : 0.0, 100 * w.lo, 100 * w.hi);
}

/* Whether conversation i has the same drawn parameters in both. */
static bool same_draw(const scenario *a, const scenario *b, uint64_t i) {
  conv_params pa, pb;
  double va[SCN_MAX_KEYS], vb[SCN_MAX_KEYS];
  memset(&pa, 0, sizeof pa);
  memset(&pb, 0, sizeof pb);
  scn_draw(a, i, &pa, va);
  scn_draw(b, i, &pb, vb);
  return memcmp(&pa, &pb, sizeof pa) == 0;
}

/* One store's conversations under profile j, and each outcome's count. */
static uint64_t count(const side *d, int j, uint64_t k[NOUT]) {
  uint64_t n = 0;
  for (uint64_t i = 0; i < d->n; i++) {
    uint8_t x = d->bits[i * (uint64_t)d->s.nprofiles + (uint64_t)j];
    if (!x)
      continue;
    n++;
    for (int o = 0; o < NOUT; o++)
      k[o] += (x >> o) & 1;
  }
  return n;
}

static void compare(const side *A, int ja, const side *B, int jb,
                    const bool *pair, uint64_t n) {
  int na = A->s.nprofiles, nb = B->s.nprofiles;
  uint64_t inA = 0, inB = 0, npair = 0;
  uint64_t ka[NOUT] = {0}, kb[NOUT] = {0};
  paired t[NOUT];
  memset(t, 0, sizeof t);
  inA = count(A, ja, ka);
  inB = count(B, jb, kb);
  for (uint64_t i = 0; i < n; i++) {
    uint8_t x = A->bits[i * (uint64_t)na + (uint64_t)ja];
    uint8_t y = B->bits[i * (uint64_t)nb + (uint64_t)jb];
    if (!pair[i] || !x || !y)
      continue;
    npair++;
    for (int o = 0; o < NOUT; o++) {
      bool p = (x >> o) & 1, q = (y >> o) & 1;
      t[o].a += p && q;
      t[o].b += p && !q; /* A only */
      t[o].c += !p && q; /* B only */
      t[o].d += !p && !q;
    }
  }
  printf("\nprofile %s: %llu conversations in A, %llu in B, %llu paired "
         "(same index, same drawn parameters)\n",
         A->s.profiles[ja], (unsigned long long)inA, (unsigned long long)inB,
         (unsigned long long)npair);
  if (!inA || !inB)
    return;
  for (int o = 0; o < NOUT; o++) {
    char a[64], b[64];
    if (npair) { /* A and B on the pairs */
      pct(a, sizeof a, t[o].a + t[o].b, npair);
      pct(b, sizeof b, t[o].a + t[o].c, npair);
      mcnemar m = stats_mcnemar(t[o], 0.95);
      /* stats_mcnemar gives A - B: turn it to B - A */
      printf("  %-40s A %s  B %s  B - A %+.2f pp [%.2f, %.2f]  exact "
             "McNemar p = %.3g (A only %llu, B only %llu)\n",
             out_name[o], a, b,
             100.0 * ((double)t[o].c - (double)t[o].b) / (double)npair,
             0.0 - 100 * m.ci.hi, 0.0 - 100 * m.ci.lo, m.p_exact,
             (unsigned long long)t[o].b, (unsigned long long)t[o].c);
    } else {
      pct(a, sizeof a, ka[o], inA);
      pct(b, sizeof b, kb[o], inB);
      interval ci = independent(ka[o], inA, kb[o], inB);
      printf("  %-40s A %s  B %s  B - A %+.2f pp [%.2f, %.2f] "
             "(independent samples)\n",
             out_name[o], a, b,
             100.0 *
                 ((double)kb[o] / (double)inB - (double)ka[o] / (double)inA),
             100 * ci.lo, 100 * ci.hi);
    }
  }
}

int cmd_diff(int argc, char **argv) {
  const char *pa = NULL, *pb = NULL;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      return 0;
    } else if (!pa && a[0] != '-') {
      pa = a;
    } else if (cli_positional(SUB, a, &pb, "second store")) {
      return 2;
    }
  }
  if (!pa || !pb)
    return cli_error(SUB, "two stores, please (see halfclose help diff)");
  char err[600];
  static side A, B;
  if (open_side(&A, pa, err, sizeof err) != 0 ||
      open_side(&B, pb, err, sizeof err) != 0) {
    close_side(&A);
    close_side(&B);
    return cli_error(SUB, "%s", err);
  }
  uint64_t n = A.n < B.n ? A.n : B.n;
  bool *pair = calloc(n ? n : 1, sizeof *pair);
  if (!pair) {
    close_side(&A);
    close_side(&B);
    return cli_error(SUB, "out of memory");
  }
  bool same_text = A.s.hash == B.s.hash && A.s.seed == B.s.seed;
  uint64_t npair = 0;
  for (uint64_t i = 0; i < n; i++) {
    pair[i] = same_text || same_draw(&A.s, &B.s, i);
    npair += pair[i];
  }
  printf("A  %s: scenario %s, seed %llu\nB  %s: scenario %s, seed %llu\n", pa,
         A.s.name, (unsigned long long)A.s.seed, pb, B.s.name,
         (unsigned long long)B.s.seed);
  printf("%llu of the first %llu conversation indices have the same drawn "
         "parameters in both%s\n",
         (unsigned long long)npair, (unsigned long long)n,
         same_text ? " (the same scenario and seed)" : "");
  int shown = 0;
  for (int ja = 0; ja < A.s.nprofiles; ja++)
    for (int jb = 0; jb < B.s.nprofiles; jb++)
      if (strcmp(A.s.profiles[ja], B.s.profiles[jb]) == 0) {
        compare(&A, ja, &B, jb, pair, n);
        shown++;
      }
  if (!shown)
    printf("\nno profile in common: nothing to compare\n");
  for (int ja = 0; ja < A.s.nprofiles; ja++) {
    bool in = false;
    for (int jb = 0; jb < B.s.nprofiles; jb++)
      in |= strcmp(A.s.profiles[ja], B.s.profiles[jb]) == 0;
    if (!in)
      printf("only in A: %s\n", A.s.profiles[ja]);
  }
  for (int jb = 0; jb < B.s.nprofiles; jb++) {
    bool in = false;
    for (int ja = 0; ja < A.s.nprofiles; ja++)
      in |= strcmp(A.s.profiles[ja], B.s.profiles[jb]) == 0;
    if (!in)
      printf("only in B: %s\n", B.s.profiles[jb]);
  }
  free(pair);
  close_side(&A);
  close_side(&B);
  return 0;
}
