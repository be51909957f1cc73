"""Reading Exchange's install path from real SOFTWARE hives, and surviving broken ones."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verfix.hive import ExchangeSetup, HiveError, read_exchange_setup

HIVES = Path(__file__).resolve().parent.parent / "testdata" / "hive"
HIVE_C = HIVES / "software-c"


def test_services_value_is_read_from_a_hivex_built_hive() -> None:
    assert read_exchange_setup(HIVE_C) == ExchangeSetup(services="C:\\exchsrvr")


def test_services_on_another_drive() -> None:
    assert read_exchange_setup(HIVES / "software-d").services == "D:\\EXCHSRVR"


def test_hive_without_exchange_gives_none() -> None:
    assert read_exchange_setup(HIVES / "software-nosetup").services is None


def test_committed_hives_match_their_reg_text() -> None:
    """The .reg recipes and the binary hives agree (checked with hivex itself when present)."""
    hivexget = shutil.which("hivexget")
    if hivexget is None:
        pytest.skip("hivexget (Debian libhivex-bin) not installed")
    out = subprocess.run(
        [hivexget, str(HIVE_C), "\\Microsoft\\Exchange\\Setup", "Services"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    assert out == "C:\\exchsrvr"
    assert '"Services"="C:\\\\exchsrvr"' in (HIVES / "software-c.reg").read_text()


@pytest.mark.parametrize(
    "content",
    [b"", b"regf", b"regf" + b"\xff" * 8188, b"MZ\x90\x00" + b"\0" * 4092, os.urandom(12288)],
    ids=["empty", "signature-only", "signature-then-ff", "a-PE-file", "random"],
)
def test_garbage_raises_hive_error_only(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "SOFTWARE"
    path.write_bytes(content)
    with pytest.raises(HiveError) as caught:
        read_exchange_setup(path)
    assert "\n" not in str(caught.value) and str(caught.value)


def test_truncated_hive(tmp_path: Path) -> None:
    path = tmp_path / "SOFTWARE"
    path.write_bytes(HIVE_C.read_bytes()[:6000])  # base block and part of the first bin
    with pytest.raises(HiveError):
        read_exchange_setup(path)


@pytest.mark.parametrize("kept", [100, 4096, 6000])
def test_a_truncated_hive_says_so_and_how_much_is_missing(tmp_path: Path, kept: int) -> None:
    whole = HIVE_C.read_bytes()
    path = tmp_path / "SOFTWARE"
    path.write_bytes(whole[:kept])
    with pytest.raises(HiveError) as caught:
        read_exchange_setup(path)
    said = f"{kept:,} bytes, shorter than the 4,096-byte header" if kept < 4096 else \
        f"{kept:,} bytes, the header says {4096 + int.from_bytes(whole[0x28:0x2C], 'little'):,}"
    assert f"not a readable registry hive: truncated ({said}); " in str(caught.value)


def test_a_wrong_signature_deep_in_the_hive_is_named_not_just_its_exception_class(tmp_path: Path) -> None:
    data = bytearray(HIVE_C.read_bytes())
    data[4096:4100] = b"xxxx"  # the first hive bin's "hbin" signature
    path = tmp_path / "SOFTWARE"
    path.write_bytes(bytes(data))
    with pytest.raises(HiveError) as caught:
        read_exchange_setup(path)
    assert str(caught.value) == "not a readable registry hive: a damaged structure (ConstError)"


def test_oversized_hive_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "SOFTWARE"
    path.write_bytes(HIVE_C.read_bytes())
    with pytest.raises(HiveError, match="larger than 4096 bytes"):
        read_exchange_setup(path, max_bytes=4096)


def test_sparse_huge_file_is_refused_without_reading(tmp_path: Path) -> None:
    path = tmp_path / "SOFTWARE"
    with open(path, "wb") as out:
        out.write(b"regf")
        out.truncate(8 * 1024 * 1024 * 1024)  # 8 GiB, sparse: costs nothing unless read
    with pytest.raises(HiveError, match="larger than"):
        read_exchange_setup(path)


def test_symlinked_hive_is_not_followed(tmp_path: Path) -> None:
    (tmp_path / "SOFTWARE").symlink_to(HIVE_C)
    with pytest.raises(HiveError, match="cannot open"):
        read_exchange_setup(tmp_path / "SOFTWARE")


def test_fifo_hive_does_not_block(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "SOFTWARE")
    with pytest.raises(HiveError, match="not a regular file"):
        read_exchange_setup(tmp_path / "SOFTWARE")


def test_directory_named_software(tmp_path: Path) -> None:
    (tmp_path / "SOFTWARE").mkdir()
    with pytest.raises(HiveError):
        read_exchange_setup(tmp_path / "SOFTWARE")


def test_reading_prints_nothing_even_when_regipy_complains(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = bytearray(HIVE_C.read_bytes())
    services_cell = data.index(b"vk\x08\x00")  # the value cell named "Services" (8 chars)
    data[services_cell : services_cell + 2] = b"xx"  # regipy logs "Could not parse VK" for this
    path = tmp_path / "SOFTWARE"
    path.write_bytes(bytes(data))
    try:
        read_exchange_setup(path)
    except HiveError:
        pass
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_regipy_is_not_imported_by_discovery_module_import() -> None:
    code = "import verfix.discover, sys; print('regipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "False"


@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flips=st.lists(st.tuples(st.integers(4096, 12287), st.integers(0, 255)), min_size=1, max_size=40))
def test_damaged_hive_gives_an_answer_or_hive_error(tmp_path: Path, flips: list[tuple[int, int]]) -> None:
    data = bytearray(HIVE_C.read_bytes())
    for offset, value in flips:
        data[offset] = value
    path = tmp_path / "SOFTWARE"
    path.write_bytes(bytes(data))
    try:
        result = read_exchange_setup(path)
    except HiveError as exc:
        assert "\n" not in str(exc)
    else:
        assert result.services is None or isinstance(result.services, str)
