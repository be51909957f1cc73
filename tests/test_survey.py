"""Finding every product on a volume: the mock NT 4.0 volume, any case, damage, and the CLI."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.test_discover import make_read_only_and_old, snapshot
from verfix.cli import app
from verfix.survey import survey

REPO = Path(__file__).resolve().parent.parent
VOLUME = REPO / "testdata" / "nt4"
runner = CliRunner()


def _summary(found) -> dict[str, tuple]:
    return {
        p.profile.slug: (p.release.value, p.service_pack.value, p.branch.value if p.branch else None,
                         tuple(str(f.relative_to(found.root)) for f in p.folders))
        for p in found.products
    }


EXPECTED = {
    "windows-nt": ("4.0", "SP6a", None, ("WINNT/system32", "WINNT/system32/drivers")),
    "iis": ("4.0", None, None, ("WINNT/system32/inetsrv",)),
    "exchange": ("5.5", "SP3", None, ("exchsrvr/bin",)),
}


def test_the_mock_volumes_products_releases_and_service_packs() -> None:
    found = survey(VOLUME)
    assert _summary(found) == EXPECTED
    assert found.warnings == ()
    windows = found.product("windows-nt")
    assert windows is not None and windows.release.how == "ntoskrnl.exe is 4.0.1381.7130"
    assert "Q246009" in windows.service_pack.how
    iis = found.product("iis")
    assert iis is not None and iis.how[0].startswith("registry: HKLM\\SOFTWARE\\Microsoft\\InetStp InstallPath")
    exchange = found.product("exchange")
    assert exchange is not None and exchange.service_pack.how.startswith("Store.exe build 2650")
    assert found.registry is not None and len(found.registry.hotfixes) == 3


def _renamed_copy(tmp_path: Path, rename) -> Path:
    copy = tmp_path / "vol"
    shutil.copytree(VOLUME, copy)
    for dirpath, dirnames, filenames in os.walk(copy, topdown=False):
        for name in [*dirnames, *filenames]:
            os.rename(os.path.join(dirpath, name), os.path.join(dirpath, rename(name)))
    return copy


@pytest.mark.parametrize("rename", [str.lower, str.upper])
def test_names_in_any_case(tmp_path: Path, rename) -> None:
    found = survey(_renamed_copy(tmp_path, rename))
    assert {slug: value[:3] for slug, value in _summary(found).items()} == {
        slug: value[:3] for slug, value in EXPECTED.items()
    }


def test_a_damaged_hive_is_a_warning_and_the_files_still_tell(tmp_path: Path) -> None:
    copy = tmp_path / "vol"
    shutil.copytree(VOLUME, copy)
    (copy / "WINNT" / "system32" / "config" / "software").write_bytes(b"regf" + b"\xff" * 5000)
    found = survey(copy)
    assert any("software not used" in w for w in found.warnings)
    summary = _summary(found)
    assert summary["windows-nt"][:2] == ("4.0", None)        # the kernel still tells the release
    assert summary["iis"][3] == ("WINNT/system32/inetsrv",)  # found in the usual folder instead
    assert summary["exchange"][:2] == ("5.5", "SP3")         # and Exchange in exchsrvr/bin


def test_one_folder_is_its_own_product(tmp_path: Path) -> None:
    system32 = survey(VOLUME / "WINNT" / "system32")
    assert [p.profile.slug for p in system32.products] == ["windows-nt"]
    assert system32.products[0].service_pack.value == "SP6a"  # from system32/config
    assert system32.products[0].how == (f"{VOLUME / 'WINNT' / 'system32'} holds ntoskrnl.exe",)
    bin_dir = survey(VOLUME / "exchsrvr" / "bin")
    assert [(p.profile.slug, p.release.value, p.service_pack.value) for p in bin_dir.products] == [
        ("exchange", "5.5", "SP3")
    ]
    assert bin_dir.products[0].how == (f"{VOLUME / 'exchsrvr' / 'bin'} holds Emsmta.exe",)  # named as on disk


def test_products_in_their_usual_folders_on_drive_folders(tmp_path: Path) -> None:
    shutil.copytree(VOLUME, tmp_path / "C")
    sna = tmp_path / "D" / "SNA" / "System"
    sna.mkdir(parents=True)
    shutil.copy(REPO / "testdata" / "pe" / "strdiff.exe", sna / "SnaServr.exe")  # 6.1: no SNA release
    found = survey(tmp_path)
    assert set(_summary(found)) == {"windows-nt", "iis", "exchange", "sna"}
    product = found.product("sna")
    assert product is not None and product.release.value is None
    assert product.release.how.startswith("none of snaservr.exe, snabase.exe has a version")


def test_nothing_found_and_nothing_written(tmp_path: Path) -> None:
    assert survey(tmp_path).products == ()
    copy = tmp_path / "ro"
    shutil.copytree(VOLUME, copy)
    make_read_only_and_old(copy)
    before = snapshot(str(copy))
    survey(copy)
    assert snapshot(str(copy)) == before


def test_cli_products_table_and_json() -> None:
    table = runner.invoke(app, ["products", str(VOLUME)])
    assert table.exit_code == 0, table.output
    assert "Microsoft Windows NT" in table.stdout and "SP6a" in table.stdout
    listed = runner.invoke(app, ["products", str(VOLUME), "-f", "json"])
    records = json.loads(listed.stdout)
    assert [(r["slug"], r["release"], r["service_pack"]) for r in records] == [
        ("windows-nt", "4.0", "SP6a"), ("iis", "4.0", None), ("exchange", "5.5", "SP3"),
    ]
    assert records[0]["folders"] == [str(VOLUME / "WINNT" / "system32"), str(VOLUME / "WINNT" / "system32" / "drivers")]


def test_cli_products_errors_are_one_line(tmp_path: Path) -> None:
    empty = runner.invoke(app, ["products", str(tmp_path)])
    assert empty.exit_code == 2 and empty.output.count("\n") == 1
    assert "no product found under" in empty.output
    missing = runner.invoke(app, ["products", str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "no such folder" in missing.output


def test_a_system_root_named_by_the_hives_system_root(tmp_path: Path) -> None:
    from verfix.hive import open_hive

    copy = tmp_path / "vol"
    shutil.copytree(VOLUME, copy)
    (copy / "WINNT").rename(copy / "WINNT40")
    assert survey(copy).product("windows-nt") is None  # the hive says C:\WINNT, not WINNT40
    # A hive naming WINNT40 makes it the system root: rebuilt from the recipe when hivex is there.
    reg = (REPO / "testdata" / "hive" / "nt4-software.reg").read_text().replace('"C:\\\\WINNT"', '"C:\\\\WINNT40"')
    hive = copy / "WINNT40" / "system32" / "config" / "software"
    if shutil.which("hivexregedit") is None:
        pytest.skip("hivexregedit (libwin-hivex-perl) not installed")
    import subprocess
    import sys

    (tmp_path / "sw.reg").write_text(reg)
    subprocess.run([sys.executable, str(REPO / "testdata" / "hive" / "make_empty_hive.py"), str(hive)], check=True)
    subprocess.run(["hivexregedit", "--merge", "--prefix", "HKEY_LOCAL_MACHINE\\SOFTWARE", str(hive),
                    str(tmp_path / "sw.reg")], check=True, capture_output=True)
    assert open_hive(hive).values(r"Microsoft\Windows NT\CurrentVersion")["systemroot"] == "C:\\WINNT40"
    windows = survey(copy).product("windows-nt")
    assert windows is not None and windows.release.value == "4.0" and windows.service_pack.value == "SP6a"
    assert [str(f.relative_to(copy)) for f in windows.folders] == ["WINNT40/system32", "WINNT40/system32/drivers"]


def test_a_link_out_of_the_volume_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    shutil.copytree(VOLUME / "WINNT", outside / "WINNT")
    volume = tmp_path / "vol"
    volume.mkdir()
    (volume / "WINNT").symlink_to(outside / "WINNT")
    found = survey(volume)
    assert found.products == ()
    assert any("symbolic link leads outside" in w for w in found.warnings)


def test_iis_release_from_the_registry_when_inetinfo_has_no_version(tmp_path: Path) -> None:
    copy = tmp_path / "vol"
    shutil.copytree(VOLUME, copy)
    inetsrv = copy / "WINNT" / "system32" / "inetsrv"
    for name in ("inetinfo.exe", "w3svc.dll", "infocomm.dll"):
        (inetsrv / name).write_bytes(b"MZ damaged")
    iis = survey(copy).product("iis")
    assert iis is not None and iis.release.value == "4.0"
    assert iis.release.how.startswith("registry InetStp MajorVersion = 4, MinorVersion = 0")


@pytest.mark.parametrize(
    ("install", "found"),
    [
        ("%SystemRoot%\\System32\\inetsrv", "WINNT/system32/inetsrv"),
        ("C:\\WINNT\\system32\\INETSRV", "WINNT/system32/inetsrv"),
        ("C:\\..\\..\\etc", None),
        ("E:\\inetsrv", None),
        ("\\\\server\\share\\inetsrv", None),
    ],
)
def test_registry_install_paths_map_under_path_only(install: str, found: str | None) -> None:
    from verfix.check import FileCache
    from verfix.survey import _Surveyor

    surveyor = _Surveyor(VOLUME, FileCache())
    volumes = surveyor.finder.volumes()
    surveyor.system_volume = VOLUME
    mapped = surveyor._map_windows_path(install, volumes, VOLUME / "WINNT")
    assert (mapped.relative_to(VOLUME).as_posix() if mapped else None) == found


@pytest.mark.parametrize("version, pack", [
    ((2, 0, 1239, 0), "RTM"), ((2, 0, 1380, 1000), "SP1"), ((2, 0, 1493, 1999), "SP1"),
    ((2, 0, 1493, 2188), "SP2"), ((2, 0, 1493, 3198), "SP3"), ((2, 0, 1493, 4000), "SP4"),
])
def test_sms_service_packs_by_build_and_revision(tmp_path: Path, version: tuple[int, int, int, int],
                                                 pack: str) -> None:
    # SMS 2.0 SP2 to SP4 share build 1493: the revision's thousands are the pack (1493.3xxx: SP3).
    from tests.hostile import valid_pe
    from verfix.products import sms

    assert sms.PROFILE.service_pack_of(version) == pack
    folder = tmp_path / "SMS" / "bin" / "i386"
    folder.mkdir(parents=True)
    (folder / "Smsexec.exe").write_bytes(valid_pe(file_version=version))
    product = survey(tmp_path).product("sms")
    assert product is not None and (product.release.value, product.service_pack.value) == ("2.0", pack)
    assert product.service_pack.how == f"Smsexec.exe build {version[2]}, the highest of the release programs"


def test_a_service_pack_the_programs_do_not_tell_comes_from_the_setup_value() -> None:
    # SMS's Setup "Full Version" (2.00.1380.1000 on SP1) when no program tells the pack.
    from verfix.check import FileCache
    from verfix.products import sms, sna
    from verfix.survey import _Surveyor

    class Software:
        path = Path("software")

        def values(self, key: str) -> dict[str, object]:
            return {"full version": "2.00.1380.1000"} if key == sms.SETUP_KEY else {}

    surveyor = _Surveyor(Path("/nonexistent"), FileCache())
    surveyor.software = Software()  # type: ignore[assignment]
    told = surveyor._pack_from_registry(sms.PROFILE)
    assert told is not None and told.value == "SP1"
    assert told.how == r"registry HKLM\SOFTWARE\Microsoft\SMS\Setup Full Version = 2.00.1380.1000"
    assert surveyor._pack_from_registry(sna.PROFILE) is None  # no such value in its profile
    surveyor.software = None
    assert surveyor._pack_from_registry(sms.PROFILE) is None
