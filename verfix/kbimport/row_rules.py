"""The inference rules about what a row says beside its file and version: its platform
(one a Windows server does not have), its Windows 9x release, its edition and a size of no
unit. Listed in ``rules.RULES`` with the others; same signature, same contract.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from verfix.kbimport.model import ImportedRow

Rows = list[ImportedRow]


def _spans(rows: Rows) -> str:
    """The rows' line numbers, runs of consecutive ones as ranges: "lines 55-64, 71-73"."""
    runs: list[list[int]] = []
    for number in sorted({row.line_no for row in rows}):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    text = ", ".join(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]) for run in runs)
    return ("line " if len(runs) == 1 and len(runs[0]) == 1 else "lines ") + text


def other_platforms(rows: Rows, product_versions: Sequence[str]) -> tuple[Rows, list[str]]:
    """Rows for a platform that is not a Windows server's (a Platform cell ``Macintosh``,
    ``ARM 720``, ``SH3``, or a table under a heading or lead-in naming Windows CE, Pocket PC
    or the Macintosh, and no Windows platform) are left out: no file of a Windows server can
    be one. When every row is one, the article has no table for a Windows server."""
    kept = [row for row in rows if row.foreign is None]
    notes = []
    for family in dict.fromkeys(row.foreign for row in rows if row.foreign):
        left = [row for row in rows if row.foreign == family]
        notes.append(f"{_spans(left)}: {len(left)} row(s) for {family}, not a Windows server's "
                     "platform, left out")
    return kept, notes


def applies_to_platform(rows: Rows, product_versions: Sequence[str]) -> tuple[Rows, list[str]]:
    """An article whose every "applies to" line names one platform no Windows server has
    ("Microsoft Windows CE eMbedded Visual Basic, version 3.0"), and no Windows platform: its
    rows without a platform cell of their own are for that platform, and are kept marked so
    (``other_platform``), so a check never looks for them on a server (they are not
    applicable there). A row whose Platform cell names a Windows platform (``x86``) is left
    alone: a desktop part of a device product."""
    marked = [row for row in rows if row.article_platform and row.platform is None and row.other_platform is None]
    if not marked:
        return rows, []
    family = marked[0].article_platform
    ids = {id(row) for row in marked}
    out = [replace(row, other_platform=row.article_platform) if id(row) in ids else row for row in rows]
    lines = sorted(row.line_no for row in marked)
    where = _spans(marked) if len(lines) < 4 else f"lines {lines[0]}-{lines[-1]}"
    return out, [f"{where}: every 'applies to' line names {family} only; {len(marked)} row(s) "
                 f"without a platform of their own are for {family}, marked other_platform: never "
                 "checked on a server"]


def os_releases(rows: Rows, product_versions: Sequence[str]) -> tuple[Rows, list[str]]:
    """One file listed for several Windows 9x releases (Platform cells ``Windows 95``,
    ``Windows 98 Retail``, ``Windows 98 Second Edition``) with different versions: each of
    those rows gets ``product_version`` = its release, which its Platform cell states (the
    platform stays ``win9x``). Rows that do not name a release are left alone."""
    groups: dict[tuple, Rows] = {}
    for row in rows:
        if row.platform == "win9x" and row.version:
            groups.setdefault((row.table, row.name.lower(), row.location, row.product_version), []).append(row)
    relabel: set[int] = set()
    notes = []
    for group in groups.values():
        releases = [row.os_release for row in group]
        if (len({row.version for row in group}) < 2 or None in releases
                or len(set(releases)) != len(releases)):
            continue
        relabel |= {id(row) for row in group}
        notes.append(f"{_spans(group)}: {group[0].name} listed once per Windows 9x release "
                     f"({', '.join(r for r in releases if r)}); each row's product_version is the "
                     "release its Platform cell names")

    def label(row: ImportedRow) -> str | None:
        # A heading's "98" is part of "Windows 98 Second Edition"; another label is kept before it.
        if row.product_version and row.product_version not in (row.os_release or "").split():
            return f"{row.product_version} {row.os_release}"
        return row.os_release

    return [replace(row, product_version=label(row)) if id(row) in relabel else row for row in rows], notes


def read_with_the_row(rows: Rows, product_versions: Sequence[str]) -> tuple[Rows, list[str]]:
    """What a row says beside its file, version and platform, kept as a note: an edition
    written after the name or in the Platform cell (``Channel.dll (56-bit)``, ``Winsock2``),
    and a size cell of no stated unit (``94.5``), which gives no size (a size is evidence
    of the file, not part of the requirement); and the platform of rows that give none, taken
    from the one processor the heading or lead-in above their table names ("Alpha:")."""
    notes = []
    by_heading: dict[tuple, Rows] = {}
    for row in rows:
        if row.heading_platform:
            by_heading.setdefault((row.table, row.heading_platform), []).append(row)
    for (_, platform), named in by_heading.items():
        notes.append(f"{_spans(named)}: no platform of their own; {platform}, the one processor "
                     "the heading or lead-in above the table names")
    for row in rows:
        if row.edition:
            notes.append(f"line {row.line_no}: {row.name} is for the {row.edition} edition (as "
                         "the table says); the edition is not part of its name")
        if row.unread_size:
            notes.append(f"line {row.line_no}: size {row.unread_size!r} of {row.name} gives no "
                         "unit, so no size is kept")
    return rows, notes
