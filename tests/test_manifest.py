"""Manifest loading and validation."""

import json
from pathlib import Path

import pytest

from verfix.manifest import ManifestError, load_bundled, load_manifest
from verfix.select import find_manifests
from verfix.version import Version


def find_manifest(selector: str):
    (manifest,) = find_manifests(selector)
    return manifest

REPO = Path(__file__).resolve().parent.parent

VALID = '''
id = "Q123456"
title = "A test article"
product = "Microsoft Exchange Server"
product_versions = ["5.5"]

[[files]]
name = "Emsmta.exe"
version = "5.5.2646.0"

[[files]]
name = "P2.xv2"
'''


def write(tmp_path: Path, text: str, name: str = "m.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_q236586_has_all_fifteen_rows():
    manifest = load_manifest(REPO / "manifests" / "Q236586.toml")
    assert manifest.id == "Q236586"
    assert manifest.fixed_in == "Exchange Server 5.5 SP3"
    assert manifest.product_versions == ("5.5",)
    assert len(manifest.files) == 15
    versioned = {row.name: row.version for row in manifest.files if row.version}
    assert versioned == {
        name: Version(5, 5, 2646, 0)
        for name in ["Ems_rid.dll", "Emsmta.exe", "Mtacheck.exe", "Mtamsg.dll", "X400om.dll", "X400omv1.dll"]
    }
    unversioned = {row.name for row in manifest.files if row.version is None}
    assert unversioned == {
        "Dbserver.sch", "Dcprods.cat", "Info4log.cfg", "Infoblog.cfg", "Infodlog.cfg",
        "Infollog.cfg", "Infoplog.cfg", "Infotlog.cfg", "P2.xv2",
    }


def test_bundled_manifests_include_q236586():
    ids = [manifest.id for manifest in load_bundled()]
    assert "Q236586" in ids
    assert len(ids) == len(set(ids))


def test_valid_manifest_loads(tmp_path):
    manifest = load_manifest(write(tmp_path, VALID))
    assert [row.name for row in manifest.files] == ["Emsmta.exe", "P2.xv2"]
    assert manifest.files[0].version == Version(5, 5, 2646, 0)
    assert manifest.files[1].version is None


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda t: t.replace('title = "A test article"', 'title = "x"\ncolour = "red"'), "unknown key 'colour'"),
        (lambda t: t.replace('name = "P2.xv2"', 'name = "P2.xv2"\nsha = "x"'), "unknown key 'sha'"),
        (lambda t: t.replace('version = "5.5.2646.0"', 'version = "5.5.x"'), "bad version"),
        (lambda t: t.replace('version = "5.5.2646.0"', 'version = "5.5.2646.0 (SP3)"'), "bad version"),
        (lambda t: t.replace('version = "5.5.2646.0"', 'version = "5.5.70000.0"'), "bad version"),
        (lambda t: t.replace('name = "P2.xv2"', 'name = "EMSMTA.EXE"'), "duplicate file 'EMSMTA.EXE'"),
        (lambda t: t.replace('id = "Q123456"\n', ""), "missing 'id'"),
        (lambda t: t.replace('id = "Q123456"', 'id = "KB 123"'), "is neither a KB article id"),
            (lambda t: t.replace('id = "Q123456"', 'id = "123456"'), "write it Q123456"),
        (lambda t: t.replace('name = "P2.xv2"', 'name = "..\\\\evil.dll"'), "plain name"),
        (lambda t: t.replace('name = "P2.xv2"', 'name = "P2.xv2"\nplatform = "sparc"'), "platform must be"),
        (lambda t: t.replace('name = "P2.xv2"', 'name = "P2.xv2"\nsize = "big"'), "'size' must be an integer"),
        (lambda t: t.replace('product_versions = ["5.5"]', 'product_versions = "5.5"'),
         "'product_versions' must be a list"),
        (lambda t: t + "[[files]]\nversion = \"1.0\"\n", "missing 'name'"),
        (lambda t: t.split("[[files]]")[0] + "files = []\n", "'files' is empty"),
        (lambda t: t + "this is = not toml [", "not valid TOML"),
    ],
)
def test_each_validation_error_names_file_and_problem(tmp_path, edit, message):
    path = write(tmp_path, edit(VALID))
    with pytest.raises(ManifestError) as caught:
        load_manifest(path)
    text = str(caught.value)
    assert str(path) in text
    assert message in text
    assert "\n" not in text


def test_same_name_on_two_platforms_is_not_a_duplicate(tmp_path):
    text = VALID.replace('name = "P2.xv2"', 'name = "Emsmta.exe"\nversion = "5.5.2646.0"\nplatform = "alpha"')
    manifest = load_manifest(write(tmp_path, text))
    assert [row.platform for row in manifest.files] == [None, "alpha"]


def test_unreadable_manifest_file(tmp_path):
    with pytest.raises(ManifestError, match="cannot open: no such file"):
        load_manifest(tmp_path / "absent.toml")


