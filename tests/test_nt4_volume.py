"""The mock Windows NT 4.0 volume testdata/nt4 is what its recipe list says, read by pefile and regipy."""

from __future__ import annotations

import datetime as dt
import filecmp
import shutil
import subprocess
import sys
from pathlib import Path

import pefile
import pytest
from regipy.registry import RegistryHive

from verfix.version import parse_version

REPO = Path(__file__).resolve().parent.parent
TESTDATA = REPO / "testdata"
VOLUME = TESTDATA / "nt4"
CONFIG = VOLUME / "WINNT" / "system32" / "config"
RECIPE = TESTDATA / "nt4-files.tsv"
I386 = 0x14C


def recipe() -> list[dict[str, str]]:
    lines = [line for line in RECIPE.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:]]


ROWS = recipe()


def test_volume_holds_exactly_the_listed_files_and_two_hives() -> None:
    on_disk = {p.relative_to(VOLUME).as_posix() for p in VOLUME.rglob("*") if p.is_file()}
    listed = {row["path"] for row in ROWS}
    assert on_disk == listed | {"WINNT/system32/config/software", "WINNT/system32/config/system"}
    folders = {str(Path(row["path"]).parent) for row in ROWS}
    assert folders == {
        "WINNT/system32", "WINNT/system32/drivers", "WINNT/system32/inetsrv", "exchsrvr/bin",
    }


@pytest.mark.parametrize("row", ROWS, ids=[row["path"] for row in ROWS])
def test_binary_has_the_listed_version_link_time_and_size(row: dict[str, str]) -> None:
    path = VOLUME / row["path"]
    pe = pefile.PE(str(path))
    assert pe.FILE_HEADER.Machine == I386
    info = pe.VS_FIXEDFILEINFO[0]
    fixed = (info.FileVersionMS >> 16, info.FileVersionMS & 0xFFFF,
             info.FileVersionLS >> 16, info.FileVersionLS & 0xFFFF)
    assert ".".join(map(str, fixed)) == row["version"]
    strings = {
        key.decode(): value.decode()
        for file_info in pe.FileInfo[0] if file_info.Key == b"StringFileInfo"
        for table in file_info.StringTable for key, value in table.entries.items()
    }
    assert strings["FileVersion"] == row["string"]
    assert strings["FileDescription"] == row["description"]
    linked = dt.datetime.fromtimestamp(pe.FILE_HEADER.TimeDateStamp, dt.timezone.utc)
    assert linked.strftime("%Y-%m-%d %H:%M") == row["linked"]
    size = path.stat().st_size
    if row["size"] == "-":
        assert size <= 8192
    else:
        assert size == int(row["size"])
        assert pe.get_overlay_data_start_offset() is not None  # padded after the image
        assert set(pe.get_overlay()) == {0}


def _values(hive: RegistryHive, path: str) -> dict[str, object]:
    return {value.name: value.value for value in hive.get_key(path).iter_values()}


def test_software_hive_has_the_version_hotfix_and_install_records() -> None:
    hive = RegistryHive(str(CONFIG / "software"))
    current = _values(hive, r"\Microsoft\Windows NT\CurrentVersion")
    assert (current["CurrentVersion"], current["CurrentBuildNumber"], current["CSDVersion"]) == (
        "4.0", "1381", "Service Pack 6",
    )
    hotfixes = {key.name for key in hive.get_key(r"\Microsoft\Windows NT\CurrentVersion\Hotfix").iter_subkeys()}
    assert hotfixes == {"Q246009", "Q307991", "Q320249"}
    assert _values(hive, r"\Microsoft\Windows NT\CurrentVersion\Hotfix\Q307991")["Installed"] == 1
    assert _values(hive, r"\Microsoft\InetStp")["InstallPath"] == "C:\\WINNT\\System32\\inetsrv"
    assert _values(hive, r"\Microsoft\Exchange\Setup")["Services"] == "C:\\exchsrvr"


def test_system_hive_says_an_ordinary_server() -> None:
    hive = RegistryHive(str(CONFIG / "system"))
    assert _values(hive, r"\Select")["Current"] == 1
    assert _values(hive, r"\ControlSet001\Control\ProductOptions") == {"ProductType": "ServerNT"}


def test_the_overwritten_hotfix_and_the_branch_row_are_set_up() -> None:
    by_path = {row["path"]: row for row in ROWS}
    tcpip = by_path["WINNT/system32/drivers/tcpip.sys"]
    assert parse_version(tcpip["version"]) < parse_version("4.0.1381.7109")
    assert "Q307991" in tcpip["chosen_against"]
    lsasrv = by_path["WINNT/system32/lsasrv.dll"]
    assert parse_version(lsasrv["version"])[2:] == (1381, 7097)  # the ordinary line, not 33xxx
    assert "Q284849" in lsasrv["chosen_against"]


@pytest.mark.skipif(shutil.which("hivexregedit") is None, reason="hivexregedit (libwin-hivex-perl) not installed")
@pytest.mark.parametrize("name", ["software", "system"])
def test_hive_recipe_reproduces_the_committed_hive(tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    subprocess.run([sys.executable, str(TESTDATA / "hive" / "make_empty_hive.py"), str(out)], check=True)
    subprocess.run(
        ["hivexregedit", "--merge", "--prefix", f"HKEY_LOCAL_MACHINE\\{name.upper()}", str(out),
         str(TESTDATA / "hive" / f"nt4-{name}.reg")],
        check=True, capture_output=True,
    )
    assert filecmp.cmp(out, CONFIG / name, shallow=False)
