#!/usr/bin/env bash
# Issue 13.1: the stale-object sweep touches only what ipcrace made: exact
# names from the start, owned by us, never through a symlink; inside a socket
# folder only socket files. Planted symlinks, foreign folders and look-alike
# names are untouched after a run; real stale objects of ours are removed.
source "$(dirname "$0")/lib.sh"
private_ns "$@"
mkdir -p /tmp/victim && echo precious >/tmp/victim/file
ln -s /tmp/victim /tmp/ipcrace.999999.0                    # symlink to a folder
ln -s /tmp/victim /tmp/ipcrace.999999.0.AbC123             # exact pattern, but a symlink
mkdir -p /tmp/ipcrace.999996.userdata && echo mine >/tmp/ipcrace.999996.userdata/notes
mkdir -m 0700 /tmp/ipcrace.999995.0.XyZ789 && echo theirs >/tmp/ipcrace.999995.0.XyZ789/0.stream.sock
chown -R 65534 /tmp/ipcrace.999995.0.XyZ789                 # exact pattern, another user's
mkdir -m 0700 /tmp/ipcrace.999994.0.Qwe456 && echo keep >/tmp/ipcrace.999994.0.Qwe456/0.data.sock  # not a socket
echo precious >/dev/shm/user.ipcrace.999999.0.0.counter    # contains the pattern, does not start with it
echo precious >/dev/shm/ipcrace.999999.0.0.counter && chown 65534 /dev/shm/ipcrace.999999.0.0.counter
ln -s /tmp/victim/file /dev/shm/ipcrace.999998.0.0.link
touch /dev/mqueue/my.ipcrace.999999.0.0.mq
# Real stale objects of ours (dead pid): these go.
echo stale >/dev/shm/ipcrace.999997.0.0.counter
touch /dev/mqueue/ipcrace.999997.0.0.mq
mkdir -m 0700 /tmp/ipcrace.999997.0.Stale1
python3 -c 'import socket; s=socket.socket(socket.AF_UNIX); s.bind("/tmp/ipcrace.999997.0.Stale1/0.stream.sock")'

out=$("$IPCRACE" run shm.counter.mutex --runs 3 -q --no-minimize --out /tmp/findings 2>&1); rc=$?
check "the run works (exit 0, got $rc)" test $rc -eq 0
check "symlinked folder's target untouched" grep -q precious /tmp/victim/file
check "symlink /tmp/ipcrace.999999.0 kept" test -L /tmp/ipcrace.999999.0
check "exact-pattern symlink kept" test -L /tmp/ipcrace.999999.0.AbC123
check "a user's own ipcrace.<pid>.userdata folder untouched" grep -q mine /tmp/ipcrace.999996.userdata/notes
check "another user's socket folder untouched" test -f /tmp/ipcrace.999995.0.XyZ789/0.stream.sock
check "a non-socket file in a socket folder kept" test -f /tmp/ipcrace.999994.0.Qwe456/0.data.sock
check "look-alike shm name kept" test -f /dev/shm/user.ipcrace.999999.0.0.counter
check "another user's shm name kept" test -f /dev/shm/ipcrace.999999.0.0.counter
check "symlink in /dev/shm kept" test -L /dev/shm/ipcrace.999998.0.0.link
check "look-alike mqueue name kept" test -e /dev/mqueue/my.ipcrace.999999.0.0.mq
check "our stale shm object swept" test ! -e /dev/shm/ipcrace.999997.0.0.counter
check "our stale queue swept" test ! -e /dev/mqueue/ipcrace.999997.0.0.mq
check "our stale socket folder swept" test ! -e /tmp/ipcrace.999997.0.Stale1
finish
