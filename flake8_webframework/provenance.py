"""The value-provenance engine: "what can this expression carry?", answered once per file.

An expression is decomposed into a *flow*: what its value is made of. A name's value is made
of what its bindings give it (only the straight-line assignment that reaches a use, where
there is one, see :mod:`reaching`), of what ``.append()``/``[k] =`` put into it; an f-string,
``%``, ``.format()``, ``+`` and ``.join()`` insert their fields into a template; a container
holds its elements; ``d[k]`` and a loop variable are elements of what they read; a call of a
function of this file returns what its ``return`` statements give, with each parameter
standing for the argument passed at that call; ``self.X`` is what the class, its bases and
its subclasses in this file bind to ``X``. Flows are built on demand, memoised per node, and
shared by every question.

A *policy* asks one question of flows - "is this unescaped HTML?", "is this an unsafe SQL
part?", "is this request data?" - by judging each flow: a final :class:`Verdict` (a source, a
sanitiser, a safe value), the parts that decide it (bad if one of them is bad), or the
structural default (:data:`DEFAULT`). Policies hold the tables (sources, sanitisers, safe
values); the engine holds the one way of following values. A parameter that a policy does
not judge leaves a dependency in the verdict ("bad if this parameter is"): through a helper
call it stands for the argument, at the question's root the policy's ``unresolved`` decides.

Bounded: evaluation uses an explicit stack (no recursion over analysed values), memoised
per (policy, node); a node met again while it is judged counts as clean (a cycle is
neutral); a per-file step budget ends every further question with a clean verdict
("unknown": no finding, never a failure). Nothing is executed.
"""

from __future__ import annotations

import ast
from enum import IntEnum

from .formats import brace_format, fstring_fields, numeric_keys, percent_format
from .names import class_of_binding, lookup_name
from .reaching import ReachingBindings
from .scopes import (
    ASSIGN,
    AUGASSIGN,
    COMPREHENSION,
    DECLARE,
    DEF,
    FOR,
    IMPORT,
    PARAM,
    STORE,
    WITH,
    Binding,
    Scope,
)
from .syntax import decorator_name, target_names
from .values import LITERAL, NO_VALUE, NONLITERAL, _method_owner


class Op(IntEnum):
    """What a flow's value is made of."""

    CONST = 0  # a constant
    UNKNOWN = 1  # unknown origin: a builtin, a star import, syntax this engine does not know
    IMPORT = 2  # an imported name (``flow.binding``)
    PARAM = 3  # a parameter (``flow.binding``)
    OPAQUE = 4  # a function, class, lambda, generator, exception or match capture
    NUMBER = 5  # arithmetic, a comparison, a unary operation: a number or a bool
    TEXT_FREE = 6  # a model field/column holding numbers, dates, booleans or UUIDs
    FORMAT = 7  # TEXT parts inserted into a TEMPLATE (``flow.form`` says how)
    PASS = 8  # the value of its parts (await, walrus, starred, repetition, ``|``)
    CHOICE = 9  # one of its parts (``a if c else b``, ``a or b``)
    CONTAINER = 10  # ELEMENT and KEY parts (literals, comprehensions)
    BINDINGS = 11  # what the bindings of a name or class attribute give it
    ELEMENT = 12  # an element of its CONTAINER part (``d[k]``, loop and unpacked targets)
    RETURNS = 13  # a call of functions of this file: their return values (``flow.call``)
    CALL = 14  # any other call: RECEIVER and ARGUMENT parts (``flow.call``)
    ATTRIBUTE = 15  # an attribute of its RECEIVER part
    WITH_TARGET = 16  # ``with X as name``: what ``X.__enter__()`` gives
    MAPPED = 17  # an element of ``map(f, xs)``: CALLEE part and ELEMENT parts


class Role(IntEnum):
    """How a part contributes to its flow."""

    VALUE = 0
    TEXT = 1  # inserted into a format or concatenation
    TEMPLATE = 2  # the format string or separator that TEXT parts are inserted into
    ELEMENT = 3
    KEY = 4
    CONCAT = 5  # ``name += part``: added to what the name held
    RECEIVER = 6
    ARGUMENT = 7  # ``slot``: its position (int) or keyword (str), ``None`` for */**
    CALLEE = 8
    CONTAINER = 9
    RETURN = 10
    BOUND = 11  # an argument bound to a helper's parameter (``slot``: the ``ast.arg``)


class Part:
    __slots__ = ("node", "scope", "role", "slot")

    def __init__(self, node, scope: Scope, role: Role, slot=None) -> None:
        self.node = node  # an ast node, or a prebuilt Flow
        self.scope = scope
        self.role = role
        self.slot = slot


class Flow:
    """What one expression's value is made of (see :class:`Op`)."""

    __slots__ = ("node", "scope", "op", "parts", "form", "call", "functions", "binding",
                 "external")
    # ``binding``: the Binding of IMPORT/PARAM/OPAQUE/TEXT_FREE/WITH_TARGET leaves; for an
    # argument bound to a helper's parameter (``form == "bound"``), that ``ast.arg``.

    def __init__(self, op: Op, node=None, scope: Scope | None = None, parts=(), form=None,
                 call=None, functions=None, binding=None, external=None) -> None:
        self.op = op
        self.node = node
        self.scope = scope
        self.parts: tuple[Part, ...] = parts
        #: FORMAT: "fstring", "percent", "concat", "format", "format_map", "join"
        self.form = form
        self.call = call  # RETURNS, CALL, MAPPED: the ast.Call
        self.functions = functions  # RETURNS: the function definitions
        self.binding = binding  # IMPORT, PARAM, OPAQUE, TEXT_FREE: the Binding
        #: CALL: the ``project.FunctionSummary`` of the called function of another project
        #: module, ``False`` when it calls none, ``None`` until looked up
        self.external = external

    def parts_with(self, *roles: Role) -> list[Part]:
        return [part for part in self.parts if part.role in roles]

    def argument(self, position: int | None, *keywords: str) -> Part | None:
        """CALL/RETURNS: the part passed by one of ``keywords``, else at ``position``."""
        found = None
        for part in self.parts:
            if part.role is not Role.ARGUMENT:
                continue
            if part.slot in keywords and type(part.slot) is str:
                return part
            if found is None and position is not None and part.slot == position and (
                type(part.slot) is int
            ):
                found = part
        return found

    def arguments(self) -> list[Part]:
        return [part for part in self.parts if part.role is Role.ARGUMENT]


