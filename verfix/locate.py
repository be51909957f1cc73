"""Finding a manifest's files in a folder the way Windows would: ignoring case, safely."""

from __future__ import annotations

import errno
from contextlib import contextmanager
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath

from verfix.fsio import file_kind, open_readonly, os_reason
from verfix.fsview import ImagePath, error_reason, view_of


@dataclass(frozen=True)
class FoundFile:
    """A folder entry whose name matches a wanted file name, ignoring case.

    ``problem`` is None for a regular file that can be opened for reading; otherwise it
    says why the entry cannot be used (a directory, a FIFO, a link leading out of the
    tree, permission denied, ...). ``path`` is the entry itself, as named in the folder.
    """

    path: PurePath
    problem: str | None = None


def is_within(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> bool:
    """True when the real location of ``path`` is ``root`` or lies beneath it.

    Both are resolved with ``os.path.realpath`` first, so relative paths, ``..`` and
    links along the way are taken into account; paths on different drives are never within.
    """
    real_path = os.path.realpath(path)
    real_root = os.path.realpath(root)
    try:
        return os.path.commonpath([real_path, real_root]) == real_root
    except ValueError:  # different drives on Windows, or mixed absolute/relative
        return False


@contextmanager
def scan_folder(folder: str | os.PathLike[str]) -> Iterator[Iterator[os.DirEntry[str]]]:
    """``os.scandir`` of ``folder`` without updating its access time (see iter_names).

    Entries come from an open descriptor: their ``name`` is right, their ``path`` is the
    bare name, and their ``stat()``/``is_dir()`` work only inside the ``with`` block.
    """
    if os.scandir not in os.supports_fd or not hasattr(os, "O_DIRECTORY"):
        with os.scandir(folder) as entries:  # Windows: no listing by descriptor
            yield entries
        return
    fd = open_readonly(folder, follow_links=True, directory=True)
    try:
        with os.scandir(fd) as entries:
            yield entries
    finally:
        os.close(fd)


def iter_names(folder: str | os.PathLike[str]) -> Iterator[str]:
    """The entry names of ``folder``, read without updating the folder's access time.

    On systems that can list an open descriptor the folder is opened with O_NOATIME
    (where allowed), O_DIRECTORY and O_NONBLOCK; elsewhere it is listed by path.
    Raises OSError like ``os.scandir``.
    """
    with scan_folder(folder) as entries:
        for entry in entries:
            yield entry.name


class FolderIndex:
    """The entries of one folder, looked up by lower-cased name.

    Listing errors (permission denied, an I/O error on a damaged image) do not raise:
    they are kept in ``error`` and every lookup then reports the folder as unreadable.
    When ``wanted`` names are given, only those are indexed, so a huge folder costs
    one pass over its entries and memory for the wanted names only.
    """

    def __init__(
        self,
        folder: Path,
        root: Path | None = None,
        wanted: Iterable[str] | None = None,
    ) -> None:
        self.folder = folder if isinstance(folder, ImagePath) else Path(folder)
        self.root = self.folder if isinstance(folder, ImagePath) else Path(
            os.path.realpath(root if root is not None else folder))
        self.error: str | None = None
        self._by_name: dict[str, list[str]] = {}
        self._seen: dict[str, FoundFile] = {}
        wanted_lower = None if wanted is None else {name.lower() for name in wanted}
        try:
            for name in view_of(self.folder).names(self.folder):
                key = name.lower()
                if wanted_lower is None or key in wanted_lower:
                    self._by_name.setdefault(key, []).append(name)
        except OSError as exc:
            self.error = f"cannot list folder {self.folder}: {error_reason(exc)}"
        for names in self._by_name.values():
            names.sort()

    def names(self) -> list[str]:
        """Every indexed entry name, as spelled on disk, sorted."""
        return sorted(name for names in self._by_name.values() for name in names)

    def lookup(self, name: str) -> list[FoundFile]:
        """Every entry named ``name`` in any case (two when the names differ only by case).

        An empty list means the folder was listed and holds no such entry. When the
        folder could not be listed, the answer is one FoundFile carrying that reason.
        """
        if self.error is not None:
            return [FoundFile(self.folder / name, self.error)]
        return [self._classified(real) for real in self._by_name.get(name.lower(), [])]

    def holds(self, name: str) -> bool:
        """``bool(self.lookup(name))``, without classifying the entries: a whole catalog asks
        it of thousands of names."""
        return self.error is not None or name.lower() in self._by_name

    def _classified(self, real_name: str) -> FoundFile:
        """Classify an entry once, however many manifests ask for it."""
        found = self._seen.get(real_name)
        if found is None:
            found = self._seen[real_name] = self._classify(self.folder / real_name)
        return found

    def _classify(self, entry: PurePath) -> FoundFile:
        if isinstance(entry, ImagePath):
            return _classify_in_image(entry)
        path = Path(entry)
        try:
            link_info = os.lstat(path)
        except OSError as exc:
            return FoundFile(path, f"cannot stat: {os_reason(exc)}")
        is_link = stat.S_ISLNK(link_info.st_mode)
        if is_link:
            try:
                info = os.stat(path)
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    return FoundFile(path, "looping symbolic link")
                if exc.errno in (errno.ENOENT, errno.ENOTDIR):
                    return FoundFile(path, "dangling symbolic link (its target does not exist)")
                return FoundFile(path, f"cannot follow symbolic link: {os_reason(exc)}")
            if not is_within(path, self.root):
                return FoundFile(path, "symbolic link leads outside the scanned tree")
        else:
            info = link_info
        problem = _file_type_problem(info.st_mode)
        if problem is None:
            problem = _open_problem(path, follow_links=is_link)
        return FoundFile(path, problem)


def _classify_in_image(path: ImagePath) -> FoundFile:
    """An entry of a volume inside a disk image: links (reparse points) are never followed."""
    view = path.view
    try:
        kind = view.kind(path)
        if kind.is_file:
            view.open(path).close()
            return FoundFile(path)
    except OSError as exc:
        return FoundFile(path, f"cannot open: {error_reason(exc)}")
    if kind.name == "link":
        return FoundFile(path, "is a symbolic link or junction (reparse point); not followed")
    return FoundFile(path, f"is a {kind.name}, not a file")


def _open_problem(path: Path, *, follow_links: bool) -> str | None:
    """Why a regular file cannot be opened for reading, or None when it can."""
    try:
        fd = open_readonly(path, follow_links=follow_links)
    except OSError as exc:
        return f"cannot open: {os_reason(exc)}"
    try:
        mode = os.fstat(fd).st_mode
    finally:
        os.close(fd)
    if not stat.S_ISREG(mode):  # replaced between lstat and open
        return _file_type_problem(mode)
    return None


def _file_type_problem(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    return f"is a {file_kind(mode)}, not a file"
