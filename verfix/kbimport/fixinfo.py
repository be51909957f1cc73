"""Where an article's fix shipped and which edition it is for, from its text and keywords.

Service packs: the keywords (``kbWinNT400sp4fix``, ``EXC55SP3Fix``, ``kbWinNT400PreSP7Fix``,
the families in ``profiles``) and sentences like "This problem was first corrected in
Windows NT 4.0 Service Pack 4" (also "... Service Pack 4.0 and Windows NT Server 4.0,
Terminal Server Edition Service Pack 4"). A sentence adds a release the keywords do not
name; the keywords win for one they do. ``fixed_in_sp`` lists the service packs of the
manifest's own product ("4.0 SP4"): not another product's, not an edition's own, not a hotfix.

Edition: the names the product's profile gives its branches (``Terminal Server Edition``),
found in the table headings (every table under such a heading; when only some tables are,
each of their rows gets the edition instead: ``row_editions``), else in the "applies to"
product lines of the article's product (every one names it), else, when the article has no
such line, in its title or PROD/VER line. One line for the product without the edition (an
ordinary NT 4.0 Server beside the Terminal Server Edition) means the article is for both:
no edition.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from verfix.kbimport.cells import foreign_platform_in
from verfix.kbimport.metadata import Fix, keyword_fixes, names_product
from verfix.kbimport.model import ImportedRow
from verfix.kbimport.profiles import editions_of, profile_release
from verfix.rules import release_label

_RELEASE = (r"(?:the\s+)?(?:Microsoft\s+)?(?P<name>[A-Z][A-Za-z]*(?:\s+[A-Z][A-Za-z]*){0,4}?)\s+"
            r"(?:version\s+)?(?P<version>\d+(?:\.\d+)?)(?:\s+Server)?"
            r"(?:,?\s+(?P<edition>[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2}\s+Edition))?"
            r"\s+Service\s+Pack\s+(?P<sp>\d+a?)(?:\.0(?!\.?\d))?(?P<rollup>\s+hotfix\s+rollup)?")
_FIRST_RE = re.compile(r"\b(?:first|was|is|been|were|are)\s+(?:first\s+)?(?:corrected|fixed|included|resolved)"
                       r"\s+in\s+" + _RELEASE, re.IGNORECASE)
# "... Microsoft recommends that you wait for the next Windows NT 4.0 service pack that contains
# this fix": a hotfix no service pack holds yet (used only when nothing else names the release).
_NEXT_RE = re.compile(r"\bwait\s+for\s+the\s+next\s+(?:Microsoft\s+)?"
                      r"(?P<name>[A-Z][A-Za-z]*(?:\s+[A-Z][A-Za-z]*){0,4}?)"
                      r"\s+(?:version\s+)?(?P<version>\d+(?:\.\d+)?)(?:\s+Server)?"
                      r"(?:,?\s+(?P<edition>[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2}\s+Edition))?\s+service\s+pack\b",
                      re.IGNORECASE)
_AND_RE = re.compile(r"\s*,?\s+and\s+(?:in\s+)?" + _RELEASE, re.IGNORECASE)


@dataclass(frozen=True)
class FixInfo:
    """What the import records: ``fixed_in`` text, the product's service packs, the edition."""

    fixed_in: str | None
    fixed_in_sp: tuple[str, ...]
    edition: str | None


def _text_fix(match: re.Match[str]) -> Fix:
    name, version, sp = " ".join(match.group("name").split()), match.group("version"), match.group("sp").lower()
    edition = " ".join(match.group("edition").split()) if match.group("edition") else None
    shown = f"{name} {version}{f', {edition}' if edition else ''} SP{sp}"
    if match.group("rollup"):
        return Fix(f"{shown} hotfix rollup", name, version, None, edition)
    return Fix(shown, name, version, None if edition else f"SP{sp}", edition)


def text_fixes(body: Sequence[tuple[int, str]]) -> list[Fix]:
    """The releases "first corrected in ... Service Pack N" sentences of the body name."""
    text = " ".join(" ".join(line for _, line in body).split())
    found: list[Fix] = []
    for match in _FIRST_RE.finditer(text):
        found.append(_text_fix(match))
        more = _AND_RE.match(text, match.end())
        while more:
            found.append(_text_fix(more))
            more = _AND_RE.match(text, more.end())
    if not found:
        for match in _NEXT_RE.finditer(text):
            name, version = " ".join(match.group("name").split()), match.group("version")
            edition = " ".join(match.group("edition").split()) if match.group("edition") else None
            shown = f"{name} {version}{f', {edition}' if edition else ''} hotfix (before its next service pack)"
            if shown not in {fix.text for fix in found}:
                found.append(Fix(shown, name, version, None, edition))
    return found


