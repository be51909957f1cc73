"""The inventory itself: the walk's entries in order, each file read once (here, or by worker
processes for ``jobs`` > 1: see :mod:`verfix.inventory.parallel`), one record per PE file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterator

from verfix.fsview import ImagePath
from json.encoder import encode_basestring

from verfix.inventory.lines import LINE_HEAD, tail_maker
from verfix.inventory.reading import NOT_PE, PE, PE_ERROR, PE_LINE, SKIP, Outcome, file_reader
from verfix.inventory.records import HASH_ALGORITHMS, InventoryRecord, InventoryStats, parse_hashes
from verfix.inventory.walk import FILE, SKIP_OTHER_TYPE, SKIPPED, walk_tuples
from verfix.pe import Reader

if TYPE_CHECKING:
    from pathlib import Path


def inventory(
    root: Path | str | ImagePath,
    reader: Reader = Reader.FAST,
    hash_algorithm: str | tuple[str, ...] | None = None,
    *,
    stats: InventoryStats | None = None,
    host: str | None = None,
    shown_path: Callable[[str], str] | None = None,
    jobs: int = 1,
    plain: bool = False,
) -> Iterator[InventoryRecord]:
    """Yield a record for every PE file under ``root`` (and for what could not be read).

    A file counts as PE when its first two bytes are "MZ"; other files are counted in
    ``stats.not_pe`` and not reported. Skipped entries (FIFOs, links out of the tree, ...)
    are counted by reason in ``stats.skipped``. Nothing is kept per file: pass ``stats`` to
    read the counters while iterating. ``hash_algorithm``: None, a name or several
    ("md5,sha1,sha256" or a tuple), all computed in the one read. ``host`` is written on
    every record; ``shown_path`` turns each path into the one recorded (e.g. a Windows path).
    ``jobs`` > 1 reads the files of a folder in that many worker processes (a disk image's
    volume is read here): the same records in the same order. ``plain`` opens each file
    the plain way (the reference of the fast open; see :func:`.reading.file_reader`).
    """
    hashes = _check_hashes(hash_algorithm)
    counters = stats if stats is not None else InventoryStats()
    yield from records(_outcomes(root, reader, hashes, jobs, plain, None), counters, hashes, host,
                       shown_path, isinstance(root, ImagePath))


def _check_hashes(hash_algorithm: str | tuple[str, ...] | None) -> tuple[str, ...]:
    hashes = hash_algorithm if isinstance(hash_algorithm, tuple) else parse_hashes(hash_algorithm)
    for name in hashes:
        if name not in HASH_ALGORITHMS:
            raise ValueError(f"unsupported hash algorithm {name!r}; use one of {HASH_ALGORITHMS}")
    return hashes


def _outcomes(root: Path | str | ImagePath, reader: Reader, hashes: tuple[str, ...], jobs: int,
              plain: bool, lines: tuple[str | None] | None) -> Iterator[tuple[tuple, Outcome | None]]:
    """(walk entry, outcome) of every entry under ``root``; ``lines`` = (host,) asks for
    PE_LINE outcomes."""
    entries = walk_tuples(root)
    if jobs > 1 and not isinstance(root, ImagePath):
        from verfix.inventory.parallel import read_in_workers

        return read_in_workers(entries, reader, hashes, jobs, lines=lines)
    tail = None if lines is None else tail_maker(hashes, lines[0])
    return _read_here(entries, file_reader(reader, hashes, plain=plain, tail=tail))


def inventory_lines(root: Path | str | ImagePath, reader: Reader = Reader.FAST,
                    hash_algorithm: str | tuple[str, ...] | None = None, *,
                    stats: InventoryStats | None = None, host: str | None = None,
                    shown_path: Callable[[str], str] | None = None, jobs: int = 1) -> Iterator[str]:
    """The JSON Lines of :func:`inventory` (as ``output.write_inventory_jsonl`` writes its
    records), a PE file's line made by the process that read it: here only the path is
    added. With ``shown_path``, and in a disk image, the lines are made from the records."""
    from verfix.inventory.output import record_line_maker

    line_of = record_line_maker()
    if shown_path is not None or isinstance(root, ImagePath):
        for record in inventory(root, reader, hash_algorithm, stats=stats, host=host,
                                shown_path=shown_path, jobs=jobs):
            yield line_of(record)
        return
    hashes = _check_hashes(hash_algorithm)
    counters = stats if stats is not None else InventoryStats()
    for item in _outcomes(root, reader, hashes, jobs, False, (host,)):
        outcome = item[1]
        code = None if outcome is None else outcome[0]
        if code is PE_LINE:
            counters.files_seen += 1
            counters.bytes_seen += outcome[1]  # type: ignore[index]
            counters.pe_files += 1
            if not outcome[3]:  # type: ignore[index]
                counters.no_version += 1
            yield LINE_HEAD + encode_basestring(item[0][0]) + outcome[2]  # type: ignore[index]
        elif code is NOT_PE:
            counters.files_seen += 1
            counters.bytes_seen += outcome[1]  # type: ignore[index]
            counters.not_pe += 1
        else:  # the rest, rare: through the record
            for record in records(iter((item,)), counters, hashes, host, None, False):
                yield line_of(record)


def _read_here(entries: Iterator[tuple], read: Callable[[Any, bool], Outcome]
               ) -> Iterator[tuple[tuple, Outcome | None]]:
    """(walk entry, outcome) for each entry, in order; None for an entry that is not a file."""
    for entry in entries:
        yield entry, read(entry[0], entry[3]) if entry[1] is FILE else None


def records(outcomes: Iterator[tuple[tuple, Outcome | None]], counters: InventoryStats,
            hashes: tuple[str, ...], host: str | None, shown_path: Callable[[str], str] | None,
            as_text: bool) -> Iterator[InventoryRecord]:
    """The records (and counters) of the walk's entries and their outcomes, in order."""
    skipped = counters.skipped
    record_of = InventoryRecord._from_fields
    for (path, kind, reason, _), outcome in outcomes:
        text = str(path) if as_text else path  # report paths are text
        shown = text if shown_path is None else shown_path(text)
        if outcome is None:
            if kind is SKIPPED:
                reason = reason or SKIP_OTHER_TYPE
                skipped[reason] = skipped.get(reason, 0) + 1
            else:  # UNREADABLE_DIRECTORY
                counters.unreadable_folders += 1
                yield InventoryRecord(shown, error=reason, hashes=hashes, host=host)
            continue
        code = outcome[0]
        if code is SKIP:
            skipped[outcome[1]] = skipped.get(outcome[1], 0) + 1
            continue
        counters.files_seen += 1
        if code is NOT_PE:
            counters.bytes_seen += outcome[1]
            counters.not_pe += 1
            continue
        if code is not PE and code is not PE_ERROR:  # UNREADABLE
            counters.unreadable_files += 1
            yield InventoryRecord(shown, error=outcome[1], hashes=hashes, host=host)
            continue
        size = outcome[1]
        counters.bytes_seen += size
        counters.pe_files += 1
        digests = outcome[3]
        if code is PE_ERROR:
            counters.read_errors += 1
            yield InventoryRecord(shown, size=size, error=outcome[2], hashes=hashes, host=host,
                                  **digests)
            continue
        fields = outcome[2]
        if fields[0] is None:
            counters.no_version += 1
        yield record_of({
            "path": shown, "size": size,
            "file_version": fields[0], "file_version_string": fields[1], "product_name": fields[2],
            "product_version": fields[3], "product_version_string": fields[4],
            "company_name": fields[5], "file_description": fields[6],
            "original_filename": fields[7], "internal_name": fields[8],
            "legal_copyright": fields[9], "machine": fields[10],
            "md5": digests.get("md5") if digests else None,
            "sha1": digests.get("sha1") if digests else None,
            "sha256": digests.get("sha256") if digests else None,
            "error": fields[11], "hashes": hashes, "host": host,
        })
