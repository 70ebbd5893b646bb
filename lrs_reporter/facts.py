"""Statements reduced to the facts the certification rule needs, column by column.

A statement becomes one row: its id (a 128-bit number in two int64 columns), verb, object id,
whether the object is a StatementRef, the learner key, the time (timestamp, else stored, in UTC),
the hotel extension and, for a cmi5-defined statement only, its grouping activities
(`cmi5_grouping()`). Nothing else is kept, so 10 million statements fit in well under 2 GB.
Rows are appended by `FactBuilder.add()` and turned into a DataFrame by `frame()`.
"""

from __future__ import annotations

import hashlib
import uuid
from array import array
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson

from lrs_reporter.identity import actor_key
from noroom.vocabulary import VOIDED

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = ["id_hi", "id_lo", "verb", "object", "ref", "actor", "time", "hotel", "source",
           "grouping"]
SOURCE_STATEMENT, SOURCE_LMS = 0, 1


def split_id(value: str) -> tuple[int, int]:
    """A statement id as two signed 64-bit halves; a non-UUID id is hashed to 128 bits."""
    try:
        if len(value) == 36 and value[8] == value[13] == value[18] == value[23] == "-":
            n = int(value.replace("-", ""), 16)  # the common case, 3x faster than uuid.UUID
        else:
            n = uuid.UUID(value).int
    except (ValueError, AttributeError, TypeError):
        n = int.from_bytes(hashlib.blake2b(str(value).encode(), digest_size=16).digest(), "big")
    hi, lo = n >> 64, n & 0xFFFFFFFFFFFFFFFF
    return hi - (1 << 64) if hi >= 1 << 63 else hi, lo - (1 << 64) if lo >= 1 << 63 else lo


