#!/bin/sh
# The plain stress baseline for the corpus: build every program natively
# (clang-14, no ipcrace, no instrumentation), racy and fixed (-DFIXED), then
# run each binary N times in a shell loop and count the runs whose exit
# status is not 0 (the program's own verdict).
# usage: targets/programs/stress.sh [N] [program...]     (N defaults to 2000)
# Prints one line per program: racy failures/N, fixed failures/N, seconds.
set -u
here=$(cd "$(dirname "$0")" && pwd)
n=${1:-2000}
[ $# -gt 0 ] && shift
out=${IPCRACE_STRESS_DIR:-/tmp/ipcrace-stress.$$}
mkdir -p "$out"
progs=${*:-$(cd "$here" && ls *.c *.cpp | sed 's/\.c$//; s/\.cpp$//')}
build() {  # build <src> <out> [flags]
  src=$1 dst=$2
  shift 2
  case $src in
    *.cpp) clang++-14 -std=c++20 -O1 -g -Wall -Wextra "$@" -o "$dst" "$src" -pthread -lrt ;;
    *) clang-14 -std=gnu11 -O1 -g -Wall -Wextra "$@" -o "$dst" "$src" -pthread -lrt ;;
  esac
}
loop() {  # loop <bin>: failures out of n
  f=0 i=0
  while [ $i -lt "$n" ]; do
    timeout 10 "$1" >/dev/null 2>&1 || f=$((f + 1))
    i=$((i + 1))
  done
  echo $f
}
printf '%-28s %14s %14s %8s %8s\n' program racy-failures fixed-failures racy-s fixed-s
for p in $progs; do
  src=$here/$p.c
  [ -f "$src" ] || src=$here/$p.cpp
  build "$src" "$out/$p.racy" || exit 1
  build "$src" "$out/$p.fixed" -DFIXED || exit 1
  t0=$(date +%s.%N)
  fr=$(loop "$out/$p.racy")
  t1=$(date +%s.%N)
  ff=$(loop "$out/$p.fixed")
  t2=$(date +%s.%N)
  printf '%-28s %9s/%-4s %9s/%-4s %8.1f %8.1f\n' "$p" "$fr" "$n" "$ff" "$n" \
    "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)"
done
[ -n "${IPCRACE_STRESS_DIR:-}" ] || rm -rf "$out"
