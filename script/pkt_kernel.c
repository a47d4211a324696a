/*
 * pkt_kernel.c - play a script against the Linux kernel, in real time:
 * its TCP in a network namespace of its own (emu/netns.h: hc-PID-script,
 * tun0 - a TAP, named as packetdrill's scripts expect their TUN - at
 * 192.168.0.1, the peer 192.168.0.2 a permanent neighbour, timestamps,
 * SACK and window scaling on as Linux has them, cubic on every socket),
 * the script's segments
 * through the TAP, and the local application's calls made inside the
 * namespace by an agent process over a socket pair. The agent's sockets
 * are all non-blocking: a call the script lets block is retried by the
 * player, as against the model. The namespace goes on every exit path
 * (signals included; a run killed with -9 leaves it to the next run's
 * sweep).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "netns.h"
#include "pkt_internal.h"

#ifndef TCP_CONGESTION /* <netinet/tcp.h> clashes with the model's names */
#define TCP_CONGESTION 13 /* Linux's value (uapi linux/tcp.h) */
#endif

#define KERNEL_ADDR 0xC0A80001u /* 192.168.0.1 */
#define PEER_ADDR   0xC0A80002u /* 192.168.0.2 */

typedef struct kernel {
  emu_ns ns;
  int cmd; /* our end of the socket pair to the agent */
  pid_t agent;
  uint64_t t0; /* CLOCK_MONOTONIC at the start, ns */
} kernel;

static const uint8_t PEER_MAC[6] = {0x02, 0x68, 0x63, 0x00, 0x00, 0x02};
static const uint8_t KERNEL_MAC[6] = {0x02, 0x68, 0x63, 0x00, 0x00, 0x01};

static uint64_t mono(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* ---- the agent, inside the namespace ---- */

enum op {
  OP_SOCKET,
  OP_LINGER0,
  OP_LISTEN,
  OP_CONNECT,
  OP_CONNECTED,
  OP_ACCEPT,
  OP_SEND,
  OP_RECV,
  OP_SHUTDOWN,
  OP_CLOSE,
  OP_INQ,
  OP_POLL
};

typedef struct cmd {
  int op, fd;
  int64_t a;
} cmd;

typedef struct reply {
  int64_t rv; /* the call's result, or -1 */
  int err;    /* its errno */
} reply;

static reply run_op(const cmd *c) {
  static char buf[1 << 20];
  reply r = {-1, 0};
  struct sockaddr_in sa = {.sin_family = AF_INET};
  int one = 1;
  switch (c->op) {
  case OP_SOCKET:
    r.rv = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    /* Linux's default congestion control, whatever the host's (a
     * namespace inherits it, and may not change it: bbr on some hosts,
     * with its own pacing and no slow start after idle), as the
     * emulation's peer sets it; an accepted socket inherits it */
    if (r.rv >= 0 &&
        setsockopt(r.rv, IPPROTO_TCP, TCP_CONGESTION, "cubic", 5) != 0) {
      close(r.rv);
      r.rv = -1;
    }
    break;
  case OP_LINGER0: {
    struct linger l = {1, 0};
    r.rv = setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    break;
  }
  case OP_LISTEN:
    setsockopt(c->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sa.sin_port = htons(LOCAL_PORT);
    r.rv = bind(c->fd, (struct sockaddr *)&sa, sizeof sa);
    if (r.rv == 0)
      r.rv = listen(c->fd, (int)c->a);
    break;
  case OP_CONNECT:
    sa.sin_port = htons(LOCAL_PORT);
    sa.sin_addr.s_addr = htonl(PEER_ADDR);
    r.rv = connect(c->fd, (struct sockaddr *)&sa, sizeof sa);
    if (r.rv < 0 && errno == EINPROGRESS)
      r.rv = 0, errno = 0; /* started */
    break;
  case OP_CONNECTED: {
    struct pollfd p = {c->fd, POLLOUT, 0};
    if (poll(&p, 1, 0) == 0) {
      errno = EAGAIN;
      break;
    }
    int e = 0;
    socklen_t n = sizeof e;
    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &n);
    r.rv = e ? -1 : 0;
    errno = e;
    break;
  }
  case OP_ACCEPT:
    r.rv = accept4(c->fd, NULL, NULL, SOCK_NONBLOCK);
    break;
  case OP_SEND:
    r.rv = write(
        c->fd, buf,
        (size_t)(c->a < (int64_t)sizeof buf ? c->a : (int64_t)sizeof buf));
    break;
  case OP_RECV:
    r.rv =
        read(c->fd, buf,
             (size_t)(c->a < (int64_t)sizeof buf ? c->a : (int64_t)sizeof buf));
    break;
  case OP_SHUTDOWN:
    r.rv = shutdown(c->fd, SHUT_WR);
    break;
  case OP_CLOSE:
    r.rv = close(c->fd);
    break;
  case OP_INQ: {
    int v = 0;
    r.rv = ioctl(c->fd, SIOCINQ, &v) == 0 ? v : -1;
    break;
  }
  case OP_POLL: {
    struct pollfd p = {c->fd, POLLIN | POLLOUT | POLLRDHUP, 0};
    r.rv = poll(&p, 1, 0) < 0
               ? -1
               : (p.revents & POLLIN ? PKT_POLL_IN : 0) |
                     (p.revents & POLLOUT ? PKT_POLL_OUT : 0) |
                     (p.revents & POLLERR ? PKT_POLL_ERR : 0) |
                     (p.revents & POLLHUP ? PKT_POLL_HUP : 0) |
                     (p.revents & POLLRDHUP ? PKT_POLL_RDHUP : 0);
    break;
  }
  }
  r.err = r.rv < 0 ? errno : 0;
  return r;
}

static void agent(const char *ns, int fd) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  signal(SIGPIPE, SIG_IGN);
  char path[256];
  snprintf(path, sizeof path, "/var/run/netns/%s", ns);
  int nsfd = open(path, O_RDONLY | O_CLOEXEC);
  if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) != 0)
    _exit(1);
  cmd c;
  while (recv(fd, &c, sizeof c, 0) == (ssize_t)sizeof c) {
    reply r = run_op(&c);
    if (send(fd, &r, sizeof r, 0) != (ssize_t)sizeof r)
      break;
  }
  _exit(0);
}

