/*
 * test_wire.c - the wire format: round trips, a checksum known from the
 * literature, the payload stream, and a table of malformed datagrams.
 */
#include "harness.h"

#include <string.h>

static tcp_segment sample(void) {
  tcp_segment s = {0};
  s.src = 0xc0a80001;
  s.dst = 0xc0a800c7;
  s.sport = 1025;
  s.dport = 80;
  s.seq = 0xfffffff0u;
  s.ack = 12345;
  s.flags = TCP_ACK | TCP_PSH;
  s.wnd = 8760;
  s.ttl = 32;
  s.ip_id = 7;
  s.len = 100;
  s.payload_off = 1000;
  return s;
}

static void test_ip_checksum_reference(void) {
  /* the IPv4 header used in many checksum write-ups: checksum 0xb861 */
  uint8_t h[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                   0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
  CHECK_EQ(tcp_wire_checksum(h, 20, 0), 0xb861);
  h[10] = 0xb8;
  h[11] = 0x61;
  CHECK_EQ(tcp_wire_checksum(h, 20, 0), 0);
}

static void test_roundtrip(void) {
  uint8_t buf[2000];
  tcp_segment s = sample();
  size_t n = tcp_wire_encode(buf, sizeof buf, &s);
  CHECK_EQ(n, 20 + 20 + 100);
  CHECK_EQ(n, tcp_wire_size(&s));
  tcp_segment d;
  CHECK_EQ(tcp_wire_decode(&d, buf, n), TCP_WIRE_OK);
  CHECK_EQ(d.src, s.src);
  CHECK_EQ(d.dst, s.dst);
  CHECK_EQ(d.sport, 1025);
  CHECK_EQ(d.dport, 80);
  CHECK_EQ(d.seq, 0xfffffff0u);
  CHECK_EQ(d.ack, 12345);
  CHECK_EQ(d.flags, TCP_ACK | TCP_PSH);
  CHECK_EQ(d.wnd, 8760);
  CHECK_EQ(d.ttl, 32);
  CHECK_EQ(d.len, 100);
  CHECK_EQ(d.mss, 0);
  CHECK_EQ(tcp_payload_check(d.data, 1000, d.len), 100);
  CHECK(tcp_payload_check(d.data, 1001, d.len) < 100);
  /* the encoder refuses a buffer that is too small */
  CHECK_EQ(tcp_wire_encode(buf, n - 1, &s), 0);
}

/* An opaque datagram (tcp_host_config's opaque_payload): the IPv4 header
 * and every TCP header field as the full encoding writes them, the TCP
 * checksum field 0 and the payload area untouched; it decodes to the
 * same segment without the checksum check, and fails it with (so a
 * driver that verifies could not be handed one unnoticed). */
static void test_opaque_payload(void) {
  uint8_t full[2000], opaque[2000];
  memset(opaque, 0xAB, sizeof opaque);
  tcp_segment s = sample();
  size_t n = tcp_wire_encode(full, sizeof full, &s);
  CHECK_EQ(tcp_wire_encode_opt(opaque, sizeof opaque, &s, true), n);
  CHECK(memcmp(full, opaque, 20 + 16) == 0);     /* up to the checksum */
  CHECK(memcmp(full + 38, opaque + 38, 2) == 0); /* the urgent pointer */
  CHECK_EQ(opaque[36] | opaque[37], 0);
  CHECK_EQ(opaque[40], 0xAB); /* the payload area as it was */
  CHECK_EQ(opaque[n - 1], 0xAB);
  CHECK(memcmp(full, opaque, n) != 0); /* the control: it differs */
  tcp_segment d;
  CHECK_EQ(tcp_wire_decode_opt(&d, opaque, n, false), TCP_WIRE_OK);
  CHECK_EQ(d.seq, s.seq);
  CHECK_EQ(d.ack, s.ack);
  CHECK_EQ(d.len, s.len);
  CHECK(tcp_wire_decode_opt(&d, opaque, n, true) != TCP_WIRE_OK);
}

static void test_mss_option(void) {
  uint8_t buf[100];
  tcp_segment s = sample();
  s.flags = TCP_SYN;
  s.len = 0;
  s.mss = 1460;
  size_t n = tcp_wire_encode(buf, sizeof buf, &s);
  CHECK_EQ(n, 44);
  tcp_segment d;
  CHECK_EQ(tcp_wire_decode(&d, buf, n), TCP_WIRE_OK);
  CHECK_EQ(d.mss, 1460);
  CHECK_EQ(d.ack, 0); /* no ACK flag: the field goes out as zero */
}

/* The options in Linux's layout, byte for byte: a SYN's (MSS, sackOK
 * with timestamps, NOP and window scale: 20 bytes, as a Linux SYN on the
 * wire), a data segment's (two NOPs and timestamps), an ACK's with SACK
 * blocks; each decodes to what was encoded. */
static void test_options_linux_layout(void) {
  uint8_t buf[200];
  tcp_segment s = sample();
  s.flags = TCP_SYN;
  s.len = 0;
  s.mss = 1460;
  s.opts = TCP_OPT_SACK_OK | TCP_OPT_TS | TCP_OPT_WSCALE;
  s.wscale = 7;
  s.ts_val = 0x01020304;
  s.ts_ecr = 0;
  size_t n = tcp_wire_encode(buf, sizeof buf, &s);
  CHECK_EQ(n, 60);
  CHECK_EQ(buf[32] >> 4, 10); /* data offset: 40 bytes */
  static const uint8_t syn[20] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 1, 2,
                                  3, 4, 0,    0,    0, 0, 1, 3,  3, 7};
  CHECK(memcmp(buf + 40, syn, 20) == 0);
  tcp_segment d;
  CHECK_EQ(tcp_wire_decode(&d, buf, n), TCP_WIRE_OK);
  CHECK_EQ(d.mss, 1460);
  CHECK_EQ(d.opts, TCP_OPT_SACK_OK | TCP_OPT_TS | TCP_OPT_WSCALE);
  CHECK_EQ(d.wscale, 7);
  CHECK_EQ(d.ts_val, 0x01020304u);
  CHECK_EQ(d.ts_ecr, 0);
  /* sackOK alone: two NOPs before it */
  s.opts = TCP_OPT_SACK_OK;
  n = tcp_wire_encode(buf, sizeof buf, &s);
  CHECK_EQ(n, 48);
  static const uint8_t sack_ok[4] = {1, 1, 4, 2};
  CHECK(memcmp(buf + 44, sack_ok, 4) == 0);
  /* data with timestamps: 12 bytes, two NOPs first */
  s = sample();
  s.opts = TCP_OPT_TS;
  s.ts_val = 5;
  s.ts_ecr = 9;
  n = tcp_wire_encode(buf, sizeof buf, &s);
  CHECK_EQ(n, 20 + 32 + 100);
  static const uint8_t ts[12] = {1, 1, 8, 10, 0, 0, 0, 5, 0, 0, 0, 9};
  CHECK(memcmp(buf + 40, ts, 12) == 0);
  CHECK_EQ(tcp_wire_decode(&d, buf, n), TCP_WIRE_OK);
  CHECK_EQ(d.len, 100);
  CHECK_EQ(tcp_payload_check(d.data, 1000, d.len), 100);
  CHECK_EQ(d.ts_ecr, 9);
  /* an ACK with timestamps and four blocks: three fit (40 bytes) */
  s.len = 0;
  s.nsack = 4;
  for (uint32_t i = 0; i < 4; i++) {
    s.sack[i][0] = 1000 * (i + 1);
    s.sack[i][1] = 1000 * (i + 1) + 500;
  }
  n = tcp_wire_encode(buf, sizeof buf, &s);
  CHECK_EQ(n, 20 + 20 + 12 + 4 + 24);
  CHECK_EQ(tcp_wire_decode(&d, buf, n), TCP_WIRE_OK);
  CHECK_EQ(d.nsack, 3);
  CHECK_EQ(d.sack[2][0], 3000);
  CHECK_EQ(d.sack[2][1], 3500);
  /* without timestamps all four */
  s.opts = 0;
  n = tcp_wire_encode(buf, sizeof buf, &s);
  CHECK_EQ(n, 20 + 20 + 4 + 32);
  CHECK_EQ(tcp_wire_decode(&d, buf, n), TCP_WIRE_OK);
  CHECK_EQ(d.nsack, 4);
  CHECK_EQ(d.opts, 0);
  /* a timestamps option of the wrong length is malformed */
  s = sample();
  s.opts = TCP_OPT_TS;
  n = tcp_wire_encode(buf, sizeof buf, &s);
  buf[43] = 9;
  CHECK_EQ(tcp_wire_decode_opt(&d, buf, n, false), TCP_WIRE_BAD_OPTION);
}

