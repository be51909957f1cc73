"""Discovery's rule 2: the Exchange bin folder a volume's SOFTWARE hive names.

``HKLM\\SOFTWARE\\Microsoft\\Exchange\\Setup`` value ``Services`` (``C:\\exchsrvr``) is
mapped to the drive-letter folder of its drive or, when there is none and the hive lies in
the tree's root itself (one mounted volume), to the root; its ``bin`` folder is the answer.
The hive reader (regipy) is loaded only when a hive is there.
"""

from __future__ import annotations

from pathlib import Path, PureWindowsPath

from verfix.discover_listing import TreeLister
from verfix.products import exchange, windows_nt

#: Where the SOFTWARE hive lives on a system volume (NT 4.0/2000, then XP/2003 names).
HIVE_PATHS = tuple((root.lower(), *windows_nt.SOFTWARE_HIVE) for root in windows_nt.SYSTEM_ROOTS)
HIVE = "registry hive"  # the name of what is sought, in warnings


class RegistryRule:
    """Rule 2 over one tree: the hives seen and the paths they named are kept for messages."""

    def __init__(self, lister: TreeLister) -> None:
        self.lister = lister
        self.hives_seen: list[Path] = []
        self.named: list[str] = []  # the Services paths the hives gave

    def find(self, volumes: dict[str, Path]) -> list[tuple[Path, str]]:
        """The bin folders named by a SOFTWARE hive in one of ``volumes``, each with how it was found."""
        found: list[tuple[Path, str]] = []
        for volume in volumes.values():
            for parts in HIVE_PATHS:
                for hive_path in self.lister.resolve(volume, parts, want_dir=False, wanted=HIVE):
                    self.hives_seen.append(hive_path)
                    found.extend(self._from_hive(hive_path, volume, volumes))
        return found

    def _from_hive(self, hive_path: Path, hive_volume: Path, volumes: dict[str, Path]) -> list[tuple[Path, str]]:
        from verfix.hive import HiveError, read_exchange_setup  # regipy: only when a hive is there

        warnings, root = self.lister.warnings, self.lister.root
        try:
            services = read_exchange_setup(hive_path).services
        except HiveError as exc:
            warnings.append(f"registry hive {hive_path} not used: {exc}; searching the usual places")
            return []
        if services is None:
            warnings.append(f"registry hive {hive_path} has no {exchange.SETUP.display}")
            return []
        said = f"registry: {exchange.SETUP.display} = {services}"
        self.named.append(services)
        windows_path = PureWindowsPath(services)
        drive = windows_path.drive.rstrip(":").lower()
        if len(drive) != 1 or not windows_path.root:
            warnings.append(f"{said}: not a local drive path; searching the usual places")
            return []
        volume = volumes.get(drive)
        if volume is None and hive_volume == root:
            volume = root  # one volume mounted: the path is taken to be on it
        if volume is None:
            warnings.append(f"{said}: no folder for drive {drive.upper()}: in {root}; searching the usual places")
            return []
        parts = tuple(part for part in windows_path.parts[1:] if part not in ("", "."))
        if ".." in parts:
            warnings.append(f"{said}: '..' in the path; not followed")
            return []
        bins = self.lister.resolve(volume, parts + exchange.SETUP.subfolder)
        if not bins:
            warnings.append(f"{said}: {volume} has no such bin folder; searching the usual places")
            return []
        return [(path, f"{said} -> {path}") for path in bins]
