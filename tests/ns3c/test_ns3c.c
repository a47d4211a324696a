/*
 * test_ns3c.c - the libns3 wrapper, from C (this file is C11: it proves the
 * header compiles as C). Event order and cancelling, in simulated and in
 * real time (never before the wall clock's time), link timing against
 * the closed form (serialization of datagram + 2-byte PPP header, plus
 * propagation), queue drops, loss that is reproducible and near its rate,
 * the capture's header, and errors instead of aborts.
 */
#include "ns3c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

static ns3c_sim *sim;
static char order[16];
static size_t norder;

static void mark(void *arg) {
  order[norder++] = *(const char *)arg;
}

static void test_events_order_and_cancel(void) {
  CHECK_EQ(ns3c_sim_new(&sim, 1, 0), 0);
  ns3c_sim *other;
  CHECK_EQ(ns3c_sim_new(&other, 1, 0), NS3C_ERR_BUSY);
  norder = 0;
  static const char a = 'a', b = 'b', c = 'c', d = 'd';
  uint64_t idc;
  ns3c_schedule(sim, 300, mark, (void *)&c, &idc);
  ns3c_schedule(sim, 100, mark, (void *)&a, NULL);
  ns3c_schedule(sim, 200, mark, (void *)&b, NULL);
  ns3c_schedule(sim, 200, mark, (void *)&d, NULL); /* same time: FIFO */
  CHECK_EQ(ns3c_cancel(sim, idc), 0);
  CHECK_EQ(ns3c_run(sim), 0);
  CHECK_EQ(norder, 3);
  CHECK(memcmp(order, "abd", 3) == 0);
  CHECK_EQ(ns3c_now(sim), 200);
  CHECK_EQ(ns3c_cancel(sim, idc), 0); /* cancelling again: no-op */
  CHECK_EQ(ns3c_schedule(sim, 100, mark, (void *)&a, NULL), NS3C_ERR_INVAL);
  ns3c_sim_free(sim);
  /* a new simulation after the old one is gone */
  CHECK_EQ(ns3c_sim_new(&sim, 1, 0), 0);
  CHECK_EQ(ns3c_now(sim), 0);
  ns3c_sim_free(sim);
}

/* In real time: the events in order, none before its time by the wall
 * clock, Now() their scheduled time, a cancelled one not at all. */
static int64_t wall_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int64_t ran_wall[8];
static uint64_t ran_sim[8];

static void mark_time(void *arg) {
  ran_wall[norder] = wall_ns();
  ran_sim[norder] = ns3c_now(sim);
  mark(arg);
}

static void stop_now(void *arg) {
  (void)arg;
  ns3c_stop(sim);
}

static void test_realtime_events(void) {
  CHECK_EQ(ns3c_sim_new_realtime(&sim, 1, 0), 0);
  norder = 0;
  static const char a = 'a', b = 'b', c = 'c', d = 'd';
  static const uint64_t at[3] = {2000000, 2000000, 5000000}; /* b d a */
  uint64_t idc;
  ns3c_schedule(sim, 5000000, mark_time, (void *)&a, NULL);
  ns3c_schedule(sim, 2000000, mark_time, (void *)&b, NULL);
  ns3c_schedule(sim, 2000000, mark_time, (void *)&d, NULL);
  ns3c_schedule(sim, 3000000, mark_time, (void *)&c, &idc);
  ns3c_schedule(sim, 8000000, stop_now, NULL, NULL);
  CHECK_EQ(ns3c_cancel(sim, idc), 0);
  int64_t t0 = wall_ns(); /* before the clock's origin */
  CHECK_EQ(ns3c_run(sim), 0);
  CHECK(wall_ns() - t0 >= 8000000);
  CHECK_EQ(norder, 3);
  CHECK(memcmp(order, "bda", 3) == 0);
  for (size_t i = 0; i < 3 && i < norder; i++) {
    CHECK_EQ(ran_sim[i], at[i]);
    CHECK(ran_wall[i] - t0 >= (int64_t)at[i]); /* never early */
  }
  CHECK_EQ(ns3c_now(sim), 8000000);
  ns3c_sim_free(sim);
}

typedef struct rx {
  uint64_t at[64];
  size_t len[64];
  int node[64];
  size_t n;
} rx;

static void on_rx(void *user, int node, const uint8_t *d, size_t len) {
  rx *r = user;
  (void)d;
  if (r->n < 64) {
    r->at[r->n] = ns3c_now(sim);
    r->len[r->n] = len;
    r->node[r->n] = node;
    r->n++;
  }
}

