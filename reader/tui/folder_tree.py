"""Feeds grouped into their folders, as the rows of the feed list.

Folder names nest with "/" ("Tech/Python" is inside "Tech"). A folder row
sums the unread counts of every feed inside it, subfolders included, and a
collapsed folder hides what is inside it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from reader.models import Feed

SEPARATOR = "/"


@dataclass(frozen=True, slots=True)
class TreeRow:
    """One row of the tree: a folder, or a feed inside ``depth`` folders."""

    depth: int
    """Folders above the row; 0 at the top level."""
    folder: str | None
    """A folder row's full name, such as "Tech/Python"; None for a feed."""
    feed: Feed | None = None
    unread: int = 0
    """A folder's summed unread count, or a feed's own."""
    collapsed: bool = False
    """Whether a folder row hides its contents."""

    @property
    def name(self) -> str:
        """A folder's last name part ("Python" in "Tech/Python")."""
        return "" if self.folder is None else self.folder.rsplit(SEPARATOR, 1)[-1]


@dataclass
class _Folder:
    path: str
    feeds: list[Feed] = field(default_factory=list)
    children: dict[str, _Folder] = field(default_factory=dict)

    def unread(self) -> int:
        own = sum(feed.unread for feed in self.feeds)
        return own + sum(child.unread() for child in self.children.values())


def folder_rows(
    feeds: Iterable[Feed],
    folders: Mapping[int, str | None],
    collapsed: frozenset[str] | set[str] = frozenset(),
) -> list[TreeRow]:
    """Return the rows of ``feeds`` grouped by ``folders`` (folder by feed
    id): folders first, by name ignoring case, then the feeds in no folder.

    Feeds keep their order inside a folder. A folder in ``collapsed`` shows
    its row and hides its subfolders and feeds.
    """
    root = _Folder("")
    for feed in feeds:
        node = root
        for part in _parts(folders.get(feed.id)):
            path = f"{node.path}{SEPARATOR}{part}" if node.path else part
            node = node.children.setdefault(part, _Folder(path))
        node.feeds.append(feed)
    rows: list[TreeRow] = []
    _append(root, 0, collapsed, rows)
    return rows


def _append(
    node: _Folder, depth: int, collapsed: frozenset[str] | set[str], rows: list[TreeRow]
) -> None:
    for name in sorted(node.children, key=lambda part: (part.casefold(), part)):
        child = node.children[name]
        closed = child.path in collapsed
        rows.append(TreeRow(depth, child.path, None, child.unread(), closed))
        if not closed:
            _append(child, depth + 1, collapsed, rows)
    rows.extend(TreeRow(depth, None, feed, feed.unread) for feed in node.feeds)


def _parts(folder: str | None) -> list[str]:
    if not folder:
        return []
    return [part for part in folder.split(SEPARATOR) if part]


def folder_contains(folder: str, feed_folder: str | None) -> bool:
    """Return whether a feed in ``feed_folder`` is inside ``folder``,
    directly or in one of its subfolders."""
    if not feed_folder:
        return False
    return feed_folder == folder or feed_folder.startswith(folder + SEPARATOR)
