/*
 * test_kb.c - the two traces of KB Q152474, segment by segment, driven by
 * hand on the test harness (no simulator).
 *
 * Trace 1 is the article's normal conversation: the client closes after the
 * response, the server follows. Trace 2 is the failing one: the client
 * half-closes right after its request, reads slowly, and under nt351 a
 * delayed ACK left armed across the ACK of the server's FIN goes out as a
 * second ACK, the closed server answers with a RST, and the client, in
 * TIME-WAIT with unread data, is reset and loses that data. The same inputs
 * under nt351-sp show none of it.
 */
#include "harness.h"

#include <string.h>

typedef struct want {
  int from;      /* 0 client, 1 server */
  uint8_t flags; /* exact flags */
  uint32_t len;  /* payload bytes */
} want;

#define C 0
#define S 1
#define A TCP_ACK
#define P TCP_PSH

/* Check the segments on the wire against `w`, in order. */
static void expect_trace(const harness *t, const want *w, size_t n) {
  size_t k = 0;
  for (size_t i = 0; i < t->nlog; i++) {
    const tcp_event *e = &t->log[i];
    if (e->type != TCP_EV_SEG_OUT)
      continue;
    int from = e->host == H_ADDR_A ? C : S;
    if (k < n) {
      if (w[k].from != from || w[k].flags != e->seg.flags ||
          w[k].len != e->seg.len) {
        char f1[32], f2[32];
        fprintf(
            stderr, "segment %zu: got %s [%s] len=%u, want %s [%s] len=%u\n", k,
            from ? "S->C" : "C->S", tcp_flags_str(e->seg.flags, f1, sizeof f1),
            e->seg.len, w[k].from ? "S->C" : "C->S",
            tcp_flags_str(w[k].flags, f2, sizeof f2), w[k].len);
        t_cur_failed++;
      }
    }
    k++;
  }
  CHECK_EQ(k, n);
}

/* Sequence and acknowledgment numbers, checked against each side's ISN. */
static void expect_numbers(const harness *t) {
  uint32_t iss[2] = {0, 0};
  bool have[2] = {false, false};
  for (size_t i = 0; i < t->nlog; i++) {
    const tcp_event *e = &t->log[i];
    if (e->type != TCP_EV_SEG_OUT || !(e->seg.flags & TCP_SYN))
      continue;
    int from = e->host == H_ADDR_A ? C : S;
    iss[from] = e->seg.seq;
    have[from] = true;
  }
  CHECK(have[C] && have[S]);
  /* every segment's seq is within [ISS, ISS + 1 + bytes + 1] of its sender
   * and every ACK within the peer's; the harness replays them in order */
  uint32_t next[2] = {iss[C], iss[S]};
  for (size_t i = 0; i < t->nlog; i++) {
    const tcp_event *e = &t->log[i];
    if (e->type != TCP_EV_SEG_OUT || (e->seg.flags & TCP_RST))
      continue;
    int from = e->host == H_ADDR_A ? C : S;
    CHECK_EQ(e->seg.seq, next[from]);
    uint32_t adv =
        e->seg.len + !!(e->seg.flags & TCP_SYN) + !!(e->seg.flags & TCP_FIN);
    next[from] += adv;
    if (e->seg.flags & TCP_ACK)
      CHECK(e->seg.ack - iss[1 - from] <= next[1 - from] - iss[1 - from]);
  }
}

