"""Checking a folder against manifests: one status per row, one verdict per manifest."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Iterable

from verfix.locate import FolderIndex, FoundFile
from verfix.manifest import FileRow, Manifest
from verfix.names import name_text
from verfix.pe import NotPEError, PEInfo, PEReadError, Reader, read_pe_file
from verfix.products import exchange
from verfix.rules import platform_rule, release_label, version_release_rule
from verfix.version import Version, try_parse_version

if TYPE_CHECKING:
    from verfix.pe.linktime import LinkInfo


class Status(str, Enum):
    """The state of one manifest row on the checked server."""

    OK = "ok"                          # fixed version >= required
    OUTDATED = "outdated"              # fixed version below required
    MISSING = "missing"                # no such file
    PRESENT = "present"                # a row without version, and the file exists
    NO_VERSION = "no-version"          # a version is required, the file has none
    UNREADABLE = "unreadable"          # could not be read or parsed (reason in notes)
    NOT_APPLICABLE = "not-applicable"  # the row is for another platform than the file


class Verdict(str, Enum):
    """The state of one manifest (KB article) on the checked server."""

    COMPLIANT = "compliant"            # every row ok or present
    NOT_COMPLIANT = "not-compliant"    # some row outdated or missing
    INCOMPLETE = "incomplete"          # otherwise: something could not be told
    NOT_APPLICABLE = "not-applicable"  # the article's component is not installed here


# When two files differ only by case, the row takes the worst of their statuses.
_SEVERITY = [
    Status.OUTDATED, Status.NO_VERSION, Status.UNREADABLE,
    Status.NOT_APPLICABLE, Status.OK, Status.PRESENT,
]

# A file named like a Windows executable that is not one is damaged, not a data file.
EXECUTABLE_EXTENSIONS = frozenset(
    {".exe", ".dll", ".sys", ".ocx", ".cpl", ".drv", ".scr", ".rll", ".acm", ".ax", ".tsp", ".mui", ".efi"}
)

# PE machine names that satisfy a manifest row's platform.
PLATFORM_MACHINES = {
    "x86": {"i386"}, "alpha": {"alpha", "alpha64"}, "mips": {"mips"}, "ppc": {"powerpc"},
    "win9x": {"i386"},  # Windows 9x runs on x86 only
}


@dataclass(frozen=True)
class RowResult:
    """The outcome for one manifest row."""

    row: FileRow
    status: Status
    path: PurePath | None = None
    info: PEInfo | None = None
    notes: tuple[str, ...] = ()

    @property
    def found_version(self) -> Version | None:
        return self.info.file_version if self.info else None


@dataclass(frozen=True)
class ManifestResult:
    """The outcome for one manifest checked against one bin folder."""

    manifest: Manifest
    bin_dir: Path
    rows: tuple[RowResult, ...]
    verdict: Verdict = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "verdict", verdict_of(self.rows))

    def counts(self) -> dict[str, int]:
        """How many rows have each status (only statuses that occur)."""
        counts: dict[str, int] = {}
        for result in self.rows:
            counts[result.status.value] = counts.get(result.status.value, 0) + 1
        return counts


def verdict_of(rows: Iterable[RowResult]) -> Verdict:
    """Compliant, not compliant or incomplete, ignoring rows for other platforms."""
    statuses = {r.status for r in rows if r.status is not Status.NOT_APPLICABLE}
    if not statuses:
        return Verdict.NOT_APPLICABLE
    if statuses & {Status.OUTDATED, Status.MISSING}:
        return Verdict.NOT_COMPLIANT
    if statuses <= {Status.OK, Status.PRESENT}:
        return Verdict.COMPLIANT
    return Verdict.INCOMPLETE


class FileCache:
    """Reads each file at most once, however many manifests name it."""

    def __init__(self, reader: Reader = Reader.FAST) -> None:
        self.reader = reader
        self._results: dict[PurePath, PEInfo | PEReadError] = {}
        self._links: dict[PurePath, LinkInfo | PEReadError] = {}

    def read(self, path: PurePath) -> PEInfo | PEReadError:
        if path not in self._results:
            try:
                self._results[path] = read_pe_file(path, self.reader)
            except PEReadError as error:
                self._results[path] = error
        return self._results[path]

    def link_info(self, path: PurePath) -> LinkInfo | PEReadError:
        """Size and COFF link time, for rows without a version (read once per file)."""
        if path not in self._links:
            from verfix.pe.linktime import read_link_info  # rows without a version only

            try:
                self._links[path] = read_link_info(path)
            except PEReadError as error:
                self._links[path] = error
        return self._links[path]

    @property
    def files_read(self) -> int:
        return len(self._results)


def _versionless_notes(row: FileRow, path: PurePath, cache: FileCache) -> tuple[str, ...]:
    """The size-and-date evidence for a row without a version (verfix.evidence): a note only."""
    if (row.date is None and row.size is None) or path.suffix.lower() not in EXECUTABLE_EXTENSIONS:
        return ()
    from verfix.evidence import versionless_evidence

    link = cache.link_info(path)
    if isinstance(link, PEReadError):
        return (f"no version to compare, and the link time cannot be read: {link}",)
    return (versionless_evidence(row.date, row.size, link.size, link.time_date_stamp).note,)


def _evaluate(row: FileRow, found: FoundFile, cache: FileCache) -> RowResult:
    """The status of ``row`` given one matching file."""
    if found.problem is not None:
        return RowResult(row, Status.UNREADABLE, found.path, notes=(found.problem,))
    if row.version is None:
        return RowResult(row, Status.PRESENT, found.path, notes=_versionless_notes(row, found.path, cache))
    result = cache.read(found.path)
    if isinstance(result, NotPEError) and found.path.suffix.lower() not in EXECUTABLE_EXTENSIONS:
        # KB tables give versions to data files (.sch, .cfg, .xv2) too; none can be read.
        note = f"data file ({result}): its version cannot be read, checked for presence only"
        return RowResult(row, Status.PRESENT, found.path, notes=(note,))
    if isinstance(result, PEReadError):
        return RowResult(row, Status.UNREADABLE, found.path, notes=(str(result),))
    info = result
    if row.platform and info.machine not in PLATFORM_MACHINES[row.platform]:
        note = f"row is for {row.platform}, file is {info.machine or 'of unknown machine'}"
        return RowResult(row, Status.NOT_APPLICABLE, found.path, info, (note,))
    fixed = info.file_version
    if fixed is None or fixed.is_zero:
        reason = info.version_problem or "fixed file version is 0.0.0.0"
        return RowResult(row, Status.NO_VERSION, found.path, info, (reason,))
    notes = []
    string_version = try_parse_version(info.file_version_string)
    if info.file_version_string is not None and string_version != fixed:
        notes.append(
            f"FileVersion string {info.file_version_string!r} disagrees with the fixed version {fixed}"
        )
    if fixed > row.version:
        notes.append(f"newer than required ({fixed} > {row.version})")
    status = Status.OK if fixed >= row.version else Status.OUTDATED
    return RowResult(row, status, found.path, info, tuple(notes))


def check_row(row: FileRow, index: FolderIndex, cache: FileCache) -> RowResult:
    """One row against a folder; files differing only by case are all checked."""
    candidates = index.lookup(row.name)
    if not candidates:
        return RowResult(row, Status.MISSING)
    results = [_evaluate(row, found, cache) for found in candidates]
    if len(results) == 1:
        return results[0]
    worst = min(results, key=lambda r: _SEVERITY.index(r.status))
    described = ", ".join(
        f"{name_text(r.path.name) if r.path else r.row.name} "
        f"({r.status.value}{', ' + str(r.found_version) if r.found_version else ''})"
        for r in results
    )
    ambiguity = f"{len(results)} files differ only by case, all checked: {described}"
    return RowResult(row, worst.status, worst.path, worst.info, worst.notes + (ambiguity,))


def is_applicable(manifest: Manifest, index: FolderIndex) -> bool:
    """False when none of the manifest's versioned files is here (component not installed).

    A manifest without versioned rows applies when any of its files is here.
    """
    versioned = [row for row in manifest.files if row.version is not None]
    rows = versioned or list(manifest.files)
    return any(index.lookup(row.name) for row in rows)


def check_manifest(
    manifest: Manifest, bin_dir: Path, index: FolderIndex, cache: FileCache,
    release: str | None = None,
) -> ManifestResult:
    """Every row of one manifest against one indexed bin folder.

    With the server's ``release`` known, a row written for another product version
    (``product_version = "5.0"`` on a 5.5 server) is not applicable; so is a row without a
    product version of its own whose version is of another release (the release rule of
    ``verfix.rules``: Q281587's Ems_rid.dll 6.0.2654.0 is an Exchange 2000 file).
    """
    rows = []
    for row in manifest.files:
        other = None if row.product_version or not release else version_release_rule(
            exchange.PROFILE, row.version, release)
        foreign = platform_rule(row.other_platform)
        if foreign is not None:
            rows.append(RowResult(row, Status.NOT_APPLICABLE, notes=(f"{foreign.rule.value} rule: {foreign.note}",)))
        elif release and row.product_version and release_label(row.product_version) != release:
            note = f"row is for {row.product_version}; this server runs {release}"
            rows.append(RowResult(row, Status.NOT_APPLICABLE, notes=(note,)))
        elif other is not None:
            rows.append(RowResult(row, Status.NOT_APPLICABLE, notes=(f"{other.rule.value} rule: {other.note}",)))
        else:
            rows.append(check_row(row, index, cache))
    return ManifestResult(manifest, bin_dir, tuple(rows))


# Exchange releases by the major.minor of their binaries' file versions (from the profile).
RELEASES = exchange.RELEASES


def server_release(index: FolderIndex, cache: FileCache) -> str | None:
    """The Exchange release of a bin folder, from its server programs' fixed versions."""
    for name in exchange.PROFILE.release_programs:  # MTA, Store, Directory, System Attendant
        for found in index.lookup(name):
            if found.problem is not None:
                continue
            info = cache.read(found.path)
            if isinstance(info, PEInfo) and info.file_version is not None:
                release = exchange.PROFILE.release_of(info.file_version)
                if release:
                    return release
    return None


def fits_release(manifest: Manifest, release: str | None) -> bool:
    """False when the manifest names product versions and the server's release is not one."""
    if release is None:
        return True
    labels = {release_label(text) for text in manifest.product_versions} - {None}
    return not labels or release in labels


@dataclass(frozen=True)
class FolderCheck:
    """Manifests checked against one bin folder, and those that do not apply there."""

    bin_dir: Path
    how: str
    results: tuple[ManifestResult, ...]
    not_applicable: tuple[str, ...] = ()  # ids of manifests whose component is not installed
    release: str | None = None            # the Exchange release the server programs show
    service_pack: str | None = None       # the service pack the server runs, when told


def check_folder(
    manifests: Iterable[Manifest],
    bin_dir: Path,
    cache: FileCache,
    *,
    root: Path | None = None,
    how: str = "",
    skip_inapplicable: bool = False,
) -> FolderCheck:
    """Check every manifest against ``bin_dir``.

    With ``skip_inapplicable`` (checking the whole catalog), a manifest is set aside as not
    applicable when none of its versioned files is there (its component is not
    installed), when it names product versions and the server's release is not one of
    them, or when every row is for another platform or release.
    """
    index = FolderIndex(bin_dir, root=root)
    release = server_release(index, cache)
    results: list[ManifestResult] = []
    not_applicable: list[str] = []
    for manifest in manifests:
        if skip_inapplicable and index.error is None and not (
            fits_release(manifest, release) and is_applicable(manifest, index)
        ):
            not_applicable.append(manifest.id)
            continue
        result = check_manifest(manifest, bin_dir, index, cache, release)
        if skip_inapplicable and result.verdict is Verdict.NOT_APPLICABLE:
            not_applicable.append(manifest.id)
            continue
        results.append(result)
    return FolderCheck(bin_dir, how, tuple(results), tuple(not_applicable), release)


def worst_offender(result: ManifestResult) -> RowResult | None:
    """The row that most needs attention: a missing file, else the lowest outdated version."""
    offending = [r for r in result.rows if r.status in (Status.MISSING, Status.OUTDATED)]
    if not offending:
        return None
    missing = [r for r in offending if r.status is Status.MISSING]
    if missing:
        return missing[0]
    return min(offending, key=lambda r: (r.found_version, r.row.name.lower()))
