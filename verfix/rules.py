"""Which rows apply to a server: the release, branch and service-pack rules, each named.

A row applies only to the release, and the branch, it was written for; when it applies,
the version comparison decides its status. The rules, in the order they are asked:

0. **platform** — a row marked ``other_platform`` by the importer (its article applies only
   to Windows CE, say) is never checked on a server: not applicable.

1. **release** — the row's (or else its article's) product versions name releases of the
   product; the server's release must be one of them. NT 3.51 articles are not applied to
   NT 4.0, nor IIS 5.0 rows to IIS 4.0. Versions are read through the product's profile:
   Windows "5.0" is release 2000, Exchange "5.5 SP2" is 5.5, and the names a profile lists are
   releases too (IIS "Windows 2000" is 5.0). A row's own product version naming no release of
   the product ("Outlook 98" in an Exchange table) is for something else. A row without a
   product version of its own whose version is of another release (Q266433's Ntoskrnl.exe 5.0.2195.2099 in an
   article for NT 4.0 and 2000) is for that release. No server release known: no decision.
2. **branch** — a row whose version lies in a branch's build range (NT 4.0 Terminal
   Server Edition: 4.0.1381.33xxx), or whose article names the branch's edition for it,
   is for that branch; a row with a version of the release's build outside every range
   (4.0.1381.7xxx) is for the main line. It applies only on a server of that branch: a
   Terminal Server row against an ordinary NT 4.0 file is not applicable, never outdated.
   A row with neither a version nor an edition is not decided by this rule.
3. **version** — otherwise the row applies and the version comparison decides.

Each decision carries the rule's name and a note for the row; ``verfix.packs.pack_note`` (the
SP note rule) adds which service pack first contains the fix and which one the server runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from verfix.products.profile import Profile
from verfix.version import Version

_RELEASE_RE = re.compile(r"^\s*(\d+)(?:\.(\d+))?")


class Rule(str, Enum):
    """The rule that decided whether a row applies."""

    PLATFORM = "platform"
    RELEASE = "release"
    BRANCH = "branch"
    VERSION = "version"


@dataclass(frozen=True)
class Decision:
    """Whether a row applies, the rule that said so, and the note for the row."""

    applies: bool
    rule: Rule
    note: str


def release_label(text: str) -> str | None:
    """The release a manifest's product version names: "5.5 SP2" -> "5.5", "5" -> "5.0"."""
    match = _RELEASE_RE.match(text)
    if match is None:
        return None
    major, minor = match.group(1), match.group(2) or "0"
    return major if len(major) == 4 else f"{int(major)}.{int(minor)}"


def product_release(profile: Profile, text: str) -> str | None:
    """The release of ``profile`` a product version names, in the profile's own labels.

    ``"4.0 SP6a"`` -> ``"4.0"``; for Windows ``"5.0"`` -> ``"2000"`` (its kernel's 5.0);
    a label the profile already uses is kept (IIS ``"4.0"``, whose files are 4.2); a name the
    profile lists is its release (IIS ``"Windows 2000"`` -> ``"5.0"``); other text
    (``"Outlook 2000"``, ``"German"``) names no release: None.
    """
    named = profile.release_names.get(" ".join(text.lower().split()))
    if named is not None:
        return named
    label = release_label(text)
    if label is None or label in profile.releases.values():
        return label
    if "." in label:
        major, minor = (int(part) for part in label.split("."))
        return profile.releases.get((major, minor), label)
    return label


def platform_rule(other_platform: str | None) -> Decision | None:
    """Rule 0: a row the importer marked for a platform no Windows server has (``other_platform``,
    from an article whose "applies to" lines name only Windows CE, say) is not applicable."""
    if not other_platform:
        return None
    return Decision(False, Rule.PLATFORM, f"row is for {other_platform} (the article applies to it only), "
                                          "not a Windows server's platform: not checked")


