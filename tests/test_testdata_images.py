"""The committed disk images are what testdata/images/build.sh makes from testdata/sp2 and sp3."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.hostile_images import IMAGES
from tests.test_image import FORMATS, all_files
from verfix.image.disk import open_image

TOOLS = ("mkntfs", "ntfs-3g", "mkfs.fat", "mmd", "mcopy", "sfdisk", "qemu-img", "ewfacquirestream")


def missing_for_the_build() -> str | None:
    """Why build.sh cannot run here, or None."""
    if os.geteuid() != 0:
        return "build.sh mounts the NTFS volume with ntfs-3g (FUSE): needs root"
    if not os.path.exists("/dev/fuse"):
        return "build.sh needs /dev/fuse for the ntfs-3g mount"
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        return f"build.sh needs {', '.join(missing)} (Debian ntfs-3g, dosfstools, mtools, fdisk, qemu-utils, ewf-tools)"
    return None


def contents(path: Path) -> tuple[object, ...]:
    """The partition table and every file of every volume."""
    with open_image(path) as image:
        return (image.media.size, image.partitions, *(all_files(image, p.number) for p in image.partitions))


@pytest.mark.skipif(missing_for_the_build() is not None, reason=str(missing_for_the_build()))
def test_build_sh_rebuilds_the_committed_images(tmp_path: Path) -> None:
    done = subprocess.run(["sh", str(IMAGES / "build.sh"), str(tmp_path)],
                          check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    for name in [*FORMATS, "nt4-c.E01"]:
        # mkntfs draws a random serial number: the bytes differ, never what verfix reads
        assert contents(tmp_path / name) == contents(IMAGES / name), name
    for built in (tmp_path / "big-file.E01", IMAGES / "big-file.E01"):  # 2 GiB: not read whole
        with open_image(built) as image:
            assert image.volume(1).stat("/EXCHSRVR/BIN/EMSMTA.EXE").size == 2 << 30


def test_the_committed_images_are_small() -> None:
    sizes = {path.name: path.stat().st_size for path in IMAGES.glob("server.*")}
    assert sorted(sizes) == sorted(FORMATS)
    assert sum(sizes.values()) < 10 << 20
    assert all(sizes[name] < 400_000 for name in ("server.E01", "server.vmdk", "server.qcow2"))
    assert (IMAGES / "nt4-c.E01").stat().st_size < 200_000
    assert (IMAGES / "big-file.E01").stat().st_size < 200_000
