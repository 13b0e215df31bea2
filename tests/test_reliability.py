"""Never crash: generated programs, the installed Python corpus and the deepest trees
through the core and both front-end adapters (in-process; tests/test_adversarial.py drives
the real command lines).

Every property has a fixed seed (``derandomize=True``), no deadline and a bounded number of
examples; ``benchmarks/fuzz.py`` runs the same properties with many more. See
docs/robustness.md.
"""

from __future__ import annotations

import ast
import os
import sys
import time
import warnings

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from flake8_webframework import UnparsableSourceError, check_source, check_tree

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import strategies as S  # noqa: E402

#: hypothesmith compiles what it generates: its SyntaxWarnings are about generated code.
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")

FUZZ = settings(
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
)


@pytest.fixture(scope="module")
def pylint_harness() -> S.PylintHarness:
    return S.PylintHarness()


def no_failure(keys: list[tuple[int, int, str]], where: str) -> None:
    failed = [key for key in keys if key[2] == S.FAILURE_CODE]
    assert not failed, f"{where} reported WEB000 {failed}"


def all_three_agree(source: str, filename: str, harness: S.PylintHarness) -> list:
    """The property: the core, the flake8 adapter and the pylint adapter raise nothing,
    report no WEB000, and report the same (line, col, code)."""
    core = S.core_findings(source, filename)
    no_failure(core, "check_source")
    flake8 = S.flake8_findings(source, filename)
    no_failure(flake8, "the flake8 adapter")
    assert flake8 == core, "flake8 adapter differs from the core"
    pylint = harness.findings(source, filename) if S.utf8_encodable(source) else None
    if pylint is None:
        note("astroid refused this source: pylint never runs plugins on it")
    else:
        no_failure(pylint, "the pylint adapter")
        assert pylint == flake8, "pylint and flake8 adapters report different findings"
    return core


# -- hypothesmith: syntactically valid Python from the grammar / from libcst nodes ----------


def _hypothesmith_property(source: str, filename: str, harness: S.PylintHarness) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarnings of generated code
        try:
            ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            # hypothesmith output Python refuses (rare, e.g. nesting limits): the core
            # must refuse it cleanly too.
            with pytest.raises(UnparsableSourceError):
                check_source(source, filename)
            return
        all_three_agree(source, filename, harness)


@settings(FUZZ, max_examples=120)
@given(source=hypothesmith.from_grammar(), filename=st.sampled_from(S.FILENAMES))
def test_hypothesmith_grammar_programs_never_crash(source, filename, pylint_harness) -> None:
    _hypothesmith_property(source, filename, pylint_harness)


@settings(FUZZ, max_examples=40)
@given(source=hypothesmith.from_node(), filename=st.sampled_from(S.FILENAMES))
def test_hypothesmith_node_programs_never_crash(source, filename, pylint_harness) -> None:
    _hypothesmith_property(source, filename, pylint_harness)


# -- framework-aware generator: real framework calls in every spelling and nesting ---------


#: Rules the fixed-seed sample below must reach (a generator broken into dead code would
#: make the property pass vacuously).
GENERATOR_REACHES = {
    "WEB101", "WEB102", "WEB203", "WEB204", "WEB301", "WEB302", "WEB303", "WEB401", "WEB402",
    "WEB501", "WEB502", "WEB503", "WEB601", "WEB603",
}


def test_framework_programs_never_crash_and_frontends_agree(pylint_harness) -> None:
    seen: set[str] = set()

    @settings(FUZZ, max_examples=120)
    @given(module=S.framework_modules())
    def never_crash_and_agree(module) -> None:
        assert S.parses(module.source), "the generator must produce valid Python"
        found = all_three_agree(module.source, module.filename, pylint_harness)
        seen.update(code for _, _, code in found)

    never_crash_and_agree()
    assert GENERATOR_REACHES <= seen, f"never reached: {sorted(GENERATOR_REACHES - seen)}"


def test_harnesses_see_the_findings() -> None:
    """The in-process harnesses report what the plugin reports (they are not vacuous)."""
    source = 'INSTALLED_APPS = []\r\nX = "é\x0cé"; SECRET_KEY = "k"\r\nDEBUG = True\r\n'
    expected = [(2, 24, "WEB101"), (3, 8, "WEB201")]
    assert S.core_findings(source, "settings.py") == expected
    assert S.flake8_findings(source, "settings.py") == expected
    assert S.PylintHarness().findings(source, "settings.py") == expected


# -- the installed Python corpus: standard library and site-packages ------------------------

