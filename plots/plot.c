/*
 * plot.c - see plot.h.
 *
 * gnuplot runs as a child process with its variables on the command line
 * (-e) and a script from plots/; its standard error is kept in a temporary
 * file, so a failure reports what gnuplot said.
 */
#include "plot.h"
#include "datadir.h"
#include "report_data.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store.h"

#define ERR(...)  (snprintf(err, cap, __VA_ARGS__), -1)
#define CERR(...) (snprintf(c->err, c->cap, __VA_ARGS__), -1)

const char *plot_profile_colour(const char *profile, int index) {
  /* Okabe & Ito (2008), fixed per profile so every graph agrees */
  static const struct {
    const char *name, *colour;
  } fixed[] = {{"nt351", "#D55E00"},         {"nt351-sp", "#0072B2"},
               {"bsd44", "#009E73"},         {"linux", "#CC79A7"},
               {"nt351+rfc1337", "#E69F00"}, {"nt351-sp+rfc1337", "#56B4E9"},
               {"bsd44+rfc1337", "#000000"}, {"linux+rfc1337", "#F0E442"}};
  static const char *const spare[] = {"#56B4E9", "#000000", "#F0E442",
                                      "#999999"};
  for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
    if (strcmp(profile, fixed[i].name) == 0)
      return fixed[i].colour;
  return spare[index % 4];
}

/* A growing string for gnuplot's -e. */
typedef struct vars {
  char *s;
  size_t n, cap;
} vars;

static void add(vars *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void add(vars *v, const char *fmt, ...) {
  va_list ap;
  for (;;) {
    va_start(ap, fmt);
    int k =
        vsnprintf(v->s ? v->s + v->n : NULL, v->s ? v->cap - v->n : 0, fmt, ap);
    va_end(ap);
    if (k >= 0 && v->s && v->n + (size_t)k < v->cap) {
      v->n += (size_t)k;
      return;
    }
    size_t cap = (v->cap + (size_t)(k > 0 ? k : 0) + 64) * 2;
    char *p = realloc(v->s, cap);
    if (!p)
      abort();
    v->s = p;
    v->cap = cap;
  }
}

/* gnuplot string literal: double quotes, backslash escapes */
static void add_str(vars *v, const char *name, const char *value) {
  add(v, "%s=\"", name);
  for (const char *p = value; *p; p++) {
    if (*p == '\n') {
      add(v, "\\n"); /* gnuplot's own escape: a second line */
      continue;
    }
    add(v, "%s%c", *p == '"' || *p == '\\' ? "\\" : "", *p);
  }
  add(v, "\"; ");
}

static void add_array(vars *v, const char *name, char **items, int n) {
  add(v, "array %s[%d]; ", name, n);
  for (int i = 0; i < n; i++) {
    char nm[32];
    snprintf(nm, sizeof nm, "%s[%d]", name, i + 1);
    add_str(v, nm, items[i]);
  }
}

static bool has_bytes(const char *buf, size_t n, const char *what) {
  size_t k = strlen(what);
  for (size_t i = 0; i + k <= n; i++)
    if (memcmp(buf + i, what, k) == 0)
      return true;
  return false;
}

int plot_complete(const char *path, char *err, size_t cap) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return ERR("cannot read %s: %s", path, strerror(errno));
  char head[8] = {0}, tail[64] = {0};
  size_t nh = fread(head, 1, sizeof head, f);
  long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
  size_t nt = 0;
  if (size > (long)sizeof tail &&
      fseek(f, size - (long)sizeof tail, SEEK_SET) == 0)
    nt = fread(tail, 1, sizeof tail - 1, f);
  bool bad = ferror(f);
  fclose(f);
  const char *dot = strrchr(path, '.');
  if (dot && strcmp(dot, ".part") == 0) /* the extension before .part */
    for (const char *p = dot - 1; p > path; p--)
      if (*p == '.') {
        dot = p;
        break;
      }
  bool ok = !bad && size > 0;
  if (ok && dot && strncmp(dot, ".png", 4) == 0) /* signature and IEND */
    ok = nh == 8 && memcmp(head, "\x89PNG\r\n\x1a\n", 8) == 0 && nt >= 12 &&
         has_bytes(tail, nt, "IEND");
  else if (ok && dot && strncmp(dot, ".svg", 4) == 0)
    ok = has_bytes(tail, nt, "</svg>");
  else if (ok && dot && strncmp(dot, ".pdf", 4) == 0)
    ok = nh >= 5 && memcmp(head, "%PDF-", 5) == 0 &&
         has_bytes(tail, nt, "%%EOF");
  if (!ok)
    return ERR("%s is incomplete (%s)", path,
               bad ? strerror(errno) : "its ending is missing");
  return 0;
}

