"""Convert feed dates to aware UTC datetimes, independent of the local zone.

feedparser returns ``*_parsed`` values as UTC ``struct_time`` tuples, but
feedparser 6.0.14 gets several forms that real feeds use wrong or not at all:
it reads zone names other than the RFC 822 ones (``CEST``, ``JST``) as UTC,
drops the offset after an ISO 8601 comma fraction, ignores "PM", reads the
ISO 8601 basic form ``20240305T140300Z`` as midnight, and rejects RFC 850
dates (``Tuesday, 05-Mar-24 14:03:00 GMT``). So ``parse_date`` parses the
raw string first, and feedparser's tuple is used only for forms it does not
read, such as dates with month names in other languages.
"""

from __future__ import annotations

import calendar
import re
import time
from datetime import UTC, datetime, timedelta, timezone

from reader.date_zones import ZONE_OFFSETS

# ISO 8601 and RFC 3339, extended ("2024-03-05T14:03:00+01:00") or basic
# ("20240305T140300Z"), with "." or "," before a fraction of a second, an
# offset with or without its colon, or a zone name after a space. The year
# may also be followed by "/" or "." as in "2024/03/05".
_ISO = re.compile(
    r"(?P<year>\d{4})"
    r"(?:(?P<separator>[-/.])(?P<month>\d{1,2})(?P=separator)(?P<day>\d{1,2})"
    r"|(?P<basic_month>\d{2})(?P<basic_day>\d{2}))"
    r"(?:(?:T|\s+)(?P<hour>\d{2}):?(?P<minute>\d{2})"
    r"(?::?(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?)?"
    r"\s*(?P<zone>Z|[+-]\d{2}(?::?\d{2})?|[A-Za-z]{1,5})?",
    re.IGNORECASE,
)

# The pieces of a date written with a month name: RFC 822 and 2822
# ("Tue, 05 Mar 2024 14:03:00 GMT"), RFC 850 ("Tuesday, 05-Mar-24 ..."),
# asctime ("Tue Mar  5 14:03:00 2024") and "March 5th, 2024 2:03 PM EST".
_TOKEN = re.compile(
    r"(?P<time>\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)"
    r"|(?P<offset>[+-]\d{1,2}(?::?\d{2})?)(?![\d:])"
    r"|(?P<number>\d+)(?:st|nd|rd|th)?\b"
    r"|(?P<word>[A-Za-z]+)\.?"
    r"|(?P<space>[\s,/]+|-(?!\d))",
    re.IGNORECASE,
)
# The usual RSS form, "Tue, 05 Mar 2024 14:03:00 +0000", read in one match
# because every entry's date goes through here.
_RFC_822 = re.compile(
    r"(?:[A-Za-z]{3}, ?)?(?P<day>\d{1,2}) (?P<month>[A-Za-z]{3}) (?P<year>\d{4}) "
    r"(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))? "
    r"(?P<zone>[+-]\d{4}|GMT|UTC|UT|Z)"
)
# RFC 2822 comments, as in "... -0500 (EST)".
_COMMENT = re.compile(r"\([^()]*\)")
_DOTTED_MERIDIEM = re.compile(r"\b([ap])\.m\.?(?!\w)", re.IGNORECASE)

_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_WEEKDAYS = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
_FILLER = frozenset({"at", "on", "the", "of"})
_MERIDIEMS = frozenset({"am", "pm"})


class UnknownZoneError(ValueError):
    """A date string ends in a time zone name that has no known offset."""


