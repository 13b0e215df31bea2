"""The user's other modules (RULES.md "Project modules"): found from a file's path, read and
parsed from disk only when a question needs them, summarised, and never imported or run.

* **Where a file sits.** Its package is found by walking up the folders that hold an
  ``__init__.py``; the project root is the nearest folder above holding ``manage.py``,
  ``pyproject.toml``, ``setup.cfg``, ``setup.py`` or ``.git`` (or one of the
  ``webframework-project-roots``). Import roots: the folder above the top package, the
  project root, its ``src/``, and the configured roots.
* **What is read.** A module this file imports from its own project (relative imports, its
  top-level package, a package under an import root) and, for a settings module, the
  sibling modules of its settings package that star-import it. Nothing under
  ``site-packages``/``dist-packages``; nothing bigger than :data:`MAX_MODULE_BYTES`.
* **What is kept.** A :class:`ModuleSummary` per module - constants, re-exported names,
  what each top-level function returns (one verdict per policy of the value-provenance
  engine, with the parameters it depends on), settings and their findings - built once per
  process and cached by path, modification time and size. The module's tree is dropped as
  soon as its summary is made.
* **Bounds.** At most :data:`MAX_MODULES_PER_FILE` modules and :data:`MAX_BYTES_PER_FILE`
  bytes are read for one linted file, import chains are followed :data:`MAX_DEPTH` deep;
  a cycle, a missing, unreadable, too large or unparsable module is of unknown value -
  never an error.

The summary of a module is made by a *summariser* that the core installs
(:func:`set_summariser`): it runs the core's own analysis over the module, so that this
module imports nothing above the engine.
"""

from __future__ import annotations

import ast
import os
import threading
from dataclasses import dataclass, field

MAX_MODULE_BYTES = 1_000_000
MAX_MODULES_PER_FILE = 32
MAX_BYTES_PER_FILE = 4_000_000
MAX_DEPTH = 4
ROOT_MARKERS = ("manage.py", "pyproject.toml", "setup.cfg", "setup.py", ".git")
_FOREIGN = ("site-packages", "dist-packages")


@dataclass(frozen=True)
class Location:
    """Where a module file sits: its dotted name and the folder its top package is in."""

    path: str  # absolute, normalised
    module: str  # dotted name ("mysite.settings.prod"); the file's stem outside packages
    package: str  # dotted package ("mysite.settings"), "" for a top-level module
    top_folder: str  # the folder holding the top package (or the module)


@dataclass
class FunctionSummary:
    """What a function of another module returns: per policy name, ``(bad, positions)`` -
    bad whatever it is given, or bad if an argument at one of ``positions`` (an int index,
    or a keyword name) is."""

    params: tuple[str, ...]  # positional parameter names, in order
    verdicts: dict[str, tuple[bool, frozenset]] = field(default_factory=dict)
    line: int = 0


@dataclass
class SettingSummary:
    """One module-level setting of a settings module."""

    name: str
    line: int
    #: what the settings rules report on this setting, its own and inherited:
    #: (code, message, path of the defining module, line there)
    findings: tuple[tuple[str, str, str, int], ...] = ()
    augmented: bool = False  # ``+=`` / ``.append()`` / ``.insert()`` rather than rebound
    added: tuple[str, ...] = ()  # the literal strings such an extension adds


@dataclass
class ModuleSummary:
    path: str
    module: str
    #: module-level names bound to one literal: name -> (concrete value or None, line)
    constants: dict[str, tuple[object, int]] = field(default_factory=dict)
    #: names the module binds by import: name -> absolute qualified name
    imports: dict[str, str] = field(default_factory=dict)
    star_imports: tuple[str, ...] = ()  # absolute module names
    functions: dict[str, FunctionSummary] = field(default_factory=dict)
    is_settings: bool = False
    settings: dict[str, SettingSummary] = field(default_factory=dict)
    #: config classes: name -> (absolute base names, {attribute: SettingSummary})
    classes: dict[str, tuple[tuple[str, ...], dict[str, SettingSummary]]] = field(
        default_factory=dict
    )


_SUMMARISER = None


def set_summariser(summariser) -> None:
    """``summariser(path, source_bytes, project) -> ModuleSummary | None`` (the core's)."""
    global _SUMMARISER
    _SUMMARISER = summariser


