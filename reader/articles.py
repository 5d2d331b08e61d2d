"""Entry bodies as Markdown, converted once and cached in the store."""

from __future__ import annotations

from reader.convert import content_hash, html_to_markdown
from reader.models import Entry
from reader.store import Store


def markdown_key(store: Store, entry: Entry) -> tuple[str, str]:
    """Return (base URL, cache key) for converting the entry's body.

    Relative links resolve against the entry link, else the feed URL. The
    key changes with the body, the base URL and the converter version.
    """
    base_url = entry.link or store.get_feed(entry.feed_id).url
    return base_url, content_hash(entry.content, base_url)


def entry_markdown(store: Store, entry: Entry) -> str:
    """Return the entry's body as Markdown, converting it on first use."""
    base_url, key = markdown_key(store, entry)
    cached = store.get_markdown(entry.id, key)
    if cached is not None:
        return cached
    markdown = html_to_markdown(entry.content, base_url)
    store.put_markdown(entry.id, key, markdown)
    return markdown
