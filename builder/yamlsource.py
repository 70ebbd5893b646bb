"""YAML that remembers where each key stands, so errors can name `file:line`.

`load(path)` returns nested plain dicts/lists whose mappings are `Located` dicts: `m.line_of(key)`
gives the 1-based line of a key, `m.line` the line of the mapping itself. YAML errors become
SourceError with the line of the problem.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from noroom.errors import SourceError


class Located(dict):  # type: ignore[type-arg]
    """A dict that knows the source line of itself and of each key."""

    line: int = 0
    lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


# libyaml's C parser when PyYAML was built with it (about 10x faster); marks are the same.
class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Located:
    loader.flatten_mapping(node)
    mapping = Located()
    mapping.line = node.start_mark.line + 1
    mapping.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int):
            raise yaml.constructor.ConstructorError(
                None, None, "keys must be plain text", key_node.start_mark
            )
        key = str(key)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.lines[key] = key_node.start_mark.line + 1
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse(text: str, path: Path | str) -> Any:
    """Parse YAML text; SourceError(path, line) on any syntax problem."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise SourceError(f"YAML error: {problem}; fix the syntax", path, line) from exc
    except yaml.YAMLError as exc:
        raise SourceError(f"YAML error: {exc}", path) from exc


def load(path: Path) -> Any:
    """Read and parse a UTF-8 YAML file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise SourceError("file is missing; create it or remove the reference", path) from exc
    except UnicodeDecodeError as exc:
        raise SourceError("is not UTF-8 text; save it as UTF-8", path) from exc
    return parse(text, path)
