/*
 * session.c - one emulated conversation's set-up and clean-up; see
 * session.h.
 *
 * A kernel end runs halfclose-peer (installed beside halfclose) with the
 * conversation's parameters: the server is started and listening before
 * the conversation begins, the client is started by it. The namespaces
 * carry this process's id and are removed on the way out; those of a run
 * killed with -9 are removed by the next.
 */
#define _GNU_SOURCE
#include "session.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "netns.h"

/* One end of the conversation that is a real kernel. */
typedef struct kend {
  emu_ns ns;
  pid_t pid; /* its program, 0 when none or reaped */
  int out;   /* the program's standard output, or -1 */
  char report[512];
  size_t got;
} kend;

#define EMU_MAX_SPINNERS 256

struct emu_session {
  conv_env *env;
  pthread_t spin[EMU_MAX_SPINNERS]; /* keep a CPU busy each (spin_start) */
  int nspin;
  atomic_bool spin_stop;
  conv_kernel kernel;
  kend end[2];
  bool rt; /* real-time priority */
  /* timing: how far behind the wall clock the events ran, at most, as the
   * polls (every 5 ms of simulated time) see it */
  double wall0_ms; /* wall clock at simulated 0, from the first poll */
  bool have_wall0;
  double late_ms;
  int64_t clock0_ns; /* CLOCK_MONOTONIC at simulated 0 (the scheduler's) */
  char peer[1024]; /* halfclose-peer's path */
  char *argv[2][18];
  char args[2][16][32];
};

/* halfclose-peer beside this executable */
static int peer_path(char *buf, size_t cap) {
  ssize_t n = readlink("/proc/self/exe", buf, cap - 32);
  if (n <= 0)
    return -1;
  buf[n] = 0;
  char *slash = strrchr(buf, '/');
  snprintf(slash ? slash + 1 : buf, 32, "halfclose-peer");
  return access(buf, X_OK);
}

static void drain(kend *k) {
  struct pollfd fd = {k->out, POLLIN, 0};
  while (k->out >= 0 && poll(&fd, 1, 0) > 0 && (fd.revents & POLLIN)) {
    ssize_t n = read(k->out, k->report + k->got, sizeof k->report - 1 - k->got);
    if (n <= 0)
      break;
    k->got += (size_t)n;
    k->report[k->got] = 0;
  }
}

static void start_client(void *user) {
  emu_session *m = user;
  kend *k = &m->end[0];
  if (emu_ns_spawn(&k->ns, m->argv[0], &k->out, &k->pid) != 0)
    k->pid = 0;
}

static int errno_of(const char *name) {
  static const struct {
    const char *name;
    int e;
  } t[] = {{"ECONNRESET", ECONNRESET},
           {"EPIPE", EPIPE},
           {"ETIMEDOUT", ETIMEDOUT},
           {"ECONNREFUSED", ECONNREFUSED}};
  for (size_t i = 0; i < sizeof t / sizeof *t; i++)
    if (strcmp(name, t[i].name) == 0)
      return t[i].e;
  return strcmp(name, "0") == 0 ? 0 : EIO;
}

