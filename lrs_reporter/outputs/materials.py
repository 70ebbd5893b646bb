"""The communication pack (issue 17 §4): what a certified hotel hangs in its staff room.

`noroom report --materials` adds, per certified hotel and per language it reads (the roster's
language and second_language), in `materials/<hotel>/<lang>/`:

    poster-a4.pdf, poster-a3.pdf   the four steps, the signals, the contacts of its country
    flyer-a5.pdf                   two pages: steps and contacts; the signals
    door-hanger.pdf                "Staff only" for a staff door, with cut marks and the hole
    intranet-1080x1080.png, intranet-1920x1080.png
    intranet-alt.txt               what the images say, for their alt attribute on an intranet

The words are the course's (packtext.py); a language that is not reviewed is refused unless
`draft`, and then the folder is `<lang>-DRAFT` and every page carries the draft notice. The PDFs
are tagged (tagged.py) and embed Roboto; every colour pair of text on ground is in TEXT_COLOURS
and meets WCAG 2.2 AA (tests/reporter/test_materials.py computes the ratios). The PNGs are the
intranet PDFs rendered by PDFium (pypdfium2: a wheel, no system package).
"""

from __future__ import annotations

import functools
import io
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lrs_reporter.outputs.pdf import (
    BOLD,
    MM,
    REGULAR,
    _register_fonts,
    certificate_columns,
    certificate_languages,
    file_names,
    fitted,
    on_every_core,
    printable,
    wrapped,
)
from lrs_reporter.outputs.tables import records

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

    from builder.course import CourseSource
    from lrs_reporter.model import Certification
    from lrs_reporter.outputs.packtext import PackText
    from lrs_reporter.outputs.tagged import Element, Tags

log = logging.getLogger(__name__)

WHITE = (1.0, 1.0, 1.0)
INK = (0x1D / 255, 0x1D / 255, 0x1F / 255)
PURPLE = (0x5B / 255, 0x2A / 255, 0x86 / 255)
LAVENDER = (0xF1 / 255, 0xEB / 255, 0xF7 / 255)
RED = (0xB3 / 255, 0x26 / 255, 0x1E / 255)
# Every (text, ground) pair the pack prints, by the name Painter.text takes (each name is only
# used on its ground); WCAG AA asks 4.5:1 for normal text, and every pair here is used for
# normal-size text too, so each must reach 4.5:1.
TEXT_COLOURS = {"ink": (INK, WHITE), "heading": (PURPLE, WHITE), "banner": (WHITE, PURPLE),
                "panel": (INK, LAVENDER), "alarm": (WHITE, RED)}


def contrast(fg: tuple[float, float, float], bg: tuple[float, float, float]) -> float:
    """WCAG 2.2 contrast ratio (relative luminance of sRGB, 1.4.3)."""
    def luminance(rgb: tuple[float, float, float]) -> float:
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@dataclass
class Painter:
    """Draws on a canvas in mm from the page's top-left; with `pdf` None it only measures (a
    layout is measured first and shrunk until it fits)."""

    pdf: Canvas | None
    tags: Tags | None
    height: float  # page height, points
    lang: str

    def box(self, x: float, top: float, w: float, h: float, colour: tuple[float, ...],
            round_mm: float = 0) -> None:
        if self.pdf is None:
            return
        assert self.tags is not None
        with self.tags.artifact():
            self.pdf.setFillColorRGB(*colour)
            y = self.height - (top + h) * MM
            if round_mm:
                self.pdf.roundRect(x * MM, y, w * MM, h * MM, round_mm * MM, stroke=0,
                                   fill=1)
            else:
                self.pdf.rect(x * MM, y, w * MM, h * MM, stroke=0, fill=1)

    def text(self, role: str | Element, text: str, font: str, size: float, x: float,
             top: float, width: float, colours: str, align: str = "left",
             max_lines: int = 6, leading: float = 1.2) -> float:
        """Wrapped text in an element; returns the top (mm) below it. A text that would take
        more than `max_lines` shrinks (fitted), at worst it is cut with an ellipsis."""
        from reportlab.pdfbase.pdfmetrics import stringWidth

        sizes = (size, size * 0.9, size * 0.8, size * 0.7)
        lines = wrapped(text, font, size, width * MM, max_lines)
        if len(lines) > max_lines:
            lines, size = fitted(text, font, width * MM, sizes, max_lines)
        step = size * leading / MM
        if self.pdf is not None:
            assert self.tags is not None
            element = self.tags.element(role, self.lang) if isinstance(role, str) else role
            with self.tags.mark(element):
                self.pdf.setFillColorRGB(*TEXT_COLOURS[colours][0])
                self.pdf.setFont(font, size)
                for i, line in enumerate(lines):
                    y = self.height - (top + size * 0.95 / MM + i * step) * MM
                    left = x * MM
                    if align == "centre":
                        left += (width * MM - stringWidth(line, font, size)) / 2
                    # a wrapped line ends in a space, so extraction keeps the words apart
                    more = " " if i < len(lines) - 1 else ""
                    self.pdf.drawString(left, y, line + more)
        return top + size / MM + (len(lines) - 1) * step

    def disc(self, x: float, top: float, d: float, colour: tuple[float, ...]) -> None:
        if self.pdf is not None:
            assert self.tags is not None
            with self.tags.artifact():
                self.pdf.setFillColorRGB(*colour)
                self.pdf.circle((x + d / 2) * MM, self.height - (top + d / 2) * MM, d / 2 * MM,
                                stroke=0, fill=1)