def to_utc(raw: str | None, parsed: time.struct_time | None) -> datetime | None:
    """Convert one feedparser date to an aware UTC datetime.

    ``raw`` is the string from the feed and ``parsed`` feedparser's UTC tuple
    for it. ``raw`` is parsed first, and the tuple is used only for a form
    this module does not read and only if ``raw`` contains the tuple's year.
    Returns None when neither yields a valid date.
    Raises UnknownZoneError when the string names a zone missing from
    ``ZONE_OFFSETS``, because feedparser's value would be off by that zone's
    offset.
    """
    fields = _fields(raw) if raw else None
    if fields is not None:
        # A form this module reads but whose values are invalid stays
        # invalid: feedparser would turn month 13 into January.
        return _build(*fields)
    moment = _parse_other_iso(raw.strip()) if raw else None
    if moment is not None or parsed is None:
        return moment
    if raw and str(parsed.tm_year) not in raw:
        # feedparser 6.0.14 fills in the current date for "14:03" and the
        # current year for "--03-05", which would move the entry every day.
        return None
    try:
        # timegm reads the tuple as UTC, while time.mktime would apply the
        # local zone.
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    except (ValueError, OverflowError, OSError):
        return None


def parse_date(raw: str) -> datetime | None:
    """Parse a feed date string to an aware UTC datetime.

    Reads ISO 8601 and RFC 3339, RFC 822 and 2822 with two- or four-digit
    years, RFC 850, asctime and "Month D, YYYY" dates. A date without a zone
    is taken as UTC, and a date without a time as midnight. Returns None when
    no form matches or the date does not exist (31 February). Raises
    UnknownZoneError for a zone name missing from ``ZONE_OFFSETS``.
    """
    fields = _fields(raw)
    if fields is None:
        return _parse_other_iso(raw.strip())
    return _build(*fields)


# year, month, day, hour, minute, second, microsecond, zone or None
_Fields = tuple[int, int, int, int, int, int, int, str | None]


def _fields(raw: str) -> _Fields | None:
    """Split a date into its fields, or return None for an unknown form."""
    text = raw.strip()
    match = _RFC_822.fullmatch(text)
    month = _name_index(match["month"].lower(), _MONTHS) if match else None
    if match and month:
        return _rfc_822_fields(match, month)
    text = _COMMENT.sub(" ", text).strip()
    match = _ISO.fullmatch(text)
    if match:
        return _iso_fields(match)
    return _text_fields(_DOTTED_MERIDIEM.sub(r"\1m", text))


def _rfc_822_fields(match: re.Match[str], month: int) -> _Fields:
    return (
        int(match["year"]),
        month,
        int(match["day"]),
        int(match["hour"]),
        int(match["minute"]),
        int(match["second"] or 0),
        0,
        match["zone"],
    )


def _iso_fields(match: re.Match[str]) -> _Fields:
    fraction = (match["fraction"] or "0")[:6].ljust(6, "0")
    return (
        int(match["year"]),
        int(match["month"] or match["basic_month"]),
        int(match["day"] or match["basic_day"]),
        int(match["hour"] or 0),
        int(match["minute"] or 0),
        int(match["second"] or 0),
        int(fraction),
        match["zone"],
    )


def _text_fields(text: str) -> _Fields | None:
    """Read a date with a month name. Returns None if it is not one.

    A numeric offset wins over a zone name beside it, as in "GMT+0100" or
    "+0000 GMT". Raises UnknownZoneError for an unknown word after the time.
    """
    numbers: list[str] = []
    month = clock = zone = meridiem = None
    for kind, value in _tokens(text):
        if kind == "offset" and clock is None and value[0] == "-":
            # Before the time, "-" separates "05-Mar-24" as in RFC 850.
            kind, value = "number", value[1:]
        word = value.lower()
        if kind == "number":
            numbers.append(value)
        elif kind == "time" and clock is None:
            clock = value
        elif kind == "offset" and clock is not None and _is_name(zone):
            zone = value
        elif kind != "word":
            return None
        elif _name_index(word, _MONTHS) and month is None:
            month = _name_index(word, _MONTHS)
        elif _name_index(word, _WEEKDAYS) or word in _FILLER:
            continue
        elif word in _MERIDIEMS and clock is not None and meridiem is None:
            meridiem = word
        elif clock is None:
            return None
        elif zone is None:
            zone = value
        elif value.upper() not in ZONE_OFFSETS:
            return None
    return _assemble(month, numbers, clock, meridiem, zone)


