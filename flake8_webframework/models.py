"""Model fields and columns whose values cannot carry text: numbers, dates, booleans, UUIDs.

A class-body binding to a Django model field (``models.IntegerField()``) or a SQLAlchemy
column (``Column(Integer)``, ``mapped_column(DateTime)``, ``db.Column(db.Numeric(10, 2))``,
``x: Mapped[int] = mapped_column()``) of such a type means that, on an instance, the
attribute holds a value whose text is digits, a date or ``True``/``False``: it cannot carry
markup, SQL or a path.
"""

from __future__ import annotations

import ast

from .names import lookup_name
from .scopes import ASSIGN, DECLARE, IMPORT, PARAM, Binding, Scope
from .syntax import last_name

_SQLALCHEMY_ROOTS = ("sqlalchemy.", "sqlmodel.", "flask_sqlalchemy.")
FLASK_SQLALCHEMY = frozenset(
    {"flask_sqlalchemy.SQLAlchemy", "flask_sqlalchemy.extension.SQLAlchemy"}
)
#: SQLAlchemy column types (generic and SQL-standard spellings, also dialect ones).
SQLALCHEMY_TEXT_FREE_TYPES = frozenset(
    {"Integer", "BigInteger", "SmallInteger", "Float", "Double", "Numeric", "Boolean", "Date",
     "DateTime", "Time", "Interval", "Uuid", "INTEGER", "INT", "BIGINT", "SMALLINT", "TINYINT",
     "MEDIUMINT", "FLOAT", "REAL", "DOUBLE", "DOUBLE_PRECISION", "NUMERIC", "DECIMAL",
     "BOOLEAN", "BIT", "DATE", "DATETIME", "DATETIME2", "TIME", "TIMESTAMP", "INTERVAL",
     "YEAR", "UUID"}
)
#: Django model fields (``django.db.models`` and ``django.contrib.gis.db.models``).
DJANGO_TEXT_FREE_FIELDS = frozenset(
    {"AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField",
     "SmallIntegerField", "PositiveIntegerField", "PositiveBigIntegerField",
     "PositiveSmallIntegerField", "FloatField", "DecimalField", "BooleanField",
     "NullBooleanField", "DateField", "DateTimeField", "TimeField", "DurationField",
     "UUIDField"}
)
#: ``Mapped[...]`` types whose value cannot carry text.
TEXT_FREE_PYTHON_TYPES = frozenset(
    {"builtins.int", "builtins.float", "builtins.bool", "decimal.Decimal", "datetime.date",
     "datetime.datetime", "datetime.time", "datetime.timedelta", "uuid.UUID"}
)
_OPTIONAL = frozenset({"typing.Optional", "typing.Union", "typing_extensions.Optional"})
_MAX_STEPS = 64


