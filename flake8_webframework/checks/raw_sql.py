"""WEB304 raw-sql-formatted: SQL built by string formatting and sent raw to the database.

Two questions per call:

1. Is it a raw-SQL sink? Django ``.raw()`` / ``RawQuerySet`` / ``.extra()`` / ``RawSQL``, a
   DB-API cursor's ``execute``/``executemany``/``executescript``, SQLAlchemy ``text()`` and
   ``execute``/``exec_driver_sql`` on a session, connection or engine.
2. Is the query built by formatting (f-string with fields, ``%``, ``.format()``, ``+``) with
   at least one part that is neither literal nor one of the safe idioms: quoted identifiers,
   integers, placeholder lists, model metadata, backend SQL fragments?

Both analyses are iterative and bounded (explicit stacks, node budgets, hop limits), memoised
per node, and built on the shared value analysis (``ctx.values``). Two small core gaps are
filled here rather than in the core: the sources of names bound by ``for`` / ``with`` targets
(:class:`_StoreSources` walks the statements of the one scope that binds such a name, never
into nested functions or classes) and the operator of an augmented assignment (read from the
``AugAssign`` index).
"""

from __future__ import annotations

import ast
import re
import string

from ..arguments import call_argument
from ..findings import Span
from ..lookups import match_env_lookup
from ..names import lookup_name
from ..scopes import ASSIGN, AUGASSIGN, CLASS, DECLARE, DEF, FOR, IMPORT, PARAM, STORE, WITH
from ..values import LITERAL, NO_VALUE, UNKNOWN
from . import Check

# --------------------------------------------------------------------------- sinks

RAW_SQL_CLASSES = frozenset(
    {"django.db.models.expressions.RawSQL", "django.db.models.RawSQL"}
)
RAW_QUERYSET_CLASSES = frozenset({"django.db.models.query.RawQuerySet"})
SQLALCHEMY_TEXT = frozenset(
    {
        "sqlalchemy.text",
        "sqlalchemy.sql.text",
        "sqlalchemy.sql.expression.text",
        "sqlalchemy.sql.elements.text",
        "sqlmodel.text",
    }
)
FLASK_SQLALCHEMY = frozenset(
    {"flask_sqlalchemy.SQLAlchemy", "flask_sqlalchemy.extension.SQLAlchemy"}
)
SQLALCHEMY_SESSION_CLASSES = frozenset(
    {
        "sqlalchemy.orm.Session",
        "sqlalchemy.orm.session.Session",
        "sqlalchemy.orm.scoped_session",
        "sqlalchemy.orm.scoping.scoped_session",
        "sqlalchemy.ext.asyncio.AsyncSession",
        "sqlalchemy.ext.asyncio.session.AsyncSession",
        "sqlalchemy.ext.asyncio.async_scoped_session",
        "sqlmodel.Session",
        "sqlmodel.orm.session.Session",
        "sqlmodel.ext.asyncio.session.AsyncSession",
    }
)
SQLALCHEMY_SESSION_FACTORIES = frozenset(
    {
        "sqlalchemy.orm.sessionmaker",
        "sqlalchemy.orm.session.sessionmaker",
        "sqlalchemy.ext.asyncio.async_sessionmaker",
        "sqlalchemy.ext.asyncio.session.async_sessionmaker",
    }
)
SQLALCHEMY_ENGINE_FACTORIES = frozenset(
    {
        "sqlalchemy.create_engine",
        "sqlalchemy.engine.create_engine",
        "sqlalchemy.engine.create.create_engine",
        "sqlalchemy.ext.asyncio.create_async_engine",
        "sqlalchemy.ext.asyncio.engine.create_async_engine",
        "sqlmodel.create_engine",
        "sqlalchemy.engine_from_config",
    }
)
#: Annotations that make a parameter a SQLAlchemy session, connection or engine.
SQLALCHEMY_HANDLE_TYPES = SQLALCHEMY_SESSION_CLASSES | frozenset(
    {
        "sqlalchemy.engine.Connection",
        "sqlalchemy.engine.base.Connection",
        "sqlalchemy.engine.Engine",
        "sqlalchemy.engine.base.Engine",
        "sqlalchemy.Connection",
        "sqlalchemy.Engine",
        "sqlalchemy.ext.asyncio.AsyncConnection",
        "sqlalchemy.ext.asyncio.AsyncEngine",
        "sqlalchemy.ext.asyncio.engine.AsyncConnection",
        "sqlalchemy.ext.asyncio.engine.AsyncEngine",
    }
)
#: Methods returning a connection or session handle whose ``execute`` takes SQL.
CONNECTION_METHODS = frozenset({"connect", "begin", "raw_connection", "get_bind", "get_engine"})
DJANGO_MANAGER_ATTRS = frozenset({"objects", "_default_manager", "_base_manager"})
QUERYSET_METHODS = frozenset({"get_queryset", "get_query_set"})
CURSOR_NAMES = frozenset({"cursor", "cur", "curs", "cr", "_cr", "_cursor"})
CURSOR_METHODS = frozenset({"execute", "executemany", "executescript"})
SQLALCHEMY_EXECUTE_METHODS = frozenset({"execute", "exec_driver_sql"})
#: The callee names the call loop of :func:`run` acts on (``ctx.calls_named``): the last
#: part of every qualified name it matches, and every method it tests.
SQL_CALL_NAMES = frozenset(
    {name.rpartition(".")[2] for name in RAW_SQL_CLASSES | RAW_QUERYSET_CLASSES | SQLALCHEMY_TEXT}
    | {"text", "raw", "extra"}
    | CURSOR_METHODS
    | SQLALCHEMY_EXECUTE_METHODS
)
EXTRA_SQL_ARGUMENTS = ("select", "where", "tables", "order_by")  # positions 0, 1, 3, 4
EXTRA_POSITIONS = {0: "select", 1: "where", 3: "tables", 4: "order_by"}

# --------------------------------------------------------------------------- safe parts

