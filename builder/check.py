"""`check_package()`: is a zip importable by an LMS? Works on packages from any tool.

Treats the zip as untrusted: no entity expansion, no DTD or network loading, paths checked before
anything else. Each problem is one `Problem` naming the member and line and what to fix.
Manifest checks are registered per control file (imsmanifest.xml, tincan.xml, cmi5.xml) in
`MANIFEST_CHECKS`, so a new format adds one function and one line.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from noroom.errors import PackageError

if TYPE_CHECKING:
    from lxml import etree

# Size budget of a package without media (issue 3); bigger packages get a warning, not an error.
SIZE_BUDGET = 300 * 1024
# Refuse to inflate more than this (zip bombs): far above any real course package.
MAX_UNCOMPRESSED = 512 * 1024 * 1024

SCORM12_NS = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
SCORM2004_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
SCHEMA_SETS = {
    SCORM12_NS: ("scorm12", {
        SCORM12_NS: "imscp_rootv1p1p2.xsd",
        "http://www.adlnet.org/xsd/adlcp_rootv1p2": "adlcp_rootv1p2.xsd",
        # imsmd_rootv1p2p1.xsd is not loaded: libxml2 rejects its annotationType as
        # non-deterministic. <metadata> admits ##other content laxly, so LOM is not checked.
    }),
    SCORM2004_NS: ("scorm2004", {
        SCORM2004_NS: "imscp_v1p1.xsd",
        "http://www.adlnet.org/xsd/adlcp_v1p3": "adlcp_v1p3.xsd",
        "http://www.adlnet.org/xsd/adlseq_v1p3": "adlseq_v1p3.xsd",
        "http://www.adlnet.org/xsd/adlnav_v1p3": "adlnav_v1p3.xsd",
        "http://www.imsglobal.org/xsd/imsss": "imsss_v1p0.xsd",
    }),
}


@dataclass(frozen=True)
class Problem:
    member: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.member}:{self.line}" if self.line else self.member
        return f"{where}: {self.message}" if where else self.message


@dataclass
class Report:
    path: Path
    format: str = "unknown"
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, member: str, line: int | None, message: str) -> None:
        self.problems.append(Problem(member, line, message))


@dataclass
class Package:
    """The opened zip: member names and a safe reader."""

    zf: zipfile.ZipFile
    names: set[str]

    def read(self, name: str) -> bytes:
        return self.zf.read(name)


def safe_parser():  # type: ignore[no-untyped-def]
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_comments=False)


def parse_xml(pkg: Package, member: str, report: Report):  # type: ignore[no-untyped-def]
    """Parse a member as XML or record why not (with the line); None on failure."""
    from lxml import etree

    try:
        root = etree.fromstring(pkg.read(member), safe_parser())
    except etree.XMLSyntaxError as exc:
        report.add(member, exc.lineno, f"is not well-formed XML: {exc.msg}")
        return None
    if root.getroottree().docinfo.internalDTD is not None:
        report.add(member, 1, "declares a DTD; remove the <!DOCTYPE> (entities are not allowed)")
        return None
    return root


def _ims_xml_resolver_class():  # type: ignore[no-untyped-def]
    from lxml import etree

    class ImsXmlResolver(etree.Resolver):
        """SCORM 1.2's ims_xml.xsd binds the *default* namespace to the xml namespace, which
        libxml2 2.9+ refuses. The binding is unused (every name is xsd:-prefixed), so the file is
        served without it; the vendored copy in the package stays byte-for-byte official."""

        def resolve(self, url, pubid, context):  # type: ignore[no-untyped-def]
            if url.endswith("/scorm12/ims_xml.xsd"):
                text = Path(url.removeprefix("file://")).read_text(encoding="utf-8")
                text = text.replace('xmlns="http://www.w3.org/XML/1998/namespace"', "", 1)
                return self.resolve_string(text, context)
            return None

    return ImsXmlResolver


def _ImsXmlResolver():  # type: ignore[no-untyped-def]  # noqa: N802
    return _ims_xml_resolver_class()()


@lru_cache(maxsize=4)
def scorm_schema(namespace: str):  # type: ignore[no-untyped-def]
    """The official schema set for a SCORM edition, loaded from the vendored XSDs."""
    from lxml import etree

    edition, locations = SCHEMA_SETS[namespace]
    folder = Path(str(resources.files("builder").joinpath("schemas", edition)))
    imports = "".join(
        f'<xs:import namespace="{ns}" schemaLocation="{(folder / loc).as_uri()}"/>'
        for ns, loc in locations.items()
    )
    wrapper = (f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
               f'targetNamespace="urn:noroom:check">{imports}</xs:schema>')
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_ImsXmlResolver())
    return etree.XMLSchema(etree.fromstring(wrapper.encode(), parser,
                                            base_url=(folder / "wrapper.xsd").as_uri()))


def validate_against(schema: Any, root: Any, member: str, report: Report) -> None:
    if not schema.validate(root):
        for err in schema.error_log:
            message = err.message.replace("{http://www.imsglobal.org/xsd/imscp_v1p1}", "")
            message = message.replace("{" + SCORM12_NS + "}", "")
            report.add(member, err.line, f"does not match the official schema: {message}")


def check_scorm(pkg: Package, report: Report) -> None:
    member = "imsmanifest.xml"
    root = parse_xml(pkg, member, report)
    if root is None:
        return
    ns = root.nsmap.get(None) or PurePosixPath(root.tag[1:].split("}")[0]).as_posix()
    if ns not in SCHEMA_SETS:
        report.add(member, root.sourceline, f"unknown manifest namespace {ns!r}; expected SCORM "
                   "1.2 (imscp_rootv1p1p2) or SCORM 2004 (imscp_v1p1)")
        return
    report.format = SCHEMA_SETS[ns][0]
    validate_against(scorm_schema(ns), root, member, report)
    listed = check_resources(pkg, root, ns, report)
    control = {member} | {n for n in pkg.names if "/" not in n and n.endswith((".xsd", ".dtd"))}
    for name in sorted(pkg.names - listed - control):
        report.add(name, None, "is in the zip but not listed in any <resource>; add a <file "
                   f'href="{name}"/> or remove it from the zip')


def check_resources(pkg: Package, root: Any, ns: str, report: Report) -> set[str]:
    """Every <file href> and resource href must exist; returns the set of listed members."""
    listed: set[str] = set()
    xml_base = "{http://www.w3.org/XML/1998/namespace}base"
    resources_el = root.find(f"{{{ns}}}resources")
    base0 = resources_el.get(xml_base, "") if resources_el is not None else ""
    ids = {r.get("identifier") for r in root.iter(f"{{{ns}}}resource")}
    scos = 0
    for res in root.iter(f"{{{ns}}}resource"):
        base = base0 + res.get(xml_base, "")
        scos += any(v.lower() == "sco" for k, v in res.attrib.items() if k.endswith("cormtype")
                    or k.endswith("cormType"))
        hrefs = [(res.get("href"), res.sourceline)] if res.get("href") else []
        hrefs += [(f.get("href"), f.sourceline) for f in res.iter(f"{{{ns}}}file")]
        for href, line in hrefs:
            name = posixpath.normpath(base + href.split("?")[0].split("#")[0])
            if name.startswith(("/", "../")) or name == "..":
                report.add("imsmanifest.xml", line, f"href {href!r} points outside the package")
            elif name not in pkg.names:
                report.add("imsmanifest.xml", line, f"lists {name} but the zip has no such "
                           "file; add the file or remove the entry")
            listed.add(name)
    for item in root.iter(f"{{{ns}}}item"):
        ref = item.get("identifierref")
        if ref and ref not in ids:
            report.add("imsmanifest.xml", item.sourceline, f"item refers to resource {ref!r}, "
                       "which does not exist")
    if not scos:
        report.add("imsmanifest.xml", root.sourceline, "has no SCO resource "
                   '(adlcp:scormtype="sco"); an LMS cannot launch it')
    return listed


def check_tincan(pkg: Package, report: Report) -> None:
    """tincan.xml: exactly one launchable activity, with an absolute IRI and a launch file that
    is in the package (TinCan packaging, as SCORM Cloud and Docebo read it)."""
    member = "tincan.xml"
    root = parse_xml(pkg, member, report)
    if root is None:
        return
    report.format = "xapi"
    if root.tag != "{http://projecttincan.com/tincan.xsd}tincan":
        report.add(member, root.sourceline, "root must be <tincan xmlns=\"http://projecttincan."
                   "com/tincan.xsd\">")
        return
    launchable = [a for a in root.iter("{*}activity") if a.find("{*}launch") is not None]
    if len(launchable) != 1:
        report.add(member, root.sourceline, f"has {len(launchable)} launchable activities; an "
                   "LMS needs exactly one")
        return
    activity = launchable[0]
    if not str(activity.get("id", "")).startswith(("http://", "https://")):
        report.add(member, activity.sourceline, "activity id must be an absolute IRI")
    launch = activity.find("{*}launch")
    href = (launch.text or "").strip().split("?")[0]
    if href not in pkg.names:
        report.add(member, launch.sourceline, f"launch file {href!r} is not in the zip")


def cmi5_schema_path() -> Path:
    """The cmi5 course structure XSD lives in ../shared/schemas/cmi5/ beside the project."""
    return Path(__file__).resolve().parents[2] / "shared" / "schemas" / "cmi5" / \
        "CourseStructure.xsd"


def cmi5_schema() -> etree.XMLSchema:
    """The cmi5 course structure schema (`check` and the tests read it here); PackageError
    naming the path when ../shared/schemas/cmi5/ is not beside the project."""
    from lxml import etree

    xsd = cmi5_schema_path()
    if not xsd.exists():
        raise PackageError(f"the cmi5 schema is missing at {xsd}; it is read from "
                           "../shared/schemas/cmi5/ beside the project and is not copied into it")
    return etree.XMLSchema(etree.parse(str(xsd), etree.XMLParser(no_network=True)))


def check_cmi5(pkg: Package, report: Report) -> None:
    member = "cmi5.xml"
    root = parse_xml(pkg, member, report)
    if root is None:
        return
    report.format = "cmi5"
    validate_against(cmi5_schema(), root, member, report)
    for url in root.iter("{*}url"):
        href = (url.text or "").strip()
        if "://" not in href and href.split("?")[0] not in pkg.names:
            report.add(member, url.sourceline, f"AU url {href!r} is not in the zip")
        elif "://" not in href and href.split("?")[0].endswith((".html", ".htm")):
            check_linked_pages(pkg, href.split("?")[0], report)


class _Links(HTMLParser):
    """Relative href/src of a page's a, link, script and img elements."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        name = {"a": "href", "link": "href", "script": "src", "img": "src"}.get(tag)
        value = dict(attrs).get(name or "") or ""
        if value and not value.startswith(("#", "/")) and ":" not in value.split("/")[0]:
            self.found.append((value.split("#")[0].split("?")[0], self.getpos()[0]))


