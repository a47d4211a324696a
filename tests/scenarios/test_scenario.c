/*
 * test_scenario.c - scenario files: 36 malformed ones, each with the
 * message it must get (file, line, key, value, what was expected), the
 * draws (deterministic, within range, grids crossed), and every shipped
 * scenario loading.
 */
#include "scenario.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

typedef struct bad {
  const char *text;   /* file body */
  const char *expect; /* substring of the message */
} bad;

static const bad table[] = {
    {"[nope]\nx = 1\n", "t.ini:1: unknown section [nope]"},
    {"[link]\nbogus = 1ms\n", "t.ini:2: [link] bogus = 1ms: unknown key"},
    {"[client]\ndelay = 1ms\n",
     "[client] delay = 1ms: this key belongs in [link]"},
    {"[link]\ndelack = 1ms\n", "this key belongs in [tcp]"},
    {"[link]\ndelay = 20parsecs\n", "unknown unit \"parsecs\""},
    {"[link]\ndelay = 20\n", "a unit is required"},
    {"[link]\ndelay = 20KB\n", "\"KB\" is a unit of size; expected a time"},
    {"[server]\nresponse = 20ms\n",
     "\"ms\" is a unit of time; expected a size"},
    {"[link]\nrate = 10MB\n", "\"MB\" is a unit of size; expected a rate"},
    {"[link]\ndelay = -5ms\n", "-5ms is out of range"},
    {"[tcp]\nmss = 0\n", "[tcp] mss = 0: 0B is out of range"},
    {"[link]\nloss = 1\n", "[link] loss = 1: 1 is out of range"},
    {"[link]\nloss = 150%\n", "out of range"},
    {"[link]\ndelay = uniform(5ms)\n", "uniform takes 2 arguments, got 1"},
    {"[link]\ndelay = uniform(5ms, 1ms)\n", "empty range"},
    {"[link]\ndelay = uniform(5ms, 5ms)\n", "empty range"},
    {"[link]\ndelay = loguniform(0ms, 5ms)\n",
     "loguniform needs bounds above zero"},
    {"[link]\ndelay = normal(5ms, 0ms)\n", "normal needs sigma > 0"},
    {"[link]\ndelay = exponential(0ms)\n", "exponential needs a mean > 0"},
    {"[link]\ndelay = gaussian(5ms, 1ms)\n",
     "unknown distribution \"gaussian\""},
    {"[link]\ndelay = uniform(1ms, 5ms\n", "malformed distribution"},
    {"[link]\ndelay = sweep(1ms, 5ms, 1)\n", "sweep's count \"1\""},
    {"[link]\ndelay = sweep(1ms, 5ms, many)\n", "sweep's count \"many\""},
    {"[link]\ndelay = sweep(5ms, 1ms, 3)\n",
     "empty range: sweep needs from < to"},
    {"[link]\ndelay = choice()\n", "choice takes one or more values, got 0"},
    {"[link]\ndelay = choice(1ms, 2KB)\n", "\"2KB\": \"KB\" is a unit of size"},
    {"[link]\ndelay = grid(1ms, -2ms)\n", "out of range"},
    {"[client]\nhalf_close = uniform(0, 1)\n", "uniform needs a numeric key"},
    {"[client]\nhalf_close = maybe\n", "expected true or false"},
    {"[tcp]\ndelack_mode = sometimes\n", "expected one of off, oneshot, tick"},
    {"[batch]\nprofiles = nt351, nt4\n", "unknown profile \"nt4\""},
    {"[batch]\nprofiles = nt351, nt351\n", "profile nt351 listed twice"},
    {"[batch]\nserver_profile = win95\n", "unknown profile \"win95\""},
    /* issue 13: defects an adversarial pass found */
    {"[link]\ndelay = 0x14ms\n", "a hexadecimal number"},
    {"[link]\ndelay = normal(20ms, 1e300s)\n",
     "of its draws fall outside 0ms to 3600s and would be clamped"},
    {"[batch]\nconversations = 5\nconversations = 6\n",
     "t.ini:3: [batch] conversations = 6: set twice (first on line 2)"},
    {"[batch]\nseed = 1\nseed = 2\n", "seed = 2: set twice"},
    {"delay = 5KB\n[batch]\n",
     "t.ini:1: delay = 5KB: a key before any section"},
    {"[link] junk\n", "t.ini:1: text after the section header [link]"},
    {"[link\ndelay = 5ms\n",
     "t.ini:1: a section header without its closing ']'"},
    {"[link]\ndelay = sweep(1ms, 2ms, 100)\nrate = sweep(1Mbps, 2Mbps, 100)\n"
     "loss = sweep(0, 0.1, 100)\nqueue = sweep(1, 100, 100)\n"
     "mtu = sweep(600B, 1500B, 100)\n[client]\nrequest = sweep(1B, 99B, 100)\n"
     "read_size = sweep(1B, 99B, 100)\n",
     "t.ini:9: read_size: the grids cross into more than 1e+12 cells"},
    {"[batch]\nconversations = 100000000000\n[link]\ndelay = "
     "sweep(1ms, 2ms, 100)\n",
     "more than 1e+12 conversations"},
    /* [profile NAME] sections */
    {"[batch]\nprofiles = nt351, mine\n[profile mine]\ndelack = 1ms\n",
     "t.ini:3: [profile mine] has no base"},
    {"[profile mine]\nbase = nt4\n",
     "t.ini:2: [profile mine] base = nt4: expected a built-in profile"},
    {"[profile mine]\nbase = nt351\nbase = linux\n", "base is set twice"},
    {"[profile mine]\nbase = nt351\nbogus = 1\n",
     "t.ini:3: [profile mine] bogus = 1: unknown knob"},
    {"[profile mine]\nbase = nt351\ndelay = 5ms\n", "unknown knob"},
    {"[profile mine]\nbase = nt351\ninit_cwnd = 0\n",
     "init_cwnd = 0: expected a whole number from 1 to 100"},
    {"[profile mine]\nbase = nt351\ndelack = uniform(1ms, 2ms)\n",
     "a profile knob takes no distribution"},
    {"[profile mine]\nbase = nt351\nack_rule = often\n",
     "expected one of none, segments, bytes"},
    {"[profile mine]\nbase = nt351\nnagle = off\nnagle = on\n",
     "t.ini:4: [profile mine] nagle = on: set twice in this profile"},
    {"[profile nt351]\nbase = linux\n", "that is a built-in profile"},
    {"[profile a]\nbase = linux\n[profile a]\nbase = bsd44\n",
     "t.ini:3: [profile a] is defined twice"},
    {"[profile a b]\nbase = linux\n", "a profile name is 1 to"},
    /* [variant NAME] sections */
    {"[variant v]\nbase = nope\n",
     "t.ini:1: [variant v]: base = nope: expected a built-in profile"},
    {"[variant a]\nbase = b\n[variant b]\nbase = a\n",
     "the bases lead back to a"},
    {"[variant v]\nbase = nt351\nread_interval = uniform(1ms, 2ms)\n",
     "t.ini:3: [variant v] read_interval = uniform(1ms, 2ms): expected"},
    {"[variant v]\nbase = nt351\nloss = 2\n",
     "a variant's key takes no distribution"},
    {"[variant v]\nbase = nt351\nread_size = 1KB\nread_size = 2KB\n",
     "t.ini:4: [variant v] read_size = 2KB: set twice in this variant"},
    /* close_mode's words, and linger only with a lingering close */
    {"[server]\nclose_mode = lingr\n",
     "t.ini:2: [server] close_mode = lingr: \"lingr\": expected one of close, "
     "linger, abort"},
    {"[server]\nclose_mode = uniform(0, 2)\n", "needs a numeric key"},
    {"[variant v]\nbase = linux\nclose_mode = 1\n",
     "t.ini:3: [variant v] close_mode = 1: expected one of close, linger"},
    {"[server]\nlinger = 2s\n",
     "t.ini:2: linger is the drain time of close_mode = linger, and no close "
     "here is a lingering one"},
    {"[server]\nclose_mode = abort\nlinger = 2s\n", "no close here is"},
    {"[variant v]\nbase = linux\nlinger = 2s\n",
     "t.ini:3: [variant v]: linger is the drain time"},
    {"[server]\nclose_mode = linger\n[variant v]\nbase = linux\n"
     "close_mode = abort\nlinger = 2s\n",
     "t.ini:6: [variant v]: linger is the drain time"},
    {"[server]\nclose_mode = choice(close, linger)\nlinger = 2s\n", NULL},
    {"[variant a]\nbase = linux\nclose_mode = linger\n[variant b]\nbase = a\n"
     "linger = 5s\n[batch]\nprofiles = a, b\n",
     NULL},
    {"[variant v]\nbase = nt351\nbogus = 1\n",
     "unknown key; a [variant] section takes base, profile knobs and "
     "conversation keys"},
    {"[variant v]\nread_size = 1KB\n", "t.ini:1: [variant v] has no base"},
    {"[profile p]\nbase = linux\n[variant p]\nbase = nt351\n",
     "[variant p] is defined twice"},
    {"[profile p]\nbase = bsd44\nmsl = 1s\n[variant v]\nbase = p\n"
     "read_interval = 0ms\n[variant w]\nbase = v\nresponse = 9KB\n"
     "[batch]\nprofiles = p, v, w\n",
     NULL},
    {"[batch]\nprofiles = nt351, later\n[profile sooner]\nbase = linux\n",
     "t.ini:2: [batch] profiles = nt351, later: unknown profile \"later\""},
    {"[batch]\nconversations = 0\n",
     "[batch] conversations = 0: expected a whole number from 1"},
    {"[batch]\nseed = -3\n", "[batch] seed = -3: expected a whole number"},
    {"[batch]\njobs = 4\n", "[batch] jobs = 4: unknown key"},
    {"[link]\ndelay = 1ms\ndelay = 2ms\n",
     "t.ini:3: [link] delay = 2ms: set twice (first on line 2)"},
    {"[link]\nthis line has no equals sign\n", "t.ini:2: not KEY = VALUE"},
    {"[client]\nread_size = 12.5\n",
     NULL}, /* a size may be fractional: rounds */
};

