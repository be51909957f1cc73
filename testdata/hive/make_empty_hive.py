"""Write an empty registry hive (REGF 1.3: a root key and one security record) for hivexregedit to fill.

hivex can edit a hive but not create one, so the recipe starts from this empty file.
Usage: python3 make_empty_hive.py OUT_FILE
"""

from __future__ import annotations

import struct
import sys

BLOCK = 4096
NO_CELL = 0xFFFFFFFF
ROOT_NAME = b"ROOT"
# A self-relative security descriptor with no owner, group or ACLs: enough for hivex and regipy.
EMPTY_DESCRIPTOR = struct.pack("<BBHIIII", 1, 0, 0x8000, 0, 0, 0, 0)


def _cell(payload: bytes) -> bytes:
    """An allocated cell: negative size (header included), padded to 8 bytes."""
    size = (4 + len(payload) + 7) // 8 * 8
    return struct.pack("<i", -size) + payload.ljust(size - 4, b"\0")


def _security_cell(own_offset: int) -> bytes:
    head = struct.pack("<2sHIIII", b"sk", 0, own_offset, own_offset, 1, len(EMPTY_DESCRIPTOR))
    return _cell(head + EMPTY_DESCRIPTOR)


def _root_key_cell(security_offset: int) -> bytes:
    flags = 0x04 | 0x08 | 0x20  # hive entry, cannot be deleted, ASCII name
    head = struct.pack(
        "<2sHQIIIIIIIIIIIIIIIHH",
        b"nk", flags, 0, 0, NO_CELL,
        0, 0, NO_CELL, NO_CELL,  # subkeys, volatile subkeys and their lists
        0, NO_CELL,  # values and their list
        security_offset, NO_CELL,  # security record, class name
        0, 0, 0, 0, 0,  # max name/class/value-name/value-data lengths, work var
        len(ROOT_NAME), 0,
    )
    return _cell(head + ROOT_NAME)


def empty_hive() -> bytes:
    """The bytes of a two-block hive: base block, then one hive bin."""
    root_offset = 0x20
    root = _root_key_cell(0)  # size does not depend on the security offset
    security_offset = root_offset + len(root)
    root = _root_key_cell(security_offset)
    cells = root + _security_cell(security_offset)
    free = BLOCK - 0x20 - len(cells)
    hbin = struct.pack("<4sIIQQI", b"hbin", 0, BLOCK, 0, 0, 0) + cells + struct.pack("<i", free)
    hbin = hbin.ljust(BLOCK, b"\0")

    name = "SOFTWARE".encode("utf-16-le").ljust(64, b"\0")
    base = struct.pack("<4sIIQIIIIIII", b"regf", 1, 1, 0, 1, 3, 0, 1, root_offset, BLOCK, 1) + name
    base = base.ljust(0x1FC, b"\0")
    checksum = 0
    for (word,) in struct.iter_unpack("<I", base):
        checksum ^= word
    checksum = {0: 1, 0xFFFFFFFF: 0xFFFFFFFE}.get(checksum, checksum)
    base = (base + struct.pack("<I", checksum)).ljust(BLOCK, b"\0")
    return base + hbin


if __name__ == "__main__":
    with open(sys.argv[1], "wb") as out:
        out.write(empty_hive())