static double wall_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static bool poll_end(void *user, int end, bool peer_done,
                     conv_kernel_report *out) {
  emu_session *m = user;
  double sim_ms = (double)conv_env_now(m->env) / 1e6, w = wall_ms();
  if (!m->have_wall0) {
    m->wall0_ms = w - sim_ms;
    m->have_wall0 = true;
    m->clock0_ns = conv_env_clock0_ns(m->env);
  } else if (w - m->wall0_ms - sim_ms > m->late_ms) {
    m->late_ms = w - m->wall0_ms - sim_ms;
  }
  kend *k = &m->end[end];
  drain(k);
  if (k->pid && waitpid(k->pid, NULL, WNOHANG) != k->pid) {
    /* a server waiting for another connection its client, done, will
     * not open: ended here, with nothing more to say */
    size_t n = strlen(k->report);
    if (!(end == 1 && peer_done && n >= 10 &&
          strcmp(k->report + n - 10, "accepting\n") == 0))
      return false;
    kill(k->pid, SIGTERM);
    waitpid(k->pid, NULL, 0);
    k->pid = 0;
    *out = (conv_kernel_report){0};
    return true;
  }
  k->pid = 0;
  drain(k);
  const char *r = strstr(k->report, "bytes_read=");
  unsigned long long b = 0, resp = 0, conns = 0, retries = 0, freset = 0,
                     feof = 0;
  int e = 0;
  long long terr = 0;
  char err[32] = "0";
  int got = 0;
  if (r)
    got = sscanf(r,
                 "bytes_read=%llu eof=%d error=%31s t_error_ns=%lld "
                 "responses=%llu connections=%llu retries=%llu "
                 "failed_reset=%llu failed_eof=%llu",
                 &b, &e, err, &terr, &resp, &conns, &retries, &freset, &feof);
  *out = (conv_kernel_report){b,        e != 0, r ? errno_of(err) : EIO,
                              got == 9, resp,   conns,
                              retries,  freset, feof};
  return true;
}

static void set_args(emu_session *m, int end, const char *const *words) {
  int n = 0;
  m->argv[end][n++] = m->peer;
  for (; words[n - 1] && n < 17; n++) {
    snprintf(m->args[end][n - 1], sizeof m->args[end][n - 1], "%s",
             words[n - 1]);
    m->argv[end][n] = m->args[end][n - 1];
  }
  m->argv[end][n] = NULL;
}

static const char *u64(char *buf, uint64_t v) {
  snprintf(buf, 24, "%" PRIu64, v);
  return buf;
}

/* Start the kernel server and wait (up to 5 s) until it listens. */
static int start_server(emu_session *m, const conv_params *p, char *err,
                        size_t cap) {
  char b[12][24];
  /* another connection may come when the client has more than one
   * request or resends them */
  bool more = p->requests > 1 || p->retry;
  const char *w[] = {"server",
                     u64(b[5], p->port),
                     u64(b[0], p->request),
                     u64(b[1], p->response),
                     u64(b[2], p->think_ns),
                     u64(b[3], p->close_delay_ns),
                     u64(b[4], p->wait_eof),
                     u64(b[6], p->max_requests),
                     u64(b[7], p->requests),
                     u64(b[8], p->close_mode),
                     u64(b[9], p->linger_ns),
                     u64(b[10], p->idle_timeout_ns),
                     u64(b[11], more),
                     NULL};
  set_args(m, 1, w);
  kend *k = &m->end[1];
  if (emu_ns_spawn(&k->ns, m->argv[1], &k->out, &k->pid) != 0) {
    snprintf(err, cap, "cannot start halfclose-peer");
    return -1;
  }
  for (int t = 0; t < 500 && !strstr(k->report, "listening"); t++) {
    struct pollfd fd = {k->out, POLLIN, 0};
    if (poll(&fd, 1, 10) > 0)
      drain(k);
  }
  if (!strstr(k->report, "listening")) {
    snprintf(err, cap, "the kernel server did not start listening");
    return -1;
  }
  return 0;
}

static void client_args(emu_session *m, const conv_params *p) {
  char b[13][24];
  const char *w[] = {"client",
                     "10.0.0.2",
                     u64(b[6], p->port),
                     u64(b[0], p->request),
                     u64(b[1], p->half_close),
                     u64(b[2], p->shutdown_delay_ns),
                     u64(b[3], p->read_size),
                     u64(b[4], p->read_interval_ns),
                     u64(b[5], p->read_delay_ns),
                     u64(b[7], p->requests),
                     u64(b[8], p->pipeline),
                     u64(b[9], p->gap_ns),
                     u64(b[10], p->response),
                     u64(b[11], p->reuse_timeout_ns),
                     u64(b[12], p->retry),
                     NULL};
  set_args(m, 0, w);
}

