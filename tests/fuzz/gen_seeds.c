/*
 * gen_seeds.c - writes the fuzz target's seed corpus into the directory
 * given as argv[1]: conversations that reach the listener's and the active
 * connection's states, so fuzzing starts deep rather than at the checksum.
 */
#include "tcp.h"
#include "tcp_wire.h" /* white-box: encoding, payload bytes */

#include <stdio.h>
#include <string.h>

#define ME   0x0a000002u
#define PEER 0x0a000001u
#define ISS  0x10000000u /* the target's constant random draw */

static uint8_t prog[8192];
static size_t plen;

static void op_seg(uint16_t sport, uint16_t dport, uint8_t flags, uint32_t seq,
                   uint32_t ack, uint16_t len, uint64_t off) {
  tcp_segment s = {0};
  s.src = PEER;
  s.dst = ME;
  s.sport = sport;
  s.dport = dport;
  s.seq = seq;
  s.ack = ack;
  s.flags = flags;
  s.wnd = 8192;
  s.ttl = 64;
  s.len = len;
  s.payload_off = off;
  if (flags & TCP_SYN)
    s.mss = 1460;
  uint8_t d[2000];
  size_t n = tcp_wire_encode(d, sizeof d, &s);
  prog[plen++] = 0;
  prog[plen++] = (uint8_t)(n >> 8);
  prog[plen++] = (uint8_t)n;
  memcpy(prog + plen, d, n);
  plen += n;
}

static void op_time(uint16_t ms) {
  prog[plen++] = 2;
  prog[plen++] = (uint8_t)(ms >> 8);
  prog[plen++] = (uint8_t)ms;
}

static void op_call(uint8_t call, uint16_t n) {
  prog[plen++] = 3;
  prog[plen++] = call;
  prog[plen++] = (uint8_t)(n >> 8);
  prog[plen++] = (uint8_t)n;
}

static int save(const char *dir, const char *name) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  if (!f)
    return 1;
  fwrite(prog, 1, plen, f);
  fclose(f);
  plen = 0;
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: gen_seeds DIR\n");
    return 2;
  }
  const char *dir = argv[1];
  int rv = 0;
  uint32_t c = 7000; /* the peer's ISS */

  /* passive open, request, half-close, response read, close */
  op_seg(4000, 80, TCP_SYN, c, 0, 0, 0);
  op_seg(4000, 80, TCP_ACK, c + 1, ISS + 1, 0, 0);
  op_seg(4000, 80, TCP_ACK | TCP_PSH, c + 1, ISS + 1, 300, 0);
  op_seg(4000, 80, TCP_ACK | TCP_FIN, c + 301, ISS + 1, 0, 0);
  op_call(1, 1000);
  op_call(0, 5000);
  op_time(50);
  op_seg(4000, 80, TCP_ACK, c + 302, ISS + 1 + 2920, 0, 0);
  op_call(3, 0);
  op_time(300);
  op_seg(4000, 80, TCP_ACK, c + 302, ISS + 1 + 5001, 0, 0);
  op_time(1000);
  rv |= save(dir, "passive-halfclose");

  /* active open answered, data both ways, RST */
  op_seg(5000, 49152, TCP_SYN | TCP_ACK, c, ISS + 1, 0, 0);
  op_call(0, 100);
  op_seg(5000, 49152, TCP_ACK | TCP_PSH, c + 1, ISS + 101, 500, 0);
  op_time(250);
  op_seg(5000, 49152, TCP_RST, c + 501, 0, 0, 0);
  rv |= save(dir, "active-reset");

  /* simultaneous open, then out-of-order data and a FIN */
  op_seg(5000, 49152, TCP_SYN, c, 0, 0, 0);
  op_seg(5000, 49152, TCP_ACK, c + 1, ISS + 1, 0, 0);
  op_seg(5000, 49152, TCP_ACK, c + 1001, ISS + 1, 1000, 1000);
  op_seg(5000, 49152, TCP_ACK | TCP_FIN, c + 1, ISS + 1, 1000, 0);
  op_time(5000);
  rv |= save(dir, "simultaneous-ooo");

  /* stray segments to the listener and a closed port, then timeouts */
  op_seg(4001, 80, TCP_ACK, c, 12345, 0, 0);
  op_seg(4001, 82, TCP_FIN, c, 0, 10, 0);
  op_seg(4001, 80, TCP_RST, c, 0, 0, 0);
  op_time(65535);
  op_time(65535);
  rv |= save(dir, "strays-and-timeouts");
  return rv;
}
