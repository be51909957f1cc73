"""The whole-server check on the mock NT 4.0 volume, against an independent model of the verdicts.

The model reads only the manifests and testdata/nt4-files.tsv (the recipe of the volume), and
applies the documented rules in a few lines of its own; the check reads the files and hives.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from verfix.check import FileCache, Status, Verdict
from verfix.hotfix import Finding
from verfix.manifest import FileRow, Manifest
from verfix.servercheck import run_check
from verfix.version import parse_version

REPO = Path(__file__).resolve().parent.parent
VOLUME = REPO / "testdata" / "nt4"
NT, IIS = "Microsoft Windows NT", "Microsoft Internet Information Server"


def _m(article: str, product: str, versions: tuple[str, ...], *rows: FileRow, fixed_in: str | None = None) -> Manifest:
    return Manifest(article, f"{article} (x86 rows of the real table)", product, rows, versions, fixed_in=fixed_in)


def _row(name: str, version: str | None = None, **more) -> FileRow:
    return FileRow(name, parse_version(version) if version else None, platform="x86", **more)


# Real articles' x86 rows (a multiprocessor kernel's row is left out: the mock server has one CPU).
MANIFESTS = [
    _m("Q288179", NT, ("4.0",), _row("Ntoskrnl.exe", "4.0.1381.7130")),
    _m("Q266433", NT, ("4.0", "5.0"), _row("Ntoskrnl.exe", "5.0.2195.2099"), _row("Ntoskrnl.exe", "4.0.1381.7080")),
    _m("Q303874", NT, ("4.0",), _row("Lsasrv.dll", "4.0.1381.7097")),
    _m("Q284849", NT, ("4.0",), _row("Aclui.dll", "4.0.1381.33472"), _row("Lsasrv.dll", "4.0.1381.33472"),
       _row("Ntmarta.dll", "4.0.1381.33472")),
    _m("Q307991", NT, ("4.0 SP6a",), _row("Tcpip.sys", "4.0.1381.7109")),
    _m("Q320249", NT, ("4.0",), _row("Afd.sys", "4.0.1381.7144")),
    _m("Q236316", NT, ("4.0",), _row("Netbt.sys", size=123_120, date="06/28/99  01:10p"),
       fixed_in="Windows NT 4.0 SP6"),
    _m("Q241041", NT, ("4.0",), _row("Netbt.sys", size=123_152, date="10/07/1999  03:13p")),
    _m("Q252693", IIS, ("4.0",), _row("Infocomm.dll", "4.2.739.1"), _row("W3svc.dll", "4.2.739.1")),
    _m("Q264573", IIS, ("5.0",), _row("W3svc.dll", "5.0.2195.2096")),
    _m("Q999998", "Microsoft SQL Server", ("7.0",), _row("Sqlservr.exe", "7.0.1063.0")),
]


def _recipe() -> dict[str, tuple[str, tuple[int, ...]]]:
    """File name (lower case) -> (folder, version), from the volume's recipe list."""
    text = (REPO / "testdata" / "nt4-files.tsv").read_text()
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    files = {}
    for line in lines[1:]:
        path, version = line.split("\t")[:2]
        folder, _, name = path.rpartition("/")
        files[name.lower()] = (folder, tuple(int(part) for part in version.split(".")))
    return files


FOLDERS = {NT: ("WINNT/system32", "WINNT/system32/drivers"), IIS: ("WINNT/system32/inetsrv",)}
RELEASE = {NT: {"4.0": "4.0", "5.0": "2000", "4.0 SP6a": "4.0"}, IIS: {"4.0": "4.0", "5.0": "5.0"}}


