"""The translators' round trip: XLIFF 2.0 out, XLIFF 2.0 in.

    export_xliff(source, "pl") -> bytes         every key: Dutch source, current target, state
    import_xliff(source, path) -> [changed keys]   updates text/<lang>.yaml in place

Markdown markup (`**`, list markers, `### `) and `{placeholders}` travel as `<ph>` inline codes
whose original text sits in `<originalData>`; an import whose target does not carry exactly the
codes of today's Dutch source is refused, so a translator cannot break them. The file is
untrusted (issue #15): each `<data>` must be one inline code, codes are compared with the Dutch
in course_src/ (never the file's own <source>/<originalData>), and a link, autolink, image or
raw HTML the Dutch does not have is refused. States:

    ours          XLIFF 2.0 segment state
    new           initial (no target yet)
    needs-review  translated, subState="noroom:needs-review" (the Dutch changed since)
    translated    translated
    reviewed      reviewed (read against the Dutch by someone other than the translator)
    final         final

Each translation remembers the SHA-1 of the Dutch text it was made from, in
text/state/<lang>.yaml (a review also the hash of the translation, the reviewer and the date:
a change to either text ends it, see builder/review.py); a changed Dutch source makes the
segment needs-review, and so does importing a file whose <source> is older than today's Dutch
(the hash of that <source> is kept).
Imports are untrusted: no DTD or entities (checked after decoding, so UTF-16 too), nothing
written unless the whole file is valid, and a file is rewritten only where a translation changed
(a round trip without edits changes no file).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from builder.markdown import parts_not_in
from noroom.errors import SourceError

if TYPE_CHECKING:
    from builder.course import CourseSource

NS = "urn:oasis:names:tc:xliff:document:2.0"
SUBSTATE = "noroom:needs-review"
CRITICAL_NOTE = "noroom:safety-critical"
XLIFF_STATES = ("initial", "translated", "reviewed", "final")  # XLIFF 2.0 section 4.3.1.47
TOKEN = re.compile(r"\*\*|\{[a-z_]+\}|^(?:[ \t]*(?:- |\d+\. |### ))", re.MULTILINE)
PLACEHOLDERS = re.compile(r"\{[a-z_]+\}")
STATES = ("new", "needs-review", "translated", "reviewed", "final")
STATE_HEADER = "# Source hashes of each translation (noroom xliff); do not edit by hand.\n"


def source_sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]  # noqa: S324 - change detection


def state_path(root: Path, lang: str) -> Path:
    return root / "text" / "state" / f"{lang}.yaml"


def load_states(root: Path, lang: str) -> dict[str, dict[str, str]]:
    path = state_path(root, lang)
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {k: v for k, v in data.items() if isinstance(v, dict)}


def reviewed_record(dutch: str, translation: str, reviewer: str, on: str) -> dict[str, str]:
    """The state record of a review: the Dutch and the translation that were read side by side
    (their hashes), who reviewed (as the reviewer gave it) and when (YYYY-MM-DD)."""
    return {"sha": source_sha(dutch), "state": "reviewed",
            "target": source_sha(translation.strip()), "reviewer": reviewer, "reviewed_on": on}


def is_reviewed(record: dict[str, str] | None, dutch: str, translation: str) -> bool:
    """Whether a review record still holds: the Dutch and the translation are the ones that
    were reviewed (a CAT tool's trimmed final line break is no change)."""
    return bool(record and record.get("state") == "reviewed" and record.get("reviewer") and
                record.get("sha") == source_sha(dutch) and
                record.get("target") == source_sha(translation.strip()))


def segment_state(key: str, target: str, src: str, states: dict[str, dict[str, str]]) -> str:
    if not target.strip():
        return "new"
    record = states.get(key)
    if record is None:
        return "translated"
    if record.get("sha") != source_sha(src):
        return "needs-review"
    state = record.get("state", "translated")
    if state == "reviewed" and not is_reviewed(record, src, target):
        return "translated"  # the translation changed after its review: not reviewed any more
    return state


def tokenize(text: str) -> list[tuple[str, str]]:
    """[("text", ...), ("ph", markup), ...] covering the whole string."""
    out, pos = [], 0
    for m in TOKEN.finditer(text):
        if m.start() > pos:
            out.append(("text", text[pos:m.start()]))
        out.append(("ph", m.group(0)))
        pos = m.end()
    if pos < len(text):
        out.append(("text", text[pos:]))
    return out


def _inline(parent: Any, parts: list[tuple[str, str]], data: dict[str, str]) -> None:
    from lxml import etree

    last = None
    for kind, value in parts:
        if kind == "text":
            if last is None:
                parent.text = (parent.text or "") + value
            else:
                last.tail = (last.tail or "") + value
            continue
        ref = next((k for k, v in data.items() if v == value), None)
        if ref is None:
            ref = f"d{len(data) + 1}"
            data[ref] = value
        last = etree.SubElement(parent, f"{{{NS}}}ph", id=f"p{sum(1 for _ in parent) + 1}",
                                dataRef=ref)


def export_xliff(source: CourseSource, lang: str, critical_only: bool = False) -> bytes:
    """The XLIFF 2.0 file of `lang`: every key (with `critical_only`, the safety-critical keys
    for a reviewer), critical units marked by a note of category CRITICAL_NOTE."""
    from lxml import etree

    if lang == source.source_language or lang not in source.languages:
        targets = ", ".join(x for x in source.languages if x != source.source_language)
        raise SourceError(f"choose a target language other than {source.source_language}: "
                          f"one of {targets}")
    src = source.texts[source.source_language].strings
    tgt = source.texts[lang].strings
    states = load_states(source.root, lang)
    from builder.review import critical_keys  # builder.review builds on this module

    critical = set(critical_keys(source.config, src))
    root = etree.Element(f"{{{NS}}}xliff", nsmap={None: NS}, version="2.0",
                         srcLang=source.source_language, trgLang=lang)
    file_el = etree.SubElement(root, f"{{{NS}}}file", id=source.id,
                               original=f"text/{lang}.yaml")
    for key in source.required_keys():
        if key == "ui.language_name" or (critical_only and key not in critical):
            continue
        unit = etree.SubElement(file_el, f"{{{NS}}}unit", id=key)
        if key in critical:  # XLIFF 2.0 notes come first in a unit; a reviewer can filter on it
            note = etree.SubElement(etree.SubElement(unit, f"{{{NS}}}notes"), f"{{{NS}}}note",
                                    category=CRITICAL_NOTE, priority="1")
            note.text = ("Safety-critical: what to do, the manager, 112, not acting alone, phone "
                         "numbers. Review it against the Dutch before release.")
        data: dict[str, str] = {}
        original = etree.SubElement(unit, f"{{{NS}}}originalData")
        segment = etree.SubElement(unit, f"{{{NS}}}segment")
        state = segment_state(key, tgt.get(key, ""), src[key], states)
        segment.set("state", {"new": "initial", "needs-review": "translated"}.get(state, state))
        if state == "needs-review":
            segment.set("subState", SUBSTATE)
        s_el = etree.SubElement(segment, f"{{{NS}}}source")
        s_el.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        _inline(s_el, tokenize(src[key]), data)
        if tgt.get(key, "").strip():
            t_el = etree.SubElement(segment, f"{{{NS}}}target")
            t_el.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            _inline(t_el, tokenize(tgt[key]), data)
        for ref, value in data.items():
            d = etree.SubElement(original, f"{{{NS}}}data", id=ref)
            d.text = value
        if not data:
            unit.remove(original)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# ---- import -------------------------------------------------------------------------------

DTD_REFUSED = ("declares a DTD or entities, which are refused (XXE, entity expansion); "
               "export the file again without a DOCTYPE")


def _parse(data: bytes, path: Path) -> Any:
    """Parse untrusted XML; SourceError (with the line when known) unless it is plain XML."""
    from lxml import etree

    # A quick refusal before parsing; it only sees ASCII-compatible encodings, so the parsed
    # tree is checked again below (a UTF-16 file hides its DOCTYPE from this test).
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise SourceError(DTD_REFUSED, path)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise SourceError(f"is not well-formed XML: {exc.msg}; fix it or export again", path,
                          exc.lineno) from exc
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise SourceError(DTD_REFUSED, path)
    entity = next(root.iter(etree.Entity), None)
    if entity is not None:
        raise SourceError(DTD_REFUSED, path, entity.sourceline)
    return root


def _text_of(el: Any, data: dict[str, str], path: Path, key: str) -> str:
    """The Markdown text of a <source>/<target>: text plus the original data of each <ph>."""
    parts = [el.text or ""]
    for child in el:
        if not isinstance(child.tag, str):  # a comment or processing instruction: only its tail
            parts.append(child.tail or "")
            continue
        if child.tag != f"{{{NS}}}ph" or child.get("dataRef") not in data:
            raise SourceError(f"unit {key}: unexpected <{etree_local(child.tag)}> or unknown "
                              "dataRef; keep the inline codes as exported", path, child.sourceline)
        parts.append(data[child.get("dataRef")])
        parts.append(child.tail or "")
    return "".join(parts)


def etree_local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def codes(text: str) -> list[str]:
    """The protected markup of a text (`**`, list markers, headings, {placeholders}), sorted."""
    return sorted(value for kind, value in tokenize(text) if kind == "ph")


@dataclass(frozen=True)
class Unit:
    """One translated unit of an imported file: the target text, its state, and the Dutch
    source text the translator saw (which may be older than today's Dutch)."""

    text: str
    state: str
    source: str


def read_xliff(data: bytes, path: Path, source: CourseSource) -> tuple[str, dict[str, Unit]]:
    """Validate a whole XLIFF file; return (language, key -> Unit) for units with a target.
    Raises SourceError naming file:line on the first problem; nothing is applied then."""
    root = _parse(data, path)
    if root.tag != f"{{{NS}}}xliff" or root.get("version") != "2.0":
        raise SourceError("is not XLIFF 2.0 (urn:oasis:names:tc:xliff:document:2.0)", path,
                          root.sourceline)
    lang = root.get("trgLang") or ""
    if lang not in source.languages or lang == source.source_language:
        raise SourceError(f"trgLang {lang!r} is not a target language of this course", path,
                          root.sourceline)
    if root.get("srcLang") != source.source_language:
        raise SourceError(f"srcLang must be {source.source_language}", path, root.sourceline)
    known = set(source.required_keys())
    out: dict[str, Unit] = {}
    for unit in root.iter(f"{{{NS}}}unit"):
        key = unit.get("id") or ""
        if key not in known:
            raise SourceError(f"unknown unit id {key!r}; it is not a key of this course", path,
                              unit.sourceline)
        read = _read_unit(unit, key, path, source.texts[source.source_language].strings[key])
        if read is not None:
            out[key] = read
    return lang, out


def _original_data(unit: Any, key: str, path: Path) -> dict[str, str]:
    """The unit's <originalData>, each value one inline code as export writes them. The file is
    untrusted: a value rewritten to "" (a lost heading) or to a link would otherwise pass into
    the text unseen (issue #15)."""
    data = {}
    for d in unit.iter(f"{{{NS}}}data"):
        value = d.text or ""
        if not TOKEN.fullmatch(value):
            raise SourceError(f"unit {key}: originalData {d.get('id')} holds {value!r}, which is "
                              "not an inline code of this course; export the file again and "
                              "translate in the new file", path, d.sourceline)
        data[d.get("id")] = value
    return data


def _check_codes(text: str, dutch: str, key: str, path: Path, line: int | None) -> None:
    """The target carries exactly the inline codes, links and images of today's Dutch source
    (never of the file's own <source>, which the file can rewrite)."""
    if sorted(PLACEHOLDERS.findall(text)) != sorted(PLACEHOLDERS.findall(dutch)):
        raise SourceError(f"unit {key}: placeholders differ from the source; keep every "
                          "{placeholder} exactly once", path, line)
    # Markup travels as <ph>; a deleted, duplicated or typed-in code would change the Markdown
    # (broken bold, a lost list item), so the target must carry exactly the source's codes.
    if codes(text) != codes(dutch):
        missing = Counter(codes(dutch)) - Counter(codes(text))
        extra = Counter(codes(text)) - Counter(codes(dutch))
        detail = "; ".join(f"{what} {', '.join(repr(c) for c in sorted(n.elements()))}"
                           for what, n in (("missing", missing), ("extra", extra)) if n)
        raise SourceError(f"unit {key}: inline codes differ from the source ({detail}); keep "
                          "every inline code of the source exactly once, where it belongs",
                          path, line)
    # A link in a translation could send learners to anyone's "help line" (issue #15).
    extra_parts = parts_not_in(text, dutch)
    if extra_parts:
        raise SourceError(f"unit {key}: {'; '.join(extra_parts)}, which the Dutch source does "
                          "not have; remove it (a translation keeps only the source's links)",
                          path, line)


def _read_unit(unit: Any, key: str, path: Path, dutch: str) -> Unit | None:
    data = _original_data(unit, key, path)
    segments = unit.findall(f"{{{NS}}}segment")
    if len(segments) > 1:  # a CAT tool split the string; joining them back could break Markdown
        raise SourceError(f"unit {key} has {len(segments)} segments; join them into one (each "
                          "key is one segment)", path, segments[1].sourceline)
    segment = segments[0] if segments else None
    target = segment.find(f"{{{NS}}}target") if segment is not None else None
    if target is None:
        return None
    src_el = segment.find(f"{{{NS}}}source")
    if src_el is None:
        raise SourceError(f"unit {key} has no <source>; export the file again", path,
                          segment.sourceline)
    text, seen = _text_of(target, data, path, key), _text_of(src_el, data, path, key)
    _check_codes(text, dutch, key, path, target.sourceline)
    state = segment.get("state", "translated")
    if state not in XLIFF_STATES:
        raise SourceError(f"unit {key}: state {state!r} is not an XLIFF 2.0 segment state; use "
                          f"one of {', '.join(XLIFF_STATES)}", path, segment.sourceline)
    if segment.get("subState") == SUBSTATE and state == "translated":
        state = "needs-review"
    return Unit(text, "new" if state == "initial" else state, seen)


def _scalar(text: str, indent: int) -> str:
    """YAML for a value at `indent`: a literal block for multi-line text, else a JSON string
    (also when a block could not say it: a first line starting with a space, several trailing
    line breaks)."""
    body_text = text[:-1] if text.endswith("\n") else text
    if "\n" not in body_text or body_text[:1] in (" ", "\t") or body_text.endswith("\n"):
        return json.dumps(text, ensure_ascii=False)
    pad = " " * indent
    body = "".join((pad + line if line else "") + "\n" for line in body_text.split("\n"))
    return ("|\n" if text.endswith("\n") else "|-\n") + body


def _value_nodes(node: Any, prefix: str = "") -> dict[str, tuple[Any, Any]]:
    out = {}
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            dotted = f"{prefix}{k.value}"
            if isinstance(v, yaml.MappingNode):
                out.update(_value_nodes(v, dotted + "."))
            else:
                out[dotted] = (k, v)
    return out


def _flat(data: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in (data or {}).items():
        if isinstance(v, dict):
            out.update(_flat(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def rewrite_yaml(text: str, changes: dict[str, str]) -> str | None:
    """Replace only the changed scalars in the YAML text, keeping comments and layout.
    Returns None when a key is missing or the edited text would not load back to exactly the
    new values (the caller then writes the whole mapping)."""
    nodes = _value_nodes(yaml.compose(text))
    if any(k not in nodes for k in changes):
        return None
    edits = []
    for key, value in changes.items():
        k, v = nodes[key]
        replacement = _scalar(value, k.start_mark.column + 2)
        if v.style in ("|", ">"):
            # A block scalar's end mark lies after its line break; a flow scalar's does not.
            replacement += "" if replacement.startswith("|") else "\n"
        elif replacement.startswith("|"):
            replacement = replacement[:-1]
        edits.append((v.start_mark.index, v.end_mark.index, replacement))
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    loaded = _flat(yaml.safe_load(text))
    if any(loaded.get(key) != value for key, value in changes.items()):
        return None
    return text


@dataclass(frozen=True)
class Imported:
    changed: list[str]  # keys whose translation changed
    reviewed: list[str]  # keys newly recorded as reviewed
    outdated: list[str]  # marked reviewed against an older Dutch text: not recorded as reviewed


def import_xliff(source: CourseSource, path: Path,
                 review: tuple[str, str] | None = None) -> Imported:
    """Apply a translator's file; return what changed. Writes nothing on any error.

    A unit whose <source> is not today's Dutch (the file was exported before the Dutch changed)
    is recorded against the Dutch it was translated from, so it stays needs-review. A segment
    newly marked `reviewed` is recorded as a review by `review` = (reviewer, YYYY-MM-DD);
    without it such a file is refused."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror}", path) from exc
    lang, units = read_xliff(data, path, source)
    current = source.texts[lang].strings
    # CAT tools may trim the line break that ends a YAML block; that is no edit.
    changes = {k: u.text for k, u in units.items()
               if u.text.strip() != current.get(k, "").strip()}
    states = load_states(source.root, lang)
    files: dict[Path, str] = {}
    if changes:
        files[source.texts[lang].path] = _updated_yaml(source.texts[lang].path, changes)
    new_states = _new_states(source, lang, units, changes, states, review, path)
    if new_states != states:
        files[state_path(source.root, lang)] = states_text(new_states)
    _write_all(files)
    reviewed = [k for k, r in new_states.items() if r != states.get(k) and
                r.get("state") == "reviewed"]
    src = source.texts[source.source_language].strings
    outdated = [k for k, u in units.items()
                if u.state == "reviewed" and u.source.strip() != src[k].strip()]
    return Imported(sorted(changes), sorted(reviewed), sorted(outdated))


def _new_states(source: CourseSource, lang: str, units: dict[str, Unit], changes: dict[str, str],
                states: dict[str, dict[str, str]], review: tuple[str, str] | None,
                path: Path) -> dict[str, dict[str, str]]:
    current = source.texts[lang].strings
    src = source.texts[source.source_language].strings
    new_states = dict(states)
    unsigned = []  # newly reviewed segments, when nobody said who reviewed them
    for key, unit in units.items():
        if unit.source.strip() != src[key].strip():  # older Dutch: keep its hash, so it stays stale
            if key in changes or key not in states:
                new_states[key] = {"sha": source_sha(unit.source), "state": "translated"}
            continue
        exported = segment_state(key, current.get(key, ""), src[key], states)
        if key not in changes and (unit.state == exported or
                                   unit.state in ("needs-review", "new")):
            continue  # untouched and not newly confirmed: keep what we knew
        confirmed = "translated" if unit.state in ("needs-review", "new") else unit.state
        if confirmed == "reviewed" and review is None:
            unsigned.append(key)
        elif confirmed == "reviewed":
            new_states[key] = reviewed_record(src[key], unit.text, *review)
        else:
            new_states[key] = {"sha": source_sha(src[key]), "state": confirmed}
    if unsigned:
        raise SourceError(f"{len(unsigned)} segments are newly marked reviewed ({unsigned[0]} "
                          "first); say who reviewed them (noroom xliff import FILE --reviewer "
                          '"name, role"), or set them to state="translated" if nobody did', path)
    return new_states


def _updated_yaml(yaml_path: Path, changes: dict[str, str]) -> str:
    text = yaml_path.read_text(encoding="utf-8")
    updated = rewrite_yaml(text, changes)
    if updated is not None:
        return updated
    # A key missing from the file (or a value only a quoted string can hold): write it all again.
    merged = yaml.safe_load(text) or {}
    for key, value in changes.items():
        node = merged
        *parents, leaf = key.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    return yaml.safe_dump(merged, allow_unicode=True, sort_keys=False, width=100)


def _write_all(files: dict[Path, str]) -> None:
    """Write every file or none: temporary files first, then renames."""
    tmps = []
    try:
        for path, text in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_text(text, encoding="utf-8")
            tmps.append((tmp, path))
    except OSError:
        for tmp, _ in tmps:
            tmp.unlink(missing_ok=True)
        raise
    for tmp, path in tmps:
        tmp.replace(path)


def states_text(states: dict[str, dict[str, str]]) -> str:
    """The text of a text/state/<lang>.yaml file, keys sorted."""
    return STATE_HEADER + yaml.safe_dump(dict(sorted(states.items())), allow_unicode=True,
                                         width=100)


def mark_current(source: CourseSource, lang: str, state: str = "translated") -> int:
    """Record the Dutch hash of every present translation (after a translation made outside
    XLIFF); returns how many segments were recorded. Reviews that still hold are kept."""
    src = source.texts[source.source_language].strings
    tgt = source.texts[lang].strings
    old = load_states(source.root, lang)
    states = {k: old[k] if is_reviewed(old.get(k), src[k], tgt[k])
              else {"sha": source_sha(src[k]), "state": state}
              for k in source.required_keys() if tgt.get(k, "").strip()}
    _write_all({state_path(source.root, lang): states_text(states)})
    return len(states)
