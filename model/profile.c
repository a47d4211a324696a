/*
 * profile.c - behaviour profiles: the presets and the knob table.
 *
 * A profile is plain data. The presets encode what is documented or
 * well established about each stack; where a figure is an approximation it
 * says so here, because every rate the suite reports depends on it:
 *
 *   nt351     NT 3.51 before the service pack. Delayed ACK on the 100 ms
 *             TCP timer, TcpDelAckTicks = 2, applied in FIN-WAIT too. The
 *             ACK of the peer's FIN leaves a pending delayed ACK armed (the
 *             KB Q152474 bug). Winsock reports a RST in TIME-WAIT and
 *             discards unread data. 240 s TIME-WAIT (TcpTimedWaitDelay),
 *             3 s initial RTO, TTL 32. rto_min 500 ms is an approximation.
 *   nt351-sp  The same with the fix: the ACK of the FIN clears it.
 *   bsd44     4.4BSD-Lite: 200 ms fast timer, delayed ACK only in
 *             ESTABLISHED (the TCP_REASS macro), any ACK sent clears
 *             TF_DELACK, a RST in TIME-WAIT closes the TCB without setting
 *             so_error, data stays readable. MSL 30 s, RTO bounds 1-64 s.
 *   linux     One-shot delayed ACK, ATO between 40 and 200 ms adapted to
 *             the arrival gaps, 16 quick ACKs at start (TCP_MAX_QUICKACKS);
 *             after the FIN exchange the socket is detached from the
 *             TIME-WAIT mini-socket, so a RST there never reaches it.
 *             RTO bounds 200 ms - 120 s, TIME-WAIT 60 s.
 *   +rfc1337  Modifier: ignore RST in TIME-WAIT.
 */
#include "tcp_internal.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const presets[] = {"nt351", "nt351-sp", "bsd44", "linux",
                                      NULL};

const char *const *tcp_profile_presets(void) {
  return presets;
}

static void base_nt351(tcp_profile *p) {
  *p = (tcp_profile){0};
  p->delack_mode = TCP_DELACK_TICK;
  p->delack_ns = 200 * TCP_MS;
  p->delack_tick_ns = 100 * TCP_MS;
  p->delack_finwait = true;
  p->ack_every = 2;
  p->ack_cancels_delack = true;
  p->fin_ack_cancels_delack = false;
  p->rst_timewait_notifies = true;
  p->rst_discards_unread = true;
  p->nagle = true;
  p->mss = 1460;
  p->rcv_buf = 8760;
  p->snd_buf = 8192;
  p->rto_initial_ns = 3 * TCP_S;
  p->rto_min_ns = 500 * TCP_MS;
  p->rto_max_ns = 240 * TCP_S;
  p->max_retries = 5;
  p->syn_retries = 3;
  p->msl_ns = 120 * TCP_S;
  p->ttl = 32;
}

static void base_bsd44(tcp_profile *p) {
  *p = (tcp_profile){0};
  p->delack_mode = TCP_DELACK_TICK;
  p->delack_ns = 200 * TCP_MS;
  p->delack_tick_ns = 200 * TCP_MS;
  p->delack_finwait = false;
  p->ack_every = 2;
  p->ack_cancels_delack = true;
  p->fin_ack_cancels_delack = true;
  p->rst_timewait_notifies = false;
  p->rst_discards_unread = false;
  p->nagle = true;
  p->mss = 1460;
  p->rcv_buf = 8192;
  p->snd_buf = 8192;
  p->rto_initial_ns = 6 * TCP_S;
  p->rto_min_ns = 1 * TCP_S;
  p->rto_max_ns = 64 * TCP_S;
  p->max_retries = 12;
  p->syn_retries = 6;
  p->msl_ns = 30 * TCP_S;
  p->ttl = 64;
}

static void base_linux(tcp_profile *p) {
  *p = (tcp_profile){0};
  p->delack_mode = TCP_DELACK_ONESHOT;
  p->delack_ns = 40 * TCP_MS;
  p->delack_max_ns = 200 * TCP_MS;
  p->delack_tick_ns = 10 * TCP_MS;
  p->delack_finwait = true;
  p->ack_every = 2;
  p->quickack = 16;
  p->ack_cancels_delack = true;
  p->fin_ack_cancels_delack = true;
  p->rst_timewait_notifies = false;
  p->rst_discards_unread = false;
  p->nagle = true;
  p->mss = 1460;
  p->rcv_buf = 65535;
  p->snd_buf = 16384;
  p->rto_initial_ns = 1 * TCP_S;
  p->rto_min_ns = 200 * TCP_MS;
  p->rto_max_ns = 120 * TCP_S;
  p->max_retries = 15;
  p->syn_retries = 6;
  p->msl_ns = 30 * TCP_S;
  p->ttl = 64;
}

