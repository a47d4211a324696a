/*
 * scenario.c - see scenario.h.
 *
 * libinih does the INI syntax; it is fed through ini_parse_stream with a
 * reader over the file's text that counts lines, so every message can name
 * its line, and that sees section headers first, so an unknown section is
 * reported even when it is empty.
 *
 * Everything is checked before anything is run or written: sections, keys
 * and the section each key belongs to, units and their kinds, distribution
 * syntax and arity, empty ranges, values outside a key's valid range,
 * profiles. All problems are reported, not just the first.
 */
#include "scenario.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Append one message as a line of err[0..cap) (err may be NULL): the
 * loader reports every problem it finds, not only the first. */
static void note(char *err, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void note(char *err, size_t cap, const char *fmt, ...) {
  if (!err || !cap)
    return;
  size_t n = strnlen(err, cap);
  if (n + 2 >= cap)
    return;
  if (n)
    err[n++] = '\n';
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err + n, cap - n, fmt, ap);
  va_end(ap);
}

typedef struct parse {
  scenario *s;
  char *err; /* messages, one per line (or NULL) */
  size_t cap;
  FILE *warn;
  int errors;
  int line;           /* line the reader last returned */
  const char *cursor; /* reader position in the text */
  bool seen_batch[4]; /* conversations, seed, profiles, server_profile */
  int batch_line[4];  /* where each was set */
  bool defer;         /* profile names may refer to later [profile] sections */
  struct {
    char name[48]; /* a profile name not known when it was read */
    char key[16];  /* profiles or server_profile */
    char value[200];
    int line;
  } pending[SCN_MAX_PROFILES + 1];
  int npending;
  bool from_cli; /* checking a command-line option, not the file */
} parse;

