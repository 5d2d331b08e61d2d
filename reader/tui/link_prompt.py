"""A one-line prompt for the number of the article link to open."""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static


def is_complete(digits: str, count: int) -> bool:
    """Return whether typing ``digits`` can only mean one of ``count`` links:
    no further digit would give a link number that exists."""
    return bool(digits) and int(digits) * 10 > count


class LinkPrompt(ModalScreen[int | None]):
    """Ask for a link number; dismiss with it, or with None when cancelled.

    The prompt closes by itself as soon as the digits typed cannot be the
    start of a longer link number, so with nine links or fewer one digit
    opens a link.

    | Key | Binding id | Action |
    | --- | --- | --- |
    | `0`-`9` | | Type the link number |
    | `backspace` | `link_prompt.delete` | Delete the last digit |
    | `enter` | `link_prompt.open` | Open the link typed so far |
    | `escape` | `link_prompt.cancel` | Close the prompt |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("backspace", "delete", "Delete", id="link_prompt.delete"),
        Binding("enter", "open", "Open", id="link_prompt.open"),
        Binding("escape", "cancel", "Cancel", id="link_prompt.cancel"),
    ]

    def __init__(self, count: int, digits: str = "") -> None:
        super().__init__()
        self.count = count
        """How many links the article has, numbered from 1."""
        self.digits = digits
        """The digits typed so far."""

    def compose(self) -> ComposeResult:
        """Show the prompt line."""
        yield Static(self._prompt(), id="link-prompt", markup=False)

    def on_key(self, event: events.Key) -> None:
        """Add a typed digit, opening the link once the number is complete."""
        if event.character is None or not event.character.isdigit():
            return
        event.stop()
        if not self.digits and event.character == "0":
            return
        self.digits += event.character
        if is_complete(self.digits, self.count):
            self.action_open()
        else:
            self._update()

    def action_delete(self) -> None:
        """Delete the last digit typed."""
        self.digits = self.digits[:-1]
        self._update()

    def action_open(self) -> None:
        """Dismiss with the number typed, if it is a link number."""
        if self.digits and 1 <= int(self.digits) <= self.count:
            self.dismiss(int(self.digits))
        else:
            self.digits = ""
            self._update(f"No link with that number; type 1 to {self.count}.")

    def action_cancel(self) -> None:
        """Dismiss without a number."""
        self.dismiss(None)

    def _update(self, error: str | None = None) -> None:
        self.query_one("#link-prompt", Static).update(self._prompt(error))

    def _prompt(self, error: str | None = None) -> Content:
        help_text = f"  (1-{self.count}, Enter opens, Esc cancels)"
        line = Content.assemble(
            ("Open link: ", "bold"), self.digits or "", ("▏", "$text-accent")
        )
        note = f"  {error}" if error else help_text
        return line + Content.styled(note, "$text-muted")
