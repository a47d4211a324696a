/*
 * conv.c - the conversation: two endpoints on a link, the client and
 * server applications, and the outcome read off the trace.
 *
 * An endpoint is a host of the model on an ns3c link, a socket of ns-3's
 * own TCP (CONV_STACK_NS3), or a socket of the model as ns-3's TCP on ns-3's
 * internet stack (CONV_STACK_PLUGIN: its hosts made as on the link, its
 * trace the model's own). The applications call the endpoint through
 * ep_send/ep_recv/ep_shutdown/ep_close and hear from it through
 * client_event/server_event, whichever stack is below. The outcome is read
 * from one stream of trace events: the model's own for a model endpoint;
 * for ns-3's TCP, events made here from what ns-3 shows - the datagrams on
 * each device (seg-out, seg-in), the socket's "State" trace (state) and the
 * application's calls (app, data-lost).
 *
 * Each host has at most one pending ns-3 event: its next deadline, moved
 * whenever the host's expiry changes. The applications' own waits (think,
 * read pace, close delay) are ns-3 events too. Every event handler ends in
 * settle(), which moves the hosts' deadline events and stops the
 * simulation once both applications are done and the network is quiet.
 *
 * When a conversation ends, its remaining events are cancelled and the
 * link is drained with its receive callback detached, so the next
 * conversation starts on an empty link.
 */
#include "conv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ns3c.h"
#include "pcapng.h"

#define MAX_APP_EVENTS 8 /* pending application events at most */

struct conv_env {
  ns3c_sim *sim;
  ns3c_link *link;
};

typedef struct run run;

typedef struct side {
  run *r;
  int node; /* 0 client, 1 server */
  tcp_host *host;
  uint64_t ev_id; /* pending deadline event */
  uint64_t ev_at; /* its absolute time, or 0 if none */
  uint64_t rng;   /* this host's random stream */
} side;

typedef struct app_ev {
  run *r;
  void (*fn)(run *r);
  uint64_t id;
  bool live;
} app_ev;

struct run {
  conv_env *e;
  const conv_params *p;
  const conv_opts *opts;
  uint64_t t0;    /* absolute start */
  uint64_t index; /* the conversation's number */
  side s[2];
  app_ev apps[MAX_APP_EVENTS];
  uint64_t limit_id; /* time-limit event */
  bool stopped;
  uint64_t end_ns; /* when it stopped (from the start) */
  tcp_check *check;
  char *err; /* first failure, or NULL */

  conv_stack stack;
  const conv_kernel *kernel; /* real kernels at the ends, or NULL */
  uint64_t watch_id;         /* the event that polls their programs */
  ns3c_link *link;           /* the link the endpoints share */
  /* ns-3's TCP: its network and sockets, and what the sockets said */
  ns3c_tcpnet *net;
  ns3c_tcp *lis, *cs, *ss;
  tcp_host *ph[2]; /* the plug-in's model hosts (CONV_STACK_PLUGIN) */
  bool peer_closed[2], failed[2];
  tcp_state cstate, sstate; /* the client's and the server's socket's
                               state (their "State" trace) */

  /* client application */
  tcp_conn *cc;
  uint64_t req_sent;
  bool req_done, reading, client_done;
  bool client_closing; /* close_when_read: its close is scheduled */
  /* server application */
  tcp_conn *sc;
  uint64_t srv_read, resp_sent;
  bool srv_conn; /* the server has its connection */
  bool srv_started, close_sched, srv_done;
  bool srv_eof; /* the server read the client's end of stream */

  /* outcome tracking, from the client's trace */
  conv_outcome *out;
  uint32_t irs;         /* server's ISN as the client saw it */
  uint64_t kernel_rcvd; /* a kernel client: response bytes its host has
                           received in order (from the capture) */
  bool have_irs;
  bool have_fin;        /* the server's FIN arrived */
  uint32_t fin_end;     /* sequence number after that FIN */
  bool fin_ack_sent;    /* the client ACKed it */
  bool app_eof;         /* the client application read end of stream */
  uint64_t app_read;    /* bytes the client application read so far */
  bool app_closed;      /* the client application called close */
  int64_t last_in_time; /* the client's last arrival */
  uint32_t last_in_seq, last_in_len;
  uint8_t last_in_flags;
  int64_t arm_time; /* the client's pending delayed ACK was armed */
  uint32_t arm_seq, arm_len;

  /* the captures (client's and server's device), and why each datagram
   * of a model end was sent, by (source, IP ID), for their comments */
  hc_pcapng *cap[2];
  char cap_err[200];
  bool just_redundant; /* the client's last seg-out was the redundant ACK */
  struct label {
    uint32_t src;
    uint16_t id;
    bool used;
    char text[200];
  } labels[512];
};

static int env_new(conv_env **out, uint32_t seed, bool realtime, char *err,
                   size_t cap) {
  conv_env *e = calloc(1, sizeof *e);
  int rv = !e         ? NS3C_ERR_NOMEM
           : realtime ? ns3c_sim_new_realtime(&e->sim, seed, 0)
                      : ns3c_sim_new(&e->sim, seed, 0);
  ns3c_link_config lc = {10000000, 0, 100, 1500, 0, 0};
  if (rv == 0 && (rv = ns3c_link_new(e->sim, &lc, &e->link)) != 0)
    ns3c_sim_free(e->sim);
  if (rv == 0) {
    *out = e;
    return 0;
  }
  if (err)
    snprintf(err, cap, "ns-3: %s", e ? ns3c_last_error() : "out of memory");
  free(e);
  return -1;
}

int conv_env_new(conv_env **out, uint32_t seed, char *err, size_t cap) {
  return env_new(out, seed, false, err, cap);
}

int conv_env_new_realtime(conv_env **out, uint32_t seed, char *err,
                          size_t cap) {
  return env_new(out, seed, true, err, cap);
}

int conv_env_attach_kernel(conv_env *e, int node, int tap_fd,
                           const uint8_t link_mac[6], const uint8_t tap_mac[6],
                           char *err, size_t cap) {
  if (ns3c_link_attach_fd(e->link, node, tap_fd, link_mac, tap_mac) == 0)
    return 0;
  if (err)
    snprintf(err, cap, "ns-3: %s", ns3c_last_error());
  return -1;
}

