/*
 * run.c - `halfclose run`: a scenario's batch into a results store, with a
 * progress bar on a terminal, quiet in a pipe, and a clean stop on SIGINT
 * or SIGTERM that keeps every finished conversation.
 */
#include <errno.h>
#include <math.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"
#include "cli.h"
#include "datadir.h"
#include "store.h"

static const char *const SUB = "run";
/* conversations checked before the store is touched: about a second */
#define RUN_PROBE 200000
static volatile sig_atomic_t stop_flag;

static void on_signal(int sig) {
  (void)sig;
  stop_flag = 1;
}

static void usage(FILE *f) {
  fprintf(f,
          "usage: halfclose run [SCENARIO] [--out=STORE] [--conversations=N] "
          "[--seed=S]\n"
          "                     [--jobs=N] [--profiles=a,b] [--until_ci=W] "
          "[--max_conversations=N]\n"
          "                     [--check] [--quiet]\n\n"
          "Runs every conversation of SCENARIO (default "
          "%s/scenarios/kb-q152474.ini) under each "
          "profile\ninto the SQLite store STORE (default out/NAME.db). Run "
          "again to resume:\nonly missing conversations run. Under mpirun, "
          "rank 0 writes\n"
          "the store and the other ranks simulate.\n\n"
          "  --conversations=N  conversations per grid cell (default: the "
          "scenario's)\n"
          "  --seed=S           seed (default: the scenario's)\n"
          "  --jobs=N           worker processes (default: every core)\n"
          "  --profiles=a,b     profiles (default: the scenario's)\n"
          "  --check            run the invariant checker on every "
          "conversation, and\n"
          "                     verify every datagram's checksum and "
          "payload\n"
          "  --until_ci=W       sequential stopping: add conversations in "
          "index order,\n"
          "                     each block a quarter larger, until every "
          "profile's "
          "failed-read rate\n                     (app_reset) has "
          "a 95 %% Wilson interval no wider than +/- W "
          "(e.g. 0.01 or 1%%);\n"
          "                     checked only at those block boundaries\n"
          "  --max_conversations=N  stop adding there [1000000]\n"
          "  --quiet            no progress (a bar on a terminal, "
          "otherwise a line\n"
          "                     every 10 s)\n",
          hc_data_dir());
}

/* Progress: a bar redrawn in place on a terminal; elsewhere (a pipe, a
 * batch system's log) one line every `every` seconds of the run - 10 by
 * default, HALFCLOSE_PROGRESS_EVERY to change it - so a short run prints
 * none. */
typedef struct bar {
  bool tty, lines;
  double every, last;
  const char *name;
} bar;

static void show(void *user, const batch_progress *p) {
  bar *b = user;
  double rate = p->elapsed_s > 0 ? (double)p->this_run / p->elapsed_s : 0;
  double left = rate > 0 ? (double)(p->total - p->done) / rate : 0;
  if (b->lines && p->elapsed_s - b->last >= b->every) {
    b->last = p->elapsed_s;
    fprintf(stderr,
            "%s: %" PRIu64 " of %" PRIu64 " conversations (%.1f %%), %.0f "
            "conv/s, ETA %d:%02d\n",
            b->name, p->done, p->total,
            p->total ? 100.0 * (double)p->done / (double)p->total : 100.0, rate,
            (int)(left / 60), (int)left % 60);
    return;
  }
  if (!b->tty)
    return;
  int width = 30, fill = p->total ? (int)(width * p->done / p->total) : width;
  char cells[64];
  for (int i = 0; i < width; i++)
    cells[i] = i < fill ? '#' : '.';
  cells[width] = 0;
  fprintf(stderr,
          "\r%5.1f%% [%s] %" PRIu64 "/%" PRIu64 "  %.0f conv/s  ETA %d:%02d ",
          p->total ? 100.0 * (double)p->done / (double)p->total : 100.0, cells,
          p->done, p->total, rate, (int)(left / 60), (int)left % 60);
  fflush(stderr);
}

/* run's options. */
typedef struct run_args {
  const char *path, *out, *profiles;
  uint64_t per_cell, seed, jobs, max_total;
  bool have_seed, check, quiet;
  double until;
} run_args;

