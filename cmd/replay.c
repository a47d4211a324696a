/*
 * replay.c - `halfclose replay`: one conversation, its timeline, outcome
 * and, when there was one, the anatomy of the reset.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "cli.h"
#include "conv.h"
#include "ladder.h"
#include "outcome_cols.h"
#include "pkt.h"
#include "plot.h"
#include "replay.h"
#include "store.h"

static const char *const SUB = "replay";

static void usage(FILE *f) {
  fprintf(f, "usage: halfclose replay [--profile=P] [--server_profile=P] "
             "[--seed=S]\n"
             "                        [--conversation=I] [--pcap=FILE] "
             "[--no_ladder] [--KEY=VALUE ...]\n\n"
             "Runs one half-close conversation on ns-3 and prints its timeline "
             "(one line\nper segment, with the delayed-ACK timer and the "
             "applications' calls between),\nits outcome and, when the client "
             "was reset, the anatomy of the reset.\n\n"
             "  --profile=P          client profile: nt351, nt351-sp, bsd44, "
             "linux (+rfc1337),\n"
             "                       or FILE:NAME, the [profile NAME] of "
             "scenario FILE [nt351]\n"
             "  --server_profile=P   server profile [the client's]\n"
             "  --seed=S             seed of every random choice [1]\n"
             "  --conversation=I     conversation index within the seed [0]\n"
             "  --pcap=FILE          write the capture at the client's device: "
             "pcapng, bare\n"
             "                       IPv4, each packet's reason as its "
             "comment\n"
             "  --pcap_server=FILE   the same at the server's device\n"
             "  --no_ladder          print the outcome only\n"
             "  --pkt=FILE           write one side of it as a script in "
             "packetdrill's\n"
             "                       language (halfclose script runs it)\n"
             "  --side=client|server the side --pkt writes [client]\n"
             "  --ladder=FILE        draw the ladder diagram (.png, .svg or "
             ".pdf) with gnuplot\n\n"
             "With a results STORE, the conversation is the store's "
             "conversation I under\nprofile P, drawn again from the scenario "
             "and seed kept in the store; the\nreplay checks that it gets the "
             "stored outcome (exit status 1 if not).\n\n");
  cli_print_keys(f);
}

const char *ladder_file;
const char *pcap_server_file;
static const char *pkt_file;
static int pkt_side; /* 0 client, 1 server */

/* Both what the ladder and the script take from the trace. */
typedef struct traced {
  ladder *lad;
  pkt_writer *pkt;
} traced;

static void on_event(void *user, const tcp_event *ev) {
  traced *t = user;
  ladder_on_event(t->lad, ev);
  pkt_writer_event(t->pkt, ev);
}

/* The script's opening comments: what it is, and the command that runs
 * it - the side's profile with every knob that is not its preset's, and
 * the tick phase the conversation drew. */
static void pkt_header(const replay_job *j, const conv_outcome *o, char *buf,
                       size_t cap) {
  const tcp_profile *p = pkt_side ? j->server : j->client;
  tcp_profile base;
  const char *stack = p->name;
  if (tcp_profile_preset(&base, stack) != 0) { /* a scenario's own */
    stack = "nt351";
    tcp_profile_preset(&base, stack);
  }
  const char *line_end = strchr(j->header, '\n');
  int n =
      snprintf(buf, cap,
               "// %.*s\n// the %s's side: the local stack is the %s "
               "(%s), the script its peer.\n// halfclose script FILE "
               "--stack=%s",
               line_end ? (int)(line_end - j->header) : (int)strlen(j->header),
               j->header, pkt_side ? "server" : "client",
               pkt_side ? "server" : "client", p->name, stack);
  size_t nk;
  const tcp_knob_info *k = tcp_profile_knobs(&nk);
  for (size_t i = 0; i < nk && n > 0 && (size_t)n < cap; i++) {
    uint64_t a = 0, b = 0;
    tcp_profile q = *p;
    if (strcmp(k[i].name, "delack_phase") == 0 &&
        o->phase_ns[pkt_side] != CONV_NONE)
      q.delack_phase_ns = (uint64_t)o->phase_ns[pkt_side];
    tcp_profile_get(&q, k[i].name, &a);
    tcp_profile_get(&base, k[i].name, &b);
    char v[64];
    if (a != b)
      n += snprintf(buf + n, cap - (size_t)n, " --%s=%s", k[i].name,
                    hc_format_knob(&k[i], a, v, sizeof v));
  }
  if (n > 0 && (size_t)n < cap)
    snprintf(buf + n, cap - (size_t)n, "\n");
}

/* Draw the ladder diagram if asked; 0 or 1 (after a message). */
static int draw_ladder(const ladder *lad, const char *title) {
  if (!ladder_file)
    return 0;
  char err[1200];
  if (plot_ladder(lad, ladder_file, title, err, sizeof err) != 0) {
    fprintf(stderr, "halfclose replay: %s\n", err);
    return 1;
  }
  printf("ladder diagram: %s\n", ladder_file);
  return 0;
}