static void test_trace1_normal_close(void) {
  tcp_profile p = h_profile("nt351");
  harness t;
  h_init(&t, &p, &p, 5 * TCP_MS, 10000000);
  h_kb_defaults(&t.kb);
  h_kb_client_closes_first(&t.kb, 1000, 300 * TCP_MS, 300 * TCP_MS);
  h_kb_start(&t);
  h_run(&t, 600 * TCP_S);
  static const want w[] = {
      {C, TCP_SYN, 0}, {S, TCP_SYN | A, 0}, {C, A, 0}, {C, P | A, 300},
      {S, A, 0},       {S, P | A, 1000},    {C, A, 0}, {C, TCP_FIN | A, 0},
      {S, A, 0},       {S, TCP_FIN | A, 0}, {C, A, 0},
  };
  expect_trace(&t, w, sizeof w / sizeof *w);
  expect_numbers(&t);
  CHECK_EQ(t.kb.client_read, 1000);
  CHECK_EQ(t.kb.server_read, 300);
  CHECK_EQ(t.kb.client_error, 0);
  CHECK_EQ(h_count(&t, TCP_EV_SEG_OUT, 0, TCP_WHY_RST_NO_CONN), 0);
  /* the delayed ACKs are the ones the article shows: the server's ACK of
   * the request and the client's ACK of the response */
  CHECK_EQ(h_count(&t, TCP_EV_SEG_OUT, H_ADDR_B, TCP_WHY_DELACK), 1);
  CHECK_EQ(h_count(&t, TCP_EV_SEG_OUT, H_ADDR_A, TCP_WHY_DELACK), 1);
  h_fini(&t);
}

/* The failing conversation; returns the harness for inspection. */
static void run_trace2(harness *t, const char *profile) {
  tcp_profile p = h_profile(profile);
  h_init(t, &p, &p, 5 * TCP_MS, 10000000);
  h_kb_defaults(&t->kb);
  t->kb.response = 20000;
  t->kb.read_delay = 50 * TCP_MS;
  t->kb.read_interval = 40 * TCP_MS;
  t->kb.read_size = 1024;
  h_kb_start(t);
  h_run(t, 600 * TCP_S);
}

static size_t index_of(const harness *t, const tcp_event *e) {
  return (size_t)(e - t->log);
}

static void test_trace2_nt351_resets(void) {
  harness t;
  run_trace2(&t, "nt351");
  /* the server's FIN, and the client's first ACK that covers it */
  const tcp_event *sfin = h_find(&t, 0, TCP_EV_SEG_OUT, H_ADDR_B, TCP_FIN, 0);
  CHECK(sfin != NULL);
  if (!sfin) {
    h_fini(&t);
    return;
  }
  uint32_t fin_end = sfin->seg.seq + sfin->seg.len + 1;
  const tcp_event *finack = NULL, *redundant = NULL, *rst = NULL;
  for (size_t i = index_of(&t, sfin); i < t.nlog; i++) {
    const tcp_event *e = &t.log[i];
    if (e->type != TCP_EV_SEG_OUT)
      continue;
    if (e->host == H_ADDR_A && (e->seg.flags & TCP_ACK) &&
        e->seg.ack == fin_end) {
      if (!finack)
        finack = e;
      else if (!redundant)
        redundant = e;
    }
    if (e->host == H_ADDR_B && (e->seg.flags & TCP_RST) && !rst)
      rst = e;
  }
  CHECK(finack && redundant && rst);
  if (finack && redundant && rst) {
    CHECK_EQ(finack->why, TCP_WHY_ACK_FIN);
    CHECK_EQ(finack->state, TCP_TIME_WAIT);
    /* the redundant ACK is the delayed-ACK timer firing in TIME-WAIT */
    CHECK_EQ(redundant->why, TCP_WHY_DELACK);
    CHECK_EQ(redundant->state, TCP_TIME_WAIT);
    CHECK(redundant->time_ns > finack->time_ns);
    /* the server had no TCB left: the RST is the host's, SEQ = FIN + 1 */
    CHECK(rst->conn == NULL);
    CHECK(rst->why == TCP_WHY_RST_LISTEN || rst->why == TCP_WHY_RST_NO_CONN);
    CHECK_EQ(rst->seg.flags, TCP_RST);
    CHECK_EQ(rst->seg.seq, fin_end);
    CHECK(rst->time_ns > redundant->time_ns);
  }
  /* the client was reset in TIME-WAIT and its read failed */
  bool reset_in_tw = false;
  for (size_t i = 0; i < t.nlog; i++) {
    const tcp_event *e = &t.log[i];
    if (e->type == TCP_EV_STATE && e->host == H_ADDR_A &&
        e->from == TCP_TIME_WAIT && e->to == TCP_CLOSED &&
        (!rst || e->time_ns > rst->time_ns))
      reset_in_tw = true;
  }
  CHECK(reset_in_tw);
  CHECK_EQ(t.kb.client_error, TCP_ERR_RESET);
  CHECK(!t.kb.client_eof);
  /* exactly the unread bytes are lost: all 20000 arrived, the application
   * read some, the rest was discarded by the reset */
  size_t lost = 0;
  for (size_t i = 0; i < t.nlog; i++)
    if (t.log[i].type == TCP_EV_DATA_LOST && t.log[i].host == H_ADDR_A)
      lost += (size_t)t.log[i].arg;
  CHECK(lost > 0);
  CHECK_EQ(t.kb.client_read + lost, 20000);
  CHECK_EQ(t.kb.server_read, 300);
  h_fini(&t);
}

