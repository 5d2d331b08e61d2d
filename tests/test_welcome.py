"""The welcome feed: its file, and adding it once to a new cache."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from reader.store import Store
from reader.welcome import WELCOME_META_KEY, ensure_welcome, welcome_feed_path

ATOM = "{http://www.w3.org/2005/Atom}"
LANGUAGE_CLASS = re.compile(r'class="language-([\w+-]+)"')


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """Return an empty cache under tmp_path."""
    with Store(db_path) as opened:
        yield opened


# Adding the feed


def test_welcome_added_to_empty_cache(store: Store) -> None:
    feed = ensure_welcome(store)

    assert feed is not None
    assert feed.title == "Welcome to tidings"
    assert feed.url == str(welcome_feed_path())
    assert feed.last_error is None
    assert feed.total >= 4
    assert feed.unread == feed.total
    assert store.get_meta(WELCOME_META_KEY) == "1"
    assert [f.id for f in store.list_feeds()] == [feed.id]


def test_welcome_entries_stored(store: Store) -> None:
    feed = ensure_welcome(store)
    assert feed is not None

    entries = store.list_entries(feed.id)

    assert len(entries) >= 4
    assert entries[0].title == "Start here: reading with the keyboard"
    for entry in entries:
        assert entry.author == "The tidings authors"
        assert entry.published is not None
        assert entry.published.year == 2026
        assert entry.key.startswith("tag:tidings.invalid,2026:welcome/")
        assert entry.link is None
        assert "<pre" in entry.content or "<table" in entry.content


def test_welcome_content_has_code_languages(store: Store) -> None:
    feed = ensure_welcome(store)
    assert feed is not None

    content = "".join(entry.content for entry in store.list_entries(feed.id))
    languages = set(LANGUAGE_CLASS.findall(content))

    assert len(languages) >= 3
    assert {"bash", "python", "sql"} <= languages


def test_welcome_second_call_adds_nothing(store: Store) -> None:
    first = ensure_welcome(store)
    assert first is not None

    second = ensure_welcome(store)

    assert second is None
    assert [f.id for f in store.list_feeds()] == [first.id]
    assert store.count_entries() == first.total


def test_welcome_not_readded_after_remove(store: Store) -> None:
    feed = ensure_welcome(store)
    assert feed is not None
    store.remove_feed(feed.id)

    again = ensure_welcome(store)

    assert again is None
    assert store.list_feeds() == []
    assert store.count_entries() == 0


def test_welcome_skipped_when_feeds_exist(store: Store) -> None:
    existing = store.add_feed("https://example.org/feed.xml")

    added = ensure_welcome(store)

    assert added is None
    assert [f.id for f in store.list_feeds()] == [existing.id]
    assert store.get_meta(WELCOME_META_KEY) == "1"


def test_welcome_skipped_after_first_feed_removed(store: Store) -> None:
    existing = store.add_feed("https://example.org/feed.xml")
    ensure_welcome(store)
    store.remove_feed(existing.id)

    added = ensure_welcome(store)

    assert added is None
    assert store.list_feeds() == []


def test_welcome_path_is_package_data() -> None:
    path = welcome_feed_path()

    assert path.is_file()
    assert path.name == "welcome.xml"
    assert path.parent.name == "data"
    assert path.parent.parent.name == "reader"


# The code blocks in welcome.xml


class _CodeBlocks(HTMLParser):
    """Collect (language, text) for each <pre><code class="language-x">."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str | None, str]] = []
        self._in_pre = False
        self._language: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "pre":
            self._in_pre = True
            self._language = None
            self._text = []
        elif tag == "code" and self._in_pre:
            match = LANGUAGE_CLASS.search(f'class="{dict(attrs).get("class", "")}"')
            self._language = match.group(1) if match else None

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self.blocks.append((self._language, "".join(self._text)))
            self._in_pre = False

    def handle_data(self, data: str) -> None:
        if self._in_pre:
            self._text.append(data)


def _welcome_code_blocks() -> list[tuple[str, str | None, str]]:
    """Return (entry id, language, code) for every <pre> in welcome.xml."""
    root = ET.parse(welcome_feed_path()).getroot()
    blocks = []
    for entry in root.iter(f"{ATOM}entry"):
        entry_id = entry.findtext(f"{ATOM}id", default="")
        parser = _CodeBlocks()
        parser.feed(entry.findtext(f"{ATOM}content", default=""))
        parser.close()
        for language, code in parser.blocks:
            blocks.append((entry_id.rsplit("/", 1)[-1], language, code))
    return blocks


def _check_python(code: str, tmp_path: Path) -> None:
    compile(code, "<welcome python block>", "exec")


def _check_json(code: str, tmp_path: Path) -> None:
    json.loads(code)


def _check_toml(code: str, tmp_path: Path) -> None:
    tomllib.loads(code)


def _check_sql(code: str, tmp_path: Path) -> None:
    # Run against a real cache, so a column the schema lacks fails here.
    path = tmp_path / "sql-check.sqlite3"
    Store(path).close()
    connection = sqlite3.connect(path)
    try:
        connection.executescript(code)
    finally:
        connection.close()


def _check_bash(code: str, tmp_path: Path) -> None:
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash not found; cannot check bash syntax")
    script = tmp_path / "block.sh"
    script.write_text(code)
    result = subprocess.run([bash, "-n", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def _check_rust(code: str, tmp_path: Path) -> None:
    rustc = shutil.which("rustc")
    if rustc is None:
        pytest.skip("rustc not found; cannot check Rust syntax and types")
    source = tmp_path / "block.rs"
    source.write_text(code)
    # --emit=metadata type-checks without code generation, which is faster.
    command = [
        rustc,
        "--edition",
        "2021",
        "--emit=metadata",
        "--out-dir",
        str(tmp_path),
    ]
    result = subprocess.run([*command, str(source)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


CHECKS: dict[str, Callable[[str, Path], None]] = {
    "python": _check_python,
    "json": _check_json,
    "toml": _check_toml,
    "sql": _check_sql,
    "bash": _check_bash,
    "rust": _check_rust,
}

WELCOME_BLOCKS = _welcome_code_blocks()


def test_welcome_xml_has_code_blocks() -> None:
    languages = {language for _, language, _ in WELCOME_BLOCKS}

    assert len(WELCOME_BLOCKS) >= 5
    assert {"python", "json", "toml", "sql", "bash"} <= languages


@pytest.mark.parametrize(
    ("language", "code"),
    [(language, code) for _, language, code in WELCOME_BLOCKS],
    ids=[
        f"{entry}-{language}-{n}"
        for n, (entry, language, _) in enumerate(WELCOME_BLOCKS)
    ],
)
def test_welcome_code_block_valid(
    language: str | None, code: str, tmp_path: Path
) -> None:
    assert language in CHECKS, f"unknown or missing language class: {language!r}"
    assert code.strip(), "empty code block"
    CHECKS[language](code, tmp_path)
