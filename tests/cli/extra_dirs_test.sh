#!/usr/bin/env bash
# Adding a mechanism out of tree: configure and build ipcrace with
# -DIPCRACE_EXTRA_DIRS=docs/example-mechanism in a fresh build dir, then check
# that its targets are listed, found (racy) and clean (locked) by the gate,
# and that removing the lock makes the gate fail.
#   extra_dirs_test.sh <source dir> <c++ compiler>
set -euo pipefail
src=$1
cxx=${2:-clang++-14}
build=$(mktemp -d /tmp/ipcrace-extra-dirs-XXXXXX)
trap 'rm -rf "$build"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake -S "$src" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE= \
  -DCMAKE_CXX_FLAGS=-O0 -DIPCRACE_TESTS=OFF -DIPCRACE_BENCH=OFF -DIPCRACE_EXTRA_DIRS="$src/docs/example-mechanism" >"$build/log" 2>&1 \
  || { tail -20 "$build/log"; fail "configure with IPCRACE_EXTRA_DIRS"; }
cmake --build "$build" --target ipcrace -j "$(nproc)" >"$build/log" 2>&1 || { tail -30 "$build/log"; fail "build"; }
B=$build/cli/ipcrace

list=$("$B" list)
grep -q '^example.account.racy ' <<<"$list" || fail "example.account.racy not listed"
grep -q '^example.account.locked ' <<<"$list" || fail "example.account.locked not listed"

set +e
out=$("$B" run example.account.racy --runs 200 -q --out "$build/findings")
code=$?
set -e
[[ $code == 10 ]] || fail "run example.account.racy: exit $code, expected 10 (a finding)"
grep -q 'overdraft' <<<"$out" || fail "no overdraft finding in: $out"

"$B" gate example.account.racy example.account.locked --seeds 3 --clean-runs 300 -q \
  || fail "gate over the example targets did not pass"

set +e
IPCRACE_INJECT=no-lock "$B" gate example.account.locked --clean-runs 300 -q >/dev/null
code=$?
set -e
[[ $code == 11 ]] || fail "gate with the lock removed: exit $code, expected 11"
echo "extra dirs: example mechanism listed, found, gated"
