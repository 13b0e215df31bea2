#!/usr/bin/env python3
"""Measure what flake8-webframework costs, side by side with the tools it runs in.

Stdlib only; run it with any CPython 3.10+ (the measured tools live in venvs it makes).
On Django's own source (the pinned Django 5.2.19 sdist of ``corpus-packages.txt``, found or
downloaded through ``benchmarks/corpus.py``) it measures, in one run, in CPU time (user +
system) of a separate process for every measurement, single-process (``-j 1``):

* ``ast.parse`` of every file, one bare ``ast.walk`` over every tree (the floor for any
  visitor) and the core (``check_tree``) over every tree - in one worker process that times
  each phase per file (the file's bytes are read and its lines decoded outside the timing);
* ``flake8`` with its default plugins, the same plus this plugin, and ``flake8 --select=WEB``;
* ``pylint`` restricted to one cheap message (its fixed cost: astroid trees for every file),
  the same plus this plugin's messages, and ``pylint`` with all its default checkers, with
  and without this plugin (``--load-plugins=pylint_webframework``);
* ``bandit`` restricted to its web-relevant tests (B105 B106 B201 B308 B610 B611 B701-B704).

"With" and "without" the plugin must be the same flake8 in two environments, because flake8
runs every installed plugin whatever ``--select`` says. The script makes three venvs (in
``~/.cache/flake8-webframework/bench`` or ``--bench-dir``) from the interpreter running it:
``noplugin`` (flake8 + pylint), ``plugin`` (the same pinned versions plus this project,
installed from a copy of the working tree, reinstalled whenever its sources change) and
``bandit``. The flake8/pylint pins are the versions installed beside the interpreter that
runs this script (fallbacks below when it has none). pylint "without" is the plugin venv
without ``--load-plugins``. Every child runs in an empty folder with an empty rcfile /
``--isolated``, so no configuration of the corpus or the repository applies.

Rounds are interleaved (one run of every measurement per round, the order reversed on odd
rounds) so that a change of machine load hits every row alike; the table gives medians and
min-max over the rounds, and the ratios against the targets of the performance issue.
Peak memory is the child's ``ru_maxrss`` (``os.wait4``). A profile of the core (time per
phase and per check, and cProfile's top functions) and the core's own peak allocation
(tracemalloc) follow the table.

Usage::

    python benchmarks/bench.py --quick                 # a few minutes: small subsets, 2 rounds
    python benchmarks/bench.py --output docs/performance.md --json benchmarks/bench-results.json
    python benchmarks/bench.py --setup-only            # make the venvs and fetch the corpus
    python benchmarks/bench.py --jobs flake8,flake8-web --runs 3

The full run takes about 25-35 minutes on 2 cores; run it on an otherwise idle machine (the
load average before and after each round is recorded). ``--output FILE`` replaces the part
of FILE between ``<!-- bench:begin -->`` and ``<!-- bench:end -->`` (appends it if FILE has
no markers). Timing is never asserted by the test suite.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402  (benchmarks/corpus.py)

DJANGO = "django"
ENV_BENCH = "FLAKE8_WEBFRAMEWORK_BENCH"
DEFAULT_BENCH_DIR = Path("~/.cache/flake8-webframework/bench")
BEGIN = "<!-- bench:begin -->"
END = "<!-- bench:end -->"

#: Tools pinned in both flake8/pylint venvs. The version comes from the environment running
#: this script when the package is installed there, else from this table.
FALLBACK_PINS = {
    "flake8": "7.5.0",
    "pycodestyle": "2.15.0",
    "pyflakes": "4.1.0",
    "mccabe": "0.7.0",
    "pylint": "4.0.10",
    "astroid": "4.0.4",
    "isort": None,
    "dill": None,
    "platformdirs": None,
    "tomlkit": None,
    "tomli": None,
    "typing_extensions": None,
}
BANDIT_PIN = "bandit==1.9.4"
BANDIT_TESTS = "B105,B106,B201,B308,B610,B611,B701,B702,B703,B704"
PYLINT_CHEAP = "missing-module-docstring"

#: Targets, relative to the sdist root: full mode and --quick.
TARGETS = {
    "full": {"flake8": "django", "pylint_one": "django/db", "pylint": "django/db"},
    "quick": {"flake8": "django/db", "pylint_one": "django/db/backends",
              "pylint": "django/db/backends/sqlite3"},
}

WEB_FLAKE8 = re.compile(r":\d+:\d+: WEB\d{3} ")
WEB_PYLINT = re.compile(r": W75\d\d: ")
BANDIT_ISSUE = re.compile(r"^>> Issue: \[B\d{3}")


# --- corpus ------------------------------------------------------------------------------

def django_root(cache: Path) -> Path:
    """The unpacked Django sdist (the folder holding ``django/__init__.py``), downloading it
    through corpus.py when the cache lacks it."""
    packages = [p for p in corpus.parse_list(corpus.DEFAULT_LIST) if p.name.lower() == DJANGO]
    if not packages:
        raise SystemExit(f"bench: no {DJANGO} line in {corpus.DEFAULT_LIST}")
    rows, failures = corpus.ensure(packages, cache, timeout=900.0, keep_going=False)
    if failures:
        raise SystemExit(f"bench: could not get {packages[0].requirement}: {failures[0][1]}")
    tree = corpus.src_root(cache) / packages[0].key
    for init in sorted(tree.glob("*/django/__init__.py")) + sorted(tree.glob("django/__init__.py")):
        return init.parent.parent
    raise SystemExit(f"bench: no django/__init__.py under {tree}")


def real_world_files(cache: Path) -> tuple[list[Path], list[str], list[str]]:
    """Every .py file of the pinned corpus packages already in the cache (never downloads);
    the packages included and those missing."""
    files, have, missing = [], [], []
    for package in corpus.parse_list(corpus.DEFAULT_LIST):
        tree = corpus.src_root(cache) / package.key
        if (tree / corpus.MARKER).is_file():
            have.append(package.requirement)
            files.extend(corpus.py_files(tree))
        else:
            missing.append(package.requirement)
    return files, have, missing


def count_lines(files: list[Path]) -> int:
    return sum(path.read_bytes().count(b"\n") for path in files)


# --- venvs -------------------------------------------------------------------------------

def tool_pins() -> dict[str, str]:
    from importlib import metadata

    pins = {}
    for name, fallback in FALLBACK_PINS.items():
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = fallback
        if version:
            pins[name] = version
    return pins


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def run_checked(cmd: list, **kwargs) -> str:
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kwargs)
    if proc.returncode != 0:
        raise SystemExit(f"bench: {' '.join(map(str, cmd))} failed (exit {proc.returncode}):\n"
                         + corpus.tail(proc.stdout + proc.stderr))
    return proc.stdout


def ensure_venv(venv: Path, requirements: list[str]) -> None:
    """Make (or reuse) a venv holding exactly ``requirements``."""
    stamp = venv / ".bench-stamp.json"
    want = {"python": sys.version, "base": sys.base_prefix, "requirements": requirements}
    if stamp.is_file() and venv_python(venv).exists():
        try:
            if json.loads(stamp.read_text()) == want:
                return
        except ValueError:
            pass
    if venv.exists():
        shutil.rmtree(venv)
    print(f"bench: creating {venv}", file=sys.stderr)
    run_checked([sys.executable, "-m", "venv", venv])
    run_checked([venv_python(venv), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                 *requirements])
    stamp.write_text(json.dumps(want))


def project_digest() -> str:
    """A digest of what the plugin venv installs from the working tree."""
    digest = hashlib.sha256()
    paths = [REPO / "pyproject.toml", REPO / "setup.cfg"]
    for package in ("flake8_webframework", "pylint_webframework"):
        paths.extend(sorted((REPO / package).rglob("*.py")))
    for path in paths:
        if path.is_file():
            digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def ensure_project(venv: Path) -> None:
    """Install the working tree's plugin into ``venv`` (from a copy: no build files in the
    repository), unless that exact tree is installed already."""
    stamp = venv / ".bench-project"
    digest = project_digest()
    if stamp.is_file() and stamp.read_text() == digest:
        return
    print(f"bench: installing the working tree into {venv}", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="bench-src-") as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        for name in ("pyproject.toml", "setup.cfg", "README.md", "LICENSE"):
            if (REPO / name).is_file():
                shutil.copy2(REPO / name, src / name)
        for package in ("flake8_webframework", "pylint_webframework"):
            shutil.copytree(REPO / package, src / package,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        run_checked([venv_python(venv), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                     "--no-deps", "--no-build-isolation", "--force-reinstall", src])
    stamp.write_text(digest)


def ensure_venvs(bench_dir: Path) -> dict[str, Path]:
    pins = tool_pins()
    tag = f"py{sys.version_info[0]}.{sys.version_info[1]}"
    tools = [f"{name}=={version}" for name, version in sorted(pins.items())]
    venvs = {
        "noplugin": bench_dir / f"venv-noplugin-{tag}",
        "plugin": bench_dir / f"venv-plugin-{tag}",
        "bandit": bench_dir / f"venv-bandit-{tag}",
    }
    # setuptools in both (the plugin venv builds the project with it): same start-up hooks
    ensure_venv(venvs["noplugin"], tools + ["setuptools>=77"])
    ensure_venv(venvs["plugin"], tools + ["setuptools>=77"])
    ensure_project(venvs["plugin"])
    ensure_venv(venvs["bandit"], [BANDIT_PIN])
    return venvs


def versions_in(venv: Path, names: list[str]) -> dict[str, str]:
    code = (
        "import json, sys, importlib.metadata as m\n"
        "out = {'python': sys.version.split()[0]}\n"
        f"for n in {names!r}:\n"
        "    try: out[n] = m.version(n)\n"
        "    except m.PackageNotFoundError: out[n] = None\n"
        "print(json.dumps(out))\n"
    )
    # outside the checkout: a flake8_webframework.egg-info there would be found from the cwd
    return json.loads(run_checked([venv_python(venv), "-c", code], cwd=tempfile.gettempdir()))


# --- measuring a child --------------------------------------------------------------------

def measure(cmd: list, cwd: Path, env: dict) -> dict:
    """Run ``cmd`` to completion; its CPU time, wall time and peak RSS from ``os.wait4``."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen([str(c) for c in cmd], cwd=cwd, env=env, stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    return {
        "cpu": usage.ru_utime + usage.ru_stime,
        "user": usage.ru_utime,
        "sys": usage.ru_stime,
        "wall": wall,
        "maxrss_kb": usage.ru_maxrss,
        "rc": proc.returncode,
        "stdout": stdout,
        "stderr": stderr,
    }


