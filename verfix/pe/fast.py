"""verfix's own PE version reader: reads only the bytes on the RT_VERSION path, with hard caps."""

from __future__ import annotations

import os
import struct

from verfix.fsview import Source
from verfix.pe.fileio import BoundedFile, check_head_length, open_regular_file, pread_upto
from verfix.pe.format import (HEAD_SIZE, MACHINES, MAX_ROOT_ENTRIES, MAX_SECTIONS,
                              MAX_VERSION_SIZE, RT_VERSION, check_dos_and_pe_signature,
                              machine_name)
from verfix.pe.sections import SECTION, SectionMap
from verfix.pe.types import NotPEError, PEInfo, PEReadError
from verfix.pe.versioninfo import parse_version_info

_TWO_WORDS = struct.Struct("<HH")        # a version block's wLength, wValueLength
_TWO_DWORDS = struct.Struct("<II")
_WORD = struct.Struct("<H")
_DWORD = struct.Struct("<I")
_FIRST_ENTRY = struct.Struct("<12xHH4xI")  # a resource directory's counts, first OffsetToData
# From the PE signature: the signature, Machine, NumberOfSections, SizeOfOptionalHeader, the
# optional header's Magic, SectionAlignment, FileAlignment, then NumberOfRvaAndSizes and the
# resource directory's RVA where a PE32 has them and where a PE32+ has them.
_HEADERS = struct.Struct("<4sHH12xH2xH30xII52xI12xII12xI")
_RT_VERSION_ID = _DWORD.pack(RT_VERSION)
# The headers read up to the resource data directory entry: PE signature (4), COFF header (20),
# optional header up to its data directories (at most 112), export, import, resource (24).
_HEADERS_SPAN = 4 + 20 + 112 + 24


def _data_directories_at(magic: int) -> int:
    """Where the data directories start in an optional header: PE32 or PE32+."""
    if magic == 0x10B:
        return 96
    if magic == 0x20B:
        return 112
    raise PEReadError(f"not a PE file (optional header magic 0x{magic:x})")


def _parse_headers(file: BoundedFile, head: bytes) -> tuple[str, int, SectionMap | None]:
    """Return (machine, resource directory RVA or 0, image map)."""
    if file.size >= 0x40 and len(head) >= 0x40 and head[:2] == b"MZ":
        (lfanew,) = _DWORD.unpack_from(head, 0x3C)
        if lfanew + _HEADERS_SPAN <= len(head):
            fields = _HEADERS.unpack_from(head, lfanew)
            if fields[0] == b"PE\0\0":
                return _headers_in_head(file, head, lfanew, fields)
    return _parse_headers_by_reads(file, head)


def _headers_in_head(file: BoundedFile, head: bytes, lfanew: int, fields: tuple
                     ) -> tuple[str, int, SectionMap | None]:
    """The usual case of _parse_headers: every header field lies in the head, unpacked in one
    call as ``fields`` (_HEADERS); the section table may lie further on."""
    (_, machine_code, section_count, optional_size, magic, section_alignment, file_alignment,
     count_32, count_64, rva_32, rva_64) = fields
    if magic == 0x10B:
        directory_count, resource_rva = count_32, rva_32
    elif magic == 0x20B:
        directory_count, resource_rva = count_64, rva_64
    else:
        raise PEReadError(f"not a PE file (optional header magic 0x{magic:x})")
    machine = MACHINES.get(machine_code) or machine_name(machine_code)
    if directory_count <= 2 or resource_rva == 0:
        return machine, 0, None
    count = min(section_count, MAX_SECTIONS)
    position = file.view(lfanew + 24 + optional_size, count * SECTION.size,
                         f"section table ({count} sections)")
    return machine, resource_rva, SectionMap(file.buffer, position, count,
                                             section_alignment, file_alignment)


def _parse_headers_by_reads(file: BoundedFile, head: bytes) -> tuple[str, int, SectionMap | None]:
    """_parse_headers field by field, for headers that do not all lie in the head (or are bad)."""
    lfanew = check_dos_and_pe_signature(
        head, file.size, lambda offset: file.read(offset, 4, "PE signature"))
    coff = file.read(lfanew + 4, 20, "COFF file header")
    machine_code, section_count, _, _, _, optional_size, _ = struct.unpack("<HHIIIHH", coff)
    machine = machine_name(machine_code)
    optional_offset = lfanew + 24
    magic_bytes = file.read(optional_offset, 2, "optional header")
    (magic,) = struct.unpack("<H", magic_bytes)
    directories_at = _data_directories_at(magic)
    optional = file.read(optional_offset, directories_at, "optional header")
    section_alignment, file_alignment = struct.unpack_from("<II", optional, 32)
    (directory_count,) = struct.unpack_from("<I", optional, directories_at - 4)
    if directory_count <= 2:
        return machine, 0, None
    resource_rva, _ = struct.unpack(
        "<II", file.read(optional_offset + directories_at + 16, 8, "optional header"))
    if resource_rva == 0:
        return machine, 0, None
    table_offset = optional_offset + optional_size
    count = min(section_count, MAX_SECTIONS)
    table = file.read(table_offset, count * SECTION.size, f"section table ({count} sections)")
    return machine, resource_rva, SectionMap(table, 0, count, section_alignment, file_alignment)


