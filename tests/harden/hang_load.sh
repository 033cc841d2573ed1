#!/usr/bin/env bash
# Issue 13.12 (ctest reliability.hang_load; label soak `hang_soak`: RUNS=100000):
# a synchronised shared-memory ring target, RUNS runs (default 10,000) of pct
# while two CPU burners per core saturate the machine: 0 findings (the
# wall-clock watchdog alone once reported a hang that did not reproduce).
# harden_test's HangWatch.* check the judgement itself (stopped, starved,
# asleep, spinning actors; a hang that does not replay).
source "$(dirname "$0")/lib.sh"
private_ns "$@"
runs=${RUNS:-10000}
burners=()
for ((i = 0; i < 2 * $(nproc); i++)); do
  bash -c 'while :; do :; done' &
  burners+=($!)
done
trap 'kill "${burners[@]}" 2>/dev/null; wait 2>/dev/null' EXIT
"$IPCRACE" run mqueue.ring.mutex_sem --strategy pct --runs "$runs" -q --no-minimize --out /tmp/findings >/tmp/out.txt 2>&1
rc=$?
check "$runs pct runs under $((2 * $(nproc))) burners: no finding (exit 0, got $rc: $(grep -m1 -E 'hang|finding' /tmp/out.txt))" test $rc -eq 0
kill "${burners[@]}" 2>/dev/null
wait 2>/dev/null
check "nothing left behind" no_leftovers
finish
