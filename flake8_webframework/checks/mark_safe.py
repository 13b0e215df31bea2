"""WEB303 mark-safe-untrusted: HTML escaping bypassed for a non-literal value.

Sinks (resolved through imports and aliases): Django ``mark_safe(x)``, ``SafeString(x)`` (and
its old names ``SafeText``, ``SafeUnicode``, ``SafeBytes``), ``format_html(fmt, ...)`` and
``format_html_join(sep, fmt, ...)`` with a non-literal format string, and MarkupSafe's
``Markup(x)`` (also as ``flask.Markup`` and ``jinja2.Markup``).

The argument is reported unless the value-provenance engine finds it escaped: the policy
(what escapes, what cannot carry markup) is :data:`escaping.UNESCAPED`. The body of a
function whose name says it escapes (``def escape_json(value): return mark_safe(...)``) is
the escaping itself and is not reported.
"""

from __future__ import annotations

import ast

from ..arguments import call_argument
from ..escaping import (
    ALL_SINKS,
    FORMAT_HTML,
    FORMAT_HTML_JOIN,
    MARK_SAFE,
    MARKUP_CLASSES,
    SAFE_STRINGS,
    SINK_NAMES,
    UNESCAPED,
    inside_escaper,
)
from . import Check

#: (sink names, short name, position and keywords of the argument that must be escaped, fix)
SINKS = (
    (MARK_SAFE, "mark_safe", 0, ("s",),
     "escape the parts first (format_html(), conditional_escape()) or drop mark_safe"),
    (SAFE_STRINGS, "SafeString", 0, ("object",),
     "escape the parts first (format_html(), conditional_escape())"),
    (FORMAT_HTML, "format_html", 0, ("format_string",),
     "use a literal format string and pass the values as arguments"),
    (FORMAT_HTML_JOIN, "format_html_join", 1, ("format_string",),
     "use a literal format string and pass the values as arguments"),
    (MARKUP_CLASSES, "Markup", 0, ("object", "base"),
     "use Markup.escape(value) or a literal Markup('...{}').format(value)"),
)
TRIGGERS = SINK_NAMES


def run(ctx):
    findings = []
    for call, scope in ctx.calls_named(*SINK_NAMES):
        func = call.func
        if type(func) not in (ast.Name, ast.Attribute):
            continue
        names = ctx.qualnames(func, scope)
        if not names & ALL_SINKS:
            continue
        for sink_names, short, position, keywords, fix in SINKS:
            if names & sink_names:
                break
        argument = call_argument(call, position, *keywords)[0]
        if argument is None or type(argument) is ast.Starred:
            continue
        if inside_escaper(scope):
            continue  # the body of an escaping helper (``def escapejson(value): ...``)
        if not ctx.provenance.judge(UNESCAPED, argument, scope).bad:
            continue
        if short == "SafeString":
            short = sorted(names & SAFE_STRINGS)[0].rpartition(".")[2]
        findings.append(ctx.finding("WEB303", argument, sink=f"{short}()", fix=fix))
    return findings


CHECK = Check("mark_safe", run)