/* ---- the stack, from our side ---- */

static int64_t call(runner *r, int op, int fd, int64_t a) {
  kernel *k = r->impl;
  cmd c = {op, fd, a};
  reply rep = {-1, EIO};
  if (send(k->cmd, &c, sizeof c, 0) != (ssize_t)sizeof c ||
      recv(k->cmd, &rep, sizeof rep, 0) != (ssize_t)sizeof rep)
    return TCP_ERR_INVAL;
  return rep.rv >= 0 ? rep.rv : tcp_error_from_errno(rep.err);
}

static uint64_t k_now(runner *r) {
  kernel *k = r->impl;
  return mono() - k->t0;
}

static uint64_t k_next(runner *r) {
  return k_now(r) + 1000000; /* the kernel may send at any moment */
}

/* Time passes to `to`: what the kernel sends meanwhile is queued. */
static void k_advance(runner *r, uint64_t to) {
  kernel *k = r->impl;
  uint8_t f[2048];
  for (;;) {
    r->now = k_now(r);
    int ms = to > r->now ? (int)((to - r->now + 999999) / 1000000) : 0;
    struct pollfd p = {k->ns.tap_fd, POLLIN, 0};
    if (poll(&p, 1, ms) <= 0) {
      r->now = k_now(r);
      if (r->now >= to)
        return;
      continue;
    }
    ssize_t n = read(k->ns.tap_fd, f, sizeof f);
    r->now = k_now(r);
    /* IPv4 only (the namespace has IPv6 off and the peer as a neighbour) */
    if (n > 14 + 20 && f[12] == 0x08 && f[13] == 0x00 && f[14 + 9] == 6)
      pkt_sent(r, f + 14, (size_t)n - 14);
    if (r->now >= to)
      return;
  }
}

static void k_input(runner *r, const uint8_t *d, size_t n) {
  kernel *k = r->impl;
  uint8_t f[2048];
  if (n + 14 > sizeof f)
    return;
  memcpy(f, k->ns.mac, 6);
  memcpy(f + 6, PEER_MAC, 6);
  f[12] = 0x08;
  f[13] = 0x00;
  memcpy(f + 14, d, n);
  if (write(k->ns.tap_fd, f, n + 14) < 0)
    pkt_note(r, "a frame the TAP refused; ");
}

static int k_socket(runner *r, fd_state *f) {
  int64_t rv = call(r, OP_SOCKET, -1, 0);
  f->k = rv >= 0 ? (int)rv : -1;
  return rv >= 0 ? 0 : (int)rv;
}

static void k_linger0(runner *r, fd_state *f) {
  call(r, OP_LINGER0, f->k, 0);
}

static int k_listen(runner *r, fd_state *f, int backlog) {
  return (int)call(r, OP_LISTEN, f->k, backlog);
}

static int k_connect(runner *r, fd_state *f) {
  return (int)call(r, OP_CONNECT, f->k, 0);
}

static int64_t k_connected(runner *r, fd_state *f) {
  return call(r, OP_CONNECTED, f->k, 0);
}

static int64_t k_accept(runner *r, fd_state *lis, fd_state *out) {
  int64_t rv = call(r, OP_ACCEPT, lis->k, 0);
  if (rv < 0)
    return rv;
  out->k = (int)rv;
  return 0;
}

