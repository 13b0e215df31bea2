"""Module summaries for the project index, and settings judged across modules.

:func:`summarise` turns one of the user's other modules into a :class:`project.ModuleSummary`
with the core's own analysis: its constants and imports, what each top-level function
returns (one verdict per summarised policy of the value-provenance engine), and - for a
settings module - its settings with the findings the settings rules give them there,
inherited ones included.

:func:`settings_across_modules` applies RULES.md "Project modules" to the linted file:

* a production-like settings module that star-imports a project settings module gets, at
  its star import, each finding of that module's settings that it does not override
  (``DEBUG = True inherited from mysite/settings/base.py:12``);
* a settings module's own finding on a setting is dropped when at least one
  production-like sibling star-imports it and every such sibling overrides the setting
  with a safe value (its own value gives that rule no finding).

Development-like modules (``dev*``, ``develop*``, ``local*``, ``test*``, ``ci*``,
``example*``, ``sample*``, or matching the dev-files patterns) inherit nothing and do not
count as overriding siblings. A list setting extended in the child (``MIDDLEWARE += [...]``,
``MIDDLEWARE.insert(0, ...)``) keeps what it inherits unless its additions hold the remedy
of the rule (each check's ``LIST_REMEDIES``).
"""

from __future__ import annotations

import ast
import os

from .context import FileContext
from .findings import SEVERITY_MARK, SEVERITIES, Finding, split_source_lines
from .project import FileProject, FunctionSummary, ModuleSummary, SettingSummary, set_summariser
from .provenance import SUMMARISED, Flow, Op
from .scopes import ASSIGN, AUGASSIGN, DECLARE, DEF, IMPORT, MODULE
from .values import LITERAL, NO_VALUE

_LIST_REMEDIES: dict[str, tuple[str, ...]] | None = None


def list_remedies() -> dict[str, tuple[str, ...]]:
    """code -> what an addition to an inherited list setting must hold to resolve that
    rule's finding, from the checks' own ``LIST_REMEDIES`` tables."""
    global _LIST_REMEDIES
    if _LIST_REMEDIES is None:
        import importlib

        from .registry import CHECK_NAMES

        found: dict[str, tuple[str, ...]] = {}
        for name in CHECK_NAMES:
            module = importlib.import_module(f".checks.{name}", __package__)
            found.update(getattr(module, "LIST_REMEDIES", {}))
        _LIST_REMEDIES = found
    return _LIST_REMEDIES
DEVELOPMENT_PREFIXES = ("dev", "develop", "local", "test", "ci", "example", "sample")
#: Concrete values kept in a summary: small, flat literals.
_MAX_ITEMS = 200
_MAX_TEXT = 2_000
_MAX_FUNCTIONS = 256
_LIST_METHODS = ("append", "insert", "extend")

_RUN_CHECKS = None


def install_summariser(run_checks) -> None:
    """The core hands over its check runner; summaries of settings modules use it."""
    global _RUN_CHECKS
    _RUN_CHECKS = run_checks
    set_summariser(summarise)


# -- summaries ----------------------------------------------------------------------------


