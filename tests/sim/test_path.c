/*
 * test_path.c - conversations across a [path] of routers (ns-3's internet
 * stack, the model as its TCP, queue discs, cross traffic): the chain has
 * the delays and the bottleneck its keys say, cross traffic queues the
 * conversation behind it, the conversation's drops are counted wherever
 * they happen (a conversation with drops still ends complete, which needs
 * every datagram accounted for), each queue disc runs, and a conversation
 * gives the same outcome whatever ran before it in the process - a path
 * or the fast link.
 */
#include "conv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "outcome_cols.h"

static conv_env *env;

/* the client's SYN and the SYN-ACK's arrival: the path's round trip */
typedef struct rtt {
  int64_t syn, synack;
} rtt;

static void on_event(void *user, const tcp_event *ev) {
  rtt *t = user;
  if (ev->host != CONV_CLIENT_ADDR)
    return;
  if (ev->type == TCP_EV_SEG_OUT && (ev->seg.flags & TCP_SYN) && t->syn < 0)
    t->syn = (int64_t)ev->time_ns;
  if (ev->type == TCP_EV_SEG_IN && (ev->seg.flags & TCP_SYN) && t->synack < 0)
    t->synack = (int64_t)ev->time_ns;
}

static int run_path(const conv_params *p, const char *profile, uint64_t index,
                    conv_outcome *o, rtt *t) {
  tcp_profile c;
  tcp_profile_preset(&c, profile);
  if (t)
    t->syn = t->synack = -1;
  conv_opts opts = {.trace = t ? on_event : NULL, .trace_user = t};
  char err[400] = "";
  int rv = conv_run(env, p, CONV_STACK_MODEL, &c, &c, 1, index, &opts, o, err,
                    sizeof err);
  if (rv)
    fprintf(stderr, "conv_run: %s\n", err);
  return rv;
}

/* fast links, 5 ms to each router, 20 ms between routers */
static void path_params(conv_params *p, uint64_t routers) {
  conv_params_default(p);
  p->routers = routers;
  p->rate_bps = 1000000000;
  p->delay_ns = 5 * TCP_MS;
  p->bottleneck_rate_bps = 1000000000;
  p->bottleneck_delay_ns = 20 * TCP_MS;
}

/* The SYN's round trip is twice the chain's delays: the access links on
 * both sides and every link between routers (none with one router, where
 * the bottleneck keys do not apply), plus the transmission times. */
static void test_chain_delays(void) {
  static const struct {
    uint64_t routers, one_way_ms;
  } c[] = {{0, 5}, {1, 10}, {2, 30}, {3, 50}};
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
    conv_params p;
    path_params(&p, c[i].routers);
    conv_outcome o;
    rtt t;
    CHECK_EQ(run_path(&p, "nt351", 0, &o, &t), 0);
    CHECK(o.completed);
    CHECK(t.syn >= 0 && t.synack > t.syn);
    int64_t want = 2 * (int64_t)(c[i].one_way_ms * TCP_MS);
    int64_t got = t.synack - t.syn;
    /* a 44-byte SYN and SYN-ACK on at most 4 links of 1 Gb/s each way */
    CHECK(got >= want && got < want + 10000);
    if (!(got >= want && got < want + 10000))
      fprintf(stderr, "  routers %llu: RTT %lld ns, want %lld\n",
              (unsigned long long)c[i].routers, (long long)got,
              (long long)want);
  }
}

/* The response crosses the bottleneck at its rate: 200 000 bytes take
 * at least 1.6 s at 1 Mb/s; the control at 100 Mb/s takes far less. */
static void test_bottleneck_rate(void) {
  conv_params p;
  path_params(&p, 2);
  p.response = 200000;
  p.read_interval_ns = 0;
  /* a short round trip: nt351's 8760-byte window is no limit */
  p.delay_ns = TCP_MS / 2;
  p.bottleneck_delay_ns = 1 * TCP_MS;
  p.bottleneck_rate_bps = 1000000;
  conv_outcome slow, fast;
  CHECK_EQ(run_path(&p, "nt351-sp", 0, &slow, NULL), 0);
  p.bottleneck_rate_bps = 100000000;
  CHECK_EQ(run_path(&p, "nt351-sp", 0, &fast, NULL), 0);
  CHECK(slow.completed && fast.completed);
  CHECK_EQ(slow.bytes_read, 200000);
  CHECK(slow.duration_ns >= 1600 * TCP_MS);
  CHECK(fast.duration_ns < 1000 * TCP_MS);
}

/* Bulk cross traffic fills the bottleneck's FIFO: the conversation's SYN
 * waits behind it (the control: no cross traffic, the bare round trip). */
static void test_cross_traffic_queues(void) {
  conv_params p;
  path_params(&p, 2);
  p.bottleneck_rate_bps = 5000000;
  p.qdisc = CONV_QDISC_FIFO;
  p.qdisc_limit = 100;
  conv_outcome o;
  rtt bare, busy;
  CHECK_EQ(run_path(&p, "nt351-sp", 0, &o, &bare), 0);
  p.cross_flows = 4;
  CHECK_EQ(run_path(&p, "nt351-sp", 0, &o, &busy), 0);
  CHECK(o.completed);
  CHECK(bare.synack - bare.syn < (int64_t)(61 * TCP_MS));
  /* a full 100-packet queue at 5 Mb/s holds 240 ms */
  CHECK(busy.synack - busy.syn >
        bare.synack - bare.syn + (int64_t)(50 * TCP_MS));
}

