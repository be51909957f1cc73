"""Listing a tree's folders safely, as discovery and the product survey do.

Each step lists one known folder (by lower-cased name, at most ``MAX_ENTRIES`` entries);
nothing is walked, and no link is followed out of the tree. What is noticed on the way (an
unreadable folder, a link not followed) is kept as a warning, not raised.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path

from verfix.fsio import file_kind
from verfix.fsview import ImagePath, error_reason, view_of
from verfix.locate import is_within

#: A folder standing for one volume of a multi-volume copy: ``C``, ``c:``, ``D$``.
DRIVE_FOLDER = re.compile(r"^([A-Za-z])[:$]?$")
#: No more than this many entries are read from any one folder while discovering.
MAX_ENTRIES = 100_000


class TreeLister:
    """The folders of one tree, listed on demand (each once), and the warnings collected."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.warnings: list[str] = []
        self._listed: dict[Path, dict[str, list[str]]] = {}

    def unique_warnings(self) -> tuple[str, ...]:
        """The warnings in the order first seen, each once."""
        return tuple(dict.fromkeys(self.warnings))

    def entries(self, folder: Path) -> dict[str, list[str]]:
        """The names in ``folder``, by lower-cased name; empty (with a warning) on error."""
        if folder in self._listed:
            return self._listed[folder]
        by_name: dict[str, list[str]] = {}
        self._listed[folder] = by_name
        try:
            for count, name in enumerate(view_of(folder).names(folder)):
                if count >= MAX_ENTRIES:
                    self.warnings.append(f"{folder}: more than {MAX_ENTRIES} entries; the rest not read")
                    break
                by_name.setdefault(name.lower(), []).append(name)
        except OSError as exc:
            self.warnings.append(f"cannot list {folder}: {error_reason(exc)}")
        for names in by_name.values():
            names.sort()
        return by_name

    def usable(self, path: Path, want_dir: bool, wanted: str | None = None) -> bool:
        """True for a folder (or regular file) whose real location stays inside the tree.
        A file sought as ``wanted`` ("registry hive") that is something else, or whose entry
        cannot be looked at, is a warning naming it and why."""
        if isinstance(path, ImagePath):
            try:
                kind = path.view.kind(path)
            except OSError as exc:
                self._not_used(wanted, path, error_reason(exc))
                return False
            if kind.name == "link":
                self.warnings.append(f"{path}: a junction or symbolic link (reparse point); not followed")
            elif not want_dir and not kind.is_file:
                self._not_used(wanted, path, f"is a {kind.name}, not a file")
            return kind.is_dir if want_dir else kind.is_file
        try:
            is_link = os.path.islink(path)
            info = os.stat(path)
        except OSError as exc:
            self._not_used(wanted, path, "looping symbolic link" if exc.errno == errno.ELOOP else
                           "dangling symbolic link" if os.path.islink(path) else error_reason(exc))
            return False
        if is_link and not is_within(path, self.root):
            self.warnings.append(f"{path}: symbolic link leads outside {self.root}; not followed")
            return False
        if not want_dir and not stat.S_ISREG(info.st_mode):
            self._not_used(wanted, path, f"is a {file_kind(info.st_mode)}, not a file")
        return stat.S_ISDIR(info.st_mode) if want_dir else stat.S_ISREG(info.st_mode)

    def _not_used(self, wanted: str | None, path: Path, reason: str) -> None:
        if wanted is not None:
            self.warnings.append(f"{wanted} {path} not used: {reason}")

    def child_dirs(self, folder: Path, name: str) -> list[Path]:
        """The sub-folders of ``folder`` named ``name`` in any case (several when case differs)."""
        names = self.entries(folder).get(name.lower(), [])
        return [folder / real for real in names if self.usable(folder / real, want_dir=True)]

    def resolve(self, start: Path, parts: tuple[str, ...], want_dir: bool = True,
                wanted: str | None = None) -> list[Path]:
        """Every existing path below ``start`` matching ``parts``, each step ignoring case;
        ``wanted`` names the file sought, for the warning when the last entry is not one."""
        current = [start]
        for depth, part in enumerate(parts):
            last = depth == len(parts) - 1
            following: list[Path] = []
            for folder in current:
                names = self.entries(folder).get(part.lower(), [])
                for real in names:
                    candidate = folder / real
                    if self.usable(candidate, want_dir=want_dir or not last, wanted=wanted if last else None):
                        following.append(candidate)
            current = following
        return current

    def volumes(self) -> dict[str, Path]:
        """The volume roots: the tree's root (key ``""``) and its drive-letter folders (key ``"c"``, ...)."""
        volumes: dict[str, Path] = {"": self.root}
        for lower, names in sorted(self.entries(self.root).items()):
            match = DRIVE_FOLDER.match(lower)
            if not match:
                continue
            for real in names:
                candidate = self.root / real
                if self.usable(candidate, want_dir=True):
                    volumes.setdefault(match.group(1).lower(), candidate)
        return volumes
