"""Mapping RVAs to file offsets the way the loader (and pefile) lays sections out."""

from __future__ import annotations

import struct
import sys

from verfix.pe.types import PEReadError

# VirtualSize, VirtualAddress, SizeOfRawData, PointerToRawData of a section header
SECTION = struct.Struct("<8xIIII16x")
# Native words are the file's (little-endian, 4 bytes): a table can be read as an array of them.
_LITTLE_ENDIAN_WORDS = sys.byteorder == "little" and struct.calcsize("I") == 4


class SectionMap:
    """Maps RVAs to file offsets the way the loader lays sections out.

    Sections are taken in address order (a stable sort: equal addresses keep table order);
    one that runs into the next is clipped where the next starts, as pefile does, so a
    bogus VirtualSize cannot hide the sections after it. The first span holding an RVA maps
    it. The plain version of this rule is :func:`verfix.pe.reference.section_offset`.
    """

    __slots__ = ("low_alignment", "alignment", "table", "table_at", "count", "_spans",
                 "_lowest", "_hot")

    def __init__(self, table: bytes, table_at: int, count: int, section_alignment: int,
                 file_alignment: int) -> None:
        """``count`` section headers start at ``table[table_at]``."""
        self.low_alignment = section_alignment < 0x1000
        self.alignment = file_alignment if self.low_alignment else section_alignment
        self.table = table
        self.table_at = table_at
        self.count = count
        self._spans: list[tuple[int, int, int, bool]] | None = None
        self._lowest = 0
        # A span no earlier span overlaps: every RVA in it maps through it (first match wins),
        # so the RVAs of one resource tree are mapped without walking the spans again.
        self._hot: tuple[int, int, int, bool] | None = None

    def offset_of(self, rva: int) -> int:
        """File offset of ``rva``; PEReadError when no section holds it."""
        hot = self._hot
        if hot is not None and hot[0] <= rva < hot[1]:
            return rva + hot[2]
        spans = self._spans
        if spans is None:
            if hot is None:  # the first lookup: usually answered without laying out the table
                span = self._first_span(rva)
                if span is not None:
                    self._hot = span
                    return rva + span[2]
            spans = self._spans = self._layout()
        for span in spans:
            if span[0] <= rva < span[1]:
                if span[3]:
                    self._hot = span
                return rva + span[2]
        if self.low_alignment or not spans or rva < self._lowest:
            return rva  # headers (and low-alignment images) are mapped one to one
        raise PEReadError(f"malformed resource directory: RVA 0x{rva:x} is in no section")

    def _first_span(self, rva: int) -> tuple[int, int, int, bool] | None:
        """The span holding ``rva`` in the usual case, without building the layout:
        SectionAlignment >= 0x1000 and a power of two, every section up to the one holding
        ``rva`` starting at or after the end of the one before (in table order), and every
        later one at or after its end, so none is clipped and it is the first in address
        order to hold ``rva``. None when the table is not like that (or no section holds
        ``rva``): :meth:`_layout` decides then."""
        alignment = self.alignment
        if self.low_alignment or alignment & (alignment - 1):
            return None
        # Rounding is masking here: x - x % a == x & -a, x + -x % a == (x + a - 1) & -a.
        mask, round_up = -alignment, alignment - 1
        at = self.table_at
        table = memoryview(self.table)[at:at + self.count * SECTION.size]
        end = index = 0
        for virtual_size, virtual_address, raw_size, raw_pointer in SECTION.iter_unpack(table):  # noqa: B007 - raw_pointer is read after the loop
            start = virtual_address & mask
            if start < end:  # starts before the one before it ends (it starts at or before that)
                return None
            end = start + (((virtual_size or raw_size) + round_up) & mask)
            index += 1
            if start <= rva < end:
                break
        else:
            return None
        # The sections after it in the table need only start at or after its end (which is
        # aligned): they come after it in address order and clip none of the spans so far.
        if index < self.count:
            if _LITTLE_ENDIAN_WORDS:  # their VirtualAddress column, as words, read in C
                later = min(table.cast("I")[index * 10 + 3::10])
            else:
                later = min(address for _, address, _, _ in SECTION.iter_unpack(table[index * SECTION.size:]))
            if later < end:
                return None
        return (start, end, (raw_pointer & ~0x1FF) - start, True)

    def _layout(self) -> list[tuple[int, int, int, bool]]:
        """(start RVA, end RVA, offset - RVA, no earlier span overlaps) per section, in
        address order, each clipped at the next section's start."""
        alignment = self.alignment
        spans = []
        at = self.table_at
        for virtual_size, virtual_address, raw_size, raw_pointer in SECTION.iter_unpack(
                memoryview(self.table)[at:at + self.count * SECTION.size]):
            start = virtual_address - virtual_address % alignment if alignment else virtual_address
            if self.low_alignment and raw_pointer == virtual_address:
                delta = 0
            else:
                delta = (raw_pointer & ~0x1FF) - start
            # In memory a section spans VirtualSize (SizeOfRawData when that is 0), rounded
            # up to the alignment; a bogus SizeOfRawData must not widen it.
            extent = virtual_size or raw_size
            if alignment:
                extent += -extent % alignment
            spans.append((start, start + extent, delta))
        spans.sort(key=_start)
        laid_out = []
        reach = 0
        for index, (start, end, delta) in enumerate(spans):
            if index + 1 < len(spans):
                following = spans[index + 1][0]
                if start < following < end:
                    end = following
            laid_out.append((start, end, delta, reach <= start))
            reach = max(reach, end)
        self._lowest = spans[0][0] if spans else 0
        return laid_out


def _start(span: tuple[int, int, int]) -> int:
    return span[0]
