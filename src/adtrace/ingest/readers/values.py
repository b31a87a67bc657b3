"""Turn typed values (JSON, Parquet) into the raw strings a RawRecord carries."""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal


def value_text(value: object) -> str | None:
    """Return the raw text of one value.

    Strings are kept as they are; numbers and booleans become their JSON text (``12``, ``true``);
    null stays None; objects and arrays become JSON text; dates and times become ISO 8601 (an aware
    timestamp keeps its offset); bytes are decoded as UTF-8 with replacement.
    """
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        return json.dumps(value) if math.isfinite(value) else str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def _json_default(value: object) -> object:
    """Serialise what json cannot (nested Parquet dates, decimals, bytes) as text."""
    if isinstance(value, Decimal | bytes | dt.datetime | dt.date | dt.time):
        return value_text(value)
    return str(value)
