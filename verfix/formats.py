"""Turning results into reports: human tables and machine-readable JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import Any, Sequence

from verfix import __version__
from verfix.check import ManifestResult, RowResult, Status, Verdict
from verfix.version import Version, try_parse_version

SCHEMA_VERSION = "1.0"


class Format(str, Enum):
    """Output formats."""

    TABLE = "table"
    JSON = "json"


_ANSI = {"red": "31", "green": "32", "yellow": "33", "dim": "2", "bold": "1"}
_STATUS_COLOUR = {
    Status.OK: "green", Status.PRESENT: "green", Status.OUTDATED: "red", Status.MISSING: "red",
    Status.NO_VERSION: "yellow", Status.UNREADABLE: "yellow", Status.NOT_APPLICABLE: "dim",
}
_VERDICT_COLOUR = {
    Verdict.COMPLIANT: "green", Verdict.NOT_COMPLIANT: "red",
    Verdict.INCOMPLETE: "yellow", Verdict.NOT_APPLICABLE: "dim",
}


def paint(text: str, colour: str | None, enabled: bool) -> str:
    """Wrap text in an ANSI colour when colour output is enabled."""
    if not enabled or colour is None:
        return text
    return f"\x1b[{_ANSI[colour]}m{text}\x1b[0m"


def _version_text(version: Version | None) -> str | None:
    return None if version is None else str(version)


def utc_now() -> str:
    """The current time as UTC ISO 8601 with a Z, to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# --- check ---------------------------------------------------------------------------------

def row_record(result: RowResult) -> dict[str, Any]:
    """One row of the check report as a JSON object (the documented, stable shape)."""
    info = result.info
    return {
        "name": result.row.name,
        "path": None if result.path is None else str(result.path),
        "status": result.status.value,
        "required_version": _version_text(result.row.version),
        "file_version": _version_text(info.file_version) if info else None,
        "file_version_string": info.file_version_string if info else None,
        "notes": list(result.notes),
    }


def manifest_record(result: ManifestResult) -> dict[str, Any]:
    """One manifest of the check report as a JSON object."""
    return {
        "id": result.manifest.id,
        "title": result.manifest.title,
        "bin_dir": str(result.bin_dir),
        "verdict": result.verdict.value,
        "counts": result.counts(),
        "files": [row_record(row) for row in result.rows],
    }


def check_report(results: Sequence[ManifestResult], target: Path) -> dict[str, Any]:
    """The whole check report as a JSON-ready dict."""
    return {
        "schema_version": SCHEMA_VERSION,
        "verfix_version": __version__,
        "target": str(target),
        "generated_at": utc_now(),
        "manifests": [manifest_record(result) for result in results],
    }


def render_json(document: Any) -> str:
    """JSON text with a trailing newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _found_text(result: RowResult) -> str:
    if result.found_version is not None:
        return str(result.found_version)
    if result.status is Status.PRESENT:
        return "present"
    return "-"


def _string_column(result: RowResult) -> str:
    """The FileVersion string, shown only when it says something the fixed version doesn't."""
    info = result.info
    if info is None or info.file_version_string is None:
        return ""
    return "" if try_parse_version(info.file_version_string) == info.file_version else info.file_version_string


def render_check_table(results: Sequence[ManifestResult], colour: bool = False) -> str:
    """A table per manifest: File, Required, Found, FileVersion string, Status, Path, Notes."""
    from tabulate import tabulate

    blocks = []
    for result in results:
        verdict = paint(result.verdict.value.upper(), _VERDICT_COLOUR[result.verdict], colour)
        heading = f"{result.manifest.id}  {result.manifest.title}\n{result.bin_dir}: {verdict}"
        rows = [
            [
                row.row.name,
                _version_text(row.row.version) or "N/A",
                _found_text(row),
                _string_column(row),
                paint(row.status.value, _STATUS_COLOUR[row.status], colour),
                "" if row.path is None else row.path.name,
                "; ".join(row.notes),
            ]
            for row in result.rows
        ]
        table = tabulate(
            rows,
            headers=["File", "Required", "Found", "FileVersion string", "Status", "Path", "Notes"],
            tablefmt="simple",
            disable_numparse=True,
        )
        blocks.append(f"{heading}\n{table}\n")
    return "\n".join(blocks)


def summary_line(result: ManifestResult) -> str:
    """One line for humans: verdict and the count of each status."""
    counts = ", ".join(f"{n} {status}" for status, n in sorted(result.counts().items()))
    return f"{result.manifest.id}: {result.verdict.value} ({counts}) in {result.bin_dir}"


# --- version -------------------------------------------------------------------------------

@dataclass(frozen=True)
class VersionRecord:
    """What ``verfix version`` reports for one file."""

    path: str
    file_version: str | None = None
    file_version_string: str | None = None
    product_version: str | None = None
    machine: str | None = None
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def render_version_table(records: Sequence[VersionRecord]) -> str:
    """``verfix version`` as a table."""
    from tabulate import tabulate

    rows = [
        [r.path, r.file_version or "-", r.file_version_string or "", r.product_version or "",
         r.machine or "", r.error or ""]
        for r in records
    ]
    headers = ["Path", "FileVersion", "FileVersion string", "ProductVersion", "Machine", "Error"]
    return tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True) + "\n"
