"""Turning results into reports: tables for people; JSON, JSON Lines and CSV for programs."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence, TextIO

from verfix import __version__
from verfix.check import FolderCheck, ManifestResult, RowResult, Status
from verfix.fsio import name_hex, name_text, terminal_text
from verfix.remediation import plan_folder
from verfix.schemas import SCHEMA_VERSION
from verfix.tables import Column, render
from verfix.version import Version

if TYPE_CHECKING:
    from verfix.servercheck import ServerCheck


class Format(str, Enum):
    """Output formats of the record-listing commands (inventory, version, manifests)."""

    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"


class CheckFormat(str, Enum):
    """Output formats of ``check``: the record formats, one HTML page and SARIF 2.1.0."""

    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    HTML = "html"
    SARIF = "sarif"


def _cell(value: str) -> str:
    """A table cell with control characters escaped (names and titles are data)."""
    return terminal_text(value)


def path_fields(path: str | None) -> dict[str, Any]:
    """``path`` as text (a name that is not UTF-8 spelled with ``\\xNN``) and, only for such
    a name, ``path_hex``: its bytes as on disk. See the README, "Names as they are on disk"."""
    if path is None:
        return {"path": None}
    raw = name_hex(path)
    return {"path": path} if raw is None else {"path": name_text(path), "path_hex": raw}


def _text(version: Version | None) -> str | None:
    return None if version is None else str(version)


def utc_now() -> str:
    """The current time as UTC ISO 8601 with a Z, to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# --- records: the flat dicts behind every machine format ---------------------------------

def row_record(result: RowResult) -> dict[str, Any]:
    """One manifest row as the report's JSON object (the documented, stable shape)."""
    info = result.info
    return {
        "name": result.row.name,
        **path_fields(None if result.path is None else str(result.path)),
        "status": result.status.value,
        "required_version": _text(result.row.version),
        "file_version": _text(info.file_version) if info else None,
        "file_version_string": info.file_version_string if info else None,
        "notes": list(result.notes),
    }


def manifest_record(result: ManifestResult) -> dict[str, Any]:
    """One manifest checked on one folder, as the report's JSON object."""
    return {
        "id": result.manifest.id,
        "title": result.manifest.title,
        "product": result.manifest.product,
        "fixed_in": result.manifest.fixed_in,
        "bin_dir": name_text(str(result.bin_dir)),
        "verdict": result.verdict.value,
        "counts": result.counts(),
        "files": [row_record(row) for row in result.rows],
    }


