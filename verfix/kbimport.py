"""Import Microsoft KB articles (.TXT or web-export .md) into verfix manifests."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Sequence

from verfix.manifest import Manifest, load_manifest, parse_manifest, tomllib
from verfix.version import VersionError, parse_version

IMPORTED = "imported"
SKIPPED = "skipped"
NO_TABLE = "no-table"

# The product names the articles use, mapped to the names manifests use.
PRODUCT_NAMES = {"Microsoft Exchange": "Microsoft Exchange Server"}
PRODUCT_SLUGS = {"Microsoft Exchange Server": "exchange"}


class ArticleFormatError(ValueError):
    """An article whose envelope (header or front matter) cannot be read."""


class TableError(ValueError):
    """A line of a table that cannot be placed; carries the line number and text."""

    def __init__(self, line_no: int, text: str, reason: str) -> None:
        super().__init__(f"line {line_no}: {reason}: {text.strip()!r}")
        self.line_no = line_no
        self.text = text
        self.reason = reason


@dataclass(frozen=True)
class ImportedRow:
    """One file of a fixed-file table, as the article states it."""

    name: str
    version: str | None = None
    platform: str | None = None
    component: str | None = None
    product_version: str | None = None
    size: int | None = None
    date: str | None = None
    line_no: int = 0
    line_text: str = field(default="", compare=False)
    # The version cell as written, when ``version`` is not that text verbatim: a
    # build.revision cell still to be completed, or a cell repaired by a documented rule.
    written_version: str | None = field(default=None, compare=False)
    table: int = field(default=0, compare=False)  # which table of the article (1, 2, ...)


@dataclass(frozen=True)
class ImportedArticle:
    """What was read from one article, and whether it can become a manifest."""

    path: Path
    id: str
    title: str
    product: str
    status: str
    error: str | None = None
    product_versions: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    fixed_in: str | None = None
    component: str | None = None
    modified: str | None = None
    rows: tuple[ImportedRow, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def source(self) -> str:
        """The ``source`` line of the manifest."""
        text = f"Microsoft Knowledge Base article {self.id}"
        return f"{text}, last modified {self.modified}" if self.modified else text

    @property
    def components(self) -> tuple[str, ...]:
        """The distinct components of the article, in order of appearance."""
        seen: list[str] = [self.component] if self.component else []
        for row in self.rows:
            if row.component and row.component not in seen:
                seen.append(row.component)
        return tuple(seen)


# --------------------------------------------------------------------------- envelope


@dataclass(frozen=True)
class _Envelope:
    id: str
    title: str
    product: str
    prod_ver: str
    keywords: str
    modified: str | None
    body: list[tuple[int, str]]  # (1-based line number in the file, text)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


_TXT_HEADER_RE = re.compile(r"^(DOCUMENT|TITLE|PRODUCT|PROD/VER|OPER/SYS|KEYWORDS)\s*:(.*)$")
_DOCUMENT_RE = re.compile(r"^(Q\d{5,7})\s+(\d{2}-[A-Z]{3}-\d{4})\b")


def _read_txt(lines: list[str], where: str) -> _Envelope:
    fields: dict[str, str] = {}
    index = 0
    while index < len(lines) and lines[index].strip():
        match = _TXT_HEADER_RE.match(lines[index])
        if not match:
            raise ArticleFormatError(f"{where}: line {index + 1}: not a header field: {lines[index]!r}")
        fields[match.group(1)] = match.group(2).strip()
        index += 1
    for key in ("DOCUMENT", "TITLE", "PRODUCT"):
        if key not in fields:
            raise ArticleFormatError(f"{where}: header has no {key}: line")
    document = _DOCUMENT_RE.match(fields["DOCUMENT"])
    if not document:
        raise ArticleFormatError(f"{where}: DOCUMENT line has no article id: {fields['DOCUMENT']!r}")
    body = [(number, text) for number, text in enumerate(lines[index:], start=index + 1)]
    return _Envelope(
        id=document.group(1), title=fields["TITLE"], product=fields["PRODUCT"],
        prod_ver=fields.get("PROD/VER", ""), keywords=fields.get("KEYWORDS", ""),
        modified=document.group(2), body=body,
    )


_MD_FIELDS = {
    "Article": "id", "Product(s)": "product", "Version(s)": "prod_ver",
    "Operating System(s)": None, "Keyword(s)": "keywords", "Last Modified": "modified",
}
_MD_HEADING_RE = re.compile(r"^## (Q\d{5,7}): (.*)$")


def _read_md(lines: list[str], where: str) -> _Envelope:
    if not lines or lines[0].strip() != "---":
        raise ArticleFormatError(f"{where}: no front matter")
    try:
        end = lines.index("---", 1)
        raw = lines.index("{% raw %}", end)
    except ValueError:
        raise ArticleFormatError(f"{where}: front matter or '{{% raw %}}' not closed") from None
    title = None
    for line in lines[end + 1:raw]:
        heading = _MD_HEADING_RE.match(line)
        if heading:
            title = html.unescape(heading.group(2).strip())  # the export escapes & " [ ] _
    if title is None:
        raise ArticleFormatError(f"{where}: no '## QNNNNNN: title' heading")
    fields: dict[str, str] = {}
    index = raw + 1
    while index < len(lines) and not lines[index].strip():
        index += 1
    while index < len(lines) and lines[index].strip():
        key, sep, value = lines[index].strip().partition(":")
        if not sep or key not in _MD_FIELDS:
            raise ArticleFormatError(f"{where}: line {index + 1}: not a header field: {lines[index]!r}")
        if _MD_FIELDS[key]:
            fields[_MD_FIELDS[key]] = value.strip()
        index += 1
    if "id" not in fields or "product" not in fields:
        raise ArticleFormatError(f"{where}: header has no Article: or Product(s): line")
    body: list[tuple[int, str]] = []
    for number in range(index, len(lines)):
        text = lines[number]
        if text.strip() == "{% endraw %}":
            break
        # The export indents every body line with one tab; drop it, keep the rest.
        body.append((number + 1, text[1:] if text.startswith("\t") else text))
    return _Envelope(
        id=fields["id"], title=title, product=fields["product"],
        prod_ver=fields.get("prod_ver", ""), keywords=fields.get("keywords", ""),
        modified=fields.get("modified") or None, body=body,
    )


def _read_envelope(text: str, where: str) -> _Envelope:
    lines = text.splitlines()
    if lines and lines[0].startswith("DOCUMENT:"):
        return _read_txt(lines, where)
    if lines and lines[0].strip() == "---":
        return _read_md(lines, where)
    raise ArticleFormatError(f"{where}: neither a KB .TXT article nor a web-export .md")


# --------------------------------------------------------------------------- header fields


def parse_product_versions(text: str) -> tuple[str, ...]:
    """``winnt:5.5,5.5 SP1`` or ``WINDOWS:98; winnt:5.5`` -> ("5.5", "5.5 SP1") etc."""
    versions: list[str] = []
    for group in text.split(";"):
        values = group.rpartition(":")[2]
        for item in values.split(","):
            item = " ".join(item.split())
            if not item:
                continue
            # "4.0 5.0 5.5" is three versions; "5.5 SP1" is one.
            parts = item.split(" ")
            pieces = parts if all(re.fullmatch(r"\d+(\.\d+)*", p) for p in parts) else [item]
            for piece in pieces:
                if piece not in versions:
                    versions.append(piece)
    return tuple(versions)


_FIX_KEYWORD_RE = re.compile(
    r"^(?:kb)?exc(?:hange)?(55|550|50|500|5|2000)(pre)?(sp|sr)(\d)fix", re.IGNORECASE
)
_PRODUCT_BY_CODE = {
    "5": "Exchange Server 5.0", "50": "Exchange Server 5.0", "500": "Exchange Server 5.0",
    "55": "Exchange Server 5.5", "550": "Exchange Server 5.5", "2000": "Exchange 2000 Server",
}
_OFFICE_FIX_RE = re.compile(r"^kbOffice(\d{4})(pre)?(SR|SP)(\d)fix", re.IGNORECASE)


def fixed_in_from_keywords(keywords: Sequence[str]) -> str | None:
    """Where the fix shipped, from keywords like EXC55SP3Fix or kbExchange550preSP5fix.

    A keyword glued to the next one (``EXC55SP3Fixkbbuglist``) still counts.
    """
    found: list[str] = []
    for keyword in keywords:
        match = _FIX_KEYWORD_RE.match(keyword)
        office = _OFFICE_FIX_RE.match(keyword)
        if match:
            product = _PRODUCT_BY_CODE[match.group(1)]
            pre, kind, number = match.group(2), match.group(3).upper(), int(match.group(4))
        elif office:
            product = f"Office {office.group(1)}"
            pre, kind, number = office.group(2), office.group(3).upper(), int(office.group(4))
        else:
            continue
        if not pre:
            text = f"{product} {kind}{number}"
        elif number > 1:
            text = f"{product} post-{kind}{number - 1} hotfix (before {kind}{number})"
        else:
            text = f"{product} hotfix (before {kind}{number})"
        if text not in found:
            found.append(text)
    return "; ".join(found) if found else None


# --------------------------------------------------------------------------- table cells

_COLUMN_LABELS = {
    "file name": "name", "filename": "name", "file": "name", "name": "name",
    "version": "version", "file version": "version",
    "date": "date", "time": "time",
    "size": "size", "file size": "size",
    "platform": "platform", "language": "language",
}
_NA_VERSIONS = {"n/a", "na", "", "-"}
_DATE_RE = re.compile(
    r"^(\d{1,2}[-/]\d{1,2}[-/]\d{2,4}|\d{1,2}-[A-Za-z]{3}-\d{2,4}|[A-Za-z]{3}-\d{1,2}-\d{2,4})$"
)
_TIME_RE = re.compile(r"^\d{1,2}:\d{2}(:\d{2})?\s*([AaPp][Mm]?)?$")
_SIZE_RE = re.compile(r"^\d{1,3}(,\d{3})*$|^\d+$")
# "30,651 bytes", "66.560 bytes" (a European thousands separator) and "37 KB" (not exact).
_SIZE_BYTES_RE = re.compile(r"^(\d{1,3}(?:([,.])\d{3})*|\d+)\s+bytes$", re.IGNORECASE)
_SIZE_KB_RE = re.compile(r"^\d+(\.\d+)?\s*KB$", re.IGNORECASE)
_NAME_RE = re.compile(r"^[A-Za-z0-9_$~!#%&'()\-{}^@.]+$")
# Four parts, or three (major.minor.build: the revision is then 0, the least a file can have).
_VERSION_TEXT_RE = re.compile(r"^\d+\.\d+\.\d+(\.\d+)?$")
# build.revision alone ("2543.1"): two parts, the first over 99 so it cannot be a major.minor.
_BUILD_REVISION_RE = re.compile(r"^[1-9]\d{2,}\.\d+$")
# One colon where a dot belongs ("5.0:1462.3"); read only if the rest is a well-formed version.
_COLON_VERSION_RE = re.compile(r"^[\d.]+:[\d.]+$")
_PLATFORMS = {
    "x86": "x86", "intel": "x86", "i386": "x86", "win9x": "x86",
    "alpha": "alpha", "axp": "alpha",
}
_ALL_PLATFORMS = {"intel and alpha", "x86 and alpha", "alpha and intel", "intel, alpha", "both"}
# "001033 English (United States)", "000000 Language Neutral" or just "English".
_LANGUAGE_RE = re.compile(r"^(\d{6}\s+)?[A-Za-z][A-Za-z ()-]*$")
_NAME_PLATFORM_RE = re.compile(r"^(.*?)\s*\((intel|x86|alpha)\)$", re.IGNORECASE)


def _label_of(cell: str) -> str | None:
    return _COLUMN_LABELS.get(" ".join(cell.lower().split()))


def _cell_fits(kind: str, cell: str) -> bool:
    """Whether a cell's text has the shape of a column of that kind."""
    value = cell.strip()
    if kind == "name":
        name = _NAME_PLATFORM_RE.sub(r"\1", value)
        return bool(_NAME_RE.match(name)) and any(ch.isalpha() for ch in name)
    if kind == "version":
        return value.lower() in _NA_VERSIONS or bool(re.match(r"^\d+([.:]\d+)*$", value))
    if kind == "date":
        return bool(_DATE_RE.match(value))
    if kind == "time":
        return bool(_TIME_RE.match(value))
    if kind == "size":
        return value.lower() in _NA_VERSIONS or bool(
            _SIZE_RE.match(value) or _SIZE_BYTES_RE.match(value) or _SIZE_KB_RE.match(value)
        )
    if kind == "platform":
        low = " ".join(value.lower().split())
        return low in _PLATFORMS or low in _ALL_PLATFORMS
    if kind == "language":
        return bool(_LANGUAGE_RE.match(value))
    return False


