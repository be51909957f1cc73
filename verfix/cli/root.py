"""The typer app with every command registered, and ``main``, which runs it."""

from __future__ import annotations

from typing import List, Optional

import typer

from verfix import __version__, fsio
from verfix.cli import check_command, files, manifests, products  # noqa: F401 - they add their commands to app
from verfix.cli.base import run_mapped
from verfix.cli.common import ExitCode, app, failure

__all__ = ["ExitCode", "app", "main"]


def _show_version(value: bool) -> None:
    if value:
        with fsio.output(None) as stream:
            stream.write(f"verfix {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: bool = typer.Option(
        False, "--version", "-V", callback=_show_version, is_eager=True, help="Show verfix's version."
    ),
) -> None:
    """Check Windows binaries' file versions against Microsoft KB fixed-file tables."""


def main(argv: Optional[List[str]] = None) -> int:
    """Run verfix on ``argv`` (default: the process's arguments); return the exit code.

    Every error becomes one line on stderr and an exit code through :func:`failure`; no
    traceback reaches the user. Ctrl-C stops the run with "interrupted" and 130.
    """
    return run_mapped(lambda: _run_app(argv), failure)


def _run_app(argv: Optional[List[str]]) -> object:
    """The typer app on ``argv``; a usage error is typer's own message and exit code."""
    try:
        return app(args=argv, prog_name="verfix", standalone_mode=False)
    except typer.TyperException as error:
        error.show()  # type: ignore[attr-defined]
        return int(getattr(error, "exit_code", ExitCode.USAGE))

