/*
 * report_write.c - the report in Markdown, self-contained HTML, or JSON.
 *
 * Markdown and HTML share one writer (a heading, a paragraph, a table, a
 * block of text, an image), so they say the same; JSON is written apart
 * and carries every number.
 */
/* realpath() is XSI in glibc's headers */
#define _XOPEN_SOURCE 700
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "report_data.h"

typedef struct doc {
  FILE *f;
  report_format fmt;
  const char *out_path; /* the report's file, or NULL (standard output) */
} doc;

/* The directory of `path` made absolute into buf ("." for a bare name);
 * false if it does not resolve. */
static bool abs_dir(const char *path, bool is_dir, char *buf, size_t cap) {
  char d[PATH_MAX];
  snprintf(d, sizeof d, "%s", path);
  if (!is_dir) {
    char *slash = strrchr(d, '/');
    if (!slash)
      snprintf(d, sizeof d, ".");
    else if (slash == d)
      d[1] = 0;
    else
      *slash = 0;
  }
  char real[PATH_MAX];
  if (!realpath(d, real))
    return false;
  snprintf(buf, cap, "%s", real);
  return true;
}

/* The link to plots `dir`/`file` from where the report is written: a
 * path relative to the report file's directory, so the graphs show when
 * the file is opened wherever the command ran; as given when the report
 * goes to standard output (relative to the current directory). */
static void link_path(const doc *d, const char *dir, const char *file,
                      char *buf, size_t cap) {
  char from[PATH_MAX], to[PATH_MAX];
  if (!d->out_path || !abs_dir(d->out_path, false, from, sizeof from) ||
      !abs_dir(dir, true, to, sizeof to)) {
    snprintf(buf, cap, "%s/%s", dir, file);
    return;
  }
  /* the longest common prefix that ends at a component boundary */
  size_t common = 0;
  for (size_t i = 0; from[i] && from[i] == to[i]; i++)
    if (from[i + 1] == 0 || from[i + 1] == '/')
      if (to[i + 1] == 0 || to[i + 1] == '/')
        common = i + 1;
  size_t n = 0;
  buf[0] = 0;
  for (const char *c = from + common; *c; c++) /* up from the report */
    if (*c == '/')
      n += (size_t)snprintf(buf + n, n < cap ? cap - n : 0, "../");
  const char *rest = to + common;
  while (*rest == '/')
    rest++;
  if (n >= cap || snprintf(buf + n, cap - n, "%s%s%s", rest, *rest ? "/" : "",
                           file) >= (int)(cap - n))
    snprintf(buf, cap, "%s/%s", dir, file); /* too long: as given */
}

static void esc(doc *d, const char *s) {
  if (d->fmt != REPORT_HTML) {
    fputs(s, d->f);
    return;
  }
  for (; *s; s++) {
    switch (*s) {
    case '<':
      fputs("&lt;", d->f);
      break;
    case '>':
      fputs("&gt;", d->f);
      break;
    case '&':
      fputs("&amp;", d->f);
      break;
    default:
      fputc(*s, d->f);
    }
  }
}

/* Prose in HTML: every word that holds a digit (a number, an interval's
 * end, a p-value, a profile name such as nt351-sp) kept on one line. */
static void esc_prose(doc *d, const char *s) {
  if (d->fmt != REPORT_HTML) {
    fputs(s, d->f);
    return;
  }
  char word[256];
  while (*s) {
    if (*s == ' ' || *s == '\n') {
      fputc(*s++, d->f);
      continue;
    }
    size_t n = 0;
    bool digit = false;
    while (s[n] && s[n] != ' ' && s[n] != '\n')
      digit |= s[n] >= '0' && s[n] <= '9', n++;
    if (digit && n < sizeof word) {
      memcpy(word, s, n);
      word[n] = 0;
      fputs("<span class=\"n\">", d->f);
      esc(d, word);
      fputs("</span>", d->f);
    } else {
      for (size_t i = 0; i < n; i++) {
        char c[2] = {s[i], 0};
        esc(d, c);
      }
    }
    s += n;
  }
}

/* An anchor for a heading: lower case, words joined by '-'. */
static void anchor(const char *text, char *buf, size_t cap) {
  size_t n = 0;
  bool dash = false;
  for (const char *c = text; *c && n + 2 < cap; c++) {
    char ch = *c;
    if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
      buf[n++] = ch;
      dash = false;
    } else if (ch >= 'A' && ch <= 'Z') {
      buf[n++] = (char)(ch - 'A' + 'a');
      dash = false;
    } else if (n && !dash) {
      buf[n++] = '-';
      dash = true;
    }
  }
  while (n && buf[n - 1] == '-')
    n--;
  buf[n] = 0;
}

static void heading(doc *d, int level, const char *text) {
  if (d->fmt == REPORT_HTML) {
    char id[128];
    anchor(text, id, sizeof id);
    fprintf(d->f, "<h%d id=\"%s\">", level, id);
    esc(d, text);
    fprintf(d->f, "</h%d>\n", level);
  } else {
    fprintf(d->f, "\n%.*s %s\n\n", level, "######", text);
  }
}

/* A block of text: an HTML element, or Markdown with a prefix. */
static void block(doc *d, const char *tag, const char *md_prefix,
                  const char *text) {
  if (d->fmt == REPORT_HTML) {
    fprintf(d->f, "<%s>", tag);
    if (strcmp(tag, "pre") == 0)
      esc(d, text);
    else
      esc_prose(d, text);
    fprintf(d->f, "</%s>\n", tag);
  } else {
    fprintf(d->f, "%s%s\n\n", md_prefix, text);
  }
}

