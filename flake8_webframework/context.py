"""What every check of one file shares: the model, the value analysis, settings and lookups."""

from __future__ import annotations

import ast

from .findings import ColumnMap, Finding, make_finding
from .lookups import EnvLookup, env_scheme_lookups, match_env_lookup, unwrap_lookup
from .names import resolve_qualnames
from .options import Options
from .scopes import ModuleModel, Scope
from .settings import SettingsInfo, SettingSite, collect_setting_sites
from .values import NO_VALUE, ValueAnalysis


def _call_position(entry: tuple[ast.Call, Scope]) -> tuple[int, int]:
    return entry[0].lineno, entry[0].col_offset


class FileContext:
    def __init__(
        self, tree: ast.AST, filename: str, lines: list[str] | None, options: Options
    ) -> None:
        self.tree = tree
        self.filename = filename
        self.options = options
        self.model = ModuleModel(tree)
        self.values = ValueAnalysis(self.model)
        self.columns = ColumnMap(lines)
        self.settings = SettingsInfo(self.model, filename, options)
        self._setting_sites: list[SettingSite] | None = None
        self._env_lookups: list[EnvLookup] | None = None
        self._qualnames: dict[int, frozenset[str]] = {}
        self._calls_by_name: dict[str, list[tuple[ast.Call, Scope]]] | None = None

    # -- node index -------------------------------------------------------------------------

    def nodes(self, node_type: type) -> list[tuple[ast.AST, Scope]]:
        return self.model.index.get(node_type, [])

    def calls(self) -> list[tuple[ast.Call, Scope]]:
        return self.model.index.get(ast.Call, [])

    def calls_named(self, *names: str) -> list[tuple[ast.Call, Scope]]:
        """The calls whose callee is named one of ``names``: its own last name
        (``render_template_string`` in ``flask.render_template_string(...)``, ``execute`` in
        ``cursor.execute(...)``) or the last part of a qualified name it resolves to (``rts``
        imported ``as`` an alias of ``render_template_string``). In source order.

        The index is built once per file, so a check that knows its sinks' names looks only
        at those calls instead of at every call.
        """
        if self._calls_by_name is None:
            self._calls_by_name = self._index_calls_by_name()
        index = self._calls_by_name
        if len(names) == 1:
            return index.get(names[0], [])
        found: dict[int, tuple[ast.Call, Scope]] = {}
        for name in names:
            for entry in index.get(name, ()):
                found[id(entry[0])] = entry
        return sorted(found.values(), key=_call_position)

    def _index_calls_by_name(self) -> dict[str, list[tuple[ast.Call, Scope]]]:
        index: dict[str, list[tuple[ast.Call, Scope]]] = {}
        for entry in sorted(self.calls(), key=_call_position):
            call, scope = entry
            func = call.func
            func_type = type(func)
            if func_type is ast.Name:
                own = func.id
            elif func_type is ast.Attribute:
                own = func.attr
            else:
                continue
            index.setdefault(own, []).append(entry)
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
            found = self._qualnames[key] = resolve_qualnames(expr, scope)
        return found

    # -- shared, lazily computed analyses ------------------------------------------------------

    def setting_sites(self) -> list[SettingSite]:
        if self._setting_sites is None:
            self._setting_sites = collect_setting_sites(self.model, self.settings)
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
            for call, scope in self.calls():
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

    def finding(self, code: str, node, **fields: object) -> Finding:
        return make_finding(code, node, self.columns, **fields)
