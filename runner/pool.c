/*
 * pool.c - see pool.h.
 */
#include "pool.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fdio.h"

#define MAXJOBS      256
#define FLUSH_FRAMES 16

typedef struct frame {
  uint64_t item, len;
} frame;

struct pool_out {
  int fd;
  char *buf;
  size_t have, cap;
  int frames;
  double first; /* when the oldest buffered frame was put */
};

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int flush(pool_out *o) {
  if (!o->have)
    return 0;
  int rv = fd_write_all(o->fd, o->buf, o->have);
  o->have = 0;
  o->frames = 0;
  return rv;
}

int pool_put(pool_out *o, uint64_t i, const void *data, size_t len) {
  size_t need = o->have + sizeof(frame) + len;
  if (need > o->cap) {
    size_t c = o->cap ? o->cap : 65536;
    while (c < need)
      c *= 2;
    char *b = realloc(o->buf, c);
    if (!b)
      return -1;
    o->buf = b;
    o->cap = c;
  }
  frame f = {i, len};
  memcpy(o->buf + o->have, &f, sizeof f);
  memcpy(o->buf + o->have + sizeof f, data, len);
  o->have = need;
  if (o->frames++ == 0)
    o->first = now_s();
  /* fewer writes here, fewer wake-ups and reads in the parent, which
   * shares the cores with the workers */
  if (o->frames >= FLUSH_FRAMES || now_s() - o->first > 0.2)
    return flush(o);
  return 0;
}

/* The child: items `first`, first + step, ... below n. */
static void child(const pool_spec *sp, int fd, uint64_t first, uint64_t step) {
  prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the parent */
  signal(SIGPIPE, SIG_DFL);
  pool_out o = {fd, NULL, 0, 0, 0, 0};
  if (sp->setup && sp->setup(sp->ctx) != 0)
    _exit(1);
  for (uint64_t i = first; i < sp->n; i += step)
    if (sp->run(sp->ctx, i, &o) != 0) {
      flush(&o);
      _exit(1);
    }
  _exit(flush(&o) == 0 ? 0 : 1);
}

/* What a child has sent and the parent has not taken yet. */
typedef struct inbox {
  char *buf;
  size_t have, cap;
} inbox;

typedef struct slot {
  pid_t pid;
  int fd;         /* -1: its pipe is closed */
  uint64_t item;  /* per item: the one it runs */
  bool delivered; /* per item: its result came */
} slot;

/* Read what is there: 1 if anything came, 0 at end of file, -1 on error. */
static int fill(int fd, inbox *in) {
  if (in->cap - in->have < 65536) {
    size_t c = in->cap ? 2 * in->cap : 131072;
    char *b = realloc(in->buf, c);
    if (!b)
      return -1;
    in->buf = b;
    in->cap = c;
  }
  for (;;) {
    ssize_t r = read(fd, in->buf + in->have, in->cap - in->have);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return r == 0 ? 0 : -1;
    in->have += (size_t)r;
    return 1;
  }
}

/* Hand every whole frame of the inbox to take; nonzero when it stops. */
static int drain(const pool_spec *sp, inbox *in, slot *s) {
  size_t off = 0;
  int rv = 0;
  while (rv == 0 && in->have - off >= sizeof(frame)) {
    frame f;
    memcpy(&f, in->buf + off, sizeof f);
    if (in->have - off - sizeof f < f.len)
      break;
    rv = sp->take(sp->ctx, f.item, in->buf + off + sizeof f, (size_t)f.len,
                  false);
    s->delivered = true;
    off += sizeof f + (size_t)f.len;
  }
  memmove(in->buf, in->buf + off, in->have - off);
  in->have -= off;
  return rv;
}

