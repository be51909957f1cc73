"""The KB article importer: one made-up fixture per table style, the shared corpus, the catalog."""

import json
import os
import re
from dataclasses import replace
from pathlib import Path

import pytest

from verfix.kbimport import (
    IMPORTED,
    NO_TABLE,
    SKIPPED,
    ImportedArticle,
    build_catalog,
    catalog_path,
    fixed_in_from_keywords,
    format_summary,
    import_articles,
    parse_article,
    parse_product_versions,
    read_article,
    render_toml,
    summarize,
    to_json_records,
    to_manifest,
    write_manifests,
)
from verfix.manifest import load_manifest, tomllib
from verfix.version import Version

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "kb"
KB_ROOT = REPO.parent / "shared" / "kb"
KB_DIR = KB_ROOT / "exchange"
CATALOG = REPO / "manifests" / "catalog"


@pytest.fixture
def kb_root() -> Path:
    """../shared/kb: skipped with a reason on a user's clone, a failure under CI=true."""
    if not KB_DIR.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the shared KB articles are missing at {KB_ROOT}")
        pytest.skip(f"no KB articles at {KB_ROOT} (the shared data is not part of a clone)")
    return KB_ROOT


needs_kb = pytest.mark.usefixtures("kb_root")


def fixture(qid: str) -> ImportedArticle:
    (path,) = [p for p in FIXTURES.iterdir() if p.stem == qid]
    return read_article(path)


def table(article: ImportedArticle) -> list[tuple]:
    return [(r.name, r.version, r.platform, r.component, r.product_version) for r in article.rows]


# --------------------------------------------------------------------------- table styles


def test_boxed_table_with_file_name_header_and_component():
    article = fixture("Q900001")
    assert article.status == IMPORTED and article.error is None
    assert article.title == "XADM: Widget Store Stops When a Gadget Is Renamed"
    assert article.product == "Microsoft Exchange Server"
    assert article.product_versions == ("5.5",)
    assert article.fixed_in == "Exchange Server 5.5 SP3"
    assert article.keywords == ("exc55", "EXC55SP3Fix")
    assert article.component == "Widget Store"
    assert table(article) == [
        ("Widget.dll", "5.5.2701.0", None, None, None),
        ("Widget.cfg", None, None, None, None),
        ("Gadget.exe", "5.5.2701.3", None, None, None),
    ]
    assert article.source == "Microsoft Knowledge Base article Q900001, last modified 01-JAN-2001"


def test_md_export_with_filename_header_and_na():
    article = fixture("Q900002")
    assert article.status == IMPORTED
    assert article.title == "XFOR: Gadget Connector Drops Attachments & Replies"  # &amp; unescaped
    assert article.product_versions == ("5.5", "5.5 SP1")
    assert article.fixed_in == "Exchange Server 5.5 post-SP4 hotfix (before SP5)"
    assert article.modified == "02-FEB-2002"
    assert table(article) == [("Gadcon.dll", "5.5.2655.7", None, None, None), ("Gadcon.ini", None, None, None, None)]


def test_boxed_table_without_header():
    article = fixture("Q900003")
    assert [(r.name, r.version) for r in article.rows] == [
        ("Relay.exe", "5.0.1462.9"), ("Relaymsg.dll", "5.0.1462.9"),
    ]
    assert article.fixed_in == "Exchange Server 5.0 post-SP2 hotfix (before SP3)"


def test_plain_columns_with_na_empty_and_three_part_versions():
    article = fixture("Q900004")
    assert article.component == "Directory"
    assert [(r.name, r.version) for r in article.rows] == [
        ("Dirsvc.exe", "5.5.2390"), ("Dirsvc.msg", None), ("Dirmap.dll", "5.5.2390.4"), ("Dirsvc.tpl", None),
    ]
    # A three-part version is read as major.minor.build with revision 0, the least it allows.
    assert to_manifest(article).files[0].version == Version(5, 5, 2390, 0)