@dataclass
class _Context:
    """What the headings and ``Component:`` lines above a table say about it."""

    heading_version: str | None = None
    component: str | None = None
    component_version: str | None = None

    @property
    def product_version(self) -> str | None:
        return self.component_version or self.heading_version


def _row_from_cells(
    columns: Sequence[str], cells: Sequence[str], line_no: int, text: str, context: _Context
) -> ImportedRow:
    """Turn the cells of one table row into a row, or raise TableError."""
    values = dict(zip(columns, (c.strip() for c in cells)))
    name = values.get("name", "")
    platform: str | None = None
    marker = _NAME_PLATFORM_RE.match(name)
    if marker:
        name, platform = marker.group(1), _PLATFORMS[marker.group(2).lower()]
    if not name or not _cell_fits("name", name):
        raise TableError(line_no, text, "not a file name")
    version: str | None = None
    written: str | None = None
    raw_version = values.get("version")
    if raw_version is not None and raw_version.lower() not in _NA_VERSIONS:
        repaired = _COLON_VERSION_RE.match(raw_version)
        if _BUILD_REVISION_RE.match(raw_version):
            # Completed (or refused) with the product version once the article is read.
            written = raw_version
        elif repaired and _VERSION_TEXT_RE.match(raw_version.replace(":", ".")):
            version, written = raw_version.replace(":", "."), raw_version
            _check_version_text(version, line_no, text, raw_version)
        else:
            _check_version_text(raw_version, line_no, text, raw_version)
            version = raw_version
    if "platform" in values:
        low = " ".join(values["platform"].lower().split())
        if low in _PLATFORMS:
            column_platform: str | None = _PLATFORMS[low]
        elif low in _ALL_PLATFORMS or not low:
            column_platform = None
        else:
            raise TableError(line_no, text, f"unknown platform {values['platform']!r}")
        if platform and column_platform and platform != column_platform:
            raise TableError(line_no, text, "platform marker disagrees with the Platform column")
        platform = platform or column_platform
    size = _parse_size(values.get("size") or "", line_no, text)
    date_parts = [values[k] for k in ("date", "time") if values.get(k)]
    for kind, value in zip(("date", "time"), date_parts):
        if values.get(kind) and not _cell_fits(kind, values[kind]):
            raise TableError(line_no, text, f"{kind} {values[kind]!r} is not a {kind}")
    return ImportedRow(
        name=name, version=version, platform=platform, component=context.component,
        product_version=context.product_version, size=size,
        date=" ".join(date_parts) or None, line_no=line_no, line_text=text, written_version=written,
    )


