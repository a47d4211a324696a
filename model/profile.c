/*
 * profile.c - behaviour profiles: the presets, where each value comes from,
 * and the knob table.
 *
 * A profile is plain data. Each preset is a column of the table below: for
 * every knob a value and its source - an RFC section, a 4.4BSD-Lite2 file
 * and function, a Linux function or sysctl default, Microsoft's
 * documentation - or "assumed" with the reason for the choice where no
 * public source exists. Every rate the suite reports depends on these
 * values, so `halfclose profiles` prints this table as it is.
 *
 *   nt351     Windows NT 3.51 before the service pack: the KB Q152474 bug.
 *   nt351-sp  The same with the article's fix: after the ACK of the FIN,
 *             nothing of its own accord.
 *   bsd44     4.4BSD-Lite2, sys/netinet.
 *   linux     Linux 6.x defaults, as far as the model has the features
 *             (no timestamps, SACK or window scaling).
 *   +rfc1337  Modifier: ignore RST in TIME-WAIT.
 *
 * Presets are built once from the text of the table through
 * tcp_profile_set(), so a preset value obeys the same ranges as a user's.
 */
#include "tcp_internal.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const presets[] = {"nt351", "nt351-sp", "bsd44", "linux",
                                      NULL};
#define NPRESETS 4

const char *const *tcp_profile_presets(void) {
  return presets;
}

/* Sources quoted more than once. */
#define NT_DOC_ASSUMED                                                         \
  "documented for NT 4.0 SP4+ and Windows 2000 (TcpDelAckTicks, 100 ms "       \
  "ticks); assumed for NT 3.51: no public source"
#define KB_BUG                                                                 \
  "KB Q152474: the delayed ACK pending when the FIN was ACKed fires "          \
  "afterwards"
#define BSD_OUTPUT_CLEARS                                                      \
  "4.4BSD-Lite2 tcp_output.c tcp_output(): every segment sent clears "         \
  "TF_ACKNOW|TF_DELACK"
#define BSD_RST_SWITCH                                                         \
  "4.4BSD-Lite2 tcp_input.c: RST in CLOSING/LAST_ACK/TIME_WAIT -> "            \
  "tcp_close() with no so_error"
#define LINUX_ACK_SENT                                                         \
  "Linux tcp_event_ack_sent(): any ACK sent clears the ICSK_TIME_DACK timer"
#define UNUSED "not used by this profile's delayed-ACK mode"

typedef struct preset_cell {
  const char *value;  /* as tcp_profile_set takes it */
  const char *source; /* where it comes from, or "assumed: why" */
} preset_cell;

typedef struct preset_row {
  const char *knob;
  preset_cell v[NPRESETS]; /* nt351, nt351-sp, bsd44, linux */
} preset_row;

/* nt351-sp copies nt351 except where its cell names a value. */
#define SAME                                                                   \
  { NULL, NULL }

