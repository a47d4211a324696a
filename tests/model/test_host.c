/*
 * test_host.c - the host: RSTs for segments no connection owns (RFC 9293
 * §3.10.7.1 and §3.10.7.2), listeners and their backlog, 4-tuple
 * demultiplexing, ephemeral ports, malformed and misaddressed datagrams,
 * application-call errors, and the invariant checker itself.
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

static tcp_conn *acc[8];
static int nacc;

static void acc_notify(harness *t, int side, tcp_conn *c, tcp_notify what) {
  (void)c;
  if (side == 1 && what == TCP_NOTIFY_ACCEPTABLE && nacc < 8)
    while (nacc < 8 &&
           tcp_host_accept(t->s[1].host, 80, &acc[nacc], t->now) == 0)
      nacc++;
}

static void setup(harness *t) {
  tcp_profile p = h_profile("nt351-sp");
  h_init(t, &p, &p, 1 * TCP_MS, 0);
  t->notify = acc_notify;
  nacc = 0;
}

static tcp_segment to_b(uint16_t dport, uint8_t flags, uint32_t seq,
                        uint32_t ack, uint16_t len) {
  tcp_segment s = {0};
  s.src = H_ADDR_A;
  s.dst = H_ADDR_B;
  s.sport = 4000;
  s.dport = dport;
  s.seq = seq;
  s.ack = ack;
  s.flags = flags;
  s.wnd = 1000;
  s.ttl = 64;
  s.len = len;
  return s;
}

/* The last segment host B sent, or NULL if it sent none since `mark`. */
static const tcp_event *b_answer(const harness *t, size_t mark) {
  const tcp_event *r = NULL;
  for (size_t i = mark; i < t->nlog; i++)
    if (t->log[i].type == TCP_EV_SEG_OUT && t->log[i].host == H_ADDR_B)
      r = &t->log[i];
  return r;
}

static void test_rst_for_closed_port(void) {
  harness t;
  setup(&t);
  size_t m = t.nlog;
  /* ACK set: <SEQ=SEG.ACK><CTL=RST> */
  tcp_segment s = to_b(81, TCP_ACK, 1000, 77777, 0);
  h_inject(&t, 1, &s);
  const tcp_event *r = b_answer(&t, m);
  CHECK(r && r->seg.flags == TCP_RST && r->seg.seq == 77777);
  CHECK(r && r->seg.sport == 81 && r->seg.dport == 4000);
  CHECK(r && r->why == TCP_WHY_RST_NO_CONN);
  /* ACK clear: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>, SYN/FIN count */
  m = t.nlog;
  s = to_b(81, TCP_SYN, 5000, 0, 0);
  h_inject(&t, 1, &s);
  r = b_answer(&t, m);
  CHECK(r && r->seg.flags == (TCP_RST | TCP_ACK) && r->seg.seq == 0 &&
        r->seg.ack == 5001);
  m = t.nlog;
  s = to_b(81, TCP_FIN | TCP_PSH, 5000, 0, 100);
  h_inject(&t, 1, &s);
  r = b_answer(&t, m);
  CHECK(r && r->seg.ack == 5101);
  /* a RST is never answered */
  m = t.nlog;
  s = to_b(81, TCP_RST, 5000, 0, 0);
  h_inject(&t, 1, &s);
  CHECK(b_answer(&t, m) == NULL);
  s = to_b(81, TCP_RST | TCP_ACK, 5000, 9, 0);
  h_inject(&t, 1, &s);
  CHECK(b_answer(&t, m) == NULL);
  h_fini(&t);
}