static void problem(parse *ps, const char *section, const char *key,
                    const char *value, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void check_variant_bases(parse *ps);

static void problem(parse *ps, const char *section, const char *key,
                    const char *value, const char *fmt, ...) {
  ps->errors++;
  if (!ps->err)
    return;
  char what[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  if (ps->from_cli) /* --profiles=..., not a line of the file */
    note(ps->err, ps->cap, "--%s=%s: %s", key ? key : "?", value ? value : "",
         what);
  else if (key)
    note(ps->err, ps->cap, "%s:%d: [%s] %s = %s: %s", ps->s->path, ps->line,
         section, key, value, what);
  else
    note(ps->err, ps->cap, "%s:%d: %s", ps->s->path, ps->line, what);
}

static const char *const sections[] = {"batch",  "link",   "path",
                                       "client", "server", "tcp"};

/* "WORD NAME": NAME, else NULL. */
static const char *named_section(const char *name, const char *word) {
  size_t n = strlen(word);
  if (strncmp(name, word, n) != 0 || !isspace((unsigned char)name[n]))
    return NULL;
  name += n;
  while (isspace((unsigned char)*name))
    name++;
  return name;
}

/* "profile NAME" or "variant NAME": NAME, else NULL. */
static const char *profile_section(const char *name) {
  const char *p = named_section(name, "profile");
  return p ? p : named_section(name, "variant");
}

static bool known_section(const char *name) {
  for (size_t i = 0; i < sizeof sections / sizeof *sections; i++)
    if (strcmp(name, sections[i]) == 0)
      return true;
  return profile_section(name) != NULL;
}

const scn_user_profile *scn_user_find(const scenario *s, const char *name) {
  for (int i = 0; i < s->nuser; i++)
    if (strcmp(s->user[i].name, name) == 0)
      return &s->user[i];
  return NULL;
}

/* A [profile NAME] or [variant NAME] header: check the name and open its
 * definition. */
static void user_profile_open(parse *ps, const char *name, bool variant) {
  scenario *s = ps->s;
  const char *what = variant ? "variant" : "profile";
  tcp_profile p;
  bool ok = *name && strlen(name) < sizeof s->user[0].name;
  for (const char *c = name; ok && *c; c++)
    ok = isalnum((unsigned char)*c) || *c == '-' || *c == '_' || *c == '.';
  if (!ok) {
    problem(ps, NULL, NULL, NULL,
            "[%s %s]: a %s name is 1 to %zu letters, digits, '-', '_' or "
            "'.'",
            what, name, what, sizeof s->user[0].name - 1);
    return;
  }
  if (tcp_profile_preset(&p, name) == 0 || strcmp(name, SCN_NS3_PROFILE) == 0) {
    problem(ps, NULL, NULL, NULL,
            "[%s %s]: that is a built-in profile; give yours another name",
            what, name);
    return;
  }
  if (scn_user_find(s, name)) {
    problem(ps, NULL, NULL, NULL,
            "[%s %s] is defined twice (profiles and variants share names)",
            what, name);
    return;
  }
  if (s->nuser == SCN_MAX_USER) {
    problem(ps, NULL, NULL, NULL,
            "[%s %s]: at most %d profiles and variants in all", what, name,
            SCN_MAX_USER);
    return;
  }
  scn_user_profile *u = &s->user[s->nuser++];
  memset(u, 0, sizeof *u);
  snprintf(u->name, sizeof u->name, "%s", name);
  u->variant = variant;
  u->line = ps->line;
}

/* KEY = VALUE inside [variant NAME] where KEY is a conversation key: one
 * value in the key's units and range. */
static void variant_param(parse *ps, scn_user_profile *u, const char *section,
                          const hc_param *d, const char *key,
                          const char *value) {
  for (int i = 0; i < u->nparam; i++)
    if (u->param[i] == d) {
      problem(ps, section, key, value, "set twice in this variant");
      return;
    }
  double v;
  char why[200];
  if (hc_param_parse(d, value, &v, why, sizeof why) != 0) {
    problem(ps, section, key, value,
            "%s (one value: a variant's key takes no distribution)", why);
    return;
  }
  if (u->nparam == SCN_MAX_OVERRIDE || strlen(value) >= sizeof u->pvalue[0]) {
    problem(ps, section, key, value, "too many keys or too long a value");
    return;
  }
  u->param[u->nparam] = d;
  snprintf(u->pvalue[u->nparam], sizeof u->pvalue[0], "%s", value);
  u->pv[u->nparam] = v;
  u->param_line[u->nparam++] = ps->line;
}

/* KEY = VALUE inside [profile NAME]: base, or a knob with one value. */
static void user_profile_key(parse *ps, const char *section, const char *pname,
                             const char *key, const char *value) {
  scn_user_profile *u = (scn_user_profile *)scn_user_find(ps->s, pname);
  if (!u)
    return; /* its header was reported */
  tcp_profile p;
  if (strcmp(key, "base") == 0) {
    if (u->base[0]) {
      problem(ps, section, key, value, "base is set twice");
    } else if (!u->variant && tcp_profile_preset(&p, value) != 0) {
      problem(ps, section, key, value,
              "expected a built-in profile: nt351, nt351-sp, bsd44 or linux "
              "(each may take +rfc1337)");
    } else if (strlen(value) >= sizeof u->base) {
      problem(ps, section, key, value, "too long a name");
    } else {
      /* a variant's base may be a section further down: checked at the end */
      snprintf(u->base, sizeof u->base, "%s", value);
    }
    return;
  }
  const tcp_knob_info *kn = tcp_profile_knob(key);
  const hc_param *d = u->variant ? hc_param_find(key) : NULL;
  if (d) {
    variant_param(ps, u, section, d, key, value);
    return;
  }
  if (!kn) {
    problem(ps, section, key, value,
            u->variant ? "unknown key; a [variant] section takes base, profile "
                         "knobs and conversation keys"
                       : "unknown knob; a [profile] section takes base and "
                         "profile knobs (halfclose profiles lists them)");
    return;
  }
  for (int i = 0; i < u->nover; i++)
    if (strcmp(u->knob[i], key) == 0) {
      problem(ps, section, key, value, "set twice in this profile");
      return;
    }
  uint64_t v;
  char range[160], why[200];
  if (hc_parse_knob(kn, value, &v, why, sizeof why) != 0) {
    hc_knob_range(kn, range, sizeof range);
    problem(ps, section, key, value,
            "expected %s (one value: a profile "
            "knob takes no distribution)",
            range);
    return;
  }
  if (u->nover == SCN_MAX_OVERRIDE || strlen(value) >= sizeof u->value[0]) {
    problem(ps, section, key, value, "too many knobs or too long a value");
    return;
  }
  snprintf(u->knob[u->nover], sizeof u->knob[0], "%s", key);
  snprintf(u->value[u->nover], sizeof u->value[0], "%s", value);
  u->v[u->nover] = v;
  u->knob_line[u->nover] = ps->line;
  u->nover++;
}

/* ini_reader over the text: one line at a time, counting lines. */
static char *reader(char *buf, int size, void *stream) {
  parse *ps = stream;
  const char *c = ps->cursor;
  if (!*c)
    return NULL;
  size_t n = strcspn(c, "\n");
  ps->cursor = c + n + (c[n] == '\n');
  ps->line++;
  if (n + 1 > (size_t)size) { /* libinih's line buffer is fixed */
    problem(ps, NULL, NULL, NULL, "line longer than %d characters", size - 2);
    buf[0] = 0;
    return buf;
  }
  memcpy(buf, c, n);
  buf[n] = 0;
  /* a carriage return that does not end the line: CR-only line endings
   * would make the whole file one line (one comment), every key ignored */
  const char *cr = memchr(buf, '\r', n);
  if (cr && (size_t)(cr - buf) + 1 < n) {
    problem(ps, NULL, NULL, NULL,
            "a carriage return inside the line (CR-only line endings?): "
            "expected lines ending in LF or CR LF");
    buf[0] = 0;
    return buf;
  }
  /* section headers, seen here so that empty ones are checked too */
  const char *p = buf;
  while (isspace((unsigned char)*p))
    p++;
  /* KEY: VALUE is INI elsewhere (libinih takes it); here a key is set
   * with '=' only, so a colon before any '=' is refused */
  if (*p && *p != '[' && *p != ';' && *p != '#') {
    size_t colon = strcspn(p, ":="), eq = strcspn(p, "=");
    if (p[colon] == ':' && colon < eq) {
      problem(ps, NULL, NULL, NULL,
              "\"%.60s\": expected KEY = VALUE (a key is set with '=', "
              "not ':')",
              p);
      buf[0] = 0;
      return buf;
    }
  }
  if (*p == '[') {
    char name[64];
    size_t k = 0;
    p++;
    while (*p && *p != ']' && k + 1 < sizeof name)
      name[k++] = *p++;
    name[k] = 0;
    if (*p != ']') {
      problem(ps, NULL, NULL, NULL,
              "a section header without its closing ']': expected [%s]", name);
      return buf;
    }
    const char *after = p + 1;
    while (isspace((unsigned char)*after))
      after++;
    if (*after && *after != ';' && *after != '#')
      problem(ps, NULL, NULL, NULL,
              "text after the section header [%s]: \"%s\"", name, after);
    const char *user = profile_section(name);
    if (user)
      user_profile_open(ps, user, named_section(name, "variant") != NULL);
    else if (!known_section(name))
      problem(
          ps, NULL, NULL, NULL,
          "unknown section [%s]; expected [batch], [link], [path], [client], "
          "[server], [tcp], [profile NAME] or [variant NAME]",
          name);
  }
  return buf;
}

static char *trim(char *s) {
  while (isspace((unsigned char)*s))
    s++;
  size_t n = strlen(s);
  while (n && isspace((unsigned char)s[n - 1]))
    s[--n] = 0;
  return s;
}

static hc_kind knob_kind(tcp_knob_kind k) {
  switch (k) {
  case TCP_KNOB_BOOL:
    return HC_BOOL;
  case TCP_KNOB_TIME:
    return HC_TIME;
  case TCP_KNOB_BYTES:
    return HC_BYTES;
  default:
    return HC_COUNT;
  }
}

/* One value of key k: a number with its unit (or a mode word). */
static int parse_one(parse *ps, const scn_key *k, const char *section,
                     const char *value, const char *text, double *v) {
  char why[200];
  if (k->words) {
    char list[128] = "";
    for (int i = 0; k->words[i]; i++) {
      if (strcmp(text, k->words[i]) == 0) {
        *v = i;
        return 0;
      }
      size_t n = strlen(list);
      snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "", k->words[i]);
    }
    problem(ps, section, k->name, value, "\"%s\": expected one of %s", text,
            list);
    return -1;
  }
  if (hc_parse_value(k->kind, text, v, why, sizeof why) != 0) {
    problem(ps, section, k->name, value, "\"%s\": %s", text, why);
    return -1;
  }
  return 0;
}

static int in_range(parse *ps, const scn_key *k, const char *section,
                    const char *value, double v) {
  if (k->words || (v >= k->min && v <= k->max))
    return 0;
  char lo[32], hi[32], got[32];
  problem(ps, section, k->name, value, "%s is out of range: expected %s to %s",
          hc_format_value(k->kind, v, got, sizeof got),
          hc_format_value(k->kind, k->min, lo, sizeof lo),
          hc_format_value(k->kind, k->max, hi, sizeof hi));
  return -1;
}

/* Split "a, b, c" (the inside of the parentheses) at commas. */
static int split_args(char *inside, char **args, int max) {
  int n = 0;
  char *p = inside;
  for (;;) {
    char *comma = strchr(p, ',');
    if (comma)
      *comma = 0;
    if (n == max)
      return -1;
    args[n++] = trim(p);
    if (!comma)
      break;
    p = comma + 1;
  }
  return n;
}

static int parse_dist(parse *ps, scn_key *k, const char *section,
                      const char *value) {
  char buf[512];
  snprintf(buf, sizeof buf, "%s", value);
  char *text = trim(buf);
  char *open = strchr(text, '(');
  if (!open) {
    k->dist = SCN_CONST;
    if (parse_one(ps, k, section, value, text, &k->a))
      return -1;
    return in_range(ps, k, section, value, k->a);
  }
  size_t len = strlen(text);
  if (text[len - 1] != ')') {
    problem(ps, section, k->name, value,
            "malformed distribution: expected NAME(ARGS) with a closing "
            "parenthesis");
    return -1;
  }
  text[len - 1] = 0;
  *open = 0;
  char *fn = trim(text);
  char *args[SCN_MAX_VALUES + 1];
  int n = split_args(open + 1, args, SCN_MAX_VALUES + 1);
  if (n < 0) {
    problem(ps, section, k->name, value, "more than %d values", SCN_MAX_VALUES);
    return -1;
  }
  if (n == 1 && !*args[0])
    n = 0;
  struct {
    const char *name;
    scn_dist dist;
    int arity; /* -1: one or more */
    bool numeric;
  } fns[] = {{"uniform", SCN_UNIFORM, 2, true},
             {"loguniform", SCN_LOGUNIFORM, 2, true},
             {"normal", SCN_NORMAL, 2, true},
             {"exponential", SCN_EXPONENTIAL, 1, true},
             {"choice", SCN_CHOICE, -1, false},
             {"grid", SCN_GRID, -1, false},
             {"sweep", SCN_GRID, 3, true}};
  int f = -1;
  for (int i = 0; i < (int)(sizeof fns / sizeof *fns); i++)
    if (strcmp(fn, fns[i].name) == 0)
      f = i;
  if (f < 0) {
    problem(ps, section, k->name, value,
            "unknown distribution \"%s\"; expected uniform, loguniform, "
            "normal, exponential, choice, sweep or grid",
            fn);
    return -1;
  }
  if ((fns[f].arity > 0 && n != fns[f].arity) || n == 0) {
    problem(ps, section, k->name, value, "%s takes %s, got %d", fn,
            fns[f].arity == 1   ? "1 argument"
            : fns[f].arity == 2 ? "2 arguments"
            : fns[f].arity == 3 ? "3 arguments (from, to, count)"
                                : "one or more values",
            n);
    return -1;
  }
  if (fns[f].numeric && (k->kind == HC_BOOL || k->words)) {
    problem(ps, section, k->name, value,
            "%s needs a numeric key; use choice(...) or grid(...)", fn);
    return -1;
  }
  k->dist = fns[f].dist;
  if (strcmp(fn, "sweep") == 0) {
    double a, b, cnt;
    char why[200];
    if (parse_one(ps, k, section, value, args[0], &a) ||
        parse_one(ps, k, section, value, args[1], &b))
      return -1;
    if (hc_parse_value(HC_COUNT, args[2], &cnt, why, sizeof why) != 0 ||
        cnt < 2 || cnt > SCN_MAX_VALUES) {
      problem(ps, section, k->name, value,
              "sweep's count \"%s\": expected a whole number from 2 to %d",
              args[2], SCN_MAX_VALUES);
      return -1;
    }
    if (!(a < b)) {
      problem(ps, section, k->name, value,
              "empty range: sweep needs from < to");
      return -1;
    }
    if (in_range(ps, k, section, value, a) ||
        in_range(ps, k, section, value, b))
      return -1;
    k->nvals = (int)cnt;
    for (int i = 0; i < k->nvals; i++)
      k->vals[i] = a + (b - a) * i / (k->nvals - 1);
    return 0;
  }
  if (k->dist == SCN_CHOICE || k->dist == SCN_GRID) {
    k->nvals = n;
    for (int i = 0; i < n; i++)
      if (parse_one(ps, k, section, value, args[i], &k->vals[i]) ||
          in_range(ps, k, section, value, k->vals[i]))
        return -1;
    return 0;
  }
  if (parse_one(ps, k, section, value, args[0], &k->a))
    return -1;
  if (n == 2) {
    if (k->dist == SCN_NORMAL) {
      char why[200];
      if (hc_parse_value(k->kind, args[1], &k->b, why, sizeof why) != 0) {
        problem(ps, section, k->name, value, "\"%s\": %s", args[1], why);
        return -1;
      }
    } else if (parse_one(ps, k, section, value, args[1], &k->b)) {
      return -1;
    }
  }
  switch (k->dist) {
  case SCN_UNIFORM:
  case SCN_LOGUNIFORM:
    if (!(k->a < k->b)) {
      problem(ps, section, k->name, value,
              "empty range: %s needs its first bound below its second", fn);
      return -1;
    }
    if (k->dist == SCN_LOGUNIFORM && k->a <= 0) {
      problem(ps, section, k->name, value,
              "loguniform needs bounds above zero");
      return -1;
    }
    return in_range(ps, k, section, value, k->a) ||
                   in_range(ps, k, section, value, k->b)
               ? -1
               : 0;
  case SCN_NORMAL: {
    if (!(k->b > 0)) {
      problem(ps, section, k->name, value, "normal needs sigma > 0");
      return -1;
    }
    if (in_range(ps, k, section, value, k->a))
      return -1;
    /* draws outside the key's range are clamped to it: allowed for a
     * tail, not as the rule */
    double out = 0.5 * erfc((k->a - k->min) / (k->b * 1.4142135623730951)) +
                 0.5 * erfc((k->max - k->a) / (k->b * 1.4142135623730951));
    if (out > 0.05) {
      char lo[32], hi[32];
      problem(ps, section, k->name, value,
              "%.0f %% of its draws fall outside %s to %s and would be "
              "clamped; narrow sigma",
              out * 100, hc_format_value(k->kind, k->min, lo, sizeof lo),
              hc_format_value(k->kind, k->max, hi, sizeof hi));
      return -1;
    }
    return 0;
  }
  case SCN_EXPONENTIAL:
    if (!(k->a > 0)) {
      problem(ps, section, k->name, value, "exponential needs a mean > 0");
      return -1;
    }
    return in_range(ps, k, section, value, k->a);
  default:
    return 0;
  }
}

static int check_profile(parse *ps, const char *section, const char *key,
                         const char *value, const char *name) {
  tcp_profile p;
  if (tcp_profile_preset(&p, name) == 0 || strcmp(name, SCN_NS3_PROFILE) == 0 ||
      scn_user_find(ps->s, name))
    return 0;
  if (ps->defer &&
      ps->npending < (int)(sizeof ps->pending / sizeof ps->pending[0])) {
    /* a [profile NAME] section further down may define it */
    int i = ps->npending++;
    snprintf(ps->pending[i].name, sizeof ps->pending[i].name, "%s", name);
    snprintf(ps->pending[i].key, sizeof ps->pending[i].key, "%s", key);
    snprintf(ps->pending[i].value, sizeof ps->pending[i].value, "%s", value);
    ps->pending[i].line = ps->line;
    return 0;
  }
  problem(ps, section, key, value,
          "unknown profile \"%s\"; expected nt351, nt351-sp, bsd44 or linux "
          "(each may take +rfc1337), ns3-native, or a [profile NAME] of the "
          "scenario",
          name);
  return -1;
}

static void batch_key(parse *ps, const char *name, const char *value) {
  scenario *s = ps->s;
  double v;
  char why[200];
  static const char *const keys[] = {"conversations", "seed", "profiles",
                                     "server_profile"};
  for (int i = 0; i < 4; i++)
    if (strcmp(name, keys[i]) == 0) {
      if (ps->seen_batch[i]) {
        problem(ps, "batch", name, value, "set twice (first on line %d)",
                ps->batch_line[i]);
        return;
      }
      ps->seen_batch[i] = true;
      ps->batch_line[i] = ps->line;
    }
  if (strcmp(name, "conversations") == 0 || strcmp(name, "seed") == 0) {
    bool conv = name[0] == 'c';
    if (hc_parse_value(HC_COUNT, value, &v, why, sizeof why) != 0 ||
        v < (conv ? 1 : 0) || v > 1e12) {
      problem(ps, "batch", name, value, "expected a whole number%s",
              conv ? " from 1" : "");
      return;
    }
    if (conv)
      s->conversations = (uint64_t)v;
    else
      s->seed = (uint64_t)v;
    return;
  }
  if (strcmp(name, "profiles") == 0) {
    char buf[512];
    snprintf(buf, sizeof buf, "%s", value);
    char *args[SCN_MAX_PROFILES + 1];
    int n = split_args(buf, args, SCN_MAX_PROFILES + 1);
    if (n < 0 || n > SCN_MAX_PROFILES || (n == 1 && !*args[0])) {
      problem(ps, "batch", name, value, "expected 1 to %d profiles",
              SCN_MAX_PROFILES);
      return;
    }
    s->nprofiles = 0;
    for (int i = 0; i < n; i++) {
      if (check_profile(ps, "batch", name, value, args[i]))
        continue;
      for (int j = 0; j < s->nprofiles; j++)
        if (strcmp(s->profiles[j], args[i]) == 0) {
          problem(ps, "batch", name, value, "profile %s listed twice", args[i]);
          return;
        }
      snprintf(s->profiles[s->nprofiles++], sizeof s->profiles[0], "%s",
               args[i]);
    }
    return;
  }
  if (strcmp(name, "server_profile") == 0) {
    /* ns-3's own TCP runs both ends or neither (it cannot face the
     * model): it is named in profiles, never as the server alone */
    if (strcmp(value, SCN_NS3_PROFILE) == 0) {
      problem(ps, "batch", name, value,
              "%s runs both ends: list it in profiles; server_profile "
              "takes a model profile",
              SCN_NS3_PROFILE);
      return;
    }
    if (check_profile(ps, "batch", name, value, value) == 0)
      snprintf(s->server_profile, sizeof s->server_profile, "%s", value);
    return;
  }
  problem(ps, "batch", name, value,
          "unknown key; [batch] takes conversations, seed, profiles, "
          "server_profile, time_limit");
}

static int handler(void *user, const char *section, const char *name,
                   const char *value) {
  parse *ps = user;
  scenario *s = ps->s;
  if (!section[0]) {
    problem(ps, NULL, NULL, NULL,
            "%s = %s: a key before any section; every key belongs in a "
            "[section]",
            name, value);
    return 1;
  }
  if (!known_section(section))
    return 1; /* reported by the reader */
  const char *pname = profile_section(section);
  if (pname) {
    user_profile_key(ps, section, pname, name, value);
    return 1;
  }
  const hc_param *d = hc_param_find(name);
  const tcp_knob_info *kn = tcp_profile_knob(name);
  if (strcmp(section, "batch") == 0 && !d) {
    batch_key(ps, name, value);
    return 1;
  }
  if (!d && !kn) {
    problem(ps, section, name, value,
            "unknown key (see halfclose replay "
            "--help for every key)");
    return 1;
  }
  const char *want = d ? d->section : "tcp";
  if (strcmp(section, want) != 0) {
    problem(ps, section, name, value, "this key belongs in [%s]", want);
    return 1;
  }
  for (int i = 0; i < s->nkeys; i++)
    if (strcmp(s->keys[i].name, name) == 0) {
      problem(ps, section, name, value, "set twice (first on line %d)",
              s->keys[i].line);
      return 1;
    }
  if (s->nkeys == SCN_MAX_KEYS) {
    problem(ps, section, name, value, "too many keys");
    return 1;
  }
  scn_key *k = &s->keys[s->nkeys];
  memset(k, 0, sizeof *k);
  snprintf(k->name, sizeof k->name, "%s", name);
  k->line = ps->line;
  k->param = d;
  if (d) {
    k->kind = d->kind;
    k->words = d->words;
    k->min = d->min;
    k->max = d->max;
  } else {
    k->kind = knob_kind(kn->kind);
    k->words = kn->kind == TCP_KNOB_WORD ? kn->words : NULL;
    k->min = (double)kn->min;
    k->max = (double)kn->max;
  }
  if (parse_dist(ps, k, section, value) != 0)
    return 1;
  /* RFC 1122 §4.2.3.2: the delay MUST be less than 0.5 seconds */
  if (strcmp(name, "delack") == 0 && ps->warn) {
    double top = k->a;
    if (k->dist == SCN_UNIFORM || k->dist == SCN_LOGUNIFORM)
      top = k->b;
    for (int i = 0; i < k->nvals; i++)
      top = k->vals[i] > top ? k->vals[i] : top;
    if (top > 500e6)
      fprintf(ps->warn,
              "%s:%d: warning: [tcp] delack = %s: over 500 ms, which RFC "
              "1122 §4.2.3.2 forbids; simulated as asked\n",
              s->path, ps->line, value);
  }
  s->nkeys++;
  return 1;
}

static uint64_t fnv1a(const char *t) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (; *t; t++)
    h = (h ^ (unsigned char)*t) * 0x100000001b3ull;
  return h;
}

