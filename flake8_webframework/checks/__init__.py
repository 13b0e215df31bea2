"""The checks. Each module holds the rules of one topic and exports ``CHECK``.

A check is a function ``run(ctx) -> iterable of Finding`` over a :class:`FileContext`; it
reads the shared node index and never walks the tree itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..findings import Finding


@dataclass(frozen=True)
class Check:
    name: str
    codes: tuple[str, ...]
    run: Callable[..., Iterable[Finding]]


def all_checks() -> list[Check]:
    """Every check, in a stable order (imported lazily to keep start-up cheap)."""
    from . import (
        allowed_hosts,
        autoescape,
        caches,
        clickjacking,
        cookies,
        cors,
        csrf,
        debug,
        deserialisation,
        dev_server,
        fastapi_docs,
        hashers,
        jwt_verification,
        mark_safe,
        passwords,
        pyramid_acl,
        raw_sql,
        secrets,
        templates,
        transport,
    )

    return [
        secrets.CHECK,  # WEB101 WEB102
        passwords.CHECK,  # WEB103
        debug.CHECK,  # WEB201 WEB202
        dev_server.CHECK,  # WEB203 WEB205
        allowed_hosts.CHECK,  # WEB204
        templates.CHECK,  # WEB301
        autoescape.CHECK,  # WEB302
        mark_safe.CHECK,  # WEB303
        raw_sql.CHECK,  # WEB304
        caches.CHECK,  # WEB401 WEB402
        deserialisation.CHECK,  # WEB403
        fastapi_docs.CHECK,  # WEB501
        csrf.CHECK,  # WEB502
        clickjacking.CHECK,  # WEB503
        cookies.CHECK,  # WEB504
        cors.CHECK,  # WEB505
        transport.CHECK,  # WEB506
        jwt_verification.CHECK,  # WEB601
        pyramid_acl.CHECK,  # WEB602
        hashers.CHECK,  # WEB603
    ]
