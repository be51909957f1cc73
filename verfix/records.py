"""The flat records behind every machine format: one check row, one manifest, the whole check
report, and the field lists of the record-listing commands (JSON, JSON Lines and CSV)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Sequence

from verfix import __version__
from verfix.check import FolderCheck, ManifestResult, RowResult, Status
from verfix.names import name_hex, name_text
from verfix.remediation import Plan, plan_folder
from verfix.schemas import SCHEMA_VERSION
from verfix.version import Version


def path_fields(path: str | None) -> dict[str, Any]:
    """``path`` spelled (:func:`verfix.names.name_text`: ``%XX``, ``%25``) and, only when that
    changed it, ``path_hex``: its bytes as on disk. See the README, "Names as they are on disk"."""
    if path is None:
        return {"path": None}
    raw = name_hex(path)
    return {"path": path} if raw is None else {"path": name_text(path), "path_hex": raw}


def _text(version: Version | None) -> str | None:
    return None if version is None else str(version)


def utc_now() -> str:
    """The current time as UTC ISO 8601 with a Z, to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")



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
        yield from folder_records(folder, plan_folder(folder))


def folder_records(folder: FolderCheck, plan: Plan) -> Iterable[dict[str, Any]]:
    """The flat records of one folder's rows; ``remediation`` as ``plan`` (the folder's) says."""
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