/* The opening comment block, one paragraph. */
static char *question_of(const char *text) {
  size_t cap = strlen(text) + 1, n = 0;
  char *q = malloc(cap);
  if (!q)
    return NULL;
  const char *p = text;
  while (*p) {
    const char *e = strchr(p, '\n');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    const char *l = p;
    while (len && isspace((unsigned char)*l)) {
      l++;
      len--;
    }
    if (len == 0 && n == 0) { /* blank lines before the comment */
      p = e ? e + 1 : p + strlen(p);
      continue;
    }
    if (len == 0 || (*l != ';' && *l != '#'))
      break;
    l++;
    len--;
    while (len && isspace((unsigned char)*l)) {
      l++;
      len--;
    }
    if (n && len)
      q[n++] = ' ';
    memcpy(q + n, l, len);
    n += len;
    p = e ? e + 1 : p + strlen(p);
  }
  while (n && isspace((unsigned char)q[n - 1]))
    n--;
  q[n] = 0;
  return q;
}
static int chain_of(const scenario *s, const scn_user_profile *u,
                    const scn_user_profile **chain);

/* Whether the file's own key `key` (not a variant's) may take value v. */
static bool key_may(const scenario *s, const char *key, double v) {
  for (int i = 0; i < s->nkeys; i++)
    if (strcmp(s->keys[i].name, key) == 0) {
      const scn_key *k = &s->keys[i];
      if (k->dist == SCN_CONST)
        return k->a == v;
      for (int j = 0; j < k->nvals; j++)
        if (k->vals[j] == v)
          return true;
      return false;
    }
  return false;
}

