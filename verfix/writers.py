"""Writers for streams of flat records: JSON, JSON Lines, CSV and the width-fitted table."""

from __future__ import annotations

import json
import re
from enum import Enum
from typing import Any, Iterable, Sequence, TextIO

from verfix import names
from verfix.names import terminal_text
from verfix.tables import Column, render


class Format(str, Enum):
    """Output formats of the record-listing commands (inventory, version, manifests)."""

    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"


def _cell(value: str) -> str:
    """A table cell with control characters escaped (names and titles are data)."""
    return terminal_text(value)


# One encoder for every record: json.dumps(..., ensure_ascii=False) builds a new one per call.
_encode = json.JSONEncoder(ensure_ascii=False).encode


def valid_text(record: dict[str, Any]) -> dict[str, Any]:
    """The record as valid text (:func:`verfix.names.valid_text`): the net under the writers,
    for a name from disk that reached a field other than a path (paths are spelled already;
    spelling them again would turn each % into %25)."""
    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return names.valid_text(value)
        if isinstance(value, list):
            return [clean(item) for item in value]
        if isinstance(value, dict):
            return {key: clean(item) for key, item in value.items()}
        return value
    return clean(record)


# Characters str.splitlines() (and some JSON Lines readers) take for line ends: escaped, so one
# record stays one line whatever a name holds (JSON's own escape, the same value once read).
LINE_BREAKS = {0x85: "\\u0085", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def _encoded(record: dict[str, Any]) -> str:
    text = _encode(record)
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = _encode(valid_text(record))
    return text.translate(LINE_BREAKS)


def write_json_array(records: Iterable[dict[str, Any]], stream: TextIO) -> None:
    """A JSON array written as the records come (``[]`` when there are none)."""
    separator = "[\n  "
    for record in records:
        stream.write(separator + _encoded(record))
        separator = ",\n  "
    stream.write("[]\n" if separator.startswith("[") else "\n]\n")


def write_jsonl(records: Iterable[dict[str, Any]], stream: TextIO) -> None:
    """One JSON object per line (nothing at all when there are no records)."""
    write = stream.write
    for record in records:
        write(_encoded(record) + "\n")


def _csv_cell(value: Any) -> Any:
    """A CSV cell: a list (notes, versions) as a JSON array, which no note can break apart."""
    if value is None:
        return ""
    if isinstance(value, list):
        return _encode(value)
    return value


def _table_cell(value: Any) -> str:
    """A table cell for people: a list joined by "; ", nothing for None, control characters
    escaped (names and titles are data)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return _cell("; ".join(str(item) for item in value))
    return _cell(str(value))


# How each field's column gives way in a narrow table: titles and texts are cut, paths keep
# their end, low-value columns go first (1) or when cutting is not enough (2).
_COLUMNS = {
    "title": Column("Title", shrink=True, min_width=16),
    "manifest_title": Column("Manifest title", shrink=True, min_width=16, drop=2),
    "path": Column("Path", shrink=True, min_width=20, keep_end=True),
    "error": Column("Error", shrink=True, min_width=12),
    "notes": Column("Notes", shrink=True, min_width=12, drop=2),
    "product_versions": Column("Product versions", shrink=True, min_width=8, drop=1),
    "fixed_in": Column("Fixed in", shrink=True, min_width=12, drop=2),
    "components": Column("Components", shrink=True, min_width=10, drop=1),
    "component": Column("Component", shrink=True, min_width=10, drop=1),
    "product_name": Column("Product name", shrink=True, min_width=10, drop=1),
    "company_name": Column("Company name", shrink=True, min_width=10, drop=1),
    "file_description": Column("File description", shrink=True, min_width=12, drop=1),
    "original_filename": Column("Original filename", drop=1),
    "internal_name": Column("Internal name", drop=1),
    "legal_copyright": Column("Legal copyright", shrink=True, min_width=10, drop=1),
    "product_version_string": Column("Product version string", drop=1),
    "file_version_string": Column("File version string", drop=1),
    "product_version": Column("Product version", drop=1),
    "size": Column("Size", drop=2),
    "machine": Column("Machine", drop=2),
    "md5": Column("Md5", shrink=True, min_width=12, drop=2),
    "sha1": Column("Sha1", shrink=True, min_width=12, drop=2),
    "sha256": Column("Sha256", shrink=True, min_width=12, drop=2),
    "host": Column("Host", drop=2),
    "platform": Column("Platform", drop=2),
    "product": Column("Product", shrink=True, min_width=16),
    "branch": Column("Branch", drop=1),
    "folders": Column("Folders", shrink=True, min_width=12, drop=1),
    "how": Column("How", shrink=True, min_width=16, drop=2),
}


# Fields kept in JSON/CSV but left out of tables: the same on every row, they only take width.
TABLE_HIDDEN = frozenset({"schema_version"})


def table_column(field: str) -> Column:
    """The table column of a record field (a plain one, never cut, when not listed)."""
    return _COLUMNS.get(field) or Column(field.replace("_", " ").capitalize())


_CSV_SPECIAL = re.compile('[",\r\n]')


def _csv_field(value: Any) -> str:
    """One CSV field (RFC 4180): quoted when it holds a comma, a quote, CR or LF; the
    csv module leaves a bare CR unquoted when lines end with LF, which splits the row."""
    text = names.valid_text(str(_csv_cell(value)))
    if _CSV_SPECIAL.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_csv(records: Iterable[dict[str, Any]], fields: Sequence[str], stream: TextIO) -> None:
    """CSV with a header row (only the header when there are no records), lines ending LF."""
    write = stream.write
    write(",".join(_csv_field(name) for name in fields) + "\n")
    for record in records:
        write(",".join([_csv_field(record.get(name)) for name in fields]) + "\n")


def write_records(
    records: Iterable[dict[str, Any]], fmt: "Format", fields: Sequence[str], stream: TextIO,
    width: int | None = None,
) -> None:
    """Write flat records in a machine format, streaming (TABLE collects them first and
    fits ``width``: see :func:`table_column`)."""
    if fmt is Format.JSON:
        write_json_array(records, stream)
    elif fmt is Format.JSONL:
        write_jsonl(records, stream)
    elif fmt is Format.CSV:
        write_csv(records, fields, stream)
    else:
        shown = [name for name in fields if name not in TABLE_HIDDEN]
        rows = [[_table_cell(record.get(name)) for name in shown] for record in records]
        stream.write(render(rows, [table_column(name) for name in shown], width))