static int run_gnuplot(const char *script, vars *v, const char *outfile,
                       char *err, size_t cap) {
  char log[] = "/tmp/halfclose-gnuplot-XXXXXX";
  int fd = mkstemp(log);
  if (fd < 0)
    return ERR("cannot create a temporary file: %s", strerror(errno));
  char path[1024], plotdir[1024];
  if (hc_data_path("plots", plotdir, sizeof plotdir) != 0 ||
      snprintf(path, sizeof path, "%s/%s", plotdir, script) >=
          (int)sizeof path) {
    close(fd);
    unlink(log);
    return ERR("the data directory's path is too long: %s", hc_data_dir());
  }
  add_str(v, "plotdir", plotdir);
  char part[1100];
  snprintf(part, sizeof part, "%s.part", outfile);
  add_str(v, "outfile", part);
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) {
    close(fd);
    unlink(log);
    return ERR("fork: %s", strerror(errno));
  }
  if (pid == 0) {
    dup2(fd, STDERR_FILENO);
    dup2(fd, STDOUT_FILENO);
    execlp("gnuplot", "gnuplot", "-e", v->s, path, (char *)NULL);
    fprintf(stderr, "cannot run gnuplot: %s", strerror(errno));
    _exit(127);
  }
  int st;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
    ;
  char said[600] = "";
  lseek(fd, 0, SEEK_SET);
  ssize_t k = read(fd, said, sizeof said - 1);
  said[k > 0 ? k : 0] = 0;
  close(fd);
  unlink(log);
  for (char *p = said; *p; p++)
    if (*p == '\n' && p[1])
      *p = ' ';
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
      return ERR("gnuplot is not installed (Debian: apt-get install "
                 "gnuplot-nox): %s",
                 said);
    unlink(part);
    return ERR("gnuplot failed on %s: %s", path, said);
  }
  if (plot_complete(part, err, cap) != 0) {
    /* gnuplot does not report a failed write: a short graph on a full
     * disk is the disk's doing, and says so */
    unlink(part);
    char dir[1100];
    snprintf(dir, sizeof dir, "%s", outfile);
    char *slash = strrchr(dir, '/');
    if (slash)
      *slash = 0;
    struct statvfs fs;
    if (statvfs(slash ? dir : ".", &fs) == 0 && fs.f_bavail < 16)
      return ERR("cannot write %s: %s", outfile, strerror(ENOSPC));
    return -1;
  }
  if (rename(part, outfile) != 0) {
    int e = errno;
    unlink(part);
    return ERR("cannot write %s: %s", outfile, strerror(e));
  }
  return 0;
}

/* ---- shared pieces ---- */

typedef struct ctx {
  const report *r;
  const char *dir, *format;
  char datadir[900];
  FILE *log;
  char *err;
  size_t cap;
} ctx;

/* A graph's data, written as PATH.part and renamed by data_done() only
 * once every byte is on disk. */
static FILE *data_file(ctx *c, const char *name, char *path, size_t n) {
  snprintf(path, n, "%s/%s.dat", c->datadir, name);
  char part[1100];
  snprintf(part, sizeof part, "%s.part", path);
  return fopen(part, "w");
}

static int data_done(ctx *c, FILE *f, const char *path) {
  char part[1100];
  snprintf(part, sizeof part, "%s.part", path);
  int bad = ferror(f);
  if (fclose(f) != 0 || bad || rename(part, path) != 0) {
    int e = errno ? errno : EIO;
    unlink(part);
    return CERR("cannot write %s: %s", path, strerror(e));
  }
  return 0;
}

static void out_path(ctx *c, const char *stem, char *path, size_t n) {
  snprintf(path, n, "%s/%s.%s", c->dir, stem, c->format);
}

static bool full_y; /* probability axes from 0 to 1 (plot --y_full) */
void plot_full_y(bool on) {
  full_y = on;
}

static void common(ctx *c, vars *v, int width, int height, const char *datafile,
                   const char *title) {
  add_str(v, "term", c->format);
  /* wide enough for the title on one line (about 8 px a character at the
   * fonts common.gp sets, with a margin): a title cut at the edges is the
   * first thing a reader of a paper notices */
  size_t longest = 0, line = 0;
  for (const char *p = title;; p++) {
    if (*p == '\n' || !*p) {
      longest = line > longest ? line : longest;
      line = 0;
      if (!*p)
        break;
    } else {
      line++;
    }
  }
  int need = (int)(8.5 * (double)longest) + 100;
  if (width < need)
    width = need;
  add(v, "width=%d; height=%d; yfull=%d; ", width, height, full_y);
  add_str(v, "datafile", datafile);
  add_str(v, "title", title);
}

static int key_index(const report *r, const char *name) {
  for (int i = 0; i < r->nparams; i++)
    if (strcmp(r->s.keys[r->params[i].key].name, name) == 0)
      return i;
  return -1;
}

