"""The second-opinion PE reader: pefile, kept on a short leash (capped input, one version entry)."""

from __future__ import annotations

import os
import re
import struct

import pefile

from verfix.fsview import Source
from verfix.pe.fileio import check_head_length, open_regular_file, pread_upto
from verfix.pe.format import (VERSION_STRINGS, FIXED_SIGNATURE, FIXED_SIZE, HEAD_SIZE, MAX_ROOT_ENTRIES,
                              MAX_VERSION_SIZE, RT_VERSION, US_ENGLISH,
                              check_dos_and_pe_signature, machine_name)
from verfix.pe.types import NotPEError, PEInfo, PEReadError
from verfix.version import Version

MAX_FILE_SIZE = 64 << 20  # pefile holds the whole file in memory

# pefile encodes text as UTF-8 with backslash escapes for what UTF-8 cannot carry (lone
# surrogates); those escapes are turned back into U+FFFD.
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89abcdefABCDEF][0-9a-fA-F]{2}")


def _one_line(text: object) -> str:
    return " ".join(str(text).split()) or "no reason given"


def _text(raw: bytes | str | None) -> str | None:
    """pefile's escaped UTF-8 bytes as str, lone surrogates as U+FFFD, trailing NULs gone."""
    if raw is None:
        return None
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    return _ESCAPED_SURROGATE.sub("\ufffd", text).split("\0", 1)[0]


def _load(fd: Source, size: int, head: bytes) -> bytes:
    """Read the whole (capped) open file after the same header checks as the fast reader."""
    if size == 0:
        raise NotPEError("empty file")
    check_head_length(head, size)
    check_dos_and_pe_signature(head, size, lambda offset: pread_upto(fd, offset, 4))
    if size > MAX_FILE_SIZE:
        raise PEReadError(f"too large for the pefile reader ({size >> 20} MiB, "
                          f"limit {MAX_FILE_SIZE >> 20} MiB)")
    return pread_upto(fd, 0, size)


class _Walker:
    """Follows RT_VERSION → first name → first language with pefile's own structures."""

    def __init__(self, pe: pefile.PE, data: bytes) -> None:
        self.pe = pe
        self.data = data

    def directory(self, rva: int, limit: int) -> list[pefile.Structure]:
        try:
            raw = self.pe.get_data(rva, 16)
        except pefile.PEFormatError:
            raise PEReadError(f"malformed resource directory: RVA 0x{rva:x} "
                              "cannot be read") from None
        if len(raw) < 16:
            raise PEReadError(f"truncated: resource directory at RVA 0x{rva:x}")
        header = pefile.Structure(pefile.PE.__IMAGE_RESOURCE_DIRECTORY_format__)
        header.__unpack__(raw)
        count = header.NumberOfNamedEntries + header.NumberOfIdEntries
        if count > MAX_ROOT_ENTRIES:
            raise PEReadError(f"malformed resource directory: {count} entries at RVA 0x{rva:x}")
        entries = []
        for index in range(min(count, limit)):
            entry = self.pe.parse_resource_entry(rva + 16 + 8 * index)
            if entry is None:
                raise PEReadError(f"truncated: resource directory entries at RVA 0x{rva:x}")
            entries.append(entry)
        return entries

    def version_entry(self, root: int) -> pefile.Structure | None:
        """The IMAGE_RESOURCE_DATA_ENTRY of the first version resource, or None."""
        visited = {root}
        target = next((e for e in self.directory(root, MAX_ROOT_ENTRIES)
                       if not e.Name & 0x80000000 and e.Name == RT_VERSION), None)
        if target is None:
            return None
        for level in ("RT_VERSION", "version name"):
            if not target.DataIsDirectory:
                raise PEReadError(f"malformed resource directory: {level} entry is not a directory")
            rva = root + target.OffsetToDirectory
            if rva in visited:
                raise PEReadError(f"malformed resource directory: loop at RVA 0x{rva:x}")
            visited.add(rva)
            entries = self.directory(rva, 1)
            if not entries:
                return None
            target = entries[0]
        if target.DataIsDirectory:
            rva = root + target.OffsetToDirectory
            if rva in visited:
                raise PEReadError(f"malformed resource directory: loop at RVA 0x{rva:x}")
            raise PEReadError("malformed resource directory: version language entry is a directory")
        entry = self.pe.parse_resource_data_entry(root + target.OffsetToDirectory)
        if entry is None:
            raise PEReadError("truncated: resource data entry")
        return entry

    def check_version_bytes(self, entry: pefile.Structure) -> None:
        """Refuse version data that is not in the file (the rule the fast reader applies)."""
        try:
            offset = self.pe.get_offset_from_rva(entry.OffsetToData)
        except pefile.PEFormatError:
            raise PEReadError(f"malformed resource directory: RVA 0x{entry.OffsetToData:x} "
                              "is in no section") from None
        available = len(self.data) - offset
        if available < 2:
            raise PEReadError(f"truncated: version resource at 0x{offset:x} "
                              "is past the end of the file")
        (length,) = struct.unpack_from("<H", self.data, offset)
        if available < min(length, entry.Size):
            raise PEReadError(f"truncated: version resource at 0x{offset:x} "
                              "runs past the end of the file")


