"""Tables of the HTML pass: which cell is open, and tables of one column.

A GFM table cell is one line, so the HTML pass needs to know when text is
inside a cell. html2text writes a table of one column without any ``|``,
which Markdown reads as a heading underlined with dashes, so such a table
(often one used for layout) is written as paragraphs instead.
"""

from __future__ import annotations

from dataclasses import dataclass

_ROW_PARTS = frozenset({"thead", "tbody", "tfoot", "tr", "caption", "colgroup"})


@dataclass
class _Table:
    start: int
    """Index in the output where the ``<table>`` tag is."""
    in_cell: bool = False
    cells_in_row: int = 0
    widest_row: int = 0


class TableTracker:
    """Follow the tables of one document as the HTML pass writes them."""

    def __init__(self, out: list[str]) -> None:
        self.out = out
        """The output of the HTML pass, rewritten for one-column tables."""
        self._tables: list[_Table] = []

    @property
    def in_cell(self) -> bool:
        """Whether the text written now is inside a table cell."""
        return any(table.in_cell for table in self._tables)

    def start(self, tag: str) -> None:
        """Note a start tag about to be written to the output."""
        if tag == "table":
            self._tables.append(_Table(len(self.out)))
        elif not self._tables:
            return
        elif tag in ("td", "th"):
            table = self._tables[-1]
            table.in_cell = True
            table.cells_in_row += 1
            table.widest_row = max(table.widest_row, table.cells_in_row)
        elif tag == "tr":
            self._tables[-1].in_cell = False
            self._tables[-1].cells_in_row = 0

    def end(self, tag: str) -> int | None:
        """Note an end tag about to be written.

        At the end of a table of at most one column, the table is rewritten
        in the output as one paragraph per cell, and the index where it
        starts is returned: its end tag is not to be written. Returns None
        otherwise.
        """
        if not self._tables:
            return None
        if tag in ("td", "th", "tr"):
            self._tables[-1].in_cell = False
        if tag != "table":
            return None
        table = self._tables.pop()
        if table.widest_row > 1:
            return None
        self.out[table.start :] = [
            _as_paragraphs(part) for part in self.out[table.start :]
        ]
        return table.start


def _as_paragraphs(part: str) -> str:
    """Return an output part of a one-column table as paragraph markup."""
    if part.startswith(("<td", "<th")) and part[3:4] in (">", " "):
        return "<p>"
    if part in ("</td>", "</th>"):
        return "</p>"
    name = part.strip("</>").split(" ")[0]
    if part.startswith("<") and name in _ROW_PARTS | {"table"}:
        return ""
    return part
