"""The check report as one self-contained HTML page an auditor can attach to a finding.

No script, no external style sheet, font or image: everything is in the one file. Sections:
the server, verdict counts, the remediation plan, every finding with its evidence, and the
articles that are fine (folded).
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Optional, Sequence

from verfix import __version__
from verfix.check import FolderCheck, ManifestResult, Status, Verdict
from verfix.names import CONTROL_ESCAPES, name_text, terminal_text, valid_text
from verfix.remediation import Plan, plan_folder

if TYPE_CHECKING:
    from verfix.servercheck import ServerCheck

# Raw control characters never reach the page; tab and newline are harmless there.
_CONTROL = {code: text for code, text in CONTROL_ESCAPES.items() if code not in (0x09, 0x0A)}

STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#1b1b1b;max-width:80em}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5em 0}th,td{text-align:left;padding:.2em .6em;vertical-align:top}
th{background:#eee}tr:nth-child(even) td{background:#f7f7f7}
td.v,td.n{font-family:ui-monospace,monospace;white-space:nowrap}
.not-compliant,.outdated,.missing{color:#b00020;font-weight:600}
.incomplete,.unreadable,.no-version{color:#8a5a00;font-weight:600}
.compliant,.ok,.present,.confirmed{color:#1b6e20}.not-applicable,.unrecorded{color:#777}
.overwritten{color:#b00020;font-weight:600}.unchecked{color:#8a5a00;font-weight:600}
dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:600}
.muted{color:#666}
"""


def esc(text: object) -> str:
    """HTML-escaped text, control characters (but tab and newline) written %XX as on a
    terminal (:func:`verfix.names.terminal_text`); a name from disk goes through :func:`path_html`."""
    value = "" if text is None else str(text)
    value = valid_text(value)
    return html.escape(value if value.isprintable() else value.translate(_CONTROL), quote=True)


