/*
 * conn.c - a connection's life outside segment processing: the application
 * calls (send, recv, shutdown, close, abort), state changes, timers and how
 * an error reaches the application.
 *
 * Timers are deadlines stored in the TCB; the host reports the earliest and
 * runs those that are due. A periodic-tick delayed ACK is a deadline rounded
 * up to the tick grid (tcp_out.c), so no timer ever ticks idly.
 *
 * What a reset does to the application is profile data: whether unread data
 * is discarded on the spot (Winsock) or stays readable before the error
 * (BSD sockets), and whether a reset after the connection's FIN exchange
 * (CLOSING, LAST-ACK, TIME-WAIT) is reported at all.
 */
#include "tcp_internal.h"

void tcp_conn_note(tcp_conn *c, tcp_notify n) {
  c->notes |= NOTE(n);
}

void tcp_conn_set_state(tcp_conn *c, tcp_state to, uint64_t now) {
  tcp_state from = c->state;
  if (from == to)
    return;
  c->state = to;
  if (TRACES(c->host, TCP_EV_STATE)) {
    tcp_event ev = {.type = TCP_EV_STATE, .from = from, .to = to};
    tcp_trace_conn(c, &ev, now);
  }
  if (to == TCP_CLOSED)
    for (int t = 0; t < TCP_NTIMERS; t++)
      tcp_conn_timer_stop(c, (tcp_timer)t, now);
}

void tcp_conn_timer_set(tcp_conn *c, tcp_timer t, uint64_t deadline,
                        uint64_t now) {
  c->deadline[t] = deadline;
  if (TRACES_TIMER(c->host, TCP_EV_TIMER_ARM, t))
    tcp_trace_timer(c, TCP_EV_TIMER_ARM, t, deadline, now);
}

void tcp_conn_timer_stop(tcp_conn *c, tcp_timer t, uint64_t now) {
  if (t == TCP_TIMER_RTX)
    c->tlp_armed = false;
  if (c->deadline[t] == TCP_NEVER)
    return;
  if (TRACES_TIMER(c->host, TCP_EV_TIMER_CANCEL, t))
    tcp_trace_timer(c, TCP_EV_TIMER_CANCEL, t, c->deadline[t], now);
  c->deadline[t] = TCP_NEVER;
}

void tcp_conn_discard_unread(tcp_conn *c, uint64_t now) {
  uint64_t unread = c->rcv_off - c->read_off;
  if (!unread)
    return;
  c->bytes_discarded += unread;
  c->read_off = c->rcv_off;
  if (TRACES(c->host, TCP_EV_DATA_LOST)) {
    tcp_event ev = {.type = TCP_EV_DATA_LOST, .arg = (int64_t)unread};
    tcp_trace_conn(c, &ev, now);
  }
}

/*
 * The TCB goes to CLOSED. With `notify_app` the application learns `error`
 * on its next call (and unread data is discarded when the profile says so);
 * otherwise the connection ends silently and reads drain what was received.
 */
void tcp_conn_drop(tcp_conn *c, int error, bool notify_app, uint64_t now) {
  tcp_conn_set_state(c, TCP_CLOSED, now);
  if (!notify_app || !c->owned || c->app_closed)
    return;
  c->error = error;
  if (c->host->p->rst_discards_unread)
    tcp_conn_discard_unread(c, now);
  tcp_conn_note(c, TCP_NOTIFY_ERROR);
  tcp_conn_note(c, TCP_NOTIFY_READABLE);
}

void tcp_conn_enter_time_wait(tcp_conn *c, uint64_t now) {
  tcp_conn_set_state(c, TCP_TIME_WAIT, now);
  tcp_conn_timer_stop(c, TCP_TIMER_RTX, now);
  tcp_conn_timer_stop(c, TCP_TIMER_PERSIST, now);
  tcp_conn_timer_set(c, TCP_TIMER_TIMEWAIT, now + 2 * c->host->p->msl_ns, now);
}

