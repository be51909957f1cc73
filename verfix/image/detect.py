"""Which disk-image format a file holds, told by its content (standard library only)."""

from __future__ import annotations

import os
import stat

from verfix.fsio import open_readonly

#: File name endings users give to disk images; a file with one of these that holds no known
#: format gets an error instead of being taken for something else.
IMAGE_SUFFIXES = (".e01", ".ex01", ".vmdk", ".vhd", ".vhdx", ".qcow", ".qcow2",
                  ".img", ".dd", ".raw", ".001", ".bin", ".ima")

_EWF = (b"EVF\x09\x0d\x0a\xff\x00", b"EVF2\x0d\x0a\x81\x00")
_LOGICAL_EWF = (b"LVF\x09\x0d\x0a\xff\x00", b"LEF2\x0d\x0a\x81\x00")


def detect_format(path: str | os.PathLike[str]) -> str | None:
    """``"ewf"``, ``"vmdk"``, ``"vhd"`` (VHD or VHDX), ``"qcow"`` or ``"raw"`` (an MBR, a GPT or
    a volume boot sector at the start) for a regular file or a block device, else None. Reads the first 1 KiB and
    the last 512 bytes; raises OSError when the file cannot be read."""
    fd = open_readonly(path)
    try:
        size = disk_size(fd)
        if size is None:
            return None
        head = os.pread(fd, 1024, 0)
        tail = os.pread(fd, 512, size - 512) if size >= 1024 else b""
    finally:
        os.close(fd)
    return format_of(head, tail)


def disk_size(fd: int) -> int | None:
    """The size of an open regular file or block device (a disk: /dev/sdb), else None."""
    mode = os.fstat(fd).st_mode
    if stat.S_ISREG(mode):
        return os.fstat(fd).st_size
    if stat.S_ISBLK(mode):
        return os.lseek(fd, 0, os.SEEK_END)
    return None


def format_of(head: bytes, tail: bytes = b"") -> str | None:
    """The format named by a file's first bytes (``head``) and last 512 (``tail``)."""
    if head.startswith(_EWF):
        return "ewf"
    if head.startswith(_LOGICAL_EWF):
        return "logical-ewf"
    if head.startswith((b"KDMV", b"COWD")) or b"# Disk DescriptorFile" in head[:1024]:
        return "vmdk"
    if head.startswith((b"conectix", b"vhdxfile")) or tail.startswith(b"conectix"):
        return "vhd"
    if head.startswith(b"QFI\xfb"):
        return "qcow"
    if len(head) >= 512 and (head[510:512] == b"\x55\xaa" or head[512:520] == b"EFI PART"):
        return "raw"
    return None


def looks_like_image(path: str | os.PathLike[str]) -> bool:
    """True for a regular file that holds a disk image or is named like one (``.E01``, ``.img``…),
    and for a block device (a disk attached through a write blocker: ``/dev/sdb``).

    Folders are never images. A file that cannot be read counts by its name alone.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    if stat.S_ISBLK(mode):
        return True
    if not stat.S_ISREG(mode):
        return False
    if os.fspath(path).lower().endswith(IMAGE_SUFFIXES):
        return True
    try:
        return detect_format(path) is not None
    except OSError:
        return False
