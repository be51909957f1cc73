"""Finding a manifest's files in a folder the way Windows would: ignoring case, safely."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FoundFile:
    """A folder entry whose name matches a wanted file name, ignoring case.

    ``problem`` is None for a regular file that can be read; otherwise it says why the
    entry cannot be used (a directory, a FIFO, a link leading out of the tree, ...).
    """

    path: Path
    problem: str | None = None


class FolderIndex:
    """The entries of one folder, looked up by lower-cased name."""

    def __init__(self, folder: Path, root: Path | None = None) -> None:
        self.folder = Path(folder)
        self.root = Path(os.path.realpath(root if root is not None else folder))
        self._by_name: dict[str, list[str]] = {}
        with os.scandir(self.folder) as entries:
            for entry in entries:
                self._by_name.setdefault(entry.name.lower(), []).append(entry.name)
        for names in self._by_name.values():
            names.sort()

    def lookup(self, name: str) -> list[FoundFile]:
        """Every entry named ``name`` in any case (two when the names differ only by case)."""
        return [self._classify(self.folder / real) for real in self._by_name.get(name.lower(), [])]

    def _classify(self, path: Path) -> FoundFile:
        try:
            link_info = os.lstat(path)
        except OSError as exc:
            return FoundFile(path, f"cannot stat: {exc.strerror or exc}")
        if stat.S_ISLNK(link_info.st_mode):
            target = os.path.realpath(path)
            if os.path.commonpath([target, str(self.root)]) != str(self.root):
                return FoundFile(path, "symbolic link leads outside the scanned tree")
            try:
                info = os.stat(path)
            except OSError as exc:
                reason = "looping" if exc.errno == 40 else "dangling"
                return FoundFile(path, f"{reason} symbolic link")
        else:
            info = link_info
        return FoundFile(path, _file_type_problem(info.st_mode))


def _file_type_problem(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a directory, not a file"
    if stat.S_ISFIFO(mode):
        return "is a FIFO (named pipe), not a file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a file"
    return "is not a regular file"
