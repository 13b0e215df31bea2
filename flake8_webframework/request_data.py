"""Request data: the framework request objects, what of them the client sent, and the
:data:`REQUEST` policy of the value-provenance engine ("is this value request-derived?").

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
  ``Body()``, ``Header()``, ``Cookie()`` or ``Query()``, and the other parameters of a
  Flask/Quart/FastAPI route function (URL parts, query, body fields).

It stays request-derived through the engine's flows (assignments, formatting, containers,
``await``, attributes and methods of request data, helpers of the same file) and through
decoders that hand the same bytes on (``base64.b64decode``, ``zlib.decompress``, ...). A
parameter that is not request data itself stands, at the question's root, for what each
call of its function in this file passes ("arguments into a helper").
"""

from __future__ import annotations

import ast

from .apps import is_app_receiver
from .names import lookup_name
from .provenance import CLEAN, DEFAULT, Op, Policy, Role, Verdict, bad, summarised
from .scopes import ASSIGN, PARAM

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

#: Name hops when deciding whether an expression is a request object.
_MAX_HOPS = 8
#: Levels of callers followed for a parameter, and call sites looked at in all.
_MAX_CALLER_DEPTH = 3
_MAX_CALL_SITES = 32


def is_request_object(engine, expr: ast.expr, scope) -> bool:
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
            if engine.qualnames(node, node_scope) & REQUEST_GLOBALS:
                return True
            continue
        if node_type is not ast.Name:
            continue
        if engine.qualnames(node, node_scope) & REQUEST_GLOBALS:
            return True
        _, bindings = lookup_name(node_scope, node.id)
        for binding in bindings:
            if binding.kind == PARAM and _is_request_parameter(engine, binding):
                return True
            if binding.kind == ASSIGN:  # ``req = self.request``
                pending.append((binding.value, binding.scope))
    return False


def _is_request_parameter(engine, binding) -> bool:
    arg = binding.node
    if arg.arg == "request":
        return True
    annotation = getattr(arg, "annotation", None)
    if annotation is None:
        return False
    outer = binding.scope.parent or binding.scope
    return bool(_annotation_names(engine, annotation, outer) & REQUEST_CLASSES)


def _annotation_names(engine, annotation: ast.expr, scope) -> frozenset:
    """Qualified names of an annotation, looking into ``Annotated[X, ...]`` and
    ``X | None`` / ``Optional[X]``; ``NAME()`` for calls (``Depends()``)."""
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
            names.update(engine.qualnames(node, scope))
        elif type(node) is ast.Call:
            names.update(f"{name}()" for name in engine.qualnames(node.func, scope))
    return frozenset(names)


def is_data_parameter(engine, binding) -> bool:
    """A FastAPI ``UploadFile`` parameter, one declared with ``File()``, ``Body()``..., or any
    other parameter of a Flask/Quart/FastAPI route function (URL parts, query, body fields),
    except request objects and ``Depends()`` results."""
    arg = binding.node
    outer = binding.scope.parent or binding.scope
    names = frozenset()
    if arg.annotation is not None:
        names = _annotation_names(engine, arg.annotation, outer)
        if names & UPLOAD_FILE_CLASSES:
            return True
    markers = {name[:-2] for name in names if name.endswith("()")}
    default = _parameter_default(binding.scope.node, arg)
    if type(default) is ast.Call:
        markers.update(engine.qualnames(default.func, outer))
    if markers & FASTAPI_PARAMS:
        return True
    if markers & DEPENDENCY_MARKERS or names & REQUEST_CLASSES or arg.arg in ("self", "cls"):
        return False
    return _is_route_function(engine, binding.scope.node, outer)


def _is_route_function(engine, function: ast.AST, scope) -> bool:
    for decorator in getattr(function, "decorator_list", ()):
        if type(decorator) is not ast.Call or type(decorator.func) is not ast.Attribute:
            continue
        if decorator.func.attr not in ROUTE_DECORATORS:
            continue
        receiver = decorator.func.value
        if is_app_receiver(receiver, scope) or _is_router(engine, receiver, scope):
            return True
    return False


def _is_router(engine, receiver: ast.expr, scope) -> bool:
    if type(receiver) is not ast.Name:
        return False
    _, bindings = lookup_name(scope, receiver.id)
    return bool(bindings) and all(
        binding.kind == ASSIGN
        and type(binding.value) is ast.Call
        and bool(engine.qualnames(binding.value.func, binding.scope) & ROUTER_CLASSES)
        for binding in bindings
    )


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


class RequestData(Policy):
    """Bad: the value is request-derived (``source`` is where it came from)."""

    leaf_is_bad = False

    def judge(self, engine, flow):
        op = flow.op
        node = flow.node
        scope = flow.scope
        if op is Op.ATTRIBUTE:
            if node.attr in REQUEST_DATA_ATTRIBUTES and is_request_object(engine, node.value, scope):
                return bad(node)
            return flow.parts_with(Role.RECEIVER)  # an attribute of request data
        if op is Op.CALL:
            func = flow.call.func
            if type(func) is ast.Attribute:
                if func.attr in REQUEST_DATA_ATTRIBUTES and is_request_object(
                    engine, func.value, scope
                ):
                    return bad(node)
            if engine.qualnames(func, scope) & PASSTHROUGH_FUNCTIONS:
                return flow.arguments()
            external = engine.external_plan(self, flow)
            if external is not None:
                return external  # a helper of another project module
            if type(func) is ast.Attribute:
                return flow.parts_with(Role.RECEIVER)  # a method of request data
            return CLEAN
        if op is Op.NUMBER and type(node) is ast.BinOp and type(node.op) is ast.Div:
            return list(flow.parts)  # ``Path(base) / part``: a path built from its operands
        if op is Op.PARAM:
            if is_data_parameter(engine, flow.binding):
                return bad(flow.binding.node)
            return DEFAULT
        return DEFAULT

    def unresolved(self, engine, verdict: Verdict, node, scope) -> Verdict:
        """A parameter stands for what each call of its function in this file passes."""
        pending = [(param, 0) for param in verdict.params]
        seen = set()
        sites = 0
        while pending:
            param, depth = pending.pop()
            if param in seen or depth >= _MAX_CALLER_DEPTH:
                continue
            seen.add(param)
            binding = engine.parameter_binding(param)
            if binding is None:
                continue
            function = binding.scope.node
            if type(function) not in (ast.FunctionDef, ast.AsyncFunctionDef):
                continue
            for call, call_scope, bound in engine.call_sites(function):
                sites += 1
                if sites > _MAX_CALL_SITES:
                    return CLEAN
                found = engine.argument_for(call, call_scope, function, bound, param)
                if found is None:
                    continue
                argument = engine.ask(self, found[0], found[1])
                if argument.bad:
                    return argument
                pending.extend((outer, depth + 1) for outer in argument.params)
        return CLEAN


REQUEST = summarised("request", RequestData())
