"""Finding every product on a volume: its folders, release, service pack and branch.

The rules (names compared ignoring case; nothing outside PATH is entered; each step lists
one known folder, as discovery does, and no folder is walked):

1. PATH holding a product's marker program (``ntoskrnl.exe``, ``store.exe``...) is that
   product's folder, and only that product is reported.
2. Else the volumes are PATH and its drive-letter folders. The system root is ``WINNT`` or
   ``WINDOWS`` at a volume's root holding ``system32``, whose SOFTWARE and SYSTEM hives are
   read once. Looked in: ``system32`` and its ``drivers`` (Windows), the hive's IIS install
   path (else ``system32/inetsrv``), discovery's Exchange bin folders, and the usual folders
   of the others at each volume's root.
3. A product is found when one of its folders holds one of its marker programs. Its release
   and service pack come from its programs (the profile's table), Windows' from the kernel
   and the hives (``verfix.winsys``), else from the profile's "version" registry value when
   that tells one (SMS's ``Full Version``); each answer says how it was told.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath
from typing import TYPE_CHECKING

from verfix.check import FileCache
from verfix.discover import DiscoveryError, _Finder, find_bin_dirs
from verfix.discover_registry import HIVE
from verfix.fsview import ImagePath
from verfix.locate import FolderIndex
from verfix.pe import PEInfo
from verfix.products import PROFILES, Profile, exchange, iis, windows_nt
from verfix.told import Told, holds_marker, told_by_programs
from verfix.version import VersionError, parse_version

if TYPE_CHECKING:  # the Windows rules and regipy load only for a system root
    from verfix.hive import Hive
    from verfix.winsys import ProductOptions, WindowsRegistry, WindowsSystem


@dataclass(frozen=True)
class FoundProduct:
    """One product found on the volume."""

    profile: Profile
    folders: tuple[Path, ...]
    how: tuple[str, ...]          # how each folder was found, one line each
    release: Told
    service_pack: Told
    branch: Told | None = None    # for products with branches (Windows)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Survey:
    """What was found beneath PATH, and what was noticed on the way."""

    root: Path
    products: tuple[FoundProduct, ...]
    registry: WindowsRegistry | None = None
    windows: WindowsSystem | None = None
    warnings: tuple[str, ...] = field(default=())
    system_root: Path | None = None
    _surveyor: object = field(default=None, repr=False, compare=False)  # its safe lister

    def product(self, slug: str) -> FoundProduct | None:
        return next((p for p in self.products if p.profile.slug == slug), None)

    def registry_product(self) -> FoundProduct | None:
        """The product whose hives ``registry`` was read from (Windows), when found."""
        return self.product(windows_nt.PROFILE.slug)

    def location_folder(self, text: str) -> Path | None:
        """The folder a manifest row's ``location`` names, under PATH, or None.

        ``%SystemRoot%\\System32`` (or ``%windir%``) under the system root; ``C:\\...`` on drive
        folder C (or PATH itself for one mounted volume); a relative ``System32\\Drivers``
        under the system root, else under PATH. ``..`` is never followed.
        """
        surveyor = self._surveyor
        if not isinstance(surveyor, _Surveyor):
            return None
        volumes = surveyor.finder.volumes()
        if PureWindowsPath(text).drive or text.startswith("%"):
            return surveyor._map_windows_path(text, volumes, self.system_root)
        parts = tuple(p for p in PureWindowsPath(text).parts if p not in ("", "."))
        if ".." in parts:
            return None
        for base in (self.system_root, self.root):
            found = surveyor.finder.resolve(base, parts) if base is not None else []
            if found:
                return found[0]
        return None


class _Surveyor:
    def __init__(self, root: Path, cache: FileCache) -> None:
        self.root = root
        self.cache = cache
        self.finder = _Finder(root)
        self.found: list[FoundProduct] = []
        self.software: Hive | None = None
        self.system_volume: Path | None = None  # the volume the system root is on

    def run(self) -> Survey:
        for profile in PROFILES:  # rule 1
            marker = holds_marker(profile, self.root, self.root)
            if marker is not None:
                how = f"{self.root} holds {marker}"
                if profile is windows_nt.PROFILE:  # a system32 folder: its config holds the hives
                    registry, options = self._hives(self.root)
                    system = self._windows_in(self.root, [self.root], (how,), registry, options)
                    return Survey(self.root, tuple(self.found), registry, system, self.finder.unique_warnings(),
                                  None, self)  # the system root would be outside PATH
                release, pack = told_by_programs(profile, [self.root], self.root, self.cache)
                product = FoundProduct(profile, (self.root,), (how,), release, pack)
                return Survey(self.root, (product,), warnings=self.finder.unique_warnings(), _surveyor=self)
        volumes = self.finder.volumes()
        registry, options, system_root = self._system(volumes)
        windows = self._windows(system_root, registry, options)
        self._iis(system_root, volumes)
        self._exchange()
        for profile in PROFILES:
            if profile.slug not in {"windows-nt", "iis", "exchange"}:
                self._by_usual_folders(profile, volumes)
        order = {p.slug: n for n, p in enumerate(PROFILES)}
        products = tuple(sorted(self.found, key=lambda p: order[p.profile.slug]))
        for product in products:  # a release not told: a folder that cannot be listed says why
            for folder in product.folders if product.release.value is None else ():
                self.finder.entries(folder)
        return Survey(self.root, products, registry, windows, self.finder.unique_warnings(), system_root, self)

    def _system(self, volumes: dict[str, Path]):
        """The first system root: WINNT or WINDOWS, else any root folder whose hive's
        SystemRoot names it (``C:\\WINNT40``)."""
        for volume in volumes.values():
            for name in windows_nt.SYSTEM_ROOTS:
                for system32 in self.finder.resolve(volume, (name, "system32")):
                    registry, options = self._hives(system32)
                    self.system_volume = volume
                    return registry, options, system32.parent
        for volume in volumes.values():
            for names in sorted(self.finder.entries(volume).values()):
                for name in names:
                    if name.upper() in windows_nt.SYSTEM_ROOTS:
                        continue
                    for system32 in self.finder.resolve(volume, (name, "system32")):
                        if not self.finder.resolve(system32, windows_nt.SOFTWARE_HIVE[1:], want_dir=False):
                            continue
                        registry, options = self._hives(system32)
                        said = PureWindowsPath(registry.system_root).name if registry and registry.system_root else ""
                        if said.lower() == name.lower():
                            self.system_volume = volume
                            return registry, options, system32.parent
        return None, None, None

    def _hives(self, system32: Path) -> tuple[WindowsRegistry | None, ProductOptions | None]:
        """The SOFTWARE and SYSTEM hives under ``system32/config``, read once."""
        from verfix.winsys import read_product_options, read_windows_registry

        software = self.software = self._hive(system32, windows_nt.SOFTWARE_HIVE[1:])
        system = self._hive(system32, windows_nt.SYSTEM_HIVE[1:])
        registry = self._read(read_windows_registry, software) if software else None
        options = self._read(read_product_options, system) if system else None
        return registry, options

    def _hive(self, system_root: Path, parts: tuple[str, ...]) -> Hive | None:
        from verfix.hive import HiveError, open_hive

        for path in self.finder.resolve(system_root, parts, want_dir=False, wanted=HIVE):
            try:
                return open_hive(path)
            except HiveError as exc:
                self.finder.warnings.append(f"registry hive {path} not used: {exc}")
        return None

    def _read(self, reader, hive: Hive):
        from verfix.hive import HiveError

        try:
            return reader(hive)
        except HiveError as exc:
            self.finder.warnings.append(f"registry hive {hive.path} not used: {exc}")
            return None

    def _windows(self, system_root: Path | None, registry: WindowsRegistry | None,
                 options: ProductOptions | None) -> WindowsSystem | None:
        if system_root is None:
            return None
        folders = [f for parts in (("system32",), ("system32", "drivers"))
                   for f in self.finder.resolve(system_root, parts)]
        how = tuple(f"{f.relative_to(self.root)} under the system root {system_root.name}" for f in folders)
        return self._windows_in(folders[0], folders, how, registry, options)

    def _windows_in(self, system32: Path, folders: list[Path], how: tuple[str, ...],
                    registry: WindowsRegistry | None, options: ProductOptions | None) -> WindowsSystem:
        kernel = None
        for found in FolderIndex(system32, root=self.root).lookup(windows_nt.KERNEL):
            info = self.cache.read(found.path) if found.problem is None else None
            if isinstance(info, PEInfo) and info.file_version is not None:
                kernel = info.file_version
        from verfix.winsys import detect_windows

        system = detect_windows(kernel, registry, options)
        self.found.append(FoundProduct(windows_nt.PROFILE, tuple(folders), how, system.release,
                                       system.service_pack, system.branch, system.notes))
        return system

    def _iis(self, system_root: Path | None, volumes: dict[str, Path]) -> None:
        candidates: list[tuple[Path, str]] = []
        software = self.software
        (setting,) = iis.PROFILE.registry_values("install-folder")
        values = self._read(lambda h: h.values(setting.key), software) if software else None
        install = values.get(setting.value.lower()) if values else None
        if isinstance(install, str):
            mapped = self._map_windows_path(install, volumes, system_root)
            if mapped is not None:
                candidates.append((mapped, f"registry: {setting.display} = {install}"))
        if system_root is not None:
            for folder in self.finder.resolve(system_root, ("system32", "inetsrv")):
                candidates.append((folder, f"{folder.relative_to(self.root)} under the system root"))
        for folder, how in candidates:
            if holds_marker(iis.PROFILE, folder, self.root):
                release, pack = told_by_programs(iis.PROFILE, [folder], self.root, self.cache)
                major, minor = (values or {}).get("majorversion"), (values or {}).get("minorversion", 0)
                if release.value is None and isinstance(major, int) and isinstance(minor, int):
                    release = Told(f"{major}.{minor}", f"registry InetStp MajorVersion = {major}, "
                                                       f"MinorVersion = {minor} ({release.how})")
                self.found.append(FoundProduct(iis.PROFILE, (folder,), (how,), release, pack))
                return

    def _map_windows_path(self, text: str, volumes: dict[str, Path], system_root: Path | None) -> Path | None:
        """A registry path as a folder under PATH: ``%SystemRoot%\\...`` under the system root,
        ``C:\\...`` on drive folder C, or on the system root's volume when there are no drive
        folders (one volume mounted); None when it maps to nothing under PATH."""
        head, _, rest = text.partition("\\")
        if head.lower() in ("%systemroot%", "%windir%"):
            base, path = system_root, PureWindowsPath("\\" + rest)
        else:
            path = PureWindowsPath(text)
            drive = path.drive.rstrip(":").lower()
            base = volumes.get(drive) if len(drive) == 1 else None
            if base is None and len(drive) == 1 and self.system_volume == self.root:
                base = self.root
        parts = tuple(p for p in path.parts[1:] if p not in ("", "."))
        if base is None or ".." in parts:
            return None
        found = self.finder.resolve(base, parts)
        return found[0] if found else None

    def _exchange(self) -> None:
        try:
            discovery = find_bin_dirs(self.root)
        except DiscoveryError:
            return
        folders = list(discovery.bin_dirs)
        release, pack = told_by_programs(exchange.PROFILE, folders, self.root, self.cache)
        how = tuple(item.how for item in discovery.found)
        self.found.append(FoundProduct(exchange.PROFILE, tuple(folders), how, release, pack,
                                       notes=discovery.warnings))

    def _by_usual_folders(self, profile: Profile, volumes: dict[str, Path]) -> None:
        folders, how = [], []
        for volume in volumes.values():
            for under_root, parts in profile.folder_parts():
                if under_root:
                    continue
                for folder in self.finder.resolve(volume, parts):
                    if holds_marker(profile, folder, self.root):
                        folders.append(folder)
                        how.append(f"found {'/'.join(parts)} holding a marker program")
        if folders:
            release, pack = told_by_programs(profile, folders, self.root, self.cache)
            pack = pack if pack.value is not None else self._pack_from_registry(profile) or pack
            self.found.append(FoundProduct(profile, tuple(folders), tuple(how), release, pack))

    def _pack_from_registry(self, profile: Profile) -> Told | None:
        """The service pack a profile's "version" value in the SOFTWARE hive tells (SMS's
        Setup ``Full Version`` 2.00.1380.1000: SP1), when the programs told none."""
        software = self.software
        if software is None:
            return None
        for setting in profile.registry_values("version"):
            values = self._read(lambda h, key=setting.key: h.values(key), software)
            text = values.get(setting.value.lower()) if values else None
            try:
                label = profile.service_pack_of(parse_version(text)) if isinstance(text, str) else None
            except VersionError:
                label = None
            if label is not None:
                return Told(label, f"registry {setting.display} = {text}")
        return None


def survey(path: Path, cache: FileCache | None = None) -> Survey:
    """Every product found at or beneath ``path`` (rules in the module docstring).

    Never writes, never follows a link out of ``path``; reads only the marker and release
    programs and the two hives.
    """
    root = path if isinstance(path, ImagePath) else Path(path)  # a volume inside a disk image stays one
    return _Surveyor(root, cache or FileCache()).run()