static void test_trace2_nt351sp_clean(void) {
  harness t;
  run_trace2(&t, "nt351-sp");
  /* the delayed ACK was pending when the FIN came, and its ACK cleared it */
  const tcp_event *fa = NULL;
  for (size_t i = 0; i < t.nlog && !fa; i++)
    if (t.log[i].type == TCP_EV_SEG_OUT && t.log[i].host == H_ADDR_A &&
        t.log[i].why == TCP_WHY_ACK_FIN)
      fa = &t.log[i];
  CHECK(fa != NULL);
  if (fa) {
    const tcp_event *next = fa + 1;
    CHECK(next < t.log + t.nlog && next->type == TCP_EV_TIMER_CANCEL &&
          next->timer == TCP_TIMER_DELACK && next->time_ns == fa->time_ns);
  }
  /* no ACK after the ACK of the FIN, no RST, every byte read */
  const tcp_event *sfin = h_find(&t, 0, TCP_EV_SEG_OUT, H_ADDR_B, TCP_FIN, 0);
  CHECK(sfin != NULL);
  size_t acks_of_fin = 0;
  if (sfin) {
    uint32_t fin_end = sfin->seg.seq + sfin->seg.len + 1;
    for (size_t i = 0; i < t.nlog; i++) {
      const tcp_event *e = &t.log[i];
      if (e->type == TCP_EV_SEG_OUT && e->host == H_ADDR_A &&
          e->seg.ack == fin_end && (e->seg.flags & TCP_ACK))
        acks_of_fin++;
    }
  }
  CHECK_EQ(acks_of_fin, 1);
  CHECK(h_find(&t, 0, TCP_EV_SEG_OUT, 0, TCP_RST, 0) == NULL);
  CHECK_EQ(t.kb.client_error, 0);
  CHECK(t.kb.client_eof);
  CHECK_EQ(t.kb.client_read, 20000);
  CHECK_EQ(h_count(&t, TCP_EV_DATA_LOST, 0, TCP_WHY_NONE), 0);
  h_fini(&t);
}

static void test_trace2_same_until_fin_ack(void) {
  /* the two profiles differ only after the ACK of the FIN: every segment
   * before it is identical (common random numbers at work) */
  harness a, b;
  run_trace2(&a, "nt351");
  run_trace2(&b, "nt351-sp");
  size_t ia = 0, ib = 0, same = 0;
  for (;;) {
    while (ia < a.nlog && a.log[ia].type != TCP_EV_SEG_OUT)
      ia++;
    while (ib < b.nlog && b.log[ib].type != TCP_EV_SEG_OUT)
      ib++;
    if (ia == a.nlog || ib == b.nlog)
      break;
    const tcp_event *x = &a.log[ia], *y = &b.log[ib];
    if (x->time_ns != y->time_ns || x->seg.seq != y->seg.seq ||
        x->seg.ack != y->seg.ack || x->seg.flags != y->seg.flags)
      break;
    same++;
    if (x->why == TCP_WHY_ACK_FIN && x->host == H_ADDR_A)
      break;
    ia++;
    ib++;
  }
  CHECK(same > 20);
  CHECK_EQ(a.log[ia].why, TCP_WHY_ACK_FIN);
  h_fini(&a);
  h_fini(&b);
}

int main(void) {
  RUN(test_trace1_normal_close);
  RUN(test_trace2_nt351_resets);
  RUN(test_trace2_nt351sp_clean);
  RUN(test_trace2_same_until_fin_ack);
  return t_summary();
}
