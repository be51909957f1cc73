"""The image layer on the committed test images: containers, partitions, NTFS and FAT volumes."""

from __future__ import annotations

import errno
import importlib
import os
import shutil
import struct
from pathlib import Path

import pytest

from tests.hostile_images import IMAGES
from verfix.image import (
    EXTRA_MISSING,
    ImageError,
    MissingExtraError,
    detect_format,
    looks_like_image,
)
from verfix.image.disk import DiskImage, open_image

REPO = Path(__file__).resolve().parent.parent
SP2 = REPO / "testdata" / "sp2" / "exchsrvr" / "bin"
SP3 = REPO / "testdata" / "sp3" / "exchsrvr" / "bin"
FORMATS = {"server.img": "raw", "server.E01": "ewf", "server.vmdk": "vmdk",
           "server.vhd": "vhd", "server.qcow2": "qcow"}


def all_files(image: DiskImage, number: int) -> dict[str, bytes]:
    """Every file of one volume by path, read in 1000-byte pieces at increasing offsets."""
    volume = image.volume(number)
    found: dict[str, bytes] = {}
    for folder, entries in volume.walk():
        for entry in entries:
            if entry.kind != "file":
                continue
            path = f"{folder.rstrip('/')}/{entry.name}"
            with volume.open(path) as file:
                assert file.size == entry.size
                pieces = [file.read_at(offset, 1000) for offset in range(0, file.size, 1000)]
                assert file.read_at(file.size, 1000) == b""
            found[path] = b"".join(pieces)
    assert volume.warnings == []
    return found


@pytest.mark.parametrize("name", FORMATS)
def test_every_format_gives_the_disk_it_was_built_from(name: str) -> None:
    assert detect_format(IMAGES / name) == FORMATS[name]
    with open_image(IMAGES / name) as image:
        assert image.media.kind == FORMATS[name]
        assert image.media.size == (63 + 4096 + 2048) * 512
        assert image.table.scheme == "MBR" and image.table.warnings == ()
        first, second = image.partitions
        assert (first.number, first.start, first.size, first.kind) == (1, 63 * 512, 4096 * 512, "HPFS/NTFS/exFAT")
        assert (second.number, second.start, second.kind) == (2, (63 + 4096) * 512, "FAT12")
        assert image.volume(1).file_system == "NTFS" and image.volume(2).file_system == "FAT"
        ntfs = all_files(image, 1)
        fat = all_files(image, 2)
    # NTFS: upper-case names as on an NT server, the system files ($MFT, ...) not listed.
    assert ntfs == {f"/EXCHSRVR/BIN/{p.name.upper()}": p.read_bytes() for p in SP2.iterdir()}
    # FAT: the long names keep their case.
    assert fat == {f"/Exchsrvr/Bin/{p.name}": p.read_bytes() for p in SP3.iterdir()}


def test_names_are_exact_and_errors_carry_an_errno() -> None:
    with open_image(IMAGES / "server.img") as image:
        volume = image.volume(1)
        assert [entry.name for entry in volume.list_dir("/")] == ["EXCHSRVR"]
        assert volume.stat("/EXCHSRVR/BIN/EMSMTA.EXE").size == (SP2 / "Emsmta.exe").stat().st_size
        assert volume.stat("/").kind == "dir"
        cases = {
            "/exchsrvr": errno.ENOENT,  # lookups ignoring case are the caller's
            "/EXCHSRVR/BIN/EMSMTA.EXE/X": errno.ENOTDIR,
            "/$MFT": errno.ENOENT,
        }
        for path, code in cases.items():
            with pytest.raises(OSError) as raised:
                volume.stat(path)
            assert raised.value.errno == code and str(raised.value.strerror).startswith(path[:13])
        with pytest.raises(OSError) as raised:
            volume.open("/EXCHSRVR/BIN")
        assert raised.value.errno == errno.EISDIR
        with volume.open("/EXCHSRVR/BIN/EMSMTA.EXE") as file:
            assert file.read_at(file.size - 10, 4096) == (SP2 / "Emsmta.exe").read_bytes()[-10:]
            assert file.read_at(10**12, 10) == b""


