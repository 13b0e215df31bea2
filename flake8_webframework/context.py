"""What every check of one file shares: the model, the value analysis, settings and lookups."""

from __future__ import annotations

import ast

from .findings import ColumnMap, Finding, make_finding
from .lookups import (
    EnvLookup,
    env_scheme_lookups,
    match_env_lookup,
    may_name_lookup,
    unwrap_lookup,
)
from .names import resolve_qualnames
from .options import Options
from .scopes import ModuleModel, Scope
from .settings import CONFIG_CLASS_SUFFIXES, SETTING_CALL_NAMES, SettingsInfo, SettingSite, collect_setting_sites
from .values import NO_VALUE, ValueAnalysis


def _call_position(entry: tuple[ast.Call, Scope]) -> tuple[int, int]:
    return entry[0].lineno, entry[0].col_offset


_RULE_NAMES: frozenset[str] | None = None


def _names_rules_resolve() -> frozenset[str]:
    """The names some check's sinks and settings are called by (the checks' ``TRIGGERS``):
    only such a name imported relatively is worth following through a re-export."""
    global _RULE_NAMES
    if _RULE_NAMES is None:
        import importlib

        from .registry import CHECK_NAMES

        names: set[str] = set()
        for check in CHECK_NAMES:
            module = importlib.import_module(f".checks.{check}", __package__)
            names.update(getattr(module, "TRIGGERS", ()))
        _RULE_NAMES = frozenset(names)
    return _RULE_NAMES


