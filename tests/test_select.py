"""-m selectors in every spelling, folders of manifests, and --product matched by words."""


import pytest

from verfix.manifest import FileRow, Manifest, ManifestError
from verfix.select import (
    article_id,
    find_manifests,
    manifests_in_folder,
    matches_product,
)

TOML = """id = "{id}"
title = "A fix"
product = "Microsoft Exchange Server"
[[files]]
name = "Store.exe"
version = "5.5.2650.0"
"""


@pytest.mark.parametrize("text", ["Q236586", "q236586", "KB236586", "kb236586", "236586", " KB 236586 "])
def test_every_usual_spelling_of_an_article_finds_the_bundled_manifest(text):
    assert article_id(text) == "Q236586"
    (manifest,) = find_manifests(text)
    assert manifest.id == "Q236586"


@pytest.mark.parametrize("text", ["Q12", "KB-236586", "Q236586x", "site-fix"])
def test_not_an_article_number(text):
    assert article_id(text) is None


def test_a_file_and_a_folder_of_manifests(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.toml").write_text(TOML.format(id="Q100001"), encoding="utf-8")
    (tmp_path / "sub" / "b.toml").write_text(TOML.format(id="Q100002"), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a manifest", encoding="utf-8")
    assert [m.id for m in find_manifests(str(tmp_path / "a.toml"))] == ["Q100001"]
    assert [m.id for m in find_manifests(str(tmp_path))] == ["Q100001", "Q100002"]


def test_an_empty_folder_and_an_unknown_id_are_one_line_errors(tmp_path):
    with pytest.raises(ManifestError, match="no manifest"):
        manifests_in_folder(tmp_path)
    with pytest.raises(ManifestError, match="unknown manifest 'Q999999'"):
        find_manifests("Q999999")


def manifest(*versions):
    return Manifest("Q100001", "t", "Microsoft Exchange Server", (FileRow("a.dll"),), tuple(versions))


@pytest.mark.parametrize("query, versions, expected", [
    ("Exchange 5.5", ["5.5"], True),
    ("exchange 5.5", ["5.5 SP2"], True),
    ("5.5", ["4.0", "5.0", "5.5"], True),
    ("5.5", ["4.0", "5.0"], False),
    ("5.5", ["8.5"], False),
    ("5", ["5.5"], False),
    ("5.5 SP4", ["5.5", "5.5 SP4"], True),
    ("5.5 SP4", ["5.5 SP2", "5.0"], False),
    ("Exchange", [], True),
    ("Outlook", ["5.5"], False),
    ("Microsoft Exchange Server 5.0", ["4.0", "5.0"], True),
])
def test_product_is_matched_by_words(query, versions, expected):
    assert matches_product(manifest(*versions), query) is expected