void conv_env_timing(conv_env *e, conv_link_timing *t) {
  ns3c_link_stats st;
  ns3c_link_stats_get(e->link, &st);
  memset(t, 0, sizeof *t);
  for (int i = 0; i < 2; i++) {
    t->frames[i] = st.wall_n[i];
    t->sum_ns[i] = st.wall_sum_ns[i];
    t->min_ns[i] = st.wall_min_ns[i];
    t->max_ns[i] = st.wall_max_ns[i];
    t->off_1ms[i] = st.wall_off_1ms[i];
    t->tap_errors[i] = st.tap_errors[i];
  }
}

uint64_t conv_env_now(const conv_env *e) {
  return ns3c_now(e->sim);
}

void conv_env_free(conv_env *e) {
  if (!e)
    return;
  ns3c_sim_free(e->sim);
  free(e);
}

static uint64_t rel(const run *r) {
  return ns3c_now(r->e->sim) - r->t0;
}

static void fail(run *r, const char *fmt, const char *detail) {
  if (r->err)
    return;
  size_t n = strlen(fmt) + strlen(detail) + 1;
  r->err = malloc(n);
  if (r->err)
    snprintf(r->err, n, fmt, detail);
  ns3c_stop(r->e->sim);
}

/* ---------------------------------------------------------------------------
 * Scheduling
 */

static void settle(run *r);

static void on_deadline(void *arg) {
  side *s = arg;
  s->ev_at = 0;
  tcp_host_on_expiry(s->host, rel(s->r));
  settle(s->r);
}

static void reschedule(side *s) {
  run *r = s->r;
  if (!s->host)
    return; /* ns-3's TCP keeps its own timers */
  uint64_t exp = tcp_host_expiry(s->host);
  uint64_t at = exp == TCP_NEVER ? 0 : r->t0 + exp;
  if (at == s->ev_at)
    return;
  if (s->ev_at)
    ns3c_cancel(r->e->sim, s->ev_id);
  s->ev_at = 0;
  if (at && ns3c_schedule(r->e->sim, at, on_deadline, s, &s->ev_id) == 0)
    s->ev_at = at;
}

static void on_app_event(void *arg) {
  app_ev *a = arg;
  a->live = false;
  a->fn(a->r);
  settle(a->r);
}

static void after(run *r, uint64_t delay, void (*fn)(run *r)) {
  for (int i = 0; i < MAX_APP_EVENTS; i++) {
    app_ev *a = &r->apps[i];
    if (a->live)
      continue;
    *a = (app_ev){r, fn, 0, true};
    if (ns3c_schedule(r->e->sim, ns3c_now(r->e->sim) + delay, on_app_event, a,
                      &a->id) != 0)
      fail(r, "cannot schedule: %s", ns3c_last_error());
    return;
  }
  fail(r, "%s", "too many application events pending");
}

/* Nothing will happen unless an application acts: no timer but TIME-WAIT's
 * (ns-3's TCP cancels every other timer as it enters TIME-WAIT) */
static bool is_kernel(const run *r, int node) {
  return r->kernel && r->kernel->end[node];
}

static bool quiescent(const run *r) {
  if (r->stack == CONV_STACK_PLUGIN)
    return tcp_host_quiescent(r->ph[0]) && tcp_host_quiescent(r->ph[1]);
  if (r->stack == CONV_STACK_MODEL) /* a kernel end: its program exited */
    return (is_kernel(r, 0) || tcp_host_quiescent(r->s[0].host)) &&
           (is_kernel(r, 1) || tcp_host_quiescent(r->s[1].host));
  return (r->cstate == TCP_TIME_WAIT || r->cstate == TCP_CLOSED) &&
         r->sstate == TCP_CLOSED;
}

static bool link_idle(const run *r) {
  ns3c_link_stats st;
  ns3c_link_stats_get(r->link, &st);
  for (int i = 0; i < 2; i++)
    if (st.sent[i] != st.delivered[1 - i] + st.lost[1 - i] + st.queue_drops[i])
      return false;
  return true;
}

static void on_drained(void *sim) {
  ns3c_stop(sim);
}

/* The conversation is over. With kernels at the ends the simulation runs a
 * moment longer, nobody listening, so that what they still send goes
 * nowhere - in this same run: a real-time simulation started again would
 * wait for its clock from zero, not from where it stopped. */
static void stop(run *r) {
  r->stopped = true;
  r->end_ns = rel(r);
  if (!r->kernel) {
    ns3c_stop(r->e->sim);
    return;
  }
  ns3c_link_set_capture(r->e->link, NULL, NULL);
  ns3c_link_set_receive(r->e->link, NULL, NULL);
  if (ns3c_schedule(r->e->sim, ns3c_now(r->e->sim) + 200 * TCP_MS, on_drained,
                    r->e->sim, NULL) != 0)
    ns3c_stop(r->e->sim);
}

static void settle(run *r) {
  reschedule(&r->s[0]);
  reschedule(&r->s[1]);
  if (r->stopped)
    return;
  if (r->client_done && r->srv_done && quiescent(r) && link_idle(r)) {
    r->out->completed = true;
    stop(r);
  }
}

static void on_limit(void *arg) {
  run *r = arg;
  r->limit_id = 0;
  stop(r);
}

/* ---------------------------------------------------------------------------
 * The endpoint: what the applications call, on either stack
 */

static void on_trace(void *user, const tcp_event *ev);

/* An application call on ns-3's TCP, traced as the model traces its own. */
static int64_t app_event(run *r, int node, tcp_app_call call, int64_t arg,
                         int64_t result) {
  if (node == 0) {
    tcp_event ev = {0};
    ev.type = TCP_EV_APP;
    ev.time_ns = rel(r);
    ev.host = CONV_CLIENT_ADDR;
    ev.call = call;
    ev.arg = arg;
    ev.result = result;
    ev.state = r->cstate;
    on_trace(&r->s[0], &ev);
  }
  return result;
}

static ns3c_tcp *sock(run *r, int node) {
  return node == 0 ? r->cs : r->ss;
}

static int64_t ep_send(run *r, int node, uint64_t n) {
  tcp_conn *c = node == 0 ? r->cc : r->sc;
  if (r->stack == CONV_STACK_MODEL)
    return tcp_conn_send(c, n, rel(r));
  if (r->stack == CONV_STACK_PLUGIN) { /* the model traces the call */
    int64_t rv = ns3c_tcp_send(sock(r, node), n);
    return rv < 0 ? TCP_ERR_RESET : rv;
  }
  int64_t rv =
      r->failed[node] ? TCP_ERR_RESET : ns3c_tcp_send(sock(r, node), n);
  if (rv < 0)
    rv = TCP_ERR_RESET;
  return app_event(r, node, TCP_CALL_SEND, (int64_t)n,
                   rv == 0 ? TCP_ERR_WOULDBLOCK : rv);
}

