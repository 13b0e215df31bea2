"""WEB403 unsafe-deserialisation-in-view: pickle/marshal/unsafe YAML applied to request data.

A *sink* (``pickle.loads``, ``yaml.load`` without a safe loader, ...) is reported when its
data argument is *request data*, traced backwards from the argument through:

* ``await``, attribute access and subscripts (``request.files["f"].stream``), method calls
  on request data (``.read()``, ``.decode()``, ``.encode()``, ``.get("x")``), ``+``,
  conditional expressions and ``or``;
* decoders that hand the same bytes on (``base64.b64decode``, ``binascii.unhexlify``,
  ``zlib.decompress``, ``io.BytesIO``, ``json.loads``, ``bytes(...)``, ...);
* names, through their assignment records in the scope that binds them (``raw = await
  request.body(); data = b64decode(raw); pickle.loads(data)``).

The trace is bounded (``_MAX_STEPS`` nodes per argument) and never enters other functions.
Request data is reached from:

* Flask/Quart's ``request`` (and Quart's ``websocket``) global, resolved through imports:
  ``request.data``, ``get_data()``, ``args``, ``form``, ``values``, ``cookies``, ``files``,
  ``stream``, ``json``/``get_json()``, ``headers``;
* a request object that is a parameter named ``request``, a parameter annotated with a
  framework request class (Starlette/FastAPI ``Request``/``WebSocket``, Django
  ``HttpRequest``, DRF ``Request``, Pyramid ``Request``, aiohttp ``web.Request``), or
  ``self.request`` in a class-based view: Django ``body``/``POST``/``GET``/``COOKIES``/
  ``FILES``/``META``/``read()``, DRF ``data``/``query_params``, Starlette ``body()``/
  ``json()``/``form()``/``query_params``, Pyramid ``body``/``params``/``POST``/``json_body``/
  ``body_file``/``text``, aiohttp ``read()``/``post()``/``content``, WebSocket
  ``receive_bytes()``/``receive_text()``/``receive_json()``;
* a FastAPI parameter annotated ``UploadFile`` or declared with ``File()``, ``Form()``,
  ``Body()``, ``Header()``, ``Cookie()`` or ``Query()``.
"""

from __future__ import annotations

import ast

from ..apps import is_app_receiver
from ..names import lookup_name
from ..scopes import ASSIGN, AUGASSIGN, CLASSDEF, PARAM
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

REQUEST_GLOBALS = frozenset(
    {"flask.request", "flask.globals.request", "quart.request", "quart.globals.request",
     "quart.websocket", "quart.globals.websocket"}
)
REQUEST_CLASSES = frozenset(
    {"starlette.requests.Request", "starlette.requests.HTTPConnection",
     "starlette.websockets.WebSocket", "fastapi.Request", "fastapi.requests.Request",
     "fastapi.WebSocket", "fastapi.websockets.WebSocket",
     "django.http.HttpRequest", "django.http.request.HttpRequest",
     "django.core.handlers.wsgi.WSGIRequest", "django.core.handlers.asgi.ASGIRequest",
     "rest_framework.request.Request", "pyramid.request.Request",
     "aiohttp.web.Request", "aiohttp.web.BaseRequest", "aiohttp.web_request.Request",
     "aiohttp.web_request.BaseRequest", "flask.Request", "flask.wrappers.Request",
     "quart.Request", "quart.wrappers.Request", "werkzeug.wrappers.Request",
     "werkzeug.Request", "webob.Request", "webob.request.Request"}
)
#: Attributes (or methods) of a request object that hold what the client sent.
REQUEST_DATA_ATTRIBUTES = frozenset(
    {
        # Flask / Quart / Werkzeug
        "data", "get_data", "args", "form", "values", "cookies", "files", "stream",
        "input_stream", "json", "get_json", "headers",
        # Django / DRF
        "body", "POST", "GET", "COOKIES", "FILES", "META", "read", "readline", "readlines",
        "query_params",
        # Starlette / FastAPI (body(), json(), form() are methods)
        "path_params",
        # Pyramid / WebOb
        "params", "json_body", "text", "body_file", "body_file_raw", "body_file_seekable",
        # aiohttp
        "post", "content", "query",
        # WebSockets (Starlette, Quart)
        "receive", "receive_bytes", "receive_text", "receive_json",
    }
)
UPLOAD_FILE_CLASSES = frozenset(
    {"fastapi.UploadFile", "fastapi.datastructures.UploadFile",
     "starlette.datastructures.UploadFile"}
)
FASTAPI_PARAMS = frozenset(
    f"{module}.{name}"
    for module in ("fastapi", "fastapi.params", "fastapi.param_functions")
    for name in ("File", "Form", "Body", "Header", "Cookie", "Query")
)
DEPENDENCY_MARKERS = frozenset(
    {"fastapi.Depends", "fastapi.Security", "fastapi.params.Depends", "fastapi.params.Security",
     "fastapi.param_functions.Depends", "fastapi.param_functions.Security"}
)
#: Router objects whose ``.get(...)``/``.route(...)`` decorators make a view.
ROUTER_CLASSES = frozenset(
    {"fastapi.APIRouter", "fastapi.routing.APIRouter", "flask.Blueprint",
     "flask.blueprints.Blueprint", "quart.Blueprint", "quart.blueprints.Blueprint",
     "apiflask.APIBlueprint"}
)
ROUTE_DECORATORS = frozenset(
    {"route", "get", "post", "put", "patch", "delete", "head", "options", "api_route",
     "websocket"}
)
#: Functions that hand their argument's bytes on, decoded or wrapped.
PASSTHROUGH_FUNCTIONS = frozenset(
    {
        "base64.b64decode", "base64.urlsafe_b64decode", "base64.standard_b64decode",
        "base64.decodebytes", "base64.decodestring", "base64.b32decode", "base64.b16decode",
        "base64.a85decode", "base64.b85decode",
        "binascii.a2b_base64", "binascii.unhexlify", "binascii.a2b_hex",
        "codecs.decode", "zlib.decompress", "gzip.decompress", "bz2.decompress",
        "lzma.decompress", "io.BytesIO", "io.StringIO", "json.loads",
        "urllib.parse.unquote", "urllib.parse.unquote_plus", "urllib.parse.unquote_to_bytes",
        "builtins.bytes", "builtins.bytearray", "builtins.str", "builtins.memoryview",
        "builtins.bytes.fromhex",
    }
)

