"""File-system helpers shared by every reader and writer: reasons, kinds, safe opens,
bounded reads and the one output writer (the spelling of names is in :mod:`verfix.names`)."""

from __future__ import annotations

import errno
import os
import stat
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO, TextIO, cast

# Re-exported for older callers; the spelling of names lives in verfix.names.
from verfix.names import name_hex, name_text, terminal_text  # noqa: F401

# Opening never blocks (a FIFO that slipped past a check), never becomes our controlling
# terminal, and never updates the access time where the system lets us say so. The flags
# are looked up at each open: Windows and macOS lack some (O_NOATIME, O_NOCTTY on Windows),
# and a test takes them away to run the readers as there.
_READ_FLAG_NAMES = ("O_NONBLOCK", "O_NOCTTY", "O_CLOEXEC", "O_BINARY")
_READ_CHUNK = 1 << 20



class InputFileError(OSError):
    """An input file refused or unreadable; ``str(error)`` is the reason, without the path.
    An OSError, so code that handles read errors handles these too."""


class OutputError(Exception):
    """A report that cannot be written where asked; the message names the place."""


class OutputClosed(Exception):
    """Standard output was closed by its reader (EPIPE): not an error, stop writing."""


def os_reason(error: OSError) -> str:
    """A one-line reason, without the path, for an OS error ("permission denied", ...)."""
    if error.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if error.errno is not None:
        return os.strerror(error.errno).lower()
    return str(error) or type(error).__name__


def file_kind(mode: int) -> str:
    """What a file of this ``st_mode`` is, as a noun: "directory", "FIFO (named pipe)", ..."""
    for test, name in ((stat.S_ISREG, "regular file"), (stat.S_ISDIR, "directory"),
                       (stat.S_ISFIFO, "FIFO (named pipe)"), (stat.S_ISSOCK, "socket"),
                       (stat.S_ISCHR, "device"), (stat.S_ISBLK, "device"),
                       (stat.S_ISLNK, "symbolic link")):
        if test(mode):
            return name
    return "special file"


def open_readonly(path: str | os.PathLike[str], *, follow_links: bool = True,
                  directory: bool = False) -> int:
    """Open ``path`` for reading without blocking and, where allowed, without touching atime.

    O_NOATIME needs ownership of the file (or CAP_FOWNER); when it is refused (EPERM) the
    open is retried without it, for this file only. ``directory`` insists on a folder.
    Returns a descriptor; raises OSError like ``os.open``.
    """
    flags = os.O_RDONLY
    for name in _READ_FLAG_NAMES:
        flags |= getattr(os, name, 0)
    if not follow_links:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    if directory:
        flags |= getattr(os, "O_DIRECTORY", 0)
    noatime = getattr(os, "O_NOATIME", 0)
    if noatime:
        try:
            return os.open(path, flags | noatime)
        except PermissionError as error:
            if error.errno != errno.EPERM:
                raise
    return os.open(path, flags)


def pread_upto(fd: int, offset: int, length: int) -> bytes:
    """Up to ``length`` bytes at ``offset``: fewer only at the end of the file (short reads
    are continued). Raises OSError.

    Where the system has no ``os.pread`` (Windows), a seek and a read do the same; verfix
    reads each descriptor from one thread only, so the moved file position harms nothing.
    """
    pread = getattr(os, "pread", None) or _seek_and_read
    data = pread(fd, length, offset)
    if len(data) < length and data:
        parts = [data]
        got = len(data)
        while got < length:
            more = pread(fd, length - got, offset + got)
            if not more:
                break
            parts.append(more)
            got += len(more)
        data = b"".join(parts)
    return data


def _seek_and_read(fd: int, length: int, offset: int) -> bytes:
    """``os.pread`` for systems without it."""
    os.lseek(fd, offset, os.SEEK_SET)
    return os.read(fd, length)