/* Whether variant u or a section it stands on sets `key` to v. */
static bool variant_sets_to(const scenario *s, const scn_user_profile *u,
                            const char *key, double v) {
  const scn_user_profile *chain[SCN_MAX_USER];
  int n = chain_of(s, u, chain);
  for (int i = n - 1; i >= 0; i--) /* from u up: the nearest setting wins */
    for (int k = 0; k < chain[i]->nparam; k++)
      if (strcmp(chain[i]->param[k]->key, key) == 0)
        return chain[i]->pv[k] == v;
  return key_may(s, key, v);
}

/* `linger` is the drain time of close_mode = linger: set where no close
 * can be a lingering one, it would be silently unused. */
static void check_linger(parse *ps) {
  scenario *s = ps->s;
  bool any = key_may(s, "close_mode", CONV_CLOSE_LINGER);
  for (int i = 0; i < s->nuser && !any; i++)
    if (s->user[i].variant &&
        variant_sets_to(s, &s->user[i], "close_mode", CONV_CLOSE_LINGER))
      any = true;
  for (int i = 0; i < s->nkeys; i++)
    if (strcmp(s->keys[i].name, "linger") == 0 && !any) {
      ps->line = s->keys[i].line;
      problem(ps, NULL, NULL, NULL,
              "linger is the drain time of close_mode = linger, and no "
              "close here is a lingering one; add close_mode = linger");
    }
  for (int i = 0; i < s->nuser; i++) {
    const scn_user_profile *u = &s->user[i];
    for (int k = 0; k < u->nparam; k++)
      if (strcmp(u->param[k]->key, "linger") == 0 &&
          !variant_sets_to(s, u, "close_mode", CONV_CLOSE_LINGER)) {
        ps->line = u->param_line[k];
        problem(ps, NULL, NULL, NULL,
                "[variant %s]: linger is the drain time of close_mode = "
                "linger, and this variant's close is not a lingering one; "
                "add close_mode = linger",
                u->name);
      }
  }
}

