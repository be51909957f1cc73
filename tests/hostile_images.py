"""Damaged disk images, crafted from the committed testdata/images/server.* in a few byte edits.

Each maker writes one image into a folder and returns its path. Used by tests/test_image*.py
and tools/image_bounds.py. The layout they rely on is testdata/images/build.sh's: an MBR,
partition 1 NTFS at sector 63, partition 2 FAT12 after it, holding Exchsrvr/Bin.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path

IMAGES = Path(__file__).resolve().parent.parent / "testdata" / "images"
RAW = IMAGES / "server.img"
SECTOR = 512


def _partition(disk: bytes, slot: int) -> tuple[int, int]:
    """(start, size) in bytes of MBR slot ``slot`` (0-3)."""
    start, count = struct.unpack_from("<II", disk, 446 + 16 * slot + 8)
    return start * SECTOR, count * SECTOR


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def truncated_raw(folder: Path) -> Path:
    """The raw disk cut after 2 MiB: NTFS partition cut short, the FAT partition gone."""
    return _write(folder, "truncated.img", RAW.read_bytes()[: 2 << 20])


def truncated_e01(folder: Path) -> Path:
    """The E01 cut in the middle of its compressed chunks (its closing sections lost)."""
    data = (IMAGES / "server.E01").read_bytes()
    return _write(folder, "truncated.E01", data[: len(data) // 2])


def truncated_vhd(folder: Path) -> Path:
    """The dynamic VHD cut in half: its closing footer and half of its blocks lost."""
    data = (IMAGES / "server.vhd").read_bytes()
    return _write(folder, "truncated.vhd", data[: len(data) // 2])


def zeroed_mft(folder: Path) -> Path:
    """Partition 1's first 64 MFT records zeroed ($MFT, $MFTMirr, the root folder, ...)."""
    disk = bytearray(RAW.read_bytes())
    start, _ = _partition(disk, 0)
    bytes_per_sector, sectors_per_cluster = struct.unpack_from("<HB", disk, start + 11)
    (mft_cluster,) = struct.unpack_from("<Q", disk, start + 48)
    mft = start + mft_cluster * bytes_per_sector * sectors_per_cluster
    disk[mft:mft + 64 * 1024] = bytes(64 * 1024)
    return _write(folder, "zeroed-mft.img", bytes(disk))


def partition_past_end(folder: Path) -> Path:
    """Partition 2 claims 1,000,000 sectors on a disk of 6,207."""
    disk = bytearray(RAW.read_bytes())
    struct.pack_into("<I", disk, 446 + 16 + 12, 1_000_000)
    return _write(folder, "past-end.img", bytes(disk))


def partition_starts_past_end(folder: Path) -> Path:
    """Partition 2 starts beyond the disk's end; partition 1 is sound."""
    disk = bytearray(RAW.read_bytes())
    struct.pack_into("<I", disk, 446 + 16 + 8, 50_000_000)
    return _write(folder, "starts-past-end.img", bytes(disk))


def garbage_partition_table(folder: Path) -> Path:
    """The four MBR entries overwritten with counting bytes (the 55 AA signature kept)."""
    disk = bytearray(RAW.read_bytes())
    disk[446:510] = bytes(range(64))
    return _write(folder, "garbage-table.img", bytes(disk))


def no_partition_table(folder: Path) -> Path:
    """Sector 0 zeroed: no MBR signature, no boot sector."""
    disk = bytearray(RAW.read_bytes())
    disk[:SECTOR] = bytes(SECTOR)
    return _write(folder, "no-table.img", bytes(disk))


def looping_logical_partitions(folder: Path) -> Path:
    """Slot 3 an extended partition whose second boot record names itself as the next one."""
    disk = bytearray(RAW.read_bytes())
    base = 6000  # inside the FAT partition's free clusters
    struct.pack_into("<B3sB3sII", disk, 446 + 32, 0, b"\0" * 3, 0x05, b"\0" * 3, base, 200)
    for ebr_lba in (base, base + 50):
        ebr = ebr_lba * SECTOR
        struct.pack_into("<B3sB3sII", disk, ebr + 446, 0, b"\0" * 3, 0x07, b"\0" * 3, 2, 40)
        struct.pack_into("<B3sB3sII", disk, ebr + 462, 0, b"\0" * 3, 0x05, b"\0" * 3, 50, 100)
        disk[ebr + 510:ebr + 512] = b"\x55\xaa"
    return _write(folder, "ebr-loop.img", bytes(disk))


