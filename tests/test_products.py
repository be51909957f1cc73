"""Product profiles: releases, service packs and branches told from versions; the lookups."""

from __future__ import annotations

from pathlib import Path

import pytest

from verfix import discover
from verfix.hive import HiveError, open_hive
from verfix.products import PROFILES, by_slug, exchange, for_product_name, iis, windows_nt
from verfix.version import parse_version

HIVES = Path(__file__).resolve().parent.parent / "testdata" / "hive"


@pytest.mark.parametrize(
    ("version", "release", "service_pack"),
    [
        ("5.5.1960.6", "5.5", "RTM"),
        ("5.5.2448.0", "5.5", "SP2"),
        ("5.5.2543.0", "5.5", "SP2"),  # a post-SP2 hotfix build: SP2 is what is installed
        ("5.5.2650.21", "5.5", "SP3"),
        ("5.5.2653.23", "5.5", "SP4"),
        ("5.5.1700.0", "5.5", None),   # below the table's first build: not told
        ("5.0.1457.7", "5.0", None),   # no service-pack table for 5.0
        ("7.0.0.1", None, None),
    ],
)
def test_exchange_release_and_service_pack_from_a_program_version(version, release, service_pack) -> None:
    parsed = parse_version(version)
    assert exchange.PROFILE.release_of(parsed) == release
    assert exchange.PROFILE.service_pack_of(parsed) == service_pack


@pytest.mark.parametrize(
    ("version", "branch"),
    [
        ("4.0.1381.33474", "Terminal Server Edition"),
        ("4.0.1381.33000", "Terminal Server Edition"),
        ("4.0.1381.34000", None),
        ("4.0.1381.7130", None),
        ("4.0.1381.4", None),
        ("5.0.2195.33474", None),  # another release
    ],
)
def test_windows_branch_from_the_kernel_build(version, branch) -> None:
    found = windows_nt.PROFILE.branch_of(parse_version(version))
    assert (found.name if found else None) == branch


def test_windows_and_iis_releases() -> None:
    assert windows_nt.PROFILE.release_of(parse_version("3.51.1057.1")) == "3.51"
    assert windows_nt.PROFILE.release_of(parse_version("4.0.1381.7130")) == "4.0"
    assert iis.PROFILE.release_of(parse_version("4.2.739.1")) == "4.0"
    assert iis.PROFILE.release_of(parse_version("5.0.2195.2096")) == "5.0"


def test_profiles_are_well_formed() -> None:
    slugs = [profile.slug for profile in PROFILES]
    assert len(slugs) == len(set(slugs))
    for profile in PROFILES:
        assert by_slug(profile.slug) is profile
        assert profile.markers and all(name == name.lower() for name in profile.markers)
        assert all(name == name.lower() for name in profile.release_programs)
        assert profile.folders and profile.how_release and profile.how_service_pack
        for builds in profile.service_pack_builds.values():  # ascending, by (build, revision)
            lowest = [b if isinstance(b, tuple) else (b, 0) for b, _ in builds]
            assert lowest == sorted(lowest) and len(set(lowest)) == len(lowest)
    with pytest.raises(KeyError):
        by_slug("lotus-notes")


def test_product_names_find_their_profile() -> None:
    assert for_product_name("Microsoft Exchange Server") is exchange.PROFILE
    assert for_product_name("microsoft exchange") is exchange.PROFILE
    assert for_product_name("Windows NT") is windows_nt.PROFILE
    assert for_product_name("Lotus Notes") is None



def test_folders_split_into_system_root_and_volume_paths() -> None:
    assert iis.PROFILE.folder_parts() == ((True, ("system32", "inetsrv")),)
    assert exchange.PROFILE.folder_parts()[1] == (False, ("Program Files", "exchsrvr", "bin"))


def test_discovery_reads_the_exchange_and_windows_profiles() -> None:
    assert discover.MARKER_FILES == exchange.PROFILE.markers
    assert discover.DEFAULT_INSTALLS == (("exchsrvr", "bin"), ("program files", "exchsrvr", "bin"))
    assert discover.HIVE_PATHS == (
        ("winnt", "system32", "config", "software"), ("windows", "system32", "config", "software"),
    )


def test_a_hive_is_parsed_once_and_asked_for_keys_and_values() -> None:
    hive = open_hive(HIVES / "software-c")
    values = hive.values(windows_nt.CURRENT_VERSION_KEY)
    assert values == {"currentversion": "4.0", "currentbuildnumber": "1381", "csdversion": "Service Pack 6"}
    assert hive.values(r"MICROSOFT\exchange\SETUP") == {"services": "C:\\exchsrvr"}
    assert sorted(hive.subkeys("Microsoft") or []) == ["Exchange", "Windows NT"]
    assert hive.subkeys(exchange.SETUP.key) == []
    assert hive.values(windows_nt.HOTFIX_KEY) is None
    assert hive.subkeys(r"Microsoft\Nothing") is None


def test_a_file_that_is_not_a_hive_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "software"
    path.write_bytes(b"not a hive at all" * 100)
    with pytest.raises(HiveError, match="regf"):
        open_hive(path)
