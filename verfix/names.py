"""Names as they are on disk, spelled as valid text: one escape, the same in every format.

A name on disk is bytes. Python hands verfix a ``str`` in which each byte that is not
part of valid UTF-8 is a lone surrogate (U+DC80..U+DCFF, the ``surrogateescape`` rule).
The spelling of a name (:func:`name_text`) keeps every character as it is, except:

- a byte that is not valid UTF-8 becomes ``%XX`` (two upper-case hex digits);
- the percent sign itself becomes ``%25``.

So every ``%`` in a spelled name starts an escape, and :func:`name_from_text` (which is
``urllib.parse.unquote_to_bytes``) gives the bytes back: the spelling is one-to-one. A name
that is valid UTF-8 and holds no ``%`` is left alone. The same escape writes what a terminal
must not get raw (:func:`terminal_text`: control characters, bidirectional overrides) and a
backslash inside one component of a Windows path (:mod:`verfix.winpath`), so no second
escape can collide with the first. See the README, "Names as they are on disk".
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

_UTF8 = "utf-8"


class Spelled(str):
    """Text that is already a spelled name or path (as :func:`name_text` writes it), so
    that spelling it again leaves it alone (as markupsafe's ``Markup`` is not re-escaped)."""

    __slots__ = ()


def _percent(data: bytes) -> str:
    return "".join(f"%{byte:02X}" for byte in data)


def _char_bytes(char: str) -> bytes:
    """The bytes on disk of one character of a name from the file system."""
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return bytes((code - 0xDC00,))
    return char.encode(_UTF8, "surrogatepass")  # any other lone surrogate (Windows, images)


def name_bytes(name: str) -> bytes:
    """The bytes of a name as on disk (``os.fsencode`` on POSIX, for any ``str``)."""
    try:
        return name.encode(_UTF8, "surrogateescape")
    except UnicodeEncodeError:
        return b"".join(_char_bytes(char) for char in name)


def _is_utf8(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode(_UTF8)
    except UnicodeEncodeError:
        return False
    return True


def name_text(name: str) -> str:
    """The spelling of a name or path from the file system: valid text, one-to-one with the
    bytes (``%XX`` for a byte that is not UTF-8, ``%25`` for ``%``). A :class:`Spelled` text
    is returned unchanged."""
    if isinstance(name, Spelled) or ("%" not in name and _is_utf8(name)):
        return name
    out = []
    for char in name:
        code = ord(char)
        if char == "%":
            out.append("%25")
        elif 0xD800 <= code <= 0xDFFF:
            out.append(_percent(_char_bytes(char)))
        else:
            out.append(char)
    return "".join(out)


def name_hex(name: str) -> str | None:
    """The bytes on disk of a name whose spelling is not the name itself (it is not UTF-8,
    or holds a ``%``), in lower-case hex; None when the spelling is the name."""
    if isinstance(name, Spelled):
        return unquote_to_bytes(name).hex() if "%" in name else None
    if "%" not in name and _is_utf8(name):
        return None
    return name_bytes(name).hex()


def name_from_text(text: str) -> bytes:
    """The bytes a spelled name stands for: the inverse of :func:`name_text` (and of the
    escapes of :func:`terminal_text` in a spelled name)."""
    return unquote_to_bytes(text)


def valid_text(text: str) -> str:
    """``text`` as valid UTF-8: a lone surrogate (a byte of a name that is not UTF-8, which
    reached a message or a field other than a path) becomes ``%XX``; nothing else changes.
    The net under every writer; for names, :func:`name_text` is the exact spelling."""
    if _is_utf8(text):
        return text
    return "".join(_percent(_char_bytes(char)) if 0xD800 <= ord(char) <= 0xDFFF else char
                   for char in text)


# Never raw on a terminal or in HTML: C0 and C1 controls, DEL, the line and paragraph
# separators, bidirectional marks, embeddings, overrides and isolates.
_CONTROL_CODES = (*range(0x20), 0x7F, *range(0x80, 0xA0), 0x061C, 0x200E, 0x200F, 0x2028, 0x2029,
                  *range(0x202A, 0x202F), *range(0x2066, 0x206A))
CONTROL_ESCAPES = {code: _percent(chr(code).encode(_UTF8)) for code in _CONTROL_CODES}


def terminal_text(text: str) -> str:
    """``text`` safe for a terminal, a log line or HTML: valid (:func:`valid_text`), with each
    control character and bidirectional mark written ``%XX`` (its UTF-8 bytes), so nothing
    moves the cursor, recolours or retitles the terminal. On a spelled name the result
    still reads back with :func:`name_from_text`."""
    text = valid_text(text)
    return text if text.isprintable() else text.translate(CONTROL_ESCAPES)
