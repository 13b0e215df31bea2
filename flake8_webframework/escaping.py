"""HTML escaping: which values are escaped (or cannot carry markup), as two policies of the
value-provenance engine (:mod:`provenance`).

:data:`UNESCAPED` asks "may this value carry markup that nothing escaped?". A value is
clean when every part it is built from is

* a literal, or of unknown origin (an imported constant);
* the result of an escaping call: ``escape``/``conditional_escape``/``format_html``/
  ``format_html_join``/``json_script``/``html_params``/``flatatt``, MarkupSafe's ``escape``
  and ``Markup.escape``, ``html.escape``, sanitisers (``bleach.clean``, ``nh3.clean``), a
  template render (``render_to_string``, ``render_template``, ``get_template(...).render()``,
  ``super().render()``), a URL builder (``reverse``, ``url_for``, ``static``, ``quote``,
  ``urlencode``, ``get_absolute_url()``), a number (``int()``, ``len()``, ``%d``), another
  call that marks a value safe (judged at its own call), or a project function whose name
  says it escapes or sanitises (``escape_html``, ``sanitize``);
* the result of one of Django's locale formatters (``number_format``, ``localize``,
  ``date_format``/``time_format``, humanize's ``intcomma``/``naturalday``, ...) whose value or
  format argument - the part that can reach the output - is clean;
* a number, date or boolean model field or column, a comparison, arithmetic;
* combined by formatting, containers and the engine's other flows of clean parts.

Anything built on a MarkupSafe ``Markup`` with ``%``, ``+``, ``*``, ``.format()`` or
``.join()`` is escaped whatever the other operand: :data:`NOT_MARKUP` asks "is this not a
``Markup`` value?".
"""

from __future__ import annotations

import ast
import re

from .names import lookup_name
from .provenance import CLEAN, DEFAULT, Op, Part, Policy, Role, bad, summarised
from .scopes import ASSIGN, COMPREHENSION, DECLARE, Scope
from .syntax import last_name

# -- calls that mark their argument safe (WEB303's sinks) --------------------------------------

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