static void test_listener_answers(void) {
  harness t;
  setup(&t);
  tcp_host_listen(t.s[1].host, 80, 1, t.now);
  size_t m = t.nlog;
  /* an ACK to a listener: <SEQ=SEG.ACK><CTL=RST> (ns-3 drops it) */
  tcp_segment s = to_b(80, TCP_ACK, 1000, 4242, 0);
  h_inject(&t, 1, &s);
  const tcp_event *r = b_answer(&t, m);
  CHECK(r && r->seg.flags == TCP_RST && r->seg.seq == 4242 &&
        r->why == TCP_WHY_RST_LISTEN);
  /* a RST, or a segment with neither SYN nor ACK: dropped silently */
  m = t.nlog;
  s = to_b(80, TCP_RST, 1000, 0, 0);
  h_inject(&t, 1, &s);
  s = to_b(80, TCP_FIN, 1000, 0, 0);
  h_inject(&t, 1, &s);
  CHECK(b_answer(&t, m) == NULL);
  /* a SYN: SYN-ACK with our MSS, and a connection in SYN-RECEIVED */
  s = to_b(80, TCP_SYN, 1000, 0, 0);
  s.mss = 1000;
  h_inject(&t, 1, &s);
  r = b_answer(&t, m);
  CHECK(r && r->seg.flags == (TCP_SYN | TCP_ACK) && r->seg.ack == 1001 &&
        r->seg.mss == 1460);
  CHECK_EQ(tcp_host_conn_count(t.s[1].host), 1);
  /* backlog 1 is full: a second SYN from another port is dropped */
  m = t.nlog;
  s = to_b(80, TCP_SYN, 9000, 0, 0);
  s.sport = 4001;
  h_inject(&t, 1, &s);
  CHECK(b_answer(&t, m) == NULL);
  CHECK_EQ(tcp_host_conn_count(t.s[1].host), 1);
  /* stop listening: the embryonic connection is reset */
  m = t.nlog;
  CHECK_EQ(tcp_host_unlisten(t.s[1].host, 80, t.now), 0);
  r = b_answer(&t, m);
  CHECK(r && (r->seg.flags & TCP_RST));
  CHECK_EQ(tcp_host_conn_count(t.s[1].host), 0);
  h_fini(&t);
}

static void test_demux_two_connections(void) {
  harness t;
  setup(&t);
  tcp_host_listen(t.s[1].host, 80, 8, t.now);
  tcp_conn *a1, *a2;
  CHECK_EQ(tcp_host_connect(t.s[0].host, &a1, 0, H_ADDR_B, 80, t.now), 0);
  CHECK_EQ(tcp_host_connect(t.s[0].host, &a2, 0, H_ADDR_B, 80, t.now), 0);
  h_run(&t, TCP_S);
  CHECK_EQ(nacc, 2);
  tcp_conn_info i1, i2;
  tcp_conn_info_get(a1, &i1);
  tcp_conn_info_get(a2, &i2);
  CHECK(i1.lport != i2.lport);
  CHECK(i1.lport >= 49152 && i2.lport >= 49152);
  tcp_conn_send(a1, 100, t.now);
  tcp_conn_send(a2, 2000, t.now);
  h_run(&t, 2 * TCP_S);
  uint64_t got[2] = {0, 0};
  for (int i = 0; i < nacc; i++) {
    tcp_conn_info ai;
    tcp_conn_info_get(acc[i], &ai);
    got[ai.rport == i1.lport ? 0 : 1] = ai.bytes_received;
  }
  CHECK_EQ(got[0], 100);
  CHECK_EQ(got[1], 2000);
  /* an explicit local port already in use for that peer is refused */
  tcp_conn *a3;
  CHECK_EQ(tcp_host_connect(t.s[0].host, &a3, i1.lport, H_ADDR_B, 80, t.now),
           TCP_ERR_ADDRINUSE);
  CHECK_EQ(tcp_host_listen(t.s[1].host, 80, 1, t.now), TCP_ERR_ADDRINUSE);
  CHECK_EQ(tcp_host_listen(t.s[1].host, 0, 1, t.now), TCP_ERR_INVAL);
  for (int i = 0; i < nacc; i++)
    tcp_conn_abort(acc[i], t.now);
  tcp_conn_close(a1, t.now);
  tcp_conn_close(a2, t.now);
  h_run(&t, 10 * TCP_S);
  h_fini(&t);
}

static void test_malformed_and_misaddressed(void) {
  harness t;
  setup(&t);
  uint8_t junk[40] = {0x45};
  CHECK_EQ(tcp_host_input(t.s[1].host, junk, sizeof junk, 0),
           TCP_WIRE_BAD_TOTAL_LEN);
  CHECK_EQ(tcp_host_input(t.s[1].host, junk, 3, 0), TCP_WIRE_TOO_SHORT);
  CHECK_EQ(h_count(&t, TCP_EV_SEG_DROP, H_ADDR_B, TCP_WHY_MALFORMED), 2);
  size_t m = t.nlog;
  tcp_segment s = to_b(81, TCP_SYN, 1, 0, 0);
  s.dst = 0x0a0000ff; /* not B's address */
  h_inject(&t, 1, &s);
  CHECK(b_answer(&t, m) == NULL);
  CHECK_EQ(h_count(&t, TCP_EV_SEG_DROP, H_ADDR_B, TCP_WHY_NOT_MINE), 1);
  h_fini(&t);
}

