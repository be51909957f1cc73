"""What every verfix command shares that needs no typer: exit codes, the error mapping,
stderr lines, Ctrl-C, output streams and the roots of what is scanned.

The entry point (``verfix.entry``) runs ``--version`` and the common ``check`` forms with
this module alone; ``verfix.cli.common`` adds the typer app on top of it.
"""

from __future__ import annotations

import os
import signal
import sys
from contextlib import contextmanager
from enum import IntEnum
from pathlib import Path
from typing import Any, Callable, Iterator, List, Optional, TextIO

from verfix import fsio
from verfix.entry import say_line
from verfix.fsio import OutputError
from verfix.names import terminal_text

INTERRUPTED = 130  # 128 + SIGINT, what shells report for a command stopped by Ctrl-C
#: Signals that stop a run as Ctrl-C does (the report not written, its temporary file removed),
#: exit code 128 + the signal's number: ``timeout``, ``kill`` and service managers send
#: SIGTERM, a closed terminal or SSH session SIGHUP. One that is ignored (``nohup``) stays so.
STOPPING_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


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
    "4 internal error, 130 interrupted (143 SIGTERM, 129 SIGHUP)."
)


class InputError(Exception):
    """A problem with what the user gave us; reported in one line, exit code 2."""


class Interrupted(BaseException):
    """Ctrl-C (SIGINT), or one of :data:`STOPPING_SIGNALS`, during a run started by a ``main``.

    A BaseException, as KeyboardInterrupt is: the handlers that turn a library's failure on a
    file into that file's error (``except Exception`` in the pefile reader, the hive reader)
    must not take a signal raised in the middle of them for one and go on with the run."""

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__(signum)
        self.signum = signum


def _is_manifest_error(error: BaseException) -> bool:
    # verfix.manifest is heavy to import; an error of it exists only once it is imported.
    module = sys.modules.get("verfix.manifest")
    return module is not None and isinstance(error, module.ManifestError)


def failure(error: BaseException) -> tuple[Optional[str], int]:
    """The one mapping from an error to the line on stderr (None: nothing to say) and the
    exit code; ``verfix.cli.common.failure`` adds typer's own exceptions in front."""
    if isinstance(error, (InputError, OutputError)) or _is_manifest_error(error):
        return f"verfix: error: {error}", ExitCode.USAGE
    if isinstance(error, Interrupted) and error.signum != signal.SIGINT:
        return f"verfix: terminated ({signal.Signals(error.signum).name})", 128 + error.signum
    if isinstance(error, (Interrupted, KeyboardInterrupt)):
        return "verfix: interrupted", INTERRUPTED
    if isinstance(error, fsio.OutputClosed):  # the reader left (| head): nothing to say
        return None, ExitCode.COMPLIANT
    if isinstance(error, SystemExit):
        return None, error.code if isinstance(error.code, int) else ExitCode.USAGE
    if isinstance(error, FileNotFoundError) and not _working_folder_exists():
        return "verfix: error: the current folder is gone; cd to one that exists", ExitCode.USAGE
    return f"verfix: internal error: {type(error).__name__}: {error}", ExitCode.INTERNAL


def _working_folder_exists() -> bool:
    """False when the process's working folder has been deleted (os.getcwd fails), which
    makes every relative path fail as if the file were missing."""
    try:
        os.getcwd()
    except FileNotFoundError:
        return False
    return True


def err(message: str) -> None:
    """One line on stderr, control characters escaped."""
    say_line(terminal_text(message))


def note(message: str) -> None:
    """A summary line on stderr, wrapped at blanks to fit 80 columns (or a narrower terminal)."""
    from verfix.tables import summary_width, wrap_line

    try:
        width = summary_width(sys.stderr is not None and sys.stderr.isatty())
    except (OSError, ValueError):
        width = 80
    for line in wrap_line(terminal_text(message), width):
        say_line(line)


