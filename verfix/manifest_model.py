"""The manifest model: one KB article's fixed-file rows, and the rules a name or id obeys."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from verfix.version import Version

ARTICLE_ID_RE = re.compile(r"Q[0-9]{5,7}")  # use with fullmatch: no trailing newline
OWN_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")  # use with fullmatch: no trailing newline
PLATFORMS = ("x86", "alpha", "mips", "ppc", "win9x")  # processors, and Windows 9x (x86 only)

# A row's folder as the KB table gives it: "%Windir%\System32\inetsrv", "System32\Drivers".
_LOCATION_RE = re.compile(r"^(%[A-Za-z0-9_]+%|[A-Za-z]:|[^\\/:*?\"<>|%\x00-\x1f\x7f]+)"
                          r"(\\[^\\/:*?\"<>|%\x00-\x1f\x7f]+)*$")


def is_location(text: str) -> bool:
    """Whether ``text`` is a Windows folder as a manifest's ``location`` may give it."""
    return bool(_LOCATION_RE.match(text)) and ".." not in text.split("\\")


_WINDOWS_FORBIDDEN = set('<>:"/\\|?*')
_WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)),
                    *(f"LPT{n}" for n in range(1, 10))}
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def windows_name_problem(name: str) -> str | None:
    """Why ``name`` is not one plain Windows file name (None when it is): no path, drive
    or stream (``C:Emsmta.exe``), no control character, no trailing dot or blank (``...``),
    no device name (``NUL``, ``COM1.dll``), at most 255 characters."""
    if not name:
        return "is empty"
    if len(name) > 255:
        return f"is {len(name)} characters long (at most 255)"
    if CONTROL_RE.search(name):
        return "holds a control character"
    forbidden = sorted(set(name) & _WINDOWS_FORBIDDEN)
    if forbidden:
        return f"holds {' '.join(map(repr, forbidden))}: a plain name, not a path, drive or stream"
    if name[-1] in ". ":
        return "ends with a dot or a blank"
    if name.split(".", 1)[0].rstrip(" ").upper() in _WINDOWS_DEVICES:
        return "is a Windows device name"
    return None


class ManifestError(Exception):
    """A manifest that cannot be used; the message names the file and the problem.

    ``problems`` holds every problem found (``manifests validate`` lists them all); the
    message is the first, with a count of the others.
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = list(problems) if problems else [message]
        if len(self.problems) > 1:
            message = f"{self.problems[0]} (and {len(self.problems) - 1} more problem(s))"
        super().__init__(message)


@dataclass(frozen=True)
class FileRow:
    """One row of a fixed-file table: a file and the minimum version it must have."""

    name: str
    version: Version | None = None
    platform: str | None = None
    component: str | None = None
    product_version: str | None = None
    size: int | None = None
    date: str | None = None
    location: str | None = None  # the folder the article gives for the file, if any
    other_platform: str | None = None  # "Windows CE": for a platform no server has; never checked
    edition: str | None = None         # the branch's edition this row is for, in a mixed article

    @property
    def key(self) -> tuple[str, str | None, str | None, str | None]:
        """What makes a row unique in its manifest (Windows names and folders ignore case)."""
        return (self.name.lower(), self.platform, self.product_version,
                None if self.location is None else self.location.lower())


@dataclass(frozen=True)
class Manifest:
    """A KB article and its fixed-file rows."""

    id: str
    title: str
    product: str
    files: tuple[FileRow, ...]
    product_versions: tuple[str, ...] = ()
    fixed_in: str | None = None
    fixed_in_sp: tuple[str, ...] = ()  # "4.0 SP4": the release and service pack that first hold the fix
    edition: str | None = None         # "Terminal Server Edition": the branch the article is for
    component: str | None = None
    keywords: tuple[str, ...] = ()
    source: str | None = None
    path: Path | None = field(default=None, compare=False)

    @property
    def components(self) -> tuple[str, ...]:
        """The distinct components this manifest covers, in order of appearance."""
        seen = [self.component] if self.component else []
        for row in self.files:
            if row.component and row.component not in seen:
                seen.append(row.component)
        return tuple(seen)


def id_problem(article_id: str) -> str | None:
    """Why ``article_id`` cannot be a manifest id, or None.

    A manifest id is a KB article id (Q236586) or an id of your own of letters, digits, "_"
    and "-" (up to 64). KB spellings other than Q236586 (KB236586, 236586) are recognised
    and refused, so that one article has one id; so is what looks like a KB id but is not one
    (Q123, KB12345678).
    """
    if ARTICLE_ID_RE.fullmatch(article_id):
        return None
    kb = re.fullmatch(r"(?:KB|Q)?([0-9]{5,7})", article_id, re.IGNORECASE)
    if kb is not None:
        return f"id {article_id!r} names KB article {kb.group(1)}: write it Q{kb.group(1)}"
    if re.fullmatch(r"(?:KB|Q)?[0-9]+", article_id, re.IGNORECASE):
        return f"id {article_id!r} looks like a KB article id but is not one (Q and 5 to 7 digits)"
    if not OWN_ID_RE.fullmatch(article_id):
        return (f"id {article_id!r} is neither a KB article id like Q236586 nor an own id "
                "of letters, digits, '_' and '-' (up to 64)")
    return None
