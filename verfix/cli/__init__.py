"""The verfix command line: wires manifests, folders, readers and formats; the only place that
prints. Each command is in a module of its own (``verfix.cli.root`` gathers them in the typer
app); ``verfix.cli.base`` holds what they share without typer.

Importing the package loads nothing: ``main`` and ``app`` load the commands on first use, so
that the entry point (``verfix.entry``) can answer ``--version`` and run a plain ``check``
without typer.
"""

from __future__ import annotations

from typing import Any, List, Optional

__all__ = ["ExitCode", "app", "main"]


def main(argv: Optional[List[str]] = None) -> int:
    """Run verfix on ``argv`` through the typer app; return the exit code
    (``verfix.cli.root.main``)."""
    from verfix.cli.root import main as run

    return run(argv)


def __getattr__(name: str) -> Any:
    """``app`` (every command registered) and ``ExitCode``, loaded on first use."""
    if name == "app":
        from verfix.cli.root import app

        return app
    if name == "ExitCode":
        from verfix.cli.base import ExitCode

        return ExitCode
    raise AttributeError(f"module 'verfix.cli' has no attribute {name!r}")
