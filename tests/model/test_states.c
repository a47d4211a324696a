/*
 * test_states.c - every RFC 9293 state transition, each exercised by a named
 * scenario. The transitions each scenario's invariant checker saw are added
 * up, and the last test fails if any transition of the table is missing;
 * it prints the table of which scenario covered which transition.
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#define NS TCP_NSTATES
static const char *covered_by[NS][NS]; /* first scenario seeing from -> to */
static const char *current;            /* scenario running now */

/* Record what the checker saw, then tear down. */
static void finish(harness *t) {
  for (int f = 0; f < NS; f++)
    for (int to = 0; to < NS; to++)
      if (tcp_check_transitions(t->check, (tcp_state)f, (tcp_state)to) &&
          !covered_by[f][to])
        covered_by[f][to] = current;
  h_fini(t);
}

static tcp_conn *accepted;
static int errors_seen[2];

static void raw_notify(harness *t, int side, tcp_conn *c, tcp_notify what) {
  if (what == TCP_NOTIFY_ACCEPTABLE && side == 1 && !accepted)
    tcp_host_accept(t->s[1].host, 80, &accepted, t->now);
  if (what == TCP_NOTIFY_ERROR)
    errors_seen[side] = tcp_conn_error(c);
}

/* Both hosts with profile *p (a preset with knobs changed, say). */
static void setup_with(harness *t, const char *name, const tcp_profile *p) {
  current = name;
  h_init(t, p, p, 10 * TCP_MS, 0);
  t->notify = raw_notify;
  accepted = NULL;
  errors_seen[0] = errors_seen[1] = 0;
}

static void setup(harness *t, const char *name, const char *profile) {
  tcp_profile p = h_profile(profile);
  setup_with(t, name, &p);
}

/* A connects to B:80; returns once both ends are ESTABLISHED. */
static tcp_conn *establish(harness *t) {
  tcp_conn *a = NULL;
  tcp_host_listen(t->s[1].host, 80, 4, t->now);
  tcp_host_connect(t->s[0].host, &a, 0, H_ADDR_B, 80, t->now);
  while (!accepted || tcp_conn_state(a) != TCP_ESTABLISHED)
    if (!h_step(t, t->now + TCP_S))
      break;
  CHECK(accepted != NULL);
  CHECK_EQ(tcp_conn_state(a), TCP_ESTABLISHED);
  return a;
}

static void step_until(harness *t, tcp_conn *c, tcp_state st) {
  while (tcp_conn_state(c) != st)
    if (!h_step(t, UINT64_MAX - 1))
      break;
  CHECK_EQ(tcp_conn_state(c), st);
}

/* A segment from `from` to the other side on the connection `c` knows. */
static tcp_segment seg_on(const tcp_conn *c, uint8_t flags, uint32_t seq,
                          uint32_t ack) {
  tcp_conn_info ci;
  tcp_conn_info_get(c, &ci);
  tcp_segment s = {0};
  s.src = ci.raddr;
  s.dst = ci.laddr;
  s.sport = ci.rport;
  s.dport = ci.lport;
  s.seq = seq;
  s.ack = ack;
  s.flags = flags;
  s.wnd = 8192;
  s.ttl = 64;
  return s;
}

static void test_active_and_passive_close(void) {
  harness t;
  setup(&t, "active_and_passive_close", "nt351");
  tcp_conn *a = establish(&t);
  tcp_conn_shutdown(a, t.now); /* ESTABLISHED -> FIN-WAIT-1 */
  step_until(&t, accepted, TCP_CLOSE_WAIT);
  step_until(&t, a, TCP_FIN_WAIT_2);
  tcp_conn_close(accepted, t.now); /* CLOSE-WAIT -> LAST-ACK */
  CHECK_EQ(tcp_conn_state(accepted), TCP_LAST_ACK);
  step_until(&t, a, TCP_TIME_WAIT);
  h_run(&t, t.now + TCP_S);
  CHECK_EQ(tcp_host_conn_count(t.s[1].host), 0); /* LAST-ACK -> CLOSED */
  h_run(&t, t.now + 300 * TCP_S);                /* 2 MSL */
  CHECK_EQ(tcp_conn_state(a), TCP_CLOSED);
  CHECK_EQ(tcp_conn_recv(a, NULL, 10, t.now), 0);
  tcp_conn_close(a, t.now);
  finish(&t);
}

static void simultaneous_open(harness *t, tcp_conn **a, tcp_conn **b) {
  tcp_host_connect(t->s[0].host, a, 1000, H_ADDR_B, 2000, t->now);
  tcp_host_connect(t->s[1].host, b, 2000, H_ADDR_A, 1000, t->now);
}