def test_find_manifest_by_id_in_any_case_or_by_path(tmp_path):
    assert find_manifest("q236586").id == "Q236586"
    assert find_manifest("236586").id == "Q236586"
    assert find_manifest(str(write(tmp_path, VALID))).id == "Q123456"
    for unknown in ("Q999999", "nonsense", "../Q236586"):
        with pytest.raises(ManifestError, match="unknown manifest"):
            find_manifest(unknown)


def test_every_bundled_manifest_is_named_by_its_id():
    from verfix.manifest import bundled_manifest_paths

    paths = bundled_manifest_paths()
    manifests = load_bundled()
    assert len(paths) == len(manifests)
    assert all(m.path.stem == m.id for m in manifests)
    assert find_manifest(manifests[-1].id) == manifests[-1]


def test_committed_bundle_matches_the_toml_files():
    # bundle.json only saves TOML parsing; `make catalog` rewrites it. Stale means unused.
    from verfix.manifest_bundle import BUNDLE_NAME, _decoded_bundle, bundled_manifest_paths, bundled_root

    root = bundled_root()
    paths = bundled_manifest_paths(root)
    assert (root / BUNDLE_NAME).is_file()
    assert _decoded_bundle(root, paths, [p.read_bytes() for p in paths]) is not None


def test_stale_or_broken_bundle_is_ignored(tmp_path):
    from verfix.manifest import BUNDLE_NAME, write_bundle

    (tmp_path / "Q123456.toml").write_text(VALID, encoding="utf-8")
    write_bundle(tmp_path)
    assert load_bundled(tmp_path)[0].files[0].version == Version(5, 5, 2646, 0)
    (tmp_path / "Q123456.toml").write_text(VALID.replace("5.5.2646.0", "5.5.2650.0"), encoding="utf-8")
    assert load_bundled(tmp_path)[0].files[0].version == Version(5, 5, 2650, 0)
    (tmp_path / BUNDLE_NAME).write_text("{not json", encoding="utf-8")
    assert load_bundled(tmp_path)[0].files[0].version == Version(5, 5, 2650, 0)


def test_bundled_manifest_must_be_named_by_its_id(tmp_path):
    (tmp_path / "Q654321.toml").write_text(VALID, encoding="utf-8")
    with pytest.raises(ManifestError, match="must be named Q123456.toml"):
        load_bundled(tmp_path)


def test_one_products_bundle_is_used_only_while_it_matches(tmp_path):
    from verfix.manifest_bundle import _decoded_bundle, _product_paths, write_bundle

    exchange = VALID
    other = VALID.replace("Q123456", "Q654321").replace("Microsoft Exchange Server", "Microsoft SNA Server")
    (tmp_path / "catalog" / "exchange" / "5.5").mkdir(parents=True)
    (tmp_path / "catalog" / "sna" / "4.0").mkdir(parents=True)
    (tmp_path / "catalog" / "exchange" / "5.5" / "Q123456.toml").write_text(exchange, encoding="utf-8")
    (tmp_path / "catalog" / "sna" / "4.0" / "Q654321.toml").write_text(other, encoding="utf-8")
    write_bundle(tmp_path)
    assert {p.name for p in tmp_path.glob("bundle*.json")} == {"bundle.json", "bundle-exchange.json", "bundle-sna.json"}
    paths = _product_paths(tmp_path, "exchange")
    assert _decoded_bundle(tmp_path, paths, [p.read_bytes() for p in paths], "bundle-exchange.json") is not None
    assert [m.id for m in load_bundled(tmp_path, product="Microsoft Exchange Server")] == ["Q123456"]
    assert [m.id for m in load_bundled(tmp_path)] == ["Q123456", "Q654321"]
    # Changed TOML: the stale product bundle is not used, the file is read instead.
    target = tmp_path / "catalog" / "exchange" / "5.5" / "Q123456.toml"
    target.write_text(exchange.replace("5.5.2646.0", "5.5.2650.0"), encoding="utf-8")
    (loaded,) = load_bundled(tmp_path, product="Microsoft Exchange Server")
    assert loaded.files[0].version == Version(5, 5, 2650, 0)


def test_every_problem_of_a_manifest_is_reported(tmp_path):
    text = (VALID.replace('id = "Q123456"', 'id = "KB123456"').replace('product = ', 'colour = "red"\nproduct = ')
            + '[[files]]\nname = "a/b.dll"\nversion = "1.x"\nplatform = "arm"\n')
    path = write(tmp_path, text)
    with pytest.raises(ManifestError) as caught:
        load_manifest(path)
    problems = caught.value.problems
    assert len(problems) >= 5, problems
    joined = "\n".join(problems)
    parts = ("write it Q123456", "unknown key 'colour'", "a plain name, not a path", "bad version", "platform must be")
    for part in parts:
        assert part in joined
    assert all(p.startswith(str(path)) for p in problems)
    assert str(caught.value).endswith(f"(and {len(problems) - 1} more problem(s))")


@pytest.mark.parametrize("bad", ["Q236586\n", "site-fix\n", "q236586", "x" * 65, "é-fix"])
def test_ids_are_matched_whole(tmp_path, bad):
    path = write(tmp_path, VALID.replace('id = "Q123456"', f"id = {json.dumps(bad)}"))
    with pytest.raises(ManifestError, match="id"):
        load_manifest(path)
