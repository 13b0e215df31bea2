"""WEB303 mark-safe-untrusted: HTML escaping bypassed for a non-literal value.

Sinks (resolved through imports and aliases): Django ``mark_safe(x)``, ``SafeString(x)`` (and
its old names ``SafeText``, ``SafeUnicode``, ``SafeBytes``), ``format_html(fmt, ...)`` and
``format_html_join(sep, fmt, ...)`` with a non-literal format string, and MarkupSafe's
``Markup(x)`` (also as ``flask.Markup`` and ``jinja2.Markup``).

A value is reported only when it is not *escaped*. This module's own analysis, on top of the
shared literal analysis (``ctx.values``), decides that: an expression is escaped when every
leaf it is built from is

* a literal, or a value of unknown origin (an imported constant) - as the shared analysis says;
* the result of an escaping call: ``escape``/``conditional_escape``/``format_html``/
  ``format_html_join``/``json_script``/``html_params``/``flatatt``, MarkupSafe's ``escape``
  and ``Markup.escape``, ``html.escape``, sanitisers (``bleach.clean``, ``nh3.clean``), a
  template render (``render_to_string``, ``render_template``, ``get_template(...).render()``,
  ``super().render()``), a URL builder (``reverse``, ``url_for``, ``quote``, ``urlencode``),
  a number (``int()``, ``len()``, ``%d``), another sink (judged at its own call), or a
  project function whose name says it escapes or sanitises (``escape_html``, ``sanitize``);
* the result of one of Django's locale formatters (``number_format``, ``localize``,
  ``date_format``/``time_format``, humanize's ``intcomma``/``intword``/``naturalday``, ...)
  whose value or format argument - the part that can reach the output - is escaped;
* combined by ``+``, ``%``, ``*``, f-strings, ``.format()``, ``.join()``, string methods,
  conditional expressions, containers and comprehensions of escaped parts;
* a name whose every binding (assignments, ``+=``, ``.append()``/``.extend()`` of a list) is
  escaped - in a function, only the plain assignment that precedes the use in the same
  statement list (and the ``+=`` after it) when there is one: ``name = escape(name)`` -,
  or a comprehension variable over an escaped iterable; ``self.X`` through the class, its
  bases and its subclasses in this file, where a class-body binding to a numeric, date/time,
  boolean or UUID SQLAlchemy column or Django model field cannot carry markup;
* a call of a function, method or property of this file whose every ``return`` is escaped.

Anything built on a MarkupSafe ``Markup`` with ``%``, ``+``, ``.format()`` or ``.join()`` is
escaped whatever the other operand: Markup escapes it.

The analysis is iterative (an explicit stack), memoised per node and bounded in work per
expression; an expression too large to judge counts as unknown (not reported).
"""

from __future__ import annotations

import ast
import re
import string

from ..names import class_of_binding, lookup_name
from ..scopes import (
    ASSIGN,
    AUGASSIGN,
    COMPREHENSION,
    DECLARE,
    DEF,
    FUNCTION,
    IMPORT,
    FOR,
    PARAM,
    STORE,
    WITH,
    Binding,
    Scope,
)
from ..values import LITERAL, UNKNOWN
from . import Check

# -- sinks -------------------------------------------------------------------------------------

MARK_SAFE = frozenset({"django.utils.safestring.mark_safe", "django.utils.html.mark_safe"})
SAFE_STRINGS = frozenset(
    {
        "django.utils.safestring.SafeString",
        "django.utils.safestring.SafeText",
        "django.utils.safestring.SafeUnicode",
        "django.utils.safestring.SafeBytes",
        "django.utils.html.SafeString",
    }
)
FORMAT_HTML = frozenset({"django.utils.html.format_html"})
FORMAT_HTML_JOIN = frozenset({"django.utils.html.format_html_join"})
MARKUP_CLASSES = frozenset(
    {"markupsafe.Markup", "flask.Markup", "jinja2.Markup", "jinja2.utils.Markup"}
)
ALL_SINKS = MARK_SAFE | SAFE_STRINGS | FORMAT_HTML | FORMAT_HTML_JOIN | MARKUP_CLASSES
#: The callee names of every sink (``ctx.calls_named``).
SINK_NAMES = frozenset(name.rpartition(".")[2] for name in ALL_SINKS)

# -- values that are escaped whatever their arguments ------------------------------------------