class Verdict:
    """A policy's answer for one flow: ``bad`` (the policy's alarm: unescaped, unsafe,
    request-derived) with its ``source``; else the parameters it depends on."""

    __slots__ = ("bad", "source", "params")

    def __init__(self, bad: bool, source=None, params: frozenset = frozenset()) -> None:
        self.bad = bad
        self.source = source
        self.params = params  # ids of ast.arg nodes: bad if one of those arguments is

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Verdict(bad={self.bad}, params={len(self.params)})"


CLEAN = Verdict(False)
#: A policy's ``judge`` returns this to have the engine apply the structural default.
DEFAULT = object()
#: At most this many parameter dependencies are kept per verdict (more: the extra ones are
#: dropped, so the verdict leans clean).
_MAX_PARAMS = 16


def bad(source) -> Verdict:
    return Verdict(True, source)


class Ask:
    """A dependency judged by another policy (``judge`` may return these among parts)."""

    __slots__ = ("policy", "node", "scope")

    def __init__(self, policy: Policy, node, scope: Scope) -> None:
        self.policy = policy
        self.node = node
        self.scope = scope


class Policy:
    """One question. Subclasses override :meth:`judge` (and :meth:`unresolved`)."""

    #: the verdict of a leaf the policy does not judge (CALL, ATTRIBUTE, OPAQUE, ...)
    leaf_is_bad = True
    #: set by :func:`summarised`: the key of this policy's verdicts in module summaries
    name = ""

    def judge(self, engine: Provenance, flow: Flow):
        """A :class:`Verdict`, a list of parts/:class:`Ask` (bad if one is bad), or
        :data:`DEFAULT`."""
        return DEFAULT

    def unresolved(self, engine: Provenance, verdict: Verdict, node, scope) -> Verdict:
        """The root verdict when parameters are still open: by default a parameter is as
        bad as a leaf the policy does not judge."""
        if verdict.params and self.leaf_is_bad:
            return bad(engine.parameter_node(next(iter(verdict.params))) or node)
        return CLEAN if verdict.params else verdict


class OriginPolicy(Policy):
    """An origin question: "is this bound to the kind of object ``_made_by`` recognises?"
    (bad here means "found"; ``source`` may say which kind). Names are followed through
    their bindings' values (also ``with`` targets and helpers' returns); ``_named`` may
    decide on a name by itself first (``cursor``). A leaf it does not recognise is not that
    object."""

    leaf_is_bad = False

    def judge(self, engine, flow):
        op = flow.op
        if op in (Op.BINDINGS, Op.PASS, Op.CHOICE, Op.WITH_TARGET):
            node_type = type(flow.node)
            if node_type is ast.Name:
                found = self._named(engine, flow.node, flow.scope)
            elif node_type is ast.Attribute:
                found = self._made_by(engine, flow)
            else:
                found = None
            if found is not None:
                return found
            return [part for part in flow.parts if part.role in (Role.VALUE, Role.RETURN)]
        found = self._made_by(engine, flow)
        return found if found is not None else CLEAN

    def _named(self, engine, name: ast.Name, scope):
        return None

    def _made_by(self, engine, flow):
        return None


#: Policies whose verdicts on each function of another project module are kept in its
#: summary (see :mod:`project`): name -> policy.
SUMMARISED: dict[str, Policy] = {}


def summarised(name: str, policy: Policy) -> Policy:
    """Register ``policy`` under ``name`` for module summaries; returns it."""
    policy.name = name
    SUMMARISED[name] = policy
    return policy


#: A helper of another module is followed when the linted file calls it; that helper's
#: own calls into further modules are unknown calls (the cost of a chain stays bounded).
FUNCTION_DEPTH = 1
#: Flow steps per file; beyond, every question answers clean ("unknown").
STEP_BUDGET = 200_000
#: How deep one policy's judge may ask another policy synchronously.
_MAX_NESTING = 4
#: Path depth of tuple targets followed (``for i, (k, v) in ...``).
_MAX_PATH = 3
#: Classes of the family of ``self.X`` (the class, its bases, its subclasses).
_MAX_FAMILY = 32

_FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp)
_NUMERIC_BINOPS = (ast.Sub, ast.Div, ast.FloorDiv, ast.Pow, ast.LShift, ast.RShift,
                   ast.BitXor, ast.BitAnd, ast.MatMult)
#: List/set/dict methods whose arguments become elements of the receiver: position of the
#: element (``None``: every argument).
MUTATORS = {"append": 0, "add": 0, "appendleft": 0, "insert": 1, "extend": 0,
            "extendleft": 0, "update": None, "setdefault": 1}
_ELEMENT_CALLS = {"builtins.sorted": 0, "builtins.reversed": 0, "builtins.list": 0,
                  "builtins.tuple": 0, "builtins.set": 0, "builtins.frozenset": 0,
                  "builtins.iter": 0, "builtins.filter": 1, "itertools.chain": None,
                  "itertools.repeat": 0, "builtins.next": 0}


