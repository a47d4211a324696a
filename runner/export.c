/*
 * export.c - a store's rows as CSV (RFC 4180) or JSON: the formats, over
 * the store's table cursor. See export.h.
 */
#include "export.h"

#include <string.h>

static void csv_field(FILE *f, const char *v) {
  if (!strpbrk(v, ",\"\n")) {
    fputs(v, f);
    return;
  }
  fputc('"', f);
  for (; *v; v++) {
    if (*v == '"')
      fputc('"', f);
    fputc(*v, f);
  }
  fputc('"', f);
}

void export_json_string(FILE *f, const char *v) {
  fputc('"', f);
  for (; *v; v++) {
    if (*v == '"' || *v == '\\')
      fprintf(f, "\\%c", *v);
    else if ((unsigned char)*v < 0x20)
      fprintf(f, "\\u%04x", *v);
    else
      fputc(*v, f);
  }
  fputc('"', f);
}

int export_rows(hc_store *st, FILE *f, bool json, char *err, size_t cap) {
  store_table *t;
  if (store_table_open(st, &t, err, cap) != 0)
    return -1;
  int nc = store_table_columns(t);
  if (json) {
    fputs("[", f);
  } else {
    for (int c = 0; c < nc; c++) {
      if (c)
        fputc(',', f);
      fputs(store_table_column(t, c), f);
    }
    fputc('\n', f);
  }
  bool first = true;
  int rv;
  while ((rv = store_table_next(t, err, cap)) == 1) {
    if (json) {
      fputs(first ? "\n  {" : ",\n  {", f);
      first = false;
    }
    for (int c = 0; c < nc; c++) {
      const char *v;
      store_cell kind = store_table_cell(t, c, &v);
      if (json) {
        fprintf(f, "%s", c ? ", " : "");
        export_json_string(f, store_table_column(t, c));
        fputs(": ", f);
        if (kind == STORE_CELL_NULL)
          fputs("null", f);
        else if (kind == STORE_CELL_TEXT)
          export_json_string(f, v);
        else
          fputs(v, f);
      } else {
        if (c)
          fputc(',', f);
        if (kind != STORE_CELL_NULL)
          csv_field(f, v);
      }
    }
    fputs(json ? "}" : "\n", f);
  }
  if (json)
    fputs(first ? "]\n" : "\n]\n", f);
  store_table_close(t);
  return rv == 0 ? 0 : -1;
}