#: Callables (by final name, whatever their receiver) that quote an identifier or escape a
#: value for SQL, or that return a backend-generated SQL fragment.
QUOTING_FUNCTIONS = frozenset(
    {
        "quote_name",
        "qn",
        "qn2",
        "quote_name_unless_alias",
        "quote_identifier",
        "quote_ident",
        "quote_schema",
        "quote_literal",
        "quote_value",
        "escape_identifier",
        "escape_string",
        "escape_literal",
        "format_table",
        "format_column",
        "format_table_seq",
        "db_type",
        "identifier_converter",
        "identifier",
        "sql_identifier",
        "literal_string",
        "sql_literal",
    }
)
#: ``connection.<NAME>.method()`` of Django's backend: SQL fragments, quoted or converted
#: identifiers, catalog names.
BACKEND_HELPERS = frozenset({"ops", "introspection"})
#: SQLAlchemy constructs that render as quoted identifiers.
SQLALCHEMY_IDENTIFIERS = frozenset(
    {"sqlalchemy.column", "sqlalchemy.sql.column", "sqlalchemy.sql.expression.column",
     "sqlalchemy.table", "sqlalchemy.sql.table", "sqlalchemy.sql.expression.table",
     "sqlalchemy.sql.quoted_name", "sqlalchemy.sql.elements.quoted_name"}
)
#: ``preparer.quote(...)`` of a SQLAlchemy identifier preparer.
PREPARER_NAMES = frozenset({"preparer", "identifier_preparer"})
#: Calls whose result is a number (or a bool).
NUMERIC_BUILTINS = frozenset(
    {"int", "len", "float", "abs", "round", "bool", "ord", "hash", "id", "sum", "divmod"}
)
NUMERIC_METHODS = frozenset({"count", "index", "find", "rfind", "bit_length", "total_seconds"})
#: Methods whose result is fixed by the server, not by the data (dates, uuids).
FORMAT_METHODS = frozenset({"isoformat", "strftime", "timestamp", "date"})
SAFE_CALL_PREFIXES = (
    "datetime.", "time.", "django.utils.timezone.", "uuid.", "random.", "math.", "decimal.",
)
#: Methods that return their receiver's kind of value (``" , ".join(...).strip()``).
PASS_THROUGH_METHODS = frozenset(
    {"strip", "lstrip", "rstrip", "lower", "upper", "casefold", "title", "capitalize"}
)
DEDENT_FUNCTIONS = frozenset({"textwrap.dedent", "inspect.cleandoc"})
#: Attributes that hold developer-defined identifiers: table and column names of models.
IDENTIFIER_ATTRIBUTES = frozenset(
    {"_meta", "db_table", "db_tablespace", "db_column", "__tablename__", "__table__",
     "features"}
)
#: Methods returning SQL that the ORM compiled with its own parameters.
COMPILED_SQL_METHODS = frozenset(
    {"as_sql", "compile", "sql_with_params", "get_compiler", "as_sqlite", "as_postgresql",
     "as_mysql", "as_oracle", "get_group_by_cols"}
)
NUMERIC_CONVERSIONS = frozenset("diouxXeEfFgGc")
NUMERIC_FORMAT_TYPES = frozenset("bcdoxXneEfFgG%")
_PERCENT_SPEC = re.compile(
    r"%(?:\((?P<key>[^)]*)\))?[#0\- +]*(?P<width>\*|\d+)?(?:\.(?P<prec>\*|\d+))?[hlL]?"
    r"(?P<conv>[diouxXeEfFgGcrsa%])"
)

#: Budgets: nodes visited per question, name hops, comprehension/loop nesting.
_NODE_BUDGET = 400
_QUERY_BUDGET = 4000
_MAX_HOPS = 8
#: Past this many bindings a name is judged binding by binding (the shared value analysis
#: is quadratic on ``q = q + "..."`` repeated thousands of times).
_MANY_BINDINGS = 32


def _final_name(func: ast.AST) -> str | None:
    if type(func) is ast.Attribute:
        return func.attr
    if type(func) is ast.Name:
        return func.id
    return None


def _chain(expr: ast.AST, limit: int = 40):
    """The receiver chain of ``a.b(c).d[e]``: every Attribute, Call and Subscript node down
    to the root, then the root itself."""
    node = expr
    for _ in range(limit):
        yield node
        node_type = type(node)
        if node_type is ast.Attribute or node_type is ast.Subscript:
            node = node.value
        elif node_type is ast.Call:
            node = node.func
        else:
            return


def _chain_attrs(expr: ast.AST) -> set[str]:
    return {node.attr for node in _chain(expr) if type(node) is ast.Attribute}


def _root_name(expr: ast.AST) -> ast.Name | None:
    node = None
    for node in _chain(expr):
        pass
    return node if type(node) is ast.Name else None


class _StoreSources:
    """Where names bound by ``for`` and ``with`` targets (``STORE`` bindings) come from.

    The core records such bindings without a value. This walks the statements of the one
    scope that binds the name (not into nested functions, classes or lambdas), once per
    scope, and maps each target ``Name`` node to ``(kind, source expression, path)``: ``path``
    is the position of the name inside a tuple target (``for i, row in enumerate(rows)``).
    Comprehension scopes map their generators' targets.
    """

    def __init__(self) -> None:
        self._by_scope: dict[int, dict[int, tuple]] = {}

    def source(self, binding) -> tuple | None:
        scope = binding.scope
        table = self._by_scope.get(id(scope))
        if table is None:
            table = self._scan(scope)
            self._by_scope[id(scope)] = table
        return table.get(id(binding.node))

    @staticmethod
    def _note_target(table, target, kind, source, path=()):
        pending = [(target, path)]
        while pending:
            node, node_path = pending.pop()
            if type(node) is ast.Name:
                table[id(node)] = (kind, source, node_path)
            elif type(node) in (ast.Tuple, ast.List) and len(node_path) < 3:
                for position, element in enumerate(node.elts):
                    pending.append((element, node_path + (position,)))

    def _scan(self, scope) -> dict[int, tuple]:
        table: dict[int, tuple] = {}
        node = scope.node
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            for generator in node.generators:
                self._note_target(table, generator.target, "for", generator.iter)
            return table
        body = getattr(node, "body", None)
        if not isinstance(body, list):
            return table
        stack = list(body)
        budget = 20_000
        while stack and budget > 0:
            budget -= 1
            statement = stack.pop()
            statement_type = type(statement)
            if statement_type in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
                continue
            if statement_type in (ast.For, ast.AsyncFor):
                self._note_target(table, statement.target, "for", statement.iter)
            elif statement_type in (ast.With, ast.AsyncWith):
                for item in statement.items:
                    if item.optional_vars is not None:
                        self._note_target(table, item.optional_vars, "with", item.context_expr)
            for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                children = getattr(statement, field, None)
                if isinstance(children, list):
                    stack.extend(children)
        return table


