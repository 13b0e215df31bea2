"""Unit tests of the shared core: names, values, lookups, settings, positions, WEB000."""

from __future__ import annotations

import ast
import textwrap

import pytest

from flake8_webframework import RULES, UnparsableSourceError, check_source, check_tree, core
from flake8_webframework.checks import Check
from flake8_webframework.lookups import lookup_turns_on, unwrap_lookup
from flake8_webframework.names import resolve_qualnames
from flake8_webframework.scopes import ModuleModel
from flake8_webframework.settings import SettingsInfo
from flake8_webframework.values import LITERAL, NONLITERAL, UNKNOWN, ValueAnalysis


def codes(source: str, filename: str = "module.py") -> list[tuple[int, str]]:
    return [(f.line, f.code) for f in check_source(textwrap.dedent(source), filename)]


def _last_expression(source: str):
    """The model, and the value of the last ``probe = <expr>`` assignment with its scope."""
    tree = ast.parse(textwrap.dedent(source))
    model = ModuleModel(tree)
    probes = [
        (node, scope)
        for node, scope in model.index[ast.Assign]
        if type(node.targets[0]) is ast.Name and node.targets[0].id == "probe"
    ]
    node, scope = max(probes, key=lambda item: item[0].lineno)
    return model, node.value, scope


def kind_of(source: str) -> int:
    model, expr, scope = _last_expression(source)
    return ValueAnalysis(model).evaluate(expr, scope).kind


def qualnames_of(source: str) -> frozenset[str]:
    model, expr, scope = _last_expression(source)
    return resolve_qualnames(expr, scope)


# -- name resolution ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "source, expected",
    [
        ("from flask import render_template_string as rts\nprobe = rts", {"flask.render_template_string"}),
        ("import flask as f\nprobe = f.Flask", {"flask.Flask"}),
        ("import os.path\nprobe = os.path.join", {"os.path.join"}),
        ("import os.path as p\nprobe = p.join", {"os.path.join"}),
        ("from django.views.decorators import csrf\nprobe = csrf.csrf_exempt",
         {"django.views.decorators.csrf.csrf_exempt"}),
        ("from flask import Markup\nM = Markup\nprobe = M", {"flask.Markup"}),
        ("try:\n    from jinja2 import Markup\nexcept ImportError:\n    Markup = None\nprobe = Markup",
         {"jinja2.Markup"}),
        ("def f():\n    import jwt\n    probe = jwt.encode", {"jwt.encode"}),
        ("probe = getattr", {"builtins.getattr"}),
        ("from flask import *\nprobe = render_template_string",
         {"flask.render_template_string", "builtins.render_template_string"}),
    ],
)
def test_qualified_names_through_imports(source: str, expected: set[str]) -> None:
    assert qualnames_of(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        "import jwt\ndef test_token(jwt):\n    probe = jwt.encode",  # a fixture named jwt
        "from django.utils.safestring import mark_safe\ndef mark_safe(x):\n    return x\nprobe = mark_safe",
        "import jwt\ndef f():\n    jwt = object()\n    probe = jwt.encode",
        "import jwt\nclass C:\n    jwt = 1\n    def m(self):\n        probe = jwt\n",
    ],
)
def test_shadowed_imports_are_not_the_import(source: str) -> None:
    names = qualnames_of(source)
    assert "jwt.encode" not in names and "django.utils.safestring.mark_safe" not in names


def test_class_scope_does_not_enclose_methods() -> None:
    source = "import jwt\nclass C:\n    jwt = None\n    def m(self):\n        probe = jwt.encode\n"
    assert qualnames_of(source) == {"jwt.encode"}


def test_global_and_nonlocal_bindings() -> None:
    source = """
    KEY = "a"
    def change():
        global KEY
        KEY = read()
    probe = KEY
    """
    assert kind_of(source) == NONLITERAL
    source = """
    def outer():
        key = "a"
        def inner():
            nonlocal key
            key = read()
        probe = key
    """
    assert kind_of(source) == NONLITERAL


# -- the value analysis ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        'probe = "a"',
        'probe = "a" "b"',
        'probe = "a" + "b" * 3',
        'probe = "%s-%s" % ("a", "b")',
        'probe = "{}".format("a")',
        'probe = ", ".join(["a", "b"])',
        'X = "a"\nprobe = f"<p>{X}</p>"',
        'from django.utils.translation import gettext_lazy as _\nprobe = _("hello")',
        'x = "a"\nx += "b"\nprobe = x',
        'A = "a"\nB = A + "b"\nprobe = B + A',
        'class T:\n    TPL = "x"\n    def m(self):\n        probe = self.TPL',
        'class T:\n    TPL = "x"\nprobe = T.TPL',
        'x = "a"\nx = x + "b"\nprobe = x',
        'probe = ("a" if flag else "b")',
    ],
)
def test_literal_expressions(source: str) -> None:
    assert kind_of(source) == LITERAL


