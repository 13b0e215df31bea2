"""flake8-webframework: security checks for Django, Flask, FastAPI/Starlette and Pyramid code.

The core is stdlib-only and imports neither flake8 nor pylint. Its API::

    from flake8_webframework import check_source, check_tree
    for finding in check_source(open("settings.py", "rb").read(), "settings.py"):
        print(finding.line, finding.col, finding.code, finding.message)

Each :class:`Finding` has ``code``, ``symbol``, ``msgid``, ``line`` (1-based), ``col``
(0-based character column), ``end_line``, ``end_col`` and ``message``.
"""

from .core import UnparsableSourceError, check_source, check_tree
from .findings import Finding
from .registry import RULES, Rule

__version__ = "0.1.0"

__all__ = [
    "RULES",
    "Finding",
    "Rule",
    "UnparsableSourceError",
    "__version__",
    "check_source",
    "check_tree",
]