static void test_payload_stream(void) {
  /* a pure function of the offset: the bulk fill and check agree with
   * the byte function at any offset, and a changed byte or a wrong offset
   * is caught; not periodic in 256 or 65536 */
  uint8_t buf[64];
  tcp_payload_fill(buf, 12340, sizeof buf);
  for (size_t i = 0; i < sizeof buf; i++)
    CHECK_EQ(buf[i], tcp_payload_byte(12340 + i));
  CHECK_EQ(tcp_payload_check(buf, 12340, sizeof buf), sizeof buf);
  CHECK(tcp_payload_check(buf, 12341, sizeof buf) != sizeof buf);
  buf[20] ^= 1;
  CHECK_EQ(tcp_payload_check(buf, 12340, sizeof buf), 20);
  int same256 = 0, same64k = 0;
  for (uint64_t i = 0; i < 4096; i++) {
    same256 += tcp_payload_byte(i) == tcp_payload_byte(i + 256);
    same64k += tcp_payload_byte(i) == tcp_payload_byte(i + 65536);
  }
  CHECK(same256 < 100);
  CHECK(same64k < 100);
  uint8_t b[64];
  tcp_payload_fill(b, 5000, sizeof b);
  CHECK_EQ(tcp_payload_check(b, 5000, sizeof b), sizeof b);
  b[10] ^= 1;
  CHECK_EQ(tcp_payload_check(b, 5000, sizeof b), 10);
}

