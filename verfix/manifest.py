"""Manifests: one KB article's fixed-file table, stored as TOML and validated on load."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass, field
import importlib.util
from pathlib import Path
from typing import Any

from verfix.fsio import InputFileError, read_bounded
from verfix.version import Version, VersionError, parse_version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on Python 3.10
    import tomli as tomllib

ARTICLE_ID_RE = re.compile(r"Q[0-9]{5,7}")  # use with fullmatch: no trailing newline
OWN_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")  # use with fullmatch: no trailing newline
MAX_MANIFEST_BYTES = 4 << 20  # the largest bundled manifest is under 4 KB
PLATFORMS = ("x86", "alpha", "mips", "ppc", "win9x")  # processors, and Windows 9x (x86 only)

_TOP_KEYS = {
    "id": str, "title": str, "product": str, "product_versions": list,
    "fixed_in": str, "fixed_in_sp": list, "edition": str, "component": str, "keywords": list,
    "source": str, "files": list,
}
_FIXED_IN_SP_RE = re.compile(r"[0-9]+(\.[0-9]+)? SP[0-9]+a?")  # "4.0 SP6a", "2000 SP3"
_REQUIRED_TOP = ("id", "title", "product", "files")
_ROW_KEYS = {
    "name": str, "version": str, "platform": str, "component": str,
    "product_version": str, "size": int, "date": str, "location": str, "other_platform": str,
    "edition": str,
}
# A row's folder as the KB table gives it: "%Windir%\System32\inetsrv", "System32\Drivers".
_LOCATION_RE = re.compile(r"^(%[A-Za-z0-9_]+%|[A-Za-z]:|[^\\/:*?\"<>|%\x00-\x1f\x7f]+)"
                          r"(\\[^\\/:*?\"<>|%\x00-\x1f\x7f]+)*$")


def is_location(text: str) -> bool:
    """Whether ``text`` is a Windows folder as a manifest's ``location`` may give it."""
    return bool(_LOCATION_RE.match(text)) and ".." not in text.split("\\")


_WINDOWS_FORBIDDEN = set('<>:"/\\|?*')
_WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)),
                    *(f"LPT{n}" for n in range(1, 10))}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def windows_name_problem(name: str) -> str | None:
    """Why ``name`` is not one plain Windows file name (None when it is): no path, drive
    or stream (``C:Emsmta.exe``), no control character, no trailing dot or blank (``...``),
    no device name (``NUL``, ``COM1.dll``), at most 255 characters."""
    if not name:
        return "is empty"
    if len(name) > 255:
        return f"is {len(name)} characters long (at most 255)"
    if _CONTROL.search(name):
        return "holds a control character"
    forbidden = sorted(set(name) & _WINDOWS_FORBIDDEN)
    if forbidden:
        return f"holds {' '.join(forbidden)}: a plain name, not a path, drive or stream"
    if name[-1] in ". ":
        return "ends with a dot or a blank"
    if name.split(".", 1)[0].rstrip(" ").upper() in _WINDOWS_DEVICES:
        return "is a Windows device name"
    return None


