/*
 * pkt_parse.c - read a script in packetdrill's language (see pkt.h and
 * docs/scripts.md for the subset): one event per line, after optional
 * --name=value lines at the top; comments are // to the end of the line
 * and C's block comments.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkt.h"

typedef struct cursor {
  const char *p;
  const char *path;
  int line;
  char *err;
  size_t cap;
} cursor;

static int fail(cursor *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int fail(cursor *c, const char *fmt, ...) {
  if (c->err && c->cap) {
    int n = snprintf(c->err, c->cap, "%s:%d: ", c->path, c->line);
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < c->cap)
      vsnprintf(c->err + n, c->cap - (size_t)n, fmt, ap);
    va_end(ap);
  }
  return -1;
}

static void skip_space(cursor *c) {
  while (*c->p == ' ' || *c->p == '\t')
    c->p++;
}

static bool eat(cursor *c, const char *word) {
  skip_space(c);
  size_t n = strlen(word);
  if (strncmp(c->p, word, n) != 0)
    return false;
  c->p += n;
  return true;
}

/* A number: digits with an optional fraction (".1" too). A '.' counts
 * only before a digit, so "0...1" is 0, then "...". */
static int number(cursor *c, double *v) {
  skip_space(c);
  const char *p = c->p;
  while (isdigit((unsigned char)*p))
    p++;
  if (*p == '.' && isdigit((unsigned char)p[1]))
    for (p++; isdigit((unsigned char)*p); p++)
      ;
  if (p == c->p || (p == c->p + 1 && *c->p == '.'))
    return -1;
  char buf[64];
  if ((size_t)(p - c->p) >= sizeof buf)
    return -1;
  memcpy(buf, c->p, (size_t)(p - c->p));
  buf[p - c->p] = 0;
  errno = 0;
  *v = strtod(buf, NULL);
  if (errno || !isfinite(*v))
    return -1;
  c->p = p;
  return 0;
}

static int u32(cursor *c, uint32_t *v) {
  skip_space(c);
  if (!isdigit((unsigned char)*c->p))
    return -1;
  char *end;
  errno = 0;
  unsigned long long x = strtoull(c->p, &end, 10);
  if (errno || x > UINT32_MAX)
    return -1;
  *v = (uint32_t)x;
  c->p = end;
  return 0;
}

/* [+]number */
static int time_value(cursor *c, bool *rel, double *v) {
  skip_space(c);
  *rel = *c->p == '+';
  if (*rel)
    c->p++;
  return number(c, v);
}

static int parse_time(cursor *c, pkt_time *t) {
  skip_space(c);
  memset(t, 0, sizeof *t);
  if (*c->p == '*') {
    c->p++;
    t->any = true;
    return 0;
  }
  if (time_value(c, &t->relative, &t->t) != 0)
    return fail(c, "expected a time: seconds, +seconds, a~b, a...b or *");
  if (*c->p == '~') {
    c->p++;
    t->range = true;
    if (time_value(c, &t->end_rel, &t->end) != 0)
      return fail(c, "expected the end of the time range after '~'");
  } else if (strncmp(c->p, "...", 3) == 0) {
    c->p += 3;
    t->blocking = true;
    if (time_value(c, &t->end_rel, &t->end) != 0)
      return fail(c, "expected the time a blocking call returns after '...'");
  }
  return 0;
}

/* <mss N, sackOK, nop, wscale N, TS val N ecr N, sack a:b ..., eol>:
 * nop and eol are the layout's, not compared */
