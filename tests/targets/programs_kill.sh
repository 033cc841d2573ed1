#!/usr/bin/env bash
# No leftovers after actors of unmodified programs are SIGKILLed at random
# points (issue 10): each program runs RUNS runs (default 500) of
#   ipcrace exec --may-die children --faults kill --strategy random -- PROG
# so the runtime's points offer `kill` for every child process and random
# places one per run at a random point of it (a schedule decision, so each
# kill replays). The programs do not expect their children to die, so many
# runs are findings (counted and printed: they show the kills landed); what
# is checked is that afterwards no process of the program is left and no
# shared-memory segment, message queue or socket file remains: in a private
# mount and IPC namespace (tests/harden/lib.sh), where every object is ours.
# usage: programs_kill.sh <manifest> <target>...   (IPCRACE_BIN: ipcrace)
source "$(dirname "$0")/../harden/lib.sh"
private_ns "$@"
manifest=$1
shift
runs=${RUNS:-500}
out=$(mktemp -d /tmp/programs-kill.XXXXXX)
ns=$(readlink /proc/self/ns/mnt)
mine() {  # processes of program $1 in this mount namespace (other tests run it too)
  local p
  for p in $(pgrep -f "^$1"); do
    [[ $(readlink "/proc/$p/ns/mnt" 2>/dev/null) == "$ns" ]] && echo -n "$p "
  done
}
total=0
for t in "$@"; do
  mapfile -t f < <(awk -F'\t' -v n="$t" '$1 == n { for (i = 1; i <= NF; i++) print $i; exit }' "$manifest")
  ((${#f[@]} >= 7)) || { check "$t is in the manifest" false; continue; }
  exe=${f[6]}
  flags=(--may-die children --faults kill --fault-budget 1 --strategy random --runs "$runs" --no-minimize --json
         --out "$out/findings" --expect-exit "${f[2]}")
  [[ -n ${f[3]} ]] && flags+=(--fail-on "${f[3]}")
  [[ ${f[4]} == 1* ]] && flags+=(--preload)
  "$IPCRACE" exec "${flags[@]}" -- "${f[@]:6}" >"$out/result.json" 2>"$out/err"
  rc=$?
  done_runs=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["targets"][0]["runs"])' "$out/result.json" 2>/dev/null)
  found=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["targets"][0]["findings"])' "$out/result.json" 2>/dev/null)
  total=$((total + ${found:-0}))
  sleep 0.1
  left=$(mine "$exe")
  names=$( (ls -A /dev/shm; ls -A /dev/mqueue) 2>/dev/null | tr '\n' ' ')
  socks=$(find /tmp -type s 2>/dev/null | tr '\n' ' ')
  echo "$t: ${done_runs:-?} runs, ${found:-?} ended by a kill it did not handle (ipcrace exit $rc)"
  check "$t: all $runs runs done" test "${done_runs:-0}" = "$runs"
  check "$t: ipcrace exits 0 or 10 (got $rc: $(tail -1 "$out/err"))" test $rc -eq 0 -o $rc -eq 10
  check "$t: no process of the program left [$left]" test -z "$left"
  check "$t: no shm segment or queue left [$names]" test -z "$names"
  check "$t: no socket file left [$socks]" test -z "$socks"
  [[ -n $left ]] && kill -KILL $left 2>/dev/null
done
check "the kills landed: $total runs ended by one" test "$total" -gt 0
check "nothing of ipcrace left" no_leftovers
rm -rf "$out"
finish