@pytest.mark.parametrize(
    "source",
    [
        "def f(user):\n    probe = user.profile.bio",
        'def f(data):\n    probe = data["x"]',
        "probe = make()",
        'def f(name):\n    probe = "<p>%s</p>" % name',
        'def f(name):\n    probe = f"<p>{name}</p>"',
        'def f(name):\n    probe = "<p>{}</p>".format(name)',
        'def f(x):\n    y = "a"\n    y += x\n    probe = y',
        "for item in items:\n    probe = item",
        "def f(request):\n    probe = request.args",
        'import consts\nprobe = consts.template + "x"',
    ],
)
def test_nonliteral_expressions(source: str) -> None:
    assert kind_of(source) == NONLITERAL


@pytest.mark.parametrize(
    "source",
    [
        "from .consts import TEMPLATE\nprobe = TEMPLATE",
        "import consts\nprobe = consts.TEMPLATE",
        'from .consts import TEMPLATE\nprobe = TEMPLATE + "<footer/>"',
        "probe = undefined_builtin_or_star_name",
    ],
)
def test_unknown_expressions(source: str) -> None:
    assert kind_of(source) == UNKNOWN


def test_unknown_node_types_are_unknown() -> None:
    model, expr, scope = _last_expression('probe = "x"')

    class Mystery(ast.expr):
        _fields = ()

    assert ValueAnalysis(model).evaluate(Mystery(), scope).kind == UNKNOWN


def test_huge_string_repetition_is_not_computed() -> None:
    model, expr, scope = _last_expression('probe = "x" * 10**12')
    result = ValueAnalysis(model).evaluate(expr, scope)
    assert result.kind == LITERAL


# -- lookups and casts ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "expr, on",
    [
        ('env.bool("DEBUG", default=True)', True),
        ('env.bool("DEBUG", default=False)', False),
        ('config("DEBUG", default=True, cast=bool)', True),
        ('config("DEBUG", default="false", cast=bool)', False),
        ('os.environ.get("DEBUG", "True")', True),
        ('os.environ.get("DEBUG", "False")', True),  # a raw non-empty string is truthy
        ('os.environ.get("DEBUG", "")', False),
        ('os.environ.get("DEBUG", "False") == "True"', False),
        ('os.environ.get("DEBUG", "1") == "1"', True),
        ('os.getenv("DEBUG", "TRUE").lower() == "true"', True),
        ('os.getenv("DEBUG", "no").lower() in ("1", "true")', False),
        ('get_bool_env("DEBUG", True)', True),
        ('get_env("DEBUG", "0")', False),
        ('os.environ.get("DEBUG") or "yes"', True),
        ('bool(int(os.environ.get("DEBUG", "0")))', False),
        ('bool(int(os.environ.get("DEBUG", "1")))', True),
    ],
)
def test_debug_default_after_casts(expr: str, on: bool) -> None:
    model, node, scope = _last_expression(f"import os\nimport environ\nenv = environ.Env()\nprobe = {expr}")
    values = ValueAnalysis(model)
    lookup, casts = unwrap_lookup(node, scope, values)
    assert lookup_turns_on(lookup, casts, values) is on


# -- settings modules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source, filename, expected",
    [
        ("INSTALLED_APPS = []\nDEBUG = True", "anything.py", True),
        ("DEBUG = True", "cli.py", False),
        ("DEBUG = True", "settings.py", True),
        ("DEBUG = True", "config_dev.py", True),
        ("VERBOSE = 1", "settings.py", False),
        ("import flask\nVERBOSE = 1", "config.py", True),
        ("from .base import *\nDEBUG = True", "dev.py", True),
        ("from .base import *\nDEBUG = True", "whatever.py", True),
        ("DEBUG = True\napp.config.from_object(__name__)", "app.py", True),
        ("import django\nDEBUG = True", "tool.py", False),
        ("DEBUG = True", "project/settings/base.py", True),
    ],
)
def test_settings_module_detection(source: str, filename: str, expected: bool) -> None:
    model = ModuleModel(ast.parse(source))
    assert SettingsInfo(model, filename).is_settings_module(excluding="DEBUG") is expected


# -- positions ---------------------------------------------------------------------------------


def test_columns_are_characters_not_utf8_bytes() -> None:
    source = 'PREFIX = "ünïcödé"; SECRET_KEY = "ключ"\n'
    (finding,) = check_source(source, "settings_x.py")
    line = source.splitlines()[0]
    assert finding.col == line.index('"ключ"')
    assert finding.end_col == finding.col + len('"ключ"')


def test_bytes_source_with_coding_cookie_and_bom() -> None:
    latin1 = '# -*- coding: latin-1 -*-\nX = "é"; SECRET_KEY = "s"\n'.encode("latin-1")
    (finding,) = check_source(latin1, "m.py")
    assert (finding.line, finding.col, finding.code) == (2, 22, "WEB101")
    bom = b"\xef\xbb\xbfSECRET_KEY = 'k'\n"
    assert [(f.line, f.col) for f in check_source(bom, "m.py")] == [(1, 13)]


