"""OPML 1.0 and 2.0 subscription lists: read with folders, write 2.0.

Reading uses expat directly so that every outline's line is known, and
rejects entity declarations: no internal entity can expand ("billion
laughs") and no external entity or DTD is ever loaded.

An outline with ``xmlUrl`` is a feed. Following OPML 2.0, its ``text`` is
the name shown and ``title`` the feed's own title, so a ``text`` that
differs from ``title`` is a title the user chose. An outline without
``xmlUrl`` that contains outlines is a folder; nested folders become one
folder named by their path ("Tech/Python").
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import NoReturn
from xml.parsers import expat

from reader.models import Feed
from reader.store_folders import FOLDER_SEPARATOR, FeedSettings, iter_folder_parts
from reader.subscription_list import (
    ImportFileError,
    Skipped,
    Subscription,
    SubscriptionList,
)
from reader.textsafe import clean_line

# Characters XML 1.0 does not allow in a document, even as references.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class _Outline:
    line: int
    name: str | None
    """Folder name, for an outline that is not a feed."""
    is_feed: bool
    text: str
    has_children: bool = False


@dataclass
class _OutlineReader:
    """Builds subscriptions from expat's start and end events."""

    parser: expat.XMLParserType
    subscriptions: list[Subscription] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    stack: list[_Outline] = field(default_factory=list)
    root: str | None = None

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if self.root is None:
            self.root = name
            if name.lower() != "opml":
                raise ImportFileError(f"not an OPML file: the root is <{name}>")
        if name != "outline":
            return
        if self.stack:
            self.stack[-1].has_children = True
        self.stack.append(self._outline(self.parser.CurrentLineNumber, attributes))

    def _outline(self, line: int, attributes: dict[str, str]) -> _Outline:
        values = {key.lower(): value.strip() for key, value in attributes.items()}
        url = values.get("xmlurl", "")
        text = values.get("text", "")
        described = clean_line(text or values.get("title", "") or url)
        if not url:
            return _Outline(line, text or values.get("title") or None, False, described)
        folder = self._folder() or _category_folder(values.get("category", ""))
        user_title, title = _titles(values, url)
        self.subscriptions.append(Subscription(url, line, title, folder, user_title))
        return _Outline(line, None, True, described)

    def _folder(self) -> str | None:
        names = [o.name for o in self.stack if not o.is_feed and o.name]
        return FOLDER_SEPARATOR.join(names) or None

    def end(self, name: str) -> None:
        if name != "outline":
            return
        outline = self.stack.pop()
        if not outline.is_feed and not outline.has_children:
            reason = "an outline without xmlUrl and without outlines in it"
            self.skipped.append(Skipped(outline.line, outline.text, reason))


def _titles(values: dict[str, str], url: str) -> tuple[str | None, str | None]:
    text = values.get("text") or None
    if text == url:
        text = None
    if "title" not in values:
        return None, text
    title = values["title"] or None
    return (text if text != title else None), title


def _category_folder(category: str) -> str | None:
    # OPML 2.0 categories are comma-separated, slash-delimited paths. The
    # first one is used as the folder of an outline that is not nested.
    first = category.split(",")[0].strip().strip(FOLDER_SEPARATOR)
    return first or None


def _reject_entity(*_: object) -> NoReturn:
    raise ImportFileError(
        "the OPML file declares XML entities, which tidings does not expand"
    )


def parse_opml(data: bytes) -> SubscriptionList:
    """Read the feeds and folders of an OPML document.

    Raises ImportFileError for XML that is not well formed, a root that is
    not ``<opml>``, and entity declarations.
    """
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    reader = _OutlineReader(parser)
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.EntityDeclHandler = _reject_entity
    parser.ExternalEntityRefHandler = _reject_entity
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        message = expat.errors.messages.get(error.code, str(error))
        raise ImportFileError(
            f"not a well-formed OPML file: {message} at line {error.lineno}"
        ) from None
    return SubscriptionList("OPML", tuple(reader.subscriptions), tuple(reader.skipped))


# Writing


def _xml_text(text: str) -> str:
    return _XML_INVALID.sub("", text)


def _outline_url(url: str) -> str:
    # A local feed is stored as an absolute path; OPML wants a URL.
    if "://" not in url and Path(url).is_absolute():
        return Path(url).as_uri()
    return url


def _feed_outline(feed: Feed, settings: FeedSettings) -> ET.Element:
    url = _xml_text(_outline_url(feed.url))
    # An outline's text is the URL itself when the feed has no title yet,
    # which reading takes as no title, as it should.
    shown = settings.user_title or settings.document_title
    attributes = {
        "type": "rss",
        "text": _xml_text(clean_line(shown)) if shown else url,
        "title": _xml_text(clean_line(settings.document_title or "")),
        "xmlUrl": url,
    }
    if feed.link:
        attributes["htmlUrl"] = _xml_text(feed.link)
    return ET.Element("outline", attributes)


def write_opml(
    feeds: Iterable[tuple[Feed, FeedSettings]],
    *,
    title: str = "tidings subscriptions",
    created: datetime | None = None,
) -> bytes:
    """Return an OPML 2.0 document of ``feeds``, nested by folder path."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    created = created or datetime.now(UTC)
    ET.SubElement(head, "dateCreated").text = format_datetime(created)
    body = ET.SubElement(root, "body")
    folders: dict[tuple[str, ...], ET.Element] = {(): body}
    ordered = sorted(feeds, key=lambda pair: _sort_key(*pair))
    for feed, settings in ordered:
        parent = _folder_element(folders, tuple(iter_folder_parts(settings.folder)))
        parent.append(_feed_outline(feed, settings))
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document + b"\n"


def _sort_key(feed: Feed, settings: FeedSettings) -> tuple[str, str, int]:
    # Feeds without a folder come first, then each folder by name, so a
    # folder's element is created just before its first feed is added.
    folder = settings.folder or ""
    return (folder.lower(), feed.title.lower(), feed.id)


def _folder_element(
    folders: dict[tuple[str, ...], ET.Element], path: tuple[str, ...]
) -> ET.Element:
    element = folders.get(path)
    if element is None:
        parent = _folder_element(folders, path[:-1])
        name = _xml_text(path[-1])
        element = ET.SubElement(parent, "outline", text=name, title=name)
        folders[path] = element
    return element