static void test_app_call_errors(void) {
  harness t;
  setup(&t);
  tcp_host_listen(t.s[1].host, 80, 8, t.now);
  tcp_conn *a;
  tcp_host_connect(t.s[0].host, &a, 0, H_ADDR_B, 80, t.now);
  CHECK_EQ(tcp_conn_recv(a, NULL, 10, t.now), TCP_ERR_WOULDBLOCK);
  CHECK_EQ(tcp_conn_shutdown(a, t.now), TCP_ERR_STATE);
  CHECK_EQ(tcp_conn_send(a, 10, t.now), 10); /* queued until established */
  h_run(&t, TCP_S);
  CHECK_EQ(tcp_conn_state(a), TCP_ESTABLISHED);
  CHECK_EQ(tcp_conn_shutdown(a, t.now), 0);
  CHECK_EQ(tcp_conn_send(a, 10, t.now), TCP_ERR_SHUTDOWN);
  /* the send buffer bounds what is accepted */
  tcp_conn_info si;
  tcp_conn_info_get(acc[0], &si);
  CHECK_EQ(si.bytes_received, 10);
  int64_t n = tcp_conn_send(acc[0], 1000000, t.now);
  CHECK_EQ(n, h_profile("nt351-sp").snd_buf);
  CHECK_EQ(tcp_conn_send(acc[0], 10, t.now), 0);
  /* closing with unread data resets the peer (RFC 2525 §2.17) */
  h_run(&t, t.now + 20 * TCP_MS);
  size_t m = t.nlog;
  tcp_conn_close(a, t.now);
  const tcp_event *r = NULL;
  for (size_t i = m; i < t.nlog; i++)
    if (t.log[i].type == TCP_EV_SEG_OUT && (t.log[i].seg.flags & TCP_RST))
      r = &t.log[i];
  CHECK(r && r->why == TCP_WHY_RST_UNREAD);
  h_run(&t, t.now + TCP_S);
  CHECK_EQ(tcp_conn_error(acc[0]), TCP_ERR_RESET);
  tcp_conn_close(acc[0], t.now);
  h_fini(&t);
}

static void drop_output(void *user, const uint8_t *d, size_t len) {
  (void)user;
  (void)d;
  (void)len;
}

/* A config that tcp_host_new accepts, then each defect it must refuse:
 * every refusal is shown against the same config without the defect. */
static void test_host_config_errors(void) {
  tcp_host *h = NULL;
  tcp_host_config good = {0};
  good.output = drop_output;
  good.profile = h_profile("nt351");
  CHECK_EQ(tcp_host_new(&h, &good), TCP_OK);
  tcp_host_free(h);
  CHECK_EQ(tcp_host_new(&h, NULL), TCP_ERR_INVAL);
  tcp_host_config c = good;
  c.output = NULL;
  CHECK_EQ(tcp_host_new(&h, &c), TCP_ERR_INVAL);
  c = good;
  c.free = NULL;
  c.alloc = (void *(*)(void *, size_t))1; /* alloc without free */
  CHECK_EQ(tcp_host_new(&h, &c), TCP_ERR_INVAL);
  for (int defect = 0; defect < 7; defect++) {
    c = good;
    switch (defect) {
    case 0:
      c.profile.mss = 63;
      break;
    case 1:
      c.profile.ack_every = 0;
      break;
    case 2:
      c.profile.rcv_buf = 0;
      break;
    case 3:
      c.profile.rcv_buf = TCP_RCV_BUF_MAX + 1;
      break;
    case 4:
      c.profile.snd_buf = 0;
      break;
    case 5: /* Linux's jiffy grid needs its jiffy (a divisor) */
      c.profile = h_profile("linux");
      c.profile.delack_tick_ns = 0;
      break;
    default:
      c.profile.delack_mode = TCP_DELACK_TICK;
      c.profile.delack_tick_ns = 0;
      break;
    }
    CHECK_EQ(tcp_host_new(&h, &c), TCP_ERR_INVAL);
  }
  /* the control for case 5: the same without the wheel is a host */
  c = good;
  c.profile = h_profile("linux");
  c.profile.delack_tick_ns = 0;
  c.profile.delack_wheel = false;
  CHECK_EQ(tcp_host_new(&h, &c), TCP_OK);
  tcp_host_free(h);
}

