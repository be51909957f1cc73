"""What an article says about its product: versions from the header, releases from headings."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from verfix.kbimport.profiles import FIX_KEYWORDS, FixKeyword, manifest_name

_NUMBER_RE = re.compile(r"\d+(\.\d+)*")


def manifest_product(article_product: str) -> str:
    """The ``product`` of the manifest: the article's, or its profile's manifest name."""
    return manifest_name(article_product)


def parse_product_versions(text: str) -> tuple[str, ...]:
    """``winnt:5.5,5.5 SP1`` or ``WINDOWS:98; winnt:5.5`` -> ("5.5", "5.5 SP1") etc."""
    versions: list[str] = []
    for group in text.split(";"):
        values = group.rpartition(":")[2]
        for item in values.split(","):
            item = " ".join(item.split())
            if not item:
                continue
            # "4.0 5.0 5.5" is three versions; "5.5 SP1" is one.
            parts = item.split(" ")
            pieces = parts if all(_NUMBER_RE.fullmatch(p) for p in parts) else [item]
            for piece in pieces:
                if piece not in versions:
                    versions.append(piece)
    return tuple(versions)


def base_versions(product_versions: Sequence[str]) -> tuple[str, ...]:
    """The distinct base versions, service packs dropped: ("5.5", "5.5 SP1", "5.0") -> ("5.5", "5.0").

    Only versions that are numbers count (``Build 2.573.6526`` or ``SP1`` alone name none).
    """
    bases: list[str] = []
    for version in product_versions:
        base = re.sub(r"\s*(SP|SR)\s*\w+$", "", version, flags=re.IGNORECASE).strip()
        if _NUMBER_RE.fullmatch(base) and base not in bases:
            bases.append(base)
    return tuple(bases)


@dataclass(frozen=True)
class Fix:
    """Where an article says its fix shipped: ``text`` for people ("Windows NT 4.0 SP4"), and
    the product named, its version and the service pack (None: a hotfix no service pack holds)."""

    text: str
    name: str
    version: str
    service_pack: str | None
    edition: str | None = None  # a branch's own service pack ("Terminal Server Edition SP4")

    @property
    def key(self) -> tuple[str | None, ...]:
        """What tells two statements of one product release (and edition) apart from others."""
        return (*_words(self.name), self.version, self.edition)


def _keyword_fix(keyword: str, family: FixKeyword) -> Fix | None:
    match = family.pattern.match(keyword)
    if not match:
        return None
    code = match.group("code")
    if family.names is not None:
        name, version = family.names[match.group("name").lower()], _keyword_version(code)
    else:
        product = family.releases.get(code, f"Office {code}")
        found = re.search(r"\d+(?:\.\d+)*", product)
        version = found.group(0) if found else ""
        name = " ".join(product.replace(version, " ").split()) if version else product
    product = family.releases.get(code) or f"{name} {version}".strip()
    if match.groupdict().get("nosp"):
        return Fix(f"{product} hotfix (in no service pack)", name, version, None)
    pre, kind, text = match.group("pre"), match.group("kind").upper(), match.group("number").lower()
    number = int(text.rstrip("a"))
    if not pre:
        return Fix(f"{product} {kind}{text}", name, version, f"{kind}{text}" if kind == "SP" else None)
    if number > 1:
        return Fix(f"{product} post-{kind}{number - 1} hotfix (before {kind}{text})", name, version, None)
    return Fix(f"{product} hotfix (before {kind}{text})", name, version, None)


def _keyword_version(code: str) -> str:
    """A keyword's release code as a version: ``400`` -> 4.0, ``4`` -> 4.0, ``2000`` -> 2000."""
    if len(code) == 3 and code.endswith("0"):
        return f"{code[0]}.{code[1]}"
    if len(code) == 1:
        return f"{code}.0"
    return code


def keyword_fixes(keywords: Sequence[str]) -> list[Fix]:
    """Where the fix shipped, from keywords like EXC55SP3Fix or kbExchange550preSP5fix.

    The keyword families are the profiles' (and Office's); a keyword glued to the next one
    (``EXC55SP3Fixkbbuglist``) still counts.
    """
    found: list[Fix] = []
    for keyword in keywords:
        for family in FIX_KEYWORDS:  # the first family that reads a keyword names it
            fix = _keyword_fix(keyword, family)
            if fix:
                if fix.text not in {f.text for f in found}:
                    found.append(fix)
                break
    return found


def fixed_in_from_keywords(keywords: Sequence[str]) -> str | None:
    """The ``fixed_in`` text the keywords give ("A; B"), or None."""
    return "; ".join(fix.text for fix in keyword_fixes(keywords)) or None


# "Exchange Server 5.5", "Windows NT Server version 4.0", "IIS 4.0", "Exchange 2000 Server".
_RELEASE_RE = re.compile(
    r"^(?:for\s+)?(?:the\s+)?(?:microsoft\s+)?(?P<name>[A-Za-z][\w+/&\-. ]*?)\s+(?:version\s+)?"
    r"(?P<version>\d+(?:\.\d+)*[a-z]?)(?:\s+(?:server|workstation|client))?$", re.IGNORECASE)
