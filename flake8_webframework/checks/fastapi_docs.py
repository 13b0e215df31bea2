"""WEB501 fastapi-docs-exposed: ``FastAPI(...)`` that leaves the interactive docs on."""

from __future__ import annotations

import ast

from ..values import NO_VALUE
from . import Check

FASTAPI_CLASSES = frozenset({"fastapi.FastAPI", "fastapi.applications.FastAPI"})
#: The callee names a ``FastAPI(...)`` call can have (``ctx.calls_named``).
FASTAPI_NAMES = frozenset(name.rpartition(".")[2] for name in FASTAPI_CLASSES)
DEFAULT_URLS = {"docs_url": "/docs", "redoc_url": "/redoc", "openapi_url": "/openapi.json"}

_CONFIGURED_ELSEWHERE = object()


def _url(call: ast.Call, name: str, scope, values):
    """The literal URL an argument sets, its default when absent, or _CONFIGURED_ELSEWHERE."""
    for keyword in call.keywords:
        if keyword.arg == name:
            value = values.evaluate(keyword.value, scope)
            if not value.is_literal or value.value is NO_VALUE:
                return _CONFIGURED_ELSEWHERE
            return value.value
    return DEFAULT_URLS[name]


def run(ctx):
    findings = []
    for call, scope in ctx.calls_named(*FASTAPI_NAMES):
        func = call.func
        if type(func) not in (ast.Name, ast.Attribute):
            continue
        if not ctx.qualnames(func, scope) & FASTAPI_CLASSES:
            continue
        if any(keyword.arg is None for keyword in call.keywords):
            continue  # FastAPI(**kwargs): configured elsewhere
        urls = {name: _url(call, name, scope, ctx.values) for name in DEFAULT_URLS}
        if _CONFIGURED_ELSEWHERE in urls.values():
            continue
        if not urls["openapi_url"]:
            continue
        exposed = [name for name in ("docs_url", "redoc_url") if urls[name]]
        if not exposed:
            continue
        paths = [str(urls[name]) for name in exposed] + [str(urls["openapi_url"])]
        text = ", ".join(paths[:-1]) + " and " + paths[-1]
        fix = ", ".join(f"{name}=None" for name in exposed)
        findings.append(ctx.finding("WEB501", func, exposed=text, fix=fix))
    return findings


CHECK = Check("fastapi_docs", run)
