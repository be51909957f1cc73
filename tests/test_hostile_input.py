"""Issue 8, input side: import targets, duplicate ids, special and huge inputs, loose
validation, versions of 5,000 digits."""

from __future__ import annotations

import dataclasses
import json
import os
import threading
from pathlib import Path

import pytest

from verfix.cli import main
from verfix.fsio import InputFileError, read_bounded
from verfix.kbimport.envelope import MAX_ARTICLE_BYTES
from verfix.manifest import MAX_MANIFEST_BYTES, ManifestError, load_manifest, parse_manifest
from verfix.version import VersionError, parse_version, try_parse_version

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "kb"
SP2 = REPO / "testdata" / "sp2" / "exchsrvr" / "bin"
MANIFEST = (REPO / "manifests" / "Q236586.toml").read_text()


# --- row 1: manifests import -o DIR writes outside DIR ----------------------------------

def _article(tmp_path: Path, article_id: str, name: str = "Q900002.md", folder: str = "in") -> Path:
    text = (FIXTURES / "Q900002.md").read_text().replace("Article: Q900002", f"Article: {article_id}")
    path = tmp_path / folder / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return path


@pytest.mark.parametrize("article_id", ["../../x", "/tmp/x", "Q236586/../../x", "Q12", "Q１２３４５６"])
def test_import_never_writes_outside_the_folder(tmp_path: Path, article_id: str, capsys) -> None:
    article = _article(tmp_path, article_id)
    out = tmp_path / "out" / "deep"
    out.mkdir(parents=True)
    before = set(Path("/tmp").iterdir())
    code = main(["manifests", "import", str(article), "-o", str(out)])
    err = capsys.readouterr().err
    assert code in (2, 3), err  # the importer skips it (3), or the writer refuses it (2)
    assert "not an article id" in err or "not a KB article id" in err
    assert list(out.iterdir()) == [] and list((tmp_path / "out").iterdir()) == [out]
    assert not (tmp_path / "x.toml").exists()
    assert {p for p in set(Path("/tmp").iterdir()) - before if p.name.startswith("x")} == set()


@pytest.mark.parametrize("article_id", ["../../x", "/tmp/x", "Q236586/../../x", "Q１２３４５６", "Q123456\n"])
def test_the_writer_checks_ids_itself(tmp_path: Path, article_id: str) -> None:
    """Whatever the importer lets through, the writer confines its output to DIR/<id>.toml."""
    from verfix import kbimport
    from verfix.cli import common, manifests as cli

    good = kbimport.read_article(_article(tmp_path, "Q900002"))
    hostile = dataclasses.replace(good, id=article_id)
    with pytest.raises(common.InputError, match="not a KB article id"):
        cli.planned_manifests([hostile], tmp_path)
    injected = dataclasses.replace(good, rows=good.rows[:1], title=good.title + "\nx")
    with pytest.raises((common.InputError, ManifestError)):
        cli.planned_manifests([injected], tmp_path)
    assert cli.planned_manifests([good], tmp_path)[0][0] == tmp_path / "Q900002.toml"


def test_import_writes_exactly_dir_slash_id(tmp_path: Path) -> None:
    article = _article(tmp_path, "Q900002")
    out = tmp_path / "out"
    out.mkdir()
    assert main(["manifests", "import", str(article), "-o", str(out)]) == 0
    assert [p.name for p in out.iterdir()] == ["Q900002.toml"]
    assert load_manifest(out / "Q900002.toml").id == "Q900002"