static void test_many_connections_no_leak(void) {
  harness t;
  setup(&t);
  tcp_host_listen(t.s[1].host, 80, 64, t.now);
  for (int round = 0; round < 20; round++) {
    nacc = 0;
    tcp_conn *a;
    CHECK_EQ(tcp_host_connect(t.s[0].host, &a, 0, H_ADDR_B, 80, t.now), 0);
    h_run(&t, t.now + 100 * TCP_MS);
    tcp_conn_close(a, t.now);
    if (nacc)
      tcp_conn_close(acc[0], t.now);
    h_run(&t, t.now + 500 * TCP_S);
  }
  CHECK_EQ(tcp_host_conn_count(t.s[0].host), 0);
  CHECK_EQ(tcp_host_conn_count(t.s[1].host), 0);
  h_fini(&t);
}

/* The checker must catch what it claims to catch. */
static void test_checker_catches(void) {
  tcp_check *k;
  tcp_conn *fake = (tcp_conn *)&k; /* any non-NULL identity */
  tcp_event e = {.type = TCP_EV_STATE, .conn = fake, .conn_id = 1};
  /* illegal: CLOSED -> ESTABLISHED */
  tcp_check_new(&k);
  e.from = TCP_CLOSED;
  e.to = TCP_ESTABLISHED;
  CHECK_EQ(tcp_check_event(k, &e), -1);
  CHECK(tcp_check_error(k) && strstr(tcp_check_error(k), "illegal"));
  tcp_check_free(k);
  /* legal, then from a state that is not current */
  tcp_check_new(&k);
  e.to = TCP_SYN_SENT;
  CHECK_EQ(tcp_check_event(k, &e), 0);
  e.from = TCP_ESTABLISHED;
  e.to = TCP_CLOSE_WAIT;
  CHECK_EQ(tcp_check_event(k, &e), -1);
  tcp_check_free(k);
  /* SND.UNA beyond SND.NXT */
  tcp_check_new(&k);
  tcp_event f = {.type = TCP_EV_APP, .conn = fake, .conn_id = 1};
  f.snd_una = 10;
  f.snd_nxt = 5;
  CHECK_EQ(tcp_check_event(k, &f), -1);
  tcp_check_free(k);
  /* a segment sent from CLOSED, and a datagram that lies */
  tcp_check_new(&k);
  uint8_t buf[100];
  tcp_segment s = to_b(80, TCP_ACK, 1, 2, 0);
  size_t n = tcp_wire_encode(buf, sizeof buf, &s);
  tcp_event g = {.type = TCP_EV_SEG_OUT, .conn = fake, .conn_id = 1};
  g.seg = s;
  g.dgram = buf;
  g.dgram_len = n;
  g.state = TCP_CLOSED;
  g.rcv_nxt = 2;
  CHECK_EQ(tcp_check_event(k, &g), -1);
  tcp_check_free(k);
  tcp_check_new(&k);
  g.state = TCP_ESTABLISHED;
  g.seg.seq = 99;
  CHECK_EQ(tcp_check_event(k, &g), -1);
  tcp_check_free(k);
  /* a host-level segment that is not a RST; payload integrity */
  tcp_check_new(&k);
  g.seg.seq = 1;
  g.conn = NULL;
  CHECK_EQ(tcp_check_event(k, &g), -1);
  tcp_check_free(k);
  tcp_check_new(&k);
  tcp_event i = {.type = TCP_EV_SEG_DROP, .why = TCP_WHY_INTEGRITY};
  CHECK_EQ(tcp_check_event(k, &i), -1);
  tcp_check_free(k);
}

static void test_integrity_error_counted(void) {
  harness t;
  setup(&t);
  tcp_host_listen(t.s[1].host, 80, 8, t.now);
  tcp_conn *a;
  tcp_host_connect(t.s[0].host, &a, 0, H_ADDR_B, 80, t.now);
  h_run(&t, TCP_S);
  tcp_conn_info bi;
  tcp_conn_info_get(acc[0], &bi);
  uint8_t wrong[10] = {0};
  tcp_segment s = to_b(80, TCP_ACK | TCP_PSH, bi.rcv_nxt, bi.snd_nxt, 10);
  tcp_conn_info ai;
  tcp_conn_info_get(a, &ai);
  s.sport = ai.lport;
  s.data = wrong;
  if (tcp_payload_check(wrong, 0, 10) == 10)
    wrong[0] ^= 1;
  h_inject(&t, 1, &s);
  tcp_conn_info_get(acc[0], &bi);
  CHECK_EQ(bi.integrity_errors, 1);
  CHECK(tcp_check_error(t.check) != NULL);
  /* the checker did its job; clear it so teardown checks only leaks */
  tcp_check_free(t.check);
  tcp_check_new(&t.check);
  tcp_conn_abort(a, t.now);
  tcp_conn_abort(acc[0], t.now);
  h_fini(&t);
}

