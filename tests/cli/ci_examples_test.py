#!/usr/bin/env python3
"""The "past one machine" examples run: ci/examples/*.y*ml parse and name only
commands that exist; the Kubernetes Indexed Job's container command, run here
for JOB_COMPLETION_INDEX=0..N-1 and then the merge Job's, gives the result of
the unsharded campaign.

usage: ci_examples_test.py <source dir> <ipcrace binary>
"""
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:  # a python3 of its own (pyenv) first on PATH: Debian's has python3-yaml (ci/setup)
    if sys.executable != "/usr/bin/python3" and os.path.exists("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
    raise

src, ipcrace = sys.argv[1], os.path.abspath(sys.argv[2])
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


# Commands a step may start with: shell built-ins and keywords, the project's
# own scripts, ipcrace, and tools of the CI runners that a developer's
# machine need not have (docker builds the image on the runner).
BUILTINS = {"test", "echo", "exit", "cd", "set", "export", "if", "then", "fi", "true", "false", "[", "code=0"}
RUNNER_TOOLS = {"docker"}


def commands_of(script):
    """The first word of every simple command of a shell script."""
    out = []
    for line in script.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        for part in re.split(r"\|\||&&|;|\|", line):
            words = shlex.split(part.strip(), comments=True) if part.strip() else []
            while words and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]):
                words = words[1:]  # VAR=value prefixes
            if words:
                out.append(words[0])
    return out


def check_commands(where, script):
    for cmd in commands_of(script):
        if cmd in BUILTINS or cmd in RUNNER_TOOLS:
            continue
        if cmd == "ipcrace":
            continue
        if "/" in cmd:
            if not os.path.exists(os.path.join(src, cmd)):
                fail(f"{where}: {cmd} is not a file of the repository")
            continue
        if shutil.which(cmd) is None:
            fail(f"{where}: command '{cmd}' does not exist here")


# --- GitHub matrix -----------------------------------------------------------
gh_path = os.path.join(src, "ci/examples/github-matrix.yml")
with open(gh_path) as f:
    gh = yaml.safe_load(f)
if not isinstance(gh, dict) or "jobs" not in gh:
    fail("github-matrix.yml: no jobs")
else:
    jobs = gh["jobs"]
    for name in ("shard", "merge"):
        if name not in jobs:
            fail(f"github-matrix.yml: no '{name}' job")
    shards = jobs.get("shard", {}).get("strategy", {}).get("matrix", {}).get("shard", [])
    if shards != list(range(int(gh["env"]["IPCRACE_SHARD_COUNT"]))):
        fail(f"github-matrix.yml: the matrix {shards} is not 0..IPCRACE_SHARD_COUNT-1")
    for jname, job in jobs.items():
        for i, step in enumerate(job.get("steps", [])):
            if "run" in step:
                check_commands(f"github-matrix.yml jobs.{jname}.steps[{i}]", step["run"])
    if "ci/examples/Dockerfile" not in json.dumps(gh):
        fail("github-matrix.yml does not build ci/examples/Dockerfile")

# --- Kubernetes Indexed Job --------------------------------------------------
k8s_path = os.path.join(src, "ci/examples/k8s-indexed-job.yaml")
with open(k8s_path) as f:
    docs = [d for d in yaml.safe_load_all(f) if d]
jobs = {d["metadata"]["name"]: d for d in docs if d.get("kind") == "Job"}
if set(jobs) != {"ipcrace-shards", "ipcrace-merge"}:
    fail(f"k8s-indexed-job.yaml: jobs {sorted(jobs)}")
    sys.exit(1)
shard_job = jobs["ipcrace-shards"]["spec"]
if shard_job.get("completionMode") != "Indexed":
    fail("k8s-indexed-job.yaml: the shard Job is not Indexed")
n = int(shard_job["completions"])


