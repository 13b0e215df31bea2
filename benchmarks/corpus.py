#!/usr/bin/env python3
"""Download and unpack the pinned real-world corpus (benchmarks/corpus-packages.txt).

Stdlib only. Each line of the list is ``name==version mode``; ``mode`` is ``sdist``
(``pip download --no-binary :all:``: source distributions carry example apps, project
templates and tests) or ``wheel`` (``pip download --only-binary :all:``, where the sdist is
unusable). Nothing is ever installed; ``--no-deps`` keeps to the pinned packages only.

Layout of the cache (default ``~/.cache/flake8-webframework/corpus``, or ``--cache DIR``,
or the ``FLAKE8_WEBFRAMEWORK_CORPUS`` environment variable)::

    CACHE/archives/NAME-VERSION/<the downloaded .tar.gz / .zip / .whl>
    CACHE/src/NAME-VERSION/...      unpacked tree; CACHE/src/NAME-VERSION/.complete marks it done

Re-running skips every package whose unpacked tree is complete, so the script is idempotent
and cheap once the cache is warm. Keep the cache outside the repository; never commit it.

Usage::

    python benchmarks/corpus.py                  # download + unpack, print a summary
    python benchmarks/corpus.py --list-files     # every .py path of the corpus, one a line
    python benchmarks/corpus.py --only flask,django --cache /tmp/corpus
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_LIST = HERE / "corpus-packages.txt"
ENV_CACHE = "FLAKE8_WEBFRAMEWORK_CORPUS"
DEFAULT_CACHE = Path("~/.cache/flake8-webframework/corpus")
MARKER = ".complete"
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar", ".zip", ".whl")
# pip's messages when the package index cannot be reached at all.
NETWORK_HINTS = (
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Name or service not known",
    "Network is unreachable",
    "Connection refused",
    "ConnectTimeoutError",
    "ReadTimeoutError",
    "No route to host",
    "ProxyError",
)


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    mode: str  # "sdist" | "wheel"
    lineno: int

    @property
    def key(self) -> str:
        return f"{self.name}-{self.version}"

    @property
    def requirement(self) -> str:
        return f"{self.name}=={self.version}"


class CorpusError(Exception):
    """A failure that ends the run with a clear message."""


def parse_list(path: Path) -> list[Package]:
    packages = []
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2 or "==" not in parts[0] or parts[1] not in ("sdist", "wheel"):
            raise CorpusError(f"{path}:{lineno}: expected 'name==version sdist|wheel', got {raw!r}")
        name, version = parts[0].split("==", 1)
        packages.append(Package(name.strip(), version.strip(), parts[1], lineno))
    return packages


def default_cache() -> Path:
    env = os.environ.get(ENV_CACHE)
    return Path(env).expanduser() if env else DEFAULT_CACHE.expanduser()


def src_root(cache: Path) -> Path:
    return cache / "src"


def is_archive(path: Path) -> bool:
    return path.name.lower().endswith(ARCHIVE_SUFFIXES)


def pip_download(package: Package, dest: Path, timeout: float) -> Path:
    """Run ``pip download`` for one pinned package into ``dest``; return the archive path."""
    dest.mkdir(parents=True, exist_ok=True)
    existing = sorted(p for p in dest.iterdir() if is_archive(p))
    if existing:
        return existing[0]
    # sdist: only the pinned package itself must come as source. ``--no-binary :all:`` would
    # also reach pip's isolated build environment (pip prepares an sdist's metadata even
    # for ``download``), forcing build backends such as maturin (sqladmin, weblate) to be
    # compiled from source, which needs a Rust toolchain and fails without one.
    if package.mode == "sdist":
        binary = ["--no-binary", package.name]
    else:
        binary = ["--only-binary", ":all:"]
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", *binary,
        "--disable-pip-version-check", "--no-input", "--progress-bar", "off",
        "--dest", str(dest), package.requirement,
    ]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise CorpusError(
            f"{package.requirement}: pip download timed out after {timeout:.0f}s"
        ) from exc
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        if any(hint in output for hint in NETWORK_HINTS):
            raise CorpusError(
                f"{package.requirement}: the package index cannot be reached (no network?). "
                "The corpus needs a network connection for its first download; later runs "
                "use the cache.\n--- pip said ---\n" + tail(output)
            )
        raise CorpusError(
            f"{package.requirement} ({package.mode}): pip download failed "
            f"(exit {proc.returncode}).\n--- pip said ---\n" + tail(output)
        )
    archives = sorted(p for p in dest.iterdir() if is_archive(p))
    if not archives:
        raise CorpusError(
            f"{package.requirement}: pip download succeeded but left no archive in {dest}"
        )
    if len(archives) > 1:
        # --no-deps should leave exactly one file; keep the one named after the package.
        norm = package.name.lower().replace("-", "_")
        named = [a for a in archives if a.name.lower().replace("-", "_").startswith(norm)]
        archives = named or archives
    return archives[0]


def tail(text: str, lines: int = 25) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _safe_target(root: Path, member: str) -> Path | None:
    """Where ``member`` unpacks under ``root``, or None if it would escape it."""
    target = (root / member).resolve()
    if target == root or root in target.parents:
        return target
    return None


def unpack(archive: Path, dest: Path) -> None:
    """Unpack ``archive`` into ``dest`` (made afresh); only regular files and folders."""
    tmp = dest.with_name(dest.name + ".partial")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    root = tmp.resolve()
    name = archive.name.lower()
    if name.endswith((".zip", ".whl")):
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                target = _safe_target(root, info.filename)
                if target is None or info.is_dir():
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(target, "wb") as out:
                    shutil.copyfileobj(src, out)
    else:
        with tarfile.open(archive) as tf:
            for member in tf.getmembers():
                if not member.isfile():
                    continue  # no links, devices or fifos from an archive
                target = _safe_target(root, member.name)
                if target is None:
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                src = tf.extractfile(member)
                if src is None:
                    continue
                with src, open(target, "wb") as out:
                    shutil.copyfileobj(src, out)
    (tmp / MARKER).write_text(archive.name + "\n", encoding="utf-8")
    if dest.exists():
        shutil.rmtree(dest)
    tmp.rename(dest)


def py_files(tree: Path) -> list[Path]:
    out = []
    for dirpath, dirnames, filenames in os.walk(tree):
        dirnames.sort()
        for filename in sorted(filenames):
            if filename.endswith(".py"):
                out.append(Path(dirpath) / filename)
    return out


def ensure(
    packages: list[Package], cache: Path, timeout: float, keep_going: bool
) -> tuple[list, list]:
    """Download and unpack every package; return (rows of done packages, failures)."""
    rows, failures = [], []
    for i, package in enumerate(packages, 1):
        tree = src_root(cache) / package.key
        status = "cached"
        if not (tree / MARKER).is_file():
            started = time.monotonic()
            try:
                archive = pip_download(package, cache / "archives" / package.key, timeout)
                unpack(archive, tree)
            except (CorpusError, OSError, tarfile.TarError, zipfile.BadZipFile) as exc:
                failures.append((package, str(exc)))
                print(f"[{i}/{len(packages)}] {package.requirement} {package.mode}: FAILED",
                      file=sys.stderr)
                if not keep_going:
                    break
                continue
            status = f"downloaded+unpacked in {time.monotonic() - started:.1f}s"
        count = len(py_files(tree))
        rows.append((package, count, status))
        print(f"[{i}/{len(packages)}] {package.requirement} {package.mode}: "
              f"{count} .py files ({status})",
              file=sys.stderr)
    return rows, failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=None,
                        help=f"cache folder (default: ${ENV_CACHE} or {DEFAULT_CACHE})")
    parser.add_argument("--packages", type=Path, default=DEFAULT_LIST,
                        help="the pinned list (default: benchmarks/corpus-packages.txt)")
    parser.add_argument("--only", default="",
                        help="comma-separated package names to restrict to")
    parser.add_argument("--list-files", action="store_true",
                        help="print every .py path of the (already downloaded) corpus and exit")
    parser.add_argument("--timeout", type=float, default=900.0,
                        help="seconds allowed for one pip download (default 900)")
    parser.add_argument("--keep-going", action="store_true",
                        help="try every package even after a failure (still exits non-zero)")
    args = parser.parse_args(argv)

    try:
        packages = parse_list(args.packages)
    except (CorpusError, OSError) as exc:
        print(f"corpus: {exc}", file=sys.stderr)
        return 2
    if args.only:
        wanted = {n.strip().lower() for n in args.only.split(",") if n.strip()}
        unknown = wanted - {p.name.lower() for p in packages}
        if unknown:
            print(f"corpus: not in {args.packages}: {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        packages = [p for p in packages if p.name.lower() in wanted]
    cache = (args.cache.expanduser() if args.cache else default_cache()).resolve()
    repo = HERE.parent.resolve()
    if cache == repo or repo in cache.parents:
        print(f"corpus: the cache {cache} is inside the repository; choose a folder outside it",
              file=sys.stderr)
        return 2

    if args.list_files:
        missing = [p for p in packages if not (src_root(cache) / p.key / MARKER).is_file()]
        if missing:
            print(f"corpus: not downloaded yet into {cache}: "
                  f"{', '.join(p.requirement for p in missing)}; run benchmarks/corpus.py first",
                  file=sys.stderr)
            return 1
        for p in packages:
            for path in py_files(src_root(cache) / p.key):
                print(path)
        return 0

    started = time.monotonic()
    print(f"corpus cache: {cache}", file=sys.stderr)
    rows, failures = ensure(packages, cache, args.timeout, args.keep_going)
    total = sum(count for _, count, _ in rows)
    print(f"\n{'package':<34} {'mode':<6} {'.py files':>9}")
    for package, count, _ in rows:
        print(f"{package.requirement:<34} {package.mode:<6} {count:>9}")
    print(f"{len(rows)}/{len(packages)} packages, {total} .py files, in {cache / 'src'} "
          f"({time.monotonic() - started:.1f}s)")
    if failures:
        print(f"\ncorpus: {len(failures)} package(s) could not be downloaded:", file=sys.stderr)
        for package, message in failures:
            print(f"- {message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