class Provenance:
    """The engine over one file (``FileContext.provenance``)."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.model = ctx.model
        self.steps = 0
        self.exhausted = False
        self._nesting = 0
        self._flows: dict[int, Flow] = {}
        self._element_flows: dict[tuple, Flow] = {}
        self._verdicts: dict[int, dict[int, Verdict]] = {}
        self._reaching = ReachingBindings()
        self._mutations: dict[tuple[int, str], list[Part]] | None = None
        self._returns: dict[int, list[tuple[ast.AST, Scope]]] | None = None
        self._comprehension_scopes: dict[int, Scope] | None = None
        self._subclasses: dict[int, list[Scope]] | None = None
        self._targets: dict[int, dict[int, tuple]] = {}
        self._unpacked: dict[int, tuple] | None = None
        self._params: dict[int, Binding] = {}
        self._columns = None
        self._kept: list[Flow] = []
        self._defined_in: dict[int, Scope] | None = None
        self._aug_ops: dict[int, type] | None = None
        #: id of a value assigned by ``name["key"] = value`` -> "key"
        self._subscript_keys: dict[int, str] | None = None

    # -- questions ------------------------------------------------------------------------

    def ask(self, policy: Policy, node, scope: Scope) -> Verdict:
        """The policy's verdict on ``node``, parameters left open."""
        if self.exhausted or self._nesting >= _MAX_NESTING:
            return CLEAN
        self._nesting += 1
        try:
            return self._run(policy, node, scope)
        finally:
            self._nesting -= 1

    def judge(self, policy: Policy, node, scope: Scope) -> Verdict:
        """The policy's verdict on ``node`` with open parameters resolved by the policy."""
        verdict = self.ask(policy, node, scope)
        if not verdict.bad and verdict.params:
            return policy.unresolved(self, verdict, node, scope)
        return verdict

    def _memo(self, policy: Policy) -> dict[int, Verdict]:
        memo = self._verdicts.get(id(policy))
        if memo is None:
            memo = self._verdicts[id(policy)] = {}
        return memo

    def _run(self, root_policy: Policy, root, root_scope: Scope) -> Verdict:
        root_memo = self._memo(root_policy)
        found = root_memo.get(id(root))
        if found is not None:
            return found
        in_progress: set[tuple[int, int]] = set()
        # (policy, node, scope, None) to judge; (policy, node, flow, deps) to combine
        stack: list[tuple] = [(root_policy, root, root_scope, None)]
        while stack:
            policy, node, scope, deps = stack.pop()
            memo = self._memo(policy)
            key = id(node)
            if deps is None:
                if key in memo or (id(policy), key) in in_progress:
                    continue
                self.steps += 1
                if self.steps > STEP_BUDGET:
                    self.exhausted = True
                    return CLEAN
                flow = node if type(node) is Flow else self.flow(node, scope)
                plan = policy.judge(self, flow)
                if plan is DEFAULT:
                    plan = self._default_plan(policy, flow)
                if type(plan) is Verdict:
                    memo[key] = plan
                    continue
                deps = [
                    (item.policy, item.node, item.scope)
                    if type(item) is Ask
                    else (policy, item.node, item.scope)
                    for item in plan
                ]
                in_progress.add((id(policy), key))
                stack.append((policy, node, flow, deps))
                for dep_policy, dep_node, dep_scope in deps:
                    dep_key = id(dep_node)
                    if dep_key not in self._memo(dep_policy) and (
                        (id(dep_policy), dep_key) not in in_progress
                    ):
                        stack.append((dep_policy, dep_node, dep_scope, None))
            else:
                flow = scope  # the expanded entry carries the flow in the scope's place
                verdicts = []
                for dep_policy, dep_node, dep_scope in deps:
                    verdict = self._memo(dep_policy).get(id(dep_node), CLEAN)
                    if dep_policy is not policy and verdict.params and not verdict.bad:
                        # another policy's open parameters mean what that policy says
                        verdict = dep_policy.unresolved(self, verdict, dep_node, dep_scope)
                    verdicts.append(verdict)
                if flow.op is Op.RETURNS:
                    memo[key] = _combine_returns(deps, verdicts)
                else:
                    memo[key] = _join(verdicts)
                in_progress.discard((id(policy), key))
        return root_memo.get(id(root), CLEAN)
    def _default_plan(self, policy: Policy, flow: Flow):
        op = flow.op
        if op in (Op.CONST, Op.UNKNOWN, Op.IMPORT, Op.NUMBER, Op.TEXT_FREE):
            return CLEAN
        if op is Op.PARAM:
            self._params[id(flow.binding.node)] = flow.binding
            return _with_params(frozenset((id(flow.binding.node),)))
        if op in (Op.OPAQUE, Op.CALL, Op.ATTRIBUTE):
            return bad(flow.node) if policy.leaf_is_bad else CLEAN
        if op is Op.FORMAT:
            return flow.parts_with(Role.TEMPLATE, Role.TEXT)
        if op is Op.MAPPED:
            return flow.parts_with(Role.ELEMENT) if not policy.leaf_is_bad else bad(flow.node)
        return list(flow.parts)

    # -- flows ----------------------------------------------------------------------------

    def flow(self, node, scope: Scope) -> Flow:
        if type(node) is Flow:
            return node
        found = self._flows.get(id(node))
        if found is None:
            found = self._flows[id(node)] = self._build(node, scope)
        return found

    def _build(self, node, scope: Scope) -> Flow:
        node_type = type(node)
        if node_type is ast.Constant:
            return Flow(Op.CONST, node, scope)
        if node_type is ast.Name:
            return self._build_name(node, scope)
        if node_type is ast.Attribute:
            return self._build_attribute(node, scope)
        if node_type is ast.Call:
            return self._build_call(node, scope)
        if node_type is ast.JoinedStr:
            parts = tuple(Part(value, scope, Role.TEXT)
                          for value, numeric in fstring_fields(node) if not numeric)
            return Flow(Op.FORMAT, node, scope, parts, form="fstring")
        if node_type is ast.BinOp:
            return self._build_binop(node, scope)
        if node_type in (ast.BoolOp,):
            return Flow(Op.CHOICE, node, scope,
                        tuple(Part(value, scope, Role.VALUE) for value in node.values))
        if node_type is ast.IfExp:
            return Flow(Op.CHOICE, node, scope,
                        (Part(node.body, scope, Role.VALUE), Part(node.orelse, scope, Role.VALUE)))
        if node_type in (ast.Tuple, ast.List, ast.Set):
            return Flow(Op.CONTAINER, node, scope, tuple(
                Part(element.value if type(element) is ast.Starred else element, scope,
                     Role.ELEMENT)
                for element in node.elts))
        if node_type is ast.Dict:
            parts = [Part(key, scope, Role.KEY) for key in node.keys if key is not None]
            parts.extend(Part(value, scope, Role.ELEMENT) for value in node.values)
            return Flow(Op.CONTAINER, node, scope, tuple(parts))
        if node_type in _COMPREHENSIONS:
            inner = self.comprehension_scope(node, scope)
            return Flow(Op.CONTAINER, node, scope, (Part(node.elt, inner, Role.ELEMENT),))
        if node_type is ast.DictComp:
            inner = self.comprehension_scope(node, scope)
            return Flow(Op.CONTAINER, node, scope,
                        (Part(node.key, inner, Role.KEY), Part(node.value, inner, Role.ELEMENT)))
        if node_type is ast.Subscript:
            return Flow(Op.ELEMENT, node, scope, (Part(node.value, scope, Role.CONTAINER),))
        if node_type in (ast.Starred, ast.NamedExpr, ast.Await):
            return Flow(Op.PASS, node, scope, (Part(node.value, scope, Role.VALUE),))
        if node_type in (ast.UnaryOp, ast.Compare):
            return Flow(Op.NUMBER, node, scope)
        if node_type in (ast.Lambda, ast.Yield, ast.YieldFrom):
            return Flow(Op.OPAQUE, node, scope)
        return Flow(Op.UNKNOWN, node, scope)  # node types this engine does not know

    def _build_binop(self, node: ast.BinOp, scope: Scope) -> Flow:
        op_type = type(node.op)
        if op_type is ast.Add:
            operands = []
            pending = [node]
            while pending:
                current = pending.pop()
                if type(current) is ast.BinOp and type(current.op) is ast.Add:
                    pending.append(current.right)
                    pending.append(current.left)
                else:
                    operands.append(current)
            return Flow(Op.FORMAT, node, scope,
                        tuple(Part(operand, scope, Role.TEXT) for operand in operands),
                        form="concat")
        if op_type is ast.Mod:
            return self._build_percent(node, scope)
        if op_type is ast.Mult:
            return Flow(Op.PASS, node, scope, tuple(
                Part(side, scope, Role.VALUE) for side in self._repeated(node, scope)))
        if op_type in _NUMERIC_BINOPS:
            # a number - or, for ``/``, a path joined from its operands (``Path(base) / x``):
            # the operands are parts a policy may follow; the default ignores them
            return Flow(Op.NUMBER, node, scope,
                        (Part(node.left, scope, Role.VALUE), Part(node.right, scope, Role.VALUE)))
        return Flow(Op.PASS, node, scope,
                    (Part(node.left, scope, Role.VALUE), Part(node.right, scope, Role.VALUE)))

    def _repeated(self, node: ast.BinOp, scope: Scope) -> list[ast.AST]:
        """``text * n``: the side that is repeated (the other is the count)."""
        values = self.ctx.values
        left = values.evaluate(node.left, scope)
        right = values.evaluate(node.right, scope)
        if right.kind == LITERAL and type(right.value) is int:
            return [node.left]
        if left.kind == LITERAL and type(left.value) is int:
            return [node.right]
        sequence_types = (ast.List, ast.Tuple, ast.Constant, ast.JoinedStr, ast.Name)
        if left.kind != NONLITERAL and type(node.left) in sequence_types:
            return [node.left]
        if right.kind != NONLITERAL and type(node.right) in sequence_types:
            return [node.right]
        return [node.left, node.right]

    def _build_percent(self, node: ast.BinOp, scope: Scope) -> Flow:
        template = self.ctx.values.evaluate(node.left, scope)
        if template.kind == LITERAL and template.value is not NO_VALUE and not isinstance(
            template.value, (str, bytes)
        ):
            return Flow(Op.NUMBER, node, scope)  # ``a % b`` on numbers: arithmetic
        parts = [Part(node.left, scope, Role.TEMPLATE)]
        right = node.right
        text = template.value if template.kind == LITERAL else NO_VALUE
        parsed = percent_format(text) if isinstance(text, (str, bytes)) else None
        if parsed is None:
            parts.extend(Part(value, scope, Role.TEXT) for value in _spread(right))
        elif parsed.by_name:
            numeric = numeric_keys(parsed.fields)
            for value, key in self._mapping_items(right, scope):
                if key is None or numeric.get(key) is False:
                    parts.append(Part(value, scope, Role.TEXT))
                # else: a key the format does not insert, or inserts only as a number
        elif parsed.fields:
            fields = parsed.fields
            if type(right) is ast.Tuple and not any(
                type(element) is ast.Starred for element in right.elts
            ) and len(right.elts) == len(fields):
                parts.extend(Part(element, scope, Role.TEXT)
                             for element, field in zip(right.elts, fields) if not field.numeric)
            elif len(fields) == 1 and type(right) is not ast.Tuple:
                if not fields[0].numeric:
                    parts.append(Part(right, scope, Role.TEXT))
            else:
                parts.extend(Part(value, scope, Role.TEXT) for value in _spread(right))
        return Flow(Op.FORMAT, node, scope, tuple(parts), form="percent")

    def _mapping_items(self, mapping: ast.AST, scope: Scope):
        """(value, literal str key or None) of a mapping given to ``%`` or ``**``: a dict
        literal or ``dict(k=v)``, directly or through a name whose reaching assignment is
        one (with the ``name["k"] = v`` it receives later). Anything else is one value."""
        resolved = self._literal_mapping(mapping, scope)
        if resolved is None:
            return [(mapping, None)]
        return resolved

    def _literal_mapping(self, mapping: ast.AST, scope: Scope, hops: int = 0):
        if type(mapping) is ast.Dict:
            items = []
            for key, value in zip(mapping.keys, mapping.values):
                if key is None:
                    items.append((value, None))
                    continue
                key_value = self.ctx.values.literal_value(key, scope)
                items.append((value, key_value if type(key_value) is str else None))
            return items
        if type(mapping) is ast.Call and type(mapping.func) is ast.Name and (
            mapping.func.id == "dict" and not mapping.args
        ) and self.ctx.qualnames(mapping.func, scope) == {"builtins.dict"}:
            return [(keyword.value, keyword.arg) for keyword in mapping.keywords]
        if type(mapping) is not ast.Name or hops > 2:
            return None
        bound_in, bindings = lookup_name(scope, mapping.id)
        if bound_in is None:
            return None
        reaching = self._reaching.reaching(mapping, scope, bound_in, bindings)
        values = [b for b in (reaching if reaching is not None else bindings) if b.kind != DECLARE]
        if len(values) != 1 or values[0].kind != ASSIGN:
            return None
        items = self._literal_mapping(values[0].value, values[0].scope, hops + 1)
        if items is None:
            return None
        for part in self.mutations(id(bound_in), mapping.id):
            key = self._subscript_keys.get(id(part.node)) if self._subscript_keys else None
            items.append((part.node, key))
        return items
    # -- names ------------------------------------------------------------------------------

    def _build_name(self, node: ast.Name, scope: Scope) -> Flow:
        bound_in, bindings = lookup_name(scope, node.id)
        if bound_in is None:
            return Flow(Op.UNKNOWN, node, scope)  # a builtin or a name from a star import
        parts: list[Part] = list(self.mutations(id(bound_in), node.id))
        if bound_in.kind == COMPREHENSION:
            iterable = _comprehension_iterable(bound_in, node.id)
            if iterable is not None:
                source, source_scope, path = iterable
                element = self.element_flow(source, source_scope, path)
                parts.append(Part(element, source_scope, Role.ELEMENT))
                return Flow(Op.BINDINGS, node, scope, tuple(parts))
        reaching = self._reaching.reaching(node, scope, bound_in, bindings)
        if reaching is not None:
            bindings = reaching
        for binding in bindings:
            part = self._binding_part(binding)
            if part is not None:
                parts.append(part)
        if not parts:
            return Flow(Op.UNKNOWN, node, scope)  # declared only (``x: int``)
        return Flow(Op.BINDINGS, node, scope, tuple(parts))

    def _binding_part(self, binding: Binding) -> Part | None:
        kind = binding.kind
        scope = binding.scope
        if kind == ASSIGN:
            return Part(binding.value, scope, Role.VALUE)
        if kind == AUGASSIGN:
            return Part(binding.value, scope, Role.CONCAT)
        if kind == DECLARE:
            return None
        if kind == FOR:
            return Part(self.element_flow(binding.value, scope, ()), scope, Role.ELEMENT)
        if kind == WITH:
            return Part(self._leaf(Op.WITH_TARGET, binding, (Part(binding.value, scope,
                                                                   Role.VALUE),)),
                        scope, Role.VALUE)
        if kind == STORE:
            found = self._target_source(binding)
            if found is not None:
                source_kind, source, path = found
                if source_kind == "with":
                    leaf = self._leaf(Op.WITH_TARGET, binding, (Part(source, scope, Role.VALUE),))
                    return Part(leaf, scope, Role.VALUE)
                return Part(self.element_flow(source, scope, path), scope, Role.ELEMENT)
        op = {IMPORT: Op.IMPORT, PARAM: Op.PARAM}.get(kind, Op.OPAQUE)
        return Part(self._leaf(op, binding), scope, Role.VALUE)

    def _leaf(self, op: Op, binding: Binding, parts=()) -> Flow:
        key = ("leaf", id(binding))
        found = self._element_flows.get(key)
        if found is None:
            found = self._element_flows[key] = Flow(op, binding.node, binding.scope, parts,
                                                    binding=binding)
        return found

    def parameter_node(self, param_id: int):
        binding = self._params.get(param_id)
        return binding.node if binding is not None else None

    def parameter_binding(self, param_id: int) -> Binding | None:
        return self._params.get(param_id)

    # -- elements ------------------------------------------------------------------------

    def element_flow(self, iterable, scope: Scope, path: tuple) -> Flow:
        """An element (at ``path`` inside tuple elements) of what ``iterable`` yields."""
        key = (id(iterable), path)
        found = self._element_flows.get(key)
        if found is None:
            found = self._element_flows[key] = self._build_element(iterable, scope, path)
        return found

    def _build_element(self, iterable, scope: Scope, path: tuple) -> Flow:
        if type(iterable) is ast.Call and type(iterable.func) in (ast.Name, ast.Attribute):
            call = iterable
            names = self.ctx.qualnames(call.func, scope)
            args = call.args
            if "builtins.range" in names:
                return Flow(Op.NUMBER, iterable, scope)
            if "builtins.enumerate" in names and args:
                if path[:1] == (0,):
                    return Flow(Op.NUMBER, iterable, scope)
                if path[:1] == (1,):
                    return self.element_flow(args[0], scope, path[1:])
            if "builtins.zip" in names and path and path[0] < len(args):
                return self.element_flow(args[path[0]], scope, path[1:])
            if "builtins.divmod" in names:
                return Flow(Op.NUMBER, iterable, scope)
            if "builtins.map" in names and args:
                parts = [Part(args[0], scope, Role.CALLEE)]
                parts.extend(Part(self.element_flow(arg, scope, ()), scope, Role.ELEMENT)
                             for arg in args[1:])
                return Flow(Op.MAPPED, iterable, scope, tuple(parts), call=call)
            for name in names:
                position = _ELEMENT_CALLS.get(name, -1)
                if position is None:
                    parts = tuple(Part(self.element_flow(arg, scope, path), scope, Role.ELEMENT)
                                  for arg in args)
                    return Flow(Op.PASS, iterable, scope, parts)
                if position >= 0 and len(args) > position:
                    return self.element_flow(args[position], scope, path)
            func = call.func
            if type(func) is ast.Attribute and func.attr in ("items", "keys", "values") and (
                not args
            ):
                return Flow(Op.ELEMENT, iterable, scope,
                            (Part(func.value, scope, Role.CONTAINER),))
        return Flow(Op.ELEMENT, iterable, scope, (Part(iterable, scope, Role.CONTAINER),))

    def _target_source(self, binding: Binding):
        """(kind, source expression, path) of a name bound inside a tuple target of a
        ``for``/``with``/assignment, or by a ``for``/``with`` the core did not record."""
        if self._unpacked is None:
            table: dict[int, tuple] = {}
            for node, _ in self.ctx.nodes(ast.Assign):
                for target in node.targets:
                    if type(target) in (ast.Tuple, ast.List):
                        _note_targets(table, target, "unpack", node.value)
            self._unpacked = table
        found = self._unpacked.get(id(binding.node))
        if found is not None:
            return found
        scope = binding.scope
        table = self._targets.get(id(scope))
        if table is None:
            table = self._targets[id(scope)] = _scan_targets(scope)
        return table.get(id(binding.node))

    # -- attributes ------------------------------------------------------------------------

    def _build_attribute(self, node: ast.Attribute, scope: Scope) -> Flow:
        owner = self.attribute_owner(node, scope)
        if owner is not None:
            parts = self._class_attribute_parts(owner, node.attr)
            if parts:
                return Flow(Op.BINDINGS, node, scope, tuple(parts))
        return Flow(Op.ATTRIBUTE, node, scope, (Part(node.value, scope, Role.RECEIVER),))

    def attribute_owner(self, node: ast.Attribute, scope: Scope) -> Scope | None:
        """The class scope of ``self.X``/``cls.X``/``Class.X`` for a class in this file."""
        base = node.value
        if type(base) is not ast.Name:
            return None
        if base.id in ("self", "cls"):
            return _method_owner(scope)
        class_node = class_of_binding(lookup_name(scope, base.id)[1])
        return self.model.class_scopes.get(id(class_node)) if class_node else None

    def _class_attribute_parts(self, owner: Scope, attr: str) -> list[Part]:
        parts: list[Part] = []
        columns = self.model_columns()
        for class_scope in self.class_family(owner):
            parts.extend(self.mutations(id(class_scope), "." + attr))
            for binding in class_scope.bindings.get(attr, ()):
                if columns.text_free(binding, class_scope):
                    parts.append(Part(self._leaf(Op.TEXT_FREE, binding), class_scope, Role.VALUE))
                elif binding.kind == DEF and _is_property(binding.node):
                    returns = self._returns_flow(None, class_scope, [binding.node], bound=False)
                    parts.append(Part(returns, class_scope, Role.VALUE))
                else:
                    part = self._binding_part(binding)
                    if part is not None:
                        parts.append(part)
            for binding in class_scope.instance_bindings.get(attr, ()):
                role = Role.CONCAT if binding.kind == AUGASSIGN else Role.VALUE
                parts.append(Part(binding.value, binding.scope, role))
        return parts

    def class_family(self, class_scope: Scope) -> list[Scope]:
        """The class, its bases and its subclasses defined in this file."""
        if self._subclasses is None:
            children: dict[int, list[Scope]] = {}
            for class_node, outer in self.ctx.nodes(ast.ClassDef):
                child = self.model.class_scopes.get(id(class_node))
                if child is None:
                    continue
                for base in class_node.bases:
                    parent = self._class_scope_of(base, outer)
                    if parent is not None:
                        children.setdefault(id(parent), []).append(child)
            self._subclasses = children
        family = [class_scope]
        seen = {id(class_scope)}
        # Upwards through the bases, downwards through the subclasses (not sideways).
        pending = [(class_scope, True), (class_scope, False)]
        while pending and len(family) < _MAX_FAMILY:
            current, upwards = pending.pop()
            if upwards:
                related = [
                    parent
                    for parent in (
                        self._class_scope_of(base, current.parent)
                        for base in getattr(current.node, "bases", ())
                    )
                    if parent is not None
                ]
            else:
                related = self._subclasses.get(id(current), [])
            for other in related:
                if id(other) not in seen:
                    seen.add(id(other))
                    family.append(other)
                    pending.append((other, upwards))
        return family

    def _class_scope_of(self, base: ast.AST, scope: Scope | None):
        if type(base) is not ast.Name or scope is None:
            return None
        class_node = class_of_binding(lookup_name(scope, base.id)[1])
        return self.model.class_scopes.get(id(class_node)) if class_node else None

    def model_columns(self):
        if self._columns is None:
            from .models import ModelColumns

            self._columns = ModelColumns(self.ctx.qualnames, self.ctx.nodes)
        return self._columns

    # -- calls ----------------------------------------------------------------------------

    def _build_call(self, node: ast.Call, scope: Scope) -> Flow:
        func = node.func
        func_type = type(func)
        if func_type is ast.Attribute:
            attr = func.attr
            if attr == "format":
                return self._build_format(node, scope)
            if attr == "format_map" and len(node.args) == 1:
                return Flow(Op.FORMAT, node, scope, (
                    Part(func.value, scope, Role.TEMPLATE), Part(node.args[0], scope, Role.TEXT)),
                    form="format_map", call=node)
            if attr == "join" and len(node.args) == 1 and not node.keywords and not any(
                name.startswith(("os.", "posixpath.", "ntpath.", "pathlib."))
                for name in self.ctx.qualnames(func, scope)
            ):
                element = self.element_flow(node.args[0], scope, ())
                return Flow(Op.FORMAT, node, scope, (
                    Part(func.value, scope, Role.TEMPLATE), Part(element, scope, Role.TEXT)),
                    form="join", call=node)
        functions, bound = self.local_functions(func, scope)
        if functions:
            return self._returns_flow(node, scope, functions, bound)
        parts = []
        if func_type is ast.Attribute:
            parts.append(Part(func.value, scope, Role.RECEIVER))
        parts.extend(_argument_parts(node, scope))
        return Flow(Op.CALL, node, scope, tuple(parts), call=node)

    def unknown_call(self, policy: Policy, flow: Flow):
        """What a policy says of a call it does not know: the summary of the project
        module's function it calls, if it calls one (see :mod:`project`), else the
        policy's leaf verdict. Looked up only here, so that calls the policy knows never
        make another module be read."""
        plan = self.external_plan(policy, flow)
        if plan is not None:
            return plan
        return bad(flow.node) if policy.leaf_is_bad else CLEAN

    def external_plan(self, policy: Policy, flow: Flow):
        """The plan from another project module's summary of the called function, or
        ``None`` when the callee is not one (or the summary has no verdict for the
        policy)."""
        if flow.call is None:
            return None
        if flow.external is None:
            flow.external = self._project_function(flow.call.func, flow.scope) or False
        if not flow.external:
            return None
        return _external_plan(policy, flow)

    def _project_function(self, func: ast.AST, scope: Scope):
        """The summary of the project module function a callee denotes, if any."""
        project = self.ctx.project
        if project is None or type(func) not in (ast.Name, ast.Attribute):
            return None
        if project.depth >= FUNCTION_DEPTH:
            return None  # a summary's own helpers are not followed into further modules
        for qualname in self.ctx.qualnames(func, scope):
            found = project.resolve(qualname)
            if found is not None:
                summary, name = found
                function = summary.functions.get(name)
                if function is not None:
                    return function
        return None

    def _build_format(self, node: ast.Call, scope: Scope) -> Flow:
        receiver = node.func.value
        parts = [Part(receiver, scope, Role.TEMPLATE)]
        text = self.ctx.values.literal_value(receiver, scope)
        fields = brace_format(text) if type(text) is str else None
        usage = numeric_keys(fields) if fields is not None else None
        starred = False
        for position, arg in enumerate(node.args):
            if type(arg) is ast.Starred:
                starred = True
                parts.append(Part(arg.value, scope, Role.TEXT))
            elif usage is None or starred or not usage.get(position, True):
                parts.append(Part(arg, scope, Role.TEXT))
        for keyword in node.keywords:
            if keyword.arg is None:
                parts.extend(Part(value, scope, Role.TEXT)
                             for value, key in self._mapping_items(keyword.value, scope)
                             if key is None or usage is None or not usage.get(key, True))
            elif usage is None or not usage.get(keyword.arg, True):
                parts.append(Part(keyword.value, scope, Role.TEXT))
        return Flow(Op.FORMAT, node, scope, tuple(parts), form="format", call=node)

    def local_functions(self, func: ast.AST, scope: Scope):
        """The function definitions of this file a callee may denote, and whether the first
        parameter is bound to the receiver (a method called on ``self``/``cls``)."""
        if type(func) is ast.Name:
            _, bindings = lookup_name(scope, func.id)
            values = [b for b in bindings if b.kind != DECLARE]
            if values and all(b.kind == DEF for b in values):
                return [b.node for b in values], False
            return None, False
        if type(func) is not ast.Attribute:
            return None, False
        owner = self.attribute_owner(func, scope)
        if owner is None:
            return None, False
        functions = []
        for class_scope in self.class_family(owner):
            if class_scope.instance_bindings.get(func.attr):
                return None, False
            for binding in class_scope.bindings.get(func.attr, ()):
                if binding.kind != DEF:
                    return None, False
                functions.append(binding.node)
        if not functions:
            return None, False
        on_instance = type(func.value) is ast.Name and func.value.id in ("self", "cls")
        return functions, on_instance

    def _returns_flow(self, call, scope: Scope, functions, bound: bool) -> Flow:
        returns = self._returns_index()
        parts: list[Part] = []
        for function in functions:
            values = returns.get(id(function))
            if type(function) not in _FUNCTION_NODES or not values:
                parts.append(Part(Flow(Op.OPAQUE, function, scope), scope, Role.RETURN))
                continue
            parts.extend(Part(value, value_scope, Role.RETURN) for value, value_scope in values)
            if call is not None:
                parts.extend(self._bound_arguments(call, scope, function, bound))
        flow = Flow(Op.RETURNS, call, scope, tuple(parts), call=call, functions=functions)
        if call is None:
            # not cached under a node: kept alive here, since verdicts are memoised by id
            self._kept.append(flow)
        return flow

    def _bound_arguments(self, call: ast.Call, scope: Scope, function, bound: bool):
        """Each argument of ``call`` (or default) bound to a parameter of ``function``."""
        args = function.args
        positional = list(args.posonlyargs) + list(args.args)
        static = any(decorator_name(d) == "staticmethod" for d in function.decorator_list)
        classmethod_ = any(decorator_name(d) == "classmethod" for d in function.decorator_list)
        if (bound or classmethod_) and not static and positional:
            positional = positional[1:]
        given: dict[int, ast.AST] = {}
        for index, arg in enumerate(call.args):
            if type(arg) is ast.Starred:
                break
            if index < len(positional):
                given[id(positional[index])] = arg
        by_name = {param.arg: param for param in positional + list(args.kwonlyargs)}
        for keyword in call.keywords:
            param = by_name.get(keyword.arg) if keyword.arg else None
            if param is not None:
                given[id(param)] = keyword.value
        defaults = dict(zip((id(p) for p in positional[len(positional) - len(args.defaults):]),
                            args.defaults)) if args.defaults else {}
        for param, default in zip(args.kwonlyargs, args.kw_defaults):
            if default is not None:
                defaults[id(param)] = default
        parts = []
        for param in positional + list(args.kwonlyargs):
            value = given.get(id(param))
            value_scope = scope
            if value is None:
                value = defaults.get(id(param))
                value_scope = self._defining_scope(function, scope)
            if value is None:
                continue
            # ``binding`` holds the parameter this argument is bound to
            flow = Flow(Op.PASS, value, value_scope, (Part(value, value_scope, Role.VALUE),),
                        form="bound", binding=param)
            parts.append(Part(flow, value_scope, Role.BOUND, param))
        return parts

    def _defining_scope(self, function, fallback: Scope) -> Scope:
        """The scope a function is defined in (where its defaults are evaluated)."""
        if self._defined_in is None:
            self._defined_in = {
                id(node): scope
                for node_type in _FUNCTION_NODES
                for node, scope in self.ctx.nodes(node_type)
            }
        return self._defined_in.get(id(function), fallback)

    def _returns_index(self) -> dict[int, list[tuple[ast.AST, Scope]]]:
        if self._returns is None:
            found: dict[int, list[tuple[ast.AST, Scope]]] = {}
            for statement, scope in self.ctx.nodes(ast.Return):
                function = scope
                while function is not None and function.kind == COMPREHENSION:
                    function = function.parent
                if function is None or type(function.node) not in _FUNCTION_NODES:
                    continue
                if statement.value is not None:
                    found.setdefault(id(function.node), []).append((statement.value, scope))
            self._returns = found
        return self._returns

    def returns_of(self, function) -> list[tuple[ast.AST, Scope]]:
        return self._returns_index().get(id(function), [])

    # -- containers filled after their binding -------------------------------------------

    def mutations(self, owner_id: int, name: str) -> list[Part]:
        """Parts put into a container after it was bound: ``x.append(v)``, ``x[k] = v``,
        ``self.items.extend(vs)``. ``name`` is a local name or ``.attr`` of a class."""
        if self._mutations is None:
            found: dict[tuple[int, str], list[Part]] = {}
            for call, scope in self.ctx.calls_named(*MUTATORS):
                func = call.func
                if type(func) is not ast.Attribute or func.attr not in MUTATORS:
                    continue
                key = self._container_key(func.value, scope)
                if key is None:
                    continue
                position = MUTATORS[func.attr]
                entries = found.setdefault(key, [])
                if position is None:
                    entries.extend(Part(arg, scope, Role.ELEMENT) for arg in call.args)
                elif position < len(call.args):
                    entries.append(Part(call.args[position], scope, Role.ELEMENT))
                entries.extend(Part(keyword.value, scope, Role.ELEMENT)
                               for keyword in call.keywords)
                if func.attr == "insert" and len(call.args) < 2:
                    entries.append(Part(Flow(Op.OPAQUE, call, scope), scope, Role.ELEMENT))
            keys: dict[int, str] = {}
            for node, scope in self.ctx.nodes(ast.Assign):
                for target in node.targets:
                    if type(target) is ast.Subscript:
                        key = self._container_key(target.value, scope)
                        if key is not None:
                            found.setdefault(key, []).append(Part(node.value, scope, Role.ELEMENT))
                            index = target.slice
                            if type(index) is ast.Constant and type(index.value) is str:
                                keys[id(node.value)] = index.value
            self._subscript_keys = keys
            self._mutations = found
        return self._mutations.get((owner_id, name), ())

    def _container_key(self, node: ast.AST, scope: Scope):
        if type(node) is ast.Name:
            owner, _ = lookup_name(scope, node.id)
            return None if owner is None else (id(owner), node.id)
        if type(node) is ast.Attribute:
            owner = self.attribute_owner(node, scope)
            if owner is not None:
                return id(owner), "." + node.attr
        return None

    def comprehension_scope(self, node: ast.AST, scope: Scope) -> Scope:
        """The model's scope of a comprehension node."""
        if self._comprehension_scopes is None:
            found: dict[int, Scope] = {}
            for entries in self.model.index.values():
                for _, entry_scope in entries:
                    current = entry_scope
                    while current is not None and current.kind == COMPREHENSION:
                        if id(current.node) in found:
                            break
                        found[id(current.node)] = current
                        current = current.parent
            self._comprehension_scopes = found
        known = self._comprehension_scopes.get(id(node))
        if known is not None:
            return known
        made = Scope(node, COMPREHENSION, scope)
        for generator in node.generators:
            for name_node, _path in target_names(generator.target):
                made.add(name_node.id, Binding(STORE, name_node, made))
        self._comprehension_scopes[id(node)] = made
        return made

    # -- small services for policies -------------------------------------------------------

    def qualnames(self, expr: ast.AST, scope: Scope) -> frozenset[str]:
        if type(expr) not in (ast.Name, ast.Attribute):
            return frozenset()
        return self.ctx.qualnames(expr, scope)

    def literal_text(self, node: ast.AST, scope: Scope):
        """The concrete text of a literal string (or bytes), else ``None``."""
        value = self.ctx.values.literal_value(node, scope)
        return value if isinstance(value, (str, bytes)) else None

    def aug_op(self, value: ast.AST) -> type | None:
        """The operator of the ``x op= value`` whose right-hand side is ``value``."""
        if self._aug_ops is None:
            self._aug_ops = {
                id(node.value): type(node.op) for node, _ in self.ctx.nodes(ast.AugAssign)
            }
        return self._aug_ops.get(id(value))

    def is_literal_or_unknown(self, node: ast.AST, scope: Scope) -> bool:
        return self.ctx.values.evaluate(node, scope).kind != NONLITERAL

    def call_sites(self, function) -> list[tuple[ast.Call, Scope, bool]]:
        """The calls of this file that may call ``function``, with "first parameter bound"."""
        sites = []
        for call, scope in self.ctx.calls_named(function.name):
            functions, bound = self.local_functions(call.func, scope)
            if functions and any(candidate is function for candidate in functions):
                sites.append((call, scope, bound))
        return sites

    def argument_for(self, call: ast.Call, scope: Scope, function, bound: bool, param_id: int):
        """The expression (and its scope) passed to parameter ``param_id`` at ``call``."""
        for part in self._bound_arguments(call, scope, function, bound):
            if id(part.slot) == param_id:
                return part.node.node, part.node.scope
        return None