def _check_version_text(version: str, line_no: int, text: str, written: str) -> None:
    """Raise TableError unless ``version`` is major.minor.build[.revision] as files have them."""
    if not _VERSION_TEXT_RE.match(version):
        raise TableError(line_no, text, f"version {written!r} is not major.minor.build[.revision]")
    if len(version.split(".")[1]) > 2:
        raise TableError(line_no, text, f"version {written!r} has a minor part of over two digits")
    try:
        parse_version(version, strict=True)
    except VersionError as exc:
        raise TableError(line_no, text, f"bad version: {exc}") from None


def _parse_size(value: str, line_no: int, text: str) -> int | None:
    """Bytes from a size cell; None when blank or given only roughly (``37 KB``)."""
    if not value or value.lower() in _NA_VERSIONS or _SIZE_KB_RE.match(value):
        return None
    if _SIZE_RE.match(value):
        return int(value.replace(",", ""))
    in_bytes = _SIZE_BYTES_RE.match(value)
    if in_bytes:
        return int(re.sub(r"[,.]", "", in_bytes.group(1)))
    raise TableError(line_no, text, f"size {value!r} is not a number of bytes")


def _align(columns: Sequence[str], cells: Sequence[str]) -> list[str] | None:
    """Place fewer cells than columns, in order, by their shapes; None unless exactly one way."""
    solutions: list[list[str]] = []

    def place(ci: int, ki: int, acc: list[str]) -> None:
        if len(solutions) > 1:
            return
        if ci == len(cells):
            solutions.append(acc + [""] * (len(columns) - ki))
            return
        for kj in range(ki, len(columns)):
            skipped = columns[ki:kj]
            # Only a version, size, date, time, platform or language cell may be blank.
            if "name" in skipped:
                break
            if _cell_fits(columns[kj], cells[ci]):
                place(ci + 1, kj + 1, acc + [""] * (kj - ki) + [cells[ci]])

    place(0, 0, [])
    return solutions[0] if len(solutions) == 1 else None


# --------------------------------------------------------------------------- table scanning