def check_report(folders: Sequence[FolderCheck], target: Path) -> dict[str, Any]:
    """The whole check report as a JSON-ready dict (check-report.schema.json)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "verfix_version": __version__,
        "target": name_text(str(target)),
        "generated_at": utc_now(),
        "folders": [
            {"bin_dir": name_text(str(f.bin_dir)), "how": name_text(f.how), "release": f.release,
             "not_applicable": list(f.not_applicable), "remediation": plan_folder(f).as_dict()}
            for f in folders
        ],
        "manifests": [manifest_record(r) for f in folders for r in f.results],
    }


def check_records(folders: Sequence[FolderCheck]) -> Iterable[dict[str, Any]]:
    """One flat record per manifest row (check-record.schema.json), for JSONL and CSV."""
    for folder in folders:
        plan = plan_folder(folder)
        for result in folder.results:
            head = {
                "schema_version": SCHEMA_VERSION,
                "manifest_id": result.manifest.id,
                "manifest_title": result.manifest.title,
                "fixed_in": result.manifest.fixed_in,
                "bin_dir": name_text(str(result.bin_dir)),
                "verdict": result.verdict.value,
            }
            for row in result.rows:
                behind = row.status in (Status.OUTDATED, Status.MISSING)
                yield {**head, **row_record(row),
                       "remediation": plan.supplier_of(row.row.name) if behind else None}


CHECK_RECORD_FIELDS = (
    "schema_version", "manifest_id", "manifest_title", "fixed_in", "bin_dir", "verdict", "name",
    "path", "status", "required_version", "file_version", "file_version_string", "notes",
    "remediation",
)
INVENTORY_FIELDS = (
    "schema_version", "path", "size", "file_version", "file_version_string", "product_name",
    "product_version", "product_version_string", "company_name", "file_description",
    "original_filename", "internal_name", "legal_copyright", "machine", "md5", "sha1", "sha256",
    "error", "host",
)
# Inventory fields present only when asked for (--hash, --host).
OPTIONAL_INVENTORY_FIELDS = ("md5", "sha1", "sha256", "host")
VERSION_FIELDS = (
    "schema_version", "path", "file_version", "file_version_string", "product_version", "machine", "error",
)


# --- writers for streams of flat records ------------------------------------------------

# One encoder for every record: json.dumps(..., ensure_ascii=False) builds a new one per call.
_encode = json.JSONEncoder(ensure_ascii=False).encode


def _valid_text(record: dict[str, Any]) -> dict[str, Any]:
    """The record with every name that is not UTF-8 spelled as :func:`name_text` does: the
    net under the writers, for a name from disk that reached a field other than a path."""
    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return name_text(value)
        if isinstance(value, list):
            return [clean(item) for item in value]
        if isinstance(value, dict):
            return {key: clean(item) for key, item in value.items()}
        return value
    return clean(record)


def _encoded(record: dict[str, Any]) -> str:
    text = _encode(record)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = _encode(_valid_text(record))
    return text


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
    text = name_text(str(_csv_cell(value)))
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


# --- check ---------------------------------------------------------------------------------

def write_check(
    folders: Sequence[FolderCheck], target: Path, fmt: CheckFormat, stream: TextIO,
    *, details: bool = False, colour: bool = False, width: int | None = None, show_all: bool = False,
    server: "ServerCheck | None" = None,
) -> None:
    """Write the check report in any format; the table fits ``width`` (None: no limit).

    ``server``: the whole-server check the folders come from (one per product); JSON then has
    ``products``, ``hotfixes`` and ``unplaced``, and the table starts with one line per product
    and the hotfix records' findings.
    """
    if fmt in (CheckFormat.JSON, CheckFormat.SARIF):
        if fmt is CheckFormat.JSON:
            report = check_report(folders, target)
            if server is not None:
                from verfix.server_report import report_data

                report.update(report_data(server))
        else:
            from verfix.report_sarif import sarif_report

            report = sarif_report(folders, target)
        text = json.dumps(report, indent=2, ensure_ascii=False)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = json.dumps(_valid_text(report), indent=2, ensure_ascii=False)
        stream.write(text + "\n")
    elif fmt is CheckFormat.TABLE:
        from verfix.report_text import action_report, details_report

        if server is not None:
            from verfix.server_report import server_text

            stream.write(server_text(server, width) + "\n")
        if details:
            stream.write(details_report(folders, colour, width))
        else:
            stream.write(action_report(folders, width, colour, show_all))
    elif fmt is CheckFormat.HTML:
        from verfix.report_html import html_report

        stream.write(html_report(folders, target, utc_now()))
    else:
        write_records(check_records(folders), Format(fmt.value), CHECK_RECORD_FIELDS, stream)


def verdict_counts_line(folder: FolderCheck) -> str:
    """One line for humans after a catalog check: how many articles got each verdict."""
    counts: dict[str, int] = {}
    for result in folder.results:
        counts[result.verdict.value] = counts.get(result.verdict.value, 0) + 1
    shown = ", ".join(f"{n} {verdict}" for verdict, n in sorted(counts.items())) or "none checked"
    return (f"{len(folder.results)} article(s) checked in {folder.bin_dir}: {shown}; "
            f"{len(folder.not_applicable)} not applicable here")


def summary_line(result: ManifestResult) -> str:
    """One line for humans: verdict and the count of each status."""
    counts = ", ".join(f"{n} {status}" for status, n in sorted(result.counts().items()))
    return f"{result.manifest.id}: {result.verdict.value} ({counts}) in {result.bin_dir}"