/* RFC 6298 §5: the retransmission timer expired. */
static void on_rtx(tcp_conn *c, uint64_t now) {
  const tcp_profile *p = c->host->p;
  if (c->tlp_armed) { /* the probe timeout, not the RTO */
    tcp_conn_tlp_fire(c, now);
    return;
  }
  bool handshake = c->state == TCP_SYN_SENT || c->state == TCP_SYN_RECEIVED;
  uint32_t limit = handshake ? p->syn_retries : p->max_retries;
  if (c->backoff >= limit) {
    tcp_conn_drop(c, TCP_ERR_TIMEOUT, true, now);
    return;
  }
  c->backoff++;
  c->rto_ns = c->rto_ns * 2 > p->rto_max_ns ? p->rto_max_ns : c->rto_ns * 2;
  c->rtt_timing = false; /* Karn: no sample from a retransmitted segment */
  /* RFC 5681 §3.1 (4): one segment, threshold halved */
  uint32_t flight = c->snd_max - c->snd_una;
  uint32_t half = flight / 2;
  c->ssthresh = half > 2u * c->mss ? half : 2u * c->mss;
  c->cwnd = c->mss;
  if (HYSTART(p)) /* cubictcp_state(): TCP_CA_Loss */
    tcp_hystart_start(c, now);
  c->ca_wmax = false; /* ... bictcp_reset(): last_max_cwnd 0 */
  c->ca_acked = 0;
  c->dupacks = 0;
  c->in_recovery = false;
  c->snd_nxt = c->snd_una;
  c->chunk_left = 0;
  c->deadline[TCP_TIMER_RTX] = TCP_NEVER;
  tcp_conn_output(c, now);
  tcp_conn_rtx_restart(c, now);
}

uint64_t tcp_conn_persist_base(const tcp_conn *c) {
  const tcp_profile *p = c->host->p;
  uint64_t t = c->rto_ns > p->persist_min_ns ? c->rto_ns : p->persist_min_ns;
  return t < p->persist_max_ns ? t : p->persist_max_ns;
}

static void on_persist(tcp_conn *c, uint64_t now) {
  const tcp_profile *p = c->host->p;
  if (c->snd_wnd > 0) { /* a small window: override SWS avoidance */
    c->force_send = true;
    tcp_conn_output(c, now);
    return;
  }
  tcp_conn_send_probe(c, now);
  c->persist_backoff++;
  uint64_t t = tcp_conn_persist_base(c);
  for (uint32_t i = 0; i < c->persist_backoff && t < p->persist_max_ns; i++)
    t *= 2;
  if (t > p->persist_max_ns)
    t = p->persist_max_ns;
  tcp_conn_timer_set(c, TCP_TIMER_PERSIST, now + t, now);
}

void tcp_conn_on_timer(tcp_conn *c, tcp_timer t, uint64_t now) {
  uint64_t deadline = c->deadline[t];
  if (TRACES_TIMER(c->host, TCP_EV_TIMER_FIRE, t))
    tcp_trace_timer(c, TCP_EV_TIMER_FIRE, t, deadline, now);
  c->deadline[t] = TCP_NEVER;
  switch (t) {
  case TCP_TIMER_RTX:
    on_rtx(c, now);
    break;
  case TCP_TIMER_DELACK:
    /* Linux tcp_delack_timer_handler(): a delayed ACK missed in
     * interactive mode ends it, the ATO back to its minimum */
    if (tcp_conn_interactive(c)) {
      c->pingpong = 0;
      c->ato_ns = c->host->p->delack_ns;
    }
    /* Whatever state we are in now: with the KB Q152474 bug this is the
     * redundant ACK sent after the ACK of the peer's FIN. */
    tcp_conn_send_ack(c, TCP_WHY_DELACK, now);
    break;
  case TCP_TIMER_PERSIST:
    on_persist(c, now);
    break;
  case TCP_TIMER_TIMEWAIT:
    tcp_conn_set_state(c, TCP_CLOSED, now);
    tcp_conn_note(c, TCP_NOTIFY_CLOSED);
    break;
  case TCP_NTIMERS:
    break;
  }
}

/* ---------------------------------------------------------------------------
 * Application calls
 */

/* Linux tcp_slow_start_after_idle_check() and tcp_cwnd_restart() (RFC
 * 2861): a write with nothing in flight, more than the RTO after the last
 * data sent, halves the window per RTO idle, not below the initial one;
 * ssthresh keeps three quarters of the window it had. */
