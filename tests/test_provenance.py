"""Unit tests of the value-provenance engine (flake8_webframework/provenance.py) and its
policies, through ``check_source`` and directly."""

from __future__ import annotations

import ast
import textwrap

import pytest

from flake8_webframework import check_source, provenance
from flake8_webframework.context import FileContext
from flake8_webframework.escaping import UNESCAPED
from flake8_webframework.options import DEFAULT_OPTIONS
from flake8_webframework.request_data import REQUEST
from flake8_webframework.sql_values import FORMATTED, UNSAFE_PART


def codes(source: str, filename: str = "app/views.py") -> list[tuple[int, str]]:
    return [(f.line, f.code) for f in check_source(textwrap.dedent(source), filename)]


def verdict(policy, source: str, expression: str = "probe"):
    """The policy's root verdict on the value of ``probe(...)``'s first argument."""
    tree = ast.parse(textwrap.dedent(source))
    ctx = FileContext(tree, "app/views.py", None, DEFAULT_OPTIONS)
    for call, scope in ctx.calls_named(expression):
        return ctx.provenance.judge(policy, call.args[0], scope)
    raise AssertionError("no probe call")


MARK_SAFE = "from django.utils.safestring import mark_safe\nfrom django.utils.html import escape\n"


# -- helpers of the same file: parameters stand for the arguments --------------------------


def test_helper_parameter_takes_the_escaped_argument():
    source = MARK_SAFE + """
def bold(text):
    return "<b>%s</b>" % text

def view(request, name):
    return mark_safe(bold(escape(name)))
"""
    assert codes(source) == []


def test_helper_parameter_takes_the_unescaped_argument():
    source = MARK_SAFE + """
def bold(text):
    return "<b>%s</b>" % text

def view(request, name):
    return mark_safe(bold(name))
"""
    assert codes(source) == [(8, "WEB303")]


def test_method_on_self_binds_self_to_the_receiver_and_the_rest_by_position():
    source = MARK_SAFE + """
class Widget:
    def wrap(self, text, css="x"):
        return "<span class='%s'>%s</span>" % (css, text)

    def render(self, value):
        return mark_safe(self.wrap(escape(value)))

    def render_raw(self, value):
        return mark_safe(self.wrap(escape(value), css=value))
"""
    assert codes(source) == [(12, "WEB303")]


def test_request_data_passed_into_a_helper_that_deserialises_it():
    source = """
import pickle
from flask import Flask, request
app = Flask(__name__)

def load(blob):
    return pickle.loads(blob)

@app.post("/x")
def view():
    return load(request.get_data())
"""
    assert codes(source) == [(7, "WEB403")]


def test_helper_called_only_with_non_request_data_is_silent():
    source = """
import pickle

def load(blob):
    return pickle.loads(blob)

def job(path):
    return load(open(path, "rb").read())
"""
    assert codes(source) == []


# -- containers, unpacking, loops --------------------------------------------------------


def test_appended_parts_count_for_the_joined_value():
    source = MARK_SAFE + """
def view(request, items):
    parts = []
    for item in items:
        parts.append("<li>%s</li>" % escape(item))
    safe = mark_safe("".join(parts))
    parts.append(items[0])
    return mark_safe("".join(parts))
"""
    # the join reads the list as a whole: the unescaped append taints both uses
    assert codes(source) == [(8, "WEB303"), (10, "WEB303")]


def test_escaped_appends_only_are_silent():
    source = MARK_SAFE + """
def view(request, items):
    parts = []
    for item in items:
        parts.append("<li>%s</li>" % escape(item))
    return mark_safe("".join(parts))
"""
    assert codes(source) == []


def test_tuple_unpacking_of_compiled_sql():
    source = """
def as_sql(self, compiler, connection):
    sql, params = compiler.compile(self.lhs)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM t WHERE %s" % sql, params)
"""
    assert codes(source) == []


def test_percent_mapping_inserts_only_the_keys_it_names():
    source = """
def drop(connection, name, comment):
    params = {"dbname": connection.ops.quote_name(name), "note": comment}
    with connection.cursor() as cursor:
        cursor.execute("DROP DATABASE %(dbname)s" % params)
        cursor.execute("DROP DATABASE %(dbname)s -- %(note)s" % params)
"""
    assert codes(source) == [(6, "WEB304")]


def test_percent_c_inserts_any_character():
    source = """
def lookup(cursor, letter, number):
    cursor.execute("SELECT * FROM t WHERE a = '%d'" % number)
    cursor.execute("SELECT * FROM t WHERE a = '%c'" % letter)
"""
    assert codes(source) == [(4, "WEB304")]