static void print_result(const conv_outcome *o, ladder *lad, bool show,
                         const char *pcap) {
  if (show) {
    ladder_print(lad, stdout);
    printf("\n");
  }
  conv_outcome_print(stdout, o);
  if (o->redundant_ack || o->server_rst || o->conn_reset) {
    printf("\n");
    conv_anatomy_print(stdout, o);
  }
  if (pcap)
    printf("\ncapture: %s\n", pcap);
  if (pcap_server_file)
    printf("server's capture: %s\n", pcap_server_file);
}

int replay_opt(const char *sub, const char *a, replay_opts *o) {
  const char *v;
  if ((v = cli_opt(a, "seed")))
    return cli_u64(sub, "seed", v, &o->seed) ? -1 : 1;
  if ((v = cli_opt(a, "pcap"))) {
    o->pcap = v;
    return 1;
  }
  if ((v = cli_opt(a, "pcap_server"))) {
    pcap_server_file = v;
    return 1;
  }
  if ((v = cli_opt(a, "pkt")) && strcmp(sub, SUB) == 0) {
    pkt_file = v;
    return 1;
  }
  if ((v = cli_opt(a, "side")) && strcmp(sub, SUB) == 0) {
    if (strcmp(v, "client") && strcmp(v, "server")) {
      cli_error(sub, "--side=%s: expected client or server", v);
      return -1;
    }
    pkt_side = strcmp(v, "server") == 0;
    return 1;
  }
  if (strcmp(a, "--no_ladder") == 0) {
    o->show = false;
    return 1;
  }
  if ((v = cli_opt(a, "ladder"))) {
    /* checked before the run (exit 2), not after it */
    const char *dot = strrchr(v, '.');
    if (!dot ||
        (strcmp(dot, ".png") && strcmp(dot, ".svg") && strcmp(dot, ".pdf"))) {
      cli_error(sub,
                "--ladder=%s: expected a file name ending in .png, "
                ".svg or .pdf",
                v);
      return -1;
    }
    ladder_file = v;
    return 1;
  }
  return 0;
}

int replay_one(const replay_job *j, conv_outcome *o) {
  conv_env *env = j->env;
  char why[600] = "";
  const char *sub = j->sub ? j->sub : SUB;
  if (!env && conv_env_new(&env, j->ns3_seed, why, sizeof why) != 0) {
    fprintf(stderr, "halfclose %s: %s\n", sub, why);
    return 1;
  }
  ladder *lad = ladder_new();
  traced tr = {lad, NULL};
  if (pkt_file && !(tr.pkt = pkt_writer_new(pkt_side ? CONV_SERVER_ADDR
                                                     : CONV_CLIENT_ADDR))) {
    ladder_free(lad);
    fprintf(stderr, "halfclose %s: out of memory\n", sub);
    return 1;
  }
  /* the capture is written beside its name and renamed only when the run
   * and every write of it succeeded */
  char tmp[1100], tmp_server[1100];
  if (j->pcap)
    cli_out_tmp(j->pcap, tmp, sizeof tmp);
  if (pcap_server_file)
    cli_out_tmp(pcap_server_file, tmp_server, sizeof tmp_server);
  /* the checker reads every event of both hosts: a kernel's are not all
   * there */
  conv_opts opts = {.trace = on_event,
                    .trace_user = &tr,
                    .pcap_path = j->pcap ? tmp : NULL,
                    .pcap_server_path = pcap_server_file ? tmp_server : NULL,
                    .check = j->stack != CONV_STACK_NS3 && !j->kernel,
                    .kernel = j->kernel};
  int rv = conv_run(env, j->p, j->stack, j->client, j->server, j->seed,
                    j->index, &opts, o, why, sizeof why);
  if (!j->env)
    conv_env_free(env);
  int committed = 0;
  if (j->pcap && cli_out_commit(sub, tmp, j->pcap, rv == 0) != 0)
    committed = -1;
  if (pcap_server_file &&
      cli_out_commit(sub, tmp_server, pcap_server_file, rv == 0) != 0)
    committed = -1;
  if (tr.pkt) { /* the script, written whole or not at all */
    char header[4096];
    if (rv == 0)
      pkt_header(j, o, header, sizeof header);
    FILE *f = rv == 0 ? cli_out_open(sub, pkt_file) : NULL;
    if (!f)
      pkt_writer_finish(tr.pkt, "", NULL);
    else if (cli_out_close(f, pkt_file, pkt_writer_finish(tr.pkt, header, f)))
      committed = -1;
    tr.pkt = NULL;
  }
  if (committed && !rv) {
    ladder_free(lad);
    return 1;
  }
  if (rv) {
    fprintf(stderr, "halfclose %s: %s\n", sub, why);
    ladder_free(lad);
    return 1;
  }
  printf("%s\n\n", j->header);
  ladder_mark_outcome(lad, o);
  print_result(o, lad, j->show, j->pcap);
  int drawn = draw_ladder(lad, j->title);
  ladder_free(lad);
  return drawn;
}

