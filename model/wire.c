/*
 * wire.c - encode and decode IPv4/TCP datagrams.
 *
 * Multi-byte fields are read and written a byte at a time, so nothing here
 * depends on host byte order or alignment. Decoding checks every length
 * before it reads, in the order a datagram is laid out: IPv4 header, its
 * checksum and fragmentation, then the TCP header, its options and the
 * pseudo-header checksum. MSS, window scale, SACK-permitted, SACK and
 * timestamps are decoded, other options skipped; a malformed option list
 * rejects the datagram, as a receiver cannot trust its length.
 */
#include "tcp_wire.h"

#include <string.h>

const char *tcp_wire_strerror(int err) {
  switch (err) {
  case TCP_WIRE_OK:
    return "ok";
  case TCP_WIRE_TOO_SHORT:
    return "datagram too short";
  case TCP_WIRE_NOT_IPV4:
    return "not IPv4";
  case TCP_WIRE_BAD_IHL:
    return "bad IPv4 header length";
  case TCP_WIRE_BAD_TOTAL_LEN:
    return "bad IPv4 total length";
  case TCP_WIRE_BAD_IP_CHECKSUM:
    return "bad IPv4 checksum";
  case TCP_WIRE_FRAGMENT:
    return "IPv4 fragment";
  case TCP_WIRE_NOT_TCP:
    return "not TCP";
  case TCP_WIRE_BAD_DATA_OFFSET:
    return "bad TCP data offset";
  case TCP_WIRE_BAD_OPTION:
    return "malformed TCP option";
  case TCP_WIRE_BAD_TCP_CHECKSUM:
    return "bad TCP checksum";
  }
  return "unknown wire error";
}

/* The stream's word w as its 8 bytes appear in memory (byte k of the word
 * at offset 8w + k), in the host's order for memcpy. */
static inline uint64_t word_in_memory(uint64_t w) {
  uint64_t x = tcp_payload_word(w);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  x = __builtin_bswap64(x);
#endif
  return x;
}

void tcp_payload_fill(uint8_t *dst, uint64_t off, size_t len) {
  size_t i = 0;
  for (; i < len && ((off + i) & 7); i++) /* up to a word boundary */
    dst[i] = tcp_payload_byte(off + i);
  for (; i + 8 <= len; i += 8) { /* a word at a time */
    uint64_t w = word_in_memory((off + i) >> 3);
    memcpy(dst + i, &w, 8);
  }
  for (; i < len; i++)
    dst[i] = tcp_payload_byte(off + i);
}

size_t tcp_payload_check(const uint8_t *src, uint64_t off, size_t len) {
  size_t i = 0;
  for (; i < len && ((off + i) & 7); i++)
    if (src[i] != tcp_payload_byte(off + i))
      return i;
  for (; i + 8 <= len; i += 8) {
    uint64_t got, want = word_in_memory((off + i) >> 3);
    memcpy(&got, src + i, 8);
    if (got != want)
      break; /* the byte is found below */
  }
  for (; i < len; i++)
    if (src[i] != tcp_payload_byte(off + i))
      return i;
  return len;
}

static void put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p) {
  return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t get32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
         ((uint32_t)p[2] << 8) | p[3];
}

/* The Internet checksum (RFC 1071) of buf[0..len) plus `sum` (big-endian
 * 16-bit words, as the pseudo-header's), complemented. The bytes are added
 * 64 bits at a time in the host's order with the carry wrapped around,
 * which gives the same one's complement sum, byte-swapped on a
 * little-endian host (RFC 1071 §2(B) and (C)). */
uint16_t tcp_wire_checksum(const uint8_t *buf, size_t len, uint32_t sum) {
  uint64_t acc = 0;
  size_t i = 0;
  for (; i + 8 <= len; i += 8) { /* 64 bits at a time, end-around carry */
    uint64_t w;
    memcpy(&w, buf + i, 8);
    acc += w;
    acc += acc < w;
  }
  /* fold to 32 bits so the tail cannot overflow */
  acc = (acc & 0xffffffffu) + (acc >> 32);
  for (; i + 2 <= len; i += 2) {
    uint16_t h;
    memcpy(&h, buf + i, 2);
    acc += h;
  }
  if (i < len) { /* a last odd byte is the high byte of a zero-padded word */
    uint8_t pad[2] = {buf[i], 0};
    uint16_t h;
    memcpy(&h, pad, 2);
    acc += h;
  }
  while (acc >> 16)
    acc = (acc & 0xffffu) + (acc >> 16);
  uint16_t native = (uint16_t)acc;
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  native = (uint16_t)((native >> 8) | (native << 8));
#endif
  uint64_t total = (uint64_t)native + sum;
  while (total >> 16)
    total = (total & 0xffffu) + (total >> 16);
  return (uint16_t) ~(uint16_t)total;
}