int scn_load_text(scenario *s, const char *path, const char *text, char *err,
                  size_t cap, FILE *warn) {
  memset(s, 0, sizeof *s);
  snprintf(s->path, sizeof s->path, "%s", path);
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  snprintf(s->name, sizeof s->name, "%s", base);
  char *dot = strrchr(s->name, '.');
  if (dot && strcmp(dot, ".ini") == 0)
    *dot = 0;
  s->text = strdup(text);
  s->question = question_of(text);
  if (!s->text || !s->question) {
    note(err, cap, "%s: out of memory", path);
    scn_free(s);
    return -1;
  }
  s->hash = fnv1a(text);
  s->conversations = 1000;
  s->seed = 1;
  snprintf(s->profiles[0], sizeof s->profiles[0], "nt351");
  snprintf(s->profiles[1], sizeof s->profiles[1], "nt351-sp");
  s->nprofiles = 2;
  if (err && cap)
    err[0] = 0;
  parse ps = {.s = s, .err = err, .cap = cap, .warn = warn, .cursor = s->text};
  ps.defer = true;
  int rv = ini_parse_stream(reader, &ps, handler, &ps);
  if (rv > 0 && ps.errors == 0) { /* a syntax error libinih found */
    ps.line = rv;
    problem(&ps, NULL, NULL, NULL, "not KEY = VALUE or [section] (INI syntax)");
  }
  s->profiles_line = ps.seen_batch[2] ? ps.batch_line[2] : 0;
  s->server_profile_line = ps.seen_batch[3] ? ps.batch_line[3] : 0;
  /* every [profile NAME] needs a base; names used before their section */
  for (int i = 0; i < s->nuser; i++)
    if (!s->user[i].base[0]) {
      ps.line = s->user[i].line;
      problem(&ps, NULL, NULL, NULL,
              "[%s %s] has no base; add base = nt351, nt351-sp, bsd44 "
              "or linux%s",
              s->user[i].variant ? "variant" : "profile", s->user[i].name,
              s->user[i].variant ? ", or a [profile] or [variant] of the file"
                                 : "");
    }
  check_variant_bases(&ps);
  if (!ps.errors)
    check_linger(&ps);
  ps.defer = false;
  for (int i = 0; i < ps.npending; i++) {
    ps.line = ps.pending[i].line;
    check_profile(&ps, "batch", ps.pending[i].key, ps.pending[i].value,
                  ps.pending[i].name);
  }
  /* grid strides, file order, first key fastest */
  s->cells = 1;
  for (int i = 0; i < s->nkeys; i++)
    if (s->keys[i].dist == SCN_GRID) {
      s->keys[i].stride = s->cells;
      if (s->cells > SCN_MAX_CONVERSATIONS / (uint64_t)s->keys[i].nvals) {
        ps.line = s->keys[i].line;
        problem(&ps, NULL, NULL, NULL,
                "%s: the grids cross into more than %.0e cells; at most "
                "%.0e conversations in all",
                s->keys[i].name, (double)SCN_MAX_CONVERSATIONS,
                (double)SCN_MAX_CONVERSATIONS);
        s->cells = 1;
        break;
      }
      s->cells *= (uint64_t)s->keys[i].nvals;
    }
  if (!ps.errors && s->conversations > SCN_MAX_CONVERSATIONS / s->cells) {
    ps.line = ps.batch_line[0];
    problem(&ps, NULL, NULL, NULL,
            "%llu conversations per cell x %llu cells is more than %.0e "
            "conversations",
            (unsigned long long)s->conversations, (unsigned long long)s->cells,
            (double)SCN_MAX_CONVERSATIONS);
  }
  if (ps.errors) {
    scn_free(s);
    return -1;
  }
  return 0;
}

