"""PE format constants and caps shared by both readers, and the header checks they share."""

from __future__ import annotations

import struct
from typing import Callable

from verfix.pe.types import NotPEError, PEReadError

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

# The StringFileInfo strings both readers report, and the PEInfo field of each (the names
# exiftool and sigcheck show).
VERSION_STRINGS = (
    ("FileVersion", "file_version_string"), ("ProductVersion", "product_version_string"),
    ("ProductName", "product_name"), ("CompanyName", "company_name"),
    ("FileDescription", "file_description"), ("OriginalFilename", "original_filename"),
    ("InternalName", "internal_name"), ("LegalCopyright", "legal_copyright"),
)

MACHINES: dict[int, str] = {
    0x014C: "i386", 0x8664: "amd64", 0x0184: "alpha", 0x0284: "alpha64",
    0x01C0: "arm", 0x01C2: "arm", 0x01C4: "arm", 0xAA64: "arm64", 0xA641: "arm64",
    0x0200: "ia64", 0x0162: "mips", 0x0166: "mips", 0x0168: "mips", 0x0169: "mips",
    0x0266: "mips", 0x0366: "mips", 0x0466: "mips", 0x01F0: "powerpc", 0x01F1: "powerpc",
    0x01A2: "sh3", 0x01A3: "sh3", 0x01A6: "sh4", 0x01A8: "sh5", 0x0EBC: "efi",
    0x5032: "riscv32", 0x5064: "riscv64", 0x6232: "loongarch32", 0x6264: "loongarch64",
}


def machine_name(code: int) -> str:
    """A short architecture name for IMAGE_FILE_HEADER.Machine."""
    return MACHINES.get(code, f"unknown (0x{code:04x})")



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