/* > 0 bytes, 0 end of stream, TCP_ERR_WOULDBLOCK, or an error */
static int64_t ep_recv(run *r, int node, uint64_t max) {
  tcp_conn *c = node == 0 ? r->cc : r->sc;
  if (r->stack == CONV_STACK_MODEL)
    return tcp_conn_recv(c, NULL, max, rel(r));
  if (r->stack == CONV_STACK_PLUGIN) {
    int64_t model = 0, rv = ns3c_tcp_read(sock(r, node), max, &model);
    return rv >= 0 ? rv : rv == NS3C_ERR_AGAIN ? TCP_ERR_WOULDBLOCK : model;
  }
  int64_t rv;
  if (r->failed[node])
    rv = TCP_ERR_RESET;
  else if ((rv = (int64_t)ns3c_tcp_recv(sock(r, node), max)) == 0)
    rv = r->peer_closed[node] && ns3c_tcp_unread(sock(r, node)) == 0
             ? 0
             : TCP_ERR_WOULDBLOCK;
  return app_event(r, node, TCP_CALL_RECV, (int64_t)max, rv);
}

static void ep_shutdown(run *r, int node) {
  if (r->stack == CONV_STACK_MODEL) {
    tcp_conn_shutdown(node == 0 ? r->cc : r->sc, rel(r));
    return;
  }
  if (r->stack == CONV_STACK_PLUGIN) {
    ns3c_tcp_shutdown(sock(r, node));
    return;
  }
  app_event(r, node, TCP_CALL_SHUTDOWN, 0,
            r->failed[node] ? TCP_ERR_RESET : ns3c_tcp_shutdown(sock(r, node)));
}

static void ep_close(run *r, int node) {
  if (r->stack == CONV_STACK_MODEL) {
    tcp_conn_close(node == 0 ? r->cc : r->sc, rel(r));
    return;
  }
  if (r->stack == CONV_STACK_PLUGIN) {
    ns3c_tcp_close(sock(r, node));
    return;
  }
  app_event(r, node, TCP_CALL_CLOSE, 0, ns3c_tcp_close(sock(r, node)));
}

/* ---------------------------------------------------------------------------
 * The applications
 */

static void client_close(run *r) {
  if (r->client_done)
    return;
  r->client_done = true;
  ep_close(r, 0);
}

/* One read (paced) or every read that succeeds (read_interval 0). */
static void client_read(run *r) {
  if (r->client_done)
    return;
  for (;;) {
    int64_t n = ep_recv(r, 0, r->p->read_size);
    if (n > 0) {
      r->out->bytes_read += (uint64_t)n;
      if (r->p->close_when_read && !r->client_closing &&
          r->out->bytes_read >= r->p->response) {
        /* the whole response, by its length: close without waiting for
         * the server's FIN (the article's normal conversation) */
        r->client_closing = true;
        if (r->p->read_close_delay_ns)
          after(r, r->p->read_close_delay_ns, client_close);
        else
          client_close(r);
        return;
      }
      if (r->p->read_interval_ns)
        return;
      continue;
    }
    if (n == 0) {
      client_close(r);
    } else if (n != TCP_ERR_WOULDBLOCK) {
      if (!r->out->client_error)
        r->out->client_error = (int)n;
      client_close(r);
    }
    return;
  }
}

static void client_read_tick(run *r) {
  r->reading = true;
  client_read(r);
  if (!r->client_done && r->p->read_interval_ns)
    after(r, r->p->read_interval_ns, client_read_tick);
}

static void client_shutdown(run *r) {
  if (!r->client_done)
    ep_shutdown(r, 0);
}

static void client_write(run *r) {
  while (r->req_sent < r->p->request) {
    int64_t n = ep_send(r, 0, r->p->request - r->req_sent);
    if (n <= 0)
      return;
    r->req_sent += (uint64_t)n;
  }
  if (r->req_done)
    return;
  r->req_done = true;
  if (r->p->half_close) {
    if (r->p->shutdown_delay_ns)
      after(r, r->p->shutdown_delay_ns, client_shutdown);
    else
      client_shutdown(r);
  }
  after(r, r->p->read_delay_ns, client_read_tick);
}

static void server_close(run *r) {
  if (r->srv_done || !r->srv_conn)
    return;
  r->srv_done = true;
  ep_close(r, 1);
}

static void server_write(run *r) {
  if (r->srv_done)
    return;
  while (r->resp_sent < r->p->response) {
    int64_t n = ep_send(r, 1, r->p->response - r->resp_sent);
    if (n <= 0)
      return;
    r->resp_sent += (uint64_t)n;
  }
  /* close_on_eof: the close waits for the client's end of stream */
  if (!r->close_sched && (!r->p->close_on_eof || r->srv_eof)) {
    r->close_sched = true;
    if (r->p->close_delay_ns)
      after(r, r->p->close_delay_ns, server_close);
    else
      server_close(r);
  }
}

static void server_readable(run *r, tcp_notify what) {
  int64_t n;
  while ((n = ep_recv(r, 1, 65536)) > 0)
    r->srv_read += (uint64_t)n;
  bool eof = n == 0;
  if (eof && !r->srv_eof) {
    r->srv_eof = true;
    if (r->srv_started && r->p->close_on_eof && r->resp_sent >= r->p->response)
      server_write(r); /* the response is out: now the close */
  }
  if (n < 0 && n != TCP_ERR_WOULDBLOCK) {
    server_close(r);
    return;
  }
  if (what == TCP_NOTIFY_ERROR) {
    server_close(r);
    return;
  }
  bool whole =
      r->srv_read >= r->p->request && (!r->p->half_close || !r->p->wait_eof);
  if (!r->srv_started && (eof || whole)) {
    r->srv_started = true;
    after(r, r->p->think_ns, server_write);
  }
}

/* What the client's endpoint said. */
static void client_event(run *r, tcp_notify what) {
  if (what == TCP_NOTIFY_CONNECTED || what == TCP_NOTIFY_WRITABLE)
    client_write(r);
  if (what == TCP_NOTIFY_ERROR && !r->req_done)
    client_read(r); /* the connection failed before the request */
  else if ((what == TCP_NOTIFY_READABLE || what == TCP_NOTIFY_ERROR) &&
           r->reading && r->p->read_interval_ns == 0)
    client_read(r);
}

