#!/usr/bin/env bash
# Issue 13.2 and 13.3: names planted over the run's pid (socket folders in the
# old /tmp/ipcrace.<pid>.<n> form, 0777 and another user's; shm, Boost and
# mqueue names of the first runs) neither break nor hijack the run.
source "$(dirname "$0")/lib.sh"
private_ns "$@"
run_planted() {  # run_planted <target>: exec keeps the pid the names were planted for
  bash -c '
    for e in 0 1 2; do mkdir -m 0777 /tmp/ipcrace.$$.$e; chown 65534 /tmp/ipcrace.$$.$e; done
    for r in 0 1 2; do
      for b in counter locks ring spsc bmq record once section handoff; do
        echo planted >/dev/shm/ipcrace.$$.0.$r.$b; chown 65534 /dev/shm/ipcrace.$$.0.$r.$b
      done
      touch /dev/mqueue/ipcrace.$$.0.$r.mq
    done
    echo $$ >/tmp/planted.pid
    exec "$0" run "$1" --runs 3 -q --no-minimize --out /tmp/findings' "$IPCRACE" "$1" >/tmp/out.txt 2>&1
}
for t in shm.counter.mutex mqueue.posix.blocking mqueue.boost.blocking socket.stream.locked shm.record.seqlock; do
  run_planted "$t"; rc=$?
  pid=$(cat /tmp/planted.pid)
  check "$t runs clean despite planted names (exit 0, got $rc: $(head -c 300 /tmp/out.txt))" test $rc -eq 0
  check "$t: planted socket folders kept, empty, still theirs" \
    bash -c "for e in 0 1 2; do d=/tmp/ipcrace.$pid.\$e; [[ -d \$d && \$(stat -c %u \$d) == 65534 && -z \$(ls -A \$d) ]] || exit 1; done"
  check "$t: planted shm names kept with their content" bash -c "grep -q planted /dev/shm/ipcrace.$pid.0.0.counter"
  check "$t: planted mqueue names kept" test -e /dev/mqueue/ipcrace.$pid.0.0.mq
  for e in 0 1 2; do rmdir /tmp/ipcrace.$pid.$e; done
  for r in 0 1 2; do
    for b in counter locks ring spsc bmq record once section handoff; do rm -f /dev/shm/ipcrace.$pid.0.$r.$b; done
    rm -f /dev/mqueue/ipcrace.$pid.0.$r.mq
  done
  check "$t: nothing of the run left" no_leftovers
done
finish