def summarise(path: str, source: bytes, project: FileProject) -> ModuleSummary | None:
    from .core import _parser_headroom, decode_source

    try:
        text = decode_source(source)
        with _parser_headroom():
            tree = ast.parse(text, filename=path)
    except (SyntaxError, ValueError, UnicodeDecodeError, LookupError, RecursionError,
            MemoryError):
        return None
    ctx = FileContext(tree, path, split_source_lines(text), project.options, project=project)
    location = project.location
    summary = ModuleSummary(path, location.module if location else "")
    module = ctx.model.module_scope
    for name, bindings in module.bindings.items():
        values = [binding for binding in bindings if binding.kind != DECLARE]
        if not values:
            continue
        kinds = {binding.kind for binding in values}
        if kinds == {IMPORT} and len(values) == 1:
            qualname = values[0].qualname
            absolute = project.absolute(qualname) if qualname.startswith(".") else qualname
            if absolute:
                summary.imports[name] = absolute
        elif kinds <= {ASSIGN, AUGASSIGN}:
            verdicts = [ctx.values.evaluate(b.value, b.scope) for b in values]
            if all(verdict.kind == LITERAL for verdict in verdicts):
                value = verdicts[0].value if len(values) == 1 else NO_VALUE
                summary.constants[name] = (_plain(value), values[0].node.lineno)
        elif kinds == {DEF} and len(values) == 1 and len(summary.functions) < _MAX_FUNCTIONS:
            function = values[0].node
            if type(function) in (ast.FunctionDef, ast.AsyncFunctionDef):
                summary.functions[name] = _function_summary(ctx, function, values[0].scope)
    summary.star_imports = tuple(
        filter(None, (project.absolute(star) for star in module.star_imports))
    )
    config_classes = ctx.settings.config_classes()
    is_settings = _settings_named(ctx)
    if (is_settings or config_classes) and _RUN_CHECKS is not None:
        findings, core_failed = _RUN_CHECKS(ctx)
        if not core_failed:
            if is_settings:
                summary.is_settings = True
                summary.settings = _effective_settings(ctx, findings)
            summary.classes = _class_summaries(ctx, findings)
    return summary


def _class_summaries(ctx: FileContext, findings: list[Finding]):
    """Config classes at module level: name -> (absolute base names, {attribute:
    SettingSummary}) with their own and inherited findings."""
    project = ctx.project
    config = ctx.settings.config_classes()
    by_attribute = _findings_by_class_attribute(ctx, findings)
    classes = {}
    for node, scope in ctx.nodes(ast.ClassDef):
        if scope.kind != MODULE or id(node) not in config:
            continue
        bases = []
        for base in node.bases:
            for qualname in ctx.qualnames(base, scope):
                bases.append(project.absolute(qualname) if qualname.startswith(".") else qualname)
            if type(base) is ast.Name and not ctx.qualnames(base, scope):
                module = project.location.module if project.location else ""
                bases.append(f"{module}.{base.id}" if module else base.id)
        attributes = {
            name: SettingSummary(name, line, tuple(found))
            for name, (line, found) in by_attribute.get(id(node), {}).items()
        }
        for _base, inherited, origin in _inherited_class_attributes(ctx, node, scope):
            for name, setting in inherited.items():
                if name in attributes or not setting.findings:
                    continue
                attributes[name] = SettingSummary(name, setting.line, setting.findings)
        classes[node.name] = (tuple(bases), attributes)
    return classes


def _findings_by_class_attribute(ctx: FileContext, findings: list[Finding]):
    """id(ClassDef) -> {attribute: (line, [(code, message, path, line)])} for the config
    classes' attributes, including the ones the settings rules report nothing on."""
    spans = []
    found: dict[int, dict[str, tuple[int, list]]] = {}
    for site in ctx.setting_sites():
        if site.form != "class":
            continue
        class_node = site.scope.node
        value = site.value
        entries = found.setdefault(id(class_node), {})
        entries.setdefault(site.name, (value.lineno, []))
        spans.append((value.lineno, value.end_lineno or value.lineno, id(class_node), site.name))
    for finding in findings:
        if finding.code == "WEB000":
            continue
        for start, end, class_id, name in spans:
            if start <= finding.line <= end:
                found[class_id][name][1].append(
                    (finding.code, finding.message, ctx.filename, finding.line))
                break
    return found


def _inherited_class_attributes(ctx: FileContext, node: ast.ClassDef, scope):
    """(base expression, {attribute: SettingSummary}, module path) of each base of a class
    that is a config class of another project module."""
    found = []
    for base in node.bases:
        resolved = ctx.project_config_class(base, scope)
        if resolved is None:
            continue
        summary, name = resolved
        _bases, attributes = summary.classes[name]
        found.append((base, attributes, summary.path))
    return found