/* What the server's endpoint said, once it has its connection. */
static void server_event(run *r, tcp_notify what) {
  if (!r->srv_conn || r->srv_done)
    return;
  if (what == TCP_NOTIFY_WRITABLE && r->srv_started)
    server_write(r);
  else
    server_readable(r, what);
}

static void on_notify(void *user, tcp_conn *c, tcp_notify what) {
  side *s = user;
  run *r = s->r;
  if (s->node == 0) {
    if (c == r->cc)
      client_event(r, what);
    return;
  }
  if (what == TCP_NOTIFY_ACCEPTABLE && !r->sc &&
      tcp_host_accept(s->host, (uint16_t)r->p->port, &r->sc, rel(r)) == 0) {
    c = r->sc;
    r->srv_conn = true;
  }
  if (c == r->sc)
    server_event(r, what);
}

/* ---------------------------------------------------------------------------
 * The outcome, from the trace
 */

static void track_client(run *r, const tcp_event *ev) {
  conv_outcome *o = r->out;
  conv_anatomy *a = &o->a;
  int64_t t = (int64_t)ev->time_ns;
  switch (ev->type) {
  case TCP_EV_SEG_IN:
    r->last_in_time = t;
    r->last_in_seq = ev->seg.seq;
    r->last_in_len = ev->seg.len;
    r->last_in_flags = ev->seg.flags;
    if ((ev->seg.flags & TCP_SYN) && !r->have_irs) {
      r->irs = ev->seg.seq;
      r->have_irs = true;
    }
    if ((ev->seg.flags & TCP_FIN) && !r->have_fin) {
      r->have_fin = true;
      r->fin_end = ev->seg.seq + ev->seg.len + 1;
      a->fin_arrived = t;
      /* the response's bytes up to this segment's end, less those read */
      uint32_t got = ev->seg.seq + ev->seg.len - r->irs - 1;
      a->unread_at_fin = (int64_t)got - (int64_t)r->app_read;
    }
    break;
  case TCP_EV_TIMER_ARM:
    if (ev->timer == TCP_TIMER_DELACK) {
      r->arm_time = t;
      r->arm_seq = r->last_in_seq - r->irs;
      r->arm_len = r->last_in_len;
    }
    break;
  case TCP_EV_SEG_OUT:
    o->segments[0]++;
    if (ev->why == TCP_WHY_RETRANSMIT || ev->why == TCP_WHY_FAST_RETRANSMIT)
      o->retransmits[0]++;
    if (!(ev->seg.flags & TCP_ACK) || !r->have_fin || ev->seg.ack != r->fin_end)
      break;
    if (!r->fin_ack_sent) {
      r->fin_ack_sent = true;
      a->fin_acked = t;
    } else if (ev->seg.len == 0 &&
               !(ev->seg.flags & (TCP_SYN | TCP_FIN | TCP_RST)) &&
               ev->why != TCP_WHY_UNACCEPTABLE &&
               ev->why != TCP_WHY_CHALLENGE && !o->redundant_ack) {
      /* a pure ACK of the client's own accord. Owed ones are not counted:
       * the answer to an unacceptable segment (a retransmitted FIN among
       * them, RFC 9293 §3.10.7.4) and a challenge ACK (RFC 5961). A
       * segment carrying data or the client's own FIN is not an ACK sent
       * for its own sake either. */
      o->redundant_ack = true;
      r->just_redundant = true;
      a->redundant_ack = t;
      a->redundant_why = ev->why;
      if (ev->why == TCP_WHY_DELACK) {
        a->delack_armed = r->arm_time;
        a->armed_by_seq = r->arm_seq;
        a->armed_by_len = r->arm_len;
      }
    }
    break;
  case TCP_EV_STATE:
    if (ev->to == TCP_CLOSED && ev->from != TCP_CLOSED &&
        r->last_in_time == t && (r->last_in_flags & TCP_RST) &&
        !o->conn_reset) {
      o->conn_reset = true;
      /* harmless: the application had closed, nobody can be told */
      o->reset_after_close = r->app_closed;
      a->conn_reset = t;
      a->reset_state = ev->from;
    }
    break;
  case TCP_EV_DATA_LOST:
    o->bytes_lost += (uint64_t)ev->arg;
    a->bytes_lost = o->bytes_lost;
    break;
  case TCP_EV_APP:
    if (ev->call == TCP_CALL_CLOSE || ev->call == TCP_CALL_ABORT)
      r->app_closed = true;
    if (ev->call == TCP_CALL_RECV && ev->result == 0 && ev->arg > 0)
      r->app_eof = true;
    if (ev->call == TCP_CALL_RECV && ev->result > 0)
      r->app_read += (uint64_t)ev->result;
    /* the KB symptom: a read (or write) fails with a reset before the
     * application has seen the end of the stream */
    if ((ev->call == TCP_CALL_RECV || ev->call == TCP_CALL_SEND) &&
        ev->result == TCP_ERR_RESET && !r->app_eof && !o->app_reset) {
      o->app_reset = true;
      a->app_reset = t;
    }
    break;
  default:
    break;
  }
}

/* Why a model end sent a segment, in words, for its capture's comment. */
static const char *why_words(tcp_why w) {
  switch (w) {
  case TCP_WHY_SYN:
    return "SYN: opens the connection";
  case TCP_WHY_SYNACK:
    return "SYN-ACK: accepts the connection";
  case TCP_WHY_DATA:
    return "data";
  case TCP_WHY_FIN:
    return "FIN: this side has no more to send";
  case TCP_WHY_RETRANSMIT:
    return "retransmission: the retransmission timer expired";
  case TCP_WHY_FAST_RETRANSMIT:
    return "fast retransmit: three duplicate ACKs";
  case TCP_WHY_ACK_EVERY:
    return "ACK at once: the immediate-ACK rule (every second full segment)";
  case TCP_WHY_ACK_QUICK:
    return "ACK at once: quick-ACK mode";
  case TCP_WHY_ACK_NOW:
    return "ACK at once";
  case TCP_WHY_ACK_OOO:
    return "ACK at once: out-of-order data";
  case TCP_WHY_ACK_FIN:
    return "ACK of the peer's FIN";
  case TCP_WHY_ACK_HANDSHAKE:
    return "ACK completing the handshake";
  case TCP_WHY_DELACK:
    return "delayed ACK: its timer fired";
  case TCP_WHY_UNACCEPTABLE:
    return "ACK answering an unacceptable segment";
  case TCP_WHY_CHALLENGE:
    return "challenge ACK (RFC 5961)";
  case TCP_WHY_WINDOW_UPDATE:
    return "window update: the application read";
  case TCP_WHY_ACK_PUSHED:
    return "ACK of a pushed segment";
  case TCP_WHY_PERSIST:
    return "zero-window probe: the persist timer fired";
  case TCP_WHY_RST_NO_CONN:
  case TCP_WHY_RST_LISTEN:
    return "RST: no connection for this segment";
  case TCP_WHY_RST_BAD_ACK:
    return "RST: an ACK of nothing sent";
  case TCP_WHY_RST_ABORT:
    return "RST: the application aborted";
  case TCP_WHY_RST_UNREAD:
    return "RST: closed with unread data (RFC 2525 2.17)";
  case TCP_WHY_RST_SYN:
    return "RST: a SYN in the window";
  case TCP_WHY_RST_AFTER_CLOSE:
    return "RST: data after the application closed";
  default:
    return NULL;
  }
}