_BORDER_RE = re.compile(r"^\s*\+[-=+]*\+?\s*$")
_RULE_RE = re.compile(r"^\s*(-{3,}|={3,})[-=\s]*$")
_UNDERLINE_RE = re.compile(r"^\s*(-{3,}|={3,})\s*$")
_COMPONENT_RE = re.compile(r"^\s*Components?\s*:\s*(.*?)\s*$", re.IGNORECASE)
_EXCHANGE_VERSION_RE = re.compile(
    r"^(?:Microsoft\s+)?Exchange\s+(?:Server\s+)?(?:Version\s+)?(\d\.\d)(?:\s+Server)?$", re.IGNORECASE
)
_EXCHANGE_2000_RE = re.compile(r"^(?:Microsoft\s+)?Exchange\s+2000(?:\s+Server)?$", re.IGNORECASE)
_OUTLOOK_RE = re.compile(r"^(?:Microsoft\s+)?Outlook\s+(97|98|2000|2002)$", re.IGNORECASE)
_NAMED_VERSION_RE = re.compile(r"^.+?\s+version\s+(\d+\.\d+)$", re.IGNORECASE)
# A heading on a line of its own that ends with a colon: "Exchange Server Version 5.5:".
_COLON_HEADING_RE = re.compile(r"^\s*((?:Microsoft\s+)?(?:Exchange|Outlook)\b[^:]*\d[^:]*):\s*$")
# A line that looks like a fixed-file row ("Store.exe   5.5.2650.21") wherever it appears.
_STRAY_ROW_RE = re.compile(r"^\s*\|?\s*[\w$~-]+\.[A-Za-z0-9]{1,3}\s*\|?\s+(\d+\.){2,3}\d+\s*\|?\s*$")
# The hotfix's own self-extracting package, listed beside the files it installs.
_PACKAGE_RE = re.compile(r"^Q\d{6}\w*\.exe$", re.IGNORECASE)


def _split_plain(text: str) -> list[str]:
    """Cells of a plain-column line: runs of two or more blanks (or a tab) separate them."""
    return [cell for cell in re.split(r"\s{2,}|\t", text.strip()) if cell]


def _header_columns(cells: Sequence[str]) -> list[str] | None:
    """Column kinds of a header row, or None when the cells are not all distinct labels."""
    columns = [_label_of(cell) for cell in cells]
    if not cells or any(column is None for column in columns) or len(set(columns)) != len(columns):
        return None
    return [c for c in columns if c]


def _plain_header(text: str) -> list[str] | None:
    """Columns of a plain header line, separated by wide gaps or (``File name Version``) one blank."""
    columns = _header_columns(_split_plain(text))
    if columns is not None:
        return columns
    words = text.split()
    found: list[str] = []
    index = 0
    while index < len(words):
        pair = " ".join(words[index:index + 2])
        if index + 1 < len(words) and _label_of(pair):
            found.append(pair)
            index += 2
        elif _label_of(words[index]):
            found.append(words[index])
            index += 1
        else:
            return None
    return _header_columns(found)


def product_label(text: str) -> str | None:
    """The product version a heading or component names, or None.

    ``Exchange Server 5.0`` -> ``5.0``; ``Exchange 2000 Server`` -> ``2000``;
    ``Outlook 98`` -> ``Outlook 98``; ``STORE version 5.5`` -> ``5.5``.
    """
    text = " ".join(text.split()).rstrip(":").strip()
    match = _EXCHANGE_VERSION_RE.match(text)
    if match:
        return match.group(1)
    if _EXCHANGE_2000_RE.match(text):
        return "2000"
    outlook = _OUTLOOK_RE.match(text)
    if outlook:
        return f"Outlook {outlook.group(1)}"
    named = _NAMED_VERSION_RE.match(text)
    return named.group(1) if named else None


def _heading_version(heading: str) -> str | None:
    """What a section heading says about the tables under it: a product version, or nothing.

    A heading that names another product with a version ("LinkAge Message Exchange 3.2")
    is kept whole; one without a version ("Important Notes") says nothing.
    """
    heading = " ".join(heading.split()).rstrip(":").strip()
    label = product_label(heading)
    if label:
        return label
    return heading if re.search(r"\s\d+(\.\d+)*$", heading) else None


