"""The whole-server check: every product found on a volume against the manifests for it.

``run_check`` is the core the command line is to wire: survey the volume (``verfix.survey``),
give each manifest to the product its ``product`` names (``verfix.products``), set aside the
manifests whose files are not installed (the marker rule), decide each row with
``verfix.rules`` and check the rows that apply in the product's folders, then cross-check the
registry's hotfix records (``verfix.hotfix``). Every file is read at most once
(one ``FileCache`` for the run).

Locating a row's file: the row's own ``location`` when it names a folder under PATH, then
the product's folders in their documented order (Windows:
``system32``, then ``system32/drivers``; the others: the folders survey found), the first
folder holding the name wins. A row found in none is ``missing`` (the product is installed:
it was found).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from verfix.catalog import CatalogEntry
from verfix.check import FileCache, ManifestResult, RowResult, Status, Verdict, check_row
from verfix.hotfix import HotfixCheck, cross_check
from verfix.locate import FolderIndex
from verfix.manifest import FileRow, Manifest
from verfix.products import Profile, for_product_name
from verfix.packs import pack_note
from verfix.rules import Decision, decide_row
from verfix.survey import FoundProduct, Survey, survey


@dataclass(frozen=True)
class ProductCheck:
    """One product's articles: checked, and set aside as not installed."""

    product: FoundProduct
    results: tuple[ManifestResult, ...]
    not_applicable: tuple[str, ...] = ()
    service_pack: str | None = None  # the server's, for this product (IIS: Windows')

    def counts(self) -> dict[str, int]:
        """Articles by verdict; set-aside articles count as not applicable."""
        counts = {verdict.value: 0 for verdict in Verdict}
        for result in self.results:
            counts[result.verdict.value] += 1
        counts[Verdict.NOT_APPLICABLE.value] += len(self.not_applicable)
        return counts


@dataclass(frozen=True)
class ServerCheck:
    """The run: the survey, one check per product found, the hotfix findings."""

    survey: Survey
    products: tuple[ProductCheck, ...]
    hotfixes: tuple[HotfixCheck, ...]
    unplaced: tuple[str, ...] = ()  # manifests for no product found on the volume

    @property
    def verdict(self) -> Verdict:
        """The run's verdict: not compliant if any article is, else incomplete if any, ..."""
        verdicts = {r.verdict for p in self.products for r in p.results}
        for verdict in (Verdict.NOT_COMPLIANT, Verdict.INCOMPLETE, Verdict.COMPLIANT):
            if verdict in verdicts:
                return verdict
        return Verdict.NOT_APPLICABLE


def _locate(row: FileRow, indexes: list[FolderIndex], cache: FileCache, profile: Profile) -> RowResult:
    """The row checked in the first folder holding its file (or the name setup installs it as)."""
    for index in indexes:
        if index.holds(row.name):
            return check_row(row, index, cache)
    installed = profile.installed_as.get(row.name.lower(), "")
    for index in indexes if installed else ():
        if index.lookup(installed):
            result = check_row(replace(row, name=installed), index, cache)
            note = f"{row.name} is installed as {installed} when setup chose it: checked against {installed}"
            return replace(result, row=row, notes=result.notes + (note,))
    if row.name.lower().endswith(profile.never_installed):
        return RowResult(row, Status.NOT_APPLICABLE, notes=(f"{row.name}: a symbol file, never installed",))
    return RowResult(row, Status.MISSING)


class Decisions:
    """``verfix.rules.decide_row`` for the rows of one product's server, each distinct
    question asked once: the catalog's 5,000 rows ask a few hundred. A test compares every
    answer with ``decide_row``'s."""

    def __init__(self, profile: Profile, release: str | None, branch: str | None) -> None:
        self.profile, self.release, self.branch = profile, release, branch
        self._known: dict[tuple, tuple[Decision, str]] = {}

    def decide(self, row: FileRow, manifest: Manifest) -> tuple[Decision, str]:
        """Whether ``row`` of ``manifest`` applies to this server, and by which rule; and the
        row's note that says so."""
        own = row.product_version is not None
        versions = (row.product_version,) if row.product_version is not None else manifest.product_versions
        # The branch rule tells rows by their edition: the row's own, else the article's.
        editions = (row.edition,) if row.edition else (manifest.edition,) if manifest.edition else ()
        key = (row.version, versions, editions, own, row.other_platform)
        known = self._known.get(key)
        if known is None:
            decision = decide_row(
                self.profile, row.version, versions, server_release=self.release,
                server_branch=self.branch, editions=editions, own_product_version=own,
                other_platform=row.other_platform,
            )
            known = self._known[key] = (decision, f"{decision.rule.value} rule: {decision.note}")
        return known


def _marker_names(item: Manifest | CatalogEntry) -> list[str]:
    """The names the marker rule asks the folders for: the versioned files, else all."""
    if isinstance(item, CatalogEntry):
        return item.marker_names
    return [r.name for r in item.files if r.version is not None] or [r.name for r in item.files]


