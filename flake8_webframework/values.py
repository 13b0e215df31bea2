"""The small value analysis: is an expression literal, of unknown value, or non-literal?

Follows the "Literal" convention of the rule catalogue:

* literal: built only from literals, recursively - constants; implicit, ``+``, ``*``
  combination; ``%``, ``.format()``, ``.join()`` and f-strings whose every part is literal;
  ``gettext``/``_()`` of a literal; a name whose every binding in its scope (``+=`` included)
  is literal; ``self.X``/``cls.X``/``Class.X`` where the class binds ``X`` only to literals;
  containers of literals.
* unknown: an imported name, an UPPER_CASE attribute of an imported module, node types this
  analysis does not know (new syntax). Unknown values make no rule fire.
* non-literal: everything else (parameters and what is reached from them, call results, ...).

Evaluation is iterative (an explicit stack, results memoised per node), so a ``+`` chain of
thousands of terms never reaches Python's recursion limit. Nothing is executed: concrete
values are computed only for constants and for small, safe combinations of them.
"""

from __future__ import annotations

import ast

from .names import class_of_binding, lookup_name, resolve_qualnames
from .scopes import ASSIGN, AUGASSIGN, DECLARE, IMPORT, ModuleModel, Scope

LITERAL, UNKNOWN, NONLITERAL = 0, 1, 2


class _NoValue:
    __slots__ = ()

    def __repr__(self) -> str:
        return "NO_VALUE"


#: The concrete value of a literal is not computed (e.g. an f-string of literal names).
NO_VALUE = _NoValue()

#: Longest string or collection a concrete value may be; longer ones stay NO_VALUE.
_MAX_CONCRETE = 100_000

_GETTEXT_NAMES = frozenset(
    {
        "_",
        "_l",
        "gettext",
        "gettext_lazy",
        "ugettext",
        "ugettext_lazy",
        "lazy_gettext",
        "pgettext",
        "pgettext_lazy",
        "ngettext",
        "ngettext_lazy",
        "gettext_noop",
    }
)
_STRING_METHODS = frozenset(
    {"lower", "upper", "strip", "lstrip", "rstrip", "casefold", "title", "capitalize",
     "replace", "encode", "decode", "format", "join"}
)
_NONLITERAL_TYPES = (
    ast.Call,
    ast.Lambda,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
    ast.Await,
    ast.Yield,
    ast.YieldFrom,
)


class Value:
    """The verdict on one expression: ``kind`` and, where cheap and safe, ``value``."""

    __slots__ = ("kind", "value")

    def __init__(self, kind: int, value: object = NO_VALUE) -> None:
        self.kind = kind
        self.value = value

    @property
    def is_literal(self) -> bool:
        return self.kind == LITERAL

    @property
    def is_nonliteral(self) -> bool:
        return self.kind == NONLITERAL

    @property
    def is_unknown(self) -> bool:
        return self.kind == UNKNOWN

    @property
    def known(self) -> bool:
        """A literal whose concrete value was computed."""
        return self.kind == LITERAL and self.value is not NO_VALUE

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Value({('LITERAL', 'UNKNOWN', 'NONLITERAL')[self.kind]}, {self.value!r})"


_NONLITERAL = Value(NONLITERAL)
_UNKNOWN = Value(UNKNOWN)
_CYCLE = Value(LITERAL)  # a name met again while its bindings are evaluated: neutral


def _small(value: object) -> bool:
    if isinstance(value, (str, bytes, tuple, list, dict, frozenset, set)):
        return len(value) <= _MAX_CONCRETE
    if isinstance(value, int):
        return -(10**18) <= value <= 10**18
    return True


