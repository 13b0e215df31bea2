"""One rule list: the registry, and everything derived from it.

The pylint id scheme and the uniqueness checks of the registry; the checks that run and the
codes each may report (derived from ``Rule.check``); the core's guard against a check that
reports a code it does not declare (WEB000, in the core and through both command lines); the
pylint front-end's one checker per id base, built from a synthetic rule list of two bases;
and a static check that rule codes are spelled out only where a new rule is added.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flake8_webframework import check_source, core
from flake8_webframework.checks import Check, all_checks
from flake8_webframework.context import FileContext
from flake8_webframework.findings import ColumnMap, make_finding, split_source_lines
from flake8_webframework.options import DEFAULT_OPTIONS, Options
from flake8_webframework.registry import (
    CHECK_NAMES,
    CORE_CHECK,
    DEV_DEFAULT_CODES,
    RULES,
    RegistryError,
    Rule,
    build_rules,
    check_names,
    codes_of_check,
    pylint_msgid,
    rules_by_pylint_base,
)

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "flake8_webframework"


def _rule(code: str, symbol: str, check: str = "synthetic", **changes) -> Rule:
    fields = {"template": "{what}", "summary": f"{symbol}.", "severity": "low", "cwe": None}
    return Rule(code=code, symbol=symbol, check=check, **{**fields, **changes})


# -- the pylint id scheme and uniqueness ---------------------------------------------------


@pytest.mark.parametrize(
    ("code", "msgid"),
    [("WEB000", "W7500"), ("WEB101", "W7511"), ("WEB603", "W7563"), ("WEB109", "W7519"),
     ("WEB112", "W7612"), ("WEB310", "W7630"), ("WEB123", "W7713"), ("WEB929", "W7799")],
)
def test_pylint_msgid_scheme(code: str, msgid: str) -> None:
    # RULES.md: WEBX0Y -> W75XY, WEBX1Y -> W76XY, WEBX2Y -> W77XY
    assert pylint_msgid(code) == msgid
    assert _rule(code, "x").msgid == msgid
    assert _rule(code, "x").pylint_base == msgid[1:3]


@pytest.mark.parametrize("code", ["WEB131", "WEB191", "WEB12", "WEB1234", "ABC101", "web101"])
def test_codes_outside_the_scheme_are_refused(code: str) -> None:
    with pytest.raises(RegistryError):
        pylint_msgid(code)
    with pytest.raises(RegistryError):
        build_rules([_rule(code, "x")])


def test_every_registered_rule_follows_the_scheme() -> None:
    for code, rule in RULES.items():
        first, middle, last = code[3:]
        assert rule.msgid == f"W{75 + int(middle)}{first}{last}"


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ([_rule("WEB101", "a"), _rule("WEB101", "b")], "code 'WEB101'"),
        ([_rule("WEB101", "a"), _rule("WEB102", "a")], "symbol 'a'"),
        ([_rule("WEB101", "a", severity="urgent")], "severity"),
        ([_rule("WEB101", "a", check="not a module")], "check"),
    ],
)
def test_build_rules_refuses_a_broken_list(rules: list[Rule], message: str) -> None:
    with pytest.raises(RegistryError, match=message):
        build_rules(rules)


def test_registry_identities_are_unique() -> None:
    rules = list(RULES.values())
    for attribute in ("code", "msgid", "symbol"):
        values = [getattr(rule, attribute) for rule in rules]
        assert len(set(values)) == len(values), attribute
    assert list(RULES) == sorted(RULES)


# -- what derives from Rule.check and Rule.dev_default -------------------------------------


def test_checks_are_the_registry_check_modules_in_order() -> None:
    checks = all_checks()
    assert tuple(check.name for check in checks) == CHECK_NAMES
    assert [check.name for check in core.CHECKS] == list(CHECK_NAMES)
    # the order of their first code, stable from run to run
    first_codes = [codes_of_check(name)[0] for name in CHECK_NAMES]
    assert first_codes == sorted(first_codes)
    declared = [code for check in checks for code in check.codes]
    assert sorted(declared) == sorted(code for code in RULES if RULES[code].check != CORE_CHECK)
    for check in checks:
        assert check.codes == codes_of_check(check.name)
        assert (PACKAGE / "checks" / f"{check.name}.py").is_file()
    assert codes_of_check(CORE_CHECK) == ("WEB000",)


def test_check_names_follow_the_first_code_of_each_check() -> None:
    rules = [_rule("WEB301", "c", "late"), _rule("WEB101", "a", "early"),
             _rule("WEB102", "b", "late"), _rule("WEB000", "z", CORE_CHECK)]
    assert check_names(build_rules(rules).values()) == ("early", "late")


def test_a_check_takes_its_codes_from_the_registry_unless_given() -> None:
    def run(ctx):
        return ()

    assert Check("secrets", run).codes == ("WEB101", "WEB102")
    assert Check("unknown", run).codes == ()
    assert Check("secrets", run, ("WEB101",)).codes == ("WEB101",)


def test_a_module_exporting_another_check_name_is_refused(monkeypatch) -> None:
    from flake8_webframework.checks import debug

    monkeypatch.setattr(debug, "CHECK", Check("debugging", debug.run))
    with pytest.raises(ImportError, match="debugging"):
        all_checks()


def test_dev_defaults_come_from_the_registry() -> None:
    assert DEV_DEFAULT_CODES == {code for code, rule in RULES.items() if rule.dev_default}
    assert not DEV_DEFAULT_CODES & {"WEB000", "WEB101", "WEB102", "WEB103"}
    from flake8_webframework.options import OPTION_TABLE

    dev_files = next(spec for spec in OPTION_TABLE if spec.name == "webframework-dev-files")
    assert " ".join(sorted(DEV_DEFAULT_CODES)) in dev_files.help


# -- a check reports only the codes it declares ---------------------------------------------

SOURCE = 'SECRET_KEY = "x"\nDEBUG = True\n'


def _emitting(code: str):
    """A check's run function that reports ``code`` on the first statement."""

    def run(ctx):
        node = ctx.tree.body[0]
        yield make_finding(code, node, ColumnMap(None), name="x", what="x", sink="x",
                           principal="x", hasher="x", default="x", host="x", value="x",
                           backend="x", exposed="x", fix="x", problem="x", check="x",
                           exception="x")

    return run