def _model(manifest: Manifest) -> tuple[str, list[str]]:
    """The verdict and row statuses the documented rules give, from the recipe alone."""
    files = _recipe()
    server = "4.0"  # NT 4.0 SP6a, main line; IIS 4.0
    statuses = []
    for row in manifest.files:
        assert row.product_version is None
        named = {RELEASE[manifest.product][v] for v in manifest.product_versions}
        row_release = None
        if row.version is not None:
            major_minor = tuple(row.version[:2])
            row_release = {(4, 0): "4.0", (5, 0): "2000" if manifest.product == NT else "5.0", (4, 2): "4.0"}.get(
                major_minor)
        if server not in named or (row_release is not None and row_release != server):
            statuses.append("not-applicable")
        elif row.version is not None and manifest.product == NT and 33000 <= row.version[3] < 34000:
            statuses.append("not-applicable")
        elif row.name.lower() not in files or files[row.name.lower()][0] not in FOLDERS[manifest.product]:
            statuses.append("missing")
        elif row.version is None:
            statuses.append("present")
        else:
            statuses.append("ok" if files[row.name.lower()][1] >= tuple(row.version) else "outdated")
    kept = set(statuses) - {"not-applicable"}
    if not kept:
        verdict = "not-applicable"
    elif kept & {"outdated", "missing"}:
        verdict = "not-compliant"
    else:
        verdict = "compliant"
    return verdict, statuses


def test_every_article_as_the_independent_model_says() -> None:
    checked = run_check(VOLUME, MANIFESTS, skip_inapplicable=False)
    assert [p.product.profile.slug for p in checked.products] == ["windows-nt", "iis", "exchange"]
    got = {r.manifest.id: (r.verdict.value, [row.status.value for row in r.rows])
           for p in checked.products for r in p.results}
    expected = {m.id: _model(m) for m in MANIFESTS if m.product in FOLDERS}
    assert got == expected
    assert checked.unplaced == ("Q999998",)  # SQL Server: not a product found here
    assert checked.verdict is Verdict.NOT_COMPLIANT


def test_the_branch_row_and_the_overwritten_hotfix_are_called_right() -> None:
    checked = run_check(VOLUME, MANIFESTS, skip_inapplicable=False)
    rows = {(r.manifest.id, row.row.name, str(row.row.version)): row
            for p in checked.products for r in p.results for row in r.rows}
    tse = rows[("Q284849", "Lsasrv.dll", "4.0.1381.33472")]
    assert tse.status is Status.NOT_APPLICABLE
    assert tse.notes == ("branch rule: row is for Terminal Server Edition (4.0.1381.33472); "
                         "this server runs the main line",)
    other_release = rows[("Q266433", "Ntoskrnl.exe", "5.0.2195.2099")]
    assert other_release.notes[0].startswith("release rule: row's version 5.0.2195.2099")
    iis5 = rows[("Q264573", "W3svc.dll", "5.0.2195.2096")]
    assert iis5.notes[0].startswith("release rule: row is for Microsoft Internet Information Server release 5.0")
    outdated = rows[("Q307991", "Tcpip.sys", "4.0.1381.7109")]
    assert outdated.status is Status.OUTDATED and outdated.path is not None
    assert outdated.path.relative_to(VOLUME).as_posix() == "WINNT/system32/drivers/tcpip.sys"
    assert "version rule: applies: the version comparison decides" in outdated.notes
    same_build = rows[("Q236316", "Netbt.sys", "None")]
    assert same_build.notes[0].endswith("likely the fix's own build")
    assert same_build.notes[-1] == "fix in Windows NT 4.0 SP6a, which the server runs"  # SP6 was reissued as 6a
    findings = {h.article: h.finding for h in checked.hotfixes}
    assert findings["Q307991"] is Finding.OVERWRITTEN and findings["Q320249"] is Finding.CONFIRMED
    assert findings["Q246009"] is Finding.UNCHECKED


def test_the_whole_catalog_mode_sets_aside_what_is_not_installed() -> None:
    checked = run_check(VOLUME, MANIFESTS)
    windows, iis, exchange = checked.products
    assert set(windows.not_applicable) == {"Q284849"}  # every row for another branch
    assert set(iis.not_applicable) == {"Q264573"}
    assert windows.counts() == {"compliant": 6, "not-compliant": 1, "incomplete": 0, "not-applicable": 1}
    assert iis.counts()["not-compliant"] == 1 and exchange.results == ()


