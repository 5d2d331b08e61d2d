"""Modal dialogs: a one-line text prompt, a yes/no confirmation, a choice."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option


class TextPrompt(ModalScreen[str | None]):
    """Ask for one line of text; dismiss with it, or with None when cancelled.

    | Key | Binding id | Action |
    | --- | --- | --- |
    | `enter` | | Accept the text |
    | `escape` | `dialog.cancel` | Close the dialog |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
    ]

    def __init__(self, title: str, hint: str, value: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.hint = hint
        self.value = value

    def compose(self) -> ComposeResult:
        """Show the title, the input and a hint below it."""
        with Vertical(classes="dialog"):
            yield Static(Content.styled(self.title_text, "bold"), classes="title")
            yield Input(self.value, id="dialog-input", select_on_focus=False)
            yield Static(Content.styled(self.hint, "$text-muted"), classes="hint")

    @property
    def input(self) -> Input:
        """The text field."""
        return self.query_one("#dialog-input", Input)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        """Dismiss without text."""
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    """Ask a yes/no question; ``y`` or Enter confirms, ``n`` or Esc declines.

    | Key | Binding id | Action |
    | --- | --- | --- |
    | `y`, `enter` | `confirm.yes` | Confirm |
    | `n`, `escape` | `confirm.no` | Cancel |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str, details: str) -> None:
        super().__init__()
        self.question = question
        self.details = details

    def compose(self) -> ComposeResult:
        """Show the question, what it changes, and the keys."""
        with Vertical(classes="dialog"):
            yield Static(Content.styled(self.question, "bold"), classes="title")
            yield Static(Content(self.details), id="confirm-details")
            hint = "y or Enter: yes · n or Esc: no"
            yield Static(Content.styled(hint, "$text-muted"), classes="hint")

    def action_answer(self, answer: bool) -> None:
        """Dismiss with ``answer``."""
        self.dismiss(answer)


class ChoiceScreen(ModalScreen[int | None]):
    """Offer numbered choices; dismiss with the chosen index, or None.

    | Key | Binding id | Action |
    | --- | --- | --- |
    | `enter` | | Choose the highlighted item |
    | `escape` | `dialog.cancel` | Close the dialog |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
    ]

    def __init__(self, title: str, choices: Sequence[str]) -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)

    def compose(self) -> ComposeResult:
        """Show the title above the list of choices."""
        with Vertical(classes="dialog"):
            yield Static(Content.styled(self.title_text, "bold"), classes="title")
            yield OptionList(
                *(Option(Content(choice)) for choice in self.choices),
                id="dialog-choices",
                markup=False,
            )
            hint = "Enter: choose · Esc: cancel"
            yield Static(Content.styled(hint, "$text-muted"), classes="hint")

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option_index)

    def action_cancel(self) -> None:
        """Dismiss without a choice."""
        self.dismiss(None)