/* The pseudo-header sum of RFC 9293 §3.1 for a TCP length of `tcp_len`. */
static uint32_t pseudo_sum(uint32_t src, uint32_t dst, size_t tcp_len) {
  return (src >> 16) + (src & 0xffffu) + (dst >> 16) + (dst & 0xffffu) +
         TCP_IPPROTO_TCP + (uint32_t)tcp_len;
}

/*
 * The options in Linux's layout (tcp_options_write()), each padded to a
 * 32-bit word: MSS; timestamps after sackOK, or after two NOPs; sackOK
 * alone after two NOPs; NOP and window scale; two NOPs and the SACK blocks
 * (at most 3 beside timestamps, 4 alone: the 40 bytes).
 */
static size_t sack_blocks(const tcp_segment *s) {
  size_t most = (s->opts & TCP_OPT_TS) ? 3 : 4;
  return s->nsack < most ? s->nsack : most;
}

static size_t options_len(const tcp_segment *s) {
  size_t n = s->mss ? TCP_MSS_OPT_LEN : 0;
  if (s->opts & TCP_OPT_TS)
    n += TCP_TS_OPT_LEN;
  else if (s->opts & TCP_OPT_SACK_OK)
    n += 4;
  if (s->opts & TCP_OPT_WSCALE)
    n += 4;
  if (sack_blocks(s))
    n += 4 + 8 * sack_blocks(s);
  return n;
}

static void put_options(uint8_t *o, const tcp_segment *s) {
  if (s->mss) {
    o[0] = 2, o[1] = 4;
    put16(o + 2, s->mss);
    o += 4;
  }
  if (s->opts & TCP_OPT_TS) {
    if (s->opts & TCP_OPT_SACK_OK)
      o[0] = 4, o[1] = 2;
    else
      o[0] = 1, o[1] = 1;
    o[2] = 8, o[3] = 10;
    put32(o + 4, s->ts_val);
    put32(o + 8, s->ts_ecr);
    o += 12;
  } else if (s->opts & TCP_OPT_SACK_OK) {
    o[0] = 1, o[1] = 1, o[2] = 4, o[3] = 2;
    o += 4;
  }
  if (s->opts & TCP_OPT_WSCALE) {
    o[0] = 1, o[1] = 3, o[2] = 3, o[3] = s->wscale;
    o += 4;
  }
  size_t n = sack_blocks(s);
  if (n) {
    o[0] = 1, o[1] = 1, o[2] = 5, o[3] = (uint8_t)(2 + 8 * n);
    for (size_t i = 0; i < n; i++) {
      put32(o + 4 + 8 * i, s->sack[i][0]);
      put32(o + 8 + 8 * i, s->sack[i][1]);
    }
  }
}

size_t tcp_wire_size(const tcp_segment *s) {
  return TCP_IPV4_HDR_LEN + TCP_TCP_HDR_LEN + options_len(s) + s->len;
}

size_t tcp_wire_encode(uint8_t *buf, size_t cap, const tcp_segment *s) {
  return tcp_wire_encode_opt(buf, cap, s, false);
}

size_t tcp_wire_encode_opt(uint8_t *buf, size_t cap, const tcp_segment *s,
                           bool opaque) {
  size_t thl = TCP_TCP_HDR_LEN + options_len(s);
  size_t total = TCP_IPV4_HDR_LEN + thl + s->len;
  if (total > cap || total > TCP_MAX_DATAGRAM)
    return 0;

  uint8_t *ip = buf;
  ip[0] = 0x45; /* version 4, IHL 5 */
  ip[1] = 0;    /* DSCP/ECN */
  put16(ip + 2, (uint16_t)total);
  put16(ip + 4, s->ip_id);
  put16(ip + 6, 0x4000); /* DF, offset 0 */
  ip[8] = s->ttl;
  ip[9] = TCP_IPPROTO_TCP;
  put16(ip + 10, 0);
  put32(ip + 12, s->src);
  put32(ip + 16, s->dst);
  put16(ip + 10, tcp_wire_checksum(ip, TCP_IPV4_HDR_LEN, 0));

  uint8_t *th = buf + TCP_IPV4_HDR_LEN;
  put16(th + 0, s->sport);
  put16(th + 2, s->dport);
  put32(th + 4, s->seq);
  put32(th + 8, (s->flags & TCP_ACK) ? s->ack : 0);
  th[12] = (uint8_t)((thl / 4) << 4);
  th[13] = s->flags;
  put16(th + 14, s->wnd);
  put16(th + 16, 0);
  put16(th + 18, s->urp);
  put_options(th + TCP_TCP_HDR_LEN, s);
  if (opaque)
    return total;
  uint8_t *payload = th + thl;
  if (s->len) {
    if (s->data)
      memcpy(payload, s->data, s->len);
    else
      tcp_payload_fill(payload, s->payload_off, s->len);
  }
  uint16_t ck = tcp_wire_checksum(th, thl + s->len,
                                  pseudo_sum(s->src, s->dst, thl + s->len));
  put16(th + 16, ck);
  return total;
}

