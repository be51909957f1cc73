"""The whole-server report's data: product records, summary lines, hotfix records."""

from __future__ import annotations

import json
from pathlib import Path

from tests.test_servercheck import MANIFESTS, VOLUME
from verfix.server_report import product_record, report_data, summary_line
from verfix.servercheck import run_check
from verfix.survey import survey


def test_summary_lines_per_product() -> None:
    checked = run_check(VOLUME, MANIFESTS)
    assert [summary_line(p) for p in checked.products] == [
        "Microsoft Windows NT 4.0 SP6a (main line): 6 compliant, 1 not-compliant, 0 incomplete, 1 not-applicable",
        "Microsoft Internet Information Server 4.0: 0 compliant, 1 not-compliant, 0 incomplete, 1 not-applicable",
        "Microsoft Exchange Server 5.5 SP3: 0 compliant, 0 not-compliant, 0 incomplete, 0 not-applicable",
    ]


def test_report_data_is_json_and_says_how_each_fact_was_told() -> None:
    data = json.loads(json.dumps(report_data(run_check(VOLUME, MANIFESTS))))
    windows = data["products"][0]
    assert (windows["slug"], windows["release"], windows["service_pack"], windows["branch"]) == (
        "windows-nt", "4.0", "SP6a", None)
    assert windows["how"]["release"] == "ntoskrnl.exe is 4.0.1381.7130"
    assert windows["how"]["branch"].endswith("main line")
    assert windows["articles"] == {"compliant": 6, "not-compliant": 1, "incomplete": 0, "not-applicable": 1}
    assert "branch" not in data["products"][1]["how"]  # IIS has no branches
    overwritten = next(h for h in data["hotfixes"] if h["article"] == "Q307991")
    assert overwritten == {
        "article": "Q307991", "finding": "overwritten", "recorded": True, "installed_on": "12/3/2001",
        "message": "hotfix Q307991 recorded as installed (12/3/2001) but Tcpip.sys is 4.0.1381.7095, "
                   "older than its table's 4.0.1381.7109",
    }
    assert data["unplaced"] == ["Q999998"]


def test_a_surveyed_product_without_a_check_has_no_article_counts() -> None:
    record = product_record(survey(VOLUME).products[2])
    assert record["slug"] == "exchange" and "articles" not in record
    assert record["folders"] == [str(Path(VOLUME) / "exchsrvr" / "bin")]