def _version_fields(pe: pefile.PE) -> dict:
    """PEInfo keyword arguments from pefile's parse of one version resource."""
    result: dict = {"has_version_resource": True}
    infos = getattr(pe, "VS_VERSIONINFO", None)
    if not infos:
        result["version_problem"] = "version resource is not a VS_VERSION_INFO block"
        return result
    value_length = infos[0].ValueLength
    fixed = getattr(pe, "VS_FIXEDFILEINFO", None)
    if value_length == 0:
        result["version_problem"] = "version resource has no fixed block"
    elif value_length < FIXED_SIZE:
        result["version_problem"] = f"fixed block is {value_length} bytes, not {FIXED_SIZE}"
    elif not fixed:
        result["version_problem"] = "fixed block is cut off"
    elif fixed[0].Signature != FIXED_SIGNATURE:
        result["version_problem"] = (f"fixed block signature is 0x{fixed[0].Signature:08X}, "
                                     f"not 0x{FIXED_SIGNATURE:08X}")
    else:
        result["file_version"] = Version.from_ms_ls(fixed[0].FileVersionMS, fixed[0].FileVersionLS)
        result["product_version"] = Version.from_ms_ls(fixed[0].ProductVersionMS,
                                                       fixed[0].ProductVersionLS)
    tables: list = []
    for file_info in (getattr(pe, "FileInfo", None) or [[]])[0]:
        if (getattr(file_info, "Key", b"") or b"").startswith(b"StringFileInfo"):
            tables += getattr(file_info, "StringTable", [])
    table = next((t for t in tables if (_text(t.LangID) or "")[:4].lower() == US_ENGLISH), None)
    if table is None and tables:
        table = tables[0]
    if table is not None:
        strings = {_text(k): _text(v) for k, v in table.entries.items()}
        for name, field in VERSION_STRINGS:
            result[field] = strings.get(name)
    return result


def _read(data: bytes) -> PEInfo:
    try:
        pe = pefile.PE(data=data, fast_load=True)
    except pefile.PEFormatError as error:
        raise PEReadError(f"pefile: {_one_line(getattr(error, 'value', error))}") from None
    machine = machine_name(pe.FILE_HEADER.Machine)
    directories = pe.OPTIONAL_HEADER.DATA_DIRECTORY
    if len(directories) <= 2 or directories[2].VirtualAddress == 0:
        return PEInfo(machine=machine, version_problem="no version resource")
    walker = _Walker(pe, data)
    entry = walker.version_entry(directories[2].VirtualAddress)
    if entry is None:
        return PEInfo(machine=machine, version_problem="no version resource")
    if entry.Size == 0:
        return PEInfo(machine=machine, has_version_resource=True,
                      version_problem="version resource is empty")
    walker.check_version_bytes(entry)
    entry.Size = min(entry.Size, MAX_VERSION_SIZE)
    pe.parse_version_information(entry)
    return PEInfo(machine=machine, **_version_fields(pe))


def read(path: str) -> PEInfo:
    """Read ``path`` with pefile; every failure becomes PEReadError."""
    fd, size = open_regular_file(path)
    try:
        return read_open(fd, size, pread_upto(fd, 0, HEAD_SIZE))
    finally:
        os.close(fd)


def read_open(fd: Source, size: int, head: bytes) -> PEInfo:
    """Read an open regular file with pefile (see :func:`verfix.pe.read_pe_open`)."""
    data = _load(fd, size, head)
    try:
        return _read(data)
    except PEReadError:
        raise
    except RecursionError:
        raise PEReadError("pefile: recursion too deep") from None
    except Exception as error:  # pefile raises plain Exception, AttributeError, struct.error, ...
        raise PEReadError(f"pefile failed: {type(error).__name__}: {_one_line(error)}") from None
