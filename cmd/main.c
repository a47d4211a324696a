/*
 * main.c - the halfclose command: one executable, one subcommand per job.
 */
#include <stdio.h>
#include <string.h>

#include "datadir.h"

int cmd_replay(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_profiles(int argc, char **argv);
int cmd_emulate(int argc, char **argv);
int cmd_crosscheck(int argc, char **argv);

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
             "  profiles  every profile's knob values and their sources\n"
             "  emulate   one conversation in real time, real Linux kernels "
             "at kernel ends\n"
             "  crosscheck  a scenario's conversations kernel to kernel "
             "(emulated) against\n"
             "            the linux profile (simulated), segment for "
             "segment\n\n"
             "The default study: halfclose run && halfclose plot "
             "out/kb-q152474.db && \n"
             "halfclose report out/kb-q152474.db --format=html "
             "--plots=out/kb-q152474-plots\n\n"
             "`halfclose COMMAND --help` documents each command.\n");
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  const char *c = argv[1];
  if (strcmp(c, "--help") == 0 || strcmp(c, "-h") == 0 ||
      strcmp(c, "help") == 0) {
    usage(stdout);
    return 0;
  }
  if (strcmp(c, "--version") == 0) {
    printf("halfclose " HALFCLOSE_VERSION "\ndata: %s\n", hc_data_dir());
    return 0;
  }
  if (strcmp(c, "replay") == 0)
    return cmd_replay(argc - 2, argv + 2);
  if (strcmp(c, "run") == 0)
    return cmd_run(argc - 2, argv + 2);
  if (strcmp(c, "export") == 0)
    return cmd_export(argc - 2, argv + 2);
  if (strcmp(c, "report") == 0)
    return cmd_report(argc - 2, argv + 2);
  if (strcmp(c, "plot") == 0)
    return cmd_plot(argc - 2, argv + 2);
  if (strcmp(c, "profiles") == 0)
    return cmd_profiles(argc - 2, argv + 2);
  if (strcmp(c, "emulate") == 0)
    return cmd_emulate(argc - 2, argv + 2);
  if (strcmp(c, "crosscheck") == 0)
    return cmd_crosscheck(argc - 2, argv + 2);
  fprintf(stderr, "halfclose: unknown command \"%s\" (see halfclose --help)\n",
          c);
  return 2;
}
