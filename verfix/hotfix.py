"""The registry's hotfix records cross-checked with the files.

A record says a hotfix setup ran; the files say what is on disk now. The findings:

- **overwritten** — recorded as installed, but a file of its table is older than the
  table (or missing): a later install (a service pack, another product's setup)
  replaced a fixed file. The finding auditors most want.
- **confirmed** — recorded, and every file of its table is at or above the table.
- **unrecorded** — no record, and the files are at or above the table: fine (a service
  pack or a later hotfix brought them).
- **unchecked** — recorded, but no checked manifest covers the article, or its files
  could not be told (no version, unreadable): the record is only reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from verfix.check import ManifestResult, Status, Verdict
from verfix.winsys import HotfixRecord

if TYPE_CHECKING:
    from verfix.survey import FoundProduct


class Finding(str, Enum):
    OVERWRITTEN = "overwritten"
    CONFIRMED = "confirmed"
    UNRECORDED = "unrecorded"
    UNCHECKED = "unchecked"


@dataclass(frozen=True)
class HotfixCheck:
    """One article's record (or its absence) against its files."""

    article: str
    finding: Finding
    message: str
    record: HotfixRecord | None = None
    owner: FoundProduct | None = None  # the product whose registry holds the record (Windows)
    covered: bool = True               # False: no checked article covers it (it has no rows)


def _installed(record: HotfixRecord) -> bool:
    return record.installed is not False  # a record without "Installed" still says it ran


def _proven(result: ManifestResult) -> bool:
    """Compliant on versions: some row compared ``ok`` (not only files present)."""
    return result.verdict is Verdict.COMPLIANT and any(r.status is Status.OK for r in result.rows)


def _offenders(result: ManifestResult) -> str:
    parts = []
    for row in result.rows:
        if row.status is Status.OUTDATED:
            parts.append(f"{row.row.name} is {row.found_version}, older than its table's {row.row.version}")
        elif row.status is Status.MISSING:
            parts.append(f"{row.row.name} is missing")
    return "; ".join(parts)


def cross_check(records: Iterable[HotfixRecord], results: Iterable[ManifestResult]) -> list[HotfixCheck]:
    """The findings for every recorded hotfix and every compliant article, by article id."""
    by_article = {result.manifest.id.upper(): result for result in results}
    checks: list[HotfixCheck] = []
    recorded: set[str] = set()
    for record in records:
        if record.article is None or not _installed(record):
            continue
        recorded.add(record.article)
        when = f" ({record.installed_on})" if record.installed_on else ""
        result = by_article.get(record.article)
        if result is None:
            message = f"hotfix {record.article} recorded as installed{when}; no checked article covers it"
            checks.append(HotfixCheck(record.article, Finding.UNCHECKED, message, record, covered=False))
        elif result.verdict is Verdict.NOT_COMPLIANT:
            message = f"hotfix {record.article} recorded as installed{when} but {_offenders(result)}"
            checks.append(HotfixCheck(record.article, Finding.OVERWRITTEN, message, record))
        elif _proven(result):
            message = f"hotfix {record.article} recorded as installed{when}; its files are at or above the table"
            checks.append(HotfixCheck(record.article, Finding.CONFIRMED, message, record))
        else:
            message = (f"hotfix {record.article} recorded as installed{when}; its files could not all be "
                       f"told ({result.verdict.value})")
            checks.append(HotfixCheck(record.article, Finding.UNCHECKED, message, record))
    for article, result in sorted(by_article.items()):
        if article not in recorded and _proven(result):
            message = f"{article}: files at or above the table, no hotfix record (fine)"
            checks.append(HotfixCheck(article, Finding.UNRECORDED, message))
    return checks