def child_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONHASHSEED"] = "0"
    return env


# --- the in-process worker ----------------------------------------------------------------

def _prepare(path: Path):
    """(tree, lines) of one file, or None when ``ast`` cannot parse it."""
    from flake8_webframework.core import decode_source
    from flake8_webframework.findings import split_source_lines

    source = path.read_bytes()
    try:
        text = decode_source(source)
        tree = ast.parse(source, str(path))
    except (SyntaxError, ValueError, UnicodeDecodeError, LookupError, RecursionError):
        return source, None, None
    return source, tree, split_source_lines(text)


def worker_inproc(files: list[Path], core_first: bool) -> dict:
    """Per file: parse, then one bare walk and the core (in the order given); CPU seconds."""
    from flake8_webframework import check_tree
    from flake8_webframework.core import decode_source
    from flake8_webframework.findings import split_source_lines

    clock = time.process_time
    parse = walk = core = 0.0
    parsed = failed = nodes = findings = 0
    for path in files:
        source = path.read_bytes()
        t0 = clock()
        try:
            tree = ast.parse(source, str(path))
        except (SyntaxError, ValueError, RecursionError):
            parse += clock() - t0
            failed += 1
            continue
        parse += clock() - t0
        parsed += 1
        try:  # the decoded lines flake8 hands a plugin: not part of the core's time
            lines = split_source_lines(decode_source(source))
        except (UnicodeDecodeError, LookupError, SyntaxError):
            lines = None
        for phase in (("core", "walk") if core_first else ("walk", "core")):
            t0 = clock()
            if phase == "walk":
                for _node in ast.walk(tree):
                    nodes += 1
                walk += clock() - t0
            else:
                findings += len(check_tree(tree, str(path), lines))
                core += clock() - t0
    import resource

    return {"parse": parse, "walk": walk, "core": core, "files": len(files), "parsed": parsed,
            "failed": failed, "nodes": nodes, "findings": findings,
            "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}


def worker_profile(files: list[Path], top: int, passes: int = 3) -> dict:
    """Where the core's time goes: per phase and per check (plain timing, the median of
    ``passes`` passes), then one pass under cProfile. Each file is parsed just before it is
    measured, so that, as in flake8, one tree is alive at a time (many live trees make the
    garbage collector's full passes dominate whatever happens to trigger them)."""
    import cProfile
    import pstats

    from flake8_webframework import check_tree
    from flake8_webframework.options import DEFAULT_OPTIONS

    clock = time.process_time
    runs: list[dict[str, float]] = []
    breakdown_error = None
    try:  # internals of the core: best effort, the table says so when they moved
        from flake8_webframework.context import FileContext
        from flake8_webframework.core import CHECKS
        from flake8_webframework.scopes import ModuleModel

        for _ in range(passes):
            phases: dict[str, float] = {}

            def add(name: str, seconds: float, phases=phases) -> None:
                phases[name] = phases.get(name, 0.0) + seconds

            for path in files:
                _, tree, lines = _prepare(path)
                if tree is None:
                    continue
                t0 = clock()
                for _node in ast.walk(tree):
                    pass
                add("ast.walk (floor)", clock() - t0)
                t0 = clock()
                ModuleModel(tree)
                add("ModuleModel: the one walk, scopes, bindings, index", clock() - t0)
                t0 = clock()
                ctx = FileContext(tree, str(path), lines, DEFAULT_OPTIONS)
                add("FileContext (ModuleModel + value analysis, settings, columns)",
                    clock() - t0)
                for check in CHECKS:
                    t0 = clock()
                    list(check.run(ctx))
                    add(f"check {check.name} ({' '.join(check.codes)})", clock() - t0)
                del ctx
                t0 = clock()
                check_tree(tree, str(path), lines)
                add("check_tree (the whole core)", clock() - t0)
            runs.append(phases)
    except Exception as error:  # noqa: BLE001
        breakdown_error = f"{type(error).__name__}: {error}"
    phases = {name: statistics.median(run[name] for run in runs) for name in runs[0]} if (
        runs and not breakdown_error) else {}

    profiler = cProfile.Profile()
    parsed = 0
    for path in files:
        _, tree, lines = _prepare(path)
        if tree is None:
            continue
        parsed += 1
        profiler.enable()
        check_tree(tree, str(path), lines)
        profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt

    def where(key) -> str:
        filename, line, func = key
        if filename == "~":
            return func
        parts = Path(filename).parts
        for anchor in ("flake8_webframework", "pylint_webframework"):
            if anchor in parts:
                short = "/".join(parts[len(parts) - parts[::-1].index(anchor) - 1:])
                break
        else:
            short = Path(filename).name
        return f"{short}:{line}({func})"

    rows = [
        {"function": where(key), "ncalls": nc, "tottime": tt, "cumtime": ct}
        for key, (cc, nc, tt, ct, callers) in stats.stats.items()
    ]
    by_tottime = sorted(rows, key=lambda r: -r["tottime"])[:top]
    return {"files": parsed, "passes": passes, "phases": phases,
            "breakdown_error": breakdown_error, "profile_total": total,
            "top_tottime": by_tottime}


def worker_memory(files: list[Path]) -> dict:
    """The core's own allocations (tracemalloc): the largest peak over one file above what
    was allocated before it, and what the core still holds after every file (module-level
    caches, leaks): allocations made under the core's frames that are still alive. (The
    interpreter's own growth - interned names, this script's paths - is not the core's.)"""
    import gc
    import tracemalloc

    from flake8_webframework import check_tree

    check_tree(ast.parse("import os\n"), "warmup.py", ["import os"])  # imports, registries
    gc.collect()
    tracemalloc.start(16)
    before_all = tracemalloc.take_snapshot()
    worst = (0, "")
    for path in files:
        _, tree, lines = _prepare(path)
        if tree is None:
            continue
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        check_tree(tree, str(path), lines)
        peak = tracemalloc.get_traced_memory()[1] - before
        if peak > worst[0]:
            worst = (peak, str(path))
        del tree, lines
    gc.collect()
    after_all = tracemalloc.take_snapshot()
    tracemalloc.stop()
    core_only = [tracemalloc.Filter(True, "*flake8_webframework*", all_frames=True),
                 tracemalloc.Filter(False, __file__, all_frames=False)]
    diff = after_all.filter_traces(core_only).compare_to(
        before_all.filter_traces(core_only), "filename")
    retained = sum(stat.size_diff for stat in diff)
    return {"worst_peak_bytes": worst[0], "worst_file": worst[1], "retained_bytes": retained}


def run_worker(python: Path, mode: str, list_file: Path, extra: list[str], cwd: Path) -> dict:
    """Run a worker mode of this script in ``python`` (the plugin venv's: the in-process
    rows measure the same installed snapshot of the core as the flake8/pylint rows)."""
    cmd = [python, str(Path(__file__).resolve()), "--_worker", mode, str(list_file), *extra]
    result = measure(cmd, cwd=cwd, env=child_env())
    if result["rc"] != 0:
        raise SystemExit(f"bench: worker {mode} failed:\n{corpus.tail(result['stderr'])}")
    data = json.loads(result["stdout"])
    data["process"] = {k: result[k] for k in ("cpu", "wall", "maxrss_kb")}
    return data


# --- the jobs ------------------------------------------------------------------------------

class Job:
    """One measured command (or in-process worker), run once per round."""

    def __init__(self, key, title, cmd=None, target=None, ok_codes=None, count=None,
                 expect_web=None, runs=None, inproc=None):
        self.key, self.title, self.cmd, self.target = key, title, cmd, target
        self.ok_codes, self.count, self.expect_web = ok_codes, count, expect_web
        self.runs = runs
        self.inproc = inproc  # (list_file, label) for the in-process worker
        self.results: list[dict] = []


def make_jobs(root: Path, venvs: dict, mode: str, tmp: Path, lists: dict, rounds: int,
              rw_rounds: int) -> list[Job]:
    targets = {k: root / v for k, v in TARGETS[mode].items()}
    rcfile = tmp / "pylintrc"
    rcfile.write_text("")
    bin_ = {name: venv / "bin" for name, venv in venvs.items()}
    flake8 = ["-j", "1", "--isolated", targets["flake8"]]
    pylint = ["-j", "1", "--persistent=n", "--score=n", "--recursive=y", f"--rcfile={rcfile}"]
    plugin = "--load-plugins=pylint_webframework"
    flake8_ok = {0, 1}
    pylint_ok = {n for n in range(32)}  # bit 32 is a usage error; the others are messages

    def fcount(text):
        return sum(1 for line in text.splitlines() if WEB_FLAKE8.search(line))

    def pcount(text):
        return sum(1 for line in text.splitlines() if WEB_PYLINT.search(line))

    def bcount(text):
        return sum(1 for line in text.splitlines() if BANDIT_ISSUE.search(line))

    jobs = [
        Job("inproc", "in-process: ast.parse / ast.walk / core", inproc=(lists["django"], "django"),
            target=targets["flake8"], runs=rounds),
        Job("flake8", "flake8 (default plugins)", [bin_["noplugin"] / "flake8", *flake8],
            targets["flake8"], flake8_ok, fcount, expect_web=False),
        Job("flake8-web", "flake8 (default plugins) + this plugin",
            [bin_["plugin"] / "flake8", *flake8], targets["flake8"], flake8_ok, fcount,
            expect_web=True),
        Job("flake8-select", "flake8 --select=WEB (plugin venv)",
            [bin_["plugin"] / "flake8", "--select=WEB", *flake8], targets["flake8"], flake8_ok,
            fcount, expect_web=True),
        Job("pylint-one", f"pylint --disable=all --enable={PYLINT_CHEAP}",
            [bin_["plugin"] / "pylint", *pylint, "--disable=all", f"--enable={PYLINT_CHEAP}",
             targets["pylint_one"]], targets["pylint_one"], pylint_ok, pcount, expect_web=False),
        Job("pylint-one-web", "the same + this plugin's messages",
            [bin_["plugin"] / "pylint", *pylint, plugin, "--disable=all",
             f"--enable={PYLINT_CHEAP},webframework", targets["pylint_one"]],
            targets["pylint_one"], pylint_ok, pcount, expect_web=None),
        Job("pylint", "pylint (all default checkers)",
            [bin_["plugin"] / "pylint", *pylint, targets["pylint"]], targets["pylint"],
            pylint_ok, pcount, expect_web=False),
        Job("pylint-web", "pylint (all default checkers) + this plugin",
            [bin_["plugin"] / "pylint", *pylint, plugin, targets["pylint"]], targets["pylint"],
            pylint_ok, pcount, expect_web=None),
        Job("bandit", f"bandit -t {BANDIT_TESTS}",
            [bin_["bandit"] / "bandit", "-q", "-r", "-t", BANDIT_TESTS, "-f", "txt",
             targets["flake8"]], targets["flake8"], {0, 1}, bcount),
    ]
    for job in jobs:
        if job.runs is None:
            job.runs = rounds
    if "real" in lists:
        jobs.append(Job("inproc-rw", "in-process over the real-world corpus",
                        inproc=(lists["real"], "real"), runs=rw_rounds))
    return jobs


def run_job(job: Job, tmp: Path, python: Path) -> dict:
    load = os.getloadavg()[0]
    if job.inproc:
        list_file, _ = job.inproc
        core_first = len(job.results) % 2 == 1
        data = run_worker(python, "inproc", list_file, ["--core-first"] if core_first else [],
                          tmp)
        data["load"] = load
        data["core_first"] = core_first
        return data
    result = measure(job.cmd, cwd=tmp, env=child_env())
    if result["rc"] not in job.ok_codes or "Traceback (most recent call last)" in result["stderr"]:
        raise SystemExit(f"bench: {job.key} failed (exit {result['rc']}):\n"
                         + corpus.tail(result["stdout"] + result["stderr"]))
    web = job.count(result["stdout"]) if job.count else None
    if job.expect_web is False and web:
        raise SystemExit(f"bench: {job.key} reported {web} WEB/W75 findings without the plugin: "
                         "the 'without' environment is not clean")
    if job.expect_web is True and not web:
        raise SystemExit(f"bench: {job.key} reported no WEB finding: is the plugin installed?")
    return {
        "cpu": result["cpu"], "user": result["user"], "sys": result["sys"],
        "wall": result["wall"], "maxrss_kb": result["maxrss_kb"], "rc": result["rc"],
        "output_lines": len(result["stdout"].splitlines()), "findings": web, "load": load,
    }


# --- report -------------------------------------------------------------------------------

def wait_for_load(limit: float, max_wait: float) -> None:
    deadline = time.monotonic() + max_wait
    while os.getloadavg()[0] >= limit and time.monotonic() < deadline:
        print(f"bench: load {os.getloadavg()[0]:.2f} >= {limit}; waiting", file=sys.stderr)
        time.sleep(15)


def med(values):
    return statistics.median(values) if values else float("nan")


def spread(values, fmt="{:.2f}"):
    return f"{fmt.format(min(values))}-{fmt.format(max(values))}" if values else ""


def rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root)) + "/"
    except ValueError:
        return str(path)