@dataclass
class _Scan:
    rows: list[ImportedRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tables: int = 0


def _box_cells(text: str) -> list[str]:
    inner = text.strip()[1:]
    if inner.endswith("|"):
        inner = inner[:-1]
    return [cell.strip() for cell in inner.split("|")]


def _read_boxed(body: Sequence[tuple[int, str]], start: int, context: _Context, scan: _Scan) -> int:
    """Read a +---+ boxed table from ``start``; return the index after it."""
    index = start
    groups: list[list[tuple[int, str]]] = [[]]
    while index < len(body):
        line_no, text = body[index]
        if _BORDER_RE.match(text):
            groups.append([])
        elif text.strip().startswith("|"):
            groups[-1].append((line_no, text))
        else:
            break
        index += 1
    columns: list[str] | None = None
    rows: list[ImportedRow] = []
    for group in (g for g in groups if g):
        cell_rows = [_box_cells(text) for _, text in group]
        if all(not any(cells) for cells in cell_rows):
            continue  # an empty row says nothing
        header = _header_columns(cell_rows[0])
        if header is not None:
            if columns is not None or rows:
                raise TableError(group[0][0], group[0][1], "a second header row in one table")
            if len(group) > 1:
                raise TableError(group[1][0], group[1][1], "a header wrapped onto a second line")
            if "name" not in header:
                raise TableError(group[0][0], group[0][1], "a table without a file name column")
            columns = header
            continue
        if columns is None:
            columns = _headerless_columns(cell_rows[0], group[0])
        if len(group) > 1:
            raise TableError(group[1][0], group[1][1], "a row wrapped onto a second line")
        line_no, text = group[0]
        cells = cell_rows[0]
        if len(cells) != len(columns):
            raise TableError(line_no, text, f"{len(cells)} cells under {len(columns)} columns")
        rows.append(_row_from_cells(columns, cells, line_no, text, context))
    if not rows:
        raise TableError(body[start][0], body[start][1], "a table without rows")
    _add_table(scan, rows)
    return index


def _headerless_columns(cells: Sequence[str], where: tuple[int, str]) -> list[str]:
    """Columns of a box without a header row: a name and a version, in that order."""
    if len(cells) == 2 and _cell_fits("name", cells[0]) and _cell_fits("version", cells[1]):
        return ["name", "version"]
    raise TableError(where[0], where[1], "a table without a header whose columns cannot be told")


def _place_plain(columns: Sequence[str], text: str) -> list[str] | None:
    """The cells of a plain row in column order (blanks for empty cells), or None."""
    tokens = text.split()
    attempts = [_split_plain(text), tokens]
    if columns[-1] in ("language", "platform") and len(tokens) > len(columns):
        # Free text in the last column ("001033 English (United States)") may hold blanks.
        attempts.append(tokens[:len(columns) - 1] + [" ".join(tokens[len(columns) - 1:])])
    for cells in attempts:
        if len(cells) == len(columns) and all(_cell_fits(k, c) for k, c in zip(columns, cells)):
            return list(cells)
        if len(cells) < len(columns):
            placed = _align(columns, cells)
            if placed is not None:
                return placed
    return None


def _read_plain(
    body: Sequence[tuple[int, str]], start: int, columns: list[str], context: _Context, scan: _Scan
) -> int:
    """Read plain columns whose header is at ``start`` and rule at ``start + 1``."""
    if columns == ["version"]:
        # A product's version alone ("Version / ------- / 8.1.3"): no file to check.
        end = start + 2
        while end < len(body) and body[end][1].strip():
            end += 1
        scan.notes.append(f"line {body[start][0]}: a table of versions without file names, left out")
        return end
    if "name" not in columns:
        raise TableError(body[start][0], body[start][1], "a table without a file name column")
    index = start + 2
    rows: list[ImportedRow] = []
    while index < len(body):
        line_no, text = body[index]
        if not text.strip():
            # Rows may be double-spaced: the table goes on if the next text fits its columns.
            ahead = index
            while ahead < len(body) and not body[ahead][1].strip():
                ahead += 1
            if rows and ahead < len(body) and _continues_table(body, ahead, columns):
                index = ahead
                continue
            break
        placed = _place_plain(columns, text)
        if placed is None:
            raise TableError(line_no, text, f"cells do not fit the columns {', '.join(columns)}")
        rows.append(_row_from_cells(columns, placed, line_no, text, context))
        index += 1
    if not rows:
        raise TableError(body[start][0], body[start][1], "a table without rows")
    _add_table(scan, rows)
    return index


def _continues_table(body: Sequence[tuple[int, str]], index: int, columns: list[str]) -> bool:
    """Whether the line at ``index``, after blank lines, is one more row of the table above."""
    placed = _place_plain(columns, body[index][1])
    if placed is None:
        return False
    name = _NAME_PLATFORM_RE.sub(r"\1", placed[columns.index("name")])
    is_heading = index + 1 < len(body) and _UNDERLINE_RE.match(body[index + 1][1])
    return bool(re.search(r"\.\w{1,4}$", name)) and not is_heading


def _add_table(scan: _Scan, rows: list[ImportedRow]) -> None:
    """Keep a table's rows, minus the hotfix's own package files (noted, not checked)."""
    packages = [row.name for row in rows if _PACKAGE_RE.match(row.name)]
    if packages and len(packages) == len(rows):
        scan.notes.append(f"left out the hotfix package files {', '.join(packages)}")
        return
    if packages:
        raise TableError(rows[0].line_no, packages[0], "a package file among installed files")
    scan.tables += 1
    scan.rows.extend(replace(row, table=scan.tables) for row in rows)


def _is_blank(body: Sequence[tuple[int, str]], index: int) -> bool:
    return index < 0 or index >= len(body) or not body[index][1].strip()


def scan_tables(body: Sequence[tuple[int, str]]) -> _Scan:
    """Find and read every fixed-file table of an article body; raise TableError on doubt."""
    scan = _Scan()
    context = _Context()
    index = 0
    while index < len(body):
        line_no, text = body[index]
        next_text = body[index + 1][1] if index + 1 < len(body) else ""
        stripped = text.strip()
        component = _COMPONENT_RE.match(text)
        if component:
            name = component.group(1) or None
            label = product_label(name) if name else None
            context.component = name
            context.component_version = label
            index += 1
            continue
        if _BORDER_RE.match(text):
            index = _read_boxed(body, index, context, scan)
            continue
        header = _plain_header(text) if stripped else None
        if header is not None and _RULE_RE.match(next_text):
            index = _read_plain(body, index, header, context, scan)
            continue
        if stripped and _UNDERLINE_RE.match(next_text) and not stripped.startswith(("-", "=")):
            if next_text.strip().startswith("="):
                context = _Context()  # a new top-level section: RESOLUTION, STATUS, ...
            else:
                context = _Context(heading_version=_heading_version(stripped))
            index += 2
            continue
        colon_heading = _COLON_HEADING_RE.match(text)
        if colon_heading and _is_blank(body, index - 1) and _is_blank(body, index + 1):
            heading = colon_heading.group(1)
            context = _Context(heading_version=_heading_version(heading))
            index += 1
            continue
        if _STRAY_ROW_RE.match(text):
            raise TableError(line_no, text, "a file row outside any table")
        if stripped.startswith("|") and stripped.count("|") >= 2:
            raise TableError(line_no, text, "a table line outside a table")
        index += 1
    return scan


# --------------------------------------------------------------------------- articles


def parse_article(text: str, path: Path | str = "<article>") -> ImportedArticle:
    """Read one article's text; never raises for a table problem (see ``status``/``error``)."""
    path = Path(path)
    envelope = _read_envelope(text, str(path))
    keywords = tuple(envelope.keywords.split())
    base = ImportedArticle(
        path=path, id=envelope.id, title=envelope.title,
        product=PRODUCT_NAMES.get(envelope.product, envelope.product), status=SKIPPED,
        product_versions=parse_product_versions(envelope.prod_ver), keywords=keywords,
        fixed_in=fixed_in_from_keywords(keywords), modified=envelope.modified,
    )
    try:
        scan = scan_tables(envelope.body)
        rows, version_notes = _complete_versions(scan.rows, base.product_versions)
        rows, line_notes = _split_release_lines(rows, base.product_versions)
        rows, notes = _check_rows(rows)
    except TableError as exc:
        return replace(base, status=SKIPPED, error=str(exc))
    notes = tuple(scan.notes) + version_notes + line_notes + notes
    if not rows:
        reason = "; ".join(notes) if notes else "no fixed-file table"
        return replace(base, status=NO_TABLE, error=reason, notes=notes)
    return _with_components(replace(base, status=IMPORTED, rows=tuple(rows), notes=notes))


def base_versions(product_versions: Sequence[str]) -> tuple[str, ...]:
    """The distinct base versions, service packs dropped: ("5.5", "5.5 SP1", "5.0") -> ("5.5", "5.0")."""
    bases: list[str] = []
    for version in product_versions:
        base = re.sub(r"\s*(SP|SR)\s*\w+$", "", version, flags=re.IGNORECASE).strip()
        if base and base not in bases:
            bases.append(base)
    return tuple(bases)


_MAJOR_MINOR_RE = re.compile(r"^\d+\.\d+$")


def _major_minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def _lines_text(numbers: Sequence[int]) -> str:
    return ("line " if len(numbers) == 1 else "lines ") + ", ".join(str(n) for n in numbers)


def _complete_versions(
    rows: list[ImportedRow], product_versions: Sequence[str]
) -> tuple[list[ImportedRow], tuple[str, ...]]:
    """Complete build.revision cells and confirm colon-repaired versions; raise TableError on doubt.

    Rule 1, build.revision only ("2543.1"): the version is ``<major>.<minor>.<build>.<revision>``
    with the major.minor of the one product version the table belongs to: the heading (or
    ``Component:``) above the table when it names one, which must then be among the article's
    product versions, or else the article's one base version. Refused when the article names
    several (and no heading decides), none, or one that is not major.minor ("2000"), and when a
    full version elsewhere in the same table has another major.minor.

    Rule 2, a colon for a dot ("5.0:1462.3"): read as "5.0.1462.3" only when that is a well-formed
    version (checked while reading the row) and its major.minor is a product version the
    article (or the table's heading) names.
    """
    bases = base_versions(product_versions)
    out: list[ImportedRow] = []
    completed: dict[int, list[ImportedRow]] = {}
    notes: list[str] = []
    for row in rows:
        if row.written_version is None:
            out.append(row)
            continue
        if row.version is not None:  # rule 2: a colon read as a dot
            line = _major_minor(row.version)
            named = [row.product_version] if row.product_version else list(bases)
            if line not in named:
                raise TableError(
                    row.line_no, row.line_text,
                    f"version {row.written_version!r} has a colon for a dot, and its major.minor is "
                    "not a product version the article names",
                )
            notes.append(
                f"line {row.line_no}: version {row.written_version!r} has a colon in place of a dot; "
                f"read as {row.version} ({line} is a product version the article names)"
            )
            out.append(row)
            continue
        line = _table_line(row, bases)
        version = f"{line}.{row.written_version}"
        _check_version_text(version, row.line_no, row.line_text, row.written_version)
        for other in rows:
            if (other.table == row.table and other.version and other.written_version is None
                    and _major_minor(other.version) != line):
                raise TableError(
                    row.line_no, row.line_text,
                    f"version {row.written_version!r} is build.revision only, and the full version "
                    f"at line {other.line_no} of the same table is not {line}",
                )
        completed.setdefault(row.table, []).append(row)
        out.append(replace(row, version=version))
    for table_rows in completed.values():
        row = table_rows[0]
        line = _table_line(row, bases)
        where = (f"{line}, the product version of the heading above the table" if row.product_version
                 else f"{line}, the one product version the article names")
        cells = ", ".join(dict.fromkeys(repr(r.written_version) for r in table_rows))
        full = [r for r in rows if r.table == row.table and r.version and r.written_version is None]
        agree = f"; the table's full versions agree ({line}.x)" if full else ""
        notes.append(
            f"{_lines_text([r.line_no for r in table_rows])}: version {cells} gives build.revision "
            f"only; read as {line}.<build>.<revision>, the major.minor being {where}{agree}"
        )
    return out, tuple(notes)


def _table_line(row: ImportedRow, bases: Sequence[str]) -> str:
    """The major.minor that completes a build.revision cell of ``row``, or raise TableError."""
    cell = row.written_version
    if row.product_version:
        line = row.product_version
        if not _MAJOR_MINOR_RE.match(line):
            raise TableError(row.line_no, row.line_text,
                             f"version {cell!r} is build.revision only, and the table's product "
                             "version is not a major.minor")
        if bases and line not in bases:
            raise TableError(row.line_no, row.line_text,
                             f"version {cell!r} is build.revision only, and the table's product "
                             "version is not one the article names")
        return line
    if not bases:
        raise TableError(row.line_no, row.line_text,
                         f"version {cell!r} is build.revision only, and the article names no product version")
    if len(bases) > 1:
        raise TableError(row.line_no, row.line_text,
                         f"version {cell!r} is build.revision only, and the article names several "
                         "product versions")
    if not _MAJOR_MINOR_RE.match(bases[0]):
        raise TableError(row.line_no, row.line_text,
                         f"version {cell!r} is build.revision only, and the article's product "
                         "version is not a major.minor")
    return bases[0]


def _split_release_lines(
    rows: list[ImportedRow], product_versions: Sequence[str]
) -> tuple[list[ImportedRow], tuple[str, ...]]:
    """Rule 3: one table listing a file once per release line ("Store.exe 5.5.x" and "5.0.x").

    Every row of such a table gets ``product_version`` = its version's major.minor, when no
    heading gave the table a product version, every row has a version, each major.minor is a
    product version the article names, and the rows of each release line are contiguous.
    Otherwise the rows are left alone, and the file listed twice is refused by ``_check_rows``.
    """
    bases = set(base_versions(product_versions))
    tables: dict[int, list[ImportedRow]] = {}
    for row in rows:
        tables.setdefault(row.table, []).append(row)
    relabel: dict[int, str] = {}
    notes: list[str] = []
    for number, table_rows in tables.items():
        lines_of: dict[tuple, set[str]] = {}
        for row in table_rows:
            if row.version:
                key = (row.name.lower(), row.platform, row.product_version)
                lines_of.setdefault(key, set()).add(_major_minor(row.version))
        twice = [key for key, lines in lines_of.items() if len(lines) > 1]
        if not twice:
            continue
        lines = [_major_minor(row.version) if row.version else None for row in table_rows]
        blocks = [line for index, line in enumerate(lines) if index == 0 or lines[index - 1] != line]
        if (any(row.product_version for row in table_rows) or None in lines
                or not set(lines) <= bases or len(blocks) != len(set(blocks))):
            continue
        relabel[number] = ""
        names = ", ".join(dict.fromkeys(row.name for row in table_rows
                                        if (row.name.lower(), row.platform, None) in twice))
        notes.append(
            f"{_lines_text([table_rows[0].line_no, table_rows[-1].line_no]).replace(', ', '-')}: "
            f"{names} listed once per release line ({' and '.join(dict.fromkeys(lines))}, both "
            "named by the article) in one table; each row's product_version is its version's major.minor"
        )
    if not relabel:
        return rows, ()
    out = [replace(row, product_version=_major_minor(row.version)) if row.table in relabel else row
           for row in rows]
    return out, tuple(notes)


def _check_rows(rows: list[ImportedRow]) -> tuple[list[ImportedRow], tuple[str, ...]]:
    """Drop a row repeated word for word (noted); reject a file listed twice differently."""
    seen: dict[tuple, ImportedRow] = {}
    kept: list[ImportedRow] = []
    notes: list[str] = []
    for row in rows:
        key = (row.name.lower(), row.platform, row.product_version)
        first = seen.get(key)
        if first is None:
            seen[key] = row
            kept.append(row)
        elif replace(first, line_no=0) == replace(row, line_no=0):
            notes.append(f"line {row.line_no} repeats line {first.line_no} ({row.name})")
        else:
            raise TableError(
                row.line_no, row.line_text or row.name,
                f"file listed twice with different details (first at line {first.line_no})",
            )
    return kept, tuple(notes)


def _with_components(article: ImportedArticle) -> ImportedArticle:
    """Lift a component shared by every row to the article; keep mixed ones on the rows."""
    components = {row.component for row in article.rows}
    if len(components) == 1 and None not in components:
        (component,) = components
        rows = tuple(replace(row, component=None) for row in article.rows)
        return replace(article, component=component, rows=rows)
    return article


def read_article(path: Path | str) -> ImportedArticle:
    """Read one article file (.TXT or .md)."""
    path = Path(path)
    return parse_article(_decode(path.read_bytes()), path)


def article_files(paths: Iterable[Path | str]) -> list[Path]:
    """Expand folders into their articles; prefer the .TXT when both forms of one exist."""
    chosen: dict[str, Path] = {}
    for path in map(Path, paths):
        candidates = sorted(path.iterdir()) if path.is_dir() else [path]
        for candidate in candidates:
            suffix = candidate.suffix.lower()
            if candidate.is_dir() or suffix not in (".txt", ".md"):
                continue
            key = str(candidate.with_suffix("")).lower()
            if key in chosen and chosen[key].suffix.lower() == ".txt":
                continue
            chosen[key] = candidate
    return sorted(chosen.values(), key=lambda p: (p.stem.upper(), str(p)))


def import_articles(paths: Iterable[Path | str]) -> list[ImportedArticle]:
    """Read every article named (files or folders); unreadable envelopes become skips."""
    articles: list[ImportedArticle] = []
    for path in article_files(paths):
        try:
            articles.append(read_article(path))
        except (OSError, ArticleFormatError) as exc:
            articles.append(ImportedArticle(
                path=path, id=path.stem.upper(), title="", product="", status=SKIPPED,
                error=str(exc),
            ))
    return articles


# --------------------------------------------------------------------------- output


def _effective_component(article: ImportedArticle, row: ImportedRow) -> str | None:
    return row.component or article.component


def to_json_records(articles: Iterable[ImportedArticle]) -> list[dict]:
    """What was read, one object per article (``error`` is None for an imported one)."""
    records = []
    for article in articles:
        records.append({
            "id": article.id,
            "title": article.title,
            "product": article.product,
            "status": article.status,
            "rows": [
                {
                    "file": row.name, "version": row.version, "platform": row.platform,
                    "component": _effective_component(article, row),
                    "product_version": row.product_version, "size": row.size, "date": row.date,
                }
                for row in article.rows
            ],
            "error": article.error,
        })
    return records


def _toml_str(value: str) -> str:
    """A TOML basic string."""
    out = []
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _toml_list(values: Iterable[str]) -> str:
    return "[" + ", ".join(_toml_str(v) for v in values) + "]"


def render_toml(article: ImportedArticle) -> str:
    """The manifest of an imported article, as TOML with a fixed key order."""
    if article.status != IMPORTED:
        raise ValueError(f"{article.id} was not imported: {article.error}")
    lines = [
        f"# Generated by verfix from KB article {article.id} ({article.path.name}); "
        "`make catalog` regenerates the bundled catalog.",
    ]
    lines += [f"# Note: {note}" for note in article.notes]
    lines += [f"id = {_toml_str(article.id)}", f"title = {_toml_str(article.title)}",
              f"product = {_toml_str(article.product)}"]
    if article.product_versions:
        lines.append(f"product_versions = {_toml_list(article.product_versions)}")
    if article.fixed_in:
        lines.append(f"fixed_in = {_toml_str(article.fixed_in)}")
    if article.component:
        lines.append(f"component = {_toml_str(article.component)}")
    if article.keywords:
        lines.append(f"keywords = {_toml_list(article.keywords)}")
    lines.append(f"source = {_toml_str(article.source)}")
    for row in article.rows:
        lines += ["", "[[files]]", f"name = {_toml_str(row.name)}"]
        for key in ("version", "platform", "component", "product_version", "date"):
            value = getattr(row, key)
            if value is not None:
                lines.append(f"{key} = {_toml_str(value)}")
        if row.size is not None:
            lines.append(f"size = {row.size}")
    return "\n".join(lines) + "\n"


def to_manifest(article: ImportedArticle) -> Manifest:
    """The article as a validated Manifest (what ``load_manifest`` reads from its TOML)."""
    return parse_manifest(tomllib.loads(render_toml(article)), f"{article.id} ({article.path.name})")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-") or "unknown"


def catalog_path(article: ImportedArticle) -> Path:
    """Where an article goes in the catalog: ``<product>/<version>/QNNNNNN.toml``.

    The version folder is the article's one base version (service packs dropped), like
    ``5.5``; ``multi`` when it names several (``5.0,5.5``); ``unversioned`` when none.
    """
    product = PRODUCT_SLUGS.get(article.product) or _slug(re.sub(r"^Microsoft\s+", "", article.product))
    bases = list(dict.fromkeys(_slug(base) for base in base_versions(article.product_versions)))
    folder = bases[0] if len(bases) == 1 else ("multi" if bases else "unversioned")
    return Path(product) / folder / f"{article.id}.toml"


def write_manifests(
    articles: Iterable[ImportedArticle], out_dir: Path | str, *, nested: bool = False
) -> list[Path]:
    """Write each imported article's manifest into ``out_dir`` (flat, or nested as the catalog)."""
    out_dir = Path(out_dir)
    written: list[Path] = []
    for article in articles:
        if article.status != IMPORTED:
            continue
        target = out_dir / (catalog_path(article) if nested else Path(f"{article.id}.toml"))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render_toml(article), encoding="utf-8", newline="\n")
        written.append(target)
    return written