static char *load_msgs(const char *text, int *rv, char **warns) {
  char *buf = calloc(1, 16384), *wbuf = NULL;
  size_t wn = 0;
  FILE *w = open_memstream(&wbuf, &wn);
  scenario s;
  *rv = scn_load_text(&s, "t.ini", text, buf, 16384, w);
  if (*rv == 0)
    scn_free(&s);
  fclose(w);
  if (warns)
    *warns = wbuf;
  else
    free(wbuf);
  return buf;
}

static void test_malformed_table(void) {
  size_t n = sizeof table / sizeof *table;
  for (size_t i = 0; i < n; i++) {
    int rv;
    char *msg = load_msgs(table[i].text, &rv, NULL);
    if (!table[i].expect) {
      CHECK_EQ(rv, 0);
    } else {
      bool ok = rv == -1 && strstr(msg, table[i].expect) != NULL;
      if (!ok)
        fprintf(stderr, "case %zu: wanted \"%s\", got \"%s\"\n", i,
                table[i].expect, msg);
      CHECK(ok);
    }
    free(msg);
  }
}

static void test_all_problems_reported(void) {
  int rv;
  char *msg =
      load_msgs("[link]\ndelay = 1parsec\nrate = 1KB\n[bogus]\n", &rv, NULL);
  CHECK_EQ(rv, -1);
  CHECK(strstr(msg, "t.ini:2:") && strstr(msg, "t.ini:3:") &&
        strstr(msg, "t.ini:4:"));
  free(msg);
}