/* 0 and *a, 1 after --help, or 2 after a message. */
static int parse_args(int argc, char **argv, run_args *a) {
  memset(a, 0, sizeof *a);
  a->max_total = 1000000;
  for (int i = 0; i < argc; i++) {
    const char *arg = argv[i], *v;
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      usage(stdout);
      return 1;
    } else if ((v = cli_opt(arg, "out"))) {
      a->out = v;
    } else if ((v = cli_opt(arg, "conversations"))) {
      if (cli_u64(SUB, "conversations", v, &a->per_cell))
        return 2;
      if (a->per_cell == 0 || a->per_cell > SCN_MAX_CONVERSATIONS)
        return cli_error(SUB,
                         "--conversations=%s: expected 1 to %.0e per grid "
                         "cell",
                         v, (double)SCN_MAX_CONVERSATIONS);
    } else if ((v = cli_opt(arg, "seed"))) {
      if (cli_u64(SUB, "seed", v, &a->seed))
        return 2;
      if (a->seed > SCN_MAX_CONVERSATIONS)
        return cli_error(SUB, "--seed=%s: expected 0 to %.0e", v,
                         (double)SCN_MAX_CONVERSATIONS);
      a->have_seed = true;
    } else if ((v = cli_opt(arg, "jobs"))) {
      if (cli_u64(SUB, "jobs", v, &a->jobs) || a->jobs == 0 || a->jobs > 256)
        return cli_error(SUB, "--jobs=%s: expected 1 to 256", v);
    } else if ((v = cli_opt(arg, "profiles"))) {
      a->profiles = v;
    } else if ((v = cli_opt(arg, "until_ci"))) {
      char why[160];
      if (hc_parse_value(HC_PROB, v, &a->until, why, sizeof why) != 0 ||
          a->until <= 0 || a->until >= 0.5)
        return cli_error(SUB,
                         "--until_ci=%s: expected a half-width in "
                         "(0, 0.5), e.g. 0.01 or 1%%",
                         v);
    } else if ((v = cli_opt(arg, "max_conversations"))) {
      if (cli_u64(SUB, "max_conversations", v, &a->max_total) ||
          !a->max_total || a->max_total > SCN_MAX_CONVERSATIONS)
        return cli_error(SUB, "--max_conversations=%s: expected 1 to 1e+12", v);
    } else if (strcmp(arg, "--check") == 0) {
      a->check = true;
    } else if (strcmp(arg, "--quiet") == 0) {
      a->quiet = true;
    } else if (cli_positional(SUB, arg, &a->path, "scenario")) {
      return 2;
    }
  }
  return 0;
}

/* A resume is judged on the parsed scenario: a file that differs from
 * the store's only in comments, layout or name continues it - with the
 * store's text, which the draws follow; *s becomes the store's scenario,
 * with the profiles and size asked for. */
static void continue_stored(scenario *s, const char *path, const char *store) {
  if (access(store, F_OK) != 0)
    return;
  hc_store *old;
  char e[600];
  if (store_open(&old, store, STORE_READ, e, sizeof e) != 0)
    return;
  static scenario prev;
  if (store_has_batch(old) && store_scenario(old, &prev, e, sizeof e) == 0) {
    if (prev.hash != s->hash && scn_same_draws(&prev, s)) {
      fprintf(stderr,
              "halfclose run: %s differs from the scenario %s was made "
              "from only in comments, layout or name: continuing with "
              "the store's text\n",
              path, store);
      prev.conversations = s->conversations;
      memcpy(prev.profiles, s->profiles, sizeof prev.profiles);
      prev.nprofiles = s->nprofiles;
      scn_free(s);
      *s = prev;
    } else {
      scn_free(&prev);
    }
  }
  store_close(old);
}

