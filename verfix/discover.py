"""Finding the Exchange bin folder(s) beneath a path: a mount point, a volume root, a copy.

The rules, in order (every name compared ignoring case; nothing outside PATH is entered,
and no folder is walked: each step lists one known folder):

1. PATH is itself a bin folder when it directly holds one of the Exchange server
   programs in ``MARKER_FILES``, or when it is named ``bin`` inside a folder named
   ``exchsrvr``. It is then checked as it is.
2. The volumes are PATH and its drive-letter folders (``C``, ``d``, ``E:``, ``F$``), as
   in a copy of several volumes. In each, a SOFTWARE hive at
   ``WINNT/system32/config/software`` (or ``WINDOWS/...``) is read for
   ``HKLM\\SOFTWARE\\Microsoft\\Exchange\\Setup`` value ``Services`` (``C:\\exchsrvr``).
   That path is mapped to the drive-letter folder of its drive or, when there is none
   and the hive lies in PATH itself (one mounted volume), to PATH; its ``bin`` folder
   is used.
   When that works the registry's answer is taken alone.
3. Otherwise each volume is searched for ``exchsrvr/bin`` and
   ``Program Files/exchsrvr/bin``. Every folder found is returned, to be checked and
   reported on its own.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath
from typing import Iterable

from verfix.fsview import ImagePath, error_reason, view_of
from verfix.locate import is_within
from verfix.products import exchange, windows_nt

#: Exchange's server programs: one of them marks a folder as a bin folder (see the profile).
MARKER_FILES = exchange.MARKER_FILES
#: The product whose bin folders discovery finds: a bin-folder check applies its manifests only.
PRODUCT = exchange.PROFILE.name
#: Where the SOFTWARE hive lives on a system volume (NT 4.0/2000, then XP/2003 names).
HIVE_PATHS = tuple((root.lower(), *windows_nt.SOFTWARE_HIVE) for root in windows_nt.SYSTEM_ROOTS)
#: Where Exchange setup installs by default, relative to a volume root.
DEFAULT_INSTALLS = tuple(tuple(p.lower() for p in parts) for _, parts in exchange.PROFILE.folder_parts())
#: A folder standing for one volume of a multi-volume copy: ``C``, ``c:``, ``D$``.
DRIVE_FOLDER = re.compile(r"^([A-Za-z])[:$]?$")
#: No more than this many entries are read from any one folder while discovering.
MAX_ENTRIES = 100_000


class DiscoveryError(Exception):
    """No bin folder found; ``str(error)`` names what was looked for and where.

    ``warnings`` holds what was noticed on the way (an unreadable hive, a link not followed).
    """

    def __init__(self, message: str, warnings: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.warnings = warnings


@dataclass(frozen=True)
class BinDir:
    """One bin folder to check, and how it was found (a human one-liner)."""

    path: Path
    how: str


@dataclass(frozen=True)
class Discovery:
    """The bin folders found beneath PATH, and what was noticed on the way."""

    found: tuple[BinDir, ...]
    warnings: tuple[str, ...] = field(default=())

    @property
    def bin_dirs(self) -> list[Path]:
        """The folders to check, in a stable order."""
        return [item.path for item in self.found]

    @property
    def how(self) -> str:
        """One line per folder saying how it was found."""
        return "\n".join(item.how for item in self.found)


def find_bin_dirs(path: Path, markers: Iterable[str] = MARKER_FILES) -> Discovery:
    """Find the Exchange bin folder(s) at or beneath ``path`` (rules in the module docstring).

    ``markers`` are the file names (any case) that make ``path`` itself a bin folder; the
    CLI adds the versioned files of the manifests the user named.

    Raises DiscoveryError when ``path`` is not a readable folder or holds no bin folder.
    Never writes, never follows a link out of ``path``, never opens anything but a
    registry hive (read-only, size-capped).
    """
    root = path if isinstance(path, ImagePath) else Path(path)
    try:
        if not view_of(root).kind(root).is_dir:
            raise DiscoveryError(f"{root} is not a folder")
    except OSError as exc:
        raise DiscoveryError(f"cannot use {root}: {error_reason(exc)}") from None
    finder = _Finder(root, markers)

    reason = finder.bin_folder_reason(root)
    if reason is not None:
        only = BinDir(root, f"{root} is itself an Exchange bin folder ({reason})")
        return Discovery((only,), finder.unique_warnings())

    volumes = finder.volumes()
    found = finder.from_registry(volumes)
    if not found:
        found = finder.from_default_places(volumes)
    if not found:
        raise DiscoveryError(finder.nothing_found_message(volumes), finder.unique_warnings())
    return Discovery(tuple(found), finder.unique_warnings())


class _Finder:
    """The state of one discovery: the tree's root and the warnings collected."""

    def __init__(self, root: Path, markers: Iterable[str] = MARKER_FILES) -> None:
        self.root = root
        self.markers = tuple(dict.fromkeys(name.lower() for name in markers))
        self.warnings: list[str] = []
        self.hives_seen: list[Path] = []
        self.registry_paths: list[str] = []
        self._listed: dict[Path, dict[str, list[str]]] = {}

    def unique_warnings(self) -> tuple[str, ...]:
        """The warnings in the order first seen, each once."""
        return tuple(dict.fromkeys(self.warnings))

    # -- listing folders safely -------------------------------------------------------

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

    def usable(self, path: Path, want_dir: bool) -> bool:
        """True for a folder (or regular file) whose real location stays inside the tree."""
        if isinstance(path, ImagePath):
            try:
                kind = path.view.kind(path)
            except OSError:
                return False
            if kind.name == "link":
                self.warnings.append(f"{path}: a junction or symbolic link (reparse point); not followed")
            return kind.is_dir if want_dir else kind.is_file
        try:
            is_link = os.path.islink(path)
            info = os.stat(path)
        except OSError:
            return False
        if is_link and not is_within(path, self.root):
            self.warnings.append(f"{path}: symbolic link leads outside {self.root}; not followed")
            return False
        return stat.S_ISDIR(info.st_mode) if want_dir else stat.S_ISREG(info.st_mode)

    def child_dirs(self, folder: Path, name: str) -> list[Path]:
        """The sub-folders of ``folder`` named ``name`` in any case (several when case differs)."""
        names = self.entries(folder).get(name.lower(), [])
        return [folder / real for real in names if self.usable(folder / real, want_dir=True)]

    def resolve(self, start: Path, parts: tuple[str, ...], want_dir: bool = True) -> list[Path]:
        """Every existing path below ``start`` matching ``parts``, each step ignoring case."""
        current = [start]
        for depth, part in enumerate(parts):
            last = depth == len(parts) - 1
            following: list[Path] = []
            for folder in current:
                names = self.entries(folder).get(part.lower(), [])
                for real in names:
                    candidate = folder / real
                    if self.usable(candidate, want_dir=want_dir or not last):
                        following.append(candidate)
            current = following
        return current

    # -- the rules --------------------------------------------------------------------

    def bin_folder_reason(self, folder: Path) -> str | None:
        """Why ``folder`` is a bin folder itself (rule 1), or None."""
        by_name = self.entries(folder)
        markers = [by_name[name][0] for name in self.markers if name in by_name]
        if markers:
            shown = ", ".join(markers[:3]) + (f" and {len(markers) - 3} more" if len(markers) > 3 else "")
            return f"it holds {shown}"
        absolute = folder if isinstance(folder, ImagePath) else Path(os.path.abspath(folder))
        if absolute.name.lower() == "bin" and absolute.parent.name.lower() == "exchsrvr":
            return f"it is named {absolute.parent.name}/{absolute.name}"
        return None

    def volumes(self) -> dict[str, Path]:
        """The volume roots: PATH (key ``""``) and its drive-letter folders (key ``"c"``, ...)."""
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

    def from_registry(self, volumes: dict[str, Path]) -> list[BinDir]:
        """Rule 2: bin folders named by a SOFTWARE hive in one of the volumes."""
        found: list[BinDir] = []
        for volume in volumes.values():
            for parts in HIVE_PATHS:
                for hive_path in self.resolve(volume, parts, want_dir=False):
                    self.hives_seen.append(hive_path)
                    found.extend(self._bin_from_hive(hive_path, volume, volumes))
        return _unique(found)

    def _bin_from_hive(self, hive_path: Path, hive_volume: Path, volumes: dict[str, Path]) -> list[BinDir]:
        from verfix.hive import HiveError, read_exchange_setup  # regipy: only when a hive is there

        try:
            services = read_exchange_setup(hive_path).services
        except HiveError as exc:
            self.warnings.append(f"registry hive {hive_path} not used: {exc}; searching the usual places")
            return []
        if services is None:
            self.warnings.append(f"registry hive {hive_path} has no {exchange.SETUP.display}")
            return []
        said = f"registry: {exchange.SETUP.display} = {services}"
        self.registry_paths.append(services)
        windows_path = PureWindowsPath(services)
        drive = windows_path.drive.rstrip(":").lower()
        if len(drive) != 1 or not windows_path.root:
            self.warnings.append(f"{said}: not a local drive path; searching the usual places")
            return []
        volume = volumes.get(drive)
        if volume is None and hive_volume == self.root:
            volume = self.root  # one volume mounted: the path is taken to be on it
        if volume is None:
            self.warnings.append(
                f"{said}: no folder for drive {drive.upper()}: in {self.root}; searching the usual places"
            )
            return []
        parts = tuple(part for part in windows_path.parts[1:] if part not in ("", "."))
        if ".." in parts:
            self.warnings.append(f"{said}: '..' in the path; not followed")
            return []
        bins = self.resolve(volume, parts + exchange.SETUP.subfolder)
        if not bins:
            self.warnings.append(f"{said}: {volume} has no such bin folder; searching the usual places")
            return []
        return [BinDir(path, f"{said} -> {path}") for path in bins]

    def from_default_places(self, volumes: dict[str, Path]) -> list[BinDir]:
        """Rule 3: ``exchsrvr/bin`` at each volume root and under ``Program Files``."""
        found: list[BinDir] = []
        for letter, volume in volumes.items():
            where = "volume root" if not letter else f"drive folder {volume.name}"
            for parts in DEFAULT_INSTALLS:
                for path in self.resolve(volume, parts):
                    shown = "/".join(path.relative_to(volume).parts)
                    found.append(BinDir(path, f"found {shown} at {where} -> {path}"))
        return _unique(found)

    def nothing_found_message(self, volumes: dict[str, Path]) -> str:
        places = ", ".join(str(volume) for volume in volumes.values())
        if self.registry_paths:
            named = ", ".join(dict.fromkeys(self.registry_paths))
            hive_note = (
                f"the registry names {named}, which is not under {self.root} "
                "(for a copy of several volumes, give the folder that holds the drive folders)"
            )
        elif self.hives_seen:
            hive_note = "a SOFTWARE hive was found but gave no Exchange path"
        else:
            hive_note = "no SOFTWARE registry hive at WINNT/system32/config/software"
        return (
            f"no Exchange bin folder found under {self.root}: it holds none of "
            f"{_first_few(self.markers)}, and there is no exchsrvr/bin or "
            f"Program Files/exchsrvr/bin (any case) in {places}; {hive_note}. "
            "Name the folder with --bin-dir."
        )


def _first_few(names: tuple[str, ...], shown: int = 6) -> str:
    """A list of names for a message, shortened when long."""
    text = ", ".join(names[:shown])
    return text + (f" or {len(names) - shown} more" if len(names) > shown else "")


def _unique(found: list[BinDir]) -> list[BinDir]:
    """Drop folders already listed (the same real folder reached twice), keeping order."""
    seen: set[str] = set()
    kept: list[BinDir] = []
    for item in found:
        key = str(item.path) if isinstance(item.path, ImagePath) else os.path.realpath(item.path)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept
