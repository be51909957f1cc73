"""The remediation plan: the fewest service packs and hotfixes that clear every finding.

Computed only from the checked articles themselves (the catalog), never from outside knowledge:

- A *finding* is a row that is outdated or missing. Clearing every finding means bringing each
  file to the highest version any failing article requires of it (its *target*).
- A fix article *supplies* a file when one of its rows that applies here (right platform and
  release) names the file at or above the target. A later fix that carries newer versions of the
  same files therefore supersedes the earlier ones: it supplies everything they would.
- A service pack is known only from the articles' ``fixed_in`` text ("Exchange Server 5.5 SP4").
  Service packs of one product version are taken as cumulative, and an article naming one as its
  fix is taken to mean the pack carries that article's files at least at the article's versions.
  That is all the catalog can tell: the pack's own file versions are not in it, so the files a
  pack is credited with are a lower bound. A "post-SP4 hotfix" needs SP4 installed first.
- A pack withdrawn and reissued is named as reissued (a product profile's ``reissued_packs``:
  NT 4.0 SP6 is SP6a, and a "post-SP6" hotfix is built on SP6a). A pack the server already
  runs (or a later one of it) is to be *reinstalled*: files it brings are older or missing.
- Hotfixes: every file that only one article supplies forces that article; the rest are chosen
  greedily (the article supplying most of the files still uncovered). ``proven_fewest`` says
  whether the forced articles alone covered everything, which makes the count a proven minimum.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from verfix.check import FolderCheck, ManifestResult, RowResult, Status
from verfix.manifest import Manifest
from verfix.packs import pack_rank
from verfix.products import PROFILES
from verfix.version import Version

FINDING_STATUSES = (Status.OUTDATED, Status.MISSING)

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


def parse_fixed_in(text: str | None, release: str | None = None) -> FixedIn:
    """The service packs ``text`` names, keeping only those of ``release`` when it is known."""
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


@dataclass(frozen=True)
class FileStep:
    """One file that is behind: what is installed, what clears every finding, and who supplies it."""

    name: str
    installed: Version | None  # None: the file is missing
    target: Version | None     # None: any version (a row without one)
    supplier: str              # the article id (or service pack) that brings it there
    articles: tuple[str, ...]  # the failing articles with a finding for this file


@dataclass(frozen=True)
class PackStep:
    """Install a service pack first."""

    pack: ServicePack
    clears: tuple[str, ...]    # failing articles every finding of which the pack clears
    named_by: tuple[str, ...]  # failing articles that name this pack (or an earlier one) as their fix
    base_of: tuple[str, ...]   # hotfixes in the plan that are built on it
    server_runs: bool = False  # the server runs this pack (or a later one): reinstall it

    @property
    def verb(self) -> str:
        """"Install", or "Reinstall" for a pack the server already runs."""
        return "Reinstall" if self.server_runs else "Install"


@dataclass(frozen=True)
class HotfixStep:
    """Install one fix article's hotfix."""

    id: str
    title: str
    fixed_in: str | None
    files: tuple[FileStep, ...]  # the files this hotfix is chosen to supply
    articles: tuple[str, ...]    # failing articles with a finding for one of those files
    other_release: bool = False  # its fixed_in names other releases only, not the server's


