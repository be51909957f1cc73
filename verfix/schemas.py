"""The JSON Schema documents (draft 2020-12) of verfix's machine-readable outputs, shipped in the package."""

from __future__ import annotations

# The version written into every report and JSONL record, MAJOR.MINOR; every change of one of
# the schemas below changes it and is in CHANGELOG.md. The minor part goes up when keys are added
# and nothing of the same major version changes (2.0 to 2.1); the major part for a key removed or
# renamed, or a type or meaning changed.
SCHEMA_VERSION = "2.1"

_SUFFIX = ".schema.json"


def schema_names() -> list[str]:
    """The names ``load_schema`` accepts, sorted: check-record, check-report, inventory-record,
    kb-import, version-record."""
    from importlib import resources  # on demand: only `verfix schema` and tests need it

    folder = resources.files("verfix").joinpath("schemas")
    return sorted(entry.name[: -len(_SUFFIX)] for entry in folder.iterdir() if entry.name.endswith(_SUFFIX))


def load_schema(name: str) -> str:
    """The text of schema ``name`` (with or without ``.schema.json``); KeyError if unknown."""
    base = name[: -len(_SUFFIX)] if name.endswith(_SUFFIX) else name
    if base not in schema_names():
        raise KeyError(f"unknown schema {name!r}; known: {', '.join(schema_names())}")
    from importlib import resources

    return resources.files("verfix").joinpath("schemas").joinpath(base + _SUFFIX).read_text(encoding="utf-8")