class ProjectIndex:
    """The per-process cache of module summaries (one per flake8/pylint worker process)."""

    def __init__(self) -> None:
        #: path -> ((mtime, size, options), summary)
        self._summaries: dict[str, tuple[tuple, ModuleSummary | None]] = {}
        self._in_progress: set[str] = set()
        self._files: dict[tuple, str | None] = {}
        self._lock = threading.RLock()
        #: how many modules were parsed in this process (tests: nothing is parsed twice)
        self.parsed = 0

    def summary(self, path: str, project: FileProject) -> ModuleSummary | None:
        try:
            stat = os.stat(path)
        except OSError:
            return None
        key = (stat.st_mtime_ns, stat.st_size, project.options)
        with self._lock:
            cached = self._summaries.get(path)
            if cached is not None and cached[0] == key:
                return cached[1]
            if path in self._in_progress:
                return None  # an import cycle: unknown
            if stat.st_size > MAX_MODULE_BYTES or not project.take(stat.st_size):
                return None
            self._in_progress.add(path)
        try:
            summary = self._make(path, project)
        finally:
            with self._lock:
                self._in_progress.discard(path)
        with self._lock:
            self._summaries[path] = (key, summary)
        return summary

    def _make(self, path: str, project: FileProject) -> ModuleSummary | None:
        if _SUMMARISER is None:
            return None
        try:
            with open(path, "rb") as handle:
                source = handle.read(MAX_MODULE_BYTES + 1)
        except OSError:
            return None
        if len(source) > MAX_MODULE_BYTES:
            return None
        self.parsed += 1
        try:
            return _SUMMARISER(path, source, project.for_module(path))
        except (Exception, RecursionError, MemoryError):  # noqa: BLE001 - unknown, never an error
            return None

    def module_file(self, root: str, parts: list[str]) -> str | None:
        """``root/a/b.py`` or ``root/a/b/__init__.py`` (memoised per process: one lint
        run sees one tree)."""
        key = (root, tuple(parts))
        found = self._files.get(key, False)
        if found is False:
            found = None
            base = os.path.join(root, *parts)
            for candidate in (base + ".py", os.path.join(base, "__init__.py")):
                if os.path.isfile(candidate):
                    found = _normal(candidate)
                    break
            with self._lock:
                self._files[key] = found
        return found

    def clear(self) -> None:
        with self._lock:
            self._summaries.clear()
            self._files.clear()
            self.parsed = 0


INDEX = ProjectIndex()


def _normal(path: str) -> str:
    return os.path.normcase(os.path.abspath(path))


def locate(path: str) -> Location:
    """The dotted module name of a file from the ``__init__.py`` folders above it."""
    path = _normal(path)
    folder, name = os.path.split(path)
    stem = name[:-3] if name.endswith(".py") else name
    parts = [] if stem == "__init__" else [stem]
    package_parts: list[str] = []
    for _ in range(32):
        if not os.path.isfile(os.path.join(folder, "__init__.py")):
            break
        folder, package = os.path.split(folder)
        if not package.isidentifier():
            break
        package_parts.insert(0, package)
    module_parts = package_parts + parts
    return Location(path, ".".join(module_parts), ".".join(package_parts), folder)


def project_root(path: str, roots: tuple[str, ...] = ()) -> str | None:
    """The project root above ``path``: a configured root holding it, else the nearest
    folder holding one of :data:`ROOT_MARKERS`."""
    path = _normal(path)
    for root in roots:
        root = _normal(root)
        if path.startswith(root.rstrip(os.sep) + os.sep):
            return root
    folder = os.path.dirname(path)
    for _ in range(64):
        if any(os.path.exists(os.path.join(folder, marker)) for marker in ROOT_MARKERS):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent
    return None