class ManifestError(Exception):
    """A manifest that cannot be used; the message names the file and the problem.

    ``problems`` holds every problem found (``manifests validate`` lists them all); the
    message is the first, with a count of the others.
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = list(problems) if problems else [message]
        if len(self.problems) > 1:
            message = f"{self.problems[0]} (and {len(self.problems) - 1} more problem(s))"
        super().__init__(message)


@dataclass(frozen=True)
class FileRow:
    """One row of a fixed-file table: a file and the minimum version it must have."""

    name: str
    version: Version | None = None
    platform: str | None = None
    component: str | None = None
    product_version: str | None = None
    size: int | None = None
    date: str | None = None
    location: str | None = None  # the folder the article gives for the file, if any
    other_platform: str | None = None  # "Windows CE": for a platform no server has; never checked
    edition: str | None = None         # the branch's edition this row is for, in a mixed article

    @property
    def key(self) -> tuple[str, str | None, str | None, str | None]:
        """What makes a row unique in its manifest (Windows names and folders ignore case)."""
        return (self.name.lower(), self.platform, self.product_version,
                None if self.location is None else self.location.lower())


@dataclass(frozen=True)
class Manifest:
    """A KB article and its fixed-file rows."""

    id: str
    title: str
    product: str
    files: tuple[FileRow, ...]
    product_versions: tuple[str, ...] = ()
    fixed_in: str | None = None
    fixed_in_sp: tuple[str, ...] = ()  # "4.0 SP4": the release and service pack that first hold the fix
    edition: str | None = None         # "Terminal Server Edition": the branch the article is for
    component: str | None = None
    keywords: tuple[str, ...] = ()
    source: str | None = None
    path: Path | None = field(default=None, compare=False)

    @property
    def components(self) -> tuple[str, ...]:
        """The distinct components this manifest covers, in order of appearance."""
        seen = [self.component] if self.component else []
        for row in self.files:
            if row.component and row.component not in seen:
                seen.append(row.component)
        return tuple(seen)


def _type_problem(where: str, key: str, value: Any, expected: type) -> str | None:
    # bool is an int in Python; a size of `true` is still wrong.
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        wanted = {str: "a string", int: "an integer", list: "a list"}[expected]
        return f"{where}: '{key}' must be {wanted}, not {_short(value)}"
    texts = value if isinstance(value, list) else [value]
    if any(isinstance(text, str) and _CONTROL.search(text) for text in texts):
        return f"{where}: '{key}' holds a control character"
    return None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:60]}... ({len(text)} characters)"


def id_problem(article_id: str) -> str | None:
    """Why ``article_id`` cannot be a manifest id, or None.

    A manifest id is a KB article id (Q236586) or an id of your own of letters, digits, "_"
    and "-" (up to 64). KB spellings other than Q236586 (KB236586, 236586) are recognised
    and refused, so that one article has one id; so is what looks like a KB id but is not one
    (Q123, KB12345678).
    """
    if ARTICLE_ID_RE.fullmatch(article_id):
        return None
    kb = re.fullmatch(r"(?:KB|Q)?([0-9]{5,7})", article_id, re.IGNORECASE)
    if kb is not None:
        return f"id {article_id!r} names KB article {kb.group(1)}: write it Q{kb.group(1)}"
    if re.fullmatch(r"(?:KB|Q)?[0-9]+", article_id, re.IGNORECASE):
        return f"id {article_id!r} looks like a KB article id but is not one (Q and 5 to 7 digits)"
    if not OWN_ID_RE.fullmatch(article_id):
        return (f"id {article_id!r} is neither a KB article id like Q236586 nor an own id "
                "of letters, digits, '_' and '-' (up to 64)")
    return None


def _parse_row(where: str, raw: Any, problems: list[str]) -> FileRow | None:
    """One [[files]] entry, or None with its problems (all of them) added to ``problems``."""
    if not isinstance(raw, dict):
        problems.append(f"{where}: each [[files]] entry must be a table")
        return None
    found: list[str] = []
    for key, value in raw.items():
        if key not in _ROW_KEYS:
            found.append(f"{where}: unknown key '{key}'")
        else:
            problem = _type_problem(where, key, value, _ROW_KEYS[key])
            if problem:
                found.append(problem)
    name = raw.get("name", "")
    if not isinstance(name, str):
        name = ""
    elif not name.strip():
        found.append(f"{where}: missing 'name'")
    else:
        problem = windows_name_problem(name)
        if problem is not None:
            found.append(f"{where}: file name {name!r} {problem}")
    version = None
    if isinstance(raw.get("version"), str):
        try:
            version = parse_version(raw["version"], strict=True)
        except VersionError as exc:
            found.append(f"{where} ({name}): bad version: {exc}")
    platform = raw.get("platform")
    if isinstance(platform, str) and platform not in PLATFORMS:
        found.append(f"{where} ({name}): platform must be one of {', '.join(PLATFORMS)}, not {platform!r}")
    location = raw.get("location")
    if isinstance(location, str) and not is_location(location):
        found.append(f"{where} ({name}): location {location!r} is not a Windows folder "
                     "like %Windir%\\System32")
    if found:
        problems.extend(found)
        return None
    return FileRow(
        name=name, version=version, platform=platform, component=raw.get("component"),
        product_version=raw.get("product_version"), size=raw.get("size"), date=raw.get("date"),
        location=location, other_platform=raw.get("other_platform"), edition=raw.get("edition"),
    )


def manifest_problems(data: dict[str, Any], source: str) -> list[str]:
    """Every problem of a manifest's decoded TOML (empty when it is valid)."""
    try:
        parse_manifest(data, source)
    except ManifestError as error:
        return error.problems
    return []


