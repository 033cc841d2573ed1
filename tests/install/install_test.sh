#!/usr/bin/env bash
# ipcrace outside the user's tree: `cmake --install` into a temporary prefix,
# moved elsewhere afterwards (nothing may point back at the build tree or the
# install location), then a separate project (tests/install/project) built
# against it with find_package(ipcrace CONFIG) uses ipcrace_instrument,
# ipcrace_add_program and ipcrace_add_target; its unmodified racy program is
# found and its fixed twin clean under the installed command.
#   install_test.sh <source dir> <ipcrace build dir>
set -euo pipefail
src=$1
build=$(cd "$2" && pwd)
tmp=$(mktemp -d /tmp/ipcrace-install-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$tmp/staged" >"$tmp/log" 2>&1 || { tail -20 "$tmp/log"; fail "cmake --install"; }
mv "$tmp/staged" "$tmp/prefix"
P=$tmp/prefix
for f in bin/ipcrace bin/ipcrace-cc bin/ipcrace-c++ include/ipcrace/actor.hpp include/ipcrace/mechanisms/sync/scheduled.hpp \
         lib/libipcrace_rt.a lib/libipcrace_rt.so lib/libipcrace_harness.a lib/libipcrace_cli.a lib/libipcrace_main.a \
         lib/cmake/ipcrace/ipcraceConfig.cmake; do
  [[ -e $P/$f ]] || fail "not installed: $f"
done
if grep -l -e "$build" -e "$tmp/staged" "$P"/bin/ipcrace-cc "$P"/bin/ipcrace-c++ "$P"/lib/cmake/ipcrace/*.cmake; then
  fail "installed files name the build tree or the staging prefix"
fi

# The wrapper from its installed location.
"$P/bin/ipcrace-cc" -O1 -g -o "$tmp/tally" "$src/tests/install/project/tally.c" -lrt || fail "installed ipcrace-cc"

cmake -S "$src/tests/install/project" -B "$tmp/user" -G Ninja -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
  -DCMAKE_BUILD_TYPE= -DCMAKE_PREFIX_PATH="$P" >"$tmp/log" 2>&1 || { tail -30 "$tmp/log"; fail "configure the user project"; }
cmake --build "$tmp/user" -j 2 >"$tmp/log" 2>&1 || { tail -30 "$tmp/log"; fail "build the user project"; }
U=$tmp/user
mkdir "$tmp/run" && cd "$tmp/run"

# expect <exit code> <what> <command...>
expect() {
  local want=$1 what=$2
  shift 2
  set +e
  "$@" >"$tmp/out" 2>&1
  local code=$?
  set -e
  [[ $code == "$want" ]] || { cat "$tmp/out"; fail "$what: exit $code, expected $want"; }
}
B=$P/bin/ipcrace
expect 10 "exec wrapper-built tally (racy)" "$B" exec --runs 300 -q -- "$tmp/tally"
expect 10 "exec ipcrace_instrument tally (racy)" "$B" exec --runs 300 -q -- "$U/tally"
expect 0 "exec ipcrace_instrument tally_fixed" "$B" exec --runs 200 -q -- "$U/tally_fixed"

export IPCRACE_PROGRAMS=$U/ipcrace-programs.manifest
"$B" list | grep -q '^user.tally.racy ' || fail "the installed command does not list user.tally.racy"
expect 10 "run user.tally.racy" "$B" run user.tally.racy --runs 300 -q
expect 0 "run user.tally.fixed" "$B" run user.tally.fixed --runs 200 -q
expect 0 "gate user.tally.*" "$B" gate user.tally.racy user.tally.fixed --seeds 2 --clean-runs 100 -q
unset IPCRACE_PROGRAMS

# The project's own command: its ipcrace_add_target targets and (from the
# manifest beside it) its programs; none of ipcrace's own.
list=$("$U/ipcrace" list)
grep -q '^user.counter.racy ' <<<"$list" || fail "user.counter.racy not listed by the project's command"
grep -q '^user.tally.fixed ' <<<"$list" || fail "user.tally.fixed not listed by the project's command"
! grep -q '^program.wrong_lock' <<<"$list" || fail "the project's command lists the ipcrace build tree's programs"
expect 10 "run user.counter.racy" "$U/ipcrace" run user.counter.racy --runs 200 -q
expect 0 "run user.counter.locked" "$U/ipcrace" run user.counter.locked --runs 200 -q
echo "install: command, runtime, wrappers, headers and package work from a moved prefix"
