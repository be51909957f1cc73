"""Reading one file the walk found: opened once, its head read, a PE file's versions (and
digests when asked for) read from the same descriptor. The answer is a small picklable
tuple (an *outcome*), so a worker process can send it back as well as the loop in-process.

Outcomes: ``(SKIP, reason)``, ``(UNREADABLE, error)``, ``(NOT_PE, size)``,
``(PE_ERROR, size, problem, digests)`` and ``(PE, size, fields, digests)``, where
``fields`` holds the values of :data:`PE_FIELDS` as the record writes them; a reader made
with a ``tail`` (:mod:`.lines`) answers ``(PE_LINE, size, tail, has_version)`` instead,
``tail`` being the file's JSON line after its path.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import Any, Callable

from verfix.fsio import open_readonly, pread_upto
from verfix.fsview import ImagePath, Source, close, error_reason, read_at
from verfix.inventory.lines import TailMaker
from verfix.inventory.walk import SKIP_LINK_DANGLING, type_skip_reason
from verfix.pe import HEAD_SIZE, PEInfo, PEReadError, Reader, open_file_reader
from verfix.pe.fast import version_data
from verfix.pe.versioninfo import parse_version_info

HASH_CHUNK_SIZE = 1 << 20  # 1 MiB per read while hashing: memory stays flat for any file size
SKIP, UNREADABLE, NOT_PE, PE_ERROR, PE, PE_LINE = range(6)
# A PE record's fields after path and size and before the digests, in the record's order.
PE_FIELDS = ("file_version", "file_version_string", "product_name", "product_version",
             "product_version_string", "company_name", "file_description", "original_filename",
             "internal_name", "legal_copyright", "machine", "error")
Outcome = tuple
FileReader = Callable[[Any, bool], Outcome]


def hash_open_file(fd: Source, algorithms: tuple[str, ...], head: bytes) -> dict[str, str]:
    """Every digest of the file in one pass: ``head`` (its first bytes, already read), then
    the rest in chunks of HASH_CHUNK_SIZE."""
    import hashlib

    digests = [getattr(hashlib, name)() for name in algorithms]
    chunk, offset = head, 0
    while chunk:
        for digest in digests:
            digest.update(chunk)
        offset += len(chunk)
        if offset == len(head) and len(head) < HEAD_SIZE:
            break  # the head was short: it is the whole file
        chunk = read_at(fd, offset, HASH_CHUNK_SIZE)
    return {name: digest.hexdigest() for name, digest in zip(algorithms, digests)}


class NotRegular(Exception):
    """The path turned out not to be a regular file once opened (replaced since the walk)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def open_with_head(path: str | ImagePath, follow_link: bool) -> tuple[Source, int, bytes]:
    """(fd, size, first HEAD_SIZE bytes) of a file the walk found; NotRegular when it is no
    longer a regular file (it is not read then), OSError when it cannot be opened or read.
    The plain version of the open that :func:`_fast_opener` makes for a folder's files."""
    if isinstance(path, ImagePath):
        file = path.view.open(path)
        try:
            return file, file.size, read_at(file, 0, HEAD_SIZE)
        except BaseException:
            file.close()
            raise
    try:
        fd = open_readonly(path, follow_links=follow_link)  # non-blocking, atime untouched
    except OSError as error:
        if error.errno == errno.ELOOP and not follow_link:
            raise NotRegular(SKIP_LINK_DANGLING) from None  # became a link since the walk
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegular(type_skip_reason(info.st_mode))
        head = pread_upto(fd, 0, HEAD_SIZE)
    except BaseException:
        os.close(fd)
        raise
    return fd, info.st_size, head


# The flags of verfix.fsio.open_readonly for a file (a test holds the two to the same flags).
_READ_FLAG_NAMES = ("O_NONBLOCK", "O_NOCTTY", "O_CLOEXEC", "O_BINARY")


def _fast_opener() -> Callable[[str, bool], tuple[Source, int, bytes]]:
    """:func:`open_with_head` for paths in a folder, with the open flags worked out once (not
    at each open) and no layers of calls: the same answers, errors and descriptors."""
    pread = getattr(os, "pread", None)
    if pread is None:  # no os.pread (Windows): the plain open and read
        return open_with_head
    flags = os.O_RDONLY
    for name in _READ_FLAG_NAMES:
        flags |= getattr(os, name, 0)
    nofollow = flags | getattr(os, "O_NOFOLLOW", 0)
    noatime = getattr(os, "O_NOATIME", 0)
    os_open, fstat, s_isreg = os.open, os.fstat, stat.S_ISREG

    def open_fast(path: str, follow_link: bool) -> tuple[int, int, bytes]:
        chosen = flags if follow_link else nofollow
        try:
            fd = os_open(path, chosen | noatime)
        except PermissionError as error:
            if error.errno != errno.EPERM or not noatime:
                raise
            fd = os_open(path, chosen)  # O_NOATIME refused (not the owner): this file only
        except OSError as error:
            if error.errno == errno.ELOOP and not follow_link:
                raise NotRegular(SKIP_LINK_DANGLING) from None  # became a link since the walk
            raise
        try:
            info = fstat(fd)
            if not s_isreg(info.st_mode):
                raise NotRegular(type_skip_reason(info.st_mode))
            head = pread(fd, HEAD_SIZE, 0)
            got = len(head)
            if 0 < got < HEAD_SIZE:  # the end of the file, or a short read: go on as pread_upto
                head += pread_upto(fd, got, HEAD_SIZE - got)
        except BaseException:
            os.close(fd)
            raise
        return fd, info.st_size, head

    return open_fast