# A name and number that is no product release: a service pack of the product ("the post
# Service Pack 1 fix"; the lead-in's service pack says so) or a numbered part of the article.
_NOT_A_PRODUCT_RE = re.compile(
    r"(?:(?:post|pre)[- ]?)?(?:service\s+pack|sp)\s*\d+a?$|"
    r"(?:method|step|option|part|scenario|workaround|solution|section|example|appendix|case)\s+\d+$",
    re.IGNORECASE)
_SERVICE_PACK_RE = re.compile(r"\b(?:Service Pack|SP)\s*(\d+a?)\b(?!\s*\(SP)", re.IGNORECASE)
_GENERIC_WORDS = {"microsoft", "server", "servers", "workstation", "client", "version", "for", "the",
                  "or", "and"}


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _GENERIC_WORDS]


def names_product(name: str, product: str) -> bool:
    """Whether ``name`` (from a heading) names the article's ``product``: its words, or its
    initials (``IIS`` for Internet Information Server, ``SMS`` for Systems Management Server)."""
    words, product_words = _words(name), _words(product)
    if not words:
        return False
    if all(word in product_words for word in words):
        return True
    full = [w for w in re.findall(r"[a-z0-9]+", product.lower()) if w != "microsoft"]
    initials = "".join(w[0] for w in full)
    if len(words) == 1 and words[0] in (initials, initials.rstrip("s") + "s"):
        return True
    # "Internet Information Services" for Internet Information Server: the same initials.
    named = [w for w in re.findall(r"[a-z0-9]+", name.lower()) if w != "microsoft"]
    return len(named) > 1 and "".join(w[0] for w in named) == initials


def release_of(heading: str, product: str, *, other_products: bool = True) -> str | None:
    """The product version a heading names, or None.

    A heading naming the article's own product (``Exchange Server 5.0``, ``Windows NT 4.0``,
    ``For IIS 4.0:``) gives its version number; ``NAME version N`` gives N whatever the name
    (``STORE version 5.5``); a heading naming another product with a version (``Outlook 98``)
    is kept whole (None with ``other_products=False``); a heading without a version (``Important Notes``) names none.
    """
    text = " ".join(heading.split()).rstrip(":").strip()
    text = re.sub(r"\s*\([A-Z]{2,6}\)", "", text)  # "Internet Information Services (IIS) 5.0"
    listed = re.fullmatch(r"(.*?)(\d+(?:\.\d+)*)((?:\s+SP\d+a?)?(?:,\s*(?:and\s+)?\d+(?:\.\d+)*(?:\s+SP\d+a?)?)+)",
                          text, re.IGNORECASE)
    if listed:  # "MDAC 2.6, 2.6 SP1, and 2.6 SP2": one release line, if they all share its base
        bases = set(re.findall(r"(?:^|,\s*(?:and\s+)?)(\d+(?:\.\d+)*)", listed.group(2) + listed.group(3)))
        if len(bases) != 1:
            return None
        text = listed.group(1) + listed.group(2)
    with_other = re.fullmatch(r"(.+?\d[\w.]*),?\s+with(?:out)?\s+(.+)", text, re.IGNORECASE)
    if with_other and not _SERVICE_PACK_RE.search(with_other.group(2)):
        text = with_other.group(1)  # "Windows 2000 with Internet Explorer": a Windows 2000 table
    parts = re.split(r",?\s+(?:and|or)\s+|,\s+", text)
    if len(parts) > 1:  # "Windows NT 4.0 Server and Windows NT Workstation 4.0": each names 4.0
        named = {release_of(part, product, other_products=False) for part in parts}
        if len(named) == 1 and None not in named:
            return named.pop()
    if _NOT_A_PRODUCT_RE.match(text):
        return None  # "post Service Pack 1", "Method 1": a service pack or a numbered section
    alone = re.fullmatch(r"version\s+(\d+(?:\.\d+)*[a-z]?)", text, re.IGNORECASE)
    if alone:
        return alone.group(1)  # "Version 5.5": the article's product
    match = _RELEASE_RE.match(text)
    if not match:
        return None
    name, version = match.group("name"), match.group("version")
    if names_product(name, product) or re.search(r"\sversion\s+\S+$", text, re.IGNORECASE):
        return version
    if not other_products:
        return None
    return re.sub(r"^(?:for\s+)?(?:the\s+)?(?:microsoft\s+)?", "", text, flags=re.IGNORECASE)


# The product and version right before a service pack: "Windows 2000 Service Pack 3".
_PACK_OWNER_RE = re.compile(r"((?:[A-Z][\w+/&-]*\s+){1,4}(?:version\s+)?\d+(?:\.\d+)*)\s*,?\s*$")


def service_pack_in(text: str, product: str) -> str | None:
    """The service pack of the article's product a lead-in names ("for Service Pack 3 (SP3)
    sites", "the post-SMS 2.0 Service Pack 3 version"), as ``SP3``; None when there is none or
    the first one named is another product's ("first corrected in Windows 2000 Service Pack 3"
    in an Index Server article: the operating system's pack, not the article's)."""
    pack = _SERVICE_PACK_RE.search(text)
    if pack is None:
        return None
    owner = _PACK_OWNER_RE.search(text[:pack.start()])
    if owner and not names_product(_RELEASE_RE.sub(r"\g<name>", owner.group(1).strip()), product):
        return None
    return f"SP{pack.group(1).upper()}"
