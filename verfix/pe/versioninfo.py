"""Parsing a VS_VERSIONINFO block: the fixed versions and the StringFileInfo strings.

The hot path of both readers' answers; :mod:`verfix.pe.reference` holds the plain
algorithms (key_end, children, strings) it is tested against.
"""

from __future__ import annotations

import struct
from codecs import utf_16_le_decode as _utf_16_le_decode

from verfix.pe.format import FIXED_SIGNATURE, FIXED_SIZE, MAX_CHILDREN, VERSION_STRINGS
from verfix.version import Version

_TWO_WORDS = struct.Struct("<HH")        # a version block's wLength, wValueLength
_FIXED_HEAD = struct.Struct("<6I")        # signature, struct version, file MS/LS, product MS/LS
_VS_VERSION_INFO = "VS_VERSION_INFO".encode("utf-16-le")
_STRING_FILE_INFO = "StringFileInfo".encode("utf-16-le")
_US_ENGLISH = "0409".encode("utf-16-le")
_VS_VERSION_INFO_KEY = _VS_VERSION_INFO + b"\0\0"  # the key with its terminating NUL
_WANTED = {name.encode("utf-16-le"): field for name, field in VERSION_STRINGS}
_WANTED_TEXT = dict(VERSION_STRINGS)
_WANTED_BY_FIRST_CHARACTER: dict[str, list[tuple[str, str]]] = {}  # "F" -> FileVersion, ...
for _text, _text_field in VERSION_STRINGS:
    _WANTED_BY_FIRST_CHARACTER.setdefault(_text[0], []).append((_text, _text_field))
del _text, _text_field
# First UTF-16 unit of a wanted name -> (name, name + NUL, its length, field) for each.
_WANTED_BY_FIRST_UNIT: dict[bytes, list[tuple[bytes, bytes, int, str]]] = {}
for _name, _field in _WANTED.items():
    _WANTED_BY_FIRST_UNIT.setdefault(_name[:2], []).append((_name, _name + b"\0\0", len(_name), _field))
del _name, _field


def _align4(offset: int) -> int:
    return (offset + 3) & ~3


def _key_end(data: bytes, start: int, end: int) -> int:
    """End of the NUL-terminated UTF-16 text at ``start`` (the NUL's offset, or ``end``)."""
    nul = data.find(b"\0\0", start, end)
    if nul >= 0 and (nul - start) & 1:  # a NUL pair straddling two characters: usually
        if nul + 3 <= end and not data[nul + 2]:  # an ASCII character's high byte and the NUL
            return nul + 1
        nul = data.find(b"\0\0", nul + 1, end)
        while nul >= 0 and (nul - start) & 1:
            nul = data.find(b"\0\0", nul + 1, end)
    return nul if nul >= 0 else end - (end - start) % 2


# The version block walk below visits child blocks inline (it is the hot path): a child
# starts 4-aligned, may not reach past its parent (it is clipped); a length below the
# 6-byte header stops the walk, and so does MAX_CHILDREN.

def _fixed_versions(data: bytes, value_start: int, value_length: int, end: int,
                    result: dict) -> None:
    """Set file_version/product_version from VS_FIXEDFILEINFO in ``result``, or the
    version_problem."""
    if value_length == 0:
        result["version_problem"] = "version resource has no fixed block"
    elif value_length < FIXED_SIZE:
        result["version_problem"] = f"fixed block is {value_length} bytes, not {FIXED_SIZE}"
    elif value_start + FIXED_SIZE > end:
        result["version_problem"] = "fixed block is cut off"
    else:
        signature, _, file_ms, file_ls, product_ms, product_ls = _FIXED_HEAD.unpack_from(
            data, value_start)
        if signature != FIXED_SIGNATURE:
            result["version_problem"] = (f"fixed block signature is 0x{signature:08X}, "
                                         f"not 0x{FIXED_SIGNATURE:08X}")
        else:  # Version.from_ms_ls, without its two Python calls per version
            result["file_version"] = _new_version(Version, (
                file_ms >> 16, file_ms & 0xFFFF, file_ls >> 16, file_ls & 0xFFFF))
            result["product_version"] = _new_version(Version, (
                product_ms >> 16, product_ms & 0xFFFF, product_ls >> 16, product_ls & 0xFFFF))


_new_version = tuple.__new__  # what Version(...) (a NamedTuple) does


def parse_version_info(data: bytes, result: dict | None = None) -> dict:
    """Parse a VS_VERSIONINFO block into PEInfo keyword arguments (versions and strings),
    set in ``result`` (a new dict when None), which is returned."""
    if result is None:
        result = {}
    result["has_version_resource"] = True
    if len(data) < 6:
        result["version_problem"] = f"version resource is too short ({len(data)} bytes)"
        return result
    length, value_length = _TWO_WORDS.unpack_from(data, 0)
    if length < 6:
        result["version_problem"] = f"version resource is malformed (length {length})"
        return result
    end = min(length, len(data))
    if end >= 38 and data.startswith(_VS_VERSION_INFO_KEY, 6):
        key_end = 36  # the usual key, NUL-terminated
    else:
        key_end = _key_end(data, 6, end)
        if data[6:key_end] != _VS_VERSION_INFO:
            result["version_problem"] = "version resource is not a VS_VERSION_INFO block"
            return result
    value_start = _align4(key_end + 2)
    _fixed_versions(data, value_start, value_length, end, result)
    table = _chosen_table(data, value_start + value_length, end)
    if table is not None:
        _table_strings(data, table[0], table[1], result)
    return result


