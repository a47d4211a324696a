/*
 * emulate.c - `halfclose emulate`: one conversation in real time on the
 * wrapper's link, each end the model (any profile) or a real Linux kernel
 * in a network namespace of its own, printed like `replay`.
 *
 * A kernel end runs halfclose-peer (installed beside halfclose) with the
 * conversation's parameters: the server is started and listening before
 * the conversation begins, the client is started by it. The namespaces
 * carry this process's id and are removed on the way out; those of a run
 * killed with -9 are removed by the next.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/utsname.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "conv.h"
#include "netns.h"
#include "ns3c.h"
#include "replay.h"

static const char *const SUB = "emulate";

/* How far behind the wall clock events may run for a run to count: the
 * link's delays are then real within this much. */
#define EMU_TOLERANCE_MS 1.0

static void usage(FILE *f) {
  fprintf(f,
          "usage: halfclose emulate [--client=PROFILE|kernel] "
          "[--server=PROFILE|kernel]\n"
          "                         [--seed=S] [--pcap=FILE] [--no-ladder] "
          "[--ladder=FILE] [--KEY=VALUE ...]\n\n"
          "Runs one half-close conversation in real time on the same link "
          "model as the\nsimulation, each end the model under a profile or "
          "the real Linux kernel of this\nmachine in a network namespace "
          "(root and /dev/net/tun needed), and prints its\ntimeline, "
          "outcome and anatomy as `replay` does. A kernel end runs "
          "halfclose-peer;\nits TCP has timestamps, SACK and window scaling "
          "off (as the model) and cubic.\n\n"
          "  --client=P   nt351, nt351-sp, bsd44, linux (+rfc1337), or kernel "
          "[nt351]\n"
          "  --server=P   the same [kernel]\n\n");
  cli_print_keys(f);
}

/* One end of the conversation that is a real kernel. */
typedef struct kend {
  emu_ns ns;
  pid_t pid; /* its program, 0 when none or reaped */
  int out;   /* the program's standard output, or -1 */
  char report[512];
  size_t got;
} kend;

typedef struct emu {
  conv_env *env;
  kend end[2];
  /* timing: how far behind the wall clock the events ran, at most, as the
   * polls (every 5 ms of simulated time) see it */
  double wall0_ms; /* wall clock at simulated 0, from the first poll */
  bool have_wall0;
  double late_ms;
  const char *peer; /* halfclose-peer's path */
  char *argv[2][16];
  char args[2][12][32];
} emu;

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
  emu *m = user;
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

static bool poll_end(void *user, int end, uint64_t *bytes, bool *eof,
                     int *error) {
  emu *m = user;
  double sim_ms = (double)conv_env_now(m->env) / 1e6, w = wall_ms();
  if (!m->have_wall0) {
    m->wall0_ms = w - sim_ms;
    m->have_wall0 = true;
  } else if (w - m->wall0_ms - sim_ms > m->late_ms) {
    m->late_ms = w - m->wall0_ms - sim_ms;
  }
  kend *k = &m->end[end];
  drain(k);
  if (k->pid && waitpid(k->pid, NULL, WNOHANG) != k->pid)
    return false;
  k->pid = 0;
  drain(k);
  const char *r = strstr(k->report, "bytes_read=");
  unsigned long long b = 0;
  int e = 0;
  char err[32] = "0";
  if (r)
    sscanf(r, "bytes_read=%llu eof=%d error=%31s", &b, &e, err);
  *bytes = b;
  *eof = e != 0;
  *error = r ? errno_of(err) : EIO;
  return true;
}

static void cleanup(emu *m) {
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
}