def test_an_undeclared_code_is_web000_of_that_check(monkeypatch) -> None:
    # "secrets" reports WEB201, which the registry gives to "debug"
    checks = [Check("secrets", _emitting("WEB201")) if check.name == "secrets" else check
              for check in core.CHECKS]
    monkeypatch.setattr(core, "CHECKS", checks)
    found = [(f.line, f.col, f.code) for f in check_source(SOURCE, "settings.py")]
    assert found == [(1, 0, "WEB000"), (2, 8, "WEB201")]  # debug's own WEB201 stays
    message = check_source(SOURCE, "settings.py")[0].message
    assert message.startswith("check secrets failed on this file with the undeclared code WEB201")


def test_a_declared_code_passes_the_guard(monkeypatch) -> None:
    checks = [Check("secrets", _emitting("WEB102")) if check.name == "secrets" else check
              for check in core.CHECKS]
    monkeypatch.setattr(core, "CHECKS", checks)
    assert [f.code for f in check_source(SOURCE, "settings.py")] == ["WEB102", "WEB201"]


def test_an_undeclared_development_default_is_not_silenced_quietly(monkeypatch) -> None:
    # dev-file silencing trusts declared codes: a check declaring only WEB101 that reports
    # WEB201 would otherwise slip past it
    monkeypatch.setattr(core, "CHECKS", [Check("boom", _emitting("WEB201"), ("WEB101",))])
    options = Options.parse(dev_files="settings.py")
    assert [f.code for f in check_source(SOURCE, "settings.py", options)] == ["WEB000"]


def test_a_result_that_is_no_finding_is_web000(monkeypatch) -> None:
    monkeypatch.setattr(core, "CHECKS", [Check("boom", lambda ctx: [(1, 0, "WEB101")])])
    found = check_source(SOURCE, "settings.py")
    assert [f.code for f in found] == ["WEB000"]
    assert "a result of type tuple" in found[0].message


def _corpus() -> list[Path]:
    fixtures = sorted((ROOT / "tests" / "fixtures").glob("*.py"))
    examples = sorted((ROOT / "examples").rglob("*.py"))
    assert fixtures and examples
    return fixtures + examples