static void para(doc *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void para(doc *d, const char *fmt, ...) {
  char buf[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  block(d, "p", "", buf);
}

static void quote(doc *d, const char *text) {
  block(d, "blockquote", "> ", text);
}

static void pre(doc *d, const char *text) {
  if (d->fmt == REPORT_HTML) {
    block(d, "pre", "", text);
    return;
  }
  fprintf(d->f, "```ini\n%s%s```\n\n", text,
          text[0] && text[strlen(text) - 1] == '\n' ? "" : "\n");
}

static void row(doc *d, int n, char cells[][160], bool head) {
  if (d->fmt == REPORT_HTML) {
    fputs("<tr>", d->f);
    for (int i = 0; i < n; i++) {
      fputs(head ? "<th>" : "<td>", d->f);
      esc(d, cells[i]);
      fputs(head ? "</th>" : "</td>", d->f);
    }
    fputs("</tr>\n", d->f);
    return;
  }
  fputs("|", d->f);
  for (int i = 0; i < n; i++)
    fprintf(d->f, " %s |", cells[i]);
  fputs("\n", d->f);
  if (head) {
    fputs("|", d->f);
    for (int i = 0; i < n; i++)
      fputs("---|", d->f);
    fputs("\n", d->f);
  }
}

/* In HTML a table scrolls inside its own box on a narrow screen; a long
 * one is folded (write_doc counts its rows). */
static void table_begin(doc *d) {
  if (d->fmt == REPORT_HTML)
    fputs("<div class=\"tbl\"><table>\n", d->f);
}

static void table_end(doc *d) {
  fputs(d->fmt == REPORT_HTML ? "</table></div>\n" : "\n", d->f);
}

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Embed (HTML, base64 data URI) or link (Markdown) a plot if it exists. */
static bool image(doc *d, const char *dir, const char *file,
                  const char *caption) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  FILE *f = fopen(path, "rb");
  if (!f)
    return false;
  if (d->fmt != REPORT_HTML) {
    fclose(f);
    char link[PATH_MAX + 64];
    link_path(d, dir, file, link, sizeof link);
    fprintf(d->f, "![%s](%s)\n\n", caption, link);
    return true;
  }
  const char *dot = strrchr(file, '.');
  const char *mime =
      dot && strcmp(dot, ".svg") == 0 ? "image/svg+xml" : "image/png";
  fprintf(d->f, "<figure><img alt=\"%s\" src=\"data:%s;base64,", caption, mime);
  unsigned char in[3];
  size_t n;
  while ((n = fread(in, 1, 3, f)) > 0) {
    unsigned v = (unsigned)in[0] << 16 | (n > 1 ? (unsigned)in[1] << 8 : 0) |
                 (n > 2 ? in[2] : 0);
    fputc(b64[v >> 18 & 63], d->f);
    fputc(b64[v >> 12 & 63], d->f);
    fputc(n > 1 ? b64[v >> 6 & 63] : '=', d->f);
    fputc(n > 2 ? b64[v & 63] : '=', d->f);
  }
  fclose(f);
  fprintf(d->f, "\"><figcaption>");
  esc(d, caption);
  fprintf(d->f, "</figcaption></figure>\n");
  return true;
}

/* ---- number formats ---- */

static void pct(double p, char *buf, size_t cap) {
  double v = p * 100;
  if (v == 0)
    snprintf(buf, cap, "0");
  else if (v >= 1)
    snprintf(buf, cap, "%.2f", v);
  else
    snprintf(buf, cap, "%.2g", v);
}

/* With no event in n trials, the exact one-sided 95 % upper bound on the
 * rate: the p at which seeing none has probability 0.05, 1 - 0.05^(1/n)
 * (Clopper-Pearson's one-sided bound at k = 0). The two-sided interval's
 * upper end (exact.hi) is a 97.5 % one-sided bound. */
static double zero_bound(uint64_t n) {
  return n ? -expm1(log(0.05) / (double)n) : 1;
}

static void rate_text(const rate *r, char *buf, size_t cap) {
  char a[32], b[32], c[32];
  if (r->n == 0) {
    snprintf(buf, cap, "-");
    return;
  }
  if (r->k == 0) {
    pct(zero_bound(r->n), a, sizeof a);
    snprintf(buf, cap, "0 of %llu (<= %s %%)", (unsigned long long)r->n, a);
    return;
  }
  pct(r->p, a, sizeof a);
  pct(r->wilson.lo, b, sizeof b);
  pct(r->wilson.hi, c, sizeof c);
  snprintf(buf, cap, "%s %% [%s, %s]", a, b, c);
}

static void exact_text(const rate *r, char *buf, size_t cap) {
  char b[32], c[32];
  pct(r->exact.lo, b, sizeof b);
  pct(r->exact.hi, c, sizeof c);
  snprintf(buf, cap, "%llu/%llu [%s, %s] %%", (unsigned long long)r->k,
           (unsigned long long)r->n, b, c);
}

static void p_text(double p, char *buf, size_t cap) {
  if (p < 1e-300)
    snprintf(buf, cap, "< 1e-300");
  else if (p < 0.001)
    snprintf(buf, cap, "%.2e", p);
  else
    snprintf(buf, cap, "%.3f", p);
}

static const char *dist_name(scn_dist d) {
  static const char *const n[] = {"constant", "uniform",     "loguniform",
                                  "normal",   "exponential", "choice",
                                  "grid"};
  return n[d];
}

/* ---- sections ---- */

static const char *verdict_of(const profile_stats *p0, const profile_stats *pj,
                              const mcnemar *m) {
  if (pj->app_reset.k == 0 && p0->app_reset.k > 0 && m->p_exact < 0.05)
    return "removes the failed reads";
  if (m->p_exact < 0.05 && m->diff > 0)
    return "fails reads significantly less often";
  if (m->p_exact < 0.05)
    return "fails reads significantly MORE often";
  return "shows no significant difference in failed reads";
}

/* A profile's name and its chain's rates: the first six cells of the
 * headline's table and of the outcomes table. */
static void chain_cells(const profile_stats *ps, char cells[][160]) {
  snprintf(cells[0], 160, "%s", ps->name);
  rate_text(&ps->app_reset, cells[1], 160);
  rate_text(&ps->lost_any, cells[2], 160);
  rate_text(&ps->redundant_ack, cells[3], 160);
  rate_text(&ps->server_rst, cells[4], 160);
  rate_text(&ps->conn_reset, cells[5], 160);
}

static const char *req_verdict(const profile_stats *p0, const profile_stats *pj,
                               const mcnemar *m) {
  if (pj->req_failed.k == 0 && p0->req_failed.k > 0 && m->p_exact < 0.05)
    return "removes the failed requests";
  if (m->p_exact < 0.05 && m->diff > 0)
    return "fails requests significantly less often";
  if (m->p_exact < 0.05)
    return "fails requests significantly MORE often";
  return "shows no significant difference in failed requests";
}

/* A race beyond the article's (scn_is_race): its measure first, the
 * failed request, per profile and paired. */
static void headline_race(doc *d, const report *r) {
  const scenario *s = &r->s;
  para(d, "This scenario is a teardown race beyond the article's; its "
          "measure is the failed request, one whose response the client "
          "never read whole (a reset, or the end of the stream before "
          "it). The chain of the article's race follows it.");
  for (int j = 0; j < s->nprofiles; j++) {
    const profile_stats *ps = &r->prof[j];
    char a[128];
    rate_text(&ps->req_failed, a, sizeof a);
    para(d,
         "Under %s, conversations with a failed request: %s; requests "
         "failed: %llu of %llu; connections opened: %llu; requests sent "
         "again: %llu.",
         ps->name, a, (unsigned long long)ps->requests_failed,
         (unsigned long long)ps->requests, (unsigned long long)ps->connections,
         (unsigned long long)ps->retries);
    if (ps->retry_failed)
      para(d,
           "Under %s, the retry did not remove the failure in %llu "
           "conversations: a request failed although the client had sent "
           "requests again on a new connection - the new connection met "
           "the race again.",
           ps->name, (unsigned long long)ps->retry_failed);
  }
  const profile_stats *p0 = &r->prof[0];
  for (int i = 0; i < r->npairs; i++) {
    const pair_stats *pp = &r->pair[i];
    const profile_stats *pj = &r->prof[pp->j];
    char p[32];
    p_text(pp->reqfail_test.p_exact, p, sizeof p);
    para(d,
         "Verdict on requests: %s %s. On the same conversations, a request "
         "failed under %s only in %llu and under %s only in %llu (exact "
         "McNemar test, p %s%s).",
         pj->name, req_verdict(p0, pj, &pp->reqfail_test), p0->name,
         (unsigned long long)pp->reqfail.b, pj->name,
         (unsigned long long)pp->reqfail.c,
         pp->reqfail_test.p_exact < 1e-300 ? "" : "= ", p);
  }
}

static void headline(doc *d, const report *r) {
  const scenario *s = &r->s;
  heading(d, 2, "Headline");
  char a[128], b[128], c[128], e[128], f[128], g[32], p[32];
  para(d,
       "%llu conversations, each run under every profile with the same "
       "parameters (common random numbers). Rates are of conversations, "
       "with 95 %% Wilson intervals.",
       (unsigned long long)r->n);
  if (scn_is_race(s))
    headline_race(d, r);
  for (int j = 0; j < s->nprofiles; j++) {
    const profile_stats *ps = &r->prof[j];
    if (!ps->app_reset.k && !ps->lost_any.k && !ps->redundant_ack.k &&
        !ps->server_rst.k && !ps->conn_reset.k) {
      char top[32];
      pct(zero_bound(ps->app_reset.n), top, sizeof top);
      para(d,
           "Under %s, no read failed, no data was lost, the client sent no "
           "redundant ACK, the server no RST, and no RST closed the "
           "client's connection: 0 of %llu each (<= %s %%, the exact "
           "one-sided 95 %% upper bound).",
           ps->name, (unsigned long long)ps->app_reset.n, top);
      continue;
    }
    rate_text(&ps->app_reset, a, sizeof a);
    rate_text(&ps->lost_any, b, sizeof b);
    rate_text(&ps->redundant_ack, c, sizeof c);
    rate_text(&ps->server_rst, e, sizeof e);
    rate_text(&ps->conn_reset, f, sizeof f);
    snprintf(g, sizeof g, "%llu", (unsigned long long)ps->reset_after_close.k);
    /* the resets while the application still read: the ones that could
     * do harm, and how many did (a stack that lets the application read
     * its data after a reset - BSD's - loses nothing to them) */
    uint64_t reading = ps->conn_reset.k - ps->reset_after_close.k;
    char during[200];
    if (ps->app_reset.k)
      snprintf(during, sizeof during,
               "; the other %llu came while it was still reading",
               (unsigned long long)reading);
    else
      snprintf(during, sizeof during,
               "; the other %llu came while it was still reading, and none "
               "of them made a read fail (this profile lets the "
               "application read its data after a reset)",
               (unsigned long long)reading);
    char per[96] = "";
    if (ps->lost_any.k)
      snprintf(per, sizeof per,
               " (%.0f bytes per such conversation on average)",
               ps->lost_mean_affected);
    para(d,
         "Under %s, the client application's read failed with a reset "
         "before it had the whole response (the KB symptom) in %s; the "
         "client lost response data it had received in %s%s. Behind it: the "
         "client sent a "
         "redundant ACK after its ACK of the server's FIN in %s, the server "
         "answered with a RST in %s, and a RST closed the client's "
         "connection in %s%s%s%s%s.",
         ps->name, a, b, per, c, e, f, ps->conn_reset.k ? ", " : "",
         ps->conn_reset.k ? g : "",
         ps->conn_reset.k ? " of them after the application had already "
                            "closed (harmless: they only end TIME-WAIT "
                            "early)"
                          : "",
         ps->conn_reset.k ? during : "");
  }
  const profile_stats *p0 = &r->prof[0];
  for (int i = 0; i < r->npairs; i++) {
    const pair_stats *pp = &r->pair[i];
    const profile_stats *pj = &r->prof[pp->j];
    p_text(pp->symptom_test.p_exact, p, sizeof p);
    char q1[32], q2[32];
    p_text(pp->lost_test.p_exact, q1, sizeof q1);
    p_text(pp->reset_test.p_exact, q2, sizeof q2);
    para(d,
         "Verdict: %s %s. On the same conversations, %llu reads failed "
         "under %s only and %llu under %s only (exact McNemar test, p %s%s). "
         "Data was lost under %s only in %llu and under %s only in %llu (p "
         "%s%s); the connection was reset under %s only in %llu and under "
         "%s only in %llu (p %s%s).",
         pj->name, verdict_of(p0, pj, &pp->symptom_test),
         (unsigned long long)pp->symptom.b, p0->name,
         (unsigned long long)pp->symptom.c, pj->name,
         pp->symptom_test.p_exact < 1e-300 ? "" : "= ", p, p0->name,
         (unsigned long long)pp->lost.b, pj->name,
         (unsigned long long)pp->lost.c,
         pp->lost_test.p_exact < 1e-300 ? "" : "= ", q1, p0->name,
         (unsigned long long)pp->reset.b, pj->name,
         (unsigned long long)pp->reset.c,
         pp->reset_test.p_exact < 1e-300 ? "" : "= ", q2);
  }
  char cells[9][160];
  table_begin(d);
  const char *head[] = {"profile",
                        "read failed (app_reset)",
                        "lost data (bytes_lost > 0)",
                        "redundant ACK",
                        "server RST",
                        "connection reset (conn_reset)",
                        "of which after close"};
  for (int i = 0; i < 7; i++)
    snprintf(cells[i], sizeof cells[i], "%s", head[i]);
  row(d, 7, cells, true);
  for (int j = 0; j < s->nprofiles; j++) {
    const profile_stats *ps = &r->prof[j];
    chain_cells(ps, cells);
    snprintf(cells[6], sizeof cells[6], "%llu",
             (unsigned long long)ps->reset_after_close.k);
    row(d, 7, cells, false);
  }
  table_end(d);
  if (r->npairs == 0)
    return;
  para(d,
       "Paired comparisons with %s (per profile: the failed read, the lost "
       "data, the connection reset):",
       p0->name);
  table_begin(d);
  const char *h2[] = {"against",
                      "outcome",
                      "both",
                      "first only",
                      "second only",
                      "neither",
                      "difference [95 % CI]",
                      "McNemar p (mid-p)"};
  for (int i = 0; i < 8; i++)
    snprintf(cells[i], sizeof cells[i], "%s", h2[i]);
  row(d, 8, cells, true);
  static const char *const oname[] = {"read failed (app_reset)", "lost data",
                                      "connection reset"};
  for (int i = 0; i < r->npairs; i++)
    for (int o = 0; o < 3; o++) {
      const pair_stats *pp = &r->pair[i];
      const paired *t = o == 0 ? &pp->symptom : o == 1 ? &pp->lost : &pp->reset;
      const mcnemar *m = o == 0   ? &pp->symptom_test
                         : o == 1 ? &pp->lost_test
                                  : &pp->reset_test;
      char x[32], y[32], z[32], q1[32], q2[32];
      snprintf(cells[0], sizeof cells[0], "%s", r->prof[pp->j].name);
      snprintf(cells[1], sizeof cells[1], "%s", oname[o]);
      snprintf(cells[2], sizeof cells[2], "%llu", (unsigned long long)t->a);
      snprintf(cells[3], sizeof cells[3], "%llu", (unsigned long long)t->b);
      snprintf(cells[4], sizeof cells[4], "%llu", (unsigned long long)t->c);
      snprintf(cells[5], sizeof cells[5], "%llu", (unsigned long long)t->d);
      pct(m->diff, x, sizeof x);
      pct(m->ci.lo, y, sizeof y);
      pct(m->ci.hi, z, sizeof z);
      snprintf(cells[6], sizeof cells[6], "%s %% [%s, %s]", x, y, z);
      p_text(m->p_exact, q1, sizeof q1);
      p_text(m->p_mid, q2, sizeof q2);
      snprintf(cells[7], sizeof cells[7], "%s (%s)", q1, q2);
      row(d, 8, cells, false);
    }
  table_end(d);
}

static void scenario_section(doc *d, const report *r) {
  const scenario *s = &r->s;
  heading(d, 2, "The scenario");
  quote(d, s->question[0] ? s->question : "(no question stated)");
  char profs[512] = "";
  for (int j = 0; j < s->nprofiles; j++) {
    strncat(profs, s->profiles[j], sizeof profs - strlen(profs) - 1);
    if (j + 1 < s->nprofiles)
      strncat(profs, ", ", sizeof profs - strlen(profs) - 1);
  }
  para(d,
       "Scenario %s (%s), seed %llu, %llu grid cell%s, %llu of %llu planned "
       "conversations complete, profiles %s; server profile %s. halfclose "
       "%s on %s, started %s, finished %s. Store: %s.",
       s->name, s->path, (unsigned long long)s->seed,
       (unsigned long long)s->cells, s->cells == 1 ? "" : "s",
       (unsigned long long)r->n, (unsigned long long)r->planned, profs,
       s->server_profile[0] ? s->server_profile : "as the client's", r->version,
       r->host, r->started, r->finished[0] ? r->finished : "(not finished)",
       r->store_path);
  if (r->stopping[0])
    para(d,
         "Sizing: %s. Stopping only at block boundaries keeps the "
         "estimate from chasing its own noise, but intervals after a "
         "data-dependent stop cover a little less than nominal; read "
         "them as approximate.",
         r->stopping);
  else
    para(d, "Sizing: fixed in advance (no sequential stopping).");
  if (s->nuser) {
    para(d, "Profiles this scenario defines: a built-in base, then the "
            "[tcp] keys every profile shares, then the profile's own knobs.");
    char cells[3][160];
    table_begin(d);
    snprintf(cells[0], sizeof cells[0], "profile");
    snprintf(cells[1], sizeof cells[1], "base");
    snprintf(cells[2], sizeof cells[2], "knobs");
    row(d, 3, cells, true);
    for (int i = 0; i < s->nuser; i++) {
      const scn_user_profile *u = &s->user[i];
      snprintf(cells[0], sizeof cells[0], "%s", u->name);
      snprintf(cells[1], sizeof cells[1], "%s", u->base);
      cells[2][0] = 0;
      for (int k = 0; k < u->nover; k++) {
        size_t n = strlen(cells[2]);
        snprintf(cells[2] + n, sizeof cells[2] - n, "%s%s = %s", k ? ", " : "",
                 u->knob[k], u->value[k]);
      }
      if (!u->nover)
        snprintf(cells[2], sizeof cells[2], "(none: the base as it is)");
      row(d, 3, cells, false);
    }
    table_end(d);
  }
  pre(d, s->text);
}

/* Persistent conversations: the requests that failed (their response was
 * never read whole), shown when some conversation had more than one. */
static void exchanges(doc *d, const report *r) {
  const scenario *s = &r->s;
  bool many = scn_is_race(s);
  for (int j = 0; j < s->nprofiles; j++)
    many = many || r->prof[j].requests > r->prof[j].req_failed.n ||
           r->prof[j].connections > r->prof[j].req_failed.n;
  if (!many)
    return;
  int np = s->nprofiles;
  heading(d, 3, "Requests on the connection");
  para(d,
       "Each conversation's requests, on one connection or more (the "
       "client opens another when one failed, was idle past "
       "reuse_timeout, or to resend with retry); a request failed when the "
       "client never read its response whole (requests_failed); how: "
       "given up when a read on its connection returned connection reset "
       "(failed_reset), or at the end of the stream before its response "
       "(failed_eof; the rest were never answered within the time limit). "
       "The last column tests a failed "
       "request of %s against each other profile on the same "
       "conversations (exact McNemar, the difference with Newcombe's "
       "interval).",
       np > 1 ? s->profiles[0] : "-");
  char cells[9][160];
  table_begin(d);
  const char *h[] = {"profile",
                     "requests",
                     "failed",
                     "failed at a reset",
                     "failed at end of stream",
                     "conversations with a failed request",
                     "connections opened",
                     "requests sent again (retry)",
                     "paired: difference [95 % CI], McNemar p"};
  int nc = np > 1 ? 9 : 8;
  for (int i = 0; i < nc; i++)
    snprintf(cells[i], sizeof cells[i], "%s", h[i]);
  row(d, nc, cells, true);
  for (int j = 0; j < np; j++) {
    const profile_stats *ps = &r->prof[j];
    snprintf(cells[0], sizeof cells[0], "%s", ps->name);
    snprintf(cells[1], sizeof cells[1], "%llu",
             (unsigned long long)ps->requests);
    snprintf(cells[2], sizeof cells[2], "%llu",
             (unsigned long long)ps->requests_failed);
    snprintf(cells[3], sizeof cells[3], "%llu",
             (unsigned long long)ps->failed_reset);
    snprintf(cells[4], sizeof cells[4], "%llu",
             (unsigned long long)ps->failed_eof);
    rate_text(&ps->req_failed, cells[5], sizeof cells[5]);
    snprintf(cells[6], sizeof cells[6], "%llu",
             (unsigned long long)ps->connections);
    snprintf(cells[7], sizeof cells[7], "%llu",
             (unsigned long long)ps->retries);
    if (j == 0)
      snprintf(cells[8], sizeof cells[8], "-");
    else {
      const pair_stats *pp = &r->pair[j - 1];
      char p1[32];
      p_text(pp->reqfail_test.p_exact, p1, sizeof p1);
      snprintf(cells[8], sizeof cells[8], "%.2f %% [%.2f, %.2f], p %s",
               100 * pp->reqfail_test.diff, 100 * pp->reqfail_test.ci.lo,
               100 * pp->reqfail_test.ci.hi, p1);
    }
    row(d, nc, cells, false);
  }
  table_end(d);
}

/* The server's RSTs by their mechanism (reset_cause): the causes no
 * profile had are left out. */
static void rst_causes(doc *d, const report *r) {
  const scenario *s = &r->s;
  int cols[CONV_NCAUSES], nc = 0;
  for (int c = 1; c < CONV_NCAUSES; c++) {
    bool any = false;
    for (int j = 0; j < s->nprofiles; j++)
      any = any || r->prof[j].rst_cause[c] > 0;
    if (any)
      cols[nc++] = c;
  }
  heading(d, 3, "The server's RSTs by cause");
  para(d, "Conversations whose server sent a RST, by the mechanism of its "
          "first (reset_cause): redundant_ack answers the client's "
          "redundant ACK (KB Q152474); no_connection another segment that "
          "reached no connection; close_unread a close with unread data; "
          "abort, data_after_close, other (the handshake) and unknown (an "
          "end that does not trace its reasons) the rest.");
  char cells[CONV_NCAUSES + 2][160];
  table_begin(d);
  snprintf(cells[0], sizeof cells[0], "profile");
  snprintf(cells[1], sizeof cells[1], "server RST");
  for (int i = 0; i < nc; i++)
    snprintf(cells[2 + i], sizeof cells[2 + i], "%s",
             conv_reset_cause_name(cols[i]));
  row(d, 2 + nc, cells, true);
  for (int j = 0; j < s->nprofiles; j++) {
    const profile_stats *ps = &r->prof[j];
    snprintf(cells[0], sizeof cells[0], "%s", ps->name);
    snprintf(cells[1], sizeof cells[1], "%llu",
             (unsigned long long)ps->server_rst.k);
    for (int i = 0; i < nc; i++)
      snprintf(cells[2 + i], sizeof cells[2 + i], "%llu",
               (unsigned long long)ps->rst_cause[cols[i]]);
    row(d, 2 + nc, cells, false);
  }
  table_end(d);
}

/* Where datagrams were lost on the way (a loss model, a queue, anywhere
 * on a [path]): whether the chain's own segments were among them - a
 * redundant ACK the server never answered, a RST that never reset the
 * client. Only when some conversation lost one. */
static void drops(doc *d, const report *r) {
  const scenario *s = &r->s;
  bool any = false;
  for (int j = 0; j < s->nprofiles; j++)
    any = any || r->prof[j].with_drops > 0;
  if (!any)
    return;
  heading(d, 3, "Datagrams lost on the way");
  para(d, "Conversations that lost any of their own datagrams (to a loss "
          "model, a full queue, or a queue disc's drop, anywhere between "
          "the ends), and among all conversations: a redundant ACK the "
          "server answered with no RST, and a server RST that reset no "
          "client connection - each with how many of those lost a "
          "datagram (a lost redundant ACK or RST is among them; the others "
          "have another reason, such as a RST that met a connection "
          "already gone).");
  char cells[6][160];
  table_begin(d);
  snprintf(cells[0], sizeof cells[0], "profile");
  snprintf(cells[1], sizeof cells[1], "conversations losing datagrams");
  snprintf(cells[2], sizeof cells[2], "datagrams lost");
  snprintf(cells[3], sizeof cells[3], "redundant ACK, no RST (with drops)");
  snprintf(cells[4], sizeof cells[4], "RST, no reset (with drops)");
  row(d, 5, cells, true);
  for (int j = 0; j < s->nprofiles; j++) {
    const profile_stats *ps = &r->prof[j];
    snprintf(cells[0], sizeof cells[0], "%s", ps->name);
    snprintf(cells[1], sizeof cells[1], "%llu of %llu",
             (unsigned long long)ps->with_drops,
             (unsigned long long)ps->app_reset.n);
    snprintf(cells[2], sizeof cells[2], "%llu", (unsigned long long)ps->drops);
    snprintf(cells[3], sizeof cells[3], "%llu of %llu (%llu)",
             (unsigned long long)ps->unanswered,
             (unsigned long long)ps->redundant_ack.k,
             (unsigned long long)ps->unanswered_drops);
    snprintf(cells[4], sizeof cells[4], "%llu of %llu (%llu)",
             (unsigned long long)ps->unfelt,
             (unsigned long long)ps->server_rst.k,
             (unsigned long long)ps->unfelt_drops);
    row(d, 5, cells, false);
  }
  table_end(d);
}

static void outcomes(doc *d, const report *r) {
  const scenario *s = &r->s;
  heading(d, 2, "Outcomes");
  para(d, "Each rate with its 95 %% Wilson interval, of all conversations "
          "unless said; a rate of zero with the exact one-sided 95 %% upper "
          "bound.");
  char cells[9][160];
  para(d, "What each column counts: app_reset, a client read (or write) "
          "returned connection reset before the application had seen end "
          "of stream; lost data, response bytes the client host received "
          "that its application never got; redundant ACK, a pure ACK the "
          "client sent after its ACK of the server's FIN that no arriving "
          "segment required; server RST, the server sent a RST; conn_reset, "
          "a RST closed the client's connection in any state; after close, "
          "the share of the conn_reset conversations whose RST came after "
          "the application had closed (its n is the conn_reset count); "
          "completed, both applications closed within the time limit.");
  const char *head[] = {"profile",
                        "app_reset",
                        "lost data",
                        "redundant ACK",
                        "server RST",
                        "conn_reset",
                        "after close (of conn_reset)",
                        "completed"};
  table_begin(d);
  for (int i = 0; i < 8; i++)
    snprintf(cells[i], sizeof cells[i], "%s", head[i]);
  row(d, 8, cells, true);
  for (int j = 0; j < s->nprofiles; j++) {
    const profile_stats *ps = &r->prof[j];
    chain_cells(ps, cells);
    rate of_resets = {
        ps->reset_after_close.k, ps->conn_reset.k,
        ps->conn_reset.k
            ? (double)ps->reset_after_close.k / (double)ps->conn_reset.k
            : 0,
        stats_wilson(ps->reset_after_close.k, ps->conn_reset.k, 0.95),
        stats_clopper_pearson(ps->reset_after_close.k, ps->conn_reset.k, 0.95)};
    rate_text(&of_resets, cells[6], sizeof cells[6]);
    rate_text(&ps->completed, cells[7], sizeof cells[7]);
    row(d, 8, cells, false);
  }
  table_end(d);
  para(d, "Exact (Clopper-Pearson) 95 %% intervals of the two rates the "
          "study is about:");
  table_begin(d);
  const char *h2[] = {"profile", "app_reset", "lost data"};
  for (int i = 0; i < 3; i++)
    snprintf(cells[i], sizeof cells[i], "%s", h2[i]);
  row(d, 3, cells, true);
  for (int j = 0; j < s->nprofiles; j++) {
    snprintf(cells[0], sizeof cells[0], "%s", r->prof[j].name);
    exact_text(&r->prof[j].app_reset, cells[1], sizeof cells[1]);
    exact_text(&r->prof[j].lost_any, cells[2], sizeof cells[2]);
    row(d, 3, cells, false);
  }
  table_end(d);
  heading(d, 3, "Bytes lost");
  para(d, "Response bytes the client host had received but its application "
          "never read, discarded by the reset.");
  const char *h3[] = {"profile",
                      "conversations losing data",
                      "mean per conversation",
                      "mean when lost",
                      "median when lost",
                      "90th percentile when lost",
                      "99th percentile when lost",
                      "maximum"};
  table_begin(d);
  for (int i = 0; i < 8; i++)
    snprintf(cells[i], sizeof cells[i], "%s", h3[i]);
  row(d, 8, cells, true);
  for (int j = 0; j < s->nprofiles; j++) {
    const profile_stats *ps = &r->prof[j];
    snprintf(cells[0], sizeof cells[0], "%s", ps->name);
    snprintf(cells[1], sizeof cells[1], "%llu",
             (unsigned long long)ps->lost_any.k);
    snprintf(cells[2], sizeof cells[2], "%.1f B", ps->lost_mean);
    snprintf(cells[3], sizeof cells[3], "%.0f B", ps->lost_mean_affected);
    snprintf(cells[4], sizeof cells[4], "%llu B",
             (unsigned long long)ps->lost_q50);
    snprintf(cells[5], sizeof cells[5], "%llu B",
             (unsigned long long)ps->lost_q90);
    snprintf(cells[6], sizeof cells[6], "%llu B",
             (unsigned long long)ps->lost_q99);
    snprintf(cells[7], sizeof cells[7], "%llu B",
             (unsigned long long)ps->lost_max);
    row(d, 8, cells, false);
  }
  table_end(d);
  rst_causes(d, r);
  drops(d, r);
  exchanges(d, r);
}

static void bins(doc *d, const report *r) {
  const scenario *s = &r->s;
  int np = s->nprofiles;
  heading(d, 2, "The failed read by parameter");
  para(d,
       "Every randomized or swept parameter in bins (each value of a "
       "choice or grid; five bins otherwise, equal in log scale for a "
       "loguniform key, by quantile for the rest), with the rate of "
       "app_reset (the read failed) and of the redundant ACK behind it. The "
       "last column tests app_reset of "
       "%s against %s within each bin (exact McNemar), with Holm's "
       "correction across the bins of the parameter.",
       np > 1 ? s->profiles[0] : "-", np > 1 ? s->profiles[1] : "-");
  if (r->unbinned[0])
    para(d,
         "Not binned: %s. A variant sets the key, so it ran every "
         "conversation at that value whatever was drawn; its other "
         "profiles' rates by the drawn value are in the export.",
         r->unbinned);
  for (int i = 0; i < r->nparams; i++) {
    const param_bins *pb = &r->params[i];
    const scn_key *k = &s->keys[pb->key];
    char title[128];
    snprintf(title, sizeof title, "%s (%s)", pb->column, dist_name(k->dist));
    heading(d, 3, title);
    if (strcmp(k->name, "response") == 0 && k->dist != SCN_GRID &&
        k->dist != SCN_CHOICE)
      para(d, "These bins average a sawtooth away: whether a delayed ACK is "
              "still pending when the FIN arrives depends on the number of "
              "full segments and on the size of the last one, and changes "
              "from one segment to the next. scenarios/response-size.ini "
              "sweeps the size half a segment at a time; its response-size "
              "graph shows the pattern with the analytic check on it.");
    char cells[2 + 2 * SCN_MAX_PROFILES + 1][160];
    int nc = 0;
    snprintf(cells[nc++], 160, "%s", k->name);
    snprintf(cells[nc++], 160, "n");
    for (int j = 0; j < np; j++)
      snprintf(cells[nc++], 160, "app_reset, %s", s->profiles[j]);
    for (int j = 0; j < np; j++)
      snprintf(cells[nc++], 160, "redundant ACK, %s", s->profiles[j]);
    snprintf(cells[nc++], 160, "p raw (Holm-adjusted)");
    table_begin(d);
    row(d, nc, cells, true);
    for (int b = 0; b < pb->nbins; b++) {
      const bin_stats *x = &pb->bin[b];
      nc = 0;
      report_bin_label(r, pb, x, cells[nc++], 160);
      snprintf(cells[nc++], 160, "%llu", (unsigned long long)x->reset[0].n);
      for (int j = 0; j < np; j++)
        rate_text(&x->symptom[j], cells[nc++], 160);
      for (int j = 0; j < np; j++)
        rate_text(&x->redundant[j], cells[nc++], 160);
      char p1[32], p2[32];
      p_text(x->p_raw, p1, sizeof p1);
      p_text(x->p_holm, p2, sizeof p2);
      snprintf(cells[nc++], 160, "%s (%s)", p1, p2);
      row(d, nc, cells, false);
    }
    table_end(d);
  }
}

static void regressions(doc *d, const report *r) {
  const scenario *s = &r->s;
  heading(d, 2, "What drives the failed read: logistic regression");
  para(d, "For each profile, app_reset (the failed read) regressed on the "
          "randomized "
          "numeric parameters, each standardized (loguniform ones as log10 "
          "first), so an odds ratio is per standard deviation of the "
          "parameter. Wald intervals and p-values.");
  for (int j = 0; j < s->nprofiles; j++) {
    const regression *g = &r->reg[j];
    heading(d, 3, s->profiles[j]);
    if (!g->fitted) {
      para(d, "Not fitted: %s.", g->why);
      continue;
    }
    char cells[6][160];
    const char *head[] = {"parameter", "one SD is", "coefficient (SE)",
                          "odds ratio [95 % CI]", "p"};
    table_begin(d);
    for (int i = 0; i < 5; i++)
      snprintf(cells[i], sizeof cells[i], "%s", head[i]);
    row(d, 5, cells, true);
    double z = stats_z(0.95);
    for (int c = 0; c <= g->nx; c++) {
      double b = g->fit.beta[c], se = g->fit.se[c];
      if (c == 0) {
        snprintf(cells[0], 160, "(intercept)");
        snprintf(cells[1], 160, "-");
      } else {
        const scn_key *k = &s->keys[g->key[c - 1]];
        char sd[32];
        if (g->logx[c - 1]) {
          snprintf(cells[0], 160, "log10 %s", k->name);
          snprintf(cells[1], 160, "x%.3g", pow(10, g->sd[c - 1]));
        } else {
          snprintf(cells[0], 160, "%s", k->name);
          report_value_text(r, g->key[c - 1], g->sd[c - 1], sd, sizeof sd);
          snprintf(cells[1], 160, "%s", sd);
        }
      }
      snprintf(cells[2], 160, "%.3f (%.3f)", b, se);
      snprintf(cells[3], 160, "%.3g [%.3g, %.3g]", exp(b), exp(b - z * se),
               exp(b + z * se));
      p_text(stats_wald_p(b / se), cells[4], 160);
      row(d, 5, cells, false);
    }
    table_end(d);
  }
}

/* The conversation's parameters that matter to the check, as text. */
static void conv_brief(const report *r, uint64_t conv, char *buf, size_t cap) {
  conv_params p;
  double v[SCN_MAX_KEYS];
  scn_draw(&r->s, conv, &p, v);
  size_t n = (size_t)snprintf(
      buf, cap,
      "response %llu B, delay %.3f ms, rate %.3g Mb/s, read %llu B "
      "every %.1f ms",
      (unsigned long long)p.response, (double)p.delay_ns / 1e6,
      (double)p.rate_bps / 1e6, (unsigned long long)p.read_size,
      (double)p.read_interval_ns / 1e6);
  for (int k = 0; k < r->s.nkeys && n < cap; k++)
    if (!r->s.keys[k].param) {
      char t[64];
      scn_knob_text(&r->s.keys[k], v[k], t, sizeof t);
      n += (size_t)snprintf(buf + n, cap - n, ", %s %s", r->s.keys[k].name, t);
    }
}

/* The reasons a stage declined, with their counts, as "why (n); why (n)"
 * into buf; false when there are none. */
static bool reason_list(const char *const *reason, const uint64_t *count, int n,
                        char *buf, size_t cap) {
  size_t k = 0;
  buf[0] = 0;
  for (int i = 0; i < n && k < cap; i++)
    k += (size_t)snprintf(buf + k, cap - k, "%s%s (%llu)", i ? "; " : "",
                          reason[i], (unsigned long long)count[i]);
  return n > 0;
}

/* Stage K: the keep-alive window, where a scenario has two requests
 * against an idle_timeout. */
static void check_keepalive_table(const report *r, doc *d) {
  const scenario *s = &r->s;
  int np = s->nprofiles;
  uint64_t any = 0;
  for (int j = 0; j < np; j++)
    any += r->check[j].ka_applicable;
  if (!any)
    return;
  para(d, "Stage K predicts the keep-alive race from the parameters, "
          "conversation by conversation: the server's idle timer starts "
          "when it writes the first response (it leaves in one flight), so "
          "the server closes at the request's arrival + think + "
          "idle_timeout; the client reads the response as its last byte "
          "arrives and sends the second request gap later. The request "
          "fails exactly when it reaches the server at or after that close "
          "- one serialization and one delay after it left, so a request "
          "sent within one one-way trip before the close fails, and every "
          "later one - unless the pooled connection was idle longer than "
          "reuse_timeout (a new one opened: no race), and a retry resends "
          "it on a new connection. Compared: exchanges, requests_failed, "
          "retries and connections together; the server's RST (data after "
          "close) and its cause; and where the request fails, the RST's "
          "time (the request's arrival) and the FIN's arrival, each as "
          "stored to the nanosecond. Written apart from the model "
          "(analysis/predict.c, predict_keepalive).");
  char cells[8][160];
  const char *head[] = {
      "profile",         "two requests, idle_timeout",     "in the regime",
      "agree: requests", "predicted / simulated failures", "agree: server RST",
      "times as stored"};
  table_begin(d);
  for (int i = 0; i < 7; i++)
    snprintf(cells[i], sizeof cells[i], "%s", head[i]);
  row(d, 7, cells, true);
  for (int j = 0; j < np; j++) {
    const check_stats *c = &r->check[j];
    snprintf(cells[0], 160, "%s", s->profiles[j]);
    snprintf(cells[1], 160, "%llu of %llu",
             (unsigned long long)c->ka_applicable, (unsigned long long)r->n);
    snprintf(cells[2], 160, "%llu", (unsigned long long)c->ka_regime);
    snprintf(cells[3], 160, "%llu of %llu", (unsigned long long)c->ka_agree,
             (unsigned long long)c->ka_regime);
    snprintf(cells[4], 160, "%llu / %llu",
             (unsigned long long)c->ka_predicted_fail,
             (unsigned long long)c->ka_simulated_fail);
    snprintf(cells[5], 160, "%llu of %llu", (unsigned long long)c->ka_rst_agree,
             (unsigned long long)c->ka_regime);
    snprintf(cells[6], 160, "%llu of %llu",
             (unsigned long long)c->ka_times_agree,
             (unsigned long long)c->ka_timed);
    row(d, 7, cells, false);
  }
  table_end(d);
  para(d, "A failure, simulated, is a second request that failed "
          "(requests_failed) or was sent again (retries).");
  for (int j = 0; j < np; j++) {
    const check_stats *c = &r->check[j];
    char list[1200];
    if (reason_list(c->ka_reason, c->ka_reason_n, c->ka_nreasons, list,
                    sizeof list))
      para(d, "Stage K did not predict under %s: %s.", s->profiles[j], list);
  }
}

static void analytic_check(doc *d, const report *r) {
  const scenario *s = &r->s;
  int np = s->nprofiles;
  heading(d, 2, "The analytic check");
  para(d, "Stage 1 predicts, conversation by conversation, whether the "
          "client sends the redundant ACK and whether a read then fails "
          "with the reset, from the rules alone - initial window and slow "
          "start, send buffer and Nagle, the receiver's window as the "
          "application reads it (read_size every read_interval, or as data "
          "arrives), the persist timer and its probes, the immediate-ACK "
          "rule, the delayed-ACK timer in its mode with the drawn tick "
          "phase, the FIN's position, the RST that answers the redundant "
          "ACK, the link's serialization and delay - written apart from the "
          "model (analysis/predict.c) and calling nothing of it. It holds "
          "where the outcome follows from the parameters alone: a loss-free "
          "link, a one-segment request with the half-close after it and a "
          "server closing after its write; elsewhere it declines and says "
          "why. Where it predicts, it also times the chain - the FIN's "
          "arrival, the redundant ACK, the RST's arrival, the bytes unread "
          "at the FIN - and each must equal the store's to the nanosecond "
          "(\"times as stored\"). A profile whose ACK of the FIN ends "
          "everything it sends of its own accord (nt351-sp, linux) sends "
          "none by definition: those conversations are not counted as "
          "agreement.");
  char cells[9][160];
  const char *head[] = {"profile",
                        "in the regime",
                        "none by definition",
                        "compared",
                        "agree: redundant ACK",
                        "predicted / simulated redundant ACKs",
                        "agree: failed read",
                        "predicted / simulated failed reads",
                        "times as stored"};
  table_begin(d);
  for (int i = 0; i < 9; i++)
    snprintf(cells[i], sizeof cells[i], "%s", head[i]);
  row(d, 9, cells, true);
  for (int j = 0; j < np; j++) {
    const check_stats *c = &r->check[j];
    snprintf(cells[0], 160, "%s", s->profiles[j]);
    snprintf(cells[1], 160, "%llu of %llu", (unsigned long long)c->regime,
             (unsigned long long)r->n);
    snprintf(cells[2], 160, "%llu", (unsigned long long)c->by_definition);
    snprintf(cells[3], 160, "%llu", (unsigned long long)c->compared);
    snprintf(cells[4], 160, "%llu of %llu", (unsigned long long)c->agree,
             (unsigned long long)c->compared);
    snprintf(cells[5], 160, "%llu / %llu", (unsigned long long)c->predicted_yes,
             (unsigned long long)c->simulated_yes);
    snprintf(cells[6], 160, "%llu of %llu", (unsigned long long)c->app_agree,
             (unsigned long long)c->compared);
    snprintf(cells[7], 160, "%llu / %llu",
             (unsigned long long)c->app_predicted_yes,
             (unsigned long long)c->app_simulated_yes);
    snprintf(cells[8], 160, "%llu of %llu", (unsigned long long)c->times_agree,
             (unsigned long long)c->compared);
    row(d, 9, cells, false);
  }
  table_end(d);
  for (int j = 0; j < np; j++) {
    const check_stats *c = &r->check[j];
    char list[1200];
    if (reason_list(c->reason, c->reason_n, c->nreasons, list, sizeof list))
      para(d, "Not predicted under %s, measured only: %s.", s->profiles[j],
           list);
  }
  para(d, "Stage 2 is a consistency check of the link and the read "
          "schedule, not a prediction from the parameters (stage 1 makes "
          "that): it takes the "
          "simulation's own redundant-ACK time and unread bytes, so it "
          "cannot disagree about TCP. It checks whether a redundant ACK "
          "fails the application's "
          "read, for a reader that reads read_size bytes every "
          "read_interval: the RST arrives one round trip (two serializations "
          "and twice the delay) after the redundant ACK, and the read fails "
          "when that comes before the read that would return end of stream, "
          "ceil(unread / read_size) read ticks after the FIN. The redundant "
          "ACK's time and the unread bytes at the FIN are measured (the "
          "store's anatomy); the rest is derived. Loss-free conversations "
          "with a redundant ACK and a paced reader:");
  table_begin(d);
  const char *h2[] = {"profile", "compared", "agree"};
  for (int i = 0; i < 3; i++)
    snprintf(cells[i], sizeof cells[i], "%s", h2[i]);
  row(d, 3, cells, true);
  for (int j = 0; j < np; j++) {
    const check_stats *c = &r->check[j];
    snprintf(cells[0], 160, "%s", s->profiles[j]);
    snprintf(cells[1], 160, "%llu", (unsigned long long)c->compared2);
    snprintf(cells[2], 160, "%llu of %llu", (unsigned long long)c->agree2,
             (unsigned long long)c->compared2);
    row(d, 3, cells, false);
  }
  table_end(d);
  check_keepalive_table(r, d);
  if (r->ndis_total == 0) {
    para(d, "Prediction and simulation agree on every conversation compared.");
    return;
  }
  para(d, "%llu conversations disagree%s:", (unsigned long long)r->ndis_total,
       r->ndis_total > (uint64_t)r->ndis ? " (the first listed)" : "");
  table_begin(d);
  const char *h3[] = {"conversation", "profile",   "stage",
                      "predicted",    "simulated", "parameters"};
  for (int i = 0; i < 6; i++)
    snprintf(cells[i], sizeof cells[i], "%s", h3[i]);
  row(d, 6, cells, true);
  for (int i = 0; i < r->ndis; i++) {
    const disagreement *x = &r->dis[i];
    snprintf(cells[0], 160, "%llu", (unsigned long long)x->conv);
    snprintf(cells[1], 160, "%s", s->profiles[x->profile]);
    snprintf(cells[2], 160, "%s",
             x->stage == 1   ? "1: redundant ACK"
             : x->stage == 3 ? "1: failed read"
             : x->stage == 4 ? "1: the chain's times"
             : x->stage == 5 ? "K: the second request"
             : x->stage == 6 ? "K: the RST's and the FIN's times"
                             : "2: failed read");
    /* stages 4 and 6 compare times, not a yes or no: "differ" under both */
    bool times = x->stage == 4 || x->stage == 6;
    snprintf(cells[3], 160, "%s",
             times          ? "differ"
             : x->predicted ? "yes"
                            : "no");
    snprintf(cells[4], 160, "%s",
             times          ? "differ"
             : x->simulated ? "yes"
                            : "no");
    conv_brief(r, x->conv, cells[5], 160);
    row(d, 6, cells, false);
  }
  table_end(d);
}

static void methods(doc *d) {
  heading(d, 2, "Methods");
  para(d, "Rates: the Wilson score interval (95 %%) is shown because it "
          "keeps its coverage near the nominal level for small counts and "
          "rates near 0 or 1; the Clopper-Pearson interval is exact "
          "(conservative). When no event was seen in n conversations, the "
          "bound printed is the exact one-sided 95 %% upper bound, "
          "1 - 0.05^(1/n) (the two-sided interval's upper end, also in the "
          "JSON, is a 97.5 %% one-sided bound).");
  para(d, "Fix against bug: every conversation ran under each profile with "
          "the same parameters and random choices, so the outcomes are "
          "paired. The exact McNemar test is the two-sided binomial test "
          "on the discordant pairs (b, c); the mid-p version subtracts half "
          "the probability of the observed count. The difference of the "
          "paired rates has Newcombe's hybrid score interval (method 10, "
          "1998).");
  para(d, "Bins: within-bin tests are corrected for multiplicity with "
          "Holm's step-down procedure across the bins of a parameter; each "
          "cell gives the raw p and, in brackets, the Holm-adjusted one.");
  para(d, "Regression: maximum likelihood by iteratively reweighted least "
          "squares, standard errors from the inverse Fisher information; "
          "not fitted when a profile has no event or only events, when a "
          "parameter separates the outcomes completely or quasi-"
          "completely (checked before fitting: every failed read on one "
          "side of a value, every other conversation on the other), or "
          "when the fit leaves a coefficient beyond 30 or a standard error "
          "beyond 100 on the standardized scale (the parameters together "
          "separate the outcomes, or are collinear). The report then says "
          "which and why.");
  para(d, "All distribution functions come from GSL.");
}

static void plots(doc *d, const char *dir) {
  if (!dir)
    return;
  static const struct {
    const char *stem, *caption;
  } p[] = {{"reset-vs-delay", "Reset probability against one-way delay"},
           {"reset-vs-delack", "Reset probability against the delayed-ACK "
                               "timeout"},
           {"heatmap", "Reset probability over delay and delayed-ACK "
                       "timeout"},
           {"outcomes", "Outcomes per profile"},
           {"bytes-lost", "Distribution of bytes lost"},
           {"response-size", "Redundant ACKs and failed reads against the "
                             "response size, with the analytic check"},
           {"request-failed-vs-gap",
            "How often a request fails, against the gap before it"},
           {"request-failed-vs-close_delay",
            "How often a request fails, against the time to the server's "
            "close"},
           {"request-failed-vs-delay",
            "How often a request fails, against one-way delay"},
           {"reset-vs-cross-traffic",
            "Reset probability against the cross traffic on a shared "
            "bottleneck, per queue disc"}};
  bool any = false;
  for (size_t i = 0; i < sizeof p / sizeof *p; i++) {
    /* SVG when there is one, else PNG */
    char file[96], path[1024];
    snprintf(file, sizeof file, "%s.svg", p[i].stem);
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "rb");
    if (!f) {
      snprintf(file, sizeof file, "%s.png", p[i].stem);
      snprintf(path, sizeof path, "%s/%s", dir, file);
      f = fopen(path, "rb");
    }
    if (!f)
      continue;
    fclose(f);
    if (!any)
      heading(d, 2, "Plots");
    any = true;
    image(d, dir, file, p[i].caption);
  }
}

