"""Package formats by name: one module each, one line here."""

from __future__ import annotations

from builder.formats.base import BuildOptions, Format, MultiLanguageFormat
from builder.formats.cmi5 import Cmi5Format
from builder.formats.scorm import Scorm12Format, Scorm2004Format
from builder.formats.web import WebFormat
from builder.formats.xapi import XapiFormat

FORMATS: dict[str, Format] = {
    f.name: f for f in (Scorm12Format(), Scorm2004Format(), XapiFormat(), Cmi5Format(),
                                WebFormat())
}

__all__ = ["FORMATS", "BuildOptions", "Format", "MultiLanguageFormat"]
