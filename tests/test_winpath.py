"""--windows-paths: D:\\EXCHSRVR\\BIN\\EMSMTA.EXE from a copy laid out by drive letter."""

from pathlib import Path

import pytest

from verfix.winpath import windows_path

ROOT = Path("/evidence/exch01")


@pytest.mark.parametrize("drive", ["D", "d", "D:", "D$"])
def test_a_drive_folder_under_the_root_is_the_drive(drive):
    path = ROOT / drive / "EXCHSRVR" / "BIN" / "EMSMTA.EXE"
    assert windows_path(path, ROOT) == r"D:\EXCHSRVR\BIN\EMSMTA.EXE"


def test_the_root_itself_named_as_a_drive():
    assert windows_path(Path("/copies/C/exchsrvr/bin/Store.exe"), Path("/copies/C")) == r"C:\exchsrvr\bin\Store.exe"


def test_without_a_drive_folder_the_path_starts_at_the_volume_root():
    assert windows_path(ROOT / "exchsrvr" / "bin" / "Store.exe", ROOT) == r"\exchsrvr\bin\Store.exe"


def test_a_folder_named_like_a_drive_deeper_down_is_not_a_drive():
    assert windows_path(ROOT / "data" / "D" / "x.dll", ROOT) == r"\data\D\x.dll"


def test_outside_the_root_unchanged():
    assert windows_path(Path("/elsewhere/x.dll"), ROOT) == "/elsewhere/x.dll"
