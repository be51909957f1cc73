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


def _article_forms(paths: Iterable[Path | str]) -> dict[str, list[Path]]:
    """Every article file named (folders expanded), by its path without the suffix."""
    forms: dict[str, list[Path]] = {}
    for path in map(Path, paths):
        candidates = sorted(path.iterdir()) if path.is_dir() else [path]
        for candidate in candidates:
            suffix = candidate.suffix.lower()
            if candidate.is_dir() or suffix not in (".txt", ".md"):
                continue
            found = forms.setdefault(str(candidate.with_suffix("")).lower(), [])
            if candidate not in found:
                found.append(candidate)
    for found in forms.values():
        found.sort(key=lambda p: (p.suffix.lower() != ".txt", str(p)))  # the .TXT first
    return forms


def article_files(paths: Iterable[Path | str]) -> list[Path]:
    """Expand folders into their articles; the .TXT when both forms of one exist (the
    other is still read, by :func:`import_articles`, and must say the same)."""
    return sorted((found[0] for found in _article_forms(paths).values()),
                  key=lambda p: (p.stem.upper(), str(p)))


def _said(article: ImportedArticle) -> tuple:
    """What an article says, whatever its form (.TXT or .md): the line numbers differ."""
    return (article.id, article.status, article.title, article.product, article.product_versions,
            article.keywords, tuple(replace(row, line_no=0) for row in article.rows))


def _read_or_skip(path: Path) -> ImportedArticle:
    try:
        return read_article(path)
    except ArticleFormatError as exc:
        return ImportedArticle(path=path, id=path.stem.upper(), title="", product="", status=SKIPPED,
                               error=one_line(str(exc)))


def import_articles(paths: Iterable[Path | str]) -> list[ImportedArticle]:
    """Read every article named (files or folders); unreadable envelopes become skips, and so
    does an article whose two forms (.TXT and .md) do not say the same (naming both)."""
    articles: list[ImportedArticle] = []
    for found in sorted(_article_forms(paths).values(), key=lambda f: (f[0].stem.upper(), str(f[0]))):
        article = _read_or_skip(found[0])
        for other in found[1:]:
            if _said(_read_or_skip(other)) != _said(article):
                article = ImportedArticle(
                    path=found[0], id=article.id, title=article.title, product=article.product,
                    status=SKIPPED, error=one_line(f"{found[0].name} and {other.name} are two forms of "
                                                   "one article that do not say the same; neither imported"))
                break
        articles.append(article)
    return articles