def _tokens(text: str) -> list[tuple[str, str]]:
    """Split a date into (kind, text) tokens without the separators.

    Returns an empty list when some character fits no token.
    """
    tokens = []
    position = 0
    while position < len(text):
        token = _TOKEN.match(text, position)
        if token is None:
            return []
        position = token.end()
        kind = token.lastgroup or "space"
        if kind != "space":
            tokens.append((kind, token[kind]))
    return tokens


def _name_index(word: str, names: tuple[str, ...]) -> int | None:
    """Return the 1-based index of the name that ``word`` abbreviates.

    An abbreviation has at least three letters, as in "Mar", "Sept", "Tues".
    """
    if len(word) < 3:
        return None
    return next((i for i, name in enumerate(names, 1) if name.startswith(word)), None)


def _is_name(zone: str | None) -> bool:
    """Return whether ``zone`` is missing or a name, not a numeric offset."""
    return zone is None or zone[0] not in "+-"


def _assemble(
    month: int | None,
    numbers: list[str],
    clock: str | None,
    meridiem: str | None,
    zone: str | None,
) -> _Fields | None:
    """Combine the tokens of a month-name date. Returns None if any is missing."""
    if month is None or len(numbers) != 2:
        return None
    # The day comes first in every supported form, except where it is the
    # four-digit year: "Mar 5 2024", "5 Mar 2024" and "05-Mar-24" all work.
    day, year = numbers if len(numbers[1]) != 1 else numbers[::-1]
    if len(day) > 2:
        return None
    parts = (clock or "0:00").replace(",", ".").split(":")
    hour, minute = int(parts[0]), int(parts[1])
    seconds = float(parts[2]) if len(parts) > 2 else 0.0
    if meridiem is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    second = int(seconds)
    microsecond = round((seconds - second) * 1_000_000)
    return (_full_year(year), month, int(day), hour, minute, second, microsecond, zone)


def _full_year(digits: str) -> int:
    """Return the year of a two-, three- or four-digit year (RFC 2822 4.3)."""
    year = int(digits)
    if len(digits) == 2:
        return year + (2000 if year < 50 else 1900)
    if len(digits) == 3:
        return year + 1900
    return year


def _build(
    year: int,
    month: int,
    day: int,
    hour: int,
    minute: int,
    second: int,
    microsecond: int,
    zone: str | None,
) -> datetime | None:
    """Make the UTC datetime of the fields. Returns None if it does not exist."""
    offset = _zone_offset(zone)
    if offset is None:
        return None
    # ISO 8601 allows 24:00 for the end of a day, and RFC 2822 a leap second.
    extra = timedelta(0)
    if hour == 24 and minute == second == microsecond == 0:
        hour, extra = 0, timedelta(days=1)
    second = min(second, 59)
    try:
        moment = datetime(year, month, day, hour, minute, second, microsecond)
        return (moment + extra).replace(tzinfo=offset).astimezone(UTC)
    except (ValueError, OverflowError):  # no such date, or shifted past year 9999
        return None


def _zone_offset(zone: str | None) -> timezone | None:
    """Return the offset of a zone name or a numeric offset; UTC for None.

    Returns None for an invalid numeric offset. Raises UnknownZoneError for a
    name missing from ``ZONE_OFFSETS``.
    """
    if zone is None:
        return UTC
    if zone[0] in "+-":
        digits = zone[1:].replace(":", "")
        hours = int(digits[:-2] if len(digits) > 2 else digits)
        minutes = int(digits[-2:]) if len(digits) > 2 else 0
        if hours > 23 or minutes > 59:
            return None
        sign = -1 if zone[0] == "-" else 1
        return timezone(sign * timedelta(hours=hours, minutes=minutes))
    named = ZONE_OFFSETS.get(zone.upper())
    if named is None:
        raise UnknownZoneError(f"unknown time zone {zone!r}")
    return timezone(timedelta(minutes=named))


def _parse_other_iso(text: str) -> datetime | None:
    """Parse other ISO 8601 forms Python reads, such as week dates."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return None
