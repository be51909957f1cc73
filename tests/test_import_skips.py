"""manifests import of several articles: a bad one is skipped in one line, the rest imported.

Exit 3 at the end, and -f json says the same; one id in two articles refuses both, naming both
files; a refusal quotes at most ~40 characters of the offending text and its length.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.test_kbimport_styles import article_text
from verfix.cli import main
from verfix.kbimport import SKIPPED, parse_article
from verfix.kbimport.model import excerpt

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "kb"


def _folder(tmp_path: Path) -> Path:
    """Two good articles, one with a table line that cannot be placed, one whose header is not
    an article's, and one with a header line of 5,000 characters."""
    folder = tmp_path / "articles"
    folder.mkdir()
    for name in ("Q900001.TXT", "Q900002.md", "Q900011.TXT"):
        shutil.copy(FIXTURES / name, folder / name)
    (folder / "Q900040.TXT").write_text("DOCUMENT:Q900040  01-JAN-2001\nTITLE   :x\n")
    (folder / "Q900041.TXT").write_text("DOCUMENT:Q900041  01-JAN-2001\n" + "Z" * 5000 + "\n")
    return folder


def test_a_bad_article_is_skipped_and_the_rest_imported(tmp_path: Path, capsys) -> None:
    folder, out = _folder(tmp_path), tmp_path / "out"
    out.mkdir()
    code = main(["manifests", "import", str(folder), str(tmp_path / "Q404.TXT"), "-o", str(out)])
    err = capsys.readouterr().err.splitlines()
    assert code == 3
    assert sorted(p.name for p in out.iterdir()) == ["Q900001.toml", "Q900002.toml"]
    skipped = [line for line in err if ": skipped: " in line]
    assert [line.split(":")[0] for line in skipped] == ["Q900011.TXT", "Q900040.TXT", "Q900041.TXT"]
    assert any("Q404.TXT: no such file or folder; skipped" in line for line in err)
    assert all(len(line) < 200 for line in err), max(err, key=len)
    assert any("(5,000 characters)" in line for line in skipped)

    code = main(["manifests", "import", str(folder), str(tmp_path / "Q404.TXT"), "-f", "json"])
    records = json.loads(capsys.readouterr().out)
    assert code == 3
    assert {r["id"]: r["status"] for r in records} == {
        "Q900001": "imported", "Q900002": "imported", "Q900011": "skipped", "Q900040": "skipped",
        "Q900041": "skipped"}


def test_one_id_in_two_folders_refuses_both_naming_both_files(tmp_path: Path, capsys) -> None:
    one, two, out = tmp_path / "one", tmp_path / "two", tmp_path / "out"
    for folder in (one, two, out):
        folder.mkdir()
    shutil.copy(FIXTURES / "Q900001.TXT", one)
    shutil.copy(FIXTURES / "Q900001.TXT", two)
    shutil.copy(FIXTURES / "Q900002.md", two)
    assert main(["manifests", "import", str(one), str(two), "-o", str(out)]) == 3
    lines = [line for line in capsys.readouterr().err.splitlines() if "claimed by both" in line]
    assert len(lines) == 2
    assert all(str(one / "Q900001.TXT") in line and str(two / "Q900001.TXT") in line for line in lines)
    assert [p.name for p in out.iterdir()] == ["Q900002.toml"]


def test_a_long_offending_line_is_quoted_by_its_start_and_length() -> None:
    line = "   04/17/00  03:56p  4.00.1113   31,872  Mstcp.dll   Amiga" + " junk" * 2000
    article = parse_article(article_text("   Date      Time    Version     Size    File name   Platform\n   "
                                         + "-" * 58 + "\n" + line))
    assert article.status == SKIPPED
    assert article.error.endswith(f"'04/17/00  03:56p  4.00.1113   31,872  Ms…' ({len(line.strip()):,} characters)")
    assert len(article.error) < 160


def test_excerpt_keeps_short_texts_whole() -> None:
    assert excerpt("Store.exe  5.5.2650.21") == "'Store.exe  5.5.2650.21'"
    assert excerpt("x" * 50) == repr("x" * 50)
    assert excerpt("x" * 51) == repr("x" * 40 + "…") + " (51 characters)"
    assert excerpt("a\x1bb") == "'a b'"  # one line, no control character
