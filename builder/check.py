"""`check_package()`: is a zip importable by an LMS? Works on packages from any tool.

Treats the zip as untrusted: no entity expansion, no DTD or network loading, paths checked before
anything else. Each problem is one `Problem` naming the member and line and what to fix.
Manifest checks are registered per control file (imsmanifest.xml, tincan.xml, cmi5.xml) in
`MANIFEST_CHECKS`, so a new format adds one function and one line.
"""

from __future__ import annotations

import os
import posixpath
import stat
import struct
import zipfile
import zlib
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
# Packages use stored and deflate members only. Other methods are refused (issue 15): bzip2 and
# LZMA members inflate without a bound on a false declared size, and nothing here needs them.
METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
# HTML read for links: a page beyond this is checked in part (a warning says so); the walk stops
# after this many pages or links, so a small zip of huge or endless HTML takes seconds, not minutes.
MAX_PAGE = 2 * 1024 * 1024
MAX_PAGES = 200
MAX_LINKS = 20_000
# A manifest or SVG is parsed whole: beyond this it is refused rather than parsed.
MAX_XML = 8 * 1024 * 1024
# What a damaged zip raises from zipfile, zlib and struct while it is read: each becomes one
# problem line for that package, and the next package is still checked.
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, NotImplementedError, OSError, EOFError,
              RuntimeError, IndexError, ValueError, KeyError, OverflowError, struct.error,
              UnicodeError)
# A file whose mode says symlink, device, pipe or socket (Unix "external attributes").
UNIX_FILE_TYPES = {0o100000: "file", 0o040000: "folder", 0o120000: "symbolic link",
                   0o010000: "pipe", 0o020000: "device", 0o060000: "device", 0o140000: "socket"}

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
        return printable(f"{where}: {self.message}" if where else self.message)


def printable(text: str) -> str:
    """`text` with control, format and bidi characters shown as escapes: a member name with CR,
    LF or ESC can neither forge an "ok" line nor send codes to the terminal (issue 15)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == " " else
                   (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")
                   for c in text)


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

    def read(self, name: str, limit: int = MAX_XML) -> bytes | None:
        """The member's bytes, or None when it holds more than `limit` bytes."""
        with self.zf.open(name) as member:
            data = member.read(limit + 1)
        return None if len(data) > limit else data


def safe_parser():  # type: ignore[no-untyped-def]
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_comments=False)


def parse_xml(pkg: Package, member: str, report: Report):  # type: ignore[no-untyped-def]
    """Parse a member as XML or record why not (with the line); None on failure."""
    from lxml import etree

    data = pkg.read(member)
    if data is None:
        report.add(member, None, f"is over {MAX_XML // 1024 // 1024} MB; a manifest is a few KB")
        return None
    try:
        root = etree.fromstring(data, safe_parser())
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


CMI5_NS = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
CMI5_XSD_ENV = "NOROOM_CMI5_XSD"


def cmi5_schema_path() -> Path:
    """Where the official cmi5 course structure XSD is looked for: $NOROOM_CMI5_XSD, else
    ../shared/schemas/cmi5/ beside the project. It is not shipped (see README)."""
    if os.environ.get(CMI5_XSD_ENV):
        return Path(os.environ[CMI5_XSD_ENV])
    return Path(__file__).resolve().parents[2] / "shared" / "schemas" / "cmi5" / \
        "CourseStructure.xsd"


def cmi5_schema() -> etree.XMLSchema:
    """The official cmi5 course structure schema; PackageError naming the path when it is not
    there (the tests need it; `check` does not, see official_cmi5_schema)."""
    from lxml import etree

    xsd = cmi5_schema_path()
    if not xsd.exists():
        raise PackageError(f"the cmi5 schema is missing at {xsd}; set {CMI5_XSD_ENV} or put "
                           "it in ../shared/schemas/cmi5/ beside the project")
    return etree.XMLSchema(etree.parse(str(xsd), etree.XMLParser(no_network=True)))


def official_cmi5_schema() -> etree.XMLSchema | None:
    """The official XSD where it is found, else None: its absence never stops a check, since
    the project's own rules (builder/cmi5_rules.py) always run."""
    try:
        return cmi5_schema()
    except PackageError:
        return None