def check_product(
    product: FoundProduct, manifests: Iterable[Manifest | CatalogEntry], cache: FileCache, root: Path,
    *, skip_inapplicable: bool = True, found: Survey | None = None,
) -> ProductCheck:
    """Every manifest for one product against its folders, each row decided by the rules.

    A row with a ``location`` is looked for there first (``found.location_folder``). Each row
    that applies gets the SP note (``verfix.packs``): the product's own service pack, or that of
    the product it follows (IIS: Windows'). A catalog entry (``verfix.catalog``) is built only
    when the marker rule keeps it.
    """
    profile = product.profile
    owner = found.product(profile.service_pack_from) if found and profile.service_pack_from else None
    server_pack = (owner or product).service_pack.value
    packs = (owner.profile, owner.release.value) if owner else (None, None)
    indexes = [FolderIndex(folder, root=root) for folder in product.folders]
    by_location: dict[str, list[FolderIndex]] = {}
    release, branch = product.release.value, product.branch.value if product.branch else None
    results, set_aside = [], []
    decisions = Decisions(profile, release, branch)
    for item in manifests:
        if skip_inapplicable and not any(i.holds(name) for name in _marker_names(item) for i in indexes):
            set_aside.append(item.id)  # the marker rule: its component is not installed
            continue
        manifest = item.manifest() if isinstance(item, CatalogEntry) else item
        known = bool(manifest.fixed_in or manifest.fixed_in_sp)
        pack_notes: dict[str, str | None] = {}  # the SP note depends on the row's status only
        rows = []
        for row in manifest.files:
            decision, note = decisions.decide(row, manifest)
            if not decision.applies:
                rows.append(RowResult(row, Status.NOT_APPLICABLE, notes=(note,)))
                continue
            if row.location and found is not None and row.location not in by_location:
                folder = found.location_folder(row.location)
                by_location[row.location] = [FolderIndex(folder, root=root)] if folder else []
            result = _locate(row, by_location.get(row.location or "", []) + indexes, cache, profile)
            status = result.status.value
            if known and status not in pack_notes:
                pack_notes[status] = pack_note(profile, manifest.fixed_in_sp, manifest.fixed_in, release,
                                               server_pack, status, *packs)
            pack = pack_notes.get(status)
            rows.append(RowResult(result.row, result.status, result.path, result.info,
                                  result.notes + (note,) + ((pack,) if pack else ())))
        checked = ManifestResult(manifest, product.folders[0], tuple(rows))
        if skip_inapplicable and checked.verdict is Verdict.NOT_APPLICABLE:
            set_aside.append(manifest.id)
        else:
            results.append(checked)
    return ProductCheck(product, tuple(results), tuple(set_aside), server_pack)


def run_check(
    path: Path, manifests: Iterable[Manifest | CatalogEntry], *, products: Iterable[str] = (),
    cache: FileCache | None = None, skip_inapplicable: bool = True, found: Survey | None = None,
) -> ServerCheck:
    """Check every product found under ``path`` (or only the ``products`` slugs named).

    ``found``: the survey of ``path`` when the caller already made it (with the same cache).
    ``manifests`` may be the catalog's entries (``verfix.catalog.catalog_entries``): the same
    check, each manifest built only if its files are there.
    """
    cache = cache or FileCache()
    found = found or survey(path, cache)
    wanted = {slug.lower() for slug in products}
    by_slug: dict[str, list[Manifest | CatalogEntry]] = {}
    unplaced = []
    profiles: dict[str, Profile | None] = {}  # 1,200 manifests name a dozen products
    for manifest in manifests:
        if manifest.product not in profiles:
            profiles[manifest.product] = for_product_name(manifest.product)
        profile = profiles[manifest.product]
        if profile is None or found.product(profile.slug) is None:
            unplaced.append(manifest.id)
        else:
            by_slug.setdefault(profile.slug, []).append(manifest)
    checks = tuple(
        check_product(item, by_slug.get(item.profile.slug, []), cache, found.root,
                      skip_inapplicable=skip_inapplicable, found=found)
        for item in found.products if not wanted or item.profile.slug in wanted
    )
    records = found.registry.hotfixes if found.registry else ()
    owner = found.registry_product()
    hotfixes = tuple(replace(item, owner=owner)
                     for item in cross_check(records, [r for c in checks for r in c.results]))
    return ServerCheck(found, checks, hotfixes, tuple(unplaced))


def combined(checks: Sequence[ServerCheck]) -> ServerCheck:
    """Several volumes' checks (a disk image's, one each) as one report: the first volume's
    survey, every volume's products and hotfix findings in volume order, and as unplaced the
    manifests that no volume had a product for. ``checks`` is not empty."""
    placed = {r.manifest.id for c in checks for p in c.products for r in p.results}
    placed |= {i for c in checks for p in c.products for i in p.not_applicable}
    unplaced = tuple(i for i in checks[0].unplaced if i not in placed)
    products = tuple(p for c in checks for p in c.products)
    hotfixes = tuple(h for c in checks for h in c.hotfixes)
    return ServerCheck(checks[0].survey, products, hotfixes, unplaced)