int tcp_profile_preset(tcp_profile *p, const char *name) {
  char base[sizeof p->name - 9]; /* room for "+rfc1337" */
  const char *plus = strchr(name, '+');
  size_t n = plus ? (size_t)(plus - name) : strlen(name);
  if (n >= sizeof base)
    return TCP_ERR_UNKNOWN_PROFILE;
  memcpy(base, name, n);
  base[n] = 0;
  bool rfc1337 = false;
  while (plus) {
    const char *mod = plus + 1;
    plus = strchr(mod, '+');
    size_t m = plus ? (size_t)(plus - mod) : strlen(mod);
    if (m == 7 && strncmp(mod, "rfc1337", 7) == 0)
      rfc1337 = true;
    else
      return TCP_ERR_UNKNOWN_PROFILE;
  }
  tcp_profile tmp;
  if (strcmp(base, "nt351") == 0) {
    base_nt351(&tmp);
  } else if (strcmp(base, "nt351-sp") == 0) {
    base_nt351(&tmp);
    tmp.fin_ack_cancels_delack = true;
  } else if (strcmp(base, "bsd44") == 0) {
    base_bsd44(&tmp);
  } else if (strcmp(base, "linux") == 0) {
    base_linux(&tmp);
  } else {
    return TCP_ERR_UNKNOWN_PROFILE;
  }
  tmp.rfc1337 = rfc1337;
  memcpy(tmp.name, base, n + 1);
  if (rfc1337)
    memcpy(tmp.name + n, "+rfc1337", 9);
  *p = tmp;
  return TCP_OK;
}

/* ---------------------------------------------------------------------------
 * The knob table
 */

typedef struct knob {
  tcp_knob_info info;
  size_t off;  /* offset of the field in tcp_profile */
  size_t size; /* its size, bytes */
} knob;