static void test_simultaneous_open_and_close(void) {
  harness t;
  setup(&t, "simultaneous_open_and_close", "linux");
  tcp_conn *a, *b;
  simultaneous_open(&t, &a, &b);
  step_until(&t, a, TCP_SYN_RECEIVED);
  step_until(&t, b, TCP_ESTABLISHED);
  step_until(&t, a, TCP_ESTABLISHED);
  /* both shut down at once: FIN-WAIT-1 -> CLOSING -> TIME-WAIT */
  tcp_conn_shutdown(a, t.now);
  tcp_conn_shutdown(b, t.now);
  step_until(&t, a, TCP_CLOSING);
  step_until(&t, a, TCP_TIME_WAIT);
  step_until(&t, b, TCP_TIME_WAIT);
  tcp_conn_close(a, t.now);
  tcp_conn_close(b, t.now);
  h_run(&t, t.now + 200 * TCP_S);
  CHECK_EQ(tcp_host_conn_count(t.s[0].host), 0);
  finish(&t);
}

static void test_close_in_syn_received(void) {
  harness t;
  setup(&t, "close_in_syn_received", "linux");
  tcp_conn *a, *b;
  simultaneous_open(&t, &a, &b);
  step_until(&t, a, TCP_SYN_RECEIVED);
  tcp_conn_shutdown(a, t.now); /* SYN-RECEIVED -> FIN-WAIT-1 */
  CHECK_EQ(tcp_conn_state(a), TCP_FIN_WAIT_1);
  step_until(&t, b, TCP_CLOSE_WAIT);
  tcp_conn_close(b, t.now);
  step_until(&t, a, TCP_TIME_WAIT);
  tcp_conn_close(a, t.now);
  h_run(&t, t.now + 200 * TCP_S);
  finish(&t);
}

static void test_rst_in_syn_received(void) {
  harness t;
  setup(&t, "rst_in_syn_received", "nt351");
  /* passive: back to LISTEN, and the listener still works */
  tcp_host_listen(t.s[1].host, 80, 4, t.now);
  tcp_conn *a = NULL;
  tcp_host_connect(t.s[0].host, &a, 0, H_ADDR_B, 80, t.now);
  h_step(&t, UINT64_MAX - 1); /* the SYN arrives: server SYN-RECEIVED */
  CHECK_EQ(tcp_host_conn_count(t.s[1].host), 1);
  tcp_conn_info ci;
  tcp_conn_info_get(a, &ci);
  tcp_segment r = {0};
  r.src = H_ADDR_A;
  r.dst = H_ADDR_B;
  r.sport = ci.lport;
  r.dport = 80;
  r.seq = ci.iss + 1;
  r.flags = TCP_RST;
  r.ttl = 64;
  h_inject(&t, 1, &r);
  CHECK_EQ(tcp_host_conn_count(t.s[1].host), 0);
  /* the SYN-ACK already in flight now meets no connection */
  h_run(&t, t.now + 100 * TCP_MS);
  tcp_conn_abort(a, t.now);
  accepted = NULL;
  tcp_conn *a2 = establish(&t);
  CHECK(a2 != NULL);
  tcp_conn_abort(a2, t.now);
  h_run(&t, t.now + TCP_S);

  /* active (simultaneous open): SYN-RECEIVED -> CLOSED, refused */
  tcp_conn *x, *y;
  simultaneous_open(&t, &x, &y);
  step_until(&t, x, TCP_SYN_RECEIVED);
  tcp_conn_info_get(x, &ci);
  tcp_segment r2 = seg_on(x, TCP_RST, ci.rcv_nxt, 0);
  h_inject(&t, 0, &r2);
  CHECK_EQ(tcp_conn_state(x), TCP_CLOSED);
  CHECK_EQ(tcp_conn_error(x), TCP_ERR_REFUSED);
  tcp_conn_close(x, t.now);
  tcp_conn_abort(y, t.now);
  h_run(&t, t.now + 100 * TCP_S);
  finish(&t);
}

static void test_syn_sent_exits(void) {
  harness t;
  setup(&t, "syn_sent_exits", "nt351");
  /* refused: no listener, the host answers <SEQ=0><ACK=ISS+1><RST,ACK> */
  tcp_conn *a = NULL;
  tcp_host_connect(t.s[0].host, &a, 0, H_ADDR_B, 81, t.now);
  h_run(&t, t.now + TCP_S);
  CHECK_EQ(tcp_conn_state(a), TCP_CLOSED);
  CHECK_EQ(errors_seen[0], TCP_ERR_REFUSED);
  const tcp_event *rst = h_find(&t, 0, TCP_EV_SEG_OUT, H_ADDR_B, TCP_RST, 0);
  CHECK(rst && rst->seg.seq == 0 && (rst->seg.flags & TCP_ACK));
  tcp_conn_close(a, t.now);
  /* closed by the application while SYN-SENT */
  tcp_host_connect(t.s[0].host, &a, 0, H_ADDR_B, 81, t.now);
  tcp_conn_close(a, t.now);
  CHECK_EQ(tcp_host_conn_count(t.s[0].host), 0);
  h_run(&t, t.now + TCP_S);
  finish(&t);
}

