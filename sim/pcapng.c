/*
 * pcapng.c - see pcapng.h. The block layouts are the pcapng format's
 * (Section Header, Interface Description, Enhanced Packet), little-endian
 * as written by this host's byte order (the byte-order magic says which).
 */
#include "pcapng.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BT_SHB       0x0A0D0D0Au
#define BT_IDB       0x00000001u
#define BT_EPB       0x00000006u
#define LINKTYPE_RAW 101 /* bare IPv4 or IPv6 */

struct hc_pcapng {
  FILE *f;
  int err; /* errno of the first write that failed, or 0 */
  uint8_t *buf;
  size_t cap;
};

static size_t pad4(size_t n) {
  return (n + 3) & ~(size_t)3;
}

/* Append to a block under construction. */
typedef struct blk {
  uint8_t *p;
  size_t n, cap;
  int oom;
} blk;

static void put(blk *b, const void *d, size_t n) {
  if (b->oom || n == 0) /* an empty option has no value: d may be NULL */
    return;
  if (b->n + n + 3 > b->cap) {
    size_t c = b->cap ? 2 * b->cap : 256;
    while (c < b->n + n + 3)
      c *= 2;
    uint8_t *q = realloc(b->p, c);
    if (!q) {
      b->oom = 1;
      return;
    }
    b->p = q;
    b->cap = c;
  }
  memcpy(b->p + b->n, d, n);
  b->n += n;
}

static void put32(blk *b, uint32_t v) {
  put(b, &v, 4);
}
static void put16(blk *b, uint16_t v) {
  put(b, &v, 2);
}
static void align(blk *b) {
  static const uint8_t z[4] = {0};
  put(b, z, pad4(b->n) - b->n);
}

/* An option: code, length, value padded to 32 bits. */
static void option(blk *b, uint16_t code, const void *v, size_t len) {
  put16(b, code);
  put16(b, (uint16_t)len);
  put(b, v, len);
  align(b);
}

/* Write a block: type, total length, body, total length again. */
static void emit(hc_pcapng *w, uint32_t type, blk *body) {
  if (body->oom) {
    if (!w->err)
      w->err = ENOMEM;
    return;
  }
  uint32_t total = (uint32_t)(body->n + 12);
  if (fwrite(&type, 4, 1, w->f) != 1 || fwrite(&total, 4, 1, w->f) != 1 ||
      (body->n && fwrite(body->p, body->n, 1, w->f) != 1) ||
      fwrite(&total, 4, 1, w->f) != 1) {
    if (!w->err)
      w->err = errno ? errno : EIO;
  }
}

int hc_pcapng_open(hc_pcapng **out, const char *path, const char *ifname,
                   char *err, size_t cap) {
  *out = NULL;
  hc_pcapng *w = calloc(1, sizeof *w);
  if (!w)
    return snprintf(err, cap, "out of memory"), -1;
  w->f = fopen(path, "wb");
  if (!w->f) {
    snprintf(err, cap, "cannot create %s: %s", path, strerror(errno));
    free(w);
    return -1;
  }
  blk b = {0};
  /* the section: byte-order magic, version 1.0, length unknown (-1) */
  put32(&b, 0x1A2B3C4Du);
  put16(&b, 1);
  put16(&b, 0);
  uint64_t unknown = UINT64_MAX;
  put(&b, &unknown, 8);
  const char *app = "halfclose";
  option(&b, 4, app, strlen(app)); /* shb_userappl */
  option(&b, 0, NULL, 0);          /* opt_endofopt */
  emit(w, BT_SHB, &b);
  /* the interface: raw IP, no snap length, nanosecond timestamps */
  b.n = 0;
  put16(&b, LINKTYPE_RAW);
  put16(&b, 0);
  put32(&b, 0);
  option(&b, 2, ifname, strlen(ifname)); /* if_name */
  uint8_t nine = 9;                      /* if_tsresol: 10^-9 s */
  option(&b, 9, &nine, 1);
  option(&b, 0, NULL, 0);
  emit(w, BT_IDB, &b);
  free(b.p);
  *out = w;
  return 0;
}

void hc_pcapng_packet(hc_pcapng *w, int64_t t_ns, const uint8_t *d, size_t len,
                      int direction, const char *comment) {
  if (!w)
    return;
  blk b = {w->buf, 0, w->cap, 0};
  uint64_t t = t_ns < 0 ? 0 : (uint64_t)t_ns;
  put32(&b, 0); /* interface 0 */
  put32(&b, (uint32_t)(t >> 32));
  put32(&b, (uint32_t)t);
  put32(&b, (uint32_t)len); /* captured */
  put32(&b, (uint32_t)len); /* on the wire */
  put(&b, d, len);
  align(&b);
  if (comment && *comment)
    option(&b, 1, comment, strlen(comment)); /* opt_comment */
  uint32_t flags = (uint32_t)direction & 3;  /* epb_flags: direction */
  option(&b, 2, &flags, 4);
  option(&b, 0, NULL, 0);
  emit(w, BT_EPB, &b);
  w->buf = b.p;
  w->cap = b.cap;
}

int hc_pcapng_close(hc_pcapng *w, char *err, size_t cap) {
  if (!w)
    return 0;
  if (fflush(w->f) != 0 && !w->err)
    w->err = errno ? errno : EIO;
  if (fclose(w->f) != 0 && !w->err)
    w->err = errno ? errno : EIO;
  int e = w->err;
  free(w->buf);
  free(w);
  if (e) {
    snprintf(err, cap, "the capture could not be written whole: %s",
             strerror(e));
    return -1;
  }
  return 0;
}