def parse_manifest(data: dict[str, Any], source: str, path: Path | None = None) -> Manifest:
    """Validate a manifest's decoded TOML; ``source`` names it in error messages.

    Raises ManifestError carrying every problem found, not only the first.
    """
    problems: list[str] = []
    for key, value in data.items():
        if key not in _TOP_KEYS:
            problems.append(f"{source}: unknown key '{key}'")
        else:
            problem = _type_problem(source, key, value, _TOP_KEYS[key])
            if problem:
                problems.append(problem)
    for key in _REQUIRED_TOP:
        if key not in data:
            problems.append(f"{source}: missing '{key}'")
    article_id = data.get("id")
    if isinstance(article_id, str):
        problem = id_problem(article_id)
        if problem:
            problems.append(f"{source}: {problem}")
    for key in ("product_versions", "keywords", "fixed_in_sp"):
        if isinstance(data.get(key), list) and not all(isinstance(item, str) for item in data[key]):
            problems.append(f"{source}: '{key}' must be a list of strings")
    sp_items = data.get("fixed_in_sp")
    for item in sp_items if isinstance(sp_items, list) else []:
        if isinstance(item, str) and not _FIXED_IN_SP_RE.fullmatch(item):
            problems.append(f"{source}: fixed_in_sp {_short(item)} is not a release and service "
                            "pack like '4.0 SP4'")
    files = data.get("files")
    if isinstance(files, list) and not files:
        problems.append(f"{source}: 'files' is empty")
    rows: list[FileRow] = []
    seen: dict[tuple, int] = {}
    for index, raw in enumerate(files if isinstance(files, list) else [], start=1):
        row = _parse_row(f"{source}: files[{index}]", raw, problems)
        if row is None:
            continue
        if row.key in seen:
            problems.append(
                f"{source}: duplicate file {row.name!r} (files[{seen[row.key]}] and files[{index}])"
            )
        seen.setdefault(row.key, index)
        rows.append(row)
    if problems:
        raise ManifestError(problems[0], problems)
    return Manifest(
        id=data["id"], title=data["title"], product=data["product"], files=tuple(rows),
        product_versions=tuple(data.get("product_versions", ())), fixed_in=data.get("fixed_in"),
        fixed_in_sp=tuple(data.get("fixed_in_sp", ())), edition=data.get("edition"),
        component=data.get("component"), keywords=tuple(data.get("keywords", ())),
        source=data.get("source"), path=path,
    )


def load_manifest(path: Path) -> Manifest:
    """Read and validate one manifest file."""
    try:
        text = read_bounded(path, MAX_MANIFEST_BYTES).decode("utf-8")
    except InputFileError as exc:
        raise ManifestError(f"{path}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ManifestError(f"{path}: cannot read: not UTF-8 text ({exc.reason} at byte "
                            f"{exc.start})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ManifestError(f"{path}: not valid TOML: nested too deeply") from None
    return parse_manifest(data, str(path), Path(path))


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


def _digest(root: Path, paths: list[Path], blobs: list[bytes]) -> str:
    """One hash over every manifest's relative path and bytes."""
    digest = hashlib.sha256()
    for path, blob in zip(paths, blobs):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(blob).digest())
    return digest.hexdigest()


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
