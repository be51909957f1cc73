"""The JSON Lines made where each file is read (verfix.inventory.lines, inventory_lines)
against the plain way: records, then write_inventory_jsonl (itself held to write_jsonl)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from test_inventory_fast_paths import tree  # noqa: F401 - the fixture
from verfix.inventory import InventoryStats, inventory, inventory_lines, parallel
from verfix.inventory.lines import LINE_HEAD, tail_template
from verfix.inventory.output import write_inventory_jsonl


def _plain(root: Path | str, **options) -> tuple[str, dict]:
    stats = InventoryStats()
    text = io.StringIO()
    write_inventory_jsonl(inventory(root, stats=stats, **options), text)
    return text.getvalue(), stats.as_dict()


def _lines(root: Path | str, **options) -> tuple[str, dict]:
    stats = InventoryStats()
    text = "".join(inventory_lines(root, stats=stats, **options))
    return text, stats.as_dict()


@pytest.mark.parametrize("options", [
    {}, {"hash_algorithm": "md5,sha1,sha256", "host": 'EXCH"01 %s'}, {"host": "h"},
    {"hash_algorithm": "sha1"}])
@pytest.mark.parametrize("jobs", [1, 2])
def test_lines_are_the_records_lines(tree: Path, options: dict, jobs: int) -> None:  # noqa: F811
    expected = _plain(tree, **options)
    got = _lines(tree, jobs=jobs, **options)
    assert got == expected
    assert '"path_hex": ' in got[0]  # a name that is not UTF-8, spelled as as_dict() does
    assert got[1]["pe_files"] > 10 and got[1]["read_errors"] > 0


def test_lines_with_shown_paths_come_from_the_records(tree: Path) -> None:  # noqa: F811
    def shown(path: str) -> str:
        return "X:" + path

    assert _lines(tree, shown_path=shown) == _plain(tree, shown_path=shown)


def test_the_tail_template_keeps_percent_signs_and_the_key_order() -> None:
    template = tail_template(("md5",), "a%b")
    line = LINE_HEAD + '"p"' + template % (7, *["null"] * 11, '"d"', "null")
    keys = list(__import__("json").loads(line))
    assert keys[:3] == ["schema_version", "path", "size"] and keys[-3:] == ["md5", "error", "host"]
    assert line.endswith('"host": "a%b"}\n')


def test_lines_on_the_bench_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = os.environ.get("BENCH_CORPUS")
    if not corpus:
        pytest.skip("BENCH_CORPUS is not set")
    monkeypatch.setattr(parallel, "SERIAL_FILES", 100)
    expected = _plain(corpus, hash_algorithm="md5")
    assert _lines(corpus, hash_algorithm="md5") == expected
    assert _lines(corpus, jobs=2) == _plain(corpus)
    assert expected[1]["pe_files"] > 1000


def test_a_kept_no_version_line_takes_each_files_size() -> None:
    from verfix.inventory.lines import tail_maker
    from verfix.inventory.output import record_line_maker
    from verfix.inventory.records import InventoryRecord

    tail = tail_maker((), "h")
    line_of = record_line_maker()
    for size in (10, 20_000, 10):
        for error in ("no version resource", "odd 100% %s %d"):
            fields = (None,) * 10 + ("i386", error)
            record = InventoryRecord("/p", size=size, machine="i386", error=error, host="h")
            assert LINE_HEAD + '"/p"' + tail("/p", size, fields, {}) == line_of(record)


def _corpus_files() -> list[str]:
    from test_inventory_fast_paths import CORKAMI, TESTDATA

    roots = [str(TESTDATA), str(CORKAMI)] + [p for p in (os.environ.get("BENCH_CORPUS"),) if p]
    return [os.path.join(folder, name) for root in roots for folder, _, names in os.walk(root)
            for name in names if not os.path.islink(os.path.join(folder, name))]


def test_fields_straight_from_the_parse_are_pe_fields_of_read_open() -> None:
    from verfix.inventory.reading import fast_fields, pe_fields
    from verfix.pe import PEReadError, fast
    from verfix.pe.fileio import open_regular_file, pread_upto

    compared = 0
    for path in _corpus_files():
        fd, size = open_regular_file(path)
        try:
            head = pread_upto(fd, 0, 4096)
            if head[:2] != b"MZ":
                continue
            try:
                expected: object = pe_fields(fast.read_open(fd, size, head))
            except PEReadError as error:
                expected = str(error)
            try:
                got: object = fast_fields(fd, size, head)
            except PEReadError as error:
                got = str(error)
        finally:
            os.close(fd)
        assert got == expected, path
        compared += 1
    assert compared > 200


@pytest.mark.parametrize("jobs", [1, 2])
def test_names_with_percent_signs_and_line_separators_are_spelled_as_the_records_spell_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int) -> None:
    source = (Path(__file__).resolve().parent.parent / "testdata/sp3/exchsrvr/bin/Emsmta.exe").read_bytes()
    for name in ("50%.exe", "100%25.dll", "a\u2028b.exe", "c\x85d.exe", "plain.exe"):
        (tmp_path / name).write_bytes(source)
    monkeypatch.setattr(parallel, "SERIAL_FILES", 1)
    got = _lines(tmp_path, jobs=jobs)
    assert got == _plain(tmp_path)
    assert "50%25.exe" in got[0] and "100%2525.dll" in got[0]  # % spelled %25, path_hex added
    assert "\u2028" not in got[0] and "\x85" not in got[0]
    assert len(got[0].splitlines()) == 5
