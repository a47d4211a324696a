/*
 * outcome_cols.c - see outcome_cols.h.
 */
#include "outcome_cols.h"

bool conv_outcome_same(const conv_outcome *a, const conv_outcome *b,
                       const char **which) {
  const conv_outcome *o;
#define SAME(name, unit, kind, member, present, meaning)                       \
  {                                                                            \
    o = a;                                                                     \
    bool pa = (present);                                                       \
    o = b;                                                                     \
    bool pb = (present);                                                       \
    if (pa != pb || (pa && a->member != b->member)) {                          \
      if (which)                                                               \
        *which = #name;                                                        \
      return false;                                                            \
    }                                                                          \
  }
  CONV_OUTCOME_COLUMNS(SAME)
#undef SAME
  (void)o;
  return true;
}
