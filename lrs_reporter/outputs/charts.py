"""The dashboard's charts as inline SVG that scales to its box (a viewBox, width 100 %), with a
text alternative; nothing fetched, every text escaped.

    histogram(hotels) -> [Bin(label="0 to 10 %", low=0, certified=0, not_certified=12), ...]
    histogram_svg(bins, threshold_pct) -> "<svg ...>"
    trend_svg(trend) -> "<svg ...>"

A histogram rather than one bar per hotel (issue 17 §1: at 2,000 hotels the bar chart was
36,030 px tall, and at 375 px wide every bar looked the same): its size does not grow with the
number of hotels.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape

BIN_PCT = 10  # width of a bin in percent of employees trained
W, H = 400, 230  # viewBox of the histogram; the page scales it to the width of its box
LEFT, RIGHT, TOP, BOTTOM = 34, 8, 40, 40
SLOTS = 100 // BIN_PCT + 1.6  # the bars, a gap, and room for an "over 100 %" bar
CERTIFIED = "#17663a"
NOT_CERTIFIED = "#7a5aa6"
THRESHOLD = "#b3124a"


@dataclass(frozen=True)
class Bin:
    label: str  # "60 to 70 %"; the last regular bin is "90 to 100 %", then "over 100 %"
    low: int  # lower bound in percent; 101 for "over 100 %"
    certified: int
    not_certified: int

    @property
    def total(self) -> int:
        return self.certified + self.not_certified


def bin_of(trained: int, employees: int) -> int:
    """The bin index of a hotel with employees, by exact integers: a hotel on a boundary (60 %
    exactly) counts in the higher bin; 100 % in the last regular bin; over 100 % in its own."""
    if trained > employees:
        return 100 // BIN_PCT
    return min(trained * 100 // (employees * BIN_PCT), 100 // BIN_PCT - 1)


def histogram(hotels: list[dict]) -> list[Bin]:
    """Hotels with employees counted per bin of share trained, certified and not apart. The
    "over 100 %" bin (trained more than its roster's employees: an old roster) only when such
    a hotel exists. Hotels with 0 employees have no share and are in no bin."""
    regular = 100 // BIN_PCT
    counts = [[0, 0] for _ in range(regular + 1)]
    for h in hotels:
        if h["employees"]:
            counts[bin_of(h["trained"], h["employees"])][0 if h["certified"] else 1] += 1
    bins = [Bin(f"{i * BIN_PCT} to {(i + 1) * BIN_PCT} %", i * BIN_PCT, *counts[i])
            for i in range(regular)]
    if sum(counts[regular]):
        bins.append(Bin("over 100 %", 101, *counts[regular]))
    return bins


def _defs() -> str:
    # Certified bars are hatched as well as green: told apart without colour (WCAG 1.4.1).
    return (f'<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
            f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{CERTIFIED}"/>'
            '<line x1="0" y1="0" x2="0" y2="6" stroke="#fff" stroke-width="2.5"/></pattern>'
            '</defs>')


def _left(i: int, bar_w: float) -> float:
    """Left edge of bar i; the "over 100 %" bar stands apart, past a gap."""
    return LEFT + (i if i < 100 // BIN_PCT else i + 0.6) * bar_w


def _bars(bins: list[Bin], top: int, bar_w: float) -> list[str]:
    plot_h = H - TOP - BOTTOM
    parts = []
    for i, b in enumerate(bins):
        x = _left(i, bar_w) + 1.5
        base = H - BOTTOM
        for n, fill, kind in ((b.not_certified, NOT_CERTIFIED, "not-certified"),
                              (b.certified, "url(#hatch)", "certified")):
            if n:
                h = n / top * plot_h
                base -= h
                parts.append(f'<rect class="{kind}" data-bin="{b.low}" data-n="{n}" x="{x:.1f}" '
                             f'y="{base:.1f}" width="{bar_w - 3:.1f}" height="{h:.1f}" '
                             f'fill="{fill}" stroke="{CERTIFIED if kind == "certified" else fill}"'
                             '/>')
        if b.total:
            parts.append(f'<text x="{x + (bar_w - 3) / 2:.1f}" y="{base - 4:.1f}" '
                         f'text-anchor="middle">{b.total}</text>')
    return parts


def _axes(bins: list[Bin], top: int, bar_w: float, threshold_pct: float) -> list[str]:
    base = H - BOTTOM
    parts = [f'<line x1="{LEFT}" y1="{base}" x2="{W - RIGHT}" y2="{base}" stroke="#666"/>',
             f'<text x="{LEFT - 4}" y="{base + 4}" text-anchor="end">0</text>',
             f'<text x="{LEFT - 4}" y="{TOP + 4}" text-anchor="end">{top}</text>',
             f'<line x1="{LEFT}" y1="{TOP}" x2="{W - RIGHT}" y2="{TOP}" stroke="#ddd"/>']
    for pct in range(0, 101, 20):
        x = LEFT + pct / BIN_PCT * bar_w
        parts.append(f'<text x="{x:.1f}" y="{base + 16}" text-anchor="middle">{pct}</text>')
    if len(bins) > 100 // BIN_PCT:
        x = _left(len(bins) - 1, bar_w) + bar_w / 2
        parts.append(f'<text x="{x:.1f}" y="{base + 16}" text-anchor="middle">&gt;100</text>')
    parts.append(f'<text x="{(LEFT + W - RIGHT) / 2:.1f}" y="{H - 6}" text-anchor="middle">'
                 '% of employees trained</text>')
    x = LEFT + threshold_pct / BIN_PCT * bar_w
    right = threshold_pct <= 65  # its label to the right of the line while there is room
    parts.append(f'<line class="threshold" x1="{x:.1f}" y1="{TOP - 22}" x2="{x:.1f}" '
                 f'y2="{base}" stroke="{THRESHOLD}" stroke-width="2.5" stroke-dasharray="5 3"/>'
                 f'<text x="{x + 4 if right else x - 4:.1f}" y="{TOP - 26}" class="strong" '
                 f'text-anchor="{"start" if right else "end"}">'
                 f'{threshold_pct:g}% threshold</text>')
    return parts


def histogram_svg(bins: list[Bin], threshold_pct: float) -> str:
    """The bins as stacked bars (not certified below, certified hatched above), the threshold
    a dashed line; role="img" with a title that sums it up (the table beside it has it all)."""
    top = max((b.total for b in bins), default=0) or 1
    bar_w = (W - LEFT - RIGHT) / SLOTS
    hotels = sum(b.total for b in bins)
    certified = sum(b.certified for b in bins)
    title = (f"Hotels by share of employees trained: {certified} of {hotels} hotels with "
             f"employees are certified; the dashed line is the {threshold_pct:g}% threshold")
    return "".join([f'<svg class="chart" role="img" aria-labelledby="hist-title" width="100%" '
                    f'viewBox="0 0 {W} {H}"><title id="hist-title">{escape(title)}</title>',
                    _defs(), *_axes(bins, top, bar_w, threshold_pct),
                    *_bars(bins, top, bar_w), "</svg>"])


def trend_svg(trend: list[dict]) -> str:
    """Trained learners per day, x placed by date (a quiet month looks flat, not missing)."""
    if not trend:
        return "<p>No trained learners yet.</p>"
    w, h, pad = 400, 190, 36
    top = max(t["trained"] for t in trend) or 1
    days = [date.fromisoformat(t["date"]).toordinal() for t in trend]
    span = max(days[-1] - days[0], 1)
    width, height = w - 2 * pad, h - 2 * pad
    pts = [(pad + (d - days[0]) / span * width, h - pad - t["trained"] / top * height)
           for d, t in zip(days, trend, strict=True)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
    first, last = trend[0], trend[-1]
    return (f'<svg class="chart" role="img" aria-labelledby="trend-title" width="100%" '
            f'viewBox="0 0 {w} {h}"><title id="trend-title">Trained learners rose from '
            f'{first["trained"]} on {first["date"]} to {last["trained"]} on {last["date"]}</title>'
            f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="#999"/>'
            f'<polyline fill="none" stroke="#5b2a86" stroke-width="2.5" points="{path}"/>'
            f'<text x="{pad}" y="{h - pad + 16}">{escape(first["date"])}</text>'
            f'<text x="{w - pad}" y="{h - pad + 16}" text-anchor="end">'
            f'{escape(last["date"])}</text>'
            f'<text x="{pad - 4}" y="{pad}" text-anchor="end">{top}</text></svg>')
