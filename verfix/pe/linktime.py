"""A PE file's link time: the COFF header's TimeDateStamp, read from the file's first bytes.

Used as evidence for table rows without a version (``verfix.evidence``); pefile's
``FILE_HEADER.TimeDateStamp`` is the reference (tests/test_linktime.py compares them).
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import PurePath

from verfix.fsview import close
from verfix.pe.fileio import check_head_length, open_source, pread_upto
from verfix.pe.format import HEAD_SIZE, check_dos_and_pe_signature
from verfix.pe.types import PEReadError

_COFF_SIZE = 20


@dataclass(frozen=True)
class LinkInfo:
    """The file's size and its COFF TimeDateStamp (seconds since 1970, UTC; 0 when unset)."""

    size: int
    time_date_stamp: int


def read_link_info(path: str | os.PathLike[str] | PurePath) -> LinkInfo:
    """Size and link time of one PE file (in a folder or inside a disk image); NotPEError /
    PEReadError (one-line reason) otherwise."""
    fd, size = open_source(path)
    try:
        head = pread_upto(fd, 0, HEAD_SIZE)
        check_head_length(head, size)

        def at(offset: int, length: int) -> bytes:
            return head[offset:offset + length] if offset + length <= len(head) else pread_upto(fd, offset, length)

        lfanew = check_dos_and_pe_signature(head, size, lambda offset: at(offset, 4))
        coff = at(lfanew + 4, _COFF_SIZE)
        if len(coff) < _COFF_SIZE:
            raise PEReadError(f"truncated: COFF header at 0x{lfanew + 4:x} is past the end of the file")
        (stamp,) = struct.unpack_from("<I", coff, 4)
        return LinkInfo(size, stamp)
    finally:
        close(fd)