# ---- blocks: each draws at (x, top) in a width, scaled by s, and returns the top below it -----

def draft_band(p: Painter, words: PackText, x: float, top: float, w: float, s: float) -> float:
    """The draft notice on red across the page, when the text is not reviewed."""
    if not words.draft:
        return top
    notice = words.draft

    def draw(q: Painter) -> float:
        return q.text("P", notice, BOLD, 11 * s, x + 4 * s, top + 3 * s, w - 8 * s, "alarm",
                      "centre", 3) + 3 * s
    end = draw(Painter(None, None, p.height, p.lang))
    p.box(x, top, w, end - top, RED)
    return draw(p) if p.pdf is not None else end


def header(p: Painter, words: PackText, headline: str, x: float, top: float, w: float,
           s: float, pad: float) -> float:
    """The purple band: the headline (H1) and the course title."""
    def draw(q: Painter) -> float:
        end = q.text("H1", headline, BOLD, 30 * s, x + pad, top + 9 * s, w - 2 * pad, "banner",
                     max_lines=3, leading=1.1)
        return q.text("P", words.course, REGULAR, 12 * s, x + pad, end + 4 * s, w - 2 * pad,
                      "banner", max_lines=2) + 8 * s
    end = draw(Painter(None, None, p.height, p.lang))
    p.box(x, top, w, end - top, PURPLE)
    return draw(p) if p.pdf is not None else end


def steps(p: Painter, words: PackText, x: float, top: float, w: float, s: float) -> float:
    """The four steps, each a numbered disc and its lead in bold."""
    d = 12 * s
    for n, step in enumerate(words.steps, 1):
        element = p.tags.element("P", p.lang) if p.tags and p.pdf is not None else "P"
        p.disc(x, top, d, PURPLE)
        p.text(element, str(n), BOLD, 18 * s, x, top + 2.2 * s, d, "banner", "centre", 1)
        end = p.text(element, step, BOLD, 19 * s, x + d + 5 * s, top + 1.5 * s,
                     w - d - 5 * s, "ink", max_lines=3)
        top = max(end, top + d) + 5 * s
    return top


def signals(p: Painter, words: PackText, x: float, top: float, w: float, s: float,
            columns: int = 2, heading: bool = True) -> float:
    """The signals heading (H2), then each signal page's title (H3) and its signals."""
    if heading:
        top = p.text("H2", words.signals, BOLD, 18 * s, x, top, w, "heading") + 4 * s
    gap = 8 * s
    col_w = (w - gap * (columns - 1)) / columns
    ends = []
    for i, (title, items) in enumerate(words.groups):
        cx = x + (i % columns) * (col_w + gap)
        ctop = top if i < columns else ends[i - columns] + 4 * s
        ctop = p.text("H3", title, BOLD, 12.5 * s, cx, ctop, col_w, "ink", max_lines=3) + 2.5 * s
        for item in items:
            p.disc(cx, ctop + 1.3 * s, 2.2 * s, PURPLE)
            ctop = p.text("P", item, REGULAR, 11.5 * s, cx + 5 * s, ctop, col_w - 5 * s, "ink",
                          max_lines=3) + 2.2 * s
        ends.append(ctop)
    return max(ends)


