"""Walking an article body: headings and ``Component:`` lines set the context, tables are read."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from verfix.kbimport import cells, tables
from verfix.kbimport.leadin import LeadIn, lead_in
from verfix.kbimport.metadata import base_versions, release_of
from verfix.kbimport.model import ImportedRow, TableError
from verfix.kbimport.rows import NAME_KINDS, RowContext
from verfix.kbimport.tables import Body, Scan

# A line of its own that names a processor only: "Intel", "Alpha-based", "x86 version", "For Alpha:".
_PROCESSOR_HEADING_RE = re.compile(r"(?:for )?(?:the )?(?:intel|x86|i386|alpha|axp|mips|ppc|powerpc)"
                                   r"(?:[- ]based)?(?: (?:version|platform|computers|systems|files|servers))?:?",
                                   re.IGNORECASE)
# The hotfix's own self-extracting package, listed beside the files it installs.
_PACKAGE_RE = re.compile(r"^Q\d{6}\w*\.exe$", re.IGNORECASE)


@dataclass
class _Context:
    """What the headings and ``Component:`` lines above a table say about it."""

    heading_version: str | None = None
    heading: str | None = None
    component: str | None = None
    component_version: str | None = None
    heading_platform: str | None = None  # the one processor a heading names ("Alpha", "Intel:")

    def for_table(self, lead: LeadIn, bases: Sequence[str]) -> RowContext:
        """The context of the next table: component, product version, heading, language.

        The product version is the ``Component:`` line's, else the lead-in's, else the
        heading's; a service pack the lead-in names ("for Service Pack 3 (SP3) sites") is
        added to it, or to the article's one base version. The platform of rows that name
        none is the one processor the lead-in names, else the heading's.
        """
        release = self.component_version or lead.release or self.heading_version
        if lead.service_pack:
            base = release if release and re.fullmatch(r"\d+(\.\d+)*", release) else None
            if base is None and release is None and len(bases) == 1:
                base = bases[0]
            if base is not None:
                release = f"{base} {lead.service_pack}"
        foreign = lead.foreign or cells.foreign_platform_in(self.heading)
        platform = lead.platform or self.heading_platform
        return RowContext(self.component, release, self.heading, lead.language, foreign, platform)


def _add_table(scan: Scan, rows: list[ImportedRow], lead: LeadIn) -> None:
    """Keep a table's rows, minus the hotfix's own package files (noted, not checked)."""
    if lead.superseded:
        scan.notes.append(f"line {rows[0].line_no}: a table of a superseded build "
                          "(its lead-in says the fix had these files), left out")
        return
    if lead.package and all(row.name.lower().endswith(".exe") and not row.version for row in rows):
        # "The self-extracting EXE should be:" above programs of no version: the download, which
        # a server does not keep among the files it installs.
        scan.notes.append(f"line {rows[0].line_no}: left out the self-extracting hotfix package "
                          f"{', '.join(row.name for row in rows)} (its lead-in says so)")
        return
    packages = [row.name for row in rows if _PACKAGE_RE.match(row.name)]
    if packages and len(packages) == len(rows):
        scan.notes.append(f"left out the hotfix package files {', '.join(packages)}")
        return
    if packages:
        kept = [row for row in rows if not _PACKAGE_RE.match(row.name)]
        scan.notes.append(f"left out the hotfix package file {', '.join(packages)} "
                          "listed among the files it installs")
        rows = kept
    scan.tables += 1
    scan.rows.extend(replace(row, table=scan.tables) for row in rows)


def _is_blank(body: Body, index: int) -> bool:
    return index < 0 or index >= len(body) or not body[index][1].strip()


def _plain_table_start(body: Body, index: int) -> tuple[list, int] | None:
    """(columns, first row index) when a plain table's header is at ``index``."""
    columns = tables.plain_header(body[index][1]) if body[index][1].strip() else None
    if columns is None:
        return None
    nxt = index + 1
    ruled = tables._next_text(body, nxt)
    if ruled < len(body) and ruled - nxt <= 1 and tables._RULE_RE.match(body[ruled][1]):
        return columns, tables._next_text(body, ruled + 1)  # the rule maybe one blank line down
    # A header without a rule: two or more labels, a file name among them, a row right after.
    if len(columns) < 2 or not any(c.kind in NAME_KINDS for c in columns):
        return None
    return columns, tables._next_text(body, nxt)


_NAME_LABEL_RE = re.compile(r"\b(file ?names?|file)\b", re.IGNORECASE)
_FILE_ROW_RE = re.compile(r"(?:^|\s)[\w$~-]+\.[A-Za-z][A-Za-z0-9]{0,3}(?:\s|$)")


def _unknown_labels(body: Body, index: int) -> str | None:
    """The words of a header not read as labels, when the line at ``index`` is a fixed-file
    table's header none the less: it names a file column, a rule is under it and a file row
    under that ("Date  Time  Ver no  Size  File name"); else None. Such a table is refused,
    not passed over as if the article had none."""
    text = body[index][1]
    ruled = tables._next_text(body, index + 1)
    if (not _NAME_LABEL_RE.search(text) or ruled - index > 2 or ruled >= len(body)
            or not tables._RULE_RE.match(body[ruled][1])):
        return None
    row = tables._next_text(body, ruled + 1)
    if row >= len(body) or not _FILE_ROW_RE.search(body[row][1]) or not re.search(r"\d", body[row][1]):
        return None
    labels = re.split(r"\s{2,}", text.strip())
    unknown = [label for label in labels if cells.column_kind(label) is None]
    return repr(" ".join(unknown)) if unknown and len(labels) >= 2 else None


