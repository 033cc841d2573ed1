#!/usr/bin/env bash
# Issue 13.8: SIGTERM and SIGINT at random moments to `run --all --jobs 2`
# (the parent forwards the signal to its workers and waits for their cleanup)
# and to a single-target run leave 0 objects, counted right after the command
# ends and before any later run could sweep. ipcrace dies of the signal it got
# (the shell sees 128 + N). IPCRACE_SIGNAL_ROUNDS: rounds per signal (20).
source "$(dirname "$0")/lib.sh"
private_ns "$@"
rounds=${IPCRACE_SIGNAL_ROUNDS:-20}
RANDOM=13
left_runs=0 total=0 bad_status=0
for sig in TERM INT; do
  for ((i = 0; i < rounds; ++i)); do
    if ((i % 4 == 3)); then cmd=(run sync.condvar.while_wait --runs 100000); else cmd=(run --all --runs 100000 --jobs 2); fi
    "$IPCRACE" "${cmd[@]}" -q --no-minimize --out /tmp/f >/dev/null 2>&1 &
    pid=$!
    # 0.1 .. 0.99 s: during start-up, the sweep, the first runs, a later target
    sleep "0.$((RANDOM % 8 + 1))$((RANDOM % 10))"
    kill -$sig $pid
    for _ in $(seq 300); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
    if kill -0 $pid 2>/dev/null; then echo "  SIG$sig round $i: still running 30 s later"; kill -KILL $pid; fi
    wait $pid; st=$?
    total=$((total + 1))
    want=$((128 + $(kill -l $sig)))
    if [[ $st != "$want" ]]; then bad_status=$((bad_status + 1)); echo "  SIG$sig round $i: exit status $st, want $want"; fi
    left=$(ours)
    if [[ -n $left ]]; then
      left_runs=$((left_runs + 1))
      echo "  SIG$sig round $i (${cmd[*]}): $(echo "$left" | wc -l) leftovers:"; echo "$left" | head -5 | sed 's/^/    /'
      for p in $(echo "$left" | awk '$1 == "process" {print $2}'); do kill -KILL "$p"; done
      rm -rf /dev/shm/ipcrace.* /dev/mqueue/ipcrace.* /tmp/ipcrace.*
    fi
  done
done
echo "signals: $total, with leftovers: $left_runs, wrong exit status: $bad_status"
check "0 of $total signalled runs left objects" test $left_runs -eq 0
check "each died of its signal" test $bad_status -eq 0
finish
