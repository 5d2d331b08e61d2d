"""Clean an entry body's HTML at parse time, in one pass of regexes.

The pass drops script, style, applet and template elements with their
content, drops event handler attributes, resolves relative URLs in the
attributes that hold one, and removes URL attributes whose scheme is not
safe to follow (javascript:, data:, vbscript:). Then it removes what
``clean_text`` removes. It replaces feedparser's sanitizer and URI
resolver, which rebuild the whole document tag by tag in pure Python: on
the generated feeds of benchmarks/profile_parse.py they took about 80 of
the 100 ms that parsing a 400 KB feed cost.

This is not the terminal's safety boundary. The article converter parses
the stored HTML again and skips scripts, and the text it shows passes
through ``clean_text`` again. Everything else in a body is kept byte for
byte, so code blocks stay exact.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin

from reader.textsafe import clean_text

# Every alternative starts with "<", which lets the regex engine skip to the
# next "<" at C speed. Comments come first so that markup inside one is left
# alone. A dropped element left open runs to the end of the body, as a
# browser reads it. Quoted attribute values may contain ">".
# The attribute and the tag name are atomic groups (Python 3.11 or later),
# because giving back part of a name or a value can never make a tag match.
# Without those retries, a tag that needs no rewrite fails a quarter faster.
_ATTRIBUTE = r"""(?>\s+[^\s"'<>/=]++(?:\s*=\s*(?:"[^"]*+"|'[^']*+'|[^\s"'<>]++))?)"""
# Before some attribute of the tag: an event handler, or a URL attribute
# whose value is not already an absolute http(s) URL. Start tags without one
# fail to match and stay as they are without a call into Python, which
# matters because a long body has hundreds of tags.
_NEEDS_REWRITE = (
    r"""(?=\s+(?i:on[a-z]+|(?:href|src|poster|cite|background|longdesc|action|"""
    r"""data|codebase|classid|usemap|profile)\s*=\s*(?!["']?https?://)))"""
)
_MARKUP = re.compile(
    r"<(?:"
    r"(?P<comment>!--.*?(?:-->|\Z))"
    r"|(?P<dropped>(?i:(script|style|applet|template))\b[^>]*>.*?(?:(?i:</\3\s*>)|\Z))"
    rf"|(?P<tag>[a-zA-Z][^\s/<>]*+(?:{_ATTRIBUTE})*?{_NEEDS_REWRITE}"
    rf"(?:{_ATTRIBUTE})+\s*/?>)"
    r")",
    re.DOTALL,
)
# The most common tag to rewrite, <a href="/path"> or <img src="/path">
# with plain attributes besides, rewritten without parsing its attributes.
# It must give what _rewrite_tag gives; tests/test_bodyclean.py checks.
_PLAIN_ATTRIBUTES = (
    r"""(?:\s+(?:alt|title|class|id|width|height|rel|target|loading|decoding|"""
    r"""lang|dir|style|(?:data|aria)-[a-z-]+)="[^"<>]*")*"""
)
_ROOT_RELATIVE_TAG = re.compile(
    rf"""(<(?:a{_PLAIN_ATTRIBUTES}\s+href|img{_PLAIN_ATTRIBUTES}\s+src)=")"""
    r"""(/(?![/.])(?:(?!/\.)[^"'<>&\x00-\x20\x7f])*)"""
    rf"""("{_PLAIN_ATTRIBUTES}\s*/?>)"""
)
_TAG_NAME = re.compile(r"<([^\s/<>]+)")
_ATTRIBUTE_PARTS = re.compile(
    r"""(\s+)([^\s"'<>/=]+)(?:(\s*=\s*)("[^"]*"|'[^']*'|[^\s"'<>]+))?"""
)
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
_ORIGIN = re.compile(r"https?://[^/?#]+", re.IGNORECASE)
# Browsers drop these from anywhere in a URL, so "java\tscript:" is a scheme.
_URL_NOISE = str.maketrans("", "", "\t\n\r")
_C0_AND_SPACE = "".join(map(chr, range(0x21)))
# Every character that clean_text removes or rewrites: carriage returns, C0
# and C1 controls (each escape sequence starts with one) and bidi controls.
# Most bodies have none and skip clean_text, which would cost as much as
# the rest of this pass. tests/test_bodyclean.py checks this set against
# clean_text for every code point.
NEEDS_TEXT_CLEANING = re.compile(
    "[\r\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
# The characters of NEEDS_TEXT_CLEANING below U+0080. Deleting them from an
# ASCII body's bytes took a fifth of the time of the regex search on the
# feeds of benchmarks/profile_parse.py.
_ASCII_NEEDS_CLEANING = bytes([*range(0x09), *range(0x0B, 0x20), 0x7F])

# Attributes that hold one URL, by element, as in HTML 4 and 5.
_URL_ATTRIBUTES = frozenset(
    {
        ("a", "href"), ("area", "href"), ("link", "href"), ("base", "href"),
        ("img", "src"), ("img", "longdesc"), ("img", "usemap"),
        ("iframe", "src"), ("iframe", "longdesc"), ("frame", "src"),
        ("frame", "longdesc"), ("embed", "src"), ("script", "src"),
        ("audio", "src"), ("video", "src"), ("video", "poster"),
        ("source", "src"), ("track", "src"), ("input", "src"),
        ("input", "usemap"), ("object", "data"), ("object", "classid"),
        ("object", "codebase"), ("object", "usemap"), ("applet", "codebase"),
        ("blockquote", "cite"), ("q", "cite"), ("del", "cite"), ("ins", "cite"),
        ("form", "action"), ("body", "background"), ("head", "profile"),
    }
)  # fmt: skip
# Schemes a reader may follow. Others, such as javascript:, data: and
# vbscript:, lose their attribute.
SAFE_SCHEMES = frozenset({"http", "https", "mailto", "ftp", "magnet", "tel", "xmpp"})


def clean_body_html(body: str, base: str) -> str:
    """Return ``body`` without scripts and styles, its URLs made absolute
    and its text cleaned as by ``clean_text``.

    ``base`` is the URL relative references resolve against: the entry's
    xml:base joined with the feed's URL. A base that is not a URL leaves
    relative references as they are.
    """
    if "<" in body:
        body = _rewrite_markup(body, base)
    if needs_text_cleaning(body):
        body = clean_text(body)
    return body


def needs_text_cleaning(text: str) -> bool:
    """Return whether ``text`` has a character that ``clean_text`` changes."""
    if text.isascii():
        raw = text.encode("ascii")
        return len(raw.translate(None, _ASCII_NEEDS_CLEANING)) != len(raw)
    return NEEDS_TEXT_CLEANING.search(text) is not None


def _rewrite_markup(body: str, base: str) -> str:
    def rewrite(match: re.Match[str]) -> str:
        if match.lastgroup == "comment":
            return match[0]
        if match.lastgroup == "dropped":
            return ""
        tag = match[0]
        if resolver.origin is not None:
            plain = _ROOT_RELATIVE_TAG.fullmatch(tag)
            if plain is not None:
                return f"{plain[1]}{resolver.origin}{plain[2]}{plain[3]}"
        return _rewrite_tag(tag, resolver)

    resolver = _Resolver(base)
    return _MARKUP.sub(rewrite, body)


def _rewrite_tag(tag: str, resolver: _Resolver) -> str:
    name_match = _TAG_NAME.match(tag)
    assert name_match is not None
    name = name_match[1].lower()
    # "/>" closes the tag unless the slash ends an unquoted value, as in
    # <a href=/posts/>, where HTML reads it as part of the URL.
    self_closing = tag.endswith("/>") and tag[-3] in " \t\n\r\f\"'"
    pieces = []
    copied = 0  # tag[copied:part.start()] goes into the result unchanged
    end = len(tag) - 1 - self_closing
    for part in _ATTRIBUTE_PARTS.finditer(tag, name_match.end(), end):
        attribute = part[2].lower()
        if attribute.startswith("on"):
            # An event handler: no markup runs in tidings.
            pieces.append(tag[copied : part.start()])
            copied = part.end()
        elif part[4] and (name, attribute) in _URL_ATTRIBUTES:
            url = resolver.resolve(_unquote(part[4]))
            pieces.append(tag[copied : part.start()])
            copied = part.end()
            if url is not None:
                value = html.escape(url, quote=True)
                pieces.append(f'{part[1]}{part[2]}{part[3]}"{value}"')
    pieces.append(tag[copied:])
    return "".join(pieces)


def _unquote(raw: str) -> str:
    if raw[:1] in ("'", '"'):
        raw = raw[1:-1]
    if "&" in raw:
        raw = html.unescape(raw)
    return raw.translate(_URL_NOISE).strip(_C0_AND_SPACE)


class _Resolver:
    """Resolve the URLs of one body against its base, caching the results."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.known: dict[str, str | None] = {}
        # "scheme://host" of an http(s) base, for the common "/path" case,
        # unless it has characters that would need escaping in HTML.
        origin = _ORIGIN.match(base)
        plain = origin is not None and html.escape(origin[0]) == origin[0]
        self.origin = origin[0] if origin and plain else None

    def resolve(self, value: str) -> str | None:
        """Return ``value`` made absolute, or None if its scheme is unsafe."""
        if value not in self.known:
            self.known[value] = self._resolve(value)
        return self.known[value]

    def _resolve(self, value: str) -> str | None:
        scheme = _SCHEME.match(value)
        if scheme is not None:
            return value if scheme[1].lower() in SAFE_SCHEMES else None
        if not self.base:
            return value
        # An absolute path without dot segments needs no urljoin.
        if self.origin and value[:1] == "/" and value[1:2] != "/" and "/." not in value:
            return self.origin + value
        try:
            value = urljoin(self.base, value)
        except ValueError:  # an invalid IPv6 host in the value or the base
            return value
        scheme = _SCHEME.match(value)
        if scheme is not None and scheme[1].lower() not in SAFE_SCHEMES:
            return None
        return value
