"""Modal dialogs: a one-line text prompt, a yes/no confirmation, a choice."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
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

    def __init__(
        self, title: str, hint: str, value: str = "", *, select: bool = False
    ) -> None:
        super().__init__()
        self.title_text = title
        self.hint = hint
        self.value = value
        self.select = select
        """Whether the prefilled value starts selected, so typing replaces it."""

    def compose(self) -> ComposeResult:
        """Show the title, the input and a hint below it."""
        with Vertical(classes="dialog"):
            yield Static(Content.styled(self.title_text, "bold"), classes="title")
            yield Input(self.value, id="dialog-input", select_on_focus=False)
            yield Static(Content.styled(self.hint, "$text-muted"), classes="hint")

    def on_mount(self) -> None:
        """Select the prefilled value if asked to."""
        if self.select:
            self.input.select_all()

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
    The hint below the question names the keys in force, remapped or not.

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
            yield Static(classes="hint", id="confirm-keys")

    def on_mount(self) -> None:
        """Show the yes and no keys, as the config remaps them."""
        yes = bound_keys(self, "confirm.yes")
        no = bound_keys(self, "confirm.no")
        hint = f"{yes}: yes · {no}: no"
        self.query_one("#confirm-keys", Static).update(
            Content.styled(hint, "$text-muted")
        )

    def action_answer(self, answer: bool) -> None:
        """Dismiss with ``answer``."""
        self.dismiss(answer)


def bound_keys(screen: Screen[object], binding_id: str) -> str:
    """Return the keys bound to ``binding_id`` on ``screen`` as shown to the
    user ("y or Enter"), after the app's keymap."""
    keys = [
        screen.app.get_key_display(active.binding)
        for active in screen.active_bindings.values()
        if active.binding.id == binding_id
    ]
    return " or ".join(keys) or "(no key)"


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
            yield Static(classes="hint", id="choice-keys")

    def on_mount(self) -> None:
        """Name the keys that choose and cancel, after the config's remapping."""
        hint = f"Enter: choose · {bound_keys(self, 'dialog.cancel')}: cancel"
        self.query_one("#choice-keys", Static).update(
            Content.styled(hint, "$text-muted")
        )

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option_index)

    def action_cancel(self) -> None:
        """Dismiss without a choice."""
        self.dismiss(None)
