"""The one error tree of the toolkit.

    NoroomError                 exit 1, "path:line: message"
    ├── SourceError             course_src/ (YAML, Markdown, XLIFF) is wrong
    ├── ConfigError             a config or input file (brand, roster, staff) is wrong; exit 2
    ├── PackageError            a package given to `noroom check` or being built is wrong
    └── LRSError                the learning record store failed or refused

Foreign errors are translated where they enter (`raise SourceError(...) from exc`); `noroom.cli`
catches `NoroomError` once and prints `str(error)`: one line, no traceback. Messages never contain
credentials and end with what to do next.
"""

from __future__ import annotations

from pathlib import Path


class NoroomError(Exception):
    """An error the user can fix; `str()` is the one line the CLI prints."""

    exit_code = 1

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        return where + self.message


class SourceError(NoroomError):
    """The course source is invalid. May carry several problems, one per line."""

    def __init__(
        self,
        message: str,
        path: str | Path | None = None,
        line: int | None = None,
        problems: list[NoroomError] | None = None,
    ):
        super().__init__(message, path, line)
        self.problems = problems or []

    def __str__(self) -> str:
        if self.problems:
            return "\n".join(str(p) for p in self.problems)
        return super().__str__()


class ConfigError(NoroomError):
    """A configuration or data file (brand, roster, staff list) is invalid."""

    exit_code = 2


class PackageError(NoroomError):
    """A package is invalid or cannot be written."""


class LRSError(NoroomError):
    """The LRS refused, failed or answered something unusable."""
