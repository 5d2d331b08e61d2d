"""Gzip-compressed local files: feeds and subscription lists.

A feed saved as feed.xml.gz, or an OPML export compressed the same way, is
read as its decompressed bytes. The size limit applies after decompression,
as it does to HTTP bodies, so a small file that inflates to gigabytes stops
at the limit.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from reader.cli import main
from reader.store import Store
from reader.subscription_list import ImportFileError
from reader.subscriptions import read_subscription_file

FEED = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
    b"<title>Compressed Almanac</title><link>https://almanac.example.org/</link>"
    b"<item><guid>a-1</guid><title>First frost</title></item>"
    b"<item><guid>a-2</guid><title>Last frost</title></item>"
    b"</channel></rss>"
)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def stored_titles(db_path: Path) -> list[str]:
    with Store(db_path) as store:
        return sorted(entry.title for entry in store.list_entries(limit=100))


def test_add_gzip_feed_file(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "almanac.xml.gz"
    path.write_bytes(gzip.compress(FEED))
    status, out, err = run(capsys, "add", str(path))
    assert (status, err) == (0, "")
    assert out == "Added feed 1: Compressed Almanac (2 entries)\n"
    assert stored_titles(db_path) == ["First frost", "Last frost"]


def test_imported_gzip_feed_path_refreshes(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed_path = tmp_path / "almanac.xml.gz"
    feed_path.write_bytes(gzip.compress(FEED))
    listing = tmp_path / "feeds.txt"
    listing.write_text(f"{feed_path}\n")
    status, _, _ = run(capsys, "import", str(listing), "--refresh")
    assert status == 0
    assert stored_titles(db_path) == ["First frost", "Last frost"]


def test_gzip_feed_over_size_limit(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # About 3 MiB of XML compresses to a few KiB.
    padding = b"<!-- " + b"x" * (3 * 1024 * 1024) + b" -->"
    path = tmp_path / "bomb.xml.gz"
    path.write_bytes(gzip.compress(FEED.replace(b"<channel>", padding + b"<channel>")))
    assert path.stat().st_size < 64 * 1024
    assert run(capsys, "add", "--no-refresh", str(path))[0] == 0
    status, _, err = run(capsys, "refresh", "--max-size", "1", "1")
    assert status == 1
    assert "larger than the 1 MiB limit" in err
    assert stored_titles(db_path) == []


def test_truncated_gzip_feed_reports_error(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cut.xml.gz"
    path.write_bytes(gzip.compress(FEED)[:-8])
    status, _, err = run(capsys, "add", str(path))
    assert status == 1
    assert "truncated" in err


def test_import_gzip_opml(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    opml = (
        b'<?xml version="1.0"?><opml version="2.0"><head><title>Mine</title></head>'
        b'<body><outline text="Almanac" type="rss" '
        b'xmlUrl="https://almanac.example.org/feed.xml"/></body></opml>'
    )
    path = tmp_path / "subscriptions.opml.gz"
    path.write_bytes(gzip.compress(opml))
    status, out, _ = run(capsys, "import", str(path), "--json")
    assert status == 0
    (added,) = json.loads(out)["added"]
    assert added["url"] == "https://almanac.example.org/feed.xml"


def test_gzip_subscription_file_over_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt.gz"
    line = b"https://almanac.example.org/feed.xml\n"
    path.write_bytes(gzip.compress(line * (21 * 1024 * 1024 // len(line))))
    with pytest.raises(ImportFileError, match="larger than"):
        read_subscription_file(path)