static void test_rst_and_challenge_in_established(void) {
  harness t;
  setup(&t, "rst_and_challenge_in_established", "linux"); /* rfc5961 on */
  tcp_conn *a = establish(&t);
  tcp_conn_info ci;
  tcp_conn_info_get(a, &ci);
  size_t before = h_count(&t, TCP_EV_SEG_OUT, H_ADDR_A, TCP_WHY_CHALLENGE);
  /* in the window but not RCV.NXT: challenge ACK, no reset (RFC 5961) */
  tcp_segment r = seg_on(a, TCP_RST, ci.rcv_nxt + 100, 0);
  h_inject(&t, 0, &r);
  CHECK_EQ(tcp_conn_state(a), TCP_ESTABLISHED);
  /* a SYN in a synchronized state: challenge ACK too */
  tcp_segment s = seg_on(a, TCP_SYN, ci.rcv_nxt, 0);
  h_inject(&t, 0, &s);
  CHECK_EQ(tcp_conn_state(a), TCP_ESTABLISHED);
  CHECK_EQ(h_count(&t, TCP_EV_SEG_OUT, H_ADDR_A, TCP_WHY_CHALLENGE),
           before + 2);
  /* outside the window: dropped, no answer */
  tcp_segment far = seg_on(a, TCP_RST, ci.rcv_nxt + 100000, 0);
  h_inject(&t, 0, &far);
  CHECK_EQ(tcp_conn_state(a), TCP_ESTABLISHED);
  /* exactly RCV.NXT: reset */
  tcp_segment ok = seg_on(a, TCP_RST, ci.rcv_nxt, 0);
  h_inject(&t, 0, &ok);
  CHECK_EQ(tcp_conn_state(a), TCP_CLOSED);
  CHECK_EQ(tcp_conn_recv(a, NULL, 10, t.now), TCP_ERR_RESET);
  tcp_conn_close(a, t.now);
  tcp_conn_abort(accepted, t.now);
  h_run(&t, t.now + TCP_S);
  finish(&t);
}

static bool drop_all(harness *t, int from, const tcp_segment *s, unsigned n) {
  (void)t;
  (void)from;
  (void)s;
  (void)n;
  return true;
}

/* RFC 793 §3.9 (rfc5961 off: nt351, bsd44): the same RST in the window but
 * not at RCV.NXT resets, and a SYN in the window is answered with a RST
 * and resets; the linux test above is the negative control. */
static void test_rst_and_syn_rfc793(void) {
  harness t;
  setup(&t, "rst_and_syn_rfc793", "nt351");
  tcp_conn *a = establish(&t);
  tcp_conn_info ci;
  tcp_conn_info_get(a, &ci);
  tcp_segment r = seg_on(a, TCP_RST, ci.rcv_nxt + 100, 0);
  h_inject(&t, 0, &r);
  CHECK_EQ(tcp_conn_state(a), TCP_CLOSED);
  CHECK_EQ(tcp_conn_recv(a, NULL, 10, t.now), TCP_ERR_RESET);
  CHECK_EQ(h_count(&t, TCP_EV_SEG_OUT, H_ADDR_A, TCP_WHY_CHALLENGE), 0);
  tcp_conn_close(a, t.now);
  tcp_conn_abort(accepted, t.now);
  h_run(&t, t.now + TCP_S);
  /* a SYN in the window of an established connection */
  accepted = NULL;
  tcp_conn *b = establish(&t);
  tcp_conn_info_get(b, &ci);
  tcp_segment syn = seg_on(b, TCP_SYN, ci.rcv_nxt + 10, 0);
  h_inject(&t, 0, &syn);
  CHECK_EQ(tcp_conn_state(b), TCP_CLOSED);
  CHECK_EQ(h_count(&t, TCP_EV_SEG_OUT, H_ADDR_A, TCP_WHY_RST_SYN), 1);
  CHECK_EQ(tcp_conn_recv(b, NULL, 10, t.now), TCP_ERR_RESET);
  tcp_conn_close(b, t.now);
  tcp_conn_abort(accepted, t.now);
  h_run(&t, t.now + TCP_S);
  finish(&t);
}

/*
 * What the application of a connection in `where` learns from a RST at
 * RCV.NXT under `profile`: the error its next read returns, or 0 when the
 * connection ends silently (the read then sees end of stream).
 */
static int64_t last_recv; /* what the read after the RST returned */

