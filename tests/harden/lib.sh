# Shared by the hardening tests (sourced). Each test runs in a private mount
# and IPC namespace with its own tmpfs on /tmp and /dev/shm and its own mqueue
# file system, so it sees only its own objects (other tests and developers run
# at the same time) and nothing it plants can reach anyone else.
# Exit 77 (ctest SKIP_RETURN_CODE) with a visible reason where that is impossible.
set -u
IPCRACE=${IPCRACE_BIN:?IPCRACE_BIN is not set (run through ctest)}
fails=0

private_ns() {  # call first: re-executes the script inside the namespaces
  if [[ -z ${IPCRACE_IN_PRIVATE_NS:-} ]]; then
    if ! unshare --mount --ipc --propagation private true 2>/dev/null; then
      echo "SKIP: needs root (or user namespaces) for a private mount+IPC namespace: unshare -m -i failed"
      exit 77
    fi
    IPCRACE_IN_PRIVATE_NS=1 exec unshare --mount --ipc --propagation private bash "$0" "$@"
  fi
  mount -t tmpfs -o size=${PRIVATE_SHM_SIZE:-256m},mode=1777 tmpfs /dev/shm || { echo "SKIP: cannot mount a tmpfs on /dev/shm"; exit 77; }
  # A build that lives under /tmp (a CI clone, say) must stay reachable under
  # the private /tmp: hold the real /tmp aside, then bind its top folder back.
  local exe top="" hold=""
  exe=$(readlink -f "$IPCRACE")
  if [[ $exe == /tmp/* ]]; then
    top=/tmp/$(echo "${exe#/tmp/}" | cut -d/ -f1)
    hold=$(mktemp -d /run/ipcrace-test-hold.XXXXXX 2>/dev/null || mktemp -d /var/tmp/ipcrace-test-hold.XXXXXX)
    mount --bind /tmp "$hold" || { echo "SKIP: cannot hold /tmp aside for a build under it"; exit 77; }
  fi
  mount -t tmpfs -o size=256m,mode=1777 tmpfs /tmp || { echo "SKIP: cannot mount a tmpfs on /tmp"; exit 77; }
  if [[ -n $top ]]; then
    mkdir -p "$top" && mount --bind "$hold/${top#/tmp/}" "$top" || { echo "SKIP: cannot bind $top back"; exit 77; }
    umount "$hold" && rmdir "$hold"
  fi
  mkdir -p /dev/mqueue
  mount -t mqueue none /dev/mqueue || { echo "SKIP: cannot mount the mqueue file system"; exit 77; }
  unset XDG_RUNTIME_DIR TMPDIR
  cd /tmp
}

check() {  # check <description> <command...>
  local what=$1; shift
  if "$@"; then echo "ok   $what"; else echo "FAIL $what"; fails=$((fails + 1)); fi
}

# Every object of ours in this namespace: IPC names, socket folders, and
# live processes of this ipcrace binary in this mount namespace.
ours() {
  local ns; ns=$(readlink /proc/self/ns/mnt)
  ls -A /dev/shm /dev/mqueue 2>/dev/null | grep '^ipcrace\.' | sed 's/^/ipc /'
  find /tmp -maxdepth 2 -path '/tmp/ipcrace.*' 2>/dev/null | sed 's/^/tmp /'
  local p
  local exe; exe=$(readlink -f "$IPCRACE")
  for p in $(pgrep -x ipcrace | sed 's|^|/proc/|'); do  # forks of the controller keep its name
    [[ $(readlink "$p/exe" 2>/dev/null) == "$exe" ]] || continue
    [[ $(readlink "$p/ns/mnt" 2>/dev/null) == "$ns" ]] || continue
    [[ ${p#/proc/} == "$$" ]] && continue
    echo "process ${p#/proc/}"
  done
}
no_leftovers() {
  local left; left=$(ours)
  [[ -z $left ]] || { echo "  leftovers:"; echo "$left" | sed 's/^/    /'; return 1; }
}

finish() {
  if ((fails)); then echo "$fails check(s) failed"; exit 1; fi
  echo "all checks passed"; exit 0
}