def path_html(path: object) -> str:
    """A path from disk, spelled (:func:`verfix.names.name_text`) and escaped with every control
    character written %XX, tab and newline too (which a page shows as blanks), as on a terminal."""
    return html.escape(terminal_text(name_text(str(path))), quote=True)


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], classes: Sequence[str] = ()) -> str:
    """An HTML table; ``rows`` hold ready-made cell HTML; ``classes`` per column."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="{classes[i]}">{cell}</td>' if i < len(classes) and classes[i] else f"<td>{cell}</td>"
            for i, cell in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>\n"


def _badge(value: str) -> str:
    return f'<span class="{esc(value)}">{esc(value)}</span>'


def _counts(folder: FolderCheck) -> str:
    counts: dict[str, int] = {}
    for result in folder.results:
        counts[result.verdict.value] = counts.get(result.verdict.value, 0) + 1
    rows = [[_badge(verdict), str(n)] for verdict, n in sorted(counts.items())]
    rows.append([_badge(Verdict.NOT_APPLICABLE.value) + " (set aside)", str(len(folder.not_applicable))])
    return _table(["Verdict", "Articles"], rows)


def _plan(plan: Plan) -> str:
    if plan.empty:
        return "<p>Nothing to install: no article needs action.</p>\n"
    total = len(plan.failing)
    out = [f"<p>{total} article(s) need action; {len(plan.files)} file(s) are behind. "
           "Computed from the catalog alone (see the README, “Remediation”).</p>\n<ol>"]
    for pack in plan.packs:
        based = f"; {len(pack.base_of)} of the hotfixes below are built on it" if pack.base_of else ""
        out.append(f"<li>{pack.verb} <b>{esc(pack.pack)}</b>: clears {len(pack.clears)} of the {total} "
                   f"({len(pack.named_by)} name it or an earlier pack as the fix){based}.</li>")
    if plan.hotfixes:
        how = "the fewest that clear every finding" if plan.proven_fewest else "chosen greedily, not proven the fewest"
        rows = [[esc(fix.id), esc(fix.title),
                 esc(fix.fixed_in or "") + (" <b>(another release: check it applies)</b>" if fix.other_release else ""),
                 str(len(fix.articles)),
                 esc(", ".join(f.name for f in fix.files))] for fix in plan.hotfixes]
        out.append(f"<li>{'Then ' if plan.packs else ''}{len(plan.hotfixes)} hotfix(es) ({how}):"
                   + _table(["Hotfix", "Title", "Fixed in", "Articles", "Files"], rows, ("n",)) + "</li>")
    out.append("</ol>\n<h3>Files behind</h3>\n")
    rows = [[esc(f.name), esc("missing" if f.installed is None else f.installed),
             esc("any" if f.target is None else f"≥ {f.target}"), esc(f.supplier),
             esc(", ".join(f.articles))] for f in plan.files]
    out.append(_table(["File", "Installed", "Needed", "From", "Articles"], rows, ("n", "v", "v")))
    return "".join(out)


def _findings(results: Sequence[ManifestResult]) -> str:
    rows = []
    for result in results:
        for row in result.rows:
            if row.status in (Status.OK, Status.PRESENT, Status.NOT_APPLICABLE):
                continue
            rows.append([
                esc(result.manifest.id), esc(result.manifest.title), esc(row.row.name),
                path_html(row.path) if row.path is not None else esc("(not found)"),
                esc(row.found_version if row.found_version is not None else "-"),
                esc(row.row.version if row.row.version is not None else "any"),
                _badge(row.status.value), esc("; ".join(row.notes)),
            ])
    if not rows:
        return "<p>No findings.</p>\n"
    return _table(["Article", "Title", "File", "Path", "Installed", "Required", "Status", "Notes"],
                  rows, ("n", "", "n", "", "v", "v"))


def _fine(results: Sequence[ManifestResult]) -> str:
    rows = [[esc(r.manifest.id), esc(r.manifest.title), _badge(r.verdict.value)] for r in results]
    if not rows:
        return ""
    return (f"<details><summary>{len(rows)} compliant article(s)</summary>"
            + _table(["Article", "Title", "Verdict"], rows, ("n",)) + "</details>\n")


def _server(check: "ServerCheck") -> str:
    """A whole-server check's head: one line per product found, the hotfix records' findings."""
    from verfix.server_report import product_label

    rows = []
    for item in check.products:
        counts = item.counts()
        rows.append([esc(product_label(item.product)), ", ".join(path_html(f) for f in item.product.folders),
                     *(str(counts[v.value]) for v in Verdict)])
    out = ['<h2 id="products">Products found</h2>\n',
           _table(["Product", "Folders", *(v.value for v in Verdict)], rows)]
    out.append('<h2 id="hotfixes">Hotfix records against the files</h2>\n')
    if not check.hotfixes:
        out.append("<p>No hotfix record, and no article whose files are all at or above its table.</p>\n")
    else:
        headers = ["Hotfix", "Finding", "Recorded on", "What the files say"]
        split: dict[bool, list[list[str]]] = {True: [], False: []}  # recorded or not (folded: fine)
        for h in check.hotfixes:
            split[h.record is not None].append([
                esc(h.article), _badge(h.finding.value),
                esc(h.record.installed_on if h.record and h.record.installed_on else ""), esc(h.message)])
        if split[True]:
            out.append(_table(headers, split[True], ("n",)))
        if split[False]:
            out.append(f"<details><summary>{len(split[False])} article(s) have their files at or above the "
                       "table and no hotfix record (fine)</summary>"
                       + _table(headers, split[False], ("n",)) + "</details>\n")
    if check.unplaced:
        out.append(f"<p class=\"muted\">{len(check.unplaced)} selected article(s) are for no product "
                   "found here.</p>\n")
    return "".join(out)


def html_report(
    folders: Sequence[FolderCheck], target: Path, generated_at: str, server: Optional["ServerCheck"] = None,
) -> str:
    """The whole report as one HTML document; ``server``: the whole-server check the folders
    come from, whose product lines and hotfix findings head the page."""
    out = [
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
        f"<title>verfix report: {path_html(target)}</title><style>{STYLE}</style></head><body>\n",
        f"<h1>verfix check report</h1>\n<dl><dt>Target</dt><dd>{path_html(target)}</dd>"
        f"<dt>Generated</dt><dd>{esc(generated_at)} by verfix {esc(__version__)}</dd></dl>\n",
    ]
    if server is not None:
        out.append(_server(server))
    for index, folder in enumerate(folders, start=1):
        failing = [r for r in folder.results if r.verdict is not Verdict.COMPLIANT]
        fine = [r for r in folder.results if r.verdict is Verdict.COMPLIANT]
        out.append(
            f"<h2>Server folder {path_html(folder.bin_dir)}</h2>\n<dl>"
            f"<dt>Found</dt><dd>{esc(folder.how)}</dd>"
            f"<dt>Product</dt><dd>{esc(_products(folder))}</dd>"
            f"<dt>Release</dt><dd>{esc(folder.release or 'not told by the server programs')}</dd></dl>\n"
            f'<h3 id="verdicts-{index}">Verdicts</h3>\n' + _counts(folder)
            + f'<h3 id="plan-{index}">Remediation plan</h3>\n' + _plan(plan_folder(folder))
            + f'<h3 id="findings-{index}">Findings ({len(failing)} article(s))</h3>\n' + _findings(failing)
            + _fine(fine)
        )
    out.append("</body></html>\n")
    return "".join(out)


def _products(folder: FolderCheck) -> str:
    products = sorted({r.manifest.product for r in folder.results})
    return ", ".join(products) or "none checked"
