/*
 * apps.c - the conversation's two applications, written once over any TCP
 * (apps.h).
 *
 * The client writes its requests (all at once with pipeline, else each
 * after the response before it, `gap` later), half-closes after the last,
 * reads at its own pace, keeps a connection in its pool between requests
 * (a new one past reuse_timeout, or after a failure, with `retry` resends)
 * and closes at the end of the stream, an error, or the last response
 * read whole (close_when_read). The server reads its requests (none
 * beyond max_requests unless it lingers), answers each `think` later,
 * closes after its last response (close_delay, close_on_eof, idle_timeout)
 * in close_mode, and takes the client's next connection.
 */
#include "apps.h"

#include <string.h>

uint64_t conv_apps_requests(const conv_params *p) {
  return p->requests ? p->requests : 1;
}

void conv_apps_init(conv_apps *a, const conv_params *p, const conv_endpoint *ep,
                    conv_outcome *out) {
  memset(a, 0, sizeof *a);
  a->p = p;
  a->ep = *ep;
  a->out = out;
  a->req_released = p->pipeline ? conv_apps_requests(p) : 1;
  out->connections = 1;
}

static void after_tok(conv_apps *a, uint64_t delay, void (*fn)(conv_apps *a),
                      uint64_t tok) {
  a->ep.after(a->ep.user, delay, fn, tok);
}

static void after(conv_apps *a, uint64_t delay, void (*fn)(conv_apps *a)) {
  after_tok(a, delay, fn, 0);
}

void conv_apps_fire(conv_apps *a, void (*fn)(conv_apps *a), uint64_t gen,
                    uint64_t tok) {
  a->ev_gen = gen; /* whose connection the event was scheduled on */
  a->ev_tok = tok;
  fn(a);
}

/* The client application closes its connection (once). */
static void client_close_conn(conv_apps *a) {
  if (a->conn_closed)
    return;
  a->conn_closed = true;
  a->ep.close(a->ep.user, 0);
}

/* The conversation's end, for the client: its last connection closed. */
static void client_close(conv_apps *a) {
  if (a->client_done)
    return;
  a->client_done = true;
  client_close_conn(a);
}

/* The client's requests (the article's: one). */
static uint64_t nreq(const conv_apps *a) {
  return conv_apps_requests(a->p);
}

static void client_write(conv_apps *a);
static void client_read(conv_apps *a);

/* Another connection: the one before is closed (the pool lets go of it),
 * the requests from resp_idx on go on the new one. */
static void client_reconnect(conv_apps *a) {
  client_close_conn(a);
  a->conn_first = a->resp_idx;
  a->req_sent = 0;
  a->conn_read = 0;
  a->conn_dead = false;
  a->conn_closed = false;
  a->req_done = false;
  a->out->connections++;
  int rv = a->ep.reconnect(a->ep.user);
  if (rv)
    a->ep.fail(a->ep.user, "opening another connection", rv);
}

/* Between two requests without pipelining, every response read: the
 * connection waits in the pool, and the client reads nothing from it. */
static bool pooled(const conv_apps *a) {
  return !a->p->pipeline && a->req_released < nreq(a) &&
         a->resp_idx >= a->req_released;
}

/* The gap after a response (or a failure) has passed: the next request,
 * on a new connection if this one is dead or was idle past
 * reuse_timeout. */
static void client_next(conv_apps *a) {
  a->next_sched = false;
  if (a->client_done)
    return;
  a->req_released++;
  if (a->conn_dead ||
      (a->p->reuse_timeout_ns && a->p->gap_ns > a->p->reuse_timeout_ns)) {
    client_reconnect(a);
    return; /* the request goes when it connects */
  }
  client_write(a);
  if (a->reading && a->p->read_interval_ns == 0)
    client_read(a); /* what arrived while it sat in the pool */
}

/* The requests on this connection failed (`why`: the read's connection
 * reset, 0 the end of the stream before their responses, or another
 * error): resent on a new connection while `retry` allows, else given
 * up; then the next request, or the end. */
