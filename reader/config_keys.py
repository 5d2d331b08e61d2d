"""Binding ids the ``[keys]`` table of the config may remap, and key checks.

The TUI's bindings are the source of truth. This table mirrors them so that
the core can validate a config without importing Textual, and a test keeps
the two equal.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BindingInfo:
    """A remappable binding: where it applies, its default keys, its action."""

    scope: str
    """The pane or screen whose bindings hold it: app, feeds, entries,
    article, help, filter (the ``/`` prompt), search (the search screen),
    confirm (yes/no questions) or dialog (prompts, choices)."""
    keys: str
    """Default keys, comma-separated, in Textual's key names."""
    description: str


BINDINGS: dict[str, BindingInfo] = {
    "app.quit": BindingInfo("app", "q", "Quit"),
    "app.help": BindingInfo("app", "question_mark", "Show every key"),
    "app.focus_next": BindingInfo("app", "tab", "Move the focus to the next pane"),
    "app.focus_previous": BindingInfo(
        "app", "shift+tab", "Move the focus to the previous pane"
    ),
    "feed.refresh": BindingInfo("app", "r", "Refresh the selected feed or folder now"),
    "feed.refresh_all": BindingInfo("app", "R", "Refresh every feed that is due"),
    "entry.next_unread": BindingInfo("app", "n", "Open the next unread entry"),
    "entry.previous_unread": BindingInfo(
        "app", "p,N", "Open the previous unread entry"
    ),
    "entry.toggle_read": BindingInfo("app", "m", "Mark the entry read or unread"),
    "entry.toggle_starred": BindingInfo("app", "s", "Star or unstar the entry"),
    "entry.open_link": BindingInfo("app", "o", "Open the entry's link in the browser"),
    "entry.copy_link": BindingInfo(
        "app", "y", "Copy the entry's link to the clipboard"
    ),
    "article.follow_link": BindingInfo(
        "app", "f", "Open an article link by its number"
    ),
    "article.reader_mode": BindingInfo(
        "app", "v", "Show the article as plain text, or styled"
    ),
    "feed.add": BindingInfo("app", "a", "Subscribe to a feed URL or a page's feed"),
    "feed.rename": BindingInfo("app", "e", "Rename the highlighted feed"),
    "feed.move": BindingInfo("app", "M", "Move the highlighted feed to a folder"),
    "feed.remove": BindingInfo("app", "D", "Unsubscribe from the highlighted feed"),
    "feed.mark_all_read": BindingInfo(
        "app", "A", "Mark every entry of the highlighted feed read"
    ),
    "feed.undo_mark_all": BindingInfo("app", "u", "Undo the last mark-all-read"),
    "entry.unread_only": BindingInfo(
        "app", "U", "List only unread entries, or every entry again"
    ),
    "entry.sort": BindingInfo("app", "S", "Sort entries by title, or by date again"),
    "app.search": BindingInfo("app", "ctrl+f", "Search every cached entry"),
    "app.copy_or_quit": BindingInfo(
        "app", "ctrl+c", "Copy the selected text, or quit when none is selected"
    ),
    "feed.cursor_down": BindingInfo("feeds", "j,down", "Move to the next feed"),
    "feed.cursor_up": BindingInfo("feeds", "k,up", "Move to the previous feed"),
    "feed.first": BindingInfo("feeds", "g,home", "Move to the first feed"),
    "feed.last": BindingInfo("feeds", "G,end", "Move to the last feed"),
    "feed.page_down": BindingInfo("feeds", "pagedown", "Move down one screen"),
    "feed.page_up": BindingInfo("feeds", "pageup", "Move up one screen"),
    "feed.select": BindingInfo("feeds", "enter", "Move the focus to the entries"),
    "feed.toggle_folder": BindingInfo(
        "feeds", "space", "Fold or unfold the highlighted folder"
    ),
    "feed.collapse": BindingInfo(
        "feeds", "h,left", "Fold the folder, or go to the feed's folder"
    ),
    "feed.expand": BindingInfo("feeds", "l,right", "Unfold the highlighted folder"),
    "feed.filter": BindingInfo("feeds", "slash", "Filter the feeds by title"),
    "entry.cursor_down": BindingInfo("entries", "j,down", "Move to the next entry"),
    "entry.cursor_up": BindingInfo("entries", "k,up", "Move to the previous entry"),
    "entry.first": BindingInfo("entries", "g,home", "Move to the first entry"),
    "entry.last": BindingInfo("entries", "G,end", "Move to the last entry"),
    "entry.page_down": BindingInfo("entries", "pagedown", "Move down one screen"),
    "entry.page_up": BindingInfo("entries", "pageup", "Move up one screen"),
    "entry.open": BindingInfo("entries", "enter", "Open the entry"),
    "entry.filter": BindingInfo("entries", "slash", "Filter the entries by words"),
    "article.scroll_down": BindingInfo("article", "j,down", "Scroll down one line"),
    "article.scroll_up": BindingInfo("article", "k,up", "Scroll up one line"),
    "article.read_on": BindingInfo(
        "article",
        "space",
        "Scroll down one screen; at the end, open the next unread entry",
    ),
    "article.page_down": BindingInfo("article", "pagedown", "Scroll down one screen"),
    "article.page_up": BindingInfo("article", "b,pageup", "Scroll up one screen"),
    "article.top": BindingInfo("article", "g,home", "Scroll to the top"),
    "article.bottom": BindingInfo("article", "G,end", "Scroll to the bottom"),
    "help.close": BindingInfo(
        "help", "escape,q,question_mark", "Close the help screen"
    ),
    "help.scroll_down": BindingInfo("help", "j,down", "Scroll down one line"),
    "help.scroll_up": BindingInfo("help", "k,up", "Scroll up one line"),
    "help.page_down": BindingInfo("help", "space,pagedown", "Scroll down one screen"),
    "help.page_up": BindingInfo("help", "b,pageup", "Scroll up one screen"),
    "confirm.yes": BindingInfo("confirm", "y,enter", "Answer yes to the question"),
    "confirm.no": BindingInfo("confirm", "n,escape", "Answer no to the question"),
    "filter.clear": BindingInfo("filter", "escape", "Clear the filter and close it"),
    "search.back": BindingInfo(
        "search", "q", "In the results: go back without opening an entry"
    ),
    "search.close": BindingInfo("search", "escape", "Go back without opening an entry"),
    "search.save": BindingInfo("search", "ctrl+s", "Save the search as a virtual feed"),
    "dialog.cancel": BindingInfo(
        "dialog", "escape", "Close a prompt or a list of choices unanswered"
    ),
}

