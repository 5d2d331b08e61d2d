"""Tests of article HTML to Markdown conversion and plain-text rendering.

Markdown is checked the way the article view reads it: parsed by
markdown-it-py with CommonMark and tables enabled, as rich does.
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token
from rich.cells import cell_len

from reader.convert import (
    CONVERTER_VERSION,
    content_hash,
    html_to_markdown,
    markdown_to_text,
)
from reader.links import parse_link_list

_MARKDOWN = MarkdownIt("commonmark").enable("table")
_CONTROLS_EXCEPT_NL_TAB = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _tokens(markdown: str) -> list[Token]:
    return _MARKDOWN.parse(markdown)


def _code_blocks(markdown: str) -> list[tuple[str, str]]:
    """Return (language, content) of every code block, fenced or indented."""
    blocks = []
    for token in _tokens(markdown):
        if token.type == "fence":
            blocks.append((token.info.strip(), token.content))
        elif token.type == "code_block":
            blocks.append(("<indented>", token.content))
    return blocks


def _inline_text(token: Token) -> str:
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    return "".join(parts)


def _inline_code(markdown: str) -> list[str]:
    return [
        child.content
        for token in _tokens(markdown)
        if token.type == "inline"
        for child in token.children or []
        if child.type == "code_inline"
    ]


def _paragraphs(markdown: str) -> list[str]:
    tokens = _tokens(markdown)
    return [
        _inline_text(tokens[i + 1])
        for i, token in enumerate(tokens)
        if token.type == "paragraph_open"
    ]


def _table_rows(markdown: str) -> list[list[str]]:
    rows: list[list[str]] = []
    for token in _tokens(markdown):
        if token.type == "tr_open":
            rows.append([])
        elif token.type == "inline" and rows and token.level > 2:
            rows[-1].append(" ".join(_inline_text(token).split()))
    return rows


def _attribute_values(markdown: str, kind: str, name: str) -> list[str]:
    return [
        str(child.attrs[name])
        for token in _tokens(markdown)
        if token.type == "inline"
        for child in token.children or []
        if child.type == kind
    ]


def _item_text(tokens: list[Token], start: int) -> str:
    """Return the first text of the list item opened at ``tokens[start]``."""
    level = tokens[start].level
    for token in tokens[start + 1 :]:
        if token.type == "list_item_close" and token.level == level:
            break
        if token.type == "inline":
            return _inline_text(token).strip()
    return ""


def _list_outline(markdown: str) -> list[tuple[int, str, str]]:
    """Return (depth, "ul" or "ol", first text) of every list item."""
    tokens = _tokens(markdown)
    kinds: list[str] = []
    outline = []
    for i, token in enumerate(tokens):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            kinds.append("ul" if token.type == "bullet_list_open" else "ol")
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            kinds.pop()
        elif token.type == "list_item_open":
            outline.append((len(kinds), kinds[-1], _item_text(tokens, i)))
    return outline


def _code_owners(markdown: str) -> list[str | None]:
    """Return, for each fenced block, the first text of its list item, or
    None outside lists."""
    tokens = _tokens(markdown)
    items: list[str] = []
    owners: list[str | None] = []
    for i, token in enumerate(tokens):
        if token.type == "list_item_open":
            items.append(_item_text(tokens, i))
        elif token.type == "list_item_close":
            items.pop()
        elif token.type == "fence":
            owners.append(items[-1] if items else None)
    return owners


def _body(markdown: str) -> str:
    """Return ``markdown`` without the numbered link list that ends it."""
    end = markdown.rfind("* * *\n\nLinks:\n\n")
    return markdown if end < 0 else markdown[:end]


def _assert_no_controls(text: str) -> None:
    found = _CONTROLS_EXCEPT_NL_TAB.findall(text)
    assert found == [], f"control characters in output: {found!r}"


# --- code blocks -----------------------------------------------------------

LANGUAGE_CASES = [
    ('<pre><code class="language-rust">fn main() {}</code></pre>', "rust"),
    ('<pre class="language-go"><code>func main() {}</code></pre>', "go"),
    ('<pre><code class="lang-lua">print(1)</code></pre>', "lua"),
    ('<pre class="prettyprint lang-scala">val x = 1</pre>', "scala"),
    ('<pre class="highlight-ruby"><code>puts 1</code></pre>', "ruby"),
    ('<pre class="highlight highlight-source-perl">print 1;</pre>', "perl"),
    ('<pre><code class="hljs kotlin">val x = 1</code></pre>', "kotlin"),
    ('<pre><code class="elixir hljs">IO.puts 1</code></pre>', "elixir"),
    (
        '<pre class="sourceCode haskell"><code class="sourceCode haskell">'
        "main = pure ()</code></pre>",
        "haskell",
    ),
    ('<pre data-lang="sql"><code>SELECT 1;</code></pre>', "sql"),
    ('<pre><code data-lang="toml">a = 1</code></pre>', "toml"),
    ('<pre class="highlight"><code class="language-c++">int x;</code></pre>', "c++"),
    (
        '<pre class="language-python"><code class="language-cython">x</code></pre>',
        "cython",
    ),
    ('<pre><code class="Language-Python">x = 1</code></pre>', "python"),
    ('<pre><code class="language-none">x = 1</code></pre>', "none"),
    ("<pre><code>no class at all</code></pre>", ""),
    ('<pre><code class="hljs">marker alone</code></pre>', ""),
    ('<pre><code class="language-a`b">bad name</code></pre>', ""),
]


@pytest.mark.parametrize(("html", "language"), LANGUAGE_CASES)
def test_code_block_language(html: str, language: str) -> None:
    markdown = html_to_markdown(html)
    blocks = _code_blocks(markdown)
    assert len(blocks) == 1
    assert blocks[0][0] == language


def test_code_block_text_exact() -> None:
    html = (
        "<p>Before.</p>\n"
        '<pre><code class="language-python">def total(items):\n'
        "    result = 0\n"
        "\n"
        "    for item in items:\n"
        "        result += item  # a &lt; b &amp;&amp; c\n"
        "    return result\n"
        "</code></pre>\n<p>After.</p>"
    )
    blocks = _code_blocks(html_to_markdown(html))
    assert blocks == [
        (
            "python",
            "def total(items):\n    result = 0\n\n    for item in items:\n"
            "        result += item  # a < b && c\n    return result\n",
        )
    ]


def test_pygments_spans_flattened() -> None:
    html = (
        '<div class="highlight"><pre><span></span><span class="k">if</span> '
        '<span class="n">a</span> <span class="o">&lt;</span> <span class="n">b'
        '</span><span class="p">:</span>\n    <span class="k">return</span> '
        '<span class="s2">&quot;&amp;lt;&quot;</span>\n\n<span class="k">pass'
        "</span>\n</pre></div>"
    )
    blocks = _code_blocks(html_to_markdown(html))
    assert blocks == [("", 'if a < b:\n    return "&lt;"\n\npass\n')]


def test_br_and_divs_in_pre() -> None:
    html = (
        "<pre>one<br>two<br/>three</pre>"
        '<pre><div class="line">alpha</div><div class="line">beta</div></pre>'
    )
    blocks = _code_blocks(html_to_markdown(html))
    assert blocks == [("", "one\ntwo\nthree\n"), ("", "alpha\nbeta\n")]


def test_pre_without_code_tabs() -> None:
    html = (
        "<pre>\ninstall:\n\tcp tool /usr/local/bin\n\ncheck:\n"
        "\t./run-tests --fast\n</pre>"
        '<pre>[server]\n  host = "localhost"\n  ports = [8000, 8001]\n</pre>'
    )
    blocks = _code_blocks(html_to_markdown(html))
    assert len(blocks) == 2
    assert blocks[0] == (
        "",
        "install:\n\tcp tool /usr/local/bin\n\ncheck:\n\t./run-tests --fast\n",
    )
    assert blocks[1] == ("", '[server]\n  host = "localhost"\n  ports = [8000, 8001]\n')


def test_pre_newline_rule() -> None:
    # Only a newline right after the <pre> start tag is dropped, as in HTML.
    html = "<pre>\n\nkept blank</pre><pre><code>\nafter code tag</code></pre>"
    blocks = _code_blocks(html_to_markdown(html))
    assert blocks == [("", "\nkept blank\n"), ("", "\nafter code tag\n")]


def test_code_trailing_blank_lines_kept() -> None:
    html = (
        "<pre><code>first\n\n\n</code></pre>"
        "<pre><code>  indented\n    more  \n\n</code></pre>"
        "<pre>\n</pre>"
    )
    blocks = _code_blocks(html_to_markdown(html))
    assert blocks == [("", "first\n\n\n"), ("", "  indented\n    more  \n\n"), ("", "")]


def test_adjacent_blocks_stay_apart() -> None:
    html = (
        '<div class="highlight"><pre><code class="language-sh">make</code></pre>'
        '</div><div class="highlight"><pre><code class="language-sh">make test'
        "</code></pre></div><pre>one</pre><pre>two</pre>"
    )
    blocks = _code_blocks(html_to_markdown(html))
    assert blocks == [
        ("sh", "make\n"),
        ("sh", "make test\n"),
        ("", "one\n"),
        ("", "two\n"),
    ]


def test_code_containing_fences() -> None:
    code = "Write:\n```sh\nls\n```\nor ````\n"
    html = f'<pre><code class="language-markdown">{code}</code></pre>'
    markdown = html_to_markdown(html)
    assert _code_blocks(markdown) == [("markdown", code)]
    assert markdown.startswith("`````markdown\n")


def test_empty_and_unclosed_pre() -> None:
    assert _code_blocks(html_to_markdown("<pre></pre>")) == [("", "")]
    markdown = html_to_markdown("<p>Intro</p><pre><code>tail\n  end")
    assert _code_blocks(markdown) == [("", "tail\n  end\n")]
    assert _paragraphs(markdown) == ["Intro"]


def test_pre_inside_link_becomes_span() -> None:
    markdown = html_to_markdown(
        '<p><a href="https://x.example/"><pre>a\nb</pre></a></p>'
    )
    assert _code_blocks(markdown) == []
    assert _inline_code(markdown) == ["a b"]
    body = _body(markdown)
    assert _attribute_values(body, "link_open", "href") == ["https://x.example/"]


# --- inline code -----------------------------------------------------------


def test_inline_code_backticks() -> None:
    html = (
        "<p>Run <code>git log --format='`%h`'</code> now.</p>"
        "<p>Edge: <code>`</code> and <code>``x``</code>.</p>"
        "<p>Spaces: <code> padded </code> and <code>a * b _c_</code>.</p>"
        "<p>Keys: <kbd>Ctrl</kbd>+<kbd>C</kbd>, <samp>ok</samp>, <tt>t</tt></p>"
        "<p>Entity: <code>&lt;T&gt;</code> break: <code>a<br>b</code></p>"
    )
    assert _inline_code(html_to_markdown(html)) == [
        "git log --format='`%h`'",
        "`",
        "``x``",
        " padded ",
        "a * b _c_",
        "Ctrl",
        "C",
        "ok",
        "t",
        "<T>",
        "a b",
    ]


def test_inline_code_at_line_start() -> None:
    # A span opened by three backticks must not be read as a fence.
    markdown = html_to_markdown("<p><code>a``b</code> starts the line</p>")
    assert _code_blocks(markdown) == []
    assert _inline_code(markdown) == ["a``b"]


# --- lists, quotes, tables, nbsp -------------------------------------------

NESTED_LISTS = """
<ul>
  <li>Fruits
    <ul>
      <li>Apple<ul><li>Green apple</li></ul></li>
      <li>Pear</li>
    </ul>
  </li>
  <li>Vegetables</li>