static void client_conn_failed(conv_apps *a, int64_t why) {
  a->conn_dead = true;
  uint64_t out = a->req_released - a->resp_idx; /* awaiting responses */
  if (out && a->tries < a->p->retry) {
    a->tries++;
    a->out->retries += out;
    client_reconnect(a);
    return;
  }
  if (why == TCP_ERR_RESET)
    a->out->failed_reset += out;
  else if (why == 0)
    a->out->failed_eof += out;
  a->resp_idx = a->req_released; /* failed: no response will come */
  a->tries = 0;
  if (a->req_released < nreq(a) && !a->next_sched) {
    a->next_sched = true;
    after(a, a->p->gap_ns, client_next);
    return;
  }
  client_close(a);
}

/* One read (paced) or every read that succeeds (read_interval 0). */
static void client_read(conv_apps *a) {
  if (a->client_done || a->conn_dead)
    return;
  for (;;) {
    if (pooled(a))
      return; /* nothing asked: the connection is left alone */
    int64_t n = a->ep.recv(a->ep.user, 0, a->p->read_size);
    if (n > 0) {
      a->out->bytes_read += (uint64_t)n;
      a->conn_read += (uint64_t)n;
      /* responses come in order: those read whole so far */
      uint64_t whole = a->p->response
                           ? a->conn_first + a->conn_read / a->p->response
                           : a->resp_idx;
      if (whole > a->req_released)
        whole = a->req_released;
      if (whole > a->resp_idx) {
        a->got += whole - a->resp_idx;
        a->resp_idx = whole;
        a->tries = 0;
      }
      /* a response read whole releases the next request */
      if (!a->p->pipeline && a->req_released < nreq(a) && !a->next_sched &&
          a->resp_idx >= a->req_released) {
        a->next_sched = true;
        after(a, a->p->gap_ns, client_next);
      }
      if (a->p->close_when_read && !a->client_closing &&
          a->resp_idx >= nreq(a)) {
        /* the whole response, by its length: close without waiting for
         * the server's FIN (the article's normal conversation) */
        a->client_closing = true;
        if (a->p->read_close_delay_ns)
          after(a, a->p->read_close_delay_ns, client_close);
        else
          client_close(a);
        return;
      }
      if (a->p->read_interval_ns)
        return;
      continue;
    }
    if (n != 0 && n != TCP_ERR_WOULDBLOCK && !a->out->client_error)
      a->out->client_error = (int)n;
    if (n == TCP_ERR_WOULDBLOCK)
      return;
    /* the end of the stream, or an error: the end of the conversation
     * unless requests are still to be answered */
    if (a->resp_idx < nreq(a))
      client_conn_failed(a, n);
    else
      client_close(a);
    return;
  }
}

static void client_read_tick(conv_apps *a) {
  a->reading = true;
  client_read(a);
  if (!a->client_done && a->p->read_interval_ns)
    after(a, a->p->read_interval_ns, client_read_tick);
}

static void client_shutdown(conv_apps *a) {
  if (!a->client_done && !a->conn_closed)
    a->ep.shutdown(a->ep.user, 0);
}

/* The requests released so far on this connection; after the last, the
 * half-close. The reads begin once the first request is written. */
static void client_write(conv_apps *a) {
  if (a->conn_dead || a->conn_closed)
    return;
  uint64_t target = (a->req_released - a->conn_first) * a->p->request;
  while (a->req_sent < target) {
    int64_t n = a->ep.send(a->ep.user, 0, target - a->req_sent);
    if (n <= 0)
      return;
    a->req_sent += (uint64_t)n;
  }
  if (a->req_done)
    return;
  if (a->req_released >= nreq(a)) {
    a->req_done = true;
    if (a->p->half_close) {
      if (a->p->shutdown_delay_ns)
        after(a, a->p->shutdown_delay_ns, client_shutdown);
      else
        client_shutdown(a);
    }
  }
  if (!a->read_started) {
    a->read_started = true;
    after(a, a->p->read_delay_ns, client_read_tick);
  }
}

