/*
 * main.c - the halfclose command: one executable, one subcommand per job.
 */
#include <stdio.h>
#include <string.h>

#include "datadir.h"
#include "grammar.h"

int cmd_replay(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_profiles(int argc, char **argv);
int cmd_emulate(int argc, char **argv);
int cmd_crosscheck(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_script(int argc, char **argv);

static void usage(FILE *f) {
  fprintf(f, "usage: halfclose COMMAND [options]\n\n"
             "Studies the TCP half-close reset of Microsoft KB Q152474 in "
             "ns-3.\n\n"
             "commands:\n"
             "  run       run a scenario's batch into a results store "
             "(resumable; MPI)\n"
             "  export    write a store's rows as CSV or JSON\n"
             "  report    the statistical report of a store (Markdown, HTML, "
             "JSON)\n"
             "  plot      a store's graphs with gnuplot (PNG, SVG, PDF)\n"
             "  replay    run one conversation (or one from a store): its "
             "timeline,\n"
             "            outcome, anatomy, ladder diagram and capture\n"
             "  info      what a store holds: scenario, seed, profiles, "
             "counts, complete or not\n"
             "  diff      two stores side by side, paired where their "
             "conversations match\n"
             "  profiles  every profile's knob values and their sources\n"
             "  emulate   one conversation in real time, real Linux kernels "
             "at kernel ends\n"
             "  crosscheck  a scenario's conversations kernel to kernel "
             "(emulated) against\n"
             "            the linux profile (simulated), segment for "
             "segment\n"
             "  script    packetdrill-language scripts against a profile, "
             "in simulated time\n\n"
             "The default study: halfclose run && halfclose plot "
             "out/kb-q152474.db && \n"
             "halfclose report out/kb-q152474.db --format=html "
             "--plots=out/kb-q152474-plots\n\n"
             "`halfclose COMMAND --help` documents each command.\n");
}

/* Every command, what it takes (grammar.h) and where it starts. */
static const cli_option run_opts[] = {
    {"out", true},    {"conversations", true},     {"seed", true},
    {"jobs", true},   {"profiles", true},          {"until_ci", true},
    {"check", false}, {"max_conversations", true}, {"quiet", false},
    {NULL, false}};
static const cli_option export_opts[] = {{"out", true},
                                         {"format", true},
                                         {"csv", false},
                                         {"json", false},
                                         {NULL, false}};
static const cli_option report_opts[] = {
    {"format", true}, {"out", true}, {"plots", true}, {NULL, false}};
static const cli_option plot_opts[] = {
    {"format", true}, {"out", true}, {"y_full", false}, {NULL, false}};
static const cli_option replay_opts_[] = {
    {"profile", true}, {"server_profile", true},
    {"seed", true},    {"conversation", true},
    {"pcap", true},    {"pcap_server", true},
    {"ladder", true},  {"no_ladder", false},
    {"pkt", true},     {"side", true},
    {NULL, false}};
static const cli_option profiles_opts[] = {{"markdown", false}, {NULL, false}};
static const cli_option emulate_opts[] = {
    {"client", true},     {"server", true},         {"seed", true},
    {"pcap", true},       {"pcap_server", true},    {"ladder", true},
    {"no_ladder", false}, {"let_cpus_idle", false}, {NULL, false}};
static const cli_option crosscheck_opts[] = {{"conversations", true},
                                             {"out", true},
                                             {"jobs", true},
                                             {"profile", true},
                                             {"against", true},
                                             {"no_repeat", false},
                                             {"no_rtt_match", false},
                                             {"let_cpus_idle", false},
                                             {NULL, false}};

static const cli_option script_opts[] = {
    {"stack", true}, {"verbose", false}, {"shell", false}, {NULL, false}};

static const cli_option no_opts[] = {{NULL, false}};

static const struct command {
  const char *name;
  int (*fn)(int argc, char **argv);
  cli_grammar g;
} commands[] = {
    {"run", cmd_run, {run_opts, false, false}},
    {"export", cmd_export, {export_opts, false, false}},
    {"report", cmd_report, {report_opts, false, false}},
    {"plot", cmd_plot, {plot_opts, false, false}},
    {"replay", cmd_replay, {replay_opts_, true, true}},
    {"info", cmd_info, {no_opts, false, false}},
    {"diff", cmd_diff, {no_opts, false, false}},
    {"profiles", cmd_profiles, {profiles_opts, false, false}},
    {"emulate", cmd_emulate, {emulate_opts, true, true}},
    /* crosscheck sees the keys only to refuse them with its reason */
    {"crosscheck", cmd_crosscheck, {crosscheck_opts, true, true}},
    /* conversation keys only to refuse them */
    {"script", cmd_script, {script_opts, true, true}},
};

static const struct command *find(const char *name) {
  for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
    if (strcmp(commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  const char *c = argv[1];
  if (strcmp(c, "--help") == 0 || strcmp(c, "-h") == 0 ||
      (strcmp(c, "help") == 0 && argc == 2)) {
    usage(stdout);
    return 0;
  }
  if (strcmp(c, "--version") == 0) {
    printf("halfclose " HALFCLOSE_VERSION "\ndata: %s\n", hc_data_dir());
    return 0;
  }
  if (strcmp(c, "help") == 0) { /* halfclose help COMMAND */
    const struct command *h = find(argv[2]);
    if (!h || argc > 3) {
      fprintf(stderr,
              "halfclose help: unknown command \"%s\" (the "
              "commands: halfclose --help)\n",
              argv[2]);
      return 2;
    }
    char help[] = "--help";
    char *hv[] = {help, NULL};
    return h->fn(1, hv);
  }
  const struct command *cmd = find(c);
  if (!cmd) {
    fprintf(stderr,
            "halfclose: unknown command \"%s\" (see halfclose "
            "--help)\n",
            c);
    return 2;
  }
  int n = argc - 2;
  if (cli_normalize(cmd->name, &cmd->g, &n, argv + 2) != 0)
    return 2;
  return cmd->fn(n, argv + 2);
}