int scn_load(scenario *s, const char *path, char *err, size_t cap, FILE *warn) {
  if (err && cap)
    err[0] = 0;
  struct stat sb;
  if (stat(path, &sb) != 0) {
    note(err, cap, "%s: cannot open: %s", path, strerror(errno));
    return -1;
  }
  if (!S_ISREG(sb.st_mode) || sb.st_size > SCN_MAX_FILE_BYTES) {
    note(err, cap, "%s: %s", path,
         S_ISDIR(sb.st_mode)    ? "a directory, not a scenario file"
         : !S_ISREG(sb.st_mode) ? "not a regular file, not a scenario file"
                                : "larger than 1 MiB: not a scenario file");
    return -1;
  }
  FILE *f = fopen(path, "rb");
  if (!f) {
    note(err, cap, "%s: cannot open: %s", path, strerror(errno));
    return -1;
  }
  size_t room = 4096, n = 0;
  char *text = malloc(room);
  size_t got;
  while (text && n <= SCN_MAX_FILE_BYTES &&
         (got = fread(text + n, 1, room - n - 1, f)) > 0) {
    n += got;
    if (n + 1 == room) {
      char *t = realloc(text, room *= 2);
      if (!t) {
        free(text);
        text = NULL;
      } else {
        text = t;
      }
    }
  }
  bool bad_read = ferror(f);
  fclose(f);
  if (!text) {
    note(err, cap, "%s: out of memory", path);
    return -1;
  }
  if (bad_read || n > SCN_MAX_FILE_BYTES) {
    note(err, cap, "%s: %s", path,
         bad_read ? "cannot read" : "larger than 1 MiB");
    free(text);
    return -1;
  }
  text[n] = 0;
  if (strlen(text) != n) {
    note(err, cap, "%s: not a text file (NUL byte)", path);
    free(text);
    return -1;
  }
  int rv = scn_load_text(s, path, text, err, cap, warn);
  free(text);
  return rv;
}

void scn_free(scenario *s) {
  free(s->text);
  free(s->question);
  s->text = s->question = NULL;
}

uint64_t scn_total(const scenario *s) {
  return s->cells * s->conversations;
}

