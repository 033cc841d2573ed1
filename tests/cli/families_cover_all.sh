#!/bin/sh
# Every registered target belongs to one of the families the ctest gate runs
# (tests/CMakeLists.txt), so no target goes ungated.
# usage: families_cover_all.sh <ipcrace> <family>...
bin=$1
shift
total=$("$bin" list --json | grep -c '"name":')
covered=0
for f in "$@"; do
  n=$("$bin" list --json | grep -c "\"name\": \"$f\.")
  covered=$((covered + n))
done
echo "$covered of $total targets are in gated families ($*)"
[ "$total" -gt 0 ] && [ "$covered" -eq "$total" ]
