"""verfix's own PE version reader: reads only the bytes on the RT_VERSION path, with hard caps."""

from __future__ import annotations

import errno
import os
import stat
import struct
from typing import Callable, Iterator

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
_DIR_ENTRY = struct.Struct("<II")        # Name/Id, OffsetToData
_TWO_WORDS = struct.Struct("<HH")        # a version block's wLength, wValueLength
_FIXED_HEAD = struct.Struct("<6I")        # signature, struct version, file MS/LS, product MS/LS
_VS_VERSION_INFO = "VS_VERSION_INFO".encode("utf-16-le")
_STRING_FILE_INFO = "StringFileInfo".encode("utf-16-le")
_US_ENGLISH = "0409".encode("utf-16-le")
_WANTED = {name.encode("utf-16-le"): field for name, field in (
    ("FileVersion", "file_version_string"), ("ProductVersion", "product_version_string"),
    ("ProductName", "product_name"))}


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
    """Bounded, cached pread access to one open file."""

    __slots__ = ("fd", "size", "_cache_offset", "_cache")

    def __init__(self, fd: int, size: int, head: bytes) -> None:
        self.fd = fd
        self.size = size
        self._cache_offset = 0
        self._cache = head

    def read(self, offset: int, length: int, what: str) -> bytes:
        """Exactly ``length`` bytes at ``offset``, or PEReadError("truncated: <what>")."""
        start = offset - self._cache_offset
        if 0 <= start and start + length <= len(self._cache):
            return self._cache[start:start + length]
        if offset + length > self.size:
            raise PEReadError(f"truncated: {what} at 0x{offset:x} runs past the end of the file")
        data = pread_upto(self.fd, offset, max(length, CHUNK_SIZE))
        if len(data) < length:
            raise PEReadError(f"truncated: {what} at 0x{offset:x} runs past the end of the file")
        self._cache_offset, self._cache = offset, data
        return data[:length]


    def read_version(self, offset: int, size: int) -> bytes:
        """The version resource at ``offset``: up to ``size`` bytes, of which at least the
        block's own wLength must be in the file (a data entry may overstate its size)."""
        if offset >= self.size:
            raise PEReadError(f"truncated: version resource at 0x{offset:x} "
                              "is past the end of the file")
        data = pread_upto(self.fd, offset, min(size, self.size - offset))
        needed = min(struct.unpack_from("<H", data)[0], size) if len(data) >= 2 else size
        if len(data) < needed or len(data) < 2:
            raise PEReadError(f"truncated: version resource at 0x{offset:x} "
                              "runs past the end of the file")
        return data


class _Image:
    """Maps RVAs to file offsets the way the loader lays sections out."""

    def __init__(self, sections: list[tuple[int, int, int, int]], section_alignment: int,
                 file_alignment: int) -> None:
        self.low_alignment = section_alignment < 0x1000
        alignment = file_alignment if self.low_alignment else section_alignment
        self.sections = sections
        self.alignment = alignment
        self._spans: list[tuple[int, int, int]] | None = None
        self._lowest = 0

    def offset_of(self, rva: int) -> int:
        """File offset of ``rva``; PEReadError when no section holds it."""
        if self._spans is None:
            self._spans = self._layout()
        for start, end, delta in self._spans:
            if start <= rva < end:
                return rva + delta
        if self.low_alignment or not self._spans or rva < self._lowest:
            return rva  # headers (and low-alignment images) are mapped one to one
        raise PEReadError(f"malformed resource directory: RVA 0x{rva:x} is in no section")

    def _layout(self) -> list[tuple[int, int, int]]:
        """(start RVA, end RVA, offset - RVA) per section, in table order (first match wins)."""
        alignment = self.alignment
        spans = []
        for virtual_size, virtual_address, raw_size, raw_pointer in self.sections:
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


