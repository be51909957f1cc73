"""verfix's own PE version reader: reads only the bytes on the RT_VERSION path, with hard caps."""

from __future__ import annotations

import errno
from codecs import utf_16_le_decode as _utf_16_le_decode
import os
import stat
import struct
from typing import Callable

from verfix.pe import NotPEError, PEInfo, PEReadError
from verfix.version import Version

HEAD_SIZE = 4096                 # first read: DOS header, PE header, usually the section table
CHUNK_SIZE = 4096                # later reads: resource directories sit close together
MAX_SECTIONS = 0xFFFF            # NumberOfSections is a WORD: every value is honoured, in one read
MAX_ROOT_ENTRIES = 4096          # resource types in the root directory (real files have < 30)
MAX_VERSION_SIZE = 0x10000       # VS_VERSIONINFO.wLength is a WORD: nothing past 64 KiB matters
MAX_CHILDREN = 1024              # children honoured per version block
RT_VERSION = 16
FIXED_SIGNATURE = 0xFEEF04BD
FIXED_SIZE = 52                  # sizeof(VS_FIXEDFILEINFO)
US_ENGLISH = "0409"             # language part of a StringTable key

MACHINES: dict[int, str] = {
    0x014C: "i386", 0x8664: "amd64", 0x0184: "alpha", 0x0284: "alpha64",
    0x01C0: "arm", 0x01C2: "arm", 0x01C4: "arm", 0xAA64: "arm64", 0xA641: "arm64",
    0x0200: "ia64", 0x0162: "mips", 0x0166: "mips", 0x0168: "mips", 0x0169: "mips",
    0x0266: "mips", 0x0366: "mips", 0x0466: "mips", 0x01F0: "powerpc", 0x01F1: "powerpc",
    0x01A2: "sh3", 0x01A3: "sh3", 0x01A6: "sh4", 0x01A8: "sh5", 0x0EBC: "efi",
    0x5032: "riscv32", 0x5064: "riscv64", 0x6232: "loongarch32", 0x6264: "loongarch64",
}

_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
_O_NOATIME = getattr(os, "O_NOATIME", 0)
_noatime_allowed = bool(_O_NOATIME)

# VirtualSize, VirtualAddress, SizeOfRawData, PointerToRawData of a section header
_SECTION = struct.Struct("<8xIIII16x")
_TWO_WORDS = struct.Struct("<HH")        # a version block's wLength, wValueLength
_TWO_DWORDS = struct.Struct("<II")
_WORD = struct.Struct("<H")
_DWORD = struct.Struct("<I")
_FIRST_ENTRY = struct.Struct("<12xHH4xI")  # a resource directory's counts, first OffsetToData
_COFF = struct.Struct("<HH12xH")         # Machine, NumberOfSections, SizeOfOptionalHeader
_FIXED_HEAD = struct.Struct("<6I")        # signature, struct version, file MS/LS, product MS/LS
_VS_VERSION_INFO = "VS_VERSION_INFO".encode("utf-16-le")
_STRING_FILE_INFO = "StringFileInfo".encode("utf-16-le")
_US_ENGLISH = "0409".encode("utf-16-le")
_VS_VERSION_INFO_KEY = _VS_VERSION_INFO + b"\0\0"  # the key with its terminating NUL
_RT_VERSION_ID = _DWORD.pack(RT_VERSION)
# The headers read up to the resource data directory entry: PE signature (4), COFF header (20),
# optional header up to its data directories (at most 112), export, import, resource (24).
_HEADERS_SPAN = 4 + 20 + 112 + 24
_WANTED = {name.encode("utf-16-le"): field for name, field in (
    ("FileVersion", "file_version_string"), ("ProductVersion", "product_version_string"),
    ("ProductName", "product_name"))}
# First UTF-16 unit of a wanted name -> (name, name + NUL, its length, field) for each.
_WANTED_BY_FIRST_UNIT: dict[bytes, list[tuple[bytes, bytes, int, str]]] = {}
for _name, _field in _WANTED.items():
    _WANTED_BY_FIRST_UNIT.setdefault(_name[:2], []).append((_name, _name + b"\0\0", len(_name), _field))
del _name, _field


