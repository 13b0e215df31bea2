"""The rule registry: the single source of every rule's identity and texts.

Each rule has one flake8 code (``WEB101``), one pylint message id (``W7511``: base 75,
then the first and last digit of the code) and one pylint symbol, a message template,
a severity, a CWE and a help URL. The flake8 messages, the pylint message definitions,
the README rule table and the docs pages are all checked against this module.
"""

from __future__ import annotations

from dataclasses import dataclass

DOCS_BASE_URL = (
    "https://github.com/flake8-webframework/flake8-webframework/blob/main/docs/rules/"
)


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

    @property
    def msgid(self) -> str:
        """Pylint message id: ``W75`` + first and last digit of the code."""
        digits = self.code[3:]
        return f"W75{digits[0]}{digits[-1]}"

    @property
    def help_url(self) -> str:
        return f"{DOCS_BASE_URL}{self.code}.md"

    def format(self, **fields: object) -> str:
        return self.template.format(**fields)


def _rules(*rules: Rule) -> dict[str, Rule]:
    table = {rule.code: rule for rule in sorted(rules, key=lambda rule: rule.code)}
    msgids = {rule.msgid for rule in rules}
    symbols = {rule.symbol for rule in rules}
    assert len(table) == len(msgids) == len(symbols) == len(rules), "duplicate rule identity"
    return table


RULES: dict[str, Rule] = _rules(
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
    ),
    Rule(
        code="WEB101",
        symbol="hardcoded-secret-key",
        template="hardcoded {name}; load it from the environment or a secret store",
        summary="A literal signing secret (SECRET_KEY, session, JWT or auth-ticket secret).",
        severity="high",
        cwe=798,
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
    ),
    Rule(
        code="WEB201",
        symbol="debug-enabled",
        template="{what} turns debug mode on; keep it off outside development",
        summary="Framework debug mode switched on by a literal.",
        severity="high",
        cwe=489,
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
    ),
    Rule(
        code="WEB402",
        symbol="session-pickle-store",
        template="{what} pickles session data; use the db or signed_cookies engine with JSON",
        summary="Session data pickled (cache session engines, PickleSerializer).",
        severity="medium",
        cwe=502,
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
    ),
    Rule(
        code="WEB204",
        symbol="allowed-hosts-wildcard",
        template="ALLOWED_HOSTS accepts any host ({value}); list the host names the site serves",
        summary="Django ALLOWED_HOSTS containing the '*' wildcard.",
        severity="medium",
        cwe=20,
    ),
    Rule(
        code="WEB205",
        symbol="dev-server-public-bind",
        template="development server bound to every interface ({host}); bind 127.0.0.1 or use a production server",
        summary="The Flask/Werkzeug development server bound to every network interface.",
        severity="medium",
        cwe=605,
    ),
    Rule(
        code="WEB504",
        symbol="insecure-cookie-setting",
        template="{what} sends the cookie {problem}; {fix}",
        summary="A session, CSRF or remember cookie sent without Secure/HttpOnly/SameSite protection.",
        severity="medium",
        cwe=614,
    ),
    Rule(
        code="WEB506",
        symbol="transport-security-disabled",
        template="{what} turns HTTPS enforcement off; {fix}",
        summary="HTTPS redirect or HSTS explicitly switched off.",
        severity="medium",
        cwe=319,
    ),
    Rule(
        code="WEB601",
        symbol="jwt-verification-disabled",
        template="{what} accepts tokens without verifying their signature; {fix}",
        summary="JWT decoding that skips or weakens signature verification.",
        severity="high",
        cwe=347,
    ),
    Rule(
        code="WEB602",
        symbol="pyramid-acl-allow-all",
        template="ACL grants ALL_PERMISSIONS to {principal}; grant named permissions instead",
        summary="A Pyramid ACL entry granting ALL_PERMISSIONS to Everyone or Authenticated.",
        severity="high",
        cwe=732,
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
    ),
    Rule(
        code="WEB103",
        symbol="hardcoded-password-setting",
        template="hardcoded password in {name}; load it from the environment or a secret store",
        summary="A literal password in framework settings (database, mail, database URLs).",
        severity="high",
        cwe=259,
    ),
    Rule(
        code="WEB302",
        symbol="autoescape-disabled",
        template="{what} renders templates without HTML autoescaping (cross-site scripting); {fix}",
        summary="A template engine configured without HTML autoescaping.",
        severity="medium",
        cwe=79,
    ),
    Rule(
        code="WEB303",
        symbol="mark-safe-untrusted",
        template="{sink} marks a non-literal value as safe HTML (cross-site scripting); {fix}",
        summary="HTML escaping bypassed for a non-literal value (mark_safe, Markup, format_html).",
        severity="medium",
        cwe=79,
    ),
    Rule(
        code="WEB304",
        symbol="raw-sql-formatted",
        template="{sink} runs SQL built by string formatting (SQL injection); pass values as query parameters",
        summary="Raw SQL built by string formatting with non-literal parts.",
        severity="high",
        cwe=89,
    ),
    Rule(
        code="WEB403",
        symbol="unsafe-deserialisation-in-view",
        template="{sink} deserialises request data, which lets the client run code; {fix}",
        summary="pickle/marshal/yaml.load applied to request data.",
        severity="high",
        cwe=502,
    ),
    Rule(
        code="WEB502",
        symbol="csrf-protection-disabled",
        template="{what} disables CSRF protection; {fix}",
        summary="CSRF protection switched off (csrf_exempt, middleware without CsrfViewMiddleware, ...).",
        severity="medium",
        cwe=352,
    ),
    Rule(
        code="WEB503",
        symbol="clickjacking-protection-disabled",
        template="{what} lets other sites frame these pages (clickjacking); {fix}",
        summary="Clickjacking protection (X-Frame-Options) removed or weakened.",
        severity="low",
        cwe=1021,
    ),
    Rule(
        code="WEB505",
        symbol="cors-wildcard-credentials",
        template="{what} lets any origin make credentialed requests; list the trusted origins",
        summary="CORS that allows any origin together with credentials.",
        severity="high",
        cwe=942,
    ),
)

#: pylint message id -> rule, for reporters and tests.
RULES_BY_MSGID: dict[str, Rule] = {rule.msgid: rule for rule in RULES.values()}
RULES_BY_SYMBOL: dict[str, Rule] = {rule.symbol: rule for rule in RULES.values()}