</ul>
<ol>
  <li>Clone the repository
    <ul><li>use a shallow clone</li></ul>
  </li>
  <li>Build it
<pre><code class="language-bash">./configure
\tmake -j4</code></pre>
  </li>
  <li>Run it</li>
</ol>
"""


def test_nested_lists_with_code() -> None:
    markdown = html_to_markdown(NESTED_LISTS)
    assert _list_outline(markdown) == [
        (1, "ul", "Fruits"),
        (2, "ul", "Apple"),
        (3, "ul", "Green apple"),
        (2, "ul", "Pear"),
        (1, "ul", "Vegetables"),
        (1, "ol", "Clone the repository"),
        (2, "ul", "use a shallow clone"),
        (1, "ol", "Build it"),
        (1, "ol", "Run it"),
    ]
    assert _code_blocks(markdown) == [("bash", "./configure\n\tmake -j4\n")]
    assert _code_owners(markdown) == ["Build it"]
    ordered = [t for t in _tokens(markdown) if t.type == "ordered_list_open"]
    assert len(ordered) == 1


def test_code_first_in_item_and_quote() -> None:
    html = (
        '<ul><li><pre><code class="language-sh">echo first\n\necho second</code>'
        "</pre></li><li>after</li></ul>"
        "<blockquote><p>Quoted:</p><pre>\tindented\n\nline</pre></blockquote>"
    )
    markdown = html_to_markdown(html)
    assert _code_blocks(markdown) == [
        ("sh", "echo first\n\necho second\n"),
        ("", "\tindented\n\nline\n"),
    ]
    assert _code_owners(markdown) == ["", None]
    types = [t.type for t in _tokens(markdown)]
    quote = types[types.index("blockquote_open") : types.index("blockquote_close")]
    assert quote.count("fence") == 1
    assert quote.count("paragraph_open") == 1


def test_table_pipes_and_breaks() -> None:
    html = """
    <table>
      <thead><tr><th>Operator</th><th>Example</th></tr></thead>
      <tbody>
        <tr><td><code>||</code></td><td>a || b</td></tr>
        <tr><td>union</td><td>A|B with <code>x|y</code></td></tr>
        <tr><td><p>first</p><p>second</p></td><td>top<br>bottom</td></tr>
        <tr><td>block</td><td><pre>multi\nline</pre></td></tr>
      </tbody>
    </table>
    <pre>after the table</pre>
    """
    markdown = html_to_markdown(html)
    assert _table_rows(markdown) == [
        ["Operator", "Example"],
        ["||", "a || b"],
        ["union", "A|B with x|y"],
        ["first second", "top bottom"],
        ["block", "multi line"],
    ]
    assert _code_blocks(markdown) == [("", "after the table\n")]


def test_one_column_table_becomes_paragraphs() -> None:
    html = (
        "<table><tr><td><p>Layout cell</p></td></tr>"
        "<tr><td>code <code>a|b</code> and c|d</td></tr></table>"
        "<table><caption>Single</caption><tr><th>Heading only</th></tr></table>"
    )
    markdown = html_to_markdown(html)
    types = {token.type for token in _tokens(markdown)}
    assert "table_open" not in types
    assert "heading_open" not in types
    assert _paragraphs(markdown) == [
        "Layout cell",
        "code a|b and c|d",
        "Single",
        "Heading only",
    ]
    assert _inline_code(markdown) == ["a|b"]


def test_nbsp_indentation_stays_text() -> None:
    html = (
        "<p>&nbsp;&nbsp;&nbsp;&nbsp;Four before me</p>"
        "<p>&#160;&#160;&#160;&#160;&#160;&#160;&#160;&#160;Eight before me</p>"
        "<p>Cost:&nbsp;5&nbsp;USD</p>"
        "<p><code>x&nbsp;=&nbsp;2</code></p>"
        "<p>\u00a0\u00a0\u00a0\u00a0Raw characters</p>"
    )
    markdown = html_to_markdown(html)
    assert _code_blocks(markdown) == []
    paragraphs = [text.strip() for text in _paragraphs(markdown)]
    assert "Four before me" in paragraphs
    assert "Eight before me" in paragraphs
    assert "Raw characters" in paragraphs
    assert re.search("Cost:[ \u00a0]5[ \u00a0]USD", markdown)
    assert re.fullmatch("x[ \u00a0]=[ \u00a0]2", _inline_code(markdown)[0])
    assert re.search("&nbsp;|&#160;|nbsp_place_holder", markdown) is None


# --- text safety, links, escaping ------------------------------------------


def test_control_characters_removed() -> None:
    html = (
        "<p>\x1b[31mred\x1b[0m and bell\x07 and \x9b2Jcsi</p>"
        '<p><img src="a.png" alt="x\x1b]0;title\x07y"></p>'
        "<pre><code>ok\x1b[2K\x08 done</code></pre>"
        "<p><code>tick\x1b[1m`</code></p>"
    )
    markdown = html_to_markdown(html)
    _assert_no_controls(markdown)
    assert "red and bell" in markdown
    assert _code_blocks(markdown) == [("", "ok done\n")]
    assert _inline_code(_body(markdown)) == ["tick`"]
    _assert_no_controls(markdown_to_text(markdown))


def test_relative_urls_resolved() -> None:
    html = (
        '<p><a href="/post/2">next</a> <img src="img/fig.png" alt="fig"> '
        '<a href="https://other.example/x">abs</a></p>'
    )
    markdown = _body(html_to_markdown(html, "https://blog.example/articles/one/"))
    assert _attribute_values(markdown, "link_open", "href") == [
        "https://blog.example/post/2",
        "https://other.example/x",
    ]
    assert _attribute_values(markdown, "image", "src") == [
        "https://blog.example/articles/one/img/fig.png"
    ]
    unresolved = html_to_markdown(html)
    assert _attribute_values(_body(unresolved), "link_open", "href") == [
        "https://other.example/x"
    ]
    assert [link.url for link in parse_link_list(unresolved)] == [
        "/post/2",
        "img/fig.png",
        "https://other.example/x",
    ]


PROSE_CASES = [
    "Use *args and **kwargs, or 2 * 3 and a*b*c.",
    "Generic List<T> and <div> and </p> and <!-- x --> but a < b.",
    "snake_case_name stays, _private_ and __dunder__ too.",
    "~~not struck~~ but ~/home stays.",
    "[not a link](https://x.example/) and ![no image](a.png)",
    "Entities: &copy; &#169; and R&D.",
    "Backslash C:\\temp\\*.txt and `tick` and a|b.",
    "TDG00000000B0Z TDG1234ABCDC0Z TDGE42Z look like tokens.",
]


@pytest.mark.parametrize("text", PROSE_CASES)
def test_prose_stays_text(text: str) -> None:
    markdown = html_to_markdown(f"<p>{escape(text)}</p>")
    tokens = _tokens(markdown)
    children = [c.type for t in tokens if t.type == "inline" for c in t.children or []]
    assert set(children) == {"text"}, markdown
    assert _paragraphs(markdown) == [text]


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p># not a heading</p>", "# not a heading"),
        ("<p>&gt; not a quote</p>", "> not a quote"),
        ("<p>* not a bullet</p>", "* not a bullet"),
        ("<p>- not a bullet</p>", "- not a bullet"),
        ("<p>1. not a list</p>", "1. not a list"),
        ("<p>line<br># after a break</p>", "line\n# after a break"),
    ],
)
def test_line_start_stays_text(html: str, text: str) -> None:
    markdown = html_to_markdown(html)
    types = [t.type for t in _tokens(markdown)]
    assert types == ["paragraph_open", "inline", "paragraph_close"], markdown
    assert _paragraphs(markdown) == [text]


def test_scripts_and_styles_dropped() -> None:
    html = (
        "<script>document.write('gone')</script>"
        "<style>p { color: red }</style><p>kept</p>"
    )
    assert html_to_markdown(html) == "kept\n"


def test_output_is_deterministic() -> None:
    html = NESTED_LISTS + "<p><code>x</code></p><table><tr><td>a|b</td></tr></table>"
    assert html_to_markdown(html) == html_to_markdown(html)
    assert html_to_markdown("") == ""


def test_content_hash() -> None:
    assert content_hash("") != content_hash("", "https://blog.example/post")
    assert content_hash("<p>a</p>") == content_hash("<p>a</p>")
    assert content_hash("<p>a</p>") != content_hash("<p>b</p>")
    assert re.fullmatch("[0-9a-f]{64}", content_hash("<p>\u00e9\ud800</p>"))
    assert isinstance(CONVERTER_VERSION, int)
    assert CONVERTER_VERSION >= 1


# --- plain text ------------------------------------------------------------

ARTICLE = """
<h1>Counting things</h1>
<p>Use <code>sum</code> with [bold]care[/bold] :smile: and read
<a href="https://docs.example/sum">the docs</a>.</p>
<h2>An example</h2>
<pre><code class="language-python">def total(items):
    return sum(items)