def catch_interrupts() -> Any:
    """Make SIGINT, and each of :data:`STOPPING_SIGNALS`, raise Interrupted unless it was
    ignored when the process started (a background job, ``nohup``): typer turns
    KeyboardInterrupt into a silent exit 130, and SIGTERM would end the process at once,
    leaving an ``-o`` report's temporary file behind. Return the handlers they replace, or
    None when not on the main thread."""

    def interrupted(signum: int, frame: object) -> None:
        raise Interrupted(signum)

    try:
        replaced: dict[int, Any] = {}
        for signum in (signal.SIGINT, *STOPPING_SIGNALS):
            if signal.getsignal(signum) is not signal.SIG_IGN:
                replaced[signum] = signal.signal(signum, interrupted)
        return replaced
    except ValueError:  # not the main thread
        return None


def restore_interrupts(previous: Any) -> None:
    """Put back the handlers :func:`catch_interrupts` replaced."""
    if previous is not None:
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)  # None: set outside Python


def run_mapped(call: Callable[[], Any], mapping: Callable[[BaseException], tuple[Optional[str], int]]) -> int:
    """``call()`` with Ctrl-C turned into :class:`Interrupted`, anything it raises turned by
    ``mapping`` (a :func:`failure`) into one line on stderr and the exit code; a result that
    is not an int (typer's None) is exit code 0."""
    previous = catch_interrupts()
    try:
        result = call()
        return int(result) if isinstance(result, int) else ExitCode.COMPLIANT
    except BaseException as error:  # noqa: BLE001 - the last line of defence: no traceback
        message, code = mapping(error)
        if message is not None:
            err(message)
        return code
    finally:
        restore_interrupts(previous)


def use_colour(output: Optional[Path]) -> bool:
    """Colour for a table on a terminal; NO_COLOR turns it off, FORCE_COLOR on (not in a file)."""
    from verfix.colour import wants_colour

    return output is None and wants_colour(os.environ, _stdout_is_terminal())


def table_width(output: Optional[Path]) -> int:
    """The width tables fit: $COLUMNS, else the terminal's, else 80."""
    from verfix.tables import terminal_width

    return terminal_width(output is None and _stdout_is_terminal())


def _stdout_is_terminal() -> bool:
    try:
        return sys.stdout is not None and sys.stdout.isatty()
    except (OSError, ValueError):
        return False


@contextmanager
def output_stream(output_path: Optional[Path], read: List[Path]) -> Iterator[TextIO]:
    """Standard output, or ``output_path`` through the one output writer: a regular file,
    never one of (or inside) the paths this run reads, replaced atomically."""
    with fsio.output(output_path, protected=[os.fspath(p) for p in read]) as stream:
        yield stream


@contextmanager
def scan_roots(path: Path, partition: Optional[int], quiet: bool
               ) -> Iterator[tuple[list, List[Path]]]:
    """What to scan: PATH itself for a folder; for a disk image, the root of each NTFS/FAT
    volume in it (or of ``--partition`` N), listed on stderr. The image is closed after.
    Yields the roots and the files opened for them (every E01 segment, VMDK extent...; none
    for a folder), which the caller protects from ``-o`` with PATH."""
    if os.path.isdir(path) or not _is_image(path):  # a folder is never one: no image package
        if partition is not None:
            raise InputError(f"--partition {partition}: {path} is not a disk image")
        yield [path], []
        return
    from verfix.image import ImageError
    from verfix.image.targets import image_volumes

    try:
        with image_volumes(path, partition) as volumes:
            if not quiet:
                for line in volumes.listing:
                    err(f"{path}: {line}")
                for warning in volumes.warnings:
                    err(f"verfix: warning: {warning}")
            yield list(volumes.roots), list(volumes.files)
    except ImageError as error:
        raise InputError(str(error)) from None


def _is_image(path: Path) -> bool:
    """verfix.image's test, loaded only for what is not a folder."""
    from verfix.image import looks_like_image

    return looks_like_image(path)
