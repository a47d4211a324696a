/*
 * replay.h - one conversation with its timeline, shared by `replay`
 * (simulated) and `emulate` (in real time, kernels at the ends).
 */
#ifndef HALFCLOSE_REPLAY_H
#define HALFCLOSE_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "conv.h"

/* One conversation with its timeline: run it, print the header, the
 * ladder, the outcome and the anatomy, draw the ladder if asked. Returns 0
 * or 1 (after a message); *o receives the outcome. */
typedef struct replay_job {
  uint32_t ns3_seed;         /* the simulation's seed */
  conv_env *env;             /* a simulation to run in (emulate), or NULL */
  const conv_kernel *kernel; /* real kernels at the ends, or NULL */
  const char *sub;           /* the command, for messages */
  const conv_params *p;      /* the conversation */
  conv_stack stack;
  const tcp_profile *client, *server;
  uint64_t seed, index; /* conv_run's randomness */
  const char *pcap;     /* capture, or NULL */
  bool show;            /* print the ladder */
  const char *header;   /* the first line */
  const char *title;    /* the ladder diagram's title */
} replay_job;

int replay_one(const replay_job *j, conv_outcome *o);

/* The options replay and emulate share: --seed, --pcap, --no-ladder,
 * --ladder (into ladder_file). 1 if `a` was one of them, 0 if not, -1
 * after a message. */
typedef struct replay_opts {
  uint64_t seed;
  const char *pcap;
  bool show;
} replay_opts;
int replay_opt(const char *sub, const char *a, replay_opts *o);

/* --ladder=FILE and --pcap_server=FILE of the running command, or NULL. */
extern const char *ladder_file;
extern const char *pcap_server_file;

#endif