/* A short queue under eight bulk flows drops some of the conversation's
 * datagrams, and so does loss between the routers; the conversation still
 * ends complete - it waits until none of its datagrams is in flight,
 * which needs each drop counted where it happened. */
static void test_drops_accounted(void) {
  conv_params p;
  path_params(&p, 2);
  p.bottleneck_rate_bps = 2000000;
  p.qdisc_limit = 5;
  p.cross_flows = 8;
  p.response = 60000;
  uint32_t lost = 0;
  for (uint64_t i = 0; i < 4; i++) {
    conv_outcome o;
    CHECK_EQ(run_path(&p, "nt351-sp", i, &o, NULL), 0);
    CHECK(o.completed);
    CHECK_EQ(o.bytes_read, 60000);
    lost += o.lost;
  }
  CHECK(lost > 0);
  path_params(&p, 3);
  p.bottleneck_loss = 0.05;
  p.response = 60000;
  lost = 0;
  for (uint64_t i = 0; i < 4; i++) {
    conv_outcome o;
    CHECK_EQ(run_path(&p, "nt351-sp", i, &o, NULL), 0);
    CHECK(o.completed);
    lost += o.lost;
  }
  CHECK(lost > 0);
}

/* When the last of a conversation's datagrams is lost on the way - the
 * redundant ACK, with the client in TIME-WAIT for nt351's 240 s - the
 * conversation ends then, not at the time limit of 60 s: the lossy
 * conversations whose redundant ACK drew no RST complete. */
static void test_drop_ends_conversation(void) {
  conv_params p;
  path_params(&p, 2);
  p.bottleneck_loss = 0.1;
  p.time_limit_ns = 60 * TCP_S;
  p.read_interval_ns = 0; /* the client is done at the FIN: no later read
                             looks whether the conversation is over */
  int unanswered = 0;
  for (uint64_t i = 0; i < 100; i++) {
    conv_outcome o;
    CHECK_EQ(run_path(&p, "nt351", i, &o, NULL), 0);
    if (o.redundant_ack && !o.server_rst) {
      unanswered++;
      CHECK(o.completed);
      CHECK(o.duration_ns < 10 * TCP_S);
    }
  }
  CHECK(unanswered > 0);
}

/* Every queue disc and cross-traffic kind runs the article's conversation
 * to its end, twice the same (RED and PIE draw: their streams are
 * pinned). */
static void test_each_qdisc(void) {
  for (uint64_t q = CONV_QDISC_FIFO; q <= CONV_QDISC_PIE; q++) {
    conv_params p;
    path_params(&p, 2);
    p.bottleneck_rate_bps = 5000000;
    p.qdisc = q;
    p.qdisc_limit = 30;
    p.cross_flows = 3;
    p.cross_kind = q % 2 ? CONV_CROSS_ONOFF : CONV_CROSS_BULK;
    p.cross_tcp = q == CONV_QDISC_PIE ? 4 /* linux */ : CONV_CROSS_TCP_NS3;
    conv_outcome a, b;
    CHECK_EQ(run_path(&p, "nt351", 3, &a, NULL), 0);
    CHECK_EQ(run_path(&p, "nt351", 3, &b, NULL), 0);
    CHECK(a.completed);
    const char *which = "";
    CHECK(conv_outcome_same(&a, &b, &which));
  }
}

/* A path conversation after others (a path with other keys, the fast
 * link) gives what it gives alone in a new process's simulation, and so
 * does a fast-link conversation after a path. */
static void test_whatever_ran_before(void) {
  conv_params path, other, fast;
  path_params(&path, 2);
  path.bottleneck_rate_bps = 5000000;
  path.qdisc = CONV_QDISC_RED;
  path.cross_flows = 4;
  path.loss = 0.01;
  other = path;
  other.qdisc = CONV_QDISC_PIE;
  other.cross_kind = CONV_CROSS_ONOFF;
  conv_params_default(&fast);
  fast.loss = 0.02;
  conv_outcome alone, after, falone, fafter, x;
  CHECK_EQ(run_path(&path, "nt351", 5, &alone, NULL), 0);
  CHECK_EQ(run_path(&fast, "nt351", 5, &falone, NULL), 0);
  CHECK_EQ(run_path(&other, "nt351", 6, &x, NULL), 0);
  CHECK_EQ(run_path(&fast, "nt351", 5, &fafter, NULL), 0);
  CHECK_EQ(run_path(&other, "nt351", 7, &x, NULL), 0);
  CHECK_EQ(run_path(&path, "nt351", 5, &after, NULL), 0);
  const char *which = "";
  CHECK(conv_outcome_same(&alone, &after, &which));
  CHECK(conv_outcome_same(&falone, &fafter, &which));
  /* and against a simulation that never saw a path */
  conv_env_free(env);
  CHECK_EQ(conv_env_new(&env, 1, NULL, 0), 0);
  CHECK_EQ(run_path(&fast, "nt351", 5, &x, NULL), 0);
  CHECK(conv_outcome_same(&falone, &x, &which));
}

int main(void) {
  if (conv_env_new(&env, 1, NULL, 0) != 0) {
    fprintf(stderr, "no ns-3 simulation\n");
    return 1;
  }
  RUN(test_chain_delays);
  RUN(test_bottleneck_rate);
  RUN(test_cross_traffic_queues);
  RUN(test_drops_accounted);
  RUN(test_drop_ends_conversation);
  RUN(test_each_qdisc);
  RUN(test_whatever_ran_before);
  conv_env_free(env);
  return t_summary();
}