static void test_delack_warning(void) {
  int rv;
  char *warn;
  char *msg = load_msgs("[tcp]\ndelack = choice(200ms, 600ms)\n", &rv, &warn);
  CHECK_EQ(rv, 0);
  CHECK(strstr(warn, "t.ini:2: warning") && strstr(warn, "RFC 1122"));
  free(msg);
  free(warn);
  msg = load_msgs("[tcp]\ndelack = 200ms\n", &rv, &warn);
  CHECK_EQ(warn[0], 0);
  free(msg);
  free(warn);
}

static const char *const good =
    "; What does the grid do?\n"
    "; Two lines of question.\n"
    "\n[batch]\nconversations = 7\nseed = 3\nprofiles = nt351, linux\n"
    "[link]\ndelay = grid(1ms, 2ms, 3ms)\nrate = uniform(1Mbps, 2Mbps)\n"
    "loss = normal(3%, 1.5%)\n"
    "[server]\nresponse = sweep(1000B, 2000B, 2)\n"
    "think = exponential(10ms)\n"
    "[client]\nread_size = choice(1KiB, 2KiB, 4KiB)\n"
    "[tcp]\ndelack = loguniform(10ms, 400ms)\ndelack_mode = choice(tick, "
    "oneshot)\n";

static void test_draws(void) {
  scenario s;
  CHECK_EQ(scn_load_text(&s, "g.ini", good, NULL, 0, NULL), 0);
  CHECK(strcmp(s.question, "What does the grid do? Two lines of question.") ==
        0);
  CHECK_EQ(s.cells, 6);
  CHECK_EQ(scn_total(&s), 42);
  CHECK_EQ(s.nprofiles, 2);
  int seen_cell[6] = {0};
  int seen_rs[3] = {0};
  for (uint64_t i = 0; i < 600; i++) {
    conv_params p, q;
    double v[SCN_MAX_KEYS], w[SCN_MAX_KEYS];
    scn_draw(&s, i, &p, v);
    scn_draw(&s, i, &q, w);
    CHECK(memcmp(&p, &q, sizeof p) == 0); /* deterministic */
    uint64_t cell = scn_cell(&s, i);
    CHECK_EQ(cell, i % 6);
    /* grids crossed: delay is the fastest axis, response the slower */
    CHECK_EQ(p.delay_ns, (cell % 3 + 1) * 1000000);
    CHECK_EQ(p.response, cell / 3 == 0 ? 1000 : 2000);
    seen_cell[cell]++;
    CHECK(p.rate_bps >= 1000000 && p.rate_bps <= 2000000);
    CHECK(p.loss >= 0 && p.loss < 1); /* normal truncated to the range */
    CHECK(p.read_size == 1024 || p.read_size == 2048 || p.read_size == 4096);
    seen_rs[p.read_size == 1024 ? 0 : p.read_size == 2048 ? 1 : 2]++;
    CHECK(v[6] >= 10e6 && v[6] <= 400e6); /* delack, loguniform */
    tcp_profile prof;
    CHECK_EQ(scn_profile(&s, "nt351", v, &prof, NULL, 0), 0);
    CHECK_EQ(prof.delack_ns, (uint64_t)v[6]);
  }
  for (int c = 0; c < 6; c++)
    CHECK_EQ(seen_cell[c], 100);
  for (int k = 0; k < 3; k++)
    CHECK(seen_rs[k] > 150);
  /* another seed, or another text, gives other draws */
  scenario t;
  CHECK_EQ(scn_load_text(&t, "g.ini", good, NULL, 0, NULL), 0);
  t.seed = 4;
  conv_params a, b;
  scn_draw(&s, 5, &a, NULL);
  scn_draw(&t, 5, &b, NULL);
  CHECK(a.rate_bps != b.rate_bps);
  scn_free(&t);
  scn_free(&s);
}