def pe_fields(info: PEInfo) -> tuple:
    """The values of :data:`PE_FIELDS` of a PE file read without error."""
    file_version = info.file_version
    product_version = info.product_version
    return (  # "%d.%d.%d.%d" % version is str(version) (four ints), without its Python method
        None if file_version is None else "%d.%d.%d.%d" % file_version, info.file_version_string,
        info.product_name, None if product_version is None else "%d.%d.%d.%d" % product_version,
        info.product_version_string, info.company_name, info.file_description,
        info.original_filename, info.internal_name, info.legal_copyright, info.machine,
        None if file_version is not None else (info.version_problem or "no file version"),
    )


def fast_fields(fd: Source, size: int, head: bytes) -> tuple:
    """``pe_fields(fast.read_open(fd, size, head))`` without the PEInfo between them: the
    fields straight from the version block's parse (a file without a version resource gets
    one shared tuple per machine)."""
    machine, data = version_data(fd, size, head)
    if data is None:
        fields = _NO_VERSION_FIELDS.get(machine)
        if fields is None:
            fields = (None,) * 10 + (machine, "no version resource")
            if len(_NO_VERSION_FIELDS) < 64:  # a bounded set (the machine names)
                _NO_VERSION_FIELDS[machine] = fields
        return fields
    if not data:
        return (None,) * 10 + (machine, "version resource is empty")
    result = parse_version_info(data, {"machine": machine})
    get = result.get
    file_version = get("file_version")
    product_version = get("product_version")
    return (
        None if file_version is None else "%d.%d.%d.%d" % file_version, get("file_version_string"),
        get("product_name"), None if product_version is None else "%d.%d.%d.%d" % product_version,
        get("product_version_string"), get("company_name"), get("file_description"),
        get("original_filename"), get("internal_name"), get("legal_copyright"), machine,
        None if file_version is not None else (get("version_problem") or "no file version"),
    )


_NO_VERSION_FIELDS: dict[str, tuple] = {}


def file_reader(reader: Reader = Reader.FAST, hashes: tuple[str, ...] = (), *,
                plain: bool = False, tail: TailMaker | None = None) -> FileReader:
    """The outcome of one file, as ``read(path, via_link)``; ``plain`` uses the plain open
    (:func:`open_with_head`) for every path, the reference the fast open is tested against;
    with ``tail`` a PE file read without error answers its line (a PE_LINE outcome)."""
    if Reader(reader) is Reader.FAST:
        fields_of: Callable[[Source, int, bytes], tuple] = fast_fields
    else:
        read_open = open_file_reader(reader)

        def fields_of(fd: Source, size: int, head: bytes) -> tuple:
            return pe_fields(read_open(fd, size, head))
    fast_open = None if plain else _fast_opener()

    def read(path: Any, via_link: bool) -> Outcome:
        fd: Source
        try:
            if fast_open is not None and path.__class__ is str:
                fd, size, head = fast_open(path, via_link)
            else:
                fd, size, head = open_with_head(path, via_link)
        except NotRegular as replaced:
            return (SKIP, replaced.reason)
        except OSError as error:
            return (UNREADABLE, f"cannot read: {error_reason(error)}")
        # The hash and the reader go on from the same fd, closed before the answer goes out.
        is_pe = head[:2] == b"MZ"
        fields = problem = failure = None
        digests: dict[str, str] = {}
        try:
            if is_pe:
                if hashes:
                    digests = hash_open_file(fd, hashes, head)
                try:
                    fields = fields_of(fd, size, head)
                except PEReadError as error:
                    problem = str(error)
        except OSError as error:
            failure = error
        finally:
            try:
                if fd.__class__ is int:
                    os.close(fd)
                else:
                    close(fd)
            except OSError as error:
                failure = failure or error
        if failure is not None:
            return (UNREADABLE, f"cannot read: {error_reason(failure)}")
        if not is_pe:
            return (NOT_PE, size)
        if fields is None:
            return (PE_ERROR, size, problem, digests)
        if tail is not None and path.__class__ is str:
            text = tail(path, size, fields, digests)
            if text is not None:
                return (PE_LINE, size, text, fields[0] is not None)
        return (PE, size, fields, digests)

    return read
