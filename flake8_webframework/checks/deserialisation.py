"""WEB403 unsafe-deserialisation-in-view: pickle/marshal/unsafe YAML applied to request data.

A *sink* (``pickle.loads``, ``yaml.load`` without a safe loader, ``numpy.load`` with
``allow_pickle=True``, ...) is reported when its data argument is request-derived: the
value-provenance engine's :data:`request_data.REQUEST` policy decides, with its sources
(the frameworks' request objects and route parameters) and the decoders that hand the same
bytes on.
"""

from __future__ import annotations

import ast

from ..names import lookup_name
from ..request_data import REQUEST
from ..scopes import CLASSDEF
from . import Check

PICKLE_FIX = "accept a data-only format such as JSON and validate it"
YAML_FIX = "use yaml.safe_load() or Loader=yaml.SafeLoader"

#: qualified name -> (shown sink, keyword name of the data argument, fix)
SINKS: dict[str, tuple[str, str, str]] = {}


def _sinks(modules, functions, fix):
    for module in modules:
        for function, keyword in functions:
            SINKS[f"{module}.{function}"] = (f"{module}.{function}()", keyword, fix)


_sinks(("pickle", "_pickle", "cPickle", "six.moves.cPickle", "cloudpickle", "dill"),
       (("loads", "data"), ("load", "file"), ("Unpickler", "file")), PICKLE_FIX)
SINKS["dill.loads"] = ("dill.loads()", "str", PICKLE_FIX)
_sinks(("marshal",), (("loads", "bytes"), ("load", "file")), PICKLE_FIX)
_sinks(("jsonpickle", "jsonpickle.unpickler"), (("decode", "string"),), PICKLE_FIX)
_sinks(("pandas", "pandas.io.pickle"), (("read_pickle", "filepath_or_buffer"),), PICKLE_FIX)
_sinks(("joblib",), (("load", "filename"),), PICKLE_FIX)
_sinks(("numpy",), (("load", "file"),), PICKLE_FIX)  # only with allow_pickle=True
_sinks(("yaml",), (("unsafe_load", "stream"), ("unsafe_load_all", "stream"),
                   ("full_load", "stream"), ("full_load_all", "stream"),
                   ("load", "stream"), ("load_all", "stream")), YAML_FIX)

#: The callee names of every sink (``ctx.calls_named``).
SINK_NAMES = frozenset(name.rpartition(".")[2] for name in SINKS)

#: yaml.load/load_all: judged by their Loader.
YAML_LOADER_SINKS = frozenset({"yaml.load", "yaml.load_all"})
NUMPY_LOAD = "numpy.load"


def _loader_names(*names):
    found = set()
    for name in names:
        found.add(f"yaml.{name}")
        module = "cyaml" if name.startswith("C") else "loader"
        found.add(f"yaml.{module}.{name}")
    return frozenset(found)


SAFE_LOADERS = _loader_names("SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader")
#: FullLoader is reported too: before PyYAML 5.4 it ran code (CVE-2020-1747, -14343) and it
#: still builds Python objects; request data gets SafeLoader.
UNSAFE_LOADERS = _loader_names(
    "Loader", "UnsafeLoader", "FullLoader", "CLoader", "CUnsafeLoader", "CFullLoader"
)

TRIGGERS = SINK_NAMES


def _data_argument(call: ast.Call, keyword_name: str):
    """(value, report site) of a sink's data argument."""
    if call.args:
        first = call.args[0]
        if type(first) is ast.Starred:
            return None, None
        return first, first
    for keyword in call.keywords:
        if keyword.arg == keyword_name:
            return keyword.value, keyword
    return None, None


def _loader_argument(call: ast.Call):
    for keyword in call.keywords:
        if keyword.arg == "Loader":
            return keyword.value
    if len(call.args) > 1 and type(call.args[1]) is not ast.Starred:
        return call.args[1]
    return None


def _yaml_loader_is_unsafe(call: ast.Call, scope, ctx) -> bool:
    """No Loader (old PyYAML defaults), or one known to build arbitrary objects."""
    if any(keyword.arg is None for keyword in call.keywords):
        return False  # ``**kwargs`` may carry the Loader
    loader = _loader_argument(call)
    if loader is None:
        return not any(type(arg) is ast.Starred for arg in call.args)
    pending = [(loader, scope)]
    steps = 0
    verdicts: set[bool] = set()
    while pending and steps < 32:
        steps += 1
        node, node_scope = pending.pop()
        if type(node) not in (ast.Name, ast.Attribute):
            return False  # computed loader: configured elsewhere
        names = ctx.qualnames(node, node_scope)
        if names & SAFE_LOADERS:
            return False
        if names & UNSAFE_LOADERS:
            verdicts.add(True)
            continue
        if type(node) is ast.Name:
            _, bindings = lookup_name(node_scope, node.id)
            if len(bindings) == 1 and bindings[0].kind == CLASSDEF:  # a loader subclass
                class_node = bindings[0].node
                pending.extend((base, bindings[0].scope) for base in class_node.bases)
                continue
        return False  # a loader of unknown origin: configured elsewhere
    return verdicts == {True}


def _allows_pickle(call: ast.Call, scope, ctx) -> bool:
    for keyword in call.keywords:
        if keyword.arg == "allow_pickle":
            value = ctx.values.evaluate(keyword.value, scope)
            return value.known and bool(value.value)
    return False


def run(ctx):
    findings = []
    for call, scope in ctx.calls_named(*SINK_NAMES):
        func = call.func
        if type(func) not in (ast.Name, ast.Attribute):
            continue
        names = ctx.qualnames(func, scope)
        if not names:
            continue
        for name in sorted(names):
            sink = SINKS.get(name)
            if sink is not None:
                break
        else:
            continue
        shown, keyword_name, fix = sink
        if name in YAML_LOADER_SINKS and not _yaml_loader_is_unsafe(call, scope, ctx):
            continue
        if name == NUMPY_LOAD and not _allows_pickle(call, scope, ctx):
            continue
        value, site = _data_argument(call, keyword_name)
        if value is None:
            continue
        if ctx.provenance.judge(REQUEST, value, scope).bad:
            findings.append(ctx.finding("WEB403", site, sink=shown, fix=fix))
    return findings


CHECK = Check("deserialisation", run)