static double centre(const param_bins *pb, const bin_stats *b) {
  if (b->lo == b->hi)
    return b->lo;
  return pb->log_scale ? sqrt(b->lo * b->hi) : (b->lo + b->hi) / 2;
}

static void done(ctx *c, const char *stem) {
  if (c->log)
    fprintf(c->log, "  %s/%s.%s\n", c->dir, stem, c->format);
}

static void skipped(ctx *c, const char *stem, const char *why) {
  if (c->log)
    fprintf(c->log, "  %s: skipped, %s\n", stem, why);
}

/* A graph's title in plain words, and under it what was held fixed: the
 * scenario's keys with one value (those at their defaults are not named),
 * and the ones drawn per conversation besides the graph's own. */
static void title_of(const ctx *c, const char *what, const char *shown,
                     char *buf, size_t n) {
  const scenario *s = &c->r->s;
  char fixed[400] = "", drawn[400] = "";
  for (int k = 0; k < s->nkeys; k++) {
    const scn_key *key = &s->keys[k];
    char *to = key->dist == SCN_CONST ? fixed : drawn;
    size_t len = strlen(to);
    if (key->dist != SCN_CONST) {
      if (shown && strcmp(key->name, shown) == 0)
        continue;
      snprintf(to + len, sizeof fixed - len, "%s%s", len ? ", " : "",
               key->name);
      continue;
    }
    char v[48];
    if (key->words)
      snprintf(v, sizeof v, "%s", key->words[(int)key->a]);
    else
      hc_format_value(key->kind, key->a, v, sizeof v);
    snprintf(to + len, sizeof fixed - len, "%s%s %s", len ? ", " : "",
             key->name, v);
    for (int j = 0; j < s->nprofiles; j++) /* a variant's own value */
      if (scn_variant_sets(s, s->profiles[j], key->name)) {
        len = strlen(to);
        snprintf(to + len, sizeof fixed - len, " (not %s)", s->profiles[j]);
      }
  }
  snprintf(buf, n, "%s (%s)%s%s%s%s", what, s->name,
           fixed[0] ? "\nfixed: " : "", fixed,
           drawn[0] ? "\ndrawn per conversation: " : "", drawn);
}

/* ---- reset against a parameter ---- */

/* One graph: the rate of outcome `flag` (REPORT_F_APP, the failed read,
 * or REPORT_F_REQFAIL, a failed request) against `key`; `what` titles it
 * and `ylabel` names the rate. */
static int rate_vs(ctx *c, const char *key, const char *stem,
                   const char *xlabel, const char *split, uint16_t flag,
                   const char *what, const char *ylabel);

static int reset_vs(ctx *c, const char *key, const char *stem,
                    const char *xlabel, const char *split) {
  return rate_vs(c, key, stem, xlabel, split, REPORT_F_APP,
                 strcmp(key, "delay") == 0
                     ? "How often a read fails with a reset, against one-way "
                       "delay"
                     : "How often a read fails with a reset, against the "
                       "delayed-ACK timeout",
                 "P(read fails with a reset)");
}

