/*
 * batch.c - see batch.h.
 */
#include "batch.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdio.h"
#include "sink.h"
#include "store.h"

#define BATCH_MSGS 16 /* conversations a worker sends at a time */

typedef struct msg {
  uint64_t index; /* conversation */
  int32_t status; /* 0, or -1 with error, -2 refused (bad input) */
  char error[240];
  conv_outcome o[SCN_MAX_PROFILES];
} msg;

uint32_t batch_ns3_seed(const scenario *s) {
  return (uint32_t)(scn_conv_seed(s) % 2147483646u) + 1;
}

int batch_conversation(conv_env *e, const scenario *s, uint64_t i, bool check,
                       conv_outcome *outcomes, char *err, size_t cap) {
  conv_params p;
  double values[SCN_MAX_KEYS];
  scn_draw(s, i, &p, values);
  for (int pr = 0; pr < s->nprofiles; pr++) {
    scn_ends ends;
    char why[400] = "";
    if (scn_ends_for(s, s->profiles[pr], values, &ends, why, sizeof why)) {
      snprintf(err, cap, "conversation %llu: %s", (unsigned long long)i, why);
      return -1;
    }
    /* every conversation is bounded before it runs, not a sample of them:
     * one that would run for minutes is refused (bad input) */
    if (!ends.ns3 &&
        hc_conv_bounded(&p, &ends.client, &ends.server, why, sizeof why)) {
      snprintf(err, cap, "conversation %llu, profile %s: %s",
               (unsigned long long)i, s->profiles[pr], why);
      return -2;
    }
    if (ends.ns3 && hc_conv_bounded(&p, NULL, NULL, why, sizeof why)) {
      snprintf(err, cap, "conversation %llu, profile %s: %s",
               (unsigned long long)i, s->profiles[pr], why);
      return -2;
    }
    conv_opts opts = {.check = check && !ends.ns3};
    if (conv_run(e, &p, ends.ns3 ? CONV_STACK_NS3 : CONV_STACK_MODEL,
                 &ends.client, &ends.server, scn_conv_seed(s), i, &opts,
                 &outcomes[pr], why, sizeof why) != 0) {
      snprintf(err, cap, "conversation %llu, profile %s: %s",
               (unsigned long long)i, s->profiles[pr], why);
      return -1;
    }
  }
  return 0;
}

/* What a worker has sent and the parent has not consumed yet. */
typedef struct inbox {
  char buf[BATCH_MSGS * sizeof(msg)];
  size_t have; /* bytes in buf */
} inbox;

/* Read what is there; 1 if anything came, 0 at end of file, -1 on error. */
static int fill(int fd, inbox *in) {
  for (;;) {
    ssize_t r = read(fd, in->buf + in->have, sizeof in->buf - in->have);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return r == 0 ? 0 : -1;
    in->have += (size_t)r;
    return 1;
  }
}

/* Take one whole message out of the inbox, if there is one. */
static bool take(inbox *in, msg *m) {
  if (in->have < sizeof *m)
    return false;
  memcpy(m, in->buf, sizeof *m);
  in->have -= sizeof *m;
  memmove(in->buf, in->buf + sizeof *m, in->have);
  return true;
}

/* Runs every missing index whose position among them is w mod jobs. */
static void worker(const scenario *s, const store_range *r, size_t nr, int w,
                   int jobs, bool check, int fd) {
  prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the parent */
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  signal(SIGPIPE, SIG_DFL);
  conv_env *e;
  char why[300] = "out of memory";
  msg *m = calloc(1, sizeof *m);
  if (!m || conv_env_new(&e, batch_ns3_seed(s), why, sizeof why) != 0) {
    if (m) {
      m->status = -1;
      snprintf(m->error, sizeof m->error, "worker: cannot start: %s", why);
      fd_write_all(fd, m, sizeof *m);
    }
    _exit(1);
  }
  /* results go up in batches: fewer writes here, fewer wake-ups and reads
   * in the parent, which shares the cores with the workers */
  msg *batch = malloc(BATCH_MSGS * sizeof *batch);
  size_t nb = 0;
  double first = 0;
  if (!batch)
    _exit(1);
  uint64_t j = 0; /* position among the missing indices */
  for (size_t k = 0; k < nr; k++)
    for (uint64_t i = r[k].start; i < r[k].end; i++, j++) {
      if (j % (uint64_t)jobs != (uint64_t)w)
        continue;
      msg *b = &batch[nb++];
      memset(b, 0, sizeof *b);
      b->index = i;
      b->status =
          batch_conversation(e, s, i, check, b->o, b->error, sizeof b->error);
      if (nb == 1)
        first = sink_now();
      if (nb == BATCH_MSGS || b->status || sink_now() - first > 0.2) {
        if (fd_write_all(fd, batch, nb * sizeof *batch) != 0 || b->status)
          _exit(1);
        nb = 0;
      }
    }
  if (nb && fd_write_all(fd, batch, nb * sizeof *batch) != 0)
    _exit(1);
  free(batch);
  conv_env_free(e);
  free(m);
  _exit(0);
}

