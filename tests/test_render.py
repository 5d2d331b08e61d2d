"""Laying out article Markdown: code highlighted in its language, long code
lines wrapped with a visible marker, and plain text for reader mode."""

from __future__ import annotations

import re

import pytest
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from reader.lexers import PLAIN, lexer_name
from reader.render import (
    CONTINUATION,
    render_lines,
    render_text,
    wrap_code_line,
)


def _line_texts(lines: list[list[Segment]]) -> list[str]:
    return ["".join(segment.text for segment in line) for line in lines]


def _code_colors(markdown: str, width: int = 60) -> set[str]:
    """Return the foreground colors used on the lines of the first code block."""
    colors = set()
    for line in render_lines(markdown, width):
        text = "".join(segment.text for segment in line)
        if not text.startswith(" ") or not text.strip():
            continue
        for segment in line:
            if segment.text.strip() and segment.style and segment.style.color:
                colors.add(segment.style.color.name)
    return colors


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        ("py", "py"),
        ("sh", "sh"),
        ("tsx", "tsx"),
        ("yml", "yml"),
        ("python title=x.py", "python"),
        ("{.python}", "python"),
        ("language-rust", "rust"),
        ("kt", "kotlin"),
        ("jsonc", "json"),
        ("zetalang", PLAIN),
        ("", PLAIN),
        (None, PLAIN),
    ],
)
def test_lexer_name_for_fence_info(info: str | None, expected: str) -> None:
    assert lexer_name(info) == expected


@pytest.mark.parametrize("language", ["py", "sh", "tsx", "yml", "rust", "kt"])
def test_code_highlighted_by_alias(language: str) -> None:
    samples = {
        "py": "def f(x):\n    return x + 1  # add\n",
        "sh": 'for f in *.txt; do echo "$f"; done\n',
        "tsx": "export const A = ({ n }: { n: number }) => <b>{n}</b>;\n",
        "yml": "retries: 3\nname: 'x'  # comment\n",
        "rust": 'fn main() { let x: u8 = 1; println!("{}", x); }\n',
        "kt": 'fun main() { val x = 1; println("$x") }\n',
    }
    colors = _code_colors(f"```{language}\n{samples[language]}```\n")
    assert len(colors) >= 3, colors


def test_unknown_language_is_plain() -> None:
    code = "def f(x):\n    return x + 1\n"
    assert len(_code_colors(f"```zetalang\n{code}```\n")) <= 1
    assert len(_code_colors(f"```\n{code}```\n")) <= 1
    assert len(_code_colors(f"```python\n{code}```\n")) >= 3


def test_long_code_line_wraps_with_marker() -> None:
    long_line = "value = compute(" + ", ".join(f"arg{n}" for n in range(30)) + ")"
    markdown = f"```python\n{long_line}\nshort = 1\n```\n"
    lines = _line_texts(render_lines(markdown, 40))
    assert all(cell_len(line) == 40 for line in lines)
    # One column of padding each side; the code has the 38 between.
    code = [line[1:39] for line in lines if line.strip()]
    assert code[0].startswith("value = compute(")
    continued = [line for line in code if line.startswith(CONTINUATION)]
    assert len(continued) == len(code) - 2
    rebuilt = code[0] + "".join(line.removeprefix(CONTINUATION) for line in continued)
    assert rebuilt.rstrip() == long_line
    assert code[-1].rstrip() == "short = 1"


def test_wrap_never_splits_a_character() -> None:
    line = Text("注释" * 10 + "👩‍💻x" * 5 + "e\u0301" * 5)
    pieces = wrap_code_line(line, 9, Style(dim=True))
    assert all(piece.cell_len <= 9 for piece in pieces)
    joined = pieces[0].plain + "".join(
        piece.plain.removeprefix(CONTINUATION) for piece in pieces[1:]
    )
    assert joined == line.plain
    for piece in pieces:
        body = piece.plain.removeprefix(CONTINUATION)
        assert not body.startswith(("\u200d", "\u0301"))
        assert not body.endswith("\u200d")


def test_tabs_expand_to_tab_stops() -> None:
    text = render_text("```make\nall:\n\tcc -o app main.c\n\ta\tb\n```\n", 60)
    lines = text.splitlines()
    assert " all:" in lines
    assert " " + " " * 8 + "cc -o app main.c" in lines
    assert " " + " " * 8 + "a" + " " * 7 + "b" in lines


def test_code_text_exact_in_plain_layout() -> None:
    code = "x  =  1   # spaced\n\n    indented\n"
    text = render_text(f"```python\n{code}```\n", 60)
    assert text == " x  =  1   # spaced\n\n     indented\n"


def test_links_carry_url_in_style_only() -> None:
    lines = render_lines("See [the docs](https://x.example/d)\\[1\\].\n", 60)
    segments = [segment for line in lines for segment in line]
    linked = [s for s in segments if s.style is not None and s.style.link]
    assert [s.text for s in linked] == ["the docs"]
    assert linked[0].style is not None
    assert linked[0].style.link == "https://x.example/d"
    assert _line_texts(lines)[0].rstrip() == "See the docs[1]."


def test_plain_text_has_no_escapes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm-256color")
    markdown = (
        "# Title\n\nSome **bold** and [a link](https://x.example/).\n\n"
        "```python\nprint(1)\n```\n\n| a | b |\n| - | - |\n| 1 | 2 |\n"
    )
    text = render_text(markdown, 50)
    assert "\x1b" not in text
    assert "Some bold and a link." in text
    assert re.search(r"^ print\(1\)$", text, re.MULTILINE)
    assert all(cell_len(line) <= 50 for line in text.splitlines())


def test_markup_in_text_stays_literal() -> None:
    text = render_text("Say [bold]hi[/bold] :smile: and \\[link=x\\]y\\[/link\\]\n")
    assert text == "Say [bold]hi[/bold] :smile: and [link=x]y[/link]\n"


def test_wide_text_fits_width() -> None:
    markdown = (
        "日本語のテキスト" * 20 + "\n\n| 列 | 説明 |\n| - | - |\n| 一 | 長い説明 |\n"
    )
    text = render_text(markdown, 31)
    assert all(cell_len(line) <= 31 for line in text.splitlines())
    assert text.replace("\n", "").count("日本語のテキスト") == 20