static int start(const pool_spec *sp, slot *s, uint64_t first, uint64_t step,
                 const slot *all, int nall, char *err, size_t cap) {
  int fd[2];
  if (pipe(fd) != 0) {
    snprintf(err, cap, "pipe: %s", strerror(errno));
    return -1;
  }
  /* a child that runs a program (a kernel's halfclose-peer) passes it no
   * pipe of the pool */
  fcntl(fd[0], F_SETFD, FD_CLOEXEC);
  fcntl(fd[1], F_SETFD, FD_CLOEXEC);
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    for (int k = 0; k < nall; k++)
      if (all[k].pid && all[k].fd >= 0)
        close(all[k].fd);
    close(fd[0]);
    child(sp, fd[1], first, step);
  }
  close(fd[1]);
  if (pid < 0) {
    close(fd[0]);
    snprintf(err, cap, "fork: %s", strerror(errno));
    return -1;
  }
  *s = (slot){pid, fd[0], first, false};
  return 0;
}

int pool_run(const pool_spec *sp, char *err, size_t cap) {
  int jobs = sp->jobs < 1 ? 1 : sp->jobs > MAXJOBS ? MAXJOBS : sp->jobs;
  if ((uint64_t)jobs > sp->n)
    jobs = sp->n ? (int)sp->n : 1;
  slot s[MAXJOBS];
  inbox in[MAXJOBS];
  memset(s, 0, sizeof s);
  memset(in, 0, sizeof in);
  uint64_t next = 0; /* per item: the next to start */
  int rv = 0, live = 0;
  bool failed_worker = false;
  if (!sp->per_item) /* the workers, each with its share */
    for (int w = 0; w < jobs && sp->n; w++, live++)
      if (start(sp, &s[w], (uint64_t)w, (uint64_t)jobs, s, w, err, cap)) {
        rv = -1;
        break;
      }
  while (rv == 0) {
    if (sp->stop && *sp->stop) {
      rv = 1;
      break;
    }
    while (sp->per_item && next < sp->n && live < jobs) {
      int k = 0;
      while (s[k].pid)
        k++;
      if (start(sp, &s[k], next, sp->n, s, jobs, err, cap)) {
        rv = -1;
        break;
      }
      next++;
      live++;
    }
    if (rv || live == 0)
      break;
    struct pollfd pf[MAXJOBS];
    int map[MAXJOBS], np = 0;
    for (int k = 0; k < jobs; k++)
      if (s[k].pid && s[k].fd >= 0) {
        pf[np] = (struct pollfd){s[k].fd, POLLIN, 0};
        map[np++] = k;
      }
    if (poll(pf, (nfds_t)np, 200) < 0) {
      if (errno == EINTR)
        continue; /* a signal: the stop flag is looked at above */
      snprintf(err, cap, "poll: %s", strerror(errno));
      rv = -1;
      break;
    }
    for (int q = 0; q < np && rv == 0; q++) {
      if (!(pf[q].revents & (POLLIN | POLLHUP | POLLERR)))
        continue;
      slot *sl = &s[map[q]];
      int got = fill(sl->fd, &in[map[q]]);
      if (got > 0 && drain(sp, &in[map[q]], sl) != 0)
        rv = 1;
      if (got > 0)
        continue;
      /* the child is done (or died): its pipe is closed */
      close(sl->fd);
      sl->fd = -1;
      int ws;
      while (waitpid(sl->pid, &ws, 0) < 0 && errno == EINTR)
        ;
      bool ok = WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
      if (sp->per_item && !sl->delivered && rv == 0)
        rv = sp->take(sp->ctx, sl->item, NULL, 0, true) ? 1 : 0;
      else if (!sp->per_item && !ok)
        failed_worker = true;
      sl->pid = 0;
      live--;
    }
  }
  bool killed = false;
  for (int k = 0; k < MAXJOBS; k++) {
    if (!s[k].pid)
      continue;
    kill(s[k].pid, SIGTERM);
    while (waitpid(s[k].pid, NULL, 0) < 0 && errno == EINTR)
      ;
    if (s[k].fd >= 0)
      close(s[k].fd);
    killed = true;
  }
  for (int k = 0; k < MAXJOBS; k++)
    free(in[k].buf);
  if (killed && sp->killed)
    sp->killed(sp->ctx);
  if (rv == 0 && failed_worker) {
    snprintf(err, cap, "a worker died");
    rv = -1;
  }
  return rv;
}