def machine_name(code: int) -> str:
    """A short architecture name for IMAGE_FILE_HEADER.Machine."""
    return MACHINES.get(code, f"unknown (0x{code:04x})")


def io_reason(error: OSError) -> str:
    """A one-line reason, without the path, for an OS error."""
    if error.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if error.errno is not None:
        return os.strerror(error.errno).lower()
    return "I/O error"


def _kind_of(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISLNK, "a symbolic link")):
        if test(mode):
            return name
    return "not a regular file"


def open_regular_file(path: str) -> tuple[int, int]:
    """Open ``path`` read-only without blocking or touching atime; return (fd, size).

    Anything but a regular file is refused before (and after) opening, so FIFOs and
    devices are never read.
    """
    global _noatime_allowed
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        raise PEReadError(io_reason(error)) from None
    if not stat.S_ISREG(mode):
        raise PEReadError(f"not a regular file ({_kind_of(mode)})")
    try:
        if _noatime_allowed:
            try:
                fd = os.open(path, _OPEN_FLAGS | _O_NOATIME)
            except PermissionError as error:
                if error.errno != errno.EPERM:
                    raise
                _noatime_allowed = False  # not the owner: O_NOATIME is not permitted
                fd = os.open(path, _OPEN_FLAGS)
        else:
            fd = os.open(path, _OPEN_FLAGS)
    except OSError as error:
        raise PEReadError(io_reason(error)) from None
    try:
        info = os.fstat(fd)
    except OSError as error:
        os.close(fd)
        raise PEReadError(io_reason(error)) from None
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise PEReadError(f"not a regular file ({_kind_of(info.st_mode)})")
    return fd, info.st_size


def pread_upto(fd: int, offset: int, length: int) -> bytes:
    """Read up to ``length`` bytes at ``offset`` (fewer only at the end of the file)."""
    try:
        data = os.pread(fd, length, offset)
        if len(data) < length and data:
            parts = [data]
            got = len(data)
            while got < length:
                more = os.pread(fd, length - got, offset + got)
                if not more:
                    break
                parts.append(more)
                got += len(more)
            data = b"".join(parts)
        return data
    except OSError as error:
        raise PEReadError(io_reason(error)) from None


def check_dos_and_pe_signature(head: bytes, size: int,
                               read_signature: Callable[[int], bytes]) -> int:
    """Validate the MZ header and the signature e_lfanew points to; return e_lfanew.

    ``head`` holds the first bytes of the file (at least 64 when the file has them);
    ``read_signature(offset)`` returns the 4 bytes at e_lfanew.
    """
    if size == 0:
        raise NotPEError("empty file")
    if head[:2] != b"MZ":
        raise NotPEError("not a PE file (no MZ header)")
    if size < 0x40:
        raise PEReadError(f"truncated: DOS header is {size} bytes, needs 64")
    (lfanew,) = struct.unpack_from("<I", head, 0x3C)
    if lfanew + 4 > size:
        raise PEReadError(f"truncated: PE header at 0x{lfanew:x} is past the end of the file")
    signature = read_signature(lfanew)
    if signature[:2] == b"NE":
        raise PEReadError("16-bit NE executable, not supported")
    if signature[:2] in (b"LE", b"LX"):
        raise PEReadError("LE/LX executable, not supported")
    if signature != b"PE\0\0":
        raise PEReadError("not a PE file (no PE signature)")
    return lfanew


class _File:
    """Bounded, cached pread access to one open file: one buffer of file bytes at a time."""

    __slots__ = ("fd", "size", "base", "buffer")

    def __init__(self, fd: int, size: int, head: bytes) -> None:
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


