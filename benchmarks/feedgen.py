"""Generate the benchmark's feeds: blog-like RSS 2.0 and Atom documents.

Each feed has 20-60 entries whose bodies are 2-15 KB of HTML with
paragraphs, inline markup, relative and absolute links, images, lists and
code blocks. A fixed random seed makes every run serve the same bytes.
"""

from __future__ import annotations

import html
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

_VOCABULARY = (
    "cache refresh parser socket thread latency kernel buffer commit branch "
    "feed entry title terminal render widget query index table schema row "
    "column async await loop future task process signal handler stream byte "
    "vector matrix graph node edge queue stack heap tree hash digest token "
    "the a of to and in is for on with as at by from that this it be are"
)
WORDS = _VOCABULARY.split()
LANGUAGES = ("python", "rust", "go", "bash", "sql", "javascript")
EPOCH = datetime(2025, 12, 1, tzinfo=UTC)


def sentence(rng: random.Random, words: int) -> str:
    """Return a sentence of ``words`` random words."""
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random, number: int) -> str:
    """Return one HTML block: a paragraph, a list or a code block."""
    kind = rng.random()
    if kind < 0.15:
        language = rng.choice(LANGUAGES)
        lines = "\n".join(
            f"    value_{k} = compute({k}) &lt; limit &amp;&amp; ok"
            for k in range(rng.randint(4, 14))
        )
        return f'<pre><code class="language-{language}">{lines}</code></pre>'
    if kind < 0.25:
        items = "".join(f"<li>{sentence(rng, 8)}</li>" for _ in range(4))
        return f"<ul>{items}</ul>"
    if kind < 0.32:
        return f'<p><img src="/images/figure-{number}.png" alt="figure"></p>'
    parts = [sentence(rng, rng.randint(8, 20)) for _ in range(rng.randint(3, 6))]
    parts[0] = f'<a href="/posts/{number}">{parts[0]}</a>'
    parts[1] = f"<em>{parts[1]}</em> <code>x += 1</code>"
    parts[-1] = f'<a href="https://example.org/ref/{number}">{parts[-1]}</a>'
    return "<p>" + " ".join(parts) + "</p>"


def article(rng: random.Random) -> str:
    """Return an HTML body of 2-15 KB."""
    target = rng.randint(2 * 1024, 15 * 1024)
    blocks: list[str] = []
    size = 0
    while size < target:
        block = paragraph(rng, len(blocks))
        blocks.append(block)
        size += len(block)
    return "\n".join(blocks)


def rss_feed(rng: random.Random, number: int, base: str) -> str:
    """Return an RSS 2.0 document with content:encoded bodies in CDATA."""
    items = []
    for index in range(rng.randint(20, 60)):
        date = EPOCH - timedelta(hours=index * 7 + number)
        items.append(
            f"<item><title>{html.escape(sentence(rng, 6))}</title>"
            f"<link>{base}/posts/{index}.html</link>"
            f'<guid isPermaLink="false">feed{number}-post{index}</guid>'
            f"<pubDate>{date.strftime('%a, %d %b %Y %H:%M:%S GMT')}</pubDate>"
            f"<description>{html.escape(sentence(rng, 20))}</description>"
            f"<content:encoded><![CDATA[{article(rng)}]]></content:encoded></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/">\n'
        f"<channel><title>Generated blog {number}</title><link>{base}/</link>"
        "<description>feeds for the refresh benchmark</description>\n"
        + "\n".join(items)
        + "\n</channel></rss>\n"
    )


def atom_feed(rng: random.Random, number: int, base: str) -> str:
    """Return an Atom document with escaped HTML content."""
    entries = []
    for index in range(rng.randint(20, 60)):
        date = EPOCH - timedelta(hours=index * 5 + number)
        entries.append(
            f"<entry><id>tag:bench.invalid,2025:{number}:{index}</id>"
            f"<title>{html.escape(sentence(rng, 6))}</title>"
            f'<link rel="alternate" href="{base}/posts/{index}.html"/>'
            f"<updated>{date.strftime('%Y-%m-%dT%H:%M:%SZ')}</updated>"
            f"<author><name>Author {number}</name></author>"
            f'<content type="html">{html.escape(article(rng))}</content></entry>'
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Generated journal {number}</title>"
        f"<id>tag:bench.invalid,2025:{number}</id>"
        f'<link rel="alternate" href="{base}/"/>'
        f"<updated>{EPOCH.strftime('%Y-%m-%dT%H:%M:%SZ')}</updated>\n"
        + "\n".join(entries)
        + "\n</feed>\n"
    )


def feed_document(number: int) -> bytes:
    """Return feed ``number``: even numbers are RSS 2.0, odd ones Atom."""
    rng = random.Random(number)
    base = f"https://blog{number}.bench.invalid"
    make = rss_feed if number % 2 == 0 else atom_feed
    return make(rng, number, base).encode()


def write_feeds(folder: Path, count: int) -> list[str]:
    """Write feeds 0..count-1 as ``folder/feedN.xml``; return the file names."""
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for number in range(count):
        name = f"feed{number}.xml"
        path = folder / name
        if not path.exists():
            path.write_bytes(feed_document(number))
        names.append(name)
    return names