def _plain(value):
    """A concrete value worth keeping: a small str/bytes/number/bool/None, or a short flat
    list/tuple of those; else ``None`` (a literal of unknown content)."""
    if value is NO_VALUE:
        return None
    if type(value) in (list, tuple):
        if len(value) > _MAX_ITEMS:
            return None
        items = []
        for item in value:
            if type(item) in (list, tuple, dict, set, frozenset):
                return None
            plain = _plain(item)
            if plain is None and item is not None:
                return None
            items.append(plain)
        return tuple(items)
    if type(value) in (str, bytes):
        return value if len(value) <= _MAX_TEXT else None
    if type(value) is int:
        return value if -(10**18) <= value <= 10**18 else None
    if type(value) in (float, bool) or value is None:
        return value
    return None


def _function_summary(ctx: FileContext, function, outer_scope) -> FunctionSummary:
    args = function.args
    positional = list(args.posonlyargs) + list(args.args)
    index = {id(arg): position for position, arg in enumerate(positional)}
    index.update({id(arg): arg.arg for arg in args.kwonlyargs})
    summary = FunctionSummary(tuple(arg.arg for arg in positional), line=function.lineno)
    engine = ctx.provenance
    returns = engine._returns_flow(None, outer_scope, [function], bound=False)
    for name, policy in SUMMARISED.items():
        verdict = engine.ask(policy, returns, outer_scope)
        if engine.exhausted:
            break  # unknown: no verdicts (the policies judge such calls as any other)
        if verdict.bad:
            summary.verdicts[name] = (True, frozenset())
        else:
            positions = frozenset(index[param] for param in verdict.params if param in index)
            summary.verdicts[name] = (False, positions)
    return summary


# -- settings of one module ----------------------------------------------------------------


def _module_settings(ctx: FileContext):
    """Setting name -> (line, augmented, added strings) for the module-level settings."""
    found: dict[str, list] = {}
    for site in ctx.setting_sites():
        if site.form != "module":
            continue
        entry = found.setdefault(site.name, [site.value.lineno, False, []])
        entry[0] = min(entry[0], site.value.lineno)
    for node, scope in ctx.nodes(ast.AugAssign):
        target = node.target
        if scope.kind == MODULE and type(target) is ast.Name and target.id.isupper():
            entry = found.setdefault(target.id, [node.lineno, True, []])
            entry[1] = True
            entry[2].extend(_strings(ctx, node.value, scope))
    for method in _LIST_METHODS:
        for call, scope in ctx.calls_named(method):
            func = call.func
            if scope.kind != MODULE or type(func) is not ast.Attribute:
                continue
            receiver = func.value
            if type(receiver) is ast.Name and receiver.id.isupper() and call.args:
                entry = found.setdefault(receiver.id, [call.lineno, True, []])
                entry[1] = True
                entry[2].extend(_strings(ctx, call.args[-1], scope))
    return found


def _strings(ctx: FileContext, node, scope) -> list[str]:
    value = _plain(ctx.values.literal_value(node, scope))
    if type(value) is str:
        return [value]
    if type(value) is tuple:
        return [item for item in value if type(item) is str]
    return []


def _findings_by_setting(ctx: FileContext, findings: list[Finding]):
    """setting name -> [findings on its module-level value] (the settings rules' findings
    that point into the value, keyword or entry of that setting's assignment)."""
    spans = []
    for site in ctx.setting_sites():
        if site.form == "module":
            value = site.value
            spans.append((value.lineno, value.end_lineno or value.lineno, site.name))
    found: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.code == "WEB000":
            continue
        for start, end, name in spans:
            if start <= finding.line <= end:
                found.setdefault(name, []).append(finding)
                break
    return found


