"""The one walk over a file: Python's scopes, every name binding, and an index of the nodes
the checks look at.

The walk is iterative (an explicit stack), so trees as deep as ``ast.parse`` accepts never
touch Python's recursion limit. Checks never walk the tree again: they read
:attr:`ModuleModel.index`.
"""

from __future__ import annotations

import ast
from collections import defaultdict

MODULE, CLASS, FUNCTION, COMPREHENSION = "module", "class", "function", "comprehension"

# Binding kinds.
IMPORT = "import"  # qualname holds the imported dotted name
ASSIGN = "assign"  # value holds the assigned expression
AUGASSIGN = "augassign"  # value holds the right-hand side of ``+=`` etc.
PARAM = "param"
DEF = "def"  # function or lambda
CLASSDEF = "class"
STORE = "store"  # any other binding: except targets, unpacking, match captures
WITH = "with"  # ``with EXPR as name``: value holds EXPR (the name is bound to its __enter__())
FOR = "for"  # ``for name in EXPR`` (and comprehension targets): value holds EXPR
DECLARE = "declare"  # ``x: int`` without a value, ``del x``: makes the name local, no value

#: Node types the checks read from the index.
INDEXED_TYPES = (
    ast.Call,
    ast.Assign,
    ast.AnnAssign,
    ast.AugAssign,
    ast.ClassDef,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.BoolOp,
    ast.Return,
)

_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)


class Binding:
    """One binding of a name in a scope."""

    __slots__ = ("kind", "node", "value", "qualname", "scope")

    def __init__(self, kind, node, scope, value=None, qualname=None):
        self.kind = kind
        self.node = node
        self.scope = scope  # the scope in which ``value`` is evaluated
        self.value = value
        self.qualname = qualname

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Binding({self.kind}, {self.qualname or ast.dump(self.value or self.node)[:40]})"


class Scope:
    __slots__ = (
        "node",
        "kind",
        "parent",
        "bindings",
        "global_names",
        "nonlocal_names",
        "star_imports",
        "instance_bindings",
        "opaque_names",
        "import_names",
    )

    def __init__(self, node, kind, parent):
        self.node = node
        self.kind = kind
        self.parent = parent
        self.bindings: dict[str, list[Binding]] = {}
        self.global_names: set[str] = set()
        self.nonlocal_names: set[str] = set()
        self.star_imports: list[str] = []
        #: class scopes only: ``self.NAME = ...`` / ``cls.NAME = ...`` in its methods
        self.instance_bindings: dict[str, list[Binding]] = {}
        #: module scope only: see ModuleModel.opaque_names
        self.opaque_names: frozenset[str] | set[str] = frozenset()
        #: module scope only: names some import or alias assignment binds, in any scope
        self.import_names: frozenset[str] | set[str] = frozenset()

    def add(self, name: str, binding: Binding) -> None:
        self.bindings.setdefault(name, []).append(binding)

    def module(self) -> Scope:
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope

    def enclosing_class(self) -> Scope | None:
        """The class whose method this function scope is (for ``self.X`` / ``cls.X``)."""
        if self.kind == FUNCTION and self.parent is not None and self.parent.kind == CLASS:
            return self.parent
        return None

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Scope({self.kind}, {type(self.node).__name__})"


def _import_from_module(node: ast.ImportFrom) -> str:
    return "." * (node.level or 0) + (node.module or "")


