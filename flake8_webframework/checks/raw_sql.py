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
import re

from ..arguments import call_argument
from ..db_handles import CURSOR, HANDLE, QUERYSET
from ..findings import Span
from ..names import lookup_name
from ..scopes import ASSIGN
from ..sql_values import FORMATTED
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
_MIGRATION_FILE = re.compile(r"^\d{4}_\w*\.py$")


# --------------------------------------------------------------------------- the check


def _is_migration_module(ctx) -> bool:
    """Migration code runs developer-written values: alembic (it imports ``alembic.op``) and
    Django migration modules (``migrations/0001_initial.py``)."""
    if "alembic.op" in ctx.model.imported_modules:
        return True
    parts = ctx.filename.replace("\\", "/").split("/")
    return len(parts) >= 2 and parts[-2] == "migrations" and bool(_MIGRATION_FILE.match(parts[-1]))


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
    if method == "text" and engine.model_columns().is_flask_sqlalchemy(receiver, scope):
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


CHECK = Check("raw_sql", run)