static const char css[] =
    "body{font-family:Georgia,serif;max-width:62em;margin:2em auto;"
    "padding:0 1em;color:#222;line-height:1.45;overflow-wrap:normal}"
    "h1,h2,h3{font-family:Helvetica,Arial,sans-serif}"
    "h1{font-size:1.6em;overflow-wrap:anywhere}"
    ".tbl{overflow-x:auto;max-width:100%;margin:1em 0}"
    "table{border-collapse:collapse;font-size:.9em}"
    "th,td{border:1px solid #bbb;padding:.25em .6em;text-align:right;"
    "white-space:nowrap}"
    ".n{white-space:nowrap}"
    "nav ul{padding-left:1.2em}details{margin:1em 0}"
    "summary{cursor:pointer;font-style:italic}"
    "th{background:#eee}td:first-child,th:first-child{text-align:left}"
    "blockquote{border-left:4px solid #888;margin:1em 0;padding:.2em 1em;"
    "background:#f6f6f6}"
    "pre{background:#f4f4f4;padding:1em;overflow-x:auto;font-size:.85em}"
    "figure{margin:1.5em 0}img{max-width:100%}"
    "figcaption{font-style:italic;font-size:.9em}";

/* A table of contents from the body's <h2 id=...> headings. */
static void toc(FILE *out, const char *body) {
  fputs("<nav><h2 id=\"contents\">Contents</h2><ul>\n", out);
  for (const char *h = strstr(body, "<h2 id=\""); h;
       h = strstr(h + 1, "<h2 id=\"")) {
    const char *id = h + 8, *q = strchr(id, '"');
    const char *t = q ? strchr(q, '>') : NULL;
    const char *e = t ? strstr(t, "</h2>") : NULL;
    if (!e)
      break;
    fprintf(out, "<li><a href=\"#%.*s\">%.*s</a></li>\n", (int)(q - id), id,
            (int)(e - t - 1), t + 1);
  }
  fputs("</ul></nav>\n", out);
}