def check_linked_pages(pkg: Package, start: str, report: Report) -> None:
    """Every page reachable from the AU url by relative links, and every file those pages load,
    must be in the zip (a multi-language AU opens `<lang>/index.html` from its launcher)."""
    seen, todo = {start}, [start]
    while todo:
        page = todo.pop()
        links = _Links()
        links.feed(pkg.read(page).decode("utf-8", "replace"))
        for href, line in links.found:
            name = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(href)))
            if name.startswith("../") or name == "..":
                report.add(page, line, f"{href!r} points outside the package")
            elif name not in pkg.names:
                report.add(page, line, f"links to {name}, which is not in the zip; add it or "
                           "remove the link")
            elif name.endswith((".html", ".htm")) and name not in seen:
                seen.add(name)
                todo.append(name)


MANIFEST_CHECKS: dict[str, Callable[[Package, Report], None]] = {
    "imsmanifest.xml": check_scorm,
    "tincan.xml": check_tincan,
    "cmi5.xml": check_cmi5,
}


def check_paths(zf: zipfile.ZipFile, report: Report) -> set[str]:
    names: set[str] = set()
    total = 0
    for info in zf.infolist():
        name = info.filename
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1 and name[1] == ":"):
            report.add(name, None, "unsafe path (absolute or with '..'): it could write outside "
                       "the folder it is unpacked in; rebuild the package with relative paths")
            continue
        if "\\" in name:
            report.add(name, None, "path uses backslashes; use '/' separators")
        total += info.file_size
        if not info.is_dir():
            names.add(name)
    if total > MAX_UNCOMPRESSED:
        report.add("", None, f"unpacks to {total} bytes, over the {MAX_UNCOMPRESSED} limit")
    return names


def check_package(path: Path) -> Report:
    """Validate a package zip; never raises for a bad package (problems go into the report)."""
    report = Report(path)
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError as exc:
        raise PackageError("no such file; give the path of a .zip package", path) from exc
    except (zipfile.BadZipFile, OSError) as exc:
        report.add("", None, f"is not a readable zip file ({exc}); export the package again")
        return report
    with zf:
        names = check_paths(zf, report)
        if report.problems:
            return report
        pkg = Package(zf, names)
        controls = [name for name in MANIFEST_CHECKS if name in names]
        if not controls and "index.html" in names:
            report.format = "web"  # a plain web package: paths only, nothing to import
        elif not controls:
            report.add("", None, "has no imsmanifest.xml, tincan.xml or cmi5.xml at the zip root; "
                       "is it a course package?")
        for name in controls:
            MANIFEST_CHECKS[name](pkg, report)
        size = path.stat().st_size
        if size > SIZE_BUDGET:
            report.warnings.append(Problem("", None, f"package is {size // 1024} KB, over the "
                                           f"{SIZE_BUDGET // 1024} KB budget for a package "
                                           "without media; fine if it carries media, otherwise "
                                           "look for files it does not need"))
    return report
