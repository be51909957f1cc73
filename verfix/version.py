"""File versions as four 16-bit integers, parsed from the many spellings Windows uses."""

from __future__ import annotations

import re
from typing import NamedTuple

PART_MAX = 0xFFFF

# Up to four decimal parts separated by "." or "," (with optional blanks around them).
_VERSION_RE = re.compile(r"\s*(\d+)((?:\s*[.,]\s*\d+){0,3})")
_SEPARATOR_RE = re.compile(r"\s*[.,]\s*")
_PLAIN_RE = re.compile(r"(\d{1,5})\.(\d{1,5})\.(\d{1,5})\.(\d{1,5})")


class VersionError(ValueError):
    """A text that is not a file version."""


class Version(NamedTuple):
    """A Windows file version: major.minor.build.revision, each 0..65535.

    Being a tuple of integers, versions compare numerically: 5.5.2646.0 > 5.5.265.0.
    """

    major: int
    minor: int
    build: int
    revision: int

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.build}.{self.revision}"

    @classmethod
    def from_ms_ls(cls, most_significant: int, least_significant: int) -> "Version":
        """Build a version from the two 32-bit words of VS_FIXEDFILEINFO."""
        return cls(
            (most_significant >> 16) & PART_MAX,
            most_significant & PART_MAX,
            (least_significant >> 16) & PART_MAX,
            least_significant & PART_MAX,
        )

    @property
    def is_zero(self) -> bool:
        """True for 0.0.0.0, which Windows uses to mean "no version"."""
        return not any(self)


def parse_version(text: str, *, strict: bool = False) -> Version:
    """Parse ``5.5.2646.0``, ``5, 5, 2646, 0``, ``05.05.2646.00`` or ``5.5``.

    Missing parts are padded with zeros. Unless ``strict``, text after the numbers is
    ignored when it is set apart from them (``10.0.19041.985 (WinBuild.160101.0800)``).
    Raises VersionError for anything else, including a part above 65535.
    """
    plain = _PLAIN_RE.fullmatch(text)
    if plain is not None:  # the common spelling "5.5.2646.0": no further checks needed
        parts = [int(part) for part in plain.groups()]
        if max(parts) <= PART_MAX:
            return Version(*parts)
    match = _VERSION_RE.match(text)
    if match is None:
        raise VersionError(f"not a version: {text!r}")
    rest = text[match.end():]
    if strict and rest.strip():
        raise VersionError(f"unexpected text after the version: {text!r}")
    if rest and (rest[0].isalnum() or rest[0] in ".,"):
        # "5.5.2646a" or a fifth part: the numbers are not cleanly delimited.
        raise VersionError(f"not a version: {text!r}")
    parts = [int(match.group(1))]
    if match.group(2):
        parts += [int(p) for p in _SEPARATOR_RE.split(match.group(2).strip(" \t,."))]
    for part in parts:
        if part > PART_MAX:
            raise VersionError(f"version part {part} is above {PART_MAX}: {text!r}")
    parts += [0] * (4 - len(parts))
    return Version(*parts)


def try_parse_version(text: str | None) -> Version | None:
    """Parse leniently; None when the text is absent or not a version."""
    if text is None:
        return None
    try:
        return parse_version(text)
    except VersionError:
        return None
