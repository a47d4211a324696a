/*
 * session.h - one emulated conversation's set-up: a real-time simulation
 * whose link ends are the model or real kernels, each kernel in a network
 * namespace of its own running halfclose-peer with the conversation's
 * parameters. `emulate` prints one; `crosscheck` runs many, one process
 * each.
 *
 * emu_session_open() creates the simulation and the namespaces, starts a
 * kernel server (listening before it returns) and prepares a kernel
 * client's program, which the conversation starts (conv_kernel.start).
 * Run the conversation with conv_run() on emu_session_env() with
 * emu_session_kernel(); then emu_session_timing() says how true to the
 * wall clock the run was, and emu_session_close() removes everything
 * (also after a failed open). Errors: 0/-1 and a message in (err, cap).
 */
#ifndef HALFCLOSE_SESSION_H
#define HALFCLOSE_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conv.h"

/* How far the link's real delays may be off for a run to count: each
 * frame's measured one-way delay, and how far behind the wall clock the
 * events ran, within this many milliseconds. */
#define EMU_TOLERANCE_MS 1.0

typedef struct emu_session emu_session;

/* How true to the wall clock a run was. */
typedef struct emu_timing {
  bool rt_priority; /* the run had real-time (SCHED_FIFO) priority */
  double late_ms;   /* events ran at most this far behind the wall clock
                       (as the polls every 5 ms see it) */
  /* each direction's one-way delay as measured frame by frame (index: the
   * sending end, 0 client, 1 server), ms */
  uint64_t frames[2];
  double mean_ms[2], min_ms[2], max_ms[2];
  uint64_t off[2]; /* frames more than EMU_TOLERANCE_MS off the configured */
  uint64_t tap_errors; /* frames for a kernel its TAP refused (lost) */
  bool trusted;  /* everything within EMU_TOLERANCE_MS, and nothing lost */
  int busy_cpus; /* CPUs kept busy while the link ran (0: none) */
  /* CLOCK_MONOTONIC at simulated 0, ns, or -1: the kernels' jiffies tick
   * on its multiples of the jiffy and their TCP timestamps count its
   * milliseconds, so this places both on the simulation's time line */
  int64_t clock0_ns;
} emu_timing;

/* Whether the sessions opened after it keep this process's CPUs busy while
 * the link runs (the default; see session.c), or let them idle
 * (--let-cpus-idle). */
void emu_keep_cpus_busy(bool on);

/* The options a profile offers, as EMU_OPT_* (netns.h): what a kernel
 * compared with it is set to offer. */
unsigned emu_opts_of(const tcp_profile *p);

/* Set up a conversation with parameters p (kept by pointer) whose client
 * (kern[0]) and server (kern[1]) are real kernels or not, the kernels
 * offering the TCP options `opts` (EMU_OPT_*); seed seeds the simulation.
 * Sweeps the namespaces of dead runs first. *out is set even on failure
 * (close it). */
int emu_session_open(emu_session **out, const conv_params *p,
                     const bool kern[2], unsigned opts, uint64_t seed,
                     char *err, size_t cap);

conv_env *emu_session_env(emu_session *m);
const conv_kernel *emu_session_kernel(emu_session *m);

/* After conv_run: the run's timing. */
void emu_session_timing(emu_session *m, emu_timing *t);

/* Kill what still runs, remove the namespaces, free the simulation. */
void emu_session_close(emu_session *m);

/* "Linux RELEASE; TCP timestamps, ..." - what a kernel end ran (offering
 * the options `opts`), for reports and stores. */
void emu_kernel_settings(char *buf, size_t cap, unsigned opts);

#endif
