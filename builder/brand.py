"""Per-chain branding without touching course_src/: `noroom build --brand chain.yaml`.

    name: Grachten Hotels
    logo: logo.svg          # SVG or PNG in chain.yaml's folder (or below), at most 200 KB
    colors: {primary: "#0b4f6c", accent: "#c2185b"}

Colours must keep WCAG 2.1 AA: the primary colour is text on the white page and the background of
the title bar and buttons (with white or black text, whichever contrasts more), so it needs 4.5:1
both ways; the focus ring (accent) needs 3:1 on the white page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from noroom.errors import ConfigError

HEX = re.compile(r"^#([0-9a-fA-F]{6})$")
MAX_LOGO = 200 * 1024


@dataclass(frozen=True)
class Brand:
    name: str
    primary: str
    primary_ink: str
    accent: str
    logo: str | None = None
    logo_bytes: bytes = b""

    def files(self) -> dict[str, bytes]:
        return {self.logo: self.logo_bytes} if self.logo else {}


def luminance(colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _colour(data: dict, key: str, path: Path) -> str:
    value = str((data.get("colors") or {}).get(key, ""))
    if not HEX.match(value):
        raise ConfigError(f"colors.{key} must be a colour like \"#5b2a86\", got {value!r}", path)
    return value.lower()


def load_brand(path: Path) -> Brand:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read the brand file ({exc.__class__.__name__}); it must be "
                          "UTF-8 YAML", path) from exc
    if not isinstance(data, dict) or not str(data.get("name", "")).strip():
        raise ConfigError("needs a `name` (the chain name shown on the title bar)", path)
    primary, accent = _colour(data, "primary", path), _colour(data, "accent", path)
    ink = max(("#ffffff", "#000000"), key=lambda c: contrast(primary, c))
    # The primary colour is also text on the white page (headings, secondary buttons).
    worst = min(contrast(primary, ink), contrast(primary, "#ffffff"))
    if worst < 4.5:
        raise ConfigError(f"colors.primary {primary} gives text contrast {worst:.1f}:1; WCAG AA "
                          "needs 4.5:1 (it is used for headings on white), pick a darker colour",
                          path)
    if contrast(accent, "#ffffff") < 3:
        raise ConfigError(f"colors.accent {accent} has {contrast(accent, '#ffffff'):.1f}:1 on "
                          "white; focus outlines need 3:1 (WCAG 1.4.11), pick a darker colour",
                          path)
    logo, logo_bytes = _logo(data.get("logo"), path)
    return Brand(str(data["name"]).strip(), primary, ink, accent, logo, logo_bytes)


def _logo(value: object, path: Path) -> tuple[str | None, bytes]:
    """(path in the package, bytes) of the logo named in the brand file, or (None, b"").

    The logo must sit in the brand file's folder or below it: a brand file comes from a chain,
    and `../` or an absolute path must not pull other files of the build machine into a package.
    """
    if not value:
        return None, b""
    folder = path.parent.resolve()
    logo_path = (folder / str(value)).resolve()
    if Path(str(value)).is_absolute() or not logo_path.is_relative_to(folder):
        raise ConfigError(f"logo {value!r} is outside the brand file's folder; put the logo "
                          f"in {folder} and name it relative to it, e.g. logo: logo.svg", path)
    if logo_path.suffix.lower() not in (".svg", ".png") or not logo_path.is_file():
        raise ConfigError(f"logo {value!r} must be an existing .svg or .png file next "
                          "to the brand file", path)
    try:
        logo_bytes = logo_path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read logo {value!r}: {exc.strerror}", path) from exc
    if len(logo_bytes) > MAX_LOGO:
        raise ConfigError(f"logo is {len(logo_bytes) // 1024} KB; keep it under "
                          f"{MAX_LOGO // 1024} KB", path)
    if logo_path.suffix.lower() == ".svg":
        from builder.svg import svg_problems

        problems = svg_problems(logo_bytes)
        if problems:
            raise ConfigError(f"logo SVG {value!r} is not a plain drawing (scripts or external "
                              f"references are not allowed): {problems[0]}; export a plain SVG",
                              path)
    return "brand/logo" + logo_path.suffix.lower(), logo_bytes
