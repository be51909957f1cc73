"""Refusals before anything is written: an imported article that cannot safely become
``DIR/<id>.toml`` is turned into a skip, so the others are still imported.

Refused: an id that is not a KB article id, one id claimed by two articles (both are refused:
which of them is right cannot be told; the error names both files), and an article whose
manifest, as rendered, does not read back as a valid manifest saying what the article says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from verfix.kbimport.model import IMPORTED, SKIPPED, ImportedArticle, one_line
from verfix.kbimport.render import render_toml
from verfix.manifest import ARTICLE_ID_RE, ManifestError, parse_manifest, tomllib
from verfix.version import try_parse_version


def rendered_problem(article: ImportedArticle) -> str | None:
    """Why ``article``'s rendered manifest cannot be written (None: it can)."""
    if not ARTICLE_ID_RE.fullmatch(article.id):
        return f"article id {one_line(article.id)!r} is not a KB article id like Q236586"
    try:
        manifest = parse_manifest(tomllib.loads(render_toml(article)), f"{article.path} (as rendered)")
    except (tomllib.TOMLDecodeError, RecursionError) as error:
        return f"the manifest as rendered is not valid TOML: {one_line(str(error))}"
    except ManifestError as error:
        return f"the manifest as rendered is not valid: {one_line(str(error))}"
    expected = [(row.name, row.version and str(try_parse_version(row.version))) for row in article.rows]
    got = [(row.name, row.version and str(row.version)) for row in manifest.files]
    if manifest.id != article.id or manifest.title != article.title or got != expected:
        return "the manifest as rendered does not say what the article says"
    return None


def vet_articles(articles: Sequence[ImportedArticle]) -> list[ImportedArticle]:
    """``articles`` with every imported one that may not be written turned into a skip."""
    claims: dict[str, list[ImportedArticle]] = {}
    for article in articles:
        if article.status == IMPORTED:
            claims.setdefault(article.id.upper(), []).append(article)
    vetted = []
    for article in articles:
        if article.status != IMPORTED:
            vetted.append(article)
            continue
        others = [other.path for other in claims[article.id.upper()] if other is not article]
        problem: str | None
        if others:
            problem = (f"article id {article.id} is claimed by both {article.path} and "
                       f"{', '.join(map(str, others))}; neither is imported")
        else:
            problem = rendered_problem(article)
        vetted.append(article if problem is None else
                      replace(article, status=SKIPPED, error=one_line(problem), rows=()))
    return vetted
