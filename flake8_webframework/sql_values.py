"""Which parts are safe to insert into SQL (:data:`UNSAFE_PART`), and whether a query was
built by formatting with an unsafe part (:data:`FORMATTED`): two policies of the
value-provenance engine.

Safe parts are literals, values of unknown origin (an imported constant) and the
framework-safe SQL values: placeholders and placeholder lists (``", ".join(["%s"] * n)``),
integers (``%d``, ``int(...)``, ``len(...)``, ``.count()``), dates the server formats,
quoted identifiers (``connection.ops.quote_name(...)``, ``qn(...)``, a project's
``quote_*`` helper, SQLAlchemy ``column()``/``table()``), model metadata
(``_meta.db_table``, ``__tablename__``), SQL fragments the ORM compiled
(``compiler.compile(...)``, ``where.as_sql(...)``), the operator's configuration
(``os.environ[...]``, environment lookups), and number/date model columns.
"""

from __future__ import annotations

import ast

from .lookups import match_env_lookup
from .names import lookup_name
from .provenance import CLEAN, DEFAULT, Ask, Op, Part, Policy, Role, bad, summarised
from .request_data import REQUEST
from .scopes import ASSIGN, FOR, STORE
from .syntax import chain_attributes, chain_root, last_name, receiver_chain

DEDENT_FUNCTIONS = frozenset({"textwrap.dedent", "inspect.cleandoc"})
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
    for link in receiver_chain(node):
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
        last_name(node.func.value) == "sql"
    )


def _identifier_attribute(engine, node: ast.Attribute, scope, hops: int = 0) -> bool:
    """``model._meta.db_table``, ``opts.db_table`` with ``opts = model._meta``,
    ``Model.__tablename__``, ``Status.ACTIVE.value``, ``connection.ops.x``, and attributes of
    loop variables over model metadata (``for field in opts.fields: field.column``)."""
    attrs = chain_attributes(node)
    if attrs & IDENTIFIER_ATTRIBUTES:
        return True
    if "ops" in attrs and _mentions_connection(node):
        return True  # connection.ops.select: a backend SQL template
    base = node.value
    if node.attr in ("value", "name") and type(base) is ast.Attribute and base.attr.isupper():
        return True  # Status.ACTIVE.value: an enum member's constant
    root = chain_root(node)
    if root is None or hops >= 3 or root.id in ("self", "cls"):
        return False
    bindings = lookup_name(scope, root.id)[1]
    for binding in bindings:
        if binding.kind == ASSIGN:
            if not (chain_attributes(binding.value) & IDENTIFIER_ATTRIBUTES):
                return False
        elif binding.kind in (FOR, STORE):
            iterable = _loop_iterable(engine, binding)
            if iterable is None:
                return False
            if not (chain_attributes(iterable) & IDENTIFIER_ATTRIBUTES):
                inner = chain_root(iterable)
                if inner is None or inner is root or not _identifier_attribute(
                    engine, ast.Attribute(value=inner, attr="_", ctx=ast.Load()), scope, hops + 1
                ):
                    return False
        else:
            return False
    return bool(bindings)


def _model_key(node: ast.Attribute) -> bool:
    """``.id``, ``.pk``, ``.*_id``, ``.*_pk`` of an object: a model's integer key."""
    attr = node.attr
    return attr in ("id", "pk") or attr.endswith(("_id", "_pk"))


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
            if _model_key(node) and not engine.judge(REQUEST, node.value, scope).bad:
                return CLEAN  # user.id, order.pk, row.owner_id: a model's integer key
            receiver = node.value
            if type(receiver) is ast.Name and _iterated(receiver, scope):
                return [Part(receiver, scope, Role.RECEIVER)]  # an element's attribute
            return bad(node)
        if op is Op.ELEMENT and type(node) is ast.Subscript:
            container = node.value
            if engine.qualnames(container, scope) & {"os.environ"}:
                return CLEAN  # os.environ["DB_SCHEMA"]: the operator's configuration
            if type(container) is ast.Call and last_name(container.func) in COMPILED_SQL_METHODS:
                return CLEAN  # compiler.compile(node)[0]
            if type(container) is ast.Attribute and _identifier_attribute(engine, container, scope):
                return CLEAN
            return DEFAULT
        if op is Op.CALL:
            return self._call(engine, flow)
        if op is Op.RETURNS:
            call = flow.call
            final = last_name(call.func) if call is not None else None
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
        final = last_name(func)
        names = engine.qualnames(func, scope)
        if names & NUMERIC_BUILTINS or final in QUOTING_FUNCTIONS or _quoting_name(final):
            return CLEAN
        if chain_attributes(func) & IDENTIFIER_ATTRIBUTES:
            return CLEAN  # model._meta.get_field("x").column, connection.features.x.get()
        if type(func) is ast.Attribute:
            receiver = func.value
            root = chain_root(receiver)
            if final == "quote" and (
                chain_attributes(receiver) & PREPARER_NAMES
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
                if binding.kind == ASSIGN and last_name(binding.value) in QUOTING_FUNCTIONS:
                    return CLEAN
        if names & SQLALCHEMY_IDENTIFIERS:
            return CLEAN
        return engine.unknown_call(self, flow)

    def _mapped(self, engine, flow):
        """An element of ``map(function, iterables...)``: quoted, numeric or converted."""
        function = flow.parts[0].node
        scope = flow.scope
        if type(function) in (ast.Name, ast.Attribute):
            names = engine.qualnames(function, scope)
            if last_name(function) in QUOTING_FUNCTIONS or names & NUMERIC_BUILTINS:
                return CLEAN
            if names & {"builtins.str"}:
                return flow.parts_with(Role.ELEMENT)
            if type(function) is ast.Attribute and "ops" in chain_attributes(function):
                return CLEAN
        if type(function) is ast.Lambda:
            body = function.body
            if engine.is_literal_or_unknown(body, scope):
                return CLEAN
            if type(body) is ast.Call and last_name(body.func) in QUOTING_FUNCTIONS:
                return CLEAN
        return bad(flow.node)


def _iterated(name: ast.Name, scope) -> bool:
    """A loop or comprehension variable (its attributes are those of an element)."""
    bindings = lookup_name(scope, name.id)[1]
    return bool(bindings) and all(binding.kind in (FOR, STORE) for binding in bindings)


UNSAFE_PART = summarised("sql-part", UnsafeSqlPart())


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


#: Not summarised: like a helper of the same file, a helper of another module that returns a
#: formatted query is not followed for this question.
FORMATTED = FormattedSql()