static void test_link_timing(void) {
  CHECK_EQ(ns3c_sim_new(&sim, 1, 0), 0);
  ns3c_link *l;
  ns3c_link_config c = {8000000, 5000000, 10, 1500, 0, 0};
  CHECK_EQ(ns3c_link_new(sim, &c, &l), 0);
  rx r = {0};
  ns3c_link_set_receive(l, on_rx, &r);
  uint8_t d[1000];
  memset(d, 0x45, sizeof d);
  CHECK_EQ(ns3c_link_send(l, 0, d, 998), 0); /* 1000 B with PPP: 1 ms */
  CHECK_EQ(ns3c_link_send(l, 0, d, 98), 0);  /* queued behind it: 0.1 ms */
  CHECK_EQ(ns3c_link_send(l, 1, d, 498), 0);
  CHECK_EQ(ns3c_run(sim), 0);
  CHECK_EQ(r.n, 3);
  /* node 1 sends 500 B: 0.5 ms + 5 ms; node 0's first: 1 ms + 5 ms */
  CHECK_EQ(r.node[0], 0);
  CHECK_EQ(r.at[0], 5500000);
  CHECK_EQ(r.at[1], 6000000);
  CHECK_EQ(r.len[1], 998);
  CHECK_EQ(r.at[2], 6100000);
  ns3c_link_stats st;
  ns3c_link_stats_get(l, &st);
  CHECK_EQ(st.sent[0], 2);
  CHECK_EQ(st.delivered[1], 2);
  CHECK_EQ(st.delivered[0], 1);
  /* larger than the MTU, or a bad node: errors, nothing sent */
  CHECK_EQ(ns3c_link_send(l, 0, d, 1501 > sizeof d ? sizeof d : 1000), 0);
  uint8_t big[1600] = {0};
  CHECK_EQ(ns3c_link_send(l, 0, big, 1600), NS3C_ERR_INVAL);
  CHECK(strstr(ns3c_last_error(), "MTU") != NULL);
  CHECK_EQ(ns3c_link_send(l, 2, d, 10), NS3C_ERR_INVAL);
  ns3c_run(sim);
  ns3c_sim_free(sim);
}

static void test_queue_drops(void) {
  CHECK_EQ(ns3c_sim_new(&sim, 1, 0), 0);
  ns3c_link *l;
  ns3c_link_config c = {1000000, 1000000, 2, 1500, 0, 0};
  CHECK_EQ(ns3c_link_new(sim, &c, &l), 0);
  rx r = {0};
  ns3c_link_set_receive(l, on_rx, &r);
  uint8_t d[1000] = {0x45};
  int full = 0;
  for (int i = 0; i < 6; i++)
    full += ns3c_link_send(l, 0, d, sizeof d) == NS3C_ERR_FULL;
  ns3c_run(sim);
  /* one on the wire, two queued, three dropped */
  CHECK_EQ(full, 3);
  CHECK_EQ(r.n, 3);
  ns3c_link_stats st;
  ns3c_link_stats_get(l, &st);
  CHECK_EQ(st.queue_drops[0], 3);
  ns3c_sim_free(sim);
}

/* Send n datagrams 0 -> 1 with loss p on stream s; return the lost mask. */
static uint64_t loss_pattern(ns3c_link *l, double p, uint64_t s, int n,
                             int *lost) {
  ns3c_link_config c = {100000000, 1000, 1000, 1500, p, s};
  CHECK_EQ(ns3c_link_configure(l, &c), 0);
  rx r = {0};
  ns3c_link_set_receive(l, on_rx, &r);
  uint8_t d[100] = {0x45};
  for (int i = 0; i < n; i++)
    ns3c_link_send(l, 0, d, sizeof d);
  ns3c_run(sim);
  ns3c_link_stats st;
  ns3c_link_stats_get(l, &st);
  *lost = (int)st.lost[1];
  uint64_t mask = 0;
  for (size_t i = 0; i < r.n && i < 64; i++)
    mask = mask * 31 + r.at[i] - r.at[0];
  return mask ^ (uint64_t)r.n;
}

static void test_loss_reproducible(void) {
  CHECK_EQ(ns3c_sim_new(&sim, 7, 0), 0);
  ns3c_link *l;
  ns3c_link_config c = {100000000, 1000, 1000, 1500, 0, 0};
  CHECK_EQ(ns3c_link_new(sim, &c, &l), 0);
  int lost1, lost2, lost3, lost_many;
  uint64_t m1 = loss_pattern(l, 0.2, 10, 60, &lost1);
  uint64_t m3 = loss_pattern(l, 0.2, 12, 60, &lost3);
  uint64_t m2 = loss_pattern(l, 0.2, 10, 60, &lost2); /* stream 10 again */
  CHECK_EQ(lost1, lost2);
  CHECK(m1 == m2);
  CHECK(m1 != m3 || lost1 != lost3);
  /* 5000 datagrams at 10 %: within 4 standard deviations (21.2) of 500 */
  ns3c_link_config big = {1000000000, 1000, 6000, 1500, 0.1, 20};
  CHECK_EQ(ns3c_link_configure(l, &big), 0);
  uint8_t d[60] = {0x45};
  ns3c_link_set_receive(l, NULL, NULL);
  for (int i = 0; i < 5000; i++)
    ns3c_link_send(l, 0, d, sizeof d);
  ns3c_run(sim);
  ns3c_link_stats st;
  ns3c_link_stats_get(l, &st);
  lost_many = (int)st.lost[1];
  CHECK(lost_many > 415 && lost_many < 585);
  CHECK_EQ(st.delivered[1] + st.lost[1], 5000);
  /* bad configurations are errors */
  ns3c_link_config bad = c;
  bad.loss = 1.0;
  CHECK_EQ(ns3c_link_configure(l, &bad), NS3C_ERR_INVAL);
  bad = c;
  bad.mtu = 20;
  CHECK_EQ(ns3c_link_configure(l, &bad), NS3C_ERR_INVAL);
  bad = c;
  bad.rate_bps = 0;
  CHECK_EQ(ns3c_link_configure(l, &bad), NS3C_ERR_INVAL);
  ns3c_sim_free(sim);
}

