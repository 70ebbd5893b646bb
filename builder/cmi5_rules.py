"""The project's own cmi5 course structure rules (cmi5 spec, section 13.1), always applied.

The official CourseStructure.xsd may not be shipped with the project (issue 15), so `noroom check`
checks cmi5.xml against these rules on every machine, and against the official XSD as well where
it is found (builder.check.official_cmi5_schema). Written from the specification's tables:

    courseStructure   course (1), objectives (0..1), then au / block (at least one au in all)
    course            id: IRI; title, description: langstrings
    block             id: IRI; title, description; objectives?; au / block children
    au                id: IRI, unique in the structure; launchMethod AnyWindow|OwnWindow;
                      moveOn Passed|Completed|CompletedAndPassed|CompletedOrPassed|NotApplicable;
                      masteryScore decimal 0..1 (at most 4 decimals); activityType: IRI;
                      title, description, objectives?, url (required), launchParameters?,
                      entitlementKey?
    langstring        a lang attribute; at least one per title and description

Elements of other namespaces are extensions and are left alone, as the specification allows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

NS = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
DECIMAL = re.compile(r"^\s*(0(\.\d{1,4})?|1(\.0{1,4})?|\.\d{1,4})\s*$")
MOVE_ON = ("Passed", "Completed", "CompletedAndPassed", "CompletedOrPassed", "NotApplicable")
LAUNCH_METHODS = ("AnyWindow", "OwnWindow")
CHILDREN = {
    "courseStructure": ("course", "objectives", "au", "block"),
    "course": ("title", "description"),
    "block": ("title", "description", "objectives", "au", "block"),
    "au": ("title", "description", "objectives", "url", "launchParameters", "entitlementKey"),
    "objectives": ("objective",),
    "objective": ("title", "description"),
    "title": ("langstring",),
    "description": ("langstring",),
}
REQUIRED = {"course": ("title", "description"), "block": ("title", "description"),
            "au": ("title", "description", "url"), "objective": ("title", "description")}

Problem = tuple[int | None, str]


def course_structure_problems(root: Any) -> list[Problem]:
    """(line, message) for each way `root` (the parsed cmi5.xml) breaks the rules above."""
    if root.tag != f"{{{NS}}}courseStructure":
        return [(root.sourceline, f"root must be <courseStructure xmlns=\"{NS}\">")]
    problems = list(_structure(root))
    courses = root.findall(f"{{{NS}}}course")
    if len(courses) != 1:
        problems.append((root.sourceline, f"has {len(courses)} <course> elements; cmi5 needs "
                         "exactly one"))
    if not list(root.iter(f"{{{NS}}}au")):
        problems.append((root.sourceline, "has no <au>; an LMS has nothing to launch"))
    problems += _unique_ids(root)
    return problems


def _local(el: Any) -> str | None:
    tag = el.tag if isinstance(el.tag, str) else ""
    return tag[len(NS) + 2:] if tag.startswith(f"{{{NS}}}") else None


def _structure(el: Any) -> Iterator[Problem]:
    name = _local(el)
    allowed = CHILDREN.get(name or "", ())
    present = set()
    for child in el:
        child_name = _local(child)
        if child_name is None:
            continue  # a comment, or an extension in another namespace
        if child_name not in allowed:
            yield child.sourceline, f"<{child_name}> is not allowed inside <{name}>"
            continue
        present.add(child_name)
        yield from _structure(child)
    for required in REQUIRED.get(name or "", ()):
        if required not in present:
            yield el.sourceline, f"<{name}> needs a <{required}>"
    yield from _attributes(el, name)


def _attributes(el: Any, name: str | None) -> Iterator[Problem]:
    line = el.sourceline
    if name in ("course", "block", "au", "objective"):
        value = el.get("id", "")
        if not IRI.match(value):
            yield line, f"<{name}> id {value!r} must be an absolute IRI (like https://…)"
    if name in ("title", "description"):
        if not el.findall(f"{{{NS}}}langstring"):
            yield line, f"<{name}> needs at least one <langstring lang=\"…\">"
    if name == "langstring" and not el.get("lang"):
        yield line, "<langstring> needs a lang attribute"
    if name == "url" and not (el.text or "").strip():
        yield line, "<url> is empty; give the AU's launch page"
    if name == "au":
        yield from _au_attributes(el, line)


def _au_attributes(el: Any, line: int | None) -> Iterator[Problem]:
    move_on = el.get("moveOn")
    if move_on is not None and move_on not in MOVE_ON:
        yield line, f"moveOn {move_on!r} must be one of {', '.join(MOVE_ON)}"
    method = el.get("launchMethod")
    if method is not None and method not in LAUNCH_METHODS:
        yield line, f"launchMethod {method!r} must be AnyWindow or OwnWindow"
    mastery = el.get("masteryScore")
    if mastery is not None and not DECIMAL.match(mastery):
        yield line, (f"masteryScore {mastery!r} must be a decimal from 0 to 1 with at most "
                     "4 decimals")
    activity_type = el.get("activityType")
    if activity_type is not None and not IRI.match(activity_type):
        yield line, f"activityType {activity_type!r} must be an absolute IRI"


def _unique_ids(root: Any) -> list[Problem]:
    seen: dict[str, int | None] = {}
    problems = []
    for el in root.iter(f"{{{NS}}}au", f"{{{NS}}}block", f"{{{NS}}}course"):
        value = el.get("id", "")
        if value in seen:
            problems.append((el.sourceline, f"id {value!r} is used twice (first on line "
                             f"{seen[value]}); every AU and block needs its own"))
        seen.setdefault(value, el.sourceline)
    return problems
