"""Product profiles: one module per product, read by discovery, locating and checking.

Adding a product is adding a module with a ``PROFILE`` and listing it in ``PROFILES``.
"""

from __future__ import annotations

from verfix.products import exchange, iis, mail, sms, sna, windows_nt
from verfix.products.profile import SYSTEM_ROOT, Branch, Profile, RegistryValue

#: Every known product, in the order a whole-server report lists them.
PROFILES: tuple[Profile, ...] = (
    windows_nt.PROFILE, iis.PROFILE, exchange.PROFILE, sna.PROFILE, sms.PROFILE, mail.PROFILE,
)

__all__ = ["PROFILES", "SYSTEM_ROOT", "Branch", "Profile", "RegistryValue", "by_slug", "for_product_name"]


def by_slug(slug: str) -> Profile:
    """The profile named ``slug`` (``"exchange"``); KeyError when there is none."""
    for profile in PROFILES:
        if profile.slug == slug:
            return profile
    raise KeyError(slug)


def for_product_name(name: str) -> Profile | None:
    """The profile of a manifest's product name (``"Microsoft Exchange Server"``), if any."""
    wanted = name.strip().lower()
    for profile in PROFILES:
        names = {profile.name.lower(), *(n.lower() for n in profile.article_names)}
        if wanted in names:
            return profile
    return None
