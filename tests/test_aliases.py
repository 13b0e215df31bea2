"""Name resolution: the same snippet in every import spelling gives the same findings.

For each target (a framework name that some rule keys on) the snippet body refers to the
name through ``{ref}``; one import line in front of it binds the name in one of the ways
Python allows:

* ``from pkg.mod import name``            -> ``name``
* ``from pkg.mod import name as alias``   -> ``alias``
* ``import pkg.mod``                      -> ``pkg.mod.name``
* ``import pkg.mod as m``                 -> ``m.name``
* ``from pkg import mod``                 -> ``mod.name``   (submodule import, dotted modules)
* ``from pkg import mod as sub``          -> ``sub.name``

and the same again through every module that re-exports the name (``flask`` and
``flask.templating`` for ``render_template_string``, ...).  Every spelling must give
exactly the declared (code, line) findings, so a resolver that finds nothing anywhere
cannot pass.  Shadowing snippets (a parameter or local that shadows an import, enclosing
scopes, class bodies, imports inside functions) come in pairs with a positive twin.
"""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from flake8_webframework import check_source

ALIAS = "aliased_obj"
MODULE_ALIAS = "mod_alias"
SUB_ALIAS = "sub_alias"


@dataclass(frozen=True)
class Target:
    id: str
    modules: tuple  # every module through which ``name`` is importable
    name: str
    body: str  # uses {ref}; line 1 of the body is line 2 of the snippet
    expected: tuple  # ((code, body line), ...)
    filename: str = "aliases_snippet.py"


TARGETS = [
    Target(
        "render_template_string",
        ("flask", "flask.templating"),
        "render_template_string",
        "def view(request):\n"
        "    return {ref}(request.args['tpl'])\n",
        (("WEB301", 2),),
    ),
    Target(
        "jinja2.Template",
        ("jinja2", "jinja2.environment"),
        "Template",
        "def build(src):\n"
        "    return {ref}(src)\n",
        (("WEB301", 2),),
    ),
    Target(
        "jinja2.Environment",
        ("jinja2", "jinja2.environment"),
        "Environment",
        "def chained(src):\n"
        "    return {ref}(autoescape=True).from_string(src)\n"
        "\n"
        "\n"
        "def bound(src):\n"
        "    env = {ref}(autoescape=True)\n"
        "    return env.from_string(src)\n",
        (("WEB301", 2), ("WEB301", 7)),
    ),
    Target(
        "django.template.Template",
        ("django.template", "django.template.base"),
        "Template",
        "def build(src):\n"
        "    return {ref}(src)\n",
        (("WEB301", 2),),
    ),
    Target(
        "django.template.Engine",
        ("django.template", "django.template.engine"),
        "Engine",
        "def build(src):\n"
        "    return {ref}().from_string(src)\n",
        (("WEB301", 2),),
    ),
    Target(
        "mako.template.Template",
        ("mako.template",),
        "Template",
        "def build(src):\n"
        "    return {ref}(src)\n",
        (("WEB301", 2), ("WEB302", 2)),  # no default_filters=["h"]: no escaping either
    ),
    Target(
        "FastAPI",
        ("fastapi", "fastapi.applications"),
        "FastAPI",
        "application = {ref}(title='aliases')\n",
        (("WEB501", 1),),
    ),
    Target(
        "Starlette",
        ("starlette.applications",),
        "Starlette",
        "web = {ref}(debug=True)\n",
        (("WEB201", 1),),
    ),
    Target(
        "Flask",
        ("flask", "flask.app"),
        "Flask",
        # ``web`` is not a conventional app name: only resolving the constructor helps.
        "web = {ref}(__name__)\n"
        "web.config['SECRET_KEY'] = 'flask-secret'\n"
        "web.run(debug=True)\n",
        (("WEB101", 2), ("WEB201", 3)),
    ),
    Target(
        "SessionMiddleware",
        ("starlette.middleware.sessions",),
        "SessionMiddleware",
        "inner = object()\n"
        "asgi = {ref}(inner, secret_key='s3cret')\n",
        (("WEB101", 2),),
    ),
    Target(
        "SignedCookieSessionFactory",
        ("pyramid.session",),
        "SignedCookieSessionFactory",
        "factory = {ref}('itsaseekreet')\n",
        (("WEB101", 1),),
    ),
    Target(
        "AuthTktAuthenticationPolicy",
        ("pyramid.authentication",),
        "AuthTktAuthenticationPolicy",
        "policy = {ref}('sosecret', hashalg='sha512')\n",
        (("WEB101", 1),),
    ),
    Target(
        "pyjwt.encode",
        ("jwt",),
        "encode",
        "def make_token(claims):\n"
        "    return {ref}(claims, 'inline-key', algorithm='HS256')\n",
        (("WEB101", 2),),
    ),
    Target(
        "jose.jwt.encode",
        ("jose.jwt",),
        "encode",
        "def make_token(claims):\n"
        "    return {ref}(claims, 'inline-key', algorithm='HS256')\n",
        (("WEB101", 2),),
    ),
    Target(
        "os.getenv",
        ("os",),
        "getenv",
        "SECRET_KEY = {ref}('SECRET_KEY', 'dev-fallback')\n",
        (("WEB102", 1),),
    ),
    Target(
        "os.environ.get",
        ("os",),
        "environ",
        "SECRET_KEY = {ref}.get('SECRET_KEY', 'dev-fallback')\n",
        (("WEB102", 1),),
    ),
    Target(
        "django.conf.settings.configure",
        ("django.conf",),
        "settings",
        "{ref}.configure(DEBUG=True)\n",
        (("WEB201", 1),),
    ),
    Target(
        "environ.Env",
        ("environ",),
        "Env",
        "import django\n"
        "reader = {ref}()\n"
        "DEBUG = reader.bool('DEBUG', default=True)\n",
        (("WEB202", 3),),
    ),
    Target(
        "decouple.config",
        ("decouple",),
        "config",
        "import django\n"
        "DEBUG = {ref}('DEBUG', default=True, cast=bool)\n",
        (("WEB202", 2),),
    ),
]


