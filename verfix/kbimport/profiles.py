"""What the importer takes from the product profiles (verfix.products): the little that
the articles' own text does not say.

The reader knows no product. Product names and versions come from each article's header
and headings; the profiles only give the name manifests use when it differs from the
article's (so existing manifests keep their product), the catalog folder, and the codes of
the keywords that say which release shipped a fix (``EXC55SP3Fix``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from verfix.products import exchange, for_product_name
from verfix.rules import product_release


@dataclass(frozen=True)
class FixKeyword:
    """A keyword family naming the release that ships a fix (``EXC55SP3Fix``).

    ``pattern`` has the groups code, pre ("pre" = a hotfix before that release), kind
    (SP/SR) and number; ``releases`` names the product release of each code (a code
    without one is named ``Office <code>``).
    """

    pattern: re.Pattern[str]  # may have a group ``nosp``: a hotfix in no service pack
    releases: dict[str, str]
    names: dict[str, str] | None = None  # keyword name -> product; the code is then its version


# The product names keywords abbreviate (kbWinNT400PreSP7Fix, kbsms200preSP4fix, kbVS600sp4fix).
KEYWORD_NAMES = {
    "winnt": "Windows NT", "win2000": "Windows 2000", "winxp": "Windows XP", "sms": "SMS",
    "sna": "SNA Server", "vs": "Visual Studio", "tse": "Windows NT Terminal Server Edition",
    "iis": "IIS", "mdac": "MDAC", "ie": "Internet Explorer", "commserv": "Commerce Server",
}


FIX_KEYWORDS = (
    FixKeyword(re.compile(r"^(?:kb)?exc(?:hange)?(?P<code>55|550|50|500|5|2000)(?P<pre>pre)?"
                          r"(?P<kind>sp|sr)(?P<number>\d)fix", re.IGNORECASE),
               dict(exchange.KEYWORD_PRODUCTS)),
    # Office service releases are named in articles of several products (Outlook fixes in Exchange's).
    FixKeyword(re.compile(r"^kbOffice(?P<code>\d{4}|97|XP)(?P<pre>pre)?(?P<kind>SR|SP)(?P<number>\d)fix",
                          re.IGNORECASE), {}),
    # ``kbWinNT400nospFix``: a hotfix that no service pack contains (the group ``nosp``).
    FixKeyword(re.compile(r"^kb(?P<name>WinNT|Win2000|WinXP|sms|sna|VS|TSE|IIS|MDAC|IE|CommServ)(?P<code>\d{0,3})(?:(?P<pre>pre)?"
                          r"(?P<kind>SP|SR)(?P<number>\d+a?)|(?P<nosp>nosp))fix", re.IGNORECASE),
               {}, KEYWORD_NAMES),
)


def manifest_name(article_product: str) -> str:
    """The ``product`` of a manifest: the profile's name for the article's product, else the article's."""
    profile = for_product_name(article_product)
    return profile.name if profile else article_product


def catalog_slug(manifest_product: str) -> str | None:
    """The catalog folder of a manifest's product when a profile names it."""
    profile = for_product_name(manifest_product)
    return profile.slug if profile else None


def editions_of(manifest_product: str) -> dict[str, str]:
    """The edition names articles give the product's branches (lower-cased) -> the edition's
    name in manifests (the branch's first): ``terminal server`` -> ``Terminal Server Edition``."""
    profile = for_product_name(manifest_product)
    names: dict[str, str] = {}
    for branch in profile.branches if profile else ():
        for name in branch.editions:
            names[name.lower()] = branch.editions[0]
    return names


def profile_release(manifest_product: str, named: str) -> str | None:
    """The release of the manifest's product that ``named`` ("Windows 2000", "4.0") is, in the
    profile's labels (IIS: "Windows 2000" -> "5.0"); None without a profile or a release."""
    profile = for_product_name(manifest_product)
    return product_release(profile, named) if profile else None