batch_status batch_run(const scenario *s, uint64_t total, const batch_opts *o,
                       batch_progress *out, char *err, size_t cap) {
  hc_store *st;
  store_range *list = NULL;
  size_t nranges = 0;
  uint64_t n = 0;
  if (store_open(&st, o->store_path, STORE_CREATE, err, cap) != 0)
    return BATCH_REFUSED;
  if (store_bind(st, s, total, o->version, err, cap) != 0) {
    store_close(st);
    return BATCH_REFUSED;
  }
  if (store_missing(st, total, s->nprofiles, &list, &nranges, &n) != 0) {
    if (!err[0])
      snprintf(err, cap, "%s: cannot read the store", o->store_path);
    store_close(st);
    free(list);
    return BATCH_FAILED;
  }
  /* fork before the parent uses the store: no SQLite handle crosses */
  store_close(st);
  int jobs = o->jobs < 1 ? 1 : o->jobs;
  if ((uint64_t)jobs > n)
    jobs = n ? (int)n : 1;
  pid_t pids[256];
  struct pollfd fds[256];
  int live = 0;
  fflush(NULL);
  for (int w = 0; n && w < jobs && w < 256; w++) {
    int pipefd[2];
    if (pipe(pipefd) != 0) {
      snprintf(err, cap, "pipe: %s", strerror(errno));
      break;
    }
    pid_t pid = fork();
    if (pid == 0) {
      for (int k = 0; k < live; k++)
        close(fds[k].fd);
      close(pipefd[0]);
      worker(s, list, nranges, w, jobs, o->check, pipefd[1]);
    }
    close(pipefd[1]);
    if (pid < 0) {
      close(pipefd[0]);
      snprintf(err, cap, "fork: %s", strerror(errno));
      break;
    }
    pids[live] = pid;
    fds[live] = (struct pollfd){pipefd[0], POLLIN, 0};
    live++;
  }
  batch_status status = BATCH_DONE;
  int orv = store_open(&st, o->store_path, STORE_WRITE, err, cap);
  if (orv != 0 || store_bind(st, s, total, o->version, err, cap) != 0) {
    /* another run took the store between our two opens: bad input, as
     * when it held it at the first */
    status = orv == -2 ? BATCH_REFUSED : BATCH_FAILED;
    if (orv == 0)
      store_close(st);
    st = NULL;
  }
  if (live < jobs && n && status == BATCH_DONE)
    status = BATCH_FAILED;
  batch_sink sink;
  sink_init(&sink, st, s, o, total - n, total);
  msg *m = malloc(sizeof *m);
  inbox *in = calloc((size_t)(live ? live : 1), sizeof *in);
  int open_fds = live;
  if (!m || !in)
    status = BATCH_FAILED;
  while (status == BATCH_DONE && open_fds > 0) {
    if (o->stop && *o->stop) {
      status = BATCH_INTERRUPTED;
      break;
    }
    int r = poll(fds, (nfds_t)live, 200);
    if (r < 0 && errno != EINTR) {
      snprintf(err, cap, "poll: %s", strerror(errno));
      status = BATCH_FAILED;
      break;
    }
    for (int k = 0; k < live && status == BATCH_DONE; k++) {
      if (fds[k].fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR)))
        continue;
      if (fill(fds[k].fd, &in[k]) <= 0) { /* the worker is done (or died) */
        close(fds[k].fd);
        fds[k].fd = -1;
        open_fds--;
        continue;
      }
      while (status == BATCH_DONE && take(&in[k], m)) {
        if (m->status != 0) {
          snprintf(err, cap, "%s", m->error);
          status = m->status == -2 ? BATCH_REFUSED : BATCH_FAILED;
        } else if (sink_put(&sink, m->index, m->o, err, cap) != 0) {
          status = BATCH_FAILED;
        }
      }
    }
  }
  /* stop the workers, keep what was received whole */
  for (int k = 0; k < live; k++) {
    if (status != BATCH_DONE)
      kill(pids[k], SIGTERM);
    if (fds[k].fd >= 0)
      close(fds[k].fd);
  }
  bool worker_failed = false;
  for (int k = 0; k < live; k++) {
    int ws;
    while (waitpid(pids[k], &ws, 0) < 0 && errno == EINTR)
      ;
    if (status == BATCH_DONE && !(WIFEXITED(ws) && WEXITSTATUS(ws) == 0))
      worker_failed = true;
  }
  char ferr[300];
  if (st && sink_flush(&sink, ferr, sizeof ferr) != 0 &&
      status != BATCH_FAILED) {
    snprintf(err, cap, "%s", ferr);
    status = BATCH_FAILED;
  }
  if (status == BATCH_DONE && (worker_failed || sink.pr.done != total)) {
    snprintf(err, cap,
             "a worker died; %llu of %llu conversations are in "
             "the store: run again to resume",
             (unsigned long long)sink.pr.done, (unsigned long long)total);
    status = BATCH_FAILED;
  }
  if (status == BATCH_DONE && st)
    store_finish(st);
  sink.pr.elapsed_s = sink_now() - sink.t0;
  store_close(st);
  free(m);
  free(in);
  free(list);
  if (out)
    *out = sink.pr;
  return status;
}