/* The body with each table of more than FOLD rows folded under a
 * summary that says how many rows it has. */
#define FOLD 25
static void fold_tables(FILE *out, const char *body) {
  const char *open = "<div class=\"tbl\"><table>", *close = "</table></div>";
  const char *p = body;
  for (const char *t; (t = strstr(p, open));) {
    const char *e = strstr(t, close);
    if (!e)
      break;
    e += strlen(close);
    size_t rows = 0;
    for (const char *r = strstr(t, "<tr>"); r && r < e;
         r = strstr(r + 1, "<tr>"))
      rows++;
    fwrite(p, 1, (size_t)(t - p), out);
    if (rows > FOLD)
      fprintf(out, "<details><summary>a table of %zu rows (show)</summary>",
              rows - 1);
    fwrite(t, 1, (size_t)(e - t), out);
    if (rows > FOLD)
      fputs("</details>", out);
    p = e;
  }
  fputs(p, out);
}

static void write_sections(const report *r, doc *d, const char *plots_dir) {
  headline(d, r);
  scenario_section(d, r);
  outcomes(d, r);
  plots(d, plots_dir);
  bins(d, r);
  regressions(d, r);
  analytic_check(d, r);
  methods(d);
}

static void write_doc(const report *r, doc *d, const char *plots_dir) {
  char title[128];
  snprintf(title, sizeof title, "halfclose report: %s", r->s.name);
  if (d->fmt != REPORT_HTML) {
    fprintf(d->f, "# %s\n", title);
    write_sections(r, d, plots_dir);
    return;
  }
  /* HTML: the body first, into memory, for its contents and folds */
  char *body = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&body, &len);
  if (!mem) {
    fputs("<!-- out of memory -->", d->f);
    return;
  }
  doc m = {mem, d->fmt, d->out_path};
  write_sections(r, &m, plots_dir);
  if (fclose(mem) != 0 || !body) {
    free(body);
    return;
  }
  fprintf(d->f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
                "charset=\"utf-8\"><meta name=\"viewport\" "
                "content=\"width=device-width, initial-scale=1\"><title>");
  esc(d, title);
  fprintf(d->f, "</title><style>%s</style></head><body>\n", css);
  heading(d, 1, title);
  toc(d->f, body);
  fold_tables(d->f, body);
  fputs("</body></html>\n", d->f);
  free(body);
}

