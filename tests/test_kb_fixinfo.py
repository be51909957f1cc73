"""Where a fix shipped and which edition an article is for: fixed_in, fixed_in_sp, edition."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from verfix.kbimport import IMPORTED, fixed_in_from_keywords, import_articles, read_article, render_toml, to_manifest
from verfix.manifest import ManifestError, parse_manifest, tomllib

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "kb"
KB_ROOT = REPO.parent / "shared" / "kb"
TSE = "Terminal Server Edition"


def fixture(qid: str):
    (path,) = [p for p in FIXTURES.iterdir() if p.stem == qid]
    return read_article(path)


@pytest.mark.parametrize(
    "qid, fixed_in, fixed_in_sp, edition",
    [
        # "This problem was first corrected in Windows NT 4.0 Service Pack 4." (sentence over a line break)
        ("Q900028", "Windows NT 4.0 SP4", ("4.0 SP4",), None),
        # "... Service Pack 4.0 and Windows NT Server 4.0, Terminal Server Edition Service Pack 4": the
        # edition's own service pack is text only; the one applies-to line (wrapped) names the edition.
        ("Q900029", "Windows NT 4.0 SP4; Windows NT Server 4.0, Terminal Server Edition SP4", ("4.0 SP4",), TSE),
        # kbWinNT400PreSP7Fix: a hotfix in no service pack yet; one table for NT 4.0, one for TSE: no edition.
        ("Q900030", "Windows NT 4.0 post-SP6 hotfix (before SP7)", (), None),
        # .md export, kbWinNT400nospFix; its only table is under a Terminal Server Edition heading.
        ("Q900031", "Windows NT 4.0 hotfix (in no service pack)", (), TSE),
        # EXC55SP3Fix against a sentence naming SP2: the keyword wins for the release it names.
        ("Q900032", "Exchange Server 5.5 SP3", ("5.5 SP3",), None),
        # IIS fixed in a Windows service pack: IIS's release is 5.0 on Windows 2000 (its profile).
        ("Q900033", "Windows 2000 SP3", ("5.0 SP3",), None),
        # "wait for the next Windows NT 4.0 service pack"; no applies-to lines: the title names TSE.
        ("Q900034", "Windows NT 4.0 hotfix (before its next service pack)", (), TSE),
    ],
)
def test_fixed_in_service_pack_and_edition_of_each_phrase_style(qid, fixed_in, fixed_in_sp, edition):
    article = fixture(qid)
    assert article.status == IMPORTED, article.error
    assert (article.fixed_in, article.fixed_in_sp, article.edition) == (fixed_in, fixed_in_sp, edition)
    manifest = to_manifest(article)  # the TOML round trip keeps all three
    assert (manifest.fixed_in, manifest.fixed_in_sp, manifest.edition) == (fixed_in, fixed_in_sp, edition)


def test_mixed_article_keeps_its_branch_rows_apart():
    rows = fixture("Q900030").rows
    assert [(r.version, r.heading) for r in rows] == [
        ("4.0.1381.7050", "Windows NT Server 4.0"), ("4.0.1381.33450", f"Windows NT Server 4.0, {TSE}")]


def test_not_a_windows_article_has_no_edition():
    # Terminal Server words in an Exchange article name no branch of Exchange's profile.
    text = (FIXTURES / "Q900032.TXT").read_text().replace("Widget Connector", "Terminal Server Connector")
    from verfix.kbimport import parse_article

    assert parse_article(text).edition is None


@pytest.mark.parametrize(
    "keywords, fixed_in",
    [
        (["kbWinNT400nospFix"], "Windows NT 4.0 hotfix (in no service pack)"),
        (["kbWinNT400nospFixkbbuglist"], "Windows NT 4.0 hotfix (in no service pack)"),
        (["kbWinNT400sp4fix"], "Windows NT 4.0 SP4"),
        (["kbIIS400sp1fix"], "IIS 4.0 SP1"),
        (["kbMDAC260sp1fix", "kbIE550preSP2fix"], "MDAC 2.6 SP1; Internet Explorer 5.5 post-SP1 hotfix (before SP2)"),
        (["kbWinNT400"], None),
    ],
)
def test_no_service_pack_keywords(keywords, fixed_in):
    assert fixed_in_from_keywords(keywords) == fixed_in


def test_render_writes_the_new_keys():
    text = render_toml(fixture("Q900029"))
    assert 'fixed_in_sp = ["4.0 SP4"]\n' in text and f'edition = "{TSE}"\n' in text


BASE = {"id": "Q900099", "title": "t", "product": "Microsoft Windows NT", "files": [{"name": "A.dll"}]}


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"fixed_in_sp": "4.0 SP4"}, "'fixed_in_sp' must be a list"),
        ({"fixed_in_sp": ["SP4"]}, "is not a release and service pack like '4.0 SP4'"),
        ({"fixed_in_sp": ["4.0 SP4 "]}, "is not a release and service pack"),
        ({"edition": 4}, "'edition' must be a string"),
    ],
)
def test_manifest_checks_the_new_keys(extra, message):
    with pytest.raises(ManifestError, match=message):
        parse_manifest({**BASE, **extra}, "m.toml")


def test_manifest_reads_the_new_keys():
    manifest = parse_manifest(tomllib.loads(
        'id = "Q900099"\ntitle = "t"\nproduct = "Microsoft Windows NT"\nfixed_in_sp = ["4.0 SP6a", "2000 SP3"]\n'
        f'edition = "{TSE}"\n[[files]]\nname = "A.dll"\n'), "m.toml")
    assert manifest.fixed_in_sp == ("4.0 SP6a", "2000 SP3") and manifest.edition == TSE


# The shared corpus: how many imported articles say where the fix shipped and for which
# edition, per product folder (figures of `make catalog`; before this importer change
# windows-nt had 182 of 320 with fixed_in and none with an edition).
MIN_COVERAGE = {  # folder: (imported, with fixed_in, with an edition)
    "windows-nt": (320, 229, 40), "exchange": (488, 463, 0), "iis": (118, 94, 0),
    "sna": (79, 71, 0), "sms": (94, 34, 0),
}


@pytest.fixture
def kb_root() -> Path:
    if not KB_ROOT.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the shared KB articles are missing at {KB_ROOT}")
        pytest.skip(f"no KB articles at {KB_ROOT} (the shared data is not part of a clone)")
    return KB_ROOT


@pytest.mark.parametrize("folder", sorted(MIN_COVERAGE))
def test_corpus_fixed_in_and_edition_coverage(kb_root, folder):
    articles = [a for a in import_articles([kb_root / folder]) if a.status == IMPORTED]
    imported, fixed, editions = MIN_COVERAGE[folder]
    assert len(articles) >= imported
    assert sum(1 for a in articles if a.fixed_in) >= fixed
    assert sum(1 for a in articles if a.edition) >= editions
    # An edition is only ever a branch its product's profile names, and the service packs
    # recorded are all of the form the manifest checks.
    assert {a.edition for a in articles} <= {None, TSE}
    assert all(to_manifest(a) for a in articles if a.fixed_in_sp or a.edition)


def test_make_catalog_summary_counts_fixed_in_and_editions(tmp_path):
    import shutil

    from verfix.kbimport import format_summary, summarize

    for path in FIXTURES.iterdir():
        if "Q900028" <= path.stem <= "Q900034":
            shutil.copy(path, tmp_path)
    text = format_summary(summarize(import_articles([tmp_path])))
    assert "imported: 7 (100.0% of those with a table)" in text
    assert "imported with fixed_in: 7, with an edition: 3" in text