def test_format_is_told_by_content_not_name(tmp_path: Path) -> None:
    shutil.copy(IMAGES / "server.E01", tmp_path / "evidence.bin")
    shutil.copy(IMAGES / "server.img", tmp_path / "disk.vhd")
    assert detect_format(tmp_path / "evidence.bin") == "ewf"
    assert detect_format(tmp_path / "disk.vhd") == "raw"
    with open_image(tmp_path / "disk.vhd") as image:
        assert image.media.kind == "raw" and len(image.partitions) == 2
    assert detect_format(SP2 / "Emsmta.exe") is None
    assert looks_like_image(tmp_path / "evidence.bin") and not looks_like_image(SP2 / "Emsmta.exe")
    assert not looks_like_image(tmp_path)  # a folder is never an image


def test_a_partition_number_that_does_not_exist_names_those_that_do() -> None:
    with open_image(IMAGES / "server.img") as image, \
            pytest.raises(ImageError, match=r"has no partition 3 \(partitions: 1, 2\)"):
        image.volume(3)


def test_a_bare_volume_is_partition_1(tmp_path: Path) -> None:
    disk = (IMAGES / "server.img").read_bytes()
    (tmp_path / "c.img").write_bytes(disk[63 * 512:(63 + 4096) * 512])
    with open_image(tmp_path / "c.img") as image:
        assert image.table.scheme == "none"
        (only,) = image.partitions
        assert (only.number, only.start, only.kind) == (1, 0, "whole disk")
        assert image.volume(1).stat("/EXCHSRVR/BIN/STORE.EXE").kind == "file"


def test_qcow2_version_3_with_compressed_clusters_is_refused(tmp_path: Path) -> None:
    # libqcow misreads those clusters: the image is refused rather than read wrong.
    data = bytearray((IMAGES / "server.qcow2").read_bytes())
    assert struct.unpack_from(">I", data, 4) == (2,)
    struct.pack_into(">I", data, 4, 3)
    (tmp_path / "v3.qcow2").write_bytes(bytes(data))
    with pytest.raises(ImageError, match="compressed clusters.*compat=0.10"):
        open_image(tmp_path / "v3.qcow2")


def test_without_the_extra_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = importlib.import_module

    def no_libyal(name: str, package: str | None = None):  # type: ignore[no-untyped-def]
        if name.startswith("py"):
            raise ModuleNotFoundError(name)
        return real_import(name, package)

    monkeypatch.setattr(importlib, "import_module", no_libyal)
    with pytest.raises(MissingExtraError) as raised:
        open_image(IMAGES / "server.E01")
    assert str(raised.value) == f"{EXTRA_MISSING} (Python module pyewf not found)"
    with open_image(IMAGES / "server.img") as image:  # raw and its partitions need no binding
        assert len(image.partitions) == 2
        with pytest.raises(MissingExtraError, match="pyfsntfs"):
            image.volume(1)


def test_images_are_only_read(tmp_path: Path, recorded_opens: list[str]) -> None:
    for name in FORMATS:
        shutil.copy(IMAGES / name, tmp_path / name)
    old = 1_000_000_000
    for path in tmp_path.iterdir():
        os.utime(path, (old, old))
    before = {p.name: os.stat(p) for p in tmp_path.iterdir()}
    for name in FORMATS:
        with open_image(tmp_path / name) as image:
            all_files(image, 1)
            all_files(image, 2)
    after = {p.name: os.stat(p) for p in tmp_path.iterdir()}
    assert after.keys() == before.keys()  # nothing added beside the images
    for name, info in after.items():  # not written, not even read-marked (O_NOATIME: we own them)
        assert (info.st_size, info.st_mtime, info.st_atime) == (before[name].st_size, old, old)
        assert (tmp_path / name).read_bytes() == (IMAGES / name).read_bytes()
    assert sorted(set(recorded_opens)) == sorted(str(tmp_path / name) for name in FORMATS)


def test_the_folder_listings_kept_for_lookups_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    from verfix.image import volume as volume_module

    monkeypatch.setattr(volume_module, "CACHED_ENTRIES", 2)
    with open_image(IMAGES / "server.img") as image:
        volume = image.volume(1)
        for _ in volume.walk():
            assert volume._cached <= max(2, max(len(v) for v in volume._listings.values()))
        assert len(volume._listings) == 1  # only the last (largest) listing is kept
        assert volume.stat("/EXCHSRVR/BIN/STORE.EXE").kind == "file"  # listed again on demand


