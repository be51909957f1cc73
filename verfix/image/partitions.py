"""The partitions of a disk: an MBR (primary and logical partitions) or a GPT, read with caps.

Numbers are the ones fdisk, sfdisk and Linux give: MBR slots 1-4, logical partitions from 5 on;
GPT entries by their slot. A disk with neither table but a boot sector at its start is one
volume, partition 1. Nothing here needs the ``images`` extra.
"""

from __future__ import annotations

import itertools
import struct
import uuid
from dataclasses import dataclass
from typing import Protocol

from verfix.image.errors import ImageError

SECTOR = 512
MAX_LOGICAL = 128          # logical partitions followed in one extended partition
MAX_GPT_ENTRIES = 1024     # GPT entries read (the usual table has 128)
_EXTENDED = (0x05, 0x0F, 0x85)
_MBR_ENTRY = struct.Struct("<B3sB3sII")
_GPT_HEADER = struct.Struct("<8sIIIIQQQQ16sQII")
_BASIC_DATA = uuid.UUID("ebd0a0a2-b9e5-4433-87c0-68b6b72699c7")

#: MBR type codes of the partitions verfix can read, as fdisk names them.
MBR_TYPES = {0x01: "FAT12", 0x04: "FAT16 <32M", 0x06: "FAT16", 0x07: "HPFS/NTFS/exFAT",
             0x0B: "W95 FAT32", 0x0C: "W95 FAT32 (LBA)", 0x0E: "W95 FAT16 (LBA)",
             0x86: "NTFS volume set", 0x87: "NTFS volume set"}


class Disk(Protocol):
    """What is read from: a size and bounded reads (a Media)."""

    size: int

    def read_at(self, offset: int, length: int) -> bytes: ...


@dataclass(frozen=True)
class Partition:
    """One partition: its number, where it lies (bytes), its type, and what is wrong with it."""

    number: int
    start: int
    size: int
    kind: str                  # "FAT16", "HPFS/NTFS/exFAT", "Basic data", "whole disk", ...
    problem: str | None = None  # e.g. "runs 1 MiB past the end of the disk (cut to fit)"

    @property
    def label(self) -> str:
        """``p1``, as in report paths."""
        return f"p{self.number}"


@dataclass(frozen=True)
class PartitionTable:
    """The partitions of a disk and the kind of table they came from."""

    scheme: str                       # "MBR", "GPT" or "none"
    partitions: tuple[Partition, ...]
    warnings: tuple[str, ...] = ()


def read_partitions(disk: Disk) -> PartitionTable:
    """The partitions of ``disk``; raises ImageError when its first sector cannot be read."""
    try:
        first = disk.read_at(0, SECTOR)
        if len(first) < SECTOR:
            raise ImageError(f"the disk is shorter than one sector ({disk.size} bytes)")
        gpt_header = disk.read_at(SECTOR, SECTOR)
    except OSError as exc:
        raise ImageError(f"cannot read the partition table: {exc.strerror or exc}") from None
    if gpt_header.startswith(b"EFI PART"):
        return _read_gpt(disk, gpt_header)
    if first[510:512] != b"\x55\xaa":
        raise ImageError("no partition table and no boot sector at the start of the disk "
                         "(the 55 AA signature of sector 0 is missing)")
    if _is_boot_sector(first):
        return PartitionTable("none", (Partition(1, 0, disk.size, "whole disk"),))
    return _read_mbr(disk, first)


def _is_boot_sector(sector: bytes) -> bool:
    """A volume boot sector (NTFS or FAT) rather than an MBR: the disk is one volume."""
    return sector[3:11] == b"NTFS    " or sector[54:59] in (b"FAT12", b"FAT16") or sector[82:87] == b"FAT32"


def _checked(number: int, start: int, size: int, kind: str, disk: Disk, warnings: list[str]) -> Partition | None:
    """A Partition fitted to the disk, or None (with a warning) when none of it is on the disk."""
    if size <= 0:
        return None
    if start >= disk.size:
        warnings.append(f"partition {number} starts at byte {start}, past the end of the disk "
                        f"({disk.size} bytes); skipped")
        return None
    problem = None
    if start + size > disk.size:
        missing = start + size - disk.size
        problem = f"runs {missing} bytes past the end of the disk (truncated image?); read as far as it goes"
        warnings.append(f"partition {number} {problem}")
        size = disk.size - start
    return Partition(number, start, size, kind, problem)


