#!/usr/bin/env python3
"""Run the whole WEB catalogue over the real-world corpus and report the findings.

Needs the corpus first (``python benchmarks/corpus.py``). For every ``.py`` file of every
pinned package it calls ``flake8_webframework.check_source(bytes, path)`` (unparsable files
are skipped and counted), classifies the path (see ``classify`` and the rules printed by
``--explain-classes``) as

* ``app``: application, example and settings code (the source of applications such as
  Superset, Label Studio, pretix; and the examples, tutorials, docs snippets, project and
  app templates, demo/sandbox projects and settings modules shipped inside libraries);
* ``internals``: the framework and library packages' own source (django/, flask/,
  starlette/, rest_framework/, wagtail/ ...);
* ``tests``: test suites, wherever they live (tests/ folders, test_*.py, conftest.py ...);

and writes a machine-readable JSON (counts per rule x class, every finding with its path,
position, code, message and source line) plus a human summary on stdout.

Usage::

    python benchmarks/corpus_report.py --jobs 2 --json /tmp/corpus-findings.json --sample 8
    python benchmarks/corpus_report.py --rules WEB101,WEB201 --sample 20
    python benchmarks/corpus_report.py --flake8 flask-3.1.3   # flake8 --select=WEB vs the core
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path, PurePosixPath

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

import corpus  # noqa: E402  (benchmarks/corpus.py)

CLASSES = ("app", "internals", "tests")
CLASS_TITLES = {
    "app": "application / example / settings",
    "internals": "framework internals",
    "tests": "test suites",
}

#: Packages that are applications (their own source is application code). Everything else
#: in the list is a framework, extension or library (its own source is "internals").
APPLICATIONS = {
    "label-studio", "apache-superset", "apache-airflow-core", "apache-airflow-providers-fab",
    "mlflow", "pretix", "pretalx", "weblate", "nautobot", "ckan", "ihatemoney",
    "graphite-web", "postorius", "hyperkitty", "kinto",
}

# --- path classification -------------------------------------------------------------
# Applied to the path relative to the unpacked package (first component = NAME-VERSION,
# or the wheel's top-level package), lower-cased, in this order; the first match wins.

#: Folder names that hold a test suite: "tests", "test", "testing", "testapp",
#: "testproject", "testutils", "test_utils", and any name with a "test"/"tests"/"testing"
#: word between "_" or "-" ("auth_tests", "test_tutorial", "upgrade-test", "app_testing"),
#: plus "e2e" and "fixtures". ("latest", "contest" do not match.)
TEST_DIRS = re.compile(r"^(?:.*[-_])?(?:tests?|testing|testapp|testproject|testutils|testcases?)"
                       r"(?:[-_].*)?$|^(?:e2e|fixtures)$")
#: File names of test modules.
TEST_FILES = re.compile(r"^(?:test_.*|.*_tests?|tests?|conftest|runtests|testsettings)\.py$")
#: Test *tooling* that a framework ships to its users (django.test, flask.testing,
#: pyramid.testing, starlette.testclient ...) is framework internals, not a test suite.
TOOLING = re.compile(r"^(?:django/test/|src/flask/testing\.py$|src/pyramid/testing\.py$|"
                     r"starlette/testclient\.py$|fastapi/testclient\.py$|"
                     r"rest_framework/test\.py$|wagtail/test/utils/|"
                     r"flask_appbuilder/testing/|src/flask_login/test_client\.py$)")
#: Folder names that hold example, tutorial, documentation, template or demo code.
EXAMPLE_DIRS = re.compile(r"^(?:examples?|example_[a-z0-9_]+|samples?|demos?|demo_[a-z0-9_]+"
                          r"|docs?|docs_src|documentation|tutorials?|quick_tour|quick_tutorial"
                          r"|sandbox|project_template|app_template|scaffolds?|quickstart)$")
#: File names of settings/configuration modules (only used to label the reason).
SETTINGS_FILES = re.compile(r"^(?:[a-z0-9_]*settings[a-z0-9_]*|[a-z0-9_]*config|"
                            r"production|development|local|base)\.py$")


def _inner_path(rel_path: str) -> str:
    """The path inside the package: drop the cache's NAME-VERSION/ folder and, for an sdist,
    its own top folder (``Flask-Login-0.6.3/``, ``django_cms-5.1.3/``)."""
    parts = PurePosixPath(rel_path).parts[1:]
    key_version = PurePosixPath(rel_path).parts[0].rsplit("-", 1)[-1]
    if len(parts) > 1 and parts[0].endswith("-" + key_version):
        parts = parts[1:]
    return "/".join(parts)


def classify(package: str, rel_path: str) -> tuple[str, str]:
    """``(class, reason)`` for the file ``rel_path`` (relative to the corpus's src/ folder,
    POSIX separators, starting with NAME-VERSION/) of the pinned package ``package``."""
    inner = _inner_path(rel_path)
    low = inner.lower()
    parts = low.split("/")
    dirs, filename = parts[:-1], parts[-1]
    settings = " (settings module)" if SETTINGS_FILES.match(filename) else ""
    if TOOLING.match(low):
        return "internals", "framework test tooling"
    if any(TEST_DIRS.match(d) for d in dirs):
        return "tests", "test folder"
    if TEST_FILES.match(filename):
        return "tests", "test module"
    if any(EXAMPLE_DIRS.match(d) for d in dirs):
        return "app", "example/docs/template folder" + settings
    if package in APPLICATIONS:
        return "app", "application source" + settings
    return "internals", "library source" + settings


CLASS_RULES_DOC = """\
Each path is classified from its place inside the unpacked package, first match wins:
1. framework test tooling shipped to users (django/test/, flask/testing.py,
   pyramid/testing.py, starlette/testclient.py, fastapi/testclient.py,
   rest_framework/test.py, wagtail/test/utils/, flask_appbuilder/testing/) -> internals;
