#!/usr/bin/env bash
# A `run --jobs 2` worker that cannot take its parent's signal, or that dies
# mid-run, still leaves nothing behind:
# - stopped (SIGSTOP) while it has live actors and objects, then SIGTERM to
#   the parent: the parent waits its grace time, kills the worker, removes
#   the objects and kills the actors the worker registered, and dies of SIGTERM;
# - killed outright (SIGKILL) mid-run: the parent stops the other worker at
#   once, cleans up after the dead one, and ends with an error naming the signal.
# Counted right after the command ends, before any later run could sweep.
source "$(dirname "$0")/lib.sh"
private_ns "$@"

# The parent's worker with a live object of its own; empty after 30 s without one.
worker_with_objects() {
  local parent=$1 w
  for _ in $(seq 300); do
    for w in $(pgrep -P "$parent"); do
      if ls -A /dev/shm /dev/mqueue 2>/dev/null | grep -q "^ipcrace\.$w\."; then echo "$w"; return; fi
    done
    sleep 0.1
  done
}

# Ends `pid` within 60 s (then SIGKILL); its exit status in $st.
await() {
  local pid=$1
  for _ in $(seq 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then echo "  still running 60 s later"; kill -KILL "$pid"; fi
  wait "$pid"; st=$?
}

for target in mqueue.boost.blocking shm.counter.mutex; do
  "$IPCRACE" run "$target" --runs 1000000 --jobs 2 -q --no-minimize --out /tmp/f >/dev/null 2>/tmp/err &
  pid=$!
  w=$(worker_with_objects $pid)
  check "$target: a worker made objects" test -n "$w"
  [[ -n $w ]] && kill -STOP "$w"
  kill -TERM $pid
  await $pid
  check "$target: stopped worker, SIGTERM: the parent died of SIGTERM (status $st)" test "$st" = 143
  check "$target: stopped worker, SIGTERM: nothing left" no_leftovers
  for p in $(ours | awk '$1 == "process" {print $2}'); do kill -KILL "$p"; done
  rm -rf /dev/shm/ipcrace.* /dev/mqueue/ipcrace.*

  "$IPCRACE" run "$target" --runs 1000000 --jobs 2 -q --no-minimize --out /tmp/f >/dev/null 2>/tmp/err &
  pid=$!
  w=$(worker_with_objects $pid)
  [[ -n $w ]] && kill -KILL "$w"
  await $pid
  check "$target: killed worker: the campaign failed (status $st)" test "$st" != 0 -a "$st" != 137
  check "$target: killed worker: the error names the signal" grep -q "campaign worker was killed by signal 9" /tmp/err
  check "$target: killed worker: nothing left" no_leftovers
  for p in $(ours | awk '$1 == "process" {print $2}'); do kill -KILL "$p"; done
  rm -rf /dev/shm/ipcrace.* /dev/mqueue/ipcrace.*
done
finish