def contacts(p: Painter, words: PackText, x: float, top: float, w: float, s: float,
             pad: float, everything: bool = True) -> float:
    """The emergency line on red; the other verified contacts on lavender (with everything)."""
    def alarm(q: Painter) -> float:
        return q.text("P", words.contacts[0], BOLD, 20 * s, x + pad, top + 5 * s,
                      w - 2 * pad, "alarm", max_lines=2) + 5 * s
    end = alarm(Painter(None, None, p.height, p.lang))
    p.box(x, top, w, end - top, RED, 2 * s)
    if p.pdf is not None:
        alarm(p)
    rest = words.contacts[1:] if everything else ()
    if not rest:
        return end

    def panel(q: Painter) -> float:
        t = end + 3 * s + 4 * s
        for line in rest:
            t = q.text("P", line, REGULAR, 12.5 * s, x + pad, t, w - 2 * pad, "panel",
                       max_lines=2) + 2 * s
        return t + 2 * s
    bottom = panel(Painter(None, None, p.height, p.lang))
    p.box(x, end + 3 * s, w, bottom - end - 3 * s, LAVENDER, 2 * s)
    if p.pdf is not None:
        panel(p)
    return bottom


def hotel_line(p: Painter, hotel: dict, x: float, top: float, w: float, s: float) -> float:
    place = ", ".join(v for v in (hotel["name"], hotel["city"]) if v)
    return p.text("P", place, BOLD, 10 * s, x, top, w, "ink", max_lines=2)


# ---- the items ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Sheet:
    """A page size in mm and the scale its blocks are drawn at (1 on A4)."""

    width: float
    height: float
    scale: float


A4, A3 = Sheet(210, 297, 1.0), Sheet(297, 420, math.sqrt(2))
A5 = Sheet(148, 210, 0.74)
SQUARE, WIDE = Sheet(190.5, 190.5, 0.78), Sheet(338.7, 190.5, 0.9)


Layout = Callable[[Painter, Sheet, float, "PackText", dict], float]
"""Draws one page at a scale; returns how far down (mm) it reached."""


def shrunk(layout: Layout, sheet: Sheet, words: PackText, hotel: dict) -> float:
    """The largest scale, from 1.6 times the sheet's down to half of it, at which `layout`
    fits the page: short texts fill the page, long translations shrink instead of spilling."""
    s = sheet.scale * 1.6
    probe = Painter(None, None, sheet.height * MM, "")
    while s > sheet.scale * 0.5 and layout(probe, sheet, s, words, hotel) > sheet.height:
        s *= 0.97
    return s


def poster_layout(p: Painter, sheet: Sheet, s: float, words: PackText, hotel: dict) -> float:
    m = 14 * sheet.scale
    w = sheet.width - 2 * m
    top = draft_band(p, words, 0, 0, sheet.width, s)
    top = header(p, words, words.headline, 0, top, sheet.width, s, m)
    top = steps(p, words, m, top + 10 * s, w, s)
    top = signals(p, words, m, top + 4 * s, w, s)
    top = contacts(p, words, m, top + 8 * s, w, s, 6 * s)
    return hotel_line(p, hotel, m, top + 6 * s, w, s) + 8 * s


def flyer_front(p: Painter, sheet: Sheet, s: float, words: PackText, hotel: dict) -> float:
    m = 12 * sheet.scale
    w = sheet.width - 2 * m
    top = draft_band(p, words, 0, 0, sheet.width, s)
    top = header(p, words, words.headline, 0, top, sheet.width, s, m)
    top = steps(p, words, m, top + 10 * s, w, s)
    top = contacts(p, words, m, top + 6 * s, w, s, 6 * s)
    return hotel_line(p, hotel, m, top + 6 * s, w, s) + 8 * s


def flyer_back(p: Painter, sheet: Sheet, s: float, words: PackText, hotel: dict) -> float:
    m = 12 * sheet.scale
    w = sheet.width - 2 * m
    top = draft_band(p, words, 0, 0, sheet.width, s)
    top = header(p, words, words.signals, 0, top, sheet.width, s, m)
    top = signals(p, words, m, top + 10 * s, w, s, columns=1, heading=False)
    return hotel_line(p, hotel, m, top + 8 * s, w, s) + 8 * s


