"""Reading JSON as Windows PowerShell 5.1 writes it.

Our scripts print clean JSON, but older copies of them, hand-captured samples
and ``ConvertTo-Json`` itself in 5.1 bend the shape: a list of one item comes
out as the item, a list may come wrapped as ``{"value": [...], "Count": n}``,
a date comes out as ``"/Date(ms)/"`` or as an object holding that string, and
an enum comes out as its number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

_MS_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")


def as_list(value: Any) -> list[Any]:
    """The items of a JSON value that should have been a list."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if _is_wrapped_list(value):
        return as_list(value["value"])
    return [value]


def _is_wrapped_list(value: Any) -> bool:
    return (
        isinstance(value, Mapping)
        and isinstance(value.get("value"), list)
        and set(value) <= {"value", "Count"}
    )


def parse_ps_datetime(value: Any) -> datetime | None:
    """A date as a script or ``ConvertTo-Json`` wrote it, or None when absent.

    ISO 8601 text keeps its offset; text without one stays naive (the
    server's local time). ``/Date(ms)/`` counts milliseconds since 1970 UTC.
    """
    if isinstance(value, Mapping):
        value = value.get("value")
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValueError(f"not a date: {value!r}")

    text = value.strip()
    match = _MS_DATE.match(text.replace("\\/", "/"))
    if match:
        epoch = datetime(1970, 1, 1, tzinfo=UTC)
        return epoch + timedelta(milliseconds=int(match.group(1)))
    return datetime.fromisoformat(text)


def enum_name(value: Any, names: Mapping[int, str]) -> str:
    """An enum as its name, whether it came as the name or as the number."""
    if isinstance(value, bool):
        raise ValueError(f"not an enum value: {value!r}")
    if isinstance(value, int):
        return names.get(value, str(value))
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return names.get(int(value), value.strip())
    if isinstance(value, str):
        return value
    raise ValueError(f"not an enum value: {value!r}")


def first_of(record: Mapping[str, Any], *keys: str) -> Any:
    """The first of ``keys`` present in ``record`` (scripts and raw cmdlets
    spell some fields differently)."""
    for key in keys:
        if key in record and record[key] is not None:
            return record[key]
    return None
