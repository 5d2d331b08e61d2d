"""``tidings config``: show the config path, write a default, check a file."""

from __future__ import annotations

import argparse
import sys

from reader.cli_subscriptions import CommandSpec, write_atomically
from reader.config import config_path, load_config
from reader.config_checks import terminal_key_warnings
from reader.config_lines import format_key
from reader.config_template import default_config_text
from reader.models import UsageError
from reader.store import Store

EXIT_PROBLEMS = 1


def _configure_config(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("path", help="print the path of config.toml")
    init = actions.add_parser("init", help="write a commented config with defaults")
    init.add_argument(
        "--force", action="store_true", help="overwrite an existing config file"
    )
    actions.add_parser("check", help="validate the config file and list problems")


def _run_config(store: Store, args: argparse.Namespace) -> int:
    path = config_path()
    if args.action == "path":
        print(path)
        return 0
    if args.action == "init":
        if path.exists() and not args.force:
            raise UsageError(
                f"config file {path} already exists; pass --force to replace it"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, default_config_text().encode())
        print(f"Wrote {path}")
        return 0
    return _check()


def _check() -> int:
    # Textual is imported only here, to list the theme names it provides.
    from reader.cli_tui import textual_theme_names

    config = load_config(themes=textual_theme_names())
    if not config.exists:
        print(f"{config.path} does not exist; every setting has its default")
        return 0
    for problem in config.problems:
        print(problem)
    for binding_id, warning in terminal_key_warnings(config.settings.keys):
        key = format_key(("keys", binding_id))
        print(f"{config.path}: {key}: warning: {warning}")
    if config.problems:
        count = len(config.problems)
        noun = "problem" if count == 1 else "problems"
        print(f"{count} {noun}; those settings keep their defaults", file=sys.stderr)
        return EXIT_PROBLEMS
    print(f"{config.path}: no problems")
    return 0


CONFIG_COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "config",
        "show, create or check the config file",
        _configure_config,
        _run_config,
    ),
)