static int rst_seen_in(const char *profile, tcp_state where) {
  harness t;
  setup(&t, "rst_error_by_state", profile);
  tcp_conn *a = establish(&t);
  tcp_conn *victim = a, *other = accepted;
  switch (where) {
  case TCP_CLOSE_WAIT: /* the peer half-closed */
    tcp_conn_shutdown(a, t.now);
    step_until(&t, accepted, TCP_CLOSE_WAIT);
    victim = accepted;
    other = a;
    break;
  case TCP_LAST_ACK: /* then we shut down too; the peer's ACK is lost */
    tcp_conn_shutdown(a, t.now);
    step_until(&t, accepted, TCP_CLOSE_WAIT);
    t.drop = drop_all;
    tcp_conn_shutdown(accepted, t.now);
    victim = accepted;
    other = a;
    break;
  case TCP_CLOSING: /* FINs cross */
    tcp_conn_shutdown(a, t.now);
    tcp_conn_shutdown(accepted, t.now);
    step_until(&t, a, TCP_CLOSING);
    break;
  default: /* TIME-WAIT: we closed first */
    tcp_conn_shutdown(a, t.now);
    step_until(&t, accepted, TCP_CLOSE_WAIT);
    tcp_conn_shutdown(accepted, t.now);
    step_until(&t, a, TCP_TIME_WAIT);
    break;
  }
  CHECK_EQ(tcp_conn_state(victim), where);
  tcp_conn_info ci;
  tcp_conn_info_get(victim, &ci);
  tcp_segment r = seg_on(victim, TCP_RST, ci.rcv_nxt, 0);
  h_inject(&t, victim == a ? 0 : 1, &r);
  CHECK_EQ(tcp_conn_state(victim), TCP_CLOSED);
  /* the error the connection holds (a write, poll or SO_ERROR sees it);
   * what a read returns is the profile's too, tested below */
  int err = tcp_conn_error(victim);
  last_recv = tcp_conn_recv(victim, NULL, 10, t.now);
  t.drop = NULL;
  tcp_conn_close(victim, t.now);
  tcp_conn_abort(other, t.now);
  h_run(&t, t.now + 300 * TCP_S);
  finish(&t);
  return err;
}

/* Linux tcp_reset(): EPIPE in CLOSE-WAIT, ECONNRESET in CLOSING and
 * LAST-ACK, nothing in TIME-WAIT (the socket left the mini-socket);
 * 4.4BSD: silent in CLOSING, LAST-ACK and TIME-WAIT; NT: a reset. */
static void test_rst_error_by_state(void) {
  CHECK_EQ(rst_seen_in("linux", TCP_CLOSE_WAIT), TCP_ERR_PIPE);
  CHECK_EQ(rst_seen_in("nt351", TCP_CLOSE_WAIT), TCP_ERR_RESET);
  CHECK_EQ(rst_seen_in("bsd44", TCP_CLOSE_WAIT), TCP_ERR_RESET);
  CHECK_EQ(rst_seen_in("linux", TCP_LAST_ACK), TCP_ERR_RESET);
  CHECK_EQ(rst_seen_in("bsd44", TCP_LAST_ACK), 0);
  CHECK_EQ(rst_seen_in("linux", TCP_CLOSING), TCP_ERR_RESET);
  CHECK_EQ(rst_seen_in("bsd44", TCP_CLOSING), 0);
  CHECK_EQ(rst_seen_in("nt351", TCP_CLOSING), TCP_ERR_RESET);
  CHECK_EQ(rst_seen_in("linux", TCP_TIME_WAIT), 0);
  CHECK_EQ(rst_seen_in("bsd44", TCP_TIME_WAIT), 0);
  CHECK_EQ(rst_seen_in("nt351", TCP_TIME_WAIT), TCP_ERR_RESET);
}

/* B1: after the peer's FIN, a RST that kills the connection: Linux's
 * read returns end of stream (tcp_recvmsg_locked() tests SOCK_DONE before
 * sk_err), 4.4BSD's and NT's the error (soreceive() tests so_error first;
 * the KB's WSAECONNRESET in TIME-WAIT). Each holds the error all the
 * same (above). The control: recv_eof_first off under linux reads the
 * error. */
static void test_recv_after_fin_and_rst(void) {
  static const struct {
    const char *profile;
    tcp_state where;
    int64_t want;
  } c[] = {{"linux", TCP_CLOSE_WAIT, 0},
           {"linux", TCP_CLOSING, 0},
           {"linux", TCP_LAST_ACK, 0},
           {"bsd44", TCP_CLOSE_WAIT, TCP_ERR_RESET},
           {"nt351", TCP_CLOSE_WAIT, TCP_ERR_RESET},
           {"nt351", TCP_CLOSING, TCP_ERR_RESET}};
  for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
    rst_seen_in(c[i].profile, c[i].where);
    CHECK_EQ(last_recv, c[i].want);
  }
  /* the control, by the knob alone */
  harness t;
  tcp_profile p = h_profile("linux");
  CHECK_EQ(tcp_profile_set(&p, "recv_eof_first", 0), 0);
  setup_with(&t, "recv_eof_first control", &p);
  tcp_conn *a = establish(&t);
  tcp_conn_shutdown(a, t.now);
  step_until(&t, accepted, TCP_CLOSE_WAIT);
  tcp_conn_info ci;
  tcp_conn_info_get(accepted, &ci);
  tcp_segment r = seg_on(accepted, TCP_RST, ci.rcv_nxt, 0);
  h_inject(&t, 1, &r);
  CHECK_EQ(tcp_conn_recv(accepted, NULL, 10, t.now), TCP_ERR_PIPE);
  tcp_conn_close(accepted, t.now);
  h_run(&t, t.now + 300 * TCP_S);
  finish(&t);
}