/* Rewrite the IPv4 checksum after a header edit. */
static void fix_ip(uint8_t *b) {
  b[10] = b[11] = 0;
  uint16_t c = tcp_wire_checksum(b, (size_t)(b[0] & 15) * 4, 0);
  b[10] = (uint8_t)(c >> 8);
  b[11] = (uint8_t)c;
}

typedef struct bad {
  const char *what;
  int expect;
  size_t len; /* 0 = the encoded length */
  int edit;   /* which edit */
} bad;

enum {
  E_NONE,
  E_VERSION,
  E_IHL_SMALL,
  E_IHL_BIG,
  E_TOTAL_BIG,
  E_TOTAL_SMALL,
  E_IPSUM,
  E_MF,
  E_FRAGOFF,
  E_PROTO,
  E_DOFF_SMALL,
  E_DOFF_BIG,
  E_OPT_LEN0,
  E_OPT_PAST,
  E_OPT_MSS_LEN,
  E_TCPSUM,
  E_PAYLOAD_FLIP,
  E_TOTAL_30
};

static void apply(uint8_t *b, int edit) {
  switch (edit) {
  case E_VERSION:
    b[0] = 0x65;
    fix_ip(b);
    break;
  case E_IHL_SMALL:
    b[0] = 0x44;
    break;
  case E_IHL_BIG:
    b[0] = 0x4f;
    break;
  case E_TOTAL_BIG:
    b[2] = 0x40;
    fix_ip(b);
    break;
  case E_TOTAL_SMALL:
    b[2] = 0;
    b[3] = 10;
    fix_ip(b);
    break;
  case E_IPSUM:
    b[10] ^= 0x55;
    break;
  case E_MF:
    b[6] |= 0x20;
    fix_ip(b);
    break;
  case E_FRAGOFF:
    b[7] = 1;
    fix_ip(b);
    break;
  case E_PROTO:
    b[9] = 17;
    fix_ip(b);
    break;
  case E_DOFF_SMALL:
    b[20 + 12] = 0x40;
    break;
  case E_DOFF_BIG: /* 60-byte header claimed in a 24-byte segment */
    b[20 + 12] = 0xf0;
    b[2] = 0;
    b[3] = 44;
    fix_ip(b);
    break;
  case E_TOTAL_30: /* total length 30: 10 bytes of TCP header */
    b[2] = 0;
    b[3] = 30;
    fix_ip(b);
    break;
  case E_OPT_LEN0:
    b[20 + 20] = 3; /* window scale kind with length 0 */
    b[20 + 21] = 0;
    break;
  case E_OPT_PAST:
    b[20 + 20] = 8;
    b[20 + 21] = 10; /* timestamps, runs past a 24-byte header */
    break;
  case E_OPT_MSS_LEN:
    b[20 + 21] = 3;
    break;
  case E_TCPSUM:
    b[20 + 16] ^= 0x11;
    break;
  case E_PAYLOAD_FLIP:
    b[60] ^= 0x80;
    break;
  }
}

