"""`svg_problems()`: is an SVG safe to serve from an LMS's content origin? (issue 15)

A chain's logo goes into every package, and `noroom check` reads SVGs from any tool; an SVG opened
on its own is a document that runs its scripts in the origin that serves it. A pattern search is
bypassed by namespace prefixes (`<x:script xmlns:x="…svg">`) and character references
(`jav&#x61;script:`), so the file is parsed (no DTD, no entities, no network) and walked against an
allow-list: drawing elements only, no event handlers, links only to fragments of the same file or
embedded raster images, styles without external references.
"""

from __future__ import annotations

import re

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
# Drawing, text, paint servers and filters: nothing that runs code, links out or animates a link.
ELEMENTS = frozenset("""
    svg g defs symbol use title desc metadata switch
    path rect circle ellipse line polyline polygon text tspan textPath image
    linearGradient radialGradient stop pattern clipPath mask marker style
    filter feBlend feColorMatrix feComponentTransfer feComposite feConvolveMatrix
    feDiffuseLighting feDisplacementMap feDistantLight feDropShadow feFlood feFuncA feFuncB
    feFuncG feFuncR feGaussianBlur feImage feMerge feMergeNode feMorphology feOffset
    fePointLight feSpecularLighting feSpotLight feTile feTurbulence
""".split())
LINK_ATTRIBUTES = frozenset({"href", f"{{{XLINK}}}href"})
RASTER = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,", re.IGNORECASE)
# Whitespace and control characters browsers skip inside a URL scheme ("java\tscript:").
INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f]+")
EXTERNAL_CSS = re.compile(r"@import|url\(\s*['\"]?\s*(?!#)|expression\(|javascript:",
                          re.IGNORECASE)
MAX_PROBLEMS = 10


def svg_problems(data: bytes) -> list[str]:
    """Reasons the SVG is unsafe or unreadable, at most MAX_PROBLEMS, each naming the line;
    an empty list for a safe SVG."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        return [f"line {exc.lineno}: is not well-formed XML ({exc.msg})"]
    if root.getroottree().docinfo.internalDTD is not None:
        return ["line 1: declares a DTD (<!DOCTYPE>); export a plain SVG without one"]
    if root.tag != f"{{{SVG}}}svg":
        return [f"line {root.sourceline}: the root element is not <svg> in the SVG namespace"]
    problems: list[str] = []
    for el in root.iter():
        if len(problems) >= MAX_PROBLEMS:
            break
        if not isinstance(el.tag, str):
            continue  # comments and processing instructions render nothing
        problems += _element_problems(el)
    return problems[:MAX_PROBLEMS]


def _element_problems(el) -> list[str]:  # type: ignore[no-untyped-def]
    from lxml import etree

    qname = etree.QName(el)
    where = f"line {el.sourceline}"
    if _inside_metadata(el):
        return []  # editors' RDF and sodipodi data: never rendered, never run
    if qname.namespace != SVG:
        if qname.namespace and el.getparent() is not None and _editor_namespace(qname.namespace):
            return []
        namespace = qname.namespace or "no namespace"
        return [f"{where}: <{qname.localname}> is not an SVG element ({namespace}); scripts "
                "and HTML are not allowed in an SVG"]
    if qname.localname not in ELEMENTS:
        return [f"{where}: <{qname.localname}> is not allowed (scripts, links, animation and "
                "embedded HTML can run code); export a plain drawing"]
    problems = []
    for name, value in el.attrib.items():
        local = etree.QName(name).localname
        if local.lower().startswith("on"):
            problems.append(f"{where}: event handler attribute {local!r} is not allowed")
        elif name in LINK_ATTRIBUTES and not _safe_link(el, value):
            problems.append(f"{where}: link {value[:60]!r} is not allowed; only '#id' references "
                            "inside the file and embedded PNG/JPEG images")
        elif "script:" in INVISIBLE.sub("", value).lower():
            problems.append(f"{where}: attribute {local!r} holds a script URL")
        elif local == "style" and EXTERNAL_CSS.search(value):
            problems.append(f"{where}: style loads something from outside the file")
    if qname.localname == "style" and EXTERNAL_CSS.search("".join(el.itertext())):
        problems.append(f"{where}: <style> loads something from outside the file")
    return problems


def _safe_link(el, value: str) -> bool:  # type: ignore[no-untyped-def]
    target = INVISIBLE.sub("", value)
    if target.startswith("#"):
        return True
    from lxml import etree

    return etree.QName(el).localname in ("image", "feImage") and bool(RASTER.match(target))


def _inside_metadata(el) -> bool:  # type: ignore[no-untyped-def]
    parent = el.getparent()
    while parent is not None:
        if parent.tag == f"{{{SVG}}}metadata":
            return True
        parent = parent.getparent()
    return False


def _editor_namespace(namespace: str) -> bool:
    """Inkscape's and Sodipodi's own elements (named views, guides): ignored by browsers."""
    return namespace in ("http://www.inkscape.org/namespaces/inkscape",
                         "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd")
