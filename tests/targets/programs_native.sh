#!/bin/sh
# The corpus of unmodified programs, built natively (no ipcrace): every fixed
# variant passes its own check on every one of N runs (a false alarm in a
# fixed program would poison every verdict built on it), and every racy
# variant is built. The racy variants' native hit rates are the stress
# baseline (targets/programs/stress.sh), not asserted: many never fail natively.
# usage: programs_native.sh <dir with <name>.racy/.fixed> <runs> <name>...
dir=$1 runs=$2
shift 2
bad=0
for p in "$@"; do
  [ -x "$dir/$p.racy" ] || { echo "$p: $dir/$p.racy not built"; bad=1; }
  i=0
  while [ $i -lt "$runs" ]; do
    if ! timeout 20 "$dir/$p.fixed" >/tmp/programs_native.$$ 2>&1; then
      echo "$p.fixed failed on run $i (exit $?):"
      cat /tmp/programs_native.$$
      bad=1
      break
    fi
    i=$((i + 1))
  done
done
rm -f /tmp/programs_native.$$
[ $bad -eq 0 ] && echo "$# fixed programs passed $runs native runs each"
exit $bad
