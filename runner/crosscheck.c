/*
 * crosscheck.c - see crosscheck.h: the engine of `halfclose crosscheck`.
 * Each conversation of a scenario twice, the Linux kernel to itself over
 * the emulation link in real time and a profile (linux) to itself in
 * simulation with the same parameters; both reduced to canonical segment
 * sequences (sim/segseq.h) and compared.
 *
 * The simulations run first, in this process. Each emulated conversation
 * then runs in a process of its own (the runner's pool, --jobs at a time),
 * which sends back its sequence, outcome and timing: a real-time
 * simulation is best started fresh, and a child that fails takes only its
 * conversation with it. Every pair goes into an SQLite store written
 * beside its name and renamed over it only when complete.
 */
#include "crosscheck.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "netns.h"
#include "pool.h"

/* a kernel run's real time at most, as emulate allows */
#define CROSSCHECK_MAX_LIMIT_NS (60 * TCP_S)

static void xerr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void xerr(const char *fmt, ...) {
  va_list ap;
  fputs("halfclose crosscheck: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

static void collect(void *user, const tcp_event *ev) {
  seg_seq *s = user;
  if (ev->host != CONV_CLIENT_ADDR ||
      (ev->type != TCP_EV_SEG_OUT && ev->type != TCP_EV_SEG_IN))
    return;
  if (s->n < XMAX_SEGS)
    segseq_add(s, &ev->seg, ev->type == TCP_EV_SEG_OUT, ev->time_ns);
}

/* The model's side of conversation `i` in simulation, its link longer by
 * x->extra_ns each way. 0, or -1 with err. */
static int simulate(conv_env *env, xpair *x, const tcp_profile *lp,
                    uint64_t seed, uint64_t i, char *err, size_t cap) {
  conv_params p = x->p;
  p.delay_ns += x->extra_ns;
  tcp_profile prof = *lp;
  if (x->clock0_ns >= 0 && prof.delack_wheel && prof.delack_tick_ns) {
    /* the kernels' jiffies begin where CLOCK_MONOTONIC is a multiple of
     * the jiffy: at -clock0 on the simulation's time line */
    uint64_t tick = prof.delack_tick_ns;
    prof.delack_phase_ns = (tick - (uint64_t)x->clock0_ns % tick) % tick;
    p.random_phase = 0;
  }
  lp = &prof;
  segseq_free(&x->model);
  segseq_init(&x->model);
  conv_opts o = {0};
  o.trace = collect;
  o.trace_user = &x->model;
  return conv_run(env, &p, CONV_STACK_MODEL, lp, lp, seed, i, &o, &x->mo, err,
                  cap);
}

/* From the client's SYN leaving to the SYN-ACK reaching it, ns; -1 when
 * the sequence has no handshake. */
static int64_t handshake_rtt(const seg_seq *s) {
  int64_t syn = -1;
  for (size_t k = 0; k < s->n; k++) {
    const seg_canon *c = &s->v[k];
    if (c->dir == 0 && c->flags == TCP_SYN && syn < 0)
      syn = (int64_t)c->t_ns;
    if (c->dir == 1 && c->flags == (TCP_SYN | TCP_ACK) && syn >= 0)
      return (int64_t)c->t_ns - syn;
  }
  return -1;
}

/* In a child: one emulated kernel-to-kernel conversation, its record
 * and its sequence sent up as one result. */
typedef struct emu_ctx {
  const uint64_t *idx; /* the conversations, by pool item */
  const xpair *pairs;
  unsigned opts; /* the options the kernels offer (the profile's) */
  uint64_t seed;
  xdone_fn fn; /* the parent's */
  void *fn_ctx;
} emu_ctx;

static int emu_setup(void *ctx) {
  (void)ctx;
  emu_catch_exit_signals(emu_ns_exit_on_signal); /* its namespaces go */
  return 0;
}

static int emu_run(void *ctx, uint64_t item, pool_out *out) {
  const emu_ctx *c = ctx;
  uint64_t index = c->idx[item];
  const conv_params *p = &c->pairs[index].p;
  uint64_t seed = c->seed;
  xrec r;
  memset(&r, 0, sizeof r);
  r.index = index;
  seg_seq s;
  segseq_init(&s);
  emu_session *m;
  bool kern[2] = {true, true};
  tcp_profile none = {0};
  if (emu_session_open(&m, p, kern, c->opts, seed, r.err, sizeof r.err) != 0) {
    r.status = -1;
  } else {
    conv_opts o = {0};
    o.trace = collect;
    o.trace_user = &s;
    o.kernel = emu_session_kernel(m);
    if (conv_run(emu_session_env(m), p, CONV_STACK_MODEL, &none, &none, seed,
                 index, &o, &r.o, r.err, sizeof r.err) != 0)
      r.status = -1;
    emu_session_timing(m, &r.t);
    if (r.status == 0 && r.t.tap_errors) { /* a frame lost outside the link */
      r.status = -1;
      snprintf(r.err, sizeof r.err,
               "%" PRIu64 " frame(s) for a kernel refused by its TAP",
               r.t.tap_errors);
    }
  }
  emu_session_close(m);
  r.nsegs = s.oom ? 0 : (uint32_t)s.n;
  if (s.oom && r.status == 0) {
    r.status = -1;
    snprintf(r.err, sizeof r.err, "out of memory");
  }
  size_t len = sizeof r + r.nsegs * sizeof *s.v;
  char *buf = malloc(len);
  int rc = -1;
  if (buf) {
    memcpy(buf, &r, sizeof r);
    if (r.nsegs)
      memcpy(buf + sizeof r, s.v, r.nsegs * sizeof *s.v);
    rc = pool_put(out, item, buf, len);
  }
  free(buf);
  segseq_free(&s);
  return rc;
}

/* In the parent: a kernel run's result, to the pass's function. */
static int emu_take(void *ctx, uint64_t item, const void *data, size_t len,
                    bool lost) {
  emu_ctx *c = ctx;
  xrec r;
  memset(&r, 0, sizeof r);
  seg_canon *v = NULL;
  char err[300] = "";
  if (!lost && len >= sizeof r) {
    memcpy(&r, data, sizeof r);
    if (r.index != c->idx[item] || r.nsegs > XMAX_SEGS ||
        len != sizeof r + r.nsegs * sizeof *v)
      lost = true;
  } else {
    lost = true;
  }
  if (!lost && r.nsegs) {
    v = malloc(r.nsegs * sizeof *v);
    if (!v)
      lost = true;
    else
      memcpy(v, (const char *)data + sizeof r, r.nsegs * sizeof *v);
  }
  if (lost) {
    free(v);
    v = NULL;
    memset(&r, 0, sizeof r);
    r.index = c->idx[item];
    snprintf(err, sizeof err, "the emulation's process ended without a result");
  } else {
    snprintf(err, sizeof err, "%s", r.status ? r.err : "");
  }
  return c->fn(c->fn_ctx, c->idx[item], &r, v, err) ? 1 : 0;
}

static void emu_killed(void *ctx) {
  (void)ctx;
  emu_sweep(); /* their namespaces: they had no time to remove them */
}

/* Emulate conversations idx[0..n), `jobs` at a time, a child each; fn gets
 * each result as it comes. 0, or 1 (after a message, or when fn stopped or
 * a signal came). */
static int emulate_all(const uint64_t *idx, uint64_t n, int jobs,
                       const xpair *pairs, unsigned opts, uint64_t seed,
                       xdone_fn fn, void *ctx,
                       const volatile sig_atomic_t *stop) {
  emu_ctx c = {idx, pairs, opts, seed, fn, ctx};
  pool_spec sp = {n,       jobs,     true, &c,        emu_setup,
                  emu_run, emu_take, stop, emu_killed};
  char err[300] = "";
  int rv = pool_run(&sp, err, sizeof err);
  if (rv < 0)
    xerr("%s", err);
  return rv != 0 || (stop && *stop);
}

static verdict judge(const xpair *x, const char *err) {
  if (err && err[0])
    return V_FAILED;
  if (!x->t.trusted)
    return V_TIMING;
  return x->kind <= SEGSEQ_CROSSED ? V_IDENTICAL : V_DIFFERENT;
}

/* Remove what a crosscheck killed with -9 left beside `store`:
 * STORE.tmp-PID of a process that is gone. */
static void sweep_tmp(const char *store) {
  char dir[700], pat[700];
  snprintf(dir, sizeof dir, "%s", store);
  char *slash = strrchr(dir, '/');
  const char *base = slash ? slash + 1 : store;
  if (slash)
    *slash = 0;
  else
    snprintf(dir, sizeof dir, ".");
  snprintf(pat, sizeof pat, "%s.tmp-", base);
  DIR *d = opendir(dir);
  if (!d)
    return;
  for (struct dirent *e; (e = readdir(d));) {
    size_t n = strlen(pat);
    if (strncmp(e->d_name, pat, n) != 0)
      continue;
    char *end;
    long pid = strtol(e->d_name + n, &end, 10);
    if (*end || pid <= 0 || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
      continue;
    char path[1500];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    unlink(path);
  }
  closedir(d);
}

static void params_text(const scenario *s, const double *values, char *buf,
                        size_t cap) {
  size_t n = 0;
  buf[0] = 0;
  for (int k = 0; k < s->nkeys && n < cap; k++) {
    char v[48];
    if (s->keys[k].param)
      hc_param_format(s->keys[k].param, values[k], v, sizeof v);
    else
      scn_knob_text(&s->keys[k], values[k], v, sizeof v);
    n += (size_t)snprintf(buf + n, cap - n, "%s%s=%s", n ? " " : "",
                          s->keys[k].name, v);
  }
}

/* The first pass: each conversation's kernel run against its simulation. */
typedef struct pass1 {
  xpair *pairs;
  sqlite3 *db;
  const char *tmp;
  bool rtt_match;        /* simulate again with the kernel's round trip */
  const tcp_profile *lp; /* the profile simulated ... */
  uint64_t seed;         /* ... the scenario's conversation seed ... */
  uint32_t env_seed;     /* ... and its simulation's */
  uint64_t counts[4];
  uint64_t kinds[7], kind_first[7];
} pass1;

/* The round-trip match for a kernel run: half its handshake round trip
 * beyond the model's as drawn (x->model was simulated extra_ns longer each
 * way), or x->extra_ns unchanged when either sequence has no handshake. */
static uint64_t matched_extra(const xpair *x, const seg_seq *kernel) {
  int64_t krtt = handshake_rtt(kernel), mrtt = handshake_rtt(&x->model);
  if (krtt < 0 || mrtt < 0)
    return x->extra_ns;
  int64_t base = mrtt - 2 * (int64_t)x->extra_ns;
  return krtt > base ? (uint64_t)(krtt - base) / 2 : 0;
}

/* The client's first SYN, ns from 0, or -1. */
static int64_t first_syn(const seg_seq *s) {
  for (size_t k = 0; k < s->n; k++)
    if (s->v[k].dir == 0 && s->v[k].flags == TCP_SYN)
      return (int64_t)s->v[k].t_ns;
  return -1;
}

/* The kernels' CLOCK_MONOTONIC at the model's simulated 0: the kernel's
 * client program starts a little after the link (its SYN ~2 ms late,
 * the model's at once), so the model's time line is the kernel run's less
 * that; -1 when the run placed no clock. */
static int64_t model_clock0(const xpair *x, const seg_seq *kernel,
                            int64_t clock0) {
  int64_t ks = first_syn(kernel), ms = first_syn(&x->model);
  if (clock0 < 0)
    return -1;
  return ks >= 0 && ms >= 0 ? clock0 + (ks - ms) : clock0;
}

/* Conversation i's simulation again, into x, its link extra_ns longer
 * each way: 0, or -1 after a message. */
static int simulate_again(const pass1 *c, xpair *x, uint64_t i,
                          uint64_t extra_ns) {
  conv_env *env = NULL;
  char e[300];
  x->extra_ns = extra_ns;
  int rc = conv_env_new(&env, c->env_seed, e, sizeof e) == 0 &&
                   simulate(env, x, c->lp, c->seed, i, e, sizeof e) == 0
               ? 0
               : -1;
  conv_env_free(env);
  if (rc != 0)
    xerr("conversation %" PRIu64 " (simulated again): %s", i, e);
  return rc;
}

/* Conversation i's model for a kernel run (`kernel`, the clock it placed
 * at `clock0`): its link matched to that run's round trip (unless
 * --no_rtt_match) and its hosts given that clock, simulated into y - x
 * itself, or a copy of it whose model is empty - when either differs from
 * x's. 1 simulated, 0 x's model stands, -1 after a message. */
static int match_kernel(const pass1 *c, const xpair *x, xpair *y, uint64_t i,
                        const seg_seq *kernel, int64_t clock0) {
  uint64_t extra = c->rtt_match ? matched_extra(x, kernel) : x->extra_ns;
  bool clocked = clock0 >= 0 && c->lp->delack_wheel;
  if (clocked)
    y->clock0_ns = model_clock0(x, kernel, clock0);
  if (extra == x->extra_ns && !clocked)
    return 0;
  return simulate_again(c, y, i, extra) == 0 ? 1 : -1;
}

static int on_first(void *ctx, uint64_t i, const xrec *r, seg_canon *segs,
                    const char *err) {
  pass1 *c = ctx;
  xpair *x = &c->pairs[i];
  x->kernel.v = segs;
  x->kernel.n = x->kernel.cap = r->nsegs;
  x->ko = r->o;
  x->t = r->t;
  /* the kernel's round trip, split evenly between the directions, and
   * the kernels' clock */
  if (!err[0] && match_kernel(c, x, x, i, &x->kernel, r->t.clock0_ns) < 0)
    return -1;
  x->kind = segseq_compare(&x->kernel, &x->model,
                           (uint64_t)(EMU_TOLERANCE_MS * 1e6), &x->first_diff);
  verdict v = judge(x, err);
  x->verdict = v;
  c->counts[v]++;
  if (v == V_DIFFERENT || v == V_IDENTICAL) {
    c->kinds[x->kind]++;
    if (c->kind_first[x->kind] == UINT64_MAX)
      c->kind_first[x->kind] = i;
  }
  if (v == V_FAILED)
    fprintf(stderr, "halfclose crosscheck: conversation %" PRIu64 ": %s\n", i,
            err);
  if (xstore_put_pair(c->db, i, x, v, err) != 0) {
    xerr("%s: %s", c->tmp, sqlite3_errmsg(c->db));
    return -1;
  }
  return 0;
}

/* The second pass: a differing conversation's kernel run again - did the
 * kernel repeat itself? */
typedef struct pass2 {
  xpair *pairs;
  sqlite3 *db;
  const char *tmp;
  const pass1 *p1; /* how the first pass simulated */
  uint64_t repeated, not_repeated, unknown;
  uint64_t model_matches; /* of not_repeated: the model is the repeat */
} pass2;

static int on_repeat(void *ctx, uint64_t i, const xrec *r, seg_canon *segs,
                     const char *err) {
  pass2 *c = ctx;
  xpair *x = &c->pairs[i];
  seg_seq again;
  segseq_init(&again);
  again.v = segs;
  again.n = again.cap = r->nsegs;
  int same = -1, model = -1; /* unknown: failed, or its timing was off */
  uint64_t tol = (uint64_t)(EMU_TOLERANCE_MS * 1e6);
  if (!err[0] && r->t.trusted) {
    same = segseq_compare(&x->kernel, &again, tol, NULL) <= SEGSEQ_CROSSED;
    /* the model with this run's round trip, as the first pass matched the
     * first run's */
    xpair y = *x;
    segseq_init(&y.model);
    int matched = match_kernel(c->p1, x, &y, i, &again, r->t.clock0_ns);
    if (matched < 0) {
      segseq_free(&y.model);
      segseq_free(&again);
      return -1;
    }
    const seg_seq *m = matched ? &y.model : &x->model;
    model = segseq_compare(&again, m, tol, NULL) <= SEGSEQ_CROSSED;
    segseq_free(&y.model);
  }
  char *text = same < 0 ? NULL : segseq_text(&again);
  segseq_free(&again);
  if (same == 1) {
    c->repeated++;
  } else if (same == 0) {
    c->not_repeated++;
    c->model_matches += model == 1;
  } else {
    c->unknown++;
  }
  int rc = xstore_put_repeat(c->db, i, same, text, model);
  free(text);
  if (rc != 0) {
    xerr("%s: %s", c->tmp, sqlite3_errmsg(c->db));
    return -1;
  }
  return 0;
}

int xcheck_run(const xcheck_opts *o, xcheck_result *res) {
  const scenario *s = o->s;
  uint64_t total = o->total;
  bool repeat = o->repeat, rtt_match = o->rtt_match;
  char err[600];
  memset(res, 0, sizeof *res);
  xpair *pairs = calloc(total ? total : 1, sizeof *pairs);
  double *values = calloc((size_t)s->nkeys + 1, sizeof *values);
  if (!pairs || !values) {
    free(pairs);
    free(values);
    xerr("out of memory");
    return 1;
  }
  res->pairs = pairs;
  res->total = total;
  uint64_t seed = scn_conv_seed(s);
  uint64_t capped = 0; /* conversations whose time limit was cut */
  int rc = 0;
  bool kept = false; /* failures kept the store from being written */

  /* the simulations, here */
  conv_env *env = NULL;
  uint32_t env_seed = (uint32_t)(s->seed % 2147483646u) + 1;
  if (conv_env_new(&env, env_seed, err, sizeof err) != 0) {
    xerr("%s", err);
    rc = 1;
  }
  for (uint64_t i = 0; rc == 0 && i < total; i++) {
    xpair *x = &pairs[i];
    scn_draw(s, i, &x->p, values);
    /* each kernel run takes real time: at most a minute, as emulate
     * allows (the simulation gets the same limit, so they compare) */
    if (x->p.time_limit_ns > CROSSCHECK_MAX_LIMIT_NS) {
      x->p.time_limit_ns = CROSSCHECK_MAX_LIMIT_NS;
      capped++;
    }
    params_text(s, values, x->params, sizeof x->params);
    x->clock0_ns = -1; /* until the kernel's run places it */
    segseq_init(&x->model);
    segseq_init(&x->kernel);
    if (simulate(env, x, o->profile, seed, i, err, sizeof err) != 0) {
      xerr("conversation %" PRIu64 " (simulated): %s", i, err);
      rc = 1;
    }
  }
  conv_env_free(env);

  /* the store, beside its final name */
  char tmp[700];
  snprintf(tmp, sizeof tmp, "%s.tmp-%d", o->store, (int)getpid());
  sqlite3 *db = NULL;
  if (rc == 0) {
    sweep_tmp(o->store);
    unlink(tmp);
    if (xstore_create(tmp, &db, err, sizeof err) != 0) {
      xerr("%s: %s", tmp, err);
      rc = 1;
    }
  }

  /* the emulations, a child each (the command has set INT, TERM, HUP,
   * QUIT and PIPE to stop the run: its children remove their namespaces,
   * the temporary store goes, --out stays as it was) */
  time_t t_start = time(NULL);
  pass1 c1 = {pairs, db,       tmp, rtt_match, o->profile,
              seed,  env_seed, {0}, {0},       {0}};
  for (int k = 0; k < 7; k++)
    c1.kind_first[k] = UINT64_MAX;
  uint64_t *idx = malloc((total + 1) * sizeof *idx);
  if (!idx && rc == 0) {
    xerr("out of memory");
    rc = 1;
  }
  for (uint64_t i = 0; idx && i < total; i++)
    idx[i] = i;
  if (rc == 0 && o->against) { /* the kernel runs of an earlier crosscheck */
    int arv =
        xstore_against_run(o->against, total, on_first, &c1, err, sizeof err);
    if (arv != 0) {
      xerr("--against=%s: %s", o->against_path, err);
      rc = arv == -2 ? 2 : 1;
    }
    repeat = false;
  } else if (rc == 0 &&
             emulate_all(idx, total, o->jobs, pairs, emu_opts_of(o->profile),
                         seed, on_first, &c1, o->interrupted) != 0 &&
             !*o->interrupted) {
    rc = 1;
  }
  /* each differing conversation's kernel run once more */
  pass2 c2 = {pairs, db, tmp, &c1, 0, 0, 0, 0};
  uint64_t ndiff = 0;
  for (uint64_t i = 0; idx && rc == 0 && repeat && i < total; i++)
    if (pairs[i].verdict == V_DIFFERENT)
      idx[ndiff++] = i;
  if (rc == 0 && !*o->interrupted && ndiff &&
      emulate_all(idx, ndiff, o->jobs, pairs, emu_opts_of(o->profile), seed,
                  on_repeat, &c2, o->interrupted) != 0 &&
      !*o->interrupted)
    rc = 1;
  free(idx);
  if (*o->interrupted && rc == 0) {
    xerr("interrupted (signal %d); %s left as it was", (int)*o->interrupted,
         o->store);
    rc = 128 + (int)*o->interrupted;
  }

  if (rc == 0) {
    char settings[256], b[64];
    if (o->against)
      snprintf(settings, sizeof settings, "%s", o->against_kernel);
    else
      emu_kernel_settings(settings, sizeof settings, emu_opts_of(o->profile));
    snprintf(b, sizeof b, "%d", XSTORE_FORMAT);
    xstore_put_meta(db, "format", b);
    xstore_put_meta(db, "scenario", o->scenario_path);
    xstore_put_meta(db, "scenario_text", s->text);
    snprintf(b, sizeof b, "%" PRIu64, total);
    xstore_put_meta(db, "conversations", b);
    xstore_put_meta(db, "kernel", settings);
    char model[96];
    snprintf(model, sizeof model, "%s profile, both ends, simulated",
             o->profile_name);
    xstore_put_meta(db, "model", model);
    if (o->against)
      xstore_put_meta(db, "kernel_runs_from", o->against_path);
    xstore_put_meta(db, "rtt_match",
                    rtt_match ? "each simulation run again with its link "
                                "longer each way by half the kernel's "
                                "handshake round trip beyond the model's "
                                "(pairs.model_extra_ms)"
                              : "off: the scenario's delays as drawn");
    if (!o->against)
      xstore_put_meta(db, "cpus",
                      o->cpus_idle ? "let idle (--let_cpus_idle)"
                                   : "asked to be kept busy while the link "
                                     "ran, one SCHED_IDLE thread each where "
                                     "one could start");
    snprintf(b, sizeof b, "%.1f ms", EMU_TOLERANCE_MS);
    xstore_put_meta(db, "tolerance", b);
    snprintf(b, sizeof b, "%.0f s", difftime(time(NULL), t_start));
    xstore_put_meta(db, "wall_time", b);
    if (xstore_finish(db, err, sizeof err) != 0) {
      xerr("%s: %s", tmp, err);
      rc = 1;
    }
  }
  if (db && sqlite3_close(db) != SQLITE_OK && rc == 0) {
    xerr("%s: cannot close", tmp);
    rc = 1;
  }
  /* a run with failed conversations never replaces a store that exists
   * (its kernel runs may be the only ones), and one where every
   * conversation failed is written nowhere: nothing in it was measured */
  struct stat old_sb;
  bool exists = stat(o->store, &old_sb) == 0;
  uint64_t nfailed = c1.counts[V_FAILED];
  if (rc == 0 && nfailed && (exists || nfailed == total)) {
    xerr("%" PRIu64 " of %" PRIu64 " conversations failed to run; %s %s",
         nfailed, total, o->store, exists ? "left as it was" : "not written");
    rc = 1;
    kept = true;
  }
  if (rc == 0 && rename(tmp, o->store) != 0) {
    xerr("%s: %s", o->store, strerror(errno));
    rc = 1;
  }
  if (rc != 0)
    unlink(tmp);

  res->capped = capped;
  res->kept = kept;
  res->ndiff = ndiff;
  res->repeated = c2.repeated;
  res->not_repeated = c2.not_repeated;
  res->unknown = c2.unknown;
  res->model_matches = c2.model_matches;
  memcpy(res->counts, c1.counts, sizeof res->counts);
  memcpy(res->kinds, c1.kinds, sizeof res->kinds);
  memcpy(res->kind_first, c1.kind_first, sizeof res->kind_first);
  res->wall_s = difftime(time(NULL), t_start);
  free(values);
  return rc;
}

void xcheck_free(xcheck_result *res) {
  for (uint64_t i = 0; res->pairs && i < res->total; i++) {
    segseq_free(&res->pairs[i].model);
    segseq_free(&res->pairs[i].kernel);
  }
  free(res->pairs);
  res->pairs = NULL;
}
