"""Reading whole articles: envelope, tables, rules; files and folders of them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from verfix.kbimport.envelope import decode, read_article_bytes, read_envelope
from verfix.kbimport.fixinfo import applies_to_platform, fix_info, row_editions
from verfix.kbimport.metadata import manifest_product, parse_product_versions
from verfix.kbimport.model import (
    IMPORTED,
    NO_TABLE,
    SKIPPED,
    ArticleFormatError,
    ImportedArticle,
    TableError,
    one_line,
)
from verfix.kbimport.rules import apply_rules
from verfix.kbimport.scan import check_prose, scan_tables


def parse_article(text: str, path: Path | str | None = None) -> ImportedArticle:
    """Read one article's text; never raises for a table problem (see ``status``/``error``).

    With ``path``, the file's name must carry the article's id (ArticleFormatError if not).
    """
    where = Path(path) if path is not None else Path("<article>")
    envelope = read_envelope(text, one_line(str(where)), where.name if path is not None else None)
    keywords = tuple(envelope.keywords.split())
    product = manifest_product(envelope.product)
    info = fix_info(product, keywords, envelope.title, envelope.prod_ver, envelope.body, ())
    base = ImportedArticle(
        path=where, id=envelope.id, title=envelope.title, product=product,
        status=SKIPPED, product_versions=parse_product_versions(envelope.prod_ver), keywords=keywords,
        fixed_in=info.fixed_in, fixed_in_sp=info.fixed_in_sp, edition=info.edition, modified=envelope.modified,
    )
    try:
        scan = scan_tables(envelope.body, envelope.product, base.product_versions)
        platform = applies_to_platform(envelope.body)
        found = [replace(row, article_platform=platform) for row in scan.rows] if platform else scan.rows
        rows, rule_notes = apply_rules(found, base.product_versions)
        check_prose(envelope.body, rows)
    except TableError as exc:
        return replace(base, status=SKIPPED, error=str(exc))
    notes = tuple(scan.notes) + rule_notes
    edition = fix_info(base.product, (), envelope.title, envelope.prod_ver, envelope.body, rows).edition
    rows = [replace(row, branch_edition=named) if named else row
            for row, named in zip(rows, row_editions(base.product, rows))]
    base = replace(base, edition=edition)
    if not rows:
        reason = "; ".join(notes) if notes else "no fixed-file table"
        return replace(base, status=NO_TABLE, error=reason, notes=notes)
    return _with_components(replace(base, status=IMPORTED, rows=tuple(rows), notes=notes))


def _with_components(article: ImportedArticle) -> ImportedArticle:
    """Lift a component shared by every row to the article; keep mixed ones on the rows."""
    components = {row.component for row in article.rows}
    if len(components) == 1 and None not in components:
        (component,) = components
        rows = tuple(replace(row, component=None) for row in article.rows)
        return replace(article, component=component, rows=rows)
    return article


def read_article(path: Path | str) -> ImportedArticle:
    """Read one article file (.TXT or .md): a regular file of bounded size named by its id."""
    path = Path(path)
    return parse_article(decode(read_article_bytes(path)), path)


def article_files(paths: Iterable[Path | str]) -> list[Path]:
    """Expand folders into their articles; prefer the .TXT when both forms of one exist."""
    chosen: dict[str, Path] = {}
    for path in map(Path, paths):
        candidates = sorted(path.iterdir()) if path.is_dir() else [path]
        for candidate in candidates:
            suffix = candidate.suffix.lower()
            if candidate.is_dir() or suffix not in (".txt", ".md"):
                continue
            key = str(candidate.with_suffix("")).lower()
            if key in chosen and chosen[key].suffix.lower() == ".txt":
                continue
            chosen[key] = candidate
    return sorted(chosen.values(), key=lambda p: (p.stem.upper(), str(p)))


def import_articles(paths: Iterable[Path | str]) -> list[ImportedArticle]:
    """Read every article named (files or folders); unreadable envelopes become skips."""
    articles: list[ImportedArticle] = []
    for path in article_files(paths):
        try:
            articles.append(read_article(path))
        except ArticleFormatError as exc:
            articles.append(ImportedArticle(
                path=path, id=path.stem.upper(), title="", product="", status=SKIPPED,
                error=one_line(str(exc)),
            ))
    return articles
