#!/usr/bin/env bash
# Issue 13.14: a finding of a long workload made with --step-limit 2000000 is
# recorded with its step limit, so replay and minimize run it as it ran (the
# old files had no step limit: "the run ended after 20000 steps but the
# schedule has 32000", exit 30, and nothing to minimise). --step-limit on
# replay still overrides the file's.
source "$(dirname "$0")/lib.sh"
private_ns "$@"
"$IPCRACE" run shm.counter.racy --param ops=8000 --step-limit 2000000 --race off --strategy pct --runs 20 \
  --stop-at-first --no-minimize -q --out /tmp/found >/tmp/run.txt 2>&1
f=$(ls /tmp/found/*.schedule 2>/dev/null | head -1)
check "a lost update of 32,000 steps is found" test -n "$f"
check "the schedule records its step limit" grep -q '^step-limit 2000000$' "$f"
"$IPCRACE" replay "$f" >/tmp/replay.txt 2>&1; rc=$?
check "replay reproduces it (exit 10, got $rc: $(tail -c 200 /tmp/replay.txt))" test $rc -eq 10
"$IPCRACE" replay "$f" --step-limit 1000 >/tmp/replay2.txt 2>&1; rc=$?
check "replay --step-limit 1000 overrides the file's (exit 30, got $rc)" test $rc -eq 30
"$IPCRACE" minimize "$f" -o /tmp/min.schedule --seconds 8 -q >/tmp/min.txt 2>&1; rc=$?
check "minimize runs it (exit 0, got $rc: $(tail -c 200 /tmp/min.txt))" test $rc -eq 0
"$IPCRACE" replay /tmp/min.schedule >/tmp/replay3.txt 2>&1; rc=$?
check "the minimised schedule replays (exit 10, got $rc)" test $rc -eq 10
check "nothing left behind" no_leftovers
finish