# Panes whose bindings are checked before the app's while they have the
# focus, so a key they bind hides the same key bound in the app.
_PANES_UNDER_APP = frozenset({"feeds", "entries", "article"})

# Textual's names for keys that are not characters (textual.keys, 8.x).
_NAMED_KEYS = frozenset(
    {
        "escape", "enter", "tab", "space", "backspace", "delete", "insert",
        "home", "end", "pageup", "pagedown", "up", "down", "left", "right",
    }
)  # fmt: skip
_FUNCTION_KEY = re.compile(r"f([1-9]|1[0-9]|2[0-4])")
_MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")
# Textual's short names for characters whose Unicode names are long.
_SHORT_NAMES = {
    "slash": "solidus",
    "backslash": "reverse_solidus",
    "at": "commercial_at",
    "minus": "hyphen_minus",
    "plus": "plus_sign",
    "underscore": "low_line",
}


def character_key(character: str) -> str:
    """Return Textual's name for the key of one character: "?" is
    "question_mark", "/" is "slash", and letters and digits stay as they are."""
    if character.isalnum():
        return character
    try:
        name = unicodedata.name(character).lower().replace("-", "_")
    except ValueError:
        return character
    name = name.replace(" ", "_")
    shorter = {long: short for short, long in _SHORT_NAMES.items()}
    return shorter.get(name, name)


def key_label(name: str) -> str:
    """Return a key as a reader types it: "question_mark" is "?", "slash"
    is "/", and names such as "enter" or "ctrl+p" stay as they are."""
    if len(name) == 1 or "+" in name or name in _NAMED_KEYS:
        return name
    if _FUNCTION_KEY.fullmatch(name):
        return name
    try:
        return unicodedata.lookup(_SHORT_NAMES.get(name, name).replace("_", " "))
    except KeyError:
        return name


def normalize_keys(value: str) -> str:
    """Return a comma-separated key list in Textual's names.

    Raises ValueError naming the first key that is empty or unknown.
    """
    keys = [key.strip() for key in value.split(",")]
    return ",".join(_normalize_key(key) for key in keys)


def _normalize_key(key: str) -> str:
    if not key:
        raise ValueError("a key is empty; separate keys with single commas")
    if len(key) == 1:
        return character_key(key)
    if key.endswith("++"):
        prefix, base = key[:-2], "+"
    else:
        prefix, _, base = key.rpartition("+")
    modifiers = [modifier.lower() for modifier in prefix.split("+")] if prefix else []
    for modifier in modifiers:
        if modifier not in _MODIFIERS:
            raise ValueError(f"unknown modifier {modifier!r} in {key!r}")
    if not base:
        raise ValueError(f"{key!r} has no key after its modifiers")
    if len(base) == 1:
        name = character_key(base)
    elif _is_key_name(base.lower()):
        name = base.lower()
    else:
        raise ValueError(f"unknown key {base!r} in {key!r}")
    return "+".join([*modifiers, name])


def _is_key_name(name: str) -> bool:
    if name in _NAMED_KEYS or _FUNCTION_KEY.fullmatch(name):
        return True
    unicode_name = _SHORT_NAMES.get(name, name).replace("_", " ")
    try:
        unicodedata.lookup(unicode_name)
    except KeyError:
        return False
    return True


def effective_keys(overrides: Mapping[str, str]) -> dict[str, list[str]]:
    """Return every binding id's keys after ``overrides`` replace defaults."""
    return {
        binding_id: overrides.get(binding_id, info.keys).split(",")
        for binding_id, info in BINDINGS.items()
    }


def clashes(overrides: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """Return (key, id, other id) for each key that two bindings share where
    one hides the other; ``id`` is always a remapped binding."""
    keys = effective_keys(overrides)
    found = []
    for binding_id in overrides:
        for other_id, other_keys in keys.items():
            if other_id == binding_id or not _can_clash(binding_id, other_id):
                continue
            for key in keys[binding_id]:
                if key in other_keys:
                    found.append((key, binding_id, other_id))
    return found


def _can_clash(first: str, second: str) -> bool:
    scopes = {BINDINGS[first].scope, BINDINGS[second].scope}
    return len(scopes) == 1 or (
        "app" in scopes and not scopes.isdisjoint(_PANES_UNDER_APP)
    )
