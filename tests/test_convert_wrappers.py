"""Code languages named by the wrapper elements of site generators.

Jekyll (Rouge), Sphinx and GitHub put the language on a ``<div>`` around
the ``<pre>``, not on the ``<pre>`` or its ``<code>``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from reader.cli import main
from reader.convert import html_to_markdown
from tests.support import StaticServer

PARSER = MarkdownIt("commonmark")


def fences(markdown: str) -> list[tuple[str, str]]:
    """Return (info string, content) of each fenced code block."""
    return [
        (token.info.strip(), token.content)
        for token in PARSER.parse(markdown)
        if token.type == "fence"
    ]


WRAPPED = [
    (
        '<div class="language-ruby highlighter-rouge"><div class="highlight">'
        '<pre class="highlight"><code><span class="nb">puts</span> 1\n</code></pre>'
        "</div></div>",
        "ruby",
    ),
    (
        '<div class="highlight-python notranslate"><div class="highlight">'
        "<pre><span></span>print(1)\n</pre></div></div>",
        "python",
    ),
    (
        '<div class="highlight highlight-source-shell"><pre>ls -la\n</pre></div>',
        "shell",
    ),
    (
        '<div class="language-ruby"><pre><code class="language-erb">&lt;%= x %&gt;'
        "</code></pre></div>",
        "erb",
    ),
]


@pytest.mark.parametrize(("html", "language"), WRAPPED)
def test_wrapper_names_language(html: str, language: str) -> None:
    ((info, _),) = fences(html_to_markdown(html))
    assert info == language


def test_distant_wrapper_ignored() -> None:
    # A page-level class three levels up does not describe the code.
    html = '<div class="lang-en"><div><div><pre>plain words\n</pre></div></div></div>'
    assert fences(html_to_markdown(html)) == [("", "plain words\n")]


def test_wrapper_closed_before_block() -> None:
    html = '<div class="highlight-python"></div><pre>plain\n</pre>'
    assert fences(html_to_markdown(html)) == [("", "plain\n")]


def test_show_keeps_wrapper_language(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = WRAPPED[0][0].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Gems</title>'
        f"<item><guid>g-1</guid><title>Ruby</title><description>{body}"
        "</description></item></channel></rss>"
    ).encode()
    server = StaticServer({"/gems.xml": (feed, "application/rss+xml")})
    try:
        assert main(["add", server.url("/gems.xml")]) == 0
    finally:
        server.stop()
    capsys.readouterr()
    assert main(["show", "1"]) == 0
    assert fences(capsys.readouterr().out) == [("ruby", "puts 1\n")]
