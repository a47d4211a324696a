/*
 * export.h - a results store's rows for other tools: CSV with a header
 * line (RFC 4180 quoting; an empty field is NULL) or a JSON array of
 * objects (NULL as null), one row per conversation and profile, ordered by
 * conversation and profile, every column the store has.
 */
#ifndef HALFCLOSE_EXPORT_H
#define HALFCLOSE_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "store.h"

/* Write every row to f. 0, or -1 with a message (a damaged store is an
 * error, never a short export). */
int export_rows(hc_store *st, FILE *f, bool json, char *err, size_t cap);

/* v as a JSON string, quoted and escaped (the report's JSON uses it too). */
void export_json_string(FILE *f, const char *v);

#endif
