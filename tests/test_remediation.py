"""The remediation plan: supersedence, forced hotfixes, service packs from fixed_in, the SP3 example."""

from pathlib import Path

import pytest

from verfix.check import (
    FileCache,
    FolderCheck,
    ManifestResult,
    RowResult,
    Status,
    check_folder,
)
from verfix.manifest import FileRow, Manifest, load_bundled
from verfix.pe import PEInfo
from verfix.remediation import ServicePack, parse_fixed_in, plan_folder
from verfix.report_text import plan_text
from verfix.version import parse_version

BIN = Path("/srv/bin")
SP3_BIN = Path(__file__).resolve().parent.parent / "testdata" / "sp3" / "exchsrvr" / "bin"


def article(article_id, rows, fixed_in=None):
    """A checked article: rows are (name, required, installed or None for missing, status)."""
    manifest_rows, results = [], []
    for name, required, installed, *status in rows:
        row = FileRow(name=name, version=parse_version(required) if required else None)
        manifest_rows.append(row)
        if status:
            wanted = status[0]
        elif installed is None:
            wanted = Status.MISSING
        else:
            wanted = Status.OK if parse_version(installed) >= row.version else Status.OUTDATED
        info = None if installed is None else PEInfo(machine="i386", file_version=parse_version(installed))
        results.append(RowResult(row, wanted, None if installed is None else BIN / name, info))
    manifest = Manifest(article_id, f"Title of {article_id}", "Microsoft Exchange Server",
                        tuple(manifest_rows), ("5.5",), fixed_in)
    return ManifestResult(manifest, BIN, tuple(results))


def folder(*results):
    return FolderCheck(BIN, "given", tuple(results), release="5.5")


def test_a_later_fix_with_newer_versions_supersedes_the_earlier_ones():
    early = article("Q100001", [("Store.exe", "5.5.2652.0", "5.5.2650.0")])
    later = article("Q100002", [("Store.exe", "5.5.2656.0", "5.5.2650.0"), ("Mad.exe", "5.5.2656.0", "5.5.2656.0")])
    plan = plan_folder(folder(early, later))
    assert [fix.id for fix in plan.hotfixes] == ["Q100002"]
    assert plan.hotfixes[0].articles == ("Q100001", "Q100002")
    (store,) = plan.files
    assert (store.name, str(store.installed), str(store.target), store.supplier) == (
        "Store.exe", "5.5.2650.0", "5.5.2656.0", "Q100002")
    assert plan.proven_fewest


def test_files_only_one_article_supplies_force_that_article():
    store = article("Q100001", [("Store.exe", "5.5.2656.0", "5.5.2650.0")])
    mta = article("Q100002", [("Emsmta.exe", "5.5.2656.0", "5.5.2650.0"), ("Store.exe", "5.5.2651.0", "5.5.2650.0")])
    plan = plan_folder(folder(store, mta))
    assert sorted(fix.id for fix in plan.hotfixes) == ["Q100001", "Q100002"]
    assert {f.name: f.supplier for f in plan.files} == {"Emsmta.exe": "Q100002", "Store.exe": "Q100001"}


def test_greedy_cover_when_no_file_forces_an_article():
    # Each file has two suppliers; one article supplies both: it alone is chosen.
    a = article("Q100001", [("A.dll", "1.0.0.2", "1.0.0.1")])
    b = article("Q100002", [("B.dll", "1.0.0.2", "1.0.0.1")])
    both = article("Q100003", [("A.dll", "1.0.0.2", "1.0.0.1"), ("B.dll", "1.0.0.2", "1.0.0.1")])
    plan = plan_folder(folder(a, b, both))
    assert [fix.id for fix in plan.hotfixes] == ["Q100003"]
    assert not plan.proven_fewest  # greedy picked it: not proven, and the plan says so