@dataclass(frozen=True)
class Plan:
    """The remediation of one checked folder."""

    failing: tuple[str, ...]         # articles that need action (a file outdated or missing)
    packs: tuple[PackStep, ...]
    hotfixes: tuple[HotfixStep, ...]
    files: tuple[FileStep, ...]      # every file that is behind, by name
    proven_fewest: bool

    @property
    def empty(self) -> bool:
        return not self.failing

    def supplier_of(self, name: str) -> str | None:
        """The hotfix or service pack the plan takes file ``name`` from (None: not behind)."""
        wanted = name.lower()
        return next((step.supplier for step in self.files if step.name.lower() == wanted), None)

    def as_dict(self) -> dict[str, Any]:
        """The plan as the report's JSON object (check-report.schema.json, "remediation")."""
        def text(version: Version | None) -> str | None:
            return None if version is None else str(version)

        return {
            "needs_action": list(self.failing),
            "proven_fewest": self.proven_fewest,
            "service_packs": [
                {"name": str(p.pack), "clears": list(p.clears), "named_by": list(p.named_by),
                 "base_of": list(p.base_of)} for p in self.packs
            ],
            "hotfixes": [
                {"id": h.id, "title": h.title, "fixed_in": h.fixed_in, "other_release": h.other_release,
                 "files": [f.name for f in h.files], "articles": list(h.articles)} for h in self.hotfixes
            ],
            "files": [
                {"name": f.name, "installed": text(f.installed), "needed": text(f.target),
                 "from": f.supplier, "articles": list(f.articles)} for f in self.files
            ],
        }


def _findings(result: ManifestResult) -> list[RowResult]:
    return [row for row in result.rows if row.status in FINDING_STATUSES]


def _at_least(have: Version | None, want: Version | None) -> bool:
    return want is None or (have is not None and have >= want)


def _supplied(result: ManifestResult) -> dict[str, Version | None]:
    """The files an article's hotfix installs here, by lower-case name, at its versions."""
    files: dict[str, Version | None] = {}
    for row in result.rows:
        if row.status is Status.NOT_APPLICABLE:
            continue
        key = row.row.name.lower()
        if key not in files or _at_least(row.row.version, files[key]):
            files[key] = row.row.version
    return files


def plan_folder(folder: FolderCheck) -> Plan:
    """The remediation plan for one checked folder (see the module docstring for the rule)."""
    failing = [r for r in folder.results if _findings(r)]
    targets: dict[str, Version | None] = {}
    installed: dict[str, Version | None] = {}
    display: dict[str, str] = {}
    by_file: dict[str, list[str]] = {}
    for result in failing:
        for row in _findings(result):
            key = row.row.name.lower()
            display.setdefault(key, row.row.name)
            installed[key] = row.found_version
            targets[key] = row.row.version if key not in targets else _highest(targets[key], row.row.version)
            by_file.setdefault(key, [])
            if result.manifest.id not in by_file[key]:
                by_file[key].append(result.manifest.id)
    packs = _pack_steps(failing, targets, folder.release)
    pack_floor = _pack_floor(failing, packs, folder.release)
    left = {key for key, target in targets.items() if not _at_least(pack_floor.get(key), target)}
    suppliers = {r.manifest.id: _supplied(r) for r in failing}
    chosen, proven = _cover(left, targets, suppliers)
    supplier_of: dict[str, str] = {}
    for key in targets:
        if key not in left:  # a pack carries it: the first whose named articles reach the target
            supplier_of[key] = next(
                str(step.pack) for step in packs
                if _at_least(_pack_floor(failing, [step], folder.release).get(key), targets[key])
            )
            continue
        able = [fix for fix in chosen if key in suppliers[fix] and _at_least(suppliers[fix][key], targets[key])]
        supplier_of[key] = max(able, key=lambda fix: (_rank(suppliers[fix][key]), fix))
    files = tuple(
        FileStep(display[key], installed[key], targets[key], supplier_of[key], tuple(by_file[key]))
        for key in sorted(targets)
    )
    titles = {r.manifest.id: r.manifest for r in failing}
    hotfixes = []
    for fix in chosen:
        mine = tuple(step for step in files if step.supplier == fix)
        clears = sorted({article for step in mine for article in step.articles})
        manifest = titles[fix]
        hotfixes.append(HotfixStep(fix, manifest.title, manifest.fixed_in, mine, tuple(clears),
                                   names_other_release(manifest.fixed_in, folder.release)))
    hotfixes.sort(key=lambda step: (-len(step.articles), step.id))
    packs = [_with_bases(step, hotfixes, titles, folder.release, folder.service_pack) for step in packs]
    return Plan(tuple(r.manifest.id for r in failing), tuple(packs), tuple(hotfixes), files, proven)


