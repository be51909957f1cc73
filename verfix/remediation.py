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

The plan is computed here; the public interface also re-exports :mod:`verfix.remediation_packs`
(what ``fixed_in`` names) and :mod:`verfix.remediation_records` (the plan's records).
"""

from __future__ import annotations

from typing import Iterable, Sequence

from verfix.check_results import FolderCheck, ManifestResult, RowResult, Status
from verfix.manifest import Manifest
from verfix.packs import pack_rank
from verfix.remediation_packs import FixedIn, ServicePack, names_other_release, parse_fixed_in
from verfix.remediation_records import FileStep, HotfixStep, PackStep, Plan
from verfix.version import Version

__all__ = [
    "FINDING_STATUSES", "FileStep", "FixedIn", "HotfixStep", "PackStep", "Plan", "ServicePack",
    "names_other_release", "parse_fixed_in", "plan_folder",
]

FINDING_STATUSES = (Status.OUTDATED, Status.MISSING)


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
    step_floors = [(step, _pack_floor(failing, [step], folder.release)) for step in packs] if packs else []
    for key in targets:
        if key not in left:  # a pack carries it: the first whose named articles reach the target
            supplier_of[key] = next(
                str(step.pack) for step, floor in step_floors if _at_least(floor.get(key), targets[key])
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
