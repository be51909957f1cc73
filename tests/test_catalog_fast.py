"""The fast catalog (issue 13 goal 4) against its plain references: ``verfix.catalog`` against
``verfix.manifest.load_bundled``, the memoised row decisions against ``decide_row``,
``FolderIndex.holds`` against ``lookup``, and whole reports through each loader."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

import verfix.catalog as catalog
from verfix.catalog import load_catalog
from verfix.check import FileCache
from verfix.locate import FolderIndex
from verfix.manifest import ManifestError, bundled_root, load_bundled
from verfix.products import PROFILES
from verfix.rules import decide_row
from verfix.servercheck import Decisions
from verfix.survey import survey

REPO = Path(__file__).resolve().parent.parent
NT4 = REPO / "testdata" / "nt4"
SP3 = REPO / "testdata" / "sp3" / "exchsrvr" / "bin"


def _same(fast: list, plain: list) -> None:
    """Equal manifests, field by field (path too), row by row, in the same order."""
    assert [m.id for m in fast] == [m.id for m in plain]
    for one, other in zip(fast, plain):
        assert vars(one) == vars(other)
        assert [vars(row) for row in one.files] == [vars(row) for row in other.files]
        assert type(one.files) is tuple and all(type(v) is tuple for v in (
            one.product_versions, one.fixed_in_sp, one.keywords))


@pytest.mark.parametrize("product", [None, *(p.name for p in PROFILES), "Microsoft C Compiler"])
def test_fast_catalog_is_the_plain_one(product) -> None:
    _same(load_catalog(product=product), load_bundled(product=product))


def test_the_bundle_is_used(monkeypatch) -> None:
    def no_plain_loading(*args, **kwargs):
        raise AssertionError("the committed bundle should match the TOML files")

    monkeypatch.setattr(catalog, "load_bundled", no_plain_loading)
    assert len(load_catalog()) > 1000


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "manifests"
    shutil.copytree(bundled_root(), target)
    return target


def _listing(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")}


def test_an_edited_manifest_is_seen_and_nothing_is_written(copy: Path) -> None:
    toml = copy / "Q236586.toml"
    toml.write_text(toml.read_text().replace('"5.5.2646.0"', '"5.5.2999.0"', 1))
    before = _listing(copy)
    fast = load_catalog(root=copy)
    _same(fast, load_bundled(root=copy))
    (edited,) = [m for m in fast if m.id == "Q236586"]
    assert "5.5.2999.0" in {str(row.version) for row in edited.files}
    assert _listing(copy) == before


def test_added_and_removed_manifests_are_seen(copy: Path) -> None:
    os.unlink(next((copy / "catalog").rglob("*.toml")))
    shutil.copy(copy / "Q236586.toml", copy / "catalog" / "own-fix.toml")
    text = (copy / "catalog" / "own-fix.toml").read_text().replace('id = "Q236586"', 'id = "own-fix"')
    (copy / "catalog" / "own-fix.toml").write_text(text)
    fast = load_catalog(root=copy)
    _same(fast, load_bundled(root=copy))
    assert "own-fix" in {m.id for m in fast}


def test_a_fifo_among_the_manifests_is_one_line_and_no_hang(copy: Path) -> None:
    # (load_bundled itself reads every file whole first, and would wait on the FIFO.)
    fifo = copy / "catalog" / "Q999999.toml"
    os.mkfifo(fifo)
    with pytest.raises(ManifestError) as fast:
        load_catalog(root=copy)
    assert str(fast.value) == f"{fifo}: cannot read: not a regular file (FIFO (named pipe))"


def test_a_misnamed_manifest_is_refused_as_by_the_plain_loader(copy: Path, monkeypatch) -> None:
    # The bundle is rebuilt for the copy so that the fast path itself meets the misnamed file.
    from verfix.manifest import write_bundle

    (copy / "Q236586.toml").rename(copy / "Q000001.toml")
    write_bundle(copy)
    with pytest.raises(ManifestError) as plain:
        load_bundled(root=copy)
    monkeypatch.setattr(catalog, "load_bundled", None)  # the fast path must decide alone
    with pytest.raises(ManifestError) as fast:
        load_catalog(root=copy)
    assert str(fast.value) == str(plain.value)


def test_decisions_are_decide_rows_answers() -> None:
    found = survey(NT4, FileCache())
    manifests = load_bundled()
    asked = 0
    for product in found.products:
        release = product.release.value
        branch = product.branch.value if product.branch else None
        decisions = Decisions(product.profile, release, branch)
        for manifest in manifests:
            article_editions = (manifest.edition,) if manifest.edition else ()
            for row in manifest.files:
                own = row.product_version is not None
                versions = (row.product_version,) if own else manifest.product_versions
                editions = (row.edition,) if row.edition else article_editions
                expected = decide_row(product.profile, row.version, versions, server_release=release,
                                      server_branch=branch, editions=editions, own_product_version=own,
                                      other_platform=row.other_platform)
                decision, note = decisions.decide(row, manifest)
                assert decision == expected
                assert note == f"{expected.rule.value} rule: {expected.note}"
                asked += 1
    assert asked > 10000


def test_holds_is_whether_lookup_finds_anything(tmp_path: Path) -> None:
    names = [name for m in load_bundled(product="Microsoft Exchange Server") for name in
             (row.name for row in m.files)]
    index = FolderIndex(SP3)
    assert any(index.holds(name) for name in names)
    assert all(index.holds(name) == bool(index.lookup(name)) for name in names)
    unreadable = FolderIndex(tmp_path / "no such folder")
    assert unreadable.holds("Emsmta.exe") and bool(unreadable.lookup("Emsmta.exe"))


@pytest.mark.parametrize("argv", [[str(NT4)], [str(SP3)], [str(NT4), "--product", "IIS"]])
def test_reports_are_the_same_through_either_loader(argv: list[str], monkeypatch, capsys) -> None:
    from verfix.cli import main

    def report() -> dict:
        main(["check", *argv, "-f", "json", "-q"])
        document = json.loads(capsys.readouterr().out)
        document.pop("generated_at")
        return document

    fast = report()
    plain = lambda root=None, product=None: load_bundled(root, product)  # noqa: E731
    monkeypatch.setattr(catalog, "load_catalog", plain)
    monkeypatch.setattr(catalog, "catalog_entries", plain)  # a volume's whole-catalog check
    assert report() == fast
    assert fast["folders"] and fast["manifests"]


def test_a_check_of_entries_is_a_check_of_manifests(copy: Path) -> None:
    from verfix.catalog import catalog_entries
    from verfix.servercheck import run_check

    plain = run_check(NT4, load_bundled(), cache=FileCache())
    entries = catalog_entries()
    lazy = run_check(NT4, entries, cache=FileCache())
    assert lazy == plain
    built = sum(entry._manifest is not None for entry in entries)
    assert sum(len(p.results) for p in lazy.products) <= built < len(entries) / 2
    # A stale bundle: entries of the plain loader's manifests, the same check.
    toml = copy / "Q236586.toml"
    toml.write_text(toml.read_text() + "\n")
    assert run_check(NT4, catalog_entries(root=copy), cache=FileCache()) == plain