def _binop_value(op: ast.operator, left: object, right: object) -> object:
    op_type = type(op)
    try:
        if op_type is ast.Add:
            if isinstance(left, (str, bytes)) and type(left) is type(right):
                if len(left) + len(right) <= _MAX_CONCRETE:
                    return left + right
                return NO_VALUE
            if _is_number(left) and _is_number(right):
                result = left + right
                return result if _small(result) else NO_VALUE
        elif op_type is ast.Sub and _is_number(left) and _is_number(right):
            result = left - right
            return result if _small(result) else NO_VALUE
        elif op_type is ast.Mult:
            if _is_number(left) and _is_number(right):
                if abs(left) <= 10**9 and abs(right) <= 10**9:
                    return left * right
            elif isinstance(left, (str, bytes)) and type(right) is int:
                if len(left) * max(right, 0) <= _MAX_CONCRETE:
                    return left * right
            elif isinstance(right, (str, bytes)) and type(left) is int:
                if len(right) * max(left, 0) <= _MAX_CONCRETE:
                    return left * right
    except Exception:  # noqa: BLE001 - any arithmetic oddity just leaves the value unknown
        return NO_VALUE
    return NO_VALUE


def _is_number(value: object) -> bool:
    return type(value) in (int, float, bool)


def _unary_value(op: ast.unaryop, operand: object) -> object:
    op_type = type(op)
    if op_type is ast.Not:
        return not operand
    if _is_number(operand):
        if op_type is ast.USub:
            return -operand
        if op_type is ast.UAdd:
            return +operand
    return NO_VALUE


_COMPARE_OPS = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: lambda a, b: a is b,
    ast.IsNot: lambda a, b: a is not b,
}


def compare_values(ops: list[ast.cmpop], values: list[object]) -> object:
    """Evaluate a comparison chain of concrete values (only ==, !=, in, not in, is)."""
    for op, left, right in zip(ops, values, values[1:]):
        compare = _COMPARE_OPS.get(type(op))
        if compare is None:
            return NO_VALUE
        try:
            if not compare(left, right):
                return False
        except Exception:  # noqa: BLE001 - e.g. ``1 in "x"``
            return NO_VALUE
    return True


class _BindingGroup:
    """All bindings of one name in one scope, evaluated as one unit."""

    __slots__ = ("scope", "bindings")

    def __init__(self, scope: Scope, bindings: list) -> None:
        self.scope = scope
        self.bindings = bindings


