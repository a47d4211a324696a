/*
 * bench_side.c - halfclose against ns-3's own TCP, side by side.
 *
 * Three runs of the same shape (300 B request and half-close, 20 000 B
 * response, 10 Mb/s, 20 ms one way, a client reading as data arrives), each
 * in a process of its own so that each peak RSS is its own:
 *
 *   (a) halfclose: the model's hosts on an ns3c link, profile nt351;
 *   (b) ns-3's own TCP (TcpSocketBase over the internet stack) under the
 *       same conversation (CONV_STACK_NS3, MSL 500 ms);
 *   (c) the floor: as many raw datagrams per conversation as (a) sent,
 *       bounced over the same ns3c link with handlers that do nothing else;
 *   (d) the plug-in path: the model's hosts as ns-3's TCP on ns-3's internet
 *       stack (CONV_STACK_PLUGIN), the same link as (b).
 *
 * It prints conversations/s, ns per simulated packet and peak RSS for
 * each, and the ratios (a)/(b), (a)/(c) and (d)/(b).
 *
 *   bench_side [N]   (N conversations each; default 20000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conv.h"
#include "ns3c.h"

typedef struct figures {
  double seconds;
  double packets;
  long rss_kib;
} figures;

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static conv_params shape(void) {
  conv_params p;
  conv_params_default(&p);
  p.read_interval_ns = 0; /* the KB shape: read as data arrives */
  return p;
}

static figures run_stack(long n, conv_stack stack) {
  figures f = {0, 0, 0};
  conv_params p = shape();
  tcp_profile prof;
  tcp_profile_preset(&prof, "nt351");
  conv_env *e;
  if (conv_env_new(&e, 1, NULL, 0) != 0)
    exit(1);
  double t0 = now_s();
  for (long i = 0; i < n; i++) {
    conv_outcome o;
    if (conv_run(e, &p, stack, &prof, &prof, 1, (uint64_t)i, NULL, &o, NULL, 0) !=
            0 ||
        !o.completed)
      exit(1);
    f.packets += o.segments[0] + o.segments[1];
  }
  f.seconds = now_s() - t0;
  conv_env_free(e);
  return f;
}

typedef struct bounce {
  ns3c_link *l;
  long left;
  uint8_t d[576];
} bounce;

static void on_rx(void *user, int node, const uint8_t *d, size_t len) {
  bounce *b = user;
  (void)d;
  if (b->left-- > 0)
    ns3c_link_send(b->l, 1 - node, b->d, len);
}

static figures run_floor(long n, double per_conv) {
  figures f = {0, 0, 0};
  ns3c_sim *s;
  if (ns3c_sim_new(&s, 1, 0) != 0)
    exit(1);
  conv_params p = shape();
  ns3c_link_config c = {p.rate_bps, p.delay_ns, 100, 1500, 0, 0};
  bounce b;
  memset(&b, 0, sizeof b);
  b.d[0] = 0x45;
  if (ns3c_link_new(s, &c, &b.l) != 0)
    exit(1);
  ns3c_link_set_receive(b.l, on_rx, &b);
  long k = (long)(per_conv + 0.5);
  double t0 = now_s();
  for (long i = 0; i < n; i++) {
    ns3c_link_configure(b.l, &c);
    b.left = k - 1;
    ns3c_link_send(b.l, 0, b.d, sizeof b.d);
    ns3c_run(s);
    f.packets += (double)k;
  }
  f.seconds = now_s() - t0;
  ns3c_sim_free(s);
  return f;
}

/* Run one part in a child process; its figures come back through a pipe. */
static figures in_child(int part, long n, double per_conv) {
  int fd[2];
  if (pipe(fd) != 0)
    exit(1);
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    close(fd[0]);
    figures f = part == 0   ? run_stack(n, CONV_STACK_MODEL)
                : part == 1 ? run_stack(n, CONV_STACK_NS3)
                : part == 3 ? run_stack(n, CONV_STACK_PLUGIN)
                            : run_floor(n, per_conv);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    f.rss_kib = ru.ru_maxrss;
    if (write(fd[1], &f, sizeof f) != (ssize_t)sizeof f)
      _exit(1);
    _exit(0);
  }
  close(fd[1]);
  figures f = {0, 0, 0};
  if (read(fd[0], &f, sizeof f) != (ssize_t)sizeof f) {
    fprintf(stderr, "bench_side: part %d failed\n", part);
    exit(1);
  }
  close(fd[0]);
  waitpid(pid, NULL, 0);
  return f;
}

static void line(const char *name, long n, figures f) {
  printf("%-28s conv/s %9.0f   ns/packet %7.0f   packets/conv %5.1f   "
         "peak RSS %6ld KiB\n",
         name, (double)n / f.seconds, f.seconds * 1e9 / f.packets,
         f.packets / (double)n, f.rss_kib);
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 20000;
  if (n <= 0) {
    fprintf(stderr, "usage: bench_side [N]\n");
    return 2;
  }
  figures a = in_child(0, n, 0);
  figures b = in_child(1, n, 0);
  figures c = in_child(2, n, a.packets / (double)n);
  figures d = in_child(3, n, 0);
  printf("N = %ld conversations each\n", n);
  line("(a) halfclose (model, nt351)", n, a);
  line("(b) ns-3 TcpSocketBase", n, b);
  line("(c) floor: raw bounce", n, c);
  line("(d) plug-in (model as ns-3 TCP)", n, d);
  printf("(a) / (b): %.1fx the conversations/s of ns-3's own TCP\n",
         b.seconds / a.seconds);
  printf("(a) / (c): %.2fx the floor's time per packet\n",
         (a.seconds / a.packets) / (c.seconds / c.packets));
  printf("(d) / (b): %.1fx the conversations/s of ns-3's own TCP, through "
         "the same internet stack and device\n",
         b.seconds / d.seconds);
  return 0;
}
