/*
 * fuzz_store.c - libFuzzer target for the store readers: any bytes in, as
 * a database deserialized in memory (so no file is written), then every
 * reader a user runs on a store - the scenario kept in it, the export in
 * CSV and JSON, one conversation's row, the whole report in each format.
 * Each either succeeds or fails with a message; a crash, a sanitizer
 * finding or a leak is a finding.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "report.h"
#include "export.h"
#include "store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static FILE *null;
  if (!null)
    null = fopen("/dev/null", "w");
  hc_store *st;
  char err[600];
  if (store_open_memory(&st, data, size, err, sizeof err) != 0)
    return 0;
  static scenario s;
  if (store_scenario(st, &s, err, sizeof err) == 0) {
    conv_outcome o;
    store_get(st, 0, s.profiles[0], &o, err, sizeof err);
    scn_free(&s);
  }
  export_rows(st, null, false, err, sizeof err);
  export_rows(st, null, true, err, sizeof err);
  report *r;
  if (report_analyze_store(&r, st, "(fuzz)", err, sizeof err) == 0) {
    report_write(r, REPORT_MD, NULL, NULL, null);
    report_write(r, REPORT_JSON, NULL, NULL, null);
    report_free(r);
  }
  store_close(st);
  return 0;
}
