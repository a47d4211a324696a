#!/bin/sh
# layers.sh SRC - only the conversation layer (sim/) and the wrapper's
# own tests reach the ns-3 wrapper: no file of the emulation (emu/), the
# runner, the analysis, the plots or the command includes ns3c.h (they go
# through sim/conv.h). Prints each offender; the control (a file that
# does include it) is tests/ns3c/test_ns3c.c.
src="$1"
bad=$(grep -l '#include "ns3c.h"' "$src"/emu/*.[ch] "$src"/runner/*.[ch] \
  "$src"/analysis/*.[ch] "$src"/plots/*.[ch] "$src"/cmd/*.[ch] 2>/dev/null)
grep -q '#include "ns3c.h"' "$src/tests/ns3c/test_ns3c.c" || { echo "FAIL: the control no longer includes ns3c.h"; exit 1; }
if [ -n "$bad" ]; then echo "FAIL: above the conversation layer, ns3c.h in: $bad"; exit 1; fi
echo "1 passed, 0 failed"
