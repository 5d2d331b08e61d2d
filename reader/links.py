"""Which links from feeds may be handed to the user's browser.

A link in an article is untrusted text. Only http, https and mailto URLs
open; ``file:``, ``javascript:``, ``data:``, custom scheme handlers and
anything with control characters are rejected, so a feed can neither open
a local file nor start a program registered for a scheme.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

OPENABLE_SCHEMES = frozenset({"http", "https", "mailto"})

# RFC 6068 lets a mailto URL carry any header, and some mail clients honour
# "attach=PATH", which would attach a local file to the draft. Only these
# fields, all plain text, pass.
_MAILTO_FIELDS = frozenset({"to", "cc", "bcc", "subject", "body", "in-reply-to"})


def is_openable(url: str) -> bool:
    """Return whether ``url`` is safe to open in the browser.

    True only for an http(s) URL with a host and a valid port, or a mailto
    URL with an address and no header fields beyond to, cc, bcc, subject,
    body and in-reply-to. A control or other non-printable character,
    whitespace other than a plain space, or a space at either end makes the
    URL unopenable. Inner spaces pass because Textual's ``LinkClicked``
    percent-decodes the href, turning "%20" back into a space.
    """
    if not url or not url.isprintable() or url != url.strip():
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- the property raises ValueError for a bad port
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        return bool(parts.hostname)
    if scheme == "mailto":
        return _is_plain_mailto(parts.path, parts.query)
    return False


def _is_plain_mailto(address: str, query: str) -> bool:
    fields = parse_qsl(query, keep_blank_values=True)
    if not address and not any(name.lower() == "to" for name, _ in fields):
        return False
    return all(name.lower() in _MAILTO_FIELDS for name, _ in fields)