def intranet_layout(p: Painter, sheet: Sheet, s: float, words: PackText, hotel: dict) -> float:
    """Square: header, steps, emergency. Wide: the header as a left panel, the rest right."""
    m = 12 * sheet.scale
    top = draft_band(p, words, 0, 0, sheet.width, s)
    if sheet.width > sheet.height * 1.3:
        left = sheet.width * 0.4
        p.box(0, top, left, sheet.height - top, PURPLE)
        end = header(p, words, words.headline, 0, top, left, s * 1.1, m)
        right, w = left + m, sheet.width - left - 2 * m
        end = max(end, steps(p, words, right, top + m, w, s))
        end = contacts(p, words, right, end + 3 * s, w, s, 5 * s, everything=False)
        return hotel_line(p, hotel, right, end + 5 * s, w, s) + 6 * s
    w = sheet.width - 2 * m
    top = header(p, words, words.headline, 0, top, sheet.width, s, m)
    top = steps(p, words, m, top + 8 * s, w, s)
    top = contacts(p, words, m, top + 3 * s, w, s, 5 * s, everything=False)
    return hotel_line(p, hotel, m, top + 5 * s, w, s) + 6 * s


HANGER_W, HANGER_H, HOLE = 95.0, 270.0, 34.0  # mm; the hole fits a usual door handle


def hanger_layout(p: Painter, sheet: Sheet, s: float, words: PackText, hotel: dict) -> float:
    """The hanger, centred on the A4 page: content from below the hole."""
    x0, y0 = (sheet.width - HANGER_W) / 2, (sheet.height - HANGER_H) / 2
    m, w = x0 + 7, HANGER_W - 14
    top = y0 + 12 + HOLE + 6
    top = draft_band(p, words, x0, top, HANGER_W, s)
    top = header(p, words, words.staff_only, x0, top, HANGER_W, s * 1.1, 7)
    top = p.text("H2", words.headline, BOLD, 16 * s, m, top + 7, w, "heading", max_lines=3)
    top = steps(p, words, m, top + 6, w, s * 0.8)
    top = contacts(p, words, m, top + 2, w, s * 0.85, 4, everything=False)
    end = hotel_line(p, hotel, m, top + 5, w, s * 0.9) + 5
    return end + sheet.height - (y0 + HANGER_H)  # fits when it ends inside the hanger


def cut_marks(pdf: Canvas, sheet: Sheet) -> None:
    """The hanger's dashed cut line, the hole with its slit, and crop marks at its corners."""
    x0, y0 = (sheet.width - HANGER_W) / 2 * MM, (sheet.height - HANGER_H) / 2 * MM
    w, h, r = HANGER_W * MM, HANGER_H * MM, HOLE / 2 * MM
    pdf.setStrokeColorRGB(*INK)
    pdf.setLineWidth(0.4)
    pdf.setDash(4, 3)
    pdf.rect(x0, y0, w, h, stroke=1, fill=0)
    cx, cy = x0 + w / 2, y0 + h - (12 * MM + r)
    pdf.circle(cx, cy, r, stroke=1, fill=0)
    pdf.line(cx + r * math.cos(math.radians(60)), cy + r * math.sin(math.radians(60)),
             x0 + w, y0 + h - 4 * MM)  # the slit from the hole to the edge
    pdf.setDash()
    for x, y in ((x0, y0), (x0 + w, y0), (x0, y0 + h), (x0 + w, y0 + h)):
        for dx, dy in ((1, 0), (0, 1)):
            sx = -1 if x == x0 else 1
            sy = -1 if y == y0 else 1
            start = 3 * MM
            pdf.line(x + dx * sx * start, y + dy * sy * start,
                     x + dx * sx * (start + 7 * MM), y + dy * sy * (start + 7 * MM))


def document(pages: list[Layout], sheet: Sheet, words: PackText, hotel: dict, title: str,
             marks: bool = False) -> bytes:
    """A tagged PDF of `pages` (layouts) on `sheet`, each shrunk to fit its page."""
    from reportlab.pdfgen.canvas import Canvas

    from lrs_reporter.outputs.tagged import Tags, tagged

    buffer = io.BytesIO()
    pdf = Canvas(buffer, pagesize=(sheet.width * MM, sheet.height * MM), invariant=True,
                 pageCompression=True, initialFontName=REGULAR, lang=words.language)
    pdf.setDateFormatter(lambda *_: "D:20000101000000+00'00'")  # no clock in the bytes
    pdf.setTitle(f"{title}: {hotel['name']}")
    pdf.setAuthor("No Room for Sex Trafficking")
    pdf.setCreator("noroom report --materials")
    tags = Tags(pdf)
    for layout in pages:
        if marks:
            with tags.artifact():
                cut_marks(pdf, sheet)
        s = shrunk(layout, sheet, words, hotel)
        layout(Painter(pdf, tags, sheet.height * MM, words.language), sheet, s, words, hotel)
        pdf.showPage()
        tags.next_page()
    pdf.save()
    return tagged(buffer.getvalue(), tags, words.language)


