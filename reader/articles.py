"""Entry bodies as Markdown, converted once and cached in the store."""

from __future__ import annotations

from reader.convert import content_hash, html_to_markdown
from reader.models import Entry
from reader.store import Store


def entry_markdown(store: Store, entry: Entry) -> str:
    """Return the entry's body as Markdown, converting it on first use.

    Relative links resolve against the entry link, else the feed URL. The
    result is cached by entry and content hash, so a changed body converts
    again and an unchanged one never does.
    """
    base_url = entry.link or store.get_feed(entry.feed_id).url
    digest = content_hash(entry.content, base_url)
    cached = store.get_markdown(entry.id, digest)
    if cached is not None:
        return cached
    markdown = html_to_markdown(entry.content, base_url)
    store.put_markdown(entry.id, digest, markdown)
    return markdown