/* B4: close() with unread data. Linux (__tcp_close()) and NT (assumed)
 * send a RST, and the peer's connection is reset; 4.4BSD
 * (tcp_disconnect()) flushes the receive buffer and sends a FIN, and the
 * peer is in CLOSE-WAIT with no error. The same close after the data was
 * read (the control) sends a FIN under every profile. */
static void close_unread(const char *profile, bool read_first, int *err,
                         tcp_state *st) {
  harness t;
  setup(&t, "close_unread", profile);
  tcp_conn *a = establish(&t);
  tcp_conn_send(accepted, 1000, t.now);
  h_run(&t, t.now + 300 * TCP_MS);
  tcp_conn_info ci;
  tcp_conn_info_get(a, &ci);
  if (read_first)
    CHECK_EQ(tcp_conn_recv(a, NULL, 1000, t.now), 1000);
  tcp_conn_close(a, t.now);
  h_run(&t, t.now + 300 * TCP_MS);
  *err = tcp_conn_error(accepted);
  *st = tcp_conn_state(accepted);
  tcp_conn_close(accepted, t.now);
  h_run(&t, t.now + 300 * TCP_S);
  finish(&t);
}

static void test_close_with_unread_data(void) {
  int err;
  tcp_state st;
  close_unread("linux", false, &err, &st);
  CHECK_EQ(err, TCP_ERR_RESET);
  CHECK_EQ(st, TCP_CLOSED);
  close_unread("nt351", false, &err, &st);
  CHECK_EQ(err, TCP_ERR_RESET);
  close_unread("bsd44", false, &err, &st);
  CHECK_EQ(err, 0);
  CHECK_EQ(st, TCP_CLOSE_WAIT);
  close_unread("linux", true, &err, &st);
  CHECK_EQ(err, 0);
  CHECK_EQ(st, TCP_CLOSE_WAIT);
}

/* B6: a bare FIN at RCV.NXT into a zero window. 4.4BSD (its trimming
 * counts data only) and Linux (tcp_sequence()) accept it and ACK it; the
 * model dropped it without an ACK. The client offers 2 segments and reads
 * nothing; the server sends exactly that, then its FIN. That the window
 * was zero when the FIN came is checked too (the scenario's control). */
static void test_fin_into_zero_window(void) {
  static const char *const profiles[] = {"bsd44", "linux", "nt351"};
  for (size_t i = 0; i < 3; i++) {
    harness t;
    tcp_profile p = h_profile_plain(profiles[i]); /* full segments */
    CHECK_EQ(tcp_profile_set(&p, "rcv_buf", 2 * 1460), 0);
    CHECK_EQ(tcp_profile_set(&p, "rcv_wnd_mss", 0), 0);
    setup_with(&t, "fin_into_zero_window", &p);
    tcp_conn *a = establish(&t);
    tcp_conn_send(accepted, 2 * 1460, t.now);
    h_run(&t, t.now + 2 * TCP_S);
    tcp_conn_info ci;
    tcp_conn_info_get(a, &ci);
    CHECK_EQ(ci.rcv_wnd, 0); /* full: the window is closed */
    tcp_conn_shutdown(accepted, t.now);
    h_run(&t, t.now + 2 * TCP_S);
    CHECK_EQ(tcp_conn_state(a), TCP_CLOSE_WAIT);
    CHECK_EQ(tcp_conn_state(accepted), TCP_FIN_WAIT_2); /* its FIN ACKed */
    CHECK_EQ(tcp_conn_recv(a, NULL, 4000, t.now), 2 * 1460);
    CHECK_EQ(tcp_conn_recv(a, NULL, 4000, t.now), 0);
    tcp_conn_close(a, t.now);
    h_run(&t, t.now + 300 * TCP_S);
    finish(&t);
  }
}

/* B5: data that arrives after the application closed (FIN-WAIT-1/2) is
 * answered with a RST at SEG.ACK and the connection closed, as 4.4BSD
 * (tcp_input(): SS_NOFDREF) and Linux (tcp_rcv_state_process(): data
 * after RCV_SHUTDOWN) do; the model took it silently. The control: with
 * rst_data_after_close off the data is taken and the sender not reset. */