#define K(name, kind, min, max, help)                                          \
  {                                                                            \
    {#name, kind, min, max, help}, offsetof(tcp_profile, name),                \
        sizeof(((tcp_profile *)0)->name)                                       \
  }
#define KN(knob_name, field, kind, min, max, help)                             \
  {                                                                            \
    {knob_name, kind, min, max, help}, offsetof(tcp_profile, field),           \
        sizeof(((tcp_profile *)0)->field)                                      \
  }

static const knob knobs[] = {
    KN("delack_mode", delack_mode, TCP_KNOB_MODE, 0, 2,
       "off, oneshot (timer from the arrival) or tick (host-wide grid)"),
    KN("delack", delack_ns, TCP_KNOB_TIME, 0, 10 * TCP_S,
       "delayed-ACK timeout (tick: ticks x tick; linux: ATO minimum)"),
    KN("delack_max", delack_max_ns, TCP_KNOB_TIME, 0, 10 * TCP_S,
       "adaptive ATO ceiling, 0 = fixed timeout"),
    KN("delack_tick", delack_tick_ns, TCP_KNOB_TIME, 1, 10 * TCP_S,
       "tick mode: tick period"),
    KN("delack_phase", delack_phase_ns, TCP_KNOB_TIME, 0, 10 * TCP_S,
       "tick mode: offset of the tick grid from time 0"),
    K(delack_finwait, TCP_KNOB_BOOL, 0, 1,
      "delay ACKs in FIN-WAIT-1/2 too (else in ESTABLISHED only)"),
    K(ack_every, TCP_KNOB_COUNT, 1, 1000,
      "ACK at once every N full-sized segments"),
    K(quickack, TCP_KNOB_COUNT, 0, 1000000,
      "first N data segments are ACKed at once"),
    K(ack_cancels_delack, TCP_KNOB_BOOL, 0, 1,
      "any ACK sent clears a pending delayed ACK"),
    K(fin_ack_cancels_delack, TCP_KNOB_BOOL, 0, 1,
      "the ACK of the peer's FIN clears it (false: KB Q152474 bug)"),
    K(rfc1337, TCP_KNOB_BOOL, 0, 1, "ignore RST in TIME-WAIT (RFC 1337)"),
    K(rst_timewait_notifies, TCP_KNOB_BOOL, 0, 1,
      "a RST in CLOSING, LAST-ACK or TIME-WAIT reaches the application"),
    K(rst_discards_unread, TCP_KNOB_BOOL, 0, 1,
      "a reset discards unread data at once (Winsock)"),
    K(winupdate_after_fin, TCP_KNOB_BOOL, 0, 1,
      "send window updates after the peer's FIN"),
    K(nagle, TCP_KNOB_BOOL, 0, 1, "Nagle's algorithm (RFC 896)"),
    K(mss, TCP_KNOB_BYTES, 64, 65495, "MSS announced and used at most"),
    K(rcv_buf, TCP_KNOB_BYTES, 1, 65535, "receive buffer (no window scaling)"),
    K(snd_buf, TCP_KNOB_BYTES, 1, 1ull << 32, "send buffer"),
    KN("rto_initial", rto_initial_ns, TCP_KNOB_TIME, TCP_MS, 600 * TCP_S,
       "RTO before any RTT sample"),
    KN("rto_min", rto_min_ns, TCP_KNOB_TIME, 1, 600 * TCP_S,
       "lower bound of the RTO"),
    KN("rto_max", rto_max_ns, TCP_KNOB_TIME, TCP_MS, 3600 * TCP_S,
       "upper bound of the backed-off RTO"),
    K(max_retries, TCP_KNOB_COUNT, 0, 100,
      "retransmissions of a segment before a timeout error"),
    K(syn_retries, TCP_KNOB_COUNT, 0, 100,
      "retransmissions of a SYN before a timeout error"),
    KN("msl", msl_ns, TCP_KNOB_TIME, 0, 3600 * TCP_S,
       "maximum segment lifetime; TIME-WAIT lasts 2 MSL"),
    K(ttl, TCP_KNOB_COUNT, 1, 255, "IPv4 TTL of segments sent"),
};
#define NKNOBS (sizeof knobs / sizeof knobs[0])

const tcp_knob_info *tcp_profile_knobs(size_t *n) {
  static tcp_knob_info infos[NKNOBS];
  for (size_t i = 0; i < NKNOBS; i++)
    infos[i] = knobs[i].info;
  *n = NKNOBS;
  return infos;
}

static const knob *find_knob(const char *name) {
  for (size_t i = 0; i < NKNOBS; i++)
    if (strcmp(knobs[i].info.name, name) == 0)
      return &knobs[i];
  return NULL;
}

/* A non-negative decimal number with an optional fraction, then a unit. */
static bool parse_number(const char *s, double *v, const char **unit) {
  while (isspace((unsigned char)*s))
    s++;
  if (!isdigit((unsigned char)*s) && *s != '.')
    return false;
  char *end;
  errno = 0;
  *v = strtod(s, &end);
  if (errno || end == s || *v < 0)
    return false;
  while (isspace((unsigned char)*end))
    end++;
  *unit = end;
  return true;
}

static bool unit_is(const char *unit, const char *want) {
  size_t n = strlen(want);
  if (strncasecmp(unit, want, n) != 0)
    return false;
  for (const char *p = unit + n; *p; p++)
    if (!isspace((unsigned char)*p))
      return false;
  return true;
}

static bool parse_scaled(const char *s, uint64_t *out, const char *const *units,
                         const double *scale, bool unit_required) {
  double v;
  const char *unit;
  if (!parse_number(s, &v, &unit))
    return false;
  double mul = 0;
  if (!*unit) {
    if (unit_required)
      return false;
    mul = 1;
  }
  for (int i = 0; units[i] && !mul; i++)
    if (unit_is(unit, units[i]))
      mul = scale[i];
  if (!mul)
    return false;
  double r = v * mul;
  if (r > 1.8e19 || r != r)
    return false;
  *out = (uint64_t)(r + 0.5);
  return true;
}

static bool parse_time(const char *s, uint64_t *ns) {
  static const char *const u[] = {"ns", "us", "ms", "s", NULL};
  static const double m[] = {1, 1e3, 1e6, 1e9};
  return parse_scaled(s, ns, u, m, true);
}

static bool parse_bytes(const char *s, uint64_t *b) {
  static const char *const u[] = {"B", "KB", "KiB", "MB", "MiB", NULL};
  static const double m[] = {1, 1e3, 1024, 1e6, 1048576};
  return parse_scaled(s, b, u, m, false);
}

static bool parse_bool(const char *s, uint64_t *b) {
  static const char *const yes[] = {"true", "yes", "on", "1", NULL};
  static const char *const no[] = {"false", "no", "off", "0", NULL};
  for (int i = 0; yes[i]; i++) {
    if (strcasecmp(s, yes[i]) == 0) {
      *b = 1;
      return true;
    }
    if (strcasecmp(s, no[i]) == 0) {
      *b = 0;
      return true;
    }
  }
  return false;
}

static bool parse_count(const char *s, uint64_t *v) {
  if (!isdigit((unsigned char)*s))
    return false;
  char *end;
  errno = 0;
  unsigned long long x = strtoull(s, &end, 10);
  if (errno || *end)
    return false;
  *v = x;
  return true;
}

static bool parse_mode(const char *s, uint64_t *v) {
  static const char *const modes[] = {"off", "oneshot", "tick", NULL};
  for (int i = 0; modes[i]; i++)
    if (strcasecmp(s, modes[i]) == 0) {
      *v = (uint64_t)i;
      return true;
    }
  return false;
}

static void store(tcp_profile *p, const knob *k, uint64_t v) {
  char *f = (char *)p + k->off;
  if (k->info.kind == TCP_KNOB_BOOL) {
    *(bool *)f = v != 0;
  } else if (k->info.kind == TCP_KNOB_MODE) {
    *(tcp_delack_mode *)f = (tcp_delack_mode)v;
  } else {
    switch (k->size) {
    case 1:
      *(uint8_t *)f = (uint8_t)v;
      break;
    case 2:
      *(uint16_t *)f = (uint16_t)v;
      break;
    case 4:
      *(uint32_t *)f = (uint32_t)v;
      break;
    default:
      *(uint64_t *)f = v;
      break;
    }
  }
}

static uint64_t load(const tcp_profile *p, const knob *k) {
  const char *f = (const char *)p + k->off;
  if (k->info.kind == TCP_KNOB_BOOL)
    return *(const bool *)f;
  if (k->info.kind == TCP_KNOB_MODE)
    return (uint64_t) * (const tcp_delack_mode *)f;
  switch (k->size) {
  case 1:
    return *(const uint8_t *)f;
  case 2:
    return *(const uint16_t *)f;
  case 4:
    return *(const uint32_t *)f;
  default:
    return *(const uint64_t *)f;
  }
}

int tcp_profile_set(tcp_profile *p, const char *name, const char *value) {
  const knob *k = find_knob(name);
  if (!k)
    return TCP_ERR_UNKNOWN_KNOB;
  uint64_t v = 0;
  bool ok = false;
  switch (k->info.kind) {
  case TCP_KNOB_BOOL:
    ok = parse_bool(value, &v);
    break;
  case TCP_KNOB_TIME:
    ok = parse_time(value, &v);
    break;
  case TCP_KNOB_BYTES:
    ok = parse_bytes(value, &v);
    break;
  case TCP_KNOB_COUNT:
    ok = parse_count(value, &v);
    break;
  case TCP_KNOB_MODE:
    ok = parse_mode(value, &v);
    break;
  }
  if (!ok || v < k->info.min || v > k->info.max)
    return TCP_ERR_BAD_VALUE;
  store(p, k, v);
  return TCP_OK;
}

int tcp_profile_get(const tcp_profile *p, const char *name, char *buf,
                    size_t cap) {
  const knob *k = find_knob(name);
  if (!k)
    return TCP_ERR_UNKNOWN_KNOB;
  uint64_t v = load(p, k);
  static const char *const modes[] = {"off", "oneshot", "tick"};
  switch (k->info.kind) {
  case TCP_KNOB_BOOL:
    snprintf(buf, cap, "%s", v ? "true" : "false");
    break;
  case TCP_KNOB_MODE:
    snprintf(buf, cap, "%s", v < 3 ? modes[v] : "?");
    break;
  case TCP_KNOB_TIME:
    if (v % TCP_MS == 0)
      snprintf(buf, cap, "%" PRIu64 "ms", v / (uint64_t)TCP_MS);
    else if (v % 1000 == 0)
      snprintf(buf, cap, "%" PRIu64 "us", v / 1000);
    else
      snprintf(buf, cap, "%" PRIu64 "ns", v);
    break;
  case TCP_KNOB_BYTES:
    snprintf(buf, cap, "%" PRIu64 "B", v);
    break;
  case TCP_KNOB_COUNT:
    snprintf(buf, cap, "%" PRIu64, v);
    break;
  }
  return TCP_OK;
}
