"""Checking a folder against manifests: one status per row, one verdict per manifest.

The check itself (rows against the files, applicability, the server's release) is here; the
public interface also re-exports :mod:`verfix.check_results` (statuses, verdicts, the result
records) and :mod:`verfix.check_cache` (each file read once).
"""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import Iterable

from verfix.check_cache import FileCache
from verfix.check_results import (
    FolderCheck,
    ManifestResult,
    RowResult,
    Status,
    Verdict,
    verdict_of,
    worst_offender,
)
from verfix.locate import FolderIndex, FoundFile
from verfix.manifest import FileRow, Manifest
from verfix.names import name_text
from verfix.pe import NotPEError, PEInfo, PEReadError
from verfix.products import exchange
from verfix.rules import platform_rule, release_label, version_release_rule
from verfix.version import try_parse_version

__all__ = [
    "EXECUTABLE_EXTENSIONS", "PLATFORM_MACHINES", "RELEASES", "FileCache", "FolderCheck", "ManifestResult",
    "RowResult", "Status", "Verdict", "check_folder", "check_manifest", "check_row", "fits_release",
    "is_applicable", "release_label", "server_release", "verdict_of", "worst_offender",
]


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
