"""What the lead-in of a table says of it: the paragraph (or the line alone) right above it
names the release, a service pack, a language or client pack, a superseded build, a platform
no Windows server has, the one processor, or the self-extracting package."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from verfix.kbimport import cells
from verfix.kbimport.metadata import release_of, service_pack_in

_LEAD_IN_RE = re.compile(r"\bversion of the (.+?) (?:hot ?fix|fix|update|patch)\b|^(?:in|for) ([^,]{3,60}), the\b",
                         re.IGNORECASE)
LANGUAGES = frozenset({
    "arabic", "english", "brazilian", "chinese", "czech", "danish", "dutch", "finnish", "french", "german",
    "greek", "hebrew", "hungarian", "italian", "japanese", "korean", "norwegian", "polish",
    "portuguese", "russian", "spanish", "swedish", "turkish",
})
# "The French version of this fix", "The German post-SMS 2.0 Service Pack 3 version of this fix";
# an International Client Pack (the client languages of one set) is named like a language.
_BETWEEN = r"(?:(?!\.\s)[^:]){0,60}?"  # the words before "version", within one sentence
_LANGUAGE_LEAD_RE = re.compile(rf"\bthe (\w+)(?:-language)?\b{_BETWEEN} version of (?:this|the)\b", re.IGNORECASE)
_CLIENT_PACK_RE = re.compile(rf"\bthe\b{_BETWEEN} (?:International Client Pack (\d+) \(ICP\1\)|ICP(\d+)\b){_BETWEEN} "
                             r"version of (?:this|the)\b", re.IGNORECASE)
_SUPERSEDED_RE = re.compile(r"\bhad the following\b|\bprevious version of this fix\b|"
                            r"\bversion of the original (?:update|hot ?fix|fix|patch)\b", re.IGNORECASE)
_PACKAGE_LEAD_RE = re.compile(r"\bself[- ]extracting\b", re.IGNORECASE)


@dataclass(frozen=True)
class LeadIn:
    """What the paragraph just above a table says of it."""

    release: str | None = None        # "the IIS 4.0 fix": 4.0
    service_pack: str | None = None   # "for Service Pack 3 (SP3) sites", "Post-SP4 hotfix": SP3, SP4
    language: str | None = None       # "The French version of this fix": French; "ICP1"
    superseded: bool = False          # "The previous version of this fix had ...": not the fix
    foreign: str | None = None        # "when viewed from the Macintosh": not a Windows server's
    platform: str | None = None       # "The Alpha version of this fix": the one processor named
    package: bool = False             # "The self-extracting EXE should be:": maybe the package itself


def lead_in(body: Sequence[tuple[int, str]], index: int, product: str) -> LeadIn:
    """The lead-in of the table at line ``index``: the paragraph above it (up to 4 lines)."""
    lines, start = _paragraph_above(body, index)
    if lines and re.match(r"note\b", lines[0], re.IGNORECASE):
        # "NOTE: The IIS 4.0 hotfix was completed in May 2000. ..." between the sentence that
        # introduces the table and the table: the sentence above the note is the lead-in.
        above, _ = _paragraph_above(body, start + 1)
        lines = above + lines
    text = " ".join(lines)
    release = _LEAD_IN_RE.search(text)
    if release is None and len(lines) == 1 and len(text) < 60:
        # A line of its own naming a release ("Microsoft SQL Server 7.0"), right above the table.
        named = release_of(text, product)
        return LeadIn(release=named, service_pack=service_pack_in(text, product), language=_label_language(text),
                      foreign=cells.foreign_platform_in(text),
                      platform=cells.processor_in(text), package=bool(_PACKAGE_LEAD_RE.search(text)))
    return LeadIn(
        release=release_of(release.group(1) or release.group(2), product) if release else None,
        service_pack=service_pack_in(text, product),
        language=_lead_language(text),
        superseded=bool(_SUPERSEDED_RE.search(text)),
        package=bool(_PACKAGE_LEAD_RE.search(text)),
        foreign=cells.foreign_platform_in(text),
        platform=cells.processor_in(text),
    )


def _paragraph_above(body: Sequence[tuple[int, str]], index: int) -> tuple[list[str], int]:
    """The paragraph (up to 4 lines) above line ``index``, and the index of the line above it."""
    start = index - 1
    while start >= 0 and not body[start][1].strip():
        start -= 1
    lines: list[str] = []
    while start >= 0 and body[start][1].strip() and len(lines) < 4:
        lines.insert(0, body[start][1].strip())
        start -= 1
    return lines, start


def _lead_language(text: str) -> str | None:
    """The language (or International Client Pack) a lead-in names, if any."""
    pack = _CLIENT_PACK_RE.search(text)
    if pack:
        return f"ICP{pack.group(1) or pack.group(2)}"
    language = _LANGUAGE_LEAD_RE.search(text)
    return language.group(1).capitalize() if language and language.group(1).lower() in LANGUAGES else None


# A label alone above a table: "French files (0000040C):", "German:", "English version:".
_LANGUAGE_LABEL_RE = re.compile(r"(\w+)(?:\s+(?:files|version|language))?(?:\s*\([0-9A-Fa-f]{4,8}\))?\s*:",
                                re.IGNORECASE)


def _label_language(text: str) -> str | None:
    """The language a line alone above a table names, when it is nothing but that label."""
    label = _LANGUAGE_LABEL_RE.fullmatch(text.strip())
    return label.group(1).capitalize() if label and label.group(1).lower() in LANGUAGES else None
