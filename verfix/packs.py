"""Service packs: their labels in order, and the row note that sets a fix's pack against the server's.

The SP note rule (each row of an article whose manifest names where its fix shipped):

- The manifest's ``fixed_in_sp`` entries of the server's release ("4.0 SP4"), else the service
  packs its ``fixed_in`` text names for that release (not an edition's own: Terminal Server
  Edition's packs are numbered apart), give the first service pack of that
  release holding the fix (the lowest one listed). A pack that was
  withdrawn and reissued is named as reissued (the profile's ``reissued_packs``: NT 4.0 SP6 is
  SP6a), unless the server runs the withdrawn one itself.
- Server below that pack: "fix first in Windows NT 4.0 SP4; the server runs SP3, which
  predates it" (the pack, or a hotfix, brings it).
- Server at or above it: "fix in Windows NT 4.0 SP6a, which the server runs" (or "..., which
  the server's SP6a includes" for an earlier pack); when the row's file is outdated, ": a later
  install may have overwritten it" follows (a hotfix or an older setup put an older file back);
  when it is missing, ": the file is not there (its component may not be installed)".
- Server's pack not known: "fix first in ...; the server's service pack is not known".
- No entry for the server's release (a hotfix, or a pack of another release): the items of
  the article's ``fixed_in`` that name the server's release, with the reissued pack's name
  ("fix first in Windows NT 4.0 post-SP6a hotfix (before SP7); this server runs SP6a"); a
  hotfix built on a later pack than the server's says "the hotfix needs SP4 first"; when no
  item names the release: "fix named only for other releases (Windows 2000 SP3); the server
  runs Windows NT 4.0 SP6a".
- A product without service packs of its own (IIS) is told by the one it follows (Windows).

Labels compare as (number, letter): RTM < SP1 < ... < SP6 < SP6a < SP7.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from verfix.products.profile import Profile
from verfix.rules import service_pack_note

_LABEL_RE = re.compile(r"^SP(?P<number>\d+)(?P<letter>[a-z]?)$", re.IGNORECASE)
_WORD_RE = re.compile(r"[\w.]+")  # "4.0" in "Windows NT 4.0 SP6" is one word, as is "2000"
_POST_RE = re.compile(r"post-(SP\d+[a-z]?) hotfix")
_ENDS_IN_PACK_RE = re.compile(r"\s(SP\d+[a-z]?)$")


def pack_rank(label: str | None) -> tuple[int, str] | None:
    """``"SP6a"`` -> (6, "a"), ``"RTM"`` -> (0, ""); None for anything else."""
    if label is None:
        return None
    if label.strip().upper() == "RTM":
        return (0, "")
    match = _LABEL_RE.match(label.strip())
    return (int(match.group("number")), match.group("letter").lower()) if match else None


def _reissued_text(profile: Profile, release: str, text: str) -> str:
    """``fixed_in`` with a withdrawn pack named as reissued: "post-SP6 hotfix" -> "post-SP6a hotfix"."""
    base = f"{profile.short_name} {release}"
    for key, label in profile.reissued_packs.items():
        own_release, _, old = key.partition(" ")
        if own_release != release or base not in text:
            continue
        items = [item.strip() for item in text.split(";")]
        for index, item in enumerate(items):
            if item == f"{base} {old}":
                items[index] = f"{base} {label}"
            elif item.startswith(f"{base} post-{old} "):
                items[index] = f"{base} post-{label} " + item[len(f"{base} post-{old} "):]
        text = "; ".join(items)
    return text


def _of_release(fixed_in: str, release: str) -> str | None:
    """The items of ``fixed_in`` that name ``release`` as a word; None when none does."""
    items = [item.strip() for item in fixed_in.split(";")]
    mine = [item for item in items if release in _WORD_RE.findall(item)]
    return "; ".join(mine) if mine else None


def _hotfix_note(owner: Profile, release: str, fixed_in: str, server_pack: str | None) -> str | None:
    """The note from ``fixed_in`` alone: its items for the server's release, a hotfix built
    on a later pack than the server's saying so; its other releases' items said as such."""
    text = _of_release(fixed_in, release)
    if text is None:
        return (f"fix named only for other releases ({fixed_in}); the server runs "
                f"{owner.short_name} {release} {server_pack or '(service pack not known)'}")
    text = _reissued_text(owner, release, text)
    have = pack_rank(server_pack)
    bases = sorted((rank, label) for label in _POST_RE.findall(text)
                   if (rank := pack_rank(label)) is not None)
    if bases and have is not None and have < bases[0][0]:
        return f"fix first in {text}; the server runs {server_pack}: the hotfix needs {bases[0][1]} first"
    return service_pack_note(text, server_pack)


def _pack_name(profile: Profile, release: str, label: str, shown: str, fixed_in: str | None) -> str:
    """The pack as ``fixed_in`` writes it ("Windows 2000 SP3" for IIS 5.0's "5.0 SP3"), shown
    as reissued; else the profile's short name, the release and the pack."""
    for item in (fixed_in or "").split(";"):
        item = item.strip()
        if "hotfix" not in item and item.lower().endswith(f" {label.lower()}"):
            return item[: -len(label)] + shown
    return f"{profile.short_name} {release} {shown}"


def pack_note(
    profile: Profile, fixed_in_sp: Sequence[str], fixed_in: str | None, release: str | None,
    server_pack: str | None, status: str | None = None,
    packs_of: Profile | None = None, packs_release: str | None = None,
) -> str | None:
    """The SP note for one row (the rule in the module docstring); ``status`` is the row's
    ("outdated", "missing", ...). ``packs_of`` and ``packs_release``: the product whose service
    packs ``server_pack`` is and its release, when not ``profile``'s own (IIS follows Windows).
    None when neither the fix's pack nor the server's is known."""
    owner, owner_release = packs_of or profile, packs_release if packs_of else release
    mine = [entry.partition(" ")[2] for entry in fixed_in_sp if release and entry.partition(" ")[0] == release]
    if not mine and fixed_in and owner_release:  # the packs the fixed_in text names for the release
        items = (_of_release(fixed_in, owner_release) or "").split(";")
        mine = [m.group(1) for item in items if (m := _ENDS_IN_PACK_RE.search(item.strip()))
                and "hotfix" not in item and "Edition" not in item]  # an edition's packs count apart
    ranked = [(rank, label) for label in mine if (rank := pack_rank(label)) is not None]
    if release is None or not ranked:
        if fixed_in and owner_release:
            return _hotfix_note(owner, owner_release, fixed_in, server_pack)
        return service_pack_note(fixed_in, server_pack)
    first_rank, first = min(ranked)
    have = pack_rank(server_pack)
    same = server_pack is not None and server_pack.lower() == first.lower()
    shown = first if same or owner_release is None else owner.shipped_pack(owner_release, first)
    name = _pack_name(profile, release, first, shown, fixed_in)
    if have is None:
        return f"fix first in {name}; the server's service pack is not known"
    if have < first_rank:
        return f"fix first in {name}; the server runs {server_pack}, which predates it"
    which = "which the server runs" if pack_rank(shown) == have else f"which the server's {server_pack} includes"
    said = f"fix in {name}, {which}"
    if status == "outdated":
        return f"{said}: a later install may have overwritten it"
    if status == "missing":
        return f"{said}: the file is not there (its component may not be installed)"
    return said