/* Remember why a model end sent this segment, for the captures. */
static void note_label(run *r, int node, const tcp_event *ev) {
  const char *w = why_words(ev->why);
  if (!w)
    return;
  struct label *l =
      &r->labels[(ev->seg.ip_id ^ ((ev->seg.src & 1u) << 8)) & 511u];
  l->src = ev->seg.src;
  l->id = ev->seg.ip_id;
  l->used = true;
  const char *who = node == 0 ? "client" : "server";
  if (ev->why == TCP_WHY_DATA && (ev->seg.flags & TCP_FIN))
    w = "data, and the FIN: this side has no more to send";
  if (node == 0 && r->just_redundant)
    snprintf(l->text, sizeof l->text,
             "%s: %s - the redundant ACK, after its ACK of the server's FIN "
             "(KB Q152474) [%s]",
             who, w, tcp_why_name(ev->why));
  else if (node == 1 && (ev->seg.flags & TCP_RST) && r->out->redundant_ack)
    snprintf(l->text, sizeof l->text,
             "%s: %s - it answers the client's redundant ACK [%s]", who, w,
             tcp_why_name(ev->why));
  else
    snprintf(l->text, sizeof l->text, "%s: %s [%s]", who, w,
             tcp_why_name(ev->why));
  r->just_redundant = false;
}

static const char *label_of(run *r, const uint8_t *d, size_t len) {
  if (len < 20)
    return NULL;
  uint16_t id = (uint16_t)(d[4] << 8 | d[5]);
  uint32_t src = (uint32_t)d[12] << 24 | (uint32_t)d[13] << 16 |
                 (uint32_t)d[14] << 8 | d[15];
  struct label *l = &r->labels[(id ^ ((src & 1u) << 8)) & 511u];
  return l->used && l->src == src && l->id == id ? l->text : NULL;
}

static void track_server(run *r, const tcp_event *ev) {
  conv_outcome *o = r->out;
  if (ev->type != TCP_EV_SEG_OUT)
    return;
  o->segments[1]++;
  if (ev->why == TCP_WHY_RETRANSMIT || ev->why == TCP_WHY_FAST_RETRANSMIT)
    o->retransmits[1]++;
  if ((ev->seg.flags & TCP_RST) && !o->server_rst) {
    o->server_rst = true;
    o->a.server_rst = (int64_t)ev->time_ns;
  }
}

static void on_trace(void *user, const tcp_event *ev) {
  side *s = user;
  run *r = s->r;
  if (r->check && tcp_check_event(r->check, ev) != 0)
    fail(r, "invariant violated: %s", tcp_check_error(r->check));
  if (s->node == 0)
    track_client(r, ev);
  else
    track_server(r, ev);
  if ((r->cap[0] || r->cap[1]) && ev->type == TCP_EV_SEG_OUT)
    note_label(r, s->node, ev);
  if (r->opts && r->opts->trace)
    r->opts->trace(r->opts->trace_user, ev);
}

/* ---------------------------------------------------------------------------
 * Wiring
 */

static void on_output(void *user, const uint8_t *d, size_t len) {
  side *s = user;
  /* a full queue drops the datagram, as a real device would */
  ns3c_link_send(s->r->e->link, s->node, d, len);
}

static void on_receive(void *user, int node, const uint8_t *d, size_t len) {
  run *r = user;
  tcp_host_input(r->s[node].host, d, len, rel(r));
  settle(r);
}

static uint32_t on_random(void *user) {
  side *s = user;
  return (uint32_t)(tcp_splitmix64(&s->rng) >> 32);
}

/* A model host's configuration, the same on the link and on the plug-in. */
static void host_config(run *r, int node, const tcp_profile *prof,
                        uint32_t addr, tcp_host_config *out) {
  side *s = &r->s[node];
  s->r = r;
  s->node = node;
  tcp_host_config cfg = {0};
  cfg.addr = addr;
  cfg.profile = *prof;
  uint64_t mss_max = r->p->mtu - TCP_IPV4_HDR_LEN - TCP_TCP_HDR_LEN;
  if (cfg.profile.mss > mss_max)
    cfg.profile.mss = (uint16_t)mss_max;
  if (cfg.profile.delack_mode == TCP_DELACK_TICK && r->p->random_phase)
    cfg.profile.delack_phase_ns =
        tcp_splitmix64(&s->rng) % cfg.profile.delack_tick_ns;
  r->out->phase_ns[node] =
      cfg.profile.delack_mode == TCP_DELACK_TICK
          ? (int64_t)(cfg.profile.delack_phase_ns % cfg.profile.delack_tick_ns)
          : CONV_NONE;
  /* without the invariant checker (a batch run without --check) the
   * datagrams are trusted: they come unchanged from the other host */
  cfg.trust_input = !(r->opts && r->opts->check) && !r->kernel;
  if (!(r->opts && (r->opts->check || r->opts->trace))) {
    /* only the events the outcome and the anatomy are read from (the
     * checker and a replay's ladder get every event) */
    cfg.trace_types = 1u << TCP_EV_SEG_OUT | 1u << TCP_EV_SEG_IN |
                      1u << TCP_EV_STATE | 1u << TCP_EV_TIMER_ARM |
                      1u << TCP_EV_APP | 1u << TCP_EV_DATA_LOST;
    cfg.trace_timers = 1u << TCP_TIMER_DELACK;
  }
  cfg.user = s;
  cfg.output = on_output;
  cfg.notify = on_notify;
  cfg.trace = on_trace;
  cfg.random = on_random;
  *out = cfg;
}

