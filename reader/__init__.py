"""tidings: a keyboard-driven terminal feed reader with an offline cache."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    # importlib.metadata takes tens of milliseconds to import, a large part
    # of the TUI's start-up, so the version is read only when it is used.
    if name != "__version__":
        raise AttributeError(f"module 'reader' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("tidings")
    except PackageNotFoundError:  # Running from a source tree that is not installed.
        return "0.0.0+unknown"
