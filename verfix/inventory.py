"""Inventory of every PE file under a folder: a safe streaming walk and one record per PE file."""

from __future__ import annotations

import errno
import operator
import os
from collections import deque
from itertools import islice
import stat
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Callable, Iterator

from verfix.fsio import file_kind, name_hex, name_text, open_readonly, os_reason, pread_upto
from verfix.fsview import ImagePath, Source, close, error_reason, read_at
from verfix.locate import scan_folder
from verfix.pe import HEAD_SIZE, PEReadError, Reader, open_file_reader
from verfix.schemas import SCHEMA_VERSION

if TYPE_CHECKING:
    from pathlib import Path

HASH_ALGORITHMS = ("md5", "sha1", "sha256")
# Folders of up to this many entries are walked sorted by name; a larger one in directory
# order, streamed, so that one folder of a million files costs no more memory than a small one.
SORTED_FOLDER_LIMIT = 65536
HASH_CHUNK_SIZE = 1 << 20  # 1 MiB per read while hashing: memory stays flat for any file size



class EntryKind(str, Enum):
    """What the walk found at one path."""

    FILE = "file"                  # a regular file, or a link to one inside the root: to be read
    SKIPPED = "skipped"            # not read, never opened: ``reason`` says why
    UNREADABLE_DIRECTORY = "unreadable-directory"  # a folder that could not be listed


# Skip reasons: a small fixed set, so counting them by reason costs constant memory.
SKIP_FIFO = file_kind(stat.S_IFIFO)
SKIP_SOCKET = file_kind(stat.S_IFSOCK)
SKIP_DEVICE = file_kind(stat.S_IFCHR)
SKIP_OTHER_TYPE = "not a regular file"
SKIP_LINK_OUTSIDE = "symbolic link leading outside the tree"
SKIP_LINK_TO_DIRECTORY = "symbolic link to a directory (not followed)"
SKIP_LINK_DANGLING = "dangling or looping symbolic link"
SKIP_LINK_TO_SPECIAL = "symbolic link to a FIFO, socket or device"
SKIP_DIRECTORY_SEEN = "directory already visited (bind mount or hard-linked directory)"


@dataclass(frozen=True)
class WalkEntry:
    """One path met by :func:`walk_pe_candidates`."""

    path: str
    kind: EntryKind
    reason: str | None = None   # why SKIPPED or UNREADABLE_DIRECTORY
    via_link: bool = False      # a symbolic link whose target (a regular file) lies inside the root


def _type_skip_reason(mode: int) -> str:
    kind = file_kind(mode)
    return kind if kind in (SKIP_FIFO, SKIP_SOCKET, SKIP_DEVICE) else SKIP_OTHER_TYPE


def _inside(real_path: str, real_root: str) -> bool:
    return real_path == real_root or real_path.startswith(real_root.rstrip(os.sep) + os.sep)


def _classify_link(path: str, real_root: str) -> _Entry:
    """A symbolic link is used only when it ends on a regular file inside the root."""
    try:
        target = os.stat(path)
    except OSError:
        return (path, _SKIPPED, SKIP_LINK_DANGLING, False)
    if not _inside(os.path.realpath(path), real_root):
        return (path, _SKIPPED, SKIP_LINK_OUTSIDE, False)
    if stat.S_ISDIR(target.st_mode):
        return (path, _SKIPPED, SKIP_LINK_TO_DIRECTORY, False)
    if not stat.S_ISREG(target.st_mode):
        return (path, _SKIPPED, SKIP_LINK_TO_SPECIAL, False)
    return (path, _FILE, None, True)


def walk_pe_candidates(root: Path | str) -> Iterator[WalkEntry]:
    """Every entry under ``root``, depth first, names sorted within a folder; never writes.

    Iterative (no recursion limit), one open directory at a time. Links to directories are
    never followed; a link to a file is used only when its real target lies inside ``root``.
    FIFOs, sockets and devices are skipped by their directory entry, never opened. A folder
    that cannot be listed is yielded as UNREADABLE_DIRECTORY with the reason. Folders are
    remembered by (device, inode), so a bind-mount loop is entered once. A folder of more
    than SORTED_FOLDER_LIMIT entries is walked in directory order instead of by name, so
    memory grows with the number of folders, never with the number of files.
    """
    for path, kind, reason, via_link in _walk(root):
        yield WalkEntry(str(path), kind, reason, via_link)


_Entry = tuple  # (path, EntryKind, reason, via_link): a WalkEntry's fields
_FILE, _SKIPPED, _UNREADABLE_DIRECTORY = EntryKind.FILE, EntryKind.SKIPPED, EntryKind.UNREADABLE_DIRECTORY
_name_of = operator.attrgetter("name")


SKIP_REPARSE_POINT = "junction or symbolic link (reparse point; not followed)"
SKIP_LOOP = "directory loop (not entered)"
SKIP_TOO_DEEP = "folders nested too deep (not entered)"