class FileContext:
    def __init__(
        self, tree: ast.AST, filename: str, lines: list[str] | None, options: Options,
        project=None,
    ) -> None:
        self.tree = tree
        self.filename = filename
        self.options = options
        self.model = ModuleModel(tree)
        self.values = ValueAnalysis(self.model)
        if options.project_index:
            self.values.project_constant = self._project_constant
        self.columns = ColumnMap(lines)
        self.settings = SettingsInfo(self.model, filename, options, self.calls_named)
        if options.project_index:
            self.settings.project_config_base = self.project_config_class
        self._setting_sites: list[SettingSite] | None = None
        self._env_lookups: list[EnvLookup] | None = None
        self._qualnames: dict[int, frozenset[str]] = {}
        self._calls_by_name: dict[str, list[tuple[ast.Call, Scope]]] | None = None
        self._sorted_buckets: set[int] = set()
        self._provenance = None
        self._project = project  # None: made on first use (see ``project``)

    # -- node index -------------------------------------------------------------------------

    def nodes(self, node_type: type) -> list[tuple[ast.AST, Scope]]:
        return self.model.index.get(node_type, [])

    def calls(self) -> list[tuple[ast.Call, Scope]]:
        return self.model.index.get(ast.Call, [])

    def decorators(self) -> list[tuple[ast.expr, Scope]]:
        """Every decorator of a function or class, with the scope it is evaluated in."""
        return [
            (decorator, scope)
            for node_type in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
            for node, scope in self.nodes(node_type)
            for decorator in node.decorator_list
        ]

    def calls_named(self, *names: str) -> list[tuple[ast.Call, Scope]]:
        """The calls whose callee is named one of ``names``: its own last name
        (``render_template_string`` in ``flask.render_template_string(...)``, ``execute`` in
        ``cursor.execute(...)``) or the last part of a qualified name it resolves to (``rts``
        imported ``as`` an alias of ``render_template_string``). In source order.

        The index is built once per file, so a check that knows its sinks' names looks only
        at those calls instead of at every call.
        """
        index = self.call_name_index()
        buckets = [bucket for bucket in map(index.get, names) if bucket]
        if not buckets:
            return []
        if len(buckets) == 1:
            return self._in_source_order(buckets[0])
        found: dict[int, tuple[ast.Call, Scope]] = {}
        for bucket in buckets:
            for entry in bucket:
                found[id(entry[0])] = entry
        return sorted(found.values(), key=_call_position)

    def _in_source_order(
        self, bucket: list[tuple[ast.Call, Scope]]
    ) -> list[tuple[ast.Call, Scope]]:
        """``bucket`` sorted by position, in place, the first time it is asked for (the
        index is built in walk order: most buckets are never asked for)."""
        key = id(bucket)
        if key not in self._sorted_buckets:
            bucket.sort(key=_call_position)
            self._sorted_buckets.add(key)
        return bucket

    def call_name_index(self) -> dict[str, list[tuple[ast.Call, Scope]]]:
        """The index behind :meth:`calls_named`: callee name -> calls (in walk order until
        :meth:`calls_named` sorts a bucket: use :meth:`calls_named` for the calls)."""
        if self._calls_by_name is None:
            self._calls_by_name = self._index_calls_by_name()
        return self._calls_by_name

    def _index_calls_by_name(self) -> dict[str, list[tuple[ast.Call, Scope]]]:
        # Only a Name callee bound somewhere in the file by an import or an alias assignment
        # (``import_names``) can resolve to a qualified name whose last part is not its own
        # name: an Attribute callee's qualified names all end in its ``attr``, and any other
        # Name resolves to ``builtins.NAME``, ``<star import>.NAME`` or nothing. So only
        # those are resolved here; the checks resolve the few calls they are given.
        aliases = self.model.module_scope.import_names
        index: dict[str, list[tuple[ast.Call, Scope]]] = {}
        for entry in self.calls():
            call, scope = entry
            func = call.func
            func_type = type(func)
            if func_type is ast.Name:
                own = func.id
            elif func_type is ast.Attribute:
                own = func.attr
            else:
                continue
            bucket = index.get(own)
            if bucket is None:
                index[own] = [entry]
            else:
                bucket.append(entry)
            if func_type is not ast.Name or own not in aliases:
                continue
            for qualname in self.qualnames(func, scope):
                last = qualname.rpartition(".")[2]
                if last != own:
                    bucket = index.setdefault(last, [])
                    if not bucket or bucket[-1] is not entry:
                        bucket.append(entry)
        return index

    def qualnames(self, expr: ast.AST, scope: Scope) -> frozenset[str]:
        """Qualified names of ``expr`` (memoised: many checks ask about the same callee)."""
        key = id(expr)
        found = self._qualnames.get(key)
        if found is None:
            found = resolve_qualnames(expr, scope)
            if found and self.options.project_index and any(
                name.startswith(".") for name in found
            ):
                found = self._through_reexports(found)
            self._qualnames[key] = found
        return found

    def _through_reexports(self, names: frozenset[str]) -> frozenset[str]:
        """``.base.Template`` where the package's ``base`` imports ``Template`` from jinja2
        is also ``jinja2.Template``."""
        project = self.project
        if project is None:
            return names
        extra = set()
        wanted = _names_rules_resolve()
        for name in names:
            if name.startswith(".") and name.rpartition(".")[2] in wanted:
                target = project.reexported(name)
                if target is not None:
                    extra.add(target)
        return names | extra if extra else names

    # -- shared, lazily computed analyses ------------------------------------------------------

    @property
    def project(self):
        """The project as seen from this file (:class:`project.FileProject`), or ``None``
        when the project index is off or the file has no path (stdin without a name)."""
        if self._project is None:
            from .project import FileProject

            project = FileProject(self.filename, self.options)
            self._project = project if self.options.project_index and project.usable else False
        return self._project or None

    def _project_constant(self, qualname: str):
        """``(value, line)`` of a literal constant defined in a project module. Only
        UPPER_CASE names are looked up (constants by convention): evaluating any other
        imported name does not read another module."""
        if not qualname.rpartition(".")[2].isupper() or qualname.startswith("builtins."):
            return None
        if self.project is None:
            return None
        found = self.project.resolve(qualname)
        if found is None:
            return None
        summary, name = found
        return summary.constants.get(name)

    def project_config_class(self, base: ast.AST, scope: Scope):
        """The summary of a config class of another project module that ``base`` (a class's
        base expression) denotes: ``(module summary, class name)``, else ``None``."""
        if type(base) not in (ast.Name, ast.Attribute) or self.project is None:
            return None
        if not (base.id if type(base) is ast.Name else base.attr).endswith(
            CONFIG_CLASS_SUFFIXES
        ):
            return None  # only a base named like a config class is looked up in its module
        for qualname in self.qualnames(base, scope):
            found = self.project.resolve(qualname)
            if found is not None and found[1] in found[0].classes:
                return found
        return None

    def constant_origin(self, node: ast.AST, scope: Scope):
        """Where a literal constant that ``node`` (an imported name or ``module.NAME``)
        denotes is defined in a project module: ``(shown path, line, name, the codes the
        defining module reports on that name)``, else ``None``."""
        if self.project is None or type(node) not in (ast.Name, ast.Attribute):
            return None
        for qualname in self.qualnames(node, scope):
            found = self.project.resolve(qualname)
            if found is None or found[1] not in found[0].constants:
                continue
            summary, name = found
            setting = summary.settings.get(name)
            codes = frozenset(finding[0] for finding in setting.findings) if setting else frozenset()
            from .summaries import shown_path

            return shown_path(self, summary.path), summary.constants[name][1], name, codes
        return None

    @property
    def provenance(self):
        """The value-provenance engine of this file (see :mod:`provenance`)."""
        if self._provenance is None:
            from .provenance import Provenance

            self._provenance = Provenance(self)
        return self._provenance

    def setting_sites(self) -> list[SettingSite]:
        if self._setting_sites is None:
            self._setting_sites = collect_setting_sites(
                self.model, self.settings, self.calls_named(*SETTING_CALL_NAMES)
            )
        return self._setting_sites

    def env_lookups(self, include_configuration_reads: bool = False) -> list[EnvLookup]:
        """Every environment lookup call in the file, and ``Env(NAME=(cast, default))`` entries.

        Reads of configuration the program already holds (``app.config.get("DEBUG", True)``,
        ``getattr(settings, ...)``) are left out unless asked for: outside an assignment to
        a setting they read a switch rather than set it. (A secret read with a literal
        fallback still signs with that literal, so WEB102 asks for them.)
        """
        if self._env_lookups is None:
            found = []
            # Only calls indexed under a name a lookup can have (see ``may_name_lookup``).
            names = [name for name in self.call_name_index() if may_name_lookup(name)]
            for call, scope in self.calls_named(*names):
                lookup = match_env_lookup(call, scope, self.values)
                if lookup is not None:
                    found.append(lookup)
                else:
                    found.extend(env_scheme_lookups(call, scope))
            self._env_lookups = found
        if include_configuration_reads:
            return self._env_lookups
        return [lookup for lookup in self._env_lookups if not lookup.reads_configuration]

    def setting_value(self, expr: ast.AST, scope: Scope, site) -> tuple[object, object]:
        """A setting's concrete value and where to report it. An environment lookup with a
        literal default counts as that default, reported at the default."""
        unwrapped = unwrap_lookup(expr, scope, self.values)
        if unwrapped is not None:
            lookup = unwrapped[0]
            if lookup.default is None:
                return NO_VALUE, None
            return self.values.literal_value(lookup.default, lookup.scope), lookup.default_site
        return self.values.literal_value(expr, scope), site

    # -- reporting -----------------------------------------------------------------------------

    def finding(self, code: str, node, severity: str | None = None, **fields: object) -> Finding:
        return make_finding(code, node, self.columns, severity, **fields)
