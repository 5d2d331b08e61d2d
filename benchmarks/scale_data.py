"""Generated feeds and entries for the scale benchmark.

The content is made up but shaped like developer blogs. Titles have four
to nine words, and HTML bodies of 2-15 KB have paragraphs, links, lists and
code blocks. Words follow a Zipf-like distribution, so the search index has
a few very common words and a long tail of rare ones. The same seed
always gives the same cache.
"""

from __future__ import annotations

import html
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from reader.models import ParsedEntry

FEEDS = 1_000
BIG_FEED_SHARE = 0.5
"""Share of all entries in the first feed, the busy one of the benchmark."""
BIG_FEED_TITLE = "000 Firehose"
"""Sorts first, so the first screen lists the busy feed."""
SPAN = timedelta(days=3 * 365)
"""Entries are dated over the three years before ``NOW``."""
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
UNREAD_AGE = timedelta(days=30)
"""Entries newer than this stay unread; the benchmark marks older ones read."""

COMMON = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "it",
    "as",
    "with",
    "was",
    "on",
    "be",
    "by",
    "this",
    "are",
    "or",
    "at",
    "from",
    "but",
    "not",
    "have",
    "an",
    "they",
    "which",
    "one",
    "you",
    "were",
    "all",
    "we",
    "can",
    "her",
    "has",
    "there",
    "been",
    "if",
    "more",
    "when",
    "will",
    "would",
    "who",
    "so",
    "no",
    "out",
    "up",
    "into",
    "than",
    "them",
    "then",
    "some",
    "what",
    "only",
    "other",
    "time",
    "new",
    "could",
    "these",
    "two",
    "may",
    "first",
    "after",
    "any",
    "most",
    "over",
    "also",
    "where",
    "just",
    "like",
    "use",
    "used",
    "make",
    "way",
    "how",
    "because",
    "each",
    "well",
    "even",
    "good",
]
TECH = [
    "python",
    "rust",
    "golang",
    "javascript",
    "typescript",
    "sqlite",
    "postgres",
    "kernel",
    "linux",
    "compiler",
    "parser",
    "lexer",
    "token",
    "async",
    "await",
    "thread",
    "mutex",
    "lock",
    "queue",
    "cache",
    "index",
    "query",
    "schema",
    "migration",
    "deploy",
    "container",
    "docker",
    "kubernetes",
    "build",
    "test",
    "benchmark",
    "profile",
    "memory",
    "allocator",
    "pointer",
    "buffer",
    "stream",
    "socket",
    "http",
    "request",
    "response",
    "header",
    "cookie",
    "session",
    "auth",
    "token",
    "json",
    "yaml",
    "toml",
    "config",
    "terminal",
    "shell",
    "editor",
    "vim",
    "emacs",
    "git",
    "commit",
    "branch",
    "merge",
    "rebase",
    "release",
    "version",
    "library",
    "package",
    "module",
    "function",
    "closure",
    "iterator",
    "generator",
    "coroutine",
    "runtime",
    "latency",
    "throughput",
    "regression",
    "bisect",
    "textual",
    "widget",
    "layout",
    "render",
    "frame",
    "scroll",
    "cursor",
    "keyboard",
    "binding",
]
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "ta",
    "vo",
    "shi",
    "pe",
    "da",
    "gri",
    "fla",
    "zen",
    "tor",
    "mun",
    "bex",
    "quo",
    "wy",
]
NAMES = """
Ada Lovelace
Grace Hopper
Linus Torvalds
Barbara Liskov
Ken Thompson
Margaret Hamilton
Dennis Ritchie
Frances Allen
Guido van Rossum
Radia Perlman
Donald Knuth
Sophie Wilson
Bjarne Stroustrup
Edsger Dijkstra
""".strip().splitlines()


@dataclass(frozen=True, slots=True)
class FeedPlan:
    """One generated feed: its title and its share of all entries."""

    number: int
    title: str
    share: float

    @property
    def url(self) -> str:
        """The feed's URL path, served by the newsboat comparison."""
        return f"/feed/{self.number}.xml"


