"""The inventory itself: the walk's entries in order, each file read once (here, or by worker
processes for ``jobs`` > 1: see :mod:`verfix.inventory.parallel`), one record per PE file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterator

from verfix.fsview import ImagePath
from verfix.inventory.lines import tail_maker
from verfix.inventory.outcomes import lines, records
from verfix.inventory.reading import Outcome, file_reader
from verfix.inventory.records import HASH_ALGORITHMS, InventoryRecord, InventoryStats, parse_hashes
from verfix.inventory.walk import FILE, walk_tuples
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
    yield from records(_outcomes(root, reader, hashes, jobs, plain, counters), counters, hashes, host,
                       shown_path, isinstance(root, ImagePath))


def _check_hashes(hash_algorithm: str | tuple[str, ...] | None) -> tuple[str, ...]:
    hashes = hash_algorithm if isinstance(hash_algorithm, tuple) else parse_hashes(hash_algorithm)
    for name in hashes:
        if name not in HASH_ALGORITHMS:
            raise ValueError(f"unsupported hash algorithm {name!r}; use one of {HASH_ALGORITHMS}")
    return hashes


def _outcomes(root: Path | str | ImagePath, reader: Reader, hashes: tuple[str, ...], jobs: int,
              plain: bool, counters: InventoryStats) -> Iterator[tuple[tuple, Outcome | None]]:
    """(walk entry, outcome) of every entry under ``root``."""
    entries = walk_tuples(root)
    if jobs > 1 and not isinstance(root, ImagePath):
        from verfix.inventory.parallel import read_in_workers

        return read_in_workers(entries, reader, hashes, jobs, counters=counters)
    return _read_here(entries, file_reader(reader, hashes, plain=plain))


def inventory_lines(root: Path | str | ImagePath, reader: Reader = Reader.FAST,
                    hash_algorithm: str | tuple[str, ...] | None = None, *,
                    stats: InventoryStats | None = None, host: str | None = None,
                    shown_path: Callable[[str], str] | None = None, jobs: int = 1) -> Iterator[str]:
    """The JSON Lines of :func:`inventory` (as ``output.write_inventory_jsonl`` writes its
    records), in chunks of one or more whole lines; a PE file's line is made by the process
    that read it (with ``jobs`` > 1 a worker's whole batch comes as one chunk). With
    ``shown_path``, and in a disk image, the lines are made from the records."""
    from verfix.inventory.output import record_line_maker

    line_of = record_line_maker()
    if shown_path is not None or isinstance(root, ImagePath):
        for record in inventory(root, reader, hash_algorithm, stats=stats, host=host,
                                shown_path=shown_path, jobs=jobs):
            yield line_of(record)
        return
    hashes = _check_hashes(hash_algorithm)
    counters = stats if stats is not None else InventoryStats()
    if jobs > 1:
        from verfix.inventory.parallel import lines_in_workers

        yield from lines_in_workers(walk_tuples(root), reader, hashes, jobs, host, counters)
        return
    read = file_reader(reader, hashes, tail=tail_maker(hashes, host))
    yield from lines(_read_here(walk_tuples(root), read), counters, hashes, host)


def _read_here(entries: Iterator[tuple], read: Callable[[Any, bool], Outcome]
               ) -> Iterator[tuple[tuple, Outcome | None]]:
    """(walk entry, outcome) for each entry, in order; None for an entry that is not a file."""
    for entry in entries:
        yield entry, read(entry[0], entry[3]) if entry[1] is FILE else None