class ModuleModel:
    """Scopes, bindings and the node index of one module, built by one iterative walk."""

    def __init__(self, tree: ast.AST) -> None:
        self.tree = tree
        self.module_scope = Scope(tree, MODULE, None)
        #: node type -> list of (node, scope in which the node is evaluated)
        self.index: dict[type, list[tuple[ast.AST, Scope]]] = defaultdict(list)
        #: dotted names of every module imported anywhere in the file
        self.imported_modules: set[str] = set()
        #: scope of each ClassDef's body, by id of the ClassDef node
        self.class_scopes: dict[int, Scope] = {}
        self._deferred: list[tuple[Scope, str, Binding]] = []
        #: names bound somewhere in the file, and never by an import or an alias assignment
        #: (``x = a.b``): a qualified name rooted at one of them is always empty.
        self.opaque_names: set[str] = set()
        self._pending_values: dict[int, ast.expr] = {}
        #: binding kind of a pending value other than ASSIGN (WITH, FOR)
        self._pending_kinds: dict[int, str] = {}
        self._walk()
        self._place_deferred_bindings()

    # -- the walk -----------------------------------------------------------------------

    def _walk(self) -> None:
        # The stack holds nodes, and _Enter markers that switch the current scope: a handler
        # opening a scope pushes [_Enter(outer), inner nodes..., _Enter(inner)], so the inner
        # nodes (and everything below them) are visited in the inner scope, then the outer
        # scope is restored for what lies deeper in the stack. No tuple per node.
        stack: list = [self.tree]
        scope = self.module_scope
        index = self.index
        indexed = INDEXED_TYPES
        handlers = _HANDLERS
        child_fields = _CHILD_FIELDS
        fields_of = _child_fields_of
        ast_type = ast.AST
        enter = _Enter
        push = stack.append
        pop = stack.pop
        while stack:
            node = pop()
            node_type = type(node)
            if node_type is enter:
                scope = node.scope
                continue
            if node_type in indexed:
                index[node_type].append((node, scope))
            handler = handlers.get(node_type)
            if handler is not None and handler(self, node, scope, push):
                continue
            fields = child_fields.get(node_type)
            if fields is None:
                fields = fields_of(node_type)
            for field in fields:
                value = getattr(node, field, None)
                if type(value) is list:
                    for item in value:
                        if isinstance(item, ast_type):
                            push(item)
                elif isinstance(value, ast_type):
                    push(value)

    def _bind(self, scope: Scope, name: str, binding: Binding) -> None:
        self._deferred.append((scope, name, binding))

    def _place_deferred_bindings(self) -> None:
        """Put each binding in the scope Python would (``global``/``nonlocal`` honoured)."""
        module = self.module_scope
        opaque = self.opaque_names
        resolvable = set()
        for scope, name, binding in self._deferred:
            target = scope
            if name in scope.global_names:
                target = module
            elif name in scope.nonlocal_names:
                target = _nonlocal_target(scope, name)
            target.add(name, binding)
            kind = binding.kind
            if kind == IMPORT or (
                kind == ASSIGN and type(binding.value) in (ast.Name, ast.Attribute)
            ):
                resolvable.add(name)
            else:
                opaque.add(name)
        opaque -= resolvable
        module.opaque_names = opaque
        module.import_names = resolvable
        self._deferred = []

    # -- handlers (return True when they pushed the children themselves) ----------------

    def _visit_name(self, node: ast.Name, scope: Scope, push) -> bool:
        ctx_type = type(node.ctx)
        if ctx_type is ast.Store:
            value = self._pending_values.pop(id(node), None)
            if value is not None:
                kind = self._pending_kinds.pop(id(node), ASSIGN)
                self._bind(scope, node.id, Binding(kind, node, scope, value=value))
            else:
                self._bind(scope, node.id, Binding(STORE, node, scope))
        elif ctx_type is ast.Del:
            self._bind(scope, node.id, Binding(DECLARE, node, scope))
        return True

    def _visit_assign(self, node: ast.Assign, scope: Scope, push) -> bool:
        for target in node.targets:
            if type(target) is ast.Attribute:
                self._note_instance_attribute(target, scope, ASSIGN, node.value)
            else:
                self._note_target_values(target, node.value)
        return False

    @staticmethod
    def _note_instance_attribute(target: ast.Attribute, scope: Scope, kind, value) -> None:
        """``self.NAME = value`` in a method binds NAME for ``self.NAME`` reads too."""
        base = target.value
        if type(base) is ast.Name and base.id in ("self", "cls"):
            owner = scope.enclosing_class()
            if owner is not None:
                owner.instance_bindings.setdefault(target.attr, []).append(
                    Binding(kind, target, scope, value=value)
                )

    def _note_target_values(self, target: ast.expr, value: ast.expr) -> None:
        pairs = [(target, value)]
        while pairs:
            target, value = pairs.pop()
            if type(target) is ast.Name:
                self._pending_values[id(target)] = value
            elif (
                type(target) in (ast.Tuple, ast.List)
                and type(value) in (ast.Tuple, ast.List)
                and len(target.elts) == len(value.elts)
                and not any(type(e) is ast.Starred for e in target.elts)
                and not any(type(e) is ast.Starred for e in value.elts)
            ):
                pairs.extend(zip(target.elts, value.elts))

    def _visit_with(self, node, scope: Scope, push) -> bool:
        for item in node.items:
            target = item.optional_vars
            if type(target) is ast.Name:
                self._pending_values[id(target)] = item.context_expr
                self._pending_kinds[id(target)] = WITH
        return False

    def _visit_for(self, node, scope: Scope, push) -> bool:
        if type(node.target) is ast.Name:
            self._pending_values[id(node.target)] = node.iter
            self._pending_kinds[id(node.target)] = FOR
        return False

    def _visit_annassign(self, node: ast.AnnAssign, scope: Scope, push) -> bool:
        target = node.target
        if type(target) is ast.Attribute and node.value is not None:
            self._note_instance_attribute(target, scope, ASSIGN, node.value)
        if type(target) is ast.Name:
            if node.value is not None:
                self._bind(scope, target.id, Binding(ASSIGN, target, scope, value=node.value))
            else:
                self._bind(scope, target.id, Binding(DECLARE, target, scope))
            push(node.annotation)
            if node.value is not None:
                push(node.value)
            return True
        return False

    def _visit_augassign(self, node: ast.AugAssign, scope: Scope, push) -> bool:
        target = node.target
        if type(target) is ast.Attribute:
            self._note_instance_attribute(target, scope, AUGASSIGN, node.value)
        if type(target) is ast.Name:
            self._bind(scope, target.id, Binding(AUGASSIGN, target, scope, value=node.value))
            push(node.value)
            return True
        return False

    def _visit_namedexpr(self, node: ast.NamedExpr, scope: Scope, push) -> bool:
        target_scope = scope
        while target_scope.kind == COMPREHENSION and target_scope.parent is not None:
            target_scope = target_scope.parent
        self._bind(
            target_scope, node.target.id, Binding(ASSIGN, node.target, scope, value=node.value)
        )
        push(node.value)
        return True

    def _visit_import(self, node: ast.Import, scope: Scope, push) -> bool:
        for alias in node.names:
            self.imported_modules.add(alias.name)
            if alias.asname:
                self._bind(scope, alias.asname, Binding(IMPORT, alias, scope, qualname=alias.name))
            else:
                top = alias.name.partition(".")[0]
                self._bind(scope, top, Binding(IMPORT, alias, scope, qualname=top))
        return True

    def _visit_importfrom(self, node: ast.ImportFrom, scope: Scope, push) -> bool:
        module = _import_from_module(node)
        self.imported_modules.add(module)
        for alias in node.names:
            if alias.name == "*":
                scope.star_imports.append(module)
                continue
            qualname = f"{module}.{alias.name}" if module and not module.endswith(".") else (
                module + alias.name
            )
            self.imported_modules.add(qualname)
            self._bind(scope, alias.asname or alias.name, Binding(IMPORT, alias, scope, qualname=qualname))
        return True

    def _visit_global(self, node: ast.Global, scope: Scope, push) -> bool:
        scope.global_names.update(node.names)
        return True

    def _visit_nonlocal(self, node: ast.Nonlocal, scope: Scope, push) -> bool:
        scope.nonlocal_names.update(node.names)
        return True

    def _visit_function(self, node, scope: Scope, push) -> bool:
        self._bind(scope, node.name, Binding(DEF, node, scope))
        for decorator in node.decorator_list:
            push(decorator)
        args = node.args
        self._push_argument_parts(args, scope, push)
        if node.returns is not None:
            push(node.returns)
        for type_param in getattr(node, "type_params", None) or ():
            push(type_param)
        inner = Scope(node, FUNCTION, scope)
        self._bind_parameters(args, inner)
        _push_in_scope(push, scope, inner, node.body)
        return True

    def _visit_lambda(self, node: ast.Lambda, scope: Scope, push) -> bool:
        args = node.args
        for default in args.defaults:
            push(default)
        for default in args.kw_defaults:
            if default is not None:
                push(default)
        inner = Scope(node, FUNCTION, scope)
        self._bind_parameters(args, inner)
        _push_in_scope(push, scope, inner, (node.body,))
        return True

    @staticmethod
    def _push_argument_parts(args: ast.arguments, scope: Scope, push) -> None:
        for default in args.defaults:
            push(default)
        for default in args.kw_defaults:
            if default is not None:
                push(default)
        for arg in _all_arguments(args):
            if arg.annotation is not None:
                push(arg.annotation)

    def _bind_parameters(self, args: ast.arguments, inner: Scope) -> None:
        for arg in _all_arguments(args):
            self._bind(inner, arg.arg, Binding(PARAM, arg, inner))

    def _visit_class(self, node: ast.ClassDef, scope: Scope, push) -> bool:
        self._bind(scope, node.name, Binding(CLASSDEF, node, scope))
        for decorator in node.decorator_list:
            push(decorator)
        for base in node.bases:
            push(base)
        for keyword in node.keywords:
            push(keyword.value)
        for type_param in getattr(node, "type_params", None) or ():
            push(type_param)
        inner = Scope(node, CLASS, scope)
        self.class_scopes[id(node)] = inner
        _push_in_scope(push, scope, inner, node.body)
        return True

    def _visit_comprehension(self, node, scope: Scope, push) -> bool:
        generators = node.generators
        inner = Scope(node, COMPREHENSION, scope)
        push(generators[0].iter)  # the first iterable is evaluated in the enclosing scope
        inside: list[ast.AST] = []
        for position, generator in enumerate(generators):
            if position:
                inside.append(generator.iter)
            if type(generator.target) is ast.Name:
                self._pending_values[id(generator.target)] = generator.iter
                self._pending_kinds[id(generator.target)] = FOR
            inside.append(generator.target)
            inside.extend(generator.ifs)
        if type(node) is ast.DictComp:
            inside.append(node.key)
            inside.append(node.value)
        else:
            inside.append(node.elt)
        _push_in_scope(push, scope, inner, inside)
        return True

    def _visit_except_handler(self, node: ast.ExceptHandler, scope: Scope, push) -> bool:
        if node.name:
            self._bind(scope, node.name, Binding(STORE, node, scope))
        return False

    def _visit_match_capture(self, node, scope: Scope, push) -> bool:
        name = getattr(node, "name", None) or getattr(node, "rest", None)
        if name:
            self._bind(scope, name, Binding(STORE, node, scope))
        return False