def _highest(a: Version | None, b: Version | None) -> Version | None:
    if a is None or b is None:
        return a if b is None else b
    return max(a, b)


def _rank(version: Version | None) -> tuple[int, ...]:
    return tuple(version) if version is not None else (-1,)


def _pack_steps(
    failing: Sequence[ManifestResult], targets: dict[str, Version | None], release: str | None,
) -> list[PackStep]:
    """The latest service pack per product version that failing articles name or build on."""
    latest: dict[tuple[str, str], ServicePack] = {}
    for result in failing:
        said = parse_fixed_in(result.manifest.fixed_in, release)
        for pack in (*said.packs, *said.hotfix_bases):
            key = (pack.base, pack.kind)
            if key not in latest or pack.number > latest[key].number:
                latest[key] = pack
    steps = []
    for pack in sorted(latest.values()):
        named = tuple(r.manifest.id for r in failing if _named(r, pack, release))
        steps.append(PackStep(pack, (), named, ()))
    floor = _pack_floor(failing, steps, release)
    return [
        PackStep(step.pack, tuple(
            r.manifest.id for r in failing
            if r.manifest.id in step.named_by
            or all(_at_least(floor.get(row.row.name.lower()), row.row.version) for row in _findings(r))
        ), step.named_by, ())
        for step in steps
    ]


def _named(result: ManifestResult, pack: ServicePack, release: str | None) -> bool:
    """True when the article names ``pack``, or an earlier pack of the same product version, as its fix."""
    said = parse_fixed_in(result.manifest.fixed_in, release)
    return any(p.base == pack.base and p.kind == pack.kind and p.number <= pack.number for p in said.packs)


def _pack_floor(
    failing: Sequence[ManifestResult], packs: Sequence[PackStep], release: str | None,
) -> dict[str, Version | None]:
    """The versions the packs are known to carry at least: those of the articles naming them."""
    floor: dict[str, Version | None] = {}
    for step in packs:
        for result in failing:
            if not _named(result, step.pack, release):
                continue
            for key, version in _supplied(result).items():
                floor[key] = version if key not in floor else _highest(floor[key], version)
    return floor


def _cover(
    left: set[str], targets: dict[str, Version | None], suppliers: dict[str, dict[str, Version | None]],
) -> tuple[list[str], bool]:
    """Fix ids that together supply every file in ``left``, and whether the count is proven fewest."""
    able = {
        fix: {key for key in left if key in files and _at_least(files[key], targets[key])}
        for fix, files in suppliers.items()
    }
    chosen: list[str] = []
    uncovered = set(left)
    for key in sorted(left):
        who = [fix for fix, keys in able.items() if key in keys]
        if len(who) == 1 and who[0] not in chosen:
            chosen.append(who[0])
    for fix in chosen:
        uncovered -= able[fix]
    proven = not uncovered
    while uncovered:
        best = max(sorted(able), key=lambda fix: len(able[fix] & uncovered))
        if not able[best] & uncovered:  # cannot happen: each target comes from an article's own row
            break
        chosen.append(best)
        uncovered -= able[best]
    return chosen, proven


def _with_bases(
    step: PackStep, hotfixes: Iterable[HotfixStep], manifests: dict[str, Manifest], release: str | None,
    server_pack: str | None = None,
) -> PackStep:
    bases = tuple(
        fix.id for fix in hotfixes
        if step.pack in parse_fixed_in(manifests[fix.id].fixed_in, release).hotfix_bases
    )
    have = pack_rank(server_pack) if step.pack.kind == "SP" and release is not None else None
    runs = have is not None and have >= (step.pack.number, step.pack.letter)
    return PackStep(step.pack, step.clears, step.named_by, bases, runs)
