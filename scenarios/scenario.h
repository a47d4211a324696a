/*
 * scenario.h - scenario files: parsing (INI, with libinih), validation, and
 * the parameters drawn for conversation i.
 *
 * A scenario fixes the batch (how many conversations, the seed, the
 * profiles) and gives every conversation parameter or profile knob a value:
 * a constant with its unit, a distribution, or a grid. Grids are crossed;
 * every cell of the grid gets `conversations` conversations, and
 * conversation i belongs to cell i mod cells, so a batch grown in index
 * order fills the cells evenly.
 *
 * Conversation i's parameters depend only on the scenario's text, its seed
 * and i (scn_draw); the random choices inside the conversation depend on
 * scn_conv_seed() and i. Errors name the file, line, key and value, and say
 * what was expected.
 */
#ifndef HALFCLOSE_SCENARIO_H
#define HALFCLOSE_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "conv_params.h"
#include "tcp.h"

#define SCN_MAX_PROFILES      8
#define SCN_MAX_KEYS          64
#define SCN_MAX_VALUES        160 /* values of a choice or grid */
#define SCN_MAX_USER          16  /* [profile NAME] and [variant NAME] */
#define SCN_MAX_OVERRIDE      40  /* knobs one [profile NAME] section sets */
#define SCN_MAX_CONVERSATIONS 1000000000000ull /* cells x per cell, at most */
#define SCN_MAX_FILE_BYTES    (1 << 20)        /* a scenario file, at most */

typedef enum scn_dist {
  SCN_CONST,
  SCN_UNIFORM,
  SCN_LOGUNIFORM,
  SCN_NORMAL,      /* truncated to the key's valid range */
  SCN_EXPONENTIAL, /* truncated likewise */
  SCN_CHOICE,      /* equally likely values */
  SCN_GRID         /* grid(...) or sweep(a, b, n): crossed with others */
} scn_dist;

/* One key of the scenario with its value or distribution. */
typedef struct scn_key {
  char name[40];            /* parameter key or profile knob */
  int line;                 /* where it was set */
  const hc_param *param;    /* a conversation parameter, or NULL for a knob */
  hc_kind kind;             /* its unit kind */
  const char *const *words; /* a word knob's words (value: index), or NULL */
  double min, max;          /* valid range, base units */
  scn_dist dist;
  double a, b;                 /* uniform/loguniform bounds, mu/sigma, mean */
  double vals[SCN_MAX_VALUES]; /* choice and grid values (words: index) */
  int nvals;
  uint64_t stride; /* grid: cells per step of this key */
} scn_key;

/*
 * A profile the scenario defines: [profile NAME] with `base = PRESET` and
 * knob overrides, each a constant. It applies as: the base preset, then the
 * scenario's [tcp] keys (which every profile shares), then its overrides.
 *
 * A variant, [variant NAME], is the same with more: its base may also be a
 * [profile] or another [variant], and it may set conversation keys, each a
 * constant, over each conversation's draws. Listed in profiles = like a
 * profile, it runs on the same draws, paired. Its chain - the base preset,
 * then [tcp], then each section's knobs from the root down - gives its
 * TCP; its conversation keys, from the root down, its parameters.
 */
typedef struct scn_user_profile {
  char name[40];                    /* as profiles = ... names it */
  char base[48];                    /* a built-in preset (+rfc1337), or for
                                       a variant a [profile] or [variant] */
  bool variant;                     /* [variant NAME] */
  int line;                         /* its section header */
  int nover;                        /* overrides */
  char knob[SCN_MAX_OVERRIDE][32];  /* knob names */
  char value[SCN_MAX_OVERRIDE][64]; /* their values as written */
  uint64_t v[SCN_MAX_OVERRIDE];     /* ... and as the model takes them */
  int knob_line[SCN_MAX_OVERRIDE];  /* where each was set */
  int nparam;                       /* a variant's conversation keys */
  const hc_param *param[SCN_MAX_OVERRIDE];
  char pvalue[SCN_MAX_OVERRIDE][64]; /* their values as written */
  double pv[SCN_MAX_OVERRIDE];       /* ... in base units */
  int param_line[SCN_MAX_OVERRIDE];
} scn_user_profile;

typedef struct scenario {
  char path[512];         /* as given */
  char name[64];          /* file name without .ini */
  char *text;             /* the whole file */
  char *question;         /* its opening comment, joined into one paragraph */
  uint64_t hash;          /* FNV-1a of text */
  uint64_t conversations; /* per grid cell */
  uint64_t seed;
  char profiles[SCN_MAX_PROFILES][48];
  int nprofiles;
  char server_profile[48]; /* "" = each conversation's own profile */
  int profiles_line;       /* where [batch] profiles was set, or 0 */
  int server_profile_line; /* where [batch] server_profile was, or 0 */
  scn_key keys[SCN_MAX_KEYS];
  int nkeys;
  uint64_t cells;                      /* grid cells (1 without grids) */
  scn_user_profile user[SCN_MAX_USER]; /* profiles the file defines */
  int nuser;
} scenario;

