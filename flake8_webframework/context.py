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

    # -- node index -------------------------------------------------------------------------

    def nodes(self, node_type: type) -> list[tuple[ast.AST, Scope]]:
        return self.model.index.get(node_type, [])

    def calls(self) -> list[tuple[ast.Call, Scope]]:
        return self.model.index.get(ast.Call, [])

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
