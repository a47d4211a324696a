/*
 * replay.c - `halfclose replay`: one conversation, its timeline, outcome
 * and, when there was one, the anatomy of the reset.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "conv.h"
#include "ladder.h"

static const char *const SUB = "replay";

static void usage(FILE *f) {
  fprintf(f, "usage: halfclose replay [--profile=P] [--server-profile=P] "
             "[--seed=S]\n"
             "                        [--conversation=I] [--pcap=FILE] "
             "[--no-ladder] [--KEY=VALUE ...]\n\n"
             "Runs one half-close conversation on ns-3 and prints its timeline "
             "(one line\nper segment, with the delayed-ACK timer and the "
             "applications' calls between),\nits outcome and, when the client "
             "was reset, the anatomy of the reset.\n\n"
             "  --profile=P          client profile: nt351, nt351-sp, bsd44, "
             "linux (+rfc1337) [nt351]\n"
             "  --server-profile=P   server profile [the client's]\n"
             "  --seed=S             seed of every random choice [1]\n"
             "  --conversation=I     conversation index within the seed [0]\n"
             "  --pcap=FILE          write the client link's capture (bare "
             "IPv4)\n"
             "  --no-ladder          print the outcome only\n\n");
  cli_print_keys(f);
}

int cmd_replay(int argc, char **argv) {
  cli_params cp = {0};
  conv_params_default(&cp.p);
  const char *profile = "nt351", *server_profile = NULL, *pcap = NULL;
  uint64_t seed = 1, index = 0;
  bool show_ladder = true;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i], *v;
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      return 0;
    } else if ((v = cli_opt(a, "profile"))) {
      profile = v;
    } else if ((v = cli_opt(a, "server-profile"))) {
      server_profile = v;
    } else if ((v = cli_opt(a, "seed"))) {
      if (cli_u64(SUB, "seed", v, &seed))
        return 2;
    } else if ((v = cli_opt(a, "conversation"))) {
      if (cli_u64(SUB, "conversation", v, &index))
        return 2;
    } else if ((v = cli_opt(a, "pcap"))) {
      pcap = v;
    } else if (strcmp(a, "--no-ladder") == 0) {
      show_ladder = false;
    } else {
      int r = cli_param_arg(SUB, a, &cp);
      if (r < 0)
        return 2;
      if (r == 0)
        return cli_error(SUB, "unknown option or key \"%s\" (see --help)", a);
    }
  }
  tcp_profile cprof, sprof;
  if (cli_profile(SUB, profile, &cp, &cprof) ||
      cli_profile(SUB, server_profile ? server_profile : profile, &cp, &sprof))
    return 2;

  conv_env *env;
  uint32_t ns3_seed = (uint32_t)(seed % 2147483646u) + 1;
  if (conv_env_new(&env, ns3_seed) != 0) {
    fprintf(stderr, "halfclose replay: ns-3: %s\n", ns3c_last_error());
    return 1;
  }
  ladder *lad = ladder_new();
  conv_opts opts = {ladder_on_event, lad, pcap, true};
  conv_outcome o;
  const char *err = NULL;
  int rv = conv_run(env, &cp.p, &cprof, &sprof, seed, index, &opts, &o, &err);
  conv_env_free(env);
  if (rv) {
    ladder_free(lad);
    fprintf(stderr, "halfclose replay: %s\n", err ? err : "failed");
    return 1;
  }
  char d[32], r[32];
  printf("conversation %" PRIu64 " of seed %" PRIu64
         ": client %s, server %s, delay %s, rate %s, response %" PRIu64
         " B\n\n",
         index, seed, cprof.name, sprof.name,
         hc_format_value(HC_TIME, (double)cp.p.delay_ns, d, sizeof d),
         hc_format_value(HC_RATE, (double)cp.p.rate_bps, r, sizeof r),
         cp.p.response);
  if (show_ladder) {
    ladder_print(lad, stdout);
    printf("\n");
  }
  conv_outcome_print(stdout, &o);
  if (o.redundant_ack || o.server_rst || o.client_reset) {
    printf("\n");
    conv_anatomy_print(stdout, &o);
  }
  if (pcap)
    printf("\ncapture: %s\n", pcap);
  ladder_free(lad);
  return 0;
}
