"""The one file-system view that discovery, lookups, the readers, check and inventory use.

A path is either an ordinary path (a folder on this machine, read through the OS) or an
:class:`ImagePath`: a path inside one volume of a disk image, which carries its
:class:`VolumeView` and prints as ``server.E01#p1:/EXCHSRVR/BIN/EMSMTA.EXE``. Callers ask
:func:`view_of` for the view of a path and use only its methods; files are opened as a
*source* of bytes (an OS descriptor, or an image file object) and read with :func:`read_at`.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import PurePath, PurePosixPath
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from verfix.fsio import (
    InputFileError,
    file_kind,
    os_reason,
    pread_upto,
    read_bounded,
)

if TYPE_CHECKING:
    from verfix.image.volume import Volume


class FileObject(Protocol):
    """A file inside an image, opened for bounded reads."""

    size: int

    def read_at(self, offset: int, length: int) -> bytes: ...

    def close(self) -> None: ...


#: Where a reader gets bytes: an OS file descriptor, or a file inside an image.
Source = int | FileObject


def read_at(source: Source, offset: int, length: int) -> bytes:
    """Up to ``length`` bytes at ``offset`` of ``source`` (fewer only at its end); OSError."""
    if isinstance(source, int):
        return pread_upto(source, offset, length)
    return source.read_at(offset, length)


def error_reason(error: OSError) -> str:
    """A one-line reason for an OSError: the view's own text when it gave one (an image's
    errors say what is damaged), else fsio.os_reason's ("permission denied", ...)."""
    text = error.strerror
    if text and error.errno is not None and text != os.strerror(error.errno):
        return text
    return os_reason(error)


def close(source: Source) -> None:
    """Close a source opened by a view."""
    if isinstance(source, int):
        os.close(source)
    else:
        source.close()


@dataclass(frozen=True)
class Kind:
    """What an entry is ("file", "directory", "link", "FIFO (named pipe)", ...) and its size."""

    name: str
    size: int = 0

    @property
    def is_file(self) -> bool:
        return self.name == "file"

    @property
    def is_dir(self) -> bool:
        return self.name == "directory"


class ImagePath(PurePosixPath):
    """A path inside one volume of a disk image. Each volume has its own subclass (made by
    :func:`image_root`) holding the view and the printed prefix; ``/``, ``parent`` and the
    like keep it. A relative one (``relative_to``) prints as its bare parts. It is never handed
    to the OS: ``os.fspath`` of it raises TypeError."""

    view: ClassVar[VolumeView]
    prefix: ClassVar[str]

    def __str__(self) -> str:
        inner = super().__str__()
        return self.prefix + inner if inner.startswith("/") else inner  # relative: just the parts

    def __repr__(self) -> str:
        return f"ImagePath({str(self)!r})"

    def __fspath__(self) -> str:
        raise TypeError(f"{self} is inside a disk image: read it through its view")

    @property
    def inner(self) -> str:
        """The path inside the volume: ``/EXCHSRVR/BIN``."""
        return PurePosixPath.__str__(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ImagePath) and other.prefix == self.prefix and other.inner == self.inner

    def __hash__(self) -> int:
        return hash((self.prefix, self.inner))


def image_root(volume: Volume, image_name: str, label: str) -> ImagePath:
    """The root folder of ``volume``, printed as ``<image_name>#<label>:/``."""
    view = VolumeView(volume)
    cls = type(f"ImagePath_{label}", (ImagePath,), {"view": view, "prefix": f"{image_name}#{label}:"})
    return cls("/")


def view_of(path: str | os.PathLike[str] | PurePath) -> OSView | VolumeView:
    """The view that reads ``path``."""
    if isinstance(path, ImagePath):
        return path.view
    return OS_VIEW


class OSView:
    """Folders on this machine: listed through O_NOATIME descriptors. Files are opened by the
    folder code itself (locate, the readers, inventory), which vets links and file types first."""

    in_image = False

    def names(self, folder: Any) -> list[str]:
        """The entry names of ``folder``; OSError when it cannot be listed."""
        from verfix.locate import iter_names

        return list(iter_names(folder))

    def kind(self, path: Any, follow_links: bool = True) -> Kind:
        """What ``path`` is (following a final link unless told not to); OSError."""
        info = os.stat(path) if follow_links else os.lstat(path)
        mode = info.st_mode
        if stat.S_ISREG(mode):
            return Kind("file", info.st_size)
        if stat.S_ISDIR(mode):
            return Kind("directory")
        return Kind("link" if stat.S_ISLNK(mode) else file_kind(mode))

    def read_bounded(self, path: Any, limit: int, follow_links: bool = True) -> bytes:
        """The whole of a small regular file (see fsio.read_bounded); InputFileError."""
        return read_bounded(path, limit, follow_links=follow_links)


OS_VIEW = OSView()

_KIND_NAMES = {"file": "file", "dir": "directory", "link": "link", "other": "special file"}


class VolumeView:
    """One NTFS or FAT volume of a disk image (verfix.image.volume.Volume); read-only.

    Links (NTFS reparse points: junctions, symbolic links) are never followed: they are
    reported as "link" entries. Its methods take the ImagePaths of its own volume.
    """

    in_image = True

    def __init__(self, volume: Volume) -> None:
        self.volume = volume

    def names(self, folder: Any) -> list[str]:
        return [entry.name for entry in self.volume.list_dir(folder.inner)]

    def kind(self, path: Any, follow_links: bool = True) -> Kind:
        entry = self.volume.stat(path.inner)
        return Kind(_KIND_NAMES[entry.kind], entry.size)

    def open(self, path: Any, follow_links: bool = True) -> FileObject:
        return self.volume.open(path.inner)

    def read_bounded(self, path: Any, limit: int, follow_links: bool = True) -> bytes:
        try:
            with self.volume.open(path.inner) as file:
                if file.size > limit:
                    raise InputFileError(f"larger than {limit} bytes ({file.size}); not read")
                return file.read_at(0, file.size)
        except OSError as error:
            if error.errno in (errno.EISDIR, errno.EINVAL):
                raise InputFileError(f"not a regular file ({error.strerror})") from None
            raise InputFileError(f"cannot read: {error.strerror or os_reason(error)}") from None