static int make_host(run *r, int node, const tcp_profile *prof, uint32_t addr) {
  tcp_host_config cfg;
  host_config(r, node, prof, addr, &cfg);
  return tcp_host_new(&r->s[node].host, &cfg);
}

/* ---- ns-3's TCP ---- */

static tcp_state from_ns3(ns3c_tcp_state st) {
  static const tcp_state map[] = {
      TCP_CLOSED,      TCP_LISTEN,     TCP_SYN_SENT, TCP_SYN_RECEIVED,
      TCP_ESTABLISHED, TCP_CLOSE_WAIT, TCP_LAST_ACK, TCP_FIN_WAIT_1,
      TCP_FIN_WAIT_2,  TCP_CLOSING,    TCP_TIME_WAIT};
  return (size_t)st < sizeof map / sizeof map[0] ? map[st] : TCP_CLOSED;
}

static void on_ns3_state(void *user, ns3c_tcp *t, ns3c_tcp_state from,
                         ns3c_tcp_state to) {
  run *r = user;
  if (r->stack == CONV_STACK_PLUGIN)
    return; /* the model traces its states */
  if (t == r->ss) {
    r->sstate = from_ns3(to);
    settle(r);
  }
  if (t != r->cs)
    return;
  tcp_event ev = {0};
  ev.type = TCP_EV_STATE;
  ev.time_ns = rel(r);
  ev.host = CONV_CLIENT_ADDR;
  ev.from = from_ns3(from);
  ev.to = ev.state = r->cstate = from_ns3(to);
  on_trace(&r->s[0], &ev);
  settle(r);
}

static void on_ns3_event(void *user, ns3c_tcp *t, ns3c_tcp_event what,
                         ns3c_tcp *accepted) {
  run *r = user;
  if (what == NS3C_TCP_ACCEPTED) {
    if (r->ss) { /* one connection per conversation */
      ns3c_tcp_close(accepted);
      ns3c_tcp_free(accepted);
    } else {
      r->ss = accepted;
      r->sstate = TCP_ESTABLISHED;
      r->srv_conn = true;
      if (r->stack == CONV_STACK_PLUGIN) /* as the link's server: it reads
                                            at once */
        server_event(r, TCP_NOTIFY_ACCEPTABLE);
    }
    settle(r);
    return;
  }
  int node = t == r->cs ? 0 : t == r->ss ? 1 : -1;
  if (node < 0)
    return;
  tcp_notify n = TCP_NOTIFY_READABLE;
  switch (what) {
  case NS3C_TCP_CONNECTED:
    n = TCP_NOTIFY_CONNECTED;
    break;
  case NS3C_TCP_WRITABLE:
    n = TCP_NOTIFY_WRITABLE;
    break;
  case NS3C_TCP_PEER_CLOSED:
    r->peer_closed[node] = true;
    break;
  case NS3C_TCP_CONNECT_FAILED:
  case NS3C_TCP_ERROR:
    if (!r->failed[node] && node == 0 && r->stack == CONV_STACK_NS3) {
      /* what the client host had received in order and not handed to the
       * application goes with the connection */
      tcp_event ev = {0};
      ev.type = TCP_EV_DATA_LOST;
      ev.time_ns = rel(r);
      ev.host = CONV_CLIENT_ADDR;
      ev.arg = (int64_t)ns3c_tcp_unread(t);
      ev.state = r->cstate;
      if (ev.arg > 0)
        on_trace(&r->s[0], &ev);
    }
    r->failed[node] = true;
    n = TCP_NOTIFY_ERROR;
    break;
  default:
    break;
  }
  if (node == 0)
    client_event(r, n);
  else
    server_event(r, n);
  settle(r);
}

/* A datagram on either device, as the trace event of the host it left or
 * reached: the client's seg-out and seg-in, the server's seg-out. */
static void on_capture(void *user, int node, const uint8_t *d, size_t len) {
  run *r = user;
  if (r->cap[node] && len >= 20) {
    uint32_t self = node == 0 ? CONV_CLIENT_ADDR : CONV_SERVER_ADDR;
    uint32_t src = (uint32_t)d[12] << 24 | (uint32_t)d[13] << 16 |
                   (uint32_t)d[14] << 8 | d[15];
    hc_pcapng_packet(r->cap[node], (int64_t)(ns3c_now(r->e->sim) - r->t0), d,
                     len, src == self ? HC_PCAPNG_OUT : HC_PCAPNG_IN,
                     label_of(r, d, len));
  }
  if ((r->stack == CONV_STACK_MODEL && !is_kernel(r, node)) ||
      r->stack == CONV_STACK_PLUGIN)
    return; /* a model end traces itself */
  tcp_event ev = {0};
  if (tcp_wire_decode(&ev.seg, d, len) != TCP_WIRE_OK)
    return;
  uint32_t self = node == 0 ? CONV_CLIENT_ADDR : CONV_SERVER_ADDR;
  bool out = ev.seg.src == self;
  if (node == 1 && !out) { /* the server's arrivals tell the outcome
                              nothing, but the link may be idle now */
    settle(r);
    return;
  }
  ev.type = out ? TCP_EV_SEG_OUT : TCP_EV_SEG_IN;
  ev.time_ns = rel(r);
  ev.host = self;
  ev.dgram = d;
  ev.dgram_len = len;
  ev.why = TCP_WHY_NONE; /* ns-3 does not say why it sent a segment */
  ev.state = node == 0 ? r->cstate : r->sstate;
  on_trace(&r->s[node], &ev);
  if (node == 0 && !out && r->have_irs && ev.seg.len) {
    uint64_t start = (uint32_t)(ev.seg.seq - r->irs - 1);
    if (start <= r->kernel_rcvd && start + ev.seg.len > r->kernel_rcvd)
      r->kernel_rcvd = start + ev.seg.len;
  }
  settle(r); /* a datagram left or arrived: the link may be idle now */
}

/* ---- real kernels at the ends (emulation) ---- */

#define KERNEL_POLL_NS (5 * TCP_MS) /* how often their programs are polled */

static int64_t tcp_error_of(int e) {
  switch (e) {
  case 0:
    return 0;
  case ECONNRESET:
    return TCP_ERR_RESET;
  case EPIPE:
    return TCP_ERR_PIPE;
  case ETIMEDOUT:
    return TCP_ERR_TIMEOUT;
  case ECONNREFUSED:
    return TCP_ERR_REFUSED;
  default:
    return TCP_ERR_INVAL;
  }
}