class FileProject:
    """The project as seen from one linted file: import resolution and budgets."""

    def __init__(self, filename: str, options=None, index: ProjectIndex = INDEX,
                 depth: int = 0, budget: list | None = None, origin: str | None = None) -> None:
        from .options import DEFAULT_OPTIONS

        self.index = index
        self.options = options if options is not None else DEFAULT_OPTIONS
        self.roots = self.options.project_roots
        self.depth = depth
        #: [modules left, bytes left], shared by every module read for this linted file
        self.budget = budget if budget is not None else [MAX_MODULES_PER_FILE, MAX_BYTES_PER_FILE]
        self.usable = bool(filename) and not filename.startswith("<") and filename != "stdin"
        self._filename = filename
        self._location: Location | None = None
        #: the linted file: never read from disk (its own tree answers, also in stdin mode)
        self.origin = origin if origin is not None else (
            _normal(filename) if self.usable else None
        )
        self._import_roots: list[str] | None = None
        self._summaries: dict[str, ModuleSummary | None] = {}

    @property
    def location(self) -> Location | None:
        """Where the file sits (found on first use: it looks at the folders above)."""
        if self._location is None and self.usable:
            self._location = locate(self._filename)
        return self._location

    def for_module(self, path: str) -> FileProject:
        """The view from a module read on this file's behalf (one level deeper)."""
        return FileProject(path, self.options, self.index, self.depth + 1, self.budget,
                           self.origin)

    def take(self, size: int) -> bool:
        """Spend the budget for reading one more module of ``size`` bytes."""
        if self.budget[0] <= 0 or self.budget[1] < size:
            return False
        self.budget[0] -= 1
        self.budget[1] -= size
        return True

    # -- resolving module names ---------------------------------------------------------

    def import_roots(self) -> list[str]:
        if self._import_roots is None:
            roots: list[str] = []
            if self.location is not None:
                roots.append(self.location.top_folder)
                root = project_root(self.location.path, self.roots)
                if root is not None:
                    roots.extend((root, os.path.join(root, "src")))
            roots.extend(_normal(root) for root in self.roots)
            seen: list[str] = []
            for root in roots:
                if root not in seen and not any(part in root for part in _FOREIGN):
                    seen.append(root)
            self._import_roots = seen
        return self._import_roots

    def absolute(self, module: str) -> str | None:
        """``.base`` / ``..utils.html`` relative to this file's package, made absolute."""
        if not module.startswith("."):
            return module
        if self.location is None:
            return None
        level = len(module) - len(module.lstrip("."))
        rest = module[level:]
        package = self.location.package.split(".") if self.location.package else []
        if level - 1 > len(package):
            return None
        base = package[: len(package) - (level - 1)]
        parts = base + ([rest] if rest else [])
        return ".".join(part for part in parts if part) or None

    def module_path(self, module: str) -> str | None:
        """The file of a module of this project (absolute dotted name), if there is one."""
        parts = module.split(".")
        if not all(part.isidentifier() for part in parts):
            return None
        for root in self.import_roots():
            path = self.index.module_file(root, parts)
            if path is not None:
                if path == self.origin or (
                    self.location is not None and path == self.location.path
                ):
                    return None  # the linted file or this module itself
                return path
        return None

    def summary_of_module(self, module: str) -> ModuleSummary | None:
        """The summary of a module by (absolute or relative) dotted name."""
        if not self.usable or self.depth >= MAX_DEPTH:
            return None
        absolute = self.absolute(module)
        if absolute is None:
            return None
        if absolute in self._summaries:
            return self._summaries[absolute]
        path = self.module_path(absolute)
        summary = self.index.summary(path, self) if path is not None else None
        self._summaries[absolute] = summary
        return summary

    def resolve(self, qualname: str):
        """``(summary, name)`` for a qualified name that lands in a project module:
        ``.utils.clean`` -> (summary of the package's utils, "clean"); follows re-exports
        (``from .base import *``, ``from .helpers import clean``) a few hops."""
        for _ in range(MAX_DEPTH):
            module, _, name = qualname.rpartition(".")
            if not module or not name:
                return None
            if not module.strip("."):
                return None  # ``from . import x`` used as a value: a module, not a name
            summary = self.summary_of_module(module)
            if summary is None:
                return None
            if name in summary.functions or name in summary.constants or name in summary.classes:
                return summary, name
            target = summary.imports.get(name)
            if target is None:
                for star in summary.star_imports:
                    inner = self.for_module(summary.path).resolve(f"{star}.{name}")
                    if inner is not None:
                        return inner
                return None
            qualname = target
        return None

    def reexported(self, qualname: str) -> str | None:
        """The name a project module re-exports under ``qualname`` when it is not the
        project's own (``from .base import Template`` where base does ``from jinja2 import
        Template`` gives ``jinja2.Template``)."""
        for _ in range(MAX_DEPTH):
            module, _, name = qualname.rpartition(".")
            if not module or not name:
                return None
            summary = self.summary_of_module(module)
            if summary is None:
                return None
            if name in summary.functions or name in summary.constants or name in summary.classes:
                return None  # the project's own
            target = summary.imports.get(name)
            if target is None:
                return None
            if self.summary_of_module(target.rpartition(".")[0] or target) is None and (
                not target.startswith(".")
            ):
                return target
            qualname = target
        return None

    def sibling_settings(self) -> list[str]:
        """Paths of the modules of this file's package that star-import this module (the
        siblings of a settings package that build on it)."""
        if self.location is None or not self.location.package:
            return []
        folder = os.path.dirname(self.location.path)
        stem = os.path.basename(self.location.path)[:-3]
        found = []
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            return []
        for name in names:
            if not name.endswith(".py") or name == os.path.basename(self.location.path):
                continue
            path = os.path.join(folder, name)
            try:
                with open(path, "rb") as handle:
                    head = handle.read(64_000)
            except OSError:
                continue
            if _star_imports_of(head, stem, self.location.module):
                found.append(_normal(path))
        return found


def _star_imports_of(source: bytes, stem: str, module: str) -> bool:
    """A cheap textual test: does this source star-import ``stem`` (relatively) or
    ``module``? The summary confirms it from the tree."""
    text = source.decode("utf-8", "replace")
    needles = (f"from .{stem} import *", f"from {module} import *")
    return any(needle in text for needle in needles)


def dotted(node: ast.ImportFrom) -> str:
    return "." * (node.level or 0) + (node.module or "")
