"""The check report as SARIF 2.1.0, for code-scanning dashboards.

One rule per checked article (its id, title, product and fix), one result per row that is not
fine: an outdated or missing file is an error, a file whose version could not be told a warning.
Each result points at the file (a ``file:`` URI of where it is, or would be) and names the hotfix
or service pack the remediation plan takes its version from, and whether that step installs it or
reinstalls a pack the server already runs.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, Optional, Sequence
from urllib.parse import quote

from verfix import __version__
from verfix.check import FolderCheck, ManifestResult, RowResult, Status
from verfix.fsview import ImagePath
from verfix.remediation import plan_folder

if TYPE_CHECKING:
    from verfix.servercheck import ServerCheck

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

LEVELS = {
    Status.OUTDATED: "error", Status.MISSING: "error",
    Status.UNREADABLE: "warning", Status.NO_VERSION: "warning",
}


def file_uri(path: PurePath) -> str:
    """An absolute ``file:`` URI; names that are not UTF-8 keep their bytes, percent-encoded. A
    file inside a disk image is the image's URI with the partition and inner path as its
    fragment: ``file:///cases/server.E01#p1:/EXCHSRVR/BIN/EMSMTA.EXE``."""
    if isinstance(path, ImagePath):
        image, label = path.prefix.rsplit("#", 1)
        return file_uri(Path(image)) + "#" + quote(os.fsencode(label + path.inner), safe="/:")
    raw = os.fsencode(os.path.abspath(path))
    if os.sep == "\\":  # pragma: no cover - exercised on Windows only
        return Path(os.path.abspath(path)).as_uri()
    return "file://" + quote(raw, safe="/")


def _rule(result: ManifestResult) -> dict[str, Any]:
    manifest = result.manifest
    rule: dict[str, Any] = {
        "id": manifest.id,
        "name": "FileVersionBelowFix",
        "shortDescription": {"text": manifest.title},
        "fullDescription": {"text": (
            f"Files of {manifest.id} must have at least the version its fixed-file table gives"
            + (f"; fixed in {manifest.fixed_in}." if manifest.fixed_in else ".")
        )},
        "defaultConfiguration": {"level": "error"},
        "properties": {
            "product": manifest.product,
            "product_versions": list(manifest.product_versions),
            "components": list(manifest.components),
        },
    }
    if manifest.fixed_in:
        rule["properties"]["fixed_in"] = manifest.fixed_in
    return rule


def _message(row: RowResult, article: str) -> str:
    name, required = row.row.name, row.row.version
    if row.status is Status.MISSING:
        return f"{name} is missing; {article} requires it" + (f" at {required} or later" if required else "")
    if row.status is Status.OUTDATED:
        return f"{name} is {row.found_version}, below {required} that {article} requires"
    reason = "; ".join(row.notes) or row.status.value
    return f"{name}: its version cannot be told ({reason}); {article} requires {required}"


def _result(
    row: RowResult, result: ManifestResult, rule_index: int, supplier: str | None, action: str | None = None,
) -> dict[str, Any]:
    where = row.path if row.path is not None else result.bin_dir / row.row.name
    properties: dict[str, Any] = {
        "status": row.status.value,
        "verdict": result.verdict.value,
        "required_version": None if row.row.version is None else str(row.row.version),
        "file_version": None if row.found_version is None else str(row.found_version),
        "bin_dir": str(result.bin_dir),
        "notes": list(row.notes),
    }
    if supplier:
        properties["remediation"] = supplier
        properties["remediation_action"] = action  # "install", or "reinstall" for a pack the server runs
    return {
        "ruleId": result.manifest.id,
        "ruleIndex": rule_index,
        "kind": "fail",
        "level": LEVELS[row.status],
        "message": {"text": _message(row, result.manifest.id)},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": file_uri(where)}}}],
        "partialFingerprints": {"verfixRow/v1": f"{result.manifest.id}:{row.row.name.lower()}:{result.bin_dir}"},
        "properties": properties,
    }


