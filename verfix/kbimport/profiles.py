"""Per-product data: the little that the articles' own text does not say.

The reader knows no product. Product names and versions come from each article's header
and headings; this module only holds, per product, the name manifests use when it differs
from the article's (so existing manifests keep their product), the catalog folder when the
generic slug of that name is not wanted, and the keywords that say which release shipped a fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class FixKeyword:
    """A keyword family naming the release that ships a fix (``EXC55SP3Fix``).

    ``pattern`` has the groups code, pre ("pre" = a hotfix before that release), kind
    (SP/SR) and number; ``releases`` names the product release of each code.
    """

    pattern: re.Pattern[str]
    releases: dict[str, str]


@dataclass(frozen=True)
class Profile:
    """What verfix knows of one product beyond its articles."""

    article_name: str        # PRODUCT: / Product(s): as the articles write it
    manifest_name: str       # ``product`` in the manifests
    slug: str                # the catalog folder: manifests/catalog/<slug>/<version>/
    fix_keywords: tuple[FixKeyword, ...] = ()


_EXCHANGE_CODES = {
    "5": "Exchange Server 5.0", "50": "Exchange Server 5.0", "500": "Exchange Server 5.0",
    "55": "Exchange Server 5.5", "550": "Exchange Server 5.5", "2000": "Exchange 2000 Server",
}

PROFILES = (
    Profile(
        article_name="Microsoft Exchange", manifest_name="Microsoft Exchange Server", slug="exchange",
        fix_keywords=(
            FixKeyword(re.compile(r"^(?:kb)?exc(?:hange)?(?P<code>55|550|50|500|5|2000)(?P<pre>pre)?"
                                  r"(?P<kind>sp|sr)(?P<number>\d)fix", re.IGNORECASE), _EXCHANGE_CODES),
        ),
    ),
)

# Office service releases are named in articles of several products (Outlook fixes in Exchange's).
COMMON_FIX_KEYWORDS = (
    FixKeyword(re.compile(r"^kbOffice(?P<code>\d{4})(?P<pre>pre)?(?P<kind>SR|SP)(?P<number>\d)fix",
                          re.IGNORECASE), {}),
)


def profile_for_article_name(name: str) -> Profile | None:
    """The profile of the product an article names, if verfix has one."""
    return next((p for p in PROFILES if p.article_name == name), None)


def profile_for_manifest_name(name: str) -> Profile | None:
    """The profile of a manifest's product, if verfix has one."""
    return next((p for p in PROFILES if p.manifest_name == name), None)