/* The server's responses on this connection before it closes:
 * max_requests, or the client's requests left (its last says
 * "Connection: close"). */
static uint64_t nresp(const conv_apps *a) {
  return a->p->max_requests ? a->p->max_requests : nreq(a) - a->conn_first;
}

/* Bytes the server's application reads at most: none beyond the requests
 * it answers, unless it lingers (and then it reads everything). */
static uint64_t srv_cap(const conv_apps *a) {
  if (a->lingering || !a->p->max_requests)
    return UINT64_MAX;
  return a->p->max_requests * a->p->request;
}

/* Requests the server may answer now: each read whole (all at the end of
 * the stream, at least one); with half-close and wait_eof, none before
 * the end of the stream unless it reads no more. */
static uint64_t answerable(const conv_apps *a) {
  uint64_t k = a->p->request ? a->srv_read / a->p->request : nresp(a);
  bool capped = a->srv_read >= srv_cap(a);
  if (a->p->half_close && a->p->wait_eof && !a->srv_eof && !capped)
    return 0;
  if (a->srv_eof && k < 1)
    k = 1;
  return k < nresp(a) ? k : nresp(a);
}

static void server_close_now(conv_apps *a) {
  if (a->srv_done || !a->srv_conn)
    return;
  a->srv_done = true;
  if (a->p->close_mode == CONV_CLOSE_ABORT)
    a->ep.abort(a->ep.user, 1);
  else
    a->ep.close(a->ep.user, 1);
}

static void server_close_now_ev(conv_apps *a);

/* close_mode: close(); abort, SO_LINGER {1, 0} and close(); linger, the
 * lingering close: shutdown(SEND), then read and discard until the end
 * of the stream or `linger` is up, then close(). */
static void server_close(conv_apps *a) {
  if (a->srv_done || !a->srv_conn)
    return;
  if (a->p->close_mode != CONV_CLOSE_LINGER) {
    server_close_now(a);
    return;
  }
  if (a->lingering)
    return;
  a->lingering = true;
  a->ep.shutdown(a->ep.user, 1);
  after(a, a->p->linger_ns, server_close_now_ev);
  conv_apps_server_event(a, TCP_NOTIFY_READABLE); /* drain what is there */
}

/* The server's timers, each for the connection it was armed on. */
static void server_close_now_ev(conv_apps *a) {
  if (a->ev_gen == a->srv_gen)
    server_close_now(a);
}

static void server_close_ev(conv_apps *a) {
  if (a->ev_gen == a->srv_gen)
    server_close(a);
}

/* idle_timeout: no request came after the last response */
static void server_idle_ev(conv_apps *a) {
  if (a->ev_gen == a->srv_gen && a->ev_tok == a->idle_tok && !a->lingering)
    server_close(a);
}

static void server_write(conv_apps *a) {
  if (a->srv_done)
    return;
  uint64_t target = a->resp_due * a->p->response;
  while (a->resp_sent < target) {
    int64_t n = a->ep.send(a->ep.user, 1, target - a->resp_sent);
    if (n <= 0)
      return;
    a->resp_sent += (uint64_t)n;
  }
  if (a->resp_due < nresp(a) && !(a->srv_eof && a->resp_due >= answerable(a))) {
    /* responses still to come: with idle_timeout, waiting for the next
     * request is bounded */
    if (a->p->idle_timeout_ns && a->resp_due >= answerable(a) &&
        !a->respond_sched && a->resp_due > 0 && a->idle_resp != a->resp_due) {
      a->idle_resp = a->resp_due; /* once per response */
      after_tok(a, a->p->idle_timeout_ns, server_idle_ev, ++a->idle_tok);
    }
    return;
  }
  /* close_on_eof: the close waits for the client's end of stream */
  if (!a->close_sched && (!a->p->close_on_eof || a->srv_eof)) {
    a->close_sched = true;
    if (a->p->close_delay_ns)
      after(a, a->p->close_delay_ns, server_close_ev);
    else
      server_close(a);
  }
}

