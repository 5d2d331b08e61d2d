"""App-wide keys of ``TidingsApp``: the help screen, the command palette's
actions, and Ctrl+C."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.screen import Screen
from textual.widgets import Input

from reader.tui.article import ArticleView
from reader.tui.commands import action_commands
from reader.tui.dialogs import ConfirmScreen, TextPrompt
from reader.tui.entry_list import EntryList
from reader.tui.feed_list import FeedList
from reader.tui.filter_bar import FilterBar
from reader.tui.help import HelpScreen, KeySection
from reader.tui.search_screen import SearchScreen

if TYPE_CHECKING:
    from textual.binding import BindingType

# App actions that still make sense on a screen pushed over the panes, such
# as the search screen. The others act on the panes underneath, so a key
# like "s" there would star an entry the user cannot see.
_ACTIONS_ON_ANY_SCREEN = frozenset(
    {"quit", "help", "focus_next", "focus_previous", "copy_or_quit", "command_palette"}
)


class AppKeys:
    """The help screen, the palette's commands and Ctrl+C.

    A mixin: the app supplies its panes, ``keymap`` and Textual's App API.
    """

    def key_sections(self) -> list[KeySection]:
        """Return the bindings of the app and of each pane, for the help."""
        return [
            ("Anywhere", self.BINDINGS),
            ("Feeds", FeedList.BINDINGS),
            ("Entries", EntryList.BINDINGS),
            ("Article", ArticleView.BINDINGS),
            ("Filter prompt", FilterBar.BINDINGS),
            ("Search screen", SearchScreen.BINDINGS),
            ("Yes/no questions", ConfirmScreen.BINDINGS),
            ("Prompts and choices", TextPrompt.BINDINGS),
        ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Disable the actions on the panes while another screen is on top."""
        if action in _ACTIONS_ON_ANY_SCREEN:
            return True
        return self.screen is self.screen_stack[0]

    def action_help(self) -> None:
        """Show the key table."""
        self.push_screen(HelpScreen(self.key_sections(), self.keymap))

    def action_copy_or_quit(self) -> None:
        """Copy the selected text to the clipboard, or quit when no text is
        selected, as Ctrl+C does in a terminal."""
        selected = self.screen.get_selected_text()
        focused = self.screen.focused
        if not selected and isinstance(focused, Input):
            selected = focused.selected_text
        if not selected:
            self.exit()
            return
        self.copy_to_clipboard(selected)
        self.notify("Copied the selected text")

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """List Textual's commands, then every action of every pane."""
        yield from super().get_system_commands(screen)
        if screen is not self.screen_stack[0]:
            return
        # The other sections' keys work only inside their own prompt or screen.
        panes = [self, self.feed_list, self.entry_list, self.article]
        sections = list(zip(self.key_sections()[: len(panes)], panes, strict=True))
        yield from action_commands(
            sections, self.keymap, self.get_key_display, self.run_action
        )

    if TYPE_CHECKING:
        BINDINGS: list[BindingType]
        keymap: dict[str, str]
