"""Findings of a hostile tester on the command line: each test failed before its fix."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from verfix.cli import main

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "kb"


def verfix(*args: str, **kwargs) -> subprocess.CompletedProcess:
    kwargs.setdefault("stdout", subprocess.PIPE)
    return subprocess.run([sys.executable, "-m", "verfix", *args], stderr=subprocess.PIPE,
                          text=True, timeout=120, **kwargs)


@pytest.mark.parametrize("out", [None, ".", "./"])
def test_import_writes_into_the_current_folder(tmp_path, monkeypatch, out) -> None:
    monkeypatch.chdir(tmp_path)
    extra = [] if out is None else ["-o", out]
    assert main(["manifests", "import", str(FIXTURES / "Q900001.TXT"), *extra]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["Q900001.toml"]