def check_cmi5(pkg: Package, report: Report) -> None:
    from builder.cmi5_rules import course_structure_problems

    member = "cmi5.xml"
    root = parse_xml(pkg, member, report)
    if root is None:
        return
    report.format = "cmi5"
    for line, message in course_structure_problems(root):
        report.add(member, line, message)
    schema = official_cmi5_schema()
    if schema is not None:
        validate_against(schema, root, member, report)
    for url in root.iter(f"{{{CMI5_NS}}}url"):
        href = (url.text or "").strip()
        if "://" not in href and href.split("?")[0] not in pkg.names:
            report.add(member, url.sourceline, f"AU url {href!r} is not in the zip")
        elif "://" not in href and href.split("?")[0].endswith((".html", ".htm")):
            check_linked_pages(pkg, href.split("?")[0], report)


class _Links(HTMLParser):
    """Relative href/src of a page's a, link, script and img elements (at most MAX_LINKS)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        name = {"a": "href", "link": "href", "script": "src", "img": "src"}.get(tag)
        value = dict(attrs).get(name or "") or ""
        if value and not value.startswith(("#", "/")) and ":" not in value.split("/")[0]:
            if len(self.found) < MAX_LINKS:
                self.found.append((value.split("#")[0].split("?")[0], self.getpos()[0]))


def check_linked_pages(pkg: Package, start: str, report: Report) -> None:
    """Every page reachable from the AU url by relative links, and every file those pages load,
    must be in the zip (a multi-language AU opens `<lang>/index.html` from its launcher).
    Bounded: MAX_PAGE bytes of a page, MAX_PAGES pages, MAX_LINKS links a page."""
    seen, todo = {start}, [start]
    while todo:
        page = todo.pop()
        with pkg.zf.open(page) as member:
            html = member.read(MAX_PAGE + 1)
        if len(html) > MAX_PAGE:
            report.warnings.append(Problem(page, None, f"is over {MAX_PAGE // 1024 // 1024} MB; "
                                           "only its start was checked for links"))
        links = _Links()
        links.feed(html[:MAX_PAGE].decode("utf-8", "replace"))
        for href, line in links.found:
            name = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(href)))
            if name.startswith("../") or name == "..":
                report.add(page, line, f"{href!r} points outside the package")
            elif name not in pkg.names:
                report.add(page, line, f"links to {name}, which is not in the zip; add it or "
                           "remove the link")
            elif name.endswith((".html", ".htm")) and name not in seen:
                if len(seen) >= MAX_PAGES:
                    report.warnings.append(Problem(page, line, f"more than {MAX_PAGES} linked "
                                                   "pages; the rest were not checked"))
                    return
                seen.add(name)
                todo.append(name)


MANIFEST_CHECKS: dict[str, Callable[[Package, Report], None]] = {
    "imsmanifest.xml": check_scorm,
    "tincan.xml": check_tincan,
    "cmi5.xml": check_cmi5,
}


def check_paths(zf: zipfile.ZipFile, report: Report) -> set[str]:
    """The member names, after refusing every entry an unzip could turn against its host:
    unsafe or ambiguous names, links and devices, encryption, methods other than stored and
    deflate, and more than MAX_UNCOMPRESSED bytes in all."""
    names: set[str] = set()
    total = 0
    for info in zf.infolist():
        name = info.filename
        problem = _entry_problem(info, names)
        if problem:
            report.add(name, None, problem)
            continue
        total += info.file_size
        if not info.is_dir():
            names.add(name)
    if total > MAX_UNCOMPRESSED:
        report.add("", None, f"unpacks to {total} bytes, over the {MAX_UNCOMPRESSED} limit")
    return names


def _entry_problem(info: zipfile.ZipInfo, seen: set[str]) -> str | None:
    name = info.filename
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if "\0" in info.orig_filename:
        return "name is cut at a NUL character: tools disagree on what it is called; rebuild"
    if not name.isprintable():
        return "name holds control or direction characters; rename it"
    if name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1 and name[1] == ":"):
        return ("unsafe path (absolute or with '..'): it could write outside the folder it is "
                "unpacked in; rebuild the package with relative paths")
    if "\\" in name:
        return "path uses backslashes; use '/' separators"
    if name in seen:
        return "appears twice in the zip; tools disagree on which one counts; keep one"
    kind = UNIX_FILE_TYPES.get((info.external_attr >> 16) & 0o170000, "file")
    if info.create_system == 3 and kind not in ("file", "folder"):
        return f"is a {kind}, not a regular file; an unzip would recreate it; remove it"
    if info.flag_bits & 0x1:
        return "is encrypted; an LMS cannot read it; export the package without a password"
    if info.compress_type not in METHODS:
        return (f"uses compression method {info.compress_type}; packages use stored or deflate "
                "only; export the package again with standard zip compression")
    return None


def check_package(path: Path) -> Report:
    """Validate a package zip; never raises for a bad package (problems go into the report).
    PackageError only when there is no such file at all."""
    report = Report(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError as exc:
        raise PackageError("no such file; give the path of a .zip package", path) from exc
    except OSError as exc:
        report.add("", None, f"cannot be read ({exc.strerror}); check the path and permissions")
        return report
    if not stat.S_ISREG(mode):
        report.add("", None, "is not a regular file (a folder, device or pipe); give a .zip file")
        return report
    from lxml import etree

    try:
        _check_zip(path, report)
    except (*ZIP_ERRORS, etree.LxmlError) as exc:
        detail = printable(str(exc))[:160] or exc.__class__.__name__
        report.add("", None, f"is not a readable zip file, or is damaged ({detail}); export the "
                   "package again")
    return report


def _check_zip(path: Path, report: Report) -> None:
    with zipfile.ZipFile(path) as zf:
        names = check_paths(zf, report)
        if report.problems:
            return
        damaged = zf.testzip()  # every member read once: its CRC and its declared size
        if damaged is not None:
            report.add(damaged, None, "is damaged (its checksum does not match); export the "
                       "package again")
            return
        pkg = Package(zf, names)
        controls = [name for name in MANIFEST_CHECKS if name in names]
        if not controls:
            _no_control_file(pkg, report)
        for name in controls:
            MANIFEST_CHECKS[name](pkg, report)
        for name in sorted(n for n in names if n.lower().endswith(".svg")):
            check_svg(pkg, name, report)
        size = path.stat().st_size
        if size > SIZE_BUDGET:
            report.warnings.append(Problem("", None, f"package is {size // 1024} KB, over the "
                                           f"{SIZE_BUDGET // 1024} KB budget for a package "
                                           "without media; fine if it carries media, otherwise "
                                           "look for files it does not need"))


def check_svg(pkg: Package, name: str, report: Report) -> None:
    """An SVG opened on its own runs its scripts in the LMS's content origin: allow-list it."""
    from builder.svg import svg_problems

    data = pkg.read(name)
    if data is None:
        report.add(name, None, f"SVG over {MAX_XML // 1024 // 1024} MB was not checked; "
                   "export a smaller drawing")
        return
    for problem in svg_problems(data):
        report.add(name, None, f"unsafe SVG: {problem}")


