"""Damaged images: a one-line error, a warning or one unreadable file; never a hang or a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile_images import MAKERS
from verfix.image import ImageError
from verfix.image.disk import open_image


def outcome(path: Path) -> dict[str, object]:
    """What opening, walking and reading every file of the image gave, in plain values."""
    try:
        image = open_image(path)
    except ImageError as exc:
        return {"error": str(exc)}
    found: dict[str, object] = {"partitions": [p.number for p in image.partitions],
                                "problems": [p.problem for p in image.partitions],
                                "table warnings": list(image.table.warnings)}
    with image:
        for part in image.partitions:
            try:
                volume = image.volume(part.number)
            except ImageError as exc:
                found[part.label] = str(exc)
                continue
            readable, unreadable = 0, []
            for folder, entries in volume.walk():
                for entry in (e for e in entries if e.kind == "file"):
                    try:
                        with volume.open(f"{folder}/{entry.name}") as file:
                            file.read_at(0, 1 << 20)
                        readable += 1
                    except OSError as exc:
                        unreadable.append(exc.strerror)
            found[part.label] = {"readable": readable, "unreadable": unreadable, "warnings": volume.warnings}
    return found


def one_line(text: object) -> bool:
    return isinstance(text, str) and "\n" not in text and 0 < len(text) < 300


@pytest.mark.parametrize("name", MAKERS)
def test_hostile_image(name: str, tmp_path: Path, no_hang: None) -> None:
    got = outcome(MAKERS[name](tmp_path))
    if "error" in got:
        assert one_line(got["error"]), got
    expected = EXPECTED[name]
    for key, check in expected.items():
        assert check(got.get(key)), (key, got)


def p(readable: int, unreadable: int = 0, warning: str | None = None):  # type: ignore[no-untyped-def]
    """A check of one volume's walk: counts, and one warning containing ``warning``."""

    def check(volume: object) -> bool:
        assert isinstance(volume, dict), volume
        warned = volume["warnings"]
        return (volume["readable"] == readable and len(volume["unreadable"]) == unreadable
                and all(one_line(reason) for reason in volume["unreadable"])
                and (warned == [] if warning is None else len(warned) == 1 and warning in warned[0]))

    return check


def has(*words: str):  # type: ignore[no-untyped-def]
    return lambda text: one_line(text) and all(word in text for word in words)


EXPECTED = {
    # the NTFS partition runs past the cut (read as far as it goes: every file is before it);
    # the FAT partition lies wholly beyond it
    "truncated raw": {"partitions": lambda v: v == [1], "p1": p(160),
                      "problems": lambda v: "past the end of the disk" in v[0],
                      "table warnings": lambda v: any("partition 2 starts at byte" in w for w in v)},
    "truncated E01": {"error": has("cannot read the partition table", "ewf image")},
    "truncated VHD": {"error": has("truncated.vhd", "cannot open the vhd image")},
    "zeroed MFT": {"p1": has("p1: cannot open the NTFS volume"), "p2": p(160)},
    "partition past the end": {"p1": p(160), "p2": p(160),
                               "problems": lambda v: v[0] is None and "510951424 bytes past the end" in v[1]},
    "partition starting past the end": {"partitions": lambda v: v == [1], "p1": p(160)},
    "garbage partition table": {"partitions": lambda v: v == [],
                                "table warnings": lambda v: len(v) == 4 and all("past the end" in w for w in v)},
    "no partition table": {"error": has("no-table.img", "not a disk image")},
    "looping logical partitions": {
        "partitions": lambda v: v == [1, 2, 5, 6], "p1": p(160), "p2": p(160),
        "table warnings": lambda v: "the chain of logical partitions loops back to sector 6050; stopped" in v,
        "p5": has("holds no NTFS or FAT file system")},
    "FAT directory loop": {"p1": p(160), "p2": p(159, 0, "directory loop: /Exchsrvr/Bin/Files.txt is /Exchsrvr again")},
    "NTFS directory loop": {"p1": p(159, 0, "directory loop: /EXCHSRVR/BIN/FILES.TXT is /EXCHSRVR again"),
                            "p2": p(160)},
    "FAT cluster chain loop": {"p1": p(160), "p2": p(159, 1)},
    "not an image": {"error": has("notes.E01", "not a disk image")},
}