# -- values that are escaped whatever their arguments

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
        "django.urls.reverse_lazy",
        "django.urls.base.reverse",
        "django.urls.base.reverse_lazy",
        "django.shortcuts.reverse",
        "quart.helpers.url_for",
    }
)
#: Methods (on any receiver) that build a URL: Django's ``get_absolute_url()``, Starlette's
#: ``request.url_for()``/``app.url_path_for()``, Pyramid's ``request.route_url()`` and
#: ``static_url()``. Their result is a percent-encoded path or URL: no ``<``, ``>`` or ``"``.
URL_BUILDER_METHODS = frozenset(
    {"get_absolute_url", "url_for", "url_path_for", "route_url", "route_path", "static_url",
     "static_path", "resource_url", "resource_path", "current_route_url", "current_route_path"}
)
#: Methods whose result is a number or a date/time rendered by the server: digits, signs,
#: separators - never markup. (``strftime`` copies its format: the format must be clean.)
NUMBER_METHODS = frozenset(
    {"count", "index", "find", "rfind", "bit_length", "total_seconds", "isoformat",
     "timestamp", "isoweekday", "weekday", "toordinal", "__len__"}
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
_GETTEXT = frozenset(
    {"_", "gettext", "gettext_lazy", "ugettext", "ugettext_lazy", "lazy_gettext", "pgettext",
     "pgettext_lazy", "ngettext", "ngettext_lazy", "_l"}
)
_NAME_WORDS = re.compile(r"[_\W]+|(?<=[a-z0-9])(?=[A-Z])")
_NEGATIONS = frozenset({"no", "not", "dont", "without", "skip", "raw", "unsafe", "noescape"})


def names_an_escaper(name: str) -> bool:
    """A callee whose own name says it escapes or sanitises HTML (``escape_html``,
    ``sanitize``, ``sanitise_markup``); ``unescape`` does the opposite."""
    words = [word.lower() for word in _NAME_WORDS.split(name) if word]
    if any(word in _NEGATIONS for word in words):
        return False  # ``no_escape``, ``render_without_escaping``, ``does_not_escape``
    return any(
        ("escap" in word and not word.startswith("un")) or word.startswith(("sanitiz", "sanitis"))
        for word in words
    )


def inside_escaper(scope: Scope) -> bool:
    """The innermost function around ``scope`` is an escaping helper by its name."""
    current = scope
    while current is not None and current.kind == COMPREHENSION:
        current = current.parent
    if current is None:
        return False
    node = current.node
    return (
        type(node) in (ast.FunctionDef, ast.AsyncFunctionDef)
        and not node.name.startswith("test")
        and names_an_escaper(node.name)
    )


_ESCAPED_RESULTS = ESCAPERS | ALL_SINKS | URL_BUILDERS | NUMERIC
#: Bounded walks over receivers (template objects, cleaners).
_MAX_RECEIVER_STEPS = 64


class NotMarkup(Policy):
    """Bad: the value is not a MarkupSafe ``Markup`` (``%``, ``+``, ``.format()`` on a
    ``Markup`` escape their other operands)."""

    leaf_is_bad = True

    def judge(self, engine, flow):
        op = flow.op
        if op is Op.CALL:
            call = flow.call
            if engine.qualnames(call.func, flow.scope) & MARKUP_PRODUCERS:
                return CLEAN
            return bad(flow.node)
        if op is Op.FORMAT:
            form = flow.form
            if form == "concat":
                for part in flow.parts[1:]:
                    node = part.node
                    if type(node) is ast.Call and (
                        engine.qualnames(node.func, part.scope) & MARKUP_PRODUCERS
                    ):
                        return CLEAN  # ``x + Markup(...)``: Markup.__radd__ escapes x
                return [flow.parts[0]]
            if form == "fstring":
                return bad(flow.node)
            return flow.parts_with(Role.TEMPLATE)
        if op is Op.BINDINGS:
            # ``m = Markup(...); m += x`` stays Markup: ``+`` escapes x
            values = [part for part in flow.parts if part.role is not Role.CONCAT]
            return values or list(flow.parts)
        if op in (Op.PASS, Op.CHOICE, Op.RETURNS, Op.PARAM):
            return DEFAULT
        return bad(flow.node)


NOT_MARKUP = NotMarkup()


class UnescapedHtml(Policy):
    """Bad: the value may carry markup that nothing escaped."""

    leaf_is_bad = True

    def judge(self, engine, flow):
        op = flow.op
        if op is Op.FORMAT:
            if flow.form != "fstring" and not engine.judge(NOT_MARKUP, flow, flow.scope).bad:
                return CLEAN  # built on Markup: the other parts are escaped by it
            return DEFAULT
        if op is Op.CALL:
            return self._call(engine, flow)
        if op is Op.RETURNS:
            if flow.call is not None and names_an_escaper(last_name(flow.call.func)):
                return CLEAN
            return DEFAULT
        if op is Op.ATTRIBUTE:
            return CLEAN if _imported_constant(engine, flow.node, flow.scope) else bad(flow.node)
        if op is Op.MAPPED:
            return self._mapped(engine, flow)
        if op is Op.WITH_TARGET:
            return bad(flow.node)
        return DEFAULT

    def _call(self, engine, flow):
        call = flow.call
        scope = flow.scope
        func = call.func
        names = engine.qualnames(func, scope)
        if names:
            if names & NOT_HTML_ESCAPERS:
                return bad(flow.node)
            if names & _ESCAPED_RESULTS:
                return CLEAN
            for name in names:
                helper = AUTOESCAPE_HELPERS.get(name)
                if helper is not None:
                    if _autoescape_on(engine, call, scope, *helper):
                        return CLEAN
                    return [Part(call.args[0], scope, Role.ARGUMENT)] if call.args else CLEAN
            for name in names:
                carried = LOCALE_FORMATTERS.get(name)
                if carried is not None:
                    return _carried_arguments(flow, *carried)
            if names & TRANSPARENT:
                return flow.arguments()
            if "builtins.map" in names:
                return [Part(engine.element_flow(call, scope, ()), scope, Role.ELEMENT)]
        func_type = type(func)
        last = last_name(func)
        if last in _GETTEXT and (func_type is ast.Name or any(
            name.startswith(("django.utils.translation.", "gettext.", "flask_babel."))
            for name in names
        )):
            return flow.arguments()
        if names_an_escaper(last):
            return CLEAN
        if func_type is ast.Name:
            if not names and _bound_to_escaper(engine, func, scope):
                return CLEAN
            return engine.unknown_call(self, flow)
        if func_type is not ast.Attribute:
            return bad(flow.node)
        receiver = func.value
        attr = func.attr
        if attr in ("render", "render_to_string") and _is_template(engine, receiver, scope):
            return CLEAN
        if attr == "clean" and _is_cleaner(engine, receiver, scope):
            return CLEAN
        if attr in FORM_RENDERERS or attr == "urlencode":
            return CLEAN  # rendered form HTML; QueryDict.urlencode(): a percent-encoded query
        if attr in URL_BUILDER_METHODS or attr in NUMBER_METHODS:
            return CLEAN
        if attr.startswith("get_") and attr.endswith("_display") and not call.args:
            return CLEAN  # Django's get_FOO_display(): the choice's label from the model class
        if attr == "strftime":
            return flow.arguments()  # the format is copied into the result
        if attr in STRING_METHODS:
            parts = [part for part in flow.parts if part.role is Role.RECEIVER]
            arguments = flow.arguments()
            if attr in ("get", "pop", "setdefault"):
                arguments = [part for part in arguments if part.slot != 0]  # the key
            return parts + arguments
        return engine.unknown_call(self, flow)

    def _mapped(self, engine, flow):
        """An element of ``map(function, iterables...)``."""
        function = flow.parts[0].node
        scope = flow.scope
        if type(function) is ast.Lambda:
            body = function.body
            if type(body) is ast.Call and _callee_escapes(engine, body.func, scope):
                return CLEAN
            return bad(flow.node)
        if _callee_escapes(engine, function, scope):
            return CLEAN
        if engine.qualnames(function, scope) & TRANSPARENT:
            return flow.parts_with(Role.ELEMENT)
        return bad(flow.node)


UNESCAPED = summarised("html", UnescapedHtml())


def _imported_constant(engine, node: ast.Attribute, scope: Scope) -> bool:
    """``consts.TEMPLATE``: an UPPER_CASE attribute of an imported module (unknown value)."""
    return engine.is_literal_or_unknown(node, scope)


def _callee_escapes(engine, func: ast.AST, scope: Scope) -> bool:
    names = engine.qualnames(func, scope)
    if names & NOT_HTML_ESCAPERS:
        return False
    if names & _ESCAPED_RESULTS:
        return True
    return names_an_escaper(last_name(func))


def _bound_to_escaper(engine, func: ast.Name, scope: Scope) -> bool:
    """Django's ``needs_autoescape`` idiom: ``esc = conditional_escape`` on one branch and an
    identity function on the other (used only where the output is not escaped)."""
    _, bindings = lookup_name(scope, func.id)
    for binding in bindings:
        if binding.kind != ASSIGN:
            continue
        value = binding.value
        options = [value.body, value.orelse] if type(value) is ast.IfExp else [value]
        for option in options:
            if type(option) in (ast.Name, ast.Attribute) and _callee_escapes(
                engine, option, binding.scope
            ):
                return True
    return False


def _autoescape_on(engine, call: ast.Call, scope: Scope, position: int, default: bool) -> bool:
    value = None
    for keyword in call.keywords:
        if keyword.arg == "autoescape":
            value = keyword.value
    if value is None and len(call.args) > position:
        value = call.args[position]
    if value is None:
        return default
    literal = engine.ctx.values.evaluate(value, scope)
    if literal.known:
        return bool(literal.value)
    return True  # configured elsewhere: unknown


def _carried_arguments(flow, positions, keywords):
    """The arguments of a locale formatter whose text reaches its result (all of them when
    ``*args``/``**kwargs`` hide which is which)."""
    arguments = flow.arguments()
    if any(part.slot is None for part in arguments):
        return arguments or CLEAN
    carried = [part for part in arguments
               if (type(part.slot) is int and part.slot in positions)
               or (type(part.slot) is str and part.slot in keywords)]
    return carried or CLEAN


def _is_template(engine, receiver: ast.AST, scope: Scope) -> bool:
    """``super()``, a template from ``get_template``/``select_template``/``from_string`` or a
    template class, or a name bound only to one of these."""
    pending = [(receiver, scope)]
    steps = 0
    while pending:
        node, node_scope = pending.pop()
        steps += 1
        if steps > _MAX_RECEIVER_STEPS:
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
            names = engine.qualnames(func, node_scope)
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


def _is_cleaner(engine, receiver: ast.AST, scope: Scope) -> bool:
    node, node_scope = receiver, scope
    for _ in range(_MAX_RECEIVER_STEPS):
        if type(node) is ast.Call:
            return bool(engine.qualnames(node.func, node_scope) & CLEANERS)
        if type(node) is not ast.Name:
            return False
        _, bindings = lookup_name(node_scope, node.id)
        values = [b for b in bindings if b.kind != DECLARE]
        if len(values) != 1 or values[0].kind != ASSIGN:
            return False
        node, node_scope = values[0].value, values[0].scope
    return False
