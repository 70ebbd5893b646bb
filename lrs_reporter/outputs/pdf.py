"""certificates/<hotel_id>.pdf for exactly the certified hotels, in the hotel's roster language
(and a second page in the roster's second_language, when it names one); tagged PDF (tagged.py).

ReportLab with the Roboto font (Apache 2.0, from the font-roboto package) so Polish and Hungarian
letters (ł ś ő ű) print; dated from the as-of day, so the same report gives the same bytes.
An unknown roster language falls back to English.

ReportLab, not fpdf2: both embed only the glyphs a page uses, but fpdf2 parses and subsets the
TrueType files again for every document (about 50 ms a certificate, 100 s for 2,000 certified
hotels), while ReportLab parses each font once per process and subsets it in a few
milliseconds (bench/report.py).
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
import unicodedata
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from lrs_reporter.model import HOTEL_COLUMNS
from lrs_reporter.outputs.local import long_date
from lrs_reporter.outputs.tables import records

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

    from lrs_reporter.model import Certification
    from lrs_reporter.outputs.tagged import Tags

PROGRAMME = "No Room for Sex Trafficking"
TEXT = {
    "nl": ("Certificaat", "{hotel} heeft ten minste {pct}% van de medewerkers laten trainen in het "
           "herkennen van signalen van seksuele uitbuiting en in wat je dan doet.",
           "Gecertificeerd op {date}", "Geldig tot en met {date}"),
    "en": ("Certificate", "{hotel} has trained at least {pct}% of its employees to recognise the "
           "signals of sexual exploitation and to know what to do.",
           "Certified on {date}", "Valid until {date}"),
    "pl": ("Certyfikat", "{hotel} przeszkolił co najmniej {pct}% pracowników w rozpoznawaniu "
           "sygnałów wykorzystywania seksualnego i w tym, co wtedy robić.",
           "Data certyfikacji: {date}", "Ważny do {date}"),
    "fr": ("Certificat", "{hotel} a formé au moins {pct} % de son personnel à reconnaître les "
           "signaux d'exploitation sexuelle et à savoir quoi faire.",
           "Certifié le {date}", "Valable jusqu'au {date}"),
    "hu": ("Tanúsítvány", "{hotel} dolgozóinak legalább {pct}%-a elvégezte a képzést a szexuális "
           "kizsákmányolás jeleinek felismeréséről és a teendőkről.",
           "Tanúsítás dátuma: {date}", "Érvényes eddig: {date}"),
    "pt": ("Certificado", "{hotel} formou pelo menos {pct}% do seu pessoal para reconhecer os "
           "sinais de exploração sexual e saber o que fazer.",
           "Certificado em {date}", "Válido até {date}"),
    "es": ("Certificado", "{hotel} ha formado al menos al {pct} % de su personal para "
           "reconocer las señales de explotación sexual y saber qué hacer.",
           "Certificado el {date}", "Válido hasta el {date}"),
}
# The labelled footer (issue 17 §3): issuer, hotel code, certificate number, report date, and
# how the number is checked.
FOOTER = {
    "nl": ("Uitgegeven door", "Hotelcode", "Certificaatnummer", "Rapportdatum",
           "Het programma bevestigt dit nummer op verzoek."),
    "en": ("Issued by", "Hotel code", "Certificate number", "Report date",
           "The programme confirms this number on request."),
    "pl": ("Wydany przez", "Kod hotelu", "Numer certyfikatu", "Data raportu",
           "Program potwierdza ten numer na żądanie."),
    "fr": ("Délivré par", "Code de l'hôtel", "Numéro de certificat", "Date du rapport",
           "Le programme confirme ce numéro sur demande."),
    "hu": ("Kiállította", "Szállodakód", "Tanúsítvány száma", "Jelentés dátuma",
           "A program kérésre megerősíti ezt a számot."),
    "pt": ("Emitido por", "Código do hotel", "Número do certificado", "Data do relatório",
           "O programa confirma este número a pedido."),
    "es": ("Emitido por", "Código del hotel", "Número de certificado", "Fecha del informe",
           "El programa confirma este número a petición."),
}
# The validity the report used, under the dates (issue 17 §1): "{n} {months}" per language.
VALIDITY = {
    "nl": ("Een training telt {n} {months}.", ("maand", "maanden")),
    "en": ("Training counts for {n} {months}.", ("month", "months")),
    "pl": ("Szkolenie jest ważne przez {n} {months}.", ("miesiąc", "miesiące", "miesięcy")),
    "fr": ("Une formation compte pendant {n} {months}.", ("mois", "mois")),
    "hu": ("A képzés {n} {months}ig érvényes.", ("hónap", "hónap")),
    "pt": ("A formação conta durante {n} {months}.", ("mês", "meses")),
    "es": ("La formación cuenta durante {n} {months}.", ("mes", "meses")),
}


def validity_text(months: int, lang: str) -> str:
    """"Training counts for 24 months." in `lang`, with the plural the number takes."""
    text, forms = VALIDITY[lang]
    if lang == "pl":  # 1 miesiąc; 2-4, 22-24 ... miesiące; else miesięcy
        few = months % 10 in (2, 3, 4) and months % 100 not in (12, 13, 14)
        word = forms[0] if months == 1 else forms[1] if few else forms[2]
    else:
        word = forms[0] if months == 1 else forms[1]
    return text.format(n=months, months=word)


SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")
# Names Windows keeps for devices, also with any extension ("nul.pdf", "AUX.pdf.pdf"): such a
# file cannot be opened or copied there (learn.microsoft.com, "Naming Files, Paths, and
# Namespaces"). COM0 and LPT0 included, as some Windows versions reserve them too.
DEVICE_NAMES = frozenset({"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
                         | {f"{p}{n}" for p in ("COM", "LPT") for n in range(10)})


def is_device_name(name: str) -> bool:
    """Whether Windows reads the file name `name` as a device (case and extension ignored)."""
    return name.split(".", 1)[0].rstrip(" ").upper() in DEVICE_NAMES


MM = 72 / 25.4  # points per millimetre
PAGE_W, PAGE_H = 297 * MM, 210 * MM  # A4 landscape
PURPLE, INK = (91 / 255, 42 / 255, 134 / 255), (29 / 255, 29 / 255, 31 / 255)
REGULAR, BOLD = "NoRoom-Roboto", "NoRoom-Roboto-Bold"


def font_path(weight: str) -> str:
    return str(resources.files("font_roboto").joinpath("files", f"Roboto-{weight}.ttf"))


@functools.cache
def _register_fonts() -> None:
    """Parse the two fonts once per process (ReportLab keeps them in its font registry)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(REGULAR, font_path("Regular")))
    pdfmetrics.registerFont(TTFont(BOLD, font_path("Bold")))


