"""Untrusted text made safe for a terminal: escape sequences, controls, bidi
overrides and characters of unstable width."""

from __future__ import annotations

import re

import pytest
from rich.cells import cell_len

from reader.textsafe import clean_line, clean_text, stable_width

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Quarterly results\x1b]0;PWNED\x07 done", "Quarterly results done"),
        ("Title \x1b]0;PWNED\x1b\\ end", "Title  end"),
        ("\x1b[31mRED\x1b[0m alert", "RED alert"),
        ("where am I\x1b[6n?", "where am I?"),
        ("copy \x1b]52;c;ZXZpbA==\x07 this", "copy  this"),
        ("\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07", "click"),
        ("Safe headline line\x08\x08\x08\x08XXXX tail", "Safe headline lineXXXX tail"),
        ("bell\x07 and null\x00 and del\x7f", "bell and null and del"),
        ("8-bit CSI \x9b2J and OSC \x9d0;x\x9c end", "8-bit CSI  and OSC  end"),
        ("DCS \x1bPq#0;2;0;0;0\x1b\\ end", "DCS  end"),
        ("keypad \x1b= and \x1b(0 charset", "keypad  and  charset"),
        ("record\x1eseparator\x1funit", "recordseparatorunit"),
        ("a\x1b", "a"),
    ],
)
def test_escape_sequences_removed(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean
    assert _CONTROL.search(clean_line(raw)) is None


def test_carriage_returns_and_separators_become_newlines() -> None:
    assert clean_text("one\r\ntwo\rthree\u2028four\u2029five\x85six") == (
        "one\ntwo\nthree\nfour\nfive\nsix"
    )
    assert clean_line("fake\rprompt$ rm -rf /") == "fake prompt$ rm -rf /"


def test_tabs_and_newlines_kept_in_bodies() -> None:
    assert clean_text("a\tb\nc") == "a\tb\nc"
    assert clean_line(" a\tb\n c ") == "a b c"


@pytest.mark.parametrize(
    "raw",
    [
        "Invoice \u202efdp.exe",
        "Invoice \u202dexe.pdf",
        "open \u202bembedding never closed",
        "open \u2067isolate never closed",
        "\u202aLRE\u202c and \u2066LRI\u2069 balanced",
        "first \u2068 FSI",
    ],
)
def test_bidi_controls_removed(raw: str) -> None:
    cleaned = clean_line(raw)
    assert _BIDI.search(cleaned) is None
    assert cleaned == " ".join(_BIDI.sub("", raw).split())


@pytest.mark.parametrize(
    "text",
    [
        "שלום עולם — חדשות",
        "مرحبا بالعالم",
        "mixed English and עברית 2024",
        "\u200fRLM and \u200eLRM marks stay",
    ],
)
def test_real_rtl_text_unchanged(text: str) -> None:
    assert clean_line(text) == text
    assert stable_width(text) == text


@pytest.mark.parametrize(
    ("raw", "shown", "cells"),
    [
        ("I \u2764\ufe0f this", "I \u2764 this", 8),
        ("thumbs \U0001f44d\U0001f3fd up", "thumbs \U0001f44d up", 12),
        ("keycap 1\ufe0f\u20e3", "keycap 1\u20e3", 8),
        ("text \u231a\ufe0e style", "text \u231a style", 13),
        ("Donau\xaddampf", "Donaudampf", 10),
        ("日本語 タイトル", "日本語 タイトル", 15),
        (
            "dev \U0001f469\u200d\U0001f4bb team",
            "dev \U0001f469\u200d\U0001f4bb team",
            11,
        ),
        ("flag \U0001f1ef\U0001f1f5", "flag \U0001f1ef\U0001f1f5", 7),
    ],
)
def test_stable_width(raw: str, shown: str, cells: int) -> None:
    assert stable_width(raw) == shown
    assert cell_len(shown) == cells


@pytest.mark.parametrize(
    "raw", ["\u200b", "\xa0\u200b", " \ufeff\u200d ", "\u2060\xad", "\u200c\n\u200b"]
)
def test_invisible_only_line_is_empty(raw: str) -> None:
    assert clean_line(raw) == ""


@pytest.mark.parametrize("raw", ["a\u200bb", "\u200bTitle", "👩\u200d💻"])
def test_line_with_visible_text_kept(raw: str) -> None:
    assert clean_line(raw) == raw
