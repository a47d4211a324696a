/*
 * script.c - `halfclose script`: scripts in packetdrill's language against
 * a profile of the model, in simulated time (script/pkt.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "pkt.h"

static const char *const SUB = "script";

static void usage(FILE *f) {
  fprintf(f, "usage: halfclose script FILE... [--stack=PROFILE|kernel] "
             "[--KNOB=VALUE ...] [--shell]\n                        "
             "[--verbose]\n\n"
             "Runs scripts in packetdrill's language - segments the peer "
             "sends (<), segments\nthe local stack must send (>), and the "
             "local application's system calls, each\nat its time - against "
             "the model under PROFILE, in simulated time: a script\nof "
             "seconds runs in milliseconds, the same every run. The subset "
             "taken is in\ndocs/scripts.md.\n\n"
             "  --stack=PROFILE  nt351, nt351-sp, bsd44, linux (+rfc1337), "
             "FILE:NAME, or kernel:\n"
             "                   the Linux kernel in a network namespace, in "
             "real time (root) [linux]\n"
             "  --KNOB=VALUE     a profile knob over it\n"
             "  --shell          with kernel: run each shell line (sh -c) "
             "inside the kernel's\n                   namespace, whose TAP is "
             "tun0; without it shell lines are\n                   "
             "reported and skipped (against a profile, their sysctl\n"
             "                   settings set the knobs)\n"
             "  --verbose        every segment and call as it is played\n\n"
             "Prints per script \"pass\" or the line that failed, what it "
             "expected and what\nthe stack did. Exit 0 if every script "
             "passed, 1 if one failed, 2 for a\nscript that does not parse "
             "(file:line, what was expected).\n");
}

static char *slurp(const char *path, char *err, size_t cap) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, cap, "%s: cannot read", path);
    return NULL;
  }
  char *buf = malloc(1 << 20);
  size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
  bool big = buf && !feof(f);
  fclose(f);
  if (!buf || big) {
    snprintf(err, cap, "%s: %s", path,
             buf ? "larger than 1 MiB" : "out of memory");
    free(buf);
    return NULL;
  }
  buf[n] = 0;
  if (memchr(buf, 0, n)) {
    snprintf(err, cap, "%s: not a text file", path);
    free(buf);
    return NULL;
  }
  return buf;
}

int cmd_script(int argc, char **argv) {
  const char *stack = "linux";
  bool verbose = false, shell = false;
  static cli_params cp;
  memset(&cp, 0, sizeof cp);
  const char **files = calloc((size_t)argc + 1, sizeof *files);
  int nfiles = 0;
  if (!files)
    return cli_error(SUB, "out of memory");
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i], *v;
    int k;
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      free(files);
      return 0;
    } else if ((v = cli_opt(a, "stack"))) {
      stack = v;
    } else if (strcmp(a, "--verbose") == 0) {
      verbose = true;
    } else if (strcmp(a, "--shell") == 0) {
      shell = true;
    } else if ((k = cli_param_arg(SUB, a, &cp)) != 0) {
      char key[64];
      snprintf(key, sizeof key, "%.*s", (int)strcspn(a + 2, "="), a + 2);
      if (k > 0 && hc_param_find(key)) {
        free(files);
        return cli_error(SUB,
                         "%s: a conversation key; a script takes "
                         "profile knobs only",
                         a);
      }
      if (k < 0) {
        free(files);
        return 2;
      }
    } else if (strncmp(a, "--", 2) == 0) {
      free(files);
      return cli_error(SUB, "%s: unknown option (see halfclose help script)",
                       a);
    } else {
      files[nfiles++] = a;
    }
  }
  if (!nfiles) {
    free(files);
    return cli_error(SUB, "which script? (see halfclose help script)");
  }
  bool kernel = strcmp(stack, "kernel") == 0;
  if (kernel && cp.nknobs) {
    free(files);
    return cli_error(SUB, "--%s: a knob is the model's; the kernel takes none",
                     cp.knob[0]);
  }
  if (shell && !kernel) {
    free(files);
    return cli_error(SUB, "--shell: only with --stack=kernel (against a "
                          "profile a shell line is never run; its sysctl "
                          "settings set the knobs)");
  }
  tcp_profile prof;
  if (kernel) {
    tcp_profile_preset(&prof, "linux");
    snprintf(prof.name, sizeof prof.name, "the kernel");
  } else if (cli_profile(SUB, stack, &cp, &prof) != 0) {
    free(files);
    return 2;
  }
  int status = 0, passed = 0;
  for (int f = 0; f < nfiles; f++) {
    char err[1024];
    char *text = slurp(files[f], err, sizeof err);
    pkt_script s;
    if (!text || pkt_parse(&s, files[f], text, err, sizeof err) != 0) {
      free(text);
      free(files);
      return cli_error(SUB, "%s", err);
    }
    free(text);
    pkt_result res;
    clock_t c0 = clock();
    int rv = kernel ? pkt_run_kernel(&s, shell, verbose ? stdout : NULL, &res,
                                     err, sizeof err)
                    : pkt_run(&s, &prof, verbose ? stdout : NULL, &res, err,
                              sizeof err);
    double cpu_ms = (double)(clock() - c0) * 1000.0 / CLOCKS_PER_SEC;
    pkt_free(&s);
    if (rv != 0) {
      free(files);
      return cli_error(SUB, "%s", err);
    }
    if (res.passed) {
      passed++;
      printf("%s: pass under %s (%d events, %.3f s %s, %.2f ms CPU)\n",
             files[f], prof.name, res.events, res.seconds,
             kernel ? "real time" : "simulated", cpu_ms);
    } else {
      status = 1;
      printf("%s:%d: fail under %s: %s\n", files[f], res.line, prof.name,
             res.why);
    }
    if (res.notes[0])
      printf("  note: %s\n", res.notes);
  }
  printf("%d of %d scripts passed under %s\n", passed, nfiles, prof.name);
  free(files);
  return status;
}