/* Walk the TCP options opt[0..len) into s: MSS, sackOK, window scale,
 * timestamps, SACK blocks; others are skipped by their length. */
static int parse_options(const uint8_t *opt, size_t len, tcp_segment *s) {
  size_t i = 0;
  s->mss = 0;
  s->opts = 0;
  s->wscale = 0;
  s->nsack = 0;
  s->ts_val = s->ts_ecr = 0;
  while (i < len) {
    uint8_t kind = opt[i];
    if (kind == 0) /* end of option list */
      break;
    if (kind == 1) { /* no-operation */
      i++;
      continue;
    }
    if (i + 1 >= len)
      return TCP_WIRE_BAD_OPTION;
    uint8_t olen = opt[i + 1];
    if (olen < 2 || i + olen > len)
      return TCP_WIRE_BAD_OPTION;
    const uint8_t *v = opt + i + 2;
    if (kind == 2) {
      if (olen != 4)
        return TCP_WIRE_BAD_OPTION;
      s->mss = get16(v);
    } else if (kind == 3) {
      if (olen != 3)
        return TCP_WIRE_BAD_OPTION;
      s->opts |= TCP_OPT_WSCALE;
      s->wscale = v[0];
    } else if (kind == 4) {
      if (olen != 2)
        return TCP_WIRE_BAD_OPTION;
      s->opts |= TCP_OPT_SACK_OK;
    } else if (kind == 5) {
      if ((olen - 2) % 8 != 0 || olen == 2)
        return TCP_WIRE_BAD_OPTION;
      for (size_t b = 0; b < (size_t)(olen - 2) / 8; b++)
        if (s->nsack < TCP_MAX_SACKS) {
          s->sack[s->nsack][0] = get32(v + 8 * b);
          s->sack[s->nsack][1] = get32(v + 8 * b + 4);
          s->nsack++;
        }
    } else if (kind == 8) {
      if (olen != 10)
        return TCP_WIRE_BAD_OPTION;
      s->opts |= TCP_OPT_TS;
      s->ts_val = get32(v);
      s->ts_ecr = get32(v + 4);
    }
    i += olen;
  }
  return TCP_WIRE_OK;
}

int tcp_wire_decode(tcp_segment *s, const uint8_t *buf, size_t len) {
  return tcp_wire_decode_opt(s, buf, len, true);
}

int tcp_wire_decode_opt(tcp_segment *s, const uint8_t *buf, size_t len,
                        bool verify_tcp_checksum) {
  if (len < TCP_IPV4_HDR_LEN)
    return TCP_WIRE_TOO_SHORT;
  if ((buf[0] >> 4) != 4)
    return TCP_WIRE_NOT_IPV4;
  size_t ihl = (size_t)(buf[0] & 0x0f) * 4;
  if (ihl < TCP_IPV4_HDR_LEN || ihl > len)
    return TCP_WIRE_BAD_IHL;
  size_t total = get16(buf + 2);
  if (total < ihl || total > len)
    return TCP_WIRE_BAD_TOTAL_LEN;
  if (tcp_wire_checksum(buf, ihl, 0) != 0)
    return TCP_WIRE_BAD_IP_CHECKSUM;
  uint16_t frag = get16(buf + 6);
  if ((frag & 0x2000) || (frag & 0x1fff))
    return TCP_WIRE_FRAGMENT;
  if (buf[9] != TCP_IPPROTO_TCP)
    return TCP_WIRE_NOT_TCP;

  const uint8_t *th = buf + ihl;
  size_t tcp_len = total - ihl; /* bytes past `total` (link padding) ignored */
  if (tcp_len < TCP_TCP_HDR_LEN)
    return TCP_WIRE_TOO_SHORT;
  size_t thl = (size_t)(th[12] >> 4) * 4;
  if (thl < TCP_TCP_HDR_LEN || thl > tcp_len)
    return TCP_WIRE_BAD_DATA_OFFSET;

  s->src = get32(buf + 12);
  s->dst = get32(buf + 16);
  s->ttl = buf[8];
  s->ip_id = get16(buf + 4);
  if (verify_tcp_checksum &&
      tcp_wire_checksum(th, tcp_len, pseudo_sum(s->src, s->dst, tcp_len)) != 0)
    return TCP_WIRE_BAD_TCP_CHECKSUM;
  int rv = parse_options(th + TCP_TCP_HDR_LEN, thl - TCP_TCP_HDR_LEN, s);
  if (rv != TCP_WIRE_OK)
    return rv;

  s->sport = get16(th + 0);
  s->dport = get16(th + 2);
  s->seq = get32(th + 4);
  s->ack = get32(th + 8);
  s->flags = th[13] & 0x3f;
  s->wnd = get16(th + 14);
  s->urp = get16(th + 18);
  s->len = (uint16_t)(tcp_len - thl);
  s->data = th + thl;
  s->payload_off = 0;
  return TCP_WIRE_OK;
}