static void test_malformed_table(void) {
  static const bad table[] = {
      {"empty", TCP_WIRE_TOO_SHORT, 1, E_NONE},
      {"19 bytes", TCP_WIRE_TOO_SHORT, 19, E_NONE},
      {"IPv6 version", TCP_WIRE_NOT_IPV4, 0, E_VERSION},
      {"IHL 4", TCP_WIRE_BAD_IHL, 0, E_IHL_SMALL},
      {"IHL past datagram", TCP_WIRE_BAD_IHL, 30, E_IHL_BIG},
      {"total length > buffer", TCP_WIRE_BAD_TOTAL_LEN, 0, E_TOTAL_BIG},
      {"total length < IHL", TCP_WIRE_BAD_TOTAL_LEN, 0, E_TOTAL_SMALL},
      {"IP checksum", TCP_WIRE_BAD_IP_CHECKSUM, 0, E_IPSUM},
      {"more fragments", TCP_WIRE_FRAGMENT, 0, E_MF},
      {"fragment offset", TCP_WIRE_FRAGMENT, 0, E_FRAGOFF},
      {"UDP", TCP_WIRE_NOT_TCP, 0, E_PROTO},
      {"TCP header cut", TCP_WIRE_TOO_SHORT, 30, E_TOTAL_30},
      {"data offset 4", TCP_WIRE_BAD_DATA_OFFSET, 0, E_DOFF_SMALL},
      {"data offset past", TCP_WIRE_BAD_DATA_OFFSET, 0, E_DOFF_BIG},
      {"option length 0", TCP_WIRE_BAD_OPTION, 0, E_OPT_LEN0},
      {"option past header", TCP_WIRE_BAD_OPTION, 0, E_OPT_PAST},
      {"MSS option length 3", TCP_WIRE_BAD_OPTION, 0, E_OPT_MSS_LEN},
      {"TCP checksum", TCP_WIRE_BAD_TCP_CHECKSUM, 0, E_TCPSUM},
      {"payload bit flip", TCP_WIRE_BAD_TCP_CHECKSUM, 0, E_PAYLOAD_FLIP},
  };
  for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
    uint8_t buf[2000];
    tcp_segment s = sample();
    s.mss = 1460; /* a 24-byte TCP header with an MSS option */
    size_t n = tcp_wire_encode(buf, sizeof buf, &s);
    apply(buf, table[i].edit);
    bool is_option_edit = table[i].edit == E_OPT_LEN0 ||
                          table[i].edit == E_OPT_PAST ||
                          table[i].edit == E_OPT_MSS_LEN;
    if (is_option_edit) { /* keep the checksum right: the option is bad */
      buf[36] = buf[37] = 0;
      uint32_t ps = (s.src >> 16) + (s.src & 0xffff) + (s.dst >> 16) +
                    (s.dst & 0xffff) + 6 + (uint32_t)(n - 20);
      uint16_t c = tcp_wire_checksum(buf + 20, n - 20, ps);
      buf[36] = (uint8_t)(c >> 8);
      buf[37] = (uint8_t)c;
    }
    tcp_segment d;
    int rv = tcp_wire_decode(&d, buf, table[i].len ? table[i].len : n);
    if (rv != table[i].expect)
      fprintf(stderr, "  %s: got %d (%s), expected %d\n", table[i].what, rv,
              tcp_wire_strerror(rv), table[i].expect);
    CHECK_EQ(rv, table[i].expect);
  }
}