def test_every_check_reports_only_its_codes_on_every_fixture_and_example() -> None:
    # each check run by itself, without the core's guard, on every file the suite has
    options = (DEFAULT_OPTIONS, Options.parse(settings_files="*.py"))
    reported = {check.name: set() for check in core.CHECKS}
    for path in _corpus():
        text = path.read_text(encoding="utf-8")
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        for option in options:
            ctx = FileContext(tree, str(path.relative_to(ROOT)), split_source_lines(text),
                              option)
            for check in core.CHECKS:
                codes = {finding.code for finding in check.run(ctx)}
                assert codes <= set(check.codes), (path.name, check.name, codes)
                reported[check.name] |= codes
    # the corpus exercises every code of every check
    assert {name: sorted(codes) for name, codes in reported.items()} == {
        check.name: sorted(check.codes) for check in core.CHECKS
    }


# -- the same guard through both command lines ----------------------------------------------

MISREPORT = textwrap.dedent(
    """\
    import sys
    from flake8_webframework import core
    from flake8_webframework.checks import Check
    from flake8_webframework.findings import ColumnMap, make_finding

    def misreport(ctx):
        yield make_finding("WEB101", ctx.tree.body[0], ColumnMap(None), name="X")

    core.CHECKS[:] = [Check("debug", misreport) if check.name == "debug" else check
                      for check in core.CHECKS]
    tool = sys.argv[1]
    sys.argv = [tool] + sys.argv[2:]
    if tool == "flake8":
        from flake8.main.cli import main
        sys.exit(main())
    from pylint import run_pylint
    run_pylint()
    """
)


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", MISREPORT, *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def two_files(tmp_path: Path) -> list[str]:
    for name in ("a_settings.py", "b_settings.py"):
        (tmp_path / name).write_text("INSTALLED_APPS = []\nDEBUG = True\n")
    return ["a_settings.py", "b_settings.py"]


def test_undeclared_code_through_flake8(tmp_path: Path, two_files: list[str]) -> None:
    result = _run(["flake8", "--isolated", "--select=WEB", "-j", "2", *two_files], tmp_path)
    assert "Traceback" not in result.stderr, result.stderr
    lines = sorted(result.stdout.splitlines())
    assert lines == [
        f"{name}:1:1: WEB000 check debug failed on this file with the undeclared code WEB101;"
        " its findings here are dropped - please report this flake8-webframework bug"
        for name in two_files
    ]


def test_undeclared_code_through_pylint(tmp_path: Path, two_files: list[str]) -> None:
    result = _run(["pylint", "--load-plugins=pylint_webframework", "--disable=all",
                   "--enable=webframework", "--persistent=n", "--score=n",
                   "--output-format=json2", "-j", "2", *two_files], tmp_path)
    assert "Traceback" not in result.stderr, result.stderr
    messages = json.loads(result.stdout)["messages"]
    assert sorted((m["path"], m["line"], m["column"], m["messageId"]) for m in messages) == [
        (name, 1, 0, "W7500") for name in two_files
    ]
    assert all("undeclared code WEB101" in m["message"] for m in messages)


# -- pylint: one checker per id base ---------------------------------------------------------

TWO_BASES = [_rule("WEB000", "synthetic-failed"), _rule("WEB101", "synthetic-a"),
             _rule("WEB112", "synthetic-b"), _rule("WEB213", "synthetic-c")]


@pytest.fixture
def linter():
    from pylint.lint import PyLinter

    return PyLinter()


def test_rules_are_grouped_by_pylint_base() -> None:
    groups = rules_by_pylint_base(TWO_BASES)
    assert {base: [rule.msgid for rule in rules] for base, rules in groups.items()} == {
        "75": ["W7500", "W7511"], "76": ["W7612", "W7623"]
    }
    assert list(rules_by_pylint_base(RULES.values())) == ["75"]


