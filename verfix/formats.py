"""Turning results into reports: tables for people; JSON, JSON Lines and CSV for programs."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import Any, Iterable, Sequence, TextIO

from verfix import __version__
from verfix.fsio import name_hex, name_text, terminal_text
from verfix.check import FolderCheck, ManifestResult, RowResult, Status, Verdict, worst_offender
from verfix.remediation import plan_folder
from verfix.schemas import SCHEMA_VERSION
from verfix.version import Version, try_parse_version


class Format(str, Enum):
    """Output formats; every command supports every one (see FORMATTERS)."""

    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"


_ANSI = {"red": "31", "green": "32", "yellow": "33", "dim": "2"}
_STATUS_COLOUR = {
    Status.OK: "green", Status.PRESENT: "green", Status.OUTDATED: "red", Status.MISSING: "red",
    Status.NO_VERSION: "yellow", Status.UNREADABLE: "yellow", Status.NOT_APPLICABLE: "dim",
}
_VERDICT_COLOUR = {
    Verdict.COMPLIANT: "green", Verdict.NOT_COMPLIANT: "red",
    Verdict.INCOMPLETE: "yellow", Verdict.NOT_APPLICABLE: "dim",
}


class Painted(str):
    """A table cell verfix coloured itself: its escape codes are meant for the terminal."""


def paint(text: str, colour: str | None, enabled: bool) -> str:
    """Wrap text in an ANSI colour when colour output is enabled."""
    if not enabled or colour is None:
        return text
    return Painted(f"\x1b[{_ANSI[colour]}m{terminal_text(text)}\x1b[0m")


def _cell(value: Any) -> Any:
    """A table cell with control characters escaped (names and titles are data)."""
    return value if isinstance(value, Painted) or not isinstance(value, str) else terminal_text(value)


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


def _table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    from tabulate import tabulate

    cells = [[_cell(value) for value in row] for row in rows]
    return tabulate(cells, headers=headers, tablefmt="simple", disable_numparse=True)


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
VERSION_FIELDS = ("schema_version", "path", "file_version", "file_version_string", "product_version", "machine", "error")


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
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return value


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
    records: Iterable[dict[str, Any]], fmt: "Format", fields: Sequence[str], stream: TextIO
) -> None:
    """Write flat records in a machine format, streaming (TABLE collects them first)."""
    if fmt is Format.JSON:
        write_json_array(records, stream)
    elif fmt is Format.JSONL:
        write_jsonl(records, stream)
    elif fmt is Format.CSV:
        write_csv(records, fields, stream)
    else:
        rows = [[_csv_cell(record.get(name)) for name in fields] for record in records]
        stream.write(_table(rows, [name.replace("_", " ").capitalize() for name in fields]) + "\n")


# --- check ---------------------------------------------------------------------------------

def _found_text(result: RowResult) -> str:
    if result.found_version is not None:
        return str(result.found_version)
    return "present" if result.status is Status.PRESENT else "-"


def _string_column(result: RowResult) -> str:
    """The FileVersion string, shown only when it says something the fixed version doesn't."""
    info = result.info
    if info is None or info.file_version_string is None:
        return ""
    if try_parse_version(info.file_version_string) == info.file_version:
        return ""
    return info.file_version_string


def _details_table(result: ManifestResult, colour: bool) -> str:
    verdict = paint(result.verdict.value.upper(), _VERDICT_COLOUR[result.verdict], colour)
    rows = [
        [
            row.row.name,
            _text(row.row.version) or "N/A",
            _found_text(row),
            _string_column(row),
            paint(row.status.value, _STATUS_COLOUR[row.status], colour),
            "" if row.path is None else row.path.name,
            "; ".join(row.notes),
        ]
        for row in result.rows
    ]
    headers = ["File", "Required", "Found", "FileVersion string", "Status", "Path", "Notes"]
    heading = terminal_text(f"{result.manifest.id}  {result.manifest.title}")
    return f"{heading}\n{verdict}\n{_table(rows, headers)}\n"


def _offender_text(result: ManifestResult) -> str:
    row = worst_offender(result)
    if row is None:
        problems = [r for r in result.rows if r.status in (Status.UNREADABLE, Status.NO_VERSION)]
        return f"{problems[0].row.name} {problems[0].status.value}" if problems else ""
    if row.status is Status.MISSING:
        return f"{row.row.name} missing"
    return f"{row.row.name} {row.found_version} < {row.row.version}"


def _summary_table(results: Sequence[ManifestResult], colour: bool) -> str:
    rows = [
        [
            r.manifest.id,
            _shorten(r.manifest.title, 60),
            _shorten("; ".join(r.manifest.components), 30),
            paint(r.verdict.value, _VERDICT_COLOUR[r.verdict], colour),
            _offender_text(r),
        ]
        for r in results
    ]
    return _table(rows, ["Article", "Title", "Component", "Verdict", "Lowest offending file"]) + "\n"


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def render_check_table(folders: Sequence[FolderCheck], details: bool, colour: bool = False) -> str:
    """Per folder: a summary table of the manifests, or with ``details`` every row."""
    blocks = []
    for folder in folders:
        blocks.append(f"== {terminal_text(str(folder.bin_dir))}\n")
        if details:
            blocks.extend(_details_table(result, colour) for result in folder.results)
        elif folder.results:
            blocks.append(_summary_table(folder.results, colour))
        if folder.not_applicable:
            blocks.append(
                f"{len(folder.not_applicable)} more article(s) do not apply here: none of their "
                "versioned files is installed, or they are for another release.\n"
            )
    return "\n".join(blocks)


def write_check(
    folders: Sequence[FolderCheck], target: Path, fmt: Format, stream: TextIO,
    *, details: bool = False, colour: bool = False,
) -> None:
    """Write the check report in any format."""
    if fmt is Format.JSON:
        report = check_report(folders, target)
        text = json.dumps(report, indent=2, ensure_ascii=False)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = json.dumps(_valid_text(report), indent=2, ensure_ascii=False)
        stream.write(text + "\n")
    elif fmt is Format.TABLE:
        stream.write(render_check_table(folders, details, colour))
    else:
        write_records(check_records(folders), fmt, CHECK_RECORD_FIELDS, stream)


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
