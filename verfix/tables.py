"""Plain-text tables that fit a width: long texts end in an ellipsis, low-value columns go first.

The layout is that of tabulate's "simple" format (a header, a rule of dashes, two spaces between
columns, left-aligned cells), written here so that cells can be cut and coloured after the fit.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

GAP = "  "
ELLIPSIS = "…"
DEFAULT_WIDTH = 80


@dataclass(frozen=True)
class Column:
    """One column: how it may give way when the table is too wide.

    ``shrink``: the cells may be cut to ``min_width`` characters, ending in an ellipsis
    (``keep_end`` cuts from the start instead: "…\\bin\\Store.exe" for paths).
    ``drop``: 0 never; 1 dropped before any column is cut; 2 dropped only when cutting is not
    enough. Within a level the rightmost column goes first.
    """

    header: str
    shrink: bool = False
    min_width: int = 10
    keep_end: bool = False
    drop: int = 0


def terminal_width(stream_is_terminal: bool = True) -> int:
    """The width to fit: $COLUMNS when set, else the terminal's, else 80 (a pipe or a file)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if stream_is_terminal:
        import shutil  # a few milliseconds of start-up, only for a terminal

        return shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    return DEFAULT_WIDTH


def cut(text: str, width: int, keep_end: bool = False) -> str:
    """``text`` in at most ``width`` characters, an ellipsis marking what was cut. A number
    or version the cut would split goes whole ("is 4.0.1381.7130" → "is …", never the
    "is 4.0.1381.71…" that reads as another version)."""
    if len(text) <= width:
        return text
    if width <= 1:
        return ELLIPSIS[:width]
    if keep_end:
        start = len(text) - width + 1
        while start < len(text) and text[start - 1] in _NUMBER and text[start] in _NUMBER:
            start += 1
        return ELLIPSIS + text[start:]
    end = width - 1
    while end > 0 and text[end - 1] in _NUMBER and text[end] in _NUMBER:
        end -= 1
    return text[:end] + ELLIPSIS


_NUMBER = frozenset("0123456789.")


def _total(widths: Sequence[int]) -> int:
    return sum(widths) + len(GAP) * max(len(widths) - 1, 0)


def fit_columns(rows: Sequence[Sequence[str]], columns: Sequence[Column], width: int) -> tuple[list[int], list[int]]:
    """The indexes of the columns kept and their widths, so the table fits ``width`` if it can."""
    natural = [
        max([len(column.header)] + [len(row[i]) for row in rows]) for i, column in enumerate(columns)
    ]
    kept = list(range(len(columns)))
    widths = dict(enumerate(natural))

    def over() -> int:
        return _total([widths[i] for i in kept]) - width

    for level in (1, 2):
        if level == 2:
            _shrink(kept, widths, columns, over())
        while over() > 0:
            candidates = [i for i in kept if columns[i].drop == level]
            if not candidates:
                break
            kept.remove(candidates[-1])
            if level == 2:
                widths.update({i: natural[i] for i in kept})
                _shrink(kept, widths, columns, over())
    return kept, [widths[i] for i in kept]


def _shrink(kept: list[int], widths: dict[int, int], columns: Sequence[Column], excess: int) -> None:
    """Take ``excess`` characters from the widest shrinkable columns, one at a time."""
    while excess > 0:
        able = [i for i in kept if columns[i].shrink and widths[i] > max(columns[i].min_width, len(columns[i].header))]
        if not able:
            return
        widest = max(able, key=lambda i: (widths[i], -i))
        widths[widest] -= 1
        excess -= 1


def render(
    rows: Sequence[Sequence[str]],
    columns: Sequence[Column],
    width: Optional[int] = None,
    style: Optional[Callable[[int, str], str]] = None,
) -> str:
    """The table as text, fitted to ``width`` (None: no limit); ``style(column, text)`` may colour a cell.

    Every line ends in a newline; trailing blanks are left off.
    """
    rows = [[("" if cell is None else str(cell)) for cell in row] for row in rows]
    if width is None:
        kept = list(range(len(columns)))
        widths = [max([len(c.header)] + [len(r[i]) for r in rows]) for i, c in enumerate(columns)]
    else:
        kept, widths = fit_columns(rows, columns, width)

    def line(cells: Sequence[str], styled: bool) -> str:
        parts = []
        for position, (index, size) in enumerate(zip(kept, widths)):
            text = cut(cells[index], size, columns[index].keep_end)
            padding = "" if position == len(kept) - 1 else " " * (size - len(text))
            parts.append((style(index, text) if styled and style else text) + padding)
        return GAP.join(parts).rstrip() + "\n"

    out = [line([c.header for c in columns], False), GAP.join("-" * size for size in widths) + "\n"]
    out.extend(line(row, True) for row in rows)
    return "".join(out)


def wrap_line(text: str, width: int, indent: str = "    ") -> list[str]:
    """``text`` broken at blanks into lines of at most ``width`` characters, the later ones
    indented; a word longer than a line (a long path) stays whole, to be copied."""
    import textwrap

    if len(text) <= width:
        return [text]
    return textwrap.wrap(text, width=max(width, len(indent) + 10), subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False) or [text]


def summary_width(stream_is_terminal: bool) -> int:
    """The width of summary lines on stderr: 80 columns, or a narrower terminal's (or $COLUMNS)."""
    return min(DEFAULT_WIDTH, terminal_width(stream_is_terminal))