def _entries_at(file: BoundedFile, offset: int, rva: int, limit: int) -> tuple[int, int]:
    """(position in file.buffer, count) of the first ``limit`` entries of the resource
    directory at ``offset`` (``rva``); its entry count is capped."""
    buffer = file.buffer
    position = offset - file.base
    if not (0 <= position and position + 16 <= len(buffer)):
        position = file.view(offset, 16, "resource directory")
        buffer = file.buffer
    named, ids = _TWO_WORDS.unpack_from(buffer, position + 12)
    count = named + ids
    if count > MAX_ROOT_ENTRIES:
        raise PEReadError(f"malformed resource directory: {count} entries at RVA 0x{rva:x}")
    if count > limit:
        count = limit
    position += 16
    if count and position + count * 8 > len(buffer):
        position = file.view(offset + 16, count * 8, "resource directory entries")
    return position, count


def _find_version_data(file: BoundedFile, image: SectionMap, root: int) -> tuple[int, int] | None:
    """Walk RT_VERSION → first name → first language; return (data RVA, size) or None."""
    offset_of = image.offset_of
    start, count = _entries_at(file, offset_of(root), root, MAX_ROOT_ENTRIES)
    buffer = file.buffer
    stop = start + count * 8
    found = buffer.find(_RT_VERSION_ID, start, stop)   # the first entry whose Id is 16
    while found >= 0 and (found - start) & 7:
        found = buffer.find(_RT_VERSION_ID, found + 1, stop)
    if found < 0:
        return None
    (target,) = _DWORD.unpack_from(buffer, found + 4)
    visited: tuple[int, ...] = (root,)
    for level in ("RT_VERSION", "version name"):
        if not target & 0x80000000:
            raise PEReadError(f"malformed resource directory: {level} entry is not a directory")
        rva = root + (target & 0x7FFFFFFF)
        if rva in visited:
            raise PEReadError(f"malformed resource directory: loop at RVA 0x{rva:x}")
        visited += (rva,)
        offset = offset_of(rva)
        buffer = file.buffer
        position = offset - file.base
        if 0 <= position and position + 24 <= len(buffer):  # header and first entry in hand
            named, ids, target = _FIRST_ENTRY.unpack_from(buffer, position)
            count = named + ids
            if count > MAX_ROOT_ENTRIES:
                raise PEReadError(f"malformed resource directory: {count} entries at RVA 0x{rva:x}")
            if count == 0:
                return None
        else:
            position, count = _entries_at(file, offset, rva, 1)
            if count == 0:
                return None
            (target,) = _DWORD.unpack_from(file.buffer, position + 4)
    if target & 0x80000000:
        rva = root + (target & 0x7FFFFFFF)
        if rva in visited:
            raise PEReadError(f"malformed resource directory: loop at RVA 0x{rva:x}")
        raise PEReadError("malformed resource directory: version language entry is a directory")
    position = file.view(offset_of(root + target), 8, "resource data entry")
    return _TWO_DWORDS.unpack_from(file.buffer, position)



def read_open(fd: Source, size: int, head: bytes) -> PEInfo:
    """Read the version information of an open regular file (the caller fstat'ed it and
    closes it): ``size`` is its size and ``head`` its first HEAD_SIZE bytes (fewer only when
    the file is shorter), as :func:`pread_upto` reads them."""
    machine, data = version_data(fd, size, head)
    if data is None:
        return _no_version_resource(machine)
    if not data:
        return PEInfo(machine=machine, has_version_resource=True,
                      version_problem="version resource is empty")
    return _peinfo(parse_version_info(data, {"machine": machine}))


def version_data(fd: Source, size: int, head: bytes) -> tuple[str, bytes | None]:
    """(machine, the VS_VERSIONINFO block's bytes) of an open file, as :func:`read_open`
    takes them: None for no version resource, empty for an empty one; PEReadError."""
    if size == 0:
        raise NotPEError("empty file")
    check_head_length(head, size)
    file = BoundedFile(fd, size, head)
    machine, resource_rva, image = _parse_headers(file, head)
    if image is None:
        return machine, None
    located = _find_version_data(file, image, resource_rva)
    if located is None:
        return machine, None
    data_rva, data_size = located
    if data_size == 0:
        return machine, b""
    return machine, file.read_version(image.offset_of(data_rva), min(data_size, MAX_VERSION_SIZE))


_peinfo = PEInfo._from_fields
_NO_VERSION_RESOURCE: dict[str, PEInfo] = {}  # one shared (frozen) answer per known machine


def _no_version_resource(machine: str) -> PEInfo:
    info = _NO_VERSION_RESOURCE.get(machine)
    if info is None:
        info = PEInfo(machine=machine, version_problem="no version resource")
        if machine in _KNOWN_MACHINES:  # a bounded set
            _NO_VERSION_RESOURCE[machine] = info
    return info


_KNOWN_MACHINES = frozenset(MACHINES.values())


def read(path: str) -> PEInfo:
    """Read ``path`` with the fast reader."""
    fd, size = open_regular_file(path)
    try:
        if size == 0:
            raise NotPEError("empty file")
        return read_open(fd, size, pread_upto(fd, 0, HEAD_SIZE))
    finally:
        os.close(fd)
