"""Finding and reading the fixed-file tables of an article body: boxed and plain columns.

Boxed tables (``+----+`` borders, ``| cell |`` rows) give their cells; plain tables give a
header line of column labels (usually over a ``----`` rule), then one line per file, rows
maybe double-spaced or in blocks (one per platform) split by a blank line. Headings,
``Component:`` lines and the sentence that introduces a table say which product version
and component its rows belong to.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from verfix.kbimport import cells
from verfix.kbimport.model import ImportedRow, TableError, excerpt
from verfix.kbimport.rows import (
    NAME_KINDS,
    Column,
    RowContext,
    join_continuation,
    marked_name,
    name_only,
    place_plain,
    row_from_cells,
)

Body = Sequence[tuple[int, str]]

_BORDER_RE = re.compile(r"^\s*\+[-=+]*\+?\s*$")
_RULE_RE = re.compile(r"^\s*(-{3,}|={3,})[-=\s]*$")
_UNDERLINE_RE = re.compile(r"^\s*(-{3,}|={3,})\s*$")
_COMPONENT_RE = re.compile(r"^\s*Components?\s*:\s*(.*?)\s*$", re.IGNORECASE)
# A short line of its own ending with a colon, naming a release: "Exchange Server 5.5:", "For IIS 4.0:".
_COLON_HEADING_RE = re.compile(r"^\s*([A-Za-z][^:.]{0,60}?\d[^:]{0,20}?):\s*$")
# "The English version of the IIS 4.0 fix should have ...": the release of the next table.
# A line that looks like a fixed-file row ("Store.exe   5.5.2650.21") wherever it appears.
_STRAY_ROW_RE = re.compile(r"^\s*\|?\s*[\w$~-]+\.[A-Za-z0-9]{1,3}\s*\|?\s+(\d+\.){2,3}\d+\s*\|?\s*$")


@dataclass
class Scan:
    """What the tables of one article gave: rows (numbered by table) and notes."""

    rows: list[ImportedRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tables: int = 0


def _one_label(words: Sequence[tuple[int, str]]) -> bool:
    """Whether header words can be one label: each one blank after the other ("File name"),
    as a label is written; words two or more blanks apart are labels of their own
    ("File     Date" is a File column and a Date column, not "File date")."""
    return all(nxt[0] == start + len(word) + 1 for (start, word), nxt in zip(words, words[1:]))


def plain_header(text: str) -> list[Column] | None:
    """The columns of a plain header line (labels one or more blanks apart), or None."""
    words = [(m.start(), m.group()) for m in re.finditer(r"\S+", text)]
    columns: list[Column] = []
    index = 0
    while index < len(words):
        for size in range(min(cells.MAX_LABEL_WORDS, len(words) - index), 0, -1):
            if not _one_label(words[index:index + size]):
                continue
            kind = cells.column_kind(" ".join(w for _, w in words[index:index + size]))
            if kind:
                columns.append(Column(kind, words[index][0]))
                index += size
                break
        else:
            return None
    kinds = [c.kind for c in columns]
    return columns if len(columns) >= 1 and len(set(kinds)) == len(kinds) else None


def _box_cells(text: str) -> list[str]:
    inner = text.strip()[1:]
    inner = inner.removesuffix("|")
    return [cell.strip() for cell in inner.split("|")]


def _box_header(row_cells: Sequence[str]) -> list[str] | None:
    kinds = [cells.column_kind(cell) for cell in row_cells]
    if not row_cells or None in kinds or len(set(kinds)) != len(kinds):
        return None
    return [k for k in kinds if k]


def _headerless_kinds(row_cells: Sequence[str], where: tuple[int, str]) -> list[str]:
    """Columns of a box without a header row, when each cell can be of one kind only."""
    kinds: list[str] = []
    for cell in row_cells:
        fitting = [k for k in ("name", "version", "date", "time", "size", "platform")
                   if cell and cells.RECOGNISERS[k](cell)]
        if len(fitting) != 1 or fitting[0] in kinds:
            raise TableError(where[0], where[1], "a table without a header whose columns cannot be told")
        kinds.append(fitting[0])
    if "name" not in kinds:
        raise TableError(where[0], where[1], "a table without a header whose columns cannot be told")
    return kinds


def _has_name(kinds: Sequence[str]) -> bool:
    return any(kind in NAME_KINDS for kind in kinds)


_FILE_NAME_RE = re.compile(r"[\w$~!#%&'(){}^@+=\-]+\.[A-Za-z0-9]{1,4}")


def read_boxed(body: Body, start: int, context: RowContext) -> tuple[int, list[ImportedRow]]:
    """Read a +---+ boxed table from ``start``; return the index after it and its rows (none
    for a box with neither a header row nor a file name: not a fixed-file table)."""
    index = start
    groups: list[list[tuple[int, str]]] = [[]]
    while index < len(body):
        text = body[index][1]
        if _BORDER_RE.match(text):
            groups.append([])
        elif text.strip().startswith("|"):
            groups[-1].append(body[index])
        else:
            break
        index += 1
    boxes = [g for g in groups if g]
    if not any(_box_header(_box_cells(g[0][1])) for g in boxes) and not any(
        _FILE_NAME_RE.fullmatch(cell) for g in boxes for _, text in g for cell in _box_cells(text)
    ):
        return index, []  # neither a header nor a file name: a diagram or a list, not a file table
    kinds: list[str] | None = None
    rows: list[ImportedRow] = []
    for group in boxes:
        cell_rows = [_box_cells(text) for _, text in group]
        if all(not any(row_cells) for row_cells in cell_rows):
            continue  # an empty row says nothing
        header = _box_header(cell_rows[0])
        if header is not None:
            if kinds is not None or rows:
                raise TableError(group[0][0], group[0][1], "a second header row in one table")
            if len(group) > 1:
                raise TableError(group[1][0], group[1][1], "a header wrapped onto a second line")
            if not _has_name(header):
                raise TableError(group[0][0], group[0][1], "a table without a file name column")
            kinds = header
            continue
        if kinds is None:
            kinds = _headerless_kinds(cell_rows[0], group[0])
        name_at = next(i for i, kind in enumerate(kinds) if kind in NAME_KINDS)
        if len(group) > 1 and not all(len(c) == len(kinds) and _FILE_NAME_RE.fullmatch(c[name_at])
                                      for c in cell_rows):
            # A line with no file name of its own continues the row above: not read.
            raise TableError(group[1][0], group[1][1], "a row wrapped onto a second line")
        for (line_no, text), row_cells in zip(group, cell_rows):  # rows without borders between
            if len(row_cells) != len(kinds):
                raise TableError(line_no, text, f"{len(row_cells)} cells under {len(kinds)} columns")
            for kind, cell in zip(kinds, row_cells):
                # As in plain tables: a marker after the name when no column holds platforms, and
                # any words in the Platform column of a table for a platform no Windows server has.
                if (kind in NAME_KINDS and "platform" not in kinds and marked_name(cell)) or (
                        kind == "platform" and context.foreign and not cell[:1].isdigit()):
                    continue
                if not cells.fits(kind, cell):
                    raise TableError(line_no, text, f"{excerpt(cell)} is not a {kind.replace('+', ' and ')}")
            rows.append(row_from_cells(kinds, row_cells, line_no, text, context))
    if not rows:
        raise TableError(body[start][0], body[start][1], "a table without rows")
    return index, rows


def _next_text(body: Body, index: int) -> int:
    while index < len(body) and not body[index][1].strip():
        index += 1
    return index


def _continues(body: Body, index: int, columns: Sequence[Column]) -> bool:
    """Whether the line at ``index`` (after blank lines) is one more row of the table above."""
    if index + 1 < len(body) and _UNDERLINE_RE.match(body[index + 1][1]):
        return False  # a heading
    try:
        placed = place_plain(columns, *body[index])
    except TableError:
        return False
    name = next(cell for column, cell in zip(columns, placed) if column.kind in NAME_KINDS)
    return bool(re.search(r"\.\w{1,4}$", name.split()[0]))


def read_plain(body: Body, start: int, first: int, columns: list[Column],
               context: RowContext) -> tuple[int, list[ImportedRow], list[str]]:
    """Read the rows of a plain table whose header is at ``start`` and first row at ``first``;
    return the index after it, its rows, and notes (a cell wrapped onto the next line, joined)."""
    kinds = [c.kind for c in columns]
    index = first
    rows: list[ImportedRow] = []
    notes: list[str] = []
    above: list[str] | None = None  # the cells of the line above, when it was a row
    while index < len(body):
        line_no, text = body[index]
        if not text.strip():
            ahead = _next_text(body, index)
            if rows and ahead < len(body) and _continues(body, ahead, columns):
                index = ahead
                continue
            break
        if _RULE_RE.match(text) and rows:
            break  # a closing rule
        joined = join_continuation(columns, text, above) if above is not None else None
        if joined is not None:
            last = rows.pop()
            rows.append(row_from_cells(kinds, joined[0], last.line_no, last.line_text, context))
            notes.append(f"line {line_no}: {text.strip()!r} continues the {kinds[joined[1]]} "
                         f"cell of line {last.line_no}; joined")
            above = None
            index += 1
            continue
        placed = place_plain(columns, line_no, text, any_platform=bool(context.foreign))
        if above is not None and rows[-1].line_no == body[index - 1][0] and name_only(kinds, placed) \
                and not name_only(kinds, above) and not re.search(r"\.\w{1,4}$", rows[-1].name):
            # "Verylongname_" / "component.dll": a name wrapped onto the next line is not joined
            # (a name alone under a complete one, "Dbserver.sch" under "Store.exe", is a row).
            raise TableError(line_no, text, "a file name alone under a row that gives more (a name "
                                            "wrapped onto the next line?)")
        above = placed
        rows.append(row_from_cells(kinds, above, line_no, text, context))
        index += 1
    if not rows:
        raise TableError(body[start][0], body[start][1], "a table without rows")
    return index, rows, notes