#: Functions returning MarkupSafe ``Markup``: ``%``, ``+``, ``.format()`` and ``.join()`` on
#: their result escape the other operands.
MARKUP_PRODUCERS = MARKUP_CLASSES | frozenset(
    {
        "markupsafe.escape",
        "markupsafe.escape_silent",
        "flask.escape",
        "jinja2.escape",
        "jinja2.utils.escape",
    }
) | frozenset(f"{cls}.escape" for cls in MARKUP_CLASSES) | frozenset(
    f"{cls}.escape_silent" for cls in MARKUP_CLASSES
)
ESCAPERS = MARKUP_PRODUCERS | frozenset(
    {
        # Django
        "django.utils.html.escape",
        "django.utils.html.conditional_escape",
        "django.utils.html.format_html",
        "django.utils.html.format_html_join",
        "django.utils.html.json_script",
        "django.utils.html.escapejs",
        "django.template.defaultfilters.escape_filter",
        "django.template.defaultfilters.force_escape",
        "django.template.defaultfilters.escapejs_filter",
        "django.template.defaultfilters.json_script",
        "django.forms.utils.flatatt",
        "django.template.loader.render_to_string",
        "django.template.loader.get_template",
        # standard library
        "html.escape",
        "cgi.escape",
        "xml.sax.saxutils.escape",
        "xml.sax.saxutils.quoteattr",
        # Flask / Quart / Werkzeug / WTForms
        "flask.render_template",
        "flask.render_template_string",
        "flask.templating.render_template",
        "flask.templating.render_template_string",
        "quart.render_template",
        "quart.render_template_string",
        "werkzeug.utils.escape",
        "wtforms.widgets.html_params",
        "wtforms.widgets.core.html_params",
        # sanitisers
        "bleach.clean",
        "bleach.sanitizer.Cleaner.clean",
        "nh3.clean",
        "lxml.html.clean.clean_html",
        "lxml_html_clean.clean_html",
        # syntax highlighting (HtmlFormatter escapes the code)
        "pygments.highlight",
    }
)
#: Builders whose result is a percent-encoded URL (no ``<``, ``>`` or ``"``).
URL_BUILDERS = frozenset(
    {
        "django.urls.reverse",
        "django.core.urlresolvers.reverse",
        "django.shortcuts.resolve_url",
        "django.templatetags.static.static",
        "django.contrib.staticfiles.templatetags.staticfiles.static",
        "django.contrib.staticfiles.storage.staticfiles_storage.url",
        "django.utils.http.urlencode",
        "django.utils.http.urlquote",
        "django.utils.http.urlquote_plus",
        "django.utils.encoding.iri_to_uri",
        "django.utils.encoding.escape_uri_path",
        "flask.url_for",
        "flask.helpers.url_for",
        "quart.url_for",
        "urllib.parse.quote",
        "urllib.parse.quote_plus",
        "urllib.parse.urlencode",
        "urllib.quote",
        "urllib.quote_plus",
        "urllib.urlencode",
    }
)
#: Builtins (and ``Decimal``, Django's ``floatformat`` filter, which gives "" for anything
#: that is not a number) whose result cannot carry markup.
NUMERIC = frozenset(
    f"builtins.{name}"
    for name in ("int", "float", "len", "round", "abs", "bool", "ord", "hash", "id", "sum",
                 "isinstance", "callable", "hasattr", "divmod")
) | frozenset({"decimal.Decimal", "django.template.defaultfilters.floatformat"})
#: Django's locale formatting helpers: qualname -> (positions, keyword names) of the
#: arguments whose text can reach the result. What they add themselves is digits, signs, the
#: locale's separators and translated words - never markup - but none of them is escaped
#: whatever its input: ``number_format``, ``localize`` and the humanize filters hand a
#: string that is not a number (a date) back unchanged, and ``date_format``/``time_format``
#: copy every character of their format string that is not a format specifier. So each is
#: escaped exactly when those arguments are (``number_format("%d" % int(d))``, a literal or
#: absent format); ``decimal_pos``, ``use_l10n`` and ``force_grouping`` only steer digits.
_HUMANIZE = "django.contrib.humanize.templatetags.humanize."
LOCALE_FORMATTERS = {
    "django.utils.formats.number_format": ((0,), ("value",)),
    "django.utils.formats.localize": ((0,), ("value",)),
    "django.utils.numberformat.format": ((0, 1, 4), ("number", "decimal_sep", "thousand_sep")),
    # The value must be a date/time (a string raises): only the format reaches the output.
    "django.utils.formats.date_format": ((1,), ("format",)),
    "django.utils.formats.time_format": ((1,), ("format",)),
    "django.utils.dateformat.format": ((1,), ("format_string",)),
    "django.utils.dateformat.time_format": ((1,), ("format_string",)),
    # The ``date``/``time`` template filters: date_format, or "" for a value that is no date.
    "django.template.defaultfilters.date": ((1,), ("arg",)),
    "django.template.defaultfilters.time": ((1,), ("arg",)),
    _HUMANIZE + "intcomma": ((0,), ("value",)),
    _HUMANIZE + "intword": ((0,), ("value",)),
    _HUMANIZE + "apnumber": ((0,), ("value",)),
    _HUMANIZE + "ordinal": ((0,), ("value",)),
    _HUMANIZE + "naturaltime": ((0,), ("value",)),
    # A value that is not a date comes back unchanged; ``arg`` is a date format.
    _HUMANIZE + "naturalday": ((0, 1), ("value", "arg")),
}
#: Escaped exactly when their argument is (conversions, copies).
TRANSPARENT = frozenset(
    {
        "builtins.str",
        "django.utils.encoding.force_str",
        "django.utils.encoding.force_text",
        "django.utils.encoding.force_unicode",
        "django.utils.encoding.smart_str",
        "django.utils.encoding.smart_text",
        "django.utils.encoding.smart_unicode",
        "django.utils.text.capfirst",
        "django.utils.text.format_lazy",
        "django.utils.html.avoid_wrapping",
        "six.text_type",
        "textwrap.dedent",
        "textwrap.indent",
        "builtins.list",
        "builtins.tuple",
        "builtins.set",
        "builtins.frozenset",
        "builtins.sorted",
        "builtins.reversed",
        "builtins.enumerate",
        "builtins.zip",
        "builtins.iter",
        "builtins.filter",
        "builtins.dict",
        "builtins.min",
        "builtins.max",
        "itertools.chain",
        "itertools.chain.from_iterable",
    }
)
#: Django helpers that escape when their ``autoescape`` argument is true: qualname ->
#: (zero-based position of ``autoescape``, its default).
AUTOESCAPE_HELPERS = {
    "django.utils.html.linebreaks": (1, False),
    "django.utils.html.urlize": (3, False),
    "django.template.defaultfilters.linebreaks_filter": (1, True),
    "django.template.defaultfilters.linebreaksbr": (1, True),
    "django.template.defaultfilters.urlize": (1, True),
    "django.template.defaultfilters.urlizetrunc": (2, True),
    "django.template.defaultfilters.unordered_list": (1, True),
    "django.template.defaultfilters.join": (2, True),
    "django.template.defaultfilters.linenumbers": (1, True),
}
#: ``escape`` functions that do not escape HTML (the name heuristic must not trust them).
NOT_HTML_ESCAPERS = frozenset(
    {"re.escape", "regex.escape", "glob.escape", "django.utils.http.escape_leading_slashes",
     "sqlalchemy.sql.expression.literal_column"}
)
#: Template classes whose ``.render()`` autoescapes (configuration is WEB302's business).
TEMPLATE_CLASSES = frozenset(
    {"django.template.Template", "django.template.base.Template", "jinja2.Template",
     "jinja2.environment.Template"}
)
TEMPLATE_LOADERS = frozenset({"get_template", "select_template", "from_string"})
CLEANERS = frozenset({"bleach.Cleaner", "bleach.sanitizer.Cleaner"})
#: Django form / bound-field methods that return rendered, escaped HTML (``SafeString``).
FORM_RENDERERS = frozenset(
    {"as_p", "as_table", "as_ul", "as_div", "as_hidden", "as_text", "as_textarea", "as_widget",
     "label_tag", "legend_tag"}
)
#: Methods that keep an escaped receiver escaped when their arguments are escaped too.
STRING_METHODS = frozenset(
    {"format", "format_map", "join", "replace", "strip", "lstrip", "rstrip", "lower", "upper",
     "title", "capitalize", "casefold", "swapcase", "center", "ljust", "rjust", "zfill",
     "expandtabs", "removeprefix", "removesuffix", "split", "rsplit", "splitlines",
     "partition", "rpartition", "encode", "decode", "items", "values", "keys", "copy", "get",
     "pop", "setdefault"}
)
#: List/set/dict methods whose arguments become elements of the receiver.
MUTATORS = {
    "append": (0,),
    "add": (0,),
    "appendleft": (0,),
    "insert": (1,),
    "extend": (0,),
    "extendleft": (0,),
    "update": (0,),
    "setdefault": (1,),
}
_GETTEXT = frozenset(
    {"_", "gettext", "gettext_lazy", "ugettext", "ugettext_lazy", "lazy_gettext", "pgettext",
     "pgettext_lazy", "ngettext", "ngettext_lazy", "_l"}
)
_NAME_WORDS = re.compile(r"[_\W]+|(?<=[a-z0-9])(?=[A-Z])")
_NEGATIONS = frozenset({"no", "not", "dont", "without", "skip", "raw", "unsafe", "noescape"})
_NUMERIC_CONVERSIONS = frozenset("diouxXeEfFgG")
_NUMERIC_SPEC_TYPES = frozenset("bdeEfFgGnoxX%")
_PERCENT_SPEC = re.compile(
    r"%(?:\((?P<key>[^)]*)\))?[#0\- +]*(?P<width>\*|\d+)?(?:\.(?P<precision>\*|\d+))?"
    r"[hlL]?(?P<conv>.)",
    re.DOTALL,
)