class _Image:
    """Maps RVAs to file offsets the way the loader lays sections out."""

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
        self._spans: list[tuple[int, int, int]] | None = None
        self._lowest = 0
        # A span no earlier span overlaps: every RVA in it maps through it (first match wins),
        # so the RVAs of one resource tree are mapped without walking the section table again.
        self._hot: tuple[int, int, int] | None = None

    def offset_of(self, rva: int) -> int:
        """File offset of ``rva``; PEReadError when no section holds it."""
        hot = self._hot
        if hot is not None:
            if hot[0] <= rva < hot[1]:
                return rva + hot[2]
        elif self._spans is None:
            span = self._first_span(rva)  # the first lookup
            if span is not None:
                return rva + span[2]
        spans = self._spans
        if spans is None:
            spans = self._spans = self._layout()
        for start, end, delta in spans:
            if start <= rva < end:
                return rva + delta
        if self.low_alignment or not spans or rva < self._lowest:
            return rva  # headers (and low-alignment images) are mapped one to one
        raise PEReadError(f"malformed resource directory: RVA 0x{rva:x} is in no section")

    def _first_span(self, rva: int) -> tuple[int, int, int] | None:
        """The first lookup, in the usual case (SectionAlignment >= 0x1000, a power of two):
        the span of the first section holding ``rva``, found without laying out the whole
        table; it becomes the hot span when every earlier section ends before it starts.
        None when the table must be laid out (another case, or no section holds ``rva``);
        the spans are laid out then too, unless the hot span was set."""
        alignment = self.alignment
        if self.low_alignment or alignment & (alignment - 1):
            self._spans = self._layout()
            return None
        # Rounding is masking here: x - x % a == x & -a, x + -x % a == (x + a - 1) & -a.
        mask, round_up = -alignment, alignment - 1
        reach = 0  # the furthest end of the sections before
        at = self.table_at
        for virtual_size, virtual_address, raw_size, raw_pointer in _SECTION.iter_unpack(
                memoryview(self.table)[at:at + self.count * _SECTION.size]):
            start = virtual_address & mask
            end = start + (((virtual_size or raw_size) + round_up) & mask)
            if start <= rva < end:
                span = (start, end, (raw_pointer & ~0x1FF) - start)
                if reach <= start:
                    self._hot = span
                else:
                    self._spans = self._layout()
                return span
            if end > reach:
                reach = end
        self._spans = self._layout()
        return None

    def _layout(self) -> list[tuple[int, int, int]]:
        """(start RVA, end RVA, offset - RVA) per section, in table order (first match wins)."""
        alignment = self.alignment
        spans = []
        at = self.table_at
        for virtual_size, virtual_address, raw_size, raw_pointer in _SECTION.iter_unpack(
                memoryview(self.table)[at:at + self.count * _SECTION.size]):
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
        self._lowest = min((span[0] for span in spans), default=0)
        return spans


def _data_directories_at(magic: int) -> int:
    """Where the data directories start in an optional header: PE32 or PE32+."""
    if magic == 0x10B:
        return 96
    if magic == 0x20B:
        return 112
    raise PEReadError(f"not a PE file (optional header magic 0x{magic:x})")


def _parse_headers(file: _File, head: bytes) -> tuple[str, int, _Image | None]:
    """Return (machine, resource directory RVA or 0, image map)."""
    size = file.size
    if size >= 0x40 and len(head) >= 0x40 and head[:2] == b"MZ":
        (lfanew,) = _DWORD.unpack_from(head, 0x3C)
        in_head = lfanew + _HEADERS_SPAN <= len(head) and head[lfanew:lfanew + 4] == b"PE\0\0"
    else:
        in_head = False
    if not in_head:
        return _parse_headers_by_reads(file, head)
    # The usual case: every header field below lies in the head; the section table may not.
    machine_code, section_count, optional_size = _COFF.unpack_from(head, lfanew + 4)
    optional_offset = lfanew + 24
    (magic,) = _WORD.unpack_from(head, optional_offset)
    directories_at = _data_directories_at(magic)
    machine = MACHINES.get(machine_code) or machine_name(machine_code)
    (directory_count,) = _DWORD.unpack_from(head, optional_offset + directories_at - 4)
    if directory_count <= 2:
        return machine, 0, None
    (resource_rva,) = _DWORD.unpack_from(head, optional_offset + directories_at + 16)
    if resource_rva == 0:
        return machine, 0, None
    section_alignment, file_alignment = _TWO_DWORDS.unpack_from(head, optional_offset + 32)
    table_offset = optional_offset + optional_size
    count = min(section_count, MAX_SECTIONS)
    position = file.view(table_offset, count * _SECTION.size, f"section table ({count} sections)")
    return machine, resource_rva, _Image(file.buffer, position, count,
                                         section_alignment, file_alignment)