def test_date_time_size_platform_columns_and_package_table():
    article = fixture("Q900005")
    assert article.status == IMPORTED
    assert [(r.name, r.version, r.platform, r.size, r.date) for r in article.rows] == [
        ("Mover.dll", "5.5.2654.91", "x86", 70001, "Jan-04-2001 9:01a"),
        ("Mover.dll", "5.5.2654.91", "alpha", 140001, "Jan-04-2001 9:02a"),
        ("Mover.sch", None, None, 41001, "Jan-04-2001 9:03PM"),
        ("Mover.txt", None, "x86", 7001, "1/4/2001 21:04"),
    ]
    assert article.notes == ("left out the hotfix package files Q900005engi.exe, Q900005enga.exe",)


def test_intel_and_alpha_markers_after_the_name():
    article = fixture("Q900006")
    assert [(r.name, r.platform, r.size) for r in article.rows] == [
        ("Pager.dll", "x86", 17001), ("Pager.dll", "alpha", 29001),
    ]
    assert article.component is None  # an empty "Component:" line


def test_one_table_per_product_version_and_component():
    article = fixture("Q900007")
    assert article.component is None
    assert table(article) == [
        ("Router.exe", "5.0.1461.40", None, "Message Transfer Agent (MTA)", "5.0"),
        ("Router.dll", "5.0.1461.40", None, "Message Transfer Agent (MTA)", "5.0"),
        ("Router.exe", "5.5.2331.0", None, "Message Transfer Agent (MTA)", "5.5"),
        ("Vault.exe", "5.5.2331.0", None, "Information Store", "5.5"),
    ]
    assert to_manifest(article).components == ("Message Transfer Agent (MTA)", "Information Store")


def test_md_plain_tables_under_colon_headings_with_language_column():
    article = fixture("Q900008")
    assert article.product_versions == ()
    assert [(r.name, r.version, r.product_version, r.size) for r in article.rows] == [
        ("Hooklib", "9.00.00.3301", "Outlook 2000", 1500001),
        ("Hooklib.dll", "8.05.6899.0000", "Outlook 98", 6600001),
    ]


def test_double_spaced_rows_and_a_repeated_row():
    article = fixture("Q900014")
    assert [(r.name, r.platform) for r in article.rows] == [("Axle.dll", "x86"), ("Axle.dll", "alpha")]
    assert all(r.size is None for r in article.rows)  # "464 KB" is not a size in bytes
    assert article.notes == ("line 18 repeats line 16 (Axle.dll)",)


def test_article_without_a_table():
    article = fixture("Q900009")
    assert article.status == NO_TABLE and article.rows == ()


# --------------------------------------------------------------------------- inference rules, each noted


def test_build_revision_completed_with_the_one_product_version_and_checked_against_the_table():
    article = fixture("Q900010")
    assert article.status == IMPORTED
    assert [(r.name, r.version) for r in article.rows] == [
        ("Sprocket.dll", "5.5.2326.0"), ("Sprocket.exe", "5.5.2326.0"),
    ]
    (note,) = article.notes
    assert note.startswith("line 18: version '2326.0' gives build.revision only; read as 5.5.<build>.<revision>")
    assert "the one product version the article names" in note and "full versions agree" in note
    assert f"# Note: {note}" in render_toml(article)


def test_build_revision_completed_with_the_heading_above_its_table():
    article = fixture("Q900016")
    assert article.product_versions == ("4.0", "5.0")
    assert table(article) == [
        ("Tuner.exe", "4.0.996.12", None, None, "4.0"),
        ("Tuner.exe", "5.0.1460.4", None, None, "5.0"),
    ]
    assert article.component == "Tuning Wizard"
    assert "the product version of the heading above the table" in article.notes[0]


def test_colon_for_a_dot_is_read_when_the_rest_is_a_version_of_a_named_release():
    article = fixture("Q900018")
    assert table(article) == [("Lantern.dll", "5.0.1462.7", None, None, None)]
    assert article.component == "Viewer"
    assert article.notes == (
        "line 19: version '5.0:1462.7' has a colon in place of a dot; read as 5.0.1462.7 "
        "(5.0 is a product version the article names)",
    )
    assert to_manifest(article).files[0].version == Version(5, 0, 1462, 7)


