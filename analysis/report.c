/*
 * report.c - see report.h.
 *
 * The store's rows are grouped by conversation; only conversations with a
 * row for every profile count, so every comparison is paired. Parameter
 * values are not read back from the columns but drawn again from the
 * scenario kept in the store (scn_draw is a pure function of scenario,
 * seed and index). The analytic check (predict.h) runs per row as it is
 * read, with the profiles the conversation ran with and the random choices
 * the store kept (the tick phases).
 */
#include "report_data.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "predict.h"
#include "store.h"

#define CONF 0.95

#define F_REDUNDANT REPORT_F_REDUNDANT
#define F_SRST      REPORT_F_SRST
#define F_RESET     REPORT_F_RESET
#define F_APP       REPORT_F_APP
#define F_DONE      REPORT_F_DONE
#define F_HARMLESS  REPORT_F_HARMLESS
#define F_LOST      REPORT_F_LOST

typedef report_obs obs;
typedef report_data data;

static rate make_rate(uint64_t k, uint64_t n) {
  rate r = {k, n, n ? (double)k / (double)n : 0, stats_wilson(k, n, CONF),
            stats_clopper_pearson(k, n, CONF)};
  return r;
}

static void note_in(const char **reason, uint64_t *reason_n, int *nreasons,
                    const char *why) {
  for (int i = 0; i < *nreasons; i++)
    if (reason[i] == why || strcmp(reason[i], why) == 0) {
      reason_n[i]++;
      return;
    }
  if (*nreasons < REPORT_MAX_REASONS) {
    reason[*nreasons] = why;
    reason_n[(*nreasons)++] = 1;
  }
}

static void note_reason(check_stats *c, const char *why) {
  note_in(c->reason, c->reason_n, &c->nreasons, why);
}

static void note_disagreement(report *r, uint64_t conv, int j, int stage,
                              bool pred, bool sim) {
  r->ndis_total++;
  if (r->ndis < REPORT_MAX_DISAGREE)
    r->dis[r->ndis++] = (disagreement){conv, j, stage, pred, sim};
}

/* Stage K of one row: the keep-alive window's outcomes and times. */
static void check_keepalive(report *r, const predict_in *in, int j,
                            uint64_t conv, const conv_outcome *row) {
  check_stats *c = &r->check[j];
  c->ka_applicable++;
  predict_ka k;
  predict_keepalive(in, &k);
  if (!k.in_regime) {
    note_in(c->ka_reason, c->ka_reason_n, &c->ka_nreasons, k.why ? k.why : "?");
    return;
  }
  c->ka_regime++;
  bool sim_fail = row->requests_failed + row->retries > 0;
  c->ka_predicted_fail += k.fails;
  c->ka_simulated_fail += sim_fail;
  if (k.exchanges == row->exchanges &&
      k.requests_failed == row->requests_failed && k.retries == row->retries &&
      k.connections == row->connections)
    c->ka_agree++;
  else
    note_disagreement(r, conv, j, 5, k.fails, sim_fail);
  bool cause = row->reset_cause == CONV_CAUSE_DATA_AFTER_CLOSE;
  if (k.server_rst == row->server_rst && k.server_rst == cause)
    c->ka_rst_agree++;
  else
    note_disagreement(r, conv, j, 5, k.server_rst, row->server_rst);
  if (!k.fails)
    return;
  c->ka_timed++;
  if ((!k.server_rst || k.t_arrive == row->a.server_rst) &&
      (k.t_fin < 0 || k.t_fin == row->a.fin_arrived))
    c->ka_times_agree++;
  else
    note_disagreement(r, conv, j, 6, true, false);
}

/*
 * The analytic check of one row: stage 1 in its regime, stage 2 where a
 * redundant ACK was sent to a paced reader. Returns the REPORT_P_* code.
 */