def scan_tables(body: Body, product: str = "", product_versions: Sequence[str] = ()) -> Scan:
    """Find and read every fixed-file table of an article body; raise TableError on doubt.

    A table whose lead-in says it is superseded ("The previous version of this fix had the
    following file attributes") is left out, with a note.
    """
    bases = base_versions(product_versions)
    scan = Scan()
    context = _Context()
    index = 0
    while index < len(body):
        line_no, text = body[index]
        next_text = body[index + 1][1] if index + 1 < len(body) else ""
        stripped = text.strip()
        component = tables._COMPONENT_RE.match(text)
        if component:
            name = component.group(1) or None
            context.component = name
            context.component_version = release_of(name, product) if name else None
            index += 1
            continue
        if tables._BORDER_RE.match(text):
            lead = lead_in(body, index, product)
            first_line = line_no
            index, rows = tables.read_boxed(body, index, context.for_table(lead, bases))
            if rows:
                _add_table(scan, rows, lead)
            else:
                scan.notes.append(f"line {first_line}: a box with neither a header nor a file name "
                                  "(not a fixed-file table), left out")
            continue
        start = _plain_table_start(body, index)
        if start is not None:
            columns, first = start
            if [c.kind for c in columns] == ["version"]:
                # A product's version alone ("Version / ------- / 8.1.3"): no file to check.
                scan.notes.append(f"line {line_no}: a table of versions without file names, left out")
                index = first
                while index < len(body) and body[index][1].strip():
                    index += 1
                continue
            if not any(c.kind in NAME_KINDS for c in columns):
                raise TableError(line_no, text, "a table without a file name column")
            lead = lead_in(body, index, product)
            index, rows, notes = tables.read_plain(body, index, first, columns, context.for_table(lead, bases))
            scan.notes.extend(notes)
            _add_table(scan, rows, lead)
            continue
        unknown = _unknown_labels(body, index)
        if unknown:
            raise TableError(line_no, text, f"a table header with a label not known: {unknown}")
        if stripped and tables._UNDERLINE_RE.match(next_text) and not stripped.startswith(("-", "=")):
            if next_text.strip().startswith("="):
                context = _Context()  # a new top-level section: RESOLUTION, STATUS, ...
            else:
                release = release_of(stripped, product)
                processor = cells.processor_in(stripped)
                if release is None and processor:  # "Alpha" under "Windows NT 4.0": still 4.0
                    release = context.heading_version
                context = _Context(heading_version=release, heading=stripped, heading_platform=processor)
            index += 2
            continue
        colon_heading = tables._COLON_HEADING_RE.match(text)
        if colon_heading and _is_blank(body, index - 1) and _is_blank(body, index + 1):
            release = release_of(colon_heading.group(1), product)
            processor = cells.processor_in(colon_heading.group(1))
            if release:
                context = _Context(heading_version=release, heading=colon_heading.group(1),
                                   heading_platform=processor)
            elif processor:  # "Alpha:": the platform of what follows, the release kept
                context = replace(context, heading_platform=processor)
            index += 1
            continue
        if (stripped and text[0] not in " \t" and len(stripped) <= 60 and not stripped.endswith(".")
                and _is_blank(body, index - 1) and _is_blank(body, index + 1)):
            release = release_of(stripped, product)  # a heading of its own ("SNA Server 4.0")
            if release and re.search(r"\d", stripped):
                context = _Context(heading_version=release, heading=stripped,
                                   heading_platform=cells.processor_in(stripped))
                index += 1
                continue
            if _PROCESSOR_HEADING_RE.fullmatch(stripped):  # "Alpha-based computers"
                context = replace(context, heading_platform=cells.processor_in(stripped))
                index += 1
                continue
        if tables._STRAY_ROW_RE.match(text):
            raise TableError(line_no, text, "a file row outside any table")
        if stripped.startswith("|") and stripped.count("|") >= 2:
            raise TableError(line_no, text, "a table line outside a table")
        index += 1
    return scan


# Prose that gives a file's version itself: "The preceding fix updates the User.exe program to version 4.10.2230."
_PROSE_VERSION_RE = re.compile(r"\bupdates? (?:the )?([\w$~-]+\.[A-Za-z0-9]{1,4})(?: program| file)? to "
                               r"version (\d+(?:\.\d+){1,3})\b", re.IGNORECASE)


def check_prose(body: Body, rows: Sequence[ImportedRow]) -> None:
    """Refuse (TableError) when the article's text says a file of its tables is updated to a
    version that no row of that file gives: the text and the table disagree, and which one
    holds is not for the reader to decide."""
    for line_no, text in body:
        for match in _PROSE_VERSION_RE.finditer(text):
            name, version = match.group(1).lower(), match.group(2)
            listed = [row for row in rows if row.name.lower() == name]
            if listed and not any(row.version and _same_version(row.version, version) for row in listed):
                raise TableError(line_no, text, f"the text updates {match.group(1)} to version {version}, "
                                                "which no row of the table gives")


def _same_version(left: str, right: str) -> bool:
    def numbers(text: str) -> tuple[int, ...]:
        parts = [int(part) for part in text.split(".")]
        return tuple(parts + [0] * (4 - len(parts)))
    return numbers(left) == numbers(right)
