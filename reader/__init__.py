"""tidings: a keyboard-driven terminal feed reader with an offline cache."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("tidings")
except PackageNotFoundError:  # Running from a source tree that is not installed.
    __version__ = "0.0.0+unknown"