class ValueAnalysis:
    """Memoised literal analysis over one module."""

    def __init__(self, model: ModuleModel) -> None:
        self.model = model
        #: ``qualname -> (concrete value or None, line)`` of project constants, or None
        self.project_constant = None
        self._constants: dict[str, object] = {}
        self._cache: dict[int, Value] = {}
        self._groups: dict[int, _BindingGroup] = {}

    # -- public helpers -------------------------------------------------------------------

    def evaluate(self, node: ast.AST, scope: Scope) -> Value:
        cached = self._cache.get(id(node))
        if cached is not None:
            return cached
        return self._run(node, scope)

    def is_literal(self, node: ast.AST, scope: Scope) -> bool:
        return self.evaluate(node, scope).kind == LITERAL

    def is_nonliteral(self, node: ast.AST, scope: Scope) -> bool:
        return self.evaluate(node, scope).kind == NONLITERAL

    def literal_value(self, node: ast.AST, scope: Scope) -> object:
        """The concrete value of a literal expression, else ``NO_VALUE``."""
        result = self.evaluate(node, scope)
        return result.value if result.kind == LITERAL else NO_VALUE

    def literal_sources(self, node: ast.AST, scope: Scope) -> list[tuple[ast.AST, Scope]]:
        """Where a literal value was written: through names, to their assigned literals.

        ``key = "s3cret"; jwt.encode(p, key)`` gives the ``"s3cret"`` node. Other nodes are
        their own source.
        """
        sources: list[tuple[ast.AST, Scope]] = []
        pending = [(node, scope)]
        seen: set[int] = set()
        while pending:
            current, current_scope = pending.pop()
            if id(current) in seen:
                continue
            seen.add(id(current))
            bindings = None
            if type(current) is ast.Name:
                bindings = lookup_name(current_scope, current.id)[1]
            elif type(current) is ast.Attribute:
                found = self.attribute_bindings(current, current_scope)
                bindings = found[1] if found else None
            if bindings:
                values = [b for b in bindings if b.kind in (ASSIGN, AUGASSIGN)]
                if values and all(b.kind in (ASSIGN, AUGASSIGN, DECLARE) for b in bindings):
                    pending.extend((b.value, b.scope) for b in values)
                    continue
            sources.append((current, current_scope))
        sources.sort(key=lambda item: (item[0].lineno, item[0].col_offset))
        return sources

    # -- the engine ---------------------------------------------------------------------

    def _run(self, root: ast.AST, root_scope: Scope) -> Value:
        cache = self._cache
        in_progress: set[int] = set()
        pending: dict[int, tuple] = {}
        stack: list[tuple[ast.AST, Scope, bool]] = [(root, root_scope, False)]
        while stack:
            node, scope, expanded = stack.pop()
            key = id(node)
            if not expanded:
                if key in cache or key in in_progress:
                    continue
                plan = self._plan(node, scope)
                if isinstance(plan, Value):
                    cache[key] = plan
                    continue
                in_progress.add(key)
                pending[key] = plan
                stack.append((node, scope, True))
                for dep, dep_scope in plan[0]:
                    dep_key = id(dep)
                    if dep_key not in cache and dep_key not in in_progress:
                        stack.append((dep, dep_scope, False))
            else:
                deps, combine = pending.pop(key)
                results = [cache.get(id(dep), _CYCLE) for dep, _ in deps]
                cache[key] = combine(node, results)
                in_progress.discard(key)
        return cache.get(id(root), _UNKNOWN)

    def _plan(self, node: ast.AST, scope: Scope):
        """Either a final :class:`Value` or ``(dependencies, combine)``."""
        node_type = type(node)
        if node_type is ast.Constant:
            return Value(LITERAL, node.value)
        if node_type is ast.Name:
            bound_in, bindings = lookup_name(scope, node.id)
            if bound_in is None:
                return _UNKNOWN  # a builtin or a name from a star import
            # Every use of a name sees the same bindings: evaluate them once per binding list
            # (``q = q + "..."`` repeated n times stays linear, not quadratic).
            group = self._groups.get(id(bindings))
            if group is None:
                group = self._groups[id(bindings)] = _BindingGroup(bound_in, bindings)
            return [(group, scope)], _combine_first
        if node_type is _BindingGroup:
            return self._plan_bindings(node.scope, node.bindings)
        if node_type is ast.BinOp:
            return [(node.left, scope), (node.right, scope)], _combine_binop
        if node_type is ast.JoinedStr:
            deps = []
            for part in node.values:
                if type(part) is ast.FormattedValue:
                    deps.append((part.value, scope))
                    if part.format_spec is not None:
                        deps.append((part.format_spec, scope))
                elif type(part) is not ast.Constant:
                    return _UNKNOWN
            return deps, _combine_joinedstr
        if node_type in (ast.Tuple, ast.List, ast.Set):
            return [(element, scope) for element in node.elts], _combine_sequence
        if node_type is ast.Dict:
            deps = [(key, scope) for key in node.keys if key is not None]
            deps.extend((value, scope) for value in node.values)
            return deps, _combine_dict
        if node_type is ast.Attribute:
            return self._plan_attribute(node, scope)
        if node_type is ast.Call:
            return self._plan_call(node, scope)
        if node_type is ast.UnaryOp:
            return [(node.operand, scope)], _combine_unary
        if node_type is ast.BoolOp:
            return [(value, scope) for value in node.values], _combine_boolop
        if node_type is ast.Compare:
            deps = [(node.left, scope)] + [(c, scope) for c in node.comparators]
            return deps, _combine_compare
        if node_type is ast.IfExp:
            return [(node.body, scope), (node.orelse, scope)], _combine_ifexp
        if node_type is ast.Subscript:
            return [(node.value, scope), (node.slice, scope)], _combine_subscript
        if node_type in (ast.Starred, ast.NamedExpr):
            return [(node.value, scope)], _combine_first
        if node_type is ast.Slice:
            deps = [(part, scope) for part in (node.lower, node.upper, node.step) if part]
            return deps, _combine_kinds_only
        if node_type in _NONLITERAL_TYPES:
            return _NONLITERAL
        return _UNKNOWN

    def _plan_bindings(self, bound_in: Scope | None, bindings: list):
        if bound_in is None:
            return _UNKNOWN  # a builtin or a name from a star import
        deps = []
        has_import = False
        assignments = 0
        for binding in bindings:
            kind = binding.kind
            if kind == ASSIGN:
                assignments += 1
                deps.append((binding.value, binding.scope))
            elif kind == AUGASSIGN:
                assignments += 2  # the value is a combination: not concrete
                deps.append((binding.value, binding.scope))
            elif kind == IMPORT:
                constant = self._imported_constant(binding.qualname)
                if constant is not None:
                    assignments += 1
                    deps.append((constant, binding.scope))
                else:
                    has_import = True
            elif kind == DECLARE:
                continue
            else:
                return _NONLITERAL  # parameter, loop target, def, class, ...
        if not deps:
            return _UNKNOWN if has_import else _NONLITERAL
        single = assignments == 1

        def combine(_node, results, _single=single, _has_import=has_import):
            kind = max(result.kind for result in results)
            if _has_import and kind == LITERAL:
                kind = UNKNOWN
            value = results[0].value if (_single and kind == LITERAL) else NO_VALUE
            return Value(kind, value)

        return deps, combine

    def attribute_bindings(self, node: ast.Attribute, scope: Scope):
        """For ``self.X``/``cls.X``/``Class.X`` of a class in this file: (class scope, the
        bindings of ``X`` in the class body and in its methods' ``self.X = ...``).
        ``None`` for other attributes."""
        base = node.value
        if type(base) is not ast.Name:
            return None
        if base.id in ("self", "cls"):
            class_scope = _method_owner(scope)
        else:
            class_node = class_of_binding(lookup_name(scope, base.id)[1])
            class_scope = self.model.class_scopes.get(id(class_node)) if class_node else None
        if class_scope is None:
            return None
        bindings = class_scope.bindings.get(node.attr, []) + class_scope.instance_bindings.get(
            node.attr, []
        )
        return class_scope, bindings

    def _plan_attribute(self, node: ast.Attribute, scope: Scope):
        found = self.attribute_bindings(node, scope)
        if found is not None:
            class_scope, bindings = found
            if bindings:
                return self._plan_bindings(class_scope, bindings)
            return _NONLITERAL
        if node.attr.isupper() and _rooted_in_import(node.value, scope):
            for qualname in resolve_qualnames(node, scope):
                constant = self._imported_constant(qualname)
                if constant is not None:
                    return [(constant, scope)], _combine_first
            return _UNKNOWN
        return _NONLITERAL

    def _imported_constant(self, qualname: str):
        """A literal constant of a project module (see :mod:`project`), as a synthetic
        constant node; ``None`` when there is no project index or no such constant."""
        if self.project_constant is None or not qualname:
            return None
        node = self._constants.get(qualname)
        if node is None:
            found = self.project_constant(qualname)
            if found is None:
                self._constants[qualname] = False
                return None
            value, line = found
            node = ast.Constant(value=NO_VALUE if value is None else value)
            node.lineno, node.col_offset = line, 0
            self._constants[qualname] = node
        return node or None

    def _plan_call(self, node: ast.Call, scope: Scope):
        func = node.func
        args = [(arg, scope) for arg in node.args]
        args.extend((keyword.value, scope) for keyword in node.keywords)
        if type(func) is ast.Attribute and func.attr in _STRING_METHODS:
            if func.attr == "join" and len(node.args) != 1:
                return _NONLITERAL
            return [(func.value, scope)] + args, _combine_string_method
        if type(func) is ast.Name and func.id in _GETTEXT_NAMES:
            return args, _combine_kinds_only
        if type(func) is ast.Attribute and func.attr in _GETTEXT_NAMES:
            names = resolve_qualnames(func, scope)
            if any(name.startswith(("django.utils.translation.", "gettext.", "flask_babel."))
                   for name in names):
                return args, _combine_kinds_only
        return _NONLITERAL