def _fixed_in_sp(fixes: Sequence[Fix], product: str) -> tuple[str, ...]:
    """``"<release> SP<n>"`` for each fix that is a service pack of the manifest's product."""
    packs: list[str] = []
    for fix in fixes:
        if fix.service_pack is None:
            continue
        release = profile_release(product, f"{fix.name} {fix.version}")  # a name the profile lists
        if release is None and names_product(fix.name, product):
            release = profile_release(product, fix.version) or release_label(fix.version)
        entry = f"{release} {fix.service_pack}" if release else None
        if entry and entry not in packs:
            packs.append(entry)
    return tuple(packs)


def _edition_in(text: str, names: dict[str, str]) -> str | None:
    for name in sorted(names, key=len, reverse=True):
        if re.search(rf"\b{re.escape(name)}\b", text, re.IGNORECASE):
            return names[name]
    return None


def applies_to(body: Sequence[tuple[int, str]]) -> list[str]:
    """The product lines of the article's "applies to" box (a wrapped line joined)."""
    lines: list[str] = []
    inside = False
    for _, text in body[:80]:
        stripped = text.strip()
        if not inside:
            inside = "applies to" in stripped.lower()
            continue
        if stripped and set(stripped) <= {"-"}:
            break
        if stripped.startswith("- "):
            lines.append(stripped[2:].strip())
        elif stripped and lines:
            lines[-1] += " " + stripped
    return lines


def applies_to_platform(body: Sequence[tuple[int, str]]) -> str | None:
    """The platform no Windows server has ("Windows CE", "Macintosh") that every product line
    of the "applies to" box names, when they all name the same one and none names a Windows
    platform too; else None (no box, or a box naming any other product)."""
    found = {foreign_platform_in(line) for line in applies_to(body)}
    return found.pop() if len(found) == 1 and None not in found else None


def row_editions(product: str, rows: Sequence[ImportedRow]) -> list[str | None]:
    """Each row's edition in a mixed article (some tables under a heading naming the edition,
    "Windows NT Server 4.0, Terminal Server Edition", some not): the edition its table's
    heading names, else None. All None when the headings do not mix (the article's own
    ``edition`` then says it, or nothing does)."""
    names = editions_of(product)
    found = [_edition_in(row.heading or "", names) if names else None for row in rows]
    return found if None in found and any(found) else [None] * len(rows)


def article_edition(
    product: str, title: str, prod_ver: str, body: Sequence[tuple[int, str]], rows: Sequence[ImportedRow],
) -> str | None:
    """The edition the whole article is for (see the module's rules), or None."""
    names = editions_of(product)
    if not names:
        return None
    headings = {row.heading for row in rows}
    if rows and None not in headings:
        found = {_edition_in(heading or "", names) for heading in headings}
        if len(found) == 1 and None not in found:
            return found.pop()
        if found != {None}:
            return None  # some tables for the edition, some not
    product_words = _words(product)
    own = [line for line in applies_to(body) if product_words <= _words(line)]
    if own:
        found = {_edition_in(line, names) for line in own}
        return found.pop() if len(found) == 1 else None
    return _edition_in(title, names) or _edition_in(prod_ver, names)


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower())) - {"microsoft"}


def fix_info(
    product: str, keywords: Sequence[str], title: str, prod_ver: str,
    body: Sequence[tuple[int, str]], rows: Sequence[ImportedRow],
) -> FixInfo:
    """The fixed-in text, the product's service packs and the edition of one article."""
    fixes = keyword_fixes(keywords)
    keys = {fix.key for fix in fixes}
    for fix in text_fixes(body):
        if fix.key not in keys and fix.text not in {f.text for f in fixes}:
            fixes.append(fix)
    text = "; ".join(fix.text for fix in fixes) or None
    return FixInfo(text, _fixed_in_sp(fixes, product), article_edition(product, title, prod_ver, body, rows))
