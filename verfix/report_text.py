"""The check report for people: the articles that need action, then the remediation plan, in a width."""

from __future__ import annotations

from typing import Optional, Sequence

from verfix.check import (
    FolderCheck,
    ManifestResult,
    RowResult,
    Status,
    Verdict,
    worst_offender,
)
from verfix.colour import STATUS_COLOUR, VERDICT_COLOUR, paint
from verfix.names import name_text, terminal_text
from verfix.remediation import Plan, plan_folder
from verfix.tables import Column, cut, render
from verfix.version import try_parse_version

# Verdicts shown without --all: the articles a person has to act on.
ACTION_VERDICTS = (Verdict.NOT_COMPLIANT, Verdict.INCOMPLETE)

SUMMARY_COLUMNS = (
    Column("Article"),
    Column("Verdict"),
    Column("Title", shrink=True, min_width=16),
    Column("Lowest offending file", drop=2),
    Column("Component", shrink=True, min_width=12, drop=1),
)


def offender_text(result: ManifestResult) -> str:
    """The row that most needs attention, in a few words: "Store.exe 5.5.2650.4 < 5.5.2656.17"."""
    row = worst_offender(result)
    if row is None:
        problems = [r for r in result.rows if r.status in (Status.UNREADABLE, Status.NO_VERSION)]
        return f"{problems[0].row.name} {problems[0].status.value}" if problems else ""
    if row.status is Status.MISSING:
        return f"{row.row.name} missing"
    return f"{row.row.name} {row.found_version} < {row.row.version}"


def summary_table(
    results: Sequence[ManifestResult], width: Optional[int], colour: bool = False
) -> str:
    """One line per article: id, verdict, title, lowest offending file, component."""
    rows = [
        [r.manifest.id, r.verdict.value, terminal_text(r.manifest.title), terminal_text(offender_text(r)),
         terminal_text("; ".join(r.manifest.components))]
        for r in results
    ]

    def style(column: int, text: str) -> str:
        return paint(text, VERDICT_COLOUR[Verdict(text)], colour) if column == 1 else text

    return render(rows, SUMMARY_COLUMNS, width, style)


_RUNS = " (the server runs it already: files it brings are older or missing)"


def _plural(count: int, word: str, plural: str = "") -> str:
    return f"{count} {word}" if count == 1 else f"{count} {plural or word + 's'}"


def _wrap(text: str, width: Optional[int], indent: str = "   ") -> str:
    """Break ``text`` at blanks so no line is wider than ``width``; later lines indented."""
    if width is None:
        return text + "\n"
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if len(candidate) > width and line:
            lines.append(line)
            line = indent + word
        else:
            line = candidate
    lines.append(line)
    return "\n".join(lines) + "\n"


PLAN_COLUMNS = (
    Column("File", shrink=True, min_width=12),
    Column("Installed"),
    Column("Needed"),
    Column("From", shrink=True, min_width=8),
    Column("Articles", drop=2),
)


def plan_text(plan: Plan, width: Optional[int]) -> str:
    """The remediation plan: service packs first, then the hotfixes, then every file that is behind."""
    if plan.empty:
        return "Remediation: nothing to install; no article needs action.\n"
    total = len(plan.failing)
    out = [_wrap(
        f"Remediation plan, from the catalog: {_plural(total, 'article')} "
        f"{'needs' if total == 1 else 'need'} action, {_plural(len(plan.files), 'file')} "
        f"{'is' if len(plan.files) == 1 else 'are'} behind.", width, "")]
    step = 0
    cleared = 0
    for pack in plan.packs:
        step += 1
        cleared += len(pack.clears)
        base = f"; {len(pack.base_of)} of the hotfixes below are built on it" if pack.base_of else ""
        out.append(_wrap(
            f"{step}. {pack.verb} {pack.pack}{_RUNS if pack.server_runs else ''}: "
            f"clears {len(pack.clears)} of the {total} "
            f"({len(pack.named_by)} {'names' if len(pack.named_by) == 1 else 'name'} it or an "
            f"earlier pack as the fix){base}.", width))
    if plan.hotfixes:
        step += 1
        rest = "the rest" if plan.packs else f"all {total}"
        how = "the fewest that clear every finding" if plan.proven_fewest else "chosen greedily, not proven the fewest"
        out.append(_wrap(
            f"{step}. {'Then ' if plan.packs else ''}{_plural(len(plan.hotfixes), 'hotfix', 'hotfixes')} "
            f"for {rest} ({how}):", width))
        id_width = max(8, *(len(fix.id) + 1 for fix in plan.hotfixes))  # an own id may be long
        for fix in plan.hotfixes:
            head = f"   {fix.id:<{id_width}} {_plural(len(fix.articles), 'article'):<12} "
            room = None if width is None else max(width - len(head), 10)
            title = terminal_text(fix.title)
            out.append(head + (title if room is None else cut(title, room)) + "\n")
            if fix.other_release:
                note = _wrap(f"the article gives its fix as {terminal_text(fix.fixed_in or '')} "
                             "only: check it applies here", None if room is None else max(room, 20), "")
                out.extend(" " * len(head) + line + "\n" for line in note.splitlines())
    rows = [
        [
            terminal_text(f.name),
            "missing" if f.installed is None else str(f.installed),
            "any" if f.target is None else f"≥ {f.target}",
            f.supplier,
            str(len(f.articles)),
        ]
        for f in plan.files
    ]
    out.append(_wrap("Every file behind, the version that clears every finding, and where it "
                     "comes from:", width, ""))
    out.append(render(rows, PLAN_COLUMNS, width))
    return "".join(out)