/* ---- JSON ---- */

static void jrate(FILE *f, const char *name, const rate *r) {
  fprintf(f,
          "\"%s\": {\"k\": %llu, \"n\": %llu, \"p\": %.10g, \"wilson\": "
          "[%.10g, %.10g], \"exact\": [%.10g, %.10g]",
          name, (unsigned long long)r->k, (unsigned long long)r->n, r->p,
          r->wilson.lo, r->wilson.hi, r->exact.lo, r->exact.hi);
  if (r->k == 0) /* what the Markdown prints for a zero */
    fprintf(f, ", \"upper95_one_sided\": %.10g", zero_bound(r->n));
  fputs("}", f);
}

static void jpair(FILE *f, const char *name, const paired *t,
                  const mcnemar *m) {
  fprintf(f,
          "\"%s\": {\"both\": %llu, \"first_only\": %llu, \"second_only\": "
          "%llu, \"neither\": %llu, \"p_exact\": %.10g, \"p_mid\": %.10g, "
          "\"diff\": %.10g, \"ci\": [%.10g, %.10g]}",
          name, (unsigned long long)t->a, (unsigned long long)t->b,
          (unsigned long long)t->c, (unsigned long long)t->d, m->p_exact,
          m->p_mid, m->diff, m->ci.lo, m->ci.hi);
}

