"""The inventory's JSON Lines, written straight from the records: each line is what
``verfix.formats.write_jsonl`` writes for ``record.as_dict()`` (the plain version, which a
test holds it to), built from a template of the keys with only the values encoded."""

from __future__ import annotations

from json.encoder import encode_basestring
from operator import itemgetter
from typing import Callable, Iterable, TextIO

from verfix.inventory.records import InventoryRecord
from verfix.schemas import SCHEMA_VERSION

# The record's fields between path and the digests, in as_dict()'s order.
_MIDDLE = ("size", "file_version", "file_version_string", "product_name", "product_version",
           "product_version_string", "company_name", "file_description", "original_filename",
           "internal_name", "legal_copyright", "machine")


def _template(hashes: tuple[str, ...], with_host: bool) -> str:
    """The %-template of one line for records with these digests (and a host or not)."""
    keys = ["path", *_MIDDLE, *hashes, "error", *(("host",) if with_host else ())]
    head = "{" + encode_basestring("schema_version") + ": " + encode_basestring(SCHEMA_VERSION)
    body = "".join(", " + encode_basestring(key).replace("%", "%%") + ": %s" for key in keys)
    return head + body + "}\n"


def write_inventory_jsonl(records: Iterable[InventoryRecord], stream: TextIO,
                          tick: Callable[[InventoryRecord], object] | None = None) -> None:
    """One JSON object per record and line, as ``formats.write_jsonl(r.as_dict() ...)``;
    ``tick`` is called with each record once written (a progress display)."""
    write = stream.write
    line_of = record_line_maker()
    for record in records:
        write(line_of(record))
        if tick is not None:
            tick(record)


def record_line_maker() -> Callable[[InventoryRecord], str]:
    """``line_of(record)``: the record's line, as ``formats.write_jsonl`` writes its
    ``as_dict()``."""
    import io

    from verfix.formats import write_jsonl
    from verfix.writers import LINE_BREAKS

    # Per kind of record (its digests, a host or not): the line's template and a getter of
    # the values it takes, in order.
    kinds: dict[tuple[tuple[str, ...], bool], tuple[str, Callable[[dict], tuple]]] = {}
    encode = encode_basestring

    def line_of(record: InventoryRecord) -> str:
        kind = (record.hashes, record.host is not None)
        made = kinds.get(kind)
        if made is None:
            names = ("path", *_MIDDLE, *kind[0], "error", *(("host",) if kind[1] else ()))
            made = kinds[kind] = (_template(*kind), itemgetter(*names))
        template, values_of = made
        line = template % tuple([
            "null" if value is None else repr(value) if value.__class__ is int else encode(value)
            for value in values_of(record.__dict__)])
        if line.isascii() and "%" not in record.path:
            return line
        if "%" not in record.path:
            try:
                line.encode("utf-8")
            except UnicodeEncodeError:
                pass
            else:
                return line.translate(LINE_BREAKS)
        # A name that is not UTF-8, or holds a %: as_dict() spells it (%XX, %25) and adds path_hex.
        text = io.StringIO()
        write_jsonl([record.as_dict()], text)
        return text.getvalue()

    return line_of
