"""WEB304 raw-sql-formatted: SQL built by string formatting and sent raw to the database.

Two questions per call, both answered by the value-provenance engine:

1. Is it a raw-SQL sink? Django ``.raw()`` / ``RawQuerySet`` / ``.extra()`` / ``RawSQL``, a
   DB-API cursor's ``execute``/``executemany``/``executescript``, SQLAlchemy ``text()`` and
   ``execute``/``exec_driver_sql`` on a session, connection or engine. What a receiver is -
   a cursor, a queryset, a SQLAlchemy handle - is followed through its bindings by the
   origin policies below.
2. Is the query built by formatting (f-string with fields, ``%``, ``.format()``, ``+``,
   ``+=``) with at least one inserted part that is not safe (:data:`FORMATTED`, which asks
   :data:`UNSAFE_PART` of each inserted part)? Safe parts are literals, values of unknown
   origin and the framework-safe SQL values: quoted identifiers, integers, placeholder
   lists, model metadata, SQL fragments the ORM compiled.
"""

from __future__ import annotations

import ast

from ..arguments import call_argument
from ..findings import Span
from ..lookups import match_env_lookup
from ..names import lookup_name
from ..provenance import CLEAN, DEFAULT, Ask, Op, Part, Policy, Role, bad
from ..scopes import ASSIGN, CLASS, FOR, STORE
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
QUERY_KEYWORDS = ("sql", "query", "operation", "statement", "sql_script")
EXTRA_SQL_ARGUMENTS = ("select", "where", "tables", "order_by")
EXTRA_POSITIONS = {0: "select", 1: "where", 3: "tables", 4: "order_by"}
#: The callee names the check acts on (``ctx.calls_named``).
SQL_CALL_NAMES = frozenset(
    {name.rpartition(".")[2] for name in RAW_SQL_CLASSES | RAW_QUERYSET_CLASSES | SQLALCHEMY_TEXT}
    | {"text", "raw", "extra"}
    | CURSOR_METHODS
    | SQLALCHEMY_EXECUTE_METHODS
)
TRIGGERS = SQL_CALL_NAMES

# --------------------------------------------------------------------------- safe parts