def parse_time(value: Any) -> int | None:
    """ISO 8601 -> microseconds since the epoch, in UTC. A time without offset is taken as UTC."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp() * 1_000_000)


class Codes:
    """Interns repeated strings (verbs, activities, learners, hotels) as small integer codes."""

    def __init__(self) -> None:
        self.index: dict[str | None, int] = {None: -1}
        self.values: list[str] = []

    def code(self, value: str | None) -> int:
        c = self.index.get(value)
        if c is None:
            c = self.index[value] = len(self.values)
            self.values.append(value)  # type: ignore[arg-type]
        return c


# cmi5 9.6.2.1: the category activity of every cmi5-defined statement (an AU's initialized,
# completed, passed, failed, terminated; the LMS's own statements), absent from cmi5-allowed ones.
CMI5_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5"


def _activity_ids(value: Any) -> list[str]:
    """The ids of a contextActivities entry: an array of Activities, or one (xAPI 1.0.3 4.1.6.2)."""
    items = value if type(value) is list else [value]
    return [a["id"] for a in items if type(a) is dict and type(a.get("id")) is str]


def cmi5_grouping(context: Any) -> str | None:
    """The grouping activity ids of a cmi5-defined statement as a JSON array, else None.

    Under a cmi5 LMS a statement's object is the LMS's own id for the AU; the AU's publisher id
    (the course IRI in cmi5.xml) is only in contextActivities.grouping (cmi5 9.6.2.2). So the rule
    (certify.about_course) also accepts a counting activity there, but only on a statement that
    carries the cmi5 category: a module or question statement of the same AU has the course in
    its grouping too and must never count (issue 12, item 6).
    """
    if type(context) is not dict or type(acts := context.get("contextActivities")) is not dict:
        return None
    if CMI5_CATEGORY not in _activity_ids(acts.get("category")):
        return None
    ids = _activity_ids(acts.get("grouping"))
    return orjson.dumps(ids).decode() if ids else None


NO_ACTOR = "no usable actor (mbox, mbox_sha1sum, account or openid)"
RELEVANT_VERBS = frozenset({"http://adlnet.gov/expapi/verbs/completed",
                            "http://adlnet.gov/expapi/verbs/passed",
                            "http://adlnet.gov/expapi/verbs/voided"})


@dataclass
class FactBuilder:
    """Collects statement facts; `add()` returns the reason when a statement is unusable.

    Only statements that can change a certification are kept: those with a counting verb and
    voids. The others (initialized, answered, ...) are checked for the basic shape and counted,
    which keeps memory and time close to just parsing the JSON.
    """

    hotel_extension: str
    relevant_verbs: frozenset[str] = RELEVANT_VERBS
    others: int = 0
    id_hi: array = field(default_factory=lambda: array("q"))
    id_lo: array = field(default_factory=lambda: array("q"))
    verb: array = field(default_factory=lambda: array("i"))
    obj: array = field(default_factory=lambda: array("i"))
    ref: array = field(default_factory=lambda: array("b"))
    actor: array = field(default_factory=lambda: array("i"))
    time: array = field(default_factory=lambda: array("q"))
    hotel: array = field(default_factory=lambda: array("i"))
    source: array = field(default_factory=lambda: array("b"))
    grouping: array = field(default_factory=lambda: array("i"))
    verbs: Codes = field(default_factory=Codes)
    objects: Codes = field(default_factory=Codes)
    actors: Codes = field(default_factory=Codes)
    hotels: Codes = field(default_factory=Codes)
    groupings: Codes = field(default_factory=Codes)
    synthetic: int = 0
    synthetic_prefix: str = "no-id:"  # lrs_reporter.parallel gives each part its own
    _keys: dict[str, str | None] = field(default_factory=dict)

    def add(self, st: Any) -> str | None:
        """Add one statement (a parsed JSON object); return why it is invalid, or None."""
        if type(st) is not dict:
            return "not a JSON object"
        verb, obj, actor = st.get("verb"), st.get("object"), st.get("actor")
        vid = verb.get("id") if type(verb) is dict else None
        if type(vid) is not str:
            return "no verb id"
        if type(obj) is not dict or type(obj.get("id")) is not str:
            return "no object id"
        ref = vid == VOIDED and obj.get("objectType") == "StatementRef"
        if ref:
            # Rule 2: a void needs only its target. Who voided it (an admin tool's anonymous
            # Group, "mailto:admin", no actor at all) and when do not matter; refusing it would
            # let the voided completion count. The store accepts the same (store.py).
            key = self._actor(actor) if type(actor) is dict else None
            t = parse_time(st.get("timestamp")) or parse_time(st.get("stored")) or 0
        else:
            if type(actor) is not dict:
                return NO_ACTOR
            if vid not in self.relevant_verbs:
                self.others += 1
                return None
            key = self._actor(actor)
            if key is None:
                return NO_ACTOR
            t = parse_time(st.get("timestamp")) or parse_time(st.get("stored"))
            if t is None:
                return "no valid timestamp or stored time"
            ref = obj.get("objectType") == "StatementRef"
        sid = st.get("id")
        if not isinstance(sid, str):
            self.synthetic += 1
            sid = f"{self.synthetic_prefix}{self.synthetic}"
        ctx = st.get("context")
        ext = ctx.get("extensions") if isinstance(ctx, dict) else None
        hotel = ext.get(self.hotel_extension) if isinstance(ext, dict) else None
        self.append(sid, vid, obj["id"], ref, key, t,
                    str(hotel).strip() if isinstance(hotel, str | int) else None,
                    SOURCE_STATEMENT, None if ref else cmi5_grouping(ctx))
        return None

    def _actor(self, actor: dict[str, Any]) -> str | None:
        # The same learners recur: memoise the (SHA-1) key by the identifying value.
        mbox = actor.get("mbox")
        if type(mbox) is str:
            key = self._keys.get(mbox)
            if key is None:
                key = self._keys[mbox] = actor_key(actor)
            return key
        return actor_key(actor)

    def append(self, sid: str, verb: str, obj: str, ref: bool, actor: str | None, t: int,
               hotel: str | None, source: int, grouping: str | None = None) -> None:
        hi, lo = split_id(sid)
        self.id_hi.append(hi)
        self.id_lo.append(lo)
        self.verb.append(self.verbs.code(verb))
        self.obj.append(self.objects.code(obj))
        self.ref.append(ref)
        self.actor.append(self.actors.code(actor))
        self.time.append(t)
        self.hotel.append(self.hotels.code(hotel or None))
        self.source.append(source)
        self.grouping.append(self.groupings.code(grouping))

    def __len__(self) -> int:
        return len(self.id_hi)

    def frame(self) -> pd.DataFrame:
        """The facts as a DataFrame; string columns are categoricals over the interned values."""
        import numpy as np
        import pandas as pd

        def ints(values: array, dtype: type) -> np.ndarray:
            return np.frombuffer(values, dtype=dtype) if values else np.zeros(0, dtype)

        def cat(codes: array, values: list[str]) -> pd.Categorical:
            return pd.Categorical.from_codes(ints(codes, np.int32),
                                             categories=pd.Index(values, dtype=object))

        return pd.DataFrame({
            "id_hi": ints(self.id_hi, np.int64),
            "id_lo": ints(self.id_lo, np.int64),
            "verb": cat(self.verb, self.verbs.values),
            "object": cat(self.obj, self.objects.values),
            "ref": ints(self.ref, np.int8).astype(bool),
            "actor": cat(self.actor, self.actors.values),
            "time": pd.to_datetime(ints(self.time, np.int64), unit="us", utc=True),
            "hotel": cat(self.hotel, self.hotels.values),
            "source": ints(self.source, np.int8),
            "grouping": cat(self.grouping, self.groupings.values),
        })
