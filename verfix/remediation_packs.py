"""What a fix article's ``fixed_in`` text says: the service packs that contain the fix, and
the packs its hotfix is built on ("Exchange Server 5.5 post-SP4 hotfix")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from verfix.products import PROFILES

# "Exchange Server 5.5 SP4" (a service pack or service release) and
# "Exchange Server 5.5 post-SP4 hotfix (before SP5)" (a hotfix built on one).
_PACK_RE = re.compile(r"^(?P<base>.*\S)\s+(?P<kind>SP|SR)(?P<number>\d+)$")
_HOTFIX_RE = re.compile(r"^(?P<base>.*\S)\s+post-(?P<kind>SP|SR)(?P<number>\d+)\s+hotfix\b")


@dataclass(frozen=True, order=True)
class ServicePack:
    """A service pack named in ``fixed_in``: "Exchange Server 5.5" + "SP" + 4."""

    base: str
    kind: str
    number: int
    letter: str = ""  # "a" of a reissued pack (NT 4.0 SP6a)

    def __str__(self) -> str:
        return f"{self.base} {self.kind}{self.number}{self.letter}"

    def reissued(self) -> ServicePack:
        """This pack as a server gets it: NT 4.0's withdrawn SP6 as SP6a (the profiles say)."""
        for profile in PROFILES:
            for key, label in profile.reissued_packs.items():
                release, _, old = key.partition(" ")
                if self.base == f"{profile.short_name} {release}" and f"{self.kind}{self.number}" == old:
                    return ServicePack(self.base, self.kind, self.number, label[len(old):])
        return self


@dataclass(frozen=True)
class FixedIn:
    """What one ``fixed_in`` text says: the packs that contain the fix, the packs its hotfix needs."""

    packs: tuple[ServicePack, ...] = ()
    hotfix_bases: tuple[ServicePack, ...] = ()


@lru_cache(maxsize=8192)  # a plan asks it thousands of times of a few hundred texts
def parse_fixed_in(text: str | None, release: str | None = None) -> FixedIn:
    """The service packs ``text`` names, keeping only those of ``release`` when it is known
    (the answer is immutable, so it is kept; ``parse_fixed_in.__wrapped__`` is the plain one)."""
    packs: list[ServicePack] = []
    bases: list[ServicePack] = []
    for item in (text or "").split(";"):
        item = item.strip()
        hotfix, pack = _HOTFIX_RE.match(item), _PACK_RE.match(item)
        match = hotfix or pack
        if match is None or not _names_release(match.group("base"), release):
            continue
        found = ServicePack(match.group("base"), match.group("kind"), int(match.group("number"))).reissued()
        (bases if hotfix else packs).append(found)
    return FixedIn(tuple(packs), tuple(bases))


def _names_release(base: str, release: str | None) -> bool:
    """True when ``base`` ("Exchange Server 5.5") names ``release`` ("5.5") as a word."""
    if release is None:
        return True
    return re.search(rf"(?<![\w.]){re.escape(release)}(?![\w.])", base) is not None


def names_other_release(text: str | None, release: str | None) -> bool:
    """True when ``fixed_in`` says where the fix is and no item of it names ``release``:
    "Exchange 2000 Server SP1" on a 5.5 server (the plan says so: check the fix applies)."""
    if not text or release is None:
        return False
    return not any(_names_release(item, release) for item in text.split(";"))
