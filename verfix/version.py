"""File versions as four 16-bit integers, parsed from the many spellings Windows uses."""

from __future__ import annotations

import re
from typing import NamedTuple

PART_MAX = 0xFFFF

# Up to four decimal parts separated by "." or "," (with optional blanks around them).
# Digits are ASCII only: "５.５" (full-width) is not a version.
_VERSION_RE = re.compile(r"\s*([0-9]+)((?:\s*[.,]\s*[0-9]+){0,3})")
_SEPARATOR_RE = re.compile(r"\s*[.,]\s*")
_PLAIN_RE = re.compile(r"([0-9]{1,5})\.([0-9]{1,5})\.([0-9]{1,5})\.([0-9]{1,5})")
_PART_DIGITS = 5  # 65535 has five digits: a longer part (less its leading zeros) is too big


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
        raise VersionError(f"not a version: {_shown(text)!r}")
    rest = text[match.end():]
    if strict and rest.strip():
        raise VersionError(f"unexpected text after the version: {_shown(text)!r}")
    if rest and (rest[0].isalnum() or rest[0] in ".,"):
        # "5.5.2646a" or a fifth part: the numbers are not cleanly delimited.
        raise VersionError(f"not a version: {_shown(text)!r}")
    texts = [match.group(1)]
    if match.group(2):
        texts += _SEPARATOR_RE.split(match.group(2).strip(" \t,."))
    parts = []
    for part_text in texts:
        # Never int() a 5,000-digit part: it is too big, and int() refuses over 4,300 digits.
        part = int(part_text) if len(part_text.lstrip("0")) <= _PART_DIGITS else PART_MAX + 1
        if part > PART_MAX:
            raise VersionError(f"version part {_shown(part_text)} is above {PART_MAX}: "
                               f"{_shown(text)!r}")
        parts.append(part)
    parts += [0] * (4 - len(parts))
    return Version(*parts)


def _shown(text: str, limit: int = 40) -> str:
    """``text`` cut to ``limit`` characters for an error message."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def try_parse_version(text: str | None) -> Version | None:
    """Parse leniently; None when the text is absent or not a version."""
    if text is None:
        return None
    try:
        return parse_version(text)
    except VersionError:
        return None
