/*
 * bench_batch.c - the batch runner's throughput and memory.
 *
 * Runs the default scenario (or SCENARIO) for N conversations per profile
 * into a fresh store with the given number of worker processes, and prints
 * conversations/s (each conversation under every profile counts once),
 * the parent's peak RSS and the largest worker's peak RSS.
 *
 *   bench_batch [N] [JOBS] [SCENARIO]
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "batch.h"

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 10000;
  int jobs = argc > 2 ? atoi(argv[2]) : 1;
  const char *path = argc > 3 ? argv[3] : HALFCLOSE_DEFAULT_SCENARIO;
  scenario s;
  char msgs[4096];
  if (n <= 0 || jobs <= 0 || scn_load(&s, path, msgs, sizeof msgs, NULL)) {
    fprintf(stderr, "%s\n", n <= 0 || jobs <= 0 ? "" : msgs);
    fprintf(stderr, "usage: bench_batch [N] [JOBS] [SCENARIO]\n");
    return 2;
  }
  char store[] = "/tmp/bench-batch-XXXXXX";
  int fd = mkstemp(store);
  if (fd < 0)
    return 1;
  close(fd);
  unlink(store);
  s.conversations = (uint64_t)n / s.cells;
  batch_opts o = {store, "bench", jobs, false, NULL, NULL, NULL};
  batch_progress p;
  char err[600] = "";
  batch_status st = batch_run(&s, scn_total(&s), &o, &p, err, sizeof err);
  if (st != BATCH_DONE) {
    fprintf(stderr, "bench_batch: %s\n", err);
    return 1;
  }
  struct rusage self, kids;
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &kids);
  double parent_user =
      (double)self.ru_utime.tv_sec + (double)self.ru_utime.tv_usec / 1e6;
  double parent_cpu = parent_user + (double)self.ru_stime.tv_sec +
                      (double)self.ru_stime.tv_usec / 1e6;
  printf(
      "scenario=%s conversations=%llu profiles=%d jobs=%d seconds=%.2f "
      "conv_per_s=%.0f parent_cpu_s=%.2f (user %.2f) parent_peak_rss_kib=%ld "
      "worker_peak_rss_kib=%ld\n",
      s.name, (unsigned long long)p.done, s.nprofiles, jobs, p.elapsed_s,
      (double)p.done / p.elapsed_s, parent_cpu, parent_user, self.ru_maxrss,
      kids.ru_maxrss);
  char wal[600];
  unlink(store);
  snprintf(wal, sizeof wal, "%s-wal", store);
  unlink(wal);
  snprintf(wal, sizeof wal, "%s-shm", store);
  unlink(wal);
  scn_free(&s);
  return 0;
}