int scn_set_profiles(scenario *s, const char *list, char *err, size_t cap) {
  if (err && cap)
    err[0] = 0;
  parse ps = {.s = s, .err = err, .cap = cap, .from_cli = true};
  scenario tmp = *s;
  ps.s = &tmp;
  batch_key(&ps, "profiles", list);
  if (ps.errors)
    return -1;
  memcpy(s->profiles, tmp.profiles, sizeof s->profiles);
  s->nprofiles = tmp.nprofiles;
  return 0;
}

uint64_t scn_conv_seed(const scenario *s) {
  return s->hash ^ (s->seed * 0x9E3779B97F4A7C15ull);
}

uint64_t scn_cell(const scenario *s, uint64_t i) {
  return i % s->cells;
}

/* Uniform in [0, 1). */
static double unit(uint64_t *x) {
  return (double)(tcp_splitmix64(x) >> 11) * 0x1.0p-53;
}

static double draw_one(const scn_key *k, uint64_t cell, uint64_t *rng) {
  double v = k->a;
  switch (k->dist) {
  case SCN_CONST:
    break;
  case SCN_UNIFORM:
    v = k->a + (k->b - k->a) * unit(rng);
    break;
  case SCN_LOGUNIFORM:
    v = exp(log(k->a) + (log(k->b) - log(k->a)) * unit(rng));
    break;
  case SCN_NORMAL:
  case SCN_EXPONENTIAL:
    /* truncated to the key's valid range by rejection */
    for (int tries = 0; tries < 1000; tries++) {
      if (k->dist == SCN_NORMAL) { /* Box-Muller */
        double u1 = 1.0 - unit(rng), u2 = unit(rng);
        v = k->a + k->b * sqrt(-2.0 * log(u1)) *
                       cos(2.0 * 3.14159265358979323846 * u2);
      } else {
        v = -k->a * log(1.0 - unit(rng));
      }
      if (v >= k->min && v <= k->max)
        break;
    }
    v = v < k->min ? k->min : v > k->max ? k->max : v;
    break;
  case SCN_CHOICE:
    v = k->vals[(int)(unit(rng) * k->nvals)];
    break;
  case SCN_GRID:
    v = k->vals[(cell / k->stride) % (uint64_t)k->nvals];
    break;
  }
  if (k->kind != HC_PROB)
    v = floor(v + 0.5); /* ns, bytes, bit/s, counts are whole */
  return v;
}

void scn_draw(const scenario *s, uint64_t i, conv_params *p, double *values) {
  conv_params_default(p);
  uint64_t rng = scn_conv_seed(s) ^ (i * 0xD1B54A32D192ED03ull);
  tcp_splitmix64(&rng);
  uint64_t cell = scn_cell(s, i);
  for (int k = 0; k < s->nkeys; k++) {
    double v = draw_one(&s->keys[k], cell, &rng);
    if (values)
      values[k] = v;
    if (s->keys[k].param)
      hc_param_set(p, s->keys[k].param, v);
  }
}

void scn_knob_text(const scn_key *k, double v, char *buf, size_t cap) {
  if (k->words)
    snprintf(buf, cap, "%s", k->words[(int)v]);
  else if (k->kind == HC_TIME)
    snprintf(buf, cap, "%.0fns", v);
  else
    hc_format_value(k->kind, v, buf, cap);
}

/* The sections from the root (whose base is a preset) down to u, into
 * chain[]; their number, or 0 when a base is missing or the bases loop. */
static int chain_of(const scenario *s, const scn_user_profile *u,
                    const scn_user_profile **chain) {
  int n = 0;
  for (const scn_user_profile *x = u; x; x = scn_user_find(s, x->base)) {
    if (n == SCN_MAX_USER)
      return 0; /* a loop */
    chain[n++] = x;
  }
  tcp_profile p;
  if (!n || tcp_profile_preset(&p, chain[n - 1]->base) != 0)
    return 0;
  for (int i = 0; i < n / 2; i++) {
    const scn_user_profile *t = chain[i];
    chain[i] = chain[n - 1 - i];
    chain[n - 1 - i] = t;
  }
  return n;
}

/* A variant's base: a preset, a [profile] or a [variant] of the file, and
 * no loop back to itself. */
static void check_variant_bases(parse *ps) {
  scenario *s = ps->s;
  const scn_user_profile *chain[SCN_MAX_USER];
  for (int i = 0; i < s->nuser; i++) {
    const scn_user_profile *u = &s->user[i];
    if (!u->variant || !u->base[0])
      continue;
    tcp_profile p;
    if (tcp_profile_preset(&p, u->base) != 0 && !scn_user_find(s, u->base)) {
      ps->line = u->line;
      problem(ps, NULL, NULL, NULL,
              "[variant %s]: base = %s: expected a built-in profile (nt351, "
              "nt351-sp, bsd44, linux, each may take +rfc1337) or a "
              "[profile] or [variant] of the file",
              u->name, u->base);
    } else if (chain_of(s, u, chain) == 0) {
      ps->line = u->line;
      problem(ps, NULL, NULL, NULL,
              "[variant %s]: base = %s: the bases lead back to %s", u->name,
              u->base, u->name);
    }
  }
}

void scn_params_for(const scenario *s, const char *name, conv_params *p) {
  const scn_user_profile *u = scn_user_find(s, name), *chain[SCN_MAX_USER];
  int n = u ? chain_of(s, u, chain) : 0;
  for (int i = 0; i < n; i++)
    for (int k = 0; k < chain[i]->nparam; k++)
      hc_param_set(p, chain[i]->param[k], chain[i]->pv[k]);
}

bool scn_variant_sets(const scenario *s, const char *name, const char *key) {
  const scn_user_profile *u = scn_user_find(s, name), *chain[SCN_MAX_USER];
  int n = u ? chain_of(s, u, chain) : 0;
  for (int i = 0; i < n; i++)
    for (int k = 0; k < chain[i]->nparam; k++)
      if (strcmp(chain[i]->param[k]->key, key) == 0)
        return true;
  return false;
}