static void data_after_close(const char *profile, bool knob, int *err,
                             unsigned *rsts) {
  harness t;
  tcp_profile p = h_profile(profile);
  CHECK_EQ(tcp_profile_set(&p, "rst_data_after_close", knob), 0);
  setup_with(&t, "data_after_close", &p);
  tcp_conn *a = establish(&t);
  tcp_conn_close(a, t.now); /* nothing unread: a FIN */
  step_until(&t, accepted, TCP_CLOSE_WAIT);
  tcp_conn_send(accepted, 500, t.now); /* the peer still writes */
  h_run(&t, t.now + 2 * TCP_S);
  *err = tcp_conn_error(accepted);
  *rsts = h_count(&t, TCP_EV_SEG_OUT, H_ADDR_A, TCP_WHY_RST_AFTER_CLOSE);
  if (tcp_conn_state(accepted) != TCP_CLOSED)
    tcp_conn_close(accepted, t.now);
  h_run(&t, t.now + 300 * TCP_S);
  finish(&t);
}

static void test_data_after_close(void) {
  static const char *const profiles[] = {"bsd44", "linux", "nt351"};
  for (size_t i = 0; i < 3; i++) {
    int err;
    unsigned rsts;
    data_after_close(profiles[i], true, &err, &rsts);
    CHECK_EQ(rsts, 1);
    /* the writer is in CLOSE-WAIT: ECONNRESET, or Linux's EPIPE */
    CHECK(err == TCP_ERR_RESET || err == TCP_ERR_PIPE);
    data_after_close(profiles[i], false, &err, &rsts);
    CHECK_EQ(rsts, 0);
    CHECK_EQ(err, 0);
  }
}

/* B7: the persist timer's first interval. 4.4BSD's tcp_setpersist()
 * floors it at TCPTV_PERSMIN (5 s); Linux starts at the RTO. The server
 * fills a 2-segment window the client never reads from; the first time
 * its persist timer is armed, its interval is read from the trace. The
 * control is the other profile: each value is what the other's is not. */
static uint64_t first_persist_interval(const char *profile) {
  harness t;
  tcp_profile p = h_profile_plain(profile); /* full segments */
  CHECK_EQ(tcp_profile_set(&p, "rcv_buf", 2 * 1460), 0);
  CHECK_EQ(tcp_profile_set(&p, "rcv_wnd_mss", 0), 0);
  setup_with(&t, "persist_interval", &p);
  tcp_conn *a = establish(&t);
  tcp_conn_send(accepted, 4 * 1460, t.now);
  h_run(&t, t.now + 3 * TCP_S);
  uint64_t got = 0;
  for (size_t i = 0; i < t.nlog && !got; i++) {
    const tcp_event *e = &t.log[i];
    if (e->type == TCP_EV_TIMER_ARM && e->timer == TCP_TIMER_PERSIST &&
        e->host == H_ADDR_B)
      got = e->deadline_ns - e->time_ns;
  }
  CHECK_EQ(tcp_conn_recv(a, NULL, 10000, t.now), 2 * 1460); /* the window */
  tcp_conn_close(a, t.now);
  tcp_conn_close(accepted, t.now);
  h_run(&t, t.now + 600 * TCP_S);
  finish(&t);
  return got;
}

static void test_persist_floor(void) {
  uint64_t bsd = first_persist_interval("bsd44"),
           lx = first_persist_interval("linux");
  CHECK_EQ(bsd, 5 * TCP_S); /* the RTO here is 1 s: the floor wins */
  CHECK(lx > 0 && lx < 2 * TCP_S);
}

/* B7: 4.4BSD's zero-window probe is the next byte, beyond the window
 * (tcp_output() with t_force); Linux's is empty, at SND.UNA - 1. The
 * server fills a 2-segment window the client does not read for 60 s;
 * every probe is checked, then the client reads and the whole stream must
 * arrive intact - the probe byte sent again, not lost or doubled. The
 * answers to three or more probes must not start a fast retransmit. The
 * control turns probe_data off under bsd44. */
