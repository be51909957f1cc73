"""The inventory's JSON Lines made where each file is read: a PE file's line (all but its
path) is formatted by the process that read the file, a worker's included, so the process
that walks and writes only adds the path. Each line is what ``output.write_inventory_jsonl``
writes for the same record (the plain version, which a test holds these lines to)."""

from __future__ import annotations

from json.encoder import encode_basestring
from typing import Callable

from verfix.schemas import SCHEMA_VERSION
from verfix.writers import LINE_BREAKS

# The start of every line, up to the path's value.
LINE_HEAD = ("{" + encode_basestring("schema_version") + ": " + encode_basestring(SCHEMA_VERSION)
             + ", " + encode_basestring("path") + ": ")
# The record's fields after size and before the digests (reading.PE_FIELDS less "error").
_MIDDLE = ("file_version", "file_version_string", "product_name", "product_version",
           "product_version_string", "company_name", "file_description", "original_filename",
           "internal_name", "legal_copyright", "machine")
TailMaker = Callable[[str, int, tuple, dict], "str | None"]


def tail_template(hashes: tuple[str, ...], host: str | None, size: str = "%d") -> str:
    """The %-template of a PE file's line after its path: size (``size``), then one %s for
    each field, digest and the error; the host, when given, is written into it."""
    def key(name: str) -> str:
        return ", " + encode_basestring(name).replace("%", "%%") + ": "

    text = key("size") + size + "".join(key(name) + "%s" for name in (*_MIDDLE, *hashes, "error"))
    if host is not None:
        text += key("host") + encode_basestring(host).replace("%", "%%")
    return text + "}\n"


def tail_maker(hashes: tuple[str, ...], host: str | None) -> TailMaker:
    """``tail(path, size, fields, digests)``: the line of a PE file read without error after
    :data:`LINE_HEAD` and the path (``fields`` as ``reading.pe_fields`` gives them); None
    when the path or a value is not plain UTF-8 text or the path holds a ``%`` (its line then
    spells the path as ``InventoryRecord.as_dict`` does, which the caller takes care of). The line of a file
    without a fixed version (most often no version resource: the machine and the error
    alone) is kept as a template of its size, for the next file with the same fields."""
    template = tail_template(hashes, host)
    sized = tail_template(hashes, host, "%s")
    encode = encode_basestring
    no_version: dict[tuple, str] = {}  # fields -> their line's template of the size

    def tail(path: str, size: int, fields: tuple, digests: dict) -> str | None:
        if fields[0] is None and not hashes:
            kept = no_version.get(fields)
            if kept is None:
                kept = sized % ("%d", *[
                    "null" if value is None else encode(value).replace("%", "%%") for value in fields])
                if not _plain(kept):
                    return None
                if len(no_version) < 256:  # fields of files without a version: a few kinds
                    no_version[fields] = kept
            text = kept % size
        else:
            values = ["null" if value is None else encode(value) for value in fields]
            if hashes:
                values[11:11] = [encode(digests[name]) for name in hashes]
            text = template % (size, *values)
            if not _plain(text):
                return None
        return text if _plain(path) and "%" not in path else None

    return tail


_LINE_BREAKS = frozenset(map(chr, LINE_BREAKS))  # the characters JSON Lines escapes


def _plain(text: str) -> bool:
    """Whether ``text`` goes into a line as it is: UTF-8 text (no lone surrogate) without a
    character that splits lines for ``str.splitlines``. A path must also hold no ``%``
    (``as_dict`` spells it %25 and adds path_hex): those lines are made through the record."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return _LINE_BREAKS.isdisjoint(text)