def test_findings_are_sorted_and_unique() -> None:
    source = """
    import jwt
    KEY = "k"
    SECRET_KEY = KEY
    jwt.encode({}, KEY)
    jwt.decode("t", KEY, algorithms=["HS256"])
    """
    assert codes(source) == [(3, "WEB101")]


def test_unparsable_source_raises_a_clean_error() -> None:
    with pytest.raises(UnparsableSourceError):
        check_source("def (:\n", "bad.py")
    with pytest.raises(UnparsableSourceError):
        check_source("x = 1\0\n", "nul.py")


# -- WEB000 ------------------------------------------------------------------------------------


def test_failing_check_gives_web000_and_the_others_still_report(monkeypatch) -> None:
    def explode(ctx):
        raise RecursionError("injected")

    monkeypatch.setattr(core, "CHECKS", [Check("boom", explode), *core.CHECKS])
    found = check_source('SECRET_KEY = "x"\n', "m.py")
    assert [(f.line, f.col, f.code) for f in found] == [(1, 0, "WEB000"), (1, 13, "WEB101")]
    assert "boom" in found[0].message and "RecursionError" in found[0].message


def test_failing_core_gives_one_web000_and_nothing_else(monkeypatch) -> None:
    def broken(self, node, scope):
        raise MemoryError

    monkeypatch.setattr(ValueAnalysis, "_plan", broken)
    found = check_source('SECRET_KEY = "x"\nDEBUG = True\nINSTALLED_APPS = []\n', "m.py")
    assert [(f.code, f.line, f.col) for f in found] == [("WEB000", 1, 0)]
    assert "core" in found[0].message and "MemoryError" in found[0].message


def test_failing_walk_gives_web000() -> None:
    tree = ast.parse("x = 1")
    tree.body[0].targets = [ast.Name(id=None, ctx=ast.Store())]  # a malformed tree: no name
    found = check_tree(tree, "m.py")
    assert [f.code for f in found] == ["WEB000"]


# -- deep trees: never limited by Python's recursion limit ----------------------------------------


def test_long_plus_chain_through_check_source() -> None:
    terms = " + ".join(["part"] * 2900)
    source = f"from flask import render_template_string\ndef view(part):\n    return render_template_string({terms})\n"
    try:
        found = check_source(source, "deep.py")
    except UnparsableSourceError:
        pytest.skip("this Python's parser refuses the chain")
    assert [f.code for f in found] == ["WEB301"]


def test_long_literal_chain_is_literal() -> None:
    terms = " + ".join(['"x"'] * 2900)
    source = f"from flask import render_template_string\nTPL = {terms}\nrender_template_string(TPL)\nSECRET_KEY = {terms}\n"
    try:
        found = check_source(source, "deep.py")
    except UnparsableSourceError:
        pytest.skip("this Python's parser refuses the chain")
    assert [f.code for f in found] == ["WEB101"]


def test_deep_conditional_and_attribute_chains() -> None:
    conditional = " if c else ".join(['"a"'] * 1500)
    attributes = "a" + ".b" * 2500
    source = f"SECRET_KEY = {conditional}\nX = {attributes}\n"
    try:
        found = check_source(source, "deep.py")
    except UnparsableSourceError:
        pytest.skip("this Python's parser refuses the nesting")
    assert [f.code for f in found] == ["WEB101"]


def test_every_rule_has_identity() -> None:
    for code, rule in RULES.items():
        assert rule.code == code and rule.msgid.startswith("W75") and rule.symbol


def test_thousands_of_rebindings_of_one_name() -> None:
    rebinds = '    q = q + " and a"\n' * 3000
    head = 'from flask import render_template_string\ndef f(x):\n    q = "select"\n'
    assert codes(head + rebinds + "    render_template_string(q)\n") == []
    found = codes(head + rebinds + "    q = q + x\n    render_template_string(q)\n")
    assert found == [(3005, "WEB301")]


def test_a_finding_may_raise_its_rules_severity_and_says_so():
    from flake8_webframework.findings import ColumnMap, make_finding, severity_of
    from flake8_webframework.sarif import SarifLog

    node = ast.parse("x = 1").body[0]
    plain = make_finding("WEB303", node, ColumnMap(None), sink="mark_safe()", fix="escape it")
    raised = make_finding("WEB303", node, ColumnMap(None), "high", sink="mark_safe()",
                          fix="escape it")
    lowered = make_finding("WEB304", node, ColumnMap(None), "low", sink="cursor.execute()")
    assert (plain.severity, raised.severity, lowered.severity) == ("medium", "high", "high")
    assert raised.message == plain.message + " (severity: high)"
    assert lowered.message == RULES["WEB304"].format(sink="cursor.execute()")
    assert severity_of("WEB303", raised.message) == "high"
    assert severity_of("WEB303", plain.message) == "medium"
    log = SarifLog("flake8", "7")
    log.add_result("WEB303", plain.message, "a.py", 1, 1)
    log.add_result("WEB303", raised.message, "a.py", 2, 1)
    levels = [result["level"] for result in log.to_dict()["runs"][0]["results"]]
    assert levels == ["warning", "error"]