# --------------------------------------------------------------------------- summary and catalog


@dataclass(frozen=True)
class ImportSummary:
    """Counts of one import run, and the articles behind the counts."""

    total: int
    imported: tuple[ImportedArticle, ...]
    skipped: tuple[ImportedArticle, ...]
    no_table: tuple[ImportedArticle, ...]
    curated: tuple[tuple[str, str], ...] = ()  # (id, how the import compares to the curated one)

    @property
    def with_table(self) -> int:
        return len(self.imported) + len(self.skipped)

    @property
    def rate(self) -> float:
        """Imported articles over articles that have a table (1.0 when none has one)."""
        return len(self.imported) / self.with_table if self.with_table else 1.0

    def reasons(self) -> dict[str, int]:
        """How many articles were skipped for each kind of reason."""
        counts: dict[str, int] = {}
        for article in self.skipped:
            kind = skip_reason_kind(article.error or "")
            counts[kind] = counts.get(kind, 0) + 1
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def skip_reason_kind(error: str) -> str:
    """The kind of a skip reason, without its line number and quoted values."""
    kind = re.sub(r"^line \d+: ", "", error)
    kind = kind.split(": '")[0] if ": '" in kind else kind
    kind = re.sub(r"'[^']*'", "'…'", kind)
    return re.sub(r"\(first at line \d+\)", "", re.sub(r"\d+", "N", kind)).strip()


