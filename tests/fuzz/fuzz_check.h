/*
 * fuzz_check.h - internal to tests/fuzz: what the fuzz targets share.
 */
#ifndef HALFCLOSE_FUZZ_CHECK_H
#define HALFCLOSE_FUZZ_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A check that holds in every build (NDEBUG included): a violation is a
 * finding, so abort. */
#define MUST(cond, what)                                                       \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s\n", what);                                           \
      abort();                                                                 \
    }                                                                          \
  } while (0)

/* The input as a NUL-terminated text of at most max bytes (malloc'ed), or
 * NULL when it is longer. */
static inline char *fuzz_text(const uint8_t *data, size_t size, size_t max) {
  if (size > max)
    return NULL;
  char *text = malloc(size + 1);
  if (text) {
    memcpy(text, data, size);
    text[size] = 0;
  }
  return text;
}

#endif
