"""The volumes of a disk image to check or inventory, as roots of the file-system view."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from verfix.fsview import ImagePath, image_root
from verfix.image.disk import DiskImage, open_image
from verfix.image.errors import ImageError, MissingExtraError
from verfix.image.partitions import Partition


@dataclass(frozen=True)
class ImageVolumes:
    """The volume roots chosen in one image, one line per partition, and what was noticed."""

    image: DiskImage
    roots: tuple[ImagePath, ...]
    listing: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def files(self) -> tuple[Path, ...]:
        """Every file the image was read from (its E01 segments, VMDK extents...)."""
        return self.image.media.files


def describe(part: Partition, file_system: str | None) -> str:
    """One line for a partition listing: ``p1  NTFS  3.0 MiB at sector 63 (HPFS/NTFS/exFAT)``."""
    size = f"{part.size / (1 << 20):.1f} MiB"
    what = file_system or "no NTFS/FAT file system"
    line = f"{part.label}: {what}, {size} at sector {part.start // 512} ({part.kind})"
    return line + (f"; {part.problem}" if part.problem else "")


@contextmanager
def image_volumes(path: str | os.PathLike[str], partition: int | None = None) -> Iterator[ImageVolumes]:
    """Open ``path`` and the NTFS/FAT volume of every partition (or of ``partition`` only).

    A partition without a usable file system is left out with a warning, unless it was asked
    for; ImageError when nothing usable remains. The image is closed on leaving.
    """
    image = open_image(path)
    try:
        shown = os.fspath(path)
        parts = image.partitions if partition is None else (image.partition(partition),)
        roots: list[ImagePath] = []
        listing: list[str] = []
        warnings = [f"{shown}: {warning}" for warning in image.table.warnings]
        problems: list[str] = []
        for part in parts:
            try:
                volume = image.volume(part.number)
            except MissingExtraError:
                raise
            except ImageError as exc:
                if partition is not None:
                    raise ImageError(f"{shown}: {exc}") from None
                listing.append(describe(part, None))
                problems.append(str(exc))
                warnings.append(f"{shown}: {exc}; skipped")
                continue
            listing.append(describe(part, volume.file_system))
            roots.append(image_root(volume, shown, part.label))
        if not roots:
            why = "; ".join(problems) if problems else f"no partitions ({image.table.scheme} table)"
            raise ImageError(f"{shown}: no NTFS or FAT volume to read: {why}")
        yield ImageVolumes(image, tuple(roots), tuple(listing), tuple(warnings))
    finally:
        image.close()
