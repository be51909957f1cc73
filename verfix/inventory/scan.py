"""The inventory itself: each file the walk finds is opened once, its head read, and a PE
file's versions read from the same descriptor (and its digests when asked for)."""

from __future__ import annotations

import errno
import os
import stat
from typing import TYPE_CHECKING, Callable, Iterator

from verfix.fsio import open_readonly, pread_upto
from verfix.fsview import ImagePath, Source, close, error_reason, read_at
from verfix.inventory.records import HASH_ALGORITHMS, InventoryRecord, InventoryStats, parse_hashes
from verfix.inventory.walk import (FILE, SKIP_LINK_DANGLING, SKIP_OTHER_TYPE, SKIPPED, type_skip_reason,
                                   walk_tuples)
from verfix.pe import HEAD_SIZE, PEReadError, Reader, open_file_reader

if TYPE_CHECKING:
    from pathlib import Path

HASH_CHUNK_SIZE = 1 << 20  # 1 MiB per read while hashing: memory stays flat for any file size


def _hash_open_file(fd: Source, algorithms: tuple[str, ...], head: bytes) -> dict[str, str]:
    """Every digest of the file in one pass: ``head`` (its first bytes, already read), then
    the rest in chunks of HASH_CHUNK_SIZE."""
    import hashlib

    digests = [getattr(hashlib, name)() for name in algorithms]
    chunk, offset = head, 0
    while chunk:
        for digest in digests:
            digest.update(chunk)
        offset += len(chunk)
        if offset == len(head) and len(head) < HEAD_SIZE:
            break  # the head was short: it is the whole file
        chunk = read_at(fd, offset, HASH_CHUNK_SIZE)
    return {name: digest.hexdigest() for name, digest in zip(algorithms, digests)}


class _NotRegular(Exception):
    """The path turned out not to be a regular file once opened (replaced since the walk)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _open_with_head(path: str | ImagePath, follow_link: bool) -> tuple[Source, int, bytes]:
    """(fd, size, first HEAD_SIZE bytes) of a file the walk found; _NotRegular when it is no
    longer a regular file (it is not read then), OSError when it cannot be opened or read."""
    if isinstance(path, ImagePath):
        file = path.view.open(path)
        try:
            return file, file.size, read_at(file, 0, HEAD_SIZE)
        except BaseException:
            file.close()
            raise
    try:
        fd = open_readonly(path, follow_links=follow_link)  # non-blocking, atime untouched
    except OSError as error:
        if error.errno == errno.ELOOP and not follow_link:
            raise _NotRegular(SKIP_LINK_DANGLING) from None  # became a link since the walk
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _NotRegular(type_skip_reason(info.st_mode))
        head = pread_upto(fd, 0, HEAD_SIZE)
    except BaseException:
        os.close(fd)
        raise
    return fd, info.st_size, head


def inventory(
    root: Path | str | ImagePath,
    reader: Reader = Reader.FAST,
    hash_algorithm: str | tuple[str, ...] | None = None,
    *,
    stats: InventoryStats | None = None,
    host: str | None = None,
    shown_path: Callable[[str], str] | None = None,
) -> Iterator[InventoryRecord]:
    """Yield a record for every PE file under ``root`` (and for what could not be read).

    A file counts as PE when its first two bytes are "MZ"; other files are counted in
    ``stats.not_pe`` and not reported. Skipped entries (FIFOs, links out of the tree, ...)
    are counted by reason in ``stats.skipped``. Nothing is kept per file: pass ``stats`` to
    read the counters while iterating. ``hash_algorithm``: None, a name or several
    ("md5,sha1,sha256" or a tuple), all computed in the one read. ``host`` is written on
    every record; ``shown_path`` turns each path into the one recorded (e.g. a Windows path).
    """
    hashes = hash_algorithm if isinstance(hash_algorithm, tuple) else parse_hashes(hash_algorithm)
    for name in hashes:
        if name not in HASH_ALGORITHMS:
            raise ValueError(f"unsupported hash algorithm {name!r}; use one of {HASH_ALGORITHMS}")
    counters = stats if stats is not None else InventoryStats()
    skipped = counters.skipped
    record_of = InventoryRecord._from_fields
    read_open = open_file_reader(reader)
    as_text = str if isinstance(root, ImagePath) else None  # report paths are text
    for path, kind, reason, via_link in walk_tuples(root):
        text = path if as_text is None else as_text(path)
        shown = text if shown_path is None else shown_path(text)
        if kind is not FILE:
            if kind is SKIPPED:
                reason = reason or SKIP_OTHER_TYPE
                skipped[reason] = skipped.get(reason, 0) + 1
            else:  # UNREADABLE_DIRECTORY
                counters.unreadable_folders += 1
                yield InventoryRecord(shown, error=reason, hashes=hashes, host=host)
            continue
        # One open per file: its head decides "MZ"; the hash and the reader go on from
        # the same fd, which is closed before anything is yielded.
        try:
            fd, size, head = _open_with_head(path, via_link)
        except _NotRegular as replaced:
            skipped[replaced.reason] = skipped.get(replaced.reason, 0) + 1
            continue
        except OSError as error:
            counters.files_seen += 1
            counters.unreadable_files += 1
            yield InventoryRecord(shown, error=f"cannot read: {error_reason(error)}", hashes=hashes, host=host)
            continue
        is_pe = head[:2] == b"MZ"
        info = problem = failure = None
        digests: dict[str, str] = {}
        try:
            if is_pe:
                if hashes:
                    digests = _hash_open_file(fd, hashes, head)
                try:
                    info = read_open(fd, size, head)
                except PEReadError as error:
                    problem = str(error)
        except OSError as error:
            failure = error
        finally:
            try:
                close(fd)
            except OSError as error:
                failure = failure or error
        if failure is not None:
            counters.files_seen += 1
            counters.unreadable_files += 1
            yield InventoryRecord(shown, error=f"cannot read: {error_reason(failure)}", hashes=hashes, host=host)
            continue
        counters.files_seen += 1
        counters.bytes_seen += size
        if not is_pe:
            counters.not_pe += 1
            continue
        counters.pe_files += 1
        if info is None:
            counters.read_errors += 1
            yield InventoryRecord(shown, size=size, error=problem, hashes=hashes, host=host,
                                  **digests)
            continue
        file_version = info.file_version
        if file_version is None:
            counters.no_version += 1
        product_version = info.product_version
        yield record_of({
            "path": shown,
            "size": size,
            "file_version": None if file_version is None else str(file_version),
            "file_version_string": info.file_version_string,
            "product_name": info.product_name,
            "product_version": None if product_version is None else str(product_version),
            "product_version_string": info.product_version_string,
            "company_name": info.company_name,
            "file_description": info.file_description,
            "original_filename": info.original_filename,
            "internal_name": info.internal_name,
            "legal_copyright": info.legal_copyright,
            "machine": info.machine,
            "md5": digests.get("md5"),
            "sha1": digests.get("sha1"),
            "sha256": digests.get("sha256"),
            "error": None if file_version is not None else (info.version_problem or "no file version"),
            "hashes": hashes,
            "host": host,
        })
