"""A read-only view of one NTFS or FAT volume inside a disk image (libfsntfs, libfsfat).

Paths are ``/``-separated, each part an entry name exactly as on disk (case-insensitive
lookups are the caller's: it lists a folder and picks). Problems come out as OSError with an
errno and a one-line ``strerror`` (ENOENT, ENOTDIR, EISDIR, ELOOP for a directory loop, EIO for
damage), the way a folder on a mounted image reports them. Files are read at offsets, in
bounded pieces; no listing grows without limit and no loop in the directory tree is followed.
"""

from __future__ import annotations

import errno
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from verfix.image.errors import ImageError, io_error, one_line
from verfix.image.media import Media, binding
from verfix.image.partitions import Partition

if TYPE_CHECKING:
    from typing_extensions import Self

MAX_ENTRIES = 100_000   # entries read from one folder
MAX_DEPTH = 64          # folder levels followed by a walk or a path
CACHED_FOLDERS = 256    # folder listings kept for lookups…
CACHED_ENTRIES = 200_000  # …holding no more entries than this in all
_NTFS_RESERVED = 16     # MFT entries 0-15: $MFT, $LogFile, … $Extend: hidden, as Windows does
_FAT_DIRECTORY = 0x10
_NTFS_REPARSE_POINT = 0x400


@dataclass(frozen=True)
class Entry:
    """One folder entry: its name as on disk, ``kind`` ("file", "dir", "link" or "other"), size."""

    name: str
    kind: str
    size: int


class PartitionFile:
    """The bytes of one partition as a file object, for libfsntfs/libfsfat."""

    def __init__(self, media: Media, partition: Partition) -> None:
        self.media = media
        self.start = partition.start
        self.size = partition.size
        self.position = 0

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self.size - self.position
        size = max(min(size, self.size - self.position), 0)
        data = self.media.read_at(self.start + self.position, size)
        self.position += len(data)
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        self.position = (0, self.position, self.size)[whence] + offset
        return self.position

    def tell(self) -> int:
        return self.position

    def get_size(self) -> int:
        return self.size


class VolumeFile:
    """One open file of a volume: ``size`` and :meth:`read_at`."""

    def __init__(self, path: str, handle: Any, size: int) -> None:
        self.path = path
        self.size = size
        self._handle = handle

    def read_at(self, offset: int, length: int) -> bytes:
        """Up to ``length`` bytes at ``offset`` (fewer only at the end of the file)."""
        if offset >= self.size or length <= 0:
            return b""
        length = min(length, self.size - offset)
        try:
            return bytes(self._handle.read_buffer_at_offset(length, offset))
        except OSError as exc:
            raise io_error(f"cannot read {self.path} at offset {offset}: {one_line(exc)}") from None

    def close(self) -> None:
        self._handle = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def file_system_of(boot_sector: bytes) -> str | None:
    """``"NTFS"`` or ``"FAT"`` for a volume boot sector, else None."""
    if boot_sector[3:11] == b"NTFS    ":
        return "NTFS"
    if boot_sector[54:59] in (b"FAT12", b"FAT16") or boot_sector[82:87] == b"FAT32":
        return "FAT"
    return None