def read_bounded(path: str | os.PathLike[str], limit: int, *, follow_links: bool = True) -> bytes:
    """The whole of a regular file of at most ``limit`` bytes (manifests, articles, hives).

    FIFOs, devices, sockets and folders are refused once opened (the open never blocks),
    so a link to /dev/zero or a FIFO cannot hang or exhaust memory; so is a file over
    ``limit``, or one that grows past it while read. Raises InputFileError with the reason.
    """
    try:
        fd = open_readonly(path, follow_links=follow_links)
    except OSError as error:
        if error.errno == errno.ELOOP and not follow_links:
            raise InputFileError("cannot open: is a symbolic link (not followed)") from None
        raise InputFileError(f"cannot open: {os_reason(error)}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputFileError(f"not a regular file ({file_kind(info.st_mode)})")
        if info.st_size > limit:
            raise InputFileError(f"larger than {limit} bytes ({info.st_size}); not read")
        chunks: list[bytes] = []
        got = 0
        while got <= limit:  # one byte more than the limit tells a file that grew
            chunk = os.read(fd, min(limit + 1 - got, _READ_CHUNK))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
    except OSError as error:
        raise InputFileError(f"cannot read: {os_reason(error)}") from None
    finally:
        os.close(fd)
    if got > limit:
        raise InputFileError(f"larger than {limit} bytes (it grew while read); not read")
    return b"".join(chunks)


# --- the one output writer ----------------------------------------------------------------

def refuse_output_path(path: str, protected: Iterable[str]) -> None:
    """Raise OutputError unless ``path`` may be written: a regular file or nothing yet, not
    a link, and not inside (or the same file as) any ``protected`` path (what is read)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise OutputError(f"{path}: cannot write: {os_reason(error)}") from None
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise OutputError(f"{path}: is a {file_kind(info.st_mode)}; "
                          "-o writes only to a regular file")
    real = os.path.join(os.path.realpath(os.path.dirname(path) or "."), os.path.basename(path))
    for item in protected:
        real_item = os.path.realpath(item)
        same = info is not None and _same_file(path, item)
        try:
            inside = os.path.commonpath([real, real_item]) == real_item
        except ValueError:
            inside = False
        if same or inside:
            if os.path.isdir(item):
                raise OutputError(f"{path}: refusing to write the report inside the scanned "
                                  f"folder {item}")
            raise OutputError(f"{path}: refusing to write over {item}, which this run reads")


def _same_file(one: str, other: str) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:
        return False


def _new_file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextmanager
def output_file(path: str | os.PathLike[str], *, protected: Iterable[str] = (),
                binary: bool = False) -> Iterator[IO]:
    """Write ``path`` atomically: checked by :func:`refuse_output_path`, written to a
    temporary file beside it, fsync'ed and renamed into place; an existing file keeps its
    mode, a new one gets the umask's. Nothing is left behind on any failure or Ctrl-C.
    Raises OutputError with a one-line message."""
    import tempfile  # not at import time: it costs each start-up a few milliseconds

    target = os.fspath(path)
    refuse_output_path(target, list(protected))
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        mode = _new_file_mode()
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.",
                                             suffix=".tmp", dir=os.path.dirname(target) or ".")
    except OSError as error:
        raise OutputError(f"{target}: cannot write: {os_reason(error)}") from None
    try:
        stream: IO = (os.fdopen(handle, "wb") if binary else
                      os.fdopen(handle, "w", encoding="utf-8", newline=""))
        with stream:
            yield stream
            stream.flush()
            if hasattr(os, "fchmod"):
                os.fchmod(stream.fileno(), mode)
            else:  # Windows before Python 3.13
                os.chmod(temporary, mode)
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except OSError as error:
        raise OutputError(f"{target}: cannot write: {os_reason(error)}") from None
    finally:
        if os.path.lexists(temporary):
            os.unlink(temporary)


class GuardedStdout:
    """Standard output whose write errors are told apart: EPIPE (the reader left, as in
    ``| head``) raises OutputClosed; any other (ENOSPC on /dev/full, EIO) OutputError. Once
    failed, every later write fails the same way (a caller that swallowed the first error,
    as click's stream probe does, still gets told)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._failed_with: str | None = None  # the first failure's reason ("" for EPIPE)

    def __getattr__(self, name: str) -> object:  # isatty, fileno, encoding... of the stream
        return getattr(self.stream, name)

    def write(self, text: str) -> int:
        if self._failed_with is not None:
            self._raise(self._failed_with)
        try:
            return self.stream.write(text)
        except OSError as error:
            self._failed(error)
            raise  # not reached

    def flush(self) -> None:
        if self._failed_with is not None:
            self._raise(self._failed_with)
        try:
            self.stream.flush()
        except OSError as error:
            self._failed(error)

    def _failed(self, error: OSError) -> None:
        # The interpreter's last flush must not fail again: point the descriptor at
        # /dev/null and drop what is still buffered.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.stream.fileno())
            os.close(devnull)
        except (OSError, ValueError):
            pass
        self._failed_with = "" if error.errno == errno.EPIPE else os_reason(error)
        self._raise(self._failed_with)

    @staticmethod
    def _raise(reason: str) -> None:
        if not reason:
            raise OutputClosed() from None
        raise OutputError(f"standard output: cannot write: {reason}") from None


@contextmanager
def output(path: str | os.PathLike[str] | None, *, protected: Iterable[str] = ()
           ) -> Iterator[TextIO]:
    """The one writer behind every ``-o``: :func:`output_file` for a path, else standard
    output through :class:`GuardedStdout` (a closed pipe ends the writing quietly)."""
    if path is not None:
        with output_file(path, protected=protected) as stream:
            yield cast(TextIO, stream)
        return
    guard = GuardedStdout(sys.stdout)
    try:
        yield cast(TextIO, guard)
        guard.flush()
    except OutputClosed:
        pass
