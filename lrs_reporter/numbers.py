"""Certificate numbers (issue 17 §3): numbered by the programme, checked by `noroom verify`.

    key = load_key(key_file)                       # NOROOM_CERT_KEY, else the file; None: no key
    number = certificate_number(key, "NL-AMS-001", date(2026, 4, 25), date(2028, 4, 24))
    hotel = verify(number, certification_json_dict, key)   # the hotel row, or NoroomError

A number is the first 80 bits of HMAC-SHA256(key, hotel id, certification date, valid-until) in
base32, as NR-XXXX-XXXX-XXXX-XXXX. Only who holds the programme's key can make a number that
verifies, and a number stops verifying when any of the three facts changes (a later
certification with other dates gets another number). The key is only ever passed to `hmac`:
no message, log or output holds it, nor anything derived from it but the numbers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from noroom.errors import ConfigError, NoroomError

if TYPE_CHECKING:
    from lrs_reporter.model import Certification

KEY_ENV = "NOROOM_CERT_KEY"
PREFIX = "NR"
# Base32 has no 0, 1, 8 or 9: read a hand-typed 0 as O and 1 as I.
TYPED = str.maketrans({"0": "O", "1": "I", "8": "B"})


def load_key(key_file: Path | None = None) -> bytes | None:
    """The programme's key: $NOROOM_CERT_KEY when set, else the contents of `key_file` (one
    line; surrounding white space ignored), else None. ConfigError (naming the file or the
    variable, never the key) when the key is empty, or the file unreadable or readable by
    other users (like --lrs-config)."""
    value = os.environ.get(KEY_ENV)
    if value is not None:
        if not value.strip():
            raise ConfigError(f"{KEY_ENV} is set but empty; set it to the programme's key or "
                              "unset it")
        return value.strip().encode("utf-8")
    if key_file is None:
        return None
    import stat

    try:
        if key_file.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ConfigError(f"is readable by other users; run `chmod 600 {key_file}` first",
                              key_file)
        key = key_file.read_bytes().strip()
    except OSError as exc:
        raise ConfigError(f"cannot read the certificate key file ({exc.strerror}); check "
                          "--cert-key-file", key_file) from exc
    if not key:
        raise ConfigError("the certificate key file is empty; write the programme's key in it",
                          key_file)
    return key


def certificate_number(key: bytes, hotel_id: str, certified_on: date | str,
                       valid_until: date | str | None) -> str:
    """NR-XXXX-XXXX-XXXX-XXXX for these three facts; dates as date or ISO text."""
    facts = [str(hotel_id), _iso(certified_on), _iso(valid_until)]
    message = json.dumps(facts, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    digest = hmac.new(key, message, hashlib.sha256).digest()
    code = base64.b32encode(digest[:10]).decode("ascii")  # 80 bits, 16 letters, no padding
    return "-".join([PREFIX] + [code[i:i + 4] for i in range(0, 16, 4)])


def _iso(day: date | str | None) -> str:
    return "" if day is None else day if isinstance(day, str) else day.isoformat()


def normalise(number: str) -> str:
    """The canonical form of a typed number: case, spaces and dashes ignored."""
    code = re.sub(r"[\s\-‐-―]", "", number.upper())
    code = code.removeprefix(PREFIX).translate(TYPED)
    if not re.fullmatch(r"[A-Z2-7]{16}", code):
        raise NoroomError(f"{number.strip()[:40]!r} is not a certificate number; it looks like "
                          "NR-ABCD-EFGH-JKLM-NPQR (printed at the foot of the certificate)")
    return "-".join([PREFIX] + [code[i:i + 4] for i in range(0, 16, 4)])


def numbers_for(hotels: list[dict[str, Any]], key: bytes) -> dict[str, str]:
    """hotel_id -> number for the certified hotels among `hotels` (rows of the hotel table or
    of certification.json)."""
    return {str(h["hotel_id"]): certificate_number(key, h["hotel_id"], h["certified_on"],
                                                   h.get("valid_until"))
            for h in hotels if h.get("certified") and h.get("certified_on")}


def verify(number: str, document: dict[str, Any], key: bytes) -> dict[str, Any]:
    """The certified hotel of certification.json `document` whose number, recomputed with
    `key`, is `number`. NoroomError when none is (a mistyped, changed or forged number, a
    certificate of another report, or a key that is not the programme's)."""
    wanted = normalise(number)
    for hotel in document.get("hotels", []):
        if not (hotel.get("certified") and hotel.get("certified_on")):
            continue
        made = certificate_number(key, hotel["hotel_id"], hotel["certified_on"],
                                  hotel.get("valid_until"))
        if hmac.compare_digest(made, wanted):
            return hotel
    raise NoroomError(f"{wanted} is not a valid certificate number in the certification of "
                      f"{document.get('as_of', '?')}: no certified hotel has it. Check the number "
                      "as printed, or verify against the report the certificate came with")


def numbered(cert: Certification, key: bytes | None) -> Certification:
    """`cert` with the numbers of its certified hotels; without a key, `cert` as it is (no
    number is ever made up)."""
    from dataclasses import replace

    from lrs_reporter.outputs.tables import clean

    if key is None:
        return cert
    rows = cert.hotels[["hotel_id", "certified", "certified_on", "valid_until"]]
    # Numbered over the id as certification.json holds it (cleaned of control characters),
    # so that `verify` recomputes the same number from the file.
    shown = {clean(str(h)): h for h in rows["hotel_id"]}
    made = numbers_for(rows.assign(hotel_id=[clean(str(h)) for h in rows["hotel_id"]])
                       .to_dict("records"), key)
    return replace(cert, certificate_numbers={shown[h]: n for h, n in made.items()})
