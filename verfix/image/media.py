"""The disk inside an image file: raw bytes, or an E01/VMDK/VHD/qcow2 container read by libyal.

Every file is opened here, read-only, without following a final link and without updating
its access time where allowed; the libyal bindings only ever get these file objects, never
a path, so they cannot open anything else (or anything for writing).
"""

from __future__ import annotations

import errno
import importlib
import os
import struct
from collections import OrderedDict
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from verfix.fsio import open_readonly
from verfix.image.detect import detect_format, disk_size
from verfix.image.errors import ImageError, MissingExtraError, io_error, one_line

if TYPE_CHECKING:
    from typing_extensions import Self

#: The most segment files of one E01 image (E01…E99, EAA…: libewf's own limit is higher).
MAX_SEGMENTS = 4096
#: Container reads go by aligned blocks of this size, the last BLOCKS_KEPT of them kept: the
#: file systems ask for many small pieces, and a compressed block (qcow2, E01, VMDK) would
#: otherwise be inflated again for each (4 MiB of memory at most).
BLOCK_SIZE = 64 * 1024
BLOCKS_KEPT = 64


class _ReadOnlyFile:
    """A read-only file object over one descriptor, as the libyal bindings want it."""

    def __init__(self, path: Path, link_refused: str | None = None) -> None:
        """Open ``path``; a link to evidence is followed (the user named it), unless
        ``link_refused`` is given: then a symbolic link is not opened, and that is the error."""
        self.path = path
        try:
            self.fd = open_readonly(path, follow_links=link_refused is None)
        except OSError as exc:
            if link_refused is not None and exc.errno in (errno.ELOOP, errno.EMLINK):
                raise ImageError(link_refused) from None
            raise ImageError(f"cannot open {path}: {exc.strerror or exc}") from None
        try:
            size = disk_size(self.fd)
        except OSError as exc:
            os.close(self.fd)
            raise ImageError(f"cannot open {path}: {exc.strerror or exc}") from None
        if size is None:
            os.close(self.fd)
            raise ImageError(f"{path} is not a regular file or a disk")
        self.size = size
        self.position = 0

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = max(self.size - self.position, 0)
        data = os.pread(self.fd, size, self.position)
        self.position += len(data)
        return data

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self.position, os.SEEK_END: self.size}[whence]
        self.position = base + offset
        return self.position

    def tell(self) -> int:
        return self.position

    def get_size(self) -> int:
        return self.size

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


class Media:
    """The disk of an image: ``size`` bytes, read with :meth:`read_at`; ``files``, every file
    it was read from (the one named, then E01 segments or VMDK extents), never to be written."""

    def __init__(self, path: Path, kind: str, handle: Any, files: list[_ReadOnlyFile], size: int) -> None:
        self.path = path
        self.kind = kind  # "raw", "ewf", "vmdk", "vhd" or "qcow"
        self.size = size
        self.files = tuple(file.path for file in files)
        self._handle = handle  # a libyal handle, or None for raw (read through files[0])
        self._files = files
        self._blocks: OrderedDict[int, bytes] = OrderedDict()

    def read_at(self, offset: int, length: int) -> bytes:
        """Up to ``length`` bytes at ``offset``: fewer only at the end of the disk.

        A damaged container raises OSError(EIO) with a one-line reason.
        """
        if offset < 0 or length <= 0 or offset >= self.size:
            return b""
        length = min(length, self.size - offset)
        if self._handle is None:
            try:
                return os.pread(self._files[0].fd, length, offset)
            except OSError as exc:
                raise io_error(f"cannot read the raw image at offset {offset}: {exc.strerror}") from None
        first, last = offset // BLOCK_SIZE, (offset + length - 1) // BLOCK_SIZE
        if first == last:
            start = offset - first * BLOCK_SIZE
            return self._block(first)[start:start + length]
        data = b"".join(self._block(number) for number in range(first, last + 1))
        start = offset - first * BLOCK_SIZE
        return data[start:start + length]

    def _block(self, number: int) -> bytes:
        """Block ``number`` of a container, read once while it stays among the last kept."""
        block = self._blocks.get(number)
        if block is not None:
            self._blocks.move_to_end(number)
            return block
        offset = number * BLOCK_SIZE
        try:
            block = bytes(self._handle.read_buffer_at_offset(min(BLOCK_SIZE, self.size - offset), offset))
        except OSError as exc:
            raise io_error(f"cannot read the {self.kind} image at offset {offset}: {one_line(exc)}") from None
        self._blocks[number] = block
        if len(self._blocks) > BLOCKS_KEPT:
            self._blocks.popitem(last=False)
        return block

    def close(self) -> None:
        """Close the container and every file it opened."""
        if self._handle is not None:
            try:
                self._handle.close()
            except OSError:
                pass
            self._handle = None
        for file in self._files:
            file.close()
        self._files = []

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def binding(name: str) -> ModuleType:
    """Import one libyal binding, or raise MissingExtraError naming the extra."""
    try:
        return importlib.import_module(name)
    except ImportError:
        raise MissingExtraError(name) from None


