"""Choosing manifests: -m selectors (Q236586, KB236586, 236586, a file, a folder) and --product words."""

from __future__ import annotations

import os
import re
from pathlib import Path

from verfix.manifest import (
    Manifest,
    ManifestError,
    bundled_root,
    load_manifest,
)

# KB article numbers as people write them: Q236586, KB236586, kb 236586, 236586.
_ARTICLE_RE = re.compile(r"^(?:Q|KB)?\s*(\d{5,7})$", re.IGNORECASE)
_WORD_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.]*[A-Za-z0-9]|[A-Za-z0-9]")


def article_id(text: str) -> str | None:
    """The catalog's spelling (Q236586) of a KB article number written any usual way, else None."""
    match = _ARTICLE_RE.match(text.strip())
    return None if match is None else "Q" + match.group(1)


def manifests_in_folder(folder: Path) -> list[Manifest]:
    """Every ``*.toml`` manifest below ``folder``, sorted by path; the first bad one raises."""
    paths = sorted(
        Path(root) / name for root, _, names in os.walk(folder) for name in names
        if name.lower().endswith(".toml")
    )
    if not paths:
        raise ManifestError(f"{folder}: no manifest (*.toml) in this folder")
    return [load_manifest(path) for path in paths]


def find_manifests(selector: str) -> list[Manifest]:
    """The manifests one ``-m`` selector names: a TOML file, a folder of them, or a bundled id.

    A bundled manifest is found by its id as written (own ids too, e.g. ``site-fix-1``),
    or by a KB article number in any usual spelling.
    """
    candidate = Path(selector)
    if candidate.is_dir():
        return manifests_in_folder(candidate)
    if selector.lower().endswith(".toml") or candidate.is_file():
        return [load_manifest(candidate)]
    wanted = {selector.strip().lower()}
    kb = article_id(selector)
    if kb is not None:
        wanted.add(kb.lower())
    for path in bundled_paths_named(wanted):
        manifest = load_manifest(path)
        if manifest.id.lower() in wanted:
            return [manifest]
    raise ManifestError(f"unknown manifest {selector!r} (see 'verfix manifests list')")


def bundled_paths_named(stems: set[str]) -> list[Path]:
    """The bundled manifests (``verfix.manifest.bundled_manifest_paths``) whose file name,
    less ``.toml``, is one of ``stems`` (lower case), sorted as that list is. The names are
    compared while listing: no path is made for the other thousand files."""
    found = [
        Path(folder) / name
        for folder, _, names in os.walk(bundled_root())
        for name in names
        if name.endswith(".toml") and name[:-5].lower() in stems
    ]
    return sorted(found)


def words(text: str) -> list[str]:
    """Lower-case words; a version ("5.5", "8.04") is one word."""
    return [word.lower() for word in _WORD_RE.findall(text)]


def matches_product(manifest: Manifest, query: str) -> bool:
    """True when every word of ``query`` is a word of the product or of one product version.

    "Exchange 5.5" matches product "Microsoft Exchange Server" with version "5.5" or "5.5 SP2";
    "5.5" does not match "5.0" or "8.5"; "5.5 SP4" needs one version that has both words.
    """
    product = set(words(manifest.product))
    rest = [word for word in words(query) if word not in product]
    if not rest:
        return True
    return any(set(rest) <= set(words(version)) for version in manifest.product_versions)