def test_one_file_per_release_line_in_one_table_gets_product_versions():
    article = fixture("Q900020")
    assert article.status == IMPORTED
    assert table(article) == [
        ("Bobbin.exe", "5.5.2440.0", None, None, "5.5"),
        ("Bobbin.dll", "5.5.2440.0", None, None, "5.5"),
        ("Reel.dll", "5.5.2440.0", None, None, "5.5"),
        ("Bobbin.exe", "5.0.1461.80", None, None, "5.0"),
        ("Bobbin.dll", "5.0.1461.80", None, None, "5.0"),
    ]
    assert article.component == "Information Store"
    assert article.notes == (
        "lines 19-24: Bobbin.exe, Bobbin.dll listed once per release line (5.5 and 5.0, both named by "
        "the article) in one table; each row's product_version is its version's major.minor",
    )


@pytest.mark.parametrize(
    "text, reason",
    [
        ("5:5:2650.1", "'5:5:2650.1' is not a version"),  # two colons
        ("5.5:2650.1.3", "version '5.5:2650.1.3' has more than four parts"),
        ("5.5:70000.1", "version '5.5:70000.1': version part 70000 is above 65535"),
        ("5.5.70000.1", "version '5.5.70000.1': version part 70000 is above 65535"),
        ("5.5.2650.1.7", "'5.5.2650.1.7' is not a version"),  # five parts
    ],
)
def test_malformed_versions_are_not_repaired(text, reason):
    source = (FIXTURES / "Q900019.TXT").read_text().replace("winnt:5.5", "winnt:5.0,5.5")
    article = parse_article(source.replace("5.0:1462.7", text.ljust(10)), "Q900019.TXT")
    assert article.status == SKIPPED
    assert article.error.startswith(f"line 18: {reason}"), article.error


def test_build_revision_needs_one_product_version():
    source = (FIXTURES / "Q900010.TXT").read_text()
    for prod_ver, reason in [("", "names no product version"), ("::2000", "is not a major.minor")]:
        article = parse_article(source.replace("winnt:5.5", prod_ver), "Q900010.TXT")
        assert article.status == SKIPPED and reason in article.error, article.error
    # A heading's product version must be one the article names.
    source = (FIXTURES / "Q900016.TXT").read_text().replace("winnt:4.0,5.0", "winnt:5.0")
    article = parse_article(source, "Q900016.TXT")
    assert article.status == SKIPPED and "is not one the article names" in article.error


@pytest.mark.parametrize(
    "qid, line, reason",
    [
        ("Q900011", 20, "a file row outside any table"),
        ("Q900012", 17, "file listed twice with different details"),  # 5.0 row, article names 5.5 only
        ("Q900013", 18, "a row wrapped onto a second line"),
        ("Q900015", 17, "version '2448.3' is build.revision only, and the article names several product versions"),
        ("Q900017", 18, "version '2650.1' is build.revision only, and the full version at line 17 of the same "
                        "table is not 5.5"),
        ("Q900019", 18, "version '5.0:1462.7' has a colon for a dot, and its major.minor is not a product version"),
        ("Q900021", 17, "file listed twice with different details"),  # the same release line twice
    ],
)
def test_broken_articles_are_skipped_naming_the_first_bad_line(qid, line, reason):
    article = fixture(qid)
    assert article.status == SKIPPED and article.rows == ()
    assert article.error.startswith(f"line {line}: {reason}")
    text = (FIXTURES / f"{qid}.TXT").read_text().splitlines()[line - 1].strip()
    assert repr(text) in article.error


def test_not_an_article_is_skipped(tmp_path):
    path = tmp_path / "Q1234567.TXT"
    path.write_text("just some text\n")
    (article,) = import_articles([path])
    assert article.status == SKIPPED and "neither" in article.error


# --------------------------------------------------------------------------- header fields


@pytest.mark.parametrize(
    "text, versions",
    [
        ("winnt:5.5", ("5.5",)),
        ("::5.5,5.5 SP1,5.5 SP2", ("5.5", "5.5 SP1", "5.5 SP2")),
        ("WINDOWS:98; winnt:5.5", ("98", "5.5")),
        ("WinNT:4.0 5.0 5.5", ("4.0", "5.0", "5.5")),
        ("::", ()),
    ],
)
def test_product_versions(text, versions):
    assert parse_product_versions(text) == versions