static void probe_shape(const char *profile, int probe_data) {
  harness t;
  tcp_profile p = h_profile(profile);
  CHECK_EQ(tcp_profile_set(&p, "rcv_buf", 2 * 1460), 0);
  CHECK_EQ(tcp_profile_set(&p, "rcv_wnd_mss", 0), 0);
  CHECK_EQ(tcp_profile_set(&p, "probe_data", (uint64_t)probe_data), 0);
  setup_with(&t, "probe_shape", &p);
  tcp_conn *a = establish(&t);
  uint32_t una = 0;
  tcp_conn_send(accepted, 4 * 1460, t.now);
  h_run(&t, t.now + 60 * TCP_S);
  size_t probes = 0;
  for (size_t i = 0; i < t.nlog; i++) {
    const tcp_event *e = &t.log[i];
    if (e->type != TCP_EV_SEG_OUT || e->host != H_ADDR_B)
      continue;
    if (e->why == TCP_WHY_DATA && e->seg.len)
      una = e->seg.seq + e->seg.len; /* the next unsent byte */
    if (e->why != TCP_WHY_PERSIST)
      continue;
    probes++;
    CHECK_EQ(e->seg.len, probe_data ? 1 : 0);
    CHECK_EQ(e->seg.seq, probe_data ? una : una - 1);
  }
  CHECK(probes >= 3);
  CHECK_EQ(h_count(&t, TCP_EV_SEG_OUT, H_ADDR_B, TCP_WHY_FAST_RETRANSMIT), 0);
  uint8_t buf[4 * 1460];
  uint64_t got = 0;
  for (int k = 0; k < 100 && got < sizeof buf; k++) {
    int64_t n = tcp_conn_recv(a, buf + got, sizeof buf - got, t.now);
    if (n > 0)
      got += (uint64_t)n;
    h_run(&t, t.now + 200 * TCP_MS);
  }
  CHECK_EQ(got, 4 * 1460);
  size_t bad = 0;
  for (size_t i = 0; i < got; i++)
    bad += buf[i] != tcp_payload_byte(i);
  CHECK_EQ(bad, 0);
  tcp_conn_close(a, t.now);
  tcp_conn_close(accepted, t.now);
  h_run(&t, t.now + 600 * TCP_S);
  finish(&t);
}

static void test_probe_data(void) {
  probe_shape("bsd44", 1);
  probe_shape("bsd44", 0); /* the control */
  probe_shape("linux", 0);
}

static void test_abort_everywhere(void) {
  /* abort from ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2 and CLOSE-WAIT; the RST
   * takes the peer from its state to CLOSED with a reset error */
  static const tcp_state where[] = {TCP_ESTABLISHED, TCP_FIN_WAIT_1,
                                    TCP_FIN_WAIT_2, TCP_CLOSE_WAIT};
  for (size_t i = 0; i < sizeof where / sizeof *where; i++) {
    harness t;
    setup(&t, "abort_everywhere", "nt351");
    tcp_conn *a = establish(&t);
    tcp_conn *victim = a, *peer = accepted;
    if (where[i] == TCP_FIN_WAIT_1) {
      t.drop = NULL;
      tcp_conn_shutdown(a, t.now);
    } else if (where[i] == TCP_FIN_WAIT_2) {
      tcp_conn_shutdown(a, t.now);
      step_until(&t, a, TCP_FIN_WAIT_2);
    } else if (where[i] == TCP_CLOSE_WAIT) {
      tcp_conn_shutdown(a, t.now);
      step_until(&t, accepted, TCP_CLOSE_WAIT);
      victim = accepted;
      peer = a;
    }
    CHECK_EQ(tcp_conn_state(victim), where[i]);
    tcp_conn_abort(victim, t.now);
    h_run(&t, t.now + TCP_S);
    CHECK_EQ(tcp_conn_state(peer), TCP_CLOSED);
    CHECK_EQ(tcp_conn_error(peer), TCP_ERR_RESET);
    tcp_conn_close(peer, t.now);
    finish(&t);
  }
}

static void test_rst_in_closing_and_last_ack(void) {
  harness t;
  setup(&t, "rst_in_closing_and_last_ack", "nt351");
  tcp_conn *a, *b;
  simultaneous_open(&t, &a, &b);
  step_until(&t, a, TCP_ESTABLISHED);
  step_until(&t, b, TCP_ESTABLISHED);
  tcp_conn_shutdown(a, t.now);
  tcp_conn_shutdown(b, t.now);
  step_until(&t, a, TCP_CLOSING);
  tcp_conn_info ci;
  tcp_conn_info_get(a, &ci);
  tcp_segment r = seg_on(a, TCP_RST, ci.rcv_nxt, 0);
  h_inject(&t, 0, &r);
  CHECK_EQ(tcp_conn_state(a), TCP_CLOSED);
  tcp_conn_close(a, t.now);
  tcp_conn_abort(b, t.now);
  h_run(&t, t.now + TCP_S);
  /* LAST-ACK */
  accepted = NULL;
  tcp_conn *c = establish(&t);
  tcp_conn_shutdown(c, t.now);
  step_until(&t, accepted, TCP_CLOSE_WAIT);
  t.drop = NULL;
  tcp_conn_shutdown(accepted, t.now);
  CHECK_EQ(tcp_conn_state(accepted), TCP_LAST_ACK);
  tcp_conn_info_get(accepted, &ci);
  tcp_segment r2 = seg_on(accepted, TCP_RST, ci.rcv_nxt, 0);
  h_inject(&t, 1, &r2);
  CHECK_EQ(tcp_conn_state(accepted), TCP_CLOSED);
  tcp_conn_close(accepted, t.now);
  tcp_conn_abort(c, t.now);
  h_run(&t, t.now + 300 * TCP_S);
  finish(&t);
}