static int rate_vs(ctx *c, const char *key, const char *stem,
                   const char *xlabel, const char *split, uint16_t flag,
                   const char *what, const char *ylabel) {
  const report *r = c->r;
  int pi = key_index(r, key);
  if (pi < 0) {
    char why[96];
    snprintf(why, sizeof why, "%s is not varied in this scenario", key);
    skipped(c, stem, why);
    return 0;
  }
  const param_bins *pb = &r->params[pi];
  /* times in ms; counts as they are */
  double unit = r->s.keys[pb->key].kind == HC_TIME ? 1e6 : 1;
  int si = split ? key_index(r, split) : -1;
  const param_bins *sb = si >= 0 ? &r->params[si] : NULL;
  /* one curve per profile, and per value of `split` when it is discrete
   * and has few values */
  if (sb && !(sb->bin[0].lo == sb->bin[0].hi && sb->nbins <= 6))
    sb = NULL;
  int np = r->s.nprofiles, ns = sb ? sb->nbins : 1;
  char path[1024], outfile[1024], *titles[64], *colours[64], *points[64],
      *dashes[64];
  uint64_t nmin = UINT64_MAX, nmax = 0; /* each point's n */
  FILE *f = data_file(c, stem, path, sizeof path);
  if (!f)
    return CERR("cannot write %s: %s", path, strerror(errno));
  int nc = 0, nk = r->s.nkeys;
  for (int j = 0; j < np; j++)
    for (int s = 0; s < ns && nc < 64; s++) {
      char t[128];
      if (sb) {
        char v[32];
        report_value_text(r, sb->key, sb->bin[s].lo, v, sizeof v);
        snprintf(t, sizeof t, "%s, %s %s", r->s.profiles[j], split, v);
      } else {
        snprintf(t, sizeof t, "%s", r->s.profiles[j]);
      }
      static const char *const pt[] = {"7", "5", "9", "11", "13", "4"};
      /* a curve of its own: the profile's colour, and a dash type and a
       * point type of its own among that profile's curves */
      static const char *const dt[] = {"1", "2", "4", "5", "3", "6"};
      titles[nc] = strdup(t);
      colours[nc] = strdup(plot_profile_colour(r->s.profiles[j], j));
      points[nc] = strdup(pt[s % 6]);
      dashes[nc] = strdup(dt[s % 6]);
      nc++;
      fprintf(f, "# %s: x (%s) rate low high n\n", t, xlabel);
      for (int b = 0; b < pb->nbins; b++) {
        uint64_t k = 0, n = 0;
        for (size_t i = 0; i < r->data.n; i++) {
          const double *v = &r->data.vals[i * (size_t)nk];
          if (report_bin_of(pb, v[pb->key]) != b ||
              (sb && report_bin_of(sb, v[sb->key]) != s))
            continue;
          n++;
          k += !!(r->data.o[i].f[j] & flag);
        }
        if (!n)
          continue;
        nmin = n < nmin ? n : nmin;
        nmax = n > nmax ? n : nmax;
        interval w = stats_wilson(k, n, 0.95);
        fprintf(f, "%.9g %.6f %.6f %.6f %llu\n", centre(pb, &pb->bin[b]) / unit,
                (double)k / (double)n, w.lo, w.hi, (unsigned long long)n);
      }
      fprintf(f, "\n\n");
    }
  if (data_done(c, f, path) != 0)
    return -1;
  const scn_key *k = &r->s.keys[pb->key];
  bool logx = k->dist == SCN_LOGUNIFORM ||
              (pb->nbins > 1 && pb->bin[0].lo > 0 &&
               pb->bin[pb->nbins - 1].hi / pb->bin[0].lo > 50);
  vars v = {0};
  char title[256];
  title_of(c, what, key, title, sizeof title);
  common(c, &v, 1100, 650, path, title);
  add_str(&v, "xlabel", xlabel);
  add_str(&v, "ylabel", ylabel);
  add(&v, "logx=%d; ", logx);
  add_array(&v, "T", titles, nc);
  add_array(&v, "C", colours, nc);
  add(&v, "array P[%d]; array D[%d]; ", nc, nc);
  for (int i = 0; i < nc; i++)
    add(&v, "P[%d]=%s; D[%d]=%s; ", i + 1, points[i], i + 1, dashes[i]);
  /* each point's n: beside it when the n differ by more than half
   * again (a thin bin), else their range in the legend's title */
  add(&v, "show_n=%d; ", nmax > 0 && 2 * nmax > 3 * nmin);
  char nrange[64];
  if (nmin == nmax)
    snprintf(nrange, sizeof nrange, "n = %llu per point",
             (unsigned long long)nmin);
  else
    snprintf(nrange, sizeof nrange, "n = %llu-%llu per point",
             (unsigned long long)nmin, (unsigned long long)nmax);
  add_str(&v, "nrange", nmax ? nrange : "");
  out_path(c, stem, outfile, sizeof outfile);
  int rv = run_gnuplot("reset-vs-param.gp", &v, outfile, c->err, c->cap);
  for (int i = 0; i < nc; i++) {
    free(titles[i]);
    free(colours[i]);
    free(points[i]);
    free(dashes[i]);
  }
  free(v.s);
  if (rv == 0)
    done(c, stem);
  return rv;
}

/* ---- heatmap ---- */

