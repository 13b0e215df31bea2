"""User options, shared by both front-ends (same names, same meaning), from ONE table.

:data:`OPTION_TABLE` describes every option: its name (flake8 ``--NAME`` and config
``NAME =``; pylint ``--NAME`` and ``NAME =`` in its ``webframework`` section), the
:class:`Options` field it fills, its kind, default, help and validation. Both front-ends
iterate the table to register the options and hand the raw values to :meth:`Options.parse`,
which splits, checks and converts them the same way for both tools, so a bad value gives the
same one-line :class:`OptionError` in flake8 and in pylint.

Kinds: :data:`LIST` (names or patterns separated by commas or white space; with a non-empty
default, ``none`` means the empty list), :data:`CHOICE` (one of ``choices``), :data:`PATH`
(one file path) and :data:`BOOLEAN` (``on``/``off``, ``yes``/``no``, ``true``/``false``,
``1``/``0``). An option given empty, or not given, takes its default.

Patterns are shell globs (``fnmatch``); a file pattern matches the path or any trailing
part of it, with ``/`` separators (``settings/dev.py`` matches ``proj/settings/dev.py``).
In development-only files and config classes the development defaults of the registry
(:data:`~flake8_webframework.registry.DEV_DEFAULT_CODES`) are not reported; secrets,
passwords, injection and deserialisation rules always are. Every option of this release
defaults to empty: nothing is hidden unless the user asks.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import os
import re
from collections.abc import Callable
from dataclasses import dataclass

from .registry import DEV_DEFAULT_CODES, codes_of_check

LIST = "list"
CHOICE = "choice"
PATH = "path"
BOOLEAN = "boolean"

_TRUE = ("on", "yes", "y", "true", "1")
_FALSE = ("off", "no", "n", "false", "0")


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
class OptionSpec:
    """One option of both front-ends."""

    name: str  # "webframework-secret-names"
    field: str  # the Options field: "secret_names"
    kind: str  # LIST | CHOICE | PATH | BOOLEAN
    help: str
    #: The parsed default: a tuple (LIST), one of ``choices``, a path or None, a bool.
    default: object = ()
    #: LIST: whether one item is acceptable, and what an unacceptable one "is not".
    valid_item: Callable[[str], bool] | None = None
    invalid_item: str = ""
    choices: tuple[str, ...] = ()
    metavar: str = "<value>"

    @property
    def attribute(self) -> str:
        """The attribute flake8's options and pylint's ``linter.config`` give it."""
        return self.name.replace("-", "_")

    @property
    def help_with_default(self) -> str:
        default = self.default
        if self.kind == BOOLEAN:
            shown = "on" if default else "off"
        elif self.kind == LIST:
            shown = ",".join(default) or "none"  # type: ignore[arg-type]
        else:
            shown = default or "none"
        return f"{self.help} (default: {shown})"

    def parse(self, raw: object) -> object:
        """The value of the option from what a front-end read (a string or a sequence of
        strings; None when not given). Raises :class:`OptionError`."""
        if self.kind == LIST:
            return self._parse_list(raw)
        if self.kind == BOOLEAN and isinstance(raw, bool):
            return raw
        items = _items(raw) if self.kind != PATH else tuple(_path_items(raw))
        if not items:
            return self.default
        if len(items) > 1:
            raise OptionError(f"{self.name}: {' '.join(items)!r} is not one value")
        value = items[0]
        if self.kind == PATH:
            if "\0" in value:
                raise OptionError(f"{self.name}: {value!r} is not a file path")
            return value
        word = value.lower()
        if self.kind == CHOICE and word in self.choices:
            return word
        if self.kind == BOOLEAN and word in _TRUE + _FALSE:
            return word in _TRUE
        if self.kind == CHOICE:
            raise OptionError(f"{self.name}: {value!r} is not one of {', '.join(self.choices)}")
        raise OptionError(f"{self.name}: {value!r} is not on or off (yes/no, true/false, 1/0)")

    def _parse_list(self, raw: object) -> tuple[str, ...]:
        items = _items(raw)
        if not items:
            return self.default  # type: ignore[return-value]
        if self.default and items == ("none",):
            return ()
        for item in items:
            if self.valid_item is not None and not self.valid_item(item):
                raise OptionError(f"{self.name}: {item!r} {self.invalid_item}")
        return items


def _path_items(raw: object) -> list[str]:
    """A path is taken whole (it may hold spaces or commas); pylint may hand a list."""
    if raw is None:
        return []
    entries = [raw] if isinstance(raw, str) else list(raw)  # type: ignore[call-overload]
    return [str(entry).strip() for entry in entries if str(entry).strip()]


_SECRET_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
_CLASS_PATTERN = re.compile(r"^[A-Za-z0-9_*?\[\]!]+$")


def _file_pattern(pattern: str) -> bool:
    return "\0" not in pattern and bool(pattern.strip("/"))


_DEV_DEFAULTS = "(" + " ".join(sorted(DEV_DEFAULT_CODES)) + ")"

#: Every option, in the order of the :class:`Options` fields.
OPTION_TABLE: tuple[OptionSpec, ...] = (
    OptionSpec(
        "webframework-secret-names",
        "secret_names",
        LIST,
        "comma-separated extra UPPER_CASE setting names treated as signing secrets "
        f"({'/'.join(codes_of_check('secrets'))})",
        valid_item=_SECRET_NAME.match,
        invalid_item="is not an UPPER_CASE setting name",
        metavar="<names>",
    ),
    OptionSpec(
        "webframework-settings-files",
        "settings_files",
        LIST,
        "comma-separated file patterns (globs) of extra settings modules",
        valid_item=_file_pattern,
        invalid_item="is not a file pattern",
        metavar="<patterns>",
    ),
    OptionSpec(
        "webframework-dev-files",
        "dev_files",
        LIST,
        "comma-separated development-only file patterns (globs) where development defaults "
        f"{_DEV_DEFAULTS} are not reported",
        valid_item=_file_pattern,
        invalid_item="is not a file pattern",
        metavar="<patterns>",
    ),
    OptionSpec(
        "webframework-dev-config-classes",
        "dev_config_classes",
        LIST,
        "comma-separated development-only config class name patterns (globs), e.g. "
        "Development*Config, where development defaults are not reported",
        valid_item=_CLASS_PATTERN.match,
        invalid_item="is not a class name pattern",
        metavar="<patterns>",
    ),
    OptionSpec(
        "webframework-project-roots",
        "project_roots",
        LIST,
        "comma-separated folders that are roots of the project's own modules (in addition to "
        "the folder above the file's top package and the project root)",
        valid_item=_file_pattern,
        invalid_item="is not a folder path",
        metavar="<folders>",
    ),
    OptionSpec(
        "webframework-project-index",
        "project_index",
        BOOLEAN,
        "read the project's own imported modules and settings-package siblings from disk "
        "(never run them) to judge effective settings and imported helpers and constants",
        default=True,
        metavar="<on|off>",
    ),
)


@dataclass(frozen=True)
class Options:
    """The parsed options; one field per :data:`OPTION_TABLE` entry, in its order."""

    secret_names: tuple[str, ...] = ()
    settings_files: tuple[str, ...] = ()
    dev_files: tuple[str, ...] = ()
    dev_config_classes: tuple[str, ...] = ()
    project_roots: tuple[str, ...] = ()
    project_index: bool = True

    @classmethod
    def parse(cls, *values: object, **named: object) -> Options:
        """Build options from raw values - positional in table order or by field name;
        strings (comma/space separated) or sequences; None for "not given" - and validate."""
        fields = [spec.field for spec in OPTION_TABLE]
        if len(values) > len(fields):
            raise TypeError(f"Options.parse takes at most {len(fields)} positional values")
        raw = dict(zip(fields, values))
        for field, value in named.items():
            if field not in fields or field in raw:
                raise TypeError(f"Options.parse: unexpected or repeated option {field!r}")
            raw[field] = value
        return cls(**{spec.field: spec.parse(raw.get(spec.field)) for spec in OPTION_TABLE})

    @classmethod
    def from_config(cls, config: object) -> Options:
        """From a namespace that has each option as an attribute (flake8's parsed options,
        pylint's ``linter.config``); a missing attribute is "not given"."""
        return cls.parse(
            **{spec.field: getattr(config, spec.attribute, None) for spec in OPTION_TABLE}
        )

    def is_settings_file(self, filename: str) -> bool:
        return _path_matches(filename, self.settings_files)

    def is_dev_file(self, filename: str) -> bool:
        return _path_matches(filename, self.dev_files)

    def is_dev_config_class(self, name: str) -> bool:
        return any(fnmatch.fnmatchcase(name, pattern) for pattern in self.dev_config_classes)


def _check_table() -> None:
    """The table and the dataclass describe the same options (an edit to one alone fails
    at import, in every test)."""
    fields = dataclasses.fields(Options)
    if [field.name for field in fields] != [spec.field for spec in OPTION_TABLE]:
        raise TypeError("OPTION_TABLE and the Options fields differ")
    for field, spec in zip(fields, OPTION_TABLE):
        if field.default != spec.default or spec.kind not in (LIST, CHOICE, PATH, BOOLEAN):
            raise TypeError(f"{spec.name}: default or kind does not fit the Options field")
    if len({spec.name for spec in OPTION_TABLE}) != len(OPTION_TABLE):
        raise TypeError("two options share a name")


_check_table()

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