def action_report(
    folders: Sequence[FolderCheck], width: Optional[int], colour: bool = False, show_all: bool = False
) -> str:
    """Per folder: the articles that need action (every article with ``show_all``) and the plan."""
    blocks = []
    for folder in folders:
        blocks.append(f"== {terminal_text(name_text(str(folder.bin_dir)))}\n")
        shown = [r for r in folder.results if show_all or r.verdict in ACTION_VERDICTS]
        if shown:
            blocks.append(summary_table(shown, width, colour))
        hidden = len(folder.results) - len(shown)
        notes = []
        if hidden:
            notes.append(f"{hidden} compliant article(s) not shown (--all shows them).")
        if folder.not_applicable:
            notes.append(
                f"{len(folder.not_applicable)} more article(s) do not apply here: none of their "
                "versioned files is installed, or they are for another release.")
        if notes:
            blocks.append("".join(_wrap(note, width, "") for note in notes))
        blocks.append(plan_text(plan_folder(folder), width))
    return "\n".join(blocks)


# In a narrow table the path (shown only when its name is not the row's) goes first, then the
# FileVersion string; notes are cut, and left out only when even that is not enough.
DETAIL_COLUMNS = (
    Column("File", shrink=True, min_width=12), Column("Required"), Column("Found"),
    Column("FileVersion string", shrink=True, min_width=12, drop=1), Column("Status"),
    Column("Path", shrink=True, min_width=12, keep_end=True, drop=1),
    Column("Notes", shrink=True, min_width=12, drop=2),
)
# Columns left out when no row has anything in them: FileVersion string, Path, Notes.
_OPTIONAL_DETAILS = (3, 5, 6)


def _found_text(result: RowResult) -> str:
    if result.found_version is not None:
        return str(result.found_version)
    return "present" if result.status is Status.PRESENT else "-"


def _string_column(result: RowResult) -> str:
    """The FileVersion string, shown only when it says something the fixed version doesn't."""
    info = result.info
    if info is None or info.file_version_string is None:
        return ""
    if try_parse_version(info.file_version_string) == info.file_version:
        return ""
    return info.file_version_string


def _path_cell(row: RowResult) -> str:
    """The file's name on disk, only when it is not spelled as the row's (case, 8.3 name)."""
    if row.path is None or row.path.name == row.row.name:
        return ""
    return terminal_text(name_text(row.path.name))


def details_table(result: ManifestResult, colour: bool = False, width: Optional[int] = None) -> str:
    """Every row of one article, fitted to ``width`` (None: nothing is cut); JSON and CSV
    have every field whole."""
    verdict = paint(result.verdict.value.upper(), VERDICT_COLOUR[result.verdict], colour)
    rows = [
        [
            terminal_text(row.row.name),
            "N/A" if row.row.version is None else str(row.row.version),
            _found_text(row),
            terminal_text(_string_column(row)),
            row.status.value,
            _path_cell(row),
            terminal_text("; ".join(row.notes)),
        ]
        for row in result.rows
    ]
    shown = [i for i in range(len(DETAIL_COLUMNS)) if i not in _OPTIONAL_DETAILS or any(r[i] for r in rows)]
    status_at = shown.index(4)

    def style(column: int, text: str) -> str:
        return paint(text, STATUS_COLOUR[Status(text)], colour) if column == status_at else text

    table = render([[r[i] for i in shown] for r in rows], [DETAIL_COLUMNS[i] for i in shown], width, style)
    head = f"{result.manifest.id}  {terminal_text(result.manifest.title)}"
    return f"{head if width is None else cut(head, width)}\n{verdict}\n{table}\n"


def details_report(folders: Sequence[FolderCheck], colour: bool = False, width: Optional[int] = None) -> str:
    """Per folder: every row of every article checked, whole, then the plan (fitted to ``width``)."""
    blocks = []
    for folder in folders:
        blocks.append(f"== {terminal_text(name_text(str(folder.bin_dir)))}\n")
        blocks.extend(details_table(result, colour, width) for result in folder.results)
        if folder.not_applicable:
            blocks.append(_wrap(
                f"{len(folder.not_applicable)} more article(s) do not apply here: none of their "
                "versioned files is installed, or they are for another release.", width, ""))
        blocks.append(plan_text(plan_folder(folder), width))
    return "\n".join(blocks)
