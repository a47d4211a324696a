/*
 * profiles.c - `halfclose profiles`: every built-in profile's knob values
 * and where each comes from, or one profile's (a built-in one, or one a
 * scenario defines, as FILE:NAME).
 *
 * The values and sources are the model's own table (tcp_profile_source),
 * so what this prints is what the simulations run. `--markdown` prints the
 * README's profile section, which a test compares with the README.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "scenario.h"

static const char *const SUB = "profiles";

static void usage(FILE *f) {
  fprintf(f, "usage: halfclose profiles [NAME | FILE:NAME] [--markdown]\n\n"
             "Without NAME: every knob of every built-in profile, then each "
             "value's source\n(an RFC section, a 4.4BSD-Lite2 or Linux "
             "function, Microsoft's documentation,\nor \"assumed\" with the "
             "reason). With NAME: that profile's knobs and sources;\nFILE:NAME "
             "is the [profile NAME] section of scenario FILE (its base, then "
             "its\nown knobs). --markdown: the same as Markdown tables (the "
             "README's).\n");
}

/* Wrap `text` at `width` columns, every line after the first indented. */
static void wrapped(FILE *f, const char *text, int indent, int width) {
  int col = indent;
  const char *p = text;
  while (*p) {
    size_t w = strcspn(p, " ");
    if (col > indent && col + 1 + (int)w > width) {
      fprintf(f, "\n%*s", indent, "");
      col = indent;
    } else if (col > indent) {
      fputc(' ', f);
      col++;
    }
    fwrite(p, 1, w, f);
    col += (int)w;
    p += w;
    while (*p == ' ')
      p++;
  }
  fputc('\n', f);
}

/* Markdown cells may not hold a '|'. */
static void md_cell(FILE *f, const char *text) {
  for (const char *c = text; *c; c++)
    fputs(*c == '|' ? "\\|" : (char[2]){*c, 0}, f);
}

/* One knob: its value and where the value comes from. */
static void knob_row(FILE *f, bool md, const char *knob, const char *value,
                     const char *source) {
  if (md) {
    fprintf(f, "| `%s` | %s | ", knob, value);
    md_cell(f, source);
    fprintf(f, " |\n");
  } else {
    fprintf(f, "  %-22s %-9s ", knob, value);
    wrapped(f, source, 35, 79);
  }
}

/* The knobs of preset `name`, each with value and source; with `differ`,
 * only those whose value differs from that preset. */
static void one_preset(FILE *f, const char *name, const char *differ, bool md) {
  size_t n;
  const tcp_knob_info *k = tcp_profile_knobs(&n);
  if (md)
    fprintf(f, "| knob | value | source |\n|---|---|---|\n");
  for (size_t i = 0; i < n; i++) {
    uint64_t v, dv;
    const char *src;
    char text[48];
    tcp_profile_source(name, k[i].name, &v, &src);
    if (differ) {
      tcp_profile_source(differ, k[i].name, &dv, NULL);
      if (v == dv)
        continue;
    }
    knob_row(f, md, k[i].name, hc_format_knob(&k[i], v, text, sizeof text),
             src);
  }
}

