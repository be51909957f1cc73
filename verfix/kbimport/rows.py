"""One table line to one row: cells placed under the header's columns, then read by kind.

A plain line has no cell separators a reader can trust (columns are sometimes one blank
apart, and cells like ``1.33 MB`` or ``7:50 A.M.`` hold blanks), so its words are grouped
into cells every way the recognisers allow, in column order, each column taking one cell or
a blank. One way: that is the row. Several: the header decides, each cell standing under the
column it belongs to; still several (or none): the line is refused with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from verfix.kbimport import cells
from verfix.kbimport.model import ImportedRow, TableError, excerpt
from verfix.version import VersionError, parse_version

NAME_KINDS = ("name", "name+path")
MAX_CELL_WORDS = 4  # "001033 English (United States)", "I386 - 128-bit"
_MAX_WAYS = 64


@dataclass(frozen=True)
class Column:
    """A header column: its kind and where its label stands on the header line."""

    kind: str
    start: int = -1  # the label's first character (-1: not known, as in boxed tables)


@dataclass(frozen=True)
class RowContext:
    """What the headings above a table say about its rows."""

    component: str | None = None
    product_version: str | None = None
    heading: str | None = None
    language: str | None = None
    foreign: str | None = None  # the heading or lead-in names a platform not a Windows server's
    platform: str | None = None  # the one Windows processor the heading or lead-in names ("Alpha:")


def _words(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", text)]


def _name_with_marker(words: Sequence[tuple[int, int, str]]) -> bool:
    """``Nwconv.exe (x86)``: a file name and a bracketed platform marker in one cell."""
    return (len(words) == 2 and cells.is_name_or_path(words[0][2])
            and words[1][2][:1] in "(<" and cells.is_platform(words[1][2]))


def marked_name(cell: str) -> bool:
    """A name cell that is a file name and a bracketed platform or edition marker: ``Nwconv.exe (x86)``."""
    return _name_with_marker(_words(cell))


def name_only(kinds: Sequence[str], placed: Sequence[str]) -> bool:
    """A line with a name and nothing else (an ``N/A`` is a cell: the author wrote it)."""
    return all(kind in NAME_KINDS or not cell for kind, cell in zip(kinds, placed))


def _ways(columns: Sequence[Column], words: Sequence[tuple[int, int, str]],
          any_platform: bool = False) -> list[list[tuple | None]]:
    """Every grouping of ``words`` into one cell (or a blank) per column, in order
    (with ``any_platform``, any words fit the platform column: to name an unknown one)."""
    found: list[list[tuple | None]] = []
    # A platform marker after the name ("Nwconv.exe (x86)") only when no column holds platforms.
    markers = all(column.kind != "platform" for column in columns)

    def place(wi: int, ci: int, acc: list[tuple | None]) -> None:
        if len(found) >= _MAX_WAYS:
            return
        if ci == len(columns):
            if wi == len(words):
                found.append(list(acc))
            return
        kind = columns[ci].kind
        for take in range(min(MAX_CELL_WORDS, len(words) - wi) + 1):
            group = words[wi:wi + take]
            text = " ".join(w[2] for w in group)
            if take == 0:
                if kind in NAME_KINDS:
                    continue
            elif not (cells.fits(kind, text) or (markers and kind in NAME_KINDS and _name_with_marker(group))
                      or (any_platform and kind == "platform" and not any(c.isdigit() for c in text[:1]))):
                continue
            cell = (group[0][0], group[-1][1], text) if group else None
            place(wi + take, ci + 1, acc + [cell])

    place(0, 0, [])
    return found


def _column_of(columns: Sequence[Column], start: int, end: int) -> int:
    """The column whose header span (its label to the next label) a cell overlaps most."""
    best, best_overlap = -1, -1
    for index, column in enumerate(columns):
        low = column.start if index else -(1 << 30)
        high = columns[index + 1].start if index + 1 < len(columns) else 1 << 30
        overlap = min(end, high) - max(start, low)
        if overlap > best_overlap:
            best, best_overlap = index, overlap
    return best


def place_plain(columns: Sequence[Column], line_no: int, text: str, any_platform: bool = False) -> list[str]:
    """The cells of a plain table line in column order ("" for a blank); TableError if none
    or several placements remain. With ``any_platform`` (a table of a platform that is not a
    Windows server's), any words that start with no digit fit the platform column."""
    ways = _ways(columns, _words(text)) or (_ways(columns, _words(text), True) if any_platform else [])
    if not ways:
        loose = _ways(columns, _words(text), any_platform=True)
        kinds = [c.kind for c in columns]
        named = [cell for kind, cell in zip(kinds, loose[0]) if kind in NAME_KINDS] if len(loose) == 1 else []
        platform = loose[0][kinds.index("platform")] if named and "platform" in kinds else None
        if named and named[0] and "." in named[0][2] and platform:
            raise TableError(line_no, text, f"unknown platform {excerpt(platform[2])}")
        raise TableError(line_no, text,
                         f"cells do not fit the columns {', '.join(c.kind for c in columns)}")
    if len(ways) > 1 and all(c.start >= 0 for c in columns):
        def placed(way: list[tuple | None]) -> int:
            return sum(1 for ci, cell in enumerate(way)
                       if cell and _column_of(columns, cell[0], cell[1]) == ci)
        scores = [placed(way) for way in ways]
        best = max(scores)
        ways = [way for way, score in zip(ways, scores) if score == best]
    if len(ways) > 1:
        raise TableError(line_no, text, f"cells fit the columns {', '.join(c.kind for c in columns)} "
                                        f"in {len(ways)} ways, even by the header's positions")
    return [cell[2] if cell else "" for cell in ways[0]]


# Columns whose text may wrap onto the next line ("Windows 98" / "Second Edition").
_WRAPPING_KINDS = ("platform", "language")


def join_continuation(columns: Sequence[Column], text: str,
                      above: Sequence[str]) -> tuple[list[str], int] | None:
    """The cells of the row above with ``text`` joined to one of its cells, when ``text`` is
    that cell wrapped onto the next line: every word of it stands within the span of one
    column (its label to the next label) of a kind that holds words (platform, language),
    the row above has a cell there, and the joined cell still fits the column. Returns the
    joined cells and the column's index, else None."""
    words = _words(text)
    if not words or any(c.start < 0 for c in columns):
        return None
    spans = [(c.start, columns[i + 1].start if i + 1 < len(columns) else 1 << 30)
             for i, c in enumerate(columns)]
    where = {i for start, end, _ in words for i, (low, high) in enumerate(spans)
             if start >= low and end <= high}
    if len(where) != 1 or any(not any(s >= low and e <= high for low, high in spans) for s, e, _ in words):
        return None
    (index,) = where
    if columns[index].kind not in _WRAPPING_KINDS or not above[index]:
        return None
    joined = f"{above[index]} {' '.join(w for _, _, w in words)}"
    if not cells.fits(columns[index].kind, joined):
        return None
    return [joined if i == index else cell for i, cell in enumerate(above)], index


def _read_version(raw: str, line_no: int, text: str) -> tuple[str | None, str | None]:
    """(version, written): the version as the manifest keeps it, and the cell as written when
    a rule must still complete or confirm it (build only, build.revision, a colon for a dot)."""
    value = cells.version_text(raw)
    if cells.is_blank(value):
        return None, None
    if cells.COLON_VERSION_RE.fullmatch(value):
        repaired = value.replace(":", ".")
        if not cells.VERSION_RE.fullmatch(repaired):
            raise TableError(line_no, text, f"version {value!r} has more than four parts")
        _check_parts(repaired, value, line_no, text)
        return repaired, value
    if not cells.VERSION_RE.fullmatch(value):
        raise TableError(line_no, text, f"version {value!r} is not 1 to 4 numbers separated by dots")
    _check_parts(value, value, line_no, text)
    parts = value.split(".")
    if len(parts) <= 2 and int(parts[0]) > 99 and not parts[0].startswith("0"):
        return None, value  # "2638" or "2543.1": a build (and revision) to be completed
    if len(parts) <= 2:
        # "4.00", "1.2", "5.52594": a release number, or a version with a dot lost: no guess.
        raise TableError(line_no, text, f"version {value!r} has {len(parts)} part(s) only: a "
                                        "product release or a mistyped version, not a file version")
    return value, None


def _check_parts(version: str, written: str, line_no: int, text: str) -> None:
    try:
        parse_version(version, strict=True)
    except VersionError as exc:
        raise TableError(line_no, text, f"version {written!r}: {exc}") from None


def row_from_cells(
    kinds: Sequence[str], row_cells: Sequence[str], line_no: int, text: str, context: RowContext
) -> ImportedRow:
    """Turn the cells of one table line (in column order) into a row, or raise TableError."""
    values = {kind: cell.strip() for kind, cell in zip(kinds, row_cells)}
    raw_name = values.get("name") or values.get("name+path") or ""
    platform: str | None = None
    name_words = raw_name.split()
    marker = ""
    if len(name_words) == 2 and cells.is_platform(name_words[1]):
        raw_name, marker = name_words  # "Nwconv.exe (x86)", "Channel.dll (56-bit)"
    location = cells.clean_cell(values["location"]) if values.get("location") else None
    path = cells.split_path(raw_name)
    if path is not None:
        if location:
            raise TableError(line_no, text, "a file name with a folder under a Path column too")
        location, raw_name = path
    if not raw_name or not cells.is_name(raw_name):
        raise TableError(line_no, text, f"{excerpt(raw_name)} is not a file name")
    for kind in ("date", "time", "size", "language"):
        if values.get(kind) and not cells.fits(kind, values[kind]):
            raise TableError(line_no, text, f"{excerpt(values[kind])} is not a {kind}")
    version, written = _read_version(values.get("version", ""), line_no, text)
    foreign = context.foreign
    edition = cells.edition_of(marker) if marker else None
    if marker and not foreign:
        platform, foreign = _platform(marker, line_no, text)
    os_release = None
    if values.get("platform") and not foreign:
        cell = values["platform"]
        column_platform, foreign = _platform(cell, line_no, text)
        if platform and column_platform and platform != column_platform:
            raise TableError(line_no, text, "platform marker disagrees with the Platform column")
        platform = platform or column_platform
        if column_platform is None and not cells.is_blank(cell):
            edition = edition or cells.edition_of(cell)  # a cell of an edition only ("Winsock2")
        os_release = cells.windows_release(cell) if column_platform == "win9x" else None
    heading_platform = None
    own = bool(marker) or not cells.is_blank(values.get("platform", ""))
    if platform is None and context.platform and not foreign and not own:
        # No platform of its own (no marker, no Platform cell): the one the heading or lead-in names.
        platform = heading_platform = context.platform
    size_cell = cells.clean_cell(values.get("size", ""))
    when = [cells.clean_cell(values[k]) for k in ("date", "time")
            if values.get(k) and not cells.is_blank(values[k])]
    return ImportedRow(
        name=raw_name, version=version, platform=platform, location=location,
        component=context.component, product_version=context.product_version,
        size=cells.read_size(values.get("size", "")), date=" ".join(when) or None,
        line_no=line_no, line_text=text, written_version=written,
        heading=context.heading, language=_language(values.get("language", "")) or context.language,
        edition=edition, os_release=os_release, foreign=foreign,
        unread_size=size_cell if cells.UNITLESS_SIZE_RE.fullmatch(size_cell) else None,
        heading_platform=heading_platform,
    )


def _platform(cell: str, line_no: int, text: str) -> tuple[str | None, str | None]:
    """(platform, foreign): what a platform cell names; TableError when it names none known."""
    try:
        return cells.platform_of(cell), None
    except KeyError:
        foreign = cells.foreign_platform(cell)
        if foreign is None:
            raise TableError(line_no, text, f"unknown platform {excerpt(cell)}") from None
        return None, foreign


def _language(cell: str) -> str | None:
    """The language a Language cell names ("001033 English (United States)" -> English; "US" -> English)."""
    text = re.sub(r"^\d{4,6}\s+", "", cells.clean_cell(cell))
    if cells.is_blank(text) or "neutral" in text.lower():
        return None  # "000000 Language Neutral": for every language
    word = text.split()[0]
    if word.lower() in ("english", "us", "enu", "usa"):
        return "English"
    return re.sub(r"\s*\(.*\)$", "", text) or text  # "French (France)" -> French