shard_c = shard_job["template"]["spec"]["containers"][0]
merge_c = jobs["ipcrace-merge"]["spec"]["template"]["spec"]["containers"][0]
for where, c in (("shard", shard_c), ("merge", merge_c)):
    cmd = c["command"]
    if shutil.which(cmd[0]) is None:
        fail(f"k8s {where}: command '{cmd[0]}' does not exist")
    if cmd[:2] == ["sh", "-c"]:
        check_commands(f"k8s {where}", cmd[2])
if f"auto/{n}" not in " ".join(shard_c["command"]):
    fail(f"k8s: the shard command does not say auto/{n} for completions: {n}")

work = tempfile.mkdtemp(prefix="ipcrace-k8s-test-")
results = os.path.join(work, "results")
os.makedirs(results)
bindir = os.path.join(work, "bin")
os.makedirs(bindir)
os.symlink(ipcrace, os.path.join(bindir, "ipcrace"))
targets = "shm.counter.racy pipe.large_write.racy shm.counter.mutex"
runs = "24"


def env_of(c, extra):
    e = dict(os.environ)
    for v in c.get("env", []):
        e[v["name"]] = str(v["value"])
    e.update(extra)
    e["PATH"] = bindir + ":" + e["PATH"]
    return e


def local(cmd):
    # The container's /results volume is a folder here.
    return [part.replace("/results", results) for part in cmd]


procs = [subprocess.Popen(local(shard_c["command"]), cwd=work,
                          env=env_of(shard_c, {"JOB_COMPLETION_INDEX": str(i), "IPCRACE_TARGETS": targets, "IPCRACE_RUNS": runs}),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for i in range(n)]
for i, p in enumerate(procs):
    out, _ = p.communicate(timeout=900)
    if p.returncode != 0:
        fail(f"k8s shard {i} exited {p.returncode}: {out[-2000:]}")
m = subprocess.run(local(merge_c["command"]), cwd=work, env=env_of(merge_c, {}), stdout=subprocess.PIPE,
                   stderr=subprocess.STDOUT, text=True, timeout=900)
if m.returncode not in (0, 10):
    fail(f"k8s merge exited {m.returncode}: {m.stdout[-2000:]}")
for f in ("merged.json", "junit.xml", "ipcrace.sarif", "report/index.html"):
    if not os.path.exists(os.path.join(results, f)):
        fail(f"k8s merge left no {f}")

# The unsharded campaign, merged alone, must be the same, run for run.
one = os.path.join(work, "one")
u = subprocess.run([ipcrace, "run", *targets.split(), "--runs", runs, "--jobs", "2", "-q", "--results",
                    os.path.join(one, "one.json"), "--out", os.path.join(one, "f")], cwd=work, stdout=subprocess.PIPE,
                   stderr=subprocess.STDOUT, text=True, timeout=900)
subprocess.run([ipcrace, "merge", os.path.join(one, "one.json"), "-o", os.path.join(one, "merged.json"), "--out",
                os.path.join(one, "fm")], cwd=work, stdout=subprocess.DEVNULL, timeout=900)


def essence(path):
    with open(path) as f:
        j = json.load(f)
    t = [(x["target"], x["runs"], x["findings"], x["first_finding_run"], x["findings_by_kind"]) for x in j["targets"]]
    return t, sorted(x["signature"] for x in j["findings"])


if os.path.exists(os.path.join(results, "merged.json")):
    a, b = essence(os.path.join(results, "merged.json")), essence(os.path.join(one, "merged.json"))
    if a != b:
        fail(f"k8s: the merged shards differ from the unsharded campaign:\n  shards:    {a}\n  unsharded: {b}")
    elif not any(x[2] for x in a[0]):
        fail("k8s: the campaign found nothing, so the comparison shows nothing")
    else:
        print(f"ok: {n} Indexed Job shards + merge == unsharded: {a[0]}")
shutil.rmtree(work, ignore_errors=True)
if failures:
    print(f"{len(failures)} failed")
    sys.exit(1)
print("ci examples: every check passed")
