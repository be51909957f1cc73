"""The report modules stay small and one-way: no module imports one that imports it back."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "verfix"
# The modules formats.py was split into, and the report modules beside them.
REPORT_MODULES = ("formats", "records", "writers", "report_text", "report_html", "report_sarif",
                  "server_report", "tables")


def _imports(module: str) -> set[str]:
    """The verfix modules ``module`` imports, at the top or inside a function."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("verfix."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.ImportFrom) and node.module == "verfix":
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("verfix."))
    return found


def _reaches(start: str, goal: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        module = todo.pop()
        if module in seen or not (PACKAGE / f"{module}.py").is_file():
            continue
        seen.add(module)
        for target in _imports(module):
            if target == goal:
                return True
            todo.append(target)
    return False


@pytest.mark.parametrize("module", REPORT_MODULES)
def test_report_module_is_small(module: str) -> None:
    assert len((PACKAGE / f"{module}.py").read_text(encoding="utf-8").splitlines()) <= 300


@pytest.mark.parametrize("module", REPORT_MODULES)
def test_report_module_is_in_no_import_circle(module: str) -> None:
    assert not _reaches(module, module), f"verfix.{module} imports itself through another module"


def test_records_and_writers_do_not_import_the_check_formats() -> None:
    assert "formats" not in _imports("records") | _imports("writers")
    assert _imports("formats") >= {"records", "writers"}