def open_media(path: str | os.PathLike[str]) -> Media:
    """Open the disk image ``path`` read-only, its format told by its content.

    Raises ImageError with a one-line reason for an unknown, damaged or unsupported image.
    """
    image = Path(path)
    try:
        kind = detect_format(image)
    except OSError as exc:
        raise ImageError(f"cannot read {image}: {exc.strerror or exc}") from None
    if kind is None:
        raise ImageError(f"{image}: not a disk image verfix can read (no E01, VMDK, VHD or qcow "
                         "header, and no partition table or boot sector)")
    if kind == "logical-ewf":
        raise ImageError(f"{image}: a logical evidence file (L01) holds files, not a disk; export them to a folder")
    opener = {"raw": _open_raw, "ewf": _open_ewf, "vmdk": _open_vmdk, "vhd": _open_vhd, "qcow": _open_qcow}[kind]
    first = _ReadOnlyFile(image)
    files = [first]
    try:
        handle, size = opener(first, files)
    except OSError as exc:
        for file in files:
            file.close()
        raise ImageError(f"{image}: cannot open the {kind} image: {one_line(exc)}") from None
    except BaseException:
        for file in files:
            file.close()
        raise
    return Media(image, kind, handle, files, size)


def _open_raw(first: _ReadOnlyFile, files: list[_ReadOnlyFile]) -> tuple[Any, int]:
    return None, first.size


def _open_ewf(first: _ReadOnlyFile, files: list[_ReadOnlyFile]) -> tuple[Any, int]:
    pyewf = binding("pyewf")
    names = pyewf.glob(str(first.path))
    if len(names) > MAX_SEGMENTS:
        raise ImageError(f"{first.path}: more than {MAX_SEGMENTS} segment files")
    for name in names:
        if Path(name) != first.path:
            files.append(_ReadOnlyFile(Path(name)))
    handle = pyewf.handle()
    handle.open_file_objects(files)
    return handle, handle.get_media_size()


def _open_vmdk(first: _ReadOnlyFile, files: list[_ReadOnlyFile]) -> tuple[Any, int]:
    pyvmdk = binding("pyvmdk")
    handle = pyvmdk.handle()
    handle.open_file_object(first)
    descriptors = handle.extent_descriptors
    if len(descriptors) == 1 and os.pread(first.fd, 4, 0) == b"KDMV":
        # Monolithic sparse or stream-optimised: the file holds its own descriptor and is its
        # one extent, whatever it is named now (the descriptor keeps the name it was made with).
        handle.open_extent_data_files_as_file_objects([first])
        return handle, handle.get_media_size()
    extents = []
    for descriptor in descriptors:
        name = descriptor.filename or ""
        if name != os.path.basename(name) or name in ("", ".", ".."):
            raise ImageError(f"{first.path}: extent file {name!r} is not beside the descriptor; not opened")
        if name == first.path.name:
            extents.append(first)
        else:
            extent = _ReadOnlyFile(first.path.with_name(name), link_refused=(
                f"{first.path}: extent file {name!r} is a symbolic link; not followed (extent "
                "files are opened only when they lie beside the descriptor)"))
            files.append(extent)
            extents.append(extent)
    handle.open_extent_data_files_as_file_objects(extents)
    return handle, handle.get_media_size()


def _open_vhd(first: _ReadOnlyFile, files: list[_ReadOnlyFile]) -> tuple[Any, int]:
    pyvhdi = binding("pyvhdi")
    handle = pyvhdi.file()
    handle.open_file_object(first)
    if handle.parent_identifier is not None or handle.parent_filename:
        raise ImageError(f"{first.path}: a differencing VHD needs its parent disk; merge it first "
                         "(qemu-img convert) or give the parent")
    return handle, handle.get_media_size()


def _open_qcow(first: _ReadOnlyFile, files: list[_ReadOnlyFile]) -> tuple[Any, int]:
    pyqcow = binding("pyqcow")
    _refuse_misread_qcow(first)
    handle = pyqcow.file()
    handle.open_file_object(first)
    if handle.backing_filename:
        raise ImageError(f"{first.path}: a qcow image with a backing file ({handle.backing_filename}) "
                         "is not supported; flatten it first (qemu-img convert)")
    return handle, handle.get_media_size()


_QCOW_HEADER = struct.Struct(">4sIQIIQIIQ")  # magic … l1_size, l1_table_offset
_COMPRESSED = 1 << 62
_OFFSET_MASK = 0x00FF_FFFF_FFFF_FE00


def _refuse_misread_qcow(file: _ReadOnlyFile) -> None:
    """libqcow 20260703 returns wrong bytes for compressed clusters of qcow2 version 3 images
    (qemu's default; version 2 ones read right): such an image is refused rather than misread.
    Scans the L2 tables, reading each once; stops at the first compressed cluster."""
    header = os.pread(file.fd, _QCOW_HEADER.size, 0)
    if len(header) < _QCOW_HEADER.size:
        raise ImageError(f"{file.path}: truncated qcow header")
    _, version, _, _, cluster_bits, _, _, l1_size, l1_offset = _QCOW_HEADER.unpack(header)
    if version < 3 or not 9 <= cluster_bits <= 21:
        return  # version 1/2 read right; a bad cluster size is libqcow's to report
    cluster_size = 1 << cluster_bits
    if l1_size * 8 > file.size:
        raise ImageError(f"{file.path}: qcow L1 table larger than the file")
    l1 = os.pread(file.fd, l1_size * 8, l1_offset)
    for (entry,) in struct.iter_unpack(">Q", l1[: len(l1) // 8 * 8]):
        l2_offset = entry & _OFFSET_MASK
        if not l2_offset:
            continue
        l2 = os.pread(file.fd, cluster_size, l2_offset)
        for (mapping,) in struct.iter_unpack(">Q", l2[: len(l2) // 8 * 8]):
            if mapping & _COMPRESSED:
                raise ImageError(
                    f"{file.path}: a qcow2 version 3 image with compressed clusters, which the "
                    "qcow library misreads; convert it first: qemu-img convert -O qcow2 "
                    "-o compat=0.10 (or -O raw)")
