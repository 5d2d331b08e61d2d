"""The prompt of the ``/`` filter, shown at the bottom while the user types."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input


class FilterBar(Input):
    """A one-line prompt whose text filters a list on every change.

    | Key | Binding id | Action |
    | --- | --- | --- |
    | `enter` | | Keep the filter and go back to the list |
    | `escape` | `filter.clear` | Clear the filter and go back to the list |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "clear_filter", "Clear filter", id="filter.clear"),
    ]

    class TextChanged(Message):
        """The filter text changed."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Closed(Message):
        """The prompt closed; ``kept`` is False when the filter was cleared."""

        def __init__(self, kept: bool) -> None:
            super().__init__()
            self.kept = kept

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(placeholder="filter as you type", id=id)
        self.display = False

    def open(self, text: str, placeholder: str) -> None:
        """Show the prompt with ``text`` in it and take the focus."""
        self.placeholder = placeholder
        with self.prevent(Input.Changed):
            self.value = text
        self.cursor_position = len(text)
        self.display = True
        self.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Report the new text as a filter change."""
        event.stop()
        self.post_message(self.TextChanged(event.value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Close, keeping the filter."""
        event.stop()
        self.display = False
        self.post_message(self.Closed(kept=True))

    def action_clear_filter(self) -> None:
        """Close and clear the filter."""
        with self.prevent(Input.Changed):
            self.value = ""
        self.display = False
        self.post_message(self.TextChanged(""))
        self.post_message(self.Closed(kept=False))