static void cwnd_restart(tcp_conn *c, uint64_t now) {
  const tcp_profile *p = c->host->p;
  if (!p->cwnd_restart || c->snd_una != c->snd_max || !c->last_data_sent_ns ||
      now - c->last_data_sent_ns <= c->rto_ns)
    return;
  uint32_t restart = p->init_cwnd * (uint32_t)c->mss, cwnd = c->cwnd;
  uint32_t keep = (cwnd >> 1) + (cwnd >> 2);
  if (c->ssthresh < keep)
    c->ssthresh = keep;
  int64_t delta = (int64_t)(now - c->last_data_sent_ns);
  while ((delta -= (int64_t)c->rto_ns) > 0 && cwnd > restart)
    cwnd >>= 1;
  c->cwnd = cwnd > restart ? cwnd : restart;
}

int64_t tcp_conn_send(tcp_conn *c, size_t len, uint64_t now) {
  tcp_host *h = c->host;
  int64_t rv;
  tcp_host_enter(h, now);
  if (c->error) {
    rv = c->error;
  } else if (c->shut_wr) {
    rv = TCP_ERR_SHUTDOWN;
  } else if (c->state != TCP_ESTABLISHED && c->state != TCP_CLOSE_WAIT &&
             c->state != TCP_SYN_SENT && c->state != TCP_SYN_RECEIVED) {
    rv = TCP_ERR_STATE;
  } else {
    uint64_t n;
    cwnd_restart(c, now);
    if (h->p->snd_buf_grows) {
      n = tcp_sndbuf_write(c, len, now);
    } else {
      uint64_t queued = c->app_sent - c->una_off;
      uint64_t room = queued < h->p->snd_buf ? h->p->snd_buf - queued : 0;
      n = len < room ? len : room;
      c->app_sent += n;
    }
    rv = (int64_t)n;
    if (c->state == TCP_ESTABLISHED || c->state == TCP_CLOSE_WAIT)
      tcp_conn_output(c, now);
  }
  tcp_trace_app(c, TCP_CALL_SEND, (int64_t)len, rv, now);
  tcp_host_leave(h);
  return rv;
}

uint64_t tcp_conn_send_space(tcp_conn *c) {
  if (c->host->p->snd_buf_grows) {
    uint64_t n = tcp_sndbuf_space(c);
    if (n == 0) /* a writer that found no room waits to be woken */
      c->snd_blocked = true;
    return n;
  }
  uint64_t queued = c->app_sent - c->una_off;
  return queued < c->host->p->snd_buf ? c->host->p->snd_buf - queued : 0;
}

int64_t tcp_conn_recv(tcp_conn *c, uint8_t *buf, size_t len, uint64_t now) {
  tcp_host *h = c->host;
  int64_t rv;
  tcp_host_enter(h, now);
  uint64_t avail = c->rcv_off - c->read_off;
  if (avail && len) {
    uint64_t n = len < avail ? len : avail, from = c->read_off;
    if (buf)
      tcp_payload_fill(buf, c->read_off, (size_t)n);
    c->read_off += n;
    rv = (int64_t)n;
    if (h->p->rcv_buf_grows)
      tcp_rcvbuf_on_read(c, from);
    tcp_conn_maybe_window_update(c, now);
  } else if (c->error && !(c->fin_rcvd && h->p->recv_eof_first)) {
    rv = c->error;
  } else if (c->fin_rcvd || c->state == TCP_CLOSED) {
    rv = 0; /* end of stream */
    c->eof_seen = true;
  } else {
    rv = len ? TCP_ERR_WOULDBLOCK : 0;
  }
  tcp_trace_app(c, TCP_CALL_RECV, (int64_t)len, rv, now);
  tcp_host_leave(h);
  return rv;
}

/* RFC 9293 §3.10.4 CLOSE, as shutdown(SEND): FIN after the queued data. */
static int shutdown_send(tcp_conn *c, uint64_t now) {
  switch (c->state) {
  case TCP_SYN_RECEIVED:
  case TCP_ESTABLISHED:
    c->shut_wr = true;
    tcp_conn_set_state(c, TCP_FIN_WAIT_1, now);
    break;
  case TCP_CLOSE_WAIT:
    c->shut_wr = true;
    tcp_conn_set_state(c, TCP_LAST_ACK, now);
    break;
  default:
    return c->shut_wr ? TCP_OK : TCP_ERR_STATE;
  }
  tcp_conn_output(c, now);
  return TCP_OK;
}

