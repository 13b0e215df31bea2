"""The checks. Each module holds the rules of one topic and exports ``CHECK``.

A check is a function ``run(ctx) -> iterable of Finding`` over a :class:`FileContext`; it
reads the shared node index and never walks the tree itself. Which modules exist and which
codes each may report is the registry's ``Rule.check``: a module declares only its name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import import_module

from ..findings import Finding
from ..registry import CHECK_NAMES, codes_of_check


@dataclass(frozen=True)
class Check:
    name: str
    run: Callable[..., Iterable[Finding]]
    #: The codes the check may report; by default the registry's rules of check ``name``.
    #: The core reports any other code as a bug of the check (WEB000).
    codes: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.codes is None:
            object.__setattr__(self, "codes", codes_of_check(self.name))


def all_checks() -> list[Check]:
    """Every check of the registry, in its order (modules imported here, not at package
    import, to keep start-up cheap)."""
    checks = []
    for name in CHECK_NAMES:
        check = import_module(f"{__name__}.{name}").CHECK
        if check.name != name:
            raise ImportError(f"checks/{name}.py exports the check {check.name!r}")
        checks.append(check)
    return checks