int cmd_run(int argc, char **argv) {
  run_args ra;
  int parsed = parse_args(argc, argv, &ra);
  if (parsed)
    return parsed == 1 ? 0 : parsed;
  const char *path = ra.path, *out = ra.out, *profiles = ra.profiles;
  uint64_t per_cell = ra.per_cell, seed = ra.seed, jobs = ra.jobs;
  bool have_seed = ra.have_seed, check = ra.check, quiet = ra.quiet;
  double until = ra.until;
  uint64_t max_total = ra.max_total;
  char dflt[4096];
  if (!path) {
    if (hc_data_path("scenarios/kb-q152474.ini", dflt, sizeof dflt) != 0)
      return cli_error(SUB, "the data directory's path is too long: %s",
                       hc_data_dir());
    path = dflt;
  }
  scenario s;
  static char msgs[16384]; /* every problem of the file, one per line */
  if (scn_load(&s, path, msgs, sizeof msgs, stderr) != 0) {
    fprintf(stderr, "%s\n", msgs);
    return 2;
  }
  if (profiles && scn_set_profiles(&s, profiles, msgs, sizeof msgs) != 0) {
    fprintf(stderr, "%s\n", msgs);
    scn_free(&s);
    return 2;
  }
  if (per_cell) {
    if (per_cell > SCN_MAX_CONVERSATIONS / s.cells) {
      cli_error(SUB,
                "--conversations=%" PRIu64 ": x %" PRIu64
                " grid cells is more than %.0e conversations",
                per_cell, s.cells, (double)SCN_MAX_CONVERSATIONS);
      scn_free(&s);
      return 2;
    }
    s.conversations = per_cell;
  }
  if (have_seed)
    s.seed = seed;
  char store[600];
  if (out) {
    snprintf(store, sizeof store, "%s", out);
  } else {
    if (mkdir("out", 0777) != 0 && errno != EEXIST) {
      scn_free(&s);
      return cli_error(SUB, "cannot create out/: %s", strerror(errno));
    }
    snprintf(store, sizeof store, "out/%s.db", s.name);
  }
  continue_stored(&s, path, store);
  /* before anything runs: the store's directory, and each conversation's
   * profiles and bound, for as many as take a moment to draw (every
   * conversation is checked again as it runs, so one past these is
   * refused too, with the store kept whole) */
  if (cli_out_dir(SUB, "out", store)) {
    scn_free(&s);
    return 2;
  }
  uint64_t probe = RUN_PROBE;
  /* the tests shrink it to reach the check each conversation gets */
  const char *env_probe = getenv("HALFCLOSE_RUN_PROBE");
  if (env_probe)
    probe = strtoull(env_probe, NULL, 10);
  if (probe > scn_total(&s))
    probe = scn_total(&s);
  for (uint64_t i = 0; i < probe; i++) {
    conv_params cp;
    double values[SCN_MAX_KEYS];
    scn_draw(&s, i, &cp, values);
    for (int pr = 0; pr < s.nprofiles; pr++) {
      scn_ends ends;
      char why[400];
      conv_params vp = cp; /* a variant's conversation keys over the draw */
      scn_params_for(&s, s.profiles[pr], &vp);
      if (scn_ends_for(&s, s.profiles[pr], values, &ends, why, sizeof why) ||
          hc_conv_bounded(&vp, ends.ns3 ? NULL : &ends.client,
                          ends.ns3 ? NULL : &ends.server, why, sizeof why)) {
        scn_free(&s);
        return cli_error(SUB, "conversation %" PRIu64 ", profile %s: %s", i,
                         s.profiles[pr], why);
      }
    }
  }
  if (!jobs) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    jobs = n > 0 ? (uint64_t)n : 1;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  bar b = {!quiet && isatty(STDERR_FILENO), false, 10, 0, s.name};
  b.lines = !quiet && !b.tty;
  const char *every = getenv("HALFCLOSE_PROGRESS_EVERY");
  if (every && *every)
    b.every = atof(every);
  batch_opts o = {store, HALFCLOSE_VERSION, (int)jobs, check, &stop_flag, show,
                  &b};
  char err[600] = "";
  study_opts so = {scn_total(&s), until, max_total};
  study_result res;
  batch_status st = batch_study(&s, &so, &o, &res, err, sizeof err);
  if (res.worker_rank) { /* rank 0 reports */
    scn_free(&s);
    return 0;
  }
  batch_progress p = res.p;
  uint64_t total = res.total;
  if (res.note[0] && !b.tty)
    printf("%s\n", res.note);
  if (b.tty)
    fputc('\n', stderr);
  int rc = 0;
  if (st == BATCH_DONE) {
    printf("%s: %" PRIu64 " conversations x %d profiles in %s (%" PRIu64
           " run now, %.1f s, %.0f conv/s)\n",
           s.name, total, s.nprofiles, store, p.this_run, p.elapsed_s,
           p.elapsed_s > 0 ? (double)p.this_run / p.elapsed_s : 0.0);
    uint64_t planned = 0;
    hc_store *sr;
    if (store_open(&sr, store, STORE_READ, err, sizeof err) == 0) {
      planned = store_planned(sr);
      store_close(sr);
    }
    if (planned > total)
      printf("note: %s plans %" PRIu64 " conversations; a smaller "
             "--conversations does not shrink it (nothing is deleted, and "
             "the report covers every conversation in it)\n",
             store, planned);
  } else if (st == BATCH_INTERRUPTED) {
    fprintf(stderr,
            "halfclose run: interrupted: %" PRIu64 " of %" PRIu64
            " conversations are in %s; run again to resume\n",
            p.done, total, store);
    rc = 130;
  } else {
    fprintf(stderr, "halfclose run: %s\n", err);
    rc = st == BATCH_REFUSED ? 2 : 1;
  }
  scn_free(&s);
  return rc;
}
