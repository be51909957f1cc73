"""The bundled manifests: where they are, the decoded bundle that saves parsing them, loading them all."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from typing import Iterable

from verfix.manifest_model import Manifest, ManifestError
from verfix.manifest_toml import load_manifest, parse_manifest, tomllib

BUNDLE_NAME = "bundle.json"  # every bundled manifest, decoded, with a digest of their TOML


def bundled_root() -> Path:
    """The folder of the bundled manifests: the installed ``verfix.manifests`` package, or
    ``manifests/`` of a source checkout."""
    # ``manifests/`` holds no __init__.py: it installs as a namespace package, whose
    # location the import spec gives (importlib.resources would give a MultiplexedPath).
    try:
        spec = importlib.util.find_spec("verfix.manifests")
    except ModuleNotFoundError:
        spec = None
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    # Running from a checkout (cwd on sys.path shadows the installed mapping).
    return Path(__file__).resolve().parent.parent / "manifests"


def bundled_manifest_paths(root: Path | None = None) -> list[Path]:
    """Paths of the bundled manifests (every ``*.toml`` below the root), sorted."""
    base = bundled_root() if root is None else root
    found = [
        Path(folder) / name
        for folder, _, names in os.walk(base)
        for name in names
        if name.endswith(".toml")
    ]
    return sorted(found)


def bundle_digest(files: Iterable[tuple[str, bytes]]) -> str:
    """The bundle's digest: one hash over each manifest's path below the root ("/"-separated)
    and its bytes, in order (also what ``verfix.catalog`` checks on its fast path)."""
    import hashlib  # only for the whole catalog: not a cost of every start-up

    digest = hashlib.sha256()
    for name, blob in files:
        digest.update(name.encode() + b"\0")
        digest.update(hashlib.sha256(blob).digest())
    return digest.hexdigest()


def _digest(root: Path, paths: list[Path], blobs: list[bytes]) -> str:
    """:func:`bundle_digest` of these files of ``root``."""
    return bundle_digest((path.relative_to(root).as_posix(), blob) for path, blob in zip(paths, blobs))


def _product_paths(root: Path, slug: str) -> list[Path]:
    """The manifests one product's bundle covers: the hand-written ones at the top of the
    root (any product) and every one under ``catalog/<slug>/``."""
    top = [path for path in root.glob("*.toml") if path.is_file()]
    below = root / "catalog" / slug
    found = [Path(folder) / name for folder, _, names in os.walk(below) for name in names
             if name.endswith(".toml")]
    return sorted(top + found)


def _write_one_bundle(base: Path, paths: list[Path], name: str) -> Path:
    blobs = [path.read_bytes() for path in paths]
    decoded = []
    for path, blob in zip(paths, blobs):
        load_manifest(path)  # never bundle an invalid manifest
        decoded.append(tomllib.loads(blob.decode("utf-8")))
    bundle = {"digest": _digest(base, paths, blobs), "manifests": decoded}
    target = base / name
    target.write_text(json.dumps(bundle, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    return target


def write_bundle(root: Path | None = None) -> Path:
    """Write ``bundle.json``: the decoded TOML of every bundled manifest, so that loading the
    whole catalog skips TOML parsing (the slow part); and ``bundle-<product>.json`` for each
    product folder of ``catalog/``, read by a check of one product. Used by ``make catalog``."""
    base = bundled_root() if root is None else root
    for old in base.glob("bundle-*.json"):
        old.unlink()
    catalog = base / "catalog"
    for folder in sorted(catalog.iterdir()) if catalog.is_dir() else []:
        if folder.is_dir():
            _write_one_bundle(base, _product_paths(base, folder.name), f"bundle-{folder.name}.json")
    return _write_one_bundle(base, bundled_manifest_paths(base), BUNDLE_NAME)


def _decoded_bundle(root: Path, paths: list[Path], blobs: list[bytes],
                    name: str = BUNDLE_NAME) -> list[dict] | None:
    """The bundle's decoded manifests when it matches the TOML files exactly, else None."""
    try:
        bundle = json.loads((root / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(bundle, dict) or bundle.get("digest") != _digest(root, paths, blobs):
        return None
    decoded = bundle.get("manifests")
    return decoded if isinstance(decoded, list) and len(decoded) == len(paths) else None


def _catalog_folder(product: str) -> str | None:
    """The catalog folder of a product that has a profile (``exchange``), else None."""
    from verfix.products import for_product_name  # product data, loaded on demand

    profile = for_product_name(product)
    return profile.slug if profile else None


def load_bundled(root: Path | None = None, product: str | None = None) -> list[Manifest]:
    """Load every bundled manifest (with ``product``, only that product's: the hand-written
    ones and its ``catalog/<slug>/`` folder when it has a profile); a broken, misnamed or
    duplicated one raises ManifestError.

    The TOML files are the truth. ``bundle.json`` only saves parsing them, and is used only
    when its digest matches their current bytes; every manifest loaded is validated either way.
    """
    base = bundled_root() if root is None else root
    slug = _catalog_folder(product) if product is not None else None
    if slug is not None and (base / "catalog" / slug).is_dir():
        # One product's manifests: its catalog folder and the hand-written ones, its bundle.
        paths = _product_paths(base, slug)
        blobs = [path.read_bytes() for path in paths]
        decoded = _decoded_bundle(base, paths, blobs, f"bundle-{slug}.json")
    else:
        paths = bundled_manifest_paths(base)
        blobs = [path.read_bytes() for path in paths]
        decoded = _decoded_bundle(base, paths, blobs)
    manifests: dict[str, Manifest] = {}
    for index, path in enumerate(paths):
        if decoded is None:
            manifest = load_manifest(path)
        elif product is not None and decoded[index].get("product") != product:
            continue  # another product's: not loaded
        else:
            manifest = parse_manifest(decoded[index], str(path), path)
        if product is not None and manifest.product != product:
            continue
        if path.stem != manifest.id:
            # select.find_manifests finds a bundled manifest by its file name alone.
            raise ManifestError(f"{path}: a bundled manifest must be named {manifest.id}.toml")
        if manifest.id in manifests:
            raise ManifestError(
                f"{path}: id {manifest.id} is also defined in {manifests[manifest.id].path}"
            )
        manifests[manifest.id] = manifest
    return sorted(manifests.values(), key=lambda m: m.id)
