"""The check report in every format, and the names the commands write records with.

The roles live in their own modules: :mod:`verfix.records` builds the flat records and the JSON
report, :mod:`verfix.writers` writes record streams (JSON, JSON Lines, CSV, tables), and
:mod:`verfix.report_text`, :mod:`verfix.report_html` and :mod:`verfix.report_sarif` the reports
for people and dashboards. This module picks among them for ``check`` and re-exports the names
the other commands use.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Sequence, TextIO

from verfix.check import FolderCheck, ManifestResult
from verfix.records import (
    CHECK_RECORD_FIELDS,
    INVENTORY_FIELDS,
    OPTIONAL_INVENTORY_FIELDS,
    VERSION_FIELDS,
    check_records,
    check_report,
    manifest_record,
    path_fields,
    row_record,
    utc_now,
)
from verfix.schemas import SCHEMA_VERSION
from verfix.writers import (
    TABLE_HIDDEN,
    Format,
    table_column,
    valid_text,
    write_csv,
    write_json_array,
    write_jsonl,
    write_records,
)

if TYPE_CHECKING:
    from verfix.servercheck import ServerCheck

__all__ = [
    "CHECK_RECORD_FIELDS", "INVENTORY_FIELDS", "OPTIONAL_INVENTORY_FIELDS", "SCHEMA_VERSION",
    "TABLE_HIDDEN", "VERSION_FIELDS", "CheckFormat", "Format", "check_records", "check_report",
    "manifest_record", "path_fields", "row_record", "summary_line", "table_column", "utc_now",
    "verdict_counts_line", "write_check", "write_csv", "write_json_array", "write_jsonl",
    "write_records",
]


class CheckFormat(str, Enum):
    """Output formats of ``check``: the record formats, one HTML page and SARIF 2.1.0."""

    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    HTML = "html"
    SARIF = "sarif"



def write_check(
    folders: Sequence[FolderCheck], target: Path, fmt: CheckFormat, stream: TextIO,
    *, details: bool = False, colour: bool = False, width: int | None = None, show_all: bool = False,
    server: "ServerCheck | None" = None,
) -> None:
    """Write the check report in any format; the table fits ``width`` (None: no limit).

    ``server``: the whole-server check the folders come from (one per product); JSON then has
    ``products``, ``hotfixes`` and ``unplaced``, the table and the HTML page start with one line
    per product and the hotfix records' findings, SARIF has them in the run's properties (an
    overwritten hotfix is also a result), and each JSONL/CSV record names its product, its
    article's hotfix finding and whether its plan step installs or reinstalls; a hotfix record
    no checked article covers is a line of its own after the rows.
    """
    if fmt in (CheckFormat.JSON, CheckFormat.SARIF):
        if fmt is CheckFormat.JSON:
            report = check_report(folders, target)
            if server is not None:
                from verfix.server_report import report_data

                report.update(report_data(server))
        else:
            from verfix.report_sarif import sarif_report

            report = sarif_report(folders, target, server)
        text = json.dumps(report, indent=2, ensure_ascii=False)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = json.dumps(valid_text(report), indent=2, ensure_ascii=False)
        stream.write(text + "\n")
    elif fmt is CheckFormat.TABLE:
        from verfix.report_text import action_report, details_report

        if server is not None:
            from verfix.server_report import server_text

            stream.write(server_text(server, width) + "\n")
        if details:
            stream.write(details_report(folders, colour, width))
        else:
            stream.write(action_report(folders, width, colour, show_all))
    elif fmt is CheckFormat.HTML:
        from verfix.report_html import html_report

        stream.write(html_report(folders, target, utc_now(), server))
    elif server is not None:
        from verfix.server_report import SERVER_RECORD_FIELDS, server_records

        write_records(server_records(folders, server), Format(fmt.value),
                      CHECK_RECORD_FIELDS + SERVER_RECORD_FIELDS, stream)
    else:
        write_records(check_records(folders), Format(fmt.value), CHECK_RECORD_FIELDS, stream)


def verdict_counts_line(folder: FolderCheck) -> str:
    """One line for humans after a catalog check: how many articles got each verdict."""
    counts: dict[str, int] = {}
    for result in folder.results:
        counts[result.verdict.value] = counts.get(result.verdict.value, 0) + 1
    shown = ", ".join(f"{n} {verdict}" for verdict, n in sorted(counts.items())) or "none checked"
    return (f"{len(folder.results)} article(s) checked in {folder.bin_dir}: {shown}; "
            f"{len(folder.not_applicable)} not applicable here")


def summary_line(result: ManifestResult) -> str:
    """One line for humans: verdict and the count of each status."""
    counts = ", ".join(f"{n} {status}" for status, n in sorted(result.counts().items()))
    return f"{result.manifest.id}: {result.verdict.value} ({counts}) in {result.bin_dir}"