def _chosen_table(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """(strings start, table end) of the US-English StringTable, else of the first one."""
    first = None
    unpack_from = _TWO_WORDS.unpack_from
    position = (start + 3) & ~3
    for _ in range(MAX_CHILDREN):  # StringFileInfo, VarFileInfo (or junk)
        if position + 6 > end:
            break
        length = unpack_from(data, position)[0]
        if length < 6:
            break
        info_end = min(position + length, end)
        key = position + 6
        if data.startswith(_STRING_FILE_INFO, key):
            key_end = _key_end(data, key, info_end)
            if key_end == key + len(_STRING_FILE_INFO):
                table = (key_end + 2 + 3) & ~3
                for _ in range(MAX_CHILDREN):
                    if table + 6 > info_end:
                        break
                    table_length = unpack_from(data, table)[0]
                    if table_length < 6:
                        break
                    table_end = min(table + table_length, info_end)
                    strings = (_key_end(data, table + 6, table_end) + 2, table_end)
                    if data[table + 6:table + 14] == _US_ENGLISH:
                        return strings
                    if first is None:
                        first = strings
                    table = (table + table_length + 3) & ~3
        position = (position + length + 3) & ~3
    return first


def _table_strings(data: bytes, start: int, end: int, found: dict) -> None:
    """Set the wanted strings of one StringTable in ``found``; the first of duplicate names
    wins. The table is decoded once and walked as text: with its first String 4-aligned and
    no surrogate pair in it, text index i is the UTF-16 unit at byte 2i, so the walk hops by
    the lengths read as ``ord`` of a character and finds each key's and value's NUL with
    str.find, and a key is looked up as it is. When the text has fewer characters than the
    table has units (a surrogate pair somewhere) :func:`_table_strings_by_bytes` does it."""
    base = (start + 3) & ~3
    units = (end - base) >> 1
    if units < 3:
        return
    text = _utf_16_le_decode(data[base:base + 2 * units], "replace", True)[0]
    if len(text) != units:
        _table_strings_by_bytes(data, start, end, found)
        return
    size = end - base  # offsets below are bytes from base (4-aligned), or units (i, n, v)
    wanted_count = 0
    wanted = _WANTED_TEXT
    by_first = _WANTED_BY_FIRST_CHARACTER
    find = text.find
    i = 0
    for _ in range(MAX_CHILDREN):
        if i + 3 > units:
            break
        length = ord(text[i])
        if length < 6:
            break
        string_end = 2 * i + length  # the String block, clipped to the table
        if string_end > size:
            string_end = size
        last = string_end >> 1
        name = i + 3
        # The key is a wanted name when it starts with one that ends with the block or is
        # followed by a NUL in it (a first character and a startswith: no key is sliced).
        candidates = by_first.get(text[name]) if name < last else None
        if candidates is None:
            field = None
        else:
            for key, field in candidates:  # noqa: B007 - field is read after the loop
                name_end = name + len(key)
                if name_end <= last and text.startswith(key, name) and (
                        name_end == last or text[name_end] == "\0"):
                    break
            else:
                field = None
        if field is not None and field not in found:
            wanted_count += 1
            value = (name_end + 2) & ~1  # the value's byte offset rounded up to 4
            if not ord(text[i + 1]) or 2 * value >= string_end:  # wValueLength 0, or no room
                found[field] = ""
            else:
                value_end = find("\0", value, last)
                found[field] = text[value:value_end if value_end >= 0 else last]
            if wanted_count == len(wanted):
                break
        i = ((2 * i + length + 3) & ~3) >> 1


def _table_strings_by_bytes(data: bytes, start: int, end: int, found: dict) -> None:
    """:func:`_table_strings` on the bytes, one String block at a time (any table)."""
    wanted_count = 0
    by_first_unit = _WANTED_BY_FIRST_UNIT
    unpack_from = _TWO_WORDS.unpack_from
    startswith = data.startswith
    position = (start + 3) & ~3
    for _ in range(MAX_CHILDREN):
        if position + 6 > end:
            break
        length, value_length = unpack_from(data, position)
        if length < 6:
            break
        string_end = position + length
        if string_end > end:
            string_end = end
        name = position + 6
        # Is the key (up to the first NUL, clipped to the block) a wanted name? Only a key
        # that starts like one can be; and it is exactly that name when the name is followed
        # by a NUL inside the block, or when the block ends with the name (or one byte on).
        candidates = by_first_unit.get(data[name:name + 2])
        if candidates is not None:
            for key, key_with_nul, name_end, field in candidates:  # noqa: B007 - field is read after the loop
                name_end += name
                if (startswith(key_with_nul, name) and name_end + 2 <= string_end
                        or 0 <= string_end - name_end <= 1 and startswith(key, name)):
                    break
            else:
                field = None
            if field is not None and field not in found:
                wanted_count += 1
                value_start = (name_end + 5) & ~3
                if value_length == 0 or value_start >= string_end:
                    found[field] = ""
                else:  # up to the first NUL within the block: wValueLength in words or bytes
                    # alike; UTF-16LE with lone surrogates (and a stray odd byte) as U+FFFD,
                    # as raw.decode("utf-16-le", "replace") does, without its Python wrapper
                    value_end = _key_end(data, value_start, string_end)
                    found[field] = _utf_16_le_decode(data[value_start:value_end], "replace", True)[0]
                if wanted_count == len(_WANTED):
                    break
        position = (position + length + 3) & ~3

