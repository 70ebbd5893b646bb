"""certificates/<hotel_id>.pdf for exactly the certified hotels, in the hotel's roster language.

fpdf2 with the Roboto font (Apache 2.0, from the font-roboto package) so Polish and Hungarian
letters (ł ś ő ű) print; dated from the as-of day, so the same report gives the same bytes.
An unknown roster language falls back to English.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, time
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from lrs_reporter.model import HOTEL_COLUMNS
from lrs_reporter.outputs.tables import records

if TYPE_CHECKING:
    from fpdf import FPDF

    from lrs_reporter.model import Certification

PROGRAMME = "No Room for Sex Trafficking"
TEXT = {
    "nl": ("Certificaat", "{hotel} heeft ten minste {pct}% van de medewerkers laten trainen in het "
           "herkennen van signalen van seksuele uitbuiting en in wat je dan doet.",
           "Gecertificeerd op", "Geldig tot en met"),
    "en": ("Certificate", "{hotel} has trained at least {pct}% of its employees to recognise the "
           "signals of sexual exploitation and to know what to do.",
           "Certified on", "Valid until"),
    "pl": ("Certyfikat", "{hotel} przeszkolił co najmniej {pct}% pracowników w rozpoznawaniu "
           "sygnałów wykorzystywania seksualnego i w tym, co wtedy robić.",
           "Data certyfikacji", "Ważny do"),
    "fr": ("Certificat", "{hotel} a formé au moins {pct} % de son personnel à reconnaître les "
           "signaux d'exploitation sexuelle et à savoir quoi faire.",
           "Certifié le", "Valable jusqu'au"),
    "hu": ("Tanúsítvány", "{hotel} dolgozóinak legalább {pct}%-a elvégezte a képzést a szexuális "
           "kizsákmányolás jeleinek felismeréséről és a teendőkről.",
           "Tanúsítás dátuma", "Érvényes eddig"),
    "pt": ("Certificado", "{hotel} formou pelo menos {pct}% do seu pessoal para reconhecer os "
           "sinais de exploração sexual e saber o que fazer.",
           "Certificado em", "Válido até"),
    "es": ("Certificado", "{hotel} ha formado al menos al {pct} % de su personal para "
           "reconocer las señales de explotación sexual y saber qué hacer.",
           "Certificado el", "Válido hasta"),
}
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


def font_path(weight: str) -> str:
    return str(resources.files("font_roboto").joinpath("files", f"Roboto-{weight}.ttf"))


def fitted(pdf: FPDF, text: str, width: float, sizes: tuple[int, ...], max_lines: int,
           ) -> tuple[str, int]:
    """The largest font size at which `text` wraps into `max_lines` lines in `width` mm; at the
    smallest size, the text cut with an ellipsis so that it does. The font family is set."""
    for size in sizes:
        pdf.set_font_size(size)
        if len(pdf.multi_cell(width, 5, text, dry_run=True, output="LINES")) <= max_lines:
            return text, size
    words = text.split()
    while len(words) > 1:
        words.pop()
        cut = " ".join(words) + " …"
        if len(pdf.multi_cell(width, 5, cut, dry_run=True, output="LINES")) <= max_lines:
            return cut, sizes[-1]
    return text[:40] + "…", sizes[-1]


def certificate(hotel: dict, cert: Certification) -> bytes:
    """One A4 landscape page. Every block has a fixed band, so a long hotel name shrinks (and
    at worst is cut) instead of pushing the dates over the frame."""
    from fpdf import FPDF

    title, body, on_label, until_label = TEXT.get(str(hotel["language"]).lower(), TEXT["en"])
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_creation_date(datetime.combine(cert.as_of, time()))
    pdf.set_title(f"{title}: {hotel['name']}")
    pdf.set_author(PROGRAMME)
    pdf.add_font("Roboto", "", font_path("Regular"))
    pdf.add_font("Roboto", "B", font_path("Bold"))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_draw_color(91, 42, 134)
    pdf.set_line_width(2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_text_color(91, 42, 134)
    pdf.set_font("Roboto", "B", 16)
    pdf.set_y(26)
    pdf.cell(0, 10, PROGRAMME, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Roboto", "B", 40)
    pdf.cell(0, 22, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(29, 29, 31)
    pdf.set_font("Roboto", "B")
    name, size = fitted(pdf, str(hotel["name"]), 237, (28, 24, 20, 17), 2)
    pdf.set_xy(30, 64)  # band 64-92 mm: two lines of the name
    pdf.multi_cell(237, size * 0.5, name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Roboto", "", 13)
    pdf.set_y(max(pdf.get_y() + 1, 80))
    pdf.cell(0, 8, ", ".join(x for x in (hotel["city"], hotel["country"]) if x), align="C",
             new_x="LMARGIN", new_y="NEXT")
    pct = f"{float(cert.threshold) * 100:g}"
    pdf.set_font("Roboto", "")
    text, size = fitted(pdf, body.format(hotel=name, pct=pct), 217, (15, 13, 11), 4)
    pdf.set_xy(40, 102)  # band 102-142 mm: up to four lines of text
    pdf.multi_cell(217, size * 0.6, text, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Roboto", "B", 14)
    pdf.set_y(148)
    pdf.cell(0, 9, f"{on_label}: {hotel['certified_on']}", align="C", new_x="LMARGIN",
             new_y="NEXT")
    if hotel.get("valid_until"):
        pdf.cell(0, 9, f"{until_label}: {hotel['valid_until']}", align="C", new_x="LMARGIN",
                 new_y="NEXT")
    pdf.set_font("Roboto", "", 10)
    pdf.set_y(185)
    pdf.cell(0, 6, f"{hotel['hotel_id']} · {cert.as_of.isoformat()}", align="C")
    return bytes(pdf.output())


def file_names(hotel_ids: list[str]) -> dict[str, str]:
    """hotel_id -> a safe certificate file name, unique even where case is ignored.

    An id made only of letters, digits, '.', '_' and '-' (not starting with '.', at most 80
    characters) is its own name: NL-AMS-001 gets NL-AMS-001.pdf. Any other id gets its safe
    form plus a short hash of the id ("A/B" -> A_B-<hash>.pdf), so it cannot overwrite the
    hotel "A_B"; so do ids that differ only in case (one file on macOS and Windows).
    """
    def digest(hid: str, n: int = 10) -> str:
        return hashlib.sha256(hid.encode("utf-8")).hexdigest()[:n]

    safe = [h for h in hotel_ids if SAFE_NAME.search(h) is None and not h.startswith(".")
            and 0 < len(h) <= 80]
    folded: dict[str, int] = {}
    for hid in safe:
        folded[hid.lower()] = folded.get(hid.lower(), 0) + 1
    names = {}
    for hid in hotel_ids:
        if hid in safe and folded[hid.lower()] == 1:
            names[hid] = hid
        else:
            names[hid] = (SAFE_NAME.sub("_", hid).lstrip(".")[:80] or "hotel") + "-" + digest(hid)
    taken: set[str] = set()
    for hid in sorted(hotel_ids):  # a hashed name equal to another id: the full hash
        if names[hid].lower() in taken:
            names[hid] = f"{names[hid]}-{digest(hid, 64)}"
        taken.add(names[hid].lower())
    return {hid: name + ".pdf" for hid, name in names.items()}


class CertificatesOutput:
    def write(self, cert: Certification, out: Path, learners: bool) -> list[Path]:
        folder = out / "certificates"
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.pdf"):  # a hotel no longer certified must lose its PDF
            old.unlink()
        certified = [h for h in records(cert.hotels, HOTEL_COLUMNS) if h["certified"]]
        names = file_names([str(h["hotel_id"]) for h in certified])
        written = []
        for hotel in certified:
            path = folder / names[str(hotel["hotel_id"])]
            path.write_bytes(certificate(hotel, cert))
            written.append(path)
        return written
