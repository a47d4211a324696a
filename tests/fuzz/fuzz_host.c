/*
 * fuzz_host.c - libFuzzer target for the host's input path.
 *
 * The input is a little program for a host at 10.0.0.2 that listens on
 * ports 80 and 81 and has one active connection of its own in SYN-SENT to
 * 10.0.0.1:5000. Each step starts with an opcode byte:
 *
 *   0 LEN16 BYTES   deliver BYTES as a datagram, unmodified
 *   1 LEN16 BYTES   deliver BYTES with both checksums recomputed, so the
 *                   fuzzer reaches the TCP logic behind them
 *   2 MS16          advance time and run every timer that is due
 *   3 OP N16        an application call on the newest connection: send N,
 *                   recv N, shutdown, close, abort (OP mod 5)
 *
 * Every trace event goes through the invariant checker; a violation, like a
 * crash or a sanitizer report, is a finding.
 */
#include "tcp.h"
#include "tcp_wire.h" /* white-box: encoding, payload bytes */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ADDR_ME 0x0a000002u

typedef struct fz {
  tcp_check *check;
  tcp_conn *conns[16];
  int nconns;
} fz;

static void out(void *user, const uint8_t *d, size_t n) {
  (void)user;
  (void)d;
  (void)n;
}

static void trace(void *user, const tcp_event *ev) {
  fz *f = user;
  /* fuzzed payload is not the stream, by design: not a finding */
  if (ev->type == TCP_EV_SEG_DROP && ev->why == TCP_WHY_INTEGRITY)
    return;
  if (tcp_check_event(f->check, ev) != 0) {
    fprintf(stderr, "invariant: %s\n", tcp_check_error(f->check));
    abort();
  }
}

static uint32_t rnd(void *user) {
  (void)user;
  return 0x10000000u;
}

static void fix_checksums(uint8_t *b, size_t n) {
  if (n < 20 || (b[0] >> 4) != 4)
    return;
  size_t ihl = (size_t)(b[0] & 15) * 4;
  if (ihl < 20 || ihl > n)
    return;
  size_t total = ((size_t)b[2] << 8) | b[3];
  if (total > n || total < ihl)
    total = n; /* let the length through so the TCP layer sees it */
  b[2] = (uint8_t)(total >> 8);
  b[3] = (uint8_t)total;
  b[6] &= 0x40; /* no fragments */
  b[7] = 0;
  b[9] = 6;
  b[10] = b[11] = 0;
  uint16_t c = tcp_wire_checksum(b, ihl, 0);
  b[10] = (uint8_t)(c >> 8);
  b[11] = (uint8_t)c;
  size_t tl = total - ihl;
  if (tl < 20)
    return;
  uint8_t *t = b + ihl;
  t[16] = t[17] = 0;
  uint32_t src = ((uint32_t)b[12] << 24) | ((uint32_t)b[13] << 16) |
                 ((uint32_t)b[14] << 8) | b[15];
  uint32_t dst = ((uint32_t)b[16] << 24) | ((uint32_t)b[17] << 16) |
                 ((uint32_t)b[18] << 8) | b[19];
  uint32_t ps = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) +
                6 + (uint32_t)tl;
  c = tcp_wire_checksum(t, tl, ps);
  t[16] = (uint8_t)(c >> 8);
  t[17] = (uint8_t)c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fz f = {0};
  tcp_check_new(&f.check);
  tcp_host_config cfg = {0};
  cfg.addr = ADDR_ME;
  tcp_profile_preset(&cfg.profile,
                     (size && (data[0] & 0x80)) ? "linux" : "nt351");
  cfg.user = &f;
  cfg.output = out;
  cfg.trace = trace;
  cfg.random = rnd;
  tcp_host *h;
  if (tcp_host_new(&h, &cfg) != 0)
    abort();
  uint64_t now = 0;
  tcp_host_listen(h, 80, 4, now);
  tcp_host_listen(h, 81, 4, now);
  tcp_conn *active = NULL;
  tcp_host_connect(h, &active, 0, 0x0a000001u, 5000, now);
  f.conns[f.nconns++] = active;

  static uint8_t buf[65536];
  size_t i = 0;
  while (i < size) {
    uint8_t op = data[i++] & 3;
    if (op <= 1) {
      if (i + 2 > size)
        break;
      size_t len = ((size_t)data[i] << 8) | data[i + 1];
      i += 2;
      if (len > size - i)
        len = size - i;
      memcpy(buf, data + i, len);
      i += len;
      if (op == 1)
        fix_checksums(buf, len);
      tcp_host_input(h, buf, len, now);
      tcp_conn *c;
      while (f.nconns < 16 && (tcp_host_accept(h, 80, &c, now) == 0 ||
                               tcp_host_accept(h, 81, &c, now) == 0))
        f.conns[f.nconns++] = c;
    } else if (op == 2) {
      if (i + 2 > size)
        break;
      now += (((uint64_t)data[i] << 8) | data[i + 1]) * TCP_MS;
      i += 2;
      while (tcp_host_expiry(h) <= now)
        tcp_host_on_expiry(h, tcp_host_expiry(h));
    } else {
      if (i + 3 > size || f.nconns == 0)
        break;
      uint8_t call = data[i] % 5;
      size_t n = ((size_t)data[i + 1] << 8) | data[i + 2];
      i += 3;
      tcp_conn *c = f.conns[f.nconns - 1];
      switch (call) {
      case 0:
        tcp_conn_send(c, n, now);
        break;
      case 1:
        tcp_conn_recv(c, NULL, n, now);
        break;
      case 2:
        tcp_conn_shutdown(c, now);
        break;
      default: /* close or abort releases the handle */
        if (call == 3)
          tcp_conn_close(c, now);
        else
          tcp_conn_abort(c, now);
        f.nconns--;
        break;
      }
    }
  }
  tcp_host_free(h);
  tcp_check_free(f.check);
  return 0;
}
