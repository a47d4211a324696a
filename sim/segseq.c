/*
 * segseq.c - canonical segment sequences and their comparison; see
 * segseq.h.
 */
#include "segseq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CANON_FLAGS (TCP_FIN | TCP_SYN | TCP_RST | TCP_ACK)

void segseq_init(seg_seq *s) {
  memset(s, 0, sizeof *s);
}

void segseq_free(seg_seq *s) {
  free(s->v);
  segseq_init(s);
}

/* Room for one more segment: its slot (counted in s->n), or NULL when
 * memory ran out. */
static seg_canon *next_slot(seg_seq *s) {
  if (s->n == s->cap) {
    size_t cap = s->cap ? 2 * s->cap : 64;
    seg_canon *v = realloc(s->v, cap * sizeof *v);
    if (!v)
      return NULL;
    s->v = v;
    s->cap = cap;
  }
  return &s->v[s->n++];
}

void segseq_add(seg_seq *s, const tcp_segment *seg, bool client_sent,
                uint64_t t_ns) {
  int d = client_sent ? 0 : 1;
  if ((seg->flags & TCP_SYN) && !s->have_isn[d]) {
    s->isn[d] = seg->seq;
    s->have_isn[d] = true;
  }
  seg_canon *c = next_slot(s);
  if (!c) {
    s->oom = true;
    return;
  }
  c->dir = (uint8_t)d;
  c->flags = seg->flags & CANON_FLAGS;
  c->zero_window = seg->wnd == 0 && !(seg->flags & TCP_RST);
  c->psh = (seg->flags & TCP_PSH) != 0;
  c->seq = seg->seq - s->isn[d];
  c->ack = (seg->flags & TCP_ACK) ? seg->ack - s->isn[1 - d] : 0;
  c->len = seg->len;
  c->t_ns = t_ns;
}

char *segseq_format(const seg_canon *c, char *buf, size_t cap) {
  char f[32];
  tcp_flags_str(c->flags, f, sizeof f);
  snprintf(buf, cap, "%s %s %u %u %u%s", c->dir ? "S>C" : "C>S", f, c->seq,
           c->ack, c->len, c->zero_window ? " win=0" : "");
  return buf;
}

char *segseq_text(const seg_seq *s) {
  size_t cap = 80 * s->n + 1, n = 0;
  char *t = malloc(cap), line[64];
  if (!t)
    return NULL;
  t[0] = 0;
  for (size_t i = 0; i < s->n; i++)
    n += (size_t)snprintf(
        t + n, cap - n, "%10.3f %s%s\n", (double)s->v[i].t_ns / 1e6,
        segseq_format(&s->v[i], line, sizeof line), s->v[i].psh ? " psh" : "");
  return t;
}

/* "SYN,ACK" back to its bits; -1 for a name that is not a flag. */
static int parse_flags(const char *w) {
  static const struct {
    const char *name;
    uint8_t bit;
  } f[] = {{"SYN", TCP_SYN}, {"FIN", TCP_FIN}, {"RST", TCP_RST},
           {"PSH", TCP_PSH}, {"ACK", TCP_ACK}, {"URG", TCP_URG}};
  int bits = 0;
  while (*w) {
    size_t n = strcspn(w, ",");
    size_t i = 0;
    for (; i < sizeof f / sizeof *f; i++)
      if (strlen(f[i].name) == n && strncmp(w, f[i].name, n) == 0)
        break;
    if (i == sizeof f / sizeof *f)
      return -1;
    bits |= f[i].bit;
    w += n + (w[n] == ',');
  }
  return bits;
}

int segseq_parse(seg_seq *s, const char *text, int *line) {
  int ln = 0;
  for (const char *p = text; *p;) {
    const char *end = strchr(p, '\n');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    char buf[128], dir[8], flags[40], extra[2][16] = {"", ""};
    ln++;
    if (n == 0 || n >= sizeof buf)
      goto bad;
    memcpy(buf, p, n);
    buf[n] = 0;
    double t_ms;
    unsigned seq, ack, len;
    int k = sscanf(buf, "%lf %7s %39s %u %u %u %15s %15s", &t_ms, dir, flags,
                   &seq, &ack, &len, extra[0], extra[1]);
    int bits = k >= 6 ? parse_flags(flags) : -1;
    bool c2s = strcmp(dir, "C>S") == 0, win0 = false, psh = false;
    for (int e = 0; e < k - 6; e++) {
      if (strcmp(extra[e], "win=0") == 0 && !win0 && !psh)
        win0 = true;
      else if (strcmp(extra[e], "psh") == 0 && !psh)
        psh = true;
      else
        bits = -1;
    }
    /* a time read back from a store is untrusted: finite, and within a
     * day (the conversation's own limit is far below) before it becomes
     * an integer of ns */
    if (bits < 0 || (!c2s && strcmp(dir, "S>C") != 0) || !(t_ms >= 0) ||
        !(t_ms <= 86400e3) || len > 65535)
      goto bad;
    seg_canon *c = next_slot(s);
    if (!c)
      goto bad;
    *c = (seg_canon){
        (uint8_t)!c2s, (uint8_t)bits, win0, psh,
        seq,           ack,           len,  (uint64_t)(t_ms * 1e6 + 0.5)};
    p += n + (end != NULL);
  }
  return 0;
bad:
  if (line)
    *line = ln;
  return -1;
}