def _method_owner(scope: Scope) -> Scope | None:
    current = scope
    while current is not None:
        owner = current.enclosing_class()
        if owner is not None:
            return owner
        if current.kind == "function":
            return None
        current = current.parent
    return None


def _rooted_in_import(node: ast.AST, scope: Scope) -> bool:
    while type(node) is ast.Attribute:
        node = node.value
    if type(node) is not ast.Name:
        return False
    _, bindings = lookup_name(scope, node.id)
    return bool(bindings) and all(binding.kind == IMPORT for binding in bindings)


def _kind(results: list[Value]) -> int:
    return max((result.kind for result in results), default=LITERAL)


def _combine_kinds_only(_node, results):
    return Value(_kind(results))


def _combine_first(_node, results):
    return results[0]


def _combine_binop(node: ast.BinOp, results):
    kind = _kind(results)
    if kind != LITERAL:
        return Value(kind)
    left, right = results
    if left.value is NO_VALUE or right.value is NO_VALUE:
        return Value(LITERAL)
    return Value(LITERAL, _binop_value(node.op, left.value, right.value))


def _combine_unary(node: ast.UnaryOp, results):
    (operand,) = results
    if operand.kind != LITERAL or operand.value is NO_VALUE:
        return Value(operand.kind)
    return Value(LITERAL, _unary_value(node.op, operand.value))