static void test_ip_options_skipped(void) {
  /* an IPv4 header with 4 bytes of options still decodes */
  uint8_t buf[200], out[204];
  tcp_segment s = sample();
  s.len = 10;
  size_t n = tcp_wire_encode(buf, sizeof buf, &s);
  memcpy(out, buf, 20);
  out[0] = 0x46;
  out[20] = out[21] = out[22] = out[23] = 1; /* NOPs */
  memcpy(out + 24, buf + 20, n - 20);
  out[2] = (uint8_t)((n + 4) >> 8);
  out[3] = (uint8_t)(n + 4);
  fix_ip(out);
  tcp_segment d;
  CHECK_EQ(tcp_wire_decode(&d, out, n + 4), TCP_WIRE_OK);
  CHECK_EQ(d.len, 10);
  /* trailing link padding past the total length is ignored: six bytes
   * of junk after the datagram decode to the same ten-byte payload */
  memset(buf + n, 0xA5, 6);
  memset(&d, 0, sizeof d);
  CHECK_EQ(tcp_wire_decode(&d, buf, n + 6), TCP_WIRE_OK);
  CHECK_EQ(d.len, 10);
  CHECK_EQ(tcp_payload_check(d.data, s.payload_off, d.len), 10);
}

/* RFC 1071 by the book: 16-bit big-endian words, a last odd byte padded,
 * carries folded, complemented. The word-at-a-time checksum must agree on
 * every length and alignment, and the payload check find the first wrong
 * byte wherever it is. */
static uint16_t checksum_bytewise(const uint8_t *b, size_t n, uint32_t sum) {
  uint64_t acc = sum;
  for (size_t i = 0; i < n; i += 2)
    acc += (uint32_t)(b[i] << 8) | (i + 1 < n ? b[i + 1] : 0);
  while (acc >> 16)
    acc = (acc & 0xffff) + (acc >> 16);
  return (uint16_t)~acc;
}

static void test_checksum_and_check_by_the_book(void) {
  uint8_t buf[300];
  uint64_t x = 7;
  for (size_t i = 0; i < sizeof buf; i++)
    buf[i] = (uint8_t)(tcp_splitmix64(&x) >> 56);
  int wrong = 0;
  for (size_t start = 0; start < 8; start++)
    for (size_t n = 0; n + start <= sizeof buf; n += 1 + n / 7)
      for (uint32_t sum = 0; sum < 0x30000; sum += 0xfff1)
        wrong += tcp_wire_checksum(buf + start, n, sum) !=
                 checksum_bytewise(buf + start, n, sum);
  CHECK_EQ(wrong, 0);
  uint8_t pay[200];
  for (uint64_t off = 0; off < 9; off++) {
    tcp_payload_fill(pay, 1000 + off, sizeof pay);
    for (size_t i = 0; i < sizeof pay; i++)
      CHECK_EQ(pay[i], tcp_payload_byte(1000 + off + i));
    CHECK_EQ(tcp_payload_check(pay, 1000 + off, sizeof pay), sizeof pay);
    for (size_t k = 0; k < sizeof pay; k += 13) {
      pay[k] ^= 0x40;
      CHECK_EQ(tcp_payload_check(pay, 1000 + off, sizeof pay), k);
      pay[k] ^= 0x40;
    }
  }
}

static void test_wire_errors_named_apart(void) {
  /* a wire error from tcp_host_input is named as what it is by
   * tcp_strerror, never as a tcp_error with the same number */
  for (int e = TCP_WIRE_BAD_TCP_CHECKSUM; e <= TCP_WIRE_TOO_SHORT; e++) {
    CHECK(strcmp(tcp_strerror(e), tcp_wire_strerror(e)) == 0);
    for (int t = TCP_ERR_PIPE; t <= TCP_ERR_INVAL; t++)
      CHECK(e != t && strcmp(tcp_strerror(e), tcp_strerror(t)) != 0);
  }
  CHECK(strcmp(tcp_strerror(TCP_WIRE_TOO_SHORT), "datagram too short") == 0);
  CHECK(strcmp(tcp_strerror(-31), "unknown error") == 0);
}

int main(void) {
  RUN(test_ip_checksum_reference);
  RUN(test_roundtrip);
  RUN(test_opaque_payload);
  RUN(test_mss_option);
  RUN(test_options_linux_layout);
  RUN(test_payload_stream);
  RUN(test_malformed_table);
  RUN(test_ip_options_skipped);
  RUN(test_wire_errors_named_apart);
  RUN(test_checksum_and_check_by_the_book);
  return t_summary();
}
