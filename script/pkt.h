/*
 * pkt.h - scripts in packetdrill's language, run against a profile of the
 * model in simulated time (`halfclose script`).
 *
 * A script plays the remote peer of one local stack: segments to inject
 * (`<`), segments the stack must send (`>`), with times and tolerances,
 * and the local application's system calls with their expected results.
 * The language is packetdrill's, as its paper and documentation describe
 * it (Cardwell et al., USENIX ATC 2013); this interpreter is written here
 * and takes the subset listed in docs/scripts.md. Times are seconds from
 * the script's start; the local stack's sequence numbers are relative to
 * its ISN, the peer's are as written.
 *
 * pkt_parse reads a script into events; pkt_run plays it against a model
 * host with the given profile. Both report as every layer above the model
 * does: 0 or -1, and a message naming the file and line.
 */
#ifndef HALFCLOSE_PKT_H
#define HALFCLOSE_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tcp.h"

#define PKT_MAX_ARGS 8

typedef enum pkt_kind {
  PKT_IN,   /* < a segment the peer sends */
  PKT_OUT,  /* > a segment the local stack must send */
  PKT_CALL, /* a system call of the local application */
  PKT_SHELL /* `a shell line` (never run against a profile) */
} pkt_kind;

typedef struct pkt_time {
  bool any;      /* `*`: any time */
  bool relative; /* `+t`: from the previous event's time */
  double t;      /* seconds */
  bool range;    /* t~end: the event may happen in [t, end] */
  bool end_rel;  /* end written as +x: from the previous event */
  double end;    /* seconds */
  bool blocking; /* t...end: a call that starts at t and returns at end */
} pkt_time;

typedef struct pkt_event {
  int line;
  pkt_kind kind;
  pkt_time when;
  /* a segment */
  uint8_t flags;     /* TCP_SYN | TCP_ACK | ... */
  uint32_t seq, end; /* seq:end(len) */
  bool has_ack;
  uint32_t ack;
  bool has_win;
  uint32_t win;
  bool any_options;    /* <...> */
  bool has_options;    /* <...> or a list */
  uint16_t mss;        /* <mss N>, 0: none */
  uint8_t opts;        /* TCP_OPT_*: sackOK, wscale, TS listed */
  uint8_t wscale;      /* wscale N */
  uint32_t ts_val;     /* TS val N ecr N */
  uint32_t ts_ecr;
  uint8_t nsack; /* sack a:b ...: blocks, relative to the ISN */
  uint32_t sack[TCP_MAX_SACKS][2];
  /* a call */
  char call[24];
  int nargs;
  char arg[PKT_MAX_ARGS][64];
  bool any_result; /* = ... */
  int64_t result;
  char err[24];    /* the errno name expected, or "" */
  char text[160];  /* the line, for messages */
  char shell[512]; /* a shell line: the command between the backticks */
} pkt_event;

typedef struct pkt_script {
  char path[512];
  uint32_t tolerance_us; /* --tolerance_usecs (default 4000) */
  uint16_t mss;          /* --mss, or 0 */
  int nevents;
  pkt_event *ev;
} pkt_script;

/* Parse `text` (from `path`). 0, or -1 with "path:line: what was
 * expected" in err[0..cap). */
int pkt_parse(pkt_script *s, const char *path, const char *text, char *err,
              size_t cap);
void pkt_free(pkt_script *s);

/* What a run said: pass, or the first mismatch. */
typedef struct pkt_result {
  bool passed;
  int line;        /* the event that failed, or 0 */
  char why[512];   /* what was expected and what happened */
  double seconds;  /* simulated time the script took */
  int events;      /* events played */
  char notes[512]; /* options and settings taken or ignored */
} pkt_result;

/* Play `s` against a host of profile `p`; verbose: every event to `log`
 * (may be NULL). 0 (see out->passed), or -1 with a message in err (the
 * script asks what the interpreter does not do). */
int pkt_run(const pkt_script *s, const tcp_profile *p, FILE *log,
            pkt_result *out, char *err, size_t cap);

/* The errno name a kernel gives for the model's error rv ("ECONNRESET"). */
const char *pkt_errno_name(int64_t rv);

/* TCP flags as a script writes them ("S.", "F.", "R"), into buf. */
char *pkt_flags(uint8_t flags, char buf[8]);

/* " <mss N,sackOK,TS val N ecr N,nop,wscale N,...>" as the segment carries
 * its options (Linux's layout, packetdrill's words; "" for none), SACK
 * blocks less sack_base. */
void pkt_options_text(const tcp_segment *g, uint32_t sack_base, char *buf,
                      size_t cap);

/* Play `s` against the Linux kernel in a network namespace of its own, in
 * real time (root, /dev/net/tun and ip needed), its TAP named tun0; with
 * `shell`, each shell line runs (sh -c) inside that namespace at its
 * point in the script, and one that exits non-zero fails the script. As
 * pkt_run; -1 with a message also when the namespace cannot be made. */
int pkt_run_kernel(const pkt_script *s, bool shell, FILE *log, pkt_result *out,
                   char *err, size_t cap);

/* One host's side of a conversation written as a script: feed it every
 * trace event (others' are skipped), then write it after `header` (the
 * comments saying what it is and how to run it). */
typedef struct pkt_writer pkt_writer;
pkt_writer *pkt_writer_new(uint32_t host); /* NULL: out of memory */
void pkt_writer_event(pkt_writer *w, const tcp_event *ev);
/* Write to f (NULL: nothing, the writer only goes) and free the writer:
 * 0, or -1 when it could not be written whole. */
int pkt_writer_finish(pkt_writer *w, const char *header, FILE *f);

#endif