def _fat_layout(disk: bytes) -> tuple[int, int, int, int, int]:
    """(partition start, FAT offset, FAT size, first data byte, cluster size) of partition 2."""
    start, _ = _partition(disk, 1)
    bytes_per_sector, sectors_per_cluster, reserved, fats, root_entries = struct.unpack_from(
        "<HBHBH", disk, start + 11)
    (fat_sectors,) = struct.unpack_from("<H", disk, start + 22)
    root = start + (reserved + fats * fat_sectors) * bytes_per_sector
    data = root + root_entries * 32
    return start, start + reserved * bytes_per_sector, fat_sectors * bytes_per_sector, data, \
        bytes_per_sector * sectors_per_cluster


def _short_entry(disk: bytes, start: int, name: bytes) -> int:
    """The offset of the 8.3 directory entry ``name`` (11 bytes) within partition 2."""
    at = disk.find(name, start)
    assert at >= 0, f"no {name!r} entry in the FAT partition"
    return at


def fat_directory_loop(folder: Path) -> Path:
    """Exchsrvr/Bin/Files.txt turned into a folder whose clusters are Exchsrvr's own."""
    disk = bytearray(RAW.read_bytes())
    start, *_ = _fat_layout(disk)
    exchsrvr = _short_entry(disk, start, b"EXCHSRVR   \x10")
    (cluster,) = struct.unpack_from("<H", disk, exchsrvr + 26)
    files = _short_entry(disk, start, b"FILES   TXT")
    disk[files + 11] = 0x10
    struct.pack_into("<HI", disk, files + 26, cluster, 0)
    return _write(folder, "fat-loop.img", bytes(disk))


def fat_chain_loop(folder: Path) -> Path:
    """Exchsrvr/Bin/Emsmta.exe's cluster chain points back at its first cluster (both FATs)."""
    disk = bytearray(RAW.read_bytes())
    start, fat, fat_size, *_ = _fat_layout(disk)
    entry = _short_entry(disk, start, b"EMSMTA  EXE")
    (first,) = struct.unpack_from("<H", disk, entry + 26)
    for table in (fat, fat + fat_size):
        # FAT12: entry n is 12 bits at byte n * 3 // 2; its second cluster points back to the first
        second = first + 1
        at = table + second * 3 // 2
        (pair,) = struct.unpack_from("<H", disk, at)
        pair = (pair & 0x000F) | (first << 4) if second % 2 else (pair & 0xF000) | first
        struct.pack_into("<H", disk, at, pair)
    return _write(folder, "fat-chain-loop.img", bytes(disk))


def ntfs_directory_loop(folder: Path) -> Path:
    """The entry of EXCHSRVR/BIN/FILES.TXT in BIN's NTFS index pointed at EXCHSRVR's own MFT
    record: BIN/FILES.TXT becomes a folder that is EXCHSRVR again."""
    disk = bytearray(RAW.read_bytes())
    start, size = _partition(disk, 0)
    name = "FILES.TXT".encode("utf-16-le")
    (exchsrvr,) = struct.unpack_from("<Q", disk, _index_entry(disk, start, size, "EXCHSRVR".encode("utf-16-le")))
    struct.pack_into("<Q", disk, _index_entry(disk, start, size, name), exchsrvr)
    return _write(folder, "ntfs-loop.img", bytes(disk))


def _index_entry(disk: bytes, start: int, size: int, name: bytes) -> int:
    """Where the index entry (not the MFT attribute) naming ``name`` starts: its key, a
    $FILE_NAME, holds the name at 0x42, after a 16-byte entry header whose first 8 bytes are
    the file's reference; the attribute copy sits in the file's own record instead."""
    found = []
    at = disk.find(name, start)
    while 0 <= at < start + size:
        entry = at - 0x52
        if disk[at - 2] == len(name) // 2 and struct.unpack_from("<H", disk, entry + 8)[0] >= 0x52 + len(name):
            found.append(entry)
        at = disk.find(name, at + 1)
    # The entry's length (at +8) must hold the key; of the places left, the last is the
    # folder's index (its INDX records follow the MFT on this volume).
    assert found, f"no index entry for {name!r}"
    return found[-1]


def not_an_image(folder: Path) -> Path:
    """A file named like an image holding text."""
    return _write(folder, "notes.E01", b"not an evidence file\n" * 100)


#: Every hostile image, by name.
MAKERS: dict[str, Callable[[Path], Path]] = {
    "truncated raw": truncated_raw,
    "truncated E01": truncated_e01,
    "truncated VHD": truncated_vhd,
    "zeroed MFT": zeroed_mft,
    "partition past the end": partition_past_end,
    "partition starting past the end": partition_starts_past_end,
    "garbage partition table": garbage_partition_table,
    "no partition table": no_partition_table,
    "looping logical partitions": looping_logical_partitions,
    "FAT directory loop": fat_directory_loop,
    "NTFS directory loop": ntfs_directory_loop,
    "FAT cluster chain loop": fat_chain_loop,
    "not an image": not_an_image,
}
