"""The link-time reader against pefile's FILE_HEADER.TimeDateStamp, on real and odd PE files."""

from __future__ import annotations

from pathlib import Path

import pefile
import pytest

from verfix.pe import NotPEError, PEReadError
from verfix.pe.linktime import read_link_info

REPO = Path(__file__).resolve().parent.parent
NT4 = sorted(p for p in (REPO / "testdata" / "nt4").rglob("*") if p.is_file() and "config" not in p.parts)
CORKAMI = REPO.parent / "shared" / "corpus" / "corkami-pe"


def _pefile_stamp(path: Path) -> int | None:
    try:
        return pefile.PE(str(path), fast_load=True).FILE_HEADER.TimeDateStamp
    except pefile.PEFormatError:
        return None


@pytest.mark.parametrize("path", NT4, ids=[p.name for p in NT4])
def test_the_mock_volumes_link_times_match_pefile(path: Path) -> None:
    info = read_link_info(str(path))
    assert info.time_date_stamp == _pefile_stamp(path) != 0
    assert info.size == path.stat().st_size


def test_the_pe_corpus_matches_pefile() -> None:
    if not CORKAMI.is_dir():  # CI=true fails the session instead (conftest)
        pytest.skip(f"corkami corpus not found at {CORKAMI}")
    compared = 0
    for path in sorted(CORKAMI.iterdir()):
        expected = _pefile_stamp(path)
        try:
            got = read_link_info(str(path)).time_date_stamp
        except PEReadError:
            got = None
        assert got == expected, path.name  # the same stamp, or both refuse the file
        compared += expected is not None
    assert compared >= 200


def test_not_pe_and_truncated(tmp_path: Path) -> None:
    text = tmp_path / "a.txt"
    text.write_text("hello")
    with pytest.raises(NotPEError):
        read_link_info(str(text))
    cut = tmp_path / "cut.sys"
    data = (REPO / "testdata" / "nt4" / "WINNT" / "system32" / "drivers" / "afd.sys").read_bytes()
    lfanew = int.from_bytes(data[0x3C:0x40], "little")
    cut.write_bytes(data[: lfanew + 10])
    with pytest.raises(PEReadError, match="COFF header"):
        read_link_info(str(cut))
