"""What every verfix command shares: the app, exit codes, the error mapping, stderr lines,
output streams and the roots of what is scanned."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from enum import IntEnum
from pathlib import Path
from typing import Any, Iterator, List, Optional, TextIO

import typer
from typer.core import TyperGroup

from verfix import fsio
from verfix.colour import wants_colour
from verfix.fsio import OutputError
from verfix.names import terminal_text
from verfix.manifest import ManifestError
from verfix.tables import summary_width, terminal_width, wrap_line


INTERRUPTED = 130  # 128 + SIGINT, what shells report for a command stopped by Ctrl-C


class ExitCode(IntEnum):
    """Exit codes scripts can rely on."""

    COMPLIANT = 0      # every checked manifest is compliant (or every file was read)
    NOT_COMPLIANT = 1  # some manifest is not compliant: a file is outdated or missing
    USAGE = 2          # usage or input error: bad option, unknown manifest, path not found
    INCOMPLETE = 3     # nothing is known to be wrong, but something could not be told
    INTERNAL = 4       # a bug in verfix


EXIT_CODES_HELP = (
    "Exit codes: 0 compliant, 1 not compliant (a file is outdated or missing), "
    "2 usage or input error, 3 incomplete (a file could not be read or has no version), "
    "4 internal error, 130 interrupted."
)

class InputError(Exception):
    """A problem with what the user gave us; reported in one line, exit code 2."""


class Interrupted(Exception):
    """Ctrl-C (SIGINT) during a run started by :func:`main`."""


def failure(error: BaseException) -> tuple[Optional[str], int]:
    """The one mapping from an error to the line on stderr (None: nothing to say) and the
    exit code."""
    if isinstance(error, (InputError, ManifestError, OutputError)):
        return f"verfix: error: {error}", ExitCode.USAGE
    if isinstance(error, (Interrupted, KeyboardInterrupt, typer.Abort)):
        return "verfix: interrupted", INTERRUPTED
    if isinstance(error, typer.Exit):
        return None, error.exit_code
    if isinstance(error, SystemExit):
        return None, error.code if isinstance(error.code, int) else ExitCode.USAGE
    return f"verfix: internal error: {type(error).__name__}: {error}", ExitCode.INTERNAL


class _Group(TyperGroup):
    """Runs the commands with :func:`failure` applied to whatever they raise, so typer's
    test runner and :func:`main` give the same messages and exit codes."""

    def resolve_command(self, ctx: Any, args: List[str]) -> Any:
        from verfix.cli.arguments import refuse_empty

        refuse_empty(ctx, args)  # -m '' would mean the current folder
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.TyperException):
            raise
        except Exception as error:  # noqa: BLE001 - mapped to a message and an exit code
            message, code = failure(error)
            if message is not None:
                err(message)
            raise typer.Exit(code) from None


# -h as well as --help, on every command; -q and -v on every command too.
CONTEXT = {"help_option_names": ["-h", "--help"]}
QUIET = typer.Option(False, "--quiet", "-q", help="Nothing on stderr but errors.")
VERBOSE = typer.Option(False, "--verbose", "-v", help="Also say on stderr what was done.")

app = typer.Typer(
    cls=_Group,
    help="Check Windows binaries' file versions against Microsoft KB fixed-file tables.\n\n"
    + EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=True,  # typer's --install-completion / --show-completion (bash, zsh, fish, PowerShell)
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings=CONTEXT,
)
manifests_app = typer.Typer(cls=_Group, help="List, show and validate manifests.", no_args_is_help=True,
                            context_settings=CONTEXT)
app.add_typer(manifests_app, name="manifests")


def err(message: str) -> None:
    """One line on stderr, control characters escaped."""
    typer.echo(terminal_text(message), err=True)


def note(message: str) -> None:
    """A summary line on stderr, wrapped at blanks to fit 80 columns (or a narrower terminal)."""
    for line in wrap_line(terminal_text(message), summary_width(sys.stderr.isatty())):
        typer.echo(line, err=True)


def use_colour(output: Optional[Path]) -> bool:
    """Colour for a table on a terminal; NO_COLOR turns it off, FORCE_COLOR on (not in a file)."""
    return output is None and wants_colour(os.environ, sys.stdout.isatty())


def table_width(output: Optional[Path]) -> int:
    """The width tables fit: $COLUMNS, else the terminal's, else 80."""
    return terminal_width(output is None and sys.stdout.isatty())


@contextmanager
def output_stream(output_path: Optional[Path], read: List[Path]) -> Iterator[TextIO]:
    """Standard output, or ``output_path`` through the one output writer: a regular file,
    never one of (or inside) the paths this run reads, replaced atomically."""
    with fsio.output(output_path, protected=[os.fspath(p) for p in read]) as stream:
        yield stream


@contextmanager
def scan_roots(path: Path, partition: Optional[int], quiet: bool) -> Iterator[list]:
    """What to scan: PATH itself for a folder; for a disk image, the root of each NTFS/FAT
    volume in it (or of ``--partition`` N), listed on stderr. The image is closed after."""
    from verfix.image import ImageError, looks_like_image

    if not looks_like_image(path):
        if partition is not None:
            raise InputError(f"--partition {partition}: {path} is not a disk image")
        yield [path]
        return
    from verfix.image.targets import image_volumes

    try:
        with image_volumes(path, partition) as volumes:
            if not quiet:
                for line in volumes.listing:
                    err(f"{path}: {line}")
                for warning in volumes.warnings:
                    err(f"verfix: warning: {warning}")
            yield list(volumes.roots)
    except ImageError as error:
        raise InputError(str(error)) from None
