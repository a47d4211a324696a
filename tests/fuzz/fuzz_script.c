/*
 * fuzz_script.c - libFuzzer target for `halfclose script`: the input is a
 * script; one that parses is played against nt351 and linux. Parsing
 * either fails with "path:line: ..." or gives events whose lines lie in
 * the text; a played script passes, or fails at one of its lines, or is
 * refused with a message - and never crashes, hangs on the model's
 * timers, or leaks (the sanitizers watch).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_text(data, size, 8192);
  if (!text)
    return 0;
  int lines = 1;
  for (const char *c = text; *c; c++)
    lines += *c == '\n';
  pkt_script s;
  char err[600] = "";
  if (pkt_parse(&s, "f.pkt", text, err, sizeof err) != 0) {
    MUST(strncmp(err, "f.pkt:", 6) == 0, "a parse error without file:line");
    free(text);
    return 0;
  }
  for (int i = 0; i < s.nevents; i++)
    MUST(s.ev[i].line >= 1 && s.ev[i].line <= lines, "an event off the text");
  static const char *const profiles[] = {"nt351", "linux"};
  for (int k = 0; k < 2; k++) {
    tcp_profile p;
    tcp_profile_preset(&p, profiles[k]);
    pkt_result r;
    if (pkt_run(&s, &p, NULL, &r, err, sizeof err) == 0 && !r.passed)
      MUST(r.line == 0 || (r.line >= 1 && r.line <= lines),
           "a failure off the script's lines");
  }
  pkt_free(&s);
  free(text);
  return 0;
}
