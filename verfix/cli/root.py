"""The typer app with every command registered, and ``main``, which runs it."""

from __future__ import annotations

from typing import List, Optional

import typer

from verfix import __version__, fsio
from verfix.cli import check_command, files, manifests, products  # noqa: F401 - they add their commands to app
from verfix.cli.base import catch_interrupts, restore_interrupts
from verfix.cli.common import ExitCode, err, app, failure

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
    previous = catch_interrupts()
    try:
        result = app(args=argv, prog_name="verfix", standalone_mode=False)
        return int(result) if isinstance(result, int) else ExitCode.COMPLIANT
    except typer.TyperException as error:  # usage errors: typer's own message
        error.show()  # type: ignore[attr-defined]
        return int(getattr(error, "exit_code", ExitCode.USAGE))
    except BaseException as error:  # noqa: BLE001 - the last line of defence
        message, code = failure(error)
        if message is not None:
            err(message)
        return code
    finally:
        restore_interrupts(previous)

