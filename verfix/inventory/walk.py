"""The inventory's walk: every entry under a folder (or a disk image's volume), safely, in a
stable order, streamed; it never opens a file and never writes."""

from __future__ import annotations

import operator
import os
import stat
from collections import deque
from dataclasses import dataclass
from enum import Enum
from itertools import islice
from typing import TYPE_CHECKING, Iterator

from verfix.fsio import file_kind, os_reason
from verfix.fsview import ImagePath
from verfix.locate import scan_folder

if TYPE_CHECKING:
    from pathlib import Path

# Folders of up to this many entries are walked sorted by name; a larger one in directory
# order, streamed, so that one folder of a million files costs no more memory than a small one.
SORTED_FOLDER_LIMIT = 65536


class EntryKind(str, Enum):
    """What the walk found at one path."""

    FILE = "file"                  # a regular file, or a link to one inside the root: to be read
    SKIPPED = "skipped"            # not read, never opened: ``reason`` says why
    UNREADABLE_DIRECTORY = "unreadable-directory"  # a folder that could not be listed


# Skip reasons: a small fixed set, so counting them by reason costs constant memory.
SKIP_FIFO = file_kind(stat.S_IFIFO)
SKIP_SOCKET = file_kind(stat.S_IFSOCK)
SKIP_DEVICE = file_kind(stat.S_IFCHR)
SKIP_OTHER_TYPE = "not a regular file"
SKIP_LINK_OUTSIDE = "symbolic link leading outside the tree"
SKIP_LINK_TO_DIRECTORY = "symbolic link to a directory (not followed)"
SKIP_LINK_DANGLING = "dangling or looping symbolic link"
SKIP_LINK_TO_SPECIAL = "symbolic link to a FIFO, socket or device"
SKIP_DIRECTORY_SEEN = "directory already visited (bind mount or hard-linked directory)"
SKIP_REPARSE_POINT = "junction or symbolic link (reparse point; not followed)"
SKIP_LOOP = "directory loop (not entered)"
SKIP_TOO_DEEP = "folders nested too deep (not entered)"

_Entry = tuple  # (path, EntryKind, reason, via_link): a WalkEntry's fields
FILE, SKIPPED, UNREADABLE_DIRECTORY = EntryKind.FILE, EntryKind.SKIPPED, EntryKind.UNREADABLE_DIRECTORY
_name_of = operator.attrgetter("name")


@dataclass(frozen=True)
class WalkEntry:
    """One path met by :func:`walk_pe_candidates`."""

    path: str
    kind: EntryKind
    reason: str | None = None   # why SKIPPED or UNREADABLE_DIRECTORY
    via_link: bool = False      # a symbolic link whose target (a regular file) lies inside the root


def type_skip_reason(mode: int) -> str:
    """The skip reason of a file that is not regular, by its ``st_mode``."""
    kind = file_kind(mode)
    return kind if kind in (SKIP_FIFO, SKIP_SOCKET, SKIP_DEVICE) else SKIP_OTHER_TYPE


def _inside(real_path: str, real_root: str) -> bool:
    return real_path == real_root or real_path.startswith(real_root.rstrip(os.sep) + os.sep)


def _classify_link(path: str, real_root: str) -> _Entry:
    """A symbolic link is used only when it ends on a regular file inside the root."""
    try:
        target = os.stat(path)
    except OSError:
        return (path, SKIPPED, SKIP_LINK_DANGLING, False)
    if not _inside(os.path.realpath(path), real_root):
        return (path, SKIPPED, SKIP_LINK_OUTSIDE, False)
    if stat.S_ISDIR(target.st_mode):
        return (path, SKIPPED, SKIP_LINK_TO_DIRECTORY, False)
    if not stat.S_ISREG(target.st_mode):
        return (path, SKIPPED, SKIP_LINK_TO_SPECIAL, False)
    return (path, FILE, None, True)


def walk_pe_candidates(root: Path | str) -> Iterator[WalkEntry]:
    """Every entry under ``root``, depth first, names sorted within a folder; never writes.

    Iterative (no recursion limit), one open directory at a time. Links to directories are
    never followed; a link to a file is used only when its real target lies inside ``root``.
    FIFOs, sockets and devices are skipped by their directory entry, never opened. A folder
    that cannot be listed is yielded as UNREADABLE_DIRECTORY with the reason. Folders are
    remembered by (device, inode), so a bind-mount loop is entered once. A folder of more
    than SORTED_FOLDER_LIMIT entries is walked in directory order instead of by name, so
    memory grows with the number of folders, never with the number of files.
    """
    for path, kind, reason, via_link in walk_tuples(root):
        yield WalkEntry(str(path), kind, reason, via_link)


