/*
 * conv.c - the conversation: the client and server applications (apps.c)
 * over one TCP below, their scheduling, and the outcome read off the
 * trace.
 *
 * The TCP below is one of conv_internal.h's stacks - the model's hosts on
 * the wrapper's link (with a real kernel at an end, in emulation), ns-3's
 * own TCP, or the model as ns-3's TCP (on one link or across a [path]) -
 * and nothing here asks which: the applications reach it through an
 * endpoint made of r->ops and hear from it through
 * conv_client_event/conv_server_event. The outcome is read from one stream
 * of trace events (conv_trace): the model's own for a model end; for an
 * end that does not trace itself, events made from what shows - the
 * datagrams on each device (conv_capture: seg-out, seg-in), and what its
 * stack makes of its sockets or programs (state, app, data-lost).
 *
 * The applications' own waits (think, read pace, close delay) are ns-3
 * events. Every event handler ends in conv_settle(), which lets the stack
 * move its timers and stops the simulation once both applications are
 * done and the network is quiet.
 *
 * When a conversation ends, its remaining events are cancelled, the stack
 * lets go of whatever could call back, and the link is drained with its
 * receive callback detached, so the next conversation starts on an empty
 * link.
 */
#include "conv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps.h"
#include "conv_internal.h"

/* e's simulation and its link: 0, or an ns3c error */
static int env_sim(conv_env *e) {
  int rv = e->realtime ? ns3c_sim_new_realtime(&e->sim, e->seed, 0)
                       : ns3c_sim_new(&e->sim, e->seed, 0);
  ns3c_link_config lc = {10000000, 0, 100, 1500, 0, 0};
  if (rv == 0 && (rv = ns3c_link_new(e->sim, &lc, &e->link)) != 0) {
    ns3c_sim_free(e->sim);
    e->sim = NULL;
  }
  return rv;
}