#: Callables (by final name, whatever their receiver) that quote an identifier or escape a
#: value for SQL, or that return a backend-generated SQL fragment.
QUOTING_FUNCTIONS = frozenset(
    {"quote_name", "qn", "qn2", "quote_name_unless_alias", "quote_identifier", "quote_ident",
     "quote_schema", "quote_literal", "quote_value", "escape_identifier", "escape_string",
     "escape_literal", "format_table", "format_column", "format_table_seq", "db_type",
     "identifier_converter", "identifier", "sql_identifier", "literal_string", "sql_literal"}
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
    f"builtins.{name}"
    for name in ("int", "len", "float", "abs", "round", "bool", "ord", "hash", "id", "sum",
                 "divmod")
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
PASS_THROUGH_FUNCTIONS = frozenset({"builtins.str", "builtins.min", "builtins.max"})
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
_COMPOSABLE_MODULES = ("psycopg2.sql.", "psycopg.sql.")


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


def _quoting_name(name: str | None) -> bool:
    """A project's own quoting helper by its name: ``quote_table``, ``_quote``, ``dbquote``,
    ``escape_sql``, ``table_identifier``. A bare ``quote`` (URL or shell quoting) is not."""
    if not name:
        return False
    lowered = name.lower()
    if "unquote" in lowered or lowered == "quote":
        return False
    if "quote" in lowered or lowered.endswith("_identifier"):
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


def _mentions_connection(node: ast.AST) -> bool:
    for link in _chain(node):
        if type(link) is ast.Attribute and "connection" in link.attr:
            return True
        if type(link) is ast.Name and "connection" in link.id:
            return True
    return False


def _is_composable(engine, receiver: ast.AST, scope) -> bool:
    """psycopg's ``sql.SQL("...").format(...)`` composes safely, it is not ``str.format``."""
    node = receiver
    if type(node) is ast.Name:
        bindings = lookup_name(scope, node.id)[1]
        if len(bindings) == 1 and bindings[0].kind == ASSIGN:
            node, scope = bindings[0].value, bindings[0].scope
    if type(node) is not ast.Call:
        return False
    names = engine.qualnames(node.func, scope)
    if any(name.startswith(_COMPOSABLE_MODULES) for name in names):
        return True
    return type(node.func) is ast.Attribute and node.func.attr in ("SQL", "Composed") and (
        _final_name(node.func.value) == "sql"
    )


def _identifier_attribute(engine, node: ast.Attribute, scope, hops: int = 0) -> bool:
    """``model._meta.db_table``, ``opts.db_table`` with ``opts = model._meta``,
    ``Model.__tablename__``, ``Status.ACTIVE.value``, ``connection.ops.x``, and attributes of
    loop variables over model metadata (``for field in opts.fields: field.column``)."""
    attrs = _chain_attrs(node)
    if attrs & IDENTIFIER_ATTRIBUTES:
        return True
    if "ops" in attrs and _mentions_connection(node):
        return True  # connection.ops.select: a backend SQL template
    base = node.value
    if node.attr in ("value", "name") and type(base) is ast.Attribute and base.attr.isupper():
        return True  # Status.ACTIVE.value: an enum member's constant
    root = _root_name(node)
    if root is None or hops >= 3 or root.id in ("self", "cls"):
        return False
    bindings = lookup_name(scope, root.id)[1]
    for binding in bindings:
        if binding.kind == ASSIGN:
            if not (_chain_attrs(binding.value) & IDENTIFIER_ATTRIBUTES):
                return False
        elif binding.kind in (FOR, STORE):
            iterable = _loop_iterable(engine, binding)
            if iterable is None:
                return False
            if not (_chain_attrs(iterable) & IDENTIFIER_ATTRIBUTES):
                inner = _root_name(iterable)
                if inner is None or inner is root or not _identifier_attribute(
                    engine, ast.Attribute(value=inner, attr="_", ctx=ast.Load()), scope, hops + 1
                ):
                    return False
        else:
            return False
    return bool(bindings)


def _loop_iterable(engine, binding):
    """What a loop or comprehension variable iterates over, else ``None``."""
    if binding.kind == FOR:
        return binding.value
    found = engine._target_source(binding)
    if found is not None and found[0] == "for":
        return found[1]
    return None


class UnsafeSqlPart(Policy):
    """Bad: a part inserted into SQL that is not one of the safe values."""

    leaf_is_bad = True

    def judge(self, engine, flow):
        op = flow.op
        node = flow.node
        scope = flow.scope
        if op is Op.FORMAT:
            if flow.form == "format" and _is_composable(engine, node.func.value, scope):
                return CLEAN
            return DEFAULT
        if op is Op.BINDINGS and type(node) is ast.Attribute:
            return CLEAN if _identifier_attribute(engine, node, scope) else DEFAULT
        if op is Op.ATTRIBUTE:
            if engine.is_literal_or_unknown(node, scope) or _identifier_attribute(
                engine, node, scope
            ):
                return CLEAN
            receiver = node.value
            if type(receiver) is ast.Name and _iterated(receiver, scope):
                return [Part(receiver, scope, Role.RECEIVER)]  # an element's attribute
            return bad(node)
        if op is Op.ELEMENT and type(node) is ast.Subscript:
            container = node.value
            if engine.qualnames(container, scope) & {"os.environ"}:
                return CLEAN  # os.environ["DB_SCHEMA"]: the operator's configuration
            if type(container) is ast.Call and _final_name(container.func) in COMPILED_SQL_METHODS:
                return CLEAN  # compiler.compile(node)[0]
            if type(container) is ast.Attribute and _identifier_attribute(engine, container, scope):
                return CLEAN
            return DEFAULT
        if op is Op.CALL:
            return self._call(engine, flow)
        if op is Op.RETURNS:
            call = flow.call
            final = _final_name(call.func) if call is not None else None
            if final in QUOTING_FUNCTIONS or _quoting_name(final):
                return CLEAN
            values = flow.parts_with(Role.RETURN)
            if any(_doubles_quotes(part.node) for part in values
                   if isinstance(part.node, ast.AST)):
                return CLEAN  # a quoting helper: return '"' + s.replace('"', '""') + '"'
            return DEFAULT
        if op is Op.MAPPED:
            return self._mapped(engine, flow)
        if op is Op.WITH_TARGET:
            return bad(node)
        return DEFAULT

    def _call(self, engine, flow):
        call = flow.call
        scope = flow.scope
        func = call.func
        final = _final_name(func)
        names = engine.qualnames(func, scope)
        if names & NUMERIC_BUILTINS or final in QUOTING_FUNCTIONS or _quoting_name(final):
            return CLEAN
        if _chain_attrs(func) & IDENTIFIER_ATTRIBUTES:
            return CLEAN  # model._meta.get_field("x").column, connection.features.x.get()
        if type(func) is ast.Attribute:
            receiver = func.value
            root = _root_name(receiver)
            if final == "quote" and (
                _chain_attrs(receiver) & PREPARER_NAMES
                or (root is not None and root.id in PREPARER_NAMES)
            ):
                return CLEAN
            if type(receiver) is ast.Attribute and receiver.attr in BACKEND_HELPERS:
                return CLEAN  # connection.ops.*(), connection.introspection.*()
            if final in NUMERIC_METHODS or final in FORMAT_METHODS or (
                final in COMPILED_SQL_METHODS
            ):
                return CLEAN
            if final in PASS_THROUGH_METHODS and not call.args:
                return flow.parts_with(Role.RECEIVER)
            if final == "get" and call.args and engine.is_literal_or_unknown(receiver, scope):
                return [part for part in flow.arguments() if part.slot != 0]  # the default
        if any(name.startswith(SAFE_CALL_PREFIXES) for name in names):
            return CLEAN
        if match_env_lookup(call, scope, engine.ctx.values) is not None:
            return CLEAN  # os.getenv("DB_SCHEMA"), env("TABLE"): the operator's configuration
        if names & (PASS_THROUGH_FUNCTIONS | DEDENT_FUNCTIONS):
            return [part for part in flow.arguments() if type(part.slot) is not str]
        if type(func) is ast.Name:
            # a local alias of a quoting function: q = connection.ops.quote_name
            for binding in lookup_name(scope, func.id)[1]:
                if binding.kind == ASSIGN and _final_name(binding.value) in QUOTING_FUNCTIONS:
                    return CLEAN
        if names & SQLALCHEMY_IDENTIFIERS:
            return CLEAN
        return bad(flow.node)

    def _mapped(self, engine, flow):
        """An element of ``map(function, iterables...)``: quoted, numeric or converted."""
        function = flow.parts[0].node
        scope = flow.scope
        if type(function) in (ast.Name, ast.Attribute):
            names = engine.qualnames(function, scope)
            if _final_name(function) in QUOTING_FUNCTIONS or names & NUMERIC_BUILTINS:
                return CLEAN
            if names & {"builtins.str"}:
                return flow.parts_with(Role.ELEMENT)
            if type(function) is ast.Attribute and "ops" in _chain_attrs(function):
                return CLEAN
        if type(function) is ast.Lambda:
            body = function.body
            if engine.is_literal_or_unknown(body, scope):
                return CLEAN
            if type(body) is ast.Call and _final_name(body.func) in QUOTING_FUNCTIONS:
                return CLEAN
        return bad(flow.node)


def _iterated(name: ast.Name, scope) -> bool:
    """A loop or comprehension variable (its attributes are those of an element)."""
    bindings = lookup_name(scope, name.id)[1]
    return bool(bindings) and all(binding.kind in (FOR, STORE) for binding in bindings)


UNSAFE_PART = UnsafeSqlPart()


class FormattedSql(Policy):
    """Bad: the query was built by formatting with an unsafe inserted part."""

    leaf_is_bad = False

    def judge(self, engine, flow):
        op = flow.op
        node = flow.node
        scope = flow.scope
        if op is Op.FORMAT:
            form = flow.form
            if form in ("format", "format_map") and _is_composable(engine, node.func.value, scope):
                return CLEAN
            if form == "join":
                argument = node.args[0]
                if type(argument) not in (ast.List, ast.Tuple):
                    return CLEAN
                return [Ask(UNSAFE_PART, element, scope) for element in argument.elts
                        if type(element) is not ast.Starred]
            plan = [part for part in flow.parts if part.role is Role.TEMPLATE]
            plan.extend(Ask(UNSAFE_PART, part.node, part.scope)
                        for part in flow.parts if part.role is Role.TEXT)
            return plan
        if op is Op.BINDINGS:
            if type(node) is not ast.Name:
                return CLEAN
            plan = []
            for part in flow.parts:
                if part.role is Role.VALUE:
                    plan.append(part)
                elif part.role is Role.CONCAT:
                    aug = engine.aug_op(part.node)
                    if aug is ast.Add:
                        plan.append(Ask(UNSAFE_PART, part.node, part.scope))
                    elif aug is ast.Mod:
                        elements = part.node.elts if type(part.node) is ast.Tuple else [part.node]
                        plan.extend(Ask(UNSAFE_PART, element, part.scope) for element in elements)
            return plan
        if op is Op.PASS:
            if type(node) is ast.BinOp:
                return CLEAN  # ``*``, ``|``: not formatting
            return DEFAULT
        if op is Op.CHOICE:
            return DEFAULT
        if op is Op.CALL:
            call = flow.call
            func = call.func
            names = engine.qualnames(func, scope)
            if len(call.args) == 1 and (names == {"builtins.str"} or names & DEDENT_FUNCTIONS):
                return [Part(call.args[0], scope, Role.ARGUMENT)]
            if type(func) is ast.Attribute and func.attr in PASS_THROUGH_METHODS:
                return flow.parts_with(Role.RECEIVER)
            return CLEAN
        return CLEAN


FORMATTED = FormattedSql()

# --------------------------------------------------------------------------- receivers


class Origin(Policy):
    """Bad (here: "found"): the receiver is bound to the kind of object ``_made_by`` names.
    A leaf it does not recognise is not that object."""

    leaf_is_bad = False

    def judge(self, engine, flow):
        op = flow.op
        if op in (Op.BINDINGS, Op.PASS, Op.CHOICE, Op.WITH_TARGET):
            node_type = type(flow.node)
            if node_type is ast.Name:
                found = self._named(engine, flow.node, flow.scope)
            elif node_type is ast.Attribute:
                found = self._made_by(engine, flow)
            else:
                found = None
            if found is not None:
                return found
            return [part for part in flow.parts if part.role in (Role.VALUE, Role.RETURN)]
        found = self._made_by(engine, flow)
        return found if found is not None else CLEAN

    def _named(self, engine, name: ast.Name, scope):
        return None

    def _made_by(self, engine, flow):
        return None


class CursorOrigin(Origin):
    """A DB-API cursor: ``x.cursor()``, a name bound from it (also as a ``with`` target), or
    a name or attribute conventionally holding one (``cursor``, ``cur``, ``self._cursor``)."""

    def _named(self, engine, name, scope):
        if name.id in CURSOR_NAMES or name.id.endswith("_cursor"):
            return bad("cursor")
        return None

    def _made_by(self, engine, flow):
        node = flow.node
        if flow.op in (Op.CALL, Op.RETURNS) and flow.call is not None:
            return bad("cursor") if _final_name(flow.call.func) == "cursor" else CLEAN
        if type(node) is ast.Attribute and (node.attr in CURSOR_NAMES
                                            or node.attr.endswith("_cursor")):
            return bad("cursor")
        return None


class QuerysetOrigin(Origin):
    """A Django manager or queryset: a chain through ``.objects`` (or the default managers),
    ``get_queryset()``, ``self`` inside a Manager/QuerySet subclass, or a name bound from
    one of those."""

    def _named(self, engine, name, scope):
        if name.id in ("self", "cls"):
            return bad("queryset") if _in_manager_class(engine, scope) else CLEAN
        if name.id in DJANGO_MANAGER_ATTRS or name.id.endswith("queryset") or name.id == "qs":
            return bad("queryset")
        return None

    def _made_by(self, engine, flow):
        node = flow.node
        if node is None:
            return None
        for link in _chain(node):
            link_type = type(link)
            if link_type is ast.Attribute and link.attr in DJANGO_MANAGER_ATTRS:
                return bad("queryset")
            if link_type is ast.Call and _final_name(link.func) in QUERYSET_METHODS:
                return bad("queryset")
            if link_type is ast.Name:
                if link.id in ("self", "cls"):
                    return bad("queryset") if _in_manager_class(engine, flow.scope) else CLEAN
                if link is not node:
                    return [Part(link, flow.scope, Role.RECEIVER)]
        return None


class HandleOrigin(Origin):
    """A SQLAlchemy session, connection or engine (``source`` names which)."""

    def _named(self, engine, name, scope):
        return None

    def _made_by(self, engine, flow):
        node = flow.node
        scope = flow.scope
        if type(node) is ast.Attribute:
            return _handle_attribute(engine, node, scope)
        if flow.op in (Op.CALL, Op.RETURNS) and flow.call is not None:
            kind = _handle_from_call(engine, flow.call, scope)
            return bad(kind) if kind else CLEAN
        if flow.op is Op.PARAM and _annotated_handle(engine, flow.binding):
            return bad("session" if "ession" in flow.binding.node.arg else "connection")
        return None


CURSOR = CursorOrigin()
QUERYSET = QuerysetOrigin()
HANDLE = HandleOrigin()


def _handle_attribute(engine, node: ast.Attribute, scope):
    attr = node.attr
    base = node.value
    if attr in ("session", "engine") and engine._model_columns().is_flask_sqlalchemy(base, scope):
        return bad(attr)
    if attr in ("session", "db_session") and type(base) is ast.Name and base.id in ("self", "cls"):
        return bad("session")
    if attr in ("session", "engine") and type(base) is ast.Attribute and base.attr == "db":
        return bad(attr)  # self.db.session, current_app.db.engine
    if attr == "bind" and type(base) in (ast.Name, ast.Attribute):
        return bad("connection")  # inspector.bind, session.bind, metadata.bind
    return None


def _handle_from_call(engine, call: ast.Call, scope) -> str | None:
    func = call.func
    names = engine.qualnames(func, scope)
    if names & SQLALCHEMY_SESSION_CLASSES:
        return "session"
    if names & SQLALCHEMY_ENGINE_FACTORIES:
        return "engine"
    if type(func) is ast.Call and (
        engine.qualnames(func.func, scope) & SQLALCHEMY_SESSION_FACTORIES
    ):
        return "session"  # sessionmaker(...)()
    if type(func) is ast.Name and engine.judge(_SESSION_FACTORY, func, scope).bad:
        return "session"  # SessionLocal = sessionmaker(...); SessionLocal()
    if type(func) is ast.Attribute and func.attr in CONNECTION_METHODS:
        return "connection"
    return None


class _SessionFactoryOrigin(Origin):
    def _made_by(self, engine, flow):
        if flow.op is Op.CALL:
            names = engine.qualnames(flow.call.func, flow.scope)
            if names & (SQLALCHEMY_SESSION_FACTORIES | SQLALCHEMY_SESSION_CLASSES):
                return bad("session")
        return None


_SESSION_FACTORY = _SessionFactoryOrigin()


def _annotated_handle(engine, binding) -> bool:
    annotation = getattr(binding.node, "annotation", None)
    if annotation is None:
        return False
    # the annotation is evaluated in the scope that defines the function
    outer = binding.scope.parent if binding.scope.parent is not None else binding.scope
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
        if engine.qualnames(node, outer) & SQLALCHEMY_HANDLE_TYPES:
            return True
    return False


def _in_manager_class(engine, scope) -> bool:
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
        names = set(engine.qualnames(base, current.parent)) if current.parent else set()
        final = _final_name(base if type(base) is not ast.Subscript else base.value)
        if final:
            names.add(final)
        if any(name.rpartition(".")[2].endswith(("Manager", "QuerySet")) for name in names):
            return True
    return False


# --------------------------------------------------------------------------- the check


def _is_migration_module(ctx) -> bool:
    """Alembic migration code (it imports ``alembic.op``): runs developer-written values."""
    return "alembic.op" in ctx.model.imported_modules


def run(ctx):
    if _is_migration_module(ctx):
        return []
    engine = ctx.provenance
    findings = []
    reported: set[tuple[int, int, int]] = set()

    def report(node, sink: str) -> None:
        key = (node.lineno, node.col_offset, getattr(node, "end_col_offset", 0))
        if key not in reported:
            reported.add(key)
            findings.append(ctx.finding("WEB304", node, sink=sink))

    def unsafe(query, scope) -> bool:
        return engine.judge(FORMATTED, query, scope).bad

    for call, scope in ctx.calls_named(*SQL_CALL_NAMES):
        func = call.func
        func_type = type(func)
        if func_type not in (ast.Name, ast.Attribute):
            continue
        names = ctx.qualnames(func, scope)
        for classes, keyword, sink in ((RAW_SQL_CLASSES, "sql", "RawSQL()"),
                                       (RAW_QUERYSET_CLASSES, "raw_query", "RawQuerySet()"),
                                       (SQLALCHEMY_TEXT, "text", "text()")):
            if names & classes:
                query = call_argument(call, 0, keyword)[0]
                if query is not None and unsafe(query, scope):
                    report(query, sink)
                break
        else:
            if func_type is ast.Attribute:
                _check_method(ctx, engine, call, scope, unsafe, report)
    return findings


def _check_method(ctx, engine, call, scope, unsafe, report) -> None:
    func = call.func
    method = func.attr
    receiver = func.value
    if method == "text" and engine._model_columns().is_flask_sqlalchemy(receiver, scope):
        query = call_argument(call, 0, "text")[0]
        if query is not None and unsafe(query, scope):
            report(query, "db.text()")
    elif method == "raw":
        if engine.judge(QUERYSET, receiver, scope).bad:
            query = call_argument(call, 0, "raw_query")[0]
            if query is not None and unsafe(query, scope):
                report(query, "raw()")
    elif method == "extra":
        _check_extra(call, scope, engine, unsafe, report)
    elif method in CURSOR_METHODS or method in SQLALCHEMY_EXECUTE_METHODS:
        if any(name.startswith("alembic.") for name in ctx.qualnames(receiver, scope)):
            return
        query = call_argument(call, 0, *QUERY_KEYWORDS)[0]
        if query is None:
            return
        sink = None
        if method in CURSOR_METHODS and engine.judge(CURSOR, receiver, scope).bad:
            sink = f"cursor.{method}()"
        elif method in SQLALCHEMY_EXECUTE_METHODS or method == "executemany":
            handle = engine.judge(HANDLE, receiver, scope)
            if handle.bad:
                sink = f"{handle.source}.{method}()"
        if sink is not None and unsafe(query, scope):
            report(query, sink)


def _check_extra(call: ast.Call, scope, engine, unsafe, report) -> None:
    """``QuerySet.extra(select={...}, where=[...], tables=[...], order_by=[...])``."""
    arguments = [(keyword.arg, keyword.value) for keyword in call.keywords
                 if keyword.arg in EXTRA_SQL_ARGUMENTS]
    positional = [a for a in call.args if type(a) is not ast.Starred]
    if positional and len(positional) == len(call.args) and engine.judge(
        QUERYSET, call.func.value, scope
    ).bad:
        arguments.extend((EXTRA_POSITIONS[position], argument)
                         for position, argument in enumerate(positional)
                         if position in EXTRA_POSITIONS)
    for name, value in arguments:
        sink = f"extra({name}=)"
        value_type = type(value)
        if value_type is ast.Dict:
            for key, entry in zip(value.keys, value.values):
                if key is not None and unsafe(entry, scope):
                    report(Span(key, entry), sink)
        elif value_type in (ast.List, ast.Tuple):
            for element in value.elts:
                if type(element) is not ast.Starred and unsafe(element, scope):
                    report(element, sink)
        elif value_type is ast.Name and any(
            unsafe(element, element_scope)
            for element, element_scope in _bound_to_containers(value, scope)
        ):
            # where=clauses with clauses = ["a = '%s'" % x]: judge the elements
            report(value, sink)
        elif unsafe(value, scope):
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


CHECK = Check("raw_sql", ("WEB304",), run)
