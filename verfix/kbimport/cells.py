"""Table cells recognised by what they are: one recogniser per column kind.

A cell is a date, a time, a version, a size, a file name (maybe with its folder), a platform
or a language; ``fits(kind, text)`` says whether a text can be a cell of that kind, and the
``read_*`` helpers turn a cell into what a manifest keeps. Blank cells fit every kind but the
file name: a blank is a blank, never a sign that the cells have shifted.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from verfix.manifest import is_location as is_manifest_location

# Header labels, by the column kind they name. "name+path": a file name with its folder.
COLUMN_LABELS = {
    "file name": "name", "filename": "name", "file": "name", "name": "name", "file names": "name",
    "file name and path": "name+path", "file name and folder": "name+path",
    "path and file name": "name+path", "file path": "name+path",
    "path": "location", "folder": "location", "location": "location", "directory": "location",
    "version": "version", "file version": "version", "version#": "version", "version #": "version",
    "date": "date", "file date": "date", "time": "time", "file time": "time",
    "size": "size", "file size": "size", "size (bytes)": "size", "bytes": "size",
    "version number": "version", "version no.": "version", "ver.": "version", "file ver.": "version",
    "date modified": "date", "modified": "date", "last modified": "date", "size in bytes": "size",
    "platform": "platform", "operating system": "platform", "processor": "platform", "cpu": "platform",
    "architecture": "platform",
    "language": "language", "locale": "language",
}
MAX_LABEL_WORDS = max(len(label.split()) for label in COLUMN_LABELS)


def column_kind(label: str) -> str | None:
    """The kind of column a header cell names, or None."""
    return COLUMN_LABELS.get(" ".join(label.lower().split()))


# What a version, size, date or time cell holds when it holds nothing.
BLANK_MARKERS = frozenset({"", "-", "--", "n/a", "na", "none", "xx/xx/xx", "xx:xx"})

_MONTH = (r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?")
_DATE_RES = [re.compile(p, re.IGNORECASE) for p in (
    r"\d{1,4}([-/.])\d{1,2}\1\d{2,4}",          # 01/25/99, 1999/10/02, 5-16-2000, 12/20/199
    rf"\d{{1,2}}-{_MONTH}-\d{{2,4}}",             # 18-Sep-2001, 07-December-2001, 29-JUNE-2001
    rf"{_MONTH}-\d{{1,2}}-\d{{2,4}}",             # Oct-17-2001
    rf"\d{{1,2}} {_MONTH},? \d{{4}}",             # 29 May 2001
    rf"{_MONTH} \d{{1,2}},? \d{{4}}",             # October 6, 2000
)]
_TIME_RES = [re.compile(p, re.IGNORECASE) for p in (
    r"\d{1,2}[:.]\d{2}([:.]\d{2})?\s?([ap]\.?m?\.?)?",   # 12:22p, 05:17pm, 12:34:58PM, 11.31am, 7:50 A.M.
    r"\d{1,2}:\d{2} (midnight|noon)",
    r"([01]\d|2[0-3])[0-5]\d",                           # 1436 (a 24-hour clock without a colon)
)]
# 1 to 4 parts of at most 5 digits; the 16-bit range is checked by read_version.
VERSION_RE = re.compile(r"[0-9]{1,5}(\.[0-9]{1,5}){0,3}")
# One colon where a dot belongs ("5.0:1462.3"); read only by a documented rule.
COLON_VERSION_RE = re.compile(r"[0-9]{1,5}(\.[0-9]{1,5})?:[0-9]{1,5}(\.[0-9]{1,5}){0,2}")
_EXACT_SIZE_RE = re.compile(r"([0-9]{1,3}(?:([,.])[0-9]{3})?(?:\2[0-9]{3})*|[0-9]+)\s?(bytes|b)?",
                            re.IGNORECASE)
_ROUGH_SIZE_RE = re.compile(r"[0-9]+([.,][0-9]+)?\s?(kb|k|mb|bytes)", re.IGNORECASE)
_LOOSE_SIZE_RE = re.compile(r"[0-9]{1,3}(,[0-9]{1,4})+")   # "8,1012", "2,538,44": a size with a typo
# "94.5", "118.0": a number with a decimal part and no unit, so no count of bytes (kilobytes,
# perhaps, but the table does not say): a size that cannot be read, given as no size.
UNITLESS_SIZE_RE = re.compile(r"[0-9]{1,4}\.[0-9]{1,2}")
# A Windows file name: no blanks, no wildcards, no reserved characters; at least one letter.
_NAME_RE = re.compile(r"[A-Za-z0-9_$~!#%&'(){}^@+=\[\];,.\-]+")
_LANGUAGE_RE = re.compile(r"(\d{4,6}\s+)?[A-Za-z][A-Za-z ()\-]*")

# Platform cells, by what they name: a processor, or Windows 9x (which runs on x86 only).
PLATFORMS = {
    "x86": "x86", "intel": "x86", "i386": "x86", "ix86": "x86", "x386": "x86", "intel x86": "x86",
    "i386 - 128-bit": "x86", "x86 - 128-bit": "x86", "i386 128-bit": "x86",
    "alpha": "alpha", "axp": "alpha", "dec alpha": "alpha",
    "mips": "mips", "ppc": "ppc", "powerpc": "ppc",
    "win9x": "win9x", "windows 95": "win9x", "windows 98": "win9x", "win95": "win9x",
    "win98": "win9x", "windows 9x": "win9x", "win95 osr2": "win9x", "windows 95 osr2": "win9x",
}
# A platform cell that names an operating system, not a processor: no processor restriction.
OPERATING_SYSTEMS = frozenset({"win32", "win2k", "windows 2000", "nt4", "nt 4.0", "windows nt",
                               "windows nt 4.0", "winnt", "w2k"})
# A row for every platform of the fix: no platform restriction.
ALL_PLATFORMS = frozenset({"intel and alpha", "x86 and alpha", "alpha and intel", "alpha and x86",
                           "intel, alpha", "x86, alpha", "both", "all"})


def _clean(text: str) -> str:
    """A cell without surrounding blanks, a left-over ``<BR/>`` tag, or (x86)/<x86> brackets."""
    text = re.sub(r"<br\s*/?>", "", text, flags=re.IGNORECASE).strip()
    if len(text) > 2 and text[0] + text[-1] in ("()", "<>", "[]"):
        text = text[1:-1].strip()
    return " ".join(text.split())


def is_blank(text: str) -> bool:
    return _clean(text).lower() in BLANK_MARKERS


def is_date(text: str) -> bool:
    return any(r.fullmatch(_clean(text)) for r in _DATE_RES)


def is_time(text: str) -> bool:
    return any(r.fullmatch(_clean(text)) for r in _TIME_RES)


# A build label after the version, as Windows writes FileVersion: "7.0.2600.15 (xpclnt_qfe.010827-1803)".
_BUILD_LABEL_RE = re.compile(r"\s+\([\w.\-]+\)$")


def version_text(text: str) -> str:
    """A version cell without its build label, if it has one."""
    value = _clean(text)
    stripped = _BUILD_LABEL_RE.sub("", value)
    return stripped if stripped != value and VERSION_RE.fullmatch(stripped) else value


def is_version(text: str) -> bool:
    value = version_text(text)
    return bool(VERSION_RE.fullmatch(value) or COLON_VERSION_RE.fullmatch(value))


def is_size(text: str) -> bool:
    value = _clean(text)
    return bool(_EXACT_SIZE_RE.fullmatch(value) or _ROUGH_SIZE_RE.fullmatch(value)
                or _LOOSE_SIZE_RE.fullmatch(value) or UNITLESS_SIZE_RE.fullmatch(value))


def is_name(text: str) -> bool:
    """A file name: no blanks, a letter, a dot-extension unless it is a known extensionless
    kind of name (the table may list ``Makefile``); never a version or size."""
    value = text.strip()
    return (bool(_NAME_RE.fullmatch(value)) and any(ch.isalpha() for ch in value)
            and not is_version(value) and not is_size(value) and not is_time(value))


def split_path(text: str) -> tuple[str | None, str] | None:
    """``%Windir%\\System32\\Ism.dll`` -> ("%Windir%\\System32", "Ism.dll"); None if no path."""
    value = text.strip()
    folder, sep, name = value.rpartition("\\")
    if not sep or not is_manifest_location(folder) or not is_name(name):
        return None
    return folder, name


def is_name_or_path(text: str) -> bool:
    return is_name(text) or split_path(text) is not None


def is_location(text: str) -> bool:
    return is_manifest_location(text.strip())


# Words of a platform cell that qualify a build without naming a platform: "NT x86 40bit".
_QUALIFIER_RE = re.compile(r"\(?(\d+-?bit|uniprocessor|multiprocessor|up|mp|retail|debug|checked|free|"
                           r"all|nt|versions?|second|edition|osr\d?|oem|winsock2)\)?,?")
# An edition of a build, read as part of the row but not of its name or platform: the
# cipher strength of a security fix ("(56-bit)", "128-bit"), Windows Sockets 2 ("Winsock2").
_EDITION_RE = re.compile(r"\(?(\d+-?bit|winsock\s?2)\)?", re.IGNORECASE)

# Platforms that are not a Windows server's: a Macintosh, and the processors and systems
# of Windows CE devices. A row for one is left out of a manifest (with a note): it can
# never apply to a file of a Windows server. The cell may add a build ("ARM720 (Debug)").
FOREIGN_PLATFORMS = (
    ("Macintosh", re.compile(r"macintosh|mac|mac ?os|apple|power ?mac(intosh)?")),
    ("ARM", re.compile(r"(thumb )?arm ?\d*|thumb|strong ?arm|sa-?1[01]\d{1,2}|xscale")),
    ("SH", re.compile(r"sh-?[34](dsp)?|superh")),
    ("Windows CE", re.compile(r"windows ce( \d+(\.\d+)*)?|wince|pocket ?pc|handheld ?pc|h/pc")),
)
_BUILD_SUFFIX_RE = re.compile(r"\s*\((debug|retail|checked|free)\)$", re.IGNORECASE)
# Where a heading or lead-in names one: "Windows CE Platform Builder", "viewed from the Macintosh".
_FOREIGN_IN_TEXT_RE = re.compile(r"\b(macintosh|windows ce|pocket pc|handheld pc)\b", re.IGNORECASE)
_WINDOWS_IN_TEXT_RE = re.compile(r"\b(windows (nt|2000|9[58x]|xp|me|server)|win32|intel|x86|i386|alpha)\b",
                                 re.IGNORECASE)


def foreign_platform(text: str) -> str | None:
    """The platform a cell names when it is not a Windows server's ("Macintosh", "ARM 720",
    "SA1100 (Retail)", "SH3"), by family ("Macintosh", "ARM", "SH", "Windows CE"); else None."""
    low = _BUILD_SUFFIX_RE.sub("", _clean(text)).lower()
    return next((family for family, pattern in FOREIGN_PLATFORMS if pattern.fullmatch(low)), None)


def foreign_platform_in(text: str | None) -> str | None:
    """The non-Windows platform a heading or lead-in names ("Windows CE 3.0", "when viewed
    from the Macintosh"), when it names no Windows platform too; else None."""
    if not text or _WINDOWS_IN_TEXT_RE.search(text):
        return None
    found = {m.group(1).lower() for m in _FOREIGN_IN_TEXT_RE.finditer(text)}
    if len(found) != 1:
        return None
    return foreign_platform(found.pop())


# The processors of Windows servers, as a heading or lead-in names them ("Intel:", "Alpha-based").
_PROCESSOR_IN_TEXT_RE = re.compile(r"\b(intel|x86|i386|alpha|axp|mips|ppc|powerpc)(?![\w.])", re.IGNORECASE)


def processor_in(text: str | None) -> str | None:
    """The one Windows server processor a heading or table lead-in names ("Alpha:", "The Intel
    version of this fix", "x86-based computers") -> its platform; None when it names none or
    several ("for Intel and Alpha"): which platform the table is for is then not told."""
    found = {PLATFORMS[m.group(1).lower()] for m in _PROCESSOR_IN_TEXT_RE.finditer(text or "")}
    return found.pop() if len(found) == 1 else None


def edition_of(text: str) -> str | None:
    """The edition a cell adds to its row ("(56-bit)" -> "56-bit", "Winsock2"), or None."""
    words = [m.group(1) for w in _clean(text).split() if (m := _EDITION_RE.fullmatch(w))]
    return " ".join(words) or None


# Windows 9x releases a platform cell may name; rows of one file for several of them differ
# by release, which the ``os-releases`` rule keeps in ``product_version``.
def windows_release(text: str) -> str | None:
    """The Windows 9x release a platform cell names ("Windows 98 Retail" -> "Windows 98",
    "Windows 98 Second Edition", "win95 osr2" -> "Windows 95 OSR2"), or None."""
    words = _clean(text).lower().replace("(", " ").replace(")", " ").split()
    joined = " ".join(words)
    if re.search(r"\b(win(dows)? ?95|win95)\b", joined):
        return "Windows 95 OSR2" if re.search(r"\bosr ?2", joined) else "Windows 95"
    if re.search(r"\b(win(dows)? ?98|win98)\b", joined):
        return "Windows 98 Second Edition" if re.search(r"\bsecond\b|\bse\b", joined) else "Windows 98"
    return None


def platform_of(text: str) -> str | None:
    """The platform a cell names (None for every platform); KeyError when it names none known.

    Beside the names themselves, a cell of words is read when exactly one word names a
    platform and the others qualify the build ("NT x86 40bit", "x86 (Uniprocessor)").
    """
    low = _clean(text).lower()
    if low in ALL_PLATFORMS or low in BLANK_MARKERS or low in OPERATING_SYSTEMS:
        return None
    if low in PLATFORMS:
        return PLATFORMS[low]
    words = low.replace("(", " ( ").replace(")", " ) ").split()
    kept = " ".join(w for w in words if w not in "()" and not _QUALIFIER_RE.fullmatch(w))
    if kept in PLATFORMS:  # "Windows 95 (all)", "Windows 98 Second Edition"
        return PLATFORMS[kept]
    named = {PLATFORMS[w] for w in words if w in PLATFORMS}
    rest = [w for w in words if w not in PLATFORMS and w not in "()" and not _QUALIFIER_RE.fullmatch(w)]
    if len(named) == 1 and not rest:
        return named.pop()
    if not named and not rest and edition_of(low):
        return None  # only an edition ("128-bit", "Winsock2"): no platform restriction
    raise KeyError(text)


def is_platform(text: str) -> bool:
    """A platform cell: a Windows server's platform, none, or a platform that is not one."""
    try:
        platform_of(text)
    except KeyError:
        return foreign_platform(text) is not None
    return True


def is_language(text: str) -> bool:
    return bool(_LANGUAGE_RE.fullmatch(_clean(text)))


RECOGNISERS: dict[str, Callable[[str], bool]] = {
    "name": is_name_or_path, "name+path": is_name_or_path, "location": is_location,
    "version": is_version, "date": is_date, "time": is_time, "size": is_size,
    "platform": is_platform, "language": is_language,
}


def fits(kind: str, text: str) -> bool:
    """Whether ``text`` can be a cell of a column of ``kind`` (a blank fits all but names)."""
    if kind in ("name", "name+path"):
        return is_name_or_path(text)
    return is_blank(text) or RECOGNISERS[kind](text)


def read_size(text: str) -> int | None:
    """Bytes from an exact size cell (``29,520``, ``66.560 bytes``, ``185,760b``); None when
    blank or given only roughly (``37 KB``, ``1.33 MB``) or mistyped (``8,1012``)."""
    value = _clean(text)
    match = _EXACT_SIZE_RE.fullmatch(value)
    if not match or value.lower() in BLANK_MARKERS:
        return None
    return int(re.sub(r"[,.]", "", match.group(1)))


def clean_cell(text: str) -> str:
    """A cell as the manifest keeps it (blanks folded, left-over tags and brackets gone)."""
    return _clean(text)