def _parse_headers_by_reads(file: _File, head: bytes) -> tuple[str, int, _Image | None]:
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
    table = file.read(table_offset, count * _SECTION.size, f"section table ({count} sections)")
    return machine, resource_rva, _Image(table, 0, count, section_alignment, file_alignment)


def _entries_at(file: _File, offset: int, rva: int, limit: int) -> tuple[int, int]:
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


def _find_version_data(file: _File, image: _Image, root: int) -> tuple[int, int] | None:
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


def _align4(offset: int) -> int:
    return (offset + 3) & ~3


def _key_end(data: bytes, start: int, end: int) -> int:
    """End of the NUL-terminated UTF-16 text at ``start`` (the NUL's offset, or ``end``)."""
    nul = data.find(b"\0\0", start, end)
    if nul >= 0 and (nul - start) & 1:  # a NUL pair straddling two characters: usually
        if nul + 3 <= end and not data[nul + 2]:  # an ASCII character's high byte and the NUL
            return nul + 1
        nul = data.find(b"\0\0", nul + 1, end)
        while nul >= 0 and (nul - start) & 1:
            nul = data.find(b"\0\0", nul + 1, end)
    return nul if nul >= 0 else end - (end - start) % 2


# The version block walk below visits child blocks inline (it is the hot path): a child
# starts 4-aligned, may not reach past its parent (it is clipped); a length below the
# 6-byte header stops the walk, and so does MAX_CHILDREN.

def _fixed_versions(data: bytes, value_start: int, value_length: int, end: int,
                    result: dict) -> None:
    """Set file_version/product_version from VS_FIXEDFILEINFO in ``result``, or the
    version_problem."""
    if value_length == 0:
        result["version_problem"] = "version resource has no fixed block"
    elif value_length < FIXED_SIZE:
        result["version_problem"] = f"fixed block is {value_length} bytes, not {FIXED_SIZE}"
    elif value_start + FIXED_SIZE > end:
        result["version_problem"] = "fixed block is cut off"
    else:
        signature, _, file_ms, file_ls, product_ms, product_ls = _FIXED_HEAD.unpack_from(
            data, value_start)
        if signature != FIXED_SIGNATURE:
            result["version_problem"] = (f"fixed block signature is 0x{signature:08X}, "
                                         f"not 0x{FIXED_SIGNATURE:08X}")
        else:  # Version.from_ms_ls, without its two Python calls per version
            result["file_version"] = _new_version(Version, (
                file_ms >> 16, file_ms & 0xFFFF, file_ls >> 16, file_ls & 0xFFFF))
            result["product_version"] = _new_version(Version, (
                product_ms >> 16, product_ms & 0xFFFF, product_ls >> 16, product_ls & 0xFFFF))


_new_version = tuple.__new__  # what Version(...) (a NamedTuple) does


def parse_version_info(data: bytes, result: dict | None = None) -> dict:
    """Parse a VS_VERSIONINFO block into PEInfo keyword arguments (versions and strings),
    set in ``result`` (a new dict when None), which is returned."""
    if result is None:
        result = {}
    result["has_version_resource"] = True
    if len(data) < 6:
        result["version_problem"] = f"version resource is too short ({len(data)} bytes)"
        return result
    length, value_length = _TWO_WORDS.unpack_from(data, 0)
    if length < 6:
        result["version_problem"] = f"version resource is malformed (length {length})"
        return result
    end = min(length, len(data))
    if end >= 38 and data.startswith(_VS_VERSION_INFO_KEY, 6):
        key_end = 36  # the usual key, NUL-terminated
    else:
        key_end = _key_end(data, 6, end)
        if data[6:key_end] != _VS_VERSION_INFO:
            result["version_problem"] = "version resource is not a VS_VERSION_INFO block"
            return result
    value_start = _align4(key_end + 2)
    _fixed_versions(data, value_start, value_length, end, result)
    table = _chosen_table(data, value_start + value_length, end)
    if table is not None:
        _table_strings(data, table[0], table[1], result)
    return result


