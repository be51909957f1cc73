"""The built package ships the bundled manifests, their bundle and the schemas (offline build)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_wheel_ships_manifests_bundle_and_schemas(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    for folder in ("verfix", "manifests"):
        shutil.copytree(REPO / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__"))
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "--quiet", "-w", str(tmp_path / "dist"), str(source)],
        capture_output=True, text=True, timeout=300,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("verfix-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {n for n in names if n.startswith("verfix/manifests/") and n.endswith(".toml")}
    in_repo = {"verfix/" + p.relative_to(REPO).as_posix() for p in (REPO / "manifests").rglob("*.toml")}
    assert "verfix/manifests/Q236586.toml" in shipped
    assert shipped == in_repo
    assert "verfix/manifests/bundle.json" in names
    assert {n for n in names if n.startswith("verfix/schemas/")} == {
        f"verfix/schemas/{name}.schema.json"
        for name in ("check-report", "check-record", "inventory-record", "kb-import", "version-record")
    }
    assert any(n.endswith("entry_points.txt") for n in names)
    # Installed from the wheel (not editable), the manifests are found and the bundle is used.
    target = tmp_path / "site"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet",
         "--target", str(target), str(wheel)],
        capture_output=True, text=True, timeout=300,
    )
    assert installed.returncode == 0, installed.stderr
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]); import verfix; "
        "from verfix.manifest_bundle import BUNDLE_NAME, _decoded_bundle, bundled_manifest_paths, "
        "bundled_root, load_bundled; from verfix.select import find_manifests; "
        "root = bundled_root(); paths = bundled_manifest_paths(root); "
        "assert verfix.__file__.startswith(sys.argv[1]), verfix.__file__; "
        "assert str(root).startswith(sys.argv[1]), root; "
        "assert _decoded_bundle(root, paths, [p.read_bytes() for p in paths]) is not None; "
        "import verfix.check, verfix.pe.fast as fast, verfix.products.exchange as ex; "
        "assert all(m.__file__.startswith(sys.argv[1]) for m in (fast, ex)), (fast, ex); "  # shipped
        "print(len(load_bundled()), find_manifests('Q236586')[0].id)"
    )
    ran = subprocess.run([sys.executable, "-c", probe, str(target)], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split() == [str(len(in_repo)), "Q236586"]