/* A kernel client's program exited: what its application saw, as the
 * application events the model would have traced (the reads, the end of
 * stream or the error, the close). Without a state trace, a reset is
 * known only when the application got it: conn_reset then; the bytes its
 * host had received in order (the capture) and the application never
 * read are then lost. */
static void kernel_client_done(run *r, uint64_t bytes, bool eof, int error) {
  int64_t err = tcp_error_of(error);
  r->out->bytes_read = bytes;
  r->out->client_error = (int)err;
  if (bytes)
    app_event(r, 0, TCP_CALL_RECV, (int64_t)bytes, (int64_t)bytes);
  if (eof)
    app_event(r, 0, TCP_CALL_RECV, 1, 0);
  if (err == TCP_ERR_RESET && r->kernel_rcvd > bytes) {
    tcp_event ev = {0};
    ev.type = TCP_EV_DATA_LOST;
    ev.time_ns = rel(r);
    ev.host = CONV_CLIENT_ADDR;
    ev.arg = (int64_t)(r->kernel_rcvd - bytes);
    on_trace(&r->s[0], &ev);
  }
  if (err) {
    app_event(r, 0, TCP_CALL_RECV, 1, err);
    if (err == TCP_ERR_RESET && !r->out->conn_reset) {
      r->out->conn_reset = true;
      r->out->a.conn_reset = (int64_t)rel(r);
    }
  }
  app_event(r, 0, TCP_CALL_CLOSE, 0, 0);
}

static void on_watch(void *arg) {
  run *r = arg;
  r->watch_id = 0;
  for (int end = 0; end < 2; end++) {
    bool *done = end == 0 ? &r->client_done : &r->srv_done;
    uint64_t bytes = 0;
    bool eof = false;
    int error = 0;
    if (!is_kernel(r, end) || *done ||
        !r->kernel->poll(r->kernel->user, end, &bytes, &eof, &error))
      continue;
    *done = true;
    if (end == 0)
      kernel_client_done(r, bytes, eof, error);
  }
  if (!(is_kernel(r, 0) && !r->client_done) &&
      !(is_kernel(r, 1) && !r->srv_done)) {
    settle(r);
    return;
  }
  ns3c_schedule(r->e->sim, ns3c_now(r->e->sim) + KERNEL_POLL_NS, on_watch, r,
                &r->watch_id);
  settle(r);
}

static int start_ns3(run *r, const tcp_profile *client) {
  ns3c_tcp_config tc = {
      .link = {r->p->rate_bps, r->p->delay_ns, (uint32_t)r->p->queue,
               (uint32_t)r->p->mtu, r->p->loss, 2 * r->index},
      .delack_ns = client->delack_ns,
      .delack_count = client->ack_every,
      .msl_ns = 500 * TCP_MS}; /* TIME-WAIT sockets must not pile up */
  int rv = ns3c_tcpnet_get(r->e->sim, &tc, &r->net);
  if (rv)
    return rv;
  r->link = ns3c_tcpnet_link(r->net);
  r->cstate = r->sstate = TCP_CLOSED;
  ns3c_tcp_callbacks cb = {on_ns3_event, on_ns3_state, r};
  uint16_t port = ns3c_tcpnet_new_port(r->net);
  ns3c_link_set_capture(r->link, on_capture, r);
  rv = ns3c_tcp_listen(r->net, 1, port, &cb, &r->lis);
  if (rv == 0)
    rv = ns3c_tcp_connect(r->net, 0, port, &cb, &r->cs);
  return rv;
}

/* ---- the plug-in: the model as ns-3's TCP ---- */

static void on_settled(void *user) {
  side *s = user;
  settle(s->r);
}

static int start_plugin(run *r, const tcp_profile *client,
                        const tcp_profile *server) {
  ns3c_tcp_config tc = {.link = {r->p->rate_bps, r->p->delay_ns,
                                 (uint32_t)r->p->queue, (uint32_t)r->p->mtu,
                                 r->p->loss, 2 * r->index},
                        .model = 1};
  int rv = ns3c_tcpnet_get(r->e->sim, &tc, &r->net);
  if (rv)
    return rv;
  r->link = ns3c_tcpnet_link(r->net);
  if (r->cap[0] || r->cap[1])
    ns3c_link_set_capture(r->link, on_capture, r);
  const tcp_profile *prof[2] = {client, server};
  for (int i = 0; i < 2; i++) {
    tcp_host_config cfg;
    host_config(r, i, prof[i], i ? CONV_SERVER_ADDR : CONV_CLIENT_ADDR, &cfg);
    r->ph[i] = ns3c_tcpnet_model(r->net, i, &cfg, r->t0, on_settled);
    if (!r->ph[i])
      return NS3C_ERR_INVAL;
  }
  if (r->opts && r->opts->check)
    tcp_check_new(&r->check);
  ns3c_tcp_callbacks cb = {on_ns3_event, on_ns3_state, r};
  rv = ns3c_tcp_listen(r->net, 1, (uint16_t)r->p->port, &cb, &r->lis);
  if (rv == 0)
    rv = ns3c_tcp_connect(r->net, 0, (uint16_t)r->p->port, &cb, &r->cs);
  return rv;
}

/* ---- both ---- */

/* Ends the run; 0, or -1 when its capture could not be written whole. */
static int end_run(run *r) {
  for (int i = 0; i < 2; i++)
    if (r->s[i].ev_at)
      ns3c_cancel(r->e->sim, r->s[i].ev_id);
  for (int i = 0; i < MAX_APP_EVENTS; i++)
    if (r->apps[i].live)
      ns3c_cancel(r->e->sim, r->apps[i].id);
  if (r->limit_id)
    ns3c_cancel(r->e->sim, r->limit_id);
  if (r->watch_id)
    ns3c_cancel(r->e->sim, r->watch_id);
  if (r->stack != CONV_STACK_MODEL && r->net) {
    /* end what the limit left open, and let go of the sockets before ns-3
     * runs their last timers: nothing may call back into this run */
    ns3c_link_set_capture(r->link, NULL, NULL);
    if (!r->client_done && r->cs)
      ns3c_tcp_close(r->cs);
    if (!r->srv_done && r->ss)
      ns3c_tcp_close(r->ss);
    if (r->lis)
      ns3c_tcp_close(r->lis);
    ns3c_tcp_free(r->cs);
    ns3c_tcp_free(r->ss);
    ns3c_tcp_free(r->lis);
    if (r->stack == CONV_STACK_PLUGIN)
      ns3c_tcpnet_park(r->net); /* the hosts go, and their timers */
  }
  /* drain what is still on the wire (and, for ns-3's TCP, its timers),
   * with nobody listening */
  ns3c_link_set_receive(r->e->link, NULL, NULL);
  if (!r->kernel) /* kernels: drained in the run (stop) */
    ns3c_run(r->e->sim);
  ns3c_link_set_capture(r->link, NULL, NULL);
  int rv = 0;
  for (int i = 0; i < 2; i++)
    if (hc_pcapng_close(r->cap[i], r->cap_err, sizeof r->cap_err) != 0)
      rv = -1;
  for (int i = 0; i < 2; i++)
    tcp_host_free(r->s[i].host);
  tcp_check_free(r->check);
  return rv;
}

