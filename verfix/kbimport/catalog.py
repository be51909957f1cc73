"""The bundled catalog: every article of a KB folder imported into manifests/catalog/."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from verfix.kbimport.article import import_articles
from verfix.kbimport.metadata import base_versions
from verfix.kbimport.model import IMPORTED, NO_TABLE, SKIPPED, ImportedArticle, one_line
from verfix.kbimport.profiles import catalog_slug
from verfix.kbimport.render import render_toml, to_manifest
from verfix.manifest import Manifest, load_manifest


def slug(text: str) -> str:
    """A folder name from a product or version: ``Microsoft Windows NT`` -> ``windows-nt``."""
    text = re.sub(r"^Microsoft\s+", "", text.strip(), flags=re.IGNORECASE)
    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-.") or "unknown"


def product_slug(product: str) -> str:
    """The catalog folder of a manifest's product: its profile's, else the name's slug."""
    return catalog_slug(product) or slug(product)


def catalog_path(article: ImportedArticle) -> Path:
    """Where an article goes in the catalog: ``<product>/<version>/QNNNNNN.toml``.

    The product folder comes from the article's product; the version folder is the
    article's one base version (service packs dropped), like ``5.5``; ``multi`` when it
    names several (``5.0,5.5``); ``unversioned`` when none.
    """
    bases = list(dict.fromkeys(slug(base) for base in base_versions(article.product_versions)))
    folder = bases[0] if len(bases) == 1 else ("multi" if bases else "unversioned")
    return Path(product_slug(article.product)) / folder / f"{article.id}.toml"


def write_manifests(
    articles: Iterable[ImportedArticle], out_dir: Path | str, *, nested: bool = False
) -> list[Path]:
    """Write each imported article's manifest into ``out_dir`` (flat, or nested as the catalog)."""
    out_dir = Path(out_dir)
    written: list[Path] = []
    for article in articles:
        if article.status != IMPORTED:
            continue
        target = out_dir / (catalog_path(article) if nested else Path(f"{article.id}.toml"))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render_toml(article), encoding="utf-8", newline="\n")
        written.append(target)
    return written


@dataclass(frozen=True)
class ImportSummary:
    """Counts of one import run (one product folder, or all), and the articles behind them."""

    total: int
    imported: tuple[ImportedArticle, ...]
    skipped: tuple[ImportedArticle, ...]
    no_table: tuple[ImportedArticle, ...]
    curated: tuple[tuple[str, str], ...] = ()  # (id, how the import compares to the curated one)
    folders: tuple[tuple[str, ImportSummary], ...] = ()  # per product folder, by name

    @property
    def with_table(self) -> int:
        return len(self.imported) + len(self.skipped)

    @property
    def rate(self) -> float:
        """Imported articles over articles that have a table (1.0 when none has one)."""
        return len(self.imported) / self.with_table if self.with_table else 1.0

    def reasons(self) -> dict[str, int]:
        """How many articles were skipped for each kind of reason."""
        counts: dict[str, int] = {}
        for article in self.skipped:
            kind = skip_reason_kind(article.error or "")
            counts[kind] = counts.get(kind, 0) + 1
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def skip_reason_kind(error: str) -> str:
    """The kind of a skip reason, without its line number and quoted values."""
    kind = re.sub(r"^line \d+: ", "", error)
    kind = kind.split(": '")[0] if ": '" in kind else kind
    kind = re.sub(r"'[^']*'", "'…'", kind)
    return re.sub(r"\(first at line \d+\)", "", re.sub(r"\d+", "N", kind)).strip()


def summarize(
    articles: Sequence[ImportedArticle], curated: Sequence[tuple[str, str]] = (),
    folders: Sequence[tuple[str, ImportSummary]] = (),
) -> ImportSummary:
    """Count imported, skipped and no-table articles."""
    return ImportSummary(
        total=len(articles),
        imported=tuple(a for a in articles if a.status == IMPORTED),
        skipped=tuple(a for a in articles if a.status == SKIPPED),
        no_table=tuple(a for a in articles if a.status == NO_TABLE),
        curated=tuple(curated), folders=tuple(folders),
    )