def test_compliant_and_not_applicable_rows_supply_nothing():
    needs = article("Q100001", [("Store.exe", "5.5.2656.0", "5.5.2650.0")])
    other_platform = article("Q100002", [("Store.exe", "5.5.2660.0", "5.5.2650.0", Status.NOT_APPLICABLE),
                                         ("Mad.exe", "5.5.1.0", "5.5.2.0")])
    plan = plan_folder(folder(needs, other_platform))
    assert [fix.id for fix in plan.hotfixes] == ["Q100001"]
    assert plan.failing == ("Q100001",)


def test_missing_files_are_findings_too():
    plan = plan_folder(folder(article("Q100001", [("Gone.dll", "1.0.0.1", None)])))
    (gone,) = plan.files
    assert gone.installed is None and str(gone.target) == "1.0.0.1" and gone.supplier == "Q100001"


def test_nothing_failing_gives_an_empty_plan():
    plan = plan_folder(folder(article("Q100001", [("Store.exe", "5.5.2650.0", "5.5.2656.0")])))
    assert plan.empty and not plan.hotfixes and not plan.packs and not plan.files


def test_parse_fixed_in_keeps_the_server_release_only():
    text = ("Exchange Server 5.5 post-SP4 hotfix (before SP5); Exchange Server 5.5 SP4; "
            "Exchange 2000 Server SP1; Office 2000 post-SR1 hotfix (before SR2)")
    said = parse_fixed_in(text, "5.5")
    assert said.packs == (ServicePack("Exchange Server 5.5", "SP", 4),)
    assert said.hotfix_bases == (ServicePack("Exchange Server 5.5", "SP", 4),)
    assert parse_fixed_in(text, "2000").packs == (ServicePack("Exchange 2000 Server", "SP", 1),)
    assert parse_fixed_in("Exchange Server 5.5 SP3", "5.0") == parse_fixed_in(None)
    assert str(said.packs[0]) == "Exchange Server 5.5 SP4"


def test_service_pack_clears_what_it_is_named_for_and_no_more():
    named = article("Q100001", [("Store.exe", "5.5.2652.0", "5.5.2650.0")], "Exchange Server 5.5 SP4")
    earlier = article("Q100002", [("Mad.exe", "5.5.2600.0", "5.5.2500.0")], "Exchange Server 5.5 SP3")
    # Its Store.exe is older than the version SP4 is known to carry: SP4 clears it too.
    covered = article("Q100003", [("Store.exe", "5.5.2651.0", "5.5.2650.0")])
    hotfix = article("Q100004", [("Store.exe", "5.5.2656.0", "5.5.2650.0")],
                     "Exchange Server 5.5 post-SP4 hotfix (before SP5)")
    plan = plan_folder(folder(named, earlier, covered, hotfix))
    (pack,) = plan.packs
    assert str(pack.pack) == "Exchange Server 5.5 SP4"
    assert pack.named_by == ("Q100001", "Q100002")  # service packs are cumulative
    assert pack.clears == ("Q100001", "Q100002", "Q100003")
    assert pack.base_of == ("Q100004",)
    # The pack's own Store.exe version is unknown beyond 5.5.2652.0: the hotfix still supplies 2656.
    assert [fix.id for fix in plan.hotfixes] == ["Q100004"]
    assert {f.name: f.supplier for f in plan.files} == {
        "Mad.exe": "Exchange Server 5.5 SP4", "Store.exe": "Q100004"}


def test_a_post_sp_hotfix_alone_still_recommends_its_base_pack():
    hotfix = article("Q100004", [("Store.exe", "5.5.2656.0", "5.5.2650.0")],
                     "Exchange Server 5.5 post-SP4 hotfix (before SP5)")
    plan = plan_folder(folder(hotfix))
    (pack,) = plan.packs
    assert pack.clears == () and pack.named_by == () and pack.base_of == ("Q100004",)


@pytest.fixture(scope="module")
def sp3_plan():
    if not SP3_BIN.is_dir():  # committed test data: always there in a checkout
        pytest.fail(f"{SP3_BIN} is missing")
    checked = check_folder(load_bundled(), SP3_BIN, FileCache(), skip_inapplicable=True)
    return checked, plan_folder(checked)


