"""search_text yields the tokens of a full HTML-to-text pass, on varied HTML.

The reference strips tags and decodes every entity with ``html.unescape``,
as search_text did before its fast path. Both outputs go through the index's
own FTS5 tokenizer, and the tokens must match one for one, because the
contentless index removes an entry by the tokens of its indexed text.
"""

from __future__ import annotations

import html
import random
import sqlite3

import pytest

from reader.search import _HIDDEN, _TAG, search_text

CASES = [
    "<p>Fish &amp; chips</p>",
    "don&#8217;t &eacute;t&eacute; na&iuml;ve caf&eacute;",
    "&amp;lt;b&amp;gt; escaped twice &amp;amp; more",
    "&amp;#65; &amp;eacute; &#65;&#x42;C",
    "&eacute&amp; &notit; &notin; &amp &lt &gt;&gt;",
    "a&nbsp;b&#39;c&quot;d&#160;e&#x27;f",
    "<pre><code>if (a &lt; b &amp;&amp; c &gt; d) { x = &quot;y&quot;; }</code></pre>",
    "<a title='&amp;'>link &amp;amp text</a>&#39;&#395;&#39x",
    "<!-- &amp; hidden --><script>var a = '&lt;';</script><style>p{}</style>shown",
    "&&amp;;&;;&#;&#x;&amp;#;&;amp;",
    "\u00e9t\u00e9 &Eacute;T&Eacute; &#233;t&#233; &#x1F600; emoji",
    "fran&ccedil;ais &ouml;sterreich stra&szlig;e &THORN;orn",
    "x&lt;y&gt;z&quot;w&nbsp;v&amp;u",
    "<b>bold</b>&amp;<i>it</i>&lt;<u>under</u>",
]

PIECES = [
    "<p>",
    "</p>",
    "<br/>",
    "<a href='x?a=1&amp;b=2'>",
    "</a>",
    "word",
    "Mot",
    "&amp;",
    "&lt;",
    "&gt;",
    "&quot;",
    "&nbsp;",
    "&#39;",
    "&#8217;",
    "&eacute;",
    "&eacute",
    "&amp",
    "&",
    ";",
    "#",
    "&#",
    "amp;",
    "lt;",
    "x",
    "1",
    " ",
    "\n",
    "<!--",
    "-->",
    "<script>",
    "</script>",
    "&#x41;",
    "&copy;",
    "&notin;",
    "caf\u00e9",
    "&ouml;",
    "<",
    ">",
    "'",
    '"',
]


def tokens(db: sqlite3.Connection, texts: list[str]) -> list[tuple[str, ...]]:
    """Return the tokens of each text as the index's tokenizer reads them."""
    db.execute("DELETE FROM words")
    db.executemany(
        "INSERT INTO words (rowid, text) VALUES (?, ?)", enumerate(texts, start=1)
    )
    rows = db.execute(
        "SELECT doc, offset, term FROM words_vocab ORDER BY doc, offset"
    ).fetchall()
    result: list[list[str]] = [[] for _ in texts]
    for doc, _offset, term in rows:
        result[doc - 1].append(term)
    return [tuple(words) for words in result]


def reference_text(fragment: str) -> str:
    return html.unescape(_TAG.sub(" ", _HIDDEN.sub(" ", fragment)))


@pytest.fixture
def db() -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:")
    # The same tokenizer as the cache's entries_fts, without its prefixes.
    connection.execute(
        "CREATE VIRTUAL TABLE words USING fts5 (text, "
        "tokenize = 'unicode61 remove_diacritics 2')"
    )
    connection.execute(
        "CREATE VIRTUAL TABLE words_vocab USING fts5vocab (words, instance)"
    )
    return connection


@pytest.mark.parametrize("fragment", CASES)
def test_search_text_tokens_match(db: sqlite3.Connection, fragment: str) -> None:
    fast, reference = tokens(db, [search_text(fragment), reference_text(fragment)])
    assert fast == reference
    assert reference


def test_search_text_random_html(db: sqlite3.Connection) -> None:
    chooser = random.Random(5)
    fragments = [
        "".join(chooser.choice(PIECES) for _ in range(chooser.randint(1, 40)))
        for _ in range(2000)
    ]
    fast = tokens(db, [search_text(fragment) for fragment in fragments])
    reference = tokens(db, [reference_text(fragment) for fragment in fragments])
    for fragment, fast_tokens, reference_tokens in zip(
        fragments, fast, reference, strict=True
    ):
        assert fast_tokens == reference_tokens, fragment


def test_search_text_decodes_words() -> None:
    assert search_text("caf&eacute; &amp; don&#8217;t").split() == [
        "café",
        "don\u2019t",
    ]
