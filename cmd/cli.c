/*
 * cli.c - see cli.h.
 */
/* realpath() is XSI in glibc's headers */
#define _XOPEN_SOURCE 700
#include "cli.h"
#include "scenario.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cli_error(const char *sub, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "halfclose %s: ", sub);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  return 2;
}

const char *cli_opt(const char *arg, const char *name) {
  size_t n = strlen(name);
  if (strncmp(arg, "--", 2) != 0 || strncmp(arg + 2, name, n) != 0)
    return NULL;
  if (arg[2 + n] == '=')
    return arg + 3 + n;
  return NULL;
}

int cli_u64(const char *sub, const char *opt, const char *v, uint64_t *out) {
  char *end;
  errno = 0;
  unsigned long long x = strtoull(v, &end, 10);
  if (!*v || *end || errno || *v == '-') {
    cli_error(sub, "--%s=%s: expected a whole number", opt, v);
    return -1;
  }
  *out = x;
  return 0;
}

int cli_param_arg(const char *sub, const char *arg, cli_params *cp) {
  if (strncmp(arg, "--", 2) != 0)
    return 0;
  const char *eq = strchr(arg, '=');
  if (!eq)
    return 0;
  char key[64];
  size_t n = (size_t)(eq - arg - 2);
  if (n >= sizeof key)
    return 0;
  memcpy(key, arg + 2, n);
  key[n] = 0;
  const char *val = eq + 1;
  const hc_param *d = hc_param_find(key);
  if (d) {
    double v;
    char why[160];
    if (hc_param_parse(d, val, &v, why, sizeof why) != 0) {
      cli_error(sub, "--%s=%s: %s", key, val, why);
      return -1;
    }
    hc_param_set(&cp->p, d, v);
    return 1;
  }
  const tcp_knob_info *kn = tcp_profile_knob(key);
  if (kn) {
    uint64_t kv;
    char why[200];
    if (hc_parse_knob(kn, val, &kv, why, sizeof why) != 0) {
      cli_error(sub, "--%s=%s: %s", key, val, why);
      return -1;
    }
    if (cp->nknobs == CLI_MAX_KNOBS) {
      cli_error(sub, "too many profile knobs");
      return -1;
    }
    snprintf(cp->knob[cp->nknobs], sizeof cp->knob[0], "%s", key);
    cp->value[cp->nknobs] = val;
    cp->v[cp->nknobs] = kv;
    cp->nknobs++;
    return 1;
  }
  return 0;
}

int cli_scenario_profile(const char *sub, const char *opt, const char *spec,
                         scenario *s, const scn_user_profile **u) {
  char what[600]; /* "--profile=FILE:NAME" or "FILE:NAME" in messages */
  snprintf(what, sizeof what, "%s%s%s%s", opt ? "--" : "", opt ? opt : "",
           opt ? "=" : "", spec);
  const char *colon = strrchr(spec, ':');
  char path[512];
  size_t n = colon ? (size_t)(colon - spec) : 0;
  if (!colon || n >= sizeof path)
    return cli_error(sub, "%s: expected FILE:NAME", what);
  memcpy(path, spec, n);
  path[n] = 0;
  static char msgs[16384]; /* every problem of the file, one per line */
  if (scn_load(s, path, msgs, sizeof msgs, NULL) != 0) {
    fprintf(stderr, "%s\n", msgs);
    return cli_error(sub, "%s: the scenario does not load (above)", what);
  }
  *u = scn_user_find(s, colon + 1);
  if (!*u) {
    scn_free(s);
    return cli_error(sub, "%s: %s defines no [profile %s]", what, path,
                     colon + 1);
  }
  return 0;
}

/* FILE:NAME - profile NAME that scenario FILE defines - into *p. */
static int scenario_profile(const char *sub, const char *spec, tcp_profile *p) {
  scenario *s = malloc(sizeof *s);
  if (!s)
    return cli_error(sub, "out of memory"), -1;
  const scn_user_profile *u;
  int rv = -1;
  if (cli_scenario_profile(sub, "profile", spec, s, &u) == 0) {
    char why[400];
    rv = scn_user_resolve(s, u, p, why, sizeof why);
    if (rv != 0)
      cli_error(sub, "%s", why);
    scn_free(s);
  }
  free(s);
  return rv;
}

