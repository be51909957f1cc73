"""The verfix command line: wires manifests, folders, readers and formats; the only place that
prints. Each command is in a module of its own; this one runs them."""

from __future__ import annotations

import signal
from typing import Any, List, Optional

import typer

from verfix import __version__, fsio
from verfix.cli import check, files, manifests, products  # noqa: F401 - they add their commands to app
from verfix.cli.common import ExitCode, Interrupted, err, app, failure

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
    previous = _catch_interrupts()
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
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def _catch_interrupts() -> Any:
    """Make SIGINT raise Interrupted (typer turns KeyboardInterrupt into a silent exit 130);
    return the handler it replaced, or None when not on the main thread."""

    def interrupted(signum: int, frame: object) -> None:
        raise Interrupted()

    try:
        return signal.signal(signal.SIGINT, interrupted)
    except ValueError:  # not the main thread
        return None