def test_only_the_products_asked_for_and_each_file_read_once() -> None:
    cache = FileCache()
    checked = run_check(VOLUME, MANIFESTS + MANIFESTS[:3], products=["iis"], cache=cache)
    assert [p.product.profile.slug for p in checked.products] == ["iis"]
    reads = cache.files_read
    run_check(VOLUME, MANIFESTS, cache=cache)
    assert cache.files_read <= reads + 7  # the Windows files, once each; IIS's already read


def test_a_single_folder_still_works() -> None:
    checked = run_check(VOLUME / "WINNT" / "system32", MANIFESTS)
    (windows,) = checked.products
    assert {r.manifest.id for r in windows.results} == {"Q288179", "Q266433", "Q303874"}
    assert run_check(VOLUME / "WINNT" / "system32" / "drivers", MANIFESTS).products == ()  # no marker there


def test_kernel_variants_are_checked_as_the_installed_kernel_and_symbols_are_not_looked_for() -> None:
    # Q288179's real table: Ntkrnlmp.exe and Ntoskrnl.exe 4.0.1381.7130; Q248185 lists Lsasrv.dbg.
    article = _m("Q288179", NT, ("4.0",), _row("Ntkrnlmp.exe", "4.0.1381.7130"),
                 _row("Ntoskrnl.exe", "4.0.1381.7130"), _row("Lsasrv.dbg"), _row("Hal.dll", "4.0.1381.7130"))
    (windows, *_) = run_check(VOLUME, [article]).products
    (result,) = windows.results
    mp, up, symbols, hal = result.rows
    assert (mp.status, up.status) == (Status.OK, Status.OK)
    assert mp.row.name == "Ntkrnlmp.exe" and mp.path is not None and mp.path.name == "ntoskrnl.exe"
    assert "Ntkrnlmp.exe is installed as ntoskrnl.exe when setup chose it: checked against ntoskrnl.exe" in mp.notes
    assert symbols.status is Status.NOT_APPLICABLE and "symbol file" in symbols.notes[0]
    assert hal.status is Status.MISSING  # the mock volume has no hal.dll
    assert result.verdict is Verdict.NOT_COMPLIANT


def test_the_exchange_part_agrees_with_the_bin_folder_check(tmp_path: Path) -> None:
    """The mock volume with the SP3 folder as its exchsrvr/bin: the same verdicts as `verfix check`
    of that folder; both apply the release rule to a row whose version is of another release."""
    import shutil

    from verfix.check import check_folder
    from verfix.manifest import load_bundled

    catalog = load_bundled(product="Microsoft Exchange Server")
    sp3 = REPO / "testdata" / "sp3" / "exchsrvr" / "bin"
    volume = tmp_path / "vol"
    shutil.copytree(VOLUME, volume, ignore=shutil.ignore_patterns("exchsrvr"))
    shutil.copytree(sp3, volume / "exchsrvr" / "bin")
    folder = check_folder(catalog, sp3, FileCache(), skip_inapplicable=True)
    (exchange,) = [p for p in run_check(volume, catalog).products if p.product.profile.slug == "exchange"]
    by_folder = {r.manifest.id: r.verdict for r in folder.results}
    by_server = {r.manifest.id: r.verdict for r in exchange.results}
    differ = {k for k in by_folder.keys() | by_server.keys() if by_folder.get(k) != by_server.get(k)}
    assert differ == set()
    # Q189270: Msexcimc.exe 4.0.997.1 (an Exchange 4.0 build); Q275243: Eseback2.dll 6.0.4418.10 (2000).
    assert {"Q189270", "Q275243"} <= set(folder.not_applicable)
    assert len(by_server) > 400