static int parse_options(cursor *c, pkt_event *e) {
  e->has_options = true;
  if (eat(c, "...>")) {
    e->any_options = true;
    return 0;
  }
  for (;;) {
    skip_space(c);
    uint32_t v, w;
    if (eat(c, "mss")) {
      if (u32(c, &v) != 0 || v == 0 || v > 65535)
        return fail(c, "mss: expected a number from 1 to 65535");
      e->mss = (uint16_t)v;
    } else if (eat(c, "sackOK")) {
      e->opts |= TCP_OPT_SACK_OK;
    } else if (eat(c, "nop") || eat(c, "eol")) {
      /* padding */
    } else if (eat(c, "wscale")) {
      if (u32(c, &v) != 0 || v > 14)
        return fail(c, "wscale: expected a shift from 0 to 14");
      e->opts |= TCP_OPT_WSCALE;
      e->wscale = (uint8_t)v;
    } else if (eat(c, "TS")) {
      skip_space(c);
      if (!eat(c, "val") || u32(c, &v) != 0)
        return fail(c, "TS: expected TS val N ecr N");
      skip_space(c);
      if (!eat(c, "ecr") || u32(c, &w) != 0)
        return fail(c, "TS: expected TS val N ecr N");
      e->opts |= TCP_OPT_TS;
      e->ts_val = v;
      e->ts_ecr = w;
    } else if (eat(c, "sack")) {
      do {
        skip_space(c);
        if (e->nsack == TCP_MAX_SACKS)
          return fail(c, "sack: at most 4 blocks");
        if (u32(c, &v) != 0 || !eat(c, ":") || u32(c, &w) != 0)
          return fail(c, "sack: expected blocks a:b");
        e->sack[e->nsack][0] = v;
        e->sack[e->nsack][1] = w;
        e->nsack++;
        skip_space(c);
      } while (*c->p >= '0' && *c->p <= '9');
    } else {
      return fail(c, "unknown TCP option; expected mss N, sackOK, nop, "
                     "wscale N, TS val N ecr N, sack a:b, eol or ...");
    }
    skip_space(c);
    if (*c->p == ',') {
      c->p++;
      continue;
    }
    if (*c->p == '>') {
      c->p++;
      return 0;
    }
    return fail(c, "expected ',' or '>' in the TCP options");
  }
}

/* [<>] FLAGS [seq:end(len)] [ack N] [win N] [<options>] */
static int parse_segment(cursor *c, pkt_event *e) {
  skip_space(c);
  e->kind = *c->p == '<' ? PKT_IN : PKT_OUT;
  c->p++;
  skip_space(c);
  bool any = false;
  for (; *c->p && !isspace((unsigned char)*c->p); c->p++, any = true)
    switch (*c->p) {
    case 'S':
      e->flags |= TCP_SYN;
      break;
    case 'F':
      e->flags |= TCP_FIN;
      break;
    case 'R':
      e->flags |= TCP_RST;
      break;
    case 'P':
      e->flags |= TCP_PSH;
      break;
    case '.':
      e->flags |= TCP_ACK;
      break;
    default:
      return fail(c,
                  "flag '%c': expected S, F, R, P or . (the model has no "
                  "ECN or URG)",
                  *c->p);
    }
  if (!any)
    return fail(c, "expected the segment's flags (S F R P .)");
  skip_space(c);
  if (isdigit((unsigned char)*c->p)) {
    uint32_t len;
    if (u32(c, &e->seq) != 0 || !eat(c, ":") || u32(c, &e->end) != 0 ||
        !eat(c, "(") || u32(c, &len) != 0 || !eat(c, ")"))
      return fail(c, "expected seq:end(len)");
    if (e->end - e->seq != len)
      return fail(c, "seq:end(len): %u - %u is not %u", e->end, e->seq, len);
  } else if (e->kind == PKT_IN) {
    return fail(c, "an inbound segment needs seq:end(len)");
  } else {
    e->seq = e->end = UINT32_MAX; /* any */
  }
  for (;;) {
    skip_space(c);
    if (eat(c, "ack")) {
      if (u32(c, &e->ack) != 0)
        return fail(c, "ack: expected a number");
      e->has_ack = true;
    } else if (eat(c, "win")) {
      if (u32(c, &e->win) != 0 || e->win > 65535)
        return fail(c, "win: expected a number up to 65535");
      e->has_win = true;
    } else if (eat(c, "<")) {
      if (parse_options(c, e) != 0)
        return -1;
    } else {
      break;
    }
  }
  if (e->has_ack != !!(e->flags & TCP_ACK) && !(e->flags & TCP_RST))
    return fail(c, "'.' and ack N go together");
  return 0;
}