def _external_plan(policy: Policy, flow: Flow):
    """A call of another module's function: its summary's verdict for ``policy``, with the
    parameters it depends on replaced by this call's arguments; ``None`` when the summary
    has no verdict for the policy (the policy judges the call as any other)."""
    found = flow.external.verdicts.get(policy.name) if policy.name else None
    if found is None:
        return None
    is_bad, positions = found
    if is_bad:
        return bad(flow.node)
    if not positions:
        return CLEAN
    names = flow.external.params
    parts = []
    for position in positions:
        keyword = position if type(position) is str else (
            names[position] if position < len(names) else None
        )
        part = flow.argument(position if type(position) is int else None,
                             *((keyword,) if keyword else ()))
        if part is not None:
            parts.append(part)
        elif any(p.slot is None for p in flow.arguments()):
            return None  # hidden by */**: judged as any other call
    return parts or CLEAN


def _combine_returns(deps, verdicts) -> Verdict:
    """A helper call: its return values, with each parameter of the called function
    replaced by the verdict on the argument bound to it at this call."""
    returned = []
    bound: dict[int, Verdict] = {}
    for (_, node, _), verdict in zip(deps, verdicts):
        if type(node) is Flow and node.form == "bound":
            bound[id(node.binding)] = verdict
        else:
            returned.append(verdict)
    result = _join(returned)
    if result.bad or not result.params:
        return result
    open_params = set()
    resolved = []
    for param in result.params:
        argument = bound.get(param)
        if argument is None:
            open_params.add(param)
        else:
            resolved.append(argument)
    if not resolved:
        return result
    joined = _join(resolved)
    if joined.bad:
        return joined
    return _with_params(open_params | joined.params)