class Writer:
    """Deterministic text in the shape of blog posts."""

    def __init__(self, seed: int = 6) -> None:
        self.random = random.Random(seed)
        rare = {self._word() for _ in range(9_000)}
        self.words = COMMON + TECH + sorted(rare)
        # Zipf-like: the k-th word is about 1/k as frequent as the first.
        weights = [1 / (rank + 1) for rank in range(len(self.words))]
        self.cumulative = []
        total = 0.0
        for weight in weights:
            total += weight
            self.cumulative.append(total)
        self.paragraphs = [self._paragraph() for _ in range(20_000)]

    def _word(self) -> str:
        count = self.random.randint(2, 4)
        return "".join(self.random.choice(SYLLABLES) for _ in range(count))

    def sentence(self, low: int = 6, high: int = 18) -> str:
        """Return a sentence of ``low`` to ``high`` words."""
        count = self.random.randint(low, high)
        words = self.random.choices(self.words, cum_weights=self.cumulative, k=count)
        return " ".join(words).capitalize() + "."

    def _paragraph(self) -> str:
        sentences = [self.sentence() for _ in range(self.random.randint(2, 6))]
        roll = self.random.random()
        if roll < 0.2:
            term = self.random.choice(TECH)
            sentences.insert(1, f"See <code>{term}()</code> for the details.")
        elif roll < 0.35:
            term = self.random.choice(TECH)
            link = f'<a href="https://example.test/{term}">{term} notes</a>'
            sentences.append(f"More in {link}.")
        return "<p>" + " ".join(sentences) + "</p>"

    def code_block(self) -> str:
        """Return a short Python code block as feeds send it."""
        name = self.random.choice(TECH)
        lines = [
            f"def {name}_step(items: list[str]) -> int:",
            f'    """Count {name} items."""',
            "    total = 0",
            "    for item in items:",
            "        total += len(item)",
            "    return total",
        ]
        code = html.escape("\n".join(lines))
        return f'<pre><code class="language-python">{code}</code></pre>'

    def title(self) -> str:
        """Return a title of four to nine words."""
        count = self.random.randint(4, 9)
        words = self.random.choices(self.words, cum_weights=self.cumulative, k=count)
        return " ".join(word.capitalize() for word in words)

    def body(self, unique: str) -> str:
        """Return an HTML body of 2-15 KB that contains ``unique`` once."""
        target = self.random.randint(2_000, 15_000)
        parts = [f"<h2>{self.title()}</h2>", f"<p>{unique}</p>"]
        size = sum(len(part) for part in parts)
        while size < target:
            roll = self.random.random()
            if roll < 0.08:
                part = self.code_block()
            elif roll < 0.12:
                items = "".join(f"<li>{self.sentence(3, 8)}</li>" for _ in range(4))
                part = f"<ul>{items}</ul>"
            else:
                part = self.random.choice(self.paragraphs)
            parts.append(part)
            size += len(part)
        return "".join(parts)


def plan_feeds(writer: Writer, feeds: int = FEEDS) -> list[FeedPlan]:
    """Return the feeds: a busy first one, then feeds of uneven sizes."""
    plans = [FeedPlan(0, BIG_FEED_TITLE, BIG_FEED_SHARE)]
    weights = [writer.random.paretovariate(1.5) for _ in range(feeds - 1)]
    total = sum(weights)
    for number, weight in enumerate(weights, start=1):
        title = f"{writer.title()} {number}"
        plans.append(FeedPlan(number, title, (1 - BIG_FEED_SHARE) * weight / total))
    return plans


def feed_sizes(plans: list[FeedPlan], total: int) -> list[int]:
    """Split ``total`` entries over the feeds by share, at least 1 each."""
    sizes = [max(1, int(plan.share * total)) for plan in plans]
    sizes[0] += total - sum(sizes)
    return sizes


def entries(
    writer: Writer, plan: FeedPlan, start: int, stop: int
) -> Iterator[ParsedEntry]:
    """Yield entries ``start`` to ``stop`` of a feed, dated at random over
    the SPAN before NOW."""
    for number in range(start, stop):
        published = NOW - SPAN * writer.random.random()
        unique = f"Entry {number} of feed {plan.number}: marker{plan.number}x{number}."
        yield ParsedEntry(
            key=f"urn:bench:{plan.number}:{number}",
            title=writer.title(),
            link=f"https://example.test/{plan.number}/{number}",
            author=writer.random.choice(NAMES),
            published=published,
            updated=None,
            content=writer.body(unique),
            summary="",
        )