def summarize(
    articles: Sequence[ImportedArticle], curated: Sequence[tuple[str, str]] = ()
) -> ImportSummary:
    """Count imported, skipped and no-table articles."""
    return ImportSummary(
        total=len(articles),
        imported=tuple(a for a in articles if a.status == IMPORTED),
        skipped=tuple(a for a in articles if a.status == SKIPPED),
        no_table=tuple(a for a in articles if a.status == NO_TABLE),
        curated=tuple(curated),
    )


def skip_line(article: ImportedArticle) -> str:
    """One line naming a skipped article and why."""
    return f"{article.path.name}: {article.status}: {article.error}"


def format_summary(summary: ImportSummary) -> str:
    """The human summary: counts, reasons, then one line per article not imported."""
    lines = [
        f"articles: {summary.total}; with a table: {summary.with_table}; "
        f"imported: {len(summary.imported)} ({summary.rate:.1%} of those with a table); "
        f"skipped: {len(summary.skipped)}; no table: {len(summary.no_table)}",
    ]
    if summary.curated:
        lines.append(
            "curated (kept from manifests/, not written): "
            + ", ".join(f"{id_} ({how})" for id_, how in summary.curated)
        )
    for kind, count in summary.reasons().items():
        lines.append(f"  skipped {count}: {kind}")
    lines += [skip_line(a) for a in summary.skipped + summary.no_table]
    return "\n".join(lines)