def test_one_pylint_checker_per_base(linter) -> None:
    import pylint_webframework as plugin

    classes = plugin.checker_classes(TWO_BASES)
    assert [sorted(cls.msgs) for cls in classes] == [["W7500", "W7511"], ["W7612", "W7623"]]
    assert classes[0].options == plugin.OPTIONS and classes[1].options == ()
    assert {cls.name for cls in classes} == {"webframework"}
    for cls in classes:  # pylint checks each checker's ids share the base
        linter.register_checker(cls(linter))
    for msgid, symbol in (("W7612", "synthetic-b"), ("W7623", "synthetic-c")):
        assert linter.msgs_store.get_message_definitions(msgid)[0].symbol == symbol


def test_pylint_refuses_one_checker_for_two_bases(linter) -> None:
    # why there is one checker per base
    from pylint.exceptions import InvalidMessageError

    import pylint_webframework as plugin

    mixed = type("Mixed", (plugin.WebFrameworkChecker,), {
        "msgs": {rule.msgid: ("%s", rule.symbol, rule.summary) for rule in TWO_BASES},
    })
    with pytest.raises(InvalidMessageError):
        linter.register_checker(mixed(linter))


def test_each_checker_reports_the_findings_of_its_base(monkeypatch, linter) -> None:
    import pylint_webframework as plugin

    fields = ["msgid", "line", "col", "end_line", "end_col", "message"]
    fake = dataclasses.make_dataclass("FakeFinding", fields)
    findings = [fake(msgid, 1, 0, 1, 1, msgid) for msgid in ("W7511", "W7612", "W7623")]
    analysed = []
    monkeypatch.setattr(plugin, "_findings",
                        lambda node, options: analysed.append(node) or findings)
    checkers = [cls(linter) for cls in plugin.checker_classes(TWO_BASES)]
    reported: list[list[str]] = [[] for _ in checkers]
    node = object()
    for index, checker in enumerate(checkers):
        checker._options = DEFAULT_OPTIONS
        monkeypatch.setattr(checker, "add_message",
                            lambda msgid, index=index, **_: reported[index].append(msgid))
        checker.process_module(node)
    assert reported == [["W7511"], ["W7612", "W7623"]]
    assert analysed == [node]  # analysed once for all the checkers


def test_the_real_plugin_registers_one_checker_per_registry_base(linter) -> None:
    import pylint_webframework as plugin

    plugin.register(linter)
    ours = [c for c in linter.get_checkers() if isinstance(c, plugin.WebFrameworkChecker)]
    assert len(ours) == len(rules_by_pylint_base(RULES.values()))
    assert sorted(msgid for c in ours for msgid in c.msgs) == sorted(r.msgid for r in
                                                                     RULES.values())
    plugin.register(linter)  # a second call adds nothing
    assert len([c for c in linter.get_checkers()
                if isinstance(c, plugin.WebFrameworkChecker)]) == len(ours)


# -- a new rule is spelled out only in the registry and its check module ----------------------


def _string_codes(path: Path) -> set[str]:
    """Rule codes in the string constants of a module, docstrings aside."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return {
        code
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        and id(node) not in docstrings
        for code in re.findall(r"WEB\d{3}", node.value)
    }


def test_rule_codes_are_written_only_in_the_registry_and_their_check() -> None:
    """What makes "a new rule touches the registry, one check module, one fixture and one
    docs page" hold for the code: no other module keeps a list of codes to update."""
    core_codes = set(codes_of_check(CORE_CHECK))
    modules = sorted(PACKAGE.rglob("*.py")) + sorted((ROOT / "pylint_webframework").rglob("*.py"))
    for path in modules:
        if path == PACKAGE / "registry.py":
            continue
        if path.parent == PACKAGE / "checks" and path.stem != "__init__":
            allowed = set(codes_of_check(path.stem))
        else:
            allowed = core_codes
        extra = _string_codes(path) - allowed
        assert not extra, f"{path.relative_to(ROOT)} spells out {sorted(extra)}"


def test_every_rule_has_its_four_places() -> None:
    fixtures = "\n".join(p.read_text(encoding="utf-8")
                         for p in (ROOT / "tests" / "fixtures").glob("*.py"))
    for code, rule in RULES.items():
        assert (ROOT / "docs" / "rules" / f"{code}.md").is_file(), code
        if rule.check == CORE_CHECK:
            continue
        assert (PACKAGE / "checks" / f"{rule.check}.py").is_file(), code
        assert re.search(rf"#\s*expect:.*\b{code}:", fixtures), f"no fixture expects {code}"
