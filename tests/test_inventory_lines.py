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
