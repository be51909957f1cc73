"""The whole-server report's parts as plain data and lines: products, their summaries, hotfixes.

``product_record`` is one entry of the JSON report's ``products`` list (and of
``verfix products -f json``); ``summary_line`` the one line per product a table report
starts with; ``hotfix_record`` one entry of ``hotfixes``; ``server_records`` the JSONL/CSV
lines (each row's, then ``hotfix_line`` for each hotfix record no checked article covers);
``as_folder`` one product's articles in the shape the article reports and the remediation plan
take; ``server_text`` the table report's head. The core never prints: these return values for
the CLI and the formats to write.
"""

from __future__ import annotations

import textwrap
from typing import Any, Iterator, Sequence

from verfix.check import FolderCheck, Verdict
from verfix.names import name_text, terminal_text
from verfix.hotfix import Finding, HotfixCheck
from verfix.servercheck import ProductCheck, ServerCheck
from verfix.survey import FoundProduct


def product_record(found: FoundProduct, checked: ProductCheck | None = None) -> dict[str, Any]:
    """One product: what it is, how that was told, its folders, and its articles' verdicts.

    ``articles`` (counts by verdict) is present only for a checked product.
    """
    told = {"release": found.release, "service_pack": found.service_pack}
    if found.branch is not None:
        told["branch"] = found.branch
    record: dict[str, Any] = {
        "product": found.profile.name,
        "slug": found.profile.slug,
        "release": found.release.value,
        "service_pack": found.service_pack.value,
        "branch": found.branch.value if found.branch else None,
        "folders": [name_text(str(folder)) for folder in found.folders],
        "how": {name: fact.how for name, fact in told.items()} | {"folders": list(found.how)},
        "notes": list(found.notes),
    }
    if checked is not None:
        record["articles"] = checked.counts()
    return record


def hotfix_record(item: HotfixCheck) -> dict[str, Any]:
    """One hotfix finding: the article, what was found, the sentence, the record's date."""
    return {
        "article": item.article,
        "finding": item.finding.value,
        "message": item.message,
        "recorded": item.record is not None,
        "installed_on": item.record.installed_on if item.record else None,
    }


def product_label(found: FoundProduct) -> str:
    """``Microsoft Windows NT 4.0 SP6a (main line)``: the product, its release, SP and branch."""
    what = " ".join(p for p in (found.profile.name, found.release.value or "release unknown",
                                found.service_pack.value) if p)
    if found.branch is not None:
        what += f" ({found.branch.value or 'main line'})"
    return what


def summary_line(checked: ProductCheck) -> str:
    """``Microsoft Windows NT 4.0 SP6a (main line): 6 compliant, 1 not-compliant, ...``."""
    counts = checked.counts()
    shown = ", ".join(f"{counts[v.value]} {v.value}" for v in Verdict)
    return f"{product_label(checked.product)}: {shown}"


def product_of(folder: FolderCheck, check: ServerCheck) -> ProductCheck | None:
    """The product whose articles ``folder`` holds (made by :func:`as_folder`), if any."""
    return next((p for p in check.products if p.results is folder.results), None)


# The keys a whole-server check's JSONL/CSV records add, in column order (new ones last).
SERVER_RECORD_FIELDS = ("product", "hotfix", "hotfix_message", "remediation_action", "record_type")



def server_records(folders: Sequence[FolderCheck], check: ServerCheck) -> Iterator[dict[str, Any]]:
    """The JSONL/CSV records of a whole-server check: each row's record with its product
    (:func:`product_label`), its article's hotfix finding and sentence (None when the article
    has none) and whether its plan step installs or reinstalls (``record_type`` "row"); then
    one line per hotfix record that no checked article covers (:func:`hotfix_line`)."""
    from verfix.records import folder_records
    from verfix.remediation import plan_folder

    findings = {item.article.upper(): item for item in check.hotfixes}
    for folder in folders:
        product = product_of(folder, check)
        label = None if product is None else product_label(product.product)
        plan = plan_folder(folder)
        for record in folder_records(folder, plan):
            item = findings.get(str(record["manifest_id"]).upper())
            yield {**record, "product": label, "hotfix": item.finding.value if item else None,
                   "hotfix_message": item.message if item else None,
                   "remediation_action": plan.action_of(record["remediation"]), "record_type": "row"}
    for item in check.hotfixes:
        if not item.covered:
            yield hotfix_line(item, check)


def hotfix_line(item: HotfixCheck, check: ServerCheck) -> dict[str, Any]:
    """The JSONL/CSV line of a hotfix record no checked article covers (``record_type``
    "hotfix"): its article, the folder and product whose registry holds it, the finding and
    its sentence; the keys of a file row are null (``notes`` empty, ``manifest_title`` "")."""
    from verfix.records import CHECK_RECORD_FIELDS
    from verfix.schemas import SCHEMA_VERSION

    owner = item.owner
    folder = owner.folders[0] if owner is not None else check.survey.root
    line: dict[str, Any] = dict.fromkeys(CHECK_RECORD_FIELDS + SERVER_RECORD_FIELDS)
    line.update(schema_version=SCHEMA_VERSION, manifest_id=item.article, manifest_title="",
                bin_dir=name_text(str(folder)), notes=[],
                product=None if owner is None else product_label(owner), hotfix=item.finding.value,
                hotfix_message=item.message, record_type="hotfix")
    return line


def report_data(check: ServerCheck) -> dict[str, Any]:
    """The whole-server parts of a JSON report: ``products``, ``hotfixes`` and ``unplaced``."""
    return {
        "products": [product_record(p.product, p) for p in check.products],
        "hotfixes": [hotfix_record(h) for h in check.hotfixes],
        "unplaced": list(check.unplaced),
    }


def as_folder(checked: ProductCheck) -> FolderCheck:
    """One product's articles as a checked folder: its first folder, how it was found, its release."""
    found = checked.product
    how = "; ".join(found.how)
    return FolderCheck(found.folders[0], how, checked.results, checked.not_applicable, found.release.value,
                       checked.service_pack)


def server_text(check: ServerCheck, width: int | None = None) -> str:
    """The lines a table report starts with: one per product, then the hotfix records' findings.

    Every recorded hotfix gets its line; the articles whose files are at or above their table
    without a record (fine) are named in one line.
    """
    lines = ["Products found:"] + [f"  {terminal_text(summary_line(p))}" for p in check.products]
    recorded = [h for h in check.hotfixes if h.finding is not Finding.UNRECORDED]
    unrecorded = [h.article for h in check.hotfixes if h.finding is Finding.UNRECORDED]
    if recorded or unrecorded:
        lines.append("Hotfix records against the files:")
        lines += [f"  {h.finding.value}: {terminal_text(h.message)}" for h in recorded]
        if unrecorded:
            lines.append(f"  {len(unrecorded)} article(s) have their files at or above the table and no "
                         f"hotfix record (fine): {', '.join(unrecorded)}")
    if width is None:
        return "".join(line + "\n" for line in lines)
    wrap = textwrap.TextWrapper(width=max(width, 20), subsequent_indent="      ", break_long_words=False,
                                break_on_hyphens=False)
    return "".join(wrap.fill(line) + "\n" for line in lines)
