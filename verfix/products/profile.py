"""What a product profile says: folders, marker programs, registry keys, releases, branches.

A profile is data plus small pure functions; it opens no file. Discovery, locating and
checking read profiles, so adding a product is adding a module to ``verfix.products``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

#: Marks a folder relative to the Windows system root (``WINNT``) rather than a volume root.
SYSTEM_ROOT = "%SystemRoot%"


@dataclass(frozen=True)
class RegistryValue:
    """One value a product's setup writes under ``HKLM\\SOFTWARE``.

    ``meaning`` says what verfix reads it for: ``"install-folder"``, ``"version"``,
    ``"build"`` or ``"service-pack"``. ``subfolder`` is appended to an install folder (Exchange's
    ``Services`` names ``C:\\exchsrvr``; the programs are in its ``bin``).
    """

    key: str
    value: str
    meaning: str
    subfolder: tuple[str, ...] = ()

    @property
    def display(self) -> str:
        """``HKLM\\SOFTWARE\\<key>`` and the value name, for messages."""
        return f"HKLM\\SOFTWARE\\{self.key} {self.value}"


@dataclass(frozen=True)
class Branch:
    """A line of builds of one release that has its own hotfix numbering.

    A file of ``release`` whose build is ``build`` belongs to this branch when its fourth
    version part lies in ``revisions`` (half-open range). ``editions`` are the names
    articles give the branch; ``product_suite`` is the word the registry's ProductSuite
    holds on such a system (empty when none).
    """

    name: str
    release: str
    build: int
    revisions: tuple[int, int]
    editions: tuple[str, ...] = ()
    product_suite: str = ""

    def holds(self, version: Sequence[int]) -> bool:
        """True when a four-part file version belongs to this branch."""
        low, high = self.revisions
        return version[2] == self.build and low <= version[3] < high


@dataclass(frozen=True)
class Profile:
    """One product: where it lives on a server and how its release is told."""

    slug: str                            # "exchange": catalog folder and --product key
    name: str                            # "Microsoft Exchange Server", as manifests name it
    kb_folders: tuple[str, ...]          # folders of ../shared/kb holding its articles
    article_names: Mapping[str, str]     # names articles use -> the manifest name
    folders: tuple[str, ...]             # usual folders, Windows style, in search order
    markers: tuple[str, ...]             # programs found only in this product's folders
    release_programs: tuple[str, ...]    # whose fixed version tells the release, in order
    releases: Mapping[tuple[int, int], str]  # (major, minor) of those programs -> release
    how_release: str
    how_service_pack: str
    #: release -> ((lowest build, service pack), ...) ascending, for programs' builds; a
    #: lowest (build, revision) for packs that share a build (SMS 2.0 SP2-SP4: 1493.2000...).
    service_pack_builds: Mapping[str, tuple[tuple[int | tuple[int, int], str], ...]] = field(default_factory=dict)
    registry: tuple[RegistryValue, ...] = ()
    branches: tuple[Branch, ...] = ()
    #: Files a table names that setup installs under another name (the kernel setup chose is
    #: always ntoskrnl.exe): lower-cased name -> the name on the server.
    installed_as: Mapping[str, str] = field(default_factory=dict)
    #: Suffixes of files a table lists that are never installed on a server (symbols).
    never_installed: tuple[str, ...] = ()
    #: Product versions articles write as names (lower-cased, single spaces) -> the release.
    release_names: Mapping[str, str] = field(default_factory=dict)
    #: release -> (lowest, highest + 1) build of its own files: a table row's version is taken
    #: to be of that release only inside the range (Scrrun.dll 4.0.0.2926 is no Exchange 4.0 file).
    release_builds: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    #: Service packs withdrawn and reissued: ``"4.0 SP6"`` -> ``"SP6a"``, the one a server
    #: installs (and a hotfix "post-SP6" is built on) in its place.
    reissued_packs: Mapping[str, str] = field(default_factory=dict)
    #: The product whose service pack this one follows (IIS: ``windows-nt``); "" for its own.
    service_pack_from: str = ""

    @property
    def short_name(self) -> str:
        """The name without "Microsoft", as articles write releases: ``Windows NT``."""
        return self.name.removeprefix("Microsoft ").strip()

    def shipped_pack(self, release: str, pack: str) -> str:
        """The service pack a server gets for ``pack`` of ``release``: ``SP6a`` for NT 4.0's
        withdrawn ``SP6``; else ``pack`` itself."""
        return self.reissued_packs.get(f"{release} {pack}", pack)

    def release_of(self, version: Sequence[int] | None) -> str | None:
        """The release a program's fixed version shows (``5.5.2448.0`` -> ``"5.5"``)."""
        if version is None:
            return None
        return self.releases.get((version[0], version[1]))

    def row_release(self, version: Sequence[int] | None) -> str | None:
        """The release a table row's version is of: its major.minor, and its build inside the
        release's build range when the profile gives one."""
        release = self.release_of(version)
        builds = self.release_builds.get(release) if release is not None else None
        if version is None or (builds is not None and not builds[0] <= version[2] < builds[1]):
            return None
        return release

    def service_pack_of(self, version: Sequence[int] | None) -> str | None:
        """The service pack a program's build shows, or None when the table has no answer.

        The highest entry whose build (and revision, when the entry gives one) is at or
        below the program's wins: a hotfix built after SP2 and before SP3 still means SP2 is
        installed.
        """
        release = self.release_of(version)
        if version is None or release is None:
            return None
        found = None
        for lowest, label in self.service_pack_builds.get(release, ()):
            if (version[2], version[3]) >= (lowest if isinstance(lowest, tuple) else (lowest, 0)):
                found = label
        return found

    def branch_of(self, version: Sequence[int] | None) -> Branch | None:
        """The branch a file version belongs to, or None (the release's main line)."""
        if version is None:
            return None
        release = self.release_of(version)
        for branch in self.branches:
            if branch.release == release and branch.holds(version):
                return branch
        return None

    def registry_values(self, meaning: str) -> tuple[RegistryValue, ...]:
        """The registry values read for ``meaning`` (``"install-folder"``, ...)."""
        return tuple(item for item in self.registry if item.meaning == meaning)

    def folder_parts(self) -> tuple[tuple[bool, tuple[str, ...]], ...]:
        """Each usual folder as (under the system root?, path parts)."""
        result = []
        for text in self.folders:
            parts = tuple(part for part in text.split("\\") if part)
            under_root = bool(parts) and parts[0].lower() == SYSTEM_ROOT.lower()
            result.append((under_root, parts[1:] if under_root else parts))
        return tuple(result)