def _effective_settings(ctx: FileContext, findings: list[Finding]) -> dict[str, SettingSummary]:
    """The module's settings with their findings - its own, and those it inherits through
    its star imports (with where they were defined)."""
    settings: dict[str, SettingSummary] = {}
    own = _findings_by_setting(ctx, findings)
    bound = _module_settings(ctx)
    for name, (line, augmented, added) in bound.items():
        settings[name] = SettingSummary(
            name, line,
            tuple((f.code, f.message, ctx.filename, f.line) for f in own.get(name, ())),
            augmented, tuple(added),
        )
    if not _development_like(ctx):
        for _node, base in _star_bases(ctx):
            for name, inherited in base.settings.items():
                kept = _inherited(inherited, bound.get(name))
                if not kept:
                    continue
                if name in settings:
                    entry = settings[name]
                    entry.findings = entry.findings + kept
                else:
                    settings[name] = SettingSummary(name, inherited.line, kept, False,
                                                    inherited.added)
    return settings


def _inherited(base: SettingSummary, child) -> tuple:
    """The findings of an inherited setting that the child module does not override."""
    if not base.findings:
        return ()
    if child is None:
        return base.findings
    _line, augmented, added = child
    if not augmented:
        return ()  # rebound: the child's own value is judged in the child
    return tuple(
        finding for finding in base.findings
        if not any(remedy in entry for remedy in list_remedies().get(finding[0], ())
                   for entry in added)
        or finding[0] not in list_remedies()
    )


def _star_bases(ctx: FileContext):
    """(ImportFrom node, summary) of each project settings module star-imported at module
    level."""
    project = ctx.project
    found = []
    for node in _module_statements(ctx.tree):
        if type(node) is ast.ImportFrom and any(alias.name == "*" for alias in node.names):
            module = "." * (node.level or 0) + (node.module or "")
            summary = project.summary_of_module(module)
            if summary is not None and summary.is_settings:
                found.append((node, summary))
    return found


def _module_statements(tree):
    """Module-level statements, also inside ``if``/``try``/``with`` blocks."""
    pending = list(reversed(getattr(tree, "body", [])))
    while pending:
        node = pending.pop()
        yield node
        if type(node) in (ast.If, ast.Try, ast.With, getattr(ast, "TryStar", ast.Try)):
            for field in ("body", "orelse", "finalbody"):
                pending.extend(reversed(getattr(node, field, [])))
            for handler in getattr(node, "handlers", ()):
                pending.extend(reversed(handler.body))


def _settings_named(ctx: FileContext) -> bool:
    """A settings module whose file says so (``settings*.py``, ``config*.py``, ``local*``,
    ``dev*``, ``prod*``, a module of a ``settings``/``config`` package, or a configured
    settings file): only such modules are judged across modules - a package
    ``__init__`` that star-imports its submodules is not a settings package."""
    settings = ctx.settings
    return (settings.declared_settings_file or settings.settings_file_name()) and (
        settings.is_settings_module()
    )


def _development_like(ctx: FileContext) -> bool:
    stem = os.path.basename(ctx.filename.replace("\\", "/"))[:-3].lower()
    if stem.startswith(("settings_", "config_")):
        stem = stem.split("_", 1)[1]
    return stem.startswith(DEVELOPMENT_PREFIXES) or ctx.options.is_dev_file(ctx.filename)


# -- the linted file ---------------------------------------------------------------------


def settings_across_modules(ctx: FileContext, findings: list[Finding]) -> list[Finding]:
    findings = _config_classes_across_modules(ctx, findings)
    if not _settings_named(ctx):
        return findings
    findings = _drop_overridden_by_siblings(ctx, findings)
    if _development_like(ctx):
        return findings
    bound = _module_settings(ctx)
    for node, base in _star_bases(ctx):
        for name, inherited in sorted(base.settings.items()):
            for code, message, origin, line in _inherited(inherited, bound.get(name)):
                findings.append(_inherited_finding(ctx, node, code, message, origin, line))
    return findings