static int heatmap(ctx *c) {
  const report *r = c->r;
  int di = key_index(r, "delay"), ki = key_index(r, "delack");
  if (di < 0 || ki < 0) {
    skipped(c, "heatmap", "delay and delack are not both varied");
    return 0;
  }
  const param_bins *pd = &r->params[di], *pk = &r->params[ki];
  int np = r->s.nprofiles, nk = r->s.nkeys;
  char path[1024], outfile[1024], *titles[SCN_MAX_PROFILES];
  char *xl[REPORT_MAX_BINS], *yl[REPORT_MAX_BINS];
  FILE *f = data_file(c, "heatmap", path, sizeof path);
  if (!f)
    return CERR("cannot write %s: %s", path, strerror(errno));
  int nt = 0;
  for (int j = 0; j < np; j++) {
    if (r->prof[j].app_reset.k == 0)
      continue;
    titles[nt++] = strdup(r->s.profiles[j]);
    fprintf(f, "# %s: delay bin, delack bin, P(app_reset)\n", r->s.profiles[j]);
    for (int a = 0; a < pd->nbins; a++) {
      for (int b = 0; b < pk->nbins; b++) {
        uint64_t k = 0, n = 0;
        for (size_t i = 0; i < r->data.n; i++) {
          const double *v = &r->data.vals[i * (size_t)nk];
          if (report_bin_of(pd, v[pd->key]) == a &&
              report_bin_of(pk, v[pk->key]) == b) {
            n++;
            k += !!(r->data.o[i].f[j] & REPORT_F_APP);
          }
        }
        fprintf(f, "%d %d %.6f\n", a, b, n ? (double)k / (double)n : 0.0);
      }
    }
    fprintf(f, "\n\n");
  }
  if (data_done(c, f, path) != 0)
    return -1;
  if (nt == 0) {
    skipped(c, "heatmap", "no profile fails a read");
    return 0;
  }
  for (int a = 0; a < pd->nbins; a++) {
    char t[96];
    report_bin_label(r, pd, &pd->bin[a], t, sizeof t);
    xl[a] = strdup(t);
  }
  for (int b = 0; b < pk->nbins; b++) {
    char t[96];
    report_bin_label(r, pk, &pk->bin[b], t, sizeof t);
    yl[b] = strdup(t);
  }
  vars v = {0};
  char title[256];
  title_of(c,
           "How often a read fails with a reset, over delay and "
           "delayed-ACK timeout",
           "delay", title, sizeof title);
  common(c, &v, 560 * nt + 200, 620, path, title);
  add_array(&v, "T", titles, nt);
  add_array(&v, "XL", xl, pd->nbins);
  add_array(&v, "YL", yl, pk->nbins);
  out_path(c, "heatmap", outfile, sizeof outfile);
  int rv = run_gnuplot("heatmap.gp", &v, outfile, c->err, c->cap);
  for (int i = 0; i < nt; i++)
    free(titles[i]);
  for (int a = 0; a < pd->nbins; a++)
    free(xl[a]);
  for (int b = 0; b < pk->nbins; b++)
    free(yl[b]);
  free(v.s);
  if (rv == 0)
    done(c, "heatmap");
  return rv;
}

/* ---- outcomes, bytes lost, closed form ---- */

static int outcomes(ctx *c) {
  const report *r = c->r;
  char path[1024], outfile[1024];
  FILE *f = data_file(c, "outcomes", path, sizeof path);
  if (!f)
    return CERR("cannot write %s: %s", path, strerror(errno));
  fprintf(f, "# profile: fractions of conversations, disjoint: no "
             "reset; connection reset, application unaffected; read failed, "
             "no byte lost; read failed, data lost\n");
  for (int j = 0; j < r->s.nprofiles; j++) {
    uint64_t k[4] = {0};
    for (size_t i = 0; i < r->data.n; i++) {
      uint8_t fl = r->data.o[i].f[j];
      if (fl & REPORT_F_APP)
        k[(fl & REPORT_F_LOST) ? 3 : 2]++;
      else
        k[(fl & REPORT_F_RESET) ? 1 : 0]++;
    }
    double n = r->data.n ? (double)r->data.n : 1;
    fprintf(f, "\"%s\" %.6f %.6f %.6f %.6f\n", r->s.profiles[j],
            (double)k[0] / n, (double)k[1] / n, (double)k[2] / n,
            (double)k[3] / n);
  }
  if (data_done(c, f, path) != 0)
    return -1;
  vars v = {0};
  char title[256];
  title_of(c, "What became of the conversations", NULL, title, sizeof title);
  common(c, &v, 1000, 620, path, title);
  out_path(c, "outcomes", outfile, sizeof outfile);
  int rv = run_gnuplot("outcomes.gp", &v, outfile, c->err, c->cap);
  free(v.s);
  if (rv == 0)
    done(c, "outcomes");
  return rv;
}

