/*
 * apps.h - the conversation's client and server applications, written once
 * over any TCP: the model's hosts on the wrapper's link or on the model
 * tests' own wire, the model as ns-3's TCP, ns-3's own TCP. They reach
 * their TCP through a conv_endpoint (one implementation per stack) and
 * wait through its after(); nothing here knows ns-3, so the model's tests
 * run these same applications (tests/model/harness.c) and the
 * conversation (conv.c) schedules them and classifies what came of them.
 *
 * Node 0 is the client's end, 1 the server's.
 */
#ifndef HALFCLOSE_APPS_H
#define HALFCLOSE_APPS_H

#include <stdbool.h>
#include <stdint.h>

#include "conv.h"

typedef struct conv_apps conv_apps;

/* What the applications need from the TCP below and from the clock. */
typedef struct conv_endpoint {
  void *user;
  /* send: > 0 taken, <= 0 none taken or an error; recv: > 0, 0 at the end
   * of the stream, TCP_ERR_WOULDBLOCK or an error */
  int64_t (*send)(void *user, int node, uint64_t n);
  int64_t (*recv)(void *user, int node, uint64_t max);
  void (*shutdown)(void *user, int node); /* shutdown(SEND) */
  void (*close)(void *user, int node);
  void (*abort)(void *user, int node); /* SO_LINGER {1, 0} and close() */
  int (*reconnect)(void *user);        /* the client's next connection: 0 or an
                                          error */
  /* Call conv_apps_fire(a, fn, gen, tok) `delay` ns from now, gen being
   * a->srv_gen now (the server's connection the event belongs to). */
  void (*after)(void *user, uint64_t delay, void (*fn)(conv_apps *a),
                uint64_t tok);
  /* The applications cannot go on (`what` failed with error `err`). */
  void (*fail)(void *user, const char *what, int err);
} conv_endpoint;

struct conv_apps {
  const conv_params *p;
  conv_endpoint ep;
  conv_outcome *out;       /* bytes_read, client_error, connections, retries,
                              failed_reset, failed_eof */
  uint64_t ev_gen, ev_tok; /* of the application event running */

  /* client; requests are numbered from 0 over the conversation, bytes per
   * connection */
  uint64_t req_sent;     /* request bytes written on this connection */
  uint64_t req_released; /* requests the client may have written */
  uint64_t conn_first;   /* the first request on this connection */
  uint64_t conn_read;    /* response bytes read on this connection */
  uint64_t resp_idx;     /* the request whose response is awaited next */
  uint64_t got;          /* responses read whole, all connections */
  uint64_t tries;        /* resends of request resp_idx so far */
  bool conn_dead;        /* this connection ended or failed */
  bool conn_closed;      /* the client closed this connection */
  bool req_done, reading, client_done;
  bool read_started;   /* its reads are scheduled */
  bool next_sched;     /* its next request is scheduled */
  bool client_closing; /* close_when_read: its close is scheduled */
  /* server */
  uint64_t srv_read, resp_sent;
  uint64_t resp_due; /* responses the server may have written */
  bool srv_conn;     /* the server has its connection */
  bool srv_started, close_sched, srv_done;
  bool respond_sched; /* its next response is scheduled (think) */
  bool lingering;     /* its lingering close has begun */
  bool srv_eof;       /* the server read the client's end of stream */
  uint64_t srv_gen;   /* connections the server has taken */
  uint64_t idle_tok;  /* the idle timer armed last */
  uint64_t idle_resp; /* ... after this many responses */
};

/* The applications of conversation parameters p, before the client's
 * connection is made; out->connections becomes 1. */
void conv_apps_init(conv_apps *a, const conv_params *p, const conv_endpoint *ep,
                    conv_outcome *out);

/* The client's requests (p->requests, at least 1). */
uint64_t conv_apps_requests(const conv_params *p);

/* What the client's connection of the moment said. */
void conv_apps_client_event(conv_apps *a, tcp_notify what);
/* The server has a new connection: its application starts over on it. */
void conv_apps_server_accepted(conv_apps *a);
/* What the server's connection said, once it has one. */
void conv_apps_server_event(conv_apps *a, tcp_notify what);
/* For an endpoint of the model's hosts: host h's notification `what`
 * about connection c, to the application of `node` - the client's
 * connection of the moment is cc; the server takes, into *sc, a
 * connection waiting on p->port when it has none or is done with its own
 * (one at a time). */
void conv_apps_host_notify(conv_apps *a, int node, tcp_host *h, tcp_conn *cc,
                           tcp_conn **sc, tcp_conn *c, tcp_notify what,
                           uint64_t now);
/* Run an event after() scheduled. */
void conv_apps_fire(conv_apps *a, void (*fn)(conv_apps *a), uint64_t gen,
                    uint64_t tok);

#endif
