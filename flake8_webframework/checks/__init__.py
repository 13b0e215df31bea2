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
    from . import caches, debug, fastapi_docs, secrets, templates

    return [secrets.CHECK, debug.CHECK, templates.CHECK, caches.CHECK, fastapi_docs.CHECK]
