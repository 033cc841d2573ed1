#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build of ipcrace's fuzzers. Honours the
# environment those builders set: $CC, $CXX, $CFLAGS, $CXXFLAGS,
# $LIB_FUZZING_ENGINE, $OUT, $WORK and $SRC. Leaves in $OUT, for every
# registered target, <target>_fuzzer with its .options (and .dict where there
# is one) and <target>_fuzzer_seed_corpus.zip, plus the schedule-parser and
# crash-decoder fuzzers.
#
# Outside those builders (ci/fuzz-smoke does this, then runs every fuzzer from $OUT):
#   OUT=/tmp/out CC=clang-14 CXX=clang++-14 LIB_FUZZING_ENGINE=-fsanitize=fuzzer \
#   CFLAGS="-fsanitize=address,undefined -fsanitize=fuzzer-no-link" CXXFLAGS="$CFLAGS" .clusterfuzzlite/build.sh
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
src=${IPCRACE_SRC:-$here}
: "${OUT:?set OUT: the folder the fuzzers go to}"
: "${CC:=clang}" "${CXX:=clang++}" "${CFLAGS:=}" "${CXXFLAGS:=}"
: "${LIB_FUZZING_ENGINE:=-fsanitize=fuzzer}"
build=${IPCRACE_FUZZ_BUILD_DIR:-${WORK:-/tmp}/ipcrace-fuzz-build}
mkdir -p "$OUT" "$build"

gen=()
command -v ninja >/dev/null && gen=(-G Ninja)
cmake -S "$src" -B "$build" "${gen[@]}" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_CXX_FLAGS="$CXXFLAGS" \
  -DIPCRACE_FUZZ=ON -DIPCRACE_FUZZ_ENGINE="$LIB_FUZZING_ENGINE" \
  -DIPCRACE_TESTS=OFF -DIPCRACE_BENCH=OFF -DIPCRACE_MECHANISM_TESTS=OFF >/dev/null
cmake --build "$build" --target ipcrace_fuzzer -j "$(nproc)"

fz=$build/targets/fuzz
# One binary serves every target (it picks the target by its own name):
# hard links where the file system allows, copies otherwise.
cp -f "$fz/ipcrace_fuzzer" "$OUT/ipcrace_fuzzer.bin"
n=0
for link in "$fz"/*_fuzzer; do
  name=$(basename "$link")
  [[ $name == ipcrace_fuzzer ]] && continue
  ln -f "$OUT/ipcrace_fuzzer.bin" "$OUT/$name" 2>/dev/null || cp -f "$OUT/ipcrace_fuzzer.bin" "$OUT/$name"
  for ext in options dict; do
    [[ -f $fz/$name.$ext ]] && cp -f "$fz/$name.$ext" "$OUT/$name.$ext"
  done
  # The seed corpus: corpus/<target>/, or the empty input (the target at its
  # defaults with no preemption) for a target without one.
  target=${name%_fuzzer}
  python3 - "$src/corpus/$target" "$OUT/${name}_seed_corpus.zip" <<'PY'
import os, sys, zipfile
folder, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out + ".tmp", "w", zipfile.ZIP_DEFLATED) as z:
    files = sorted(f for f in os.listdir(folder) if os.path.isfile(os.path.join(folder, f))) if os.path.isdir(folder) else []
    for f in files:
        z.write(os.path.join(folder, f), f)
    if not files:
        z.writestr("empty", b"")
os.replace(out + ".tmp", out)
PY
  n=$((n + 1))
done
rm -f "$OUT/ipcrace_fuzzer.bin"

# Program targets (ipcrace_add_program): the fuzzers run these binaries, so
# $OUT gets copies and a manifest naming them relative to itself (the
# fuzzers read ipcrace-programs.manifest beside themselves first), and the
# LD_PRELOAD runtime beside the fuzzers: $OUT works without the build folder.
np=0
if [[ -f $build/ipcrace-programs.manifest ]] && grep -q '^program\.' "$build/ipcrace-programs.manifest"; then
  np=$(python3 - "$build/ipcrace-programs.manifest" "$OUT" <<'PY'
import os, shutil, sys
manifest, out = sys.argv[1], sys.argv[2]
os.makedirs(os.path.join(out, "ipcrace-programs"), exist_ok=True)
lines, n = [], 0
for line in open(manifest).read().splitlines():
    f = line.split("\t")
    if line.startswith("#") or len(f) < 7:
        lines.append(line)
        continue
    rel = "ipcrace-programs/" + f[0]
    shutil.copy2(f[6], os.path.join(out, rel))
    f[6] = rel
    lines.append("\t".join(f))
    n += 1
with open(os.path.join(out, "ipcrace-programs.manifest.tmp"), "w") as w:
    w.write("\n".join(lines) + "\n")
os.replace(os.path.join(out, "ipcrace-programs.manifest.tmp"), os.path.join(out, "ipcrace-programs.manifest"))
print(n)
PY
)
  if [[ -f $build/harness/runtime/libipcrace_rt.so ]]; then cp -f "$build/harness/runtime/libipcrace_rt.so" "$OUT/libipcrace_rt.so"; fi
fi
echo "build.sh: $n fuzzers in $OUT ($np program targets' binaries in $OUT/ipcrace-programs)"