# The rule of the hotfix findings of a whole-server check (not an article: no KB id looks so).
HOTFIX_RULE = "verfix-hotfix-record"
# Which hotfix findings are results, at which level; the others are in the run's properties only.
HOTFIX_LEVELS = {"overwritten": "error", "unchecked": "note"}


def _hotfix_rule() -> dict[str, Any]:
    return {
        "id": HOTFIX_RULE,
        "name": "HotfixRecordAgainstFiles",
        "shortDescription": {"text": "A hotfix the registry records as installed, against its files"},
        "fullDescription": {"text": (
            "overwritten: the registry records the hotfix as installed but a file of its table is "
            "older (or missing): a later install replaced it; unchecked: recorded, but no checked "
            "article covers it or its files could not be told.")},
        "defaultConfiguration": {"level": "error"},
    }


def _server_results(check: "ServerCheck", rule_index: int) -> list[dict[str, Any]]:
    """One result per overwritten or unchecked hotfix record, at the article's behind files."""
    behind = {}
    for product in check.products:
        for result in product.results:
            rows = [r for r in result.rows if r.status in (Status.OUTDATED, Status.MISSING)]
            behind[result.manifest.id.upper()] = [r.path if r.path is not None else result.bin_dir / r.row.name
                                                  for r in rows]
    results = []
    for item in check.hotfixes:
        level = HOTFIX_LEVELS.get(item.finding.value)
        if level is None:
            continue
        where = behind.get(item.article.upper(), []) if item.finding.value == "overwritten" else []
        results.append({
            "ruleId": HOTFIX_RULE,
            "ruleIndex": rule_index,
            "kind": "fail",
            "level": level,
            "message": {"text": item.message},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": file_uri(path)}}} for path in where],
            "partialFingerprints": {"verfixHotfix/v1": f"{item.article}:{item.finding.value}"},
            "properties": {"article": item.article, "finding": item.finding.value,
                           "installed_on": item.record.installed_on if item.record else None},
        })
    return results


def sarif_report(
    folders: Sequence[FolderCheck], target: Path, server: Optional["ServerCheck"] = None,
) -> dict[str, Any]:
    """The SARIF log: one run, the checked articles as rules, the failing rows as results.

    ``server`` (a whole-server check): the run's properties hold the product lines
    (``products``) and every hotfix finding (``hotfixes``), as in the JSON report; an
    overwritten hotfix record is also an error result and an unchecked one a note.
    """
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    results: list[dict[str, Any]] = []
    for folder in folders:
        plan = plan_folder(folder)
        suppliers = {step.name.lower(): step.supplier for step in plan.files}
        for result in folder.results:
            if result.manifest.id not in index:
                index[result.manifest.id] = len(rules)
                rules.append(_rule(result))
            for row in result.rows:
                if row.status in LEVELS:
                    behind = row.status in (Status.OUTDATED, Status.MISSING)
                    supplier = suppliers.get(row.row.name.lower()) if behind else None
                    results.append(_result(row, result, index[result.manifest.id], supplier,
                                           plan.action_of(supplier)))
    run_properties: dict[str, Any] = {}
    if server is not None:
        from verfix.server_report import hotfix_record, product_record, summary_line

        rules.append(_hotfix_rule())
        results.extend(_server_results(server, len(rules) - 1))
        run_properties = {
            "products": [{**product_record(p.product, p), "summary": summary_line(p)} for p in server.products],
            "hotfixes": [hotfix_record(h) for h in server.hotfixes],
        }
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "verfix", "version": __version__, "rules": rules}},
        "invocations": [{"executionSuccessful": True}],
        "originalUriBaseIds": {"TARGET": {"uri": file_uri(target) + "/"}},
        "results": results,
    }
    if run_properties:
        run["properties"] = run_properties
    return {
        "$schema": SARIF_SCHEMA_URI,
        "version": SARIF_VERSION,
        "runs": [run],
    }