static int bytes_lost(ctx *c) {
  const report *r = c->r;
  uint64_t top = 0;
  for (int j = 0; j < r->s.nprofiles; j++)
    top = r->prof[j].lost_max > top ? r->prof[j].lost_max : top;
  if (top == 0) {
    skipped(c, "bytes-lost", "no conversation lost data");
    return 0;
  }
  /* a round bin width (1, 2 or 5 times a power of ten), 30 bins at most */
  uint64_t w = 1;
  for (uint64_t decade = 1; top / w > 30; decade *= 10)
    for (int m = 0; m < 3 && top / w > 30; m++)
      w = decade * (uint64_t)(m == 0 ? 2 : m == 1 ? 5 : 10);
  size_t nb = (size_t)(top / w + 1);
  uint64_t *h = calloc(nb, sizeof *h);
  char path[1024], outfile[1024], *titles[SCN_MAX_PROFILES],
      *colours[SCN_MAX_PROFILES];
  FILE *f = data_file(c, "bytes-lost", path, sizeof path);
  if (!f || !h) {
    free(h);
    if (f)
      fclose(f);
    return CERR("cannot write %s: %s", path, strerror(errno));
  }
  int nt = 0;
  for (int j = 0; j < r->s.nprofiles; j++) {
    if (r->prof[j].app_reset.k == 0 && r->prof[j].lost_max == 0)
      continue;
    memset(h, 0, nb * sizeof *h);
    for (size_t i = 0; i < r->data.n; i++)
      if (r->data.o[i].lost[j])
        h[r->data.o[i].lost[j] / w]++;
    fprintf(f, "# %s: bin start (B), conversations\n", r->s.profiles[j]);
    for (size_t b = 0; b < nb; b++)
      fprintf(f, "%llu %llu\n", (unsigned long long)(b * w),
              (unsigned long long)h[b]);
    fprintf(f, "%llu 0\n\n\n", (unsigned long long)(nb * w));
    titles[nt] = strdup(r->s.profiles[j]);
    colours[nt++] = strdup(plot_profile_colour(r->s.profiles[j], j));
  }
  if (data_done(c, f, path) != 0)
    return -1;
  free(h);
  vars v = {0};
  char title[256];
  title_of(c, "Response bytes lost by the conversations that lost data", NULL,
           title, sizeof title);
  common(c, &v, 1000, 620, path, title);
  add(&v, "binwidth=%llu; ", (unsigned long long)w);
  add_array(&v, "T", titles, nt);
  add_array(&v, "C", colours, nt);
  out_path(c, "bytes-lost", outfile, sizeof outfile);
  int rv = run_gnuplot("bytes-lost.gp", &v, outfile, c->err, c->cap);
  for (int i = 0; i < nt; i++) {
    free(titles[i]);
    free(colours[i]);
  }
  free(v.s);
  if (rv == 0)
    done(c, "bytes-lost");
  return rv;
}

/*
 * The effect against the response size in full segments: the simulated
 * redundant-ACK rate, the analytic check's prediction and the simulated
 * rate on the same (in-regime) conversations, and the failed-read rate -
 * for the first profile, one point per swept response size.
 */
static int response_size(ctx *c) {
  const report *r = c->r;
  int ri = key_index(r, "response");
  if (ri < 0 || (r->s.keys[r->params[ri].key].dist != SCN_GRID &&
                 r->s.keys[r->params[ri].key].dist != SCN_CHOICE)) {
    skipped(c, "response-size", "the response size is not swept");
    return 0;
  }
  const param_bins *pb = &r->params[ri];
  int nk = r->s.nkeys;
  conv_params p0;
  tcp_profile tp;
  double v0[SCN_MAX_KEYS];
  scn_draw(&r->s, 0, &p0, v0);
  uint32_t mss = 1460;
  if (scn_profile(&r->s, r->s.profiles[0], v0, &tp, NULL, 0) == 0)
    mss = tp.mss < p0.mtu - 40 ? tp.mss : (uint32_t)(p0.mtu - 40);
  char path[1024], outfile[1024];
  FILE *f = data_file(c, "response-size", path, sizeof path);
  if (!f)
    return CERR("cannot write %s: %s", path, strerror(errno));
  /* per swept size: the conversations of the check's regime (the
   * redundant ACK and the failed read, predicted and simulated) and the
   * others (simulated only) */
  enum { RN, RPRED, RSIM, APRED, ASIM, ON, ORED, OAPP, NCOUNT };
  static uint64_t cnt[NCOUNT][REPORT_MAX_BINS];
  memset(cnt, 0, sizeof cnt);
  for (size_t i = 0; i < r->data.n; i++) {
    int b = report_bin_of(pb, r->data.vals[i * (size_t)nk + (size_t)pb->key]);
    if (b < 0)
      continue;
    int8_t code = r->data.o[i].p1[0];
    uint8_t fl = r->data.o[i].f[0];
    if (code == REPORT_P_NO || code == REPORT_P_YES) {
      cnt[RN][b]++;
      cnt[RPRED][b] += code == REPORT_P_YES;
      cnt[RSIM][b] += !!(fl & REPORT_F_REDUNDANT);
      cnt[APRED][b] += r->data.o[i].pa[0];
      cnt[ASIM][b] += !!(fl & REPORT_F_APP);
    } else {
      cnt[ON][b]++;
      cnt[ORED][b] += !!(fl & REPORT_F_REDUNDANT);
      cnt[OAPP][b] += !!(fl & REPORT_F_APP);
    }
  }
  static const struct {
    const char *what;
    int n, k;
    bool bars; /* with 95 % Wilson bars: simulated outside the regime */
  } blocks[] = {
      {"predicted redundant ACK, the check's regime: segments rate n", RN,
       RPRED, false},
      {"simulated redundant ACK, the same conversations: segments rate n", RN,
       RSIM, false},
      {"predicted failed read (app_reset), the check's regime: segments "
       "rate n",
       RN, APRED, false},
      {"simulated failed read (app_reset), the same conversations: segments "
       "rate n",
       RN, ASIM, false},
      {"simulated redundant ACK, outside the regime: segments rate lo hi n", ON,
       ORED, true},
      {"simulated failed read (app_reset), outside the regime: segments "
       "rate lo hi n",
       ON, OAPP, true}};
  int nonempty[6] = {0};
  for (int blk = 0; blk < 6; blk++) {
    fprintf(f, "# %s, %s\n", r->s.profiles[0], blocks[blk].what);
    for (int b = 0; b < pb->nbins; b++) {
      double seg = pb->bin[b].lo / mss;
      uint64_t n = cnt[blocks[blk].n][b], k = cnt[blocks[blk].k][b];
      if (!n)
        continue;
      nonempty[blk] = 1;
      interval w = stats_wilson(k, n, 0.95);
      if (!blocks[blk].bars)
        fprintf(f, "%.4f %.6f %llu\n", seg, (double)k / (double)n,
                (unsigned long long)n);
      else
        fprintf(f, "%.4f %.6f %.6f %.6f %llu\n", seg, (double)k / (double)n,
                w.lo, w.hi, (unsigned long long)n);
    }
    if (!nonempty[blk]) /* gnuplot needs a point in every block */
      fprintf(f, "NaN NaN NaN NaN 0\n");
    fprintf(f, "\n\n");
  }
  if (data_done(c, f, path) != 0)
    return -1;
  vars v = {0};
  char title[256], lab[128];
  snprintf(lab, sizeof lab,
           "Redundant ACKs and failed reads against the response size, %s",
           r->s.profiles[0]);
  title_of(c, lab, "response", title, sizeof title);
  common(c, &v, 1100, 650, path, title);
  snprintf(lab, sizeof lab, "response size (full segments of %u B)", mss);
  add_str(&v, "xlabel", lab);
  add_str(&v, "colour", plot_profile_colour(r->s.profiles[0], 0));
  add(&v, "have_regime=%d; have_other=%d; ", nonempty[0], nonempty[4]);
  out_path(c, "response-size", outfile, sizeof outfile);
  int rv = run_gnuplot("response-size.gp", &v, outfile, c->err, c->cap);
  free(v.s);
  if (rv == 0)
    done(c, "response-size");
  return rv;
}