class _Analysis:
    """The per-file state of WEB304: memoised verdicts on parts, names and receivers."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.values = ctx.values
        self.stores = _StoreSources()
        self._safe_cache: dict[int, bool] = {}
        self._aug_ops: dict[int, type] | None = None
        self._unpacked: dict[int, tuple[ast.AST, tuple]] | None = None
        self._returns: dict[int, list] | None = None
        self._in_progress: set[int] = set()

    # -- small core gaps ------------------------------------------------------------------

    def aug_op(self, value: ast.AST) -> type | None:
        """The operator of the ``x op= value`` whose right-hand side is ``value``."""
        if self._aug_ops is None:
            self._aug_ops = {
                id(node.value): type(node.op) for node, _ in self.ctx.nodes(ast.AugAssign)
            }
        return self._aug_ops.get(id(value))

    def unpacked_from(self, name_node: ast.AST):
        """For a name bound by tuple unpacking in an assignment (``sql, params = f()``):
        (the assigned value, the name's position path)."""
        if self._unpacked is None:
            table: dict[int, tuple[ast.AST, tuple]] = {}
            for node, _ in self.ctx.nodes(ast.Assign):
                for target in node.targets:
                    if type(target) in (ast.Tuple, ast.List):
                        _StoreSources._note_target(table, target, "unpack", node.value)
            self._unpacked = {key: (entry[1], entry[2]) for key, entry in table.items()}
        return self._unpacked.get(id(name_node))

    # -- binding helpers ------------------------------------------------------------------

    def bound_values(self, name: ast.Name, scope):
        """(bindings, ASSIGN values) of a name; bindings empty when unbound."""
        _, bindings = lookup_name(scope, name.id)
        return bindings

    def name_origin_matches(self, name: ast.Name, scope, predicate, hops: int = 0) -> bool:
        """Some binding of ``name`` (assignment value or ``with`` target source) satisfies
        ``predicate(expr, scope)``, and no binding is a plain reassignment to something else
        that is known. Used for receivers."""
        if hops > _MAX_HOPS:
            return False
        for binding in self.bound_values(name, scope):
            source = None
            if binding.kind == ASSIGN:
                source = binding.value
            elif binding.kind in (STORE, FOR, WITH):
                found = self.stores.source(binding)
                if found is not None and found[0] == "with" and not found[2]:
                    source = found[1]
            if source is None:
                continue
            if predicate(source, binding.scope):
                return True
            if type(source) is ast.Name and source is not name:
                if self.name_origin_matches(source, binding.scope, predicate, hops + 1):
                    return True
        return False

    # -- receivers ------------------------------------------------------------------------

    def is_queryset(self, expr: ast.AST, scope, hops: int = 0) -> bool:
        """A Django manager or queryset: a chain through ``.objects`` (or the default
        managers), ``get_queryset()``, ``self`` inside a Manager/QuerySet subclass, or a name
        bound from one of those."""
        for node in _chain(expr):
            node_type = type(node)
            if node_type is ast.Attribute and node.attr in DJANGO_MANAGER_ATTRS:
                return True
            if node_type is ast.Call and _final_name(node.func) in QUERYSET_METHODS:
                return True
            if node_type is ast.Name:
                if node.id in ("self", "cls"):
                    return self._in_manager_class(scope)
                if node.id in DJANGO_MANAGER_ATTRS or node.id.endswith("queryset") or (
                    node.id == "qs"
                ):
                    return True
                if hops < 4:
                    return self.name_origin_matches(
                        node, scope, lambda value, value_scope: self.is_queryset(
                            value, value_scope, hops + 1)
                    )
        return False

    def _in_manager_class(self, scope) -> bool:
        current = scope
        while current is not None and current.kind != CLASS:
            if current.kind == "function" and current.parent is not None and (
                current.parent.kind == CLASS
            ):
                current = current.parent
                break
            current = current.parent
        if current is None or current.kind != CLASS:
            return False
        for base in getattr(current.node, "bases", ()):
            names = set(self.ctx.qualnames(base, current.parent)) if current.parent else set()
            final = _final_name(base if type(base) is not ast.Subscript else base.value)
            if final:
                names.add(final)
            for name in names:
                last = name.rpartition(".")[2]
                if last.endswith(("Manager", "QuerySet")):
                    return True
        return False

    def is_cursor(self, expr: ast.AST, scope) -> bool:
        """A DB-API cursor: ``x.cursor()``, a name bound from it (also as a ``with``
        target), or a name / attribute conventionally holding one (``cursor``, ``cur``)."""
        expr_type = type(expr)
        if expr_type is ast.Call:
            return _final_name(expr.func) == "cursor"
        if expr_type is ast.Attribute:
            return expr.attr in CURSOR_NAMES or expr.attr.endswith("_cursor")
        if expr_type is ast.Name:
            if expr.id in CURSOR_NAMES or expr.id.endswith("_cursor"):
                return True
            return self.name_origin_matches(
                expr, scope, lambda value, _scope: type(value) is ast.Call
                and _final_name(value.func) == "cursor"
            )
        return False

    def is_flask_sqlalchemy(self, expr: ast.AST, scope) -> bool:
        """``db`` of Flask-SQLAlchemy: bound to ``SQLAlchemy(...)``, or a name ``db`` of
        unknown origin (imported from the project, a parameter)."""
        if type(expr) is not ast.Name:
            return False
        bindings = self.bound_values(expr, scope)
        if self.name_origin_matches(
            expr, scope, lambda value, value_scope: type(value) is ast.Call
            and bool(self.ctx.qualnames(value.func, value_scope) & FLASK_SQLALCHEMY)
        ):
            return True
        if expr.id != "db":
            return False
        return not bindings or all(b.kind in (IMPORT, PARAM, DECLARE) for b in bindings)

    def sqlalchemy_handle(self, expr: ast.AST, scope) -> str | None:
        """What a receiver of ``execute`` is, when it is a SQLAlchemy (or DB-API) handle:
        ``"session"``, ``"connection"`` or ``"engine"``; else ``None``."""
        expr_type = type(expr)
        if expr_type is ast.Attribute:
            if expr.attr in ("session", "engine") and self.is_flask_sqlalchemy(expr.value, scope):
                return expr.attr
            if expr.attr in ("session", "db_session") and type(expr.value) is ast.Name and (
                expr.value.id in ("self", "cls")
            ):
                return "session"
            if expr.attr in ("session", "engine") and type(expr.value) is ast.Attribute and (
                expr.value.attr == "db"
            ):
                return expr.attr  # self.db.session, current_app.db.engine
            if expr.attr == "bind" and type(expr.value) in (ast.Name, ast.Attribute):
                return "connection"  # inspector.bind, session.bind, metadata.bind
            return None
        if expr_type is ast.Call:
            return self._handle_from_call(expr, scope)
        if expr_type is not ast.Name:
            return None
        found: list[str] = []

        def predicate(value, value_scope):
            if type(value) is ast.Call:
                kind = self._handle_from_call(value, value_scope)
                if kind:
                    found.append(kind)
                    return True
            if type(value) is ast.Attribute:
                kind = self.sqlalchemy_handle(value, value_scope)
                if kind:
                    found.append(kind)
                    return True
            return False

        if self.name_origin_matches(expr, scope, predicate):
            return found[0] if found else "session"
        for binding in self.bound_values(expr, scope):
            if binding.kind == PARAM and self._annotated_handle(binding.node, binding.scope):
                return "session" if "ession" in expr.id else "connection"
        return None

    def _handle_from_call(self, call: ast.Call, scope) -> str | None:
        func = call.func
        names = self.ctx.qualnames(func, scope)
        if names & SQLALCHEMY_SESSION_CLASSES:
            return "session"
        if names & SQLALCHEMY_ENGINE_FACTORIES:
            return "engine"
        if type(func) is ast.Call and (
            self.ctx.qualnames(func.func, scope) & SQLALCHEMY_SESSION_FACTORIES
        ):
            return "session"  # sessionmaker(...)()
        if type(func) is ast.Name and self.name_origin_matches(
            func, scope, lambda value, value_scope: type(value) is ast.Call
            and bool(self.ctx.qualnames(value.func, value_scope)
                     & (SQLALCHEMY_SESSION_FACTORIES | SQLALCHEMY_SESSION_CLASSES))
        ):
            return "session"  # SessionLocal = sessionmaker(...); SessionLocal()
        if type(func) is ast.Attribute and func.attr in CONNECTION_METHODS:
            return "connection"
        return None

    def _annotated_handle(self, arg: ast.arg, scope) -> bool:
        annotation = getattr(arg, "annotation", None)
        if annotation is None:
            return False
        # the annotation is evaluated in the scope that defines the function
        outer = scope.parent if scope.parent is not None else scope
        pending = [annotation]
        for _ in range(8):
            if not pending:
                return False
            node = pending.pop()
            if type(node) is ast.Subscript:  # Annotated[Session, Depends()] / Optional[...]
                inner = node.slice
                pending.append(inner.elts[0] if type(inner) is ast.Tuple and inner.elts else inner)
                continue
            if type(node) is ast.BinOp:  # Session | None
                pending.extend((node.left, node.right))
                continue
            if type(node) is ast.Constant and isinstance(node.value, str):
                if len(node.value) > 200:  # a type name, not a program
                    return False
                try:
                    node = ast.parse(node.value, mode="eval").body
                except (SyntaxError, ValueError, RecursionError, MemoryError):
                    return False
                pending.append(node)
                continue
            if self.ctx.qualnames(node, outer) & SQLALCHEMY_HANDLE_TYPES:
                return True
        return False

    # -- the query: formatted with an unsafe part? ----------------------------------------

    def unsafe_query(self, query: ast.AST, scope) -> bool:
        """``query`` is built by formatting (f-string with fields, ``%``, ``.format()``,
        ``+``, ``+=``) with at least one part that is not safe; names are followed through
        their bindings (any formatted binding counts)."""
        stack = [(query, scope, 0)]
        seen: set[int] = set()
        seen_names: set[tuple[int, str]] = set()
        budget = _QUERY_BUDGET
        while stack and budget > 0:
            budget -= 1
            node, node_scope, hops = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            node_type = type(node)
            if node_type is ast.JoinedStr:
                for part, numeric in _joinedstr_parts(node):
                    if not numeric and not self.safe_part(part, node_scope):
                        return True
            elif node_type is ast.BinOp:
                op_type = type(node.op)
                if op_type is ast.Mod:
                    if self._template_is_nonstring(node.left, node_scope):
                        continue
                    stack.append((node.left, node_scope, hops))
                    for part, numeric in self._percent_parts(node, node_scope):
                        if not numeric and not self.safe_part(part, node_scope):
                            return True
                elif op_type is ast.Add:
                    for operand in _flatten_add(node):
                        if not self.safe_part(operand, node_scope):
                            return True
            elif node_type is ast.Call:
                func = node.func
                final = _final_name(func)
                if type(func) is ast.Attribute and final == "format":
                    if self._is_composable(func.value, node_scope):
                        continue
                    stack.append((func.value, node_scope, hops))
                    for part, numeric in self._format_parts(node, node_scope):
                        if not numeric and not self.safe_part(part, node_scope):
                            return True
                elif type(func) is ast.Attribute and final == "join" and len(node.args) == 1 and (
                    type(node.args[0]) in (ast.List, ast.Tuple)
                ):
                    # "".join(["SELECT ... '", name, "'"]) is concatenation
                    if not self.safe_part(func.value, node_scope):
                        continue
                    for element in node.args[0].elts:
                        if not self.safe_part(element, node_scope):
                            return True
                elif type(func) is ast.Attribute and final in PASS_THROUGH_METHODS:
                    stack.append((func.value, node_scope, hops))
                elif node.args and self.ctx.qualnames(func, node_scope) & DEDENT_FUNCTIONS:
                    stack.append((node.args[0], node_scope, hops))
                elif final == "str" and len(node.args) == 1 and self.ctx.qualnames(
                    func, node_scope
                ) == {"builtins.str"}:
                    stack.append((node.args[0], node_scope, hops))
            elif node_type is ast.IfExp:
                stack.append((node.body, node_scope, hops))
                stack.append((node.orelse, node_scope, hops))
            elif node_type is ast.NamedExpr:
                stack.append((node.value, node_scope, hops))
            elif node_type is ast.Name and hops < _MAX_HOPS:
                bound_in, bindings = lookup_name(node_scope, node.id)
                if (id(bound_in), node.id) in seen_names:
                    continue
                seen_names.add((id(bound_in), node.id))
                for binding in bindings:
                    if binding.kind == ASSIGN:
                        stack.append((binding.value, binding.scope, hops + 1))
                    elif binding.kind == AUGASSIGN:
                        op_type = self.aug_op(binding.value)
                        if op_type is ast.Add:
                            if not self.safe_part(binding.value, binding.scope):
                                return True
                        elif op_type is ast.Mod:
                            for part in _tuple_parts(binding.value):
                                if not self.safe_part(part, binding.scope):
                                    return True
        return False

    def _template_is_nonstring(self, template: ast.AST, scope) -> bool:
        """``a % b`` where ``a`` is a known number: arithmetic, not formatting."""
        value = self._evaluate(template, scope)
        if value is None:
            return False
        return value.is_literal and value.value is not NO_VALUE and not isinstance(
            value.value, (str, bytes)
        )

    def _is_composable(self, receiver: ast.AST, scope) -> bool:
        """psycopg's ``sql.SQL("...").format(...)`` composes safely, it is not ``str.format``."""
        node = receiver
        if type(node) is ast.Name:
            bindings = self.bound_values(node, scope)
            if len(bindings) == 1 and bindings[0].kind == ASSIGN:
                node, scope = bindings[0].value, bindings[0].scope
        if type(node) is not ast.Call:
            return False
        names = self.ctx.qualnames(node.func, scope)
        if any(name.startswith(("psycopg2.sql.", "psycopg.sql.")) for name in names):
            return True
        return type(node.func) is ast.Attribute and node.func.attr in ("SQL", "Composed") and (
            _final_name(node.func.value) == "sql"
        )

    def _evaluate(self, node: ast.AST, scope):
        """The shared value analysis, except for names with very many bindings."""
        if _crowded(node, scope):
            return None
        return self.values.evaluate(node, scope)

    def _literal_text(self, node: ast.AST, scope) -> str | None:
        value = self._evaluate(node, scope)
        if value is None:
            return None
        if value.is_literal and isinstance(value.value, str):
            return value.value
        if value.is_literal and isinstance(value.value, bytes):
            try:
                return value.value.decode("latin-1")
            except Exception:  # noqa: BLE001
                return None
        return None

    def _percent_parts(self, node: ast.BinOp, scope):
        """The inserted parts of ``template % args``, each with "a numeric conversion makes
        it safe"."""
        text = self._literal_text(node.left, scope)
        right = node.right
        if text is None:
            return [(part, False) for part in _tuple_parts(right)]
        conversions = []
        for match in _PERCENT_SPEC.finditer(text):
            if match.group("conv") == "%":
                continue
            if match.group("width") == "*" or match.group("prec") == "*":
                return [(part, False) for part in _tuple_parts(right)]
            conversions.append((match.group("key"), match.group("conv") in NUMERIC_CONVERSIONS))
        if not conversions:
            return []  # nothing is inserted
        if all(key is not None for key, _ in conversions):
            numeric_keys: dict[str, bool] = {}
            for key, numeric in conversions:
                numeric_keys[key] = numeric_keys.get(key, True) and numeric
            if type(right) is ast.Dict:
                parts = []
                for key, value in zip(right.keys, right.values):
                    if key is None:
                        parts.append((value, False))
                        continue
                    key_text = self._literal_text(key, scope)
                    if key_text is None:
                        parts.append((value, False))
                    elif key_text in numeric_keys:
                        parts.append((value, numeric_keys[key_text]))
                return parts
            if type(right) is ast.Call and _final_name(right.func) == "dict" and not right.args:
                return [
                    (kw.value, numeric_keys.get(kw.arg, False) if kw.arg else False)
                    for kw in right.keywords
                    if kw.arg is None or kw.arg in numeric_keys
                ]
            everything_numeric = all(numeric for _, numeric in conversions)
            return [(right, everything_numeric)]
        if type(right) is ast.Tuple:
            if any(type(element) is ast.Starred for element in right.elts) or len(
                right.elts
            ) != len(conversions):
                return [(part, False) for part in right.elts]
            return [(element, numeric) for element, (_, numeric) in zip(right.elts, conversions)]
        if len(conversions) == 1:
            return [(right, conversions[0][1])]
        return [(part, False) for part in _tuple_parts(right)]

    def _format_parts(self, call: ast.Call, scope):
        """The inserted arguments of ``template.format(...)``, each with "only numeric
        format specs use it"."""
        text = self._literal_text(call.func.value, scope)
        fields = None
        if text is not None:
            try:
                fields = list(string.Formatter().parse(text))
            except (ValueError, TypeError):
                fields = None
        if fields is None:
            parts = [(arg.value if type(arg) is ast.Starred else arg, False) for arg in call.args]
            parts.extend((kw.value, False) for kw in call.keywords)
            return parts
        usage: dict[object, bool] = {}
        automatic = 0
        pending = [(field_name, spec, conversion) for _, field_name, spec, conversion in fields]
        steps = 0
        while pending and steps < 1000:
            steps += 1
            field_name, spec, conversion = pending.pop(0)
            if field_name is None:
                continue
            base = re.split(r"[.\[]", field_name, maxsplit=1)[0]
            if base == "":
                key: object = automatic
                automatic += 1
            elif base.isdigit():
                key = int(base)
            else:
                key = base
            numeric = bool(spec) and conversion is None and spec[-1] in NUMERIC_FORMAT_TYPES and (
                "{" not in spec
            )
            if base != field_name:
                numeric = False  # an attribute or item of the argument
            usage[key] = usage.get(key, True) and numeric
            if spec and "{" in spec:  # nested fields in the spec: "{:{width}}"
                try:
                    pending.extend((n, s, c) for _, n, s, c in string.Formatter().parse(spec))
                except (ValueError, TypeError):
                    pass
        parts = []
        starred = False
        for position, arg in enumerate(call.args):
            if type(arg) is ast.Starred:
                starred = True
                parts.append((arg.value, False))
            elif starred or position in usage:
                parts.append((arg, usage.get(position, False) and not starred))
        for keyword in call.keywords:
            if keyword.arg is None:
                parts.append((keyword.value, False))
            elif keyword.arg in usage:
                parts.append((keyword.value, usage[keyword.arg]))
        return parts

    # -- parts: safe to insert into SQL? --------------------------------------------------

    def safe_part(self, part: ast.AST, scope) -> bool:
        """Literal, of unknown value, or one of the safe idioms (quoted identifiers, model
        metadata, integers, placeholder lists, backend SQL fragments), recursively."""
        key: object = id(part)
        if type(part) is ast.Name:  # one verdict per name, not per occurrence
            bound_in, _ = lookup_name(scope, part.id)
            key = (id(bound_in), part.id)
        cached = self._safe_cache.get(key)
        if cached is not None:
            return cached
        if key in self._in_progress or len(self._in_progress) > 6:
            return True  # a cycle, or nesting too deep to judge: stay silent
        self._in_progress.add(key)
        try:
            result = self._safe_part(part, scope)
        finally:
            self._in_progress.discard(key)
        self._safe_cache[key] = result
        return result

    def _safe_part(self, root: ast.AST, root_scope) -> bool:
        # (node, scope, comprehension environment, name hops)
        stack = [(root, root_scope, None, 0)]
        seen: set[int] = set()
        seen_names: set[tuple[int, str]] = set()
        budget = _NODE_BUDGET
        while stack:
            budget -= 1
            if budget <= 0:
                return True  # too large to judge: stay silent
            node, scope, env, hops = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            cached = self._safe_cache.get(id(node))
            if cached is True:
                continue
            if cached is False:
                return False
            node_type = type(node)
            if node_type is ast.Name and env and node.id in env:
                verdict = env[node.id]
                if verdict is True:
                    continue
                if verdict is False:
                    return False
                stack.append((verdict[0], verdict[1], env, hops))
                continue
            if node_type is ast.Name:
                if hops >= _MAX_HOPS:
                    continue
                bound_in, bindings = lookup_name(scope, node.id)
                if bound_in is None:
                    continue  # builtins, star imports: unknown
                name_key = (id(bound_in), node.id)
                if name_key in seen_names:
                    continue  # this name's bindings are already on the stack
                seen_names.add(name_key)
                if len(bindings) <= _MANY_BINDINGS:
                    kind = self.values.evaluate(node, scope).kind
                    if kind == LITERAL or kind == UNKNOWN:
                        continue
                for binding in bindings:
                    verdict = self._binding_part(binding)
                    if verdict is False:
                        return False
                    if verdict is not True:
                        stack.append((verdict[0], verdict[1], None, hops + 1))
                continue
            if node_type is ast.Constant:
                continue
            if (not env or not _mentions(node, env)) and not _crowded(node, scope):
                kind = self.values.evaluate(node, scope).kind
                if kind == LITERAL or kind == UNKNOWN:
                    continue
            if node_type is ast.JoinedStr:
                for part, numeric in _joinedstr_parts(node):
                    if not numeric:
                        stack.append((part, scope, env, hops))
                continue
            if node_type is ast.BinOp:
                op_type = type(node.op)
                if op_type is ast.Mod:
                    if self._template_is_nonstring(node.left, scope):
                        continue
                    stack.append((node.left, scope, env, hops))
                    for part, numeric in self._percent_parts(node, scope):
                        if not numeric:
                            stack.append((part, scope, env, hops))
                    continue
                if op_type is ast.Mult:
                    # ["%s"] * n, "?," * n: the literal side decides
                    left = self.values.evaluate(node.left, scope)
                    right = self.values.evaluate(node.right, scope)
                    if left.kind != 2 and self._is_sequence_literal(node.left):
                        continue
                    if right.kind != 2 and self._is_sequence_literal(node.right):
                        continue
                    stack.append((node.left, scope, env, hops))
                    stack.append((node.right, scope, env, hops))
                    continue
                if op_type in (ast.Sub, ast.Div, ast.FloorDiv, ast.Pow, ast.LShift, ast.RShift,
                               ast.BitXor, ast.BitAnd):
                    continue  # numbers (sets aside)
                stack.append((node.left, scope, env, hops))
                stack.append((node.right, scope, env, hops))
                continue
            if node_type is ast.UnaryOp:
                if type(node.op) in (ast.USub, ast.UAdd, ast.Invert, ast.Not):
                    continue
            if node_type is ast.IfExp:
                stack.append((node.body, scope, env, hops))
                stack.append((node.orelse, scope, env, hops))
                continue
            if node_type is ast.Compare:
                continue  # a bool
            if node_type is ast.BoolOp:
                stack.extend((value, scope, env, hops) for value in node.values)
                continue
            if node_type is ast.NamedExpr:
                stack.append((node.value, scope, env, hops))
                continue
            if node_type is ast.Attribute:
                root = _root_name(node)
                if env and root is not None and root.id in env:
                    if env[root.id] is True:
                        continue  # an attribute of an element of a literal or _meta list
                    return False
                if self._identifier_attribute(node, scope):
                    continue
                found = self.values.attribute_bindings(node, scope)
                if found is not None and found[1] and hops < _MAX_HOPS:
                    # self.X / cls.X / Class.X bound in this file's class: judge its values
                    for binding in found[1]:
                        if binding.kind not in (ASSIGN, AUGASSIGN):
                            return False
                        stack.append((binding.value, binding.scope, None, hops + 1))
                    continue
                return False
            if node_type is ast.Subscript:
                verdict = self._subscript_part(node, scope)
                if verdict is True:
                    continue
                if verdict is False:
                    return False
                stack.append((verdict, scope, env, hops))
                continue
            if node_type is ast.Call:
                verdict = self._call_part(node, scope, env)
                if verdict is True:
                    continue
                if verdict is False:
                    return False
                stack.extend((item[0], item[1], item[2], hops) for item in verdict)
                continue
            if node_type in (ast.Tuple, ast.List, ast.Set):
                stack.extend((element, scope, env, hops) for element in node.elts)
                continue
            if node_type is ast.Starred:
                stack.append((node.value, scope, env, hops))
                continue
            return False
        return True

    @staticmethod
    def _is_sequence_literal(node: ast.AST) -> bool:
        return type(node) in (ast.List, ast.Tuple, ast.Constant, ast.JoinedStr, ast.Name)

    def _binding_part(self, binding):
        """``True`` (safe), ``False`` (unsafe) or ``(expr, scope)`` to judge instead."""
        kind = binding.kind
        if kind == ASSIGN:
            return (binding.value, binding.scope)
        if kind == AUGASSIGN:
            return (binding.value, binding.scope)
        if kind in (IMPORT, DECLARE):
            return True
        if kind in (STORE, FOR, WITH):
            found = self.stores.source(binding)
            if found is not None:
                return self._iteration_part(found, binding.scope)
            unpacked = self.unpacked_from(binding.node)
            if unpacked is not None:
                value, path = unpacked
                if type(value) is ast.Call and _final_name(value.func) in COMPILED_SQL_METHODS:
                    return True  # sql, params = compiler.compile(node)
                if path == (0,) and type(value) is ast.Call and _final_name(value.func) == "divmod":
                    return True
                literal = self.values.evaluate(value, binding.scope).kind
                return literal != 2
            return False
        return False  # parameters, defs, classes, except targets

    def _iteration_part(self, found, scope):
        """The value a ``for``/``with`` target takes."""
        kind, source, path = found
        if kind == "with":
            return False
        return self._element_of(source, path, scope)

    def _element_of(self, iterable: ast.AST, path: tuple, scope):
        """Safe verdict for an element (at ``path``) of what ``iterable`` yields."""
        value = self.values.evaluate(iterable, scope)
        if value.kind != 2:
            return True  # a literal (or unknown) collection
        if type(iterable) is ast.Call:
            func_names = self.ctx.qualnames(iterable.func, scope)
            final = _final_name(iterable.func)
            if "builtins.range" in func_names:
                return True
            if "builtins.enumerate" in func_names and iterable.args:
                if path[:1] == (0,):
                    return True
                if path[:1] == (1,):
                    return self._element_of(iterable.args[0], path[1:], scope)
                return False
            if "builtins.zip" in func_names and path:
                index = path[0]
                if index < len(iterable.args):
                    return self._element_of(iterable.args[index], path[1:], scope)
                return False
            if final in ("items", "keys", "values") and type(iterable.func) is ast.Attribute:
                receiver = self.values.evaluate(iterable.func.value, scope)
                return receiver.kind != 2
            if "builtins.sorted" in func_names or "builtins.reversed" in func_names or (
                "builtins.list" in func_names or "builtins.tuple" in func_names
                or "builtins.set" in func_names
            ):
                if iterable.args:
                    return self._element_of(iterable.args[0], path, scope)
        if type(iterable) is ast.Attribute and _chain_attrs(iterable) & {"_meta"}:
            return True  # for field in model._meta.fields
        if type(iterable) is ast.Call and type(iterable.func) is ast.Attribute and (
            iterable.func.attr in ("items", "keys", "values")
        ):
            iterable = iterable.func.value
        # the elements of a safe collection (quoted names, catalog names) are safe
        return self.safe_part(iterable, scope)

    def _identifier_attribute(self, node: ast.Attribute, scope, hops: int = 0) -> bool:
        """``model._meta.db_table``, ``opts.db_table`` with ``opts = model._meta``,
        ``Model.__tablename__``, ``self.table_name`` bound to literals in the class."""
        attrs = _chain_attrs(node)
        if attrs & IDENTIFIER_ATTRIBUTES:
            return True
        if "ops" in attrs and _mentions_connection(node):
            return True  # connection.ops.select: a backend SQL template
        base = node.value
        if node.attr in ("value", "name") and type(base) is ast.Attribute and base.attr.isupper():
            return True  # Status.ACTIVE.value: an enum member's constant
        root = _root_name(node)
        if root is None or hops >= 3:
            return False
        if root.id in ("self", "cls"):
            return False
        bindings = self.bound_values(root, scope)
        for binding in bindings:
            if binding.kind == ASSIGN:
                if not (_chain_attrs(binding.value) & IDENTIFIER_ATTRIBUTES):
                    return False
            elif binding.kind in (STORE, FOR, WITH):
                # for field in opts.fields: field.column
                found = self.stores.source(binding)
                if found is None or found[0] != "for":
                    return False
                iterable = found[1]
                if not (_chain_attrs(iterable) & IDENTIFIER_ATTRIBUTES):
                    inner = _root_name(iterable)
                    if inner is None or inner is root or not self._identifier_attribute(
                        ast.Attribute(value=inner, attr="_", ctx=ast.Load()), scope, hops + 1
                    ):
                        return False
            else:
                return False
        return bool(bindings)

    def _subscript_part(self, node: ast.Subscript, scope):
        """A lookup in a literal mapping or sequence yields one of its literal values."""
        container = self.values.evaluate(node.value, scope)
        if container.kind != 2:
            return True
        if self.ctx.qualnames(node.value, scope) & {"os.environ"}:
            return True  # os.environ["DB_SCHEMA"]: the operator's configuration
        value = node.value
        if type(value) is ast.Call and _final_name(value.func) in COMPILED_SQL_METHODS:
            return True  # compiler.compile(node)[0]
        if type(value) is ast.Attribute and self._identifier_attribute(value, scope):
            return True
        return False

    def _call_part(self, call: ast.Call, scope, env):
        """``True``/``False`` or a list of (expr, scope, env) that must all be safe."""
        func = call.func
        final = _final_name(func)
        names = self.ctx.qualnames(func, scope)
        if names & {f"builtins.{name}" for name in NUMERIC_BUILTINS}:
            return True
        if final in QUOTING_FUNCTIONS or _quoting_name(final):
            return True
        if _chain_attrs(func) & IDENTIFIER_ATTRIBUTES:
            return True  # model._meta.get_field("x").column, connection.features.x.get()
        if type(func) is ast.Attribute:
            receiver_attrs = _chain_attrs(func.value)
            root = _root_name(func.value)
            if final == "quote" and (
                receiver_attrs & PREPARER_NAMES or (root is not None and root.id in PREPARER_NAMES)
            ):
                return True
            if type(func.value) is ast.Attribute and func.value.attr in BACKEND_HELPERS:
                return True  # connection.ops.*(), connection.introspection.*()
            if final in NUMERIC_METHODS or final in FORMAT_METHODS:
                return True
            if final in COMPILED_SQL_METHODS:
                return True
            if final == "join" and len(call.args) == 1 and not call.keywords:
                return [(func.value, scope, env)] + self._join_elements(call.args[0], scope, env)
            if final in PASS_THROUGH_METHODS and not call.args:
                return [(func.value, scope, env)]
            if final == "get" and call.args:
                container = self.values.evaluate(func.value, scope)
                if container.kind != 2:  # LITERAL_MAP.get(key, "default")
                    return [(arg, scope, env) for arg in call.args[1:]]
            if final == "format":
                if self._is_composable(func.value, scope):
                    return True
                items = [(func.value, scope, env)]
                items.extend((part, scope, env) for part, numeric in self._format_parts(call, scope)
                             if not numeric)
                return items
        if type(func) is ast.Name and func.id in ("qn", "quote_name"):
            return True
        if any(name.startswith(SAFE_CALL_PREFIXES) for name in names):
            return True
        if match_env_lookup(call, scope, self.values) is not None:
            return True  # os.getenv("DB_SCHEMA"), env("TABLE"): the operator's configuration
        if names & {"builtins.str", "builtins.min", "builtins.max"}:
            return [(arg, scope, env) for arg in call.args]
        if names & DEDENT_FUNCTIONS:
            return [(arg, scope, env) for arg in call.args]
        if type(func) is ast.Name:
            # a local alias of a quoting function: q = connection.ops.quote_name
            for binding in self.bound_values(func, scope):
                if binding.kind == ASSIGN and _final_name(binding.value) in QUOTING_FUNCTIONS:
                    return True
        returned = self._returned_values(func, scope)
        if returned is not None:
            if any(_doubles_quotes(value) for value, _ in returned):
                return True  # a quoting helper: return '"' + s.replace('"', '""') + '"'
            return [(value, value_scope, None) for value, value_scope in returned]
        if names & SQLALCHEMY_IDENTIFIERS:
            return True
        return False

    def _returned_values(self, func: ast.AST, scope):
        """The ``return`` values of a function of this file called as ``name(...)`` or
        ``self.name(...)``: a helper that returns SQL text is judged by what it returns."""
        definition = None
        if type(func) is ast.Name:
            bindings = self.bound_values(func, scope)
            if len(bindings) == 1 and bindings[0].kind == DEF:
                definition = bindings[0].node
        elif type(func) is ast.Attribute and type(func.value) is ast.Name and func.value.id in (
            "self", "cls"
        ):
            owner = _method_owner(scope)
            if owner is not None:
                bindings = owner.bindings.get(func.attr, [])
                if len(bindings) == 1 and bindings[0].kind == DEF:
                    definition = bindings[0].node
        if definition is None or type(definition) not in (ast.FunctionDef, ast.AsyncFunctionDef):
            return None
        if self._returns is None:
            self._returns = {}
            for node, node_scope in self.ctx.nodes(ast.Return):
                function = node_scope
                while function is not None and function.kind not in ("function",):
                    function = function.parent
                if function is not None:
                    self._returns.setdefault(id(function.node), []).append(
                        (node.value, node_scope)
                    )
        returned = self._returns.get(id(definition))
        if not returned or any(value is None for value, _ in returned):
            return None
        return returned

    def _join_elements(self, argument: ast.AST, scope, env):
        """What ``sep.join(argument)`` inserts: the elements of a list, a comprehension's
        element (loop variables judged by what they iterate), ``map(safe, ...)``."""
        argument_type = type(argument)
        if argument_type in (ast.ListComp, ast.GeneratorExp, ast.SetComp):
            inner_env = dict(env or {})
            for generator in argument.generators:
                targets: dict[int, tuple] = {}
                _StoreSources._note_target(targets, generator.target, "for", generator.iter)
                names = _target_names(generator.target)
                for name_node, path in names:
                    iterable = generator.iter
                    verdict = self._element_of(iterable, path, scope) if not (
                        type(iterable) is ast.Name and iterable.id in inner_env
                    ) else inner_env[iterable.id]
                    inner_env[name_node.id] = verdict if verdict is not None else False
            return [(argument.elt, scope, inner_env)]
        if argument_type is ast.Call:
            names = self.ctx.qualnames(argument.func, scope)
            if "builtins.map" in names and argument.args:
                mapper = argument.args[0]
                if type(mapper) in (ast.Name, ast.Attribute):
                    mapper_final = _final_name(mapper)
                    if mapper_final in QUOTING_FUNCTIONS or self.ctx.qualnames(mapper, scope) & {
                        f"builtins.{name}" for name in NUMERIC_BUILTINS
                    }:
                        return []
                    if self.ctx.qualnames(mapper, scope) & {"builtins.str"}:
                        return [(a, scope, env) for a in argument.args[1:]]
                    if type(mapper) is ast.Attribute and "ops" in _chain_attrs(mapper):
                        return []
                if type(mapper) is ast.Lambda:
                    body = mapper.body
                    if self.values.evaluate(body, scope).kind != 2:
                        return []
                    if type(body) is ast.Call and _final_name(body.func) in QUOTING_FUNCTIONS:
                        return []
                return [(argument, scope, env)]
            if names & {"itertools.repeat"} and argument.args:
                return [(argument.args[0], scope, env)]
            if names & {"builtins.sorted", "builtins.list", "builtins.tuple", "builtins.set",
                        "builtins.reversed"} and argument.args:
                return self._join_elements(argument.args[0], scope, env)
            return [(argument, scope, env)]
        if argument_type in (ast.List, ast.Tuple, ast.Set):
            return [(element, scope, env) for element in argument.elts]
        if argument_type is ast.Name and not (env and argument.id in env):
            # a list built elsewhere: judge its bindings' values (``parts = ["%s"] * n``)
            return [(argument, scope, env)]
        return [(argument, scope, env)]


def _mentions(node: ast.AST, env: dict) -> bool:
    """Whether a (small) expression reads one of the comprehension variables in ``env``."""
    pending = [node]
    budget = 200
    while pending and budget > 0:
        budget -= 1
        current = pending.pop()
        if type(current) is ast.Name and current.id in env:
            return True
        pending.extend(ast.iter_child_nodes(current))
    return bool(pending)


def _quoting_name(name: str | None) -> bool:
    """A project's own quoting helper by its name: ``quote_table``, ``_quote``, ``dbquote``,
    ``escape_sql``, ``table_identifier``. A bare ``quote`` (URL or shell quoting) is not."""
    if not name:
        return False
    lowered = name.lower()
    if "unquote" in lowered or lowered == "quote":
        return False
    if "quote" in lowered:
        return True
    if lowered.endswith("_identifier"):
        return True
    return "escape" in lowered and any(word in lowered for word in ("sql", "ident", "literal"))


def _doubles_quotes(node: ast.AST) -> bool:
    """Whether a (small) expression escapes SQL quotes: ``s.replace("'", "''")``."""
    pending = [node]
    budget = 64
    while pending and budget > 0:
        budget -= 1
        current = pending.pop()
        if type(current) is ast.Call and type(current.func) is ast.Attribute and (
            current.func.attr == "replace"
        ) and len(current.args) >= 2:
            old, new = current.args[0], current.args[1]
            if type(old) is ast.Constant and old.value in ("'", '"', "`") and (
                type(new) is ast.Constant and new.value == old.value * 2
            ):
                return True
        pending.extend(ast.iter_child_nodes(current))
    return False


def _crowded(node: ast.AST, scope) -> bool:
    """Whether a (small) expression reads a name with very many bindings."""
    pending = [node]
    budget = 64
    while pending and budget > 0:
        budget -= 1
        current = pending.pop()
        if type(current) is ast.Name:
            if len(lookup_name(scope, current.id)[1]) > _MANY_BINDINGS:
                return True
        elif type(current) not in (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp,
                                   ast.GeneratorExp):
            pending.extend(ast.iter_child_nodes(current))
    return False


def _mentions_connection(node: ast.AST) -> bool:
    for link in _chain(node):
        if type(link) is ast.Attribute and "connection" in link.attr:
            return True
        if type(link) is ast.Name and "connection" in link.id:
            return True
    return False


def _method_owner(scope):
    """The class scope of the method whose body (or nested function) ``scope`` is."""
    current = scope
    while current is not None:
        if current.kind == "function" and current.parent is not None and (
            current.parent.kind == CLASS
        ):
            return current.parent
        if current.kind == CLASS:
            return None
        current = current.parent
    return None


def _target_names(target: ast.AST):
    found = []
    pending = [(target, ())]
    while pending:
        node, path = pending.pop()
        if type(node) is ast.Name:
            found.append((node, path))
        elif type(node) in (ast.Tuple, ast.List) and len(path) < 3:
            pending.extend((element, path + (index,)) for index, element in enumerate(node.elts))
    return found


def _joinedstr_parts(node: ast.JoinedStr):
    parts = []
    for value in node.values:
        if type(value) is not ast.FormattedValue:
            continue
        spec = value.format_spec
        numeric = False
        if spec is not None and value.conversion == -1 and all(
            type(piece) is ast.Constant for piece in spec.values
        ):
            text = "".join(piece.value for piece in spec.values)
            numeric = bool(text) and text[-1] in NUMERIC_FORMAT_TYPES
        parts.append((value.value, numeric))
    return parts


def _flatten_add(node: ast.BinOp):
    operands = []
    pending = [node]
    while pending:
        current = pending.pop()
        if type(current) is ast.BinOp and type(current.op) is ast.Add:
            pending.append(current.right)
            pending.append(current.left)
        else:
            operands.append(current)
    return operands


def _tuple_parts(node: ast.AST):
    if type(node) is ast.Tuple:
        return [e.value if type(e) is ast.Starred else e for e in node.elts]
    if type(node) is ast.Dict:
        return list(node.values)
    return [node]


# --------------------------------------------------------------------------- the check


def _is_migration_module(ctx) -> bool:
    """Alembic migration code (it imports ``alembic.op``): runs developer-written values."""
    imported = ctx.model.imported_modules
    return "alembic.op" in imported


def run(ctx):
    if _is_migration_module(ctx):
        return []
    analysis = _Analysis(ctx)
    findings = []
    reported: set[tuple[int, int, int]] = set()

    def report(node, sink: str) -> None:
        key = (node.lineno, node.col_offset, getattr(node, "end_col_offset", 0))
        if key not in reported:
            reported.add(key)
            findings.append(ctx.finding("WEB304", node, sink=sink))

    for call, scope in ctx.calls_named(*SQL_CALL_NAMES):
        func = call.func
        func_type = type(func)
        if func_type not in (ast.Name, ast.Attribute):
            continue
        names = ctx.qualnames(func, scope)
        if names & RAW_SQL_CLASSES:
            query = call_argument(call, 0, "sql")[0]
            if query is not None and analysis.unsafe_query(query, scope):
                report(query, "RawSQL()")
            continue
        if names & RAW_QUERYSET_CLASSES:
            query = call_argument(call, 0, "raw_query")[0]
            if query is not None and analysis.unsafe_query(query, scope):
                report(query, "RawQuerySet()")
            continue
        if names & SQLALCHEMY_TEXT:
            query = call_argument(call, 0, "text")[0]
            if query is not None and analysis.unsafe_query(query, scope):
                report(query, "text()")
            continue
        if func_type is not ast.Attribute:
            continue
        method = func.attr
        receiver = func.value
        if method == "text" and analysis.is_flask_sqlalchemy(receiver, scope):
            query = call_argument(call, 0, "text")[0]
            if query is not None and analysis.unsafe_query(query, scope):
                report(query, "db.text()")
        elif method == "raw":
            if analysis.is_queryset(receiver, scope):
                query = call_argument(call, 0, "raw_query")[0]
                if query is not None and analysis.unsafe_query(query, scope):
                    report(query, "raw()")
        elif method == "extra":
            _check_extra(call, scope, analysis, report)
        elif method in CURSOR_METHODS or method in SQLALCHEMY_EXECUTE_METHODS:
            if _is_alembic_op(receiver, scope, ctx):
                continue
            query = call_argument(call, 0, *("sql", "query", "operation", "statement", "sql_script"))[0]
            if query is None:
                continue
            sink = None
            if method in CURSOR_METHODS and analysis.is_cursor(receiver, scope):
                sink = f"cursor.{method}()"
            elif method in SQLALCHEMY_EXECUTE_METHODS or method == "executemany":
                handle = analysis.sqlalchemy_handle(receiver, scope)
                if handle is not None:
                    sink = f"{handle}.{method}()"
            if sink is not None and analysis.unsafe_query(query, scope):
                report(query, sink)
    return findings


def _is_alembic_op(receiver: ast.AST, scope, ctx) -> bool:
    return any(name.startswith("alembic.") for name in ctx.qualnames(receiver, scope))


def _check_extra(call: ast.Call, scope, analysis: _Analysis, report) -> None:
    """``QuerySet.extra(select={...}, where=[...], tables=[...], order_by=[...])``."""
    arguments = []
    for keyword in call.keywords:
        if keyword.arg in EXTRA_SQL_ARGUMENTS:
            arguments.append((keyword.arg, keyword.value))
    positional = [a for a in call.args if type(a) is not ast.Starred]
    if positional and len(positional) == len(call.args):
        if not analysis.is_queryset(call.func.value, scope):
            positional = []
        for position, argument in enumerate(positional):
            if position in EXTRA_POSITIONS:
                arguments.append((EXTRA_POSITIONS[position], argument))
    if not arguments:
        return
    for name, value in arguments:
        sink = f"extra({name}=)"
        value_type = type(value)
        if value_type is ast.Dict:
            for key, entry in zip(value.keys, value.values):
                if key is not None and analysis.unsafe_query(entry, scope):
                    report(_span(key, entry), sink)
        elif value_type in (ast.List, ast.Tuple):
            for element in value.elts:
                if type(element) is not ast.Starred and analysis.unsafe_query(element, scope):
                    report(element, sink)
        elif value_type is ast.Name and _bound_to_containers(value, scope):
            # where=clauses with clauses = ["a = '%s'" % x]: judge the elements
            for element in _bound_to_containers(value, scope):
                if analysis.unsafe_query(element[0], element[1]):
                    report(value, sink)
                    break
        elif analysis.unsafe_query(value, scope):
            report(value, sink)


def _bound_to_containers(name: ast.Name, scope):
    """The elements (and dict values) of the list/tuple/dict literals a name is bound to."""
    elements = []
    for binding in lookup_name(scope, name.id)[1]:
        if binding.kind == ASSIGN and type(binding.value) in (ast.List, ast.Tuple):
            elements.extend((e, binding.scope) for e in binding.value.elts
                            if type(e) is not ast.Starred)
        elif binding.kind == ASSIGN and type(binding.value) is ast.Dict:
            elements.extend((v, binding.scope) for v in binding.value.values)
    return elements


def _span(start, end):
    return Span(start, end)


CHECK = Check("raw_sql", run)