/* name(arg, ...) = result [ERRNO (text)] */
static int parse_call(cursor *c, pkt_event *e) {
  skip_space(c);
  size_t n = 0;
  while (isalnum((unsigned char)c->p[n]) || c->p[n] == '_')
    n++;
  if (!n || n >= sizeof e->call || c->p[n] != '(')
    return fail(c, "expected a segment (< or >), a system call or a `shell "
                   "line`");
  memcpy(e->call, c->p, n);
  e->call[n] = 0;
  c->p += n + 1;
  e->kind = PKT_CALL;
  int depth = 0;
  const char *start = c->p;
  for (;; c->p++) {
    char ch = *c->p;
    if (!ch || ch == '\n')
      return fail(c, "%s(: no closing ')'", e->call);
    if (ch == '[' || ch == '{' || ch == '(')
      depth++;
    if ((ch == ']' || ch == '}' || (ch == ')' && depth)) && depth)
      depth--;
    else if ((ch == ',' || ch == ')') && depth == 0) {
      if (e->nargs == PKT_MAX_ARGS)
        return fail(c, "%s: more than %d arguments", e->call, PKT_MAX_ARGS);
      const char *a = start, *b = c->p;
      while (a < b && isspace((unsigned char)*a))
        a++;
      while (b > a && isspace((unsigned char)b[-1]))
        b--;
      if (b > a || ch == ',')
        snprintf(e->arg[e->nargs++], sizeof e->arg[0], "%.*s", (int)(b - a), a);
      start = c->p + 1;
      if (ch == ')') {
        c->p++;
        break;
      }
    }
  }
  if (!eat(c, "="))
    return fail(c, "%s(...): expected '= result'", e->call);
  skip_space(c);
  if (eat(c, "...")) {
    e->any_result = true;
    return 0;
  }
  char *end;
  errno = 0;
  long long r = strtoll(c->p, &end, 10);
  if (end == c->p || errno)
    return fail(c, "%s(...) = : expected the result, a number", e->call);
  e->result = r;
  c->p = end;
  skip_space(c);
  n = 0;
  while (isupper((unsigned char)c->p[n]) || isdigit((unsigned char)c->p[n]))
    n++;
  if (n) {
    if (n >= sizeof e->err)
      return fail(c, "an errno name too long");
    memcpy(e->err, c->p, n);
    e->err[n] = 0;
    c->p += n;
  }
  skip_space(c);
  if (*c->p == '(') /* the errno's text */
    while (*c->p && *c->p != ')' && *c->p != '\n')
      c->p++;
  if (*c->p == ')')
    c->p++;
  return 0;
}

static int grow(pkt_script *s, int *cap) {
  if (s->nevents < *cap)
    return 0;
  int ncap = *cap ? *cap * 2 : 32;
  pkt_event *e = realloc(s->ev, (size_t)ncap * sizeof *e);
  if (!e)
    return -1;
  s->ev = e;
  *cap = ncap;
  return 0;
}

/* --name=value at the top of a script */
static int option_line(cursor *c, pkt_script *s, const char *l, size_t n) {
  char name[64], value[64];
  const char *eq = memchr(l, '=', n);
  if (!eq || (size_t)(eq - l) >= sizeof name ||
      n - (size_t)(eq - l) - 1 >= sizeof value)
    return fail(c, "expected --name=value");
  snprintf(name, sizeof name, "%.*s", (int)(eq - l), l);
  snprintf(value, sizeof value, "%.*s", (int)(n - (size_t)(eq - l) - 1),
           eq + 1);
  char *end;
  unsigned long v = strtoul(value, &end, 10);
  bool num = *value && !*end;
  if (strcmp(name, "--tolerance_usecs") == 0 && num && v <= 10000000)
    s->tolerance_us = (uint32_t)v;
  else if (strcmp(name, "--mss") == 0 && num && v >= 64 && v <= 65535)
    s->mss = (uint16_t)v;
  else if (strcmp(name, "--ip_version") == 0 && strcmp(value, "ipv4") == 0)
    ;
  else if (strcmp(name, "--tolerance_usecs") == 0 ||
           strcmp(name, "--mss") == 0 || strcmp(name, "--ip_version") == 0)
    return fail(c, "%s=%s: expected %s", name, value,
                strcmp(name, "--ip_version") == 0 ? "ipv4 (the model is IPv4)"
                : strcmp(name, "--mss") == 0      ? "a size from 64 to 65535"
                                                  : "microseconds");
  else
    return fail(c,
                "%s: unknown option; expected --tolerance_usecs, --mss or "
                "--ip_version",
                name);
  return 0;
}