static int make_dir(const char *path) {
  return mkdir(path, 0777) == 0 || errno == EEXIST ? 0 : -1;
}

/* The races' graphs: how often a request fails (its response never read
 * whole) against the gap between requests, the time from the response
 * to the server's close, and the one-way delay. */
static int request_failed(ctx *c) {
  static const struct {
    const char *key, *xlabel, *what;
  } g[] = {
      {"gap", "gap before the next request (ms)",
       "How often a request fails, against the gap before it"},
      {"close_delay", "from the response written to the close (ms)",
       "How often a request fails, against the time to the server's close"},
      {"delay", "one-way delay (ms)",
       "How often a request fails, against one-way delay"},
  };
  for (size_t i = 0; i < sizeof g / sizeof g[0]; i++) {
    char stem[64];
    snprintf(stem, sizeof stem, "request-failed-vs-%s", g[i].key);
    if (!scn_is_race(&c->r->s)) {
      skipped(c, stem, "one request and a plain close: the article's race");
      continue;
    }
    if (rate_vs(c, g[i].key, stem, g[i].xlabel, NULL, REPORT_F_REQFAIL,
                g[i].what, "P(a request fails)"))
      return -1;
  }
  return 0;
}

/* A [path]'s graph: how often a read fails against the cross traffic on
 * the routers' links, per queue disc when it varies. */
static int path_graph(ctx *c) {
  return rate_vs(c, "cross_flows", "reset-vs-cross-traffic",
                 "cross-traffic flows on the links between routers", "qdisc",
                 REPORT_F_APP,
                 "How often a read fails with a reset, against the cross "
                 "traffic on a shared bottleneck",
                 "P(read fails with a reset)");
}

int plot_store(const report *r, const char *dir, const char *format, FILE *log,
               char *err, size_t cap) {
  if (strcmp(format, "png") && strcmp(format, "svg") && strcmp(format, "pdf"))
    return ERR("format %s: expected png, svg or pdf", format);
  ctx c = {r, dir, format, "", log, err, cap};
  snprintf(c.datadir, sizeof c.datadir, "%s/data", dir);
  if (make_dir(dir) != 0 || make_dir(c.datadir) != 0)
    return ERR("cannot create %s: %s", c.datadir, strerror(errno));
  if (reset_vs(&c, "delay", "reset-vs-delay", "one-way delay (ms)", "delack") ||
      reset_vs(&c, "delack", "reset-vs-delack", "delayed-ACK timeout (ms)",
               NULL) ||
      heatmap(&c) || outcomes(&c) || bytes_lost(&c) || response_size(&c) ||
      request_failed(&c) || path_graph(&c))
    return -1;
  return 0;
}

