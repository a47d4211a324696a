/*
 * cli.h - internal to cmd/: what the subcommands share - option parsing
 * of --KEY=VALUE into conversation parameters and profile knobs, and the
 * error message convention (program, subcommand, what, expected; exit 2).
 */
#ifndef HALFCLOSE_CLI_H
#define HALFCLOSE_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "conv_params.h"
#include "scenario.h"
#include "tcp.h"

#define CLI_MAX_KNOBS 64

/* Conversation parameters plus profile knobs given on the command line. */
typedef struct cli_params {
  conv_params p;
  char knob[CLI_MAX_KNOBS][64];     /* knob names */
  const char *value[CLI_MAX_KNOBS]; /* their values as written */
  uint64_t v[CLI_MAX_KNOBS];        /* ... and as the model takes them */
  int nknobs;
} cli_params;

/* Print "halfclose SUB: message" to stderr; returns 2 (the usage status). */
int cli_error(const char *sub, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* If `arg` is --KEY=VALUE for a conversation parameter or a profile knob,
 * apply it to *cp and return 1; return 0 if KEY is neither; return -1 after
 * printing an error for a bad value. */
int cli_param_arg(const char *sub, const char *arg, cli_params *cp);

/* FILE:NAME (given as --OPT=, or positionally when opt is NULL): scenario
 * FILE loaded into *s (the caller scn_free()s it) and its [profile NAME]
 * in *u. 0, or 2 after a message (nothing to free). */
int cli_scenario_profile(const char *sub, const char *opt, const char *spec,
                         scenario *s, const scn_user_profile **u);

/* Fill *p from preset `name` and apply the knobs of *cp. Returns 0 or -1
 * after printing an error. */
int cli_profile(const char *sub, const char *name, const cli_params *cp,
                tcp_profile *p);

/* The value of --NAME=VALUE or NULL if `arg` is not that option. */
const char *cli_opt(const char *arg, const char *name);

/* Parse an unsigned integer option; -1 after printing an error. */
int cli_u64(const char *sub, const char *opt, const char *v, uint64_t *out);

/* An argument that is no known option: an unknown option is an error; the
 * first other argument fills *slot ("what" names it in the message, e.g.
 * "store"), a second is an error. Returns 0, or 2 after a message. */
int cli_positional(const char *sub, const char *arg, const char **slot,
                   const char *what);

/* Output to `out` (or standard output when NULL) written beside it as
 * OUT.tmp and renamed only when complete: never a half-written file.
 * cli_out_open returns the stream (NULL after an error message);
 * cli_out_close takes the writer's status and returns 0 or -1. */
FILE *cli_out_open(const char *sub, const char *out);

/* 0, or 2 after a message when the directory of output `path` (given as
 * --OPT=path) does not exist: checked before minutes of work, not after. */
int cli_out_dir(const char *sub, const char *opt, const char *path);

/* May output `out` (given as --OPT=out; NULL: none) be written? Every
 * command asks this one function before it writes anything. 0, or 2 after
 * a message when: out is empty; its directory does not exist; it exists
 * and is a directory, a device or anything but a regular file; it is the
 * file `store` (by any path or link; store may be NULL); it is the
 * store's -wal, -shm or -journal (whether they exist or not); it exists
 * and is an SQLite database or write-ahead log (a foreign file), unless
 * flags has CLI_OUT_DB (crosscheck's store checks its own kind). What
 * passes is written beside its name and renamed into place only when
 * complete (cli_out_open/close, cli_out_tmp/commit, plot's .part). */
#define CLI_OUT_DB 1u
int cli_out_check(const char *sub, const char *opt, const char *out,
                  const char *store, unsigned flags);

/* The temporary name beside `out` (OUT.tmp), where every writer of an
 * output (cli_out_open, a capture) puts it until it is whole. */
void cli_out_tmp(const char *out, char *buf, size_t cap);

/* ok: rename tmp to out (0, or -1, with a message when sub is not NULL);
 * not ok: remove tmp (-1). Never leaves a partial file under out. */
int cli_out_commit(const char *sub, const char *tmp, const char *out, bool ok);
int cli_out_close(FILE *f, const char *out, int status);

/* Document every conversation parameter and every profile knob. */
void cli_print_keys(FILE *f);

#endif