class ModelColumns:
    """Per file: which class-body bindings are text-free model fields or columns."""

    __slots__ = ("_qualnames", "_annotations", "_nodes")

    def __init__(self, qualnames, nodes) -> None:
        self._qualnames = qualnames  # FileContext.qualnames
        self._nodes = nodes  # FileContext.nodes
        self._annotations: dict[int, ast.AST] | None = None

    def text_free(self, binding: Binding, class_scope: Scope) -> bool:
        """A class-body binding to a numeric, date/time, boolean or UUID field or column."""
        if binding.scope is not class_scope:
            return False
        annotation = self._annotation(binding.node)
        if binding.kind == DECLARE:
            return annotation is not None and self._mapped_text_free(annotation, class_scope)
        if binding.kind != ASSIGN or type(binding.value) is not ast.Call:
            return False
        call = binding.value
        func = call.func
        names = self._qualnames(func, class_scope)
        last = last_name(func)
        if any(
            name.startswith("django.") and ".db.models" in name
            and name.rpartition(".")[2] in DJANGO_TEXT_FREE_FIELDS
            for name in names
        ):
            return True
        if last not in ("Column", "mapped_column"):
            return False
        if not (
            any(
                name.startswith(_SQLALCHEMY_ROOTS) and name.rpartition(".")[2] == last
                for name in names
            )
            or (type(func) is ast.Attribute and self.is_flask_sqlalchemy(func.value, class_scope))
        ):
            return False
        column_type = None
        for keyword in call.keywords:
            if keyword.arg == "type_":
                column_type = keyword.value
        if column_type is None:
            for position, arg in enumerate(call.args):
                if position == 0 and type(arg) is ast.Constant and isinstance(arg.value, str):
                    continue  # the column's name
                column_type = arg
                break
        if column_type is not None:
            return self._text_free_type(column_type, class_scope)
        # ``mapped_column()`` without a type: the ``Mapped[...]`` annotation gives it.
        return (
            last == "mapped_column"
            and annotation is not None
            and self._mapped_text_free(annotation, class_scope)
        )

    def is_flask_sqlalchemy(self, expr: ast.AST, scope: Scope) -> bool:
        """``db`` of Flask-SQLAlchemy: a name bound only to ``SQLAlchemy(...)``, or a name
        ``db`` of unknown origin (imported from the project's extensions module, a
        parameter)."""
        if type(expr) is not ast.Name:
            return False
        _, bindings = lookup_name(scope, expr.id)
        values = [b for b in bindings if b.kind != DECLARE]
        if values and all(
            b.kind == ASSIGN
            and type(b.value) is ast.Call
            and self._qualnames(b.value.func, b.scope) & FLASK_SQLALCHEMY
            for b in values
        ):
            return True
        return expr.id == "db" and all(b.kind in (IMPORT, PARAM) for b in values)

    def _annotation(self, target: ast.AST):
        if self._annotations is None:
            self._annotations = {
                id(node.target): node.annotation for node, _ in self._nodes(ast.AnnAssign)
            }
        return self._annotations.get(id(target))

    def _text_free_type(self, column_type: ast.AST, scope: Scope) -> bool:
        """``Integer``, ``sa.DateTime(timezone=True)``, ``db.Numeric(10, 2)``, ..."""
        if type(column_type) is ast.Call:
            column_type = column_type.func
        if type(column_type) not in (ast.Name, ast.Attribute):
            return False
        last = last_name(column_type)
        if last not in SQLALCHEMY_TEXT_FREE_TYPES:
            return False
        if any(
            name.startswith(_SQLALCHEMY_ROOTS) and name.rpartition(".")[2] == last
            for name in self._qualnames(column_type, scope)
        ):
            return True
        return type(column_type) is ast.Attribute and self.is_flask_sqlalchemy(
            column_type.value, scope
        )

    def _mapped_text_free(self, annotation: ast.AST, scope: Scope) -> bool:
        """``Mapped[int]``, ``Mapped[Optional[datetime]]``, ``Mapped[Decimal | None]``."""
        if type(annotation) is not ast.Subscript:
            return False
        if not any(
            name.startswith(_SQLALCHEMY_ROOTS) and name.rpartition(".")[2] == "Mapped"
            for name in self._qualnames(annotation.value, scope)
        ):
            return False
        pending = [annotation.slice]
        seen_type = False
        for _ in range(_MAX_STEPS):
            if not pending:
                return seen_type
            node = pending.pop()
            if type(node) is ast.Constant and node.value is None:
                continue
            if type(node) is ast.BinOp and type(node.op) is ast.BitOr:
                pending.extend((node.left, node.right))
                continue
            if type(node) is ast.Subscript:
                if self._qualnames(node.value, scope) & _OPTIONAL:
                    inner = node.slice
                    pending.extend(inner.elts if type(inner) is ast.Tuple else (inner,))
                    continue
                return False
            if type(node) not in (ast.Name, ast.Attribute):
                return False
            if not self._qualnames(node, scope) & TEXT_FREE_PYTHON_TYPES:
                return False
            seen_type = True
        return False