static void test_shipped_scenarios(void) {
  static const char *const names[] = {
      "kb-q152474", "delay-sweep", "delack-sweep",  "read-pace",  "lossy-wan",
      "satellite",  "profiles",    "no-half-close", "nt-variants"};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s.ini", HALFCLOSE_SCENARIO_DIR, names[i]);
    scenario s;
    char msgs[4096] = "";
    int rv = scn_load(&s, path, msgs, sizeof msgs, stderr);
    if (rv)
      fprintf(stderr, "%s\n", msgs);
    CHECK_EQ(rv, 0);
    if (rv)
      continue;
    CHECK(strlen(s.question) > 40); /* opens with its question */
    CHECK(strchr(s.question, '?') != NULL);
    scn_free(&s);
  }
}

/* [profile NAME]: named in [batch] before its section, resolved as base,
 * then the [tcp] keys every profile shares, then its own knobs. */
static void test_user_profiles(void) {
  static const char text[] =
      "[batch]\nprofiles = nt351, quick\nserver_profile = quick\n"
      "[tcp]\ndelack = 300ms\nack_every = 3\n"
      "[profile quick]\nbase = nt351+rfc1337\nack_every = 1\n"
      "init_cwnd = 4\n";
  scenario s;
  CHECK_EQ(scn_load_text(&s, "u.ini", text, NULL, 0, NULL), 0);
  CHECK_EQ(s.nuser, 1);
  CHECK(strcmp(s.server_profile, "quick") == 0);
  double v[SCN_MAX_KEYS];
  conv_params p;
  scn_draw(&s, 0, &p, v);
  tcp_profile q, nt;
  CHECK_EQ(scn_profile(&s, "quick", v, &q, NULL, 0), 0);
  CHECK(strcmp(q.name, "quick") == 0);
  CHECK(q.rfc1337);                    /* the base, with its modifier */
  CHECK_EQ(q.delack_ns, 300 * TCP_MS); /* the shared [tcp] key */
  CHECK_EQ(q.ack_every, 1);            /* its own knob wins over [tcp] */
  CHECK_EQ(q.init_cwnd, 4);
  CHECK_EQ(scn_profile(&s, "nt351", v, &nt, NULL, 0), 0);
  CHECK_EQ(nt.ack_every, 3); /* other profiles keep the [tcp] value */
  CHECK_EQ(nt.init_cwnd, 2);
  CHECK(!nt.rfc1337);
  CHECK_EQ(scn_set_profiles(&s, "quick, linux", NULL, 0), 0);
  CHECK_EQ(scn_set_profiles(&s, "quick, slow", NULL, 0), -1);
  scn_free(&s);
}