def test_sp3_example_every_finding_is_cleared_by_the_plan(sp3_plan):
    checked, plan = sp3_plan
    failing = [r for r in checked.results if any(row.status in (Status.OUTDATED, Status.MISSING) for row in r.rows)]
    assert len(plan.failing) == len(failing) > 0
    supplied = {}
    for result in checked.results:
        if result.manifest.id in {fix.id for fix in plan.hotfixes}:
            for row in result.rows:
                if row.status is not Status.NOT_APPLICABLE and row.row.version is not None:
                    key = row.row.name.lower()
                    supplied[key] = max(supplied.get(key, row.row.version), row.row.version)
    credited = {f.name.lower() for f in plan.files if f.supplier.startswith("Exchange Server 5.5 SP")}
    for result in failing:
        for row in result.rows:
            if row.status in (Status.OUTDATED, Status.MISSING):
                key = row.row.name.lower()
                assert key in credited or supplied[key] >= row.row.version, (result.manifest.id, row.row.name)
    # Distinct files behind, each listed once.
    names = [f.name.lower() for f in plan.files]
    assert len(names) == len(set(names))
    assert len(plan.hotfixes) < len(failing)


def test_sp3_example_store_is_brought_to_the_highest_version_any_article_requires(sp3_plan):
    checked, plan = sp3_plan
    required = [row.row.version for r in checked.results for row in r.rows
                if row.row.name.lower() == "store.exe" and row.status is Status.OUTDATED]
    store = next(f for f in plan.files if f.name.lower() == "store.exe")
    assert store.target == max(required)
    assert len(store.articles) == len({r.manifest.id for r in checked.results
                                       for row in r.rows if row.row.name.lower() == "store.exe"
                                       and row.status is Status.OUTDATED})


def test_a_hotfix_whose_fix_is_for_another_release_is_marked():
    other = article("Q100001", [("Eseback2.dll", "6.0.4418.10", "5.5.2650.0")], "Exchange 2000 Server SP1")
    same = article("Q100002", [("Store.exe", "5.5.2656.0", "5.5.2650.0")],
                   "Exchange Server 5.5 post-SP4 hotfix (before SP5); Exchange 2000 Server SP1")
    unsaid = article("Q100003", [("Mad.exe", "5.5.2656.0", "5.5.2650.0")])
    plan = plan_folder(folder(other, same, unsaid))
    marked = {fix.id: fix.other_release for fix in plan.hotfixes}
    assert marked == {"Q100001": True, "Q100002": False, "Q100003": False}
    assert plan.as_dict()["hotfixes"][0]["other_release"] in (True, False)


def test_the_kept_fixed_in_answers_are_the_plain_parsers() -> None:
    from verfix.manifest import load_bundled
    from verfix.remediation_packs import parse_fixed_in

    texts = {m.fixed_in for m in load_bundled()} | {None, "", "Exchange Server 5.5 SP4; junk"}
    for release in (None, "5.5", "4.0", "2000"):
        for text in texts:
            assert parse_fixed_in(text, release) == parse_fixed_in.__wrapped__(text, release)
            assert parse_fixed_in(text, release) is parse_fixed_in(text, release)  # kept
    assert len(texts) > 100


def test_the_plan_table_keeps_a_long_own_id_apart_from_its_count():
    # An own manifest id may be up to 64 characters; the hotfix lines stay in columns.
    own = article("site-fix_2", [("A.dll", "1.0.0.2", "1.0.0.1")])
    kb = article("Q100002", [("B.dll", "1.0.0.2", "1.0.0.1")])
    lines = [line for line in plan_text(plan_folder(folder(own, kb)), 80).splitlines() if line.startswith("   ")]
    assert len(lines) == 2
    assert lines[0].split()[:3] == ["Q100002", "1", "article"]
    assert lines[1].split()[:3] == ["site-fix_2", "1", "article"]
    assert lines[0].index("1 article") == lines[1].index("1 article")