class _Enter:
    """A stack marker of the walk: from here on, nodes are in ``scope``."""

    __slots__ = ("scope",)

    def __init__(self, scope: Scope) -> None:
        self.scope = scope


def _push_in_scope(push, outer: Scope, inner: Scope, nodes) -> None:
    push(_Enter(outer))
    for node in nodes:
        push(node)
    push(_Enter(inner))


def _all_arguments(args: ast.arguments):
    yield from args.posonlyargs
    yield from args.args
    if args.vararg is not None:
        yield args.vararg
    yield from args.kwonlyargs
    if args.kwarg is not None:
        yield args.kwarg


def _nonlocal_target(scope: Scope, name: str) -> Scope:
    """The nearest enclosing function scope (class scopes do not enclose)."""
    candidate = scope.parent
    while candidate is not None and candidate.kind != MODULE:
        if candidate.kind == FUNCTION:
            return candidate
        candidate = candidate.parent
    return scope


#: node type -> the fields that may hold child nodes worth visiting (operators and
#: load/store contexts carry nothing; Constant has no children).
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}
_NO_CHILDREN = frozenset({"ctx", "op", "ops", "id", "arg", "attr", "name", "names", "module",
                          "level", "type_comment", "kind", "conversion", "is_async", "lineno",
                          "col_offset", "end_lineno", "end_col_offset", "value_str"})


