"""Entry bodies as Markdown for the article pane, converted off the event loop."""

from __future__ import annotations

import asyncio

from reader.models import Entry
from reader.store import Store


async def load_markdown(store: Store, entry: Entry) -> str:
    """Return the entry's body as Markdown, converting it on first use.

    The store is used on the caller's thread only; the HTML conversion, the
    CPU-bound step, runs in a worker thread. The result is cached as
    ``reader.articles.entry_markdown`` caches it.
    """
    # Imported on the first article: the converter is not needed to start.
    from reader.articles import markdown_key
    from reader.convert import html_to_markdown

    base_url, key = markdown_key(store, entry)
    cached = store.get_markdown(entry.id, key)
    if cached is not None:
        return cached
    markdown = await asyncio.to_thread(html_to_markdown, entry.content, base_url)
    store.put_markdown(entry.id, key, markdown)
    return markdown
