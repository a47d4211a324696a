/*
 * plot.h - graphs with gnuplot: the C side writes the data, the readable
 * .gp scripts in plots/ draw it.
 *
 * plot_store() draws a store's graphs into a directory, each as PNG, SVG or
 * PDF: the reset probability against the one-way delay and against the
 * delayed-ACK timeout, a heatmap over both, the outcomes per profile, the
 * distribution of bytes lost, and simulated against closed-form
 * probability. A graph whose parameter the scenario does not vary is
 * skipped, and says so. The data files stay beside the graphs (data/) so a
 * user can restyle them.
 *
 * Every graph names the scenario and n in its title, labels its axes with
 * units, has a legend, and gives a profile the same colour everywhere
 * (Okabe-Ito's palette, told apart with any colour vision).
 *
 * A gnuplot that is missing or fails is an error with gnuplot's own words.
 */
#ifndef HALFCLOSE_PLOT_H
#define HALFCLOSE_PLOT_H

#include <stdbool.h>
#include <stdio.h>

#include "ladder.h"
#include "report.h"

/* Draw every graph of an analyzed store into dir ("png", "svg" or "pdf").
 * Progress lines go to log (may be NULL). 0 or -1 with a message. */
/* Whether the graph file at path (.png, .svg or .pdf, or that with .part)
 * is whole: its signature and its ending are there. 0, or -1 with a
 * message. */
int plot_complete(const char *path, char *err, size_t cap);

int plot_store(const report *r, const char *dir, const char *format, FILE *log,
               char *err, size_t cap);

/* Draw a conversation's ladder diagram into path (.png, .svg or .pdf). */
int plot_ladder(const ladder *l, const char *path, const char *title, char *err,
                size_t cap);

/* The colour of a profile, "#RRGGBB". */
const char *plot_profile_colour(const char *profile, int index);

/* Draw every probability axis from 0 to 1 (off: fitted to the data, at
 * most 1). */
void plot_full_y(bool on);

#endif
