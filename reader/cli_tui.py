"""Start the TUI with the user's config: keys, theme and browser command.

Importing this module does not import Textual; ``launch_tui`` does.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

from reader.browser import browser_opener
from reader.config import LoadedConfig, load_config
from reader.store import Store

if TYPE_CHECKING:
    from reader.tui.app import TidingsApp

log = logging.getLogger(__name__)


def textual_theme_names() -> set[str]:
    """Return the names of Textual's built-in themes."""
    from textual.theme import BUILTIN_THEMES

    return set(BUILTIN_THEMES)


def build_app(
    store: Store, config: LoadedConfig, *, keep_retention: bool = False
) -> TidingsApp:
    """Create the app with the config's keys, theme and browser command,
    and queue a notification for each problem in the config.

    Refreshes started in the app prune with the config's retention, unless
    ``keep_retention`` keeps the store's (``--keep-days`` was given).
    """
    from reader.tui.app import TidingsApp

    if not keep_retention:
        store.retention = config.settings.retention
    settings = config.settings
    app = TidingsApp(
        store,
        keymap=settings.keys,
        open_in_browser=browser_opener(settings.browser),
        settings=settings,
    )
    if settings.theme in app.available_themes:
        app.theme = settings.theme
    else:
        # load_config has checked the name, so this is a theme that a newer
        # Textual dropped; the app keeps its own default.
        log.warning("theme not available theme=%s", settings.theme)
    for problem in config.problems:
        app.notify(
            str(problem), title="Config", severity="warning", timeout=15, markup=False
        )
    return app


def launch_tui(store: Store, *, keep_retention: bool = False) -> int:
    """Run the TUI on ``store`` with the user's config; return its exit code.

    ``keep_retention`` goes to ``build_app``. Config problems are printed to
    stderr before the TUI takes the screen, so they are still there after it
    quits, and shown inside it as well.
    """
    from reader.tui.logfile import logging_to_file

    config = load_config(themes=textual_theme_names())
    for problem in config.problems:
        print(f"tidings: {problem}", file=sys.stderr)
    app = build_app(store, config, keep_retention=keep_retention)
    with logging_to_file():
        for problem in config.problems:
            log.warning("config problem %s", problem)
        app.run()
    return app.return_code or 0