def skip_line(article: ImportedArticle) -> str:
    """One line naming a skipped article and why."""
    return one_line(f"{article.path.name}: {article.status}: {article.error}")


def _counts(summary: ImportSummary) -> str:
    fixed = sum(1 for article in summary.imported if article.fixed_in)
    editions = sum(1 for article in summary.imported if article.edition)
    other = sum(1 for article in summary.imported if all(row.other_platform for row in article.rows))
    return (f"articles: {summary.total}; with a table: {summary.with_table}; "
            f"imported: {len(summary.imported)} ({summary.rate:.1%} of those with a table); "
            f"skipped: {len(summary.skipped)}; no table: {len(summary.no_table)}; "
            f"imported with fixed_in: {fixed}, with an edition: {editions}"
            + (f"; for another platform only (never checked on a server): {other}" if other else ""))


def format_summary(summary: ImportSummary) -> str:
    """The human summary: counts (per product folder too), reasons, one line per article not imported."""
    lines = [_counts(summary)]
    lines += [f"  {name}: {_counts(part)}" for name, part in summary.folders]
    if summary.curated:
        lines.append("curated (kept from manifests/, not written): "
                     + ", ".join(f"{id_} ({how})" for id_, how in summary.curated))
    for kind, count in summary.reasons().items():
        lines.append(f"  skipped {count}: {kind}")
    folder_of = {a.path: name for name, part in summary.folders for a in part.skipped + part.no_table}
    for article in summary.skipped + summary.no_table:
        where = f"{folder_of[article.path]}/" if article.path in folder_of else ""
        lines.append(where + skip_line(article))
    return "\n".join(lines)


def curated_manifests(manifests_dir: Path | str) -> dict[str, Manifest]:
    """The hand-written manifests at the top of ``manifests/``, by article id."""
    found: dict[str, Manifest] = {}
    for path in sorted(Path(manifests_dir).glob("*.toml")):
        manifest = load_manifest(path)
        found[manifest.id] = manifest
    return found


def product_folders(kb_dir: Path) -> list[Path]:
    """The folders of articles under ``kb_dir``: its product folders, or itself when it has none."""
    subfolders = sorted(p for p in kb_dir.iterdir() if p.is_dir())
    return subfolders or [kb_dir]


def build_catalog(
    kb_dir: Path | str, manifests_dir: Path | str, catalog_name: str = "catalog"
) -> ImportSummary:
    """Import every article under ``kb_dir`` (each product folder) into
    ``manifests_dir/catalog`` (rewritten whole).

    Articles that have a curated manifest at the top of ``manifests_dir`` are not written;
    the summary says whether the import equals the curated manifest.
    """
    folders: list[tuple[str, ImportSummary]] = []
    articles: list[ImportedArticle] = []
    for folder in product_folders(Path(kb_dir)):
        found = import_articles([folder])
        folders.append((folder.name, summarize(found)))
        articles += found
    curated = curated_manifests(manifests_dir)
    compared: list[tuple[str, str]] = []
    to_write: list[ImportedArticle] = []
    for article in articles:
        if article.id not in curated:
            to_write.append(article)
            continue
        if article.status != IMPORTED:
            compared.append((article.id, f"import {article.status}"))
        else:
            same = to_manifest(article) == curated[article.id]
            compared.append((article.id, "identical to the import" if same else "differs from the import"))
    catalog = Path(manifests_dir) / catalog_name
    if catalog.exists():
        for old in sorted(catalog.rglob("*.toml")):
            old.unlink()
        for folder_path in sorted((p for p in catalog.rglob("*") if p.is_dir()), reverse=True):
            if not any(folder_path.iterdir()):
                folder_path.rmdir()
    write_manifests(to_write, catalog, nested=True)
    return summarize(articles, compared, folders if len(folders) > 1 else ())