@pytest.mark.parametrize(
    "keywords, fixed_in",
    [
        (["EXC55SP3Fix"], "Exchange Server 5.5 SP3"),
        (["exc55sp2fix"], "Exchange Server 5.5 SP2"),
        (["kbExchange550preSP5fix"], "Exchange Server 5.5 post-SP4 hotfix (before SP5)"),
        (["kbExchange2000SP1Fix"], "Exchange 2000 Server SP1"),
        (["EXC55SP3Fixkbbuglist"], "Exchange Server 5.5 SP3"),
        (["kbOffice2000preSR2fix"], "Office 2000 post-SR1 hotfix (before SR2)"),
        (["exc55", "kbfixlist"], None),
        (["kbWinNT400PreSP7Fix"], "Windows NT 4.0 post-SP6 hotfix (before SP7)"),
        (["kbWin2000sp3fix", "kbsms200preSP4fix"], "Windows 2000 SP3; SMS 2.0 post-SP3 hotfix (before SP4)"),
        (["kbVS600sp4fix"], "Visual Studio 6.0 SP4"),
    ],
)
def test_fixed_in_from_keywords(keywords, fixed_in):
    assert fixed_in_from_keywords(keywords) == fixed_in


# --------------------------------------------------------------------------- outputs


def test_txt_preferred_when_both_forms_exist(tmp_path):
    for suffix in (".TXT", ".md"):
        (tmp_path / f"Q900002{suffix}").write_text(
            read_article(FIXTURES / "Q900002.md").path.read_text(encoding="utf-8"), encoding="utf-8")
    (article,) = import_articles([tmp_path])
    assert article.path.suffix == ".TXT" and article.status == "imported"


def test_two_forms_of_one_article_that_disagree_are_refused_naming_both(tmp_path):
    # Issue 8 row 6: the .TXT silently won over an .md of the same id that says otherwise.
    (tmp_path / "Q900001.TXT").write_bytes((FIXTURES / "Q900001.TXT").read_bytes())
    text = (FIXTURES / "Q900001.TXT").read_text(encoding="utf-8")
    (tmp_path / "Q900001.md").write_text(text.replace("5.5.2701.0", "5.5.2702.0"), encoding="utf-8")
    for given in ([tmp_path], [tmp_path / "Q900001.md", tmp_path / "Q900001.TXT"]):
        (article,) = import_articles(given)
        assert article.status == "skipped"
        assert "Q900001.TXT and Q900001.md" in article.error and "do not say the same" in article.error


def test_json_records_shape():
    records = to_json_records(import_articles([FIXTURES]))
    json.dumps(records)
    assert [r["id"] for r in records] == sorted(r["id"] for r in records)
    first = records[0]
    assert {"id", "title", "product", "rows", "error"} <= set(first)
    assert first["rows"][1] == {
        "file": "Widget.cfg", "version": None, "platform": None, "location": None, "component": "Widget Store",
        "product_version": None, "size": None, "date": None, "other_platform": None, "edition": None,
    }
    skipped = next(r for r in records if r["id"] == "Q900015")
    assert skipped["rows"] == [] and skipped["error"].startswith("line 17:")


def test_every_imported_fixture_renders_a_loadable_manifest(tmp_path):
    articles = import_articles([FIXTURES])
    written = write_manifests(articles, tmp_path)
    assert len(written) == sum(a.status == IMPORTED for a in articles)
    for path in written:
        manifest = load_manifest(path)
        article = next(a for a in articles if a.id == manifest.id)
        assert manifest == to_manifest(article)
        assert path.read_text().startswith("# Generated by verfix from KB article")


def test_render_is_deterministic_and_escapes_strings():
    article = fixture("Q900002")
    tricky = article.__class__(**{**article.__dict__, "title": 'A "quoted" \\ title'})
    assert tomllib.loads(render_toml(tricky))["title"] == 'A "quoted" \\ title'
    assert render_toml(article) == render_toml(fixture("Q900002"))


def test_catalog_paths():
    assert catalog_path(fixture("Q900001")) == Path("exchange/5.5/Q900001.toml")
    assert catalog_path(fixture("Q900002")) == Path("exchange/5.5/Q900002.toml")
    assert catalog_path(fixture("Q900007")) == Path("exchange/multi/Q900007.toml")
    assert catalog_path(fixture("Q900008")) == Path("exchange/unversioned/Q900008.toml")