@pytest.mark.parametrize("name", [n for n in FORMATS if n != "server.img"])
def test_block_cached_container_reads_equal_the_library_s_own(name: str) -> None:
    import random

    from verfix.image.media import BLOCK_SIZE, BLOCKS_KEPT

    chooser = random.Random(name)
    with open_image(IMAGES / name) as image:
        media = image.media
        plain = media._handle.read_buffer_at_offset  # the reference: no cache
        cases = [(0, 512), (BLOCK_SIZE - 3, 10), (media.size - 5, 100), (media.size, 10),
                 (BLOCK_SIZE, 3 * BLOCK_SIZE + 7)]
        cases += [(chooser.randrange(media.size), chooser.randrange(1, 3 * BLOCK_SIZE)) for _ in range(300)]
        for offset, length in cases:
            expected = bytes(plain(max(0, min(length, media.size - offset)), offset)) if offset < media.size else b""
            assert media.read_at(offset, length) == expected, (offset, length)
        assert len(media._blocks) <= BLOCKS_KEPT


def test_a_gpt_disk(tmp_path: Path) -> None:
    """A GPT disk (protective MBR, header at LBA 1, entries at LBA 2) with the NTFS volume of
    server.img as its second entry, named, and an empty first entry."""
    import uuid

    raw = (IMAGES / "server.img").read_bytes()
    ntfs = raw[63 * 512:(63 + 4096) * 512]
    first_lba = 40
    disk = bytearray((first_lba + 4096 + 34) * 512)
    struct.pack_into("<B3sB3sII", disk, 446, 0, b"\0" * 3, 0xEE, b"\0" * 3, 1, len(disk) // 512 - 1)
    disk[510:512] = b"\x55\xaa"
    header = struct.pack("<8sIIIIQQQQ16sQII", b"EFI PART", 0x10000, 92, 0, 0, 1, len(disk) // 512 - 1,
                         34, len(disk) // 512 - 34, uuid.uuid4().bytes_le, 2, 128, 128)
    disk[512:512 + len(header)] = header
    entry = (uuid.UUID("ebd0a0a2-b9e5-4433-87c0-68b6b72699c7").bytes_le + uuid.uuid4().bytes_le
             + struct.pack("<QQQ", first_lba, first_lba + 4095, 0) + "EXCHANGE".encode("utf-16-le"))
    disk[2 * 512 + 128:2 * 512 + 128 + len(entry)] = entry
    disk[first_lba * 512:(first_lba + 4096) * 512] = ntfs
    (tmp_path / "gpt.img").write_bytes(bytes(disk))
    with open_image(tmp_path / "gpt.img") as image:
        assert image.table.scheme == "GPT" and image.table.warnings == ()
        (only,) = image.partitions
        assert (only.number, only.start, only.size, only.kind) == (2, 40 * 512, 4096 * 512, "Basic data (EXCHANGE)")
        assert image.volume(2).stat("/EXCHSRVR/BIN/EMSMTA.EXE").size == (SP2 / "Emsmta.exe").stat().st_size


def test_an_image_reached_through_a_symbolic_link_opens(tmp_path: Path) -> None:
    (tmp_path / "evidence.E01").symlink_to(IMAGES / "server.E01")
    with open_image(tmp_path / "evidence.E01") as image:
        assert image.media.kind == "ewf" and len(image.partitions) == 2


def _losetup_read_only(path: Path) -> str | None:
    """A read-only loop device over ``path``, or None when loop devices cannot be had here."""
    import subprocess

    if os.geteuid() != 0 or shutil.which("losetup") is None:
        return None
    done = subprocess.run(["losetup", "--find", "--show", "--read-only", str(path)],
                          capture_output=True, text=True, check=False)
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else None


def test_a_disk_attached_as_a_block_device(tmp_path: Path) -> None:
    import subprocess

    shutil.copy(IMAGES / "server.img", tmp_path / "disk.img")
    device = _losetup_read_only(tmp_path / "disk.img")
    if device is None:
        pytest.skip("needs root and a loop device (losetup) to attach the test disk as a block device")
    try:
        assert looks_like_image(device) and detect_format(device) == "raw"
        with open_image(device) as image:
            assert image.media.size == (63 + 4096 + 2048) * 512 and len(image.partitions) == 2
            assert all_files(image, 2) == {f"/Exchsrvr/Bin/{p.name}": p.read_bytes() for p in SP3.iterdir()}
    finally:
        subprocess.run(["losetup", "--detach", device], check=False)


def vmdk_descriptor(extent: str, sectors: int) -> bytes:
    return (f'# Disk DescriptorFile\nversion=1\nCID=1999abcd\nparentCID=ffffffff\ncreateType="monolithicFlat"\n\n'
            f'# Extent description\nRW {sectors} FLAT "{extent}" 0\n\n# The Disk Data Base\n#DDB\n\n'
            'ddb.adapterType = "ide"\n').encode()


def test_avmdk_descriptor_and_its_flat_extent(tmp_path: Path) -> None:
    shutil.copy(IMAGES / "server.img", tmp_path / "disk-flat.vmdk")
    sectors = (IMAGES / "server.img").stat().st_size // 512
    (tmp_path / "disk.vmdk").write_bytes(vmdk_descriptor("disk-flat.vmdk", sectors))
    with open_image(tmp_path / "disk.vmdk") as image:
        assert image.media.kind == "vmdk" and image.media.size == sectors * 512
        assert all_files(image, 1) == {f"/EXCHSRVR/BIN/{p.name.upper()}": p.read_bytes() for p in SP2.iterdir()}
    # An extent named with a folder (here, outside the descriptor's) is never opened.
    (tmp_path / "inside").mkdir()
    (tmp_path / "inside" / "disk.vmdk").write_bytes(vmdk_descriptor("../disk-flat.vmdk", sectors))
    with pytest.raises(ImageError, match=r"extent file '\.\./disk-flat\.vmdk' is not beside the descriptor"):
        open_image(tmp_path / "inside" / "disk.vmdk")


def test_an_image_tells_every_file_it_read(tmp_path: Path) -> None:
    shutil.copy(IMAGES / "server.img", tmp_path / "disk-flat.vmdk")
    sectors = (IMAGES / "server.img").stat().st_size // 512
    (tmp_path / "disk.vmdk").write_bytes(vmdk_descriptor("disk-flat.vmdk", sectors))
    with open_image(tmp_path / "disk.vmdk") as image:
        assert image.media.files == (tmp_path / "disk.vmdk", tmp_path / "disk-flat.vmdk")
    with open_image(IMAGES / "server.E01") as image:
        assert image.media.files == (IMAGES / "server.E01",)


def test_a_symlinked_vmdk_extent_is_not_followed(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    shutil.copy(IMAGES / "server.img", tmp_path / "elsewhere" / "disk-flat.vmdk")
    (tmp_path / "disk-flat.vmdk").symlink_to(tmp_path / "elsewhere" / "disk-flat.vmdk")
    sectors = (IMAGES / "server.img").stat().st_size // 512
    (tmp_path / "disk.vmdk").write_bytes(vmdk_descriptor("disk-flat.vmdk", sectors))
    with pytest.raises(ImageError, match=r"extent file 'disk-flat\.vmdk' is a symbolic link; not followed"):
        open_image(tmp_path / "disk.vmdk")


def test_a_renamed_sparse_vmdk_is_its_own_extent(tmp_path: Path) -> None:
    """A monolithic sparse or stream-optimised VMDK keeps, in its embedded descriptor, the
    name it was made with: the file itself is read, never a file of that name."""
    shutil.copy(IMAGES / "server.vmdk", tmp_path / "exch01.vmdk")
    (tmp_path / "server.vmdk").write_bytes(b"not this one")  # what the descriptor names
    with open_image(tmp_path / "exch01.vmdk") as image:
        assert image.media.files == (tmp_path / "exch01.vmdk",)
        assert all_files(image, 1) == {f"/EXCHSRVR/BIN/{p.name.upper()}": p.read_bytes() for p in SP2.iterdir()}


@pytest.mark.skipif(shutil.which("ewfacquirestream") is None, reason="needs ewfacquirestream (Debian ewf-tools)")
def test_an_e01_in_several_segment_files(tmp_path: Path) -> None:
    import subprocess

    with (IMAGES / "server.img").open("rb") as disk:
        subprocess.run(["ewfacquirestream", "-q", "-t", str(tmp_path / "multi"), "-c", "none", "-S", "1MiB",
                        "-C", "1", "-D", "d", "-E", "1", "-e", "e", "-N", "n", "-m", "fixed", "-M", "logical"],
                       stdin=disk, capture_output=True, check=True, timeout=60)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["multi.E01", "multi.E02", "multi.E03", "multi.E04"]
    with open_image(tmp_path / "multi.E01") as image:
        assert len(image.media._files) == 4  # every segment opened by verfix, read-only
        assert image.media.files == tuple(tmp_path / f"multi.E0{n}" for n in range(1, 5))
        assert all_files(image, 2) == {f"/Exchsrvr/Bin/{p.name}": p.read_bytes() for p in SP3.iterdir()}
    (tmp_path / "multi.E03").unlink()  # a lost segment: the volumes on it cannot be read
    with open_image(tmp_path / "multi.E01") as image, pytest.raises(ImageError, match="missing segment file"):
        image.volume(2)