static void all_presets(FILE *f, bool md) {
  size_t n;
  const tcp_knob_info *k = tcp_profile_knobs(&n);
  const char *const *names = tcp_profile_presets();
  if (md) {
    fprintf(f, "| knob | unit |");
    for (const char *const *p = names; *p; p++)
      fprintf(f, " `%s` |", *p);
    fprintf(f, " meaning |\n|---|---|");
    for (const char *const *p = names; *p; p++)
      fprintf(f, "---|");
    fprintf(f, "---|\n");
  } else {
    fprintf(f, "%-22s", "knob");
    for (const char *const *p = names; *p; p++)
      fprintf(f, " %-9s", *p);
    fprintf(f, "\n");
  }
  static const char *const units[] = {"bool", "time", "size", "count", "word"};
  for (size_t i = 0; i < n; i++) {
    if (md)
      fprintf(f, "| `%s` | %s |", k[i].name, units[k[i].kind]);
    else
      fprintf(f, "%-22s", k[i].name);
    uint64_t nt = 0;
    for (const char *const *p = names; *p; p++) {
      uint64_t x;
      char v[48];
      tcp_profile_source(*p, k[i].name, &x, NULL);
      hc_format_knob(&k[i], x, v, sizeof v);
      if (p == names)
        nt = x;
      /* the fix's one difference stands out */
      bool bold = md && strcmp(*p, "nt351-sp") == 0 && x != nt;
      if (md)
        fprintf(f, bold ? " **%s** |" : " %s |", v);
      else
        fprintf(f, " %-9s", v);
    }
    if (md) {
      fputc(' ', f);
      md_cell(f, k[i].help);
      fprintf(f, " |\n");
    } else {
      fprintf(f, "\n");
    }
  }
  for (const char *const *p = names; *p; p++) {
    bool sp = strcmp(*p, "nt351-sp") == 0;
    if (md)
      fprintf(f, "\n**`%s`**%s:\n\n", *p,
              sp ? " (only where it differs from `nt351`)" : "");
    else
      fprintf(f, "\nSources, %s%s:\n", *p,
              sp ? " (where it differs from nt351)" : "");
    one_preset(f, *p, sp ? "nt351" : NULL, md);
  }
}

/* FILE:NAME: the base's values with the profile's own knobs over them. */
static int user_profile(FILE *f, const char *spec, bool md) {
  scenario *s = malloc(sizeof *s);
  if (!s)
    return cli_error(SUB, "out of memory");
  const scn_user_profile *u;
  if (cli_scenario_profile(SUB, NULL, spec, s, &u) != 0) {
    free(s);
    return 2;
  }
  int rv = 0;
  tcp_profile p;
  char why[400];
  if (scn_user_resolve(s, u, &p, why, sizeof why) != 0) {
    cli_error(SUB, "%s", why);
    rv = 2;
  } else {
    char base[48]; /* the preset the sources are of, without +rfc1337 */
    snprintf(base, sizeof base, "%s", u->base);
    char *plus = strchr(base, '+');
    if (plus)
      *plus = 0;
    size_t n;
    const tcp_knob_info *k = tcp_profile_knobs(&n);
    fprintf(f,
            md ? "Profile `%s` (%s:%d): base `%s`.\n\n"
               : "profile %s (%s:%d), base %s\n",
            u->name, s->path, u->line, u->base);
    if (md)
      fprintf(f, "| knob | value | source |\n|---|---|---|\n");
    for (size_t i = 0; i < n; i++) {
      char v[64], where[600];
      hc_profile_get_text(&p, k[i].name, v, sizeof v);
      const char *src = NULL;
      for (int j = 0; j < u->nover; j++)
        if (strcmp(u->knob[j], k[i].name) == 0) {
          snprintf(where, sizeof where, "set in %s:%d", s->path,
                   u->knob_line[j]);
          src = where;
        }
      if (!src) {
        const char *bsrc;
        tcp_profile_source(base, k[i].name, NULL, &bsrc);
        snprintf(where, sizeof where, "%s: %s", base, bsrc);
        src = where;
      }
      knob_row(f, md, k[i].name, v, src);
    }
  }
  scn_free(s);
  free(s);
  return rv;
}

int cmd_profiles(int argc, char **argv) {
  const char *name = NULL;
  bool md = false;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      return 0;
    } else if (strcmp(a, "--markdown") == 0) {
      md = true;
    } else if (cli_positional(SUB, a, &name, "profile")) {
      return 2;
    }
  }
  if (!name) {
    all_presets(stdout, md);
    return 0;
  }
  if (strchr(name, ':'))
    return user_profile(stdout, name, md);
  uint64_t v;
  if (tcp_profile_source(name, "delack", &v, NULL) != 0) {
    char list[200] = "";
    for (const char *const *n = tcp_profile_presets(); *n; n++) {
      strcat(list, *n);
      strcat(list, n[1] ? ", " : "");
    }
    return cli_error(SUB, "unknown profile \"%s\": expected %s, or FILE:NAME",
                     name, list);
  }
  if (!md)
    printf("profile %s\n", name);
  one_preset(stdout, name, NULL, md);
  return 0;
}