def _chosen_table(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """(strings start, table end) of the US-English StringTable, else of the first one."""
    first = None
    unpack_from = _TWO_WORDS.unpack_from
    position = (start + 3) & ~3
    for _ in range(MAX_CHILDREN):  # StringFileInfo, VarFileInfo (or junk)
        if position + 6 > end:
            break
        length = unpack_from(data, position)[0]
        if length < 6:
            break
        info_end = min(position + length, end)
        key = position + 6
        if data.startswith(_STRING_FILE_INFO, key):
            key_end = _key_end(data, key, info_end)
            if key_end == key + len(_STRING_FILE_INFO):
                table = (key_end + 2 + 3) & ~3
                for _ in range(MAX_CHILDREN):
                    if table + 6 > info_end:
                        break
                    table_length = unpack_from(data, table)[0]
                    if table_length < 6:
                        break
                    table_end = min(table + table_length, info_end)
                    strings = (_key_end(data, table + 6, table_end) + 2, table_end)
                    if data[table + 6:table + 14] == _US_ENGLISH:
                        return strings
                    if first is None:
                        first = strings
                    table = (table + table_length + 3) & ~3
        position = (position + length + 3) & ~3
    return first


def _table_strings(data: bytes, start: int, end: int, found: dict) -> None:
    """Set the wanted strings of one StringTable in ``found``; the first of duplicate names
    wins."""
    wanted_count = 0
    by_first_unit = _WANTED_BY_FIRST_UNIT
    unpack_from = _TWO_WORDS.unpack_from
    startswith = data.startswith
    position = (start + 3) & ~3
    for _ in range(MAX_CHILDREN):
        if position + 6 > end:
            break
        length, value_length = unpack_from(data, position)
        if length < 6:
            break
        string_end = position + length
        if string_end > end:
            string_end = end
        name = position + 6
        # Is the key (up to the first NUL, clipped to the block) a wanted name? Only a key
        # that starts like one can be; and it is exactly that name when the name is followed
        # by a NUL inside the block, or when the block ends with the name (or one byte on).
        candidates = by_first_unit.get(data[name:name + 2])
        if candidates is not None:
            for key, key_with_nul, name_end, field in candidates:
                name_end += name
                if (startswith(key_with_nul, name) and name_end + 2 <= string_end
                        or 0 <= string_end - name_end <= 1 and startswith(key, name)):
                    break
            else:
                field = None
            if field is not None and field not in found:
                wanted_count += 1
                value_start = (name_end + 5) & ~3
                if value_length == 0 or value_start >= string_end:
                    found[field] = ""
                else:  # up to the first NUL within the block: wValueLength in words or bytes
                    # alike; UTF-16LE with lone surrogates (and a stray odd byte) as U+FFFD,
                    # as raw.decode("utf-16-le", "replace") does, without its Python wrapper
                    value_end = _key_end(data, value_start, string_end)
                    found[field] = _utf_16_le_decode(data[value_start:value_end], "replace", True)[0]
                if wanted_count == len(_WANTED):
                    break
        position = (position + length + 3) & ~3


def check_head_length(head: bytes, size: int) -> None:
    """A head shorter than the size fstat gave means the file was cut while being read."""
    if len(head) < min(size, HEAD_SIZE):
        raise PEReadError(f"truncated: the file shrank while it was read ({size} bytes, then {len(head)})")


def read_open(fd: int, size: int, head: bytes) -> PEInfo:
    """Read the version information of an open regular file (the caller fstat'ed it and
    closes it): ``size`` is its size and ``head`` its first HEAD_SIZE bytes (fewer only when
    the file is shorter), as :func:`pread_upto` reads them."""
    if size == 0:
        raise NotPEError("empty file")
    check_head_length(head, size)
    file = _File(fd, size, head)
    machine, resource_rva, image = _parse_headers(file, head)
    if image is None:
        return _no_version_resource(machine)
    located = _find_version_data(file, image, resource_rva)
    if located is None:
        return _no_version_resource(machine)
    data_rva, data_size = located
    if data_size == 0:
        return PEInfo(machine=machine, has_version_resource=True,
                      version_problem="version resource is empty")
    data = file.read_version(image.offset_of(data_rva), min(data_size, MAX_VERSION_SIZE))
    return _peinfo(parse_version_info(data, {"machine": machine}))


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
