"""The hotels a package knows (issue 16): `noroom build --hotels roster.csv`.

The roster is the reporter's (`hotel_id,name,chain,city,country,language,employees`), read and
validated by the reporter's own reader. The learner then types a code that must be on it and
confirms the hotel by its name, so a typo cannot credit another hotel.
"""

from __future__ import annotations

import re
from pathlib import Path

from noroom.errors import ConfigError

# A hotel's name is shown to the learner in one sentence; longer is not a name.
NAME_LIMIT = 120


def load_hotels(path: Path, pattern: str) -> tuple[tuple[str, str], ...]:
    """(hotel_id, name) pairs of the roster at `path`, sorted by id (deterministic builds).

    ConfigError naming the file and line for a row the reporter refuses (empty or duplicate id,
    bad headcount, unreadable CSV), an id that does not match the course's hotel code `pattern`
    (the learner could never type it), or a missing, over-long or control-character name."""
    from lrs_reporter.files import csv_rows, read_roster

    read_roster(path)  # every check the reporter makes, one error naming the line
    hotels = []
    for line, row in csv_rows(path, ["hotel_id", "name"]):
        hid, name = row["hotel_id"], row["name"]
        if not re.fullmatch(pattern, hid):
            raise ConfigError(f"hotel_id {hid[:40]!r} does not look like a hotel code "
                              f"({pattern}); learners could not type it, fix the id", path, line)
        if not name or len(name) > NAME_LIMIT or re.search(r"[\x00-\x1f\x7f-\x9f]", name):
            raise ConfigError(f"hotel {hid} needs a name of 1 to {NAME_LIMIT} printable "
                              "characters: the learner confirms the hotel by it", path, line)
        hotels.append((hid, name))
    return tuple(sorted(hotels))
