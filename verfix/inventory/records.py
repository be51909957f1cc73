"""The inventory's results: one record per PE file (or unreadable file or folder), the
counters of a run, and the digests asked for."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from verfix.names import name_hex, name_text
from verfix.schemas import SCHEMA_VERSION

HASH_ALGORITHMS = ("md5", "sha1", "sha256")


@dataclass
class InventoryStats:
    """Counters for a summary line and a progress display; updated while the walk goes on."""

    files_seen: int = 0        # regular files looked at (PE or not, readable or not)
    pe_files: int = 0          # files that start with "MZ": each gets a record
    not_pe: int = 0            # regular files that do not start with "MZ": counted, not reported
    unreadable_files: int = 0  # files that could not be opened or read: each gets a record
    unreadable_folders: int = 0  # folders that could not be listed: each gets a record
    read_errors: int = 0       # PE files the reader could not parse
    no_version: int = 0        # PE files read without a fixed file version
    bytes_seen: int = 0        # total size of the regular files looked at
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> count (a fixed set of reasons)
    notes: list[str] = field(default_factory=list)  # how the run went, for a warning (a worker not started or lost)

    @property
    def records(self) -> int:
        """How many records the inventory has yielded."""
        return self.pe_files + self.unreadable_files + self.unreadable_folders

    def as_dict(self) -> dict[str, Any]:
        """The counters as a JSON-ready dict."""
        return {
            "files_seen": self.files_seen, "pe_files": self.pe_files, "not_pe": self.not_pe,
            "unreadable_files": self.unreadable_files, "unreadable_folders": self.unreadable_folders,
            "read_errors": self.read_errors, "no_version": self.no_version,
            "bytes_seen": self.bytes_seen, "skipped": dict(sorted(self.skipped.items())),
        }


@dataclass(frozen=True)
class InventoryRecord:
    """One line of ``verfix inventory``: a PE file, an unreadable file or an unreadable folder.

    Versions are the fixed (binary) ones as text, ``None`` when absent; the ``*_string``
    fields are the StringFileInfo texts, shown as written. ``error`` is None when the file
    was read and has a fixed file version; otherwise it says what went wrong or why there
    is no version. The digests are included in :meth:`as_dict` only for the algorithms
    asked for (``hashes``), ``host`` only when one was given.
    """

    path: str
    size: int | None = None
    file_version: str | None = None
    file_version_string: str | None = None
    product_name: str | None = None
    product_version: str | None = None
    product_version_string: str | None = None
    company_name: str | None = None
    file_description: str | None = None
    original_filename: str | None = None
    internal_name: str | None = None
    legal_copyright: str | None = None
    machine: str | None = None
    md5: str | None = None
    sha1: str | None = None
    sha256: str | None = None
    error: str | None = None
    hashes: tuple[str, ...] = field(default=(), repr=False, compare=False)
    host: str | None = field(default=None, compare=False)

    def as_dict(self) -> dict[str, Any]:
        """The record as a JSON-ready dict (the shape of inventory-record.schema.json)."""
        path = self.path
        raw = name_hex(path)
        record: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "path": path if raw is None else name_text(path),
            "size": self.size,
            "file_version": self.file_version,
            "file_version_string": self.file_version_string,
            "product_name": self.product_name,
            "product_version": self.product_version,
            "product_version_string": self.product_version_string,
            "company_name": self.company_name,
            "file_description": self.file_description,
            "original_filename": self.original_filename,
            "internal_name": self.internal_name,
            "legal_copyright": self.legal_copyright,
            "machine": self.machine,
        }
        if raw is not None:
            record["path_hex"] = raw
        for algorithm in self.hashes:
            record[algorithm] = getattr(self, algorithm)
        record["error"] = self.error
        if self.host is not None:
            record["host"] = self.host
        return record

    @classmethod
    def _from_fields(cls, fields: dict[str, Any]) -> InventoryRecord:
        """A record from a dict holding every field (``hashes`` and ``host`` too), made without the
        frozen dataclass __init__'s cost per field: the inventory makes one per PE file."""
        record = object.__new__(cls)
        record.__dict__.update(fields)
        return record


def parse_hashes(text: str | None) -> tuple[str, ...]:
    """``"md5,sha1,sha256"`` as a tuple in that order (each once); ValueError for an unknown one."""
    if not text:
        return ()
    chosen: list[str] = []
    for name in (part.strip().lower() for part in text.split(",")):
        if name not in HASH_ALGORITHMS:
            raise ValueError(f"unsupported hash algorithm {name!r}; use one or more of {', '.join(HASH_ALGORITHMS)}")
        if name not in chosen:
            chosen.append(name)
    return tuple(chosen)
