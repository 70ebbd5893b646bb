"""certificates/<hotel_id>.pdf for exactly the certified hotels, in the hotel's roster language.

fpdf2 with the Roboto font (Apache 2.0, from the font-roboto package) so Polish and Hungarian
letters (ł ś ő ű) print; dated from the as-of day, so the same report gives the same bytes.
An unknown roster language falls back to English.
"""

from __future__ import annotations

import re
from datetime import datetime, time
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from lrs_reporter.model import HOTEL_COLUMNS
from lrs_reporter.outputs.tables import records

if TYPE_CHECKING:
    from lrs_reporter.model import Certification

PROGRAMME = "No Room for Sex Trafficking"
TEXT = {
    "nl": ("Certificaat", "{hotel} heeft ten minste {pct}% van de medewerkers laten trainen in het "
           "herkennen van signalen van seksuele uitbuiting en in wat je dan doet.",
           "Gecertificeerd op", "Geldig tot"),
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
           "Tanúsítás dátuma", "Érvényes"),
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


def certificate(hotel: dict, cert: Certification) -> bytes:
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
    pdf.set_y(28)
    pdf.cell(0, 10, PROGRAMME, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Roboto", "B", 40)
    pdf.cell(0, 24, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(29, 29, 31)
    pdf.set_font("Roboto", "B", 28)
    pdf.ln(6)
    pdf.multi_cell(0, 14, str(hotel["name"]), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Roboto", "", 13)
    pdf.cell(0, 8, ", ".join(x for x in (hotel["city"], hotel["country"]) if x), align="C",
             new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_x(40)
    pct = f"{float(cert.threshold) * 100:g}"
    pdf.set_font("Roboto", "", 15)
    pdf.multi_cell(217, 9, body.format(hotel=hotel["name"], pct=pct), align="C",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    pdf.set_font("Roboto", "B", 14)
    pdf.cell(0, 9, f"{on_label}: {hotel['certified_on']}", align="C", new_x="LMARGIN",
             new_y="NEXT")
    if hotel.get("valid_until"):
        pdf.cell(0, 9, f"{until_label}: {hotel['valid_until']}", align="C", new_x="LMARGIN",
                 new_y="NEXT")
    pdf.set_font("Roboto", "", 10)
    pdf.set_y(185)
    pdf.cell(0, 6, f"{hotel['hotel_id']} · {cert.as_of.isoformat()}", align="C")
    return bytes(pdf.output())


class CertificatesOutput:
    def write(self, cert: Certification, out: Path, learners: bool) -> list[Path]:
        folder = out / "certificates"
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.pdf"):  # a hotel no longer certified must lose its PDF
            old.unlink()
        written = []
        for hotel in records(cert.hotels, HOTEL_COLUMNS):
            if hotel["certified"]:
                path = folder / f"{SAFE_NAME.sub('_', str(hotel['hotel_id']))}.pdf"
                path.write_bytes(certificate(hotel, cert))
                written.append(path)
        return written