def release_rule(
    profile: Profile, product_versions: Iterable[str], server_release: str | None, *, own: bool = False,
) -> Decision | None:
    """Rule 1: not applicable when the versions name releases and the server's is not one.

    A row's ``own`` product version that names no release of the product ("Outlook 98" in an
    Exchange table) is for something else: not applicable either.
    """
    texts = tuple(product_versions)
    named = {product_release(profile, text) for text in texts} - {None}
    if own and texts and not named and server_release is not None:
        note = f"row is for {', '.join(texts)}, not a release of {profile.name}; this server runs {server_release}"
        return Decision(False, Rule.RELEASE, note)
    if not named or server_release is None or server_release in named:
        return None
    listed = ", ".join(sorted(str(label) for label in named))
    note = f"row is for {profile.name} release {listed}; this server runs {server_release}"
    return Decision(False, Rule.RELEASE, note)


def row_branch(
    profile: Profile, version: Version | None, editions: Iterable[str] = (),
) -> tuple[str | None, bool]:
    """The branch a row is for (None: the main line) and whether that could be told."""
    branch = profile.branch_of(version)
    if branch is not None:
        return branch.name, True
    wanted = {edition.lower() for edition in editions}
    for candidate in profile.branches:
        if wanted & {name.lower() for name in candidate.editions}:
            return candidate.name, True
    on_a_branch_build = version is not None and any(
        b.release == profile.release_of(version) and b.build == version[2] for b in profile.branches
    )
    return None, on_a_branch_build


def branch_rule(
    profile: Profile, version: Version | None, editions: Iterable[str], server_branch: str | None,
) -> Decision | None:
    """Rule 2: not applicable when the row is for another branch than the server's."""
    branch, told = row_branch(profile, version, editions)
    if not told or branch == server_branch:
        return None
    shown = f" ({version})" if version is not None else ""
    row_line = branch or "the main line"
    server_line = server_branch or "the main line"
    return Decision(False, Rule.BRANCH, f"row is for {row_line}{shown}; this server runs {server_line}")


def version_release_rule(
    profile: Profile, version: Version | None, server_release: str | None,
) -> Decision | None:
    """Rule 1 for a row without product versions of its own: its version's release (the
    major.minor, with the build inside the release's range when the profile gives one)."""
    release = profile.row_release(version)
    if release is None or server_release is None or release == server_release:
        return None
    return Decision(False, Rule.RELEASE, f"row's version {version} is of {profile.name} release {release}; "
                                         f"this server runs {server_release}")


def decide_row(
    profile: Profile,
    version: Version | None,
    product_versions: Iterable[str],
    *,
    server_release: str | None,
    server_branch: str | None,
    editions: Iterable[str] = (),
    own_product_version: bool = False,
    other_platform: str | None = None,
) -> Decision:
    """Rules 0 to 3 for one row: the first rule that decides, else the version comparison.

    ``product_versions`` are the row's own (``own_product_version``) or its article's. A row's
    own product version is trusted over its version's major.minor.
    """
    foreign = platform_rule(other_platform)
    if foreign is not None:
        return foreign
    decided = release_rule(profile, product_versions, server_release, own=own_product_version)
    if decided is None and not own_product_version:
        decided = version_release_rule(profile, version, server_release)
    decided = decided or branch_rule(profile, version, editions, server_branch)
    if decided is not None:
        return decided
    return Decision(True, Rule.VERSION, "applies: the version comparison decides")


def service_pack_note(fixed_in: str | None, server_service_pack: str | None) -> str | None:
    """"fix first in Windows NT 4.0 SP7; this server runs SP6a", or None when neither is known."""
    if fixed_in is None and server_service_pack is None:
        return None
    first = f"fix first in {fixed_in}" if fixed_in else "the service pack that first has the fix is not known"
    runs = (f"this server runs {server_service_pack}" if server_service_pack
            else "the server's service pack is not known")
    return f"{first}; {runs}"