# -- model columns and fields whose value cannot carry markup (numbers, dates, booleans) -------

_SQLALCHEMY_ROOTS = ("sqlalchemy.", "sqlmodel.", "flask_sqlalchemy.")
FLASK_SQLALCHEMY = frozenset(
    {"flask_sqlalchemy.SQLAlchemy", "flask_sqlalchemy.extension.SQLAlchemy"}
)
#: SQLAlchemy column types (generic and SQL-standard spellings, also dialect ones).
SQLALCHEMY_MARKUP_FREE_TYPES = frozenset(
    {"Integer", "BigInteger", "SmallInteger", "Float", "Double", "Numeric", "Boolean", "Date",
     "DateTime", "Time", "Interval", "Uuid", "INTEGER", "INT", "BIGINT", "SMALLINT", "TINYINT",
     "MEDIUMINT", "FLOAT", "REAL", "DOUBLE", "DOUBLE_PRECISION", "NUMERIC", "DECIMAL",
     "BOOLEAN", "BIT", "DATE", "DATETIME", "DATETIME2", "TIME", "TIMESTAMP", "INTERVAL",
     "YEAR", "UUID"}
)
#: Django model fields (``django.db.models`` and ``django.contrib.gis.db.models``).
DJANGO_MARKUP_FREE_FIELDS = frozenset(
    {"AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField",
     "SmallIntegerField", "PositiveIntegerField", "PositiveBigIntegerField",
     "PositiveSmallIntegerField", "FloatField", "DecimalField", "BooleanField",
     "NullBooleanField", "DateField", "DateTimeField", "TimeField", "DurationField",
     "UUIDField"}
)
#: ``Mapped[...]`` types whose value cannot carry markup.
MARKUP_FREE_PYTHON_TYPES = frozenset(
    {"builtins.int", "builtins.float", "builtins.bool", "decimal.Decimal", "datetime.date",
     "datetime.datetime", "datetime.time", "datetime.timedelta", "uuid.UUID"}
)

#: Work bound per judged expression (nodes planned); beyond it the value counts as unknown.
_MAX_STEPS = 20_000
_MAX_MARKUP_STEPS = 64
_MAX_FAMILY = 32

_FIXES = {
    "mark_safe": "escape the parts first (format_html(), conditional_escape()) or drop mark_safe",
    "SafeString": "escape the parts first (format_html(), conditional_escape())",
    "format_html": "use a literal format string and pass the values as arguments",
    "format_html_join": "use a literal format string and pass the values as arguments",
    "Markup": "use Markup.escape(value) or a literal Markup('...{}').format(value)",
}


class _Budget(Exception):
    """The work bound was reached: the expression counts as unknown."""


def _target_names(target: ast.AST) -> set[str]:
    names = set()
    pending = [target]
    while pending:
        node = pending.pop()
        node_type = type(node)
        if node_type is ast.Name:
            names.add(node.id)
        elif node_type in (ast.Tuple, ast.List):
            pending.extend(node.elts)
        elif node_type is ast.Starred:
            pending.append(node.value)
    return names


def _percent_numeric_args(fmt: str):
    """For a ``%`` format string: (positional indices, mapping keys) whose conversion is
    numeric and which are used only so, and whether the format takes a mapping.
    ``None`` when the format cannot be read (``*`` widths, a bad spec)."""
    positions: list[bool] = []  # per positional argument: numeric?
    keys: dict[str, bool] = {}
    for match in _PERCENT_SPEC.finditer(fmt):
        conv = match.group("conv")
        if conv == "%":
            continue
        if match.group("width") == "*" or match.group("precision") == "*":
            return None
        numeric = conv in _NUMERIC_CONVERSIONS
        key = match.group("key")
        if key is not None:
            keys[key] = keys.get(key, True) and numeric
        else:
            positions.append(numeric)
    return positions, keys


def _format_fields(fmt: str):
    """For a ``str.format`` string: ({index or name: numeric only?}) or ``None``."""
    fields: dict[object, bool] = {}
    auto = 0
    try:
        parsed = list(string.Formatter().parse(fmt))
    except (ValueError, TypeError):
        return None
    for _text, field_name, spec, conversion in parsed:
        if field_name is None:
            continue
        head = re.split(r"[.\[]", field_name, maxsplit=1)[0]
        plain = head == field_name
        if head == "":
            key: object = auto
            auto += 1
        elif head.isdigit():
            key = int(head)
        else:
            key = head
        numeric = (
            plain
            and conversion is None
            and bool(spec)
            and "{" not in spec
            and spec[-1] in _NUMERIC_SPEC_TYPES
        )
        fields[key] = fields.get(key, True) and numeric
    return fields


