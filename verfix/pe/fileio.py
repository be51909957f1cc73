"""Bounded file I/O for the PE readers: regular files only, exact reads, one buffer."""

from __future__ import annotations

import os
import stat
import struct

from verfix.fsio import file_kind, open_readonly, os_reason
from verfix.fsview import ImagePath, Source, read_at
from verfix.pe.format import CHUNK_SIZE, HEAD_SIZE
from verfix.pe.types import PEReadError

_WORD = struct.Struct("<H")


def open_regular_file(path: str) -> tuple[int, int]:
    """Open ``path`` read-only without blocking or touching atime; return (fd, size).

    Anything but a regular file is refused before (and after) opening, so FIFOs and
    devices are never read.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        raise PEReadError(os_reason(error)) from None
    if not stat.S_ISREG(mode):
        raise PEReadError(f"not a regular file ({file_kind(mode)})")
    try:
        fd = open_readonly(path)
    except OSError as error:
        raise PEReadError(os_reason(error)) from None
    try:
        info = os.fstat(fd)
    except OSError as error:
        os.close(fd)
        raise PEReadError(os_reason(error)) from None
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise PEReadError(f"not a regular file ({file_kind(info.st_mode)})")
    return fd, info.st_size


def open_source(path: str | os.PathLike[str] | ImagePath) -> tuple[Source, int]:
    """(source, size) of a file to read: a descriptor from :func:`open_regular_file`, or for a
    path inside a disk image its file object (both read by :func:`pread_upto`, closed by
    ``verfix.fsview.close``); PEReadError with the reason."""
    if isinstance(path, ImagePath):
        try:
            file = path.view.open(path)
        except OSError as error:
            raise PEReadError(error.strerror or str(error)) from None
        return file, file.size
    return open_regular_file(os.fspath(path))


def pread_upto(fd: Source, offset: int, length: int) -> bytes:
    """Up to ``length`` bytes at ``offset`` (fewer only at the end of the file) of a
    descriptor or a file inside a disk image (see verfix.fsview); PEReadError with the
    reason when the read fails."""
    try:
        return read_at(fd, offset, length)
    except OSError as error:
        raise PEReadError(error.strerror if not isinstance(fd, int) and error.strerror
                          else os_reason(error)) from None


def check_head_length(head: bytes, size: int) -> None:
    """A head shorter than the size fstat gave means the file was cut while being read."""
    if len(head) < min(size, HEAD_SIZE):
        raise PEReadError(f"truncated: the file shrank while it was read ({size} bytes, then {len(head)})")


class BoundedFile:
    """Bounded, cached pread access to one open file: one buffer of file bytes at a time."""

    __slots__ = ("fd", "size", "base", "buffer")

    def __init__(self, fd: Source, size: int, head: bytes) -> None:
        self.fd = fd
        self.size = size
        self.base = 0          # file offset of buffer[0]
        self.buffer = head     # bytes read from the file (fewer than asked only at its end)

    def view(self, offset: int, length: int, what: str) -> int:
        """Make the ``length`` bytes at ``offset`` available in ``self.buffer``; return their
        position there, or raise PEReadError("truncated: <what>") when the file is too short."""
        position = offset - self.base
        if 0 <= position and position + length <= len(self.buffer):
            return position
        if offset + length > self.size:
            raise PEReadError(f"truncated: {what} at 0x{offset:x} runs past the end of the file")
        data = pread_upto(self.fd, offset, max(length, CHUNK_SIZE))
        if len(data) < length:
            raise PEReadError(f"truncated: {what} at 0x{offset:x} runs past the end of the file")
        self.base, self.buffer = offset, data
        return 0

    def read(self, offset: int, length: int, what: str) -> bytes:
        """Exactly ``length`` bytes at ``offset``, or PEReadError("truncated: <what>")."""
        position = self.view(offset, length, what)
        return self.buffer[position:position + length]

    def read_version(self, offset: int, size: int) -> bytes:
        """The version resource at ``offset``: up to ``size`` bytes, of which at least the
        block's own wLength must be in the file (a data entry may overstate its size)."""
        if offset >= self.size:
            raise PEReadError(f"truncated: version resource at 0x{offset:x} "
                              "is past the end of the file")
        length = min(size, self.size - offset)
        position = offset - self.base
        if 0 <= position and position + length <= len(self.buffer):
            data = self.buffer[position:position + length]  # usually read with the directories
        else:
            data = pread_upto(self.fd, offset, length)
        needed = min(_WORD.unpack_from(data)[0], size) if len(data) >= 2 else size
        if len(data) < needed or len(data) < 2:
            raise PEReadError(f"truncated: version resource at 0x{offset:x} "
                              "runs past the end of the file")
        return data