/* Conversation `index` of a store under `profile`, checked against the
 * stored row. */
static int replay_stored(const char *path, uint64_t index, const char *profile,
                         const char *pcap, bool show) {
  hc_store *st;
  char err[600] = "";
  scenario s;
  if (store_open(&st, path, STORE_READ, err, sizeof err) != 0)
    return cli_error(SUB, "%s", err);
  if (store_check(st, err, sizeof err) != 0 ||
      store_scenario(st, &s, err, sizeof err) != 0) {
    store_close(st);
    return cli_error(SUB, "%s", err);
  }
  int pr = -1;
  for (int i = 0; i < s.nprofiles; i++)
    if (strcmp(s.profiles[i], profile) == 0)
      pr = i;
  conv_outcome stored;
  int have =
      pr >= 0 ? store_get(st, index, profile, &stored, err, sizeof err) : 0;
  store_close(st);
  if (have < 0) {
    scn_free(&s);
    return cli_error(SUB, "%s", err);
  }
  if (pr < 0) {
    scn_free(&s);
    return cli_error(SUB, "%s has no profile %s", path, profile);
  }
  if (!have) {
    scn_free(&s);
    return cli_error(SUB, "%s has no conversation %" PRIu64 " for %s", path,
                     index, profile);
  }
  conv_params p;
  double values[SCN_MAX_KEYS];
  scn_draw(&s, index, &p, values);
  scn_params_for(&s, profile, &p); /* a variant's conversation keys */
  scn_ends ends;
  if (scn_ends_for(&s, profile, values, &ends, err, sizeof err) != 0) {
    scn_free(&s);
    return cli_error(SUB, "%s", err);
  }
  /* a store is untrusted: its scenario may have been edited to one that
   * runs for hours */
  if (hc_conv_bounded(&p, ends.ns3 ? NULL : &ends.client,
                      ends.ns3 ? NULL : &ends.server, err, sizeof err)) {
    scn_free(&s);
    return cli_error(SUB, "conversation %" PRIu64 " %s", index, err);
  }
  const char *cname = ends.ns3 ? SCN_NS3_PROFILE : ends.client.name,
             *sname = ends.ns3 ? SCN_NS3_PROFILE : ends.server.name;
  char header[4096], title[256];
  int hn = snprintf(header, sizeof header,
                    "conversation %" PRIu64 " of %s (scenario %s, cell %" PRIu64
                    "): client %s, server %s\ndrawn:",
                    index, path, s.name, scn_cell(&s, index), cname, sname);
  /* what the scenario's keys drew for this conversation */
  for (int k = 0; k < s.nkeys && hn > 0 && (size_t)hn < sizeof header; k++) {
    const scn_key *key = &s.keys[k];
    char v[64];
    if (key->words)
      snprintf(v, sizeof v, "%s", key->words[(int)values[k]]);
    else
      hc_format_value(key->kind, values[k], v, sizeof v);
    hn += snprintf(header + hn, sizeof header - (size_t)hn, "%s %s = %s",
                   k ? "," : "", key->name, v);
  }
  if (s.nkeys == 0 && hn > 0 && (size_t)hn < sizeof header)
    hn += snprintf(header + hn, sizeof header - (size_t)hn,
                   " nothing (every key at its default)");
  /* a variant's own conversation keys, over the draws */
  size_t np;
  const hc_param *t = hc_params(&np);
  for (size_t k = 0; k < np && hn > 0 && (size_t)hn < sizeof header; k++)
    if (scn_variant_sets(&s, profile, t[k].key)) {
      char v[64];
      hc_param_format(&t[k], hc_param_get(&p, &t[k]), v, sizeof v);
      hn += snprintf(header + hn, sizeof header - (size_t)hn,
                     "\nset by variant %s: %s = %s", profile, t[k].key, v);
    }
  snprintf(title, sizeof title, "%s: conversation %" PRIu64 ", %s", s.name,
           index, cname);
  replay_job j = {batch_ns3_seed(&s),
                  NULL,
                  NULL,
                  SUB,
                  &p,
                  ends.ns3      ? CONV_STACK_NS3
                  : p.ns3_stack ? CONV_STACK_PLUGIN
                                : CONV_STACK_MODEL,
                  &ends.client,
                  &ends.server,
                  scn_conv_seed(&s),
                  index,
                  pcap,
                  show,
                  header,
                  title};
  conv_outcome o;
  int rv = replay_one(&j, &o);
  scn_free(&s);
  if (rv)
    return rv;
  /* every column the store keeps (sim/outcome_cols.h) */
  const char *which = NULL;
  bool same = conv_outcome_same(&o, &stored, &which);
  if (same)
    printf("\nthe stored outcome is reproduced\n");
  else
    printf("\nDIFFERS from the stored outcome (first in %s)\n", which);
  return same ? 0 : 1;
}

int cmd_replay(int argc, char **argv) {
  cli_params cp = {0};
  conv_params_default(&cp.p);
  const char *profile = "nt351", *server_profile = NULL;
  replay_opts ro = {1, NULL, true};
  uint64_t index = 0;
  bool have_index = false;
  int got;
  const char *store_path = NULL;
  int overrides = 0; /* --KEY=VALUE given */
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i], *v;
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      return 0;
    } else if ((v = cli_opt(a, "profile"))) {
      profile = v;
    } else if ((v = cli_opt(a, "server_profile"))) {
      server_profile = v;
    } else if ((got = replay_opt(SUB, a, &ro)) != 0) {
      if (got < 0)
        return 2;
    } else if ((v = cli_opt(a, "conversation"))) {
      if (cli_u64(SUB, "conversation", v, &index))
        return 2;
      have_index = true;
    } else if (a[0] != '-' && !store_path) {
      store_path = a;
    } else {
      got = cli_param_arg(SUB, a, &cp);
      if (got < 0)
        return 2;
      if (got == 0)
        return cli_error(SUB, "unknown option or key \"%s\" (see --help)", a);
      overrides++;
    }
  }
  uint64_t seed = ro.seed;
  const char *pcap = ro.pcap;
  bool show_ladder = ro.show;
  if (cli_out_check(SUB, "pcap", pcap, store_path, 0) ||
      cli_out_check(SUB, "pcap_server", pcap_server_file, store_path, 0) ||
      cli_out_check(SUB, "ladder", ladder_file, store_path, 0) ||
      cli_out_check(SUB, "pkt", pkt_file, store_path, 0))
    return 2;
  if (pcap && pcap_server_file && strcmp(pcap, pcap_server_file) == 0)
    return cli_error(SUB, "--pcap and --pcap_server name the same file");
  if (store_path) {
    if (!have_index)
      return cli_error(SUB, "replaying from a store needs --conversation=I");
    if (overrides || seed != 1 || server_profile)
      return cli_error(SUB, "a stored conversation takes its parameters, "
                            "seed and server profile from the store; "
                            "--KEY=VALUE, --seed and --server_profile do not "
                            "apply (replay without the store to change "
                            "them)");
    return replay_stored(store_path, index, profile, pcap, show_ladder);
  }
  tcp_profile cprof, sprof;
  bool ns3 = strcmp(profile, SCN_NS3_PROFILE) == 0;
  if (ns3 && server_profile && strcmp(server_profile, SCN_NS3_PROFILE) != 0)
    return cli_error(SUB,
                     "ns-3's own TCP runs both ends: --server_profile "
                     "does not apply to %s",
                     SCN_NS3_PROFILE);
  if (cli_profile(SUB, ns3 ? "nt351" : profile, &cp, &cprof) ||
      cli_profile(SUB,
                  ns3 || !server_profile ? (ns3 ? "nt351" : profile)
                                         : server_profile,
                  &cp, &sprof))
    return 2;
  char why[400];
  if (hc_conv_bounded(&cp.p, ns3 ? NULL : &cprof, ns3 ? NULL : &sprof, why,
                      sizeof why))
    return cli_error(SUB, "this conversation %s", why);

  char d[32], r[32], header[512], title[256];
  hc_format_value(HC_TIME, (double)cp.p.delay_ns, d, sizeof d);
  hc_format_value(HC_RATE, (double)cp.p.rate_bps, r, sizeof r);
  snprintf(title, sizeof title,
           "client %s, server %s: delay %s, rate %s, response %" PRIu64 " B",
           ns3 ? SCN_NS3_PROFILE : cprof.name,
           ns3 ? SCN_NS3_PROFILE : sprof.name, d, r, cp.p.response);
  snprintf(header, sizeof header,
           "conversation %" PRIu64 " of seed %" PRIu64 ": %s", index, seed,
           title);
  replay_job j = {(uint32_t)(seed % 2147483646u) + 1,
                  NULL,
                  NULL,
                  SUB,
                  &cp.p,
                  ns3              ? CONV_STACK_NS3
                  : cp.p.ns3_stack ? CONV_STACK_PLUGIN
                                   : CONV_STACK_MODEL,
                  &cprof,
                  &sprof,
                  seed,
                  index,
                  pcap,
                  show_ladder,
                  header,
                  title};
  conv_outcome o;
  return replay_one(&j, &o);
}
