"""Layering: the core never imports Textual, the UI never does HTTP or SQL."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

CORE_MODULES = [
    "reader.models",
    "reader.textsafe",
    "reader.paths",
    "reader.schema",
    "reader.store",
    "reader.rows",
    "reader.listing",
    "reader.search",
    "reader.retention",
    "reader.fetch",
    "reader.parse",
    "reader.convert",
    "reader.links",
    "reader.lexers",
    "reader.render",
    "reader.update",
    "reader.articles",
    "reader.welcome",
    "reader.cli",
    "reader.backup",
    "reader.export",
    "reader.convert_limits",
    "reader.store_errors",
    "reader.cli_search",
]
TUI_DIR = Path(__file__).resolve().parents[1] / "reader" / "tui"


def test_core_does_not_import_textual() -> None:
    imports = "; ".join(f"import {name}" for name in CORE_MODULES)
    listing = "sorted(m for m in sys.modules if m.startswith('textual'))"
    code = f"{imports}; import sys; print({listing})"
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"


def _imported_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_tui_does_not_touch_http_or_sql() -> None:
    for path in TUI_DIR.rglob("*.py"):
        imported = _imported_names(path)
        assert "sqlite3" not in imported, path
        assert "httpx" not in imported, path