def _join(verdicts) -> Verdict:
    params: frozenset | None = None
    for verdict in verdicts:
        if verdict.bad:
            return verdict
        if verdict.params:
            params = verdict.params if params is None else params | verdict.params
    if not params:
        return CLEAN
    return _with_params(params)


def _with_params(params) -> Verdict:
    if not params:
        return CLEAN
    if len(params) > _MAX_PARAMS:
        params = frozenset(sorted(params)[:_MAX_PARAMS])
    return Verdict(False, None, frozenset(params))


def _spread(node: ast.AST):
    """The values a ``%`` right-hand side inserts when its format cannot be read."""
    if type(node) is ast.Tuple:
        return [e.value if type(e) is ast.Starred else e for e in node.elts]
    if type(node) is ast.Dict:
        return list(node.values)
    return [node]


def _argument_parts(call: ast.Call, scope: Scope) -> list[Part]:
    parts = []
    starred = False
    for index, arg in enumerate(call.args):
        if type(arg) is ast.Starred:
            starred = True
            parts.append(Part(arg.value, scope, Role.ARGUMENT, None))
        else:
            parts.append(Part(arg, scope, Role.ARGUMENT, None if starred else index))
    for keyword in call.keywords:
        parts.append(Part(keyword.value, scope, Role.ARGUMENT, keyword.arg))
    return parts