def _config_classes_across_modules(ctx: FileContext, findings: list[Finding]):
    """A production-like config class whose base is a config class of another project
    module gets, at that base, each finding of the base's attributes it does not set."""
    if not ctx.settings.config_classes():
        return findings
    for node, scope in ctx.nodes(ast.ClassDef):
        if node.name.lower().startswith(DEVELOPMENT_PREFIXES) or (
            ctx.options.is_dev_config_class(node.name)
        ):
            continue
        own = {
            target.id
            for statement in node.body
            for target in _assigned_names(statement)
        }
        for base, attributes, _path in _inherited_class_attributes(ctx, node, scope):
            for name, setting in sorted(attributes.items()):
                if name in own or name.upper() in own:
                    continue
                for code, message, origin, line in setting.findings:
                    findings.append(_inherited_finding(ctx, base, code, message, origin, line))
    return findings


def _assigned_names(statement):
    if type(statement) is ast.Assign:
        targets = statement.targets
    elif type(statement) in (ast.AnnAssign, ast.AugAssign):
        targets = [statement.target]
    else:
        return []
    return [target for target in targets if type(target) is ast.Name]


def _inherited_finding(ctx, node, code, message, origin, line) -> Finding:
    severity = ""
    for candidate in SEVERITIES:
        mark = SEVERITY_MARK.format(severity=candidate)
        if message.endswith(mark):
            message, severity = message[: -len(mark)], candidate
    where = shown_path(ctx, origin)
    text = f"{message} (inherited from {where}:{line}; override it here)"
    if severity:
        text += SEVERITY_MARK.format(severity=severity)
    col = ctx.columns.char_col(node.lineno, node.col_offset)
    end_line = node.end_lineno or node.lineno
    end_col = ctx.columns.char_col(end_line, node.end_col_offset or 0)
    return Finding(node.lineno, col, end_line, end_col, code, text, severity)


def shown_path(ctx, path: str) -> str:
    """A defining module's path as users read it: relative to the project root when it is
    inside it, with ``/``."""
    from .project import project_root

    root = project_root(ctx.filename, ctx.options.project_roots)
    location = ctx.project.location if ctx.project is not None else None
    # the project root; else the working directory; else the folder of the top package
    for base in (root, os.getcwd(), location.top_folder if location else None):
        if base is None:
            continue
        try:
            relative = os.path.relpath(path, base)
        except ValueError:
            continue
        if not relative.startswith(".."):
            return relative.replace(os.sep, "/")
    return os.path.basename(path)


def _drop_overridden_by_siblings(ctx: FileContext, findings: list[Finding]) -> list[Finding]:
    """A base settings module's finding on a setting that every production-like sibling
    (at least one) overrides with a safe value is not reported in the base."""
    project = ctx.project
    siblings = []
    for path in project.sibling_settings():
        stem = os.path.basename(path)[:-3].lower()
        if stem.startswith(("settings_", "config_")):
            stem = stem.split("_", 1)[1]
        if stem.startswith(DEVELOPMENT_PREFIXES) or ctx.options.is_dev_file(path):
            continue
        summary = project.index.summary(path, project)
        if summary is None or not summary.is_settings:
            continue  # unreadable, unparsable or not settings: not an overriding sibling
        siblings.append(summary)
    if not siblings:
        return findings
    by_setting = _findings_by_setting(ctx, findings)
    dropped: set[int] = set()
    for name, own in by_setting.items():
        for finding in own:
            if all(_overrides_safely(sibling, name, finding.code) for sibling in siblings):
                dropped.add(id(finding))
    return [finding for finding in findings if id(finding) not in dropped]


def _overrides_safely(sibling: ModuleSummary, name: str, code: str) -> bool:
    setting = sibling.settings.get(name)
    if setting is None:
        return False
    if any(finding[0] == code for finding in setting.findings):
        return False
    if setting.augmented:
        remedies = list_remedies().get(code)
        return bool(remedies) and any(
            remedy in entry for remedy in remedies for entry in setting.added
        )
    return True


__all__ = ["Flow", "Op", "install_summariser", "settings_across_modules", "summarise"]
