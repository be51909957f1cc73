"""The plain algorithms behind the fast reader's shortcuts, written for clarity, not speed.

Tests compare the fast code with these on generated input: :func:`section_offset` with
:class:`verfix.pe.sections.SectionMap`, :func:`key_end` with ``versioninfo._key_end`` and
:func:`version_strings` with ``versioninfo.parse_version_info``'s strings.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence

from verfix.pe.format import MAX_CHILDREN, VERSION_STRINGS

NO_SECTION = "no section"
WANTED = {name.encode("utf-16-le"): field for name, field in VERSION_STRINGS}


def section_offset(sections: Sequence[tuple[int, int, int, int]], section_alignment: int,
                   file_alignment: int, rva: int) -> int | str:
    """The file offset of ``rva``, or NO_SECTION, for section headers given as
    (VirtualSize, VirtualAddress, SizeOfRawData, PointerToRawData).

    Each section spans VirtualSize (SizeOfRawData when 0) rounded up to the alignment, from
    its address rounded down; sections are taken in address order, a section running into
    the next one is clipped where it starts (pefile's rule), the first holding ``rva`` wins.
    """
    low = section_alignment < 0x1000
    alignment = file_alignment if low else section_alignment
    spans = []
    for virtual_size, virtual_address, raw_size, raw_pointer in sections:
        start = virtual_address - virtual_address % alignment if alignment else virtual_address
        delta = 0 if low and raw_pointer == virtual_address else (raw_pointer & ~0x1FF) - start
        extent = virtual_size or raw_size
        if alignment:
            extent += -extent % alignment
        spans.append([start, start + extent, delta])
    spans.sort(key=lambda span: span[0])
    for index in range(len(spans) - 1):
        following = spans[index + 1][0]
        if spans[index][0] < following < spans[index][1]:
            spans[index][1] = following
    for start, end, delta in spans:
        if start <= rva < end:
            return rva + delta
    if low or not spans or rva < min(span[0] for span in spans):
        return rva
    return NO_SECTION


def key_end(data: bytes, start: int, end: int) -> int:
    """Where the NUL-terminated UTF-16 text at ``start`` ends: its (2-aligned) NUL, or
    ``end`` less a stray odd byte."""
    search = start
    while True:
        nul = data.find(b"\0\0", search, end)
        if nul < 0:
            return end - (end - start) % 2
        if not (nul - start) & 1:
            return nul
        search = nul + 1


def children(data: bytes, start: int, end: int) -> Iterator[tuple[int, int, int, int]]:
    """(start, end, wValueLength, key end) of each child block from ``start`` (4-aligned),
    clipped to ``end``; a length below 6 or MAX_CHILDREN stops the walk."""
    position = (start + 3) & ~3
    for _ in range(MAX_CHILDREN):
        if position + 6 > end:
            return
        length, value_length = struct.unpack_from("<HH", data, position)
        if length < 6:
            return
        child_end = min(position + length, end)
        yield position, child_end, value_length, key_end(data, position + 6, child_end)
        position = (position + length + 3) & ~3


def version_strings(data: bytes) -> dict[str, str]:
    """The wanted strings of the StringTable chosen (US English, else the first)."""
    if len(data) < 6:
        return {}
    length, value_length = struct.unpack_from("<HH", data, 0)
    end = min(length, len(data))
    if length < 6 or data[6:key_end(data, 6, end)] != "VS_VERSION_INFO".encode("utf-16-le"):
        return {}
    start = ((key_end(data, 6, end) + 2 + 3) & ~3) + value_length
    chosen = None
    for info_start, info_end, _, info_key_end in children(data, start, end):
        if data[info_start + 6:info_key_end] != "StringFileInfo".encode("utf-16-le"):
            continue
        for table_start, table_end, _, table_key_end in children(data, info_key_end + 2, info_end):
            table = (table_key_end + 2, table_end)
            if data[table_start + 6:table_start + 14] == "0409".encode("utf-16-le"):
                chosen = table
                break
            chosen = chosen or table
        else:
            continue
        break
    found: dict[str, str] = {}
    if chosen is None:
        return found
    for string_start, string_end, value_length, name_end in children(data, *chosen):
        field = WANTED.get(data[string_start + 6:name_end])
        if field is None or field in found:
            continue
        value_start = (name_end + 2 + 3) & ~3
        if value_length == 0 or value_start >= string_end:
            found[field] = ""
        else:
            raw = data[value_start:key_end(data, value_start, string_end)]
            found[field] = raw.decode("utf-16-le", "replace")
        if len(found) == len(WANTED):
            break
    return found