def test_import_refuses_two_articles_claiming_one_id(tmp_path: Path, capsys) -> None:
    first = _article(tmp_path, "Q900002", "Q900002.md", "one")
    second = _article(tmp_path, "Q900002", "Q900002.md", "two")
    other = FIXTURES / "Q900001.TXT"
    out = tmp_path / "out"
    out.mkdir()
    code = main(["manifests", "import", str(first), str(other), str(second), "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 3  # both refused, the rest imported
    lines = [text for text in err.splitlines() if "claimed by both" in text]
    assert len(lines) == 2 and all(str(first) in line and str(second) in line for line in lines)
    assert [p.name for p in out.iterdir()] == ["Q900001.toml"]
    code = main(["manifests", "import", str(first.parent), str(second.parent), "-f", "json"])
    records = json.loads(capsys.readouterr().out)
    assert code == 3 and [(r["id"], r["status"]) for r in records] == [("Q900002", "skipped")] * 2


def test_import_does_not_replace_a_special_file_in_the_folder(tmp_path: Path, capsys) -> None:
    article = _article(tmp_path, "Q900002")
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / "Q900002.toml")
    assert main(["manifests", "import", str(article), "-o", str(out)]) == 2
    assert "FIFO" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["Q900002.toml"]


# --- row 6: duplicate article ids ----------------------------------------------------------

def test_two_manifests_with_one_id_are_refused_naming_both(tmp_path: Path, capsys) -> None:
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    a.write_text(MANIFEST)
    b.write_text(MANIFEST.replace("5.5.2646.0", "5.5.1960.0"))
    for order in ((a, b), (b, a)):
        code = main(["check", str(SP2), "--bin-dir", "-m", str(order[0]), "-m", str(order[1])])
        err = capsys.readouterr().err
        assert code == 2
        assert str(a) in err and str(b) in err and "Q236586" in err


def test_the_same_manifest_twice_is_one_manifest(tmp_path: Path) -> None:
    a = tmp_path / "a.toml"
    a.write_text(MANIFEST)
    assert main(["check", str(SP2), "--bin-dir", "-m", str(a), "-m", str(a), "-q"]) == 1


# --- row 8: manifests and articles read with no type or size check ---------------------

def _no_hang(call) -> object:
    result: list = []
    worker = threading.Thread(target=lambda: result.append(_outcome(call)), daemon=True)
    worker.start()
    worker.join(10)
    assert not worker.is_alive(), "blocked"
    return result[0]


def _outcome(call):
    try:
        return call()
    except Exception as error:  # noqa: BLE001 - the test looks at what was raised
        return error


def test_fifo_manifest_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "Q236586.toml"
    os.mkfifo(fifo)
    error = _no_hang(lambda: load_manifest(fifo))
    assert isinstance(error, ManifestError) and "FIFO" in str(error)


def test_manifest_linked_to_dev_zero_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "Q236586.toml"
    link.symlink_to("/dev/zero")
    error = _no_hang(lambda: load_manifest(link))
    assert isinstance(error, ManifestError) and "device" in str(error)


def test_fifo_article_is_skipped_without_hanging(tmp_path: Path, capsys) -> None:
    fifo = tmp_path / "Q900001.TXT"
    os.mkfifo(fifo)
    code = _no_hang(lambda: main(["manifests", "import", str(fifo), "-f", "json"]))
    assert code == 3
    assert "FIFO" in capsys.readouterr().err


def test_article_linked_to_dev_zero_is_skipped(tmp_path: Path, capsys) -> None:
    (tmp_path / "Q900001.TXT").symlink_to("/dev/zero")
    assert _no_hang(lambda: main(["manifests", "import", str(tmp_path / "Q900001.TXT"),
                                  "-f", "json"])) == 3
    assert "device" in capsys.readouterr().err


# --- row 9: size caps ------------------------------------------------------------------------

def test_huge_manifest_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    with open(path, "wb") as out:
        out.write(MANIFEST.encode())
        out.truncate(50 << 20)  # 50 MB, sparse
    with pytest.raises(ManifestError, match=f"larger than {MAX_MANIFEST_BYTES} bytes"):
        load_manifest(path)


def test_huge_article_is_refused_before_it_is_read(tmp_path: Path, capsys) -> None:
    path = tmp_path / "Q900001.TXT"
    with open(path, "wb") as out:
        out.write((FIXTURES / "Q900001.TXT").read_bytes())
        out.truncate(100 << 20)
    assert main(["manifests", "import", str(path), "-f", "json"]) == 3
    assert f"larger than {MAX_ARTICLE_BYTES} bytes" in capsys.readouterr().err


def test_bounded_reader_notices_a_file_that_grows(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 100)
    real_fstat = os.fstat

    def shrunk_fstat(fd):  # fstat said 10 bytes; the file holds 100
        info = real_fstat(fd)
        return os.stat_result((*info[:6], 10, *info[7:]))

    monkeypatch.setattr(os, "fstat", shrunk_fstat)
    with pytest.raises(InputFileError, match="grew"):
        read_bounded(path, 50)
    assert read_bounded(path, 100) == b"x" * 100


# --- row 5: versions of 5,000 digits -------------------------------------------------------

def test_a_5000_digit_version_is_a_version_error_not_a_crash() -> None:
    huge = "5" * 5000
    for text in (huge, f"5.5.{huge}.0", f"5, 5, {huge}, 0"):
        with pytest.raises(VersionError, match="above 65535") as caught:
            parse_version(text)
        assert len(str(caught.value)) < 200
        assert try_parse_version(text) is None
    assert parse_version("0000000000005.5") == (5, 5, 0, 0)  # leading zeros are no size


def test_a_5000_digit_manifest_version_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "Q236586.toml"
    path.write_text(MANIFEST.replace('"5.5.2646.0"', '"' + "9" * 5000 + '"', 1))
    with pytest.raises(ManifestError) as caught:
        load_manifest(path)
    assert "above 65535" in str(caught.value) and len(str(caught.value)) < 300


# --- row 14: loose validation ----------------------------------------------------------------

def _manifest(**changes: str) -> dict:
    data = {"id": "Q123456", "title": "t", "product": "Microsoft Exchange",
            "files": [{"name": "Emsmta.exe", "version": "5.5.2646.0"}]}
    for key, value in changes.items():
        if key in ("name", "version"):
            data["files"][0][key] = value
        else:
            data[key] = value
    return data


@pytest.mark.parametrize("changes", [
    {"id": "Q123456\n"}, {"id": "Q１２３４５６"}, {"id": "Q123"},
    {"version": "５.５.２６４６.０"},
    {"name": "Ems\0mta.exe"}, {"name": "C:Emsmta.exe"}, {"name": "..."}, {"name": "Emsmta.exe."},
    {"name": "NUL"}, {"name": "com1.dll"}, {"name": "a\nb.exe"}, {"name": "x:stream"},
    {"title": "\x1b[2J\x1b[31mowned"}, {"product": "Exchange\r\n"},
])
def test_strict_manifest_validation(changes: dict) -> None:
    with pytest.raises(ManifestError):
        parse_manifest(_manifest(**changes), "test")


def test_plain_names_still_pass() -> None:
    for name in ("Emsmta.exe", "X400om.dll", "MAD.EXE", "Dcprods.cat", "a b.dll", "console.dll"):
        assert parse_manifest(_manifest(name=name), "test").files[0].name == name


def test_deeply_nested_toml_is_an_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "deep.toml"
    path.write_text("x = " + "[" * 100_000 + "]" * 100_000 + "\n")
    with pytest.raises(ManifestError, match="not valid TOML"):
        load_manifest(path)


def test_article_name_with_a_newline_does_not_inject_into_the_manifest(tmp_path: Path) -> None:
    article = _article(tmp_path, "Q900002", 'Q900002\n[[files]]\nname = "evil.exe"\n.md')
    out = tmp_path / "out"
    out.mkdir()
    code = main(["manifests", "import", str(article), "-o", str(out)])
    assert code in (0, 3)  # written without the injected row, or skipped (name is not the id)
    for written in out.iterdir():
        assert [row.name for row in load_manifest(written).files] == ["Gadcon.dll", "Gadcon.ini"]


# --- rows 5 and 6, as a tester found them after the first fixes ------------------------------

def test_validate_refuses_two_files_of_one_id_naming_both(tmp_path: Path, capsys) -> None:
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    a.write_text(MANIFEST)
    b.write_text(MANIFEST.replace("5.5.2646.0", "5.5.1960.0"))
    assert main(["manifests", "validate", str(a), str(b)]) == 2
    captured = capsys.readouterr()
    assert f"invalid: {b}: id Q236586 is also the id of {a}" in captured.err
    assert f"ok: {a}" in captured.out and f"ok: {b}" not in captured.out
    # One file named twice (or by another spelling of its path) is one file.
    assert main(["manifests", "validate", str(a), str(tmp_path / "." / "a.toml"), str(tmp_path)]) == 2
    assert main(["manifests", "validate", str(a), str(tmp_path / "." / "a.toml")]) == 0


def test_a_5000_digit_article_version_gives_a_short_line(tmp_path: Path, capsys) -> None:
    article = tmp_path / "Q900001.TXT"
    text = (FIXTURES / "Q900001.TXT").read_text(encoding="utf-8")
    article.write_text(text.replace("5.5.2701.0", "5.5." + "9" * 5000 + ".0", 1), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    assert main(["manifests", "import", str(article), "-o", str(out)]) == 3
    (line,) = [line for line in capsys.readouterr().err.splitlines() if "skipped:" in line]
    assert len(line) < 400 and "is not a version" in line and "characters)" in line
    assert list(out.iterdir()) == []