static void server_next(conv_apps *a);

/* The think time of the next response has passed. */
static void server_respond(conv_apps *a) {
  if (a->ev_gen != a->srv_gen)
    return; /* armed on a connection now gone */
  a->respond_sched = false;
  if (a->srv_done || a->lingering)
    return;
  a->resp_due++;
  server_write(a);
  server_next(a);
}

/* Schedule the next response if a request is there to answer. */
static void server_next(conv_apps *a) {
  if (a->respond_sched || a->srv_done || a->lingering ||
      a->resp_due >= answerable(a))
    return;
  a->respond_sched = true;
  a->srv_started = true;
  a->idle_tok++; /* a request came: the idle timer is off */
  after(a, a->p->think_ns, server_respond);
}

static void server_readable(conv_apps *a, tcp_notify what) {
  int64_t n = TCP_ERR_WOULDBLOCK;
  for (;;) {
    uint64_t cap = srv_cap(a), room = cap - a->srv_read;
    if (room == 0)
      break;
    if ((n = a->ep.recv(a->ep.user, 1, room < 65536 ? room : 65536)) <= 0)
      break;
    a->srv_read += (uint64_t)n;
  }
  bool eof = n == 0;
  if (eof && !a->srv_eof) {
    a->srv_eof = true;
    if (a->lingering) {
      server_close_now(a); /* the client is done: the lingering ends */
      return;
    }
    if (a->srv_started && a->resp_sent >= a->resp_due * a->p->response)
      server_write(a); /* the responses are out: now the close */
  }
  if (n < 0 && n != TCP_ERR_WOULDBLOCK) {
    server_close_now(a);
    return;
  }
  if (what == TCP_NOTIFY_ERROR) {
    server_close_now(a);
    return;
  }
  server_next(a);
}

void conv_apps_server_accepted(conv_apps *a) {
  a->srv_gen++;
  a->srv_conn = true;
  a->srv_read = a->resp_sent = a->resp_due = a->idle_resp = 0;
  a->srv_started = a->close_sched = a->srv_done = false;
  a->respond_sched = a->lingering = a->srv_eof = false;
}

/* What the client's endpoint said. */
void conv_apps_client_event(conv_apps *a, tcp_notify what) {
  if (what == TCP_NOTIFY_CONNECTED || what == TCP_NOTIFY_WRITABLE)
    client_write(a);
  if (what == TCP_NOTIFY_ERROR && !a->req_done)
    client_read(a); /* the connection failed before the request */
  else if ((what == TCP_NOTIFY_READABLE || what == TCP_NOTIFY_ERROR) &&
           a->reading && a->p->read_interval_ns == 0)
    client_read(a);
}

/* What the server's endpoint said, once it has its connection. */
void conv_apps_server_event(conv_apps *a, tcp_notify what) {
  if (!a->srv_conn || a->srv_done)
    return;
  if (what == TCP_NOTIFY_WRITABLE && a->srv_started)
    server_write(a);
  else
    server_readable(a, what);
}

void conv_apps_host_notify(conv_apps *a, int node, tcp_host *h, tcp_conn *cc,
                           tcp_conn **sc, tcp_conn *c, tcp_notify what,
                           uint64_t now) {
  if (node == 0) {
    if (c == cc)
      conv_apps_client_event(a, what);
    return;
  }
  if (what == TCP_NOTIFY_ACCEPTABLE && (!*sc || a->srv_done) &&
      tcp_host_accept(h, (uint16_t)a->p->port, sc, now) == 0) {
    c = *sc;
    conv_apps_server_accepted(a);
  }
  if (c == *sc)
    conv_apps_server_event(a, what);
}
