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


def test_odd_names_are_spelled_per_name_and_joined_by_one_backslash():
    # Issue 8: a name that is not UTF-8 was escaped after the join, so \xe9 and the separators
    # came out doubled (D:\\EXCHSRVR\\Emsmta\xe9.exe); a backslash inside a name (Linux allows
    # it) looked like a separator.
    import os

    from verfix.names import name_from_text, name_hex

    path = Path(os.fsdecode(b"/evidence/exch01/D/EXCH 50%/a\\b/Emsmta\xe9.exe"))
    shown = windows_path(path, ROOT)
    assert shown == "D:\\EXCH 50%25\\a%5Cb\\Emsmta%E9.exe"
    assert [name_from_text(part) for part in shown.split("\\")[1:]] == [b"EXCH 50%", b"a\\b", b"Emsmta\xe9.exe"]
    assert name_hex(shown) == b"D:\\EXCH 50%\\a\\b\\Emsmta\xe9.exe".hex()
    assert windows_path(ROOT / "D" / "EXCHSRVR" / "Store.exe", ROOT) == "D:\\EXCHSRVR\\Store.exe"