/* Variants: a chain of bases down to a preset, [tcp] shared, each level's
 * knobs from the root down, and conversation keys over the draws - for
 * the variant only. */
static void test_variants(void) {
  static const char text[] =
      "[batch]\nprofiles = nt351, eager, eager-big\n"
      "[client]\nread_interval = uniform(10ms, 90ms)\n"
      "[tcp]\ndelack = 300ms\n"
      "[profile fast]\nbase = nt351\nack_every = 1\n"
      "[variant eager]\nbase = fast\nread_interval = 0ms\n"
      "init_cwnd = 3\n"
      "[variant eager-big]\nbase = eager\nresponse = 64KB\n"
      "ack_every = 4\n";
  scenario s;
  char err[600] = "";
  CHECK_EQ(scn_load_text(&s, "v.ini", text, err, sizeof err, NULL), 0);
  if (err[0])
    fprintf(stderr, "%s\n", err);
  double v[SCN_MAX_KEYS];
  conv_params p;
  scn_draw(&s, 3, &p, v);
  CHECK(p.read_interval_ns >= 10 * TCP_MS); /* the draw */
  conv_params e = p, b = p, n = p;
  scn_params_for(&s, "eager", &e);
  scn_params_for(&s, "eager-big", &b);
  scn_params_for(&s, "nt351", &n);
  CHECK_EQ(e.read_interval_ns, 0);      /* the variant's key */
  CHECK_EQ(e.response, p.response);     /* the rest drawn */
  CHECK_EQ(b.read_interval_ns, 0);      /* its base's key */
  CHECK_EQ(b.response, 64000);          /* and its own */
  CHECK(memcmp(&n, &p, sizeof n) == 0); /* a preset: untouched */
  CHECK(scn_variant_sets(&s, "eager-big", "read_interval"));
  CHECK(!scn_variant_sets(&s, "fast", "read_interval"));
  CHECK(!scn_variant_sets(&s, "eager", "response"));
  CHECK(scn_has_variant_params(&s));
  tcp_profile t;
  CHECK_EQ(scn_profile(&s, "eager-big", v, &t, NULL, 0), 0);
  CHECK(strcmp(t.name, "eager-big") == 0);
  CHECK_EQ(t.delack_ns, 300 * TCP_MS); /* [tcp], shared */
  CHECK_EQ(t.init_cwnd, 3);            /* eager's knob */
  CHECK_EQ(t.ack_every, 4);            /* its own wins over fast's 1 */
  CHECK_EQ(scn_profile(&s, "eager", v, &t, NULL, 0), 0);
  CHECK_EQ(t.ack_every, 1); /* fast's */
  CHECK_EQ(scn_user_resolve(&s, scn_user_find(&s, "eager-big"), &t, NULL, 0),
           0);
  CHECK_EQ(t.delack_ns, 200 * TCP_MS); /* without [tcp]: nt351's own */
  CHECK_EQ(t.ack_every, 4);
  CHECK_EQ(scn_set_profiles(&s, "nt351, fast", NULL, 0), 0);
  CHECK(!scn_has_variant_params(&s)); /* none listed */
  scn_free(&s);
}

static void test_profiles_override(void) {
  scenario s;
  CHECK_EQ(scn_load_text(&s, "g.ini", good, NULL, 0, NULL), 0);
  CHECK_EQ(scn_set_profiles(&s, "bsd44,nt351-sp+rfc1337", NULL, 0), 0);
  CHECK_EQ(s.nprofiles, 2);
  CHECK(strcmp(s.profiles[1], "nt351-sp+rfc1337") == 0);
  CHECK_EQ(scn_set_profiles(&s, "bsd44,vms", NULL, 0), -1);
  CHECK_EQ(s.nprofiles, 2);
  scn_free(&s);
}