class EscapedAnalysis:
    """Is an expression escaped HTML (or free of markup)? Memoised per node."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.values = ctx.values
        self._cache: dict[int, bool] = {}
        self._mutations: dict[tuple[int, str], list[tuple[ast.AST, Scope]]] | None = None
        self._comprehension_scopes: dict[int, Scope] | None = None
        self._subclasses: dict[int, list[Scope]] | None = None
        self._returns: dict[int, list[tuple[ast.AST, Scope]]] | None = None
        #: per function node: its statement positions (see ``_statement_positions``)
        self._positions: dict[int, tuple[dict, dict]] = {}
        #: id of an annotated class-body target -> its annotation (``x: Mapped[int]``)
        self._annotations: dict[int, ast.AST] | None = None

    # -- indexes built once per file from the shared node index ------------------------------

    def mutations(self, bound_in: Scope, name: str):
        if self._mutations is None:
            found: dict[tuple[int, str], list[tuple[ast.AST, Scope]]] = {}
            for call, scope in self.ctx.calls_named(*MUTATORS):
                func = call.func
                if type(func) is not ast.Attribute:
                    continue
                positions = MUTATORS.get(func.attr)
                if positions is None:
                    continue
                key = self._container_key(func.value, scope)
                if key is None:
                    continue
                entries = found.setdefault(key, [])
                for position in positions:
                    if position < len(call.args):
                        entries.append((call.args[position], scope))
                entries.extend((keyword.value, scope) for keyword in call.keywords)
                if func.attr == "insert" and len(call.args) < 2:
                    entries.append((call, scope))  # unusual form: not judged escaped
            for node, scope in self.ctx.nodes(ast.Assign):
                for target in node.targets:
                    if type(target) is ast.Subscript:
                        key = self._container_key(target.value, scope)
                        if key is not None:
                            found.setdefault(key, []).append((node.value, scope))
            self._mutations = found
        return self._mutations.get((id(bound_in), name), ())

    def _class_family(self, class_scope: Scope) -> list[Scope]:
        """The class, its base classes and its subclasses defined in this file: ``self.X``
        may be bound in any of them."""
        if self._subclasses is None:
            children: dict[int, list[Scope]] = {}
            for class_node, outer in self.ctx.nodes(ast.ClassDef):
                child = self.ctx.model.class_scopes.get(id(class_node))
                if child is None:
                    continue
                for base in class_node.bases:
                    parent = self._class_scope_of(base, outer)
                    if parent is not None:
                        children.setdefault(id(parent), []).append(child)
            self._subclasses = children
        family = [class_scope]
        seen = {id(class_scope)}
        # Upwards through the bases, downwards through the subclasses (not sideways).
        pending = [(class_scope, True), (class_scope, False)]
        while pending and len(family) < _MAX_FAMILY:
            current, upwards = pending.pop()
            if upwards:
                related = [
                    parent
                    for parent in (
                        self._class_scope_of(base, current.parent)
                        for base in getattr(current.node, "bases", ())
                    )
                    if parent is not None
                ]
            else:
                related = self._subclasses.get(id(current), [])
            for other in related:
                if id(other) not in seen:
                    seen.add(id(other))
                    family.append(other)
                    pending.append((other, upwards))
        return family

    def _class_scope_of(self, base: ast.AST, scope: Scope | None):
        if type(base) is not ast.Name or scope is None:
            return None
        class_node = class_of_binding(lookup_name(scope, base.id)[1])
        return self.ctx.model.class_scopes.get(id(class_node)) if class_node else None

    def _container_key(self, node: ast.AST, scope: Scope):
        """Which container a mutation fills: (owner scope id, name) for a name, (class scope
        id, ``.attr``) for ``self.attr`` / ``cls.attr`` of a class in this file."""
        if type(node) is ast.Name:
            owner, _ = lookup_name(scope, node.id)
            return None if owner is None else (id(owner), node.id)
        if type(node) is ast.Attribute:
            found = self.values.attribute_bindings(node, scope)
            if found is not None:
                return id(found[0]), "." + node.attr
        return None

    def comprehension_scope(self, node: ast.AST, scope: Scope) -> Scope:
        """The shared model's scope of a comprehension, or an equivalent one made here."""
        if self._comprehension_scopes is None:
            found: dict[int, Scope] = {}
            for entries in self.ctx.model.index.values():
                for _, entry_scope in entries:
                    current = entry_scope
                    while current is not None and current.kind == COMPREHENSION:
                        if id(current.node) in found:
                            break
                        found[id(current.node)] = current
                        current = current.parent
            self._comprehension_scopes = found
        known = self._comprehension_scopes.get(id(node))
        if known is not None:
            return known
        made = Scope(node, COMPREHENSION, scope)
        for generator in node.generators:
            for name in _target_names(generator.target):
                made.add(name, Binding(STORE, generator.target, made))
        self._comprehension_scopes[id(node)] = made
        return made

    # -- the assignment that reaches a use (FA-8) ------------------------------------------

    def _reaching_bindings(self, node: ast.Name, scope: Scope, bound_in: Scope, bindings):
        """The bindings of a function's local name that can reach this use, when a plain
        assignment in the same statement list comes before the use's statement (straight-line
        code: that assignment runs on every path to the use and replaces every earlier value);
        ``+=`` updates after it are followed back to it. ``None`` when that does not hold: the
        caller then judges every binding of the name."""
        if bound_in.kind != FUNCTION or type(bound_in.node) not in (
            ast.FunctionDef, ast.AsyncFunctionDef
        ):
            return None
        current = scope
        while current is not bound_in:
            if current is None or current.kind != COMPREHENSION:
                return None  # a lambda or nested function runs later: any binding may reach
            current = current.parent
        where, lists = self._statement_positions(bound_in.node)
        use = where.get(id(node))
        if use is None:
            return None
        list_key, index = use
        body = lists[list_key][0]
        located = []
        for binding in bindings:
            if binding.kind == PARAM:
                continue  # bound on entry, before every statement
            position = where.get(id(binding.node))
            if position is None:
                return None  # bound elsewhere (``nonlocal`` in a nested function, a loop test)
            located.append((binding, position))
        before: dict[int, list[tuple[Binding, tuple]]] = {}  # index in the list -> bindings
        for binding, position in located:
            outer = position
            while outer is not None and outer[0] != list_key:
                outer = lists[outer[0]][1]
            if outer is None or outer[1] > index:
                continue  # outside this list (replaced below if reached), or after the use
            if outer[1] == index:
                if position != use:
                    continue  # in the body of the compound statement whose header uses it
                statement = body[index]
                if not _direct_target(statement, binding.node) or _contains(
                    getattr(statement, "targets", None) or [statement.target], node
                ):
                    return None  # a ``:=`` (or a target) of the use's own statement
                continue  # ``x = f(x)``: the value is computed before ``x`` is rebound
            before.setdefault(outer[1], []).append((binding, position))
        reaching: list[Binding] = []
        for latest in sorted(before, reverse=True):
            statement = body[latest]
            at_latest = before[latest]
            if not all(
                position == (list_key, latest)
                and binding.kind in (ASSIGN, AUGASSIGN)
                and _direct_target(statement, binding.node)
                for binding, position in at_latest
            ):
                return None  # a branch, loop, ``with``, ``for`` target, unpacking, ``del``, ...
            reaching.extend(binding for binding, _ in at_latest)
            if type(statement) is not ast.AugAssign:
                return reaching
            # ``x += y``: y, and what ``x`` was before
        return None

    def _statement_positions(self, function: ast.AST):
        """For one function body (walked once, iteratively, not into nested functions or
        classes): {id(node): (id(statement list), index)} of the innermost statement each
        node belongs to, and {id(statement list): (list, position of its compound statement
        or None)}. A ``while`` test, ``except`` types, ``case`` guards, lambda bodies and
        generator-expression elements (evaluated again or later) are left out."""
        cached = self._positions.get(id(function))
        if cached is not None:
            return cached
        where: dict[int, tuple[int, int]] = {}
        lists: dict[int, tuple[list, tuple[int, int] | None]] = {}
        bodies: list[tuple[list, tuple[int, int] | None]] = [(function.body, None)]
        while bodies:
            body, parent = bodies.pop()
            key = id(body)
            lists[key] = (body, parent)
            for index, statement in enumerate(body):
                position = (key, index)
                where[id(statement)] = position
                statement_type = type(statement)
                if statement_type in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
                    continue
                headers: list[ast.AST] = []
                if statement_type is ast.If:
                    headers.append(statement.test)
                elif statement_type in (ast.For, ast.AsyncFor):
                    headers.extend((statement.target, statement.iter))
                elif statement_type in (ast.With, ast.AsyncWith):
                    headers.extend(statement.items)
                elif statement_type is ast.Match:
                    headers.append(statement.subject)
                    headers.extend(case.pattern for case in statement.cases)
                elif statement_type in (ast.Try, getattr(ast, "TryStar", ast.Try)):
                    headers.extend(statement.handlers)  # the handler's ``as`` name
                elif statement_type is not ast.While:
                    headers.append(statement)
                for field in ("body", "orelse", "finalbody"):
                    inner = getattr(statement, field, None)
                    if type(inner) is list and inner and isinstance(inner[0], ast.stmt):
                        bodies.append((inner, position))
                for handler in getattr(statement, "handlers", ()):
                    bodies.append((handler.body, position))
                for case in getattr(statement, "cases", ()):
                    bodies.append((case.body, position))
                pending = [h for h in headers if h is not statement]
                if statement in headers:
                    pending.extend(ast.iter_child_nodes(statement))
                while pending:
                    child = pending.pop()
                    where[id(child)] = position
                    child_type = type(child)
                    if child_type is ast.ExceptHandler or child_type is ast.Lambda:
                        continue
                    if child_type is ast.GeneratorExp:
                        pending.append(child.generators[0].iter)  # evaluated at once
                        continue
                    pending.extend(ast.iter_child_nodes(child))
        cached = (where, lists)
        self._positions[id(function)] = cached
        return cached

    # -- model columns that cannot carry markup (FA-9) -------------------------------------

    def _markup_free_column(self, binding: Binding, class_scope: Scope) -> bool:
        """A class-body binding to a SQLAlchemy column or a Django model field of a numeric,
        date/time, boolean or UUID type: on an instance, the attribute holds such a value."""
        if binding.scope is not class_scope:
            return False
        annotation = self._annotation(binding.node)
        if binding.kind == DECLARE:
            return annotation is not None and self._mapped_markup_free(annotation, class_scope)
        if binding.kind != ASSIGN or type(binding.value) is not ast.Call:
            return False
        call = binding.value
        func = call.func
        names = self.ctx.qualnames(func, class_scope)
        last = _last_name(func)
        if any(
            name.startswith("django.") and ".db.models" in name
            and name.rpartition(".")[2] in DJANGO_MARKUP_FREE_FIELDS
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
            or (type(func) is ast.Attribute and self._is_flask_sqlalchemy(func.value, class_scope))
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
            return self._markup_free_type(column_type, class_scope)
        # ``mapped_column()`` without a type: the ``Mapped[...]`` annotation gives it.
        return (
            last == "mapped_column"
            and annotation is not None
            and self._mapped_markup_free(annotation, class_scope)
        )

    def _annotation(self, target: ast.AST):
        if self._annotations is None:
            self._annotations = {
                id(node.target): node.annotation for node, _ in self.ctx.nodes(ast.AnnAssign)
            }
        return self._annotations.get(id(target))

    def _markup_free_type(self, column_type: ast.AST, scope: Scope) -> bool:
        """``Integer``, ``sa.DateTime(timezone=True)``, ``db.Numeric(10, 2)``, ..."""
        if type(column_type) is ast.Call:
            column_type = column_type.func
        if type(column_type) not in (ast.Name, ast.Attribute):
            return False
        last = _last_name(column_type)
        if last not in SQLALCHEMY_MARKUP_FREE_TYPES:
            return False
        if any(
            name.startswith(_SQLALCHEMY_ROOTS) and name.rpartition(".")[2] == last
            for name in self.ctx.qualnames(column_type, scope)
        ):
            return True
        return type(column_type) is ast.Attribute and self._is_flask_sqlalchemy(
            column_type.value, scope
        )

    def _mapped_markup_free(self, annotation: ast.AST, scope: Scope) -> bool:
        """``Mapped[int]``, ``Mapped[Optional[datetime]]``, ``Mapped[Decimal | None]``."""
        if type(annotation) is not ast.Subscript:
            return False
        if not any(
            name.startswith(_SQLALCHEMY_ROOTS) and name.rpartition(".")[2] == "Mapped"
            for name in self.ctx.qualnames(annotation.value, scope)
        ):
            return False
        pending = [annotation.slice]
        seen_type = False
        for _ in range(_MAX_MARKUP_STEPS):
            if not pending:
                return seen_type
            node = pending.pop()
            if type(node) is ast.Constant and node.value is None:
                continue
            if type(node) is ast.BinOp and type(node.op) is ast.BitOr:
                pending.extend((node.left, node.right))
                continue
            if type(node) is ast.Subscript:
                names = self.ctx.qualnames(node.value, scope)
                if names & {"typing.Optional", "typing.Union", "typing_extensions.Optional"}:
                    inner = node.slice
                    pending.extend(inner.elts if type(inner) is ast.Tuple else (inner,))
                    continue
                return False
            if not self.ctx.qualnames(node, scope) & MARKUP_FREE_PYTHON_TYPES:
                return False
            seen_type = True
        return False

    def _is_flask_sqlalchemy(self, expr: ast.AST, scope: Scope) -> bool:
        """``db`` of Flask-SQLAlchemy: a name bound only to ``SQLAlchemy(...)``, or a name
        ``db`` of unknown origin (imported from the project's extensions module)."""
        if type(expr) is not ast.Name:
            return False
        _, bindings = lookup_name(scope, expr.id)
        values = [b for b in bindings if b.kind != DECLARE]
        if values and all(
            b.kind == ASSIGN
            and type(b.value) is ast.Call
            and self.ctx.qualnames(b.value.func, b.scope) & FLASK_SQLALCHEMY
            for b in values
        ):
            return True
        return expr.id == "db" and bool(values) and all(b.kind == IMPORT for b in values)

    # -- Markup-typed values ---------------------------------------------------------------

    def is_markup(self, node: ast.AST, scope: Scope) -> bool:
        """A MarkupSafe ``Markup`` value: ``Markup(...)``, ``escape(...)``, and ``%``, ``+``,
        ``*``, ``.format()``, ``.join()`` on one; a name bound only to such values."""
        pending = [(node, scope)]
        steps = 0
        seen: set[int] = set()
        while pending:
            current, current_scope = pending.pop()
            if id(current) in seen:
                continue
            seen.add(id(current))
            steps += 1
            if steps > _MAX_MARKUP_STEPS:
                return False
            node_type = type(current)
            if node_type is ast.Call:
                func = current.func
                if self.ctx.qualnames(func, current_scope) & MARKUP_PRODUCERS:
                    continue
                if type(func) is ast.Attribute and func.attr in (
                    "format", "format_map", "join"
                ):
                    pending.append((func.value, current_scope))
                    continue
                return False
            if node_type is ast.BinOp and type(current.op) in (ast.Add, ast.Mod, ast.Mult):
                right = current.right
                if (
                    type(current.op) is ast.Add
                    and type(right) is ast.Call
                    and self.ctx.qualnames(right.func, current_scope) & MARKUP_PRODUCERS
                ):
                    continue
                pending.append((current.left, current_scope))
                continue
            if node_type is ast.Name:
                bound_in, bindings = lookup_name(current_scope, current.id)
                values = [b for b in bindings if b.kind != DECLARE]
                if bound_in is None or not values:
                    return False
                for binding in values:
                    if binding.kind not in (ASSIGN, AUGASSIGN):
                        return False
                    pending.append((binding.value, binding.scope))
                continue
            if node_type is ast.Await:
                pending.append((current.value, current_scope))
                continue
            return False
        return True

    # -- the engine --------------------------------------------------------------------------

    def is_escaped(self, root: ast.AST, scope: Scope) -> bool:
        cached = self._cache.get(id(root))
        if cached is not None:
            return cached
        try:
            return self._run(root, scope)
        except _Budget:
            return True  # too large to judge: unknown, not reported

    def _run(self, root: ast.AST, root_scope: Scope) -> bool:
        cache = self._cache
        in_progress: set[int] = set()
        pending: dict[int, list] = {}
        stack: list[tuple[ast.AST, Scope, bool]] = [(root, root_scope, False)]
        steps = 0
        while stack:
            node, scope, expanded = stack.pop()
            key = id(node)
            if not expanded:
                if key in cache or key in in_progress:
                    continue
                steps += 1
                if steps > _MAX_STEPS:
                    raise _Budget
                plan = self._plan(node, scope)
                if plan is True or plan is False:
                    cache[key] = plan
                    continue
                in_progress.add(key)
                pending[key] = plan
                stack.append((node, scope, True))
                for dep, dep_scope in plan:
                    dep_key = id(dep)
                    if dep_key not in cache and dep_key not in in_progress:
                        stack.append((dep, dep_scope, False))
            else:
                deps = pending.pop(key)
                # A node met again while it is judged (a cycle) is neutral.
                cache[key] = all(cache.get(id(dep), True) for dep, _ in deps)
                in_progress.discard(key)
        return cache.get(id(root), True)

    def _plan(self, node: ast.AST, scope: Scope):
        """``True``/``False``, or the list of (node, scope) that must all be escaped."""
        node_type = type(node)
        if node_type is ast.Constant:
            return True
        if node_type is ast.Name:
            return self._plan_name(node, scope)
        if node_type is ast.Attribute:
            return self._plan_attribute(node, scope)
        if node_type is ast.Call:
            return self._plan_call(node, scope)
        if node_type is ast.BinOp:
            return self._plan_binop(node, scope)
        if node_type is ast.JoinedStr:
            deps = []
            for part in node.values:
                if type(part) is not ast.FormattedValue:
                    continue
                spec = part.format_spec
                if part.conversion == -1 and spec is not None and _numeric_spec(spec):
                    continue
                deps.append((part.value, scope))
            return deps
        if node_type is ast.Subscript:
            return [(node.value, scope)]  # an element of an escaped container
        if node_type in (ast.Tuple, ast.List, ast.Set):
            return [(element, scope) for element in node.elts]
        if node_type is ast.Dict:
            deps = [(key, scope) for key in node.keys if key is not None]
            deps.extend((value, scope) for value in node.values)
            return deps
        if node_type is ast.IfExp:
            return [(node.body, scope), (node.orelse, scope)]
        if node_type is ast.BoolOp:
            return [(value, scope) for value in node.values]
        if node_type in (ast.Starred, ast.NamedExpr, ast.Await):
            return [(node.value, scope)]
        if node_type in (ast.Compare, ast.UnaryOp):
            return True  # booleans and numbers
        if node_type in (ast.ListComp, ast.SetComp, ast.GeneratorExp):
            return [(node.elt, self.comprehension_scope(node, scope))]
        if node_type is ast.DictComp:
            inner = self.comprehension_scope(node, scope)
            return [(node.key, inner), (node.value, inner)]
        if node_type in (ast.Lambda, ast.Yield, ast.YieldFrom):
            return False
        return True  # node types this analysis does not know: unknown

    def _plan_name(self, node: ast.Name, scope: Scope):
        bound_in, bindings = lookup_name(scope, node.id)
        if bound_in is None:
            return True  # a builtin or a star import: unknown
        mutations = self.mutations(bound_in, node.id)
        if not mutations and self.values.evaluate(node, scope).kind in (LITERAL, UNKNOWN):
            return True
        deps: list[tuple[ast.AST, Scope]] = list(mutations)
        has_value = False
        reaching = self._reaching_bindings(node, scope, bound_in, bindings)
        if reaching is not None:
            bindings = reaching  # the straight-line assignment that reaches this use
        for binding in bindings:
            kind = binding.kind
            if kind in (ASSIGN, AUGASSIGN):
                deps.append((binding.value, binding.scope))
                has_value = True
            elif kind == IMPORT:
                has_value = True
            elif kind == DECLARE:
                continue
            elif kind in (STORE, FOR, WITH) and bound_in.kind == COMPREHENSION:
                iterable = _comprehension_iterable(bound_in, node.id)
                if iterable is None:
                    return False
                deps.append(iterable)
                has_value = True
            else:
                return False  # a parameter, loop target, function, class, ...
        if not has_value:
            return False
        return deps

    def _plan_attribute(self, node: ast.Attribute, scope: Scope):
        found = self.values.attribute_bindings(node, scope)
        if found is None:
            if self.values.evaluate(node, scope).kind in (LITERAL, UNKNOWN):
                return True
            return False
        deps: list[tuple[ast.AST, Scope]] = []
        bindings: list[Binding] = []
        columns = False  # some binding is a number/date/boolean model column or field
        for class_scope in self._class_family(found[0]):
            deps.extend(self.mutations(class_scope, "." + node.attr))
            for binding in class_scope.bindings.get(node.attr, ()):
                if self._markup_free_column(binding, class_scope):
                    columns = True
                else:
                    bindings.append(binding)
            bindings.extend(class_scope.instance_bindings.get(node.attr, ()))
        if not bindings and not columns:
            return False
        properties = []
        for binding in bindings:
            if binding.kind in (ASSIGN, AUGASSIGN):
                deps.append((binding.value, binding.scope))
            elif binding.kind == DEF and _is_property(binding.node):
                properties.append(binding.node)
            elif binding.kind != DECLARE:
                return False
        if properties:
            returned = self._returns_of(properties)
            if returned is False:
                return False
            if returned is not True:
                deps.extend(returned)
        return deps or (True if properties or columns else False)

    def _plan_binop(self, node: ast.BinOp, scope: Scope):
        op_type = type(node.op)
        if op_type in (ast.Add, ast.Mod, ast.Mult) and self.is_markup(node.left, scope):
            return True  # Markup escapes the other operand
        if op_type is ast.Add and self.is_markup(node.right, scope):
            return True
        if op_type is ast.Mod:
            fmt = self.values.literal_value(node.left, scope)
            if isinstance(fmt, str):
                return self._percent_deps(fmt, node.right, scope)
        if op_type not in (ast.Add, ast.Mod, ast.Mult):
            return True  # arithmetic: numbers
        return [(node.left, scope), (node.right, scope)]

    def _percent_deps(self, fmt: str, right: ast.AST, scope: Scope):
        parsed = _percent_numeric_args(fmt)
        if parsed is None:
            return [(right, scope)]
        positions, keys = parsed
        if keys:
            if type(right) is ast.Dict and all(key is not None for key in right.keys):
                deps = []
                for key, value in zip(right.keys, right.values):
                    key_value = self.values.literal_value(key, scope)
                    if not isinstance(key_value, str) or not keys.get(key_value, False):
                        deps.append((value, scope))
                return deps
            if all(keys.values()):
                return True  # every field is numeric
            return [(right, scope)]
        if type(right) is ast.Tuple and not any(type(e) is ast.Starred for e in right.elts):
            if len(right.elts) != len(positions):
                return [(right, scope)]
            return [
                (element, scope)
                for element, numeric in zip(right.elts, positions)
                if not numeric
            ]
        if len(positions) == 1 and positions[0] and type(right) is not ast.Tuple:
            return True  # one numeric field
        return [(right, scope)]

    def _plan_call(self, node: ast.Call, scope: Scope):
        func = node.func
        names = self.ctx.qualnames(func, scope)
        if names:
            if names & NOT_HTML_ESCAPERS:
                return False
            if names & (ESCAPERS | ALL_SINKS | URL_BUILDERS | NUMERIC):
                return True
            for name in names:
                helper = AUTOESCAPE_HELPERS.get(name)
                if helper is not None:
                    if self._autoescape_on(node, scope, *helper):
                        return True
                    return [(node.args[0], scope)] if node.args else True
            for name in names:
                carried = LOCALE_FORMATTERS.get(name)
                if carried is not None:
                    return self._carried_arguments(node, scope, *carried)
            if names & TRANSPARENT:
                deps = [(arg, scope) for arg in node.args]
                deps.extend((keyword.value, scope) for keyword in node.keywords)
                return deps
            if "builtins.map" in names:
                return self._plan_map(node, scope)
        func_type = type(func)
        last = _last_name(func)
        if func_type is ast.Name and last in _GETTEXT:
            if self.values.evaluate(node, scope).kind in (LITERAL, UNKNOWN):
                return True
        if _names_an_escaper(last):
            return True
        if func_type is ast.Name and not names:
            if self._bound_to_escaper(func, scope):
                return True
            _, bindings = lookup_name(scope, func.id)
            functions = [b.node for b in bindings if b.kind != DECLARE]
            if functions and all(b.kind == DEF for b in bindings if b.kind != DECLARE):
                return self._returns_of(functions)
            return False
        if func_type is not ast.Attribute:
            return False
        receiver = func.value
        attr = func.attr
        methods = self._methods(func, scope)
        if methods:
            return self._returns_of(methods)
        if attr in ("render", "render_to_string") and self._is_template(receiver, scope):
            return True
        if attr == "clean" and self._is_cleaner(receiver, scope):
            return True
        if attr in FORM_RENDERERS:
            return True
        if attr == "urlencode":
            return True  # QueryDict.urlencode(): a percent-encoded query string
        if attr in STRING_METHODS:
            if attr in ("format", "format_map", "join") and self.is_markup(receiver, scope):
                return True
            if attr == "format":
                fmt = self.values.literal_value(receiver, scope)
                if isinstance(fmt, str):
                    return self._format_deps(fmt, node, scope)
            arguments = node.args
            if attr in ("get", "pop", "setdefault"):
                arguments = arguments[1:]  # the key does not end up in the result
            deps = [(receiver, scope)]
            deps.extend((arg, scope) for arg in arguments)
            deps.extend((keyword.value, scope) for keyword in node.keywords)
            return deps
        return False

    def _methods(self, func: ast.Attribute, scope: Scope):
        """``self.method`` / ``cls.method`` / ``Class.method`` of a class in this file: the
        function definitions it may denote (the class, its bases, its subclasses), or
        ``None`` when it is not (only) a method."""
        found = self.values.attribute_bindings(func, scope)
        if found is None:
            return None
        functions = []
        for class_scope in self._class_family(found[0]):
            if class_scope.instance_bindings.get(func.attr):
                return None
            for binding in class_scope.bindings.get(func.attr, ()):
                if binding.kind != DEF:
                    return None
                functions.append(binding.node)
        return functions or None

    def _carried_arguments(self, call: ast.Call, scope: Scope, positions, keywords):
        """The arguments of a locale formatter whose text reaches its result (all of them
        when ``*args``/``**kwargs`` hide which is which)."""
        if any(type(arg) is ast.Starred for arg in call.args) or any(
            keyword.arg is None for keyword in call.keywords
        ):
            deps = [(arg, scope) for arg in call.args]
            deps.extend((keyword.value, scope) for keyword in call.keywords)
            return deps or True
        deps = [(call.args[p], scope) for p in positions if p < len(call.args)]
        deps.extend((k.value, scope) for k in call.keywords if k.arg in keywords)
        return deps or True

    def _returns_of(self, functions):
        """The values a project function returns, to be judged in its own scope: its result
        is escaped when every ``return`` value is (``return format_html(...)``)."""
        if self._returns is None:
            found: dict[int, list[tuple[ast.AST, Scope]]] = {}
            for statement, scope in self.ctx.nodes(ast.Return):
                owner = scope.node
                if type(owner) in (ast.FunctionDef, ast.AsyncFunctionDef):
                    found.setdefault(id(owner), []).append((statement.value, scope))
            self._returns = found
        deps = []
        for function in functions:
            if type(function) not in (ast.FunctionDef, ast.AsyncFunctionDef):
                return False  # a lambda
            returns = self._returns.get(id(function))
            if not returns:
                return False  # no return value (or a generator): not judged escaped
            deps.extend((value, scope) for value, scope in returns if value is not None)
        return deps or True

    def _format_deps(self, fmt: str, call: ast.Call, scope: Scope):
        fields = _format_fields(fmt)
        if fields is None or any(type(arg) is ast.Starred for arg in call.args):
            deps = [(arg, scope) for arg in call.args]
            deps.extend((keyword.value, scope) for keyword in call.keywords)
            return deps
        deps = []
        for index, arg in enumerate(call.args):
            if not fields.get(index, True):
                deps.append((arg, scope))
        for keyword in call.keywords:
            if keyword.arg is None or not fields.get(keyword.arg, True):
                deps.append((keyword.value, scope))
        return deps

    def _plan_map(self, node: ast.Call, scope: Scope):
        if not node.args:
            return True
        function, iterables = node.args[0], node.args[1:]
        if type(function) is ast.Lambda:
            body = function.body
            if type(body) is ast.Call and self._callee_escapes(body.func, scope):
                return True
            return False
        if self._callee_escapes(function, scope):
            return True
        names = self.ctx.qualnames(function, scope)
        if names & TRANSPARENT:
            return [(iterable, scope) for iterable in iterables]
        return False

    def _callee_escapes(self, func: ast.AST, scope: Scope) -> bool:
        names = self.ctx.qualnames(func, scope)
        if names & NOT_HTML_ESCAPERS:
            return False
        if names & (ESCAPERS | ALL_SINKS | URL_BUILDERS | NUMERIC):
            return True
        return _names_an_escaper(_last_name(func))

    def _bound_to_escaper(self, func: ast.Name, scope: Scope) -> bool:
        """Django's ``needs_autoescape`` idiom: ``esc = conditional_escape`` on one branch and
        an identity function on the other (used only where the output is not escaped)."""
        _, bindings = lookup_name(scope, func.id)
        for binding in bindings:
            if binding.kind != ASSIGN:
                continue
            value = binding.value
            options = [value.body, value.orelse] if type(value) is ast.IfExp else [value]
            for option in options:
                if type(option) in (ast.Name, ast.Attribute) and self._callee_escapes(
                    option, binding.scope
                ):
                    return True
        return False

    def _autoescape_on(self, call: ast.Call, scope: Scope, position: int, default: bool) -> bool:
        value = None
        for keyword in call.keywords:
            if keyword.arg == "autoescape":
                value = keyword.value
        if value is None and len(call.args) > position:
            value = call.args[position]
        if value is None:
            return default
        literal = self.values.evaluate(value, scope)
        if literal.known:
            return bool(literal.value)
        return True  # configured elsewhere: unknown

    def _is_template(self, receiver: ast.AST, scope: Scope) -> bool:
        """``super()``, a template from ``get_template``/``select_template``/``from_string``
        or a template class, or a name bound only to one of these."""
        pending = [(receiver, scope)]
        steps = 0
        while pending:
            node, node_scope = pending.pop()
            steps += 1
            if steps > _MAX_MARKUP_STEPS:
                return False
            if type(node) in (ast.Name, ast.Attribute):
                last = (node.id if type(node) is ast.Name else node.attr).lower()
                if any(word in last for word in ("template", "renderer", "widget")) or (
                    last == "nodelist"
                ):
                    continue  # template.render(...), renderer.render(...), widget.render(...)
            if type(node) is ast.Call:
                func = node.func
                if type(func) is ast.Name and func.id == "super":
                    continue
                if type(func) is ast.Attribute and func.attr in TEMPLATE_LOADERS:
                    continue
                names = self.ctx.qualnames(func, node_scope)
                if names & TEMPLATE_CLASSES or any(
                    name.rpartition(".")[2] in TEMPLATE_LOADERS for name in names
                ):
                    continue
                return False
            if type(node) is ast.Name:
                _, bindings = lookup_name(node_scope, node.id)
                values = [b for b in bindings if b.kind != DECLARE]
                if not values or any(b.kind != ASSIGN for b in values):
                    return False
                pending.extend((b.value, b.scope) for b in values)
                continue
            return False
        return True

    def _is_cleaner(self, receiver: ast.AST, scope: Scope) -> bool:
        node, node_scope = receiver, scope
        for _ in range(_MAX_MARKUP_STEPS):
            if type(node) is ast.Call:
                return bool(self.ctx.qualnames(node.func, node_scope) & CLEANERS)
            if type(node) is not ast.Name:
                return False
            _, bindings = lookup_name(node_scope, node.id)
            values = [b for b in bindings if b.kind != DECLARE]
            if len(values) != 1 or values[0].kind != ASSIGN:
                return False
            node, node_scope = values[0].value, values[0].scope
        return False


def _direct_target(statement: ast.AST, target: ast.AST) -> bool:
    """``target`` is assigned by ``statement`` itself (``x = ...``, ``x: T = ...``, ``x += ...``,
    ``x = y = ...``, ``x, y = a, b``), not by a ``:=`` inside it."""
    statement_type = type(statement)
    if statement_type is ast.Assign:
        targets = statement.targets
    elif statement_type in (ast.AnnAssign, ast.AugAssign):
        targets = [statement.target]
    else:
        return False
    pending = list(targets)
    while pending:
        node = pending.pop()
        if node is target:
            return True
        if type(node) in (ast.Tuple, ast.List):
            pending.extend(node.elts)
        elif type(node) is ast.Starred:
            pending.append(node.value)
    return False


def _contains(roots, node: ast.AST) -> bool:
    """``node`` lies in one of the (small) subtrees ``roots``."""
    pending = list(roots)
    while pending:
        current = pending.pop()
        if current is node:
            return True
        pending.extend(ast.iter_child_nodes(current))
    return False


def _is_property(function: ast.AST) -> bool:
    """``@property`` / ``@cached_property`` (any module's)."""
    for decorator in getattr(function, "decorator_list", ()):
        name = _last_name(decorator)
        if name in ("property", "cached_property"):
            return True
    return False


def _last_name(func: ast.AST) -> str:
    if type(func) is ast.Name:
        return func.id
    if type(func) is ast.Attribute:
        return func.attr
    return ""


def _numeric_spec(spec: ast.AST) -> bool:
    """An f-string format spec such as ``d``, ``.2f``, ``,`` + type: the field is a number."""
    if type(spec) is not ast.JoinedStr or not spec.values:
        return False
    if any(type(part) is not ast.Constant for part in spec.values):
        return False
    text = "".join(str(part.value) for part in spec.values)
    return bool(text) and text[-1] in _NUMERIC_SPEC_TYPES


def _names_an_escaper(name: str) -> bool:
    """A callee whose own name says it escapes or sanitises HTML (``escape_html``,
    ``sanitize``, ``sanitise_markup``); ``unescape`` does the opposite."""
    words = [word.lower() for word in _NAME_WORDS.split(name) if word]
    if any(word in _NEGATIONS for word in words):
        return False  # ``no_escape``, ``render_without_escaping``, ``does_not_escape``
    return any(
        ("escap" in word and not word.startswith("un")) or word.startswith(("sanitiz", "sanitis"))
        for word in words
    )


def _inside_escaper(scope: Scope) -> bool:
    """The innermost function around the sink is an escaping helper by its name."""
    current = scope
    while current is not None and current.kind == COMPREHENSION:
        current = current.parent
    if current is None:
        return False
    node = current.node
    return (
        type(node) in (ast.FunctionDef, ast.AsyncFunctionDef)
        and not node.name.startswith("test")
        and _names_an_escaper(node.name)
    )


def _comprehension_iterable(comprehension: Scope, name: str):
    """The iterable a comprehension variable runs over, with the scope it is evaluated in."""
    node = comprehension.node
    for position, generator in enumerate(getattr(node, "generators", ())):
        if name in _target_names(generator.target):
            return generator.iter, (comprehension.parent if position == 0 else comprehension)
    return None


def _sink_argument(call: ast.Call, position: int, keywords: tuple[str, ...]):
    for keyword in call.keywords:
        if keyword.arg in keywords:
            return keyword.value
    if len(call.args) > position and not any(
        type(arg) is ast.Starred for arg in call.args[: position + 1]
    ):
        return call.args[position]
    return None


def _sink(call: ast.Call, names: frozenset[str]):
    """(short sink name, the argument that must be escaped) or ``None``."""
    if names & MARK_SAFE:
        return "mark_safe", _sink_argument(call, 0, ("s",))
    if names & SAFE_STRINGS:
        return "SafeString", _sink_argument(call, 0, ("object",))
    if names & FORMAT_HTML:
        return "format_html", _sink_argument(call, 0, ("format_string",))
    if names & FORMAT_HTML_JOIN:
        return "format_html_join", _sink_argument(call, 1, ("format_string",))
    if names & MARKUP_CLASSES:
        return "Markup", _sink_argument(call, 0, ("object", "base"))
    return None


def run(ctx):
    findings = []
    analysis = None
    for call, scope in ctx.calls_named(*SINK_NAMES):
        func = call.func
        if type(func) not in (ast.Name, ast.Attribute):
            continue
        names = ctx.qualnames(func, scope)
        if not names or not names & ALL_SINKS:
            continue
        found = _sink(call, names)
        if found is None:
            continue
        short, argument = found
        if argument is None:
            continue
        if _inside_escaper(scope):
            continue  # the body of an escaping helper (``def escapejson(value): ...``)
        if analysis is None:
            analysis = EscapedAnalysis(ctx)
        if analysis.is_escaped(argument, scope):
            continue
        if short == "SafeString":
            short = next(iter(sorted(names & SAFE_STRINGS))).rpartition(".")[2]
        findings.append(ctx.finding("WEB303", argument, sink=f"{short}()",
                                    fix=_FIXES.get(short, _FIXES["SafeString"])))
    return findings


CHECK = Check("mark_safe", run)