#: Every N-th file of the sorted corpus, plus all of the web-relevant packages
#: (``strategies.WEB_PACKAGES``); ``benchmarks/fuzz.py --stdlib`` runs every file.
CORPUS_STRIDE = 8


def test_core_on_installed_python_files() -> None:
    files = S.installed_python_files()
    assert len(files) > 1000, f"the standard library was not found: {len(files)} files"
    sample = S.sample_files(files, CORPUS_STRIDE)
    started = time.perf_counter()
    failures = {}
    for path in sample:
        problem = S.check_file(path)
        if problem is not None:
            failures[path] = problem
    elapsed = time.perf_counter() - started
    print(f"corpus: {len(sample)} of {len(files)} files in {elapsed:.1f} s")
    assert not failures, "\n".join(f"{path}: {problem}" for path, problem in failures.items())


def test_corpus_check_reports_what_goes_wrong(tmp_path, monkeypatch) -> None:
    """The corpus check catches a WEB000, an escaping exception and a wrong refusal."""
    from flake8_webframework import core
    from flake8_webframework.checks import Check

    good = tmp_path / "good.py"
    good.write_text('SECRET_KEY = "k"\n')
    broken = tmp_path / "broken.py"
    broken.write_text("def (:\n")
    assert S.check_file(str(good)) is None
    assert S.check_file(str(broken)) is None  # Python refuses it too

    def explode(ctx):
        raise KeyError("injected")

    monkeypatch.setattr(core, "CHECKS", [Check("boom", explode)])
    assert S.check_file(str(good)).startswith("WEB000")

    def escape(source, filename, options=None):
        raise RuntimeError("escaped")

    monkeypatch.setattr(S, "check_source", escape)
    assert S.check_file(str(good)) == "raised RuntimeError: escaped"


# -- the deepest trees Python's parser accepts, on this Python ------------------------------

HEAD = "from flask import render_template_string\ndef view(name, c):\n    return "
SINK = "render_template_string(name)"

#: shape -> (source of the given size, the one finding expected). The sink sits at the
#: deepest point of each chain.
DEEP_SHAPES = {
    "plus": (lambda n: HEAD + " + ".join([SINK] + ['"x"'] * (n - 1)) + "\n", (3, "WEB301")),
    "conditional": (lambda n: HEAD + " if c else ".join(['"a"'] * (n - 1) + [SINK]) + "\n", (3, "WEB301")),
    "attribute": (lambda n: HEAD + SINK + ".b" * n + "\n", (3, "WEB301")),
    "call": (lambda n: HEAD + SINK + "()" * n + "\n", (3, "WEB301")),
    "subscript": (lambda n: HEAD + SINK + "[0]" * n + "\n", (3, "WEB301")),
    "unary": (lambda n: HEAD + "-" * n + SINK + "\n", (3, "WEB301")),
    "not": (lambda n: HEAD + "not " * n + SINK + "\n", (3, "WEB301")),
    "lambda": (lambda n: HEAD + "lambda: " * n + SINK + "\n", (3, "WEB301")),
    "power": (lambda n: HEAD + " ** ".join(["2"] * (n - 1) + [SINK]) + "\n", (3, "WEB301")),
    "literal plus": (lambda n: "SECRET_KEY = " + " + ".join(['"x"'] * n) + "\n", (1, "WEB101")),
    "literal conditional": (
        lambda n: "SECRET_KEY = " + " if c else ".join(['"x"'] * n) + "\n", (1, "WEB101")
    ),
}
LADDER = [30_000, 10_000, 7_000, 5_000, 4_000, 2_900, 2_000, 1_500, 1_000, 500]
#: Every shape parses at least this deep on CPython 3.10-3.13 (measured: 2,934 or more).
#: The top of the ladder stays far below the 3.10 parser's own crash: it has no depth limit
#: for left-recursive chains (``+``, attributes, calls, subscripts) and overflows the C
#: stack between 100,000 and 150,000 terms (docs/robustness.md).
FLOOR = 2_000


