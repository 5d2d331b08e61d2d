"""Convert feed dates to aware UTC datetimes, independent of the local zone.

feedparser returns ``*_parsed`` values as UTC ``struct_time`` tuples, and it
gets numeric offsets and the RFC 822 zone names right. It reads any other zone
name (``CEST``, ``BST``, ``JST``) as UTC, so a date in such a zone comes out
hours off. Dates that end in a zone name are therefore parsed again here from
the raw string.
"""

from __future__ import annotations

import calendar
import re
import time
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

# Offsets in minutes east of UTC. The RFC 822 names (UT, GMT, Z and the North
# American ones) match feedparser 6's table, including its standard-time
# guess for ET, CT, MT and PT. Ambiguous names such as IST (India, Ireland,
# Israel) are left out on purpose, so a date in them parses to None.
ZONE_OFFSETS: dict[str, int] = {
    "UT": 0,
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "WET": 0,
    "WEST": 60,
    "BST": 60,
    "CET": 60,
    "MET": 60,
    "CEST": 120,
    "MEST": 120,
    "EET": 120,
    "SAST": 120,
    "EEST": 180,
    "MSK": 180,
    "HKT": 480,
    "SGT": 480,
    "AWST": 480,
    "JST": 540,
    "KST": 540,
    "ACST": 570,
    "ACDT": 630,
    "AEST": 600,
    "AEDT": 660,
    "NZST": 720,
    "NZDT": 780,
    "NDT": -150,
    "NST": -210,
    "ADT": -180,
    "AST": -240,
    "EDT": -240,
    "EST": -300,
    "ET": -300,
    "CDT": -300,
    "CST": -360,
    "CT": -360,
    "MDT": -360,
    "MST": -420,
    "MT": -420,
    "PDT": -420,
    "PST": -480,
    "PT": -480,
    "AKDT": -480,
    "AKST": -540,
    "HST": -600,
}

# A date and time followed by a zone name, as in "Mon, 15 Jul 2024 19:20 CEST"
# or "2024-07-15 19:20:00 CEST". Numeric offsets do not match.
_NAMED_ZONE = re.compile(
    r"^(?P<local>.*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(?P<zone>[A-Za-z]{1,5})$"
)

# Names feedparser already reads as UTC, correctly, so its tuple can be kept.
_UTC_NAMES = frozenset({"UT", "UTC", "GMT", "Z"})


class UnknownZoneError(ValueError):
    """A date string ends in a time zone name that has no known offset."""


def to_utc(raw: str | None, parsed: time.struct_time | None) -> datetime | None:
    """Convert one feedparser date to an aware UTC datetime.

    ``raw`` is the string from the feed and ``parsed`` feedparser's UTC tuple
    for it. Returns None when neither yields a valid date. Raises
    UnknownZoneError when the string names a zone missing from
    ``ZONE_OFFSETS``, because feedparser's value would be off by that zone's
    offset.
    """
    match = _NAMED_ZONE.match(raw.strip()) if raw else None
    if match and not (parsed and match["zone"].upper() in _UTC_NAMES):
        return _parse_named_zone(match["local"], match["zone"])
    if parsed is None:
        return None
    try:
        # timegm reads the tuple as UTC, while time.mktime would apply the
        # local zone.
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    except (ValueError, OverflowError, OSError):
        return None


def _parse_named_zone(local: str, zone: str) -> datetime | None:
    """Parse a date without its zone name, then apply the name's offset."""
    minutes = ZONE_OFFSETS.get(zone.upper())
    if minutes is None:
        raise UnknownZoneError(f"unknown time zone {zone!r}")
    naive = _parse_naive(local)
    if naive is None:
        return None
    offset = timezone(timedelta(minutes=minutes))
    try:
        return naive.replace(tzinfo=offset).astimezone(UTC)
    except OverflowError:  # a time near year 1 or 9999 shifted past it
        return None


def _parse_naive(local: str) -> datetime | None:
    """Parse an RFC 822 or ISO 8601 date and time that carries no zone."""
    try:
        return parsedate_to_datetime(local).replace(tzinfo=None)
    # OverflowError: a field too large for a C int, as in "09:3030303030:00".
    except (ValueError, TypeError, IndexError, OverflowError):
        pass
    try:
        return datetime.fromisoformat(local).replace(tzinfo=None)
    except ValueError:
        return None