def curated_manifests(manifests_dir: Path | str) -> dict[str, Manifest]:
    """The hand-written manifests at the top of ``manifests/``, by article id."""
    found: dict[str, Manifest] = {}
    for path in sorted(Path(manifests_dir).glob("*.toml")):
        manifest = load_manifest(path)
        found[manifest.id] = manifest
    return found


def build_catalog(
    kb_dir: Path | str, manifests_dir: Path | str, catalog_name: str = "catalog"
) -> ImportSummary:
    """Import every article of ``kb_dir`` into ``manifests_dir/catalog`` (rewritten whole).

    Articles that have a curated manifest at the top of ``manifests_dir`` are not written;
    the summary says whether the import equals the curated manifest.
    """
    articles = import_articles([kb_dir])
    curated = curated_manifests(manifests_dir)
    compared: list[tuple[str, str]] = []
    to_write: list[ImportedArticle] = []
    for article in articles:
        if article.id not in curated:
            to_write.append(article)
            continue
        if article.status != IMPORTED:
            compared.append((article.id, f"import {article.status}"))
        else:
            same = to_manifest(article) == curated[article.id]
            compared.append((article.id, "identical to the import" if same else "differs from the import"))
    catalog = Path(manifests_dir) / catalog_name
    if catalog.exists():
        for old in sorted(catalog.rglob("*.toml")):
            old.unlink()
        for folder in sorted((p for p in catalog.rglob("*") if p.is_dir()), reverse=True):
            if not any(folder.iterdir()):
                folder.rmdir()
    write_manifests(to_write, catalog, nested=True)
    return summarize(articles, compared)