# Files that only a SCORM, xAPI or cmi5 package has: with no control file at the root, they mean
# the manifest was removed or the package was zipped one folder too deep, never a web package.
LEFTOVERS = ("imsmanifest.xml", "tincan.xml", "cmi5.xml", "adlcp_rootv1p2.xsd",
             "imscp_rootv1p1p2.xsd", "imscp_v1p1.xsd", "adlcp_v1p3.xsd", "imsss_v1p0.xsd")


def _no_control_file(pkg: Package, report: Report) -> None:
    nested = sorted(n for n in pkg.names if PurePosixPath(n).name in MANIFEST_CHECKS)
    leftovers = sorted(n for n in pkg.names if PurePosixPath(n).name.lower() in LEFTOVERS
                       or ("/" not in n and n.lower().endswith((".xsd", ".dtd"))))
    if nested:
        report.add(nested[0], None, "is not at the zip root; zip the contents of its folder, "
                   "not the folder itself")
    elif leftovers:
        report.add("", None, f"has {leftovers[0]} but no imsmanifest.xml, tincan.xml or "
                   "cmi5.xml at the zip root: the manifest is missing; export the package again")
    elif "index.html" in pkg.names:
        report.format = "web"  # a plain web package: paths only, nothing to import
    else:
        report.add("", None, "has no imsmanifest.xml, tincan.xml or cmi5.xml at the zip root; "
                   "is it a course package?")
