/*
 * test_segseq.c - canonical segment sequences: what is kept of a segment,
 * and each kind of difference, each with the sequence it must not be
 * confused with.
 */
#include "segseq.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define MS 1000000ull

/* One segment: client_sent, flags, seq, ack, len, window, time (ms). */
static void add(seg_seq *s, bool c2s, uint8_t flags, uint32_t seq, uint32_t ack,
                uint16_t len, uint16_t wnd, uint64_t t_ms) {
  tcp_segment g = {0};
  g.flags = flags;
  g.seq = seq;
  g.ack = ack;
  g.len = len;
  g.wnd = wnd;
  segseq_add(s, &g, c2s, t_ms * MS);
}

/* The article's conversation as the client sees it, ISNs 1000 and 5000;
 * `ack_gap`: how long after the data the client's ACK goes. */
static void conversation(seg_seq *s, uint64_t ack_gap_ms) {
  segseq_init(s);
  add(s, true, TCP_SYN, 1000, 0, 0, 65535, 0);
  add(s, false, TCP_SYN | TCP_ACK, 5000, 1001, 0, 64240, 20);
  add(s, true, TCP_ACK, 1001, 5001, 0, 65535, 40);
  add(s, true, TCP_ACK | TCP_PSH, 1001, 5001, 300, 65535, 40);
  add(s, true, TCP_FIN | TCP_ACK, 1301, 5001, 0, 65535, 40);
  add(s, false, TCP_ACK, 5001, 1302, 1460, 65535, 60);
  add(s, false, TCP_ACK | TCP_FIN | TCP_PSH, 6461, 1302, 100, 65535, 61);
  add(s, true, TCP_ACK, 1302, 6563, 0, 65535, 61 + ack_gap_ms);
}

static void test_canonical_form(void) {
  seg_seq s;
  conversation(&s, 0);
  char buf[64];
  /* relative numbers, PSH dropped, the window only when zero */
  CHECK(strcmp(segseq_format(&s.v[3], buf, sizeof buf), "C>S ACK 1 1 300") ==
        0);
  CHECK(strcmp(segseq_format(&s.v[6], buf, sizeof buf),
               "S>C FIN,ACK 1461 302 100") == 0);
  add(&s, false, TCP_ACK, 6563, 1302, 0, 0, 70);
  CHECK(strstr(segseq_format(&s.v[8], buf, sizeof buf), " win=0") != NULL);
  char *t = segseq_text(&s);
  CHECK(t && strstr(t, "    61.000 C>S ACK 302 1563 0\n") != NULL);
  /* read back: the same sequence, times to the microsecond */
  seg_seq back;
  segseq_init(&back);
  int line = 0;
  CHECK_EQ(segseq_parse(&back, t, &line), 0);
  CHECK_EQ(back.n, s.n);
  CHECK_EQ(segseq_compare(&s, &back, 0, NULL), SEGSEQ_IDENTICAL);
  CHECK_EQ(back.v[8].t_ns, 70 * MS);
  CHECK(back.v[8].zero_window);
  /* PSH shown after the compared part, and read back */
  CHECK(strstr(t, "C>S ACK 1 1 300 psh\n") != NULL);
  CHECK(back.v[3].psh && !back.v[2].psh);
  segseq_free(&back);
  /* and refused where it is not such a text */
  static const char *const bad[] = {"1.0 C>S ACK 1 1 0\nnonsense\n",
                                    "1.0 X>Y ACK 1 1 0\n",
                                    "1.0 C>S ACK,BOGUS 1 1 0\n",
                                    "1.0 C>S ACK 1 1 0 win=1\n",
                                    "1.0 C>S ACK 1 1\n",
                                    "1.0 C>S ACK 1 1 0 psh psh\n"};
  int want[] = {2, 1, 1, 1, 1, 1};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    segseq_init(&back);
    CHECK_EQ(segseq_parse(&back, bad[i], &line), -1);
    CHECK_EQ(line, want[i]);
    segseq_free(&back);
  }
  free(t);
  segseq_free(&s);
}

static void test_kinds(void) {
  seg_seq a, b;
  size_t k;
  conversation(&a, 0);
  conversation(&b, 0);
  CHECK_EQ(segseq_compare(&a, &b, MS, &k), SEGSEQ_IDENTICAL);
  CHECK_EQ(k, SIZE_MAX);
  /* other ISNs, other windows, PSH or not: still identical */
  seg_seq c;
  segseq_init(&c);
  add(&c, true, TCP_SYN, 77, 0, 0, 1000, 0);
  add(&c, false, TCP_SYN | TCP_ACK, 900, 78, 0, 1000, 20);
  seg_seq d;
  segseq_init(&d);
  add(&d, true, TCP_SYN, 1, 0, 0, 65535, 0);
  add(&d, false, TCP_SYN | TCP_ACK | TCP_PSH, 2, 2, 0, 5, 20);
  CHECK_EQ(segseq_compare(&c, &d, MS, NULL), SEGSEQ_IDENTICAL);
  segseq_free(&c);
  segseq_free(&d);
  segseq_free(&b);

  /* the client's last ACK 0.5 ms later than the FIN, against one that
   * went before a (later) segment from the server */
  conversation(&b, 0);
  b.v[7].t_ns = 60 * MS + MS / 2; /* before the FIN at 61 ms */
  seg_canon tmp = b.v[7];
  b.v[7] = b.v[6];
  b.v[6] = tmp;
  CHECK_EQ(segseq_compare(&a, &b, MS, &k), SEGSEQ_CROSSED);
  CHECK_EQ(k, 6);
  /* the same crossing 30 ms apart is an order, not timing */
  b.v[6].t_ns = 31 * MS;
  CHECK_EQ(segseq_compare(&a, &b, MS, NULL), SEGSEQ_INTERLEAVING);
  size_t ia, ib;
  CHECK(!segseq_first_real_diff(&a, &b, &ia, &ib));
  /* a crossing first, a real difference after it: the real one is named,
   * on each side */
  b.v[7].len = 99; /* the server's FIN segment, now at index 7 of b */
  CHECK(segseq_first_real_diff(&a, &b, &ia, &ib));
  CHECK_EQ(ia, 6);
  CHECK_EQ(ib, 7);
  segseq_free(&b);

  /* one more ACK (the redundant ACK) on one side */
  conversation(&b, 0);
  add(&b, true, TCP_ACK, 1302, 6563, 0, 65535, 200);
  CHECK_EQ(segseq_compare(&a, &b, MS, &k), SEGSEQ_EXTRA_B);
  CHECK_EQ(k, 8);
  CHECK_EQ(segseq_compare(&b, &a, MS, NULL), SEGSEQ_EXTRA_A);
  segseq_free(&b);

  /* the FIN alone instead of on the data: one changed segment and one
   * more - several differences; a changed length alone: one segment */
  conversation(&b, 0);
  b.v[6].len = 99;
  CHECK_EQ(segseq_compare(&a, &b, MS, &k), SEGSEQ_CHANGED);
  CHECK_EQ(k, 6);
  b.v[7].ack = 7;
  CHECK_EQ(segseq_compare(&a, &b, MS, NULL), SEGSEQ_SEVERAL);
  segseq_free(&b);
  segseq_free(&a);
}

int main(void) {
  RUN(test_canonical_form);
  RUN(test_kinds);
  return t_summary();
}