static void test_time_wait_rst_and_timeouts(void) {
  harness t;
  setup(&t, "time_wait_rst_and_timeouts", "nt351");
  tcp_conn *a = establish(&t);
  tcp_conn_shutdown(a, t.now);
  step_until(&t, accepted, TCP_CLOSE_WAIT);
  tcp_conn_close(accepted, t.now);
  step_until(&t, a, TCP_TIME_WAIT);
  tcp_conn_info ci;
  tcp_conn_info_get(a, &ci);
  tcp_segment r = seg_on(a, TCP_RST, ci.rcv_nxt, 0);
  h_inject(&t, 0, &r); /* TIME-WAIT -> CLOSED */
  CHECK_EQ(tcp_conn_state(a), TCP_CLOSED);
  tcp_conn_close(a, t.now);
  h_run(&t, t.now + TCP_S);
  /* SYN-SENT -> CLOSED by timeout and SYN-RECEIVED -> CLOSED likewise */
  t.drop = drop_all;
  tcp_conn *x, *y;
  simultaneous_open(&t, &x, &y);
  h_run(&t, t.now + 3600 * TCP_S);
  CHECK_EQ(tcp_conn_state(x), TCP_CLOSED);
  CHECK_EQ(tcp_conn_error(x), TCP_ERR_TIMEOUT);
  tcp_conn_close(x, t.now);
  tcp_conn_close(y, t.now);
  t.drop = NULL;
  finish(&t);
}

/* Every scenario above, in one list: main runs each as a test, and the
 * coverage test runs them all again itself, so its table never depends on
 * which tests ran before it (HC_ONLY, a reordered main). */
static void (*const scenarios[])(void) = {test_active_and_passive_close,
                                          test_recv_after_fin_and_rst,
                                          test_close_with_unread_data,
                                          test_fin_into_zero_window,
                                          test_simultaneous_open_and_close,
                                          test_close_in_syn_received,
                                          test_rst_in_syn_received,
                                          test_syn_sent_exits,
                                          test_rst_and_challenge_in_established,
                                          test_rst_and_syn_rfc793,
                                          test_rst_error_by_state,
                                          test_abort_everywhere,
                                          test_rst_in_closing_and_last_ack,
                                          test_time_wait_rst_and_timeouts};
#define NSCENARIOS (sizeof scenarios / sizeof scenarios[0])

static void test_coverage_table(void) {
  memset(covered_by, 0, sizeof covered_by);
  for (size_t i = 0; i < NSCENARIOS; i++)
    scenarios[i]();
  current = "coverage";
  int missing = 0;
  printf("transition coverage (RFC 9293):\n");
  for (int f = 0; f < NS; f++)
    for (int to = 0; to < NS; to++) {
      if (!tcp_check_legal((tcp_state)f, (tcp_state)to))
        continue;
      /* host-level (listener) transitions, and FIN-WAIT-1 -> TIME-WAIT,
       * which a segment with FIN and the ACK of our FIN takes through
       * FIN-WAIT-2 (§3.10.7.4: the ACK is processed before the FIN) */
      bool host_level = (f == TCP_CLOSED && to == TCP_LISTEN) ||
                        (f == TCP_LISTEN && to == TCP_SYN_SENT) ||
                        (f == TCP_FIN_WAIT_1 && to == TCP_TIME_WAIT) ||
                        (f == TCP_LISTEN && to == TCP_CLOSED);
      printf("  %-12s -> %-12s %s\n", tcp_state_name((tcp_state)f),
             tcp_state_name((tcp_state)to),
             covered_by[f][to] ? covered_by[f][to]
             : host_level      ? "(host level, or via FIN-WAIT-2)"
                               : "MISSING");
      if (!covered_by[f][to] && !host_level)
        missing++;
    }
  CHECK_EQ(missing, 0);
}

int main(void) {
  RUN(test_active_and_passive_close);
  RUN(test_simultaneous_open_and_close);
  RUN(test_close_in_syn_received);
  RUN(test_rst_in_syn_received);
  RUN(test_syn_sent_exits);
  RUN(test_rst_and_challenge_in_established);
  RUN(test_rst_and_syn_rfc793);
  RUN(test_rst_error_by_state);
  RUN(test_recv_after_fin_and_rst);
  RUN(test_close_with_unread_data);
  RUN(test_fin_into_zero_window);
  RUN(test_data_after_close);
  RUN(test_persist_floor);
  RUN(test_probe_data);
  RUN(test_abort_everywhere);
  RUN(test_rst_in_closing_and_last_ack);
  RUN(test_time_wait_rst_and_timeouts);
  RUN(test_coverage_table);
  return t_summary();
}