def spellings(target: Target):
    """(spelling id, import line, reference) for every way to import target.name."""
    name = target.name
    for mod in target.modules:
        yield f"from {mod} import {name}", f"from {mod} import {name}", name
        yield (
            f"from {mod} import {name} as alias",
            f"from {mod} import {name} as {ALIAS}",
            ALIAS,
        )
        yield f"import {mod}", f"import {mod}", f"{mod}.{name}"
        yield f"import {mod} as m", f"import {mod} as {MODULE_ALIAS}", f"{MODULE_ALIAS}.{name}"
        if "." in mod:
            parent, _, last = mod.rpartition(".")
            yield f"from {parent} import {last}", f"from {parent} import {last}", f"{last}.{name}"
            yield (
                f"from {parent} import {last} as sub",
                f"from {parent} import {last} as {SUB_ALIAS}",
                f"{SUB_ALIAS}.{name}",
            )


CASES = [
    pytest.param(target, import_line, ref, id=f"{target.id}: {spelling}")
    for target in TARGETS
    for spelling, import_line, ref in spellings(target)
]


def findings(source: str, filename: str = "aliases_snippet.py"):
    return sorted((f.code, f.line) for f in check_source(source, filename))


def render(target: Target, import_line: str, ref: str) -> str:
    return import_line + "\n" + target.body.replace("{ref}", ref)


@pytest.mark.parametrize("target, import_line, ref", CASES)
def test_every_import_spelling_gives_the_same_findings(target, import_line, ref):
    source = render(target, import_line, ref)
    got = findings(source, target.filename)
    want = sorted((code, line + 1) for code, line in target.expected)
    assert got, f"no finding at all for this spelling:\n{source}"
    assert got == want, f"(code, line) findings {got} != {want} for:\n{source}"


@pytest.mark.parametrize("target", TARGETS, ids=[t.id for t in TARGETS])
def test_spellings_agree_with_each_other(target):
    """All spellings of one target give identical (code, line) findings."""
    results = {
        import_line: findings(render(target, import_line, ref), target.filename)
        for _spelling, import_line, ref in spellings(target)
    }
    distinct = {tuple(v) for v in results.values()}
    assert len(distinct) == 1, "spellings disagree:\n" + "\n".join(
        f"  {k!r}: {v}" for k, v in results.items()
    )


# --------------------------------------------------------------------------- scoping pairs