def test_summary_counts_and_lists_skips():
    summary = summarize(import_articles([FIXTURES]))
    assert (summary.total, len(summary.imported), len(summary.skipped), len(summary.no_table)) == (34, 24, 8, 2)
    text = format_summary(summary)
    assert "imported: 24 (75.0% of those with a table)" in text
    assert "Q900012.TXT: skipped: line 17: file listed twice" in text
    assert "Q900009.TXT: no-table" in text


def test_build_catalog_skips_curated_and_rewrites_whole(tmp_path):
    manifests = tmp_path / "manifests"
    (manifests / "catalog" / "stale").mkdir(parents=True)
    (manifests / "catalog" / "stale" / "Q999999.toml").write_text("old")
    curated = write_manifests([fixture("Q900001")], manifests)[0]
    summary = build_catalog(FIXTURES, manifests)
    assert summary.curated == (("Q900001", "identical to the import"),)
    files = sorted(p.relative_to(manifests / "catalog").as_posix() for p in (manifests / "catalog").rglob("*.toml"))
    assert "exchange/5.5/Q900001.toml" not in files and "stale/Q999999.toml" not in files
    assert len(files) == 23
    assert curated.exists()


# --------------------------------------------------------------------------- the shared corpus and the catalog


# The one folder below 98 %: its three refusals are ambiguities the README lists by cause
# (a version cell "1.2" or "1.2(786)": the SMS release, not a file version).
MIN_RATE = {"sms": 0.96}


@needs_kb
def test_every_product_folder_imports_and_refusals_are_one_line_each():
    folders = sorted(p for p in KB_ROOT.iterdir() if p.is_dir())
    assert len(folders) >= 10
    total = 0
    for folder in folders:
        articles = import_articles([folder])
        total += len(articles)
        summary = summarize(articles)
        assert summary.rate >= MIN_RATE.get(folder.name, 0.98), (folder.name, format_summary(summary))
        for article in summary.skipped:
            line = f"{article.path.name}: {article.status}: {article.error}"
            assert "\n" not in line and re.match(r"^line \d+: .+: '.+'( \(\d+ characters\))?$", article.error), line
    assert total >= 1200


@needs_kb
def test_the_txt_and_md_of_every_article_give_the_same_rows():
    for folder in sorted(p for p in KB_ROOT.iterdir() if p.is_dir()):
        for txt in sorted(folder.glob("*.TXT")):
            one, two = read_article(txt), read_article(txt.with_suffix(".md"))
            assert (two.status, two.title, two.product, two.product_versions, two.keywords) == (
                one.status, one.title, one.product, one.product_versions, one.keywords), txt
            assert [replace(r, line_no=0) for r in two.rows] == [replace(r, line_no=0) for r in one.rows], txt


@needs_kb
def test_q236586_import_equals_the_curated_manifest():
    imported = to_manifest(read_article(KB_DIR / "Q236586.TXT"))
    assert imported == load_manifest(REPO / "manifests" / "Q236586.toml")
    assert imported.source == load_manifest(REPO / "manifests" / "Q236586.toml").source


@needs_kb
def test_committed_catalog_is_what_make_catalog_writes(tmp_path):
    manifests = tmp_path / "manifests"
    manifests.mkdir()
    (manifests / "Q236586.toml").write_bytes((REPO / "manifests" / "Q236586.toml").read_bytes())
    build_catalog(KB_ROOT, manifests)
    fresh = {p.relative_to(manifests / "catalog"): p.read_bytes() for p in (manifests / "catalog").rglob("*.toml")}
    committed = {p.relative_to(CATALOG): p.read_bytes() for p in CATALOG.rglob("*.toml")}
    assert fresh.keys() == committed.keys()
    assert [k for k in fresh if fresh[k] != committed[k]] == []


def test_every_catalog_manifest_loads():
    paths = sorted(CATALOG.rglob("*.toml"))
    assert len(paths) > 400
    ids = set()
    for path in paths:
        manifest = load_manifest(path)
        assert path.name == f"{manifest.id}.toml"
        ids.add(manifest.id)
    assert len(ids) == len(paths) and "Q236586" not in ids