static int outputs;
static void count_output(void *user, const uint8_t *d, size_t len) {
  (void)user, (void)d, (void)len;
  outputs++;
}

/* A host of cfg at 10.0.0.2 listening on port 80, and in d[0..*n) a SYN
 * to it from 10.0.0.1. */
static tcp_host *syn_host(const tcp_host_config *cfg, uint8_t d[64],
                          size_t *n) {
  tcp_host *h = NULL;
  CHECK_EQ(tcp_host_new(&h, cfg), TCP_OK);
  CHECK_EQ(tcp_host_listen(h, 80, 4, 0), TCP_OK);
  tcp_segment syn = {.src = H_ADDR_A,
                     .dst = H_ADDR_B,
                     .sport = 1234,
                     .dport = 80,
                     .seq = 1000,
                     .flags = TCP_SYN,
                     .wnd = 8192,
                     .ttl = 64};
  *n = tcp_wire_encode(d, 64, &syn);
  return h;
}

/* trust_input skips the TCP checksum (and the payload check): a SYN whose
 * checksum is wrong is answered by a trusting host and dropped as
 * malformed by a checking one (the control) */
static void test_trust_input(void) {
  for (int trust = 0; trust < 2; trust++) {
    tcp_host_config cfg = {0};
    cfg.addr = H_ADDR_B;
    cfg.output = count_output;
    cfg.profile = h_profile("nt351");
    cfg.trust_input = trust;
    uint8_t d[64];
    size_t n;
    tcp_host *h = syn_host(&cfg, d, &n);
    d[TCP_IPV4_HDR_LEN + 16] ^= 0x5a; /* the TCP checksum */
    outputs = 0;
    int rv = tcp_host_input(h, d, n, 0);
    CHECK_EQ(rv, trust ? TCP_WIRE_OK : TCP_WIRE_BAD_TCP_CHECKSUM);
    CHECK_EQ(outputs, trust ? 1 : 0); /* the SYN-ACK */
    tcp_host_free(h);
  }
}

static int seen[TCP_EV_DATA_LOST + 1], timers_seen[TCP_NTIMERS];
static void count_event(void *user, const tcp_event *ev) {
  (void)user;
  seen[ev->type]++;
  if (ev->type == TCP_EV_TIMER_ARM || ev->type == TCP_EV_TIMER_CANCEL ||
      ev->type == TCP_EV_TIMER_FIRE)
    timers_seen[ev->timer]++;
}

/* the trace masks: only the types (and timers) asked for reach the
 * callback; with no mask (the control) every kind a SYN's answer makes
 * does */
static void test_trace_masks(void) {
  for (int masked = 0; masked < 2; masked++) {
    tcp_host_config cfg = {0};
    cfg.addr = H_ADDR_B;
    cfg.output = count_output;
    cfg.trace = count_event;
    cfg.profile = h_profile("nt351");
    if (masked) {
      cfg.trace_types = 1u << TCP_EV_SEG_OUT | 1u << TCP_EV_TIMER_ARM;
      cfg.trace_timers = 1u << TCP_TIMER_DELACK;
    }
    memset(seen, 0, sizeof seen);
    memset(timers_seen, 0, sizeof timers_seen);
    uint8_t d[64];
    size_t n;
    tcp_host *h = syn_host(&cfg, d, &n);
    CHECK_EQ(tcp_host_input(h, d, n, 0), TCP_WIRE_OK);
    CHECK_EQ(seen[TCP_EV_SEG_OUT], 1); /* the SYN-ACK, either way */
    CHECK_EQ(seen[TCP_EV_SEG_IN], masked ? 0 : 1);
    CHECK_EQ(seen[TCP_EV_STATE], masked ? 0 : 1);
    CHECK_EQ(seen[TCP_EV_APP], masked ? 0 : 1); /* listen() */
    /* the SYN-ACK arms the retransmission timer: masked, not reported */
    CHECK_EQ(timers_seen[TCP_TIMER_RTX], masked ? 0 : 1);
    tcp_host_free(h);
  }
}

int main(void) {
  RUN(test_rst_for_closed_port);
  RUN(test_listener_answers);
  RUN(test_demux_two_connections);
  RUN(test_malformed_and_misaddressed);
  RUN(test_app_call_errors);
  RUN(test_host_config_errors);
  RUN(test_many_connections_no_leak);
  RUN(test_checker_catches);
  RUN(test_integrity_error_counted);
  RUN(test_trust_input);
  RUN(test_trace_masks);
  return t_summary();
}
