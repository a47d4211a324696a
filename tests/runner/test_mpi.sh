#!/bin/sh
# test_mpi.sh HALFCLOSE SCENARIO_DIR - halfclose run under mpirun on this
# machine: with 2 and 3 ranks (and 1), the store equals a single-process
# run's (also for a [path] scenario); a run killed with -9 mid-way
# resumes under MPI to the same store;
# a store begun under MPI finishes without it.
set -u
hc="$1"
scn="$2"
. "$(dirname "$0")/../lib.sh"
# root in containers and CI: OpenMPI wants to be told
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpi="mpirun --oversubscribe"
run="$scn/kb-q152474.ini --conversations=1500"

"$hc" run $run --jobs=1 --out="$tmp/ref.db" >/dev/null || bad "reference run failed"
"$hc" export "$tmp/ref.db" >"$tmp/ref.csv"
for np in 1 2 3; do
  $mpi -np $np "$hc" run $run --out="$tmp/np$np.db" >"$tmp/out" 2>&1 || bad "mpirun -np $np failed: $(cat "$tmp/out")"
  [ "$(grep -c 'conversations x 2 profiles' "$tmp/out")" -eq 1 ] && ok || bad "np=$np: rank 0 alone should report: $(cat "$tmp/out")"
  "$hc" export "$tmp/np$np.db" | cmp -s - "$tmp/ref.csv" && ok || bad "mpirun -np $np store differs from a single-process run"
done

# a [path] scenario (each conversation in a simulation of its own) too
path="$scn/shared-bottleneck.ini --conversations=3"
"$hc" run $path --jobs=1 --out="$tmp/pref.db" >/dev/null || bad "path reference run failed"
$mpi -np 3 "$hc" run $path --out="$tmp/pnp.db" >"$tmp/out" 2>&1 || bad "mpirun path run failed: $(cat "$tmp/out")"
[ "$("$hc" export "$tmp/pnp.db" | sha256sum)" = "$("$hc" export "$tmp/pref.db" | sha256sum)" ] &&
  ok || bad "a [path] store under MPI differs from a single-process run"

# kill -9 mid-run, then resume under MPI
$mpi -np 2 "$hc" run $run --out="$tmp/k.db" >/dev/null 2>&1 &
pid=$!
while kill -0 $pid 2>/dev/null && [ "$(rows "$tmp/k.db")" -lt 800 ]; do :; done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
pkill -9 -f "$tmp/k.db" 2>/dev/null
echo "killed at $(rows "$tmp/k.db") rows" >&2
$mpi -np 2 "$hc" run $run --out="$tmp/k.db" >/dev/null 2>&1 || bad "resume under MPI failed"
"$hc" export "$tmp/k.db" | cmp -s - "$tmp/ref.csv" && ok || bad "resumed MPI store differs"

# begun under MPI, finished without it
$mpi -np 2 "$hc" run "$scn/kb-q152474.ini" --conversations=700 --out="$tmp/h.db" >/dev/null 2>&1 || bad "half run failed"
"$hc" run $run --jobs=2 --out="$tmp/h.db" >/dev/null || bad "finishing without MPI failed"
"$hc" export "$tmp/h.db" | cmp -s - "$tmp/ref.csv" && ok || bad "mixed MPI / local store differs"

# a store rank 0 refuses (another seed): one message, a failing exit, and
# every rank ends (rank 0 stops the others; no MPI_Abort, no rank waiting)
timeout -s KILL 120 $mpi -np 3 "$hc" run $run --seed=99 --out="$tmp/ref.db" >"$tmp/out" 2>&1
rc=$?
[ $rc -ne 0 ] && [ $rc -ne 137 ] && ok || bad "refused store under MPI: exit $rc"
[ "$(grep -c 'made with seed' "$tmp/out")" -eq 1 ] && ok || bad "refused store under MPI: $(cat "$tmp/out")"
"$hc" export "$tmp/ref.db" | cmp -s - "$tmp/ref.csv" && ok || bad "a refused MPI run changed the store"

finish
