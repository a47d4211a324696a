/*
 * fuzz_params.c - libFuzzer target for replay's --KEY=VALUE parser: the
 * input is split into arguments at newlines and each is parsed as the
 * command line would parse it. An accepted parameter must leave the
 * conversation's parameters in their valid ranges, and the profile with
 * the accepted knobs must resolve; a violation aborts.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "cli.h"
#include "fuzz_check.h"

/* The parser's messages would drown the fuzzer's: stderr goes to
 * /dev/null while a parser runs, and comes back for the checks and for
 * libFuzzer's reports. */
static int quiet_fd = -1, loud_fd = -1;
static void quiet(bool on) {
  if (quiet_fd < 0) {
    quiet_fd = open("/dev/null", O_WRONLY);
    loud_fd = dup(STDERR_FILENO);
  }
  fflush(stderr);
  dup2(on ? quiet_fd : loud_fd, STDERR_FILENO);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_text(data, size, 4096);
  if (!text)
    return 0;
  cli_params cp = {0};
  conv_params_default(&cp.p);
  size_t np;
  const hc_param *t = hc_params(&np);
  char *save = NULL;
  for (char *arg = strtok_r(text, "\n", &save); arg;
       arg = strtok_r(NULL, "\n", &save)) {
    quiet(true);
    int rv = cli_param_arg("fuzz", arg, &cp);
    quiet(false);
    if (rv < 0)
      break;
    for (size_t i = 0; i < np; i++) {
      double v = hc_param_get(&cp.p, &t[i]);
      MUST(isfinite(v) && v >= t[i].min && v <= t[i].max,
           "fuzz_params: a parameter outside its range");
    }
  }
  /* every accepted knob applies one by one; the profile as a whole is
   * refused only for knobs that contradict one another */
  tcp_profile p, q;
  MUST(tcp_profile_preset(&q, "nt351") == 0, "fuzz_params: preset");
  for (int i = 0; i < cp.nknobs; i++)
    MUST(tcp_profile_set(&q, cp.knob[i], cp.v[i]) == 0,
         "fuzz_params: an accepted knob does not apply");
  quiet(true);
  int rv = cli_profile("fuzz", "nt351", &cp, &p);
  quiet(false);
  MUST(rv == 0 || tcp_profile_check(&q, NULL, 0) != 0,
       "fuzz_params: accepted knobs refused as a profile");
  if (rv == 0)
    MUST(hc_conv_events(&cp.p, &p, &p) >= 0, "fuzz_params: events");
  free(text);
  return 0;
}
