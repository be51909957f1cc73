"""What a check finds: a status per row, a verdict per manifest, the results of one folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:  # annotations only: this module loads nothing else of verfix
    from pathlib import Path, PurePath

    from verfix.manifest import FileRow, Manifest
    from verfix.pe import PEInfo
    from verfix.version import Version


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


@dataclass(frozen=True)
class FolderCheck:
    """Manifests checked against one bin folder, and those that do not apply there."""

    bin_dir: Path
    how: str
    results: tuple[ManifestResult, ...]
    not_applicable: tuple[str, ...] = ()  # ids of manifests whose component is not installed
    release: str | None = None            # the Exchange release the server programs show
    service_pack: str | None = None       # the service pack the server runs, when told


def worst_offender(result: ManifestResult) -> RowResult | None:
    """The row that most needs attention: a missing file, else the lowest outdated version."""
    offending = [r for r in result.rows if r.status in (Status.MISSING, Status.OUTDATED)]
    if not offending:
        return None
    missing = [r for r in offending if r.status is Status.MISSING]
    if missing:
        return missing[0]
    return min(offending, key=lambda r: (r.found_version, r.row.name.lower()))