</code></pre>
<p>The end.</p>
"""


def test_markdown_to_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm-256color")
    text = markdown_to_text(html_to_markdown(ARTICLE), width=60)
    assert "Counting things" in text
    assert "An example" in text
    assert "def total(items):" in text
    assert "    return sum(items)" in text
    assert "[bold]care[/bold] :smile:" in text
    assert "https://docs.example/sum" in text
    assert "\x1b" not in text
    _assert_no_controls(text)
    assert max(cell_len(line) for line in text.splitlines()) <= 60


def test_markdown_to_text_width() -> None:
    markdown = "word " * 40 + "\n\n```\n" + "x" * 100 + "\n```\n"
    text = markdown_to_text(markdown, width=30)
    assert max(cell_len(line) for line in text.splitlines()) <= 30
    assert text.count("x") == 100


# --- the real feed ----------------------------------------------------------


class _PreBlocks(HTMLParser):
    """Collect the text and ``language-`` class of each <pre> of the real feed.

    Written apart from reader.convert_prepare so that the two can disagree.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[list[str]] = []
        self._depth = 0
        self._after_pre_tag = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "pre":
            self._depth += 1
            if self._depth == 1:
                self.blocks.append(["", ""])
                self._after_pre_tag = True
        elif self._depth:
            self._after_pre_tag = False
            if tag == "br":
                self.blocks[-1][1] += "\n"
        if self._depth and tag in ("pre", "code") and not self.blocks[-1][0]:
            for name in (dict(attrs).get("class") or "").split():
                if name.startswith("language-"):
                    self.blocks[-1][0] = name.removeprefix("language-").lower()

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre" and self._depth:
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._depth:
            if self._after_pre_tag:
                data = data.removeprefix("\n")
            self._after_pre_tag = False
            self.blocks[-1][1] += data


