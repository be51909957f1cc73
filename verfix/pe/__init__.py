"""Reading the version resource of a PE file: the one interface the rest of verfix uses.

``read_pe_file(path, reader)`` reads a file by path; ``read_pe_open(fd, size, head, reader)``
reads a file already opened (and vetted) by the caller, as the inventory does. Inside:
:mod:`.types` (results, errors), :mod:`.fileio` (bounded file I/O), :mod:`.fast` (verfix's
own reader), :mod:`.pefile_reader` (pefile, the reference), :mod:`.reference` (the plain
algorithms the fast paths are tested against).
"""

from __future__ import annotations

import os
from pathlib import PurePath
from typing import Callable

from verfix.fsview import ImagePath, Source
from verfix.pe.format import HEAD_SIZE
from verfix.pe.types import NotPEError, PEInfo, PEReadError, Reader

__all__ = ["HEAD_SIZE", "NotPEError", "PEInfo", "PEReadError", "Reader", "open_file_reader",
           "read_pe_file", "read_pe_open"]


def read_pe_file(path: str | os.PathLike[str] | PurePath, reader: Reader = Reader.FAST) -> PEInfo:
    """Read one file's version information, or raise PEReadError with the reason.

    A PE without a version resource is not an error: its PEInfo has
    ``has_version_resource=False`` and ``version_problem="no version resource"``.
    ``path`` may lie inside a disk image (an ImagePath): its bytes then come through its view.
    """
    if isinstance(path, ImagePath):
        return _read_in_image(path, reader)
    path = os.fspath(path)
    if Reader(reader) is Reader.PEFILE:
        from verfix.pe import pefile_reader  # imported on demand: pefile is a large module

        return pefile_reader.read(path)
    from verfix.pe import fast

    return fast.read(path)


def read_pe_open(fd: Source, size: int, head: bytes, reader: Reader = Reader.FAST) -> PEInfo:
    """Read an open regular file (the caller fstat'ed it and closes it): ``size`` is its
    size, ``head`` its first HEAD_SIZE bytes (fewer only when the file is shorter). ``fd`` is
    a descriptor, or a file inside a disk image (see verfix.fsview)."""
    return open_file_reader(reader)(fd, size, head)


def open_file_reader(reader: Reader = Reader.FAST) -> Callable[[Source, int, bytes], PEInfo]:
    """The ``read_pe_open`` of one reader, looked up once for a loop over many files."""
    if Reader(reader) is Reader.PEFILE:
        from verfix.pe import pefile_reader

        return pefile_reader.read_open
    from verfix.pe import fast

    return fast.read_open


def _read_in_image(path: ImagePath, reader: Reader) -> PEInfo:
    """Read a file inside a disk image through its view: the same bounded reads as a folder's."""
    from verfix.fsview import close
    from verfix.pe.fileio import open_source, pread_upto

    file, size = open_source(path)
    try:
        if size == 0:
            raise NotPEError("empty file")
        return read_pe_open(file, size, pread_upto(file, 0, HEAD_SIZE), reader)
    finally:
        close(file)