static int8_t check_row(report *r, const conv_params *cp, const double *vals,
                        int j, uint64_t conv, uint8_t f,
                        const conv_outcome *row, uint8_t *app_predicted) {
  check_stats *c = &r->check[j];
  conv_params vp = *cp; /* a variant's conversation keys over the draw */
  scn_params_for(&r->s, r->s.profiles[j], &vp);
  predict_in in = {.p = &vp};
  scn_ends ends;
  if (scn_ends_for(&r->s, r->s.profiles[j], vals, &ends, NULL, 0) != 0) {
    note_reason(c, "the profile does not resolve");
    return REPORT_P_OUT;
  }
  if (ends.ns3) {
    note_reason(c, "ns-3's own TCP is not the model");
    return REPORT_P_OUT;
  }
  in.client = ends.client;
  in.server = ends.server;
  uint64_t mss_max = cp->mtu - 40; /* as the conversation caps it */
  int64_t unread = row->a.unread_at_fin;
  if (in.client.mss > mss_max)
    in.client.mss = (uint16_t)mss_max;
  if (in.server.mss > mss_max)
    in.server.mss = (uint16_t)mss_max;
  in.phase_ns[0] = row->phase_ns[0];
  in.phase_ns[1] = row->phase_ns[1];
  if (vp.requests == 2 && vp.idle_timeout_ns)
    check_keepalive(r, &in, j, conv, row);
  bool sim = f & F_REDUNDANT;
  /* stage 2: the reader's lag, given the measured redundant ACK */
  int a = predict_app_reset(&in, row->a.fin_arrived, row->a.redundant_ack,
                            (uint64_t)(unread > 0 ? unread : 0));
  if (a >= 0 && cp->loss == 0) {
    c->compared2++;
    bool app = f & F_APP;
    if ((a == 1) == app)
      c->agree2++;
    else
      note_disagreement(r, conv, j, 2, a == 1, app);
  }
  predict_out o;
  predict_redundant_ack(&in, &o);
  if (!o.in_regime) {
    note_reason(c, o.why ? o.why : "?");
    return REPORT_P_OUT;
  }
  c->regime++;
  if (o.by_definition) {
    c->by_definition++;
    if (sim) /* the simulation contradicts the profile's own rule */
      note_disagreement(r, conv, j, 1, false, true);
    return REPORT_P_DEF;
  }
  c->compared++;
  c->predicted_yes += o.redundant_ack;
  c->simulated_yes += sim;
  if (o.redundant_ack == sim)
    c->agree++;
  else
    note_disagreement(r, conv, j, 1, o.redundant_ack, sim);
  bool app = f & F_APP;
  *app_predicted = o.app_reset;
  c->app_predicted_yes += o.app_reset;
  c->app_simulated_yes += app;
  if (o.app_reset == app)
    c->app_agree++;
  else
    note_disagreement(r, conv, j, 3, o.app_reset, app);
  if (o.t_fin == row->a.fin_arrived && o.t_redundant == row->a.redundant_ack &&
      o.t_conn_reset == row->a.conn_reset &&
      o.unread_at_fin == row->a.unread_at_fin)
    c->times_agree++;
  else {
    note_disagreement(r, conv, j, 4, true, false);
  }
  return o.redundant_ack ? REPORT_P_YES : REPORT_P_NO;
}

/* Keep a conversation that has every profile's row, with the values drawn
 * for it (d->o and d->vals grow together). 0, or -1 out of memory. */
static int keep(data *d, const obs *o, const double *vals, int nk) {
  size_t row = (size_t)(nk ? nk : 1);
  if (d->n == d->cap) {
    size_t cap = d->cap ? 2 * d->cap : 1024;
    obs *p = realloc(d->o, cap * sizeof *p);
    if (!p)
      return -1;
    d->o = p;
    double *v = realloc(d->vals, cap * row * sizeof *v);
    if (!v)
      return -1;
    d->vals = v;
    d->cap = cap;
  }
  memcpy(&d->vals[d->n * row], vals, row * sizeof *vals);
  d->o[d->n++] = *o;
  return 0;
}

