#!/usr/bin/env bash
# Issue 13.4 and 13.5: outputs are made through an exclusive temp file and a
# rename, so symlinks planted in an output folder (at the temp names the old
# code used and at the final names) are never written through; every IPC
# object ipcrace makes is 0600 (the Boost queue segment was 0644).
source "$(dirname "$0")/lib.sh"
private_ns "$@"
mkdir -p /tmp/o /tmp/r && echo precious >/tmp/victim
# Learn the (deterministic) schedule file names, then plant over them.
"$IPCRACE" run shm.counter.racy --runs 5 --seed 3 -q --out /tmp/o >/dev/null 2>&1
names=$(cd /tmp/o && ls); rm -f /tmp/o/*
check "the run saved schedules" test -n "$names"
bash -c '
  for n in $1; do ln -s /tmp/victim /tmp/o/$n.tmp.$$; ln -s /tmp/victim /tmp/o/$n; done
  ln -s /tmp/victim /tmp/r/index.html
  ln -s /tmp/victim /tmp/j.xml.tmp; ln -s /tmp/victim /tmp/s.sarif.tmp; ln -s /tmp/victim /tmp/j.xml
  exec "$0" run shm.counter.racy --runs 5 --seed 3 -q --out /tmp/o --report /tmp/r --junit /tmp/j.xml --sarif /tmp/s.sarif' \
  "$IPCRACE" "$names" >/tmp/out.txt 2>&1
check "run with planted symlinks finds (exit 10, got $?)" grep -q "first finding" /tmp/out.txt
check "the victim is untouched" grep -qx precious /tmp/victim
for n in $names; do check "$n is a regular file now" test -f /tmp/o/$n -a ! -L /tmp/o/$n; done
check "index.html is a regular file" test -f /tmp/r/index.html -a ! -L /tmp/r/index.html
check "junit is a regular file" test -f /tmp/j.xml -a ! -L /tmp/j.xml
check "no temp file left in the output folder" bash -c '! ls -A /tmp/o | grep -v "\.tmp\.[0-9]*$" | grep -q tmp'
# The history of a replay, too.
f=$(ls /tmp/o/*.schedule | head -1)
ln -s /tmp/victim /tmp/h.hist
"$IPCRACE" replay "$f" --history /tmp/h.hist >/dev/null 2>&1
check "replay --history does not write through a symlink" grep -qx precious /tmp/victim

# Modes of the objects while they exist: watch a long campaign of each kind.
modes() {  # modes <target> <base>: the modes seen of the run's <base> object and of its socket folder
  "$IPCRACE" run "$1" --runs 3000 -q --no-minimize --out '' >/dev/null 2>&1 &
  local pid=$! obj="" dir=""
  for _ in $(seq 1000); do
    [[ -z $obj ]] && obj=$(find /dev/shm /dev/mqueue -maxdepth 1 -name "ipcrace.*.$2*" -printf '%m\n' 2>/dev/null | head -1)
    [[ -z $dir ]] && dir=$(find /tmp -maxdepth 1 -name 'ipcrace.*' -type d -printf '%m\n' 2>/dev/null | head -1)
    [[ -n $obj && -n $dir ]] && break
    sleep 0.005
  done
  kill -TERM $pid; wait $pid 2>/dev/null
  echo "$obj d$dir"
}
for tb in mqueue.boost.blocking:bmq mqueue.posix.blocking:mq shm.counter.mutex:counter; do
  m=$(modes ${tb%:*} ${tb#*:})
  check "${tb%:*}: ${tb#*:} is 0600, the socket folder 0700 (seen: $m)" test "$m" = "600 d700"
done
check "nothing left" no_leftovers
finish