#: (id, source, expected sorted (code, line) list).  Negatives have a positive twin that
#: differs only in the shadowing binding, so that a resolver finding nothing cannot pass.
SCOPE_CASES = [
    (
        "import used in a function: positive",
        "from flask import render_template_string\n"
        "\n"
        "\n"
        "def view(tpl):\n"
        "    return render_template_string(tpl)\n",
        [("WEB301", 5)],
    ),
    (
        "parameter shadows the import",
        "from flask import render_template_string\n"
        "\n"
        "\n"
        "def view(render_template_string, tpl):\n"
        "    return render_template_string(tpl)\n",
        [],
    ),
    (
        "jinja2 Template: positive",
        "from jinja2 import Template\n"
        "\n"
        "\n"
        "def build(src):\n"
        "    return Template(src)\n",
        [("WEB301", 5)],
    ),
    (
        "local assignment shadows the import",
        "from jinja2 import Template\n"
        "\n"
        "\n"
        "def build(src):\n"
        "    Template = str\n"
        "    return Template(src)\n",
        [],
    ),
    (
        "enclosing function: import reached through it",
        "from jinja2 import Template\n"
        "\n"
        "\n"
        "def outer(src):\n"
        "    def inner():\n"
        "        return Template(src)\n"
        "\n"
        "    return inner()\n",
        [("WEB301", 6)],
    ),
    (
        "enclosing function's local shadows the import",
        "from jinja2 import Template\n"
        "\n"
        "\n"
        "def outer(src):\n"
        "    Template = str\n"
        "\n"
        "    def inner():\n"
        "        return Template(src)\n"
        "\n"
        "    return inner()\n",
        [],
    ),
    (
        "for-loop target shadows the import",
        "from django.template import Template\n"
        "\n"
        "\n"
        "def render_all(source, classes):\n"
        "    for Template in classes:\n"
        "        Template(source)\n",
        [],
    ),
    (
        "for-loop body: positive",
        "from django.template import Template\n"
        "\n"
        "\n"
        "def render_all(sources):\n"
        "    for source in sources:\n"
        "        Template(source)\n",
        [("WEB301", 6)],
    ),
    (
        "PyJWT inline key: positive",
        "import jwt\n"
        "\n"
        "\n"
        "def make_token():\n"
        "    return jwt.encode({'sub': '1'}, 'fixture-key')\n",
        [("WEB101", 5)],
    ),
    (
        "pytest fixture named jwt is not PyJWT",
        "import jwt\n"
        "\n"
        "\n"
        "def test_encode(jwt):\n"
        "    return jwt.encode({'sub': '1'}, 'fixture-key')\n",
        [],
    ),
    (
        "os lookup in an app config form: positive",
        "import os\n"
        "\n"
        "\n"
        "def configure(app):\n"
        "    app.config['SECRET_KEY'] = os.environ.get('FLASK_SIGNING', 'dev-fallback')\n",
        [("WEB102", 5)],
    ),
    (
        "django settings.configure in a function: positive",
        "from django.conf import settings\n"
        "\n"
        "\n"
        "def setup():\n"
        "    settings.configure(DEBUG=True)\n",
        [("WEB201", 5)],
    ),
    (
        "parameter named settings is not django.conf.settings",
        "from django.conf import settings\n"
        "\n"
        "\n"
        "def setup(settings):\n"
        "    settings.configure(DEBUG=True)\n",
        [],
    ),
    (
        "FastAPI in a function: positive",
        "from fastapi import FastAPI\n"
        "\n"
        "\n"
        "def build():\n"
        "    return FastAPI()\n",
        [("WEB501", 5)],
    ),
    (
        "parameter named FastAPI is not fastapi.FastAPI",
        "from fastapi import FastAPI\n"
        "\n"
        "\n"
        "def build(FastAPI):\n"
        "    return FastAPI()\n",
        [],
    ),
    (
        "class bodies do not enclose methods",
        "from flask import render_template_string\n"
        "\n"
        "\n"
        "class View:\n"
        "    render_template_string = staticmethod(str)\n"
        "\n"
        "    def get(self, tpl):\n"
        "        return render_template_string(tpl)\n",
        [("WEB301", 8)],
    ),
    (
        "a class attribute reached through self is not the import",
        "from flask import render_template_string\n"
        "\n"
        "\n"
        "class View:\n"
        "    render_template_string = staticmethod(str)\n"
        "\n"
        "    def get(self, tpl):\n"
        "        return self.render_template_string(tpl)\n",
        [],
    ),
    (
        "import inside the function that uses it",
        "def view(tpl):\n"
        "    from flask import render_template_string\n"
        "\n"
        "    return render_template_string(tpl)\n",
        [("WEB301", 4)],
    ),
    (
        "aliased import inside the function that uses it",
        "def make_token(claims):\n"
        "    import jwt as pyjwt\n"
        "\n"
        "    return pyjwt.encode(claims, 'in-function-key', algorithm='HS256')\n",
        [("WEB101", 4)],
    ),
    (
        "a function-level import of another module shadows the module-level one",
        "from flask import render_template_string\n"
        "\n"
        "\n"
        "def view(tpl):\n"
        "    from myproject.safe import render_template_string\n"
        "\n"
        "    return render_template_string(tpl)\n",
        [],
    ),
    (
        "a function-level import does not leak into a sibling function",
        "def a(tpl):\n"
        "    from flask import render_template_string\n"
        "\n"
        "    return render_template_string('<p>literal</p>')\n"
        "\n"
        "\n"
        "def b(render_template_string, tpl):\n"
        "    return render_template_string(tpl)\n",
        [],
    ),
    (
        "submodule import: from django import template",
        "from django import template\n"
        "\n"
        "\n"
        "def build(src):\n"
        "    return template.Template(src)\n",
        [("WEB301", 5)],
    ),
    (
        "submodule import: from jose import jwt",
        "from jose import jwt\n"
        "\n"
        "\n"
        "def make_token(claims):\n"
        "    return jwt.encode(claims, 'jose-key', algorithm='HS256')\n",
        [("WEB101", 5)],
    ),
    (
        "submodule import: from starlette.middleware import sessions",
        "from starlette.middleware import sessions\n"
        "\n"
        "inner = object()\n"
        "asgi = sessions.SessionMiddleware(inner, secret_key='s3cret')\n",
        [("WEB101", 4)],
    ),
    (
        "a local function named like the import",
        "from jinja2 import Template\n"
        "\n"
        "\n"
        "def build(src):\n"
        "    def Template(text):\n"
        "        return text\n"
        "\n"
        "    return Template(src)\n",
        [],
    ),
]


@pytest.mark.parametrize(
    "source, expected", [pytest.param(s, e, id=i) for i, s, e in SCOPE_CASES]
)
def test_scoping(source, expected):
    got = findings(source)
    want = sorted(expected)
    assert got == want, f"(code, line) findings {got} != {want} for:\n{source}"