def test_property_of_the_class_gives_its_return_values():
    source = """
class Features:
    @property
    def suffix(self):
        return "" if self.new else " FROM DUAL"

    def probe(self, connection):
        sql = "SELECT 1" + self.suffix
        with connection.cursor() as cursor:
            cursor.execute(sql)
"""
    assert codes(source) == []


# -- bounded and neutral ---------------------------------------------------------------


def test_a_cycle_of_names_is_neutral():
    source = MARK_SAFE + """
def view(request):
    a = "<b>"
    for _ in range(3):
        b = a
        a = b + "</b>"
    return mark_safe(a)
"""
    assert codes(source) == []


def test_the_step_budget_answers_unknown(monkeypatch):
    monkeypatch.setattr(provenance, "STEP_BUDGET", 5)
    source = MARK_SAFE + """
def view(request, name):
    a = name
    b = a + "x"
    c = b + "y"
    d = c + "z"
    return mark_safe(d)
"""
    assert codes(source) == []  # unknown after the budget: no finding, no WEB000


def test_node_types_the_engine_does_not_know_are_unknown():
    class FutureExpr(ast.expr):  # stands in for syntax of a newer Python (t-strings)
        _fields = ()

    tree = ast.parse(MARK_SAFE + "def view(request):\n    return mark_safe(PLACEHOLDER)\n")
    call = tree.body[-1].body[0].value
    call.args[0] = ast.copy_location(FutureExpr(), call.args[0])
    ctx = FileContext(tree, "v.py", None, DEFAULT_OPTIONS)
    scope_call = ctx.calls_named("mark_safe")[0]
    assert not ctx.provenance.judge(UNESCAPED, scope_call[0].args[0], scope_call[1]).bad


# -- the policies directly --------------------------------------------------------------


@pytest.mark.parametrize(
    "expression, is_bad",
    [
        ('"<b>x</b>"', False),
        ("escape(name)", False),
        ("name", True),
        ('"<b>%d</b>" % count', False),
        ('f"<b>{count:,d}</b>"', False),
        ('f"<b>{name}</b>"', True),
        ('Markup("<b>%s</b>") % name', False),
        ('"<b>%s</b>" % escape(name)', False),
        ("str(escape(name))", False),
        ("name.upper()", True),
    ],
)
def test_unescaped_html_policy(expression, is_bad):
    source = f"""
from django.utils.html import escape
from markupsafe import Markup

def view(request, name, count):
    probe({expression})
"""
    assert verdict(UNESCAPED, source).bad is is_bad


@pytest.mark.parametrize(
    "expression, formatted, unsafe",
    [
        ('"SELECT 1"', False, False),
        ("query", False, True),
        ('"SELECT * FROM t WHERE a = %s" % value', True, True),
        ('"SELECT * FROM %s" % connection.ops.quote_name(value)', False, False),
        ('f"SELECT * FROM t LIMIT {int(value)}"', False, False),
        ('"SELECT * FROM t WHERE a IN (%s)" % ", ".join(["%s"] * len(value))', False, False),
        ('"SELECT " + value', True, True),
    ],
)
def test_sql_policies(expression, formatted, unsafe):
    source = f"""
def view(connection, query, value):
    probe({expression})
"""
    assert verdict(FORMATTED, source).bad is formatted
    assert verdict(UNSAFE_PART, source).bad is unsafe


@pytest.mark.parametrize(
    "expression, derived",
    [
        ("request.args['next']", True),
        ("request.args.get('next', '/')", True),
        ("base64.b64decode(request.get_data())", True),
        ("'/home'", False),
        ("other.args['next']", False),
        ("[request.form['a'], 1][0]", True),
        ("{'k': request.cookies.get('c')}", True),
    ],
)
def test_request_policy_with_flask(expression, derived):
    source = f"""
import base64
from flask import request

def view(other):
    probe({expression})
"""
    found = verdict(REQUEST, source)
    assert found.bad is derived
    if derived:
        assert isinstance(found.source, ast.AST)  # where the data came from


# -- files whose SQL is the developer's own ----------------------------------------------


@pytest.mark.parametrize(
    "filename, reported",
    [
        ("shop/migrations/0007_backfill.py", False),
        ("shop/migrations/0001_initial.py", False),
        ("shop/migrations/helpers.py", True),
        ("shop/views.py", True),
    ],
)
def test_django_migration_modules_are_not_reported(filename, reported):
    source = """
def forwards(apps, schema_editor, table):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("UPDATE %s SET flag = 1" % table)
"""
    assert bool(codes(source, filename)) is reported
