"""Reading keys and values from a registry hive found in a disk image (read-only, size-capped)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from verfix.fsio import InputFileError
from verfix.fsview import view_of
from verfix.products.exchange import SETUP as EXCHANGE_SETUP

#: A SOFTWARE hive of an NT 4.0 or Windows 2000 server is a few MB to a few tens of MB;
#: anything larger is not read (regipy holds the whole file in memory).
MAX_HIVE_BYTES = 256 * 1024 * 1024
#: Longest install path accepted from the hive (Windows MAX_PATH).
MAX_PATH_CHARS = 260


class HiveError(Exception):
    """A hive that could not be read; ``str(error)`` is a one-line reason."""


@dataclass(frozen=True)
class ExchangeSetup:
    """What the hive says about the Exchange install."""

    services: str | None  # e.g. "C:\\exchsrvr"; None when the key or value is absent


def read_exchange_setup(hive_path: Path, max_bytes: int = MAX_HIVE_BYTES) -> ExchangeSetup:
    """Read Exchange's setup value (the profile's ``Setup`` key, ``Services``) from a hive file.

    The file is opened without following a final symbolic link, without blocking and
    without updating its access time where allowed; files over ``max_bytes`` are refused.
    A missing key or value gives ``services=None``. Any unreadable, truncated or garbage
    hive raises HiveError with a one-line reason, never another exception.
    """
    values = open_hive(hive_path, max_bytes).values(EXCHANGE_SETUP.key)
    value = None if values is None else values.get(EXCHANGE_SETUP.value.lower())
    return ExchangeSetup(services=_as_path_text(value))


class Hive:
    """A parsed hive, asked for keys by path (names compared ignoring case).

    Every question wraps regipy's errors (a damaged cell deep in the file) into HiveError.
    """

    def __init__(self, regipy_hive: object, path: Path, damage: str = "") -> None:
        self._hive = regipy_hive
        self.path = path
        self._damage = damage  # what the file's size says (truncated), for the reasons given

    def values(self, key_path: str) -> dict[str, object] | None:
        """The values of the key at ``key_path`` by lower-cased name; None when absent."""
        try:
            with _quiet_regipy():
                key = _find_key(self._hive, key_path)
                if key is None:
                    return None
                found: dict[str, object] = {}
                for value in key.iter_values(trim_values=False):
                    found.setdefault(str(value.name).lower(), value.value)  # the first of a name wins
                return found
        except Exception as exc:  # regipy and construct raise many types on garbage input
            raise HiveError(f"not a readable registry hive: {self._damage}{_one_line(exc)}") from None

    def subkeys(self, key_path: str) -> list[str] | None:
        """The names of the sub-keys of the key at ``key_path``; None when absent."""
        try:
            with _quiet_regipy():
                key = _find_key(self._hive, key_path)
                if key is None:
                    return None
                if not key.subkey_count:
                    return []
                return [str(sub.name) for sub in key.iter_subkeys()]
        except Exception as exc:
            raise HiveError(f"not a readable registry hive: {self._damage}{_one_line(exc)}") from None


def open_hive(hive_path: Path, max_bytes: int = MAX_HIVE_BYTES) -> Hive:
    """Read and parse a hive file once (rules of read_exchange_setup); HiveError if unusable."""
    data = _read_capped(hive_path, max_bytes)
    damage = _truncation(len(data), data)
    try:
        with _quiet_regipy():
            return Hive(_parse(data), hive_path, damage)
    except Exception as exc:
        raise HiveError(f"not a readable registry hive: {damage}{_one_line(exc)}") from None


#: The base block (the header) of a hive; the size of the hive bins after it is at 0x28.
BASE_BLOCK = 4096


def _truncation(size: int, data: bytes) -> str:
    """"truncated (...); " when the file is shorter than its header says, else ""; said
    before regipy's reason, which names a structure, not the cause."""
    if size < BASE_BLOCK:
        return f"truncated ({size:,} bytes, shorter than the {BASE_BLOCK:,}-byte header); "
    expected = BASE_BLOCK + int.from_bytes(data[0x28:0x2C], "little")
    if size < expected:
        return f"truncated ({size:,} bytes, the header says {expected:,}); "
    return ""


def _read_capped(hive_path: Path, max_bytes: int) -> bytes:
    try:
        data = view_of(hive_path).read_bounded(hive_path, max_bytes, follow_links=False)
    except InputFileError as exc:
        raise HiveError(str(exc)) from None
    if not data.startswith(b"regf"):
        raise HiveError("not a registry hive (no 'regf' signature)")
    return data


def _parse(data: bytes):  # -> regipy.registry.RegistryHive
    """Hand bytes already read to regipy, imported only now to keep start-up fast."""
    from regipy.registry import RegistryHive

    return RegistryHive(_bytes_as_fd(data))  # regipy calls open() on it, which takes a descriptor


def _bytes_as_fd(data: bytes) -> int:
    """A readable descriptor holding ``data``, made outside any scanned tree.

    regipy only takes something to ``open()``; an anonymous in-memory file (Linux) or an
    unlinked temporary file elsewhere gives it the already-capped bytes, not the image file.
    """
    if hasattr(os, "memfd_create"):
        fd = os.memfd_create("verfix-hive")
    else:  # pragma: no cover - not Linux
        import tempfile

        fd, name = tempfile.mkstemp(prefix="verfix-hive-")
        try:
            os.unlink(name)
        except OSError:
            pass
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.lseek(fd, 0, os.SEEK_SET)
    except BaseException:
        os.close(fd)
        raise
    return fd


@contextlib.contextmanager
def _quiet_regipy() -> Iterator[None]:
    """Silence regipy's log records while it works: the core reports through return values."""
    import logging  # with regipy only: not a cost of every start-up

    logger = logging.getLogger("regipy")
    saved = logger.level
    logger.setLevel(logging.CRITICAL + 1)  # its modules log through children of this logger
    try:
        yield
    finally:
        logger.setLevel(saved)


def _find_key(hive, key_path: str):
    """The key at ``key_path`` (names compared ignoring case), or None when absent."""
    node = hive.root
    for part in key_path.split("\\"):
        if not node.subkey_count:
            return None
        node = node.get_subkey(part, raise_on_missing=False)  # regipy compares upper-cased
        if node is None:
            return None
    return node


def _as_path_text(value: object) -> str | None:
    """The value as a path string, or None when it is not a usable string."""
    if not isinstance(value, str):
        return None
    text = value.split("\0", 1)[0].strip()
    if not text or len(text) > MAX_PATH_CHARS:
        return None
    return text


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if not text:  # construct's ConstError: a signature or fixed field that is wrong
        return f"a damaged structure ({type(exc).__name__})"
    return text[:200]
