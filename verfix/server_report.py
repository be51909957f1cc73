"""The whole-server report's parts as plain data and lines: products, their summaries, hotfixes.

``product_record`` is one entry of the JSON report's ``products`` list (and of
``verfix products -f json``); ``summary_line`` the one line per product a table report
starts with; ``hotfix_record`` one entry of ``hotfixes``. The core never prints: these
return values for the CLI and the formats to write.
"""

from __future__ import annotations

from typing import Any

from verfix.check import Verdict
from verfix.hotfix import HotfixCheck
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
        "folders": [str(folder) for folder in found.folders],
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


def summary_line(checked: ProductCheck) -> str:
    """``Microsoft Windows NT 4.0 SP6a (main line): 6 compliant, 1 not-compliant, ...``."""
    found = checked.product
    what = " ".join(p for p in (found.profile.name, found.release.value or "release unknown",
                                found.service_pack.value) if p)
    if found.branch is not None:
        what += f" ({found.branch.value or 'main line'})"
    counts = checked.counts()
    shown = ", ".join(f"{counts[v.value]} {v.value}" for v in Verdict)
    return f"{what}: {shown}"


def report_data(check: ServerCheck) -> dict[str, Any]:
    """The whole-server parts of a JSON report: ``products``, ``hotfixes`` and ``unplaced``."""
    return {
        "products": [product_record(p.product, p) for p in check.products],
        "hotfixes": [hotfix_record(h) for h in check.hotfixes],
        "unplaced": list(check.unplaced),
    }