def _parse_headers(file: _File, head: bytes) -> tuple[str, int, _Image | None]:
    """Return (machine, resource directory RVA or 0, image map)."""
    lfanew = check_dos_and_pe_signature(
        head, file.size, lambda offset: file.read(offset, 4, "PE signature"))
    coff = file.read(lfanew + 4, 20, "COFF file header")
    machine_code, section_count, _, _, _, optional_size, _ = struct.unpack("<HHIIIHH", coff)
    machine = machine_name(machine_code)
    optional_offset = lfanew + 24
    magic_bytes = file.read(optional_offset, 2, "optional header")
    (magic,) = struct.unpack("<H", magic_bytes)
    if magic == 0x10B:
        directories_at = 96
    elif magic == 0x20B:
        directories_at = 112
    else:
        raise PEReadError(f"not a PE file (optional header magic 0x{magic:x})")
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
    sections = list(_SECTION.iter_unpack(table))
    return machine, resource_rva, _Image(sections, section_alignment, file_alignment)


def _directory_entries(file: _File, image: _Image, rva: int, limit: int) -> list[tuple[int, int]]:
    """The first ``limit`` entries (name/id, offset) of the resource directory at ``rva``."""
    offset = image.offset_of(rva)
    header = file.read(offset, 16, "resource directory")
    named, ids = struct.unpack_from("<HH", header, 12)
    count = named + ids
    if count > MAX_ROOT_ENTRIES:
        raise PEReadError(f"malformed resource directory: {count} entries at RVA 0x{rva:x}")
    count = min(count, limit)
    if count == 0:
        return []
    data = file.read(offset + 16, count * 8, "resource directory entries")
    return list(_DIR_ENTRY.iter_unpack(data))


def _find_version_data(file: _File, image: _Image, root: int) -> tuple[int, int] | None:
    """Walk RT_VERSION → first name → first language; return (data RVA, size) or None."""
    visited = {root}
    entries = _directory_entries(file, image, root, MAX_ROOT_ENTRIES)
    target = next((to for name, to in entries if name == RT_VERSION), None)
    if target is None:
        return None
    for level in ("RT_VERSION", "version name"):
        if not target & 0x80000000:
            raise PEReadError(f"malformed resource directory: {level} entry is not a directory")
        rva = root + (target & 0x7FFFFFFF)
        if rva in visited:
            raise PEReadError(f"malformed resource directory: loop at RVA 0x{rva:x}")
        visited.add(rva)
        entries = _directory_entries(file, image, rva, 1)
        if not entries:
            return None
        target = entries[0][1]
    if target & 0x80000000:
        rva = root + (target & 0x7FFFFFFF)
        if rva in visited:
            raise PEReadError(f"malformed resource directory: loop at RVA 0x{rva:x}")
        raise PEReadError("malformed resource directory: version language entry is a directory")
    entry_rva = root + target
    data_rva, data_size = struct.unpack(
        "<II", file.read(image.offset_of(entry_rva), 8, "resource data entry"))
    return data_rva, data_size


def _align4(offset: int) -> int:
    return (offset + 3) & ~3


def _key_end(data: bytes, start: int, end: int) -> int:
    """End of the NUL-terminated UTF-16 text at ``start`` (the NUL's offset, or ``end``)."""
    search = start
    while True:
        nul = data.find(b"\0\0", search, end)
        if nul < 0:
            return end - (end - start) % 2
        if not (nul - start) & 1:
            return nul
        search = nul + 1


def _decode(raw: bytes) -> str:
    """UTF-16LE text; lone surrogates (and a stray odd byte) become U+FFFD."""
    return raw.decode("utf-16-le", "replace")


def _children(data: bytes, start: int, end: int) -> Iterator[tuple[int, int, int, int]]:
    """Yield (start, end, wValueLength, key end) for the child blocks in [start, end).

    A child may not reach past its parent (it is clipped); a length below the 6-byte
    header stops the walk, and so does MAX_CHILDREN.
    """
    position = _align4(start)
    for _ in range(MAX_CHILDREN):
        if position + 6 > end:
            return
        length, value_length = _TWO_WORDS.unpack_from(data, position)
        if length < 6:
            return
        child_end = min(position + length, end)
        yield position, child_end, value_length, _key_end(data, position + 6, child_end)
        position = _align4(position + length)