int tcp_conn_shutdown(tcp_conn *c, uint64_t now) {
  tcp_host_enter(c->host, now);
  int rv = c->shut_wr ? TCP_OK : shutdown_send(c, now);
  tcp_trace_app(c, TCP_CALL_SHUTDOWN, 0, rv, now);
  tcp_host_leave(c->host);
  return rv;
}

static void abort_conn(tcp_conn *c, tcp_why why, uint64_t now) {
  switch (c->state) {
  case TCP_SYN_RECEIVED:
  case TCP_ESTABLISHED:
  case TCP_FIN_WAIT_1:
  case TCP_FIN_WAIT_2:
  case TCP_CLOSE_WAIT:
    tcp_conn_send_rst(c, why, now); /* <SEQ=SND.NXT><CTL=RST> */
    break;
  default:
    break;
  }
  tcp_conn_set_state(c, TCP_CLOSED, now);
}

int tcp_conn_close(tcp_conn *c, uint64_t now) {
  tcp_host_enter(c->host, now);
  tcp_trace_app(c, TCP_CALL_CLOSE, 0, 0, now);
  c->app_closed = true;
  if (c->rcv_off != c->read_off && c->state != TCP_CLOSED &&
      !c->host->p->close_unread_rst)
    c->read_off = c->rcv_off; /* 4.4BSD: flushed, then the FIN below */
  if (c->rcv_off != c->read_off && c->state != TCP_CLOSED)
    abort_conn(c, TCP_WHY_RST_UNREAD, now);
  else if (c->state == TCP_SYN_SENT)
    tcp_conn_set_state(c, TCP_CLOSED, now);
  else if (!c->shut_wr)
    shutdown_send(c, now);
  tcp_host_leave(c->host);
  return TCP_OK;
}

int tcp_conn_abort(tcp_conn *c, uint64_t now) {
  tcp_host_enter(c->host, now);
  tcp_trace_app(c, TCP_CALL_ABORT, 0, 0, now);
  c->app_closed = true;
  abort_conn(c, TCP_WHY_RST_ABORT, now);
  tcp_host_leave(c->host);
  return TCP_OK;
}

tcp_state tcp_conn_state(const tcp_conn *c) {
  return c->state;
}

void tcp_conn_set_user(tcp_conn *c, void *user) {
  c->user = user;
}

void *tcp_conn_user(const tcp_conn *c) {
  return c->user;
}

int tcp_conn_error(const tcp_conn *c) {
  return c->error;
}

void tcp_conn_info_get(const tcp_conn *c, tcp_conn_info *o) {
  *o = (tcp_conn_info){0};
  o->state = c->state;
  o->id = c->id;
  o->laddr = c->laddr;
  o->raddr = c->raddr;
  o->lport = c->lport;
  o->rport = c->rport;
  o->iss = c->iss;
  o->irs = c->irs;
  o->snd_una = c->snd_una;
  o->snd_nxt = c->snd_nxt;
  o->snd_wnd = c->snd_wnd;
  o->rcv_nxt = c->rcv_nxt;
  o->rcv_wnd = tcp_conn_rcv_wnd(c);
  o->mss = c->mss;
  o->cwnd = c->cwnd;
  o->ssthresh = c->ssthresh;
  o->srtt_ns = c->srtt_ns;
  o->rttvar_ns = c->rttvar_ns;
  o->rto_ns = c->rto_ns;
  o->bytes_sent = c->app_sent;
  o->bytes_acked = c->una_off;
  o->bytes_received = c->rcv_off;
  o->bytes_read = c->read_off;
  o->bytes_discarded = c->bytes_discarded;
  o->retransmits = c->retransmits;
  o->integrity_errors = c->integrity_errors;
  o->fin_received = c->fin_rcvd;
  o->fin_acked = c->fin_acked;
  o->error = c->error;
  for (int t = 0; t < TCP_NTIMERS; t++)
    o->deadline_ns[t] = c->deadline[t];
}
