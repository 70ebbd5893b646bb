"""Tagged PDF for ReportLab pages (issue 17 §3, §4): certificates and the communication pack.

ReportLab's open-source edition writes no structure tree, so this module does it in two steps:

    tags = Tags(canvas)                    # while drawing
    with tags.mark(tags.element("H1")):    # marked content: /H1 <</MCID 0>> BDC ... EMC
        canvas.drawString(...)
    with tags.artifact():                  # frames, rules, cut marks: not read aloud
        canvas.rect(...)
    tags.next_page()                       # after each canvas.showPage()
    data = tagged(canvas_bytes, tags, lang="nl")   # pikepdf adds the structure tree

The result has /MarkInfo << /Marked true >>, a /StructTreeRoot with one /Document element
whose kids are the elements in the order they were created (the reading order), a
/ParentTree from each page's marked content back to its element, /StructParents on each page,
the catalog's /Lang, and /ViewerPreferences << /DisplayDocTitle true >> so a viewer shows the
title from the document info instead of the file name (PDF 1.7, 14.7-14.8; PDF/UA-1 7.1).
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas


@dataclass
class Element:
    """One structure element: its role (H1, P, ...), page, marked-content ids, and a /Lang
    when it differs from the document's."""

    role: str
    page: int
    lang: str | None = None
    mcids: list[int] = field(default_factory=list)


class Tags:
    """Marked content written into a ReportLab canvas, page by page."""

    def __init__(self, pdf: Canvas) -> None:
        self.pdf = pdf
        self.page = 0
        self.next_mcid = 0
        self.elements: list[Element] = []

    def element(self, role: str, lang: str | None = None) -> Element:
        """A new element after the ones before it in reading order."""
        self.elements.append(Element(role, self.page, lang))
        return self.elements[-1]

    @contextlib.contextmanager
    def mark(self, element: Element) -> Iterator[None]:
        """What is drawn inside belongs to `element` (one more MCID of it on this page)."""
        assert element.page == self.page, "an element stays on its page"
        mcid = self.next_mcid
        self.next_mcid += 1
        element.mcids.append(mcid)
        self.pdf.addLiteral(f"/{element.role} <</MCID {mcid}>> BDC")
        yield
        self.pdf.addLiteral("EMC")

    @contextlib.contextmanager
    def artifact(self) -> Iterator[None]:
        """Decoration: a screen reader skips it."""
        self.pdf.addLiteral("/Artifact BMC")
        yield
        self.pdf.addLiteral("EMC")

    def next_page(self) -> None:
        """Call after canvas.showPage(): MCIDs count from 0 on every page."""
        self.page += 1
        self.next_mcid = 0


def tagged(data: bytes, tags: Tags, lang: str) -> bytes:
    """The PDF `data` (drawn with `tags`) with its structure tree; deterministic bytes."""
    import pikepdf
    from pikepdf import Array, Dictionary, Name, String

    pdf = pikepdf.open(io.BytesIO(data))
    tree = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    document = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=tree,
                                            Lang=String(lang)))
    parents: list[list[object]] = [[] for _ in pdf.pages]
    kids = Array()
    for el in tags.elements:
        if not el.mcids:
            continue
        page = pdf.pages[el.page].obj
        node = pdf.make_indirect(Dictionary(
            Type=Name.StructElem, S=Name("/" + el.role), P=document, Pg=page,
            K=Array(el.mcids) if len(el.mcids) > 1 else el.mcids[0]))
        if el.lang and el.lang != lang:
            node.Lang = String(el.lang)
        slots = parents[el.page]
        for mcid in el.mcids:
            slots.extend([None] * (mcid + 1 - len(slots)))
            slots[mcid] = node
        kids.append(node)
    document.K = kids
    nums = Array()
    for i, page in enumerate(pdf.pages):
        page.obj.StructParents = i
        nums.extend([i, pdf.make_indirect(Array(parents[i]))])
    tree.K = document
    tree.ParentTree = pdf.make_indirect(Dictionary(Nums=nums))
    tree.ParentTreeNextKey = len(pdf.pages)
    pdf.Root.StructTreeRoot = tree
    pdf.Root.MarkInfo = Dictionary(Marked=True)
    pdf.Root.Lang = String(lang)
    pdf.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
    out = io.BytesIO()
    # deterministic_id: the /ID from the content, so the same report gives the same bytes
    pdf.save(out, deterministic_id=True, compress_streams=True,
             object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()