def _fixed_versions(data: bytes, value_start: int, value_length: int, end: int) -> dict:
    """file_version/product_version from VS_FIXEDFILEINFO, or the version_problem."""
    if value_length == 0:
        return {"version_problem": "version resource has no fixed block"}
    if value_length < FIXED_SIZE:
        return {"version_problem": f"fixed block is {value_length} bytes, not {FIXED_SIZE}"}
    if value_start + FIXED_SIZE > end:
        return {"version_problem": "fixed block is cut off"}
    signature, _, file_ms, file_ls, product_ms, product_ls = _FIXED_HEAD.unpack_from(
        data, value_start)
    if signature != FIXED_SIGNATURE:
        return {"version_problem": f"fixed block signature is 0x{signature:08X}, "
                                   f"not 0x{FIXED_SIGNATURE:08X}"}
    return {"file_version": Version.from_ms_ls(file_ms, file_ls),
            "product_version": Version.from_ms_ls(product_ms, product_ls)}


def parse_version_info(data: bytes) -> dict:
    """Parse a VS_VERSIONINFO block into PEInfo keyword arguments (versions and strings)."""
    result: dict = {"has_version_resource": True}
    if len(data) < 6:
        result["version_problem"] = f"version resource is too short ({len(data)} bytes)"
        return result
    length, value_length = _TWO_WORDS.unpack_from(data, 0)
    if length < 6:
        result["version_problem"] = f"version resource is malformed (length {length})"
        return result
    end = min(length, len(data))
    key_end = _key_end(data, 6, end)
    if data[6:key_end] != _VS_VERSION_INFO:
        result["version_problem"] = "version resource is not a VS_VERSION_INFO block"
        return result
    value_start = _align4(key_end + 2)
    result.update(_fixed_versions(data, value_start, value_length, end))
    table = _chosen_table(data, value_start + value_length, end)
    if table is not None:
        result.update(_table_strings(data, *table))
    return result


def _chosen_table(data: bytes, start: int, end: int) -> tuple[int, int, int] | None:
    """(strings start, table end) of the US-English StringTable, else of the first one."""
    first = None
    for info_start, info_end, _, info_key_end in _children(data, start, end):
        if data[info_start + 6:info_key_end] != _STRING_FILE_INFO:
            continue  # VarFileInfo or junk
        for table_start, table_end, _, table_key_end in _children(
                data, info_key_end + 2, info_end):
            table = (table_key_end + 2, table_end)
            if data[table_start + 6:table_start + 14] == _US_ENGLISH:
                return table
            if first is None:
                first = table
    return first


def _table_strings(data: bytes, start: int, end: int) -> dict[str, str]:
    """The wanted strings of one StringTable; the first of duplicate names wins."""
    found: dict[str, str] = {}
    for string_start, string_end, value_length, name_end in _children(data, start, end):
        field = _WANTED.get(data[string_start + 6:name_end])
        if field is None or field in found:
            continue
        value_start = _align4(name_end + 2)
        if value_length == 0 or value_start >= string_end:
            found[field] = ""
        else:  # up to the first NUL within the block: wValueLength in words or bytes alike
            found[field] = _decode(data[value_start:_key_end(data, value_start, string_end)])
        if len(found) == len(_WANTED):
            break
    return found


def read(path: str) -> PEInfo:
    """Read ``path`` with the fast reader."""
    fd, size = open_regular_file(path)
    try:
        if size == 0:
            raise NotPEError("empty file")
        head = pread_upto(fd, 0, HEAD_SIZE)
        file = _File(fd, size, head)
        machine, resource_rva, image = _parse_headers(file, head)
        if image is None:
            return PEInfo(machine=machine, version_problem="no version resource")
        located = _find_version_data(file, image, resource_rva)
        if located is None:
            return PEInfo(machine=machine, version_problem="no version resource")
        data_rva, data_size = located
        if data_size == 0:
            return PEInfo(machine=machine, has_version_resource=True,
                          version_problem="version resource is empty")
        data = file.read_version(image.offset_of(data_rva), min(data_size, MAX_VERSION_SIZE))
        return PEInfo(machine=machine, **parse_version_info(data))
    finally:
        os.close(fd)
