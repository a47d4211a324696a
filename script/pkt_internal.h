/*
 * pkt_internal.h - what the script player (pkt_run.c) shares with the
 * stacks it plays against: the model in simulated time (pkt_run.c) and the
 * Linux kernel in a namespace, in real time (pkt_kernel.c). Internal to
 * script/.
 */
#ifndef HALFCLOSE_PKT_INTERNAL_H
#define HALFCLOSE_PKT_INTERNAL_H

#include "pkt.h"

#define LOCAL_PORT  8080
#define REMOTE_PORT 40000
#define MAX_FDS     16
#define MAX_QUEUED  64

typedef struct sent {
  uint64_t at; /* ns */
  tcp_segment seg;
} sent;

typedef struct fd_state {
  bool used, nonblocking, listening, linger0, shut_wr;
  uint16_t port;
  tcp_conn *c; /* the model's connection */
  int k;       /* the kernel's descriptor (in its namespace), or -1 */
} fd_state;

typedef struct runner runner;

/* The local stack. Results follow the model's convention: >= 0, or a
 * TCP_ERR_* (TCP_ERR_WOULDBLOCK when the call would block). */
typedef struct pkt_stack {
  const char *name;
  /* when something may next happen on its own (the model: its next timer;
   * the kernel: any moment - a millisecond on), and time passing to `to`
   * with what the stack sends meanwhile queued (pkt_sent) */
  uint64_t (*next)(runner *r);
  void (*advance)(runner *r, uint64_t to);
  void (*input)(runner *r, const uint8_t *dgram, size_t len);
  int (*socket)(runner *r, fd_state *f);   /* may be NULL */
  void (*linger0)(runner *r, fd_state *f); /* SO_LINGER 0; may be NULL */
  int (*listen)(runner *r, fd_state *f, int backlog);
  int (*connect)(runner *r, fd_state *f); /* started, or an error */
  int64_t (*connected)(runner *r, fd_state *f);
  int64_t (*accept)(runner *r, fd_state *lis, fd_state *out);
  int64_t (*send)(runner *r, fd_state *f, uint64_t n); /* 0: full */
  int64_t (*recv)(runner *r, fd_state *f, uint64_t n);
  int (*shutdown)(runner *r, fd_state *f);
  void (*close)(runner *r, fd_state *f);
  int64_t (*inq)(runner *r, fd_state *f);    /* unread bytes, or -1 */
  int (*poll)(runner *r, const fd_state *f); /* PKT_POLL_* */
  /* run a shell line's command where the stack lives: 0, or its exit
   * status (why says what came of it); NULL: shell lines are not run */
  int (*shell)(runner *r, const char *cmd, char *why, size_t cap);
} pkt_stack;

enum {
  PKT_POLL_IN = 1,
  PKT_POLL_OUT = 2,
  PKT_POLL_ERR = 4,
  PKT_POLL_HUP = 8,
  PKT_POLL_RDHUP = 16
};

struct runner {
  const pkt_script *s;
  const pkt_stack *ops;
  void *impl; /* the stack's own state */
  tcp_host *h;
  uint32_t local_addr, remote_addr;
  uint64_t now; /* ns */
  sent q[MAX_QUEUED];
  int nq;
  uint8_t dgram[MAX_QUEUED][1600];
  bool have_local_isn, have_remote_isn;
  uint32_t local_isn, remote_isn;
  uint16_t local_port, remote_port; /* of the connection */
  uint16_t ip_id;
  fd_state fd[MAX_FDS];
  FILE *log;
  pkt_result *out;
  bool shell; /* --shell: the stack's shell runs the shell lines */
  /* TS vals: the script's for the stack's segments and what it sent, so
   * an inbound TS ecr of a script value echoes the stack's own */
  uint32_t ts_script[64], ts_sent[64];
  int nts;
  uint32_t ts_last; /* the stack's latest TS val, 0: none yet */
};

/* A datagram the stack sent at r->now, queued for the script's > lines. */
void pkt_sent(runner *r, const uint8_t *d, size_t len);

/* A note for the result (applied settings, ignored ones). */
void pkt_note(runner *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The player, on a stack set up in r (ops, impl, addresses); 0 or -1
 * with a message (a call the interpreter does not take). */
int pkt_play(runner *r, char *err, size_t cap);

#endif