int conv_run(conv_env *e, const conv_params *p, conv_stack stack,
             const tcp_profile *client, const tcp_profile *server,
             uint64_t seed, uint64_t index, const conv_opts *opts,
             conv_outcome *out, char *err, size_t cap) {
  char msg[512];
  run *r = calloc(1, sizeof *r);
  if (!r)
    return TCP_ERR_NOMEM;
  memset(out, 0, sizeof *out);
  conv_anatomy *a = &out->a;
  a->delack_armed = a->fin_arrived = a->fin_acked = a->redundant_ack =
      a->server_rst = a->conn_reset = a->app_reset = a->unread_at_fin =
          out->phase_ns[0] = out->phase_ns[1] = CONV_NONE;
  r->e = e;
  r->p = p;
  r->stack = stack;
  r->index = index;
  r->opts = opts;
  r->kernel = opts ? opts->kernel : NULL;
  r->out = out;
  r->t0 = ns3c_now(e->sim);
  r->last_in_time = CONV_NONE;
  r->link = e->link;
  r->s[0] = (side){.r = r, .node = 0};
  r->s[1] = (side){.r = r, .node = 1};
  uint64_t base = seed * 0xD1B54A32D192ED03ull ^ index;
  tcp_splitmix64(&base);
  r->s[0].rng = tcp_splitmix64(&base);
  r->s[1].rng = tcp_splitmix64(&base);

  int rv = 0;
  if (stack == CONV_STACK_MODEL) {
    ns3c_link_config lc = {p->rate_bps,      p->delay_ns, (uint32_t)p->queue,
                           (uint32_t)p->mtu, p->loss,     2 * index};
    rv = ns3c_link_configure(e->link, &lc);
  }
  /* the captures open before the SYN goes out */
  const char *cap_path[2] = {opts ? opts->pcap_path : NULL,
                             opts ? opts->pcap_server_path : NULL};
  static const char *const ifname[2] = {"client", "server"};
  for (int i = 0; rv == 0 && i < 2; i++)
    if (cap_path[i] &&
        hc_pcapng_open(&r->cap[i], cap_path[i], ifname[i], msg, sizeof msg)) {
      for (int j = 0; j < i; j++)
        hc_pcapng_close(r->cap[j], NULL, 0);
      if (err)
        snprintf(err, cap, "%s", msg);
      free(r);
      return -1;
    }
  if (rv == 0 && stack == CONV_STACK_NS3)
    rv = start_ns3(r, client);
  else if (rv == 0 && stack == CONV_STACK_PLUGIN)
    rv = start_plugin(r, client, server);
  else if (rv == 0 && (r->cap[0] || r->cap[1]))
    ns3c_link_set_capture(e->link, on_capture, r);
  if (rv) {
    snprintf(msg, sizeof msg, "%s: %s",
             stack == CONV_STACK_MODEL ? "link"
             : stack == CONV_STACK_NS3 ? "ns-3's TCP"
                                       : "the plug-in",
             ns3c_last_error());
    if (err)
      snprintf(err, cap, "%s", msg);
    end_run(r);
    free(r);
    return -1;
  }
  if (opts && opts->check && stack == CONV_STACK_MODEL)
    tcp_check_new(&r->check);
  if (stack == CONV_STACK_MODEL) {
    ns3c_link_set_receive(e->link, on_receive, r);
    if (r->kernel) { /* what the kernels send and receive, as trace */
      ns3c_link_set_capture(e->link, on_capture, r);
      rv = ns3c_schedule(e->sim, r->t0 + KERNEL_POLL_NS, on_watch, r,
                         &r->watch_id);
    }
    if (rv == 0 && !is_kernel(r, 0))
      rv = make_host(r, 0, client, CONV_CLIENT_ADDR);
    if (rv == 0 && !is_kernel(r, 1))
      rv = make_host(r, 1, server, CONV_SERVER_ADDR);
    if (rv == 0 && !is_kernel(r, 1))
      rv = tcp_host_listen(r->s[1].host, (uint16_t)r->p->port, 16, 0);
    if (rv == 0 && !is_kernel(r, 0))
      rv = tcp_host_connect(r->s[0].host, &r->cc, 0, CONV_SERVER_ADDR,
                            (uint16_t)r->p->port, 0);
    if (rv == 0 && is_kernel(r, 0))
      r->kernel->start(r->kernel->user);
  }
  if (rv == 0)
    rv = ns3c_schedule(e->sim, r->t0 + p->time_limit_ns, on_limit, r,
                       &r->limit_id);
  if (rv == 0) {
    settle(r);
    rv = ns3c_run(e->sim);
  }
  out->duration_ns = r->stopped ? r->end_ns : rel(r);
  ns3c_link_stats st;
  ns3c_link_stats_get(r->link, &st);
  out->lost = (uint32_t)(st.lost[0] + st.lost[1] + st.queue_drops[0] +
                         st.queue_drops[1]);
  if (!r->client_done || !r->srv_done)
    out->completed = false;
  if (rv && !r->err)
    snprintf(msg, sizeof msg, "setting up the conversation: %s",
             ns3c_last_error()[0] ? ns3c_last_error() : tcp_strerror(rv));
  if (r->err) {
    snprintf(msg, sizeof msg, "%s", r->err);
    free(r->err);
    rv = -1;
  }
  if (end_run(r) != 0 && !rv) {
    snprintf(msg, sizeof msg, "%s", r->cap_err);
    rv = -1;
  }
  free(r);
  if (rv && err)
    snprintf(err, cap, "%s", msg);
  return rv ? -1 : 0;
}
