"""The console entry point (``verfix`` and ``python -m verfix``): small, so that start-up is.

It imports nothing but the standard streams' guard at first. ``--version`` is answered
here; the plain forms of ``check`` (``verfix.cli.fastargs``) run without typer; every other
command line goes to the typer app (``verfix.cli.root``), and so does every one while a shell
asks for completions (:data:`COMPLETE_VAR` set: typer answers, whatever the arguments).
Whatever happens before that app takes over is handled here too: Ctrl-C while the modules
load is one line, "verfix: interrupted", and exit 130; standard output closed at start
(``verfix -V >&-``) or that cannot be written (help to /dev/full) is one line and exit 2,
never a traceback.
"""

from __future__ import annotations

import errno
import os
import sys
from typing import Any, Callable, List, Optional

INTERRUPTED = 130  # as verfix.cli.base.INTERRUPTED, without importing it
# Click's completion variable for the program name verfix.cli.root gives the app ("verfix").
COMPLETE_VAR = "_VERFIX_COMPLETE"


class ClosedStream:
    """A standard stream the process was started without (``>&-``): every write fails as a
    write to a closed descriptor does, so the one output writer reports it."""

    encoding = "utf-8"
    errors = "strict"

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))

    def flush(self) -> None:
        """Nothing is ever buffered."""

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise ValueError("standard stream closed at start")


def main(argv: Optional[List[str]] = None) -> int:
    """Run verfix on ``argv`` (default: the process's arguments); return the exit code."""
    restore: Optional[Callable[[], None]] = None
    try:
        restore = _guard_streams()  # loads verfix.fsio: Ctrl-C may come while it does
        return _dispatch(sys.argv[1:] if argv is None else list(argv))
    except KeyboardInterrupt:  # Ctrl-C before a command's own handler was in place
        say_line("verfix: interrupted")
        return INTERRUPTED
    finally:
        if restore is not None:
            restore()
        if argv is None:  # the process ends next: spare it the last collection (~4 ms)
            import gc

            gc.freeze()


def _dispatch(args: List[str]) -> int:
    code = None if os.environ.get(COMPLETE_VAR) else _without_typer(args)
    if code is not None:
        return code
    from verfix.cli.root import main as typer_main

    return typer_main(args)


def _without_typer(args: List[str]) -> Optional[int]:
    """The exit code of ``--version`` or of a plain ``check``, run without typer; None for
    every other command line."""
    if args in (["-V"], ["--version"]):
        return _version()
    if args[:1] == ["check"]:
        from verfix.cli.fastargs import parse_check

        params = parse_check(args[1:])
        if params is not None:
            from verfix.cli.check import run

            return _run_plain(run, params)
    return None


def _version() -> int:
    from verfix import __version__, fsio

    try:
        with fsio.output(None) as stream:
            stream.write(f"verfix {__version__}\n")
    except fsio.OutputError as error:
        say_line(f"verfix: error: {error}")
        return 2
    return 0


def _run_plain(command: Callable[..., int], params: dict) -> int:
    """A command run without typer, with the errors, Ctrl-C and exit codes typer's group
    gives it (``verfix.cli.base.failure``)."""
    from verfix.cli.base import failure, run_mapped

    return run_mapped(lambda: command(**params), failure)


def _guard_streams() -> Callable[[], None]:
    """Stand-ins for standard streams closed at start (their descriptors held by /dev/null, so
    no file this run opens becomes "standard output"), and standard output behind the guard
    that turns its write errors into one-line messages; returns what puts them back."""
    saved: dict[str, Any] = {name: getattr(sys, name) for name in ("stdin", "stdout", "stderr")}
    for fd, name in enumerate(("stdin", "stdout", "stderr")):
        if saved[name] is None:
            _hold_descriptor(fd)
    from verfix.fsio import GuardedStdout

    # A closed stderr stays None: nothing can be told there.
    stdout: Any = ClosedStream() if sys.stdout is None else sys.stdout
    sys.stdout = GuardedStdout(stdout)

    def restore() -> None:
        for name, stream in saved.items():
            setattr(sys, name, stream)

    return restore


def _hold_descriptor(fd: int) -> None:
    try:
        os.fstat(fd)
        return  # open after all (a test's capture, or reopened)
    except OSError:
        pass
    try:
        held = os.open(os.devnull, os.O_RDWR)
        if held != fd:
            os.dup2(held, fd)
            os.close(held)
    except OSError:
        pass


def say_line(line: str) -> None:
    """One line on stderr, if there is one (nothing when it is closed or full); also the
    writer of ``verfix.cli.base.err``."""
    stream = sys.stderr
    try:
        if stream is not None:
            stream.write(line + "\n")
            stream.flush()
    except (OSError, ValueError):
        pass


if __name__ == "__main__":  # pragma: no cover - the console script and -m call main()
    sys.exit(main())
