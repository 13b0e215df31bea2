#!/usr/bin/env python3
"""The long fuzz run: the properties of tests/test_reliability.py with many more examples,
and the core over every file of the installed Python (or any directories).

Each property is the one the test suite runs (same strategies and in-process harnesses from
tests/strategies.py): nothing escapes ``check_source``, the flake8 adapter or the pylint
adapter, no WEB000 appears, and the three report the same ``(line, col, code)``.

Usage (from the repository root, in an environment with the ``test`` extra)::

    python benchmarks/fuzz.py                         # 2,000 grammar, 1,000 node, 3,000 framework programs
    python benchmarks/fuzz.py --grammar 20000 --node 5000 --framework 20000 --seed 7
    python benchmarks/fuzz.py --only framework --framework 50000
    python benchmarks/fuzz.py --stdlib                # every .py of the stdlib and site-packages
    python benchmarks/fuzz.py --stdlib --jobs 2
    python benchmarks/fuzz.py --paths ~/.cache/flake8-webframework/corpus/src

Exits 1 if any property fails or any file makes the core fail; prints each failure
(hypothesis prints the shrunk falsifying example, ready to paste into a test).
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import time
import traceback
import warnings
from concurrent.futures import ProcessPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))

import hypothesmith  # noqa: E402
from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import strategies as S  # noqa: E402

warnings.filterwarnings("ignore", category=SyntaxWarning)  # of generated programs


class Stats:
    def __init__(self) -> None:
        self.examples = 0
        self.astroid_refused = 0
        self.python_refused = 0
        self.codes: collections.Counter[str] = collections.Counter()


def check_all_three(source: str, filename: str, harness: S.PylintHarness, stats: Stats) -> None:
    import ast

    from flake8_webframework import UnparsableSourceError, check_source

    stats.examples += 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            stats.python_refused += 1
            try:
                check_source(source, filename)
            except UnparsableSourceError:
                return
            raise AssertionError("check_source accepted source Python refuses") from None
    core = S.core_findings(source, filename)
    assert not [k for k in core if k[2] == S.FAILURE_CODE], f"check_source: WEB000 {core}"
    flake8 = S.flake8_findings(source, filename)
    assert flake8 == core, f"flake8 adapter {flake8} != core {core}"
    pylint = harness.findings(source, filename) if S.utf8_encodable(source) else None
    if pylint is None:
        stats.astroid_refused += 1
    else:
        assert pylint == flake8, f"pylint adapter {pylint} != flake8 adapter {flake8}"
    stats.codes.update(code for _, _, code in core)


def run_property(name: str, strategy, examples: int, random_seed: int, harness) -> bool:
    stats = Stats()
    fuzz = settings(
        max_examples=examples,
        deadline=None,
        database=None,
        print_blob=True,
        suppress_health_check=list(HealthCheck),
    )

    @seed(random_seed)
    @fuzz
    @given(case=strategy)
    def prop(case) -> None:
        source, filename = case
        check_all_three(source, filename, harness, stats)

    started = time.perf_counter()
    ok = True
    try:
        prop()
    except Exception:  # noqa: BLE001 - report and go on with the next property
        traceback.print_exc()
        ok = False
    elapsed = time.perf_counter() - started
    print(
        f"{name}: {stats.examples} programs in {elapsed:.1f} s "
        f"({'ok' if ok else 'FAILED'}; Python refused {stats.python_refused}, "
        f"astroid refused {stats.astroid_refused})"
    )
    if stats.codes:
        print("  findings: " + ", ".join(f"{c} {n}" for c, n in sorted(stats.codes.items())))
    return ok


def _check(path: str) -> tuple[str, str | None, float]:
    started = time.perf_counter()
    return path, S.check_file(path), time.perf_counter() - started


def run_files(paths: list[str], jobs: int) -> bool:
    started = time.perf_counter()
    failures: list[tuple[str, str]] = []
    slowest: list[tuple[float, str]] = []
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as pool:
            results = list(pool.map(_check, paths, chunksize=32))
    else:
        results = [_check(path) for path in paths]
    for path, problem, seconds in results:
        slowest.append((seconds, path))
        if problem is not None:
            failures.append((path, problem))
    elapsed = time.perf_counter() - started
    print(f"files: {len(paths)} in {elapsed:.1f} s ({1000 * elapsed / max(len(paths), 1):.1f} ms a file"
          f"{f' with {jobs} processes' if jobs > 1 else ''}); {len(failures)} failures")
    for seconds, path in sorted(slowest, reverse=True)[:5]:
        print(f"  slowest: {seconds:.2f} s {path}")
    for path, problem in failures:
        print(f"FAILED {path}: {problem}")
    return not failures


def files_under(directories: list[str]) -> list[str]:
    found = []
    for top in directories:
        for directory, dirs, files in os.walk(os.path.expanduser(top)):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            found += [os.path.join(directory, f) for f in sorted(files) if f.endswith(".py")]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grammar", type=int, default=2000, help="hypothesmith.from_grammar() programs")
    parser.add_argument("--node", type=int, default=1000, help="hypothesmith.from_node() programs")
    parser.add_argument("--framework", type=int, default=3000, help="framework-aware programs")
    parser.add_argument("--only", choices=["grammar", "node", "framework"], action="append",
                        help="run only these properties (repeatable)")
    parser.add_argument("--seed", type=int, default=0, help="hypothesis seed (default 0)")
    parser.add_argument("--stdlib", action="store_true",
                        help="also run the core over every .py of the stdlib and site-packages")
    parser.add_argument("--paths", nargs="*", default=[], help="also run the core over these directories")
    parser.add_argument("--jobs", type=int, default=1, help="processes for the file runs")
    args = parser.parse_args(argv)

    print(f"Python {sys.version.split()[0]}, seed {args.seed}")
    ok = True
    properties = {
        "grammar": (st.tuples(hypothesmith.from_grammar(), st.sampled_from(S.FILENAMES)), args.grammar),
        "node": (st.tuples(hypothesmith.from_node(), st.sampled_from(S.FILENAMES)), args.node),
        "framework": (S.framework_modules().map(lambda m: (m.source, m.filename)), args.framework),
    }
    wanted = args.only or ([] if (args.stdlib or args.paths) and argv_only_files(argv) else list(properties))
    harness = S.PylintHarness() if wanted else None
    for name in wanted:
        strategy, examples = properties[name]
        if examples > 0:
            ok &= run_property(name, strategy, examples, args.seed, harness)
    if args.stdlib:
        files = [path for _, path in S.installed_python_files()]
        print(f"stdlib + site-packages: {len(files)} files")
        ok &= run_files(files, args.jobs)
    if args.paths:
        ok &= run_files(files_under(args.paths), args.jobs)
    return 0 if ok else 1


def argv_only_files(argv: list[str] | None) -> bool:
    """``--stdlib``/``--paths`` alone run only the file checks (no property named)."""
    given_args = sys.argv[1:] if argv is None else argv
    return not any(a.split("=")[0] in ("--grammar", "--node", "--framework") for a in given_args)


if __name__ == "__main__":
    sys.exit(main())