def _walk_image(root: ImagePath) -> Iterator[_Entry]:
    """walk_pe_candidates inside a disk image's volume: the volume's own bounded, loop-checked
    walk; its problems become unreadable-folder entries (a loop, too deep a tree: skips)."""
    volume = root.view.volume
    base = type(root)("/")
    problems = volume.problems
    seen = len(problems)
    for folder, entries in volume.walk(root.inner):
        where = base / folder
        for entry in entries:
            if entry.kind == "file":
                yield (where / entry.name, FILE, None, False)
            elif entry.kind == "link":
                yield (where / entry.name, SKIPPED, SKIP_REPARSE_POINT, False)
            elif entry.kind != "dir":
                yield (where / entry.name, SKIPPED, SKIP_OTHER_TYPE, False)
        while seen < len(problems):
            yield _image_problem(base, *problems[seen])
            seen += 1
    while seen < len(problems):
        yield _image_problem(base, *problems[seen])
        seen += 1


def _image_problem(base: ImagePath, kind: str, folder: str, text: str) -> _Entry:
    if kind == "loop":
        return (base / folder, SKIPPED, SKIP_LOOP, False)
    if kind == "too deep":
        return (base / folder, SKIPPED, SKIP_TOO_DEEP, False)
    return (base / folder, UNREADABLE_DIRECTORY, f"cannot list folder: {text}", False)


def walk_tuples(root: Path | str | ImagePath) -> Iterator[_Entry]:
    """walk_pe_candidates as plain (path, kind, reason, via_link) tuples, for the inventory's loop."""
    if isinstance(root, ImagePath):
        yield from _walk_image(root)
        return
    root_path = os.fspath(root)
    real_root = os.path.realpath(root_path)
    try:
        root_info = os.stat(root_path)
    except OSError as error:
        yield (root_path, UNREADABLE_DIRECTORY, f"cannot list folder: {os_reason(error)}", False)
        return
    if not stat.S_ISDIR(root_info.st_mode):
        if stat.S_ISREG(root_info.st_mode):
            yield (root_path, FILE, None, False)
        else:
            yield (root_path, SKIPPED, type_skip_reason(root_info.st_mode), False)
        return
    visited: set[tuple[int, int]] = {(root_info.st_dev, root_info.st_ino)}
    pending: list[str] = [root_path]
    while pending:
        folder = pending.pop()
        prefix = _prefix(folder)
        subfolders: list[str] = []
        try:
            # Listed through a descriptor opened with O_NOATIME: the folder's atime stays.
            with scan_folder(folder) as iterator:
                head = list(islice(iterator, SORTED_FOLDER_LIMIT + 1))
                if len(head) <= SORTED_FOLDER_LIMIT:
                    # The usual folder: sorted, classified while open, yielded once it is
                    # closed, so no descriptor is held between records.
                    head.sort(key=_name_of)
                    found = [_classify(prefix, folder, entry, real_root, visited, subfolders)
                             for entry in head]
                    del head
                else:
                    found = None
                    # A huge folder: in directory order, as it is listed, so memory stays
                    # flat; its descriptor stays open while its records go out.
                    entries = deque(head)
                    del head
                    while entries:
                        entry = entries.popleft()
                        item = _classify(prefix, folder, entry, real_root, visited, subfolders)
                        if item is not None:
                            yield item
                    for entry in iterator:
                        item = _classify(prefix, folder, entry, real_root, visited, subfolders)
                        if item is not None:
                            yield item
        except OSError as error:
            found = [(folder, UNREADABLE_DIRECTORY, f"cannot list folder: {os_reason(error)}", False)]
        if found is not None:
            for item in found:
                if item is not None:
                    yield item
            del found
        pending.extend(reversed(subfolders))


def _prefix(folder: str) -> str | None:
    """What a name is put after to make its path in ``folder``, where that is what
    os.path.join does (POSIX: one "/" between them); None elsewhere (os.path.join then)."""
    if os.sep != "/" or os.altsep is not None or not folder:
        return None
    return folder if folder.endswith("/") else folder + "/"


def _classify(prefix: str | None, folder: str, entry: os.DirEntry[str], real_root: str,
              visited: set[tuple[int, int]], subfolders: list[str]) -> _Entry | None:
    """The walk's entry for one listed name; None for a folder (added to ``subfolders``)."""
    path = os.path.join(folder, entry.name) if prefix is None else prefix + entry.name
    try:
        if entry.is_file(follow_symlinks=False):  # a regular file (so not a link)
            return (path, FILE, None, False)
        if entry.is_symlink():
            return _classify_link(path, real_root)
        if entry.is_dir(follow_symlinks=False):
            info = entry.stat(follow_symlinks=False)
            key = (info.st_dev, info.st_ino)
            if key in visited:
                return (path, SKIPPED, SKIP_DIRECTORY_SEEN, False)
            visited.add(key)
            subfolders.append(path)
            return None
        mode = entry.stat(follow_symlinks=False).st_mode
        return (path, SKIPPED, type_skip_reason(mode), False)
    except OSError:  # the entry vanished or its inode cannot be read: let the open report
        return (path, FILE, None, False)  # (or skip) it
