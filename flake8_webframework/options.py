"""User options, shared by both front-ends (same names, same meaning).

=====================================  ====================================================
option (flake8 ``--NAME`` / config      meaning
``NAME =``; pylint ``NAME``)
=====================================  ====================================================
``webframework-secret-names``           extra UPPER_CASE names treated as signing secrets
                                        (WEB101/WEB102), e.g. ``SIGNING_KEY,TOKEN_SECRET``
``webframework-settings-files``         extra file patterns that are settings modules
                                        (``*/conf/app_settings.py``)
``webframework-dev-files``              development-only file patterns where development
                                        defaults are not reported (``*/settings/dev.py,tests/*``)
``webframework-dev-config-classes``     development-only config class name patterns
                                        (``Development*Config,Test*Config``)
=====================================  ====================================================

Patterns are shell globs (``fnmatch``); a file pattern matches the path or any trailing
part of it, with ``/`` separators (``settings/dev.py`` matches ``proj/settings/dev.py``).
In development-only files and config classes the rules in :data:`DEV_DEFAULT_RULES` are not
reported; secrets, passwords, injection and deserialisation rules always are. Every option
defaults to empty: nothing is hidden unless the user asks.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass

#: Rules whose findings are development defaults: silenced in development-only files and
#: config classes. Secrets (WEB101-103), injection (WEB301-304), pickling (WEB401-403) and
#: authentication (WEB601-602) stay reported everywhere.
DEV_DEFAULT_RULES = frozenset(
    {
        "WEB201",  # debug-enabled
        "WEB202",  # debug-literal-fallback
        "WEB203",  # werkzeug-debugger-exposed
        "WEB204",  # allowed-hosts-wildcard
        "WEB205",  # dev-server-public-bind
        "WEB501",  # fastapi-docs-exposed
        "WEB502",  # csrf-protection-disabled
        "WEB503",  # clickjacking-protection-disabled
        "WEB504",  # insecure-cookie-setting
        "WEB505",  # cors-wildcard-credentials
        "WEB506",  # transport-security-disabled
        "WEB603",  # weak-password-hasher
    }
)

OPTION_HELP = {
    "webframework-secret-names": (
        "comma-separated extra UPPER_CASE setting names treated as signing secrets "
        "(WEB101/WEB102)"
    ),
    "webframework-settings-files": (
        "comma-separated file patterns (globs) of extra settings modules"
    ),
    "webframework-dev-files": (
        "comma-separated development-only file patterns (globs) where development defaults "
        "(" + " ".join(sorted(DEV_DEFAULT_RULES)) + ") are not reported"
    ),
    "webframework-dev-config-classes": (
        "comma-separated development-only config class name patterns (globs), e.g. "
        "Development*Config, where development defaults are not reported"
    ),
}

_SECRET_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
_CLASS_PATTERN = re.compile(r"^[A-Za-z0-9_*?\[\]!]+$")


class OptionError(ValueError):
    """A bad option value; the message names the option and the value."""


def _items(value) -> tuple[str, ...]:
    """Split a string, or each string of a sequence, on commas and white space (flake8
    splits lists so; pylint's csv type only on commas)."""
    if value is None:
        return ()
    entries = [value] if isinstance(value, str) else list(value)
    return tuple(
        item for entry in entries for item in re.split(r"[,\s]+", str(entry)) if item
    )


@dataclass(frozen=True)
class Options:
    secret_names: tuple[str, ...] = ()
    settings_files: tuple[str, ...] = ()
    dev_files: tuple[str, ...] = ()
    dev_config_classes: tuple[str, ...] = ()

    @classmethod
    def parse(cls, secret_names=None, settings_files=None, dev_files=None,
              dev_config_classes=None) -> Options:
        """Build options from strings (comma/space separated) or sequences; validate."""
        names = _items(secret_names)
        for name in names:
            if not _SECRET_NAME.match(name):
                raise OptionError(
                    f"webframework-secret-names: {name!r} is not an UPPER_CASE setting name"
                )
        classes = _items(dev_config_classes)
        for pattern in classes:
            if not _CLASS_PATTERN.match(pattern):
                raise OptionError(
                    f"webframework-dev-config-classes: {pattern!r} is not a class name pattern"
                )
        files = {}
        for option, value in (("webframework-settings-files", settings_files),
                              ("webframework-dev-files", dev_files)):
            patterns = _items(value)
            for pattern in patterns:
                if "\0" in pattern or not pattern.strip("/"):
                    raise OptionError(f"{option}: {pattern!r} is not a file pattern")
            files[option] = patterns
        return cls(
            secret_names=names,
            settings_files=files["webframework-settings-files"],
            dev_files=files["webframework-dev-files"],
            dev_config_classes=classes,
        )

    def is_settings_file(self, filename: str) -> bool:
        return _path_matches(filename, self.settings_files)

    def is_dev_file(self, filename: str) -> bool:
        return _path_matches(filename, self.dev_files)

    def is_dev_config_class(self, name: str) -> bool:
        return any(fnmatch.fnmatchcase(name, pattern) for pattern in self.dev_config_classes)


DEFAULT_OPTIONS = Options()


def _path_matches(filename: str, patterns: tuple[str, ...]) -> bool:
    """Whether a pattern matches the path or a trailing part of it. An absolute path inside
    the working directory is matched relative to it, so ``tests/*`` does not match every file
    of a project that happens to live under some ``.../tests/`` directory."""
    if not patterns:
        return False
    if os.path.isabs(filename):
        try:
            relative = os.path.relpath(filename)
        except ValueError:  # another drive (Windows)
            relative = filename
        if not relative.startswith(".."):
            filename = relative
    parts = [part for part in filename.replace("\\", "/").split("/") if part not in ("", ".")]
    tails = ["/".join(parts[index:]) for index in range(len(parts))]
    return any(
        fnmatch.fnmatchcase(tail, pattern.strip("/")) for pattern in patterns for tail in tails
    )