static const preset_row table[] = {
    {"delack_mode",
     {{"tick", "NT's TCP timer runs in 100 ms ticks; " NT_DOC_ASSUMED},
      SAME,
      {"tick", "4.4BSD-Lite2 tcp_timer.c tcp_fasttimo(): sends the flagged "
               "delayed ACKs every 200 ms (PR_FASTHZ 5)"},
      {"oneshot", "Linux tcp_send_delayed_ack(): a one-shot ICSK_TIME_DACK "
                  "timer from the arrival"}}},
    {"delack",
     {{"200ms", "TcpDelAckTicks default 2 x 100 ms; " NT_DOC_ASSUMED},
      SAME,
      {"200ms", "4.4BSD-Lite2 tcp_fasttimo(): the next 200 ms fast tick"},
      {"40ms", "Linux TCP_DELACK_MIN (HZ/25): the ATO's lower bound"}}},
    {"delack_max",
     {{"0ms", "assumed: no adaptive timeout is documented for NT"},
      SAME,
      {"0ms", "4.4BSD-Lite2: fixed, no adaptation"},
      {"200ms", "Linux TCP_DELACK_MAX (HZ/5); the ATO adapts to the arrival "
                "gaps (tcp_event_data_recv(); approximated)"}}},
    {"delack_tick",
     {{"100ms", "NT's 100 ms TCP timer; " NT_DOC_ASSUMED},
      SAME,
      {"200ms", "4.4BSD-Lite2 PR_FASTHZ 5: 200 ms"},
      {"10ms", UNUSED}}},
    {"delack_phase",
     {{"0ms", "the tick grid is host-wide and its phase unknown: drawn per "
              "host when random_phase is on"},
      SAME,
      {"0ms", "as nt351: drawn per host when random_phase is on"},
      {"0ms", UNUSED}}},
    {"delack_finwait",
     {{"true", "implied by KB Q152474: a delayed ACK is pending in "
               "FIN-WAIT-2 when the server's FIN arrives"},
      SAME,
      {"false", "4.4BSD-Lite2 tcp_input.c TCP_REASS: TF_DELACK only in "
                "ESTABLISHED, TF_ACKNOW in every other state"},
      {"true", "Linux __tcp_ack_snd_check(): no state condition"}}},
    {"ack_rule",
     {{"segments", "assumed: RFC 1122 §4.2.3.2 asks for an ACK at least "
                   "every second full-sized segment; how NT counted is not "
                   "documented"},
      SAME,
      {"none", "4.4BSD-Lite2 tcp_input.c counts no segments: every in-order "
               "segment sets TF_DELACK; the every-other-segment ACK is "
               "tcp_output()'s window update when the reader drains "
               "(adv >= 2 x t_maxseg)"},
      {"bytes", "Linux __tcp_ack_snd_check(): ACK at once when rcv_nxt - "
                "rcv_wup > rcv_mss (its window condition is not modelled)"}}},
    {"ack_every",
     {{"2", "RFC 1122 §4.2.3.2; TcpAckFrequency default 2 is documented for "
            "Windows Server 2003 and later, assumed for NT 3.51"},
      SAME,
      {"2", "not used with ack_rule none"},
      {"2", "Linux: more than one rcv_mss of unacknowledged bytes, i.e. the "
            "second full segment"}}},
    {"quickack",
     {{"0", "assumed: no quick-ACK mode is documented for NT"},
      SAME,
      {"0", "4.4BSD-Lite2 has no quick-ACK mode"},
      {"16", "Linux TCP_MAX_QUICKACKS 16 (tcp_incr_quickack(): "
             "min(rcv_wnd / 2 rcv_mss, 16) at start)"}}},
    {"ack_cancels_delack",
     {{"true", "assumed: an ACK on any segment satisfies the pending one "
               "(RFC 1122 §4.2.3.2); the article's bug is specific to the "
               "ACK of the FIN"},
      SAME,
      {"true", BSD_OUTPUT_CLEARS},
      {"true", LINUX_ACK_SENT}}},
    {"fin_ack_cancels_delack",
     {{"false", KB_BUG},
      SAME,
      {"true", BSD_OUTPUT_CLEARS},
      {"true", LINUX_ACK_SENT}}},
    {"fin_ack_final",
     {{"false", KB_BUG},
      {"true", "KB Q152474's fix: TCPIP.SYS changed 'to not send an "
               "acknowledgment if an acknowledgment was already sent for a "
               "FIN packet'"},
      {"false", "4.4BSD-Lite2: tcp_output()'s window-update test has no "
                "state guard and PRU_RCVD (tcp_usrreq.c) calls tcp_output(), "
                "so reads after the FIN send window updates"},
      {"true", "Linux tcp_fin(): FIN-WAIT-2 goes to tcp_time_wait() at once "
               "(the socket keeps no timers); tcp_cleanup_rbuf() sends no "
               "window update after RCV_SHUTDOWN"}}},
    {"rfc1337",
     {{"false", "KB Q152474: a RST in TIME-WAIT reaches the application "
                "(RFC 1337, 1992, only recommends ignoring it)"},
      SAME,
      {"false", "4.4BSD-Lite2 tcp_input.c: RST in TIME_WAIT -> tcp_close()"},
      {"false", "Linux sysctl net.ipv4.tcp_rfc1337 = 0 "
                "(tcp_timewait_state_process() kills the mini-socket)"}}},
    {"rfc5961",
     {{"false", "assumed RFC 793 §3.9 (RFC 5961 dates from 2010): any "
                "in-window RST resets, a SYN in the window resets"},
      SAME,
      {"false", "4.4BSD-Lite2 tcp_input.c: any RST in the window is acted "
                "on; a SYN in the window -> tcp_drop(ECONNRESET) and a RST"},
      {"true", "Linux tcp_validate_incoming(): RST only at exactly rcv_nxt, "
               "else and for a SYN tcp_send_challenge_ack() (since 3.6)"}}},
    {"rst_timewait_notifies",
     {{"true", "KB Q152474: the RST after the ACK of the FIN makes recv() "
               "fail with WSAECONNRESET"},
      SAME,
      {"false", BSD_RST_SWITCH},
      {"false", "Linux tcp_time_wait(): the application's socket is "
                "detached from the TIME-WAIT mini-socket a RST kills"}}},
    {"rst_closing_notifies",
     {{"true", "assumed as for TIME-WAIT: the article shows Winsock "
               "reporting a reset after the FIN exchange"},
      SAME,
      {"false", BSD_RST_SWITCH},
      {"true", "Linux tcp_reset(): sk_err = ECONNRESET in every state but "
               "SYN-SENT, CLOSE-WAIT and CLOSE"}}},
    {"rst_close_wait_epipe",
     {{"false", "Winsock has no EPIPE: a reset is WSAECONNRESET"},
      SAME,
      {"false", "4.4BSD-Lite2 tcp_input.c: so_error = ECONNRESET in "
                "ESTABLISHED to CLOSE_WAIT"},
      {"true", "Linux tcp_reset(): CLOSE-WAIT -> sk_err = EPIPE"}}},
    {"rst_discards_unread",
     {{"true", "KB Q152474: the client 'fails to receive data': recv() "
               "returns WSAECONNRESET and the unread data is lost"},
      SAME,
      {"false", "4.4BSD-Lite2 uipc_socket.c soreceive(): buffered data "
                "before so_error"},
      {"false", "Linux tcp_recvmsg(): queued data before sk_err"}}},
    {"winupdate_after_fin",
     {{"false", "assumed, no public source: the article names only the "
                "delayed ACK"},
      SAME,
      {"true", "4.4BSD-Lite2 tcp_output(): the window-update test (adv >= 2 "
               "x t_maxseg or half the buffer) has no state guard"},
      {"false", "Linux tcp_cleanup_rbuf(): no window update once "
                "RCV_SHUTDOWN (the FIN) is set"}}},
    {"nagle",
     {{"true", "RFC 1122 §4.2.3.4 (MUST); TCP_NODELAY off by default"},
      SAME,
      {"true", "4.4BSD-Lite2 tcp_output(): idle or TF_NODELAY"},
      {"true", "Linux tcp_nagle_check(); TCP_NODELAY off by default"}}},
    {"mss",
     {{"1460B", "Ethernet: MTU 1500 - 40 (RFC 879)"},
      SAME,
      {"1460B", "4.4BSD-Lite2 tcp_mss(): interface MTU - 40"},
      {"1460B", "Linux tcp_mtu_to_mss(): MTU 1500 - 40 without options"}}},
    {"init_cwnd",
     {{"2", "assumed, no public source for NT 3.51: 2 segments, RFC 2581 "
            "§3.1's upper bound of the time"},
      SAME,
      {"1", "4.4BSD-Lite2 tcp_input.c tcp_mss(): snd_cwnd = mss"},
      {"10", "Linux TCP_INIT_CWND 10 (RFC 6928)"}}},
    {"rcv_buf",
     {{"8760B", "NT rounds its 8 KB default window up to 6 full Ethernet "
                "segments (Microsoft's NT TCP/IP implementation notes)"},
      SAME,
      {"8192B", "4.4BSD-Lite2 tcp_usrreq.c tcp_recvspace 1024*8"},
      {"65535B", "Linux tcp_rmem default 131072 exceeds what a window "
                 "without scaling can offer: 65535"}}},
    {"snd_buf",
     {{"8192B", "Winsock SO_SNDBUF default 8 KB"},
      SAME,
      {"8192B", "4.4BSD-Lite2 tcp_usrreq.c tcp_sendspace 1024*8"},
      {"16384B", "Linux tcp_wmem default 16384"}}},
    {"rto_initial",
     {{"3s", "RFC 1122 §4.2.3.1: 3 s before a sample"},
      SAME,
      {"6s", "4.4BSD-Lite2 tcp_subr.c tcp_newtcpcb(): ((TCPTV_SRTTBASE >> 2) "
             "+ (TCPTV_SRTTDFLT << 2)) >> 1 = 6 s"},
      {"1s", "Linux TCP_TIMEOUT_INIT 1 s (RFC 6298 §2.1)"}}},
    {"rto_min",
     {{"500ms", "assumed: NT's lower bound is not documented"},
      SAME,
      {"1s", "4.4BSD-Lite2 tcp_timer.h TCPTV_MIN: 2 slow ticks"},
      {"200ms", "Linux TCP_RTO_MIN"}}},
    {"rto_max",
     {{"240s", "assumed: no public source"},
      SAME,
      {"64s", "4.4BSD-Lite2 tcp_timer.h TCPTV_REXMTMAX"},
      {"120s", "Linux TCP_RTO_MAX"}}},
    {"max_retries",
     {{"5", "TcpMaxDataRetransmissions default 5 (Microsoft's NT "
            "documentation)"},
      SAME,
      {"12", "4.4BSD-Lite2 tcp_timer.h TCP_MAXRXTSHIFT"},
      {"15", "Linux sysctl net.ipv4.tcp_retries2 = 15"}}},
    {"syn_retries",
     {{"3", "TcpMaxConnectRetransmissions default 3 (documented for NT "
            "4.0; assumed for 3.51)"},
      SAME,
      {"6", "approximation: 4.4BSD-Lite2 gives up at TCPTV_KEEP_INIT (75 s), "
            "not after a count"},
      {"6", "Linux sysctl net.ipv4.tcp_syn_retries = 6"}}},
    {"msl",
     {{"120s", "TcpTimedWaitDelay default 240 s = 2 MSL (Microsoft's NT "
               "documentation)"},
      SAME,
      {"30s", "4.4BSD-Lite2 tcp_timer.h TCPTV_MSL 30 s"},
      {"30s", "Linux TCP_TIMEWAIT_LEN 60 s = 2 x 30 s"}}},
    {"ttl",
     {{"32", "DefaultTTL 32 in NT 3.5x (Microsoft's NT TCP/IP registry "
             "documentation)"},
      SAME,
      {"64", "4.4BSD-Lite2 ip_var.h IPDEFTTL 64"},
      {"64", "Linux sysctl net.ipv4.ip_default_ttl = 64"}}},
};
#define NROWS (sizeof table / sizeof table[0])

