"""The help screen: every key binding of every pane, after keymap overrides."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingsMap, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

KeySection = tuple[str, Sequence[BindingType]]
"""A heading and the BINDINGS of the class it describes."""


class HelpScreen(ModalScreen[None]):
    """A table of keys per pane, built from the bindings in force.

    | Key | Binding id | Action |
    | --- | --- | --- |
    | `escape`, `q`, `?` | `help.close` | Close the help screen |
    | `j`, `down` | `help.scroll_down` | Scroll down one line |
    | `k`, `up` | `help.scroll_up` | Scroll up one line |
    | `space`, `pagedown` | `help.page_down` | Scroll down one screen |
    | `b`, `pageup` | `help.page_up` | Scroll up one screen |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close"),
        Binding("j,down", "scroll_down", "Down", id="help.scroll_down"),
        Binding("k,up", "scroll_up", "Up", id="help.scroll_up"),
        Binding("space,pagedown", "page_down", "Page", id="help.page_down"),
        Binding("b,pageup", "page_up", "Back", id="help.page_up"),
    ]

    def __init__(self, sections: Sequence[KeySection], keymap: Mapping[str, str]):
        super().__init__()
        self.sections = sections
        self.keymap = keymap

    def compose(self) -> ComposeResult:
        """Show one key table per section, then the help screen's own keys."""
        sections = [*self.sections, ("Help", self.BINDINGS)]
        text = keys_markdown(sections, self.keymap, self.app.get_key_display)
        with VerticalScroll(id="help-body"):
            yield Markdown(text, id="help-text")

    @property
    def body(self) -> VerticalScroll:
        """The scrolling container of the key tables."""
        return self.query_one("#help-body", VerticalScroll)

    def action_scroll_down(self) -> None:
        """Scroll down one line."""
        self.body.scroll_down()

    def action_scroll_up(self) -> None:
        """Scroll up one line."""
        self.body.scroll_up()

    def action_page_down(self) -> None:
        """Scroll down one screen."""
        self.body.scroll_page_down()

    def action_page_up(self) -> None:
        """Scroll up one screen."""
        self.body.scroll_page_up()


def keys_markdown(
    sections: Iterable[KeySection],
    keymap: Mapping[str, str],
    key_display: Callable[[Binding], str],
) -> str:
    """Build a Markdown document with one key table per section."""
    parts = ["# Keys"]
    for heading, bindings in sections:
        parts.append(f"## {heading}")
        parts.append("| Key | Action | Binding id |\n| --- | --- | --- |")
        rows = [
            f"| {_cell(keys)} | {_cell(description)} | {_cell(binding_id)} |"
            for keys, description, binding_id in _rows(bindings, keymap, key_display)
        ]
        parts[-1] += "\n" + "\n".join(rows)
    return "\n\n".join(parts) + "\n"


def _rows(
    bindings: Sequence[BindingType],
    keymap: Mapping[str, str],
    key_display: Callable[[Binding], str],
) -> list[tuple[str, str, str]]:
    bindings_map = BindingsMap(bindings)
    bindings_map.apply_keymap(dict(keymap))
    grouped: dict[str, tuple[list[str], str, str]] = {}
    for _key, binding in bindings_map:
        row = grouped.setdefault(
            binding.id or binding.action, ([], binding.description, binding.id or "")
        )
        # A remapped binding of several default keys ("y,enter") gives one
        # binding per default key, each with the new keys.
        shown = key_display(binding)
        if shown not in row[0]:
            row[0].append(shown)
    return [
        (", ".join(keys), description, binding_id)
        for keys, description, binding_id in grouped.values()
    ]


def _cell(text: str) -> str:
    return text.replace("|", "\\|") if text else " "
