/*
 * bench_conv.c - conversations per second on ns-3, and peak memory.
 *
 * Runs N conversations of the article's shape (300 B request and
 * half-close, 20 000 B response, 10 Mb/s, 20 ms one way, nt351, a client
 * that reads as data arrives) in one process, then prints conversations/s,
 * simulated packets/s, ns per packet and peak RSS. Run it with two values
 * of N: peak RSS must not grow with N.
 *
 *   bench_conv [N] [profile]
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "conv.h"

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 20000;
  const char *name = argc > 2 ? argv[2] : "nt351";
  tcp_profile p;
  if (n <= 0 || tcp_profile_preset(&p, name) != 0) {
    fprintf(stderr, "usage: bench_conv [N > 0] [profile]\n");
    return 2;
  }
  conv_params cp;
  conv_params_default(&cp);
  cp.read_interval_ns = 0; /* read as data arrives: the KB shape */
  conv_env *e;
  if (conv_env_new(&e, 1, NULL, 0) != 0)
    return 1;
  uint64_t packets = 0, resets = 0;
  double t0 = seconds();
  for (long i = 0; i < n; i++) {
    conv_outcome o;
    char err[400];
    if (conv_run(e, &cp, CONV_STACK_MODEL, &p, &p, 1, (uint64_t)i, NULL, &o,
                 err, sizeof err) != 0) {
      fprintf(stderr, "conversation %ld: %s\n", i, err);
      return 1;
    }
    packets += o.segments[0] + o.segments[1];
    resets += o.conn_reset;
  }
  double dt = seconds() - t0;
  conv_env_free(e);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("profile=%s conversations=%ld seconds=%.3f conv_per_s=%.0f "
         "packets=%llu ns_per_packet=%.0f resets=%llu peak_rss_kib=%ld\n",
         name, n, dt, (double)n / dt, (unsigned long long)packets,
         dt * 1e9 / (double)packets, (unsigned long long)resets, ru.ru_maxrss);
  return 0;
}
