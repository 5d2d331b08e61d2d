"""Conversion of images, embedded media and the elements html2text does not
know: figures, details, footnote numbers and rules.

Each test states the Markdown structure (read with markdown-it-py as the
article pane reads it) or the rendered text.
"""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from reader.convert import html_to_markdown, markdown_to_text
from reader.links import ArticleLink, LinkKind, parse_link_list

BASE = "https://blog.example/posts/one/"
_MARKDOWN = MarkdownIt("commonmark").enable("table")


def _text(markdown: str) -> str:
    return " ".join(markdown_to_text(markdown, width=200).split())


def _block_types(markdown: str) -> list[str]:
    return [
        token.type
        for token in _MARKDOWN.parse(markdown)
        if token.level == 0 and token.nesting >= 0
    ]


def _paragraphs(markdown: str) -> list[str]:
    tokens = _MARKDOWN.parse(markdown)
    texts = []
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open":
            children = tokens[index + 1].children or []
            texts.append("".join(c.content for c in children if c.content))
    return texts


# --- images ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("img", "label", "url"),
    [
        ('<img src="chart.png" alt="Weekly chart">', "Weekly chart", "chart.png"),
        ('<img src="/a/b/photo%20one.jpg">', "photo one.jpg", "/a/b/photo%20one.jpg"),
        ('<img src="x.svg" title="A title">', "A title", "x.svg"),
        ('<img src="data:image/gif;base64,R0lG" data-src="real.png" alt="Lazy">',
         "Lazy", "real.png"),
        ('<img srcset="small.png 1x, big.png 2x" alt="Set">', "Set", "small.png"),
        ('<img src="https://cdn.example/" alt="">', "image", "https://cdn.example/"),
    ],
)  # fmt: skip
def test_image_placeholder(img: str, label: str, url: str) -> None:
    markdown = html_to_markdown(f"<p>Before {img} after</p>", BASE)
    expected_url = url if url.startswith("https://cdn") else BASE + url
    if url.startswith("/"):
        expected_url = "https://blog.example" + url
    assert parse_link_list(markdown) == [ArticleLink(1, expected_url, LinkKind.IMAGE)]
    shown = f"[image: {label}]" if label != "image" else "[image]"
    assert f"Before {shown}[1] after" in _text(markdown)


def test_image_without_base_is_listed_not_linked() -> None:
    markdown = html_to_markdown('<p><img src="rel/pic.png" alt="Pic"></p>')
    assert parse_link_list(markdown) == [ArticleLink(1, "rel/pic.png", LinkKind.IMAGE)]
    assert "[1]: rel/pic.png (image, not opened)" in _text(markdown)


def test_image_stays_markdown_image() -> None:
    markdown = html_to_markdown('<p><img src="a b.png" alt="A *b*"></p>', BASE)
    images = [
        child
        for token in _MARKDOWN.parse(markdown)
        if token.type == "inline"
        for child in token.children or []
        if child.type == "image"
    ]
    assert [image.attrs["src"] for image in images] == [BASE + "a%20b.png"]
    assert ["".join(c.content for c in image.children) for image in images] == ["A *b*"]
    assert _text(markdown).startswith("[image: A *b*][1]")


def test_tracking_pixel_and_data_image_skipped() -> None:
    html = (
        '<p>Text<img src="https://t.example/p.gif" width="1" height="1"></p>'
        '<p><img src="data:image/png;base64,iVBORw0KGgo=" alt="Inline"></p>'
    )
    markdown = html_to_markdown(html, BASE)
    assert parse_link_list(markdown) == []
    assert _text(markdown) == "Text [image: Inline]"


def test_image_inside_link() -> None:
    html = '<p><a href="big.png"><img src="thumb.png" alt="Thumb"></a></p>'
    markdown = html_to_markdown(html, BASE)
    assert parse_link_list(markdown) == [
        ArticleLink(1, BASE + "big.png"),
        ArticleLink(2, BASE + "thumb.png", LinkKind.IMAGE),
    ]
    assert _text(markdown).startswith("[image: Thumb][2][1]")