static int64_t k_send(runner *r, fd_state *f, uint64_t n) {
  int64_t rv = call(r, OP_SEND, f->k, (int64_t)n);
  return rv == TCP_ERR_WOULDBLOCK ? 0 : rv;
}

static int64_t k_recv(runner *r, fd_state *f, uint64_t n) {
  return call(r, OP_RECV, f->k, (int64_t)n);
}

static int k_shutdown(runner *r, fd_state *f) {
  return (int)call(r, OP_SHUTDOWN, f->k, 0);
}

static void k_close(runner *r, fd_state *f) {
  if (f->k >= 0)
    call(r, OP_CLOSE, f->k, 0);
}

static int64_t k_inq(runner *r, fd_state *f) {
  int64_t rv = call(r, OP_INQ, f->k, 0);
  return rv >= 0 ? rv : -1;
}

static int k_poll(runner *r, const fd_state *f) {
  int64_t rv = f ? call(r, OP_POLL, f->k, 0) : -1;
  return rv >= 0 ? (int)rv : PKT_POLL_HUP;
}

/* A shell line, inside the namespace (ip netns exec: its own /sys and
 * /proc/sys/net too), never on the host: what it prints goes to the log
 * with --verbose. */
static int k_shell(runner *r, const char *line, char *why, size_t cap) {
  kernel *k = r->impl;
  uint64_t t = mono();
  char *argv[] = {"sh", "-c", (char *)line, NULL};
  int out;
  pid_t pid;
  if (emu_ns_spawn(&k->ns, argv, &out, &pid) != 0) {
    snprintf(why, cap, "it could not be started");
    return 127;
  }
  char buf[512];
  ssize_t n;
  while ((n = read(out, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0 && r->log)
      fwrite(buf, 1, (size_t)n, r->log);
  close(out);
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
    ;
  k->t0 += mono() - t; /* the command takes no script time */
  if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
    return 0;
  if (WIFEXITED(st))
    snprintf(why, cap, "it exited %d", WEXITSTATUS(st));
  else
    snprintf(why, cap, "it was killed by signal %d", WTERMSIG(st));
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static const pkt_stack kernel_stack = {
    "the kernel", k_next,    k_advance,   k_input,  k_socket, k_linger0,
    k_listen,     k_connect, k_connected, k_accept, k_send,   k_recv,
    k_shutdown,   k_close,   k_inq,       k_poll,   k_shell};

int pkt_run_kernel(const pkt_script *s, bool shell, FILE *log, pkt_result *out,
                   char *err, size_t cap) {
  memset(out, 0, sizeof *out);
  out->passed = true;
  if (emu_check(err, cap) != 0)
    return -1;
  emu_sweep();
  emu_catch_exit_signals(emu_ns_exit_on_signal);
  runner *r = calloc(1, sizeof *r);
  kernel *k = calloc(1, sizeof *k);
  int sp[2] = {-1, -1};
  if (!r || !k || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp)) {
    snprintf(err, cap, "out of memory or descriptors");
    free(r);
    free(k);
    return -1;
  }
  if (emu_ns_create(&k->ns, "script", "tun0", KERNEL_ADDR, KERNEL_MAC,
                    PEER_ADDR, PEER_MAC, 1500, EMU_OPT_LINUX, err, cap) != 0) {
    close(sp[0]);
    close(sp[1]);
    free(r);
    free(k);
    return -1;
  }
  k->agent = fork();
  if (k->agent == 0) {
    close(sp[0]);
    agent(k->ns.name, sp[1]);
  }
  close(sp[1]);
  k->cmd = sp[0];
  r->s = s;
  r->log = log;
  r->out = out;
  r->ops = &kernel_stack;
  r->shell = shell;
  r->impl = k;
  r->local_addr = KERNEL_ADDR;
  r->remote_addr = PEER_ADDR;
  for (int i = 0; i < MAX_FDS; i++)
    r->fd[i].k = -1;
  if (s->mss)
    pkt_note(r, "--mss=%u ignored; ", s->mss);
  int rv = k->agent > 0 ? 0 : -1;
  if (rv)
    snprintf(err, cap, "cannot start the agent in the namespace");
  if (rv == 0) {
    /* the agent in the namespace first: the script's clock starts when a
     * call reaches the kernel at once */
    k->t0 = mono();
    (void)call(r, OP_POLL, -1, 0); /* waits for the agent's setns() */
    k->t0 = mono();
    rv = pkt_play(r, err, cap);
  }
  close(k->cmd);
  if (k->agent > 0)
    waitpid(k->agent, NULL, 0);
  emu_ns_delete(&k->ns);
  free(k);
  free(r);
  return rv;
}