static void *spin_main(void *stop) {
  while (!atomic_load_explicit((atomic_bool *)stop, memory_order_relaxed)) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }
  return NULL;
}

static bool keep_busy = true;

void emu_keep_cpus_busy(bool on) {
  keep_busy = on;
}

static void spin_stop(emu_session *m) {
  atomic_store(&m->spin_stop, true);
  for (int i = 0; i < m->nspin; i++)
    pthread_join(m->spin[i], NULL);
  m->nspin = 0;
}

/*
 * Keep every CPU this process may use busy while the link runs: one thread
 * each, pinned, at SCHED_IDLE, so that it gives way to anything else. On
 * this kind of machine (a virtual one) a CPU that halts when idle wakes late,
 * and a thread woken on the other CPU later still: the link's thread, asleep
 * until its next event, woke 45-235 us behind its time, and the first
 * segments of a burst then reached a kernel together, so its ACKs left
 * together (the sched_wakeup, sched_switch and net_dev_queue tracepoints).
 * With the CPUs kept busy it wakes within about 20 us, and the kernel's
 * handshake takes a median 0.19-0.24 ms longer than the link's, not
 * 0.27-0.32 ms (crosschecks of 200 conversations). Best effort: a thread
 * that cannot start is left out.
 */
static void spin_start(emu_session *m) {
  cpu_set_t set;
  if (!keep_busy || sched_getaffinity(0, sizeof set, &set) != 0)
    return;
  atomic_init(&m->spin_stop, false);
  for (int cpu = 0; cpu < CPU_SETSIZE && m->nspin < EMU_MAX_SPINNERS; cpu++) {
    if (!CPU_ISSET(cpu, &set))
      continue;
    /* pinned from its start, at normal priority (never this thread's
     * real-time one), then SCHED_IDLE before anything else runs: the FdNet
     * readers that emu.cc raises later are told apart by their policy */
    pthread_attr_t a;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    struct sched_param none = {0};
    pthread_t *t = &m->spin[m->nspin];
    if (pthread_attr_init(&a) != 0)
      return;
    bool made = pthread_attr_setaffinity_np(&a, sizeof one, &one) == 0 &&
                pthread_attr_setinheritsched(&a, PTHREAD_EXPLICIT_SCHED) == 0 &&
                pthread_attr_setschedpolicy(&a, SCHED_OTHER) == 0 &&
                pthread_attr_setschedparam(&a, &none) == 0 &&
                pthread_create(t, &a, spin_main, &m->spin_stop) == 0;
    pthread_attr_destroy(&a);
    if (!made)
      continue;
    m->nspin++;
    if (pthread_setschedparam(*t, SCHED_IDLE, &none) != 0) {
      spin_stop(m); /* not at idle priority: better none at all */
      return;
    }
  }
}

unsigned emu_opts_of(const tcp_profile *p) {
  return (p->timestamps ? EMU_OPT_TS : 0u) |
         (p->sack_permitted ? EMU_OPT_SACK : 0u) |
         (p->window_scaling ? EMU_OPT_WSCALE : 0u);
}

