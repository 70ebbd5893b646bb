"""Dates as a hotel reads them in its language (issue 17 §3): "25 april 2026", "1er mai 2026",
"2026. április 25.", "25 kwietnia 2026".

A small table rather than Babel or the C library's locales: seven languages, and the same bytes
on every machine whatever locales it has installed. Month names as the languages' own style
guides write dates in running text: lower case except in English; Polish in the genitive
("kwietnia", as in "25 kwietnia 2026"); French writes the first of the month "1er";
Portuguese and Spanish join with "de"; Hungarian puts the year first ("2026. április 25.").
"""

from __future__ import annotations

from datetime import date

MONTHS = {
    "nl": "januari februari maart april mei juni juli augustus september oktober november "
          "december",
    "en": "January February March April May June July August September October November "
          "December",
    "pl": "stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października "
          "listopada grudnia",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "hu": "január február március április május június július augusztus szeptember október "
          "november december",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro "
          "dezembro",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
          "diciembre",
}
MONTH_NAMES = {lang: tuple(names.split()) for lang, names in MONTHS.items()}


def long_date(day: date | str, language: str) -> str:
    """`day` (a date or ISO text) written out in `language` (nl en pl fr hu pt es; any other
    language gets English)."""
    if isinstance(day, str):
        day = date.fromisoformat(day)
    lang = language.lower() if language.lower() in MONTH_NAMES else "en"
    month = MONTH_NAMES[lang][day.month - 1]
    if lang == "hu":
        return f"{day.year}. {month} {day.day}."
    if lang in ("pt", "es"):
        return f"{day.day} de {month} de {day.year}"
    if lang == "fr" and day.day == 1:
        return f"1er {month} {day.year}"
    return f"{day.day} {month} {day.year}"