static void write_json(const report *r, FILE *f) {
  const scenario *s = &r->s;
  int np = s->nprofiles;
  fprintf(f, "{\n  \"store\": ");
  export_json_string(f, r->store_path);
  fprintf(f, ",\n  \"scenario\": {\"name\": ");
  export_json_string(f, s->name);
  fprintf(f, ", \"path\": ");
  export_json_string(f, s->path);
  fprintf(f, ", \"question\": ");
  export_json_string(f, s->question);
  fprintf(f, ", \"seed\": %llu, \"cells\": %llu, \"user_profiles\": [",
          (unsigned long long)s->seed, (unsigned long long)s->cells);
  for (int i = 0; i < s->nuser; i++) {
    const scn_user_profile *u = &s->user[i];
    fprintf(f, "%s{\"name\": ", i ? ", " : "");
    export_json_string(f, u->name);
    fprintf(f, ", \"base\": ");
    export_json_string(f, u->base);
    fprintf(f, ", \"knobs\": {");
    for (int k = 0; k < u->nover; k++) {
      fputs(k ? ", " : "", f);
      export_json_string(f, u->knob[k]);
      fputs(": ", f);
      export_json_string(f, u->value[k]);
    }
    fputs("}}", f);
  }
  fputs("]},\n", f);
  fprintf(f, "  \"conversations\": %llu,\n  \"planned\": %llu,\n",
          (unsigned long long)r->n, (unsigned long long)r->planned);
  fprintf(f, "  \"stopping\": ");
  if (r->stopping[0])
    export_json_string(f, r->stopping);
  else
    fputs("null", f);
  fputs(",\n", f);
  fprintf(f, "  \"confidence\": 0.95,\n  \"profiles\": [");
  for (int j = 0; j < np; j++) {
    const profile_stats *ps = &r->prof[j];
    fprintf(f, "%s\n    {\"name\": ", j ? "," : "");
    export_json_string(f, ps->name);
    fputs(", ", f);
    jrate(f, "app_reset", &ps->app_reset);
    fputs(", ", f);
    jrate(f, "lost_data", &ps->lost_any);
    fputs(", ", f);
    jrate(f, "redundant_ack", &ps->redundant_ack);
    fputs(", ", f);
    jrate(f, "server_rst", &ps->server_rst);
    fputs(", ", f);
    jrate(f, "conn_reset", &ps->conn_reset);
    fputs(", ", f);
    jrate(f, "reset_after_close", &ps->reset_after_close);
    fputs(", ", f);
    jrate(f, "completed", &ps->completed);
    fprintf(f,
            ", \"bytes_lost\": {\"mean\": %.10g, \"mean_affected\": %.10g, "
            "\"q50\": %llu, \"q90\": %llu, \"q99\": %llu, \"max\": "
            "%llu}, \"rst_causes\": {",
            ps->lost_mean, ps->lost_mean_affected,
            (unsigned long long)ps->lost_q50, (unsigned long long)ps->lost_q90,
            (unsigned long long)ps->lost_q99, (unsigned long long)ps->lost_max);
    for (int c = 1; c < CONV_NCAUSES; c++)
      fprintf(f, "%s\"%s\": %llu", c > 1 ? ", " : "", conv_reset_cause_name(c),
              (unsigned long long)ps->rst_cause[c]);
    fputs("}, ", f);
    jrate(f, "request_failed", &ps->req_failed);
    fprintf(f,
            ", \"requests\": %llu, \"requests_failed\": %llu, "
            "\"failed_reset\": %llu, \"failed_eof\": %llu, "
            "\"retry_failed\": %llu, "
            "\"connections\": %llu, \"retries\": %llu, "
            "\"drops\": {\"conversations\": %llu, \"datagrams\": %llu, "
            "\"redundant_ack_unanswered\": %llu, "
            "\"redundant_ack_unanswered_with_drops\": %llu, "
            "\"rst_unfelt\": %llu, \"rst_unfelt_with_drops\": %llu}}",
            (unsigned long long)ps->requests,
            (unsigned long long)ps->requests_failed,
            (unsigned long long)ps->failed_reset,
            (unsigned long long)ps->failed_eof,
            (unsigned long long)ps->retry_failed,
            (unsigned long long)ps->connections,
            (unsigned long long)ps->retries, (unsigned long long)ps->with_drops,
            (unsigned long long)ps->drops, (unsigned long long)ps->unanswered,
            (unsigned long long)ps->unanswered_drops,
            (unsigned long long)ps->unfelt,
            (unsigned long long)ps->unfelt_drops);
  }
  fprintf(f, "\n  ],\n  \"pairs\": [");
  for (int i = 0; i < r->npairs; i++) {
    const pair_stats *pp = &r->pair[i];
    fprintf(f, "%s\n    {\"first\": ", i ? "," : "");
    export_json_string(f, s->profiles[0]);
    fprintf(f, ", \"second\": ");
    export_json_string(f, s->profiles[pp->j]);
    fputs(", ", f);
    jpair(f, "app_reset", &pp->symptom, &pp->symptom_test);
    fputs(", ", f);
    jpair(f, "lost_data", &pp->lost, &pp->lost_test);
    fputs(", ", f);
    jpair(f, "conn_reset", &pp->reset, &pp->reset_test);
    fputs(", ", f);
    jpair(f, "request_failed", &pp->reqfail, &pp->reqfail_test);
    fputs("}", f);
  }
  fprintf(f, "\n  ],\n  \"parameters\": [");
  for (int i = 0; i < r->nparams; i++) {
    const param_bins *pb = &r->params[i];
    fprintf(f, "%s\n    {\"key\": ", i ? "," : "");
    export_json_string(f, s->keys[pb->key].name);
    fprintf(f, ", \"column\": ");
    export_json_string(f, pb->column);
    fprintf(f, ", \"distribution\": \"%s\", \"log_scale\": %s, \"bins\": [",
            dist_name(s->keys[pb->key].dist), pb->log_scale ? "true" : "false");
    for (int b = 0; b < pb->nbins; b++) {
      const bin_stats *x = &pb->bin[b];
      char label[96];
      report_bin_label(r, pb, x, label, sizeof label);
      fprintf(f, "%s\n      {\"lo\": %.10g, \"hi\": %.10g, \"label\": ",
              b ? "," : "", x->lo, x->hi);
      export_json_string(f, label);
      fprintf(f, ", \"p_mcnemar\": %.10g, \"p_holm\": %.10g, \"by_profile\": [",
              x->p_raw, x->p_holm);
      for (int j = 0; j < np; j++) {
        fprintf(f, "%s{", j ? ", " : "");
        jrate(f, "app_reset", &x->symptom[j]);
        fputs(", ", f);
        jrate(f, "conn_reset", &x->reset[j]);
        fputs(", ", f);
        jrate(f, "redundant_ack", &x->redundant[j]);
        fprintf(f,
                ", \"check\": {\"compared\": %llu, \"predicted\": %llu, "
                "\"simulated\": %llu}}",
                (unsigned long long)x->reg_n[j],
                (unsigned long long)x->reg_pred[j],
                (unsigned long long)x->reg_sim[j]);
      }
      fputs("]}", f);
    }
    fputs("\n    ]}", f);
  }
  fprintf(f, "\n  ],\n  \"regression\": [");
  for (int j = 0; j < np; j++) {
    const regression *g = &r->reg[j];
    fprintf(f, "%s\n    {\"profile\": ", j ? "," : "");
    export_json_string(f, s->profiles[j]);
    fprintf(f, ", \"fitted\": %s", g->fitted ? "true" : "false");
    if (!g->fitted) {
      fprintf(f, ", \"why\": ");
      export_json_string(f, g->why);
    } else {
      fprintf(f,
              ", \"coefficients\": [{\"term\": \"intercept\", \"beta\": "
              "%.10g, \"se\": %.10g}",
              g->fit.beta[0], g->fit.se[0]);
      for (int c = 0; c < g->nx; c++) {
        fprintf(f, ", {\"term\": ");
        export_json_string(f, s->keys[g->key[c]].name);
        fprintf(f,
                ", \"log10\": %s, \"mean\": %.10g, \"sd\": %.10g, \"beta\": "
                "%.10g, \"se\": %.10g, \"odds_ratio\": %.10g, \"p\": %.10g}",
                g->logx[c] ? "true" : "false", g->mean[c], g->sd[c],
                g->fit.beta[c + 1], g->fit.se[c + 1], exp(g->fit.beta[c + 1]),
                stats_wald_p(g->fit.beta[c + 1] / g->fit.se[c + 1]));
      }
      fputs("]", f);
    }
    fputs("}", f);
  }
  fprintf(f, "\n  ],\n  \"check\": [");
  for (int j = 0; j < np; j++) {
    const check_stats *c = &r->check[j];
    fprintf(f, "%s\n    {\"profile\": ", j ? "," : "");
    export_json_string(f, s->profiles[j]);
    fprintf(
        f,
        ", \"regime\": %llu, \"by_definition\": %llu, \"compared\": "
        "%llu, \"agree\": %llu, \"predicted_yes\": %llu, "
        "\"simulated_yes\": %llu, \"app_agree\": %llu, "
        "\"app_predicted_yes\": %llu, \"app_simulated_yes\": %llu, "
        "\"times_agree\": %llu, "
        "\"stage2_compared\": %llu, "
        "\"stage2_agree\": %llu, \"keepalive\": {\"applicable\": %llu, "
        "\"regime\": %llu, \"agree\": %llu, \"predicted_fail\": %llu, "
        "\"simulated_fail\": %llu, \"rst_agree\": %llu, \"timed\": "
        "%llu, \"times_agree\": %llu}, \"not_predicted\": {",
        (unsigned long long)c->regime, (unsigned long long)c->by_definition,
        (unsigned long long)c->compared, (unsigned long long)c->agree,
        (unsigned long long)c->predicted_yes,
        (unsigned long long)c->simulated_yes, (unsigned long long)c->app_agree,
        (unsigned long long)c->app_predicted_yes,
        (unsigned long long)c->app_simulated_yes,
        (unsigned long long)c->times_agree, (unsigned long long)c->compared2,
        (unsigned long long)c->agree2, (unsigned long long)c->ka_applicable,
        (unsigned long long)c->ka_regime, (unsigned long long)c->ka_agree,
        (unsigned long long)c->ka_predicted_fail,
        (unsigned long long)c->ka_simulated_fail,
        (unsigned long long)c->ka_rst_agree, (unsigned long long)c->ka_timed,
        (unsigned long long)c->ka_times_agree);
    for (int i = 0; i < c->nreasons; i++) {
      fputs(i ? ", " : "", f);
      export_json_string(f, c->reason[i]);
      fprintf(f, ": %llu", (unsigned long long)c->reason_n[i]);
    }
    fputs("}}", f);
  }
  fprintf(f, "\n  ],\n  \"disagreements\": {\"total\": %llu, \"listed\": [",
          (unsigned long long)r->ndis_total);
  for (int i = 0; i < r->ndis; i++) {
    const disagreement *x = &r->dis[i];
    fprintf(f, "%s\n    {\"conversation\": %llu, \"profile\": ", i ? "," : "",
            (unsigned long long)x->conv);
    export_json_string(f, s->profiles[x->profile]);
    fprintf(f, ", \"stage\": %d, \"predicted\": %s, \"simulated\": %s}",
            x->stage, x->predicted ? "true" : "false",
            x->simulated ? "true" : "false");
  }
  fputs("]}\n}\n", f);
}

int report_write(const report *r, report_format fmt, const char *plots_dir,
                 const char *out_path, FILE *f) {
  if (fmt == REPORT_JSON) {
    write_json(r, f);
  } else {
    doc d = {f, fmt, out_path};
    write_doc(r, &d, plots_dir);
  }
  return ferror(f) ? -1 : 0;
}