class Volume:
    """An NTFS or FAT volume of a partition, opened read-only."""

    def __init__(self, media: Media, partition: Partition) -> None:
        self.partition = partition
        self.warnings: list[str] = []
        #: What walks met, as (kind, folder, text): kind is "unreadable", "loop" or "too deep".
        self.problems: list[tuple[str, str, str]] = []
        try:
            boot = media.read_at(partition.start, 512)
        except OSError as exc:
            raise ImageError(f"{partition.label}: cannot read the boot sector: {exc.strerror}") from None
        kind = file_system_of(boot)
        if kind is None:
            raise ImageError(f"{partition.label} ({partition.kind}) holds no NTFS or FAT file system")
        self.file_system = kind
        module = binding("pyfsntfs" if kind == "NTFS" else "pyfsfat")
        self._volume = module.volume()
        try:
            self._volume.open_file_object(PartitionFile(media, partition))
            self._root = self._volume.get_root_directory()
        except OSError as exc:
            raise ImageError(f"{partition.label}: cannot open the {kind} volume: {one_line(exc)}") from None
        self._listings: OrderedDict[str, dict[str, tuple[Entry, Any]]] = OrderedDict()
        self._cached = 0  # entries held in _listings

    # -- entries ----------------------------------------------------------------------

    def _describe(self, handle: Any) -> Entry:
        # A damaged record may lack any attribute: the bindings then give None.
        name = handle.name or ""
        flags = handle.file_attribute_flags or 0
        if self.file_system == "FAT":
            kind = "dir" if flags & _FAT_DIRECTORY else "file"
        elif flags & _NTFS_REPARSE_POINT:
            kind = "link"
        elif handle.has_directory_entries_index():
            kind = "dir"
        elif handle.has_default_data_stream():
            kind = "file"
        else:
            kind = "other"
        return Entry(name, kind, (handle.size or 0) if kind == "file" else 0)

    def _key(self, handle: Any, children: dict[str, tuple[Entry, Any]] | None) -> object:
        """What identifies a folder's storage, to tell a loop: its MFT entry (NTFS), or where its
        first entry lies (FAT, whose folders have no number); None for an empty FAT folder."""
        if self.file_system == "NTFS":
            reference = handle.file_reference
            return None if reference is None else reference & 0xFFFF_FFFF_FFFF
        if handle is self._root:
            return "root"
        if not children:
            return None
        identifiers = [child.identifier for _, child in children.values() if child.identifier is not None]
        return min(identifiers) if identifiers else None

    def _children(self, handle: Any, path: str) -> dict[str, tuple[Entry, Any]]:
        """The entries of one folder by exact name (cached; capped at MAX_ENTRIES)."""
        cache_key = path  # a path names one folder: names are exact, a loop is refused first
        cached = self._listings.get(cache_key)
        if cached is not None:
            self._listings.move_to_end(cache_key)
            return cached
        children: dict[str, tuple[Entry, Any]] = {}
        try:
            count = handle.number_of_sub_file_entries
            if count > MAX_ENTRIES:
                self.warnings.append(f"{path}: more than {MAX_ENTRIES} entries; the rest not read")
                count = MAX_ENTRIES
            for index in range(count):
                child = handle.get_sub_file_entry(index)
                if (self.file_system == "NTFS" and handle is self._root
                        and (child.file_reference or 0) & 0xFFFF_FFFF_FFFF < _NTFS_RESERVED):
                    continue
                entry = self._describe(child)
                if entry.name and entry.name not in (".", ".."):
                    children.setdefault(entry.name, (entry, child))
        except OSError as exc:
            raise io_error(f"cannot list {path}: {one_line(exc)}") from None
        self._listings[cache_key] = children
        self._cached += len(children)
        while len(self._listings) > 1 and (len(self._listings) > CACHED_FOLDERS or self._cached > CACHED_ENTRIES):
            _, dropped = self._listings.popitem(last=False)
            self._cached -= len(dropped)
        return children

    def _resolve(self, path: str) -> tuple[Entry, Any]:
        """The entry at ``path``, each folder on the way checked against a loop."""
        parts = [part for part in path.split("/") if part]
        if len(parts) > MAX_DEPTH:
            raise OSError(errno.ELOOP, f"more than {MAX_DEPTH} folder levels")
        handle = self._root
        entry = Entry("", "dir", 0)
        seen: dict[object, str] = {}
        shown = ""
        for part in parts:
            if entry.kind != "dir":
                raise OSError(errno.ENOTDIR, f"{shown} is not a folder")
            children = self._children(handle, shown or "/")
            key = self._key(handle, children)
            if key is not None and key in seen:
                raise OSError(errno.ELOOP, f"directory loop: {shown} is {seen[key]} again")
            seen[key] = shown or "/"
            found = children.get(part)
            shown = f"{shown}/{part}"
            if found is None:
                raise OSError(errno.ENOENT, f"{shown} does not exist")
            entry, handle = found
        return entry, handle

    # -- the view ---------------------------------------------------------------------

    def stat(self, path: str) -> Entry:
        """The entry at ``path`` (the root is a nameless folder)."""
        return self._resolve(path)[0]

    def list_dir(self, path: str) -> list[Entry]:
        """The entries of the folder ``path``, names as on disk, sorted by name."""
        entry, handle = self._resolve(path)
        if entry.kind != "dir":
            raise OSError(errno.ENOTDIR, f"{path} is not a folder")
        children = self._children(handle, path)
        return [children[name][0] for name in sorted(children)]

    def open(self, path: str) -> VolumeFile:
        """Open the regular file ``path`` for bounded reads."""
        entry, handle = self._resolve(path)
        if entry.kind == "dir":
            raise OSError(errno.EISDIR, f"{path} is a folder")
        if entry.kind != "file":
            raise OSError(errno.EINVAL, f"{path} is not a regular file ({entry.kind})")
        return VolumeFile(path, handle, entry.size)

    def walk(self, top: str = "/") -> Iterator[tuple[str, list[Entry]]]:
        """(folder path, its entries) for ``top`` and every folder beneath it, depth first.

        A folder that cannot be listed, a loop and too deep a tree add a line to ``warnings``
        (and to ``problems``) and are not entered; the walk goes on with the rest.
        """
        start = "/" + "/".join(part for part in top.split("/") if part)
        try:
            entry, handle = self._resolve(start)
        except OSError as exc:
            self._problem("unreadable", start, f"{start}: {exc.strerror}")
            return
        stack: list[tuple[str, Any, dict[object, str]]] = [(start, handle, {})]
        while stack:
            path, handle, ancestors = stack.pop()
            try:
                children = self._children(handle, path)
            except OSError as exc:
                self._problem("unreadable", path, exc.strerror or str(exc))
                continue
            key = self._key(handle, children)
            if key is not None and key in ancestors:
                self._problem("loop", path, f"directory loop: {path} is {ancestors[key]} again; not entered")
                continue
            yield path, [children[name][0] for name in sorted(children)]
            if path.count("/") >= MAX_DEPTH:
                self._problem("too deep", path, f"{path}: more than {MAX_DEPTH} folder levels; not entered")
                continue
            inner = {**ancestors, key: path} if key is not None else ancestors
            for name in sorted(children, reverse=True):
                entry, child = children[name]
                if entry.kind == "dir":
                    stack.append((f"{path.rstrip('/')}/{name}", child, inner))

    def _problem(self, kind: str, path: str, text: str) -> None:
        self.warnings.append(text)
        self.problems.append((kind, path, text))

    def close(self) -> None:
        """Close the volume (its files can no longer be read)."""
        self._listings.clear()
        self._cached = 0
        try:
            self._volume.close()
        except OSError:
            pass
