"""The rule registry: the one list of rules. Everything else that names rules derives from it.

Each rule has one flake8 code (``WEB101``), one pylint message id and one pylint symbol, a
message template, a summary, a severity, a CWE, a help URL (its docs page), the check module
that produces it and whether it is a development default. Derived from here: the checks that
run and the codes each may emit (:func:`checks.all_checks`), the development defaults
(:data:`DEV_DEFAULT_CODES`), the pylint checkers (one per id base), the SARIF rule list and the
rule tables of the docs (``python -m flake8_webframework._docs``).

Pylint message ids follow RULES.md: ``WEBXMY`` gets ``W`` + base (75 + M) + X + Y, so
``WEB101`` is ``W7511``, ``WEB112`` would be ``W7612`` and ``WEB123`` ``W7713``. Pylint
requires every message of one checker to share the base, hence one checker per base.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

DOCS_BASE_URL = (
    "https://github.com/flake8-webframework/flake8-webframework/blob/main/docs/rules/"
)

#: The pylint id base of codes ``WEBX0Y``; ``WEBX1Y`` and ``WEBX2Y`` use the next two.
PYLINT_BASE = 75
#: Middle digits with a pylint base of their own (76 and 77 are used by no known plugin;
#: 79-82 are pylint-odoo's, so the scheme stops here).
PYLINT_MIDDLE_DIGITS = "012"
#: The ``check`` of rules the core itself reports (WEB000), not a check module.
CORE_CHECK = "core"

_CODE = re.compile(r"^WEB(\d)(\d)(\d)$")
_SEVERITIES = ("high", "medium", "low")


class RegistryError(ValueError):
    """The rule list breaks a rule of RULES.md (a duplicate identity, a malformed code)."""


def pylint_msgid(code: str) -> str:
    """``WEBXMY`` -> ``W`` + (75 + M) + X + Y (RULES.md)."""
    match = _CODE.match(code)
    if match is None or match.group(2) not in PYLINT_MIDDLE_DIGITS:
        raise RegistryError(f"{code!r} is not a code WEBXMY with M in {PYLINT_MIDDLE_DIGITS}")
    first, middle, last = match.groups()
    return f"W{PYLINT_BASE + int(middle)}{first}{last}"


@dataclass(frozen=True)
class Rule:
    """One rule of the catalogue."""

    code: str
    symbol: str
    #: ``str.format`` template of the one-line message (without the code).
    template: str
    #: One sentence for pylint's ``--list-msgs`` and the README table.
    summary: str
    severity: str  # "high" | "medium" | "low"
    cwe: int | None
    #: The check module (``checks/<check>.py``) that reports it; ``"core"`` for WEB000.
    check: str
    #: A setting normal on a developer's machine: not reported in development-only files
    #: and config classes (``webframework-dev-files``, ``webframework-dev-config-classes``).
    dev_default: bool = False

    @property
    def msgid(self) -> str:
        return pylint_msgid(self.code)

    @property
    def pylint_base(self) -> str:
        """The two digits pylint calls the checker id (``"75"`` of ``W7511``)."""
        return self.msgid[1:3]

    @property
    def help_url(self) -> str:
        return f"{DOCS_BASE_URL}{self.code}.md"

    def format(self, **fields: object) -> str:
        return self.template.format(**fields)


def build_rules(rules: Iterable[Rule]) -> dict[str, Rule]:
    """code -> rule, sorted by code; raises :class:`RegistryError` unless every code,
    message id and symbol is unique and every record is well formed."""
    rules = list(rules)
    for attribute in ("code", "msgid", "symbol"):
        seen: set[str] = set()
        for rule in rules:
            value = getattr(rule, attribute)
            if value in seen:
                raise RegistryError(f"two rules share the {attribute} {value!r}")
            seen.add(value)
    for rule in rules:
        if rule.severity not in _SEVERITIES:
            raise RegistryError(f"{rule.code}: severity {rule.severity!r}")
        if not rule.check.isidentifier():
            raise RegistryError(f"{rule.code}: check {rule.check!r} is not a module name")
    return {rule.code: rule for rule in sorted(rules, key=lambda rule: rule.code)}


def check_names(rules: Iterable[Rule]) -> tuple[str, ...]:
    """The check modules, in the order of their first code (the order the checks run)."""
    names = dict.fromkeys(rule.check for rule in rules if rule.check != CORE_CHECK)
    return tuple(names)


def rules_by_pylint_base(rules: Iterable[Rule]) -> dict[str, tuple[Rule, ...]]:
    """pylint id base -> its rules, bases ascending: one pylint checker each."""
    bases: dict[str, list[Rule]] = {}
    for rule in sorted(rules, key=lambda rule: rule.msgid):
        bases.setdefault(rule.pylint_base, []).append(rule)
    return {base: tuple(members) for base, members in bases.items()}


RULES: dict[str, Rule] = build_rules((
    Rule(
        code="WEB000",
        symbol="webframework-check-failed",
        template=(
            "check {check} failed on this file with {exception}; its findings here are "
            "dropped - please report this flake8-webframework bug"
        ),
        summary="A check of the plugin raised on this file; the other checks still ran.",
        severity="low",
        cwe=None,
        check="core",
    ),
    Rule(
        code="WEB101",
        symbol="hardcoded-secret-key",
        template="hardcoded {name}; load it from the environment or a secret store",
        summary="A literal signing secret (SECRET_KEY, session, JWT or auth-ticket secret).",
        severity="high",
        cwe=798,
        check="secrets",
    ),
    Rule(
        code="WEB102",
        symbol="secret-key-literal-fallback",
        template=(
            "{name} falls back to a literal default when the environment lacks it; "
            "fail instead of signing with a known secret"
        ),
        summary="An environment lookup of a signing secret with a literal default.",
        severity="high",
        cwe=798,
        check="secrets",
    ),
    Rule(
        code="WEB201",
        symbol="debug-enabled",
        template="{what} turns debug mode on; keep it off outside development",
        summary="Framework debug mode switched on by a literal.",
        severity="high",
        cwe=489,
        check="debug",
        dev_default=True,
    ),
    Rule(
        code="WEB202",
        symbol="debug-literal-fallback",
        template=(
            "{name} defaults to debug on ({default}) when the environment lacks it; "
            "make the default off"
        ),
        summary="DEBUG read from the environment with a default that turns it on.",
        severity="medium",
        cwe=489,
        check="debug",
        dev_default=True,
    ),
    Rule(
        code="WEB301",
        symbol="template-from-string",
        template=(
            "{sink} compiles a non-literal template (server-side template injection); "
            "render a fixed template and pass data as context"
        ),
        summary="A template compiled from a non-literal string (server-side template injection).",
        severity="high",
        cwe=1336,
        check="templates",
    ),
    Rule(
        code="WEB401",
        symbol="pickle-cache-backend",
        template=(
            "cache backend {backend} pickles values into a shared store; anyone who can write "
            "to it can run code - use a JSON serializer or a local cache"
        ),
        summary="A cache backend that unpickles values from a store other processes can write.",
        severity="medium",
        cwe=502,
        check="caches",
    ),
    Rule(
        code="WEB402",
        symbol="session-pickle-store",
        template="{what} pickles session data; use the db or signed_cookies engine with JSON",
        summary="Session data pickled (cache session engines, PickleSerializer).",
        severity="medium",
        cwe=502,
        check="caches",
    ),
    Rule(
        code="WEB501",
        symbol="fastapi-docs-exposed",
        template=(
            "FastAPI app serves {exposed}; pass {fix} (or openapi_url=None) outside development"
        ),
        summary="A FastAPI app that leaves the interactive API docs on.",
        severity="low",
        cwe=200,
        check="fastapi_docs",
        dev_default=True,
    ),
    Rule(
        code="WEB203",
        symbol="werkzeug-debugger-exposed",
        template=(
            "{what} exposes an in-browser debugger console that runs arbitrary code; "
            "remove it outside development"
        ),
        summary="An interactive in-browser debugger (Werkzeug console, pyramid_debugtoolbar) switched on.",
        severity="high",
        cwe=94,
        check="dev_server",
        dev_default=True,
    ),
    Rule(
        code="WEB204",
        symbol="allowed-hosts-wildcard",
        template="ALLOWED_HOSTS accepts any host ({value}); list the host names the site serves",
        summary="Django ALLOWED_HOSTS containing the '*' wildcard.",
        severity="medium",
        cwe=20,
        check="allowed_hosts",
        dev_default=True,
    ),
    Rule(
        code="WEB205",
        symbol="dev-server-public-bind",
        template="development server bound to every interface ({host}); bind 127.0.0.1 or use a production server",
        summary="The Flask/Werkzeug development server bound to every network interface.",
        severity="medium",
        cwe=605,
        check="dev_server",
        dev_default=True,
    ),
    Rule(
        code="WEB504",
        symbol="insecure-cookie-setting",
        template="{what} sends the cookie {problem}; {fix}",
        summary="A session, CSRF or remember cookie sent without Secure/HttpOnly/SameSite protection.",
        severity="medium",
        cwe=614,
        check="cookies",
        dev_default=True,
    ),
    Rule(
        code="WEB506",
        symbol="transport-security-disabled",
        template="{what} turns HTTPS enforcement off; {fix}",
        summary="HTTPS redirect or HSTS explicitly switched off.",
        severity="medium",
        cwe=319,
        check="transport",
        dev_default=True,
    ),
    Rule(
        code="WEB601",
        symbol="jwt-verification-disabled",
        template="{what} accepts tokens without verifying their signature; {fix}",
        summary="JWT decoding that skips or weakens signature verification.",
        severity="high",
        cwe=347,
        check="jwt_verification",
    ),
    Rule(
        code="WEB602",
        symbol="pyramid-acl-allow-all",
        template="ACL grants ALL_PERMISSIONS to {principal}; grant named permissions instead",
        summary="A Pyramid ACL entry granting ALL_PERMISSIONS to Everyone or Authenticated.",
        severity="high",
        cwe=732,
        check="pyramid_acl",
    ),
    Rule(
        code="WEB603",
        symbol="weak-password-hasher",
        template=(
            "PASSWORD_HASHERS starts with {hasher}, a weak hash for new passwords; "
            "put PBKDF2, Argon2, bcrypt or scrypt first"
        ),
        summary="Django PASSWORD_HASHERS whose first (default) entry is a weak hasher.",
        severity="high",
        cwe=916,
        check="hashers",
        dev_default=True,
    ),
    Rule(
        code="WEB103",
        symbol="hardcoded-password-setting",
        template="hardcoded password in {name}; load it from the environment or a secret store",
        summary="A literal password in framework settings (database, mail, database URLs).",
        severity="high",
        cwe=259,
        check="passwords",
    ),
    Rule(
        code="WEB302",
        symbol="autoescape-disabled",
        template="{what} renders templates without HTML autoescaping (cross-site scripting); {fix}",
        summary="A template engine configured without HTML autoescaping.",
        severity="medium",
        cwe=79,
        check="autoescape",
    ),
    Rule(
        code="WEB303",
        symbol="mark-safe-untrusted",
        template="{sink} marks a non-literal value as safe HTML (cross-site scripting); {fix}",
        summary="HTML escaping bypassed for a non-literal value (mark_safe, Markup, format_html).",
        severity="medium",
        cwe=79,
        check="mark_safe",
    ),
    Rule(
        code="WEB304",
        symbol="raw-sql-formatted",
        template="{sink} runs SQL built by string formatting (SQL injection); pass values as query parameters",
        summary="Raw SQL built by string formatting with non-literal parts.",
        severity="high",
        cwe=89,
        check="raw_sql",
    ),
    Rule(
        code="WEB403",
        symbol="unsafe-deserialisation-in-view",
        template="{sink} deserialises request data, which lets the client run code; {fix}",
        summary="pickle/marshal/yaml.load applied to request data.",
        severity="high",
        cwe=502,
        check="deserialisation",
    ),
    Rule(
        code="WEB502",
        symbol="csrf-protection-disabled",
        template="{what} disables CSRF protection; {fix}",
        summary="CSRF protection switched off (csrf_exempt, middleware without CsrfViewMiddleware, ...).",
        severity="medium",
        cwe=352,
        check="csrf",
        dev_default=True,
    ),
    Rule(
        code="WEB503",
        symbol="clickjacking-protection-disabled",
        template="{what} lets other sites frame these pages (clickjacking); {fix}",
        summary="Clickjacking protection (X-Frame-Options) removed or weakened.",
        severity="low",
        cwe=1021,
        check="clickjacking",
        dev_default=True,
    ),
    Rule(
        code="WEB505",
        symbol="cors-wildcard-credentials",
        template="{what} lets any origin make credentialed requests; list the trusted origins",
        summary="CORS that allows any origin together with credentials.",
        severity="high",
        cwe=942,
        check="cors",
        dev_default=True,
    ),
))

#: pylint message id -> rule, for reporters and tests.
RULES_BY_MSGID: dict[str, Rule] = {rule.msgid: rule for rule in RULES.values()}
RULES_BY_SYMBOL: dict[str, Rule] = {rule.symbol: rule for rule in RULES.values()}
#: The check modules, in the order they run.
CHECK_NAMES: tuple[str, ...] = check_names(RULES.values())
#: Development defaults (see :attr:`Rule.dev_default`).
DEV_DEFAULT_CODES: frozenset[str] = frozenset(
    code for code, rule in RULES.items() if rule.dev_default
)


def codes_of_check(name: str) -> tuple[str, ...]:
    """The codes the check module ``name`` may report, in code order."""
    return tuple(code for code, rule in RULES.items() if rule.check == name)
