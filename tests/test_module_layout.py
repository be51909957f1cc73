"""The report modules, and the check, remediation and discovery modules, stay small and one-way:
no module imports one that imports it back; the split modules keep their old public names."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "verfix"
# The modules formats.py was split into, and the report modules beside them.
REPORT_MODULES = ("formats", "records", "writers", "report_text", "report_html", "report_sarif",
                  "server_report", "tables")
# check.py, remediation.py and discover.py, each split by role; the first of each group re-exports.
SPLIT_MODULES = ("check", "check_results", "check_cache",
                 "remediation", "remediation_packs", "remediation_records",
                 "discover", "discover_listing", "discover_registry")
# The public names each had before the split, still importable from it.
OLD_NAMES = {
    "check": ("EXECUTABLE_EXTENSIONS", "FileCache", "FolderCheck", "ManifestResult", "PLATFORM_MACHINES",
              "RELEASES", "RowResult", "Status", "Verdict", "check_folder", "check_manifest", "check_row",
              "fits_release", "is_applicable", "release_label", "server_release", "verdict_of",
              "worst_offender"),
    "remediation": ("FINDING_STATUSES", "FileStep", "FixedIn", "HotfixStep", "PackStep", "Plan", "ServicePack",
                    "names_other_release", "parse_fixed_in", "plan_folder"),
    "discover": ("BinDir", "DEFAULT_INSTALLS", "DRIVE_FOLDER", "Discovery", "DiscoveryError", "HIVE_PATHS",
                 "MARKER_FILES", "MAX_ENTRIES", "PRODUCT", "find_bin_dirs"),
}


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


@pytest.mark.parametrize("module", REPORT_MODULES + SPLIT_MODULES)
def test_module_is_small(module: str) -> None:
    assert len((PACKAGE / f"{module}.py").read_text(encoding="utf-8").splitlines()) <= 300


@pytest.mark.parametrize("module", REPORT_MODULES + SPLIT_MODULES)
def test_module_is_in_no_import_circle(module: str) -> None:
    assert not _reaches(module, module), f"verfix.{module} imports itself through another module"


def test_records_and_writers_do_not_import_the_check_formats() -> None:
    assert "formats" not in _imports("records") | _imports("writers")
    assert _imports("formats") >= {"records", "writers"}


@pytest.mark.parametrize("module", sorted(OLD_NAMES))
def test_split_module_keeps_its_public_names(module: str) -> None:
    loaded = importlib.import_module(f"verfix.{module}")
    assert [name for name in OLD_NAMES[module] if not hasattr(loaded, name)] == []
    assert set(OLD_NAMES[module]) <= set(loaded.__all__)


def test_split_parts_do_not_import_their_interface() -> None:
    """The parts are below the module that re-exports them, never beside or above it."""
    for interface in OLD_NAMES:
        for part in (m for m in SPLIT_MODULES if m.startswith(interface + "_")):
            assert not _reaches(part, interface), f"verfix.{part} imports verfix.{interface}"


# The whole-server check and the report modules work from the survey's findings: what a
# product is (Windows holds the hives, Exchange's markers...) is its profile's, or the survey's.
PRODUCT_BLIND = ("servercheck", "server_report", "hotfix", "formats", "records", "writers", "report_text",
                 "report_html", "report_sarif")


def _product_modules_imported(module: str) -> set[str]:
    products = {path.stem for path in (PACKAGE / "products").glob("*.py")} - {"__init__", "profile"}
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "verfix.products":
            found.update(alias.name for alias in node.names if alias.name in products)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("verfix.products."):
            found.add(node.module.split(".")[2])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[2] for a in node.names if a.name.startswith("verfix.products."))
    return found & products


@pytest.mark.parametrize("module", PRODUCT_BLIND)
def test_the_check_and_report_core_names_no_product(module: str) -> None:
    assert _product_modules_imported(module) == set()
    assert _product_modules_imported("survey") >= {"windows_nt"}  # the helper sees what there is
