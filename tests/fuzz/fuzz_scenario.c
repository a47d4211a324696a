/*
 * fuzz_scenario.c - libFuzzer target for the scenario loader: any text in,
 * either file:line errors or a scenario whose draws all hold. For an
 * accepted scenario, the first conversations are drawn and every numeric
 * key's value must lie in the key's valid range, every cell below the
 * cell count, and every profile must resolve (its knobs valid); a
 * violation aborts.
 */
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_text(data, size, SCN_MAX_FILE_BYTES);
  if (!text)
    return 0;
  static scenario s;
  if (scn_load_text(&s, "fuzz.ini", text, NULL, 0, NULL) == 0) {
    uint64_t total = scn_total(&s);
    MUST(s.cells >= 1 && total >= s.cells, "fuzz_scenario: counts");
    for (uint64_t i = 0; i < total && i < 8; i++) {
      conv_params p;
      double v[SCN_MAX_KEYS];
      scn_draw(&s, i, &p, v);
      MUST(scn_cell(&s, i) < s.cells, "fuzz_scenario: cell");
      for (int k = 0; k < s.nkeys; k++) {
        const scn_key *key = &s.keys[k];
        MUST(isfinite(v[k]), "fuzz_scenario: a draw is not finite");
        if (!key->words)
          MUST(v[k] >= key->min && v[k] <= key->max,
               "fuzz_scenario: a draw outside its key's range");
      }
      for (int j = 0; j < s.nprofiles; j++) {
        tcp_profile tp;
        if (strcmp(s.profiles[j], "ns3-native") != 0) {
          MUST(scn_profile(&s, s.profiles[j], v, &tp, NULL, 0) == 0,
               "fuzz_scenario: an accepted profile does not resolve");
          MUST(hc_conv_events(&p, &tp, &tp) >= 0, "fuzz_scenario: events");
        }
      }
    }
    scn_free(&s);
  }
  free(text);
  return 0;
}