2. a folder named tests, test, testing, testapp, testproject, testutils, testcases, e2e,
   fixtures, or with a test/tests/testing word between - or _ (auth_tests, test_tutorial,
   upgrade-test, app_testing) -> tests;
3. a file named test_*.py, *_test.py, *_tests.py, test.py, tests.py, conftest.py,
   runtests.py -> tests;
4. a folder named examples, example, example_*, samples, demo, demo_*, docs, docs_src,
   tutorial(s), quick_tour, quick_tutorial, sandbox, project_template, app_template,
   scaffolds, quickstart -> app (example code);
5. any other file of an application package (label-studio, apache-superset,
   apache-airflow-core, apache-airflow-providers-fab, mlflow, pretix, pretalx, weblate,
   nautobot, ckan, ihatemoney, graphite-web, postorius, hyperkitty, kinto) -> app;
6. any other file of a framework/library package -> internals."""


# --- running the checks ---------------------------------------------------------------

_SELECTED: frozenset[str] | None = None


def _init_worker(selected):
    global _SELECTED
    _SELECTED = frozenset(selected) if selected else None
    import flake8_webframework  # noqa: F401  (import once per worker)


def _check_file(job):
    """Worker: run check_source on one file. Returns a small picklable result."""
    import flake8_webframework as fw

    path, package, rel = job
    started = time.perf_counter()
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return {"path": rel, "package": package, "status": "unreadable", "error": str(exc)}
    try:
        findings = fw.check_source(data, path)
    except fw.UnparsableSourceError as exc:
        return {"path": rel, "package": package, "status": "unparsable",
                "error": str(exc).split(": ", 1)[-1][:200],
                "seconds": time.perf_counter() - started}
    except Exception as exc:  # noqa: BLE001 - check_source must never raise anything else
        return {"path": rel, "package": package, "status": "crashed",
                "error": f"{type(exc).__name__}: {exc}"[:300],
                "seconds": time.perf_counter() - started}
    elapsed = time.perf_counter() - started
    lines = None
    out = []
    for f in findings:
        if _SELECTED is not None and f.code not in _SELECTED:
            continue
        if lines is None:
            try:
                text = fw.core.decode_source(data)
            except Exception:  # noqa: BLE001
                text = data.decode("utf-8", "replace")
            lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        src = lines[f.line - 1].strip() if 0 < f.line <= len(lines) else ""
        out.append({"line": f.line, "col": f.col, "end_line": f.end_line, "end_col": f.end_col,
                    "code": f.code, "message": f.message, "source": src[:240]})
    return {"path": rel, "package": package, "status": "ok", "findings": out,
            "seconds": elapsed, "size": len(data)}


def collect_jobs(cache: Path, packages) -> list[tuple[str, str, str]]:
    src = corpus.src_root(cache)
    jobs = []
    for p in packages:
        tree = src / p.key
        if not (tree / corpus.MARKER).is_file():
            raise SystemExit(f"corpus_report: {p.requirement} is not in {src}; "
                             "run benchmarks/corpus.py first")
        for path in corpus.py_files(tree):
            jobs.append((str(path), p.name, path.relative_to(src).as_posix()))
    return jobs


def run(jobs, jobs_n: int, selected) -> list[dict]:
    if jobs_n <= 1:
        _init_worker(selected)
        return [_check_file(j) for j in jobs]
    ctx = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    with ctx.Pool(jobs_n, initializer=_init_worker, initargs=(selected,)) as pool:
        # Big chunks keep the IPC cheap; order by path so results are deterministic.
        return list(pool.imap(_check_file, jobs, chunksize=32))


def sample_findings(findings: list[dict], n: int, seed: int) -> dict[str, list[dict]]:
    """Up to ``n`` findings per rule, application/example/settings code first."""
    by_rule: dict[str, list[dict]] = defaultdict(list)
    for f in findings:
        by_rule[f["code"]].append(f)
    out = {}
    for code, items in sorted(by_rule.items()):
        rng = random.Random(f"{seed}:{code}")
        picked: list[dict] = []
        for cls in CLASSES:  # app first, then internals, then tests
            pool = [f for f in items if f["class"] == cls]
            rng.shuffle(pool)
            picked.extend(pool[: n - len(picked)])
            if len(picked) >= n:
                break
        out[code] = picked
    return out


def flake8_compare(cache: Path, target: str, python: str) -> int:
    """Run the real ``flake8 --select=WEB`` over one unpacked package folder and compare
    with ``check_source`` over the same files. ``python`` must have flake8 and this
    project installed (``pip install -e .``) so that the WEB plugin is registered."""
    src = corpus.src_root(cache)
    version = subprocess.run([python, "-m", "flake8", "--version"], capture_output=True, text=True)
    if version.returncode != 0 or "webframework" not in version.stdout:
        print(f"corpus_report: {python} -m flake8 does not have the WEB plugin registered "
              f"({(version.stdout + version.stderr).strip()[:200]!r}); install flake8 and "
              "this project there (pip install -e .) or pass --flake8-python", file=sys.stderr)
        return 2
    folder = (src / target) if not Path(target).is_absolute() else Path(target)
    if not folder.is_dir():
        print(f"corpus_report: no folder {folder}", file=sys.stderr)
        return 2
    started = time.monotonic()
    proc = subprocess.run(
        [python, "-m", "flake8", "--isolated", "--select=WEB", "--jobs=2",
         "--format=%(path)s\t%(row)d\t%(col)d\t%(code)s", str(folder)],
        capture_output=True, text=True, cwd=str(REPO))
    flake8_time = time.monotonic() - started
    if proc.returncode not in (0, 1) or proc.stderr.strip():
        print(proc.stderr, file=sys.stderr)
        return 2
    via_flake8 = set()
    for line in proc.stdout.splitlines():
        path, row, col, code = line.split("\t")
        via_flake8.add((os.path.relpath(path, folder), int(row), int(col) - 1, code))
    import flake8_webframework as fw

    started = time.monotonic()
    via_core = set()
    unparsable = 0
    for path in corpus.py_files(folder):
        try:
            found = fw.check_source(path.read_bytes(), str(path))
        except fw.UnparsableSourceError:
            unparsable += 1
            continue
        via_core.update((os.path.relpath(path, folder), f.line, f.col, f.code) for f in found)
    core_time = time.monotonic() - started
    print(f"flake8 --select=WEB: {len(via_flake8)} findings in {flake8_time:.1f}s; "
          f"check_source: {len(via_core)} findings in {core_time:.1f}s "
          f"({unparsable} unparsable files skipped)")
    only_f, only_c = sorted(via_flake8 - via_core), sorted(via_core - via_flake8)
    for row in only_f[:20]:
        print("only flake8:", *row)
    for row in only_c[:20]:
        print("only check_source:", *row)
    print("identical" if not only_f and not only_c else
          f"DIFFERENT: {len(only_f)} only in flake8, {len(only_c)} only in check_source")
    return 0 if not only_f and not only_c else 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=None,
                        help=f"corpus cache (default: ${corpus.ENV_CACHE} or "
                             f"{corpus.DEFAULT_CACHE})")
    parser.add_argument("--packages", type=Path, default=corpus.DEFAULT_LIST)
    parser.add_argument("--only", default="", help="comma-separated package names")
    parser.add_argument("--rules", default="", help="comma-separated codes to report (default all)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--sample", type=int, default=5, help="findings shown per rule")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--json", type=Path, default=Path("corpus-findings.json"),
                        help="where to write the JSON report (default ./corpus-findings.json)")
    parser.add_argument("--explain-classes", action="store_true",
                        help="print the path classification rules and exit")
    parser.add_argument("--classify", metavar="REL_PATH",
                        help="print the class of one corpus path (NAME-VERSION/...) and exit")
    parser.add_argument("--flake8", metavar="NAME-VERSION",
                        help="compare the real flake8 --select=WEB with check_source "
                             "on one package")
    parser.add_argument("--flake8-python", default=sys.executable,
                        help="interpreter whose flake8 has the plugin installed (for --flake8)")
    args = parser.parse_args(argv)

    if args.explain_classes:
        print(CLASS_RULES_DOC)
        return 0
    cache = (args.cache.expanduser() if args.cache else corpus.default_cache()).resolve()
    packages = corpus.parse_list(args.packages)
    if args.classify:
        key = args.classify.split("/", 1)[0]
        match = [p for p in packages if p.key == key]
        if not match:
            print(f"unknown package folder {key}", file=sys.stderr)
            return 2
        print(*classify(match[0].name, args.classify))
        return 0
    if args.flake8:
        return flake8_compare(cache, args.flake8, args.flake8_python)
    if args.only:
        wanted = {n.strip().lower() for n in args.only.split(",")}
        packages = [p for p in packages if p.name.lower() in wanted]
    selected = [c.strip().upper() for c in args.rules.split(",") if c.strip()]

    import flake8_webframework as fw

    unknown = [c for c in selected if c not in fw.RULES]
    if unknown:
        print(f"corpus_report: unknown rule(s) {', '.join(unknown)}", file=sys.stderr)
        return 2

    jobs = collect_jobs(cache, packages)
    print(f"checking {len(jobs)} files of {len(packages)} packages with {args.jobs} job(s)...",
          file=sys.stderr)
    started = time.monotonic()
    results = run(jobs, args.jobs, selected)
    wall = time.monotonic() - started

    files_by_class: Counter = Counter()
    files_by_package: dict[str, Counter] = defaultdict(Counter)
    findings: list[dict] = []
    unparsable, crashed = [], []
    cpu = 0.0
    slowest = []
    for r in results:
        cls, reason = classify(r["package"], r["path"])
        files_by_class[cls] += 1
        files_by_package[r["package"]][cls] += 1
        cpu += r.get("seconds", 0.0)
        if r["status"] == "ok":
            slowest.append((r["seconds"], r["path"]))
            for f in r["findings"]:
                findings.append({"path": r["path"], "package": r["package"], "class": cls,
                                 "class_reason": reason, **f})
        elif r["status"] == "unparsable":
            unparsable.append({"path": r["path"], "error": r["error"]})
        else:
            crashed.append({"path": r["path"], "error": r["error"]})

    codes = selected or [c for c in fw.RULES]
    counts = {code: {cls: 0 for cls in CLASSES} for code in codes}
    for f in findings:
        counts.setdefault(f["code"], {cls: 0 for cls in CLASSES})[f["class"]] += 1
    samples = sample_findings(findings, args.sample, args.seed)

    report = {
        "rules_selected": selected or "all",
        "corpus": {
            "cache": str(cache),
            "packages": [{"name": p.name, "version": p.version, "mode": p.mode,
                          "files": dict(files_by_package[p.name])} for p in packages],
            "files": len(results),
            "files_by_class": dict(files_by_class),
            "unparsable": unparsable,
            "crashed": crashed,
        },
        "classification": CLASS_RULES_DOC,
        "timing": {"wall_seconds": round(wall, 2), "check_seconds_sum": round(cpu, 2),
                   "jobs": args.jobs,
                   "slowest": [{"path": p, "seconds": round(s, 3)}
                               for s, p in sorted(slowest, reverse=True)[:10]]},
        "counts": counts,
        "samples": {code: [f"{f['path']}:{f['line']}:{f['col'] + 1}" for f in items]
                    for code, items in samples.items()},
        "findings": findings,
    }
    args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")

    # --- human summary ---
    print(f"corpus: {len(results)} .py files in {len(packages)} packages "
          f"({', '.join(f'{files_by_class[c]} {c}' for c in CLASSES)}); "
          f"{len(unparsable)} unparsable (skipped), {len(crashed)} crashed")
    print(f"time: {wall:.1f}s wall with {args.jobs} job(s), {cpu:.1f}s in check_source "
          f"({1000 * cpu / max(1, len(results)):.2f} ms/file)")
    print(f"\n{'rule':<8} {'app':>6} {'intern':>7} {'tests':>6} {'total':>6}")
    for code in sorted(counts):
        row = counts[code]
        print(f"{code:<8} {row['app']:>6} {row['internals']:>7} {row['tests']:>6} "
              f"{sum(row.values()):>6}")
    total = Counter()
    for row in counts.values():
        total.update(row)
    print(f"{'all':<8} {total['app']:>6} {total['internals']:>7} {total['tests']:>6} "
          f"{sum(total.values()):>6}")
    if crashed:
        print("\ncrashed (check_source raised, a bug):")
        for c in crashed[:20]:
            print(f"  {c['path']}: {c['error']}")
    if args.sample:
        for code, items in samples.items():
            print(f"\n== {code} {fw.RULES[code].symbol} (sample of {len(items)}) ==")
            for f in items:
                print(f"  [{f['class']}] {f['path']}:{f['line']}:{f['col'] + 1}")
                print(f"      {f['source']}")
                print(f"      -> {f['message']}")
    print(f"\nJSON report: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
