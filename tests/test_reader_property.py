"""Mutated binaries: each reader returns PEInfo or raises PEReadError, never anything else."""

from __future__ import annotations

import struct
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verfix.pe import PEInfo, PEReadError, Reader, read_pe_file

sys.path.insert(0, str(Path(__file__).parent))
import hostile  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def seeds() -> dict[str, bytes]:
    """Valid images to mutate: crafted ones, plus testdata binaries when they are built."""
    images = {"pe32": hostile.valid_pe(), "pe32plus": hostile.pe32plus(),
              "multilang": hostile.valid_pe(tables=[("040704B0", {"FileVersion": "de"}),
                                                    ("040904B0", {"FileVersion": "us"})])}
    for name in ("pe/multilang.dll", "pe/amd64.dll", "sp3/exchsrvr/bin/X400omv1.dll"):
        path = REPO / "testdata" / name
        if path.is_file():
            images[name] = path.read_bytes()
    return images


SEEDS = seeds()
# Where the interesting structures are in the crafted image: the resource tree and the
# version block start at the .rsrc section (file offset 0x200 in hostile.build_pe).
RESOURCE_START = 0x200

settings.register_profile("reader", max_examples=200, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                 HealthCheck.too_slow])


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A seed image with bit flips, overwritten fields and possibly a truncation."""
    data = bytearray(SEEDS[draw(st.sampled_from(sorted(SEEDS)))])
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["flip", "word", "dword", "resource-dword"]))
        if kind == "flip":
            position = draw(st.integers(0, len(data) - 1))
            data[position] ^= 1 << draw(st.integers(0, 7))
        elif kind == "word":
            position = draw(st.integers(0, len(data) - 2))
            struct.pack_into("<H", data, position, draw(st.sampled_from(
                [0, 1, 6, 52, 0x7FFF, 0xFFFF]) | st.integers(0, 0xFFFF)))
        else:
            low = RESOURCE_START if kind == "resource-dword" else 0
            position = draw(st.integers(min(low, len(data) - 4), len(data) - 4))
            struct.pack_into("<I", data, position, draw(st.sampled_from(
                [0, 0x80000000, 0xFFFFFFFF, 0x7FFFFFFF, 0x10, 0x18]) | st.integers(0, 0xFFFFFFFF)))
    if draw(st.booleans()):
        data = data[:draw(st.integers(0, len(data)))]
    return bytes(data)


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("property") / "mutated.dll"


@pytest.mark.parametrize("reader", [Reader.FAST, Reader.PEFILE], ids=lambda r: r.value)
@settings(settings.get_profile("reader"))
@given(data=mutated())
def test_reader_answers_or_refuses(target: Path, reader: Reader, data: bytes) -> None:
    target.write_bytes(data)
    try:
        result = read_pe_file(str(target), reader)
    except PEReadError as error:
        reason = str(error)
        assert reason and "\n" not in reason and str(target) not in reason
    else:
        assert isinstance(result, PEInfo)
        assert result.file_version is None or result.version_problem is None
        assert result.has_version_resource or result.version_problem == "no version resource"
