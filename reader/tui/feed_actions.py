"""Feed keys of ``TidingsApp``: rename, move, remove, mark all read, and
adding through ``FeedAdding``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.binding import Binding, BindingType

from reader.models import Feed
from reader.store_folders import MarkedRead, normalize_folder
from reader.tui.dialogs import ConfirmScreen, TextPrompt
from reader.tui.feed_adding import FAILED, FeedAdding
from reader.tui.formatting import display_line, feed_title

if TYPE_CHECKING:
    from reader.store import Store
    from reader.tui.feed_list import FeedList
    from reader.tui.status import StatusLine

FEED_BINDINGS: list[BindingType] = [
    Binding("a", "add_feed", "Add feed", show=False, id="feed.add"),
    Binding("e", "rename_feed", "Rename", show=False, id="feed.rename"),
    Binding("M", "move_feed", "Move", show=False, id="feed.move"),
    Binding("D", "remove_feed", "Remove", show=False, id="feed.remove"),
    Binding("A", "mark_all_read", "All read", show=False, id="feed.mark_all_read"),
    Binding("u", "undo_mark_all_read", "Undo", show=False, id="feed.undo_mark_all"),
]
"""Bindings of the app that act on the highlighted feed, in its BINDINGS."""


class FeedActions(FeedAdding):
    """The feed management keys of ``TidingsApp``.

    A mixin: the app supplies the store, the panes, ``reload_feeds``,
    ``reload_entries``, ``update_feed_row``, ``start_refresh`` and Textual's
    ``push_screen``.

    | Key | Binding id | Action |
    | --- | --- | --- |
    | `a` | `feed.add` | Subscribe to a feed URL or a page's feed |
    | `e` | `feed.rename` | Rename the feed (empty: its own title) |
    | `M` | `feed.move` | Move the feed to a folder (empty: no folder) |
    | `D` | `feed.remove` | Unsubscribe, after a confirmation |
    | `A` | `feed.mark_all_read` | Mark every entry of the feed read |
    | `u` | `feed.undo_mark_all` | Undo the last mark-all-read |
    """

    # Rename, move, remove

    def action_rename_feed(self) -> None:
        """Ask for a new title for the highlighted feed, or a new name for
        the highlighted folder."""
        row = self.feed_list.current_row
        if row is not None and row.folder is not None:
            self._rename_folder(row.folder)
            return
        feed = self._target_feed()
        if feed is None:
            return
        current = feed_title(feed)
        # Prefilled and selected: typing replaces it, arrows edit it.
        prompt = TextPrompt(
            f"Rename {current}",
            "Leave empty to use the title the feed gives itself.",
            current,
            select=True,
        )

        def renamed(title: str | None) -> None:
            if title == current:
                return
            if title is not None:
                stored = self._write(lambda: self.store.rename_feed(feed.id, title))
                if stored is FAILED:
                    return
                self.reload_feeds(feed.id)
                shown = feed_title(self.store.get_feed(feed.id))
                self.status.show(f"Renamed to {shown}" if stored else f"Reset {shown}")

        self.push_screen(prompt, callback=renamed)

    def _rename_folder(self, folder: str) -> None:
        prompt = TextPrompt(
            f"Rename folder {display_line(folder)}",
            "Its subfolders move along; 'News/Local' nests, empty takes the "
            "feeds out of the folder.",
            folder,
        )

        def renamed(name: str | None) -> None:
            if name is None:
                return
            moved = self._write(lambda: self.store.rename_folder(folder, name))
            if moved is FAILED:
                return
            new = normalize_folder(name)
            self.reload_feeds(None)
            if new is not None:
                self.feed_list.show_folder(new)
            self.status.show(
                f"Moved {_feeds(moved)} to {display_line(name) or 'no folder'}"
            )

        self.push_screen(prompt, callback=renamed)

    def action_move_feed(self) -> None:
        """Ask for the folder to move the highlighted feed to."""
        feed = self._target_feed()
        if feed is None:
            return
        current = self.store.get_feed_settings(feed.id).folder
        names = ", ".join(folder.name for folder in self.store.list_folders())
        hint = "Leave empty for no folder; 'News/Local' nests."
        if names:
            hint = f"{hint} Folders: {names}"
        prompt = TextPrompt(f"Move {feed_title(feed)} to folder", hint, current or "")

        def moved(folder: str | None) -> None:
            if folder is not None:
                stored = self._write(
                    lambda: self.store.set_feed_folder(feed.id, folder)
                )
                if stored is FAILED:
                    return
                self.reload_feeds(feed.id)
                where = f"folder {stored}" if stored else "no folder"
                self.status.show(f"Moved {feed_title(feed)} to {where}")

        self.push_screen(prompt, callback=moved)

    def action_remove_feed(self) -> None:
        """Unsubscribe from the highlighted feed once the user confirms."""
        feed = self._target_feed()
        if feed is None:
            return
        starred = self.store.count_entries(feed.id, starred_only=True)
        details = removal_details(feed, starred)

        def confirmed(answer: bool | None) -> None:
            if answer:
                if self._write(lambda: self.store.remove_feed(feed.id)) is FAILED:
                    return
                self.reload_feeds(None)
                self.status.show(f"Removed {feed_title(feed)}")

        self.push_screen(
            ConfirmScreen(f"Remove {feed_title(feed)}?", details), callback=confirmed
        )

    # Mark all read

    def action_mark_all_read(self) -> None:
        """Mark every entry of the highlighted feed or folder read; on All
        or Unread, every entry of the cache."""
        row = self.feed_list.current_row
        if row is None or row.key in ("starred",) or row.key.startswith("search:"):
            self.status.show("Select a feed, a folder, All or Unread first")
            return
        if row.folder is not None:
            folder = row.folder
            place = f"folder {display_line(folder)}"
            marked = self._write(lambda: self.store.mark_all_read(folder=folder))
        elif row.feed is not None:
            feed_id = row.feed.id
            place = feed_title(row.feed)
            marked = self._write(lambda: self.store.mark_all_read(feed_id))
        else:
            place = "every feed"
            marked = self._write(self.store.mark_all_read)
        if marked is FAILED:
            return
        self._after_marking(marked)
        if marked:
            self.status.show(
                f"Marked {_entries(len(marked))} read in {place}; u undoes"
            )
        else:
            self.status.show(f"No unread entries in {place}")

    def action_undo_mark_all_read(self) -> None:
        """Mark unread again what the last mark-all-read changed."""
        restored = self._write(self.store.undo_mark_all_read)
        if restored is FAILED:
            return
        self._after_marking(restored)
        if restored:
            self.status.show(f"Marked {_entries(len(restored))} unread again")
        else:
            self.status.show("Nothing to undo")

    def _after_marking(self, marked: MarkedRead) -> None:
        for feed_id in marked.feed_ids:
            self.update_feed_row(feed_id, show_status=False)
        if marked:
            self.reload_entries()

    def _target_feed(self) -> Feed | None:
        feed = self.feed_list.current_feed
        if feed is None:
            self.status.show("Select a feed first; this key acts on one feed")
        return feed

    if TYPE_CHECKING:
        store: Store

        @property
        def feed_list(self) -> FeedList: ...

        @property
        def status(self) -> StatusLine: ...

        def push_screen(self, screen: Any, callback: Any = None) -> Any: ...

        def reload_feeds(self, highlight_id: int | None) -> None: ...

        def reload_entries(self) -> None: ...

        def start_refresh(self, feed_ids: list[int] | None) -> None: ...

        def update_feed_row(
            self, feed_id: int, *, show_status: bool = True
        ) -> None: ...


def _feeds(count: int) -> str:
    return f"{count} {'feed' if count == 1 else 'feeds'}"


def _entries(count: int) -> str:
    return f"{count} {'entry' if count == 1 else 'entries'}"


def removal_details(feed: Feed, starred: int) -> str:
    """Describe what removing ``feed`` deletes, starred entries included."""
    text = f"This deletes its {_entries(feed.total)} from the cache"
    if starred:
        stars = "1 starred entry" if starred == 1 else f"{starred} starred entries"
        return f"{text}, including {stars}."
    return f"{text}; none of them is starred."