static int env_new(conv_env **out, uint32_t seed, bool realtime, char *err,
                   size_t cap) {
  conv_env *e = calloc(1, sizeof *e);
  int rv = NS3C_ERR_NOMEM;
  if (e) {
    e->seed = seed;
    e->realtime = realtime;
    rv = env_sim(e);
  }
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

int64_t conv_env_clock0_ns(conv_env *e) {
  return ns3c_sim_clock0_ns(e->sim);
}

void conv_env_free(conv_env *e) {
  if (!e)
    return;
  ns3c_sim_free(e->sim);
  free(e);
}

uint64_t conv_rel(const run *r) {
  return ns3c_now(r->e->sim) - r->t0;
}

void conv_fail(run *r, const char *fmt, const char *detail) {
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

static void on_app_event(void *arg) {
  app_ev *a = arg;
  a->live = false;
  conv_apps_fire(&a->r->app, a->fn, a->gen, a->tok);
  conv_settle(a->r);
}

static void after_tok(run *r, uint64_t delay, void (*fn)(conv_apps *a),
                      uint64_t tok) {
  for (int i = 0; i < MAX_APP_EVENTS; i++) {
    app_ev *a = &r->apps[i];
    if (a->live)
      continue;
    *a = (app_ev){r, fn, 0, true, r->app.srv_gen, tok};
    if (ns3c_schedule(r->e->sim, ns3c_now(r->e->sim) + delay, on_app_event, a,
                      &a->id) != 0)
      conv_fail(r, "cannot schedule: %s", ns3c_last_error());
    return;
  }
  conv_fail(r, "%s", "too many application events pending");
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
  r->end_ns = conv_rel(r);
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

void conv_settle(run *r) {
  if (r->ops->timers)
    r->ops->timers(r);
  if (r->stopped)
    return;
  /* the server is done with a connection and the client has opened
   * another: the server takes it */
  if (r->app.srv_done && r->out->connections > 1 && r->ops->accept)
    r->ops->accept(r);
  if (r->app.client_done && r->app.srv_done && r->ops->quiescent(r) &&
      link_idle(r)) {
    r->out->completed = true;
    stop(r);
  }
}

static void on_limit(void *arg) {
  run *r = arg;
  r->limit_id = 0;
  stop(r);
}

/* An application call on an end that does not trace itself (ns-3's TCP, a
 * kernel's program), traced as the model traces its own. */
int64_t conv_app_event(run *r, int node, tcp_app_call call, int64_t arg,
                       int64_t result) {
  if (node == 0) {
    tcp_event ev = {0};
    ev.type = TCP_EV_APP;
    ev.time_ns = conv_rel(r);
    ev.host = CONV_CLIENT_ADDR;
    ev.call = call;
    ev.arg = arg;
    ev.result = result;
    ev.state = r->cstate;
    conv_trace(&r->s[0], &ev);
  }
  return result;
}

/* ---------------------------------------------------------------------------
 * The applications (apps.c) on the stack below
 */

static int64_t ep_send(void *u, int node, uint64_t n) {
  run *r = u;
  return r->ops->send(r, node, n);
}

static int64_t ep_recv(void *u, int node, uint64_t max) {
  run *r = u;
  return r->ops->recv(r, node, max);
}

static void ep_shutdown(void *u, int node) {
  run *r = u;
  r->ops->shutdown(r, node);
}

static void ep_close(void *u, int node) {
  run *r = u;
  r->ops->close(r, node);
}

static void ep_abort(void *u, int node) {
  run *r = u;
  r->ops->abort(r, node);
}

static int ep_reconnect(void *u) {
  run *r = u;
  return r->ops->reconnect(r);
}

static void ep_after(void *u, uint64_t delay, void (*fn)(conv_apps *a),
                     uint64_t tok) {
  after_tok(u, delay, fn, tok);
}

static void ep_fail(void *u, const char *what, int err) {
  char msg[300];
  snprintf(msg, sizeof msg, "%s: %s", what,
           ns3c_last_error()[0] ? ns3c_last_error() : tcp_strerror(err));
  conv_fail(u, "%s", msg);
}

static const conv_endpoint endpoint = {NULL,         ep_send,  ep_recv,
                                       ep_shutdown,  ep_close, ep_abort,
                                       ep_reconnect, ep_after, ep_fail};

void conv_server_accepted(run *r) {
  conv_apps_server_accepted(&r->app);
}

void conv_client_event(run *r, tcp_notify what) {
  conv_apps_client_event(&r->app, what);
}

void conv_server_event(run *r, tcp_notify what) {
  conv_apps_server_event(&r->app, what);
}

/* ---------------------------------------------------------------------------
 * The outcome, from the trace
 */

/* A segment sent again, as retransmits_client/_server count it: at a
 * retransmission timeout, a fast retransmit, or as a tail loss probe of the
 * last segment (a probe of new data is TCP_WHY_DATA). */
static bool sent_again(tcp_why why) {
  return why == TCP_WHY_RETRANSMIT || why == TCP_WHY_FAST_RETRANSMIT ||
         why == TCP_WHY_LOSS_PROBE;
}

static void track_client(run *r, const tcp_event *ev) {
  conv_outcome *o = r->out;
  conv_anatomy *a = &o->a;
  int64_t t = (int64_t)ev->time_ns;
  /* the anatomy follows the client's connection of the moment: a new one
   * (its SYN from another port) starts it over, and the segments of one
   * before (its TIME-WAIT) are not taken for this one's */
  if (ev->type == TCP_EV_SEG_OUT && (ev->seg.flags & TCP_SYN) &&
      !(ev->seg.flags & TCP_ACK) && ev->seg.sport != r->cport) {
    if (r->cport) {
      r->have_irs = r->have_fin = r->fin_ack_sent = r->app_eof = false;
      r->app_read = 0;
    }
    r->cport = ev->seg.sport;
  }
  bool other = (ev->type == TCP_EV_SEG_OUT && ev->seg.sport != r->cport) ||
               (ev->type == TCP_EV_SEG_IN && ev->seg.dport != r->cport);
  switch (ev->type) {
  case TCP_EV_SEG_IN:
    r->last_in_time = t;
    r->last_in_seq = ev->seg.seq;
    r->last_in_len = ev->seg.len;
    r->last_in_flags = ev->seg.flags;
    if (other)
      break;
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
    if (sent_again(ev->why))
      o->retransmits[0]++;
    if (other || !(ev->seg.flags & TCP_ACK) || !r->have_fin ||
        ev->seg.ack != r->fin_end)
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
  case TCP_WHY_LOSS_PROBE:
    return "tail loss probe: no ACK within two round trips, the last "
           "segment sent again";
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

/* The server's first RST's mechanism: `why` is the model's reason
 * (TCP_WHY_NONE from an end that does not trace its reasons); a RST for no
 * connection after the client's redundant ACK answers it, as the ladder's
 * label says. */
static conv_reset_cause cause_of(tcp_why why, bool after_redundant) {
  switch (why) {
  case TCP_WHY_RST_NO_CONN:
  case TCP_WHY_RST_LISTEN:
    return after_redundant ? CONV_CAUSE_REDUNDANT_ACK
                           : CONV_CAUSE_NO_CONNECTION;
  case TCP_WHY_RST_UNREAD:
    return CONV_CAUSE_CLOSE_UNREAD;
  case TCP_WHY_RST_ABORT:
    return CONV_CAUSE_ABORT;
  case TCP_WHY_RST_AFTER_CLOSE:
    return CONV_CAUSE_DATA_AFTER_CLOSE;
  case TCP_WHY_RST_SYN:
  case TCP_WHY_RST_BAD_ACK:
    return CONV_CAUSE_OTHER;
  default:
    return after_redundant ? CONV_CAUSE_REDUNDANT_ACK : CONV_CAUSE_UNKNOWN;
  }
}

const char *conv_reset_cause_name(int cause) {
  static const char *const names[CONV_NCAUSES] = {
      "",      "redundant_ack",    "no_connection", "close_unread",
      "abort", "data_after_close", "other",         "unknown"};
  return cause >= 0 && cause < CONV_NCAUSES ? names[cause] : "?";
}

static void track_server(run *r, const tcp_event *ev) {
  conv_outcome *o = r->out;
  if (ev->type != TCP_EV_SEG_OUT)
    return;
  o->segments[1]++;
  if (sent_again(ev->why))
    o->retransmits[1]++;
  if ((ev->seg.flags & TCP_RST) && !o->server_rst) {
    o->server_rst = true;
    o->a.server_rst = (int64_t)ev->time_ns;
    o->reset_cause = cause_of(ev->why, o->redundant_ack);
  }
}

void conv_trace(void *user, const tcp_event *ev) {
  side *s = user;
  run *r = s->r;
  if (r->check && tcp_check_event(r->check, ev) != 0)
    conv_fail(r, "invariant violated: %s", tcp_check_error(r->check));
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

/* A datagram on either device, as the trace event of the host it left or
 * reached: the client's seg-out and seg-in, the server's seg-out. */
void conv_capture(void *user, int node, const uint8_t *d, size_t len) {
  run *r = user;
  r->last_frame_ns = conv_rel(r);
  if (r->cap[node] && len >= 20) {
    uint32_t self = node == 0 ? CONV_CLIENT_ADDR : CONV_SERVER_ADDR;
    uint32_t src = (uint32_t)d[12] << 24 | (uint32_t)d[13] << 16 |
                   (uint32_t)d[14] << 8 | d[15];
    hc_pcapng_packet(r->cap[node], (int64_t)(ns3c_now(r->e->sim) - r->t0), d,
                     len, src == self ? HC_PCAPNG_OUT : HC_PCAPNG_IN,
                     label_of(r, d, len));
  }
  if (r->ops->traces(r, node))
    return; /* a model end traces itself */
  tcp_event ev = {0};
  if (tcp_wire_decode(&ev.seg, d, len) != TCP_WIRE_OK)
    return;
  uint32_t self = node == 0 ? CONV_CLIENT_ADDR : CONV_SERVER_ADDR;
  bool out = ev.seg.src == self;
  if (node == 1 && !out) { /* the server's arrivals tell the outcome
                              nothing, but the link may be idle now */
    conv_settle(r);
    return;
  }
  ev.type = out ? TCP_EV_SEG_OUT : TCP_EV_SEG_IN;
  ev.time_ns = conv_rel(r);
  ev.host = self;
  ev.dgram = d;
  ev.dgram_len = len;
  ev.why = TCP_WHY_NONE; /* ns-3 does not say why it sent a segment */
  ev.state = node == 0 ? r->cstate : r->sstate;
  conv_trace(&r->s[node], &ev);
  if (node == 0 && !out && r->have_irs && ev.seg.len) {
    uint64_t start = (uint32_t)(ev.seg.seq - r->irs - 1);
    if (start <= r->kernel_rcvd && start + ev.seg.len > r->kernel_rcvd)
      r->kernel_rcvd = start + ev.seg.len;
  }
  conv_settle(r); /* a datagram left or arrived: the link may be idle now */
}

/* ---- both ---- */

/* A datagram was lost or dropped: it may have been the last thing in
 * flight, and nothing else would look */
static void on_dropped(void *user) {
  conv_settle(user);
}

/* Ends the run; 0, or -1 when its capture could not be written whole. */
static int end_run(run *r) {
  if (r->link)
    ns3c_link_set_drop(r->link, NULL, NULL);
  for (int i = 0; i < MAX_APP_EVENTS; i++)
    if (r->apps[i].live)
      ns3c_cancel(r->e->sim, r->apps[i].id);
  if (r->limit_id)
    ns3c_cancel(r->e->sim, r->limit_id);
  r->ops->end(r);
  /* drain what is still on the wire (and, for ns-3's TCP, its timers),
   * with nobody listening; a path's simulation is not drained (its cross
   * traffic never ends) but renewed before the next conversation */
  ns3c_link_set_receive(r->e->link, NULL, NULL);
  if (!r->kernel && !r->p->routers) /* kernels: drained in the run (stop) */
    ns3c_run(r->e->sim);
  ns3c_link_set_capture(r->link, NULL, NULL);
  int rv = 0;
  for (int i = 0; i < 2; i++)
    if (hc_pcapng_close(r->cap[i], r->cap_err, sizeof r->cap_err) != 0)
      rv = -1;
  r->ops->free(r);
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
  /* a [path] runs the model as ns-3's TCP in a simulation of its own;
   * the conversation after one gets a fresh simulation too */
  const char *refused = NULL;
  if (p->routers && stack == CONV_STACK_NS3)
    refused = "a [path] runs the model at both ends (not ns-3's TCP)";
  else if (p->routers && (e->realtime || (opts && opts->kernel)))
    refused = "a [path] runs in simulated time, without kernels";
  else if ((p->routers || e->spent) && !e->realtime) {
    ns3c_sim_free(e->sim);
    if (env_sim(e) != 0)
      refused = ns3c_last_error();
    e->spent = p->routers > 0;
  }
  if (refused) {
    if (err)
      snprintf(err, cap, "%s", refused);
    free(r);
    return -1;
  }
  if (p->routers)
    stack = CONV_STACK_PLUGIN;
  r->e = e;
  r->p = p;
  r->ops = stack == CONV_STACK_NS3      ? &conv_stack_ns3
           : stack == CONV_STACK_PLUGIN ? &conv_stack_plugin
                                        : &conv_stack_link;
  r->index = index;
  r->opts = opts;
  r->kernel = opts ? opts->kernel : NULL;
  r->out = out;
  r->t0 = ns3c_now(e->sim);
  r->last_in_time = CONV_NONE;
  conv_endpoint ep = endpoint;
  ep.user = r;
  conv_apps_init(&r->app, p, &ep, out);
  r->link = e->link;
  r->s[0] = (side){.r = r, .node = 0};
  r->s[1] = (side){.r = r, .node = 1};
  uint64_t base = seed * 0xD1B54A32D192ED03ull ^ index;
  tcp_splitmix64(&base);
  r->s[0].rng = tcp_splitmix64(&base);
  r->s[1].rng = tcp_splitmix64(&base);

  /* the captures open before the SYN goes out */
  const char *cap_path[2] = {opts ? opts->pcap_path : NULL,
                             opts ? opts->pcap_server_path : NULL};
  static const char *const ifname[2] = {"client", "server"};
  for (int i = 0; i < 2; i++)
    if (cap_path[i] &&
        hc_pcapng_open(&r->cap[i], cap_path[i], ifname[i], msg, sizeof msg)) {
      for (int j = 0; j < i; j++)
        hc_pcapng_close(r->cap[j], NULL, 0);
      if (err)
        snprintf(err, cap, "%s", msg);
      free(r);
      return -1;
    }
  int rv = r->ops->start(r, client, server);
  if (rv) {
    snprintf(msg, sizeof msg, "%s: %s", r->ops->name,
             ns3c_last_error()[0] ? ns3c_last_error() : tcp_strerror(rv));
    if (err)
      snprintf(err, cap, "%s", msg);
    end_run(r);
    free(r);
    return -1;
  }
  ns3c_link_set_drop(r->link, on_dropped, r);
  if (rv == 0)
    rv = ns3c_schedule(e->sim, r->t0 + p->time_limit_ns, on_limit, r,
                       &r->limit_id);
  if (rv == 0) {
    conv_settle(r);
    rv = ns3c_run(e->sim);
  }
  out->duration_ns = r->stopped ? r->end_ns : conv_rel(r);
  ns3c_link_stats st;
  ns3c_link_stats_get(r->link, &st);
  out->lost = (uint32_t)(st.lost[0] + st.lost[1] + st.queue_drops[0] +
                         st.queue_drops[1]);
  if (!r->app.client_done || !r->app.srv_done)
    out->completed = false;
  /* responses the client read whole */
  uint64_t nreq = conv_apps_requests(p);
  uint64_t got = p->response ? r->app.got : out->client_error ? 0 : nreq;
  out->exchanges = got < nreq ? got : nreq;
  out->requests_failed = nreq - out->exchanges;
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
