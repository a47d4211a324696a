/*
 * bench_user.c - the user's path side by side with ns-3's own TCP.
 *
 * On the article's shape (300 B request and half-close, 20 000 B response,
 * 10 Mb/s, 20 ms one way, a client reading as data arrives, nt351), N
 * conversations each way, R rounds, the median of each:
 *
 *   halfclose run, --jobs=1 and --jobs=2: the command a user runs, with
 *     its results store (a fresh one every round), every process counted;
 *   plain_ns3: the plainest honest ns-3 program for the same
 *     conversations with ns-3's own TCP (see plain_ns3.cc);
 *   bench_side: the model on the wrapper's link without store or workers,
 *     and the raw floor of that link (datagrams bounced over it);
 *   floor_ns3: the floor as ns-3 sets it, datagrams bounced over its own
 *     point-to-point devices.
 *
 * CPU is user + system of the process and everything it waited for
 * (wait4), so a run's workers and its store count; wall is the elapsed
 * time. It prints the medians and the ratios, and asserts nothing.
 *
 *   bench_user [N] [ROUNDS]   (defaults 20000 and 5)
 */
#define _DEFAULT_SOURCE /* wait4 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct sample {
  double cpu, wall;
  long rss_kib;
  char out[512]; /* the command's standard output */
} sample;

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Run argv, its output into s->out; -1 if it failed. */
static int measure(char *const argv[], sample *s) {
  int fd[2];
  if (pipe(fd) != 0)
    return -1;
  double t0 = now_s();
  pid_t pid = fork();
  if (pid == 0) {
    close(fd[0]);
    dup2(fd[1], STDOUT_FILENO);
    execv(argv[0], argv);
    _exit(127);
  }
  close(fd[1]);
  size_t n = 0;
  ssize_t got;
  while ((got = read(fd[0], s->out + n, sizeof s->out - 1 - n)) > 0)
    n += (size_t)got;
  s->out[n] = 0;
  close(fd[0]);
  int status;
  struct rusage ru;
  if (wait4(pid, &status, 0, &ru) != pid)
    return -1;
  s->wall = now_s() - t0;
  s->cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
  s->rss_kib = ru.ru_maxrss;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* A figure of bench_side's output line starting with `part`. */
static double side_figure(const char *out, const char *part, const char *key) {
  const char *line = strstr(out, part);
  const char *k = line ? strstr(line, key) : NULL;
  return k ? atof(k + strlen(key)) : 0;
}

enum { RUN1, RUN2, PLAIN, SIDE, FLOOR, NPARTS };

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 20000;
  int rounds = argc > 2 ? atoi(argv[2]) : 5;
  if (n <= 0 || rounds <= 0 || rounds > 50) {
    fprintf(stderr, "usage: bench_user [N] [ROUNDS]\n");
    return 2;
  }
  char dir[] = "/tmp/bench-user-XXXXXX";
  if (!mkdtemp(dir))
    return 1;
  char scn[600], store[600], nstr[32], outopt[640];
  snprintf(scn, sizeof scn, "%s/article.ini", dir);
  snprintf(store, sizeof store, "%s/article.db", dir);
  snprintf(nstr, sizeof nstr, "%ld", n);
  snprintf(outopt, sizeof outopt, "--out=%s", store);
  FILE *f = fopen(scn, "w");
  if (!f)
    return 1;
  fprintf(f, "; The article's shape, every value fixed\n"
             "[batch]\nprofiles = nt351\n"
             "[link]\ndelay = 20ms\nrate = 10Mbps\n"
             "[client]\nrequest = 300B\nread_interval = 0ms\n"
             "[server]\nresponse = 20000B\n");
  fclose(f);
  char conv[64];
  snprintf(conv, sizeof conv, "--conversations=%ld", n);
  char *run1[] = {HALFCLOSE_BIN, "run", scn, conv, "--jobs=1", outopt,
                  "--quiet", NULL};
  char *run2[] = {HALFCLOSE_BIN, "run", scn, conv, "--jobs=2", outopt,
                  "--quiet", NULL};
  char *plain[] = {PLAIN_NS3_BIN, nstr, NULL};
  char *side[] = {BENCH_SIDE_BIN, nstr, NULL};
  char *floor_cmd[] = {FLOOR_NS3_BIN, nstr, NULL};
  char *const *cmds[NPARTS] = {run1, run2, plain, side, floor_cmd};
  double cpu[NPARTS][50], wall[NPARTS][50], rss[NPARTS][50];
  double model_pkt[50], floor_pkt[50], ns3_floor_pkt[50];
  for (int r = 0; r < rounds; r++)
    for (int p = 0; p < NPARTS; p++) {
      unlink(store);
      sample s;
      if (measure(cmds[p], &s) != 0) {
        fprintf(stderr, "bench_user: %s failed\n", cmds[p][0]);
        return 1;
      }
      cpu[p][r] = s.cpu;
      wall[p][r] = s.wall;
      rss[p][r] = (double)s.rss_kib;
      if (p == SIDE) {
        model_pkt[r] = side_figure(s.out, "(a)", "ns/packet");
        floor_pkt[r] = side_figure(s.out, "(c)", "ns/packet");
      }
      if (p == FLOOR)
        ns3_floor_pkt[r] = side_figure(s.out, "packets", "ns/packet");
    }
  unlink(store);
  unlink(scn);
  rmdir(dir);
  static const char *const names[NPARTS] = {
      "halfclose run --jobs=1 (store)", "halfclose run --jobs=2 (store)",
      "plain ns-3 TCP program", "bench_side (a, b, c in turn)",
      "floor_ns3 (ns-3's devices)"};
  double mc[NPARTS], mw[NPARTS];
  printf("N = %ld conversations, median of %d rounds\n", n, rounds);
  for (int p = 0; p < NPARTS; p++) {
    mc[p] = median(cpu[p], rounds);
    mw[p] = median(wall[p], rounds);
    printf("%-32s CPU %7.2f s  wall %7.2f s  %8.0f conv/s (CPU)  "
           "peak RSS %6.0f KiB\n",
           names[p], mc[p], mw[p], (double)n / mc[p],
           median(rss[p], rounds));
  }
  double mp = median(model_pkt, rounds), fp = median(floor_pkt, rounds),
         np = median(ns3_floor_pkt, rounds);
  printf("halfclose run --jobs=1 vs plain ns-3 TCP: %.1fx the conversations "
         "per CPU second\n",
         mc[PLAIN] / mc[RUN1]);
  printf("halfclose run --jobs=2 vs plain ns-3 TCP: %.1fx per wall second\n",
         mw[PLAIN] / mw[RUN2]);
  printf("model on the link (no store) vs ns-3's raw floor (its devices): "
         "%.0f vs %.0f ns per packet, %.2fx\n",
         mp, np, np > 0 ? mp / np : 0);
  printf("model on the link (no store) vs the wrapper link's raw floor: "
         "%.0f vs %.0f ns per packet, %.2fx\n",
         mp, fp, fp > 0 ? mp / fp : 0);
  return 0;
}