def _walk_image(root: ImagePath) -> Iterator[_Entry]:
    """walk_pe_candidates inside a disk image's volume: the volume's own bounded, loop-checked
    walk; its problems become unreadable-folder entries (a loop, too deep a tree: skips)."""
    volume = root.view.volume
    base = type(root)("/")
    problems = volume.problems
    seen = len(problems)
    for folder, entries in volume.walk(root.inner):
        where = base / folder
        for entry in entries:
            if entry.kind == "file":
                yield (where / entry.name, _FILE, None, False)
            elif entry.kind == "link":
                yield (where / entry.name, _SKIPPED, SKIP_REPARSE_POINT, False)
            elif entry.kind != "dir":
                yield (where / entry.name, _SKIPPED, SKIP_OTHER_TYPE, False)
        while seen < len(problems):
            yield _image_problem(base, *problems[seen])
            seen += 1
    while seen < len(problems):
        yield _image_problem(base, *problems[seen])
        seen += 1


def _image_problem(base: ImagePath, kind: str, folder: str, text: str) -> _Entry:
    if kind == "loop":
        return (base / folder, _SKIPPED, SKIP_LOOP, False)
    if kind == "too deep":
        return (base / folder, _SKIPPED, SKIP_TOO_DEEP, False)
    return (base / folder, _UNREADABLE_DIRECTORY, f"cannot list folder: {text}", False)


def _walk(root: Path | str | ImagePath) -> Iterator[_Entry]:
    """walk_pe_candidates as plain tuples, for the inventory's loop."""
    if isinstance(root, ImagePath):
        yield from _walk_image(root)
        return
    root_path = os.fspath(root)
    real_root = os.path.realpath(root_path)
    try:
        root_info = os.stat(root_path)
    except OSError as error:
        yield (root_path, _UNREADABLE_DIRECTORY, f"cannot list folder: {os_reason(error)}", False)
        return
    if not stat.S_ISDIR(root_info.st_mode):
        if stat.S_ISREG(root_info.st_mode):
            yield (root_path, _FILE, None, False)
        else:
            yield (root_path, _SKIPPED, _type_skip_reason(root_info.st_mode), False)
        return
    visited: set[tuple[int, int]] = {(root_info.st_dev, root_info.st_ino)}
    pending: list[str] = [root_path]
    while pending:
        folder = pending.pop()
        subfolders: list[str] = []
        try:
            # Listed through a descriptor opened with O_NOATIME: the folder's atime stays.
            with scan_folder(folder) as iterator:
                head = list(islice(iterator, SORTED_FOLDER_LIMIT + 1))
                if len(head) <= SORTED_FOLDER_LIMIT:
                    # The usual folder: sorted, classified while open, yielded once it is
                    # closed, so no descriptor is held between records.
                    head.sort(key=_name_of)
                    found = [_classify(folder, entry, real_root, visited, subfolders)
                             for entry in head]
                    del head
                else:
                    found = None
                    # A huge folder: in directory order, as it is listed, so memory stays
                    # flat; its descriptor stays open while its records go out.
                    entries = deque(head)
                    del head
                    while entries:
                        entry = entries.popleft()
                        item = _classify(folder, entry, real_root, visited, subfolders)
                        if item is not None:
                            yield item
                    for entry in iterator:
                        item = _classify(folder, entry, real_root, visited, subfolders)
                        if item is not None:
                            yield item
        except OSError as error:
            found = [(folder, _UNREADABLE_DIRECTORY, f"cannot list folder: {os_reason(error)}", False)]
        if found is not None:
            for item in found:
                if item is not None:
                    yield item
            del found
        pending.extend(reversed(subfolders))


def _classify(folder: str, entry: os.DirEntry[str], real_root: str,
              visited: set[tuple[int, int]], subfolders: list[str]) -> _Entry | None:
    """The walk's entry for one listed name; None for a folder (added to ``subfolders``)."""
    path = os.path.join(folder, entry.name)
    try:
        if entry.is_symlink():
            return _classify_link(path, real_root)
        if entry.is_file(follow_symlinks=False):
            return (path, _FILE, None, False)
        if entry.is_dir(follow_symlinks=False):
            info = entry.stat(follow_symlinks=False)
            key = (info.st_dev, info.st_ino)
            if key in visited:
                return (path, _SKIPPED, SKIP_DIRECTORY_SEEN, False)
            visited.add(key)
            subfolders.append(path)
            return None
        mode = entry.stat(follow_symlinks=False).st_mode
        return (path, _SKIPPED, _type_skip_reason(mode), False)
    except OSError:  # the entry vanished or its inode cannot be read: let the open report
        return (path, _FILE, None, False)  # (or skip) it


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
            raise _NotRegular(_type_skip_reason(info.st_mode))
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
    for path, kind, reason, via_link in _walk(root):
        text = path if as_text is None else as_text(path)
        shown = text if shown_path is None else shown_path(text)
        if kind is not _FILE:
            if kind is _SKIPPED:
                reason = reason or SKIP_OTHER_TYPE
                skipped[reason] = skipped.get(reason, 0) + 1
            else:  # _UNREADABLE_DIRECTORY
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
