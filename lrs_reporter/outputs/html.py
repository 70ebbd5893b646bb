"""dashboard.html: one self-contained page (inline CSS, SVG and one small script; nothing
fetched), every name escaped by Jinja2's autoescape, charts with text alternatives.

The page's Content-Security-Policy allows no fetch of any kind and only the one script, by its
hash (templates/dashboard.js, which reads the hotel table and holds no data): a name that got
past the escaping still could not run or load anything. Without that script the page is whole,
only the hotel table cannot be sorted or filtered and shows every row.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

from lrs_reporter.model import CHAIN_COLUMNS, HOTEL_COLUMNS
from lrs_reporter.outputs import charts, quality
from lrs_reporter.outputs.local import long_date
from lrs_reporter.outputs.tables import clean, records

if TYPE_CHECKING:
    from lrs_reporter.model import Certification

CLOSE = 3  # "closest to certification": hotels needing at most this many more learners
LAPSING_DAYS = 90  # "lapsing within 90 days" (issue 17 §1): time to get a few more trained
LISTED_ROWS = 10  # rows of the lapsing and closest lists; the hotel table's filter has the rest
SKIPPED_SHOWN = 50  # lines of warnings.txt the dashboard repeats (it is e-mailed alone)
# A hotel's state in the hotel table: its sort rank, the Status filter and the Certified cell.
STATES = {"certified": (0, "Yes"), "lapsing": (1, "Yes, lapsing"), "close": (2, "No"),
          "not": (3, "No"), "none": (4, "No employees")}


def lapsing(hotels: list[dict], as_of: date) -> list[dict]:
    """Certified hotels whose certification ends within LAPSING_DAYS of the as-of day, soonest
    first, each with its valid-until date written out."""
    last = (as_of + timedelta(days=LAPSING_DAYS)).isoformat()
    soon = [h for h in hotels if h["certified"] and h["valid_until"]
            and h["valid_until"] <= last]
    return [{**h, "until_text": long_date(h["valid_until"], "en")}
            for h in sorted(soon, key=lambda h: (h["valid_until"], h["hotel_id"]))]


def closest(hotels: list[dict]) -> list[dict]:
    """Hotels not certified that need at most CLOSE more learners, fewest first."""
    return sorted((h for h in hotels if not h["certified"] and h["needed"] is not None
                   and 0 < h["needed"] <= CLOSE), key=lambda h: (h["needed"], h["hotel_id"]))


def with_state(hotels: list[dict], lapsing_ids: set[str]) -> list[SimpleNamespace]:
    """Each hotel with `state` (a key of STATES), its `rank` and `status` text; as attributes,
    which the template reads four times faster than dict keys (2,000 rows: issue 17 §1)."""
    out = []
    for h in hotels:
        state = ("none" if not h["employees"] else
                 ("lapsing" if h["hotel_id"] in lapsing_ids else "certified") if h["certified"]
                 else "close" if h["needed"] is not None and h["needed"] <= CLOSE else "not")
        rank, status = STATES[state]
        out.append(SimpleNamespace(**h, state=state, rank=rank, status=status))
    return out


def script() -> tuple[str, str]:
    """The table script and its CSP source ('sha256-...')."""
    text = resources.files("lrs_reporter.outputs").joinpath("templates/dashboard.js").read_text(
        encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return text, f"'sha256-{digest}'"


def context(cert: Certification) -> dict:
    """Everything the template shows, as plain values (names cleaned, not yet escaped)."""
    hotels = records(cert.hotels, HOTEL_COLUMNS)
    trend = [{"date": str(t.date), "trained": int(t.trained)} for t in cert.trend.itertuples()]
    threshold_pct = float(cert.threshold) * 100
    soon = lapsing(hotels, cert.as_of)
    js, js_hash = script()
    return dict(
        as_of=cert.as_of.isoformat(), threshold_pct=f"{threshold_pct:g}",
        valid_months=cert.valid_months, hotels=with_state(hotels, {h["hotel_id"] for h in soon}),
        chains=records(cert.chains, CHAIN_COLUMNS),
        countries=sorted({h["country"] for h in hotels if h["country"]}),
        certified=sum(h["certified"] for h in hotels),
        trained_total=sum(h["trained"] for h in hotels),
        employees_total=sum(h["employees"] for h in hotels), close=closest(hotels), close_n=CLOSE,
        lapsing=soon, lapsing_days=LAPSING_DAYS, listed_rows=LISTED_ROWS,
        bins=charts.histogram(hotels), no_employees=sum(not h["employees"] for h in hotels),
        trend_svg=charts.trend_svg(trend),
        quality=quality.measures(cert), quality_warnings=quality.warnings(cert),
        skipped=[clean(w) for w in cert.warnings[:SKIPPED_SHOWN]],
        skipped_more=max(0, len(cert.warnings) - SKIPPED_SHOWN),
        numbers={clean(h): n for h, n in (cert.certificate_numbers or {}).items()},
        numbered=cert.certificate_numbers is not None, script=js, script_hash=js_hash,
    )


class DashboardOutput:
    def write(self, cert: Certification, out: Path, learners: bool) -> list[Path]:
        import jinja2
        from markupsafe import Markup

        env = jinja2.Environment(loader=jinja2.PackageLoader("lrs_reporter.outputs", "templates"),
                                 autoescape=True, undefined=jinja2.StrictUndefined)
        env.filters["n"] = lambda v: f"{v:,}"
        values = context(cert)
        threshold = float(cert.threshold) * 100
        values["histogram_svg"] = Markup(charts.histogram_svg(values["bins"], threshold))
        values["trend_svg"] = Markup(values["trend_svg"])
        values["script"] = Markup(values["script"])  # our own file, no data in it
        path = out / "dashboard.html"
        path.write_text(env.get_template("dashboard.html").render(**values), encoding="utf-8")
        return [path]
