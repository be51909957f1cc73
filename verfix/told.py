"""A fact told about a system or product, with how it was told (:class:`Told`), and a
product's release and service pack as its programs tell them (the survey's rule 3). Told has
a module of its own so that a survey loads the Windows rules only for a system root."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from verfix.check import FileCache
from verfix.locate import FolderIndex
from verfix.pe import PEInfo
from verfix.products import Profile


@dataclass(frozen=True)
class Told:
    """A fact about the system (None when it could not be told) and how it was told."""

    value: str | None
    how: str


def program_versions(profile: Profile, folders: list[Path], root: Path, cache: FileCache):
    """(name, version) of every release program whose version the profile knows, in order."""
    found = []
    for name in profile.release_programs:
        for folder in folders:
            for entry in FolderIndex(folder, root=root).lookup(name):
                info = cache.read(entry.path) if entry.problem is None else None
                if isinstance(info, PEInfo) and profile.release_of(info.file_version):
                    found.append((entry.path.name, info.file_version))
    return found


def told_by_programs(profile: Profile, folders: list[Path], root: Path, cache: FileCache) -> tuple[Told, Told]:
    """The release from the first release program; the service pack from the highest build
    among the programs of that release (a service pack updates them all, a hotfix one)."""
    programs = program_versions(profile, folders, root, cache)
    if not programs:
        names = ", ".join(profile.release_programs)
        return Told(None, f"none of {names} has a version this profile knows"), Told(None, profile.how_service_pack)
    name, version = programs[0]
    label = profile.release_of(version)
    release = Told(label, f"{name} is {version}")
    top_name, top = max((p for p in programs if profile.release_of(p[1]) == label), key=lambda p: p[1][2:])
    pack = profile.service_pack_of(top)
    if pack is not None:
        return release, Told(pack, f"{top_name} build {top[2]}, the highest of the release programs")
    return release, Told(None, profile.how_service_pack)


def holds_marker(profile: Profile, folder: Path, root: Path) -> str | None:
    """The first of the profile's marker programs ``folder`` holds, named as on disk; None if
    none. A folder that cannot be listed holds none that is known: its lookups answer
    "unreadable", which is no marker (else every product would be found in it)."""
    index = FolderIndex(folder, root=root)
    if index.error is not None:
        return None
    return next((found[0].path.name for found in map(index.lookup, profile.markers) if found), None)
