/*
 * crosscheck.c - `halfclose crosscheck`: the command over the crosscheck
 * engine (runner/crosscheck.h): its options, the refusals of a scenario it
 * cannot run, and what it prints.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "crosscheck.h"
#include "datadir.h"
#include "netns.h"
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

static volatile sig_atomic_t interrupted; /* the signal that stopped us */

static void on_signal(int sig) {
  interrupted = sig;
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

/* What the run found. */
static void print_result(const char *path, const char *profile,
                         const char *store, bool rtt_match,
                         const xcheck_result *r) {
  const uint64_t *counts = r->counts;
  uint64_t compared = counts[V_IDENTICAL] + counts[V_DIFFERENT];
  printf("crosscheck of %s: %" PRIu64 " conversations, the Linux kernel "
         "(emulated) against the %s profile (simulated), in %.0f s\n",
         path, r->total, profile, r->wall_s);
  for (int k = 0; k < 7; k++)
    if (r->kinds[k])
      printf("  %6" PRIu64 "  %s (first: conversation %" PRIu64 ")\n",
             r->kinds[k], xstore_kind_text((segseq_kind)k), r->kind_first[k]);
  if (r->ndiff)
    printf("the kernel run again on the %" PRIu64
           " differing: the same sequence in %" PRIu64 ", another in %" PRIu64
           " (timing-sensitive; the model is that other in %" PRIu64
           "), %" PRIu64 " not trusted\n",
           r->ndiff, r->repeated, r->not_repeated, r->model_matches,
           r->unknown);
  if (rtt_match)
    print_extra(r->pairs, r->total);
  if (!r->kept)
    printf("store: %s\n", store);
  if (r->capped)
    printf("crosscheck: %" PRIu64 " conversations ran with their time "
           "limit cut to 60 s (real time, both sides)\n",
           r->capped);
  printf("crosscheck: %" PRIu64 " of %" PRIu64
         " conversations identical (%" PRIu64
         " more discarded for timing: link delay off by more than %.1f "
         "ms)\n",
         counts[V_IDENTICAL], compared, counts[V_TIMING], EMU_TOLERANCE_MS);
  if (counts[V_FAILED])
    printf("crosscheck: %" PRIu64 " conversations failed to run (above)\n",
           counts[V_FAILED]);
}

/* What crosscheck cannot run, refused at its line: knobs in the scenario
 * (the kernel has none), the keys halfclose-peer does not play, profiles
 * other than the one compared. 0, or 2 after the message. */
static int refused(const scenario *sc, const char *path) {
  /* the kernel has no knobs: a scenario that sets them would compare a
   * changed profile with an unchanged kernel; and halfclose-peer plays the
   * default applications only */
  for (int k = 0; k < sc->nkeys; k++) {
    const char *n = sc->keys[k].name;
    const char *why =
        !sc->keys[k].param
            ? "crosscheck compares the linux profile with the kernel, "
              "which has no profile knobs"
        : strcmp(n, "close_when_read") == 0 ||
                strcmp(n, "read_close_delay") == 0 ||
                strcmp(n, "close_on_eof") == 0
            ? "not taken by the kernel ends (halfclose-peer) yet"
        : strcmp(sc->keys[k].param->section, "path") == 0
            ? "a [path] runs in simulated time only: the kernel ends are on "
              "the emulation's one link"
            : NULL;
    if (why) {
      cli_error(SUB, "%s:%d: %s: %s; remove the key", path, sc->keys[k].line, n,
                why);
      return 2;
    }
  }
  /* nor does it take the scenario's profiles: --profile is compared */
  bool other = sc->profiles_line &&
               (sc->nprofiles != 1 || strcmp(sc->profiles[0], "linux") != 0);
  int pl = sc->server_profile_line ? sc->server_profile_line
           : other                 ? sc->profiles_line
                                   : 0;
  if (pl) {
    cli_error(SUB,
              "%s:%d: %s: crosscheck compares one profile (linux, or "
              "--profile) with the kernel at both ends; remove the key, or "
              "set it to linux alone",
              path, pl,
              sc->server_profile_line ? "server_profile" : "profiles");
    return 2;
  }
  return 0;
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
  if (refused(&s, path) != 0) {
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
    sqlite3_close(adb);
    return 2;
  }
  /* kernel runs made with other TCP options than the profile offers
   * compare nothing: refused */
  if (against &&
      !strstr(against_kernel, emu_opts_text(emu_opts_of(&linux_p)))) {
    cli_error(SUB,
              "--against=%s: its kernel runs had %s; profile %s offers %s "
              "(run the kernel again, or set the profile's timestamps, "
              "sack_permitted and window_scaling to match)",
              against, against_kernel, profile,
              emu_opts_text(emu_opts_of(&linux_p)));
    scn_free(&s);
    sqlite3_close(adb);
    return 2;
  }
  xcheck_opts xo = {&s,        path,      total,          (int)jobs,   repeat,
                    rtt_match, cpus_idle, &linux_p,       profile,     store,
                    adb,       against,   against_kernel, &interrupted};
  /* INT, TERM, HUP, QUIT, PIPE: the run stops, its children remove their
   * namespaces, the temporary store goes, --out stays as it was */
  emu_catch_exit_signals(on_signal);
  xcheck_result res;
  int rc = xcheck_run(&xo, &res);
  sqlite3_close(adb);
  if (rc == 0 || res.kept) {
    print_result(path, profile, store, rtt_match, &res);
    if (res.counts[V_FAILED])
      rc = 1;
  }
  xcheck_free(&res);
  scn_free(&s);
  return rc;
}
