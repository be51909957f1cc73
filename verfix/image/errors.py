"""Errors of the image layer, and libyal's long error chains cut down to one line."""

from __future__ import annotations

import errno
import re

#: What a user without the extra is told to install.
EXTRA_MISSING = "reading disk images needs the 'images' extra: pip install 'verfix[images]'"


class ImageError(Exception):
    """An image, partition or volume that cannot be used; ``str(error)`` is one line."""


class MissingExtraError(ImageError):
    """The libyal bindings are not installed."""

    def __init__(self, module: str) -> None:
        super().__init__(f"{EXTRA_MISSING} (Python module {module} not found)")


# libyal chains its messages: the binding's own first, then the library's from the root cause
# outwards: "pyfsntfs_volume_open: unable to open volume. libfsntfs_io_handle_read: invalid
# signature. libfsntfs_volume_open: unable to read ...". Each part is "function: text".
_PART = re.compile(r"(?:^|\.\s+)(?:[A-Za-z0-9_]+:\s+)?([^.]+(?:\.\d[^.]*)*)")


def one_line(error: BaseException) -> str:
    """A short reason for an error from a libyal binding: what failed and its root cause."""
    text = " ".join(str(error).split())
    parts = [match.group(1).strip() for match in _PART.finditer(text)]
    parts = [part for part in parts if part]
    if not parts:
        return type(error).__name__
    if len(parts) == 1:
        return parts[0]
    return f"{parts[0]} ({parts[1]})"


def io_error(reason: str) -> OSError:
    """An OSError(EIO) carrying ``reason`` as its strerror: per-file read problems travel as
    ordinary I/O errors, so every caller that handles OSError handles them."""
    return OSError(errno.EIO, reason)
