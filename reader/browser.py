"""Open links with the browser command from the config, or the default one."""

from __future__ import annotations

import logging
import shlex
import subprocess
import webbrowser
from collections.abc import Callable

log = logging.getLogger(__name__)

URL_PLACEHOLDER = "{url}"


def browser_command(template: str, url: str) -> list[str]:
    """Return the argument list of ``template`` with ``url`` in place of
    every ``{url}``. The URL stays one argument: no shell runs it."""
    return [word.replace(URL_PLACEHOLDER, url) for word in shlex.split(template)]


def browser_opener(template: str) -> Callable[[str], bool]:
    """Return a function that opens a URL and returns whether it could.

    An empty ``template`` uses Python's webbrowser, which honours $BROWSER.
    Otherwise the command starts detached from the terminal, with its
    output discarded, so it cannot draw over the reader.
    """
    if not template:
        return webbrowser.open

    def open_with_command(url: str) -> bool:
        arguments = browser_command(template, url)
        try:
            subprocess.Popen(
                arguments,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError as error:
            log.warning("browser command failed command=%s error=%s", template, error)
            return False
        return True

    return open_with_command
