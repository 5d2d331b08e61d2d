"""Where tidings keeps its files: cache, config and log.

All paths come from platformdirs, so one environment change (XDG_* on Linux)
redirects every one of them, and ``TIDINGS_DB`` or ``--db`` moves the cache.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "tidings"
DB_ENV = "TIDINGS_DB"


def default_db_path() -> Path:
    """Return the cache path: ``TIDINGS_DB`` if set, else the user data dir."""
    override = os.environ.get(DB_ENV)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME)) / "cache.sqlite3"


def config_dir() -> Path:
    """Return the directory of ``config.toml``."""
    return Path(platformdirs.user_config_dir(APP_NAME))


def log_path() -> Path:
    """Return the path of the log file the TUI writes while it runs."""
    return Path(platformdirs.user_log_dir(APP_NAME)) / "tidings.log"