static bool same(const seg_canon *a, const seg_canon *b) {
  return a->dir == b->dir && a->flags == b->flags &&
         a->zero_window == b->zero_window && a->seq == b->seq &&
         a->ack == b->ack && a->len == b->len;
}

size_t segseq_first_diff(const seg_seq *a, const seg_seq *b) {
  size_t i = 0;
  for (; i < a->n && i < b->n; i++)
    if (!same(&a->v[i], &b->v[i]))
      return i;
  return a->n == b->n ? SIZE_MAX : i;
}

/* Do a and b match with segment `skip` of a left out? */
static bool match_without(const seg_seq *a, size_t skip, const seg_seq *b) {
  if (a->n != b->n + 1)
    return false;
  for (size_t i = 0, j = 0; i < a->n; i++) {
    if (i == skip)
      continue;
    if (!same(&a->v[i], &b->v[j++]))
      return false;
  }
  return true;
}

/* Positions (in merged order) of each direction's segments. */
static size_t *positions(const seg_seq *s, int d, size_t *n) {
  size_t *pos = malloc((s->n + 1) * sizeof *pos), k = 0;
  if (!pos)
    return NULL;
  for (size_t i = 0; i < s->n; i++)
    if (s->v[i].dir == d)
      pos[k++] = i;
  *n = k;
  return pos;
}

static uint64_t gap(uint64_t x, uint64_t y) {
  return x > y ? x - y : y - x;
}

/* Every pair of opposite-direction segments whose order differs between a
 * and b less than tol_ns apart in both? (Each direction the same.) */
static bool crossings_close(const seg_seq *a, const seg_seq *b,
                            uint64_t tol_ns) {
  size_t n0 = 0, n1 = 0, m0 = 0, m1 = 0;
  size_t *a0 = positions(a, 0, &n0), *a1 = positions(a, 1, &n1),
         *b0 = positions(b, 0, &m0), *b1 = positions(b, 1, &m1);
  bool ok = a0 && a1 && b0 && b1;
  for (size_t x = 0; ok && x < n0; x++)
    for (size_t y = 0; ok && y < n1; y++) {
      bool before_a = a0[x] < a1[y], before_b = b0[x] < b1[y];
      if (before_a == before_b)
        continue;
      ok = gap(a->v[a0[x]].t_ns, a->v[a1[y]].t_ns) <= tol_ns &&
           gap(b->v[b0[x]].t_ns, b->v[b1[y]].t_ns) <= tol_ns;
    }
  free(a0);
  free(a1);
  free(b0);
  free(b1);
  return ok;
}

bool segseq_first_real_diff(const seg_seq *a, const seg_seq *b, size_t *ia,
                            size_t *ib) {
  bool found = false;
  for (int d = 0; d < 2; d++) {
    size_t i = 0, j = 0;
    for (;;) {
      while (i < a->n && a->v[i].dir != d)
        i++;
      while (j < b->n && b->v[j].dir != d)
        j++;
      if (i == a->n && j == b->n)
        break;
      if (i == a->n || j == b->n || !same(&a->v[i], &b->v[j])) {
        if (!found || i < *ia || (i == *ia && j < *ib)) {
          *ia = i;
          *ib = j;
        }
        found = true;
        break;
      }
      i++;
      j++;
    }
  }
  return found;
}

segseq_kind segseq_compare(const seg_seq *a, const seg_seq *b, uint64_t tol_ns,
                           size_t *first_diff) {
  size_t k = segseq_first_diff(a, b);
  if (first_diff)
    *first_diff = k;
  if (k == SIZE_MAX)
    return SEGSEQ_IDENTICAL;
  size_t ia, ib;
  if (!segseq_first_real_diff(a, b, &ia, &ib)) /* each direction the same */
    return crossings_close(a, b, tol_ns) ? SEGSEQ_CROSSED : SEGSEQ_INTERLEAVING;
  if (match_without(a, k, b))
    return SEGSEQ_EXTRA_A;
  if (match_without(b, k, a))
    return SEGSEQ_EXTRA_B;
  if (a->n == b->n) {
    size_t i = k + 1;
    while (i < a->n && same(&a->v[i], &b->v[i]))
      i++;
    if (i == a->n)
      return SEGSEQ_CHANGED;
  }
  return SEGSEQ_SEVERAL;
}
