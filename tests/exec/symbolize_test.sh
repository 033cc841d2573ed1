#!/usr/bin/env bash
# Source locations of exec-mode ops: the race finding of program.wrong_lock.racy
# names the two racing stores by file:line (the writer's `c->entries = ...`
# under entries_lock, the janitor's under the wrong lock), and so do the
# `replay --trace` timeline and the --report page; without llvm-symbolizer
# the labels are module+offset and the message says why.
#   symbolize_test.sh <ipcrace> <source dir>
set -euo pipefail
B=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$2
tmp=$(mktemp -d /tmp/ipcrace-symbolize-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$tmp"
prog=$src/targets/programs/wrong_lock.c
# The lines of the two racing stores, read from the source (not hard-coded).
w=$(grep -n 'c->entries = c->entries + 1;' "$prog" | head -1 | cut -d: -f1)
j=$(grep -n 'c->entries = c->entries - 1; /\* still under bytes_lock' "$prog" | cut -d: -f1)
[[ -n $w && -n $j ]] || fail "racing lines not found in $prog"

set +e
out=$("$B" run program.wrong_lock.racy --runs 200 -q --out found)
code=$?
set -e
[[ $code == 10 ]] || { echo "$out"; fail "run: exit $code, expected 10"; }
line=$(grep 'first finding' <<<"$out")
grep -q 'race: data race' <<<"$line" || fail "no race finding: $line"
grep -Eq "shm_store \(wrong_lock.c:$w[),]" <<<"$line" || fail "the writer's store wrong_lock.c:$w not named: $line"
grep -Eq "shm_store \(wrong_lock.c:$j[),]" <<<"$line" || fail "the janitor's store wrong_lock.c:$j not named: $line"

sched=$(ls found/program.wrong_lock.racy-*.schedule | head -1)
grep -q 'wrong_lock.c' "$sched" && fail "the schedule file holds symbolised labels (replay compares the raw ones)"
trace=$("$B" replay "$sched" --trace) || true  # exit 10: the finding, reproduced
grep -Eq "shm_store +#[0-9]+ +wrong_lock.c:$w " <<<"$trace" || { echo "$trace" | head; fail "replay --trace does not label the store wrong_lock.c:$w"; }
"$B" replay "$sched" --report rep >/dev/null || true
grep -q "wrong_lock.c:$j" rep/*.html || fail "the --report timeline does not name wrong_lock.c:$j"

# No symboliser: module+offset, and a note.
set +e
out=$(IPCRACE_SYMBOLIZER=/nonexistent/llvm-symbolizer "$B" run program.wrong_lock.racy --runs 200 -q)
set -e
line=$(grep 'first finding' <<<"$out")
grep -Eq 'shm_store \(program.wrong_lock.racy\+0x[0-9a-f]+[),]' <<<"$line" || fail "no module+offset fallback: $line"
grep -q 'llvm-symbolizer not found' <<<"$line" || fail "no note about the missing llvm-symbolizer: $line"
echo "symbolize: wrong_lock.c:$w and wrong_lock.c:$j named in the finding, trace and report"