/* ---- the ladder diagram ---- */

/* One row per segment sent and per timer or state event, in time order,
 * as the article draws its trace; the time stands at the left of each
 * row. A lost segment's arrow stops halfway. */
int plot_ladder(const ladder *l, const char *path, const char *title, char *err,
                size_t cap) {
  const char *dot = strrchr(path, '.');
  const char *fmt = dot ? dot + 1 : "";
  if (strcmp(fmt, "png") && strcmp(fmt, "svg") && strcmp(fmt, "pdf"))
    return ERR("%s: the ladder's file name must end in .png, .svg or .pdf",
               path);
  char data[] = "/tmp/halfclose-ladder-XXXXXX";
  int fd = mkstemp(data);
  if (fd < 0)
    return ERR("cannot create a temporary file: %s", strerror(errno));
  FILE *f = fdopen(fd, "w");
  const ladder_seg *s;
  const ladder_mark *m;
  size_t n = ladder_segments(l, &s), nm = ladder_marks(l, &m);
  /* merge segments and marks by time: rows */
  size_t i = 0, k = 0, rows = 0;
  FILE *segs = tmpfile(), *marks = tmpfile(), *times = tmpfile();
  if (!f || !segs || !marks || !times) {
    if (f)
      fclose(f);
    unlink(data);
    return ERR("cannot write temporary files: %s", strerror(errno));
  }
  while (i < n || k < nm) {
    bool seg = k >= nm || (i < n && s[i].time_ns <= m[k].time_ns);
    uint64_t t = seg ? s[i].time_ns : m[k].time_ns;
    fprintf(times, "-0.62 %zu \"%.3f ms\"\n", rows, (double)t / 1e6);
    if (seg) {
      const ladder_seg *g = &s[i++];
      bool lost = g->recv_ns < 0;
      double x0 = g->from, dx = (g->from ? -1.0 : 1.0) * (lost ? 0.5 : 1.0);
      double dy = lost ? 0.4 : 0.8;
      bool alert = g->mark != 0;
      unsigned colour = alert ? 0xD55E00 : g->from ? 0x333333 : 0x0072B2;
      char fl[32], label[128];
      tcp_flags_str(g->flags, fl, sizeof fl);
      const char *note = g->mark == LADDER_REDUNDANT_ACK ? "  <- redundant ACK"
                         : g->mark == LADDER_ITS_RST     ? "  <- its reset"
                         : g->mark == LADDER_RST_CAUSE ? "  <- draws the reset"
                         : lost                        ? "  (lost)"
                                                       : "";
      if (g->len)
        snprintf(label, sizeof label, "%s %u:%u ack %u%s", fl, g->seq,
                 g->seq + g->len, g->ack, note);
      else
        snprintf(label, sizeof label, "%s seq %u ack %u%s", fl, g->seq, g->ack,
                 note);
      fprintf(segs, "%.3f %zu %.3f %.3f %u \"%s\" %.3f %.3f\n", x0, rows, dx,
              dy, colour, label, x0 + dx / 2, (double)rows + dy / 2 - 0.34);
    } else {
      const ladder_mark *x = &m[k++];
      char text[64];
      unsigned colour = 0x555555;
      if (x->type == TCP_EV_STATE) {
        snprintf(text, sizeof text, "%s", tcp_state_name(x->to));
      } else if (x->type == TCP_EV_TIMER_ARM) {
        snprintf(text, sizeof text, "delayed ACK armed");
        colour = 0xE69F00;
      } else {
        snprintf(text, sizeof text, "delayed ACK fires");
        colour = 0xD55E00;
      }
      fprintf(marks, "%d %zu \"%s\" %u\n", x->side, rows, text, colour);
    }
    rows++;
  }
  FILE *parts[3] = {segs, marks, times};
  for (int p = 0; p < 3; p++) {
    rewind(parts[p]);
    int ch;
    while ((ch = fgetc(parts[p])) != EOF)
      fputc(ch, f);
    fclose(parts[p]);
    fputs("\n\n", f);
  }
  fclose(f);
  vars v = {0};
  add_str(&v, "term", fmt);
  int height = 160 + 24 * (int)rows;
  add(&v, "width=%d; height=%d; rows=%zu; ", 1000,
      height > 12000 ? 12000 : height, rows);
  add_str(&v, "datafile", data);
  add_str(&v, "title", title);
  int rv = run_gnuplot("ladder.gp", &v, path, err, cap);
  free(v.s);
  unlink(data);
  return rv;
}