/*
 * Load and validate `path`. Returns 0, or -1 with one line per problem in
 * err[0..cap) (file:line: key = value: what was expected; err may be
 * NULL). Warnings (a delayed-ACK timeout over 500 ms) go to `warn` (may be
 * NULL). Every function of the loader reports errors this way: the
 * convention of every layer above the model (0 or -1, and a message that
 * keeps what a lower layer said).
 */
int scn_load(scenario *s, const char *path, char *err, size_t cap, FILE *warn);

/* The same from text already in memory (path is used in messages). */
int scn_load_text(scenario *s, const char *path, const char *text, char *err,
                  size_t cap, FILE *warn);

void scn_free(scenario *s);

/* Whether two scenarios draw the same conversations once parsed: the same
 * keys and distributions in the same order (the draws take them in turn),
 * seed, grid, server profile and profile definitions - whatever their
 * comments, layout, file name, conversations per cell or list of
 * profiles. */
bool scn_same_draws(const scenario *a, const scenario *b);

/* Total conversations: cells * conversations. */
uint64_t scn_total(const scenario *s);

/* Replace the profile list by a comma-separated one; -1 if one is unknown
 * (message to err). */
int scn_set_profiles(scenario *s, const char *list, char *err, size_t cap);

/* The seed conv_run takes for this batch (text hash and seed). */
uint64_t scn_conv_seed(const scenario *s);

/* Conversation i's parameters, and each key's drawn value in base units
 * (values[k] for keys[k]; NaN-free). */
void scn_draw(const scenario *s, uint64_t i, conv_params *p, double *values);

/* The draw algorithm's version: what scn_draw makes of a scenario, a seed
 * and an index. A store keeps the version it was drawn with, and its
 * readers - which draw each conversation's parameters again - refuse a
 * store drawn by another. Bump it with any change to the draws. */
#define SCN_DRAW_VERSION 1

/* The profile that runs ns-3's own TCP instead of the model. */
#define SCN_NS3_PROFILE "ns3-native"

/* What a profile name of the scenario runs, for one conversation. */
typedef struct scn_ends {
  bool ns3;           /* ns-3's own TCP (SCN_NS3_PROFILE): its delayed-ACK
                         timeout and count are nt351's with the
                         scenario's knobs applied */
  tcp_profile client; /* the client's profile */
  tcp_profile server; /* the server's: server_profile, or the client's */
} scn_ends;

/* Resolve profile `name` (one of s->profiles, or any the scenario knows)
 * for the values drawn for a conversation, the one place the batch, replay
 * and the report do it. 0 or -1 (message to err). */
int scn_ends_for(const scenario *s, const char *name, const double *values,
                 scn_ends *out, char *err, size_t cap);

/* The profile `name` - a preset or one the scenario defines - with
 * conversation i's knob values applied; 0 or -1 (message to err). */
int scn_profile(const scenario *s, const char *name, const double *values,
                tcp_profile *out, char *err, size_t cap);

/* The profile the scenario defines under `name`, or NULL. */
const scn_user_profile *scn_user_find(const scenario *s, const char *name);

/* That profile alone: its base (for a variant, its chain), then its own
 * knobs - without the scenario's [tcp] keys, which are each
 * conversation's draws, and without a variant's conversation keys. 0 or
 * -1 (message to err). */
int scn_user_resolve(const scenario *s, const scn_user_profile *u,
                     tcp_profile *out, char *err, size_t cap);

/* A variant's conversation keys over p (nothing for another profile). */
void scn_params_for(const scenario *s, const char *name, conv_params *p);

/* Whether profile `name` is a variant that sets conversation key `key`. */
bool scn_variant_sets(const scenario *s, const char *name, const char *key);

/* Whether any profile of s->profiles is a variant with conversation keys. */
bool scn_has_variant_params(const scenario *s);
/* A scenario of the teardown races beyond the article's: its file or a
 * variant it runs sets requests, max_requests, close_mode, idle_timeout,
 * reuse_timeout or retry. */
bool scn_is_race(const scenario *s);

/* The grid cell of conversation i. */
uint64_t scn_cell(const scenario *s, uint64_t i);

/* The text form of a knob value drawn as `v` ("123ms", "tick", "true"). */
void scn_knob_text(const scn_key *k, double v, char *buf, size_t cap);

#endif