static int preset_index(const char *name) {
  for (int i = 0; i < NPRESETS; i++)
    if (strcmp(presets[i], name) == 0)
      return i;
  return -1;
}

/* The cell of preset i for row r, following nt351-sp's SAME to nt351. */
static const preset_cell *cell(size_t r, int i) {
  const preset_cell *c = &table[r].v[i];
  return c->value ? c : &table[r].v[0];
}

int tcp_profile_source(const char *preset, const char *knob, const char **value,
                       const char **source) {
  int i = preset_index(preset);
  if (i < 0)
    return TCP_ERR_UNKNOWN_PROFILE;
  for (size_t r = 0; r < NROWS; r++)
    if (strcmp(table[r].knob, knob) == 0) {
      const preset_cell *c = cell(r, i);
      if (value)
        *value = c->value;
      if (source)
        *source = c->source;
      return TCP_OK;
    }
  return TCP_ERR_UNKNOWN_KNOB;
}

/* Preset i, built once from the table (every value passes the knob ranges,
 * which the profile tests check). */
static const tcp_profile *built(int i) {
  static tcp_profile cache[NPRESETS];
  static bool done[NPRESETS];
  if (!done[i]) {
    tcp_profile p = {0};
    for (size_t r = 0; r < NROWS; r++) {
      int rv = tcp_profile_set(&p, table[r].knob, cell(r, i)->value);
      (void)rv;
      assert(rv == 0 && "profile.c built: a preset value is invalid");
    }
    snprintf(p.name, sizeof p.name, "%s", presets[i]);
    cache[i] = p;
    done[i] = true;
  }
  return &cache[i];
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
  int i = preset_index(base);
  if (i < 0)
    return TCP_ERR_UNKNOWN_PROFILE;
  tcp_profile tmp = *built(i);
  if (rfc1337) {
    tmp.rfc1337 = true;
    memcpy(tmp.name + n, "+rfc1337", 9);
  }
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

static const char *const delack_modes[] = {"off", "oneshot", "tick", NULL};
static const char *const ack_rules[] = {"none", "segments", "bytes", NULL};

#define K(name, kind, min, max, help)                                          \
  {                                                                            \
    {#name, kind, min, max, help, NULL}, offsetof(tcp_profile, name),          \
        sizeof(((tcp_profile *)0)->name)                                       \
  }
#define KN(knob_name, field, kind, min, max, help)                             \
  {                                                                            \
    {knob_name, kind, min, max, help, NULL}, offsetof(tcp_profile, field),     \
        sizeof(((tcp_profile *)0)->field)                                      \
  }
#define KW(name, words, help)                                                  \
  {                                                                            \
    {#name, TCP_KNOB_WORD, 0, sizeof words / sizeof *words - 2, help, words},  \
        offsetof(tcp_profile, name), sizeof(((tcp_profile *)0)->name)          \
  }

static const knob knobs[] = {
    KW(delack_mode, delack_modes,
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
    KW(ack_rule, ack_rules,
       "immediate ACK: none, segments (every N full) or bytes (> (N-1) MSS)"),
    K(ack_every, TCP_KNOB_COUNT, 1, 1000, "the N of ack_rule"),
    K(quickack, TCP_KNOB_COUNT, 0, 1000000,
      "first N data segments are ACKed at once"),
    K(ack_cancels_delack, TCP_KNOB_BOOL, 0, 1,
      "any ACK sent clears a pending delayed ACK"),
    K(fin_ack_cancels_delack, TCP_KNOB_BOOL, 0, 1,
      "the ACK of the peer's FIN clears it (false: KB Q152474 bug)"),
    K(fin_ack_final, TCP_KNOB_BOOL, 0, 1,
      "after the ACK of the FIN no ACK of our own accord (the KB fix)"),
    K(rfc1337, TCP_KNOB_BOOL, 0, 1, "ignore RST in TIME-WAIT (RFC 1337)"),
    K(rfc5961, TCP_KNOB_BOOL, 0, 1,
      "RST only at RCV.NXT, challenge ACKs (false: RFC 793)"),
    K(rst_timewait_notifies, TCP_KNOB_BOOL, 0, 1,
      "a RST in TIME-WAIT reaches the application"),
    K(rst_closing_notifies, TCP_KNOB_BOOL, 0, 1,
      "a RST in CLOSING or LAST-ACK reaches the application"),
    K(rst_close_wait_epipe, TCP_KNOB_BOOL, 0, 1,
      "a RST in CLOSE-WAIT reads as EPIPE, not a reset (Linux)"),
    K(rst_discards_unread, TCP_KNOB_BOOL, 0, 1,
      "a reset discards unread data at once (Winsock)"),
    K(winupdate_after_fin, TCP_KNOB_BOOL, 0, 1,
      "send window updates after the peer's FIN"),
    K(nagle, TCP_KNOB_BOOL, 0, 1, "Nagle's algorithm (RFC 896)"),
    K(mss, TCP_KNOB_BYTES, 64, 65495, "MSS announced and used at most"),
    K(init_cwnd, TCP_KNOB_COUNT, 1, 100, "initial congestion window, segments"),
    K(rcv_buf, TCP_KNOB_BYTES, 1, 65535, "receive buffer (no window scaling)"),
    K(snd_buf, TCP_KNOB_BYTES, 1, UINT32_MAX, "send buffer"),
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

const tcp_knob_info *tcp_profile_knob(const char *name) {
  size_t n;
  const tcp_knob_info *k = tcp_profile_knobs(&n);
  for (size_t i = 0; i < n; i++)
    if (strcmp(k[i].name, name) == 0)
      return &k[i];
  return NULL;
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
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
    return false; /* decimal only: strtod would take hexadecimal */
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

static bool parse_word(const char *const *words, const char *s, uint64_t *v) {
  for (int i = 0; words[i]; i++)
    if (strcasecmp(s, words[i]) == 0) {
      *v = (uint64_t)i;
      return true;
    }
  return false;
}

static void store(tcp_profile *p, const knob *k, uint64_t v) {
  char *f = (char *)p + k->off;
  if (k->info.kind == TCP_KNOB_BOOL) {
    *(bool *)f = v != 0;
  } else if (k->info.kind == TCP_KNOB_WORD) {
    *(int *)f = (int)v; /* an enum */
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
  if (k->info.kind == TCP_KNOB_WORD)
    return (uint64_t) * (const int *)f;
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
  case TCP_KNOB_WORD:
    ok = parse_word(k->info.words, value, &v);
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
  switch (k->info.kind) {
  case TCP_KNOB_BOOL:
    snprintf(buf, cap, "%s", v ? "true" : "false");
    break;
  case TCP_KNOB_WORD:
    snprintf(buf, cap, "%s", v <= k->info.max ? k->info.words[v] : "?");
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