def test_every_hostile_image_has_an_expectation() -> None:
    assert EXPECTED.keys() == MAKERS.keys()


@pytest.mark.parametrize(("maker", "number", "folder", "loop"), [
    ("FAT directory loop", 2, "/Exchsrvr", "/Exchsrvr/Bin/Files.txt"),
    ("NTFS directory loop", 1, "/EXCHSRVR", "/EXCHSRVR/BIN/FILES.TXT"),
])
def test_a_looping_path_is_refused(maker: str, number: int, folder: str, loop: str, tmp_path: Path) -> None:
    with open_image(MAKERS[maker](tmp_path)) as image:
        volume = image.volume(number)
        assert volume.stat(loop).kind == "dir"
        inner = [entry.name for entry in volume.list_dir(folder)]
        with pytest.raises(OSError, match=f"directory loop: {loop} is {folder} again"):
            volume.list_dir(f"{loop}/{inner[0]}")


def test_random_damage_to_the_file_systems_never_crashes(tmp_path: Path, no_hang: None) -> None:
    """200 images, each with 1-8 sectors of its volumes' metadata (boot sectors, MFT, FAT
    tables, folders) overwritten with random bytes: every outcome is an ImageError, a warning
    or an unreadable file, never another exception."""
    import random

    from tests.hostile_images import RAW

    chooser = random.Random(10)
    disk = RAW.read_bytes()
    ntfs, fat = 63 * 512, (63 + 4096) * 512
    # Where the metadata lies: NTFS boot sector and MFT (cluster 4 of 512-byte clusters on),
    # the MFT's records for the folders, the FAT boot sector, tables, root and first folders.
    hot = [ntfs, *range(ntfs + 4 * 512, ntfs + 200 * 512, 512), fat, *range(fat + 512, fat + 60 * 512, 512)]
    for number in range(200):
        damaged = bytearray(disk)
        for _ in range(chooser.randint(1, 8)):
            at = chooser.choice(hot)
            damaged[at:at + 512] = chooser.randbytes(512)
        path = tmp_path / f"damaged-{number}.img"
        path.write_bytes(bytes(damaged))
        got = outcome(path)  # raises on anything but ImageError/OSError
        for key, value in got.items():
            if isinstance(value, str):
                assert one_line(value), (number, key, value)
        path.unlink()


@pytest.mark.parametrize("name", ["server.E01", "server.vmdk", "server.vhd", "server.qcow2"])
def test_random_damage_to_a_container_never_crashes(name: str, tmp_path: Path, no_hang: None) -> None:
    """40 copies of a container, each with 1-4 runs of 1-64 random bytes written into its
    headers and tables (its first 64 KiB and last 4 KiB): an ImageError or a readable disk."""
    import random

    from tests.hostile_images import IMAGES

    chooser = random.Random(name)
    original = (IMAGES / name).read_bytes()
    places = [*range(0, min(65536, len(original)), 16), *range(max(0, len(original) - 4096), len(original), 16)]
    for number in range(40):
        damaged = bytearray(original)
        for _ in range(chooser.randint(1, 4)):
            at = chooser.choice(places)
            damaged[at:at + 64] = chooser.randbytes(chooser.randint(1, 64))
        path = tmp_path / f"{number}-{name}"
        path.write_bytes(bytes(damaged[: len(original)]))
        got = outcome(path)
        for key, value in got.items():
            if isinstance(value, str):
                assert one_line(value), (number, key, value)
        path.unlink()
