"""The welcome feed: a short guide to tidings, added to a new cache once.

The feed ships as package data (``reader/data/welcome.xml``) and is
subscribed by its file path, so a refresh reads it like any local feed.
"""

from __future__ import annotations

import hashlib
import logging
from importlib.resources import files
from pathlib import Path

from reader.models import Feed, FeedExistsError, FetchResult
from reader.store import Store

log = logging.getLogger(__name__)

WELCOME_META_KEY = "welcome_added"
"""Meta key set to "1" by the first call, whether the feed was added or not."""

_CONTENT_TYPE = "application/atom+xml"


def welcome_feed_path() -> Path:
    """Return the path of the bundled welcome feed on disk.

    Raises FileNotFoundError when the package is not installed as plain files
    (a zip import, for example), because the feed is subscribed by its path.
    """
    resource = files("reader") / "data" / "welcome.xml"
    if not isinstance(resource, Path) or not resource.is_file():
        raise FileNotFoundError(
            f"welcome feed {resource} not found as a file; install tidings "
            "from a wheel or a source tree, not as a zip archive"
        )
    # Resolved like the paths ``tidings add`` stores, so both spell it alike.
    return resource.resolve()


def ensure_welcome(store: Store) -> Feed | None:
    """Add the welcome feed to a cache that never had it, and return the feed.

    Only an empty cache gets the feed. Either way the first call records
    ``WELCOME_META_KEY``, so a user who starts with ``tidings add`` never
    gets the feed, and a user who removes it does not get it back. Returns
    None when nothing was added.
    """
    if store.get_meta(WELCOME_META_KEY) is not None:
        return None
    if store.list_feeds():
        store.set_meta(WELCOME_META_KEY, "1")
        return None

    # Imported here: feedparser is needed only on this first start, and
    # importing it costs every other start about 10 ms.
    from reader.parse import parse_feed

    path = welcome_feed_path()
    content = path.read_bytes()
    # Parse before subscribing, so a broken file leaves the cache unchanged.
    parsed = parse_feed(content, str(path), content_type=_CONTENT_TYPE)
    try:
        feed = store.add_feed(str(path))
    except FeedExistsError:
        # Another tidings process added it between the checks above and here.
        store.set_meta(WELCOME_META_KEY, "1")
        return None

    result = FetchResult(url=str(path), content=content, content_type=_CONTENT_TYPE)
    body_hash = hashlib.sha256(content).hexdigest()
    store.save_parsed(feed.id, result, parsed, body_hash=body_hash)
    store.set_meta(WELCOME_META_KEY, "1")
    log.info("welcome feed added feed_id=%d entries=%d", feed.id, len(parsed.entries))
    return store.get_feed(feed.id)
