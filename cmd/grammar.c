/*
 * grammar.c - see grammar.h.
 */
#include "grammar.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "conv_params.h"
#include "tcp.h"

typedef enum { K_NONE, K_FLAG, K_VALUE, K_BOOL } kind;

static kind lookup(const cli_grammar *g, const char *name) {
  for (const cli_option *o = g->opts; o && o->name; o++)
    if (strcmp(o->name, name) == 0)
      return o->value ? K_VALUE : K_FLAG;
  if (g->keys) {
    const hc_param *d = hc_param_find(name);
    if (d)
      return d->kind == HC_BOOL ? K_BOOL : K_VALUE;
  }
  if (g->knobs) {
    const tcp_knob_info *k = tcp_profile_knob(name);
    if (k)
      return k->kind == TCP_KNOB_BOOL ? K_BOOL : K_VALUE;
  }
  return K_NONE;
}

static bool bool_word(const char *s) {
  static const char *const w[] = {"true", "false", "yes", "no",
                                  "on",   "off",   "1",   "0"};
  for (size_t i = 0; i < sizeof w / sizeof *w; i++)
    if (strcasecmp(s, w[i]) == 0)
      return true;
  return false;
}

/* The edit distance of two names, a swap of neighbours counting one
 * (optimal string alignment: "dealy" is one from "delay"). */
static size_t distance(const char *a, const char *b) {
  size_t n = strlen(a), m = strlen(b);
  if (n > 63 || m > 63)
    return 99;
  size_t d[64][64];
  for (size_t i = 0; i <= n; i++)
    d[i][0] = i;
  for (size_t j = 0; j <= m; j++)
    d[0][j] = j;
  for (size_t i = 1; i <= n; i++)
    for (size_t j = 1; j <= m; j++) {
      size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
      if (d[i - 1][j] + 1 < best)
        best = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < best)
        best = d[i][j - 1] + 1;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
          d[i - 2][j - 2] + 1 < best)
        best = d[i - 2][j - 2] + 1;
      d[i][j] = best;
    }
  return d[n][m];
}

static void consider(const char *name, const char *cand, const char **best,
                     size_t *bd) {
  size_t d = distance(name, cand);
  if (d < *bd) {
    *bd = d;
    *best = cand;
  }
}

const char *cli_nearest(const cli_grammar *g, const char *name) {
  const char *best = NULL;
  size_t bd = (size_t)-1;
  for (const cli_option *o = g->opts; o && o->name; o++)
    consider(name, o->name, &best, &bd);
  if (g->keys) {
    size_t n;
    const hc_param *t = hc_params(&n);
    for (size_t i = 0; i < n; i++)
      consider(name, t[i].key, &best, &bd);
  }
  if (g->knobs) {
    size_t n;
    const tcp_knob_info *t = tcp_profile_knobs(&n);
    for (size_t i = 0; i < n; i++)
      consider(name, t[i].name, &best, &bd);
  }
  size_t limit = strlen(name) / 3;
  if (limit < 1)
    limit = 1;
  return best && bd <= limit ? best : NULL;
}

/* The rewritten arguments live here until exit, as argv does. */
static char arena[1 << 16];
static size_t used;

static char *joined(const char *name, const char *value) {
  size_t n = strlen(name) + (value ? strlen(value) + 1 : 0) + 3;
  if (n > sizeof arena - used)
    return NULL;
  char *s = arena + used;
  used += n;
  if (value)
    snprintf(s, n, "--%s=%s", name, value);
  else
    snprintf(s, n, "--%s", name);
  return s;
}

int cli_normalize(const char *sub, const cli_grammar *g, int *argc,
                  char **argv) {
  int out = 0;
  for (int i = 0; i < *argc; i++) {
    const char *a = argv[i];
    if (strncmp(a, "--", 2) != 0 || a[2] == '\0' || strcmp(a, "--help") == 0) {
      argv[out++] = argv[i];
      continue;
    }
    const char *eq = strchr(a, '=');
    size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
    char name[64];
    if (len == 0 || len >= sizeof name) {
      cli_error(sub, "unknown option \"%s\" (see halfclose help %s)", a, sub);
      return 2;
    }
    for (size_t j = 0; j < len; j++)
      name[j] = a[2 + j] == '-' ? '_' : a[2 + j]; /* kebab-case alias */
    name[len] = '\0';
    const char *value = eq ? eq + 1 : NULL;
    kind k = lookup(g, name);
    if (k == K_NONE) {
      const char *near = cli_nearest(g, name);
      int typed = (int)len + 2; /* as the user wrote it */
      if (near)
        cli_error(sub, "unknown option \"%.*s\" (did you mean --%s?)", typed, a,
                  near);
      else
        cli_error(sub, "unknown option \"%.*s\" (see halfclose help %s)", typed,
                  a, sub);
      return 2;
    }
    if (k == K_FLAG && value) {
      cli_error(sub, "--%s takes no value (got \"%s\")", name, value);
      return 2;
    }
    if (!value && k == K_VALUE) {
      if (i + 1 >= *argc) {
        cli_error(sub, "--%s needs a value: --%s=VALUE or --%s VALUE", name,
                  name, name);
        return 2;
      }
      value = argv[++i];
    } else if (!value && k == K_BOOL) {
      if (i + 1 < *argc && bool_word(argv[i + 1]))
        value = argv[++i];
      else
        value = "true"; /* a bare boolean */
    }
    char *s = joined(name, value);
    if (!s) {
      cli_error(sub, "the arguments are too long");
      return 2;
    }
    argv[out++] = s;
  }
  *argc = out;
  argv[out] = NULL;
  return 0;
}