def _expected_blocks(html: str) -> list[tuple[str, str]]:
    parser = _PreBlocks()
    parser.feed(html)
    parser.close()
    # A fenced block gives its text back with exactly one final newline.
    return [(lang, text.removesuffix("\n") + "\n") for lang, text in parser.blocks]


@pytest.mark.seed
def test_real_feed_code_blocks_exact(seed_feed_path: Path) -> None:
    feed = feedparser.parse(str(seed_feed_path))
    assert len(feed.entries) == 11
    expected_total = 0
    with_language = 0
    for entry in feed.entries:
        assert entry.content[0].type == "text/html"
        html = entry.content[0].value
        expected = _expected_blocks(html)
        markdown = html_to_markdown(html, entry.link)
        actual = _code_blocks(markdown)
        assert len(actual) == len(expected), entry.link
        for index, (got, want) in enumerate(zip(actual, expected, strict=True)):
            assert got[0] == want[0], f"{entry.link} block {index} language"
            assert got[1] == want[1], f"{entry.link} block {index} text"
        _assert_no_controls(markdown)
        expected_total += len(expected)
        with_language += sum(1 for language, _ in expected if language)
    assert expected_total == 152
    assert with_language == 151


@pytest.mark.seed
def test_real_feed_renders_as_text(seed_feed_path: Path) -> None:
    feed = feedparser.parse(str(seed_feed_path))
    for entry in feed.entries:
        markdown = html_to_markdown(entry.content[0].value, entry.link)
        text = markdown_to_text(markdown, width=100)
        _assert_no_controls(text)
        assert "\x1b" not in text
        words = [p.split()[0] for p in _paragraphs(markdown) if p.split()]
        assert len(words) >= 3, entry.link
        for word in words[:3]:
            assert word in text, entry.link
