"""The README's `make run` example, "abridged, at 80 columns", is real output: every line it
shows is a line of the same commands' output at COLUMNS=80, and none is wider than 80."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from verfix.cli import app

REPO = Path(__file__).resolve().parent.parent
runner = CliRunner()
COMMANDS = [
    ["check", "testdata/sp2/exchsrvr/bin", "-m", "Q236586"], ["check", "testdata/sp3/exchsrvr/bin", "-m", "Q236586"],
    ["products", "testdata/nt4"], ["check", "testdata/nt4"], ["check", "testdata/sp3/exchsrvr/bin"],
]


def _example() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index("Abridged, at 80 columns:\n\n```\n") + len("Abridged, at 80 columns:\n\n```\n")
    return text[start:text.index("\n```", start)].splitlines()


def test_the_readme_example_is_real_output_at_80_columns(monkeypatch) -> None:
    monkeypatch.chdir(REPO)
    output: set[str] = set()
    for args in COMMANDS:
        result = runner.invoke(app, args, env={"COLUMNS": "80"})
        assert result.exit_code in (0, 1), result.output
        output.update(result.stdout.splitlines())
    shown = _example()
    assert len(shown) > 60 and max(len(line) for line in shown) <= 80
    for line in shown:
        if line.strip() in ("…", "") or line.startswith("== "):  # an abridgement, a heading
            continue
        if line.endswith(", …"):  # a list cut short by hand
            assert any(out.startswith(line[:-1]) for out in output), line
            continue
        assert line in output, line
