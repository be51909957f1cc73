"""The importer against hand-made labels of 86 articles of every product folder.

An article is **exact** when the importer imports it and gives the same set of rows as the
label: the same file names (ignoring case, as Windows does), versions (compared as numbers,
part by part: ``4.02.0728`` is ``4.2.728``), platforms, locations (ignoring case) and product
versions (compared by the release they name: its last version number with any service pack,
``Outlook 98`` is ``98``, ``2.0 SP3`` is ``2.0 SP3``; or the language of a language table).
Rows the labeller marks ``package`` (a download package, not an installed file) may be kept
or left out. An article the labeller marked ambiguous is exact when the importer refuses it.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from verfix.kbimport import IMPORTED, read_article

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "kb-labels.json"
KB_ROOT = Path(__file__).resolve().parents[1].parent / "shared" / "kb"
LABELS = json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def kb_root() -> Path:
    if not KB_ROOT.is_dir():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but the shared KB articles are missing at {KB_ROOT}")
        pytest.skip(f"no KB articles at {KB_ROOT} (the shared data is not part of a clone)")
    return KB_ROOT


def _version(text: str | None) -> tuple[int, ...] | None:
    if text is None:
        return None
    parts = [int(p) for p in text.split(".")]
    return tuple(parts + [0] * (4 - len(parts)))


def _release(text: str | None) -> str | None:
    if text is None:
        return None
    found = re.findall(r"\d+(?:\.\d+)*[a-z]?(?:\s+SP\d+a?)?|[A-Z][a-z]+$", text)
    return found[-1] if found else text


def _key(name: str, version: str | None, platform: str | None, location: str | None,
         product_version: str | None) -> tuple:
    return (name.lower(), _version(version), platform, (location or "").lower() or None,
            _release(product_version))


def judge(label: dict, root: Path) -> tuple[bool, str]:
    """Whether the importer reads the labelled article exactly, and what differs."""
    article = read_article(root / label["product_dir"] / f"{label['id']}.TXT")
    if label["ambiguous"]:
        return article.status != IMPORTED, f"labelled ambiguous, but {article.status}"
    if article.status != IMPORTED:
        return False, f"{article.status}: {article.error}"
    want = {_key(r["file"], r["version"], r["platform"], r["location"], r["product_version"])
            for r in label["rows"] if not r.get("package")}
    packages = {r["file"].lower() for r in label["rows"] if r.get("package")}
    got = {_key(r.name, r.version, r.platform, r.location, r.product_version)
           for r in article.rows if r.name.lower() not in packages}
    return got == want, f"missing {sorted(want - got)[:3]}, extra {sorted(got - want)[:3]}"


def test_the_labels_cover_every_product_folder(kb_root):
    folders = {p.name for p in kb_root.iterdir() if p.is_dir()}
    assert {label["product_dir"] for label in LABELS} == folders
    assert len(LABELS) >= 60


def test_importer_reads_at_least_97_percent_of_labelled_articles_exactly(kb_root):
    results = {label["id"]: judge(label, kb_root) for label in LABELS}
    misses = {qid: why for qid, (ok, why) in results.items() if not ok}
    exact = len(LABELS) - len(misses)
    sampled = [label for label in LABELS if label["chosen"] == "every-k"]
    sampled_exact = sum(results[label["id"]][0] for label in sampled)
    print(f"exact: {exact}/{len(LABELS)}; every-k sample {sampled_exact}/{len(sampled)}")
    assert exact / len(LABELS) >= 0.97, misses
