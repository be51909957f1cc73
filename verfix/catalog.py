"""The bundled catalog, loaded fast: the same manifests as ``verfix.manifest.load_bundled``.

``load_bundled`` is the plain reference: it lists the ~1,200 TOML files as paths, reads them,
checks ``bundle.json``'s digest and validates every decoded manifest again. Here the same
bundle (written and validated by ``make catalog``, committed) is used the same way, with the
costs taken out:

- the files are listed and read with ``os.scandir`` and plain descriptors, and the digest is
  the same one (``verfix.manifest._digest``'s bytes), so a TOML file edited, added or removed
  since the bundle was written is seen, and then ``load_bundled`` does the work;
- a manifest whose digest matches was validated when the bundle was written, so it is built
  as ``parse_manifest`` builds it without asking every question again (the checks that
  ``load_bundled`` itself makes, the file name and duplicate ids, are kept);
- a row's version is parsed once per distinct text, and the rows and manifests are made
  with their fields set at once (every field, as ``__init__`` sets them, without its
  per-field checks of a frozen dataclass: a third of the time).

Nothing is written anywhere: there is no cache but the committed bundle. A test compares
the two loaders' manifests field by field, and a check's reports through each.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import MISSING, fields
from pathlib import Path
from typing import Any, Optional

from verfix.bulk import collector_paused
from verfix.manifest_bundle import bundle_digest
from verfix.manifest import BUNDLE_NAME, FileRow, Manifest, ManifestError, bundled_root, load_bundled, load_manifest
from verfix.version import Version, parse_version

_READ = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_FAST_BYTES = 1 << 16  # the largest bundled manifest is under 4 KB; a larger file goes the plain way
_ROW_DEFAULTS = {f.name: f.default for f in fields(FileRow) if f.default is not MISSING}
_MANIFEST_DEFAULTS = {f.name: f.default for f in fields(Manifest) if f.default is not MISSING}
_TUPLES = ("product_versions", "fixed_in_sp", "keywords")


class CatalogEntry:
    """One bundled manifest before it is built: its ``id``, ``product`` and ``marker_names``
    (what the marker rule asks: its versioned files, else all), and ``manifest()``, built on
    first use. A whole-server check builds only the manifests whose files are there."""

    __slots__ = ("id", "product", "_data", "_path", "_versions", "_manifest")

    def __init__(self, data: dict[str, Any], path: str, versions: dict[str, Version]) -> None:
        self.id: str = data["id"]
        self.product: str = data["product"]
        self._data, self._path, self._versions = data, path, versions
        self._manifest: Optional[Manifest] = None

    @classmethod
    def of(cls, manifest: Manifest) -> "CatalogEntry":
        """An entry of a manifest already built (the plain loader's)."""
        entry = cls({"id": manifest.id, "product": manifest.product}, str(manifest.path), {})
        entry._manifest = manifest
        return entry

    @property
    def marker_names(self) -> list[str]:
        if self._manifest is not None:
            rows = self._manifest.files
            return [r.name for r in rows if r.version is not None] or [r.name for r in rows]
        rows = self._data["files"]
        return [r["name"] for r in rows if "version" in r] or [r["name"] for r in rows]

    def manifest(self) -> Manifest:
        if self._manifest is None:
            self._manifest = _built(self._data, Path(self._path), self._versions)
        return self._manifest


def load_catalog(root: Optional[Path] = None, product: Optional[str] = None) -> list[Manifest]:
    """``load_bundled(root, product)``, fast when the committed bundle matches the TOML files
    (see the module docstring); otherwise ``load_bundled`` itself."""
    with collector_paused():  # some 20,000 objects made, none garbage
        return [entry.manifest() for entry in catalog_entries(root, product)]


def catalog_entries(root: Optional[Path] = None, product: Optional[str] = None) -> list[CatalogEntry]:
    """The manifests of :func:`load_catalog`, in its order, as entries not yet built (or
    built by ``load_bundled`` when the bundle does not match)."""
    base = bundled_root() if root is None else root
    slug = _catalog_folder(product) if product is not None else None
    if slug is not None and (base / "catalog" / slug).is_dir():
        paths = _product_paths(str(base), slug)
        name = f"bundle-{slug}.json"
    else:
        paths = _all_paths(str(base))
        name = BUNDLE_NAME
    with collector_paused():
        entries = _entries(base, paths, name, product)
    if entries is None:
        return [CatalogEntry.of(manifest) for manifest in load_bundled(root, product)]
    return entries


def _entries(base: Path, paths: list[str], name: str, product: Optional[str]) -> Optional[list[CatalogEntry]]:
    """The entries of a bundle that matches ``paths``, checked as ``load_bundled`` checks
    them (file name and id, duplicate ids); None when it does not match."""
    decoded = _matching_bundle(str(base), paths, name)
    if decoded is None:
        _refuse_special_files(paths)
        return None
    versions: dict[str, Version] = {}
    entries: dict[str, CatalogEntry] = {}
    for text_path, data in zip(paths, decoded):
        if product is not None and data.get("product") != product:
            continue  # another product's: not loaded
        entry = CatalogEntry(data, text_path, versions)
        if os.path.basename(text_path)[:-len(".toml")] != entry.id:
            raise ManifestError(f"{text_path}: a bundled manifest must be named {entry.id}.toml")
        if entry.id in entries:
            raise ManifestError(f"{text_path}: id {entry.id} is also defined in {entries[entry.id]._path}")
        entries[entry.id] = entry
    return sorted(entries.values(), key=lambda e: e.id)


def _catalog_folder(product: str) -> Optional[str]:
    from verfix.products import for_product_name

    profile = for_product_name(product)
    return profile.slug if profile else None


def _sorted(paths: list[str]) -> list[str]:
    """In the order of sorted ``Path`` objects (part by part), as the bundle's digest is."""
    return sorted(paths, key=lambda text: text.split(os.sep))


def _tomls_below(folder: str, into: list[str]) -> list[str]:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return into
    for entry in entries:  # as os.walk lists: a link to a folder is neither entered nor a file
        if entry.is_dir():
            if not entry.is_symlink():
                _tomls_below(entry.path, into)
        elif entry.name.endswith(".toml"):
            into.append(entry.path)
    return into


def _all_paths(base: str) -> list[str]:
    """``bundled_manifest_paths``: every ``*.toml`` below the root."""
    return _sorted(_tomls_below(base, []))


def _product_paths(base: str, slug: str) -> list[str]:
    """``verfix.manifest._product_paths``: the top-level manifests and ``catalog/<slug>/``."""
    top = [e.path for e in os.scandir(base) if e.name.endswith(".toml") and e.is_file()]
    return _sorted(top + _tomls_below(os.path.join(base, "catalog", slug), []))


def _read(path: str) -> Optional[bytes]:
    """A manifest's bytes, or None for anything the plain loader must look at: it then gives
    the error. The open never blocks; a folder or socket fails, a FIFO or device gives bytes
    that do not match the digest (or too many), so the plain loader's checks still decide."""
    try:
        fd = os.open(path, _READ)
    except OSError:
        return None
    try:
        chunks = []
        got = 0
        while got <= _FAST_BYTES:
            chunk = os.read(fd, _FAST_BYTES + 1 - got)
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
    except OSError:
        return None
    finally:
        os.close(fd)
    return None if got > _FAST_BYTES else b"".join(chunks)


def _matching_bundle(base: str, paths: list[str], name: str) -> Optional[list[dict]]:
    """The bundle's decoded manifests when its digest is that of these files, else None."""
    start = len(base) + 1
    files = []
    for path in paths:
        blob = _read(path)
        if blob is None:
            return None
        files.append((path[start:].replace(os.sep, "/"), blob))
    try:
        with open(os.path.join(base, name), encoding="utf-8") as stream:
            bundle = json.load(stream)
    except (OSError, ValueError):
        return None
    if not isinstance(bundle, dict) or bundle.get("digest") != bundle_digest(files):
        return None
    decoded = bundle.get("manifests")
    return decoded if isinstance(decoded, list) and len(decoded) == len(paths) else None


def _refuse_special_files(paths: list[str]) -> None:
    """Before the plain loader reads every file whole: a FIFO, device or folder named
    ``*.toml`` gets ``load_manifest``'s one-line error (its bounded reader never blocks)."""
    for path in paths:
        try:
            regular = stat.S_ISREG(os.stat(path).st_mode)
        except OSError:
            regular = False
        if not regular:
            load_manifest(Path(path))


def _built(data: dict[str, Any], path: Path, versions: dict[str, Version]) -> Manifest:
    """The Manifest ``parse_manifest(data, str(path), path)`` returns for a manifest that is
    known valid."""
    rows = []
    for raw in data["files"]:  # a valid row's keys are FileRow's fields
        row = _new(FileRow)
        values = row.__dict__
        values.update(_ROW_DEFAULTS)
        values.update(raw)
        text = raw.get("version")
        if text is not None:
            version = versions.get(text)
            if version is None:
                version = versions[text] = parse_version(text, strict=True)
            values["version"] = version
        rows.append(row)
    manifest = _new(Manifest)
    values = manifest.__dict__
    values.update(_MANIFEST_DEFAULTS)
    values.update(data)  # a valid manifest's keys are Manifest's fields
    values["files"] = tuple(rows)
    for key in _TUPLES:
        if key in data:
            values[key] = tuple(data[key])
    values["path"] = path
    return manifest


_new = object.__new__
