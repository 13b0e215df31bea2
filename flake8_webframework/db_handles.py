"""Database handles, as origin policies of the value-provenance engine: is a receiver a
DB-API cursor (:data:`CURSOR`), a Django manager or queryset (:data:`QUERYSET`), or a
SQLAlchemy session, connection or engine (:data:`HANDLE`, whose ``source`` names which)?
Each follows the receiver through its bindings (``with conn.cursor() as cur``,
``SessionLocal = sessionmaker(...)``) the one way the engine follows values.
"""

from __future__ import annotations

import ast

from .provenance import CLEAN, OriginPolicy, Op, Part, Role, bad
from .scopes import CLASS
from .syntax import last_name, receiver_chain

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

class CursorOrigin(OriginPolicy):
    """A DB-API cursor: ``x.cursor()``, a name bound from it (also as a ``with`` target), or
    a name or attribute conventionally holding one (``cursor``, ``cur``, ``self._cursor``)."""

    def _named(self, engine, name, scope):
        if name.id in CURSOR_NAMES or name.id.endswith("_cursor"):
            return bad("cursor")
        return None

    def _made_by(self, engine, flow):
        node = flow.node
        if flow.op in (Op.CALL, Op.RETURNS) and flow.call is not None:
            return bad("cursor") if last_name(flow.call.func) == "cursor" else CLEAN
        if type(node) is ast.Attribute and (node.attr in CURSOR_NAMES
                                            or node.attr.endswith("_cursor")):
            return bad("cursor")
        return None


class QuerysetOrigin(OriginPolicy):
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
        for link in receiver_chain(node):
            link_type = type(link)
            if link_type is ast.Attribute and link.attr in DJANGO_MANAGER_ATTRS:
                return bad("queryset")
            if link_type is ast.Call and last_name(link.func) in QUERYSET_METHODS:
                return bad("queryset")
            if link_type is ast.Name:
                if link.id in ("self", "cls"):
                    return bad("queryset") if _in_manager_class(engine, flow.scope) else CLEAN
                if link is not node:
                    return [Part(link, flow.scope, Role.RECEIVER)]
        return None


class HandleOrigin(OriginPolicy):
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
    if attr in ("session", "engine") and engine.model_columns().is_flask_sqlalchemy(base, scope):
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


class _SessionFactoryOrigin(OriginPolicy):
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
        final = last_name(base if type(base) is not ast.Subscript else base.value)
        if final:
            names.add(final)
        if any(name.rpartition(".")[2].endswith(("Manager", "QuerySet")) for name in names):
            return True
    return False


