/*
 * emulate.c - `halfclose emulate`: one conversation in real time on the
 * wrapper's link, each end the model (any profile) or a real Linux kernel
 * in a network namespace of its own (../emu/session.h), printed like
 * `replay`, with the link's delays as the wall clock measured them.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "conv.h"
#include "netns.h"
#include "replay.h"
#include "session.h"

static const char *const SUB = "emulate";

static void usage(FILE *f) {
  fprintf(f,
          "usage: halfclose emulate [--client=PROFILE|kernel] "
          "[--server=PROFILE|kernel]\n"
          "                         [--seed=S] [--pcap=FILE] [--no_ladder] "
          "[--ladder=FILE] [--let_cpus_idle]\n"
          "                         [--KEY=VALUE ...]\n\n"
          "Runs one half-close conversation in real time on the same link "
          "model as the\nsimulation, each end the model under a profile or "
          "the real Linux kernel of this\nmachine in a network namespace "
          "(root and /dev/net/tun needed), and prints its\ntimeline, "
          "outcome and anatomy as `replay` does. A kernel end runs "
          "halfclose-peer;\nits TCP offers Linux's default options "
          "(timestamps, SACK, window scaling)\nand runs cubic.\n\n"
          "  --client=P   nt351, nt351-sp, bsd44, linux (+rfc1337), or kernel "
          "[nt351]\n"
          "  --server=P   the same [kernel]\n"
          "  --let_cpus_idle  no thread keeps the CPUs busy while the link "
          "runs (a CPU\n               that idles wakes late: the link's "
          "events run later)\n\n");
  cli_print_keys(f);
}

int cmd_emulate(int argc, char **argv) {
  cli_params cp = {0};
  conv_params_default(&cp.p);
  const char *client = "nt351", *server = "kernel";
  replay_opts ro = {1, NULL, true};
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i], *v;
    int r;
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      return 0;
    } else if ((v = cli_opt(a, "client"))) {
      client = v;
    } else if ((v = cli_opt(a, "server"))) {
      server = v;
    } else if (strcmp(a, "--let_cpus_idle") == 0) {
      emu_keep_cpus_busy(false);
    } else if ((r = replay_opt(SUB, a, &ro)) != 0) {
      if (r < 0)
        return 2;
    } else if ((r = cli_param_arg(SUB, a, &cp)) <= 0) {
      if (r == 0)
        cli_error(SUB, "unknown option or key \"%s\" (see --help)", a);
      return 2;
    }
  }
  uint64_t seed = ro.seed;
  const char *pcap = ro.pcap;
  bool show = ro.show;
  if (cli_out_check(SUB, "pcap", pcap, NULL, 0) ||
      cli_out_check(SUB, "pcap_server", pcap_server_file, NULL, 0) ||
      cli_out_check(SUB, "ladder", ladder_file, NULL, 0))
    return 2;
  if (cp.p.routers)
    return cli_error(SUB, "--routers: a [path] runs in simulated time only "
                          "(halfclose replay); emulate has one link");
  bool kern[2] = {strcmp(client, "kernel") == 0, strcmp(server, "kernel") == 0};
  /* halfclose-peer plays the default applications only */
  if ((kern[0] && (cp.p.close_when_read || cp.p.read_close_delay_ns)) ||
      (kern[1] && cp.p.close_on_eof))
    return cli_error(SUB, "--close_when_read, --read_close_delay and "
                          "--close_on_eof are not taken by a kernel end "
                          "(halfclose-peer) yet");

  tcp_profile prof[2];
  for (int i = 0; i < 2; i++)
    if (!kern[i] && cli_profile(SUB, i ? server : client, &cp, &prof[i]))
      return 2;
  if (kern[0] && kern[1])
    prof[0] = prof[1] = (tcp_profile){0};
  if (cp.p.time_limit_ns > 60 * TCP_S)
    cp.p.time_limit_ns = 60 * TCP_S; /* a real minute at most */
  char err[600];
  /* namespaces removed, exit 128 + the signal */
  emu_catch_exit_signals(emu_ns_exit_on_signal);
  emu_session *m;
  int rc = 1;
  /* kernel ends as Linux has them (a model end negotiates with them) */
  if (emu_session_open(&m, &cp.p, kern, EMU_OPT_LINUX, seed, err, sizeof err) !=
      0) {
    cli_error(SUB, "%s", err);
    emu_session_close(m);
    return strstr(err, "needs") || strstr(err, "not found") ? 2 : 1;
  }
  char header[512], title[256], settings[256];
  emu_kernel_settings(settings, sizeof settings, EMU_OPT_LINUX);
  snprintf(title, sizeof title, "emulated: client %s, server %s",
           kern[0] ? "Linux" : prof[0].name, kern[1] ? "Linux" : prof[1].name);
  snprintf(header, sizeof header,
           "emulated conversation in real time: client %s, server %s\n"
           "kernel ends: %s",
           kern[0] ? "kernel" : prof[0].name, kern[1] ? "kernel" : prof[1].name,
           settings);
  replay_job j = {0,
                  emu_session_env(m),
                  emu_session_kernel(m),
                  SUB,
                  &cp.p,
                  CONV_STACK_MODEL,
                  &prof[0],
                  &prof[1],
                  seed,
                  0,
                  pcap,
                  show,
                  header,
                  title};
  conv_outcome o;
  rc = replay_one(&j, &o);
  if (rc == 0) {
    emu_timing t;
    emu_session_timing(m, &t);
    static const char *const dir[2] = {"client to server", "server to client"};
    printf("\nlink delay measured (configured %.3f ms):\n",
           (double)cp.p.delay_ns / 1e6);
    for (int i = 0; i < 2; i++)
      if (t.frames[i])
        printf("  %s: mean %.3f ms, min %.3f, max %.3f over %" PRIu64
               " frames, %" PRIu64 " off by more than %.1f ms\n",
               dir[i], t.mean_ms[i], t.min_ms[i], t.max_ms[i], t.frames[i],
               t.off[i], EMU_TOLERANCE_MS);
    if (t.tap_errors)
      printf("  %" PRIu64 " frame%s for a kernel refused by its TAP (lost)\n",
             t.tap_errors, t.tap_errors == 1 ? "" : "s");
    printf("timing: events ran at most %.2f ms behind the wall clock "
           "(tolerance %.1f ms, %s priority, %d CPU%s kept busy): %s\n",
           t.late_ms, EMU_TOLERANCE_MS, t.rt_priority ? "real-time" : "normal",
           t.busy_cpus, t.busy_cpus == 1 ? "" : "s",
           t.trusted ? "trusted" : "NOT trusted, run it again");
  }
  emu_session_close(m);
  return rc;
}