static void test_pcap_file(void) {
  CHECK_EQ(ns3c_sim_new(&sim, 1, 0), 0);
  ns3c_link *l;
  ns3c_link_config c = {10000000, 1000000, 10, 1500, 0, 0};
  CHECK_EQ(ns3c_link_new(sim, &c, &l), 0);
  CHECK_EQ(ns3c_link_pcap(l, "/nonexistent-dir/x.pcap"), NS3C_ERR_IO);
  char path[] = "/tmp/ns3c-test-XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  CHECK_EQ(ns3c_link_pcap(l, path), 0);
  uint8_t d[40] = {0x45, 0, 0, 40};
  ns3c_link_send(l, 0, d, sizeof d);
  ns3c_link_send(l, 1, d, sizeof d);
  ns3c_run(sim);
  ns3c_link_pcap(l, NULL);
  ns3c_sim_free(sim);
  FILE *f = fopen(path, "rb");
  uint8_t h[24 + 16 + 40];
  size_t n = f ? fread(h, 1, sizeof h, f) : 0;
  if (f)
    fclose(f);
  CHECK_EQ(n, sizeof h);
  /* little-endian pcap, link type 101 (raw IPv4), first record 40 bytes */
  CHECK(h[0] == 0xd4 && h[1] == 0xc3 && h[2] == 0xb2 && h[3] == 0xa1);
  CHECK_EQ(h[20] | h[21] << 8, 101);
  CHECK_EQ(h[24 + 8] | h[24 + 9] << 8, 40);
  CHECK_EQ(h[40], 0x45); /* the datagram, no PPP header before it */
  remove(path);
}

static void stop_cb(void *s) {
  ns3c_stop(s);
}

/* A path's counters: with bulk cross traffic the routers' queue discs take
 * packets and the sinks bytes; without it (the control) none reach a sink
 * and the queue discs take nothing (no conversation runs); a bad path is
 * refused with the reason. */
static uint64_t path_run(uint32_t flows, int qdisc, ns3c_path_stats *st) {
  CHECK_EQ(ns3c_sim_new(&sim, 1, 0), 0);
  ns3c_path_config pc = {.access = {100000000, 1000000, 100, 1500, 0, 0},
                         .routers = 2,
                         .core_rate_bps = 5000000,
                         .core_delay_ns = 10000000,
                         .qdisc = qdisc,
                         .qdisc_packets = 20,
                         .cross_flows = flows};
  ns3c_tcpnet *n = NULL;
  CHECK_EQ(ns3c_pathnet_new(sim, &pc, &n), 0);
  CHECK_EQ(ns3c_schedule(sim, 2000000000, stop_cb, sim, NULL), 0);
  CHECK_EQ(ns3c_run(sim), 0);
  ns3c_pathnet_stats(n, st);
  ns3c_sim_free(sim);
  return st->cross_bytes;
}

static void test_path_cross_traffic(void) {
  ns3c_path_stats st;
  /* 2 s at 5 Mb/s: at most 1.25 MB through the bottleneck */
  uint64_t got = path_run(2, NS3C_QDISC_FIFO, &st);
  CHECK(got > 500000 && got <= 1250000);
  CHECK(st.qdisc_packets > 0);
  CHECK(st.qdisc_drops > 0); /* two windows against 20 packets */
  CHECK_EQ(st.conv_qdisc_drops, 0);
  CHECK(path_run(2, NS3C_QDISC_FQ_CODEL, &st) > 500000);
  CHECK_EQ(path_run(0, NS3C_QDISC_FIFO, &st), 0);
  CHECK_EQ(st.qdisc_packets, 0);
  CHECK_EQ(ns3c_sim_new(&sim, 1, 0), 0);
  ns3c_path_config bad = {.access = {100000000, 1000000, 100, 1500, 0, 0},
                          .routers = 1,
                          .core_rate_bps = 5000000,
                          .qdisc_packets = 20,
                          .cross_flows = 2};
  ns3c_tcpnet *n = NULL;
  CHECK_EQ(ns3c_pathnet_new(sim, &bad, &n), NS3C_ERR_INVAL);
  CHECK(strstr(ns3c_last_error(), "2 routers") != NULL);
  ns3c_sim_free(sim);
}

int main(void) {
  RUN(test_events_order_and_cancel);
  RUN(test_realtime_events);
  RUN(test_link_timing);
  RUN(test_queue_drops);
  RUN(test_loss_reproducible);
  RUN(test_pcap_file);
  RUN(test_path_cross_traffic);
  return t_summary();
}
