"""The headers unpacked in one call from the head (fast._parse_headers) against the field by
field reads (fast._parse_headers_by_reads) on every file of the corpora, PE32 and PE32+."""

from __future__ import annotations

import os
from pathlib import Path

from verfix.pe import PEReadError, fast
from verfix.pe.fileio import BoundedFile, open_regular_file, pread_upto

REPO = Path(__file__).resolve().parent.parent
ROOTS = [REPO / "testdata", REPO.parent / "shared" / "corpus" / "corkami-pe",
         *(Path(p) for p in (os.environ.get("BENCH_CORPUS"),) if p)]


def _answer(parse, fd: int, size: int, head: bytes) -> object:
    try:
        machine, rva, image = parse(BoundedFile(fd, size, head), head)
    except PEReadError as error:
        return str(error)
    if image is None:
        return machine, rva, None
    return machine, rva, image.count, image.alignment, image.low_alignment, bytes(
        memoryview(image.table)[image.table_at:image.table_at + image.count * 40])


def test_headers_in_one_unpack_read_as_field_by_field() -> None:
    compared = set()
    for root in ROOTS:
        for folder, _, names in os.walk(root):
            for name in names:
                path = os.path.join(folder, name)
                if os.path.islink(path):
                    continue
                fd, size = open_regular_file(path)
                try:
                    head = pread_upto(fd, 0, 4096)
                    if head[:2] != b"MZ":
                        continue
                    fast_answer = _answer(fast._parse_headers, fd, size, head)
                    assert fast_answer == _answer(fast._parse_headers_by_reads, fd, size, head), path
                    if isinstance(fast_answer, tuple):
                        compared.add(fast_answer[0])
                finally:
                    os.close(fd)
    assert {"i386", "amd64"} <= compared
