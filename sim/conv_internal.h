/*
 * conv_internal.h - what the conversation (conv.c) shares with the TCPs
 * below it (stack_*.c), and nothing outside sim/ includes.
 *
 * conv.c schedules, runs the two applications and classifies the outcome
 * from one stream of trace events; it does not know which TCP is below.
 * Each TCP is one file behind conv_stack_ops:
 *
 *   stack_link.c    the model's hosts on the wrapper's own link (the fast
 *                   path), and a real kernel at an end of it
 *                   (stack_kernel.c: emulation)
 *   stack_ns3.c     ns-3's own TCP (TcpSocketBase) on ns-3's internet stack
 *   stack_plugin.c  the model as ns-3's TCP (the plug-in) on ns-3's
 *                   internet stack
 *
 * A stack makes its two ends, carries the applications' calls, tells the
 * applications what happened (conv_client_event, conv_server_event), and
 * either traces itself (the model's own events, to conv_trace) or lets
 * conv_capture make the trace events from its datagrams.
 */
#ifndef HALFCLOSE_CONV_INTERNAL_H
#define HALFCLOSE_CONV_INTERNAL_H

#include "apps.h"
#include "conv.h"
#include "ns3c.h"
#include "pcapng.h"

#define MAX_APP_EVENTS 8 /* pending application events at most */

struct conv_env {
  ns3c_sim *sim;
  ns3c_link *link;
  uint32_t seed;
  bool realtime;
  bool spent; /* a [path] conversation ran in sim: the next one needs a
                 fresh simulation (its cross traffic never stops) */
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
  void (*fn)(conv_apps *a);
  uint64_t id;
  bool live;
  uint64_t gen; /* the server's connection when it was scheduled */
  uint64_t tok; /* the function's own token (the idle timer's) */
} app_ev;

/* One TCP below the applications. */
typedef struct conv_stack_ops {
  const char *name; /* in messages */
  /* Make the two ends (hosts or sockets), the server listening and the
   * client connecting. 0, or an error (ns3c's or the model's). */
  int (*start)(run *r, const tcp_profile *client, const tcp_profile *server);
  /* The applications' calls: send (> 0 taken, <= 0 none or an error),
   * recv (> 0, 0 at the end of the stream, TCP_ERR_WOULDBLOCK or an
   * error), shutdown(SEND), close. */
  int64_t (*send)(run *r, int node, uint64_t n);
  int64_t (*recv)(run *r, int node, uint64_t max);
  void (*shutdown)(run *r, int node);
  void (*close)(run *r, int node);
  /* close() with SO_LINGER {1, 0}: a RST (an error through conv_fail when
   * the stack has no abortive close) */
  void (*abort)(run *r, int node);
  /* The client opens another connection to the server (into r->cc or
   * r->cs); 0 or an error. */
  int (*reconnect)(run *r);
  /* The server takes a connection waiting in its listen queue, if it has
   * none (conv_server_accepted); NULL: one connection only. */
  void (*accept)(run *r);
  /* Nothing will happen unless an application acts. */
  bool (*quiescent)(const run *r);
  /* End `node` traces itself (else conv_capture makes its events). */
  bool (*traces)(const run *r, int node);
  /* After every event: move the ends' timers (NULL: they keep their own). */
  void (*timers)(run *r);
  /* The conversation is over: nothing may call back into r from here on
   * (before the link drains). */
  void (*end)(run *r);
  /* After the drain: free the ends. */
  void (*free)(run *r);
} conv_stack_ops;

extern const conv_stack_ops conv_stack_link, conv_stack_ns3, conv_stack_plugin;

struct run {
  conv_env *e;
  const conv_params *p;
  const conv_opts *opts;
  const conv_stack_ops *ops;
  uint64_t t0;    /* absolute start */
  uint64_t index; /* the conversation's number */
  side s[2];
  app_ev apps[MAX_APP_EVENTS];
  uint64_t limit_id; /* time-limit event */
  bool stopped;
  uint64_t end_ns; /* when it stopped (from the start) */
  tcp_check *check;
  char *err; /* first failure, or NULL */

  const conv_kernel *kernel; /* real kernels at the ends, or NULL */
  uint64_t watch_id;         /* the event that polls their programs */
  uint64_t last_frame_ns;    /* the last frame either device saw */
  ns3c_link *link;           /* the link the endpoints share */
  /* ns-3's sockets (stack_ns3.c, stack_plugin.c): the network, the
   * sockets, and what the sockets said */
  ns3c_tcpnet *net;
  ns3c_tcp *lis, *cs, *ss;
  tcp_host *ph[2]; /* the plug-in's model hosts */
  bool peer_closed[2], failed[2];
  tcp_state cstate, sstate; /* the client's and the server's socket's
                               state (their "State" trace) */

  /* the applications (apps.c), and the model's connections under them
   * (stack_link.c) */
  conv_apps app;
  tcp_conn *cc, *sc;
  uint16_t srv_port; /* where the server listens */
  ns3c_tcp *ss_next; /* the sockets' server: a connection waiting */

  /* outcome tracking, from the client's trace */
  conv_outcome *out;
  uint32_t irs;         /* server's ISN as the client saw it */
  uint64_t kernel_rcvd; /* a kernel client: response bytes its host has
                           received in order (from the capture) */
  uint16_t cport;       /* the client's port on its connection of the moment
                           (from its SYN) */
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

/* ---- conv.c, for the stacks ---- */

uint64_t conv_rel(const run *r); /* ns since the conversation began */
void conv_fail(run *r, const char *fmt, const char *detail);
void conv_settle(run *r); /* after every event of a stack's own */
/* A trace event of end `user` (a side). */
void conv_trace(void *user, const tcp_event *ev);
/* An application call on an end that does not trace itself, traced as
 * the model traces its own; returns `result`. */
int64_t conv_app_event(run *r, int node, tcp_app_call call, int64_t arg,
                       int64_t result);
/* What an end tells its application. */
void conv_client_event(run *r, tcp_notify what);
/* The server has a new connection (r->sc or r->ss set): its application
 * starts over on it. */
void conv_server_accepted(run *r);
void conv_server_event(run *r, tcp_notify what);
/* A datagram on either device (ns3c_capture_fn): written to the captures,
 * and made the trace events of an end that does not trace itself. */
void conv_capture(void *user, int node, const uint8_t *d, size_t len);

/* ---- stack_link.c: a model host as the conversation makes it ---- */

void conv_model_host_config(run *r, int node, const tcp_profile *prof,
                            uint32_t addr, tcp_host_config *out);

/* ---- stack_kernel.c: real kernels at the link's ends ---- */

bool conv_is_kernel(const run *r, int node);
int conv_kernel_start(run *r); /* poll their programs; start the client's */

/* ---- stack_ns3.c: ns-3's sockets, shared with the plug-in ---- */

ns3c_tcp *conv_sock(run *r, int node);
ns3c_tcp_callbacks conv_socket_callbacks(run *r); /* events to the apps */
void conv_sockets_end(run *r);      /* close and let go of the sockets */
int conv_sockets_reconnect(run *r); /* the client's next connection */
void conv_sockets_accept(run *r);   /* the server takes the one waiting */

#endif
