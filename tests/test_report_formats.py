"""The HTML and SARIF reports: self-contained HTML with every finding; SARIF valid against its schema."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest

from tests.sarif_schema import sarif_schema as load_sarif_schema

from verfix.check import FileCache, FolderCheck, Status, check_folder
from verfix.manifest import load_bundled
from verfix.report_html import esc, html_report, path_html
from verfix.report_sarif import file_uri, sarif_report

SP3_BIN = Path(__file__).resolve().parent.parent / "testdata" / "sp3" / "exchsrvr" / "bin"
VOID = {"meta", "br", "hr", "img", "link", "input", "col", "wbr"}


@pytest.fixture(scope="module")
def sp3() -> FolderCheck:
    return check_folder(load_bundled(), SP3_BIN, FileCache(), how="given", skip_inapplicable=True)


class Page(HTMLParser):
    """Collects tags, attributes, table rows and text; checks every element is closed in order."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.rows: list[list[str]] = []
        self.text: list[str] = []
        self._cell: list[str] | None = None
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
            return
        self.stack.pop()
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def parse(document: str) -> Page:
    page = Page()
    page.feed(document)
    page.close()
    return page


def test_html_is_well_formed_and_self_contained(sp3):
    page = parse(html_report([sp3], SP3_BIN, "2026-12-02T17:00:00Z"))
    assert page.problems == [] and page.stack == []
    names = {tag for tag, _ in page.tags}
    assert not names & {"script", "link", "img", "iframe", "object", "embed"}
    for _, attrs in page.tags:
        for key, value in attrs.items():
            assert not key.startswith("on"), key
            assert key not in ("src", "href") or not value.startswith(("http", "//")), value


def test_html_has_every_finding_with_its_evidence(sp3):
    page = parse(html_report([sp3], SP3_BIN, "2026-12-02T17:00:00Z"))
    text = "".join(page.text)
    for heading in ("Verdicts", "Remediation plan", "Findings", "Files behind"):
        assert heading in text
    assert str(SP3_BIN) in text and "Microsoft Exchange Server" in text and "5.5" in text
    findings = {(row[0], row[2]) for row in page.rows if len(row) == 8 and row[0].startswith("Q")}
    expected = {(r.manifest.id, row.row.name) for r in sp3.results for row in r.rows
                if row.status in (Status.OUTDATED, Status.MISSING, Status.UNREADABLE, Status.NO_VERSION)}
    assert findings == expected and len(expected) > 300
    store = next(row for row in page.rows if len(row) == 8 and row[2] == "Store.exe")
    assert store[3].endswith("Store.exe") and store[6] == "outdated"
    assert tuple(map(int, store[4].split("."))) < tuple(map(int, store[5].split(".")))
    counts = {row[0]: row[1] for row in page.rows if len(row) == 2}
    assert counts["not-compliant"] == str(sum(r.verdict.value == "not-compliant" for r in sp3.results))


def test_html_escapes_text_and_shows_undecodable_bytes():
    assert esc('<b a="x">&') == "&lt;b a=&quot;x&quot;&gt;&amp;"
    assert esc("caf\udce9.dll") == "caf%E9.dll"
    assert esc("a\x1bb\u202e") == "a%1Bb%E2%80%AE"  # no raw control character in the page
    assert path_html("caf\udce9%.dll") == "caf%E9%25.dll"


@pytest.fixture(scope="module")
def sarif_schema() -> dict:
    return load_sarif_schema()


def test_sarif_is_valid_against_the_sarif_2_1_0_schema(sp3, sarif_schema):
    assert "SARIF" in sarif_schema["title"] and "2.1.0" in sarif_schema["title"]
    log = json.loads(json.dumps(sarif_report([sp3], SP3_BIN)))
    jsonschema.Draft4Validator(sarif_schema, format_checker=jsonschema.FormatChecker()).validate(log)


def test_sarif_schema_check_is_not_vacuous(sp3, sarif_schema):
    log = json.loads(json.dumps(sarif_report([sp3], SP3_BIN)))
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(sarif_schema).validate(log)


def test_sarif_one_rule_per_article_one_result_per_failing_row(sp3):
    (run,) = sarif_report([sp3], SP3_BIN)["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [r.manifest.id for r in sp3.results]
    failing = [(r.manifest.id, row.row.name) for r in sp3.results for row in r.rows
               if row.status in (Status.OUTDATED, Status.MISSING, Status.UNREADABLE, Status.NO_VERSION)]
    assert len(run["results"]) == len(failing)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("file:///")
    store = next(r for r in run["results"] if r["message"]["text"].startswith("Store.exe"))
    assert store["level"] == "error" and store["properties"]["remediation"].startswith("Q")


def test_file_uri_keeps_bytes_that_are_not_utf8():
    assert file_uri(Path("/srv/a b/caf\udce9.dll")) == "file:///srv/a%20b/caf%E9.dll"


def _hostile_folder() -> FolderCheck:
    """One article whose title, file name and note carry raw C0, DEL and C1 control bytes."""
    from verfix.manifest import FileRow, Manifest
    from verfix.check import ManifestResult, RowResult
    from verfix.version import parse_version

    row = FileRow("Evil\x1b[31m.dll", parse_version("5.5.2651.0"))
    manifest = Manifest(id="Q999002", title="Title\x07with\x00bell\x7fand\x85C1\x9b",
                        product="Microsoft Exchange Server\r", files=(row,), fixed_in="SP\x1b9")
    result = ManifestResult(manifest, SP3_BIN, (RowResult(row, Status.MISSING, None, None, ("note\x08\x1bx\tok",)),))
    return FolderCheck(SP3_BIN, "given\x0c", (result,), (), "5.5")


def test_html_shows_control_bytes_escaped_never_raw():
    document = html_report([_hostile_folder()], SP3_BIN, "2026-12-02T17:00:00Z")
    page = parse(document)
    assert page.problems == []
    text = "".join(page.text)
    raw = {ch for ch in document + text if (ord(ch) < 0x20 and ch not in "\t\n") or 0x7F <= ord(ch) < 0xA0}
    assert raw == set()
    # The escape of a name (verfix.names): %XX of the UTF-8 bytes, as on a terminal.
    for shown in ("Evil%1B[31m.dll", "Title%07with%00bell%7Fand%C2%85C1%C2%9B", "note%08%1Bx\tok",
                  "SP%1B9", "Microsoft Exchange Server%0D"):
        assert shown in text, shown
