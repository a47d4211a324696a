/*
 * grammar.h - the one command-line grammar. Every command's arguments
 * pass through cli_normalize() before the command reads them, so every
 * command takes the same forms:
 *
 *   --name=value and --name value     the same
 *   --name-with-dashes                an alias of --name_with_dashes (the
 *                                     one spelling, as in scenario files)
 *   --BOOL_KEY                        --BOOL_KEY=true, for a true/false
 *                                     conversation key or knob
 *   an unknown --name                 refused (exit 2) with the nearest
 *                                     known name: "did you mean --delay?"
 *
 * A command then sees only --name=value (or --flag) with the snake_case
 * name.
 */
#ifndef HALFCLOSE_GRAMMAR_H
#define HALFCLOSE_GRAMMAR_H

#include <stdbool.h>

/* One option of a command: its snake_case name, and whether it takes a
 * value (--name=VALUE) or is a flag (--name). */
typedef struct cli_option {
  const char *name;
  bool value;
} cli_option;

/* What a command takes: its options (terminated by a NULL name), and
 * whether it takes the conversation keys (--delay=...) and the profile
 * knobs (--delack=...). */
typedef struct cli_grammar {
  const cli_option *opts;
  bool keys, knobs;
} cli_grammar;

/* Rewrites argv[0..argc) in place into the canonical form above (the
 * strings it makes live until exit); *argc may shrink (--name value
 * pairs become one). 0, or 2 after printing the error for `sub`. */
int cli_normalize(const char *sub, const cli_grammar *g, int *argc,
                  char **argv);

/* The known name nearest to `name` (edit distance within a third of its
 * length, at least 1), or NULL. */
const char *cli_nearest(const cli_grammar *g, const char *name);

#endif
