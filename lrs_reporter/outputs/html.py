"""dashboard.html: one self-contained page (inline CSS and SVG, nothing fetched), every name
escaped by Jinja2's autoescape, charts drawn here as SVG with text alternatives."""

from __future__ import annotations

from datetime import date, timedelta
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from lrs_reporter.model import CHAIN_COLUMNS, HOTEL_COLUMNS
from lrs_reporter.outputs import quality
from lrs_reporter.outputs.local import long_date
from lrs_reporter.outputs.tables import clean, records

if TYPE_CHECKING:
    from lrs_reporter.model import Certification

CLOSE = 3  # "closest to certification": hotels needing at most this many more learners
LAPSING_DAYS = 90  # "lapsing within 90 days" (issue 17 §1): time to get a few more trained


def lapsing(hotels: list[dict], as_of: date) -> list[dict]:
    """Certified hotels whose certification ends within LAPSING_DAYS of the as-of day, soonest
    first, each with its valid-until date written out."""
    last = (as_of + timedelta(days=LAPSING_DAYS)).isoformat()
    soon = [h for h in hotels if h["certified"] and h["valid_until"]
            and h["valid_until"] <= last]
    return [{**h, "until_text": long_date(h["valid_until"], "en")}
            for h in sorted(soon, key=lambda h: (h["valid_until"], h["hotel_id"]))]


def bars_svg(hotels: list[dict], threshold_pct: float) -> str:
    rows = sorted((h for h in hotels if h["trained_pct"] is not None),
                  key=lambda h: (-h["trained_pct"], h["hotel_id"]))
    bar_h, label_w, width = 18, 220, 460
    height = bar_h * len(rows) + 30
    parts = [f'<svg role="img" aria-labelledby="bars-title" width="{label_w + width + 60}" '
             f'height="{height}" viewBox="0 0 {label_w + width + 60} {height}">',
             '<title id="bars-title">Share of employees trained per hotel</title>']
    for i, h in enumerate(rows):
        y = 10 + i * bar_h
        w = min(h["trained_pct"], 100) / 100 * width
        colour = "#17663a" if h["certified"] else "#8a6bb0"
        parts.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">'
                     f'{escape(str(h["name"])[:32])}</text>'
                     f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{bar_h - 5}" '
                     f'fill="{colour}"/><text x="{label_w + w + 4:.1f}" y="{y + 13}">'
                     f'{h["trained_pct"]}%</text>')
    x = label_w + threshold_pct / 100 * width
    parts.append(f'<line x1="{x:.1f}" y1="5" x2="{x:.1f}" y2="{height - 15}" stroke="#b3124a" '
                 'stroke-dasharray="4 3" stroke-width="2"/></svg>')
    return "".join(parts)


def trend_svg(trend: list[dict]) -> str:
    if not trend:
        return "<p>No trained learners yet.</p>"
    from datetime import date

    w, h, pad = 640, 200, 40
    top = max(t["trained"] for t in trend) or 1
    days = [date.fromisoformat(t["date"]).toordinal() for t in trend]
    span = max(days[-1] - days[0], 1)
    # x is time, not the row number: a quiet month must look flat, not vanish.
    width, height = w - 2 * pad, h - 2 * pad
    pts = [(pad + (d - days[0]) / span * width, h - pad - t["trained"] / top * height)
           for d, t in zip(days, trend, strict=True)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
    first, last = trend[0], trend[-1]
    return (f'<svg role="img" aria-labelledby="trend-title" width="{w}" height="{h}" '
            f'viewBox="0 0 {w} {h}"><title id="trend-title">Trained learners rose from '
            f'{first["trained"]} on {first["date"]} to {last["trained"]} on {last["date"]}</title>'
            f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="#999"/>'
            f'<polyline fill="none" stroke="#5b2a86" stroke-width="2.5" points="{path}"/>'
            f'<text x="{pad}" y="{h - pad + 16}">{escape(first["date"])}</text>'
            f'<text x="{w - pad}" y="{h - pad + 16}" text-anchor="end">'
            f'{escape(last["date"])}</text>'
            f'<text x="{pad - 4}" y="{pad}" text-anchor="end">{top}</text></svg>')


SKIPPED_SHOWN = 50  # lines of warnings.txt the dashboard repeats (it is e-mailed alone)


class DashboardOutput:
    def write(self, cert: Certification, out: Path, learners: bool) -> list[Path]:
        import jinja2

        env = jinja2.Environment(loader=jinja2.PackageLoader("lrs_reporter.outputs", "templates"),
                                 autoescape=True, undefined=jinja2.StrictUndefined)
        hotels = records(cert.hotels, HOTEL_COLUMNS)
        trend = [{"date": str(t.date), "trained": int(t.trained)} for t in cert.trend.itertuples()]
        threshold_pct = float(cert.threshold) * 100
        close = sorted((h for h in hotels if not h["certified"] and h["needed"] is not None
                        and 0 < h["needed"] <= CLOSE), key=lambda h: (h["needed"], h["hotel_id"]))
        html = env.get_template("dashboard.html").render(
            as_of=cert.as_of.isoformat(), threshold_pct=f"{threshold_pct:g}",
            valid_months=cert.valid_months, hotels=hotels,
            chains=records(cert.chains, CHAIN_COLUMNS),
            certified=sum(h["certified"] for h in hotels),
            trained_total=sum(h["trained"] for h in hotels),
            employees_total=sum(h["employees"] for h in hotels), close=close,
            lapsing=lapsing(hotels, cert.as_of), lapsing_days=LAPSING_DAYS,
            bars_svg=bars_svg(hotels, threshold_pct), trend_svg=trend_svg(trend),
            quality=quality.measures(cert), quality_warnings=quality.warnings(cert),
            skipped=[clean(w) for w in cert.warnings[:SKIPPED_SHOWN]],
            skipped_more=max(0, len(cert.warnings) - SKIPPED_SHOWN),
            numbers={clean(h): n for h, n in (cert.certificate_numbers or {}).items()},
            numbered=cert.certificate_numbers is not None,
        )
        path = out / "dashboard.html"
        path.write_text(html, encoding="utf-8")
        return [path]