def git_state() -> str:
    try:
        sha = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--",
                                "flake8_webframework", "pylint_webframework"],
                               capture_output=True, text=True).stdout.strip()
    except OSError:
        return "unknown"
    return f"{sha}{' + uncommitted changes to the plugin' if dirty else ''}"


def cpu_model() -> str:
    """The CPU as /proc/cpuinfo names it, with family/model, clock and whether virtual."""
    fields: dict[str, str] = {}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            fields.setdefault(key.strip(), value.strip())
    except OSError:
        return platform.processor() or "unknown"
    name = fields.get("model name", "unknown")
    extra = [f"family {fields['cpu family']} model {fields['model']}"
             if "cpu family" in fields and "model" in fields else "",
             f"{float(fields['cpu MHz']):.0f} MHz" if "cpu MHz" in fields else "",
             "virtual machine" if "hypervisor" in fields.get("flags", "").split() else ""]
    extra = [e for e in extra if e]
    return f"{name} ({', '.join(extra)})" if extra else name


def short_path(path: str, meta: dict) -> str:
    root = meta.get("django_root", "")
    return path[len(root):].lstrip("/") if root and path.startswith(root) else path


def verdict(value: float, limit: float) -> str:
    return "met" if value <= limit else "**not met**"


def render(data: dict) -> str:
    meta, jobs = data["meta"], data["jobs"]
    out = [BEGIN, "",
           f"<!-- generated by benchmarks/bench.py on {meta['date']}; rerun it, do not edit -->",
           ""]
    v = meta["versions"]
    out += [
        f"- Run: {meta['date']}, mode `{meta['mode']}`, {meta['rounds']} interleaved rounds "
        f"({meta['rw_rounds']} for the real-world corpus), {meta['elapsed_min']:.0f} min; "
        f"load average {meta['load_start']:.2f} before, {meta['load_end']:.2f} after "
        f"(per round: {spread(meta['loads'])}).",
        f"- Machine: {meta['cpu']} x {meta['cores']} cores, {meta['platform']}.",
        f"- CPython {v['plugin']['python']}; flake8 {v['plugin']['flake8']} (pycodestyle "
        f"{v['plugin']['pycodestyle']}, pyflakes {v['plugin']['pyflakes']}, mccabe "
        f"{v['plugin']['mccabe']}); pylint {v['plugin']['pylint']} (astroid "
        f"{v['plugin']['astroid']}); bandit {v['bandit']['bandit']}; flake8-webframework "
        f"{v['plugin']['flake8-webframework']} at {meta['git']}"
        + (" (the working tree changed during the run: what was measured is the snapshot "
           "installed at its start)" if meta.get("tree_changed_during_run") else "")
        + ".",
        f"- Corpus: Django {meta['django_version']} sdist; "
        + "; ".join(f"`{name}`: {info['files']} files, {info['lines']:,} lines"
                    for name, info in meta["targets"].items())
        + (f"; real-world corpus: {meta['real_world']['packages']} packages, "
           f"{meta['real_world']['files']:,} files, {meta['real_world']['lines']:,} lines"
           if meta.get("real_world") else "")
        + ".",
        "",
        "CPU time is user + system of the measuring process (`-j 1`), median over the rounds "
        "with min-max; peak memory is the process's maximum RSS (median).",
        "",
        "| measurement | target | CPU s (median) | min-max | wall s | peak RSS MB "
        "| output lines | WEB/W75 findings |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for key, job in jobs.items():
        runs = job["runs"]
        if not runs:
            continue
        if job.get("inproc"):
            target = job["target_label"]
            for phase, title in (("parse", "`ast.parse` of every file"),
                                 ("walk", "one bare `ast.walk` over every tree"),
                                 ("core", "the core (`check_tree`) over every tree")):
                values = [r[phase] for r in runs]
                extra = ""
                if phase == "core":
                    extra = str(runs[0]["findings"])
                rss = (f"{med([r['maxrss_kb'] for r in runs]) / 1024:.0f} (the worker)"
                       if phase == "parse" else "-")
                out.append(f"| {title} | {target} | {med(values):.2f} | {spread(values)} | "
                           f"- | {rss} | - | {extra} |")
            continue
        cpu = [r["cpu"] for r in runs]
        out.append(
            f"| {job['title']} | {job['target_label']} | {med(cpu):.2f} | {spread(cpu)} | "
            f"{med([r['wall'] for r in runs]):.2f} | "
            f"{med([r['maxrss_kb'] for r in runs]) / 1024:.1f} | "
            f"{runs[0]['output_lines']} | "
            f"{'' if runs[0]['findings'] is None else runs[0]['findings']} |")
    out += ["", "Ratios of the medians, with the min-max of the same ratio taken within each "
            "round, against the targets:", "",
            "| ratio | value | per round | target | |", "|---|---:|---:|---:|---|"]
    for row in data["ratios"]:
        target = row.get("target")
        out.append(
            f"| {row['name']} | {row['value']:.3f} | {row['range']} | "
            f"{'' if target is None else f'<= {target:g}'} | "
            f"{'' if target is None else verdict(row['value'], target)} |")
    mem = data.get("memory_rows", [])
    if mem:
        out += ["", "| peak memory | without | with | growth | target | |",
                "|---|---:|---:|---:|---:|---|"]
        for row in mem:
            out.append(f"| {row['name']} | {row['without']:.1f} MB | {row['with']:.1f} MB | "
                       f"{row['growth']:+.1f} MB | {row['target']} | {row['verdict']} |")
    core_mem = data.get("core_memory")
    if core_mem:
        out += ["", f"The core's own allocations (tracemalloc, over `{core_mem['target']}`): at "
                f"most {core_mem['worst_peak_bytes'] / 2**20:.1f} MB above the parsed tree while "
                f"checking one file (`{short_path(core_mem['worst_file'], meta)}`); "
                f"{core_mem['retained_bytes'] / 2**10:.0f} KB still allocated after all "
                f"{core_mem['files']} files."]
    prof = data.get("profile")
    if prof:
        out += ["", f"### Where the core's time goes ({prof['target']}, {prof['files']} files)",
                "", f"CPU seconds per phase, median of {prof.get('passes', 1)} passes; "
                "a check's time includes the shared analyses it is the first to ask for "
                "(setting sites, environment lookups, import resolution).", ""]
        if prof["breakdown_error"]:
            out.append(f"(per-phase breakdown unavailable: {prof['breakdown_error']})")
        else:
            walk = prof["phases"].get("ast.walk (floor)", 0.0) or float("nan")
            out += ["| phase | CPU s | x ast.walk |", "|---|---:|---:|"]
            for name, seconds in prof["phases"].items():
                out.append(f"| {name} | {seconds:.3f} | {seconds / walk:.2f} |")
        out += ["", f"cProfile, top {len(prof['top_tottime'])} functions by own time "
                f"(profiled total {prof['profile_total']:.2f} s; cProfile inflates call-heavy "
                "code):", "",
                "| function | calls | own s | cumulative s |", "|---|---:|---:|---:|"]
        for row in prof["top_tottime"]:
            out.append(f"| `{row['function']}` | {row['ncalls']} | {row['tottime']:.3f} | "
                       f"{row['cumtime']:.3f} |")
    out += ["", END]
    return "\n".join(out) + "\n"


def ratio_row(name, num, den, target=None):
    if not num or not den:
        return None
    value = med(num) / med(den)
    per_round = [a / b for a, b in zip(num, den)]
    return {"name": name, "value": value, "range": spread(per_round, "{:.3f}"), "target": target}


def compute_ratios(data: dict) -> None:
    jobs = data["jobs"]

    def cpu(key):
        return [r["cpu"] for r in jobs.get(key, {}).get("runs", [])]

    def phase(key, name):
        return [r[name] for r in jobs.get(key, {}).get("runs", [])]

    django = jobs.get("inproc", {}).get("target_label", "Django")
    rows = [
        ratio_row(f"core / ast.walk ({django})", phase("inproc", "core"),
                  phase("inproc", "walk"), 1.5),
        ratio_row("core / ast.walk (real-world corpus)", phase("inproc-rw", "core"),
                  phase("inproc-rw", "walk"), 1.5),
        ratio_row(f"core / ast.parse ({django})", phase("inproc", "core"),
                  phase("inproc", "parse")),
        ratio_row("(flake8 + plugin) / flake8", cpu("flake8-web"), cpu("flake8"), 1.05),
        ratio_row("flake8 --select=WEB / flake8", cpu("flake8-select"), cpu("flake8")),
        ratio_row("core in-process / flake8 (the share the plugin should add)",
                  phase("inproc", "core") if TARGETS_SAME(data) else [], cpu("flake8")),
        ratio_row("(pylint one message + plugin) / pylint one message", cpu("pylint-one-web"),
                  cpu("pylint-one")),
        ratio_row("(pylint + plugin) / pylint, default checkers", cpu("pylint-web"), cpu("pylint"),
                  1.05),
        ratio_row("(core + flake8) / bandit web tests", cpu("flake8-web"), cpu("bandit")),
        ratio_row("flake8 --select=WEB / bandit web tests", cpu("flake8-select"), cpu("bandit")),
    ]
    data["ratios"] = [row for row in rows if row]
    mem_rows = []
    for name, without, with_ in (("flake8", "flake8", "flake8-web"),
                                 ("pylint, default checkers", "pylint", "pylint-web"),
                                 ("pylint, one message", "pylint-one", "pylint-one-web")):
        a = [r["maxrss_kb"] for r in jobs.get(without, {}).get("runs", [])]
        b = [r["maxrss_kb"] for r in jobs.get(with_, {}).get("runs", [])]
        if a and b:
            growth = (med(b) - med(a)) / 1024
            mem_rows.append({"name": name, "without": med(a) / 1024, "with": med(b) / 1024,
                             "growth": growth, "target": "<= 5 MB",
                             "verdict": verdict(growth, 5.0)})
    data["memory_rows"] = mem_rows


def TARGETS_SAME(data: dict) -> bool:  # noqa: N802
    jobs = data["jobs"]
    return (jobs.get("inproc", {}).get("target_label")
            == jobs.get("flake8", {}).get("target_label"))


def write_output(path: Path, section: str) -> None:
    if path.is_file():
        text = path.read_text(encoding="utf-8")
        if BEGIN in text and END in text:
            head, rest = text.split(BEGIN, 1)
            _, tail = rest.split(END, 1)
            path.write_text(head + section.rstrip("\n") + tail, encoding="utf-8")
            return
        path.write_text(text.rstrip("\n") + "\n\n" + section, encoding="utf-8")
        return
    path.write_text("# Performance\n\n" + section, encoding="utf-8")


# --- main ---------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="small subsets (django/db ...), 2 rounds, no real-world corpus")
    parser.add_argument("--runs", type=int, default=None,
                        help="rounds (default 5; 2 with --quick)")
    parser.add_argument("--real-world-runs", type=int, default=None,
                        help="rounds over the real-world corpus (default 3; 0 skips it)")
    parser.add_argument("--jobs", default="",
                        help="comma-separated subset of: inproc, flake8, flake8-web, "
                             "flake8-select, pylint-one, pylint-one-web, pylint, pylint-web, "
                             "bandit, inproc-rw")
    parser.add_argument("--max-load", type=float, default=None,
                        help="before each round, wait until the 1-minute load average is "
                             "below this (e.g. 1.5 on an otherwise idle machine)")
    parser.add_argument("--max-wait", type=float, default=600.0,
                        help="seconds to wait for --max-load per round before going on")
    parser.add_argument("--no-profile", action="store_true",
                        help="skip the profile and memory passes of the core")
    parser.add_argument("--profile-top", type=int, default=25)
    parser.add_argument("--cache", type=Path, default=None,
                        help="corpus cache (default: as benchmarks/corpus.py)")
    parser.add_argument("--bench-dir", type=Path, default=None,
                        help=f"where the venvs live (default: ${ENV_BENCH} or {DEFAULT_BENCH_DIR})")
    parser.add_argument("--setup-only", action="store_true",
                        help="fetch the corpus and make the venvs, then stop")
    parser.add_argument("--output", type=Path, default=None,
                        help="markdown file whose bench section to (re)write")
    parser.add_argument("--json", type=Path, default=None, help="write every raw run here")
    parser.add_argument("--from-json", type=Path, default=None,
                        help="measure nothing: render the table of a JSON written by --json")
    parser.add_argument("--_worker", nargs=2, metavar=("MODE", "LIST"), help=argparse.SUPPRESS)
    parser.add_argument("--core-first", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args._worker:
        mode, list_file = args._worker
        files = [Path(p) for p in Path(list_file).read_text().splitlines() if p]
        if mode == "inproc":
            result = worker_inproc(files, args.core_first)
        elif mode == "profile":
            result = worker_profile(files, args.profile_top)
        elif mode == "memory":
            result = worker_memory(files)
        else:
            raise SystemExit(f"unknown worker {mode}")
        import flake8_webframework

        result["core_module"] = flake8_webframework.__file__
        print(json.dumps(result))
        return 0

    if args.from_json:
        data = json.loads(args.from_json.read_text())
        compute_ratios(data)
        section = render(data)
        print(section)
        if args.output:
            write_output(args.output, section)
        return 0

    mode = "quick" if args.quick else "full"
    rounds = args.runs if args.runs is not None else (2 if args.quick else 5)
    rw_rounds = args.real_world_runs if args.real_world_runs is not None else (
        0 if args.quick else 3)
    cache = (args.cache.expanduser() if args.cache else corpus.default_cache()).resolve()
    bench_dir = (args.bench_dir or Path(os.environ.get(ENV_BENCH) or DEFAULT_BENCH_DIR))
    bench_dir = bench_dir.expanduser().resolve()
    bench_dir.mkdir(parents=True, exist_ok=True)

    root = django_root(cache)
    git = git_state()
    venvs = ensure_venvs(bench_dir)
    digest = project_digest()
    if args.setup_only:
        print(f"bench: Django at {root}; venvs in {bench_dir}")
        return 0
    wanted = {j.strip() for j in args.jobs.split(",") if j.strip()}

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp_name:
        tmp = Path(tmp_name)
        django_files = corpus.py_files(root / TARGETS[mode]["flake8"])
        lists = {"django": tmp / "django.txt"}
        lists["django"].write_text("\n".join(map(str, django_files)) + "\n")
        meta_rw = None
        if rw_rounds and (not wanted or "inproc-rw" in wanted):
            rw_files, have, missing = real_world_files(cache)
            if len(have) > 1:
                lists["real"] = tmp / "real.txt"
                lists["real"].write_text("\n".join(map(str, rw_files)) + "\n")
                meta_rw = {"packages": len(have), "missing": missing, "files": len(rw_files),
                           "lines": count_lines(rw_files)}
            else:
                print("bench: the real-world corpus is not downloaded (benchmarks/corpus.py); "
                      "measuring Django only", file=sys.stderr)
        jobs = make_jobs(root, venvs, mode, tmp, lists, rounds, rw_rounds)
        if wanted:
            unknown = wanted - {j.key for j in jobs}
            if unknown:
                raise SystemExit(f"bench: unknown jobs: {', '.join(sorted(unknown))}")
            jobs = [j for j in jobs if j.key in wanted]

        targets_meta = {}
        for name, sub in sorted(set(TARGETS[mode].items()), key=lambda kv: kv[1]):
            files = corpus.py_files(root / sub)
            targets_meta.setdefault(sub + "/", {"files": len(files), "lines": count_lines(files)})
        for path in django_files:  # warm the page cache
            path.read_bytes()

        loads = []
        load_start = os.getloadavg()[0]
        total_rounds = max(j.runs for j in jobs)
        for rnd in range(total_rounds):
            order = jobs if rnd % 2 == 0 else list(reversed(jobs))
            if args.max_load is not None:
                wait_for_load(args.max_load, args.max_wait)
            loads.append(os.getloadavg()[0])
            for job in order:
                if rnd >= job.runs:
                    continue
                result = run_job(job, tmp, venv_python(venvs["plugin"]))
                job.results.append(result)
                cpu = result.get("cpu", result.get("core"))
                print(f"bench: round {rnd + 1}/{total_rounds} {job.key}: "
                      + (f"parse {result['parse']:.2f}s walk {result['walk']:.2f}s core "
                         f"{result['core']:.2f}s" if job.inproc else
                         f"{cpu:.2f}s cpu, {result['wall']:.2f}s wall, "
                         f"{result['maxrss_kb'] / 1024:.0f} MB")
                      + f" (load {result['load']:.2f})", file=sys.stderr)
        load_end = os.getloadavg()[0]

        profile = core_memory = None
        if not args.no_profile:
            print("bench: profiling the core", file=sys.stderr)
            profile = run_worker(venv_python(venvs["plugin"]), "profile", lists["django"],
                                 ["--profile-top", str(args.profile_top)], tmp)
            profile["target"] = rel(root / TARGETS[mode]["flake8"], root)
            core_memory = run_worker(venv_python(venvs["plugin"]), "memory", lists["django"], [],
                                     tmp)
            core_memory["target"] = profile["target"]
            core_memory["files"] = len(django_files)

    versions = {
        "plugin": versions_in(venvs["plugin"], ["flake8", "pycodestyle", "pyflakes", "mccabe",
                                                "pylint", "astroid", "flake8-webframework"]),
        "noplugin": versions_in(venvs["noplugin"], ["flake8", "pylint", "astroid",
                                                    "flake8-webframework"]),
        "bandit": versions_in(venvs["bandit"], ["bandit"]),
    }
    if versions["noplugin"]["flake8-webframework"] is not None:
        raise SystemExit("bench: the noplugin venv has flake8-webframework installed")
    data = {
        "meta": {
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "mode": mode, "rounds": rounds, "rw_rounds": rw_rounds if meta_rw else 0,
            "elapsed_min": (time.monotonic() - started) / 60,
            "load_start": load_start, "load_end": load_end, "loads": loads,
            "cpu": cpu_model(), "cores": os.cpu_count(), "platform": platform.platform(),
            "versions": versions, "git": git, "project_digest": digest,
            "tree_changed_during_run": project_digest() != digest,
            "django_version": root.name.rsplit("-", 1)[-1],
            "django_root": str(root), "targets": targets_meta, "real_world": meta_rw,
        },
        "jobs": {
            job.key: {
                "title": job.title, "inproc": bool(job.inproc),
                "cmd": [str(c) for c in job.cmd] if job.cmd else None,
                "target_label": rel(job.target, root) if job.target else "real-world corpus",
                "runs": job.results,
            }
            for job in jobs
        },
        "profile": profile,
        "core_memory": core_memory,
    }
    compute_ratios(data)
    section = render(data)
    print(section)
    if args.json:
        args.json.write_text(json.dumps(data, indent=1) + "\n")
        print(f"bench: raw runs in {args.json}", file=sys.stderr)
    if args.output:
        write_output(args.output, section)
        print(f"bench: wrote the table into {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