def printable(text: object) -> str:
    """`text` as the certificate can print it: control and format characters (a NUL, a
    right-to-left override) dropped, and a character Roboto has no glyph for shown as "?"
    rather than left out, so the printed name never silently reads as another name."""
    from reportlab.pdfbase.pdfmetrics import getFont

    _register_fonts()
    glyphs = getFont(REGULAR).face.charToGlyph
    kept = "".join(c for c in str(text) if c.isspace()
                   or unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co", "Cn"))
    return " ".join("".join(c if ord(c) in glyphs else "?" for c in word)  # tabs, breaks: " "
                    for word in kept.split())


def wrapped(text: str, font: str, size: float, width: float, limit: int) -> list[str]:
    """`text` broken into lines no wider than `width` points, at spaces, and inside a word only
    when the word alone is wider than a line; at most `limit` + 1 lines (more than `limit`
    means it does not fit: the rest is not worked out)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    line = ""
    for word in text.split():
        while len(lines) <= limit and stringWidth(word, font, size) > width and len(word) > 1:
            low, high = 1, len(word) - 1  # the longest head that fits, by halving: a hostile
            while low < high:             # name may be a single 10,000-letter word
                mid = (low + high + 1) // 2
                if stringWidth(word[:mid], font, size) <= width:
                    low = mid
                else:
                    high = mid - 1
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:low])
            word = word[low:]
        if len(lines) > limit:
            break
        candidate = f"{line} {word}" if line else word
        if line and stringWidth(candidate, font, size) > width:
            lines.append(line)
            candidate = word
        line = candidate
    return ([*lines, line] if line else lines)[:limit + 1]


def fitted(text: str, font: str, width: float, sizes: tuple[float, ...], max_lines: int,
           ) -> tuple[list[str], float]:
    """The lines of `text` at the largest font size at which it wraps into `max_lines` lines
    of `width` points; at the smallest size, its first lines, the last cut with an ellipsis."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    for size in sizes:
        lines = wrapped(text, font, size, width, max_lines)
        if len(lines) <= max_lines:
            return lines, size
    lines = lines[:max_lines]
    last = lines[-1]
    while last and stringWidth(last + " …", font, size) > width:
        last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
    lines[-1] = f"{last} …"
    return lines, size


def certificate(hotel: dict, cert: Certification) -> bytes:
    """A tagged PDF: one A4 landscape page in the hotel's language, and, when the roster names
    a second language for its staff (`second_language`), a second page saying the same in that
    language (issue 17 §3). A whole page per language rather than both on one: each stays the
    size a framed certificate is read at, and a hotel can hang the one its staff read.

    Every block has a fixed band (positions in mm from the top), so a long hotel name shrinks
    (and at worst is cut) instead of pushing the dates over the frame. Dates are written in the
    page's language; the footer names the issuer, the hotel code, the certificate number (only
    when the report was numbered: cert.certificate_numbers) and the report date."""
    from reportlab.pdfgen.canvas import Canvas

    from lrs_reporter.outputs.tagged import Tags, tagged

    _register_fonts()
    langs = certificate_languages(hotel)
    hotel = {**hotel, **{k: printable(hotel[k]) for k in ("hotel_id", "name", "city", "country")}}
    hotel["name"] = hotel["name"] or hotel["hotel_id"] or "?"  # a roster row without a name
    buffer = io.BytesIO()
    pdf = Canvas(buffer, pagesize=(PAGE_W, PAGE_H), invariant=True, pageCompression=True,
                 initialFontName=REGULAR,  # else an unused, unembedded Helvetica is listed
                 lang=langs[0])  # the catalog's /Lang: screen readers pick the hotel's language
    stamp = f"D:{cert.as_of:%Y%m%d}000000+00'00'"
    pdf.setDateFormatter(lambda *_: stamp)  # the as-of day, not the clock
    title = TEXT[langs[0]][0]
    pdf.setTitle(f"{title}: {hotel['name']}")
    pdf.setAuthor(PROGRAMME)
    pdf.setSubject(f"{PROGRAMME}: {title}")
    pdf.setCreator("noroom report")
    tags = Tags(pdf)
    for lang in langs:
        certificate_page(pdf, tags, hotel, cert, lang)
        pdf.showPage()
        tags.next_page()
    pdf.save()
    return tagged(buffer.getvalue(), tags, langs[0])


def certificate_languages(hotel: dict) -> list[str]:
    """[the hotel's language] or [it, the second language]; an unknown language is English."""
    first = str(hotel.get("language") or "").lower()
    first = first if first in TEXT else "en"
    second = str(hotel.get("second_language") or "").lower()
    return [first, second] if second in TEXT and second != first else [first]


def certificate_page(pdf: Canvas, tags: Tags, hotel: dict, cert: Certification,
                     lang: str) -> None:
    """One page of the certificate in `lang`, every text in a structure element."""
    title, body, on_label, until_label = TEXT[lang]

    def centred(top_mm: float, text: str, font: str, size: float, more: bool = False) -> None:
        """`more`: a line that the next one continues. It ends in a space, set after the
        centred text, so that text extraction and screen readers keep the two words apart."""
        from reportlab.pdfbase.pdfmetrics import stringWidth

        pdf.setFont(font, size)
        x = PAGE_W / 2 - stringWidth(text, font, size) / 2
        pdf.drawString(x, PAGE_H - top_mm * MM, text + (" " if more else ""))

    with tags.artifact():
        pdf.setStrokeColorRGB(*PURPLE)
        pdf.setLineWidth(2 * MM)
        pdf.rect(10 * MM, 10 * MM, 277 * MM, 190 * MM)
    pdf.setFillColorRGB(*PURPLE)
    with tags.mark(tags.element("P", lang)):
        centred(33, PROGRAMME, BOLD, 16)
    with tags.mark(tags.element("H1", lang)):
        centred(53, title, BOLD, 40)
    pdf.setFillColorRGB(*INK)
    names, size = fitted(str(hotel["name"]), BOLD, 237 * MM, (28, 24, 20, 17), 2)
    top = 64 + size * 0.36  # band 64-92 mm: two lines of the name
    with tags.mark(tags.element("H2", lang)):
        for i, line in enumerate(names):
            centred(top, line, BOLD, size, i < len(names) - 1)
            top += size * 0.5
    place = ", ".join(x for x in (hotel["city"], hotel["country"]) if x)
    with tags.mark(tags.element("P", lang)):
        centred(max(top - size * 0.5 + 8.5, 85), place, REGULAR, 13)
    pct = f"{float(cert.threshold) * 100:g}"
    name = " ".join(names) if names[-1].endswith("…") else hotel["name"]
    lines, size = fitted(body.format(hotel=name, pct=pct), REGULAR, 217 * MM, (15, 13, 11), 4)
    top = 102 + size * 0.4  # band 102-142 mm: up to four lines of text
    with tags.mark(tags.element("P", lang)):
        for i, line in enumerate(lines):
            centred(top, line, REGULAR, size, i < len(lines) - 1)
            top += size * 0.6
    dates = tags.element("P", lang)
    with tags.mark(dates):
        centred(148, on_label.format(date=long_date(hotel["certified_on"], lang)), BOLD, 14)
        if hotel.get("valid_until"):
            centred(156, until_label.format(date=long_date(hotel["valid_until"], lang)), BOLD,
                    14)
    if cert.valid_months:
        with tags.mark(tags.element("P", lang)):
            centred(163, validity_text(cert.valid_months, lang), REGULAR, 10)
    footer(pdf, tags, hotel, cert, lang)


def footer(pdf: Canvas, tags: Tags, hotel: dict, cert: Certification, lang: str) -> None:
    """The labelled footer, in a band 170-193 mm from the top: a rule, the issuer, then hotel
    code, certificate number and report date, then how the number is checked."""
    issued_by, code_label, number_label, date_label, check = FOOTER[lang]
    number = (cert.certificate_numbers or {}).get(str(hotel["hotel_id"]))
    with tags.artifact():
        pdf.setStrokeColorRGB(*PURPLE)
        pdf.setLineWidth(0.3 * MM)
        pdf.line(60 * MM, PAGE_H - 170 * MM, PAGE_W - 60 * MM, PAGE_H - 170 * MM)
    pdf.setFillColorRGB(*INK)
    colon = "\u00a0: " if lang == "fr" else ": "  # French sets a space before the colon
    facts = [f"{code_label}{colon}{hotel['hotel_id']}"]
    if number:
        facts.append(f"{number_label}{colon}{number}")
    facts.append(f"{date_label}{colon}{long_date(cert.as_of, lang)}")
    lines = [(f"{issued_by}{colon}{PROGRAMME}", BOLD), ("   ·   ".join(facts), REGULAR)]
    if number:
        lines.append((check, REGULAR))
    for i, (text, font) in enumerate(lines):
        # a long hotel code must not run over the frame: shrink, and at worst cut with "…"
        cut, size = fitted(text, font, 255 * MM, (10, 9, 8), 1)
        with tags.mark(tags.element("P", lang)):
            pdf.setFont(font, size)
            pdf.drawCentredString(PAGE_W / 2, PAGE_H - (177 + i * 6) * MM, cut[0])


def file_names(hotel_ids: list[str]) -> dict[str, str]:
    """hotel_id -> a safe certificate file name, unique even where case is ignored.

    An id made only of letters, digits, '.', '_' and '-' (not starting with '.', at most 80
    characters) is its own name: NL-AMS-001 gets NL-AMS-001.pdf. Any other id gets its safe
    form plus a short hash of the id ("A/B" -> A_B-<hash>.pdf), so it cannot overwrite the
    hotel "A_B"; so do ids that differ only in case (one file on macOS and Windows) and ids
    that are a Windows device name (CON, nul.x, COM1: CON-<hash>.pdf).
    """
    def digest(hid: str, n: int = 10) -> str:
        return hashlib.sha256(hid.encode("utf-8")).hexdigest()[:n]

    safe = [h for h in hotel_ids if SAFE_NAME.search(h) is None and not h.startswith(".")
            and 0 < len(h) <= 80 and not is_device_name(h)]
    folded: dict[str, int] = {}
    for hid in safe:
        folded[hid.lower()] = folded.get(hid.lower(), 0) + 1
    names = {}
    for hid in hotel_ids:
        if hid in safe and folded[hid.lower()] == 1:
            names[hid] = hid
        else:
            base = SAFE_NAME.sub("_", hid).lstrip(".")[:80] or "hotel"
            if is_device_name(base):  # "AUX.pdf" -> "AUX_pdf-<hash>", not "AUX.pdf-<hash>"
                base = base.replace(".", "_")
            names[hid] = base + "-" + digest(hid)
    taken: set[str] = set()
    for hid in sorted(hotel_ids):  # a hashed name equal to another id: the full hash
        if names[hid].lower() in taken:
            names[hid] = f"{names[hid]}-{digest(hid, 64)}"
        taken.add(names[hid].lower())
    return {hid: name + ".pdf" for hid, name in names.items()}


def certificate_columns(cert: Certification) -> list[str]:
    """HOTEL_COLUMNS, and the roster's second_language when the report has it."""
    extra = ["second_language"] if "second_language" in cert.hotels.columns else []
    return HOTEL_COLUMNS + extra


class CertificatesOutput:
    def write(self, cert: Certification, out: Path, learners: bool) -> list[Path]:
        folder = out / "certificates"
        folder.mkdir(parents=True, exist_ok=True)  # a staging folder: publish() removes the
        # certificates of hotels no longer certified (outputs.OWNED)
        certified = [h for h in records(cert.hotels, certificate_columns(cert), False)
                     if h["certified"]]
        names = file_names([str(h["hotel_id"]) for h in certified])
        jobs = [(hotel, folder / names[str(hotel["hotel_id"])]) for hotel in certified]
        write_certificates(cert, jobs)
        return [path for _, path in jobs]


# Below this many certificates one process is quicker than starting another.
PARALLEL_FROM = 48
_SHARED: tuple[Callable[[list], None], list] | None = None


def write_certificates(cert: Certification, jobs: list[tuple[dict, Path]],
                       workers: int | None = None) -> None:
    """Write each (hotel, path) certificate, on every core where fork is available (issue 14,
    item 6: 1,000 certificates were most of a report's time). Each file is made alone, so the
    bytes do not depend on the number of workers; an error in any worker is raised here."""
    def share(part: list[tuple[dict, Path]]) -> None:
        for hotel, path in part:
            path.write_bytes(certificate(hotel, cert))

    on_every_core(share, jobs, PARALLEL_FROM, workers)


def on_every_core(work: Callable[[list], None], jobs: list, parallel_from: int,
                  workers: int | None = None) -> None:
    """`work(share)` over `jobs` split in one share per core (fork, Linux, from
    `parallel_from` jobs on; else all in this process). The children inherit `work` and the
    parsed fonts by fork instead of pickling them; an error in any share is raised here."""
    import os
    import sys

    workers = workers or (os.cpu_count() or 1)
    if workers < 2 or len(jobs) < parallel_from or sys.platform != "linux":
        work(jobs)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _SHARED
    _register_fonts()  # parsed once here; the forked workers inherit the parsed fonts
    _SHARED = (work, jobs)  # inherited by fork, not pickled
    try:
        with ProcessPoolExecutor(workers - 1,
                                 mp_context=multiprocessing.get_context("fork")) as pool:
            shares = [pool.submit(_forked_share, k, workers) for k in range(1, workers)]
            work(jobs[::workers])  # this process takes share 0 meanwhile
            for share in shares:
                share.result()
    finally:
        _SHARED = None


def _forked_share(k: int, n: int) -> None:
    assert _SHARED is not None
    work, jobs = _SHARED
    work(jobs[k::n])
