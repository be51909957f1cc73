"""Manifests read from TOML: a bounded read, then every field and row validated (all problems told)."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, Mapping

from verfix.fsio import InputFileError, read_bounded
from verfix.manifest_model import (
    CONTROL_RE,
    PLATFORMS,
    FileRow,
    Manifest,
    ManifestError,
    id_problem,
    is_location,
    windows_name_problem,
)
from verfix.version import VersionError, parse_version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on Python 3.10
    import tomli as tomllib

MAX_MANIFEST_BYTES = 4 << 20  # the largest bundled manifest is under 4 KB

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


def _key_problems(where: str, table: dict[str, Any], allowed: Mapping[str, type]) -> list[str]:
    """Every key of ``table`` that ``allowed`` does not know, and every value of the wrong type."""
    found: list[str] = []
    for key, value in table.items():
        if key not in allowed:
            found.append(f"{where}: unknown key '{key}'")
        else:
            problem = _type_problem(where, key, value, allowed[key])
            if problem:
                found.append(problem)
    return found


def _type_problem(where: str, key: str, value: Any, expected: type) -> str | None:
    # bool is an int in Python; a size of `true` is still wrong.
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        wanted = {str: "a string", int: "an integer", list: "a list"}[expected]
        return f"{where}: '{key}' must be {wanted}, not {_short(value)}"
    texts = value if isinstance(value, list) else [value]
    if any(isinstance(text, str) and CONTROL_RE.search(text) for text in texts):
        return f"{where}: '{key}' holds a control character"
    return None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:60]}... ({len(text)} characters)"


def _parse_row(where: str, raw: Any, problems: list[str]) -> FileRow | None:
    """One [[files]] entry, or None with its problems (all of them) added to ``problems``."""
    if not isinstance(raw, dict):
        problems.append(f"{where}: each [[files]] entry must be a table")
        return None
    found = _key_problems(where, raw, _ROW_KEYS)
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
    problems = _key_problems(source, data, _TOP_KEYS)
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