static int load(report *r, hc_store *st, data *d, char *err, size_t cap) {
  store_rows *it;
  if (store_rows_open(st, &it, err, cap) != 0)
    return -1;
  int np = r->s.nprofiles;
  obs cur;
  int have = 0;
  bool started = false;
  int nk = r->s.nkeys;
  conv_params cp;
  double *vals = calloc((size_t)(nk ? nk : 1), sizeof *vals);
  if (!vals)
    goto nomem;
  store_row row;
  int step;
  while ((step = store_rows_next(it, &row, err, cap)) == 1) {
    uint64_t conv = row.conversation;
    const conv_outcome *o = &row.o;
    if (!started || conv != cur.conv) {
      /* vals still holds the previous conversation's draw */
      if (started && have == (1 << np) - 1 && keep(d, &cur, vals, nk) != 0)
        goto nomem;
      memset(&cur, 0, sizeof cur);
      cur.conv = conv;
      have = 0;
      started = true;
      scn_draw(&r->s, conv, &cp, vals);
    }
    int pi = -1;
    for (int i = 0; i < np; i++)
      if (strcmp(row.profile, r->s.profiles[i]) == 0)
        pi = i;
    if (pi < 0)
      continue;
    have |= 1 << pi;
    cur.f[pi] =
        (uint8_t)((o->redundant_ack ? F_REDUNDANT : 0) |
                  (o->server_rst ? F_SRST : 0) | (o->conn_reset ? F_RESET : 0) |
                  (o->app_reset ? F_APP : 0) | (o->completed ? F_DONE : 0) |
                  (o->bytes_lost > 0 ? F_LOST : 0) |
                  (o->reset_after_close ? F_HARMLESS : 0) |
                  (o->requests_failed ? REPORT_F_REQFAIL : 0));
    cur.nreq[pi] = (uint16_t)(o->exchanges + o->requests_failed);
    cur.reqfail[pi] = (uint16_t)o->requests_failed;
    cur.freset[pi] = (uint16_t)o->failed_reset;
    cur.feof[pi] = (uint16_t)o->failed_eof;
    cur.conns[pi] = (uint32_t)o->connections;
    cur.retries[pi] = (uint32_t)o->retries;
    cur.drops[pi] = o->lost;
    cur.lost[pi] = o->bytes_lost;
    cur.cause[pi] = (uint8_t)o->reset_cause;
    cur.p1[pi] = check_row(r, &cp, vals, pi, conv, cur.f[pi], o, &cur.pa[pi]);
  }
  if (step != 0) {
    store_rows_close(it);
    free(vals);
    return -1;
  }
  if (started && have == (1 << np) - 1 && keep(d, &cur, vals, nk) != 0)
    goto nomem;
  store_rows_close(it);
  free(vals);
  return 0;
nomem:
  store_rows_close(it);
  free(vals);
  snprintf(err, cap, "out of memory");
  return -1;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void profile_totals(report *r, const data *d) {
  int np = r->s.nprofiles;
  uint64_t *lost = malloc((d->n ? d->n : 1) * sizeof *lost);
  for (int j = 0; j < np; j++) {
    profile_stats *ps = &r->prof[j];
    snprintf(ps->name, sizeof ps->name, "%s", r->s.profiles[j]);
    memset(ps->rst_cause, 0, sizeof ps->rst_cause);
    ps->requests = ps->requests_failed = 0;
    ps->failed_reset = ps->failed_eof = ps->retry_failed = 0;
    ps->with_drops = ps->drops = ps->unanswered = ps->unfelt = 0;
    ps->unanswered_drops = ps->unfelt_drops = 0;
    uint64_t kf = 0;
    uint64_t k[7] = {0}, nl = 0;
    double sum = 0;
    for (size_t i = 0; i < d->n; i++) {
      uint8_t f = d->o[i].f[j];
      k[0] += !!(f & F_REDUNDANT);
      k[1] += !!(f & F_SRST);
      k[2] += !!(f & F_RESET);
      k[3] += !!(f & F_APP);
      k[4] += !!(f & F_DONE);
      k[5] += !!(f & F_LOST);
      k[6] += !!(f & F_HARMLESS);
      kf += !!(f & REPORT_F_REQFAIL);
      ps->requests += d->o[i].nreq[j];
      ps->requests_failed += d->o[i].reqfail[j];
      ps->failed_reset += d->o[i].freset[j];
      ps->failed_eof += d->o[i].feof[j];
      ps->retry_failed += d->o[i].retries[j] > 0 && d->o[i].reqfail[j] > 0;
      ps->connections += d->o[i].conns[j];
      ps->retries += d->o[i].retries[j];
      ps->with_drops += d->o[i].drops[j] > 0;
      ps->drops += d->o[i].drops[j];
      bool unanswered = (f & F_REDUNDANT) && !(f & F_SRST);
      bool unfelt = (f & F_SRST) && !(f & F_RESET);
      ps->unanswered += unanswered;
      ps->unfelt += unfelt;
      ps->unanswered_drops += unanswered && d->o[i].drops[j] > 0;
      ps->unfelt_drops += unfelt && d->o[i].drops[j] > 0;
      if (d->o[i].cause[j] < CONV_NCAUSES)
        ps->rst_cause[d->o[i].cause[j]]++;
      sum += (double)d->o[i].lost[j];
      if (d->o[i].lost[j] && lost)
        lost[nl++] = d->o[i].lost[j];
    }
    ps->redundant_ack = make_rate(k[0], d->n);
    ps->server_rst = make_rate(k[1], d->n);
    ps->conn_reset = make_rate(k[2], d->n);
    ps->app_reset = make_rate(k[3], d->n);
    ps->completed = make_rate(k[4], d->n);
    ps->lost_any = make_rate(k[5], d->n);
    ps->reset_after_close = make_rate(k[6], d->n);
    ps->req_failed = make_rate(kf, d->n);
    ps->lost_mean = d->n ? sum / (double)d->n : 0;
    ps->lost_mean_affected = nl ? sum / (double)nl : 0;
    if (nl && lost) {
      qsort(lost, nl, sizeof *lost, cmp_u64);
      ps->lost_q50 = lost[(nl - 1) / 2];
      ps->lost_q90 = lost[(size_t)((double)(nl - 1) * 0.9)];
      ps->lost_q99 = lost[(size_t)((double)(nl - 1) * 0.99)];
      ps->lost_max = lost[nl - 1];
    }
  }
  free(lost);
}

static paired table_of(const data *d, int a, int b, uint8_t flag) {
  paired t = {0, 0, 0, 0};
  for (size_t i = 0; i < d->n; i++) {
    bool x = d->o[i].f[a] & flag, y = d->o[i].f[b] & flag;
    if (x && y)
      t.a++;
    else if (x)
      t.b++;
    else if (y)
      t.c++;
    else
      t.d++;
  }
  return t;
}

static void pairs(report *r, const data *d) {
  r->npairs = 0;
  for (int j = 1; j < r->s.nprofiles; j++) {
    pair_stats *p = &r->pair[r->npairs++];
    p->j = j;
    p->symptom = table_of(d, 0, j, F_APP);
    p->lost = table_of(d, 0, j, F_LOST);
    p->reset = table_of(d, 0, j, F_RESET);
    p->symptom_test = stats_mcnemar(p->symptom, CONF);
    p->lost_test = stats_mcnemar(p->lost, CONF);
    p->reset_test = stats_mcnemar(p->reset, CONF);
    p->reqfail = table_of(d, 0, j, REPORT_F_REQFAIL);
    p->reqfail_test = stats_mcnemar(p->reqfail, CONF);
  }
}

int report_bin_of(const param_bins *pb, double v) {
  for (int b = 0; b < pb->nbins; b++) {
    const bin_stats *x = &pb->bin[b];
    if (x->lo == x->hi ? v == x->lo
                       : (v >= x->lo && (v < x->hi || b == pb->nbins - 1)))
      return b;
  }
  return -1;
}

static void make_bins(report *r, const data *d, int key, param_bins *pb) {
  const scn_key *k = &r->s.keys[key];
  int nk = r->s.nkeys;
  pb->key = key;
  store_column(k->param ? NULL : k, k->param, pb->column, sizeof pb->column);
  pb->nbins = 0;
  pb->log_scale = k->dist == SCN_LOGUNIFORM;
  if (k->dist == SCN_CHOICE || k->dist == SCN_GRID) {
    double v[SCN_MAX_VALUES];
    int nv = 0;
    for (int i = 0; i < k->nvals; i++) {
      double x = k->kind == HC_PROB ? k->vals[i] : floor(k->vals[i] + 0.5);
      bool dup = false;
      for (int j = 0; j < nv; j++)
        dup |= v[j] == x;
      if (!dup)
        v[nv++] = x;
    }
    qsort(v, (size_t)nv, sizeof *v, cmp_double);
    for (int i = 0; i < nv && i < REPORT_MAX_BINS; i++)
      pb->bin[pb->nbins++] = (bin_stats){.lo = v[i], .hi = v[i]};
    return;
  }
  /* continuous: five bins, equal in log space for loguniform, else by
   * quantiles of the drawn values */
  int nb = 5;
  double edge[6];
  if (pb->log_scale) {
    for (int b = 0; b <= nb; b++)
      edge[b] = exp(log(k->a) + (log(k->b) - log(k->a)) * b / nb);
  } else {
    double *v = malloc((d->n ? d->n : 1) * sizeof *v);
    if (!v || d->n == 0) {
      free(v);
      return;
    }
    for (size_t i = 0; i < d->n; i++)
      v[i] = d->vals[i * (size_t)nk + (size_t)key];
    qsort(v, d->n, sizeof *v, cmp_double);
    for (int b = 0; b <= nb; b++)
      edge[b] = v[(size_t)((double)(d->n - 1) * b / nb)];
    free(v);
  }
  /* bins between distinct edges (few conversations repeat quantiles:
   * with two, five of the six edges are the first value, and a bin made
   * of a repeated edge would hold only it); one value alone is a bin of
   * that value. report_bin_of() puts every value in one bin, the last
   * bin closed above. */
  int m = 0;
  for (int b = 1; b <= nb; b++)
    if (edge[b] > edge[m])
      edge[++m] = edge[b];
  if (m == 0)
    pb->bin[pb->nbins++] = (bin_stats){.lo = edge[0], .hi = edge[0]};
  for (int b = 0; b < m; b++)
    pb->bin[pb->nbins++] = (bin_stats){.lo = edge[b], .hi = edge[b + 1]};
}

static void fill_bins(report *r, const data *d, param_bins *pb) {
  int np = r->s.nprofiles, nk = r->s.nkeys;
  uint64_t n[REPORT_MAX_BINS] = {0};
  uint64_t kr[REPORT_MAX_BINS][SCN_MAX_PROFILES] = {{0}};
  uint64_t kf[REPORT_MAX_BINS][SCN_MAX_PROFILES] = {{0}};
  uint64_t ka[REPORT_MAX_BINS][SCN_MAX_PROFILES] = {{0}};
  paired t[REPORT_MAX_BINS] = {{0, 0, 0, 0}};
  static uint64_t x0[REPORT_MAX_BINS][SCN_MAX_PROFILES],
      x1[REPORT_MAX_BINS][SCN_MAX_PROFILES],
      x2[REPORT_MAX_BINS][SCN_MAX_PROFILES];
  memset(x0, 0, sizeof x0);
  memset(x1, 0, sizeof x1);
  memset(x2, 0, sizeof x2);
  for (size_t i = 0; i < d->n; i++) {
    int b = report_bin_of(pb, d->vals[i * (size_t)nk + (size_t)pb->key]);
    if (b < 0)
      continue;
    n[b]++;
    for (int j = 0; j < np; j++) {
      uint8_t f = d->o[i].f[j];
      kr[b][j] += !!(f & F_RESET);
      kf[b][j] += !!(f & F_APP);
      ka[b][j] += !!(f & F_REDUNDANT);
      int8_t c = d->o[i].p1[j];
      if (c == REPORT_P_NO || c == REPORT_P_YES) {
        x0[b][j]++;
        x1[b][j] += c == REPORT_P_YES;
        x2[b][j] += !!(f & F_REDUNDANT);
      }
    }
    if (np >= 2) {
      bool x = d->o[i].f[0] & F_APP, y = d->o[i].f[1] & F_APP;
      if (x && y)
        t[b].a++;
      else if (x)
        t[b].b++;
      else if (y)
        t[b].c++;
      else
        t[b].d++;
    }
  }
  double p[REPORT_MAX_BINS];
  for (int b = 0; b < pb->nbins; b++) {
    bin_stats *x = &pb->bin[b];
    for (int j = 0; j < np; j++) {
      x->reset[j] = make_rate(kr[b][j], n[b]);
      x->symptom[j] = make_rate(kf[b][j], n[b]);
      x->redundant[j] = make_rate(ka[b][j], n[b]);
      x->reg_n[j] = x0[b][j];
      x->reg_pred[j] = x1[b][j];
      x->reg_sim[j] = x2[b][j];
    }
    x->p_raw = np >= 2 ? stats_mcnemar(t[b], CONF).p_exact : 1;
    p[b] = x->p_raw;
  }
  stats_holm(p, (size_t)pb->nbins);
  for (int b = 0; b < pb->nbins; b++)
    pb->bin[b].p_holm = p[b];
}

static void regress(report *r, const data *d) {
  int np = r->s.nprofiles, nk = r->s.nkeys;
  for (int j = 0; j < np; j++) {
    regression *g = &r->reg[j];
    memset(g, 0, sizeof *g);
    for (int k = 0; k < nk && g->nx < LOGIT_MAX_K; k++) {
      const scn_key *key = &r->s.keys[k];
      if (key->dist == SCN_CONST || key->words || key->kind == HC_BOOL ||
          scn_variant_sets(&r->s, r->s.profiles[j], key->name))
        continue; /* a variant's key is one value for it */
      g->key[g->nx] = k;
      g->logx[g->nx] = key->dist == SCN_LOGUNIFORM;
      g->nx++;
    }
    const rate *rr = &r->prof[j].app_reset;
    if (g->nx == 0) {
      snprintf(g->why, sizeof g->why, "no randomized numeric parameter");
      continue;
    }
    if (rr->k == 0 || rr->k == rr->n) {
      snprintf(g->why, sizeof g->why, "%s: every conversation alike",
               rr->k == 0 ? "no failed read" : "every read failed");
      continue;
    }
    double *x = malloc(d->n * (size_t)g->nx * sizeof *x);
    uint8_t *y = malloc(d->n);
    if (!x || !y) {
      free(x);
      free(y);
      snprintf(g->why, sizeof g->why, "out of memory");
      continue;
    }
    for (int c = 0; c < g->nx; c++) {
      double s = 0, s2 = 0;
      for (size_t i = 0; i < d->n; i++) {
        double v = d->vals[i * (size_t)nk + (size_t)g->key[c]];
        if (g->logx[c])
          v = log10(v);
        x[i * (size_t)g->nx + (size_t)c] = v;
        s += v;
        s2 += v * v;
      }
      g->mean[c] = s / (double)d->n;
      g->sd[c] = sqrt(fmax(s2 / (double)d->n - g->mean[c] * g->mean[c], 0));
      for (size_t i = 0; i < d->n; i++) {
        double *v = &x[i * (size_t)g->nx + (size_t)c];
        *v = g->sd[c] > 0 ? (*v - g->mean[c]) / g->sd[c] : 0;
      }
    }
    for (size_t i = 0; i < d->n; i++)
      y[i] = !!(d->o[i].f[j] & F_APP);
    /* a parameter that separates the outcomes, completely or quasi-
     * completely (every failed read on one side of a value, every other
     * conversation on the other, ties allowed): the maximum-likelihood
     * estimate does not exist, and a fit prints a coefficient and an SE
     * that mean nothing (Albert and Anderson, 1984) */
    int sep = -1;
    for (int c = 0; c < g->nx && sep < 0; c++) {
      double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
      for (size_t i = 0; i < d->n; i++) {
        double v = x[i * (size_t)g->nx + (size_t)c];
        lo[y[i]] = fmin(lo[y[i]], v);
        hi[y[i]] = fmax(hi[y[i]], v);
      }
      if (hi[0] <= lo[1] || hi[1] <= lo[0])
        sep = c;
    }
    if (sep >= 0) {
      snprintf(g->why, sizeof g->why,
               "%s separates the outcomes (every failed read on one side "
               "of a value, every other conversation on the other): the "
               "maximum-likelihood estimate does not exist",
               r->s.keys[g->key[sep]].name);
      g->fitted = false;
      free(x);
      free(y);
      continue;
    }
    g->fit = stats_logit(x, y, d->n, (size_t)g->nx);
    g->fitted = g->fit.ok;
    if (!g->fitted)
      snprintf(g->why, sizeof g->why,
               "did not converge, or a standard error above 100 (the "
               "parameters together separate the outcomes, or are "
               "collinear): the estimate is not identified");
    free(x);
    free(y);
  }
}

static void batch_info(report *r, hc_store *st) {
  store_batch b;
  store_batch_info(st, &b);
  snprintf(r->version, sizeof r->version, "%s", b.version);
  snprintf(r->started, sizeof r->started, "%s", b.started);
  snprintf(r->finished, sizeof r->finished, "%s", b.finished);
  snprintf(r->host, sizeof r->host, "%s", b.host);
  r->planned = b.planned;
  snprintf(r->stopping, sizeof r->stopping, "%s", b.stopping);
}

/* The analysis into r, zeroed (calloc: the bins' megabytes are pages the
 * kernel hands out zeroed and only make_bins() touches). */
static int analyze(report *r, hc_store *st, const char *label, char *err,
                   size_t cap) {
  snprintf(r->store_path, sizeof r->store_path, "%s", label);
  if (store_scenario(st, &r->s, err, cap) != 0)
    return -1;
  batch_info(r, st);
  data *dp = &r->data;
  int rv = load(r, st, dp, err, cap);
  if (rv == 0 && dp->n == 0) {
    snprintf(err, cap, "%s: no complete conversation in the store", label);
    rv = -1;
  }
  if (rv == 0) {
    r->n = dp->n;
    profile_totals(r, dp);
    pairs(r, dp);
    for (int k = 0; k < r->s.nkeys; k++) {
      if (r->s.keys[k].dist == SCN_CONST)
        continue;
      /* a variant that sets the key ran every conversation at its value,
       * whatever was drawn: bins of the draw would say otherwise */
      const char *by = NULL;
      for (int j = 0; j < r->s.nprofiles && !by; j++)
        if (scn_variant_sets(&r->s, r->s.profiles[j], r->s.keys[k].name))
          by = r->s.profiles[j];
      if (by) {
        size_t n = strlen(r->unbinned);
        snprintf(r->unbinned + n, sizeof r->unbinned - n, "%s%s (set by %s)",
                 n ? ", " : "", r->s.keys[k].name, by);
        continue;
      }
      param_bins *pb = &r->params[r->nparams++];
      make_bins(r, dp, k, pb);
      fill_bins(r, dp, pb);
    }
    regress(r, dp);
  }
  return rv;
}

int report_analyze_store(report **out, hc_store *st, const char *label,
                         char *err, size_t cap) {
  report *r = calloc(1, sizeof *r);
  if (!r) {
    snprintf(err, cap, "%s: out of memory for the report", label);
    return -1;
  }
  if (analyze(r, st, label, err, cap) != 0) {
    report_free(r);
    return -1;
  }
  *out = r;
  return 0;
}

int report_analyze(report **out, const char *path, char *err, size_t cap) {
  hc_store *st;
  if (store_open(&st, path, STORE_READ, err, cap) != 0)
    return -1;
  int rv = report_analyze_store(out, st, path, err, cap);
  store_close(st);
  return rv;
}

void report_free(report *r) {
  if (!r)
    return;
  scn_free(&r->s);
  free(r->data.o);
  free(r->data.vals);
  free(r);
}

const char *report_scenario_name(const report *r) {
  return r->s.name;
}

void report_value_text(const report *r, int key, double v, char *buf,
                       size_t cap) {
  const scn_key *k = &r->s.keys[key];
  if (k->words) {
    scn_knob_text(k, v, buf, cap);
    return;
  }
  if (k->kind == HC_TIME) {
    if (v >= 1e9)
      snprintf(buf, cap, "%.3gs", v / 1e9);
    else if (v >= 1e6)
      snprintf(buf, cap, "%.3gms", v / 1e6);
    else
      snprintf(buf, cap, "%.3gus", v / 1e3);
    return;
  }
  if (k->kind == HC_BYTES && v >= 10000) {
    snprintf(buf, cap, "%.3gKB", v / 1e3);
    return;
  }
  if (k->kind == HC_PROB) {
    snprintf(buf, cap, "%.3g%%", v * 100);
    return;
  }
  hc_format_value(k->kind, v, buf, cap);
}

void report_bin_label(const report *r, const param_bins *pb, const bin_stats *b,
                      char *buf, size_t cap) {
  char lo[32], hi[32];
  report_value_text(r, pb->key, b->lo, lo, sizeof lo);
  if (b->lo == b->hi) {
    snprintf(buf, cap, "%s", lo);
    return;
  }
  report_value_text(r, pb->key, b->hi, hi, sizeof hi);
  bool last = b == &pb->bin[pb->nbins - 1];
  snprintf(buf, cap, "[%s, %s%s", lo, hi, last ? "]" : ")");
}