def png(pdf_bytes: bytes, pixels: int) -> bytes:
    """The first page of `pdf_bytes` rendered `pixels` wide (PDFium), as PNG."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf_bytes)
    try:
        page = doc[0]
        image = page.render(scale=pixels / page.get_width()).to_pil()
        out = io.BytesIO()
        image.convert("RGB").save(out, format="PNG", optimize=True)
        return out.getvalue()
    finally:
        doc.close()


def pack(words: PackText, hotel: dict) -> dict[str, bytes]:
    """file name -> bytes of one hotel's pack in one language."""
    title = words.headline
    square = document([intranet_layout], SQUARE, words, hotel, title)
    wide = document([intranet_layout], WIDE, words, hotel, title)
    return {
        "poster-a4.pdf": document([poster_layout], A4, words, hotel, title),
        "poster-a3.pdf": document([poster_layout], A3, words, hotel, title),
        "flyer-a5.pdf": document([flyer_front, flyer_back], A5, words, hotel, title),
        "door-hanger.pdf": document([hanger_layout], A4, words, hotel, words.staff_only,
                                    marks=True),
        "intranet-1080x1080.png": png(square, 1080),
        "intranet-1920x1080.png": png(wide, 1920),
        "intranet-alt.txt": alt_text(words, hotel).encode("utf-8"),
    }


def alt_text(words: PackText, hotel: dict) -> str:
    """What the intranet images say, as one text for their alt attribute (WCAG 1.1.1): an
    intranet editor pastes it, since a PNG cannot carry it. The same course words, in order."""
    place = ", ".join(v for v in (hotel["name"], hotel["city"]) if v)
    parts = [words.draft or "", f"{words.headline} ({words.course})",
             *(f"{n}. {step}" for n, step in enumerate(words.steps, 1)), words.contacts[0], place]
    return " ".join(p.strip() for p in parts if p and p.strip()) + "\n"


class MaterialsOutput:
    """The pack of every certified hotel, written like the other outputs into the staging
    folder (a failed run leaves the previous pack as it was)."""

    def __init__(self, source: CourseSource, draft: bool = False) -> None:
        self.source, self.draft = source, draft

    def write(self, cert: Certification, out: Path, learners: bool) -> list[Path]:
        from lrs_reporter.outputs.packtext import pack_text

        _register_fonts()
        words = functools.cache(lambda lang, country: pack_text(self.source, lang, country,
                                                                 self.draft))
        countries = set(self.source.config.get("contacts") or {})
        certified = [h for h in records(cert.hotels, certificate_columns(cert), False)
                     if h["certified"]]
        names = file_names([str(h["hotel_id"]) for h in certified])
        jobs = []
        for hotel in certified:
            country = str(hotel["country"]).upper()
            if country not in countries:
                log.warning("no communication pack for hotel %s: course.yaml has no verified "
                            "contacts for country %r; add them (README, Countries)",
                            printable(hotel["hotel_id"]), printable(country))
                continue
            shown = {**hotel, **{k: printable(hotel[k]) for k in ("name", "city")}}
            shown["name"] = shown["name"] or printable(hotel["hotel_id"])
            for lang in certificate_languages(hotel):
                text = words(lang, country)  # here: a refused language stops before any work
                folder = out / "materials" / names[str(hotel["hotel_id"])][:-4] / (
                    f"{lang}-DRAFT" if text.draft else lang)
                folder.mkdir(parents=True, exist_ok=True)
                jobs.append((text, shown, folder))
        on_every_core(_write_packs, jobs, PARALLEL_FROM)
        return [folder / name for _, _, folder in jobs for name in FILES]


# A pack takes about 100 times a certificate's time: worth a second process from a few on.
PARALLEL_FROM = 4
FILES = ("poster-a4.pdf", "poster-a3.pdf", "flyer-a5.pdf", "door-hanger.pdf",
         "intranet-1080x1080.png", "intranet-1920x1080.png", "intranet-alt.txt")


def _write_packs(jobs: list[tuple[PackText, dict, Path]]) -> None:
    _register_fonts()  # once per process; a no-op after the first
    for text, hotel, folder in jobs:
        files = pack(text, hotel)
        assert tuple(files) == FILES
        for name, data in files.items():
            (folder / name).write_bytes(data)
