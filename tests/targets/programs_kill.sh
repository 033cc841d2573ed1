#!/bin/bash
# No leftovers after actors of unmodified programs are SIGKILLed at random
# points: `ipcrace run <target> --runs N` runs while a killer sends SIGKILL to
# a random actor (a process of the program whose parent is the program too:
# not the fork server, which ipcrace started) every few milliseconds. Afterwards no process of the program is
# left, and no shared-memory segment, queue or socket file of this ipcrace
# (named /ipcrace.<its pid>.*) or of the program (named after it) remains.
# usage: programs_kill.sh <ipcrace> <runs> <target>...
# Not in ctest yet: with the landed runtime a run's actors are alive for only
# about 3% of the campaign's wall time (the rest is per-run setup), so an
# outside killer lands almost no SIGKILL (0-2 in 500 runs, printed). A kill at
# a random point needs the faults stream's `kill` decision applied by the exec
# runtime (ops of exec mode declaring that they can be killed).
set -u
bin=$1 runs=$2
shift 2
out=$(mktemp -d /tmp/programs-kill.XXXXXX)
manifest=$(dirname "$(dirname "$bin")")/ipcrace-programs.manifest
bad=0
actors() {  # processes of program $1 whose parent is the program too (not the fork server)
  local pid pp
  for pid in $(pgrep -f "^$1"); do
    pp=$(ps -o ppid= -p "$pid" 2>/dev/null | tr -d ' ')
    [ -n "$pp" ] && ps -o cmd= -p "$pp" 2>/dev/null | grep -q "^$1" && echo "$pid"
  done
}
for t in "$@"; do
  prog=$(awk -F'\t' -v n="$t" '$1 == n {print $7}' "$manifest")
  stem=$(basename "$prog")
  stem=${stem#program.}
  stem=${stem%.*}
  "$bin" run "$t" --runs "$runs" --strategy random --no-minimize --json --out "$out" >"$out/result.json" 2>"$out/err" &
  ctl=$!
  # The killer: scans /proc (runs last a few milliseconds; ps is too slow).
  kills=$(python3 - "$ctl" "$prog" <<'PY'
import os, random, signal, sys, time
ctl, prog = int(sys.argv[1]), sys.argv[2].encode()
def cmd(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f: return f.read().split(b"\0")[0]
    except OSError: return b""
def ppid(pid):
    try:
        with open(f"/proc/{pid}/stat") as f: return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError): return 0
kills = 0
while os.path.exists(f"/proc/{ctl}") and cmd(ctl):
    actors = [int(p) for p in os.listdir("/proc") if p.isdigit() and cmd(p) == prog and cmd(ppid(p)) == prog]
    if actors:
        time.sleep(random.uniform(0, 0.0005))  # a random point of the run
        try:
            os.kill(random.choice(actors), signal.SIGKILL); kills += 1
        except OSError: pass
print(kills)
PY
)
  wait $ctl
  rc=$?
  done_runs=$(grep -o '"runs": [0-9]*' "$out/result.json" | head -1 | grep -o '[0-9]*$')
  sleep 0.2
  left=$(pgrep -f "$prog" | tr '\n' ' ')
  names=$(ls /dev/shm /dev/mqueue /tmp 2>/dev/null | grep -E "ipcrace\.$ctl\.|$stem\." | tr '\n' ' ')
  echo "$t: $kills SIGKILLs over ${done_runs:-?} runs (ipcrace exit $rc); leftover processes: [${left}] names: [${names}]"
  if [ -n "$left" ] || [ -n "$names" ] || [ "${done_runs:-0}" != "$runs" ] || { [ $rc -ne 0 ] && [ $rc -ne 10 ]; }; then
    bad=1
    cat "$out/err" | tail -5
  fi
  [ -n "$left" ] && kill -KILL $left 2>/dev/null
done
rm -rf "$out"
exit $bad
