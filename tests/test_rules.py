"""The release, branch and version rules that decide whether a row applies."""

from __future__ import annotations

import pytest

from verfix.products import exchange, iis, windows_nt
from verfix.rules import (
    Rule,
    branch_rule,
    decide_row,
    product_release,
    release_label,
    release_rule,
    row_branch,
    service_pack_note,
)
from verfix.version import parse_version

NT, IIS = windows_nt.PROFILE, iis.PROFILE


@pytest.mark.parametrize(
    ("profile", "text", "release"),
    [
        (NT, "4.0 SP6a", "4.0"), (NT, "3.51", "3.51"), (NT, "5.0", "2000"), (NT, "2000", "2000"),
        (IIS, "4.0", "4.0"), (IIS, "5.0", "5.0"), (exchange.PROFILE, "5.5 SP2", "5.5"),
        (exchange.PROFILE, "5", "5.0"), (NT, "SP6a", None), (IIS, "Windows  2000", "5.0"),
        (NT, "Windows NT 4.0", "4.0"), (exchange.PROFILE, "Outlook 2000", None),
    ],
)
def test_product_versions_name_releases_in_the_profiles_labels(profile, text, release) -> None:
    assert product_release(profile, text) == release


def test_release_label_is_unchanged() -> None:
    assert release_label("5.5 SP2") == "5.5" and release_label("2000") == "2000" and release_label("x") is None


def test_nt_351_articles_are_not_applied_to_nt_40() -> None:
    decision = release_rule(NT, ["3.51"], "4.0")
    assert decision is not None and not decision.applies and decision.rule is Rule.RELEASE
    assert "3.51" in decision.note and "runs 4.0" in decision.note
    assert release_rule(NT, ["3.51", "4.0"], "4.0") is None
    assert release_rule(NT, [], "4.0") is None
    assert release_rule(NT, ["3.51"], None) is None


def test_iis_50_rows_are_not_applied_to_iis_40() -> None:
    decision = decide_row(IIS, parse_version("5.0.2195.2096"), ["5.0"], server_release="4.0", server_branch=None)
    assert (decision.applies, decision.rule) == (False, Rule.RELEASE)
    kept = decide_row(IIS, parse_version("4.2.739.1"), ["4.0"], server_release="4.0", server_branch=None)
    assert (kept.applies, kept.rule) == (True, Rule.VERSION)


@pytest.mark.parametrize(
    ("version", "editions", "branch", "told"),
    [
        ("4.0.1381.33472", (), "Terminal Server Edition", True),
        ("4.0.1381.7109", (), None, True),
        (None, ("Terminal Server Edition",), "Terminal Server Edition", True),
        (None, (), None, False),
        ("4.2.739.1", (), None, False),  # not a build of a release with branches
    ],
)
def test_the_branch_a_row_is_for(version, editions, branch, told) -> None:
    parsed = parse_version(version) if version else None
    assert row_branch(NT, parsed, editions) == (branch, told)


def test_a_terminal_server_row_against_an_ordinary_server_is_not_applicable() -> None:
    decision = decide_row(NT, parse_version("4.0.1381.33472"), ["4.0"], server_release="4.0", server_branch=None)
    assert (decision.applies, decision.rule) == (False, Rule.BRANCH)
    assert decision.note == "row is for Terminal Server Edition (4.0.1381.33472); this server runs the main line"


def test_a_main_line_row_against_a_terminal_server_is_not_applicable() -> None:
    decision = branch_rule(NT, parse_version("4.0.1381.7109"), (), "Terminal Server Edition")
    assert decision is not None and not decision.applies
    assert decision.note.endswith("this server runs Terminal Server Edition")


def test_same_branch_and_versionless_rows_are_left_to_the_version_comparison() -> None:
    same = decide_row(NT, parse_version("4.0.1381.33472"), ["4.0"], server_release="4.0",
                      server_branch="Terminal Server Edition")
    assert (same.applies, same.rule) == (True, Rule.VERSION)
    versionless = decide_row(NT, None, ["4.0"], server_release="4.0", server_branch="Terminal Server Edition")
    assert versionless.applies


def test_service_pack_notes() -> None:
    assert service_pack_note("Windows NT 4.0 SP7", "SP6a") == "fix first in Windows NT 4.0 SP7; this server runs SP6a"
    assert service_pack_note(None, "SP6a").startswith("the service pack that first has the fix is not known")
    assert service_pack_note(None, None) is None


def test_a_row_of_another_release_in_a_two_release_article() -> None:
    # Q266433 lists Ntoskrnl.exe for Windows 2000 (5.0.2195.2099) and NT 4.0 (4.0.1381.7080).
    other = decide_row(NT, parse_version("5.0.2195.2099"), ["4.0", "5.0"], server_release="4.0", server_branch=None)
    assert (other.applies, other.rule) == (False, Rule.RELEASE)
    assert other.note == (
        "row's version 5.0.2195.2099 is of Microsoft Windows NT release 2000; this server runs 4.0"
    )
    own = decide_row(NT, parse_version("4.0.1381.7080"), ["4.0", "5.0"], server_release="4.0", server_branch=None)
    assert own.applies
    # A row's own product version is trusted over its version's major.minor.
    kept = decide_row(NT, parse_version("5.0.2195.1"), ["4.0"], server_release="4.0", server_branch=None,
                      own_product_version=True)
    assert kept.applies


def test_an_iis_row_headed_by_its_windows_release() -> None:
    # Q277873: "Windows 2000" heads W3svc.dll 5.0.2195.2784 in an IIS 4.0 and 5.0 article.
    decision = decide_row(IIS, parse_version("5.0.2195.2784"), ["Windows 2000"], server_release="4.0",
                          server_branch=None, own_product_version=True)
    assert (decision.applies, decision.rule) == (False, Rule.RELEASE)
    kept = decide_row(IIS, parse_version("4.2.753.1"), ["Windows NT 4.0"], server_release="4.0",
                      server_branch=None, own_product_version=True)
    assert kept.applies


def test_a_row_for_another_product_in_the_table_is_not_applicable() -> None:
    decision = decide_row(exchange.PROFILE, parse_version("8.5.6810.0"), ["Outlook 98"], server_release="5.5",
                          server_branch=None, own_product_version=True)
    assert (decision.applies, decision.rule) == (False, Rule.RELEASE)
    assert decision.note == "row is for Outlook 98, not a release of Microsoft Exchange Server; this server runs 5.5"
    # The article's own product versions naming none decide nothing (the old rule: labels - None).
    assert decide_row(exchange.PROFILE, None, ["Outlook 98"], server_release="5.5", server_branch=None).applies


def test_a_shared_files_version_is_not_taken_for_a_release() -> None:
    # Q306810 (Exchange 5.5) lists Scrrun.dll 4.0.0.2926: build 0 is no Exchange 4.0 build.
    shared = decide_row(exchange.PROFILE, parse_version("4.0.0.2926"), ["5.5"], server_release="5.5",
                        server_branch=None)
    assert shared.applies
    # Eseback2.dll 6.0.4418.10 (Q275243) is an Exchange 2000 file.
    other = decide_row(exchange.PROFILE, parse_version("6.0.4418.10"), [], server_release="5.5", server_branch=None)
    assert (other.applies, other.rule) == (False, Rule.RELEASE)