bool scn_is_race(const scenario *s) {
  static const char *const keys[] = {"requests",      "max_requests",
                                     "close_mode",    "idle_timeout",
                                     "reuse_timeout", "retry"};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    for (int k = 0; k < s->nkeys; k++)
      if (strcmp(s->keys[k].name, keys[i]) == 0)
        return true;
    for (int j = 0; j < s->nprofiles; j++)
      if (scn_variant_sets(s, s->profiles[j], keys[i]))
        return true;
  }
  return false;
}

bool scn_has_variant_params(const scenario *s) {
  const scn_user_profile *chain[SCN_MAX_USER];
  for (int j = 0; j < s->nprofiles; j++) {
    const scn_user_profile *u = scn_user_find(s, s->profiles[j]);
    int n = u ? chain_of(s, u, chain) : 0;
    for (int i = 0; i < n; i++)
      if (chain[i]->nparam)
        return true;
  }
  return false;
}

/* A [profile NAME]'s own knobs over *out, and its name. */
static int apply_own_knobs(const scn_user_profile *u, const char *path,
                           tcp_profile *out, char *err, size_t cap) {
  for (int i = 0; i < u->nover; i++) /* validated when loaded */
    if (tcp_profile_set(out, u->knob[i], u->v[i]) != 0) {
      note(err, cap, "%s:%d: %s = %s: not valid for profile %s", path,
           u->knob_line[i], u->knob[i], u->value[i], u->name);
      return -1;
    }
  snprintf(out->name, sizeof out->name, "%s", u->name);
  return 0;
}

int scn_profile(const scenario *s, const char *name, const double *values,
                tcp_profile *out, char *err, size_t cap) {
  const scn_user_profile *u = scn_user_find(s, name), *chain[SCN_MAX_USER];
  int n = u ? chain_of(s, u, chain) : 0;
  if (tcp_profile_preset(out, n ? chain[0]->base : name) != 0) {
    note(err, cap, "unknown profile %s", name);
    return -1;
  }
  for (int k = 0; k < s->nkeys; k++) {
    const scn_key *key = &s->keys[k];
    if (key->param)
      continue;
    const tcp_knob_info *kn = tcp_profile_knob(key->name);
    uint64_t v = 0;
    char why[200] = "no such knob";
    if (!kn || hc_knob_value(kn, values[k], &v, why, sizeof why) != 0 ||
        tcp_profile_set(out, key->name, v) != 0) {
      if (err) {
        char text[64];
        scn_knob_text(key, values[k], text, sizeof text);
        note(err, cap, "%s:%d: %s = %s: not valid for profile %s (%s)", s->path,
             key->line, key->name, text, name, why);
      }
      return -1;
    }
  }
  for (int i = 0; i < n; i++)
    if (apply_own_knobs(chain[i], s->path, out, err, cap) != 0)
      return -1;
  return 0;
}

/* A profile whose knobs contradict one another: refused, named. */
static int check_ends(const scenario *s, const tcp_profile *p, char *err,
                      size_t cap) {
  char why[200];
  if (tcp_profile_check(p, why, sizeof why) == 0)
    return 0;
  note(err, cap, "%s: profile %s: %s", s->path, p->name, why);
  return -1;
}

int scn_ends_for(const scenario *s, const char *name, const double *values,
                 scn_ends *out, char *err, size_t cap) {
  out->ns3 = strcmp(name, SCN_NS3_PROFILE) == 0;
  if (scn_profile(s, out->ns3 ? "nt351" : name, values, &out->client, err,
                  cap) ||
      (!out->ns3 && check_ends(s, &out->client, err, cap)))
    return -1;
  if (!s->server_profile[0] || out->ns3) {
    out->server = out->client;
    return 0;
  }
  return scn_profile(s, s->server_profile, values, &out->server, err, cap) ||
                 check_ends(s, &out->server, err, cap)
             ? -1
             : 0;
}

int scn_user_resolve(const scenario *s, const scn_user_profile *u,
                     tcp_profile *out, char *err, size_t cap) {
  const scn_user_profile *chain[SCN_MAX_USER];
  int n = chain_of(s, u, chain);
  if (!n || tcp_profile_preset(out, chain[0]->base) != 0) {
    note(err, cap, "%s:%d: unknown base %s", s->path, u->line, u->base);
    return -1;
  }
  for (int i = 0; i < n; i++)
    if (apply_own_knobs(chain[i], s->path, out, err, cap) != 0)
      return -1;
  return 0;
}

static const scn_key *key_named(const scenario *s, const char *name) {
  for (int k = 0; k < s->nkeys; k++)
    if (strcmp(s->keys[k].name, name) == 0)
      return &s->keys[k];
  return NULL;
}

static bool same_key(const scn_key *x, const scn_key *y) {
  if (x->param != y->param || x->kind != y->kind || x->words != y->words ||
      x->dist != y->dist || x->a != y->a || x->b != y->b ||
      x->nvals != y->nvals || x->stride != y->stride)
    return false;
  for (int i = 0; i < x->nvals; i++)
    if (x->vals[i] != y->vals[i])
      return false;
  return true;
}

bool scn_same_draws(const scenario *a, const scenario *b) {
  if (a->seed != b->seed || a->cells != b->cells || a->nkeys != b->nkeys ||
      a->nuser != b->nuser || strcmp(a->server_profile, b->server_profile) != 0)
    return false;
  for (int k = 0; k < a->nkeys; k++) {
    const scn_key *y = key_named(b, a->keys[k].name);
    if (!y || y != &b->keys[k] || !same_key(&a->keys[k], y))
      return false;
  }
  for (int u = 0; u < a->nuser; u++) {
    const scn_user_profile *x = &a->user[u], *y = &b->user[u];
    if (strcmp(x->name, y->name) != 0 || strcmp(x->base, y->base) != 0 ||
        x->nover != y->nover || x->variant != y->variant ||
        x->nparam != y->nparam)
      return false;
    for (int o = 0; o < x->nover; o++)
      if (strcmp(x->knob[o], y->knob[o]) != 0 || x->v[o] != y->v[o])
        return false;
    for (int o = 0; o < x->nparam; o++)
      if (x->param[o] != y->param[o] || x->pv[o] != y->pv[o])
        return false;
  }
  return true;
}