/* A shell line: `command`, closed on the same line (a command that goes
 * on over several lines is not taken). */
static int parse_shell(cursor *c, pkt_event *e) {
  const char *a = c->p, *b = strrchr(a + 1, '`');
  if (!b)
    return fail(c, "a shell command's closing ` on the same line");
  if ((size_t)(b - a - 1) >= sizeof e->shell)
    return fail(c, "a shell command of at most %zu characters",
                sizeof e->shell - 1);
  snprintf(e->shell, sizeof e->shell, "%.*s", (int)(b - a - 1), a + 1);
  c->p = b + 1;
  return 0;
}

int pkt_parse(pkt_script *s, const char *path, const char *text, char *err,
              size_t cap) {
  memset(s, 0, sizeof *s);
  snprintf(s->path, sizeof s->path, "%s", path);
  s->tolerance_us = 4000; /* packetdrill's default */
  int ecap = 0;
  bool in_comment = false, events_begun = false;
  cursor c = {NULL, path, 0, err, cap};
  const char *line = text;
  char buf[1024];
  while (*line) {
    c.line++;
    const char *nl = strchr(line, '\n');
    size_t len = nl ? (size_t)(nl - line) : strlen(line);
    if (len >= sizeof buf) {
      pkt_free(s);
      return fail(&c, "a line longer than %zu bytes", sizeof buf - 1);
    }
    /* the line without its comments */
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
      if (in_comment) {
        if (line[i] == '*' && i + 1 < len && line[i + 1] == '/') {
          in_comment = false;
          i++;
        }
        continue;
      }
      if (line[i] == '/' && i + 1 < len && line[i + 1] == '*') {
        in_comment = true;
        i++;
        continue;
      }
      if (line[i] == '/' && i + 1 < len && line[i + 1] == '/')
        break;
      buf[o++] = line[i];
    }
    while (o && isspace((unsigned char)buf[o - 1]))
      o--;
    buf[o] = 0;
    line = nl ? nl + 1 : line + len;
    char *b = buf;
    while (isspace((unsigned char)*b))
      b++;
    if (!*b)
      continue;
    if (strncmp(b, "--", 2) == 0) {
      if (events_begun) {
        pkt_free(s);
        return fail(&c, "an option after the first event; options go at "
                        "the top");
      }
      if (option_line(&c, s, b, strlen(b)) != 0) {
        pkt_free(s);
        return -1;
      }
      continue;
    }
    events_begun = true;
    if (grow(s, &ecap) != 0) {
      pkt_free(s);
      return fail(&c, "out of memory");
    }
    pkt_event *e = &s->ev[s->nevents];
    memset(e, 0, sizeof *e);
    e->line = c.line;
    snprintf(e->text, sizeof e->text, "%.*s", (int)(sizeof e->text - 1), b);
    c.p = b;
    int rv = 0;
    if (*b == '`') { /* a shell line, without a time */
      e->kind = PKT_SHELL;
      e->when.relative = true;
      rv = parse_shell(&c, e);
    } else if ((rv = parse_time(&c, &e->when)) == 0) {
      skip_space(&c);
      if (*c.p == '`') {
        e->kind = PKT_SHELL;
        rv = parse_shell(&c, e);
      } else if (*c.p == '<' || *c.p == '>')
        rv = parse_segment(&c, e);
      else
        rv = parse_call(&c, e);
      skip_space(&c);
      if (rv == 0 && e->kind != PKT_SHELL && *c.p)
        rv = fail(&c, "unexpected \"%s\" at the end of the line", c.p);
    }
    if (rv == 0 && e->when.blocking && e->kind != PKT_CALL)
      rv = fail(&c, "a...b is for a system call that blocks");
    if (rv != 0) {
      pkt_free(s);
      return -1;
    }
    s->nevents++;
  }
  if (in_comment) {
    pkt_free(s);
    return fail(&c, "a comment opened with /* is never closed");
  }
  return 0;
}

void pkt_free(pkt_script *s) {
  free(s->ev);
  s->ev = NULL;
  s->nevents = 0;
}
