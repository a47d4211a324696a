/*
 * crosscheck.c - `halfclose crosscheck`: each conversation of a scenario
 * twice, the Linux kernel to itself over the emulation link in real time
 * and the `linux` profile to itself in simulation with the same
 * parameters; both reduced to canonical segment sequences (sim/segseq.h)
 * and compared.
 *
 * The simulations run first, in this process. Each emulated conversation
 * then runs in a child of its own (--jobs of them at a time), which sends
 * back its sequence, outcome and timing through a pipe: a real-time
 * simulation is best started fresh, and a child that fails takes only its
 * conversation with it. Every pair goes into an SQLite store written
 * beside --out and renamed over it only when complete.
 */
#define _GNU_SOURCE
/* a kernel run's real time at most, as emulate allows */
#define CROSSCHECK_MAX_LIMIT_NS (60 * TCP_S)
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "datadir.h"
#include "conv.h"
#include "netns.h"
#include "scenario.h"
#include "segseq.h"
#include "crosscheck.h"
#include "fdio.h"
#include "session.h"

static const char *const SUB = "crosscheck";

static void usage(FILE *f) {
  fprintf(f,
          "usage: halfclose crosscheck [SCENARIO] [--conversations=N] "
          "[--out=STORE] [--jobs=J]\n"
          "                            [--profile=P] [--no_repeat] "
          "[--KNOB=VALUE ...]\n"
          "                            [--no_rtt_match] [--let_cpus_idle] "
          "[--against=STORE]\n\n"
          "Runs each conversation of SCENARIO (default "
          "scenarios/crosscheck.ini) twice:\nthe real Linux kernel of this "
          "machine at both ends of the emulation link, in\nreal time, and "
          "the linux profile at both ends in simulation, with the same\n"
          "parameters. Both are reduced to canonical segment sequences "
          "(direction, flags\nwithout PSH, SEQ and ACK relative to the "
          "ISNs, length, a zero window) as the\nclient's side of the link "
          "saw them, and compared; segments of opposite\ndirections "
          "crossing within 1 ms count as identical. Every pair goes into\n"
          "STORE (default out/crosscheck.db, or out/NAME-crosscheck.db) "
          "with its verdict;\na mismatch with its first differing "
          "segment. Runs whose link delays were more\nthan 1 ms off (the "
          "wall clock's measure) are counted apart. Needs root and\n"
          "/dev/net/tun.\n\n"
          "A real stack takes time to answer (here about 0.05 ms for an ACK, "
          "0.2 ms for a\nSYN-ACK), which the model does not: each "
          "conversation's simulation is run\nagain with its link longer each "
          "way by half the kernel's handshake round trip\nbeyond the "
          "model's, so that both TCPs see the same round-trip time.\n\n"
          "  --conversations=N  the first N conversations of the scenario "
          "[all]\n"
          "  --jobs=J           emulated conversations at a time [1]\n"
          "  --no_repeat        do not run a differing conversation's kernel "
          "side again\n                     (to tell the kernel's own "
          "timing sensitivity)\n"
          "  --no_rtt_match     simulate with the scenario's delays as drawn\n"
          "  --let_cpus_idle    no thread keeps the CPUs busy while the link "
          "runs\n"
          "  --profile=P        the profile compared with the kernel "
          "[linux]; a preset or\n"
          "                     FILE:NAME, a [profile NAME] of a scenario\n"
          "  --KNOB=VALUE       set a knob of that profile (not a conversation "
          "parameter)\n"
          "  --against=STORE    compare with the kernel runs a crosscheck of "
          "this scenario\n"
          "                     stored, instead of running the kernel (no "
          "root needed)\n");
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

/* The child: one emulated kernel-to-kernel conversation, its record to fd. */
static void emulate_child(int fd, const conv_params *p, uint64_t seed,
                          uint64_t index) {
  xrec r;
  memset(&r, 0, sizeof r);
  r.index = index;
  seg_seq s;
  segseq_init(&s);
  emu_session *m;
  bool kern[2] = {true, true};
  tcp_profile none = {0};
  if (emu_session_open(&m, p, kern, seed, r.err, sizeof r.err) != 0) {
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
  int rc = fd_write_all(fd, &r, sizeof r) == 0 &&
                   fd_write_all(fd, s.v, r.nsegs * sizeof *s.v) == 0
               ? 0
               : 1;
  segseq_free(&s);
  _exit(rc);
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

/* ---- the run ---- */

static volatile sig_atomic_t interrupted; /* the signal that stopped us */

static void on_signal(int sig) {
  interrupted = sig;
}

typedef struct slot {
  pid_t pid;
  int fd;
  uint64_t i;
} slot;

static void params_text(const scenario *s, const double *values, char *buf,
                        size_t cap) {
  size_t n = 0;
  buf[0] = 0;
  for (int k = 0; k < s->nkeys && n < cap; k++) {
    char v[48];
    if (s->keys[k].param)
      hc_format_value(s->keys[k].kind, values[k], v, sizeof v);
    else
      scn_knob_text(&s->keys[k], values[k], v, sizeof v);
    n += (size_t)snprintf(buf + n, cap - n, "%s%s=%s", n ? " " : "",
                          s->keys[k].name, v);
  }
}

/* Read a finished child's record; calls fn. */
static int reap(slot *sl, xdone_fn fn, void *ctx) {
  xrec r;
  memset(&r, 0, sizeof r);
  char err[300] = "";
  seg_canon *v = NULL;
  int rc = fd_read_all(sl->fd, &r, sizeof r);
  if (rc == 0 && r.index == sl->i && r.nsegs <= XMAX_SEGS) {
    v = r.nsegs ? malloc(r.nsegs * sizeof *v) : NULL;
    if (r.nsegs && (!v || fd_read_all(sl->fd, v, r.nsegs * sizeof *v) != 0))
      rc = -1;
    else
      snprintf(err, sizeof err, "%s", r.status ? r.err : "");
  } else {
    rc = -1;
  }
  if (rc != 0) {
    free(v);
    v = NULL;
    r.nsegs = 0;
    snprintf(err, sizeof err, "the emulation's process ended without a result");
  }
  close(sl->fd);
  int st;
  waitpid(sl->pid, &st, 0);
  sl->pid = 0;
  return fn(ctx, sl->i, &r, v, err);
}

/* Emulate conversations idx[0..n), `jobs` at a time, a child each; fn gets
 * each result as it comes. 0, or 1 (after a message, or when fn stopped or
 * a signal came). */
static int emulate_all(const uint64_t *idx, uint64_t n, int jobs,
                       const xpair *pairs, uint64_t seed, xdone_fn fn,
                       void *ctx) {
  slot slots[16] = {0};
  uint64_t next = 0;
  int active = 0, rc = 0;
  while (rc == 0 && !interrupted && (next < n || active)) {
    while (next < n && active < jobs) {
      int fd[2];
      if (pipe2(fd, O_CLOEXEC) != 0) {
        cli_error(SUB, "pipe: %s", strerror(errno));
        rc = 1;
        break;
      }
      fflush(NULL);
      pid_t pid = fork();
      if (pid == 0) {
        close(fd[0]);
        emu_catch_exit_signals(emu_ns_exit_on_signal); /* its namespaces go */
        emulate_child(fd[1], &pairs[idx[next]].p, seed, idx[next]);
      }
      close(fd[1]);
      if (pid < 0) {
        close(fd[0]);
        cli_error(SUB, "fork: %s", strerror(errno));
        rc = 1;
        break;
      }
      int j = 0;
      while (slots[j].pid)
        j++;
      slots[j] = (slot){pid, fd[0], idx[next++]};
      active++;
    }
    struct pollfd pf[16];
    int map[16], np = 0;
    for (int j = 0; j < jobs; j++)
      if (slots[j].pid) {
        pf[np] = (struct pollfd){slots[j].fd, POLLIN, 0};
        map[np++] = j;
      }
    if (np == 0)
      break;
    if (poll(pf, (nfds_t)np, -1) < 0)
      continue; /* EINTR: a signal, looked at above */
    for (int q = 0; q < np; q++) {
      if (!(pf[q].revents & (POLLIN | POLLHUP | POLLERR)))
        continue;
      active--;
      if (reap(&slots[map[q]], fn, ctx) != 0)
        rc = 1;
    }
  }
  bool killed = false;
  for (int j = 0; j < 16; j++)
    if (slots[j].pid) {
      kill(slots[j].pid, SIGTERM);
      waitpid(slots[j].pid, NULL, 0);
      close(slots[j].fd);
      killed = true;
    }
  if (killed) /* their namespaces: they had no time to remove them */
    emu_sweep();
  return rc || interrupted;
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
    cli_error(SUB, "conversation %" PRIu64 " (simulated again): %s", i, e);
  return rc;
}

static int on_first(void *ctx, uint64_t i, const xrec *r, seg_canon *segs,
                    const char *err) {
  pass1 *c = ctx;
  xpair *x = &c->pairs[i];
  x->kernel.v = segs;
  x->kernel.n = x->kernel.cap = r->nsegs;
  x->ko = r->o;
  x->t = r->t;
  /* the kernel's round trip, split evenly between the directions */
  uint64_t extra = matched_extra(x, &x->kernel);
  if (c->rtt_match && !err[0] && extra != x->extra_ns &&
      simulate_again(c, x, i, extra) != 0)
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
    cli_error(SUB, "%s: %s", c->tmp, sqlite3_errmsg(c->db));
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
    const seg_seq *m = &x->model;
    uint64_t extra = matched_extra(x, &again);
    if (c->p1->rtt_match && extra != x->extra_ns) {
      if (simulate_again(c->p1, &y, i, extra) != 0) {
        segseq_free(&y.model);
        segseq_free(&again);
        return -1;
      }
      m = &y.model;
    }
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
    cli_error(SUB, "%s: %s", c->tmp, sqlite3_errmsg(c->db));
    return -1;
  }
  return 0;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* What the round-trip match added to the model's link, over the pairs
 * compared. */
static void print_extra(const xpair *pairs, uint64_t total) {
  uint64_t *v = malloc((total + 1) * sizeof *v), n = 0;
  for (uint64_t i = 0; v && i < total; i++)
    if (pairs[i].verdict == V_IDENTICAL || pairs[i].verdict == V_DIFFERENT)
      v[n++] = pairs[i].extra_ns;
  if (n) {
    qsort(v, n, sizeof *v, cmp_u64);
    printf("the model's link longer each way by half the kernel's extra "
           "handshake round trip: median %.3f ms, 90th percentile %.3f ms, "
           "largest %.3f ms (--no_rtt_match: as drawn)\n",
           (double)v[n / 2] / 1e6, (double)v[n * 9 / 10] / 1e6,
           (double)v[n - 1] / 1e6);
  }
  free(v);
}

int cmd_crosscheck(int argc, char **argv) {
  const char *path = NULL, *out = NULL, *profile = "linux";
  uint64_t n_conv = 0, jobs = 1;
  bool repeat = true, rtt_match = true, cpus_idle = false;
  const char *against = NULL; /* a store whose kernel runs to use */
  cli_params cp = {0};
  conv_params_default(&cp.p);
  int nk = 0, r;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i], *v;
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      return 0;
    } else if ((v = cli_opt(a, "out"))) {
      out = v;
    } else if ((v = cli_opt(a, "conversations"))) {
      if (cli_u64(SUB, "conversations", v, &n_conv) || n_conv == 0 ||
          n_conv > 1000000)
        return cli_error(SUB, "--conversations=%s: expected 1 to 1000000", v);
    } else if (strcmp(a, "--no_repeat") == 0) {
      repeat = false;
    } else if (strcmp(a, "--no_rtt_match") == 0) {
      rtt_match = false;
    } else if (strcmp(a, "--let_cpus_idle") == 0) {
      emu_keep_cpus_busy(false);
      cpus_idle = true;
    } else if ((v = cli_opt(a, "profile"))) {
      profile = v;
    } else if ((v = cli_opt(a, "jobs"))) {
      if (cli_u64(SUB, "jobs", v, &jobs) || jobs == 0 || jobs > 16)
        return cli_error(SUB, "--jobs=%s: expected 1 to 16", v);
    } else if ((v = cli_opt(a, "against"))) {
      against = v;
    } else if (a[0] == '-' && a[1] == '-' && strchr(a, '=') &&
               (r = cli_param_arg(SUB, a, &cp)) != 0) {
      if (r < 0)
        return 2;
      if (cp.nknobs == nk) /* a conversation parameter */
        return cli_error(SUB,
                         "%s: the scenario draws the conversations; only "
                         "profile knobs may be set here",
                         a);
      nk = cp.nknobs;
    } else if (cli_positional(SUB, a, &path, "scenario")) {
      return 2;
    }
  }
  char dflt[4096];
  if (!path) {
    if (hc_data_path("scenarios/crosscheck.ini", dflt, sizeof dflt) != 0)
      return cli_error(SUB, "the data directory's path is too long: %s",
                       hc_data_dir());
    path = dflt;
  }
  static char msgs[16384];
  scenario s;
  if (scn_load(&s, path, msgs, sizeof msgs, stderr) != 0) {
    fprintf(stderr, "%s\n", msgs);
    return 2;
  }
  /* the kernel has no knobs: a scenario that sets them would compare a
   * changed profile with an unchanged kernel; and halfclose-peer plays the
   * default applications only */
  for (int k = 0; k < s.nkeys; k++) {
    const char *n = s.keys[k].name;
    const char *why =
        !s.keys[k].param
            ? "crosscheck compares the linux profile with the kernel, "
              "which has no profile knobs"
        : strcmp(n, "close_when_read") == 0 ||
                strcmp(n, "read_close_delay") == 0 ||
                strcmp(n, "close_on_eof") == 0
            ? "not taken by the kernel ends (halfclose-peer) yet"
            : NULL;
    if (why) {
      cli_error(SUB, "%s:%d: %s: %s; remove the key", path, s.keys[k].line, n,
                why);
      scn_free(&s);
      return 2;
    }
  }
  /* nor does it take the scenario's profiles: --profile is compared */
  bool other = s.profiles_line &&
               (s.nprofiles != 1 || strcmp(s.profiles[0], "linux") != 0);
  int pl = s.server_profile_line ? s.server_profile_line
           : other               ? s.profiles_line
                                 : 0;
  if (pl) {
    cli_error(SUB,
              "%s:%d: %s: crosscheck compares one profile (linux, or "
              "--profile) with the kernel at both ends; remove the key, or "
              "set it to linux alone",
              path, pl, s.server_profile_line ? "server_profile" : "profiles");
    scn_free(&s);
    return 2;
  }
  uint64_t total = scn_total(&s);
  if (n_conv && n_conv < total)
    total = n_conv;
  char store[600], err[600];
  if (out) {
    snprintf(store, sizeof store, "%s", out);
  } else {
    if (mkdir("out", 0777) != 0 && errno != EEXIST) {
      scn_free(&s);
      return cli_error(SUB, "cannot create out/: %s", strerror(errno));
    }
    /* out/crosscheck.db for the shipped scenario, out/NAME-crosscheck.db
     * for another */
    if (strcmp(s.name, "crosscheck") == 0)
      snprintf(store, sizeof store, "out/crosscheck.db");
    else
      snprintf(store, sizeof store, "out/%s-crosscheck.db", s.name);
  }
  if (cli_out_check(SUB, "out", store, path, CLI_OUT_DB) ||
      (against && cli_out_check(SUB, "out", store, against, CLI_OUT_DB))) {
    scn_free(&s);
    return 2;
  }
  if (xstore_out_check(store, err, sizeof err) != 0 ||
      (!against && emu_check(err, sizeof err) != 0)) {
    scn_free(&s);
    return cli_error(SUB, "%s", err);
  }
  sqlite3 *adb = NULL;
  char against_kernel[256] = "";
  if (against) {
    uint64_t n = 0;
    adb = xstore_against_open(against, &s, &n, against_kernel,
                              sizeof against_kernel, err, sizeof err);
    if (!adb) {
      scn_free(&s);
      return cli_error(SUB, "%s", err);
    }
    if (n < total)
      total = n;
  }
  tcp_profile linux_p;
  if (cli_profile(SUB, profile, &cp, &linux_p) != 0) {
    scn_free(&s);
    return 2;
  }
  xpair *pairs = calloc(total, sizeof *pairs);
  double *values = calloc((size_t)s.nkeys + 1, sizeof *values);
  if (!pairs || !values) {
    free(pairs);
    free(values);
    scn_free(&s);
    return cli_error(SUB, "out of memory");
  }
  uint64_t seed = scn_conv_seed(&s);
  uint64_t capped = 0; /* conversations whose time limit was cut */
  int rc = 0;
  bool kept = false; /* failures kept the store from being written */

  /* the simulations, here */
  conv_env *env = NULL;
  uint32_t env_seed = (uint32_t)(s.seed % 2147483646u) + 1;
  if (conv_env_new(&env, env_seed, err, sizeof err) != 0) {
    cli_error(SUB, "%s", err);
    rc = 1;
  }
  for (uint64_t i = 0; rc == 0 && i < total; i++) {
    xpair *x = &pairs[i];
    scn_draw(&s, i, &x->p, values);
    /* each kernel run takes real time: at most a minute, as emulate
     * allows (the simulation gets the same limit, so they compare) */
    if (x->p.time_limit_ns > CROSSCHECK_MAX_LIMIT_NS) {
      x->p.time_limit_ns = CROSSCHECK_MAX_LIMIT_NS;
      capped++;
    }
    params_text(&s, values, x->params, sizeof x->params);
    segseq_init(&x->model);
    segseq_init(&x->kernel);
    if (simulate(env, x, &linux_p, seed, i, err, sizeof err) != 0) {
      cli_error(SUB, "conversation %" PRIu64 " (simulated): %s", i, err);
      rc = 1;
    }
  }
  conv_env_free(env);

  /* the store, beside its final name */
  char tmp[700];
  snprintf(tmp, sizeof tmp, "%s.tmp-%d", store, (int)getpid());
  sqlite3 *db = NULL;
  if (rc == 0) {
    sweep_tmp(store);
    unlink(tmp);
    if (xstore_create(tmp, &db, err, sizeof err) != 0) {
      cli_error(SUB, "%s: %s", tmp, err);
      rc = 1;
    }
  }

  /* the emulations, a child each */
  /* INT, TERM, HUP, QUIT, PIPE: the run stops, its children remove their
   * namespaces, the temporary store goes, --out stays as it was */
  emu_catch_exit_signals(on_signal);
  time_t t_start = time(NULL);
  pass1 c1 = {pairs, db,       tmp, rtt_match, &linux_p,
              seed,  env_seed, {0}, {0},       {0}};
  for (int k = 0; k < 7; k++)
    c1.kind_first[k] = UINT64_MAX;
  uint64_t *idx = malloc((total + 1) * sizeof *idx);
  if (!idx && rc == 0) {
    cli_error(SUB, "out of memory");
    rc = 1;
  }
  for (uint64_t i = 0; idx && i < total; i++)
    idx[i] = i;
  if (rc == 0 && adb) { /* the kernel runs of an earlier crosscheck */
    int arv = xstore_against_run(adb, total, on_first, &c1, err, sizeof err);
    if (arv != 0) {
      cli_error(SUB, "--against=%s: %s", against, err);
      rc = arv == -2 ? 2 : 1;
    }
    repeat = false;
  } else if (rc == 0 &&
             emulate_all(idx, total, (int)jobs, pairs, seed, on_first, &c1) !=
                 0 &&
             !interrupted) {
    rc = 1;
  }
  sqlite3_close(adb);
  /* each differing conversation's kernel run once more */
  pass2 c2 = {pairs, db, tmp, &c1, 0, 0, 0, 0};
  uint64_t ndiff = 0;
  for (uint64_t i = 0; idx && rc == 0 && repeat && i < total; i++)
    if (pairs[i].verdict == V_DIFFERENT)
      idx[ndiff++] = i;
  if (rc == 0 && !interrupted && ndiff &&
      emulate_all(idx, ndiff, (int)jobs, pairs, seed, on_repeat, &c2) != 0 &&
      !interrupted)
    rc = 1;
  free(idx);
  uint64_t *counts = c1.counts, *kinds = c1.kinds, *kind_first = c1.kind_first;
  if (interrupted && rc == 0) {
    cli_error(SUB, "interrupted (signal %d); %s left as it was",
              (int)interrupted, store);
    rc = 128 + (int)interrupted;
  }

  if (rc == 0) {
    char settings[256], b[64];
    if (against)
      snprintf(settings, sizeof settings, "%s", against_kernel);
    else
      emu_kernel_settings(settings, sizeof settings);
    snprintf(b, sizeof b, "%d", XSTORE_FORMAT);
    xstore_put_meta(db, "format", b);
    xstore_put_meta(db, "scenario", path);
    xstore_put_meta(db, "scenario_text", s.text);
    snprintf(b, sizeof b, "%" PRIu64, total);
    xstore_put_meta(db, "conversations", b);
    xstore_put_meta(db, "kernel", settings);
    char model[96];
    snprintf(model, sizeof model, "%s profile, both ends, simulated", profile);
    xstore_put_meta(db, "model", model);
    if (against)
      xstore_put_meta(db, "kernel_runs_from", against);
    xstore_put_meta(db, "rtt_match",
                    rtt_match ? "each simulation run again with its link "
                                "longer each way by half the kernel's "
                                "handshake round trip beyond the model's "
                                "(pairs.model_extra_ms)"
                              : "off: the scenario's delays as drawn");
    if (!against)
      xstore_put_meta(db, "cpus",
                      cpus_idle ? "let idle (--let_cpus_idle)"
                                : "asked to be kept busy while the link "
                                  "ran, one SCHED_IDLE thread each where "
                                  "one could start");
    snprintf(b, sizeof b, "%.1f ms", EMU_TOLERANCE_MS);
    xstore_put_meta(db, "tolerance", b);
    snprintf(b, sizeof b, "%.0f s", difftime(time(NULL), t_start));
    xstore_put_meta(db, "wall_time", b);
    if (xstore_finish(db, err, sizeof err) != 0) {
      cli_error(SUB, "%s: %s", tmp, err);
      rc = 1;
    }
  }
  if (db && sqlite3_close(db) != SQLITE_OK && rc == 0) {
    cli_error(SUB, "%s: cannot close", tmp);
    rc = 1;
  }
  /* a run with failed conversations never replaces a store that exists
   * (its kernel runs may be the only ones), and one where every
   * conversation failed is written nowhere: nothing in it was measured */
  struct stat old_sb;
  bool exists = stat(store, &old_sb) == 0;
  uint64_t nfailed = c1.counts[V_FAILED];
  if (rc == 0 && nfailed && (exists || nfailed == total)) {
    cli_error(SUB,
              "%" PRIu64 " of %" PRIu64 " conversations failed to run; %s %s",
              nfailed, total, store, exists ? "left as it was" : "not written");
    rc = 1;
    kept = true;
  }
  if (rc == 0 && rename(tmp, store) != 0) {
    cli_error(SUB, "%s: %s", store, strerror(errno));
    rc = 1;
  }
  if (rc != 0)
    unlink(tmp);

  if (rc == 0 || kept) {
    uint64_t compared = counts[V_IDENTICAL] + counts[V_DIFFERENT];
    printf("crosscheck of %s: %" PRIu64 " conversations, the Linux kernel "
           "(emulated) against the %s profile (simulated), in %.0f s\n",
           path, total, profile, difftime(time(NULL), t_start));
    for (int k = 0; k < 7; k++)
      if (kinds[k])
        printf("  %6" PRIu64 "  %s (first: conversation %" PRIu64 ")\n",
               kinds[k], xstore_kind_text((segseq_kind)k), kind_first[k]);
    if (ndiff)
      printf("the kernel run again on the %" PRIu64
             " differing: the same sequence in %" PRIu64 ", another in %" PRIu64
             " (timing-sensitive; the model is that other in %" PRIu64
             "), %" PRIu64 " not trusted\n",
             ndiff, c2.repeated, c2.not_repeated, c2.model_matches, c2.unknown);
    if (rtt_match)
      print_extra(pairs, total);
    if (!kept)
      printf("store: %s\n", store);
    if (capped)
      printf("crosscheck: %" PRIu64 " conversations ran with their time "
             "limit cut to 60 s (real time, both sides)\n",
             capped);
    printf("crosscheck: %" PRIu64 " of %" PRIu64
           " conversations identical (%" PRIu64
           " more discarded for timing: link delay off by more than %.1f "
           "ms)\n",
           counts[V_IDENTICAL], compared, counts[V_TIMING], EMU_TOLERANCE_MS);
    if (counts[V_FAILED])
      printf("crosscheck: %" PRIu64 " conversations failed to run (above)\n",
             counts[V_FAILED]);
    if (counts[V_FAILED])
      rc = 1;
  }
  for (uint64_t i = 0; i < total; i++) {
    segseq_free(&pairs[i].model);
    segseq_free(&pairs[i].kernel);
  }
  free(pairs);
  free(values);
  scn_free(&s);
  return rc;
}