int emu_session_open(emu_session **out, const conv_params *p,
                     const bool kern[2], unsigned opts, uint64_t seed,
                     char *err, size_t cap) {
  emu_session *m = calloc(1, sizeof *m);
  *out = m;
  if (!m) {
    snprintf(err, cap, "out of memory");
    return -1;
  }
  for (int i = 0; i < 2; i++) {
    m->end[i].out = -1;
    m->end[i].ns.tap_fd = -1;
  }
  if ((kern[0] || kern[1]) && emu_check(err, cap) != 0)
    return -1;
  if ((kern[0] || kern[1]) && peer_path(m->peer, sizeof m->peer) != 0) {
    snprintf(err, cap, "%s: halfclose-peer not found beside halfclose",
             m->peer);
    return -1;
  }
  emu_sweep();
  /* real-time priority where the system allows it: the link's events then
   * run within a fraction of a millisecond of the wall clock (measured
   * here: median 0.14 ms, against 1.1 ms at normal priority); children
   * (the kernel ends' programs) do not inherit it */
  struct sched_param sp = {.sched_priority = 50};
  m->rt = sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp) == 0;
  spin_start(m);
  if (conv_env_new_realtime(&m->env, (uint32_t)(seed % 2147483646u) + 1, err,
                            cap) != 0)
    return -1;
  /* each kernel sees its peer's address behind a MAC of the link's */
  static const uint8_t tap_mac[2][6] = {{2, 0, 0, 0, 1, 1}, {2, 0, 0, 0, 1, 2}},
                       link_mac[2][6] = {{2, 0, 0, 0, 0, 1},
                                         {2, 0, 0, 0, 0, 2}};
  static const char *const tags[2] = {"client", "server"};
  uint32_t addr[2] = {CONV_CLIENT_ADDR, CONV_SERVER_ADDR};
  for (int i = 0; i < 2; i++) {
    if (!kern[i])
      continue;
    err[0] = 0;
    if (emu_ns_create(&m->end[i].ns, tags[i], NULL, addr[i], tap_mac[i],
                      addr[1 - i], link_mac[1 - i], (uint32_t)p->mtu, opts, err,
                      cap) != 0)
      return -1;
    if (conv_env_attach_kernel(m->env, i, m->end[i].ns.tap_fd, link_mac[1 - i],
                               tap_mac[i], err, cap) != 0)
      return -1;
  }
  if (kern[1] && start_server(m, p, err, cap) != 0)
    return -1;
  if (kern[0])
    client_args(m, p);
  m->kernel = (conv_kernel){{kern[0], kern[1]}, start_client, poll_end, m};
  return 0;
}

conv_env *emu_session_env(emu_session *m) {
  return m->env;
}

const conv_kernel *emu_session_kernel(emu_session *m) {
  return &m->kernel;
}

void emu_session_timing(emu_session *m, emu_timing *t) {
  memset(t, 0, sizeof *t);
  t->rt_priority = m->rt;
  t->busy_cpus = m->nspin;
  t->late_ms = m->late_ms;
  t->clock0_ns = m->have_wall0 ? m->clock0_ns : -1;
  t->trusted = m->late_ms <= EMU_TOLERANCE_MS;
  if (!m->env)
    return;
  conv_link_timing st;
  conv_env_timing(m->env, &st);
  for (int i = 0; i < 2; i++) {
    t->frames[i] = st.frames[i];
    t->off[i] = st.off_1ms[i];
    if (st.frames[i]) {
      t->mean_ms[i] = (double)st.sum_ns[i] / 1e6 / (double)st.frames[i];
      t->min_ms[i] = (double)st.min_ns[i] / 1e6;
      t->max_ms[i] = (double)st.max_ns[i] / 1e6;
    }
    if (st.off_1ms[i])
      t->trusted = false;
    t->tap_errors += st.tap_errors[i];
  }
  if (t->tap_errors)
    t->trusted = false;
}

void emu_session_close(emu_session *m) {
  if (!m)
    return;
  spin_stop(m);
  for (int i = 0; i < 2; i++) {
    kend *k = &m->end[i];
    if (k->pid) {
      kill(k->pid, SIGKILL);
      waitpid(k->pid, NULL, 0);
      k->pid = 0;
    }
    if (k->out >= 0)
      close(k->out);
    k->out = -1;
    emu_ns_delete(&k->ns);
  }
  conv_env_free(m->env);
  free(m);
}

void emu_kernel_settings(char *buf, size_t cap, unsigned opts) {
  struct utsname un;
  uname(&un);
  snprintf(buf, cap, "Linux %s; TCP %s, cubic, tcp_no_metrics_save=1, IPv6 off",
           un.release, emu_opts_text(opts));
}
