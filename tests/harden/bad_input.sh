#!/usr/bin/env bash
# Issue 13.9 and 13.11: every bad flag and bad input file gives its exit code
# (20: usage, 21: bad input) with one error line, within a few seconds (the
# old code wrapped, ran for minutes, hung on a FIFO or ran out of memory).
source "$(dirname "$0")/lib.sh"
private_ns "$@"
mkfifo /tmp/fifo
printf 'ipcrace-schedule 1\ntarget shm.counter.racy\nmode free\nend\n' >/tmp/free.schedule
mkdir /tmp/adir
expect() {  # expect <code> <args...>
  local want=$1; shift
  local t0=$SECONDS
  timeout 20 "$IPCRACE" "$@" >/dev/null 2>/tmp/err.txt; local rc=$?
  local dt=$((SECONDS - t0))
  check "ipcrace $* -> $want (got $rc in ${dt}s: $(head -c 160 /tmp/err.txt))" \
    bash -c "[[ $rc == $want && $dt -le 5 ]] && [[ \$(grep -c . /tmp/err.txt) == 1 ]]"
}
expect 21 replay /dev/zero
expect 21 replay /dev/urandom
expect 21 replay /tmp/fifo
expect 21 replay /tmp/adir
expect 21 minimize /tmp/fifo
expect 21 replay /tmp/free.schedule
expect 20 run shm.counter.mutex --runs 0 -q
expect 20 run shm.counter.mutex --runs -1 -q
expect 20 run shm.counter.mutex --runs 18446744073709551616 -q
expect 20 run shm.counter.mutex --seed -1 -q
expect 20 run shm.counter.mutex --seconds nan -q
expect 20 run shm.counter.mutex --seconds inf -q
expect 20 run shm.counter.mutex --seconds -1 -q
# --param that some selected target's scenario rejects: a usage error naming it, before any campaign.
expect 20 run --all --param actors=3 --runs 2 -q --no-minimize
check "the message names the target that rejects actors=3 ($(head -c 160 /tmp/err.txt))" \
  grep -Eq 'target [a-z_.]+ rejects --param actors=3: ' /tmp/err.txt
expect 20 gate 'mqueue.*' --param actors=3 --seeds 1 --clean-runs 2 -q
# explore with a large bound: a progress line while it runs, and a budget (here 4 s; default 600 s).
timeout 30 "$IPCRACE" explore mqueue.ring.mutex_sem --preemptions 20 --seconds 4 --out '' >/tmp/out.txt 2>&1; rc=$?
check "explore with a large bound stops at its budget (exit 0, got $rc)" test $rc -eq 0
check "explore prints progress lines" grep -q "runs/s" /tmp/out.txt
check "explore has a default time budget (--help: --seconds ... 600)" \
  bash -c "'$IPCRACE' explore --help | grep -Eq -- '--seconds.*600'"
mkdir -p /tmp/ro && mount -t tmpfs -o ro tmpfs /tmp/ro
expect 20 run shm.counter.racy --runs 5 -q --out /tmp/ro/findings
finish
