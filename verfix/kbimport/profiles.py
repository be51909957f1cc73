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


@dataclass(frozen=True)
class FixKeyword:
    """A keyword family naming the release that ships a fix (``EXC55SP3Fix``).

    ``pattern`` has the groups code, pre ("pre" = a hotfix before that release), kind
    (SP/SR) and number; ``releases`` names the product release of each code (a code
    without one is named ``Office <code>``).
    """

    pattern: re.Pattern[str]
    releases: dict[str, str]
    names: dict[str, str] | None = None  # keyword name -> product; the code is then its version


# The product names keywords abbreviate (kbWinNT400PreSP7Fix, kbsms200preSP4fix, kbVS600sp4fix).
KEYWORD_NAMES = {
    "winnt": "Windows NT", "win2000": "Windows 2000", "winxp": "Windows XP", "sms": "SMS",
    "sna": "SNA Server", "vs": "Visual Studio", "tse": "Windows NT Terminal Server Edition",
}


FIX_KEYWORDS = (
    FixKeyword(re.compile(r"^(?:kb)?exc(?:hange)?(?P<code>55|550|50|500|5|2000)(?P<pre>pre)?"
                          r"(?P<kind>sp|sr)(?P<number>\d)fix", re.IGNORECASE),
               dict(exchange.KEYWORD_PRODUCTS)),
    # Office service releases are named in articles of several products (Outlook fixes in Exchange's).
    FixKeyword(re.compile(r"^kbOffice(?P<code>\d{4}|97|XP)(?P<pre>pre)?(?P<kind>SR|SP)(?P<number>\d)fix",
                          re.IGNORECASE), {}),
    FixKeyword(re.compile(r"^kb(?P<name>WinNT|Win2000|WinXP|sms|sna|VS|TSE)(?P<code>\d{0,3})(?P<pre>pre)?"
                          r"(?P<kind>SP|SR)(?P<number>\d+a?)fix", re.IGNORECASE), {}, KEYWORD_NAMES),
)


def manifest_name(article_product: str) -> str:
    """The ``product`` of a manifest: the profile's name for the article's product, else the article's."""
    profile = for_product_name(article_product)
    return profile.name if profile else article_product


def catalog_slug(manifest_product: str) -> str | None:
    """The catalog folder of a manifest's product when a profile names it."""
    profile = for_product_name(manifest_product)
    return profile.slug if profile else None
