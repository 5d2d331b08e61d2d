"""The stored columns of parsed entries, computed before the write.

Parser workers build them, with each body's search text, so the single
writer that every parsed feed waits for only writes them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from json.encoder import encode_basestring_ascii as _encode_json
from typing import Any

from reader.models import Enclosure, ParsedEntry
from reader.search import search_text


@dataclass(frozen=True, slots=True)
class PreparedEntries:
    """The columns and search texts of a document's entries, in its order."""

    values: tuple[tuple[Any, ...], ...]
    """``entry_values`` of each entry."""
    texts: tuple[str, ...]
    """``search_text`` of each entry's body."""


def prepare_entries(entries: Sequence[ParsedEntry]) -> PreparedEntries:
    """Build the stored columns and the search text of each entry."""
    return PreparedEntries(
        tuple(entry_values(entry) for entry in entries),
        tuple(search_text(entry.content) for entry in entries),
    )


def to_text(moment: datetime | None) -> str | None:
    """Return the stored form of a time: ISO 8601 in UTC, to the microsecond."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def entry_values(entry: ParsedEntry) -> tuple[Any, ...]:
    """Return the stored columns of an entry, from title to sort date, with
    its fingerprint second to last."""
    published = to_text(entry.published)
    updated = to_text(entry.updated)
    fields = (
        entry.title,
        entry.link,
        entry.author,
        published,
        updated,
        entry.content,
        entry.summary,
        _enclosures_json(entry.enclosures),
    )
    return (*fields, _fingerprint(fields), published or updated)


def _enclosures_json(enclosures: Sequence[Enclosure]) -> str:
    return json.dumps(
        [{"url": e.url, "type": e.type, "length": e.length} for e in enclosures]
    )


def _fingerprint(fields: tuple[str | None, ...]) -> str:
    # The SHA-256 of json.dumps(fields), which older versions stored, built
    # from the C string encoder without json.dumps' per-call setup.
    encoded = ["null" if field is None else _encode_json(field) for field in fields]
    return hashlib.sha256(f"[{', '.join(encoded)}]".encode()).hexdigest()