def deepest(build) -> tuple[int, list, int | None]:
    """The largest size ``check_source`` accepts (ladder down, then bisect towards the
    smallest refused size), its findings, and that refused size (``None`` if the ladder's
    top was accepted). Every refusal must be a clean ``UnparsableSourceError``."""
    refused = None
    for size in LADDER:
        try:
            found = check_source(build(size), "deep.py")
        except UnparsableSourceError:
            refused = size
            continue
        break
    else:
        pytest.fail("no size of the ladder parses")
    while refused is not None and refused - size > max(25, size // 50):
        middle = (size + refused) // 2
        try:
            found, size = check_source(build(middle), "deep.py"), middle
        except UnparsableSourceError:
            refused = middle
    return size, found, refused


@pytest.mark.parametrize("shape", sorted(DEEP_SHAPES))
def test_deepest_parsable_tree(shape: str) -> None:
    build, expected = DEEP_SHAPES[shape]
    size, found, refused = deepest(build)
    print(f"{shape}: deepest accepted {size}, refused {refused} on {sys.version.split()[0]}")
    assert size >= FLOOR, f"{shape}: only {size} deep parses"
    assert [(f.line, f.code) for f in found] == [expected], (shape, size)


@pytest.mark.parametrize("shape", ["unary", "not", "lambda", "conditional"])
def test_too_deep_for_the_parser_is_a_clean_error(shape: str) -> None:
    """100,000 levels: Python's parser gives up (RecursionError/MemoryError on every
    supported version); check_source turns that into UnparsableSourceError."""
    build, _ = DEEP_SHAPES[shape]
    with pytest.raises(UnparsableSourceError, match="deep.py"):
        check_source(build(100_000), "deep.py")
    assert check_source(build(10), "deep.py")  # and the interpreter is still usable


def _chain(kind: str, depth: int) -> ast.expr:
    node: ast.expr = ast.Call(ast.Name("render_template_string", ast.Load()),
                              [ast.Name("name", ast.Load())], [])
    for _ in range(depth):
        if kind == "plus":
            node = ast.BinOp(node, ast.Add(), ast.Constant("x"))
        elif kind == "attribute":
            node = ast.Attribute(node, "b", ast.Load())
        elif kind == "conditional":
            node = ast.IfExp(ast.Name("c", ast.Load()), ast.Constant("a"), node)
        elif kind == "list":
            node = ast.List([node], ast.Load())
        elif kind == "call":
            node = ast.Call(node, [], [])
    return node


@pytest.mark.parametrize("kind", ["plus", "attribute", "conditional", "list", "call"])
def test_check_tree_has_no_depth_limit_of_its_own(kind: str) -> None:
    """A tree 30,000 deep (three times what any supported parser builds): the walk, name resolution and
    value analysis are iterative - findings as usual, no RecursionError, no WEB000."""
    tree = ast.parse(HEAD + "0\n")
    tree.body[1].body[0].value = _chain(kind, 30_000)
    for node in ast.walk(tree):
        if isinstance(node, ast.expr) and not hasattr(node, "lineno"):
            node.lineno = node.end_lineno = 3
            node.col_offset, node.end_col_offset = 11, 39
    found = check_tree(tree, "deep.py")
    assert [(f.line, f.code) for f in found] == [(3, "WEB301")]


# -- regressions: failures the fuzzers and adversarial inputs found, fixed since --------------

ANNOTATION_PARSE = (
    "flake8_webframework/checks/raw_sql.py (_Analysis._annotated_handle, line 526) re-parses a string "
    "annotation with ast.parse and catches only SyntaxError"
)


def test_deeply_nested_string_annotation_gives_no_web000() -> None:
    source = 'def f(db: "' + "-" * 100_000 + 'x", q):\n    db.execute(f"{q}")\n'
    assert [f.code for f in check_source(source, "m.py")] == []


def test_nul_in_string_annotation_gives_no_web000() -> None:
    source = 'def f(db: "Session\\x00", q):\n    db.execute(f"{q}")\n'
    assert [f.code for f in check_source(source, "m.py")] == []


SESSION_ENGINE_HASH = (
    "flake8_webframework/checks/caches.py (run, the SESSION_ENGINE branch) tests "
    "`engine in PICKLING_SESSION_ENGINES` on the setting's literal value, which raises "
    "TypeError when that value is unhashable (a list or dict literal), so the caches check "
    "fails (WEB000); found by benchmarks/fuzz.py (framework programs, seed 11, Python 3.13)"
)


@pytest.mark.parametrize(
    "source",
    [
        "INSTALLED_APPS = []\nSESSION_ENGINE = []\n",
        "class Config:\n    SESSION_ENGINE = {}\n",
        'from flask import Flask\napp = Flask(__name__)\napp.config["SESSION_ENGINE"] = [[]]\n',
        # the shrunk program the fuzzer reported
        "SECRET_KEY = ''\nSECRET_KEY, SESSION_ENGINE = \"\".join([]), []\n",
    ],
)
def test_unhashable_session_engine_gives_no_web000(source: str) -> None:
    assert S.FAILURE_CODE not in [f.code for f in check_source(source, "settings.py")]
