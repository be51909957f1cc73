"""The inference rules: what the importer concludes beyond the cells, each named and documented.

``RULES`` lists them in the order they run. Each takes the rows of an article and the
article's product versions (from its header), and returns the rows and the notes that say
what it did (written into the manifest as comments); on doubt it raises TableError, which
refuses the article. No rule knows a product: versions come from the article itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from verfix.kbimport.metadata import base_versions
from verfix.kbimport.model import ImportedRow, TableError
from verfix.kbimport.row_rules import applies_to_platform, os_releases, other_platforms, read_with_the_row

Rows = list[ImportedRow]
_MAJOR_MINOR_RE = re.compile(r"^\d+\.\d+$")


def _major_minor(version: str) -> str:
    """The major.minor of a version (or of a release "5.5"), by value: the parts of a file
    version are numbers, so "5.00.2195" is of 5.0 and "4.02.0748" of 4.2, as written "5.0"."""
    parts = version.split(".")[:2]
    return ".".join(str(int(part)) if part.isdigit() else part for part in parts)


def _lines_text(numbers: Sequence[int]) -> str:
    return ("line " if len(numbers) == 1 else "lines ") + ", ".join(str(n) for n in numbers)


def _refuse(row: ImportedRow, reason: str) -> TableError:
    return TableError(row.line_no, row.line_text or row.name, reason)


def _build_only(cell: str) -> str:
    return f"version {cell!r} is {'build.revision' if '.' in cell else 'a build number'} only"


def _table_line(row: ImportedRow, bases: Sequence[str]) -> str:
    """The major.minor that completes a build-only cell of ``row``, or raise TableError."""
    cell = row.written_version
    what = _build_only(cell or "")
    if row.product_version:
        major_minor = row.product_version
        if not _MAJOR_MINOR_RE.match(major_minor):
            raise _refuse(row, f"{what}, and the table's product version is not a major.minor")
        if bases and major_minor not in bases:
            raise _refuse(row, f"{what}, and the table's product version is not one the article names")
        return major_minor
    if not bases:
        raise _refuse(row, f"{what}, and the article names no product version")
    if len(bases) > 1:
        raise _refuse(row, f"{what}, and the article names several product versions")
    if not _MAJOR_MINOR_RE.match(bases[0]):
        raise _refuse(row, f"{what}, and the article's product version is not a major.minor")
    return bases[0]


def complete_build_only(rows: Rows, product_versions: Sequence[str]) -> tuple[Rows, list[str]]:
    """Build only: a version cell of one or two parts whose first is over 99 (``2638``,
    ``2543.1``) is a build[.revision]; the version is ``<major>.<minor>.<build>[.<revision>]``
    with the major.minor of the one product version the table belongs to: the heading or
    ``Component:`` above it when it names one (which must be among the article's product
    versions), or else the article's one base version. Refused when the article names
    several (and no heading decides), none, or one that is not a major.minor ("2000"), and
    when a full version elsewhere in the same table has another major.minor."""
    bases = base_versions(product_versions)
    out: Rows = []
    completed: dict[int, Rows] = {}
    for row in rows:
        if row.written_version is None or row.version is not None:
            out.append(row)
            continue
        major_minor = _table_line(row, bases)
        for other in rows:
            if (other.table == row.table and other.version and other.written_version is None
                    and _major_minor(other.version) != _major_minor(major_minor)):
                raise _refuse(row, f"{_build_only(row.written_version or '')}, and the "
                                   f"full version at line {other.line_no} of the same table is not {major_minor}")
        completed.setdefault(row.table, []).append(row)
        out.append(replace(row, version=f"{major_minor}.{row.written_version}"))
    notes = []
    for table_rows in completed.values():
        row = table_rows[0]
        major_minor = _table_line(row, bases)
        where = (f"{major_minor}, the product version of the heading above the table" if row.product_version
                 else f"{major_minor}, the one product version the article names")
        written = ", ".join(dict.fromkeys(repr(r.written_version) for r in table_rows))
        full = [r for r in rows if r.table == row.table and r.version and r.written_version is None]
        agree = f"; the table's full versions agree ({major_minor}.x)" if full else ""
        notes.append(f"{_lines_text([r.line_no for r in table_rows])}: version {written} gives "
                     f"build.revision only; read as {major_minor}.<build>.<revision>, the major.minor "
                     f"being {where}{agree}")
    return out, notes


def colon_for_dot(rows: Rows, product_versions: Sequence[str]) -> tuple[Rows, list[str]]:
    """A colon for a dot (``5.0:1462.3``): read as ``5.0.1462.3`` only when that is a
    well-formed version (checked while reading the row) whose major.minor is a product
    version the article (or the table's heading) names."""
    bases = base_versions(product_versions)
    notes = []
    for row in rows:
        if row.written_version is None or row.version is None or ":" not in row.written_version:
            continue
        major_minor = _major_minor(row.version)
        named = [row.product_version] if row.product_version else list(bases)
        if major_minor not in {_major_minor(release) for release in named}:
            raise _refuse(row, f"version {row.written_version!r} has a colon for a dot, and its "
                               "major.minor is not a product version the article names")
        notes.append(f"line {row.line_no}: version {row.written_version!r} has a colon in place of "
                     f"a dot; read as {row.version} ({major_minor} is a product version the article names)")
    return rows, notes


def _numbers(version: str) -> tuple[int, ...]:
    parts = [int(p) for p in version.split(".")]
    return tuple(parts + [0] * (4 - len(parts)))


def lost_dot(rows: Rows, product_versions: Sequence[str]) -> tuple[Rows, list[str]]:
    """A dot lost: a version of fewer than four parts that, with one dot put back into one
    of its parts, is the version of another row of the same table (``5.52594.0`` beside
    ``5.5.2594.0``) is refused: a mistyped cell, whose intended value the table suggests
    but does not state."""
    by_table: dict[int, dict[tuple[int, ...], ImportedRow]] = {}
    for row in rows:
        if row.version:
            by_table.setdefault(row.table, {}).setdefault(_numbers(row.version), row)
    for row in rows:
        if not row.version or row.written_version is not None:
            continue
        parts = row.version.split(".")
        if len(parts) == 4:
            continue
        for index, part in enumerate(parts):
            for cut in range(1, len(part)):
                candidate = ".".join(parts[:index] + [part[:cut], part[cut:]] + parts[index + 1:])
                other = by_table.get(row.table, {}).get(_numbers(candidate))
                if other is not None and other is not row:
                    raise _refuse(row, f"version {row.version!r} looks like {other.version} (line "
                                       f"{other.line_no}) with a dot lost")
    return rows, []


def release_lines(rows: Rows, product_versions: Sequence[str]) -> tuple[Rows, list[str]]:
    """One table listing a file once per release line (``Store.exe 5.5.x`` and ``5.0.x``):
    every row of such a table gets ``product_version`` = its version's major.minor, when no
    heading gave the table a product version, every row has a version, each major.minor is
    a product version the article names (by value: ``5.00.1461`` is of 5.0), and the rows of
    each release line are contiguous.
    Otherwise the rows are left alone, and the file listed twice is refused by ``one_row_per_file``."""
    # The article's base versions by value ("5.0" and "5.00" alike), as the article writes them.
    bases = {_major_minor(base): base for base in base_versions(product_versions)}
    tables: dict[int, Rows] = {}
    for row in rows:
        tables.setdefault(row.table, []).append(row)
    relabel: set[int] = set()
    notes = []
    for number, table_rows in tables.items():
        releases_of: dict[tuple, set[str]] = {}
        for row in table_rows:
            if row.version:
                key = (row.name.lower(), row.platform, row.location, row.product_version)
                releases_of.setdefault(key, set()).add(_major_minor(row.version))
        twice = [key for key, releases in releases_of.items() if len(releases) > 1]
        if not twice:
            continue
        releases = [_major_minor(row.version) if row.version else None for row in table_rows]
        blocks = [release for index, release in enumerate(releases) if index == 0 or releases[index - 1] != release]
        if (any(row.product_version for row in table_rows) or None in releases
                or not set(releases) <= set(bases) or len(blocks) != len(set(blocks))):
            continue
        relabel.add(number)
        names = ", ".join(dict.fromkeys(row.name for row in table_rows
                                        if (row.name.lower(), row.platform, row.location, None) in twice))
        span = f"{_lines_text([table_rows[0].line_no, table_rows[-1].line_no]).replace(', ', '-')}"
        named = " and ".join(dict.fromkeys(r for r in releases if r))
        notes.append(f"{span}: {names} listed once per release line ({named}, "
                     "both named by the article) in one table; each row's product_version is its "
                     "version's major.minor")
    out = [replace(row, product_version=bases[_major_minor(row.version or "")])
           if row.table in relabel else row for row in rows]
    return out, notes


def language_tables(rows: Rows, product_versions: Sequence[str]) -> tuple[Rows, list[str]]:
    """Tables (or rows) per language: when the lead-ins ("The French version of this fix
    ...") or a Language column name two or more languages, each row for a language other than English gets
    that language in its ``product_version`` ("French", or "5.5 French"): a check of an
    English server then leaves those rows aside, as it does rows of another release."""
    languages = list(dict.fromkeys(row.language for row in rows if row.language))
    if len(languages) < 2:
        return rows, []
    out = []
    for row in rows:
        if row.language and row.language != "English":
            label = row.language
            row = replace(row, product_version=f"{row.product_version} {label}" if row.product_version else label)
        out.append(row)
    others = [language for language in languages if language and language != "English"]
    return out, [f"tables for the {', '.join(others)} versions too; their rows' product_version names the language"]


def heading_tables(rows: Rows, product_versions: Sequence[str]) -> tuple[Rows, list[str]]:
    """One table per heading that names no release ("MS-DOS", "Windows NT", "OS/2"): when a
    file is listed in several tables with different details and each of those tables has a
    heading of its own, every row of those tables gets ``product_version`` = its heading."""
    first_table: dict[tuple, ImportedRow] = {}
    clashing: set[int] = set()
    for row in rows:
        key = (row.name.lower(), row.platform, row.location, row.product_version)
        first = first_table.setdefault(key, row)
        if first.table != row.table and replace(first, line_no=0) != replace(row, line_no=0):
            clashing |= {first.table, row.table}
    headings = {row.table: row.heading for row in rows if row.table in clashing}
    if (not clashing or any(not h for h in headings.values())
            or len(set(headings.values())) != len(headings)
            or any(row.product_version for row in rows if row.table in clashing)):
        return rows, []
    out = [replace(row, product_version=row.heading) if row.table in clashing else row for row in rows]
    named = ", ".join(repr(h) for h in dict.fromkeys(headings.values()))
    return out, [f"the same files listed under the headings {named}; each row's product_version is its heading"]


def one_row_per_file(rows: Rows, product_versions: Sequence[str]) -> tuple[Rows, list[str]]:
    """A row repeated word for word, or with only another size or date (the same
    requirement: name, version, platform, folder, product version), is kept once (noted); a
    file listed twice with different versions for the same platform, folder and product
    version is refused."""
    seen: dict[tuple, ImportedRow] = {}
    kept: Rows = []
    notes = []
    for row in rows:
        key = (row.name.lower(), row.platform, row.location, row.product_version)
        first = seen.get(key)
        if first is None:
            seen[key] = row
            kept.append(row)
        elif replace(first, line_no=0) == replace(row, line_no=0):
            notes.append(f"line {row.line_no} repeats line {first.line_no} ({row.name})")
        elif first.version == row.version and first.component == row.component:
            # The same requirement (name, version, platform, folder, release): one row.
            notes.append(f"line {row.line_no} lists {row.name} again with another size or date; "
                         f"the same requirement as line {first.line_no}, kept once")
        else:
            raise _refuse(row, f"file listed twice with different details (first at line {first.line_no})")
    return kept, notes


@dataclass(frozen=True)
class Rule:
    """One inference rule: its name (used in notes and the README) and what it does."""

    name: str
    apply: Callable[[Rows, Sequence[str]], tuple[Rows, list[str]]]

    @property
    def doc(self) -> str:
        return " ".join((self.apply.__doc__ or "").split())


RULES = (
    Rule("other-platforms", other_platforms),
    Rule("applies-to-platform", applies_to_platform),
    Rule("build-only", complete_build_only),
    Rule("colon-for-dot", colon_for_dot),
    Rule("lost-dot", lost_dot),
    Rule("release-lines", release_lines),
    Rule("language-tables", language_tables),
    Rule("heading-tables", heading_tables),
    Rule("os-releases", os_releases),
    Rule("read-with-the-row", read_with_the_row),
    Rule("one-row-per-file", one_row_per_file),
)


def apply_rules(rows: Rows, product_versions: Sequence[str]) -> tuple[Rows, tuple[str, ...]]:
    """Run every rule in order; TableError from the first one in doubt."""
    notes: list[str] = []
    for rule in RULES:
        rows, rule_notes = rule.apply(rows, product_versions)
        notes += rule_notes
    return rows, tuple(notes)