#: Nodes looked at per traced argument, and name hops per request-object check.
_MAX_STEPS = 500
_MAX_HOPS = 8


class _Tracer:
    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self._request_objects: dict[int, bool] = {}

    # -- request objects ---------------------------------------------------------------

    def is_request_object(self, expr: ast.expr, scope) -> bool:
        pending = [(expr, scope)]
        hops = 0
        while pending and hops <= _MAX_HOPS:
            node, node_scope = pending.pop()
            hops += 1
            node_type = type(node)
            if node_type is ast.Attribute:
                # ``self.request`` in a class-based view (Django, Pyramid, Tornado).
                if (node.attr == "request" and type(node.value) is ast.Name
                        and node.value.id in ("self", "cls")):
                    return True
                if self.ctx.qualnames(node, node_scope) & REQUEST_GLOBALS:
                    return True
                continue
            if node_type is not ast.Name:
                continue
            if self.ctx.qualnames(node, node_scope) & REQUEST_GLOBALS:
                return True
            _, bindings = lookup_name(node_scope, node.id)
            for binding in bindings:
                if binding.kind == PARAM and self._is_request_parameter(binding):
                    return True
                if binding.kind == ASSIGN:  # ``req = self.request``
                    pending.append((binding.value, binding.scope))
        return False

    def _is_request_parameter(self, binding) -> bool:
        arg = binding.node
        if arg.arg == "request":
            return True
        annotation = getattr(arg, "annotation", None)
        if annotation is None:
            return False
        outer = binding.scope.parent or binding.scope
        return bool(self._annotation_names(annotation, outer) & REQUEST_CLASSES)

    def _annotation_names(self, annotation: ast.expr, scope) -> frozenset:
        """Qualified names of an annotation, looking into ``Annotated[X, ...]`` and
        ``X | None`` / ``Optional[X]``."""
        names: set[str] = set()
        pending = [annotation]
        steps = 0
        while pending and steps < 16:
            steps += 1
            node = pending.pop()
            if type(node) is ast.Subscript:
                pending.append(node.slice)
                pending.append(node.value)
            elif type(node) is ast.Tuple:
                pending.extend(node.elts)
            elif type(node) is ast.BinOp and type(node.op) is ast.BitOr:
                pending.append(node.left)
                pending.append(node.right)
            elif type(node) in (ast.Name, ast.Attribute):
                names.update(self.ctx.qualnames(node, scope))
            elif type(node) is ast.Call:
                names.update(f"{name}()" for name in self.ctx.qualnames(node.func, scope))
        return frozenset(names)

    def _is_data_parameter(self, binding) -> bool:
        """A FastAPI ``UploadFile`` parameter, one declared with ``File()``, ``Body()``...,
        or any other parameter of a Flask/Quart/FastAPI route function (URL parts, query,
        body fields), except request objects and ``Depends()`` results."""
        arg = binding.node
        outer = binding.scope.parent or binding.scope
        names = frozenset()
        if arg.annotation is not None:
            names = self._annotation_names(arg.annotation, outer)
            if names & UPLOAD_FILE_CLASSES:
                return True
        markers = {name[:-2] for name in names if name.endswith("()")}
        default = _parameter_default(binding.scope.node, arg)
        if type(default) is ast.Call:
            markers.update(self.ctx.qualnames(default.func, outer))
        if markers & FASTAPI_PARAMS:
            return True
        if markers & DEPENDENCY_MARKERS or names & REQUEST_CLASSES or arg.arg in ("self", "cls"):
            return False
        return self._is_route_function(binding.scope.node, outer)

    def _is_route_function(self, function: ast.AST, scope) -> bool:
        for decorator in getattr(function, "decorator_list", ()):
            if type(decorator) is not ast.Call or type(decorator.func) is not ast.Attribute:
                continue
            if decorator.func.attr not in ROUTE_DECORATORS:
                continue
            receiver = decorator.func.value
            if is_app_receiver(receiver, scope) or self._is_router(receiver, scope):
                return True
        return False

    def _is_router(self, receiver: ast.expr, scope) -> bool:
        if type(receiver) is not ast.Name:
            return False
        _, bindings = lookup_name(scope, receiver.id)
        return bool(bindings) and all(
            binding.kind == ASSIGN
            and type(binding.value) is ast.Call
            and bool(self.ctx.qualnames(binding.value.func, binding.scope) & ROUTER_CLASSES)
            for binding in bindings
        )

    # -- request data --------------------------------------------------------------------

    def is_request_data(self, expr: ast.expr, scope) -> bool:
        pending = [(expr, scope)]
        seen: set[int] = set()
        steps = 0
        qualnames = self.ctx.qualnames
        while pending and steps < _MAX_STEPS:
            node, node_scope = pending.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            steps += 1
            node_type = type(node)
            if node_type in (ast.Await, ast.NamedExpr, ast.Starred):
                pending.append((node.value, node_scope))
            elif node_type is ast.Attribute:
                if node.attr in REQUEST_DATA_ATTRIBUTES and self.is_request_object(
                        node.value, node_scope):
                    return True
                pending.append((node.value, node_scope))
            elif node_type is ast.Subscript:
                pending.append((node.value, node_scope))
            elif node_type is ast.Call:
                func = node.func
                if (type(func) is ast.Attribute and func.attr in REQUEST_DATA_ATTRIBUTES
                        and self.is_request_object(func.value, node_scope)):
                    return True
                if type(func) in (ast.Name, ast.Attribute) and (
                        qualnames(func, node_scope) & PASSTHROUGH_FUNCTIONS):
                    pending.extend((arg, node_scope) for arg in node.args)
                    pending.extend((kw.value, node_scope) for kw in node.keywords)
                elif type(func) is ast.Attribute:  # a method of request data
                    pending.append((func.value, node_scope))
            elif node_type is ast.BinOp:
                pending.append((node.left, node_scope))
                pending.append((node.right, node_scope))
            elif node_type is ast.BoolOp:
                pending.extend((value, node_scope) for value in node.values)
            elif node_type is ast.IfExp:
                pending.append((node.body, node_scope))
                pending.append((node.orelse, node_scope))
            elif node_type is ast.Name:
                _, bindings = lookup_name(node_scope, node.id)
                for binding in bindings:
                    if binding.kind in (ASSIGN, AUGASSIGN):
                        pending.append((binding.value, binding.scope))
                    elif binding.kind == PARAM and self._is_data_parameter(binding):
                        return True
        return False


def _parameter_default(function: ast.AST, arg: ast.arg):
    """The default expression of parameter ``arg`` of ``function``, if any."""
    args = getattr(function, "args", None)
    if args is None:
        return None
    positional = list(args.posonlyargs) + list(args.args)
    if arg in positional:
        index = positional.index(arg) - (len(positional) - len(args.defaults))
        return args.defaults[index] if index >= 0 else None
    if arg in args.kwonlyargs:
        return args.kw_defaults[args.kwonlyargs.index(arg)]
    return None


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
    tracer = None
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
        if tracer is None:
            tracer = _Tracer(ctx)
        if tracer.is_request_data(value, scope):
            findings.append(ctx.finding("WEB403", site, sink=shown, fix=fix))
    return findings


CHECK = Check("deserialisation", run)