int cli_profile(const char *sub, const char *name, const cli_params *cp,
                tcp_profile *p) {
  if (strchr(name, ':')) {
    if (scenario_profile(sub, name, p) != 0)
      return -1;
  } else if (tcp_profile_preset(p, name) != 0) {
    char list[200] = "";
    for (const char *const *n = tcp_profile_presets(); *n; n++) {
      strcat(list, *n);
      strcat(list, n[1] ? ", " : "");
    }
    cli_error(sub,
              "unknown profile \"%s\": expected %s (each may take "
              "+rfc1337), or FILE:NAME for a [profile NAME] of a scenario",
              name, list);
    return -1;
  }
  for (int i = 0; i < cp->nknobs; i++)
    if (tcp_profile_set(p, cp->knob[i], cp->v[i]) != 0) {
      cli_error(sub, "--%s=%s: not valid for profile %s", cp->knob[i],
                cp->value[i], name);
      return -1;
    }
  char why[200];
  if (tcp_profile_check(p, why, sizeof why) != 0) {
    cli_error(sub, "profile %s: %s", name, why);
    return -1;
  }
  return 0;
}

void cli_print_keys(FILE *f) {
  size_t n;
  const hc_param *t = hc_params(&n);
  fprintf(f, "Conversation keys (--KEY=VALUE; default in brackets):\n");
  const char *sec = "";
  for (size_t i = 0; i < n; i++) {
    char def[32], units[120];
    if (strcmp(sec, t[i].section) != 0) {
      sec = t[i].section;
      fprintf(f, "  [%s]\n", sec);
    }
    fprintf(f, "    %-15s %-40s [%s]\n", t[i].key, t[i].help,
            hc_param_format(&t[i], t[i].def, def, sizeof def));
    fprintf(f, "    %-15s   value: %s\n", "",
            hc_param_range(&t[i], units, sizeof units));
  }
  const tcp_knob_info *k = tcp_profile_knobs(&n);
  tcp_profile nt;
  tcp_profile_preset(&nt, "nt351");
  fprintf(f, "\nProfile knobs (--KNOB=VALUE, both hosts; nt351's value in "
             "brackets):\n");
  for (size_t i = 0; i < n; i++) {
    char v[32], range[160];
    hc_profile_get_text(&nt, k[i].name, v, sizeof v);
    fprintf(f, "    %-23s %-58s [%s]\n", k[i].name, k[i].help, v);
    fprintf(f, "    %-23s   value: %s\n", "",
            hc_knob_range(&k[i], range, sizeof range));
  }
}

int cli_out_dir(const char *sub, const char *opt, const char *path) {
  if (!path)
    return 0;
  char dir[1024];
  snprintf(dir, sizeof dir, "%s", path);
  char *slash = strrchr(dir, '/');
  if (!slash)
    return 0;
  *slash = 0;
  struct stat sb;
  if (stat(dir[0] ? dir : "/", &sb) != 0 || !S_ISDIR(sb.st_mode))
    return cli_error(sub, "--%s=%s: no such directory %s", opt, path,
                     dir[0] ? dir : "/");
  return 0;
}

/* path's directory made absolute and path's last name after it, in buf:
 * two names of one file compare equal (links aside). */
static void canonical(const char *path, char *buf, size_t cap) {
  char dir[1024];
  snprintf(dir, sizeof dir, "%s", path);
  char *slash = strrchr(dir, '/');
  const char *base = slash ? path + (slash - dir) + 1 : path;
  if (slash)
    slash[1] = 0;
  char real[PATH_MAX];
  if (!realpath(slash ? (dir[0] ? dir : "/") : ".", real))
    snprintf(real, sizeof real, "%s", slash ? dir : ".");
  snprintf(buf, cap, "%s/%s", real, base);
}

