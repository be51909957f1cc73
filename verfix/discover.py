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

Rule 2 is :mod:`verfix.discover_registry`; the safe folder listing every rule uses is
:mod:`verfix.discover_listing` (its names are re-exported here).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from verfix.discover_listing import DRIVE_FOLDER, MAX_ENTRIES, TreeLister
from verfix.discover_registry import HIVE_PATHS, RegistryRule
from verfix.fsview import ImagePath, error_reason, view_of
from verfix.products import exchange

__all__ = [
    "DEFAULT_INSTALLS", "DRIVE_FOLDER", "HIVE_PATHS", "MARKER_FILES", "MAX_ENTRIES", "PRODUCT", "BinDir",
    "Discovery", "DiscoveryError", "TreeLister", "find_bin_dirs",
]

#: Exchange's server programs: one of them marks a folder as a bin folder (see the profile).
MARKER_FILES = exchange.MARKER_FILES
#: The product whose bin folders discovery finds: a bin-folder check applies its manifests only.
PRODUCT = exchange.PROFILE.name
#: Where Exchange setup installs by default, relative to a volume root.
DEFAULT_INSTALLS = tuple(tuple(p.lower() for p in parts) for _, parts in exchange.PROFILE.folder_parts())


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


class _Finder(TreeLister):
    """The state of one discovery: the tree's listing, the marker names, the registry rule."""

    def __init__(self, root: Path, markers: Iterable[str] = MARKER_FILES) -> None:
        super().__init__(root)
        self.markers = tuple(dict.fromkeys(name.lower() for name in markers))
        self.registry = RegistryRule(self)

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

    def from_registry(self, volumes: dict[str, Path]) -> list[BinDir]:
        """Rule 2: bin folders named by a SOFTWARE hive in one of the volumes."""
        return _unique([BinDir(path, how) for path, how in self.registry.find(volumes)])

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
        if self.registry.named:
            named = ", ".join(dict.fromkeys(self.registry.named))
            hive_note = (
                f"the registry names {named}, which is not under {self.root} "
                "(for a copy of several volumes, give the folder that holds the drive folders)"
            )
        elif self.registry.hives_seen:
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