/* Profile knobs as text: the one unit parser of conversation keys, the
 * knob's words, and the model's ranges (checked once, by the model's
 * table), round-tripping through hc_format_knob. */
static void test_knob_text(void) {
  const tcp_knob_info *delack = tcp_profile_knob("delack"),
                      *rcv = tcp_profile_knob("rcv_buf"),
                      *snd = tcp_profile_knob("snd_buf"),
                      *mode = tcp_profile_knob("delack_mode"),
                      *nagle = tcp_profile_knob("nagle"),
                      *every = tcp_profile_knob("ack_every");
  uint64_t v;
  char why[200], buf[64];
  CHECK_EQ(hc_parse_knob(delack, "150ms", &v, why, sizeof why), 0);
  CHECK_EQ(v, 150 * TCP_MS);
  CHECK_EQ(hc_parse_knob(delack, "0.25 s", &v, why, sizeof why), 0);
  CHECK_EQ(v, 250 * TCP_MS);
  CHECK_EQ(hc_parse_knob(delack, "1500us", &v, why, sizeof why), 0);
  CHECK_EQ(v, 1500000);
  CHECK_EQ(hc_parse_knob(rcv, "16KiB", &v, why, sizeof why), 0);
  CHECK_EQ(v, 16384);
  CHECK_EQ(hc_parse_knob(rcv, "8760", &v, why, sizeof why), 0);
  CHECK_EQ(v, 8760);
  /* the units of a conversation's sizes, GB included, for knobs too */
  CHECK_EQ(hc_parse_knob(snd, "2GB", &v, why, sizeof why), 0);
  CHECK_EQ(v, 2000000000);
  CHECK_EQ(hc_parse_knob(mode, "tick", &v, why, sizeof why), 0);
  CHECK_EQ(v, TCP_DELACK_TICK);
  CHECK_EQ(hc_parse_knob(nagle, "off", &v, why, sizeof why), 0);
  CHECK_EQ(v, 0);
  CHECK_EQ(hc_parse_knob(delack, "200", &v, why, sizeof why), -1);
  CHECK(strstr(why, "expected a time from 0ms to 10s") != NULL);
  CHECK_EQ(hc_parse_knob(delack, "200 parsecs", &v, why, sizeof why), -1);
  CHECK_EQ(hc_parse_knob(delack, "-5ms", &v, why, sizeof why), -1);
  CHECK_EQ(hc_parse_knob(delack, "20s", &v, why, sizeof why), -1);
  CHECK(strstr(why, "from 0ms to 10s") != NULL);
  CHECK_EQ(hc_parse_knob(rcv, "2000000", &v, why, sizeof why), -1);
  /* 2^32 once wrapped to 0 on its way to a 32-bit field */
  CHECK_EQ(hc_parse_knob(snd, "4294967296", &v, why, sizeof why), -1);
  CHECK_EQ(hc_parse_knob(nagle, "maybe", &v, why, sizeof why), -1);
  CHECK_EQ(hc_parse_knob(every, "2x", &v, why, sizeof why), -1);
  CHECK_EQ(hc_parse_knob(every, "2.5", &v, why, sizeof why), -1);
  CHECK_EQ(hc_parse_knob(mode, "sometimes", &v, why, sizeof why), -1);
  CHECK(strstr(why, "off, oneshot, tick") != NULL);
  /* every knob of every preset prints as text that parses back to it */
  size_t n;
  const tcp_knob_info *k = tcp_profile_knobs(&n);
  for (const char *const *name = tcp_profile_presets(); *name; name++)
    for (size_t i = 0; i < n; i++) {
      uint64_t x, y = ~0ull;
      CHECK_EQ(tcp_profile_source(*name, k[i].name, &x, NULL), 0);
      hc_format_knob(&k[i], x, buf, sizeof buf);
      CHECK_EQ(hc_parse_knob(&k[i], buf, &y, why, sizeof why), 0);
      CHECK_EQ(x, y);
    }
}

int main(void) {
  RUN(test_knob_text);
  RUN(test_malformed_table);
  RUN(test_all_problems_reported);
  RUN(test_delack_warning);
  RUN(test_draws);
  RUN(test_shipped_scenarios);
  RUN(test_profiles_override);
  RUN(test_user_profiles);
  RUN(test_variants);
  return t_summary();
}