/* The first 16 bytes of an existing file name what it is: an SQLite
 * database ("SQLite format 3"), an SQLite write-ahead log (magic
 * 0x377f0682 or 0x377f0683, big-endian), or NULL. */
static const char *sqlite_kind(const char *path) {
  unsigned char h[16] = {0};
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  size_t n = fread(h, 1, sizeof h, f);
  fclose(f);
  if (n == 16 && memcmp(h, "SQLite format 3", 16) == 0)
    return "an SQLite database (a results or crosscheck store?)";
  if (n >= 4 && h[0] == 0x37 && h[1] == 0x7f && h[2] == 0x06 &&
      (h[3] == 0x82 || h[3] == 0x83))
    return "an SQLite write-ahead log (a store's -wal)";
  return NULL;
}

int cli_out_check(const char *sub, const char *opt, const char *out,
                  const char *store, unsigned flags) {
  if (!out)
    return 0;
  if (!*out)
    return cli_error(sub, "--%s=: expected a file name", opt);
  if (cli_out_dir(sub, opt, out))
    return 2;
  struct stat a, b;
  bool exists = stat(out, &a) == 0;
  if (exists && S_ISDIR(a.st_mode))
    return cli_error(sub, "--%s=%s: a directory, not a file", opt, out);
  if (exists && !S_ISREG(a.st_mode))
    return cli_error(sub,
                     "--%s=%s: not a regular file (output is written beside "
                     "its name and renamed into place)",
                     opt, out);
  if (store && exists && stat(store, &b) == 0 && a.st_dev == b.st_dev &&
      a.st_ino == b.st_ino)
    return cli_error(sub,
                     "--%s=%s is the store %s itself: refusing to write "
                     "over it",
                     opt, out, store);
  if (store) {
    /* the store's companions, whether or not they exist now: a -wal of
     * a killed run holds committed conversations */
    char o[PATH_MAX + 8], st[PATH_MAX + 8];
    canonical(out, o, sizeof o);
    canonical(store, st, sizeof st);
    size_t n = strlen(st);
    static const char *const companion[] = {"-wal", "-shm", "-journal"};
    for (int i = 0; i < 3; i++)
      if (strncmp(o, st, n) == 0 && strcmp(o + n, companion[i]) == 0)
        return cli_error(sub,
                         "--%s=%s is the store's %s file: refusing to write "
                         "over it",
                         opt, out, companion[i]);
  }
  const char *kind = exists && !(flags & CLI_OUT_DB) ? sqlite_kind(out) : NULL;
  if (kind)
    return cli_error(sub, "--%s=%s is %s: refusing to write over it", opt, out,
                     kind);
  return 0;
}

void cli_out_tmp(const char *out, char *buf, size_t cap) {
  snprintf(buf, cap, "%s.tmp", out);
}

int cli_out_commit(const char *sub, const char *tmp, const char *out, bool ok) {
  if (ok && rename(tmp, out) == 0)
    return 0;
  if (ok && sub)
    cli_error(sub, "cannot rename %s to %s: %s", tmp, out, strerror(errno));
  unlink(tmp);
  return -1;
}

FILE *cli_out_open(const char *sub, const char *out) {
  if (!out)
    return stdout;
  char tmp[1024];
  cli_out_tmp(out, tmp, sizeof tmp);
  FILE *f = fopen(tmp, "w");
  if (!f)
    cli_error(sub, "cannot write %s: %s", tmp, strerror(errno));
  return f;
}

int cli_out_close(FILE *f, const char *out, int status) {
  if (!out)
    return fflush(stdout) != 0 || status != 0 ? -1 : 0;
  char tmp[1024];
  cli_out_tmp(out, tmp, sizeof tmp);
  if (fclose(f) != 0)
    status = -1;
  return cli_out_commit(NULL, tmp, out, status == 0);
}

int cli_positional(const char *sub, const char *arg, const char **slot,
                   const char *what) {
  if (arg[0] == '-')
    return cli_error(sub, "unknown option \"%s\" (see --help)", arg);
  if (*slot)
    return cli_error(sub, "one %s at a time (got \"%s\" too)", what, arg);
  *slot = arg;
  return 0;
}