def _combine_joinedstr(node: ast.JoinedStr, results):
    kind = _kind(results)
    if kind != LITERAL:
        return Value(kind)
    if results:
        return Value(LITERAL)
    text = "".join(part.value for part in node.values)
    return Value(LITERAL, text)


def _combine_sequence(node, results):
    kind = _kind(results)
    if kind != LITERAL:
        return Value(kind)
    if any(result.value is NO_VALUE for result in results) or any(
        type(element) is ast.Starred for element in node.elts
    ):
        return Value(LITERAL)
    values = [result.value for result in results]
    if type(node) is ast.Tuple:
        return Value(LITERAL, tuple(values))
    if type(node) is ast.List:
        return Value(LITERAL, values)
    try:
        return Value(LITERAL, frozenset(values))
    except TypeError:
        return Value(LITERAL)


def _combine_dict(node: ast.Dict, results):
    kind = _kind(results)
    if kind != LITERAL:
        return Value(kind)
    if any(key is None for key in node.keys) or any(r.value is NO_VALUE for r in results):
        return Value(LITERAL)
    count = len(node.values)
    keys = [result.value for result in results[: len(results) - count]]
    values = [result.value for result in results[len(results) - count :]]
    try:
        return Value(LITERAL, dict(zip(keys, values)))
    except TypeError:
        return Value(LITERAL)


def _combine_boolop(node: ast.BoolOp, results):
    kind = _kind(results)
    if kind != LITERAL or any(result.value is NO_VALUE for result in results):
        return Value(kind)
    is_or = type(node.op) is ast.Or
    for result in results[:-1]:
        if bool(result.value) == is_or:
            return Value(LITERAL, result.value)
    return Value(LITERAL, results[-1].value)


def _combine_compare(node: ast.Compare, results):
    kind = _kind(results)
    if kind != LITERAL or any(result.value is NO_VALUE for result in results):
        return Value(kind)
    return Value(LITERAL, compare_values(node.ops, [result.value for result in results]))


def _combine_ifexp(_node, results):
    kind = _kind(results)
    body, orelse = results
    if kind == LITERAL and body.value is not NO_VALUE and body.value == orelse.value:
        return Value(LITERAL, body.value)
    return Value(kind)


def _combine_subscript(_node, results):
    container, index = results
    if container.kind == LITERAL and index.kind == LITERAL:
        if container.value is not NO_VALUE and index.value is not NO_VALUE:
            try:
                return Value(LITERAL, container.value[index.value])
            except Exception:  # noqa: BLE001 - a bad index leaves the value unknown
                return Value(LITERAL)
        return Value(LITERAL)
    if container.kind == UNKNOWN and index.kind != NONLITERAL:
        return _UNKNOWN
    return _NONLITERAL


def _combine_string_method(node: ast.Call, results):
    kind = _kind(results)
    if kind != LITERAL:
        return Value(kind)
    receiver = results[0].value
    method = node.func.attr
    if isinstance(receiver, str) and len(results) == 1 and method in (
        "lower", "upper", "strip", "lstrip", "rstrip", "casefold",
    ):
        return Value(LITERAL, getattr(receiver, method)())
    return Value(LITERAL)
