/*
 * datadir.h - where halfclose's data is: the gnuplot scripts and the
 * shipped scenarios. An installed executable finds them beside it, in
 * ../share/halfclose (cmake --install); one in the build tree, in the
 * source tree it was built from. HALFCLOSE_DATA_DIR overrides both.
 */
#ifndef HALFCLOSE_DATADIR_H
#define HALFCLOSE_DATADIR_H

#include <stddef.h>

/* The data directory (no trailing slash): the first of $HALFCLOSE_DATA_DIR,
 * <the executable's directory>/../share/halfclose (if it holds plots/),
 * and the source tree. Computed once. */
const char *hc_data_dir(void);

/* hc_data_dir() + "/" + rel into out: 0, or -1 if it does not fit. */
int hc_data_path(const char *rel, char *out, size_t cap);

#endif