# --- embedded media --------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "kind", "label", "url"),
    [
        ('<iframe src="https://www.youtube.com/embed/abc" title="Demo">'
         "fallback</iframe>", LinkKind.VIDEO, "Demo",
         "https://www.youtube.com/embed/abc"),
        ('<iframe src="https://player.vimeo.com/video/1"></iframe>',
         LinkKind.VIDEO, "1", "https://player.vimeo.com/video/1"),
        ('<iframe src="/widget/map"></iframe>', LinkKind.EMBED, "map",
         "https://blog.example/widget/map"),
        ('<video src="clip.mp4" poster="p.jpg">No video support.</video>',
         LinkKind.VIDEO, "clip.mp4", BASE + "clip.mp4"),
        ('<video controls><source src="talk.webm" type="video/webm">'
         '<source src="talk.mp4"><p>Download it.</p></video>',
         LinkKind.VIDEO, "talk.webm", BASE + "talk.webm"),
        ('<audio src="/ep/1.mp3">old browser</audio>', LinkKind.AUDIO, "1.mp3",
         "https://blog.example/ep/1.mp3"),
        ('<embed src="movie.swf">', LinkKind.EMBED, "movie.swf", BASE + "movie.swf"),
        ('<object data="doc.pdf">PDF here</object>', LinkKind.EMBED, "doc.pdf",
         BASE + "doc.pdf"),
    ],
)  # fmt: skip
def test_media_becomes_link(html: str, kind: LinkKind, label: str, url: str) -> None:
    markdown = html_to_markdown(f"<p>Intro.</p>{html}<p>Outro.</p>", BASE)
    assert parse_link_list(markdown) == [ArticleLink(1, url, kind)]
    assert f"[{kind}: {label}][1]" in _paragraphs(markdown)[1].replace("\\", "")
    text = _text(markdown)
    assert f"Intro. [{kind}: {label}][1]" in text
    for fallback in ("fallback", "No video support", "Download it", "PDF here"):
        assert fallback not in text


def test_media_without_source_dropped() -> None:
    markdown = html_to_markdown("<p>A</p><video>Nothing to play</video><p>B</p>")
    assert parse_link_list(markdown) == []
    assert _text(markdown) == "A B"


# --- figures, details, footnotes, rules ------------------------------------


def test_figure_with_caption() -> None:
    html = (
        '<figure><img src="fig.png" alt="Latency"><figcaption>Figure 2: p99 '
        "latency by week</figcaption></figure><p>Next.</p>"
    )
    markdown = html_to_markdown(html, BASE)
    assert _paragraphs(markdown)[:3] == [
        "Latency[1]",
        "Figure 2: p99 latency by week",
        "Next.",
    ]
    lines = markdown_to_text(markdown).splitlines()
    assert lines[:3] == ["[image: Latency][1]", "", "Figure 2: p99 latency by week"]
    emphasis = [
        token.type
        for token in _MARKDOWN.parse(markdown)[4].children or []
        if token.type == "em_open"
    ]
    assert emphasis == ["em_open"]


def test_details_and_summary() -> None:
    html = (
        "<details><summary>Show the <em>full</em> log</summary>"
        "<p>Line one.</p><pre><code>exit 1</code></pre></details><p>After.</p>"
    )
    markdown = html_to_markdown(html)
    assert _paragraphs(markdown) == ["▶ Show the full log", "Line one.", "After."]
    assert _block_types(markdown) == [
        "paragraph_open",
        "paragraph_open",
        "fence",
        "paragraph_open",
    ]


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("Claim<sup>1</sup>.", "Claim¹."),
        ("Claim<sup>[12]</sup>.", "Claim¹²."),
        ("E = mc<sup>2</sup>", "E = mc²"),
        ("H<sub>2</sub>O", "H₂O"),
        ("the 5<sup>th</sup> time", "the 5th time"),
        ('Note<sup><a href="#n3">3</a></sup> here', "Note³ here"),
        ("x<sup>n+1</sup>", "xn+1"),
    ],
)
def test_sup_and_sub(html: str, text: str) -> None:
    assert _text(html_to_markdown(f"<p>{html}</p>")) == text


def test_sup_with_external_link_keeps_it() -> None:
    markdown = html_to_markdown(
        '<p>See<sup><a href="https://x.example/">1</a></sup></p>'
    )
    assert parse_link_list(markdown) == [ArticleLink(1, "https://x.example/")]
    assert _text(markdown).startswith("See1[1]")


def test_hr_is_a_rule() -> None:
    markdown = html_to_markdown("<p>Above</p><hr><p>Below</p>")
    assert _block_types(markdown) == ["paragraph_open", "hr", "paragraph_open"]
    lines = markdown_to_text(markdown, width=20).splitlines()
    assert lines[0] == "Above"
    assert lines[-1] == "Below"
    assert any(set(line) == {"-"} and len(line) == 20 for line in lines)


def test_soft_hyphens_removed_from_prose() -> None:
    markdown = html_to_markdown("<p>Donau&shy;dampf&shy;schiff</p><pre>a\xadb</pre>")
    assert _paragraphs(markdown) == ["Donaudampfschiff"]
    assert "a\xadb" in markdown


def test_noscript_dropped() -> None:
    markdown = html_to_markdown("<p>Shown</p><noscript><p>Enable JS</p></noscript>")
    assert _text(markdown) == "Shown"
