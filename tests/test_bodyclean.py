"""clean_body_html: scripts out, URLs absolute and safe, everything else kept."""

from __future__ import annotations

import sys

import pytest

from reader import bodyclean
from reader.bodyclean import (
    NEEDS_TEXT_CLEANING,
    clean_body_html,
    needs_text_cleaning,
)
from reader.textsafe import clean_text

BASE = "https://blog.example.org/2025/post.html"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("<p>a</p><script>alert(1)</script><p>b</p>", "<p>a</p><p>b</p>"),
        ('<SCRIPT type="module">x()</Script ><p>b</p>', "<p>b</p>"),
        ("<style>p { color: red }</style><p>b</p>", "<p>b</p>"),
        ("<template><p>hidden</p></template>ok", "ok"),
        ("<p>a</p><script>never closed <p>b</p>", "<p>a</p>"),
        ("<!-- <script>x</script> --><p>b</p>", "<!-- <script>x</script> --><p>b</p>"),
    ],
)
def test_scripts_and_styles_dropped(body: str, expected: str) -> None:
    assert clean_body_html(body, BASE) == expected


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ('<a href="/about">', '<a href="https://blog.example.org/about">'),
        ('<img src="pic.png">', '<img src="https://blog.example.org/2025/pic.png">'),
        ("<img src='../up.png'/>", '<img src="https://blog.example.org/up.png"/>'),
        ("<a href=/posts/>", '<a href="https://blog.example.org/posts/">'),
        ("<img src=b.png />", '<img src="https://blog.example.org/2025/b.png" />'),
        ('<a href="//cdn.example/x">', '<a href="https://cdn.example/x">'),
        (
            '<a href="?page=2">',
            '<a href="https://blog.example.org/2025/post.html?page=2">',
        ),
        (
            '<a href="#notes">',
            '<a href="https://blog.example.org/2025/post.html#notes">',
        ),
        (
            '<a href="/q?a=1&amp;b=2">',
            '<a href="https://blog.example.org/q?a=1&amp;b=2">',
        ),
        (
            '<video poster="p.jpg" src="v.mp4">',
            '<video poster="https://blog.example.org/2025/p.jpg" src="https://blog.example.org/2025/v.mp4">',
        ),
        (
            '<blockquote cite="/src">',
            '<blockquote cite="https://blog.example.org/src">',
        ),
        ('<a href="/a/./b/../c">', '<a href="https://blog.example.org/a/c">'),
    ],
)
def test_relative_urls_resolved(tag: str, expected: str) -> None:
    assert clean_body_html(tag, BASE) == expected


def test_ascii_check_matches_regex() -> None:
    # needs_text_cleaning checks ASCII text by deleting bytes. Its result must
    # equal the regular expression's for every character, alone and inside
    # longer ASCII and non-ASCII text.
    for code_point in range(0x3000):
        if 0xD800 <= code_point <= 0xDFFF:
            continue
        char = chr(code_point)
        expected = NEEDS_TEXT_CLEANING.search(char) is not None
        assert needs_text_cleaning(char) is expected, hex(code_point)
        assert needs_text_cleaning(f"<p>plain {char} text</p>") is expected
        assert needs_text_cleaning(f"caf\u00e9 {char}") is expected


@pytest.mark.parametrize(
    "tag",
    [
        '<a href="https://example.net/x" class="ext">',
        '<a href="mailto:me@example.org">',
        '<img alt="a > b" src="https://example.net/i.png">',
        '<pre data-lang="python">',
        '<code class="language-js">',
    ],
)
def test_absolute_and_other_attributes_kept(tag: str) -> None:
    assert clean_body_html(tag, BASE) == tag


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ('<a href="javascript:alert(1)">', "<a>"),
        ("<a HREF='JavaScript:alert(1)' title=t>", "<a title=t>"),
        ('<a href="java\tscript:alert(1)">', "<a>"),
        ('<a href="javascript&#58;alert(1)">', "<a>"),
        ('<a href=" javascript:alert(1)">', "<a>"),
        ('<img src="data:image/svg+xml;base64,AAAA">', "<img>"),
        ('<a href="vbscript:x">', "<a>"),
        ('<p onclick="steal()" class="x">', '<p class="x">'),
        (
            "<img src=\"a.png\" onerror='x()'>",
            '<img src="https://blog.example.org/2025/a.png">',
        ),
    ],
)
def test_unsafe_urls_and_handlers_removed(tag: str, expected: str) -> None:
    assert clean_body_html(tag, BASE) == expected


def test_href_inside_other_value_untouched() -> None:
    tag = '<a title="see href=x" href="y">'
    expected = '<a title="see href=x" href="https://blog.example.org/2025/y">'
    assert clean_body_html(tag, BASE) == expected


def test_code_text_kept_byte_for_byte() -> None:
    body = (
        '<pre><code class="language-html">&lt;a href="/x"&gt;link&lt;/a&gt;\n'
        "&lt;script&gt;run()&lt;/script&gt;\n\tif (a &lt; b) {}</code></pre>"
    )
    assert clean_body_html(body, BASE) == body


def test_base_that_is_not_a_url() -> None:
    body = '<img src="pics/a.png"><a href="/x">'
    assert clean_body_html(body, "") == body
    assert clean_body_html(body, "/srv/feeds/local.xml") == (
        '<img src="/srv/feeds/pics/a.png"><a href="/x">'
    )


def test_text_cleaned_as_clean_text() -> None:
    body = "<p>red \x1b[31mtext\x1b[0m\r\nbidi \u202eevil</p>"
    assert clean_body_html(body, BASE) == clean_text(body)
    assert "\x1b" not in clean_body_html(body, BASE)


def test_text_cleaning_skip_matches_clean_text() -> None:
    # clean_body_html skips clean_text for text without any character of
    # NEEDS_TEXT_CLEANING. Every other character must pass clean_text as is.
    # Escape sequences start with a control character, so single characters
    # cover them.
    for code_point in range(sys.maxunicode + 1):
        if 0xD800 <= code_point <= 0xDFFF:
            continue
        char = chr(code_point)
        if not NEEDS_TEXT_CLEANING.match(char):
            assert clean_text(f"a{char}b") == f"a{char}b", hex(code_point)


@pytest.mark.parametrize(
    "tag",
    [
        '<a href="/posts/1">',
        '<a class="x" href="/posts/1?page=2#top" title="t">',
        '<img src="/images/a-b.png" alt="a">',
        '<img alt="figure" src="/i.png" width="10" height="20"/>',
        '<a data-id="7" aria-label="next" href="/n">',
    ],
)
def test_plain_tag_shortcut_matches_general_rewrite(tag: str) -> None:
    assert bodyclean._ROOT_RELATIVE_TAG.fullmatch(tag)
    expected = bodyclean._rewrite_tag(tag, bodyclean._Resolver(BASE))
    assert clean_body_html(tag, BASE) == expected


@pytest.mark.parametrize(
    "tag",
    [
        '<a href="/a/../b">',
        '<a href="/./b">',
        '<img src="/images/a b.png">',
        '<a href="//cdn.example/x">',
        '<a href="/q?a=1&amp;b=2">',
        '<a href="/it\'s">',
        '<a onclick="x()" href="/p">',
        "<a href='/p'>",
        '<img src="/i.png" longdesc="d.html">',
        '<img src="/i.png" OnError="x()">',
        '<iframe src="/embed">',
    ],
)
def test_plain_tag_shortcut_declines(tag: str) -> None:
    assert not bodyclean._ROOT_RELATIVE_TAG.fullmatch(tag)