def test_a_rows_location_is_looked_in_first() -> None:
    article = _m("Q900001", NT, ("4.0",),
                 _row("W3svc.dll", "4.2.743.1", location="%SystemRoot%\\System32\\inetsrv"),
                 _row("Afd.sys", "4.0.1381.7144", location="System32\\Drivers"),
                 _row("Infocomm.dll", "4.2.735.1", location="C:\\WINNT\\system32\\INETSRV"),
                 _row("Tcpip.sys", "4.0.1381.7095", location="%SystemRoot%\\nowhere"))
    (windows, *_) = run_check(VOLUME, [article]).products
    (result,) = windows.results
    where = [(r.status.value, r.path.relative_to(VOLUME).as_posix() if r.path else None) for r in result.rows]
    assert where == [
        ("ok", "WINNT/system32/inetsrv/w3svc.dll"),      # not one of Windows' folders: its location
        ("ok", "WINNT/system32/drivers/afd.sys"),
        ("ok", "WINNT/system32/inetsrv/infocomm.dll"),
        ("ok", "WINNT/system32/drivers/tcpip.sys"),      # no such folder: the product's folders
    ]


def test_an_articles_edition_tells_the_branch_of_rows_without_a_version() -> None:
    # Q236316's Netbt.sys row (size and date only) in an article for Terminal Server Edition:
    # not for this main-line server; the same row without the edition is decided by its evidence.
    tse = replace(MANIFESTS[6], id="Q900029", edition="Terminal Server Edition")
    checked = run_check(VOLUME, [tse, MANIFESTS[6]], skip_inapplicable=False)
    rows = {r.manifest.id: r.rows[0] for p in checked.products for r in p.results}
    assert rows["Q900029"].status is Status.NOT_APPLICABLE
    assert rows["Q900029"].notes == ("branch rule: row is for Terminal Server Edition; this server runs the main line",)
    assert rows["Q236316"].status is not Status.NOT_APPLICABLE


def test_several_volumes_combine_into_one_report() -> None:
    # A disk image's volumes are checked one by one and reported as one: every volume's
    # products in order; unplaced only what no volume had a product for.
    from verfix.servercheck import combined

    exchange = _m("Q9000001", "Microsoft Exchange Server", ("5.5",), _row("Emsmta.exe", "5.5.2448.0"))
    manifests = [*MANIFESTS, exchange]
    system, data = run_check(VOLUME, manifests), run_check(REPO / "testdata" / "sp3", manifests)
    assert [p.product.profile.slug for p in data.products] == ["exchange"]
    assert data.unplaced and "Q9000001" not in data.unplaced
    both = combined([data, system])
    assert [p.product.profile.slug for p in both.products] == ["exchange", "windows-nt", "iis", "exchange"]
    assert both.hotfixes == data.hotfixes + system.hotfixes
    assert len(data.unplaced) == 11 and both.unplaced == system.unplaced == ("Q999998",)  # SQL Server: nowhere
    assert both.verdict is Verdict.NOT_COMPLIANT


def test_the_sp_notes_equal_the_rule_asked_row_by_row() -> None:
    # check_product asks pack_note once per article and row status; asked for every row
    # afresh, the rule gives the same notes.
    from verfix.manifest import load_bundled
    from verfix.packs import pack_note

    checked = run_check(VOLUME, load_bundled())
    windows = next(p for p in checked.products if p.product.profile.slug == "windows-nt")
    asked = 0
    for product in checked.products:
        owner = windows.product if product.product.profile.service_pack_from else None
        for result in product.results:
            m = result.manifest
            if not (m.fixed_in or m.fixed_in_sp):
                continue
            for row in result.rows:
                if row.notes and row.notes[0].startswith(("release rule", "branch rule", "platform rule")):
                    continue
                expected = pack_note(product.product.profile, m.fixed_in_sp, m.fixed_in,
                                     product.product.release.value, product.service_pack, row.status.value,
                                     owner.profile if owner else None, owner.release.value if owner else None)
                assert row.notes[-1] == expected
                asked += 1
    assert asked > 1000
