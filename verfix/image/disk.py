"""One disk image opened for reading: its container, its partitions and their volumes."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from verfix.image.errors import ImageError
from verfix.image.media import Media, open_media
from verfix.image.partitions import Partition, PartitionTable, read_partitions
from verfix.image.volume import Volume

if TYPE_CHECKING:
    from typing_extensions import Self


class DiskImage:
    """A disk image: ``table`` lists its partitions; :meth:`volume` opens one's file system."""

    def __init__(self, media: Media, table: PartitionTable) -> None:
        self.media = media
        self.path = media.path
        self.table = table
        self._volumes: dict[int, Volume | ImageError] = {}

    @property
    def partitions(self) -> tuple[Partition, ...]:
        return self.table.partitions

    def partition(self, number: int) -> Partition:
        """The partition numbered ``number``; ImageError naming the numbers there are."""
        for part in self.table.partitions:
            if part.number == number:
                return part
        there = ", ".join(str(part.number) for part in self.table.partitions) or "none"
        raise ImageError(f"{self.path} has no partition {number} (partitions: {there})")

    def volume(self, number: int) -> Volume:
        """The NTFS/FAT volume of partition ``number``, opened once; ImageError if it has none."""
        if number not in self._volumes:
            try:
                self._volumes[number] = Volume(self.media, self.partition(number))
            except ImageError as exc:
                self._volumes[number] = exc
        found = self._volumes[number]
        if isinstance(found, ImageError):
            raise found
        return found

    def close(self) -> None:
        """Close every volume and the container."""
        for volume in self._volumes.values():
            if isinstance(volume, Volume):
                volume.close()
        self._volumes.clear()
        self.media.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_image(path: str | os.PathLike[str]) -> DiskImage:
    """Open a disk image read-only and read its partition table (ImageError on failure)."""
    media = open_media(path)
    try:
        table = read_partitions(media)
    except ImageError as exc:
        media.close()
        raise ImageError(f"{os.fspath(path)}: {exc}") from None
    except BaseException:
        media.close()
        raise
    return DiskImage(media, table)
