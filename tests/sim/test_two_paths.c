/*
 * test_two_paths.c - two paths, one answer: each conversation of a
 * scenario, run on the fast path (the model's hosts on the wrapper's own
 * link model) and on the plug-in path (the same hosts as ns-3's TCP, through
 * ns-3's Ipv4L3Protocol and PointToPointNetDevice), must give the same
 * outcome, every column of it - loss and queue overflow included. It also
 * checks the fast link model against ns-3's device, which nothing else
 * does.
 *
 *   test_two_paths [--control] N SCENARIO...
 *       the first N conversations of each, every profile but ns3-native
 *       (not the model); --control (the negative control) lengthens the
 *       plug-in path's delay by 1 ns, which must show as differences
 *
 * The first 3 conversations of each scenario (its first profile) are also
 * captured at both ends on both paths: the captures must be the same, byte
 * for byte - the model's datagrams, times and comments.
 *
 * A conversation across [path] routers does not fit one link: it is
 * skipped, and counted.
 *
 * Prints per scenario the conversations compared and those with loss or
 * queue drops (the cases the paths could part on), and each difference
 * with the first column that differs. Exit 0 when all agree, 1 when any
 * differs, 2 on bad input.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "conv.h"
#include "outcome_cols.h"
#include "scenario.h"

/* Whether two files hold the same bytes. */
static bool same_file(const char *a, const char *b) {
  FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
  bool same = fa && fb;
  while (same) {
    int ca = getc(fa), cb = getc(fb);
    same = ca == cb;
    if (ca == EOF)
      break;
  }
  if (fa)
    fclose(fa);
  if (fb)
    fclose(fb);
  return same;
}

/* TWO_PATHS_TRACE=FILE: both paths' trace events of every conversation
 * that differs, for a diff */
static FILE *trace_out;
static void trace(void *user, const tcp_event *ev) {
  char line[400];
  tcp_event_format(ev, line, sizeof line);
  fprintf(trace_out, "%s %s\n", (const char *)user, line);
}

int main(int argc, char **argv) {
  bool control = argc > 1 && strcmp(argv[1], "--control") == 0;
  argc -= control;
  argv += control;
  if (argc < 3) {
    fprintf(stderr, "usage: test_two_paths [--control] N SCENARIO...\n");
    return 2;
  }
  uint64_t n = strtoull(argv[1], NULL, 10);
  int differ = 0;
  static char msgs[16384];
  for (int a = 2; a < argc; a++) {
    scenario *s = calloc(1, sizeof *s);
    if (!s || scn_load(s, argv[a], msgs, sizeof msgs, NULL) != 0) {
      fprintf(stderr, "%s\n", msgs);
      return 2;
    }
    conv_env *e;
    char err[400];
    if (conv_env_new(&e, batch_ns3_seed(s), err, sizeof err) != 0) {
      fprintf(stderr, "%s\n", err);
      return 2;
    }
    uint64_t compared = 0, lossy = 0, same = 0, captured = 0, routed = 0;
    for (uint64_t i = 0; i < n && i < s->conversations; i++) {
      conv_params p;
      double values[SCN_MAX_KEYS];
      scn_draw(s, i, &p, values);
      if (p.routers) { /* a [path] does not fit one link */
        routed++;
        continue;
      }
      for (int pr = 0; pr < s->nprofiles; pr++) {
        scn_ends ends;
        if (scn_ends_for(s, s->profiles[pr], values, &ends, err, sizeof err))
          return fprintf(stderr, "%s\n", err), 2;
        if (ends.ns3)
          continue;
        conv_outcome o[2];
        conv_params q = p;
        q.ns3_stack = 1;
        q.delay_ns += control;
        bool capture = i < 3 && pr == 0;
        char cap[4][64];
        for (int k = 0; k < 4; k++)
          snprintf(cap[k], sizeof cap[k], "two_paths_%d.pcapng", k);
        for (int path = 0; path < 2; path++) {
          conv_opts copts = {.pcap_path = cap[2 * path],
                             .pcap_server_path = cap[2 * path + 1]};
          if (conv_run(e, path ? &q : &p,
                       path ? CONV_STACK_PLUGIN : CONV_STACK_MODEL,
                       &ends.client, &ends.server, scn_conv_seed(s), i,
                       capture ? &copts : NULL, &o[path], err,
                       sizeof err) != 0) {
            fprintf(stderr, "%s: conversation %llu, %s: %s\n", argv[a],
                    (unsigned long long)i, s->profiles[pr], err);
            return 2;
          }
        }
        if (capture) {
          captured++;
          for (int k = 0; k < 2; k++)
            if (!same_file(cap[k], cap[k + 2])) {
              differ = 1;
              printf("%s: conversation %llu, %s: the %s's captures differ\n",
                     argv[a], (unsigned long long)i, s->profiles[pr],
                     k ? "server" : "client");
            }
          for (int k = 0; k < 4; k++)
            remove(cap[k]);
        }
        compared++;
        lossy += o[0].lost > 0;
        const char *which = "";
        if (conv_outcome_same(&o[0], &o[1], &which)) {
          same++;
          continue;
        }
        differ = 1;
        const char *tp = getenv("TWO_PATHS_TRACE");
        if (tp && (trace_out = fopen(tp, "w"))) {
          for (int path = 0; path < 2; path++) {
            conv_opts opts = {.trace = trace,
                              .trace_user = path ? "plugin" : "link"};
            conv_run(e, path ? &q : &p,
                     path ? CONV_STACK_PLUGIN : CONV_STACK_MODEL, &ends.client,
                     &ends.server, scn_conv_seed(s), i, &opts, &o[path], err,
                     sizeof err);
          }
          fclose(trace_out);
          trace_out = NULL;
          return 1;
        }
        printf("%s: conversation %llu, %s: %s differs (lost %u / %u)\n",
               argv[a], (unsigned long long)i, s->profiles[pr], which,
               o[0].lost, o[1].lost);
      }
    }
    printf("%s: %llu of %llu conversations the same on both paths (%llu "
           "with loss or queue drops); %llu captured at both ends; %llu "
           "across routers, not one link: not compared\n",
           argv[a], (unsigned long long)same, (unsigned long long)compared,
           (unsigned long long)lossy, (unsigned long long)captured,
           (unsigned long long)routed);
    conv_env_free(e);
    scn_free(s);
    free(s);
  }
  return differ;
}