def _is_property(function: ast.AST) -> bool:
    """``@property`` / ``@cached_property`` (any module's)."""
    return any(decorator_name(d) in ("property", "cached_property")
               for d in getattr(function, "decorator_list", ()))


def _note_targets(table: dict, target: ast.AST, kind: str, source: ast.AST) -> None:
    for name_node, path in target_names(target):
        table[id(name_node)] = (kind, source, path)


def _comprehension_iterable(comprehension: Scope, name: str):
    """(iterable, the scope it is evaluated in, path) of a comprehension variable."""
    node = comprehension.node
    for position, generator in enumerate(getattr(node, "generators", ())):
        for name_node, path in target_names(generator.target):
            if name_node.id == name:
                outer = comprehension.parent if position == 0 else comprehension
                return generator.iter, outer, path
    return None


def _scan_targets(scope: Scope) -> dict[int, tuple]:
    """Targets of ``for`` and ``with`` statements in one scope's own statements (not in
    nested functions or classes): id(name node) -> (kind, source, path)."""
    table: dict[int, tuple] = {}
    body = getattr(scope.node, "body", None)
    if not isinstance(body, list):
        return table
    stack = list(body)
    budget = 20_000
    while stack and budget > 0:
        budget -= 1
        statement = stack.pop()
        statement_type = type(statement)
        if statement_type in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
            continue
        if statement_type in (ast.For, ast.AsyncFor):
            _note_targets(table, statement.target, "for", statement.iter)
        elif statement_type in (ast.With, ast.AsyncWith):
            for item in statement.items:
                if item.optional_vars is not None:
                    _note_targets(table, item.optional_vars, "with", item.context_expr)
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            children = getattr(statement, field, None)
            if isinstance(children, list):
                stack.extend(children)
    return table