def _read_mbr(disk: Disk, sector: bytes) -> PartitionTable:
    found: list[Partition] = []
    warnings: list[str] = []
    extended: tuple[int, int] | None = None
    for slot in range(4):
        _, _, code, _, first_lba, count = _MBR_ENTRY.unpack_from(sector, 446 + 16 * slot)
        if code == 0 or count == 0:
            continue
        if code in _EXTENDED:
            if extended is None:
                extended = (first_lba, count)
            else:
                warnings.append(f"a second extended partition (slot {slot + 1}) ignored")
            continue
        kind = MBR_TYPES.get(code, f"type 0x{code:02x}")
        part = _checked(slot + 1, first_lba * SECTOR, count * SECTOR, kind, disk, warnings)
        if part is not None:
            found.append(part)
    if extended is not None:
        found.extend(_read_logical(disk, extended, warnings))
    _warn_overlaps(found, warnings)
    return PartitionTable("MBR", tuple(found), tuple(warnings))


def _read_logical(disk: Disk, extended: tuple[int, int], warnings: list[str]) -> list[Partition]:
    """Follow the chain of extended boot records: bounded, each record read once."""
    base, _ = extended
    seen: set[int] = set()
    found: list[Partition] = []
    ebr_lba = base
    number = 5
    while len(found) < MAX_LOGICAL:
        if ebr_lba in seen:
            warnings.append(f"the chain of logical partitions loops back to sector {ebr_lba}; stopped")
            break
        seen.add(ebr_lba)
        try:
            record = disk.read_at(ebr_lba * SECTOR, SECTOR)
        except OSError as exc:
            warnings.append(f"cannot read the extended boot record at sector {ebr_lba}: {exc.strerror or exc}")
            break
        if len(record) < SECTOR or record[510:512] != b"\x55\xaa":
            warnings.append(f"no extended boot record at sector {ebr_lba}; logical partitions stop there")
            break
        _, _, code, _, rel, count = _MBR_ENTRY.unpack_from(record, 446)
        _, _, next_code, _, next_rel, _ = _MBR_ENTRY.unpack_from(record, 462)
        if code and count:
            kind = MBR_TYPES.get(code, f"type 0x{code:02x}")
            part = _checked(number, (ebr_lba + rel) * SECTOR, count * SECTOR, kind, disk, warnings)
            if part is not None:
                found.append(part)
            number += 1
        if next_code not in _EXTENDED or next_rel == 0:
            break
        ebr_lba = base + next_rel
    else:
        warnings.append(f"more than {MAX_LOGICAL} logical partitions; the rest not read")
    return found


def _read_gpt(disk: Disk, header: bytes) -> PartitionTable:
    (_, _, _, _, _, _, _, _, _, _, entries_lba, count,
     entry_size) = _GPT_HEADER.unpack_from(header)
    warnings: list[str] = []
    if not 128 <= entry_size <= 4096 or entry_size % 8:
        raise ImageError(f"GPT header gives an entry size of {entry_size} bytes")
    if count > MAX_GPT_ENTRIES:
        warnings.append(f"GPT lists {count} entries; the first {MAX_GPT_ENTRIES} read")
        count = MAX_GPT_ENTRIES
    try:
        table = disk.read_at(entries_lba * SECTOR, count * entry_size)
    except OSError as exc:
        raise ImageError(f"cannot read the GPT entries: {exc.strerror or exc}") from None
    found: list[Partition] = []
    for slot in range(len(table) // entry_size):
        entry = table[slot * entry_size:(slot + 1) * entry_size]
        type_guid = uuid.UUID(bytes_le=entry[:16])
        if type_guid.int == 0:
            continue
        first_lba, last_lba = struct.unpack_from("<QQ", entry, 32)
        name = entry[56:128].decode("utf-16-le", "replace").split("\0", 1)[0]
        kind = "Basic data" if type_guid == _BASIC_DATA else f"type {type_guid}"
        if name:
            kind += f" ({name})"
        part = _checked(slot + 1, first_lba * SECTOR, (last_lba - first_lba + 1) * SECTOR, kind, disk, warnings)
        if part is not None:
            found.append(part)
    _warn_overlaps(found, warnings)
    return PartitionTable("GPT", tuple(found), tuple(warnings))


def _warn_overlaps(found: list[Partition], warnings: list[str]) -> None:
    ordered = sorted(found, key=lambda part: part.start)
    for before, after in itertools.pairwise(ordered):
        if after.start < before.start + before.size:
            warnings.append(f"partitions {before.number} and {after.number} overlap")
