"""Manifests: one KB article's fixed-file table, stored as TOML and validated on load.

The public interface of three modules, one role each: :mod:`verfix.manifest_model` (the rows,
the manifest, the rules for names and ids), :mod:`verfix.manifest_toml` (reading and
validating one TOML file) and :mod:`verfix.manifest_bundle` (the bundled catalog).
"""

from __future__ import annotations

from verfix.manifest_bundle import (
    BUNDLE_NAME,
    bundled_manifest_paths,
    bundled_root,
    load_bundled,
    write_bundle,
)
from verfix.manifest_model import (
    ARTICLE_ID_RE,
    OWN_ID_RE,
    PLATFORMS,
    FileRow,
    Manifest,
    ManifestError,
    id_problem,
    is_location,
    windows_name_problem,
)
from verfix.manifest_toml import MAX_MANIFEST_BYTES, load_manifest, manifest_problems, parse_manifest, tomllib

__all__ = [
    "ARTICLE_ID_RE", "BUNDLE_NAME", "MAX_MANIFEST_BYTES", "OWN_ID_RE", "PLATFORMS", "FileRow", "Manifest",
    "ManifestError", "bundled_manifest_paths", "bundled_root", "id_problem", "is_location", "load_bundled",
    "load_manifest", "manifest_problems", "parse_manifest", "tomllib", "windows_name_problem", "write_bundle",
]