static void set_args(emu *m, int end, const char *const *words) {
  int n = 0;
  m->argv[end][n++] = (char *)m->peer;
  for (; words[n - 1] && n < 15; n++) {
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

int cmd_emulate(int argc, char **argv) {
  cli_params cp = {0};
  conv_params_default(&cp.p);
  const char *client = "nt351", *server = "kernel";
  replay_opts ro = {1, NULL, true};
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i], *v;
    int r;
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      return 0;
    } else if ((v = cli_opt(a, "client"))) {
      client = v;
    } else if ((v = cli_opt(a, "server"))) {
      server = v;
    } else if ((r = replay_opt(SUB, a, &ro)) != 0) {
      if (r < 0)
        return 2;
    } else if ((r = cli_param_arg(SUB, a, &cp)) <= 0) {
      if (r == 0)
        cli_error(SUB, "unknown option or key \"%s\" (see --help)", a);
      return 2;
    }
  }
  uint64_t seed = ro.seed;
  const char *pcap = ro.pcap;
  bool show = ro.show;
  if (cli_out_dir(SUB, "pcap", pcap) || cli_out_dir(SUB, "ladder", ladder_file))
    return 2;
  bool kern[2] = {strcmp(client, "kernel") == 0, strcmp(server, "kernel") == 0};
  tcp_profile prof[2];
  for (int i = 0; i < 2; i++)
    if (!kern[i] && cli_profile(SUB, i ? server : client, &cp, &prof[i]))
      return 2;
  if (kern[0] && kern[1])
    prof[0] = prof[1] = (tcp_profile){0};
  char err[600], peer[1024];
  if ((kern[0] || kern[1]) && emu_check(err, sizeof err) != 0)
    return cli_error(SUB, "%s", err);
  if ((kern[0] || kern[1]) && peer_path(peer, sizeof peer) != 0)
    return cli_error(SUB, "%s: halfclose-peer not found beside halfclose",
                     peer);
  if (cp.p.time_limit_ns > 60 * TCP_S)
    cp.p.time_limit_ns = 60 * TCP_S; /* a real minute at most */
  emu m;
  memset(&m, 0, sizeof m);
  m.peer = peer;
  for (int i = 0; i < 2; i++) {
    m.end[i].out = -1;
    m.end[i].ns.tap_fd = -1;
  }
  emu_sweep();
  /* real-time priority where the system allows it: the link's events then
   * run within a fraction of a millisecond of the wall clock (measured
   * here: median 0.14 ms, against 1.1 ms at normal priority); children
   * (the kernel ends' programs) do not inherit it */
  struct sched_param sp = {.sched_priority = 50};
  bool rt = sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp) == 0;
  conv_env *env;
  if (conv_env_new_realtime(&env, (uint32_t)(seed % 2147483646u) + 1, err,
                            sizeof err) != 0)
    return cli_error(SUB, "%s", err);
  m.env = env;
  /* each kernel sees its peer's address behind a MAC of the link's */
  static const uint8_t tap_mac[2][6] = {{2, 0, 0, 0, 1, 1}, {2, 0, 0, 0, 1, 2}},
                       link_mac[2][6] = {{2, 0, 0, 0, 0, 1},
                                         {2, 0, 0, 0, 0, 2}};
  static const char *const tags[2] = {"client", "server"};
  uint32_t addr[2] = {CONV_CLIENT_ADDR, CONV_SERVER_ADDR};
  int rc = 1;
  for (int i = 0; i < 2; i++) {
    if (!kern[i])
      continue;
    if (emu_ns_create(&m.end[i].ns, tags[i], addr[i], tap_mac[i], addr[1 - i],
                      link_mac[1 - i], (uint32_t)cp.p.mtu, err,
                      sizeof err) != 0 ||
        ns3c_link_attach_fd(conv_env_link(env), i, m.end[i].ns.tap_fd,
                            link_mac[1 - i], tap_mac[i]) != 0) {
      if (!err[0] || strstr(err, "namespace") == NULL)
        snprintf(err, sizeof err, "ns-3: %s", ns3c_last_error());
      cli_error(SUB, "%s", err);
      goto out;
    }
  }
  char b[12][24];
  if (kern[1]) {
    const char *w[] = {"server",
                       "80",
                       u64(b[0], cp.p.request),
                       u64(b[1], cp.p.response),
                       u64(b[2], cp.p.think_ns),
                       u64(b[3], cp.p.close_delay_ns),
                       u64(b[4], cp.p.wait_eof),
                       NULL};
    set_args(&m, 1, w);
    kend *k = &m.end[1];
    if (emu_ns_spawn(&k->ns, m.argv[1], &k->out, &k->pid) != 0) {
      cli_error(SUB, "cannot start halfclose-peer");
      goto out;
    }
    for (int t = 0; t < 500 && !strstr(k->report, "listening"); t++) {
      struct pollfd fd = {k->out, POLLIN, 0};
      if (poll(&fd, 1, 10) > 0)
        drain(k);
    }
    if (!strstr(k->report, "listening")) {
      cli_error(SUB, "the kernel server did not start listening");
      goto out;
    }
  }
  if (kern[0]) {
    const char *w[] = {"client",
                       "10.0.0.2",
                       "80",
                       u64(b[5], cp.p.request),
                       u64(b[6], cp.p.half_close),
                       u64(b[7], cp.p.shutdown_delay_ns),
                       u64(b[8], cp.p.read_size),
                       u64(b[9], cp.p.read_interval_ns),
                       u64(b[10], cp.p.read_delay_ns),
                       NULL};
    set_args(&m, 0, w);
  }
  conv_kernel k = {{kern[0], kern[1]}, start_client, poll_end, &m};
  struct utsname un;
  uname(&un);
  char header[512], title[256];
  snprintf(title, sizeof title, "emulated: client %s, server %s",
           kern[0] ? "Linux" : prof[0].name, kern[1] ? "Linux" : prof[1].name);
  snprintf(header, sizeof header,
           "emulated conversation in real time: client %s, server %s\n"
           "kernel ends: Linux %s; TCP timestamps, SACK and window "
           "scaling off, cubic,\ntcp_no_metrics_save=1, IPv6 off",
           kern[0] ? "kernel" : prof[0].name, kern[1] ? "kernel" : prof[1].name,
           un.release);
  replay_job j = {0,        env,  &k, SUB,  &cp.p, CONV_STACK_MODEL, &prof[0],
                  &prof[1], seed, 0,  pcap, show,  header,           title};
  conv_outcome o;
  rc = replay_one(&j, &o);
  if (rc == 0) {
    bool trusted = m.late_ms <= EMU_TOLERANCE_MS;
    printf("\ntiming: events ran at most %.2f ms behind the wall clock "
           "(tolerance %.1f ms, %s priority): %s\n",
           m.late_ms, EMU_TOLERANCE_MS, rt ? "real-time" : "normal",
           trusted ? "trusted" : "NOT trusted, run it again");
  }
out:
  cleanup(&m);
  conv_env_free(env);
  return rc;
}
