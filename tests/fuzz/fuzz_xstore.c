/*
 * fuzz_xstore.c - libFuzzer target for the crosscheck store reader: any
 * bytes in, as a database deserialized in memory (no file is written),
 * then every stored kernel run read back as crosscheck --against reads it
 * (xstore_against_run: the verdicts, the timing columns, the canonical
 * kernel sequences through segseq_parse). Each run either reaches the
 * callback with values in range or fails with a message; a crash, a
 * sanitizer finding or a leak is a finding, and so is a time that is not
 * finite or a kernel run with no segment that did not fail.
 */
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crosscheck.h"
#include "fuzz_check.h"

static int seen(void *ctx, uint64_t i, const xrec *r, seg_canon *segs,
                const char *err) {
  (void)ctx;
  (void)i;
  MUST(isfinite(r->t.late_ms) && r->t.late_ms >= 0,
       "fuzz_xstore: a timing value out of range reached the comparison");
  MUST(r->t.clock0_ns >= -1,
       "fuzz_xstore: a negative clock reached the simulation");
  MUST(err[0] || r->nsegs > 0,
       "fuzz_xstore: an empty kernel run that did not fail");
  uint64_t sum = 0;
  for (uint32_t k = 0; k < r->nsegs; k++)
    sum += segs[k].t_ns + segs[k].len;
  (void)sum;
  free(segs); /* the callback owns the sequence, as crosscheck's do */
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  sqlite3 *db = NULL;
  if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE, NULL) !=
      SQLITE_OK) {
    sqlite3_close(db);
    return 0;
  }
  unsigned char *copy = size ? sqlite3_malloc64(size) : NULL;
  if (size && copy) {
    memcpy(copy, data, size);
    if (sqlite3_deserialize(db, "main", copy, (sqlite3_int64)size,
                            (sqlite3_int64)size,
                            SQLITE_DESERIALIZE_FREEONCLOSE |
                                SQLITE_DESERIALIZE_READONLY) == SQLITE_OK) {
      char err[600];
      (void)xstore_against_run(db, 1000000, seen, NULL, err, sizeof err);
    }
  }
  sqlite3_close(db);
  return 0;
}
