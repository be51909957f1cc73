"""The SP note rule (verfix.packs) and the plan's wording of NT 4.0's reissued SP6a."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_remediation import article
from verfix.check import FolderCheck
from verfix.packs import pack_note, pack_rank
from verfix.products import exchange, iis, windows_nt
from verfix.remediation import parse_fixed_in, plan_folder
from verfix.report_text import action_report

NT, EXCHANGE, IIS = windows_nt.PROFILE, exchange.PROFILE, iis.PROFILE


def test_labels_rank_in_release_order() -> None:
    labels = ["RTM", "SP1", "SP3", "SP6", "SP6a", "SP7", "SP10"]
    assert sorted(labels, key=pack_rank) == labels  # type: ignore[arg-type]
    assert pack_rank("sp6A") == (6, "a") and pack_rank("Service Pack 6") is None and pack_rank(None) is None


@pytest.mark.parametrize("server, status, note", [
    ("SP3", "ok", "fix first in Windows NT 4.0 SP4; the server runs SP3, which predates it"),
    ("SP4", "ok", "fix in Windows NT 4.0 SP4, which the server runs"),
    ("SP6a", "outdated", "fix in Windows NT 4.0 SP4, which the server's SP6a includes: "
                         "a later install may have overwritten it"),
    ("SP5", "missing", "fix in Windows NT 4.0 SP4, which the server's SP5 includes: "
                       "the file is not there (its component may not be installed)"),
    (None, "ok", "fix first in Windows NT 4.0 SP4; the server's service pack is not known"),
])
def test_the_fixs_pack_against_the_servers(server: str | None, status: str, note: str) -> None:
    fixed_in = "Windows NT 4.0 SP4; Windows NT Server 4.0, Terminal Server Edition SP4"
    assert pack_note(NT, ["4.0 SP4"], fixed_in, "4.0", server, status) == note


def test_nt4_sp6_is_named_sp6a_unless_the_server_runs_the_withdrawn_sp6() -> None:
    fixed_in = "Windows NT 4.0 SP6; Windows NT Server 4.0, Terminal Server Edition SP6"
    assert pack_note(NT, ["4.0 SP6"], fixed_in, "4.0", "SP6a", "outdated") == (
        "fix in Windows NT 4.0 SP6a, which the server runs: a later install may have overwritten it")
    assert pack_note(NT, ["4.0 SP6"], fixed_in, "4.0", "SP6", "ok") == (
        "fix in Windows NT 4.0 SP6, which the server runs")
    assert pack_note(NT, ["4.0 SP6"], fixed_in, "4.0", "SP5", "ok") == (
        "fix first in Windows NT 4.0 SP6a; the server runs SP5, which predates it")
    # Without fixed_in_sp the text's packs for the release count too.
    assert pack_note(NT, [], "Windows NT 4.0 SP6", "4.0", "SP6a", "present") == (
        "fix in Windows NT 4.0 SP6a, which the server runs")


def test_hotfixes_and_other_releases() -> None:
    post = "Windows NT 4.0 post-SP6 hotfix (before SP7); Windows 2000 post-SP2 hotfix (before SP3); Windows 2000 SP3"
    assert pack_note(NT, ["2000 SP3"], post, "4.0", "SP6a", "ok") == (
        "fix first in Windows NT 4.0 post-SP6a hotfix (before SP7); this server runs SP6a")
    assert pack_note(EXCHANGE, [], "Exchange Server 5.5 post-SP4 hotfix (before SP5)", "5.5", "SP3", "outdated") == (
        "fix first in Exchange Server 5.5 post-SP4 hotfix (before SP5); the server runs SP3: "
        "the hotfix needs SP4 first")
    assert pack_note(NT, [], "Windows 2000 SP3", "4.0", "SP6a", "ok") == (
        "fix named only for other releases (Windows 2000 SP3); the server runs Windows NT 4.0 SP6a")
    assert pack_note(NT, [], None, "4.0", None) is None
    # An edition's own pack (Terminal Server Edition SP4) is no pack of the main line.
    assert pack_note(NT, [], "Windows NT Server 4.0, Terminal Server Edition SP4", "4.0", "SP6a", "ok") == (
        "fix first in Windows NT Server 4.0, Terminal Server Edition SP4; this server runs SP6a")


def test_iis_is_told_by_the_windows_it_runs_on() -> None:
    # IIS 5.0's fixed_in_sp "5.0 SP3" is Windows 2000 SP3 (the article's own words name it).
    assert pack_note(IIS, ["5.0 SP3"], "Windows 2000 SP3", "5.0", "SP2", "outdated", NT, "2000") == (
        "fix first in Windows 2000 SP3; the server runs SP2, which predates it")
    assert pack_note(IIS, [], "Windows NT 4.0 post-SP6 hotfix (before SP7)", "4.0", "SP6a", "ok", NT, "4.0") == (
        "fix first in Windows NT 4.0 post-SP6a hotfix (before SP7); this server runs SP6a")


def test_the_plan_names_sp6a_and_says_reinstall_when_the_server_runs_it() -> None:
    assert [str(p) for p in parse_fixed_in("Windows NT 4.0 SP6", "4.0").packs] == ["Windows NT 4.0 SP6a"]
    assert [str(p) for p in parse_fixed_in("Windows NT 4.0 post-SP6 hotfix (before SP7)", "4.0").hotfix_bases] == [
        "Windows NT 4.0 SP6a"]
    assert [str(p) for p in parse_fixed_in("Exchange Server 5.5 SP4", "5.5").packs] == ["Exchange Server 5.5 SP4"]
    missing = article("Q100001", [("Samsrv.dll", None, None)], fixed_in="Windows NT 4.0 SP6")
    hotfix = article("Q100002", [("Tcpip.sys", "4.0.1381.7109", "4.0.1381.7095")],
                     fixed_in="Windows NT 4.0 post-SP6 hotfix (before SP7)")
    for pack, verb in (("SP6a", "Reinstall"), ("SP5", "Install"), (None, "Install")):
        checked = FolderCheck(Path("/srv/system32"), "given", (missing, hotfix), release="4.0", service_pack=pack)
        plan = plan_folder(checked)
        (step,) = plan.packs
        assert (str(step.pack), step.verb, step.base_of) == ("Windows NT 4.0 SP6a", verb, ("Q100002",))
        (listed,) = plan.as_dict()["service_packs"]
        assert (listed["name"], listed["reinstall"]) == ("Windows NT 4.0 SP6a", verb == "Reinstall")
        # A row's plan step: the pack's verb for Samsrv.dll, which SP6a brings; the hotfix installs.
        assert plan.action_of(plan.supplier_of("Samsrv.dll")) == verb.lower()
        assert plan.action_of(plan.supplier_of("Tcpip.sys")) == "install" and plan.action_of(None) is None
        text = action_report([checked], 200)
        assert f"1. {verb} Windows NT 4.0 SP6a" in text and "SP6:" not in text and "SP6 " not in text
        assert ("the server runs it already" in text) == (verb == "Reinstall")