def _child_fields_of(node_type: type) -> tuple[str, ...]:
    if node_type is ast.Constant or issubclass(
        node_type, (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)
    ):
        fields: tuple[str, ...] = ()
    else:
        fields = tuple(
            field for field in getattr(node_type, "_fields", ()) if field not in _NO_CHILDREN
        )
        if node_type is ast.alias:
            fields = ()
    _CHILD_FIELDS[node_type] = fields
    return fields


_HANDLERS = {
    ast.Name: ModuleModel._visit_name,
    ast.Assign: ModuleModel._visit_assign,
    ast.AnnAssign: ModuleModel._visit_annassign,
    ast.AugAssign: ModuleModel._visit_augassign,
    ast.NamedExpr: ModuleModel._visit_namedexpr,
    ast.Import: ModuleModel._visit_import,
    ast.ImportFrom: ModuleModel._visit_importfrom,
    ast.Global: ModuleModel._visit_global,
    ast.Nonlocal: ModuleModel._visit_nonlocal,
    ast.FunctionDef: ModuleModel._visit_function,
    ast.AsyncFunctionDef: ModuleModel._visit_function,
    ast.Lambda: ModuleModel._visit_lambda,
    ast.ClassDef: ModuleModel._visit_class,
    ast.ListComp: ModuleModel._visit_comprehension,
    ast.SetComp: ModuleModel._visit_comprehension,
    ast.GeneratorExp: ModuleModel._visit_comprehension,
    ast.DictComp: ModuleModel._visit_comprehension,
    ast.ExceptHandler: ModuleModel._visit_except_handler,
    ast.With: ModuleModel._visit_with,
    ast.AsyncWith: ModuleModel._visit_with,
    ast.For: ModuleModel._visit_for,
    ast.AsyncFor: ModuleModel._visit_for,
    ast.MatchAs: ModuleModel._visit_match_capture,
    ast.MatchStar: ModuleModel._visit_match_capture,
    ast.MatchMapping: ModuleModel._visit_match_capture,
}
