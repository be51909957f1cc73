"""Import Microsoft KB articles (.TXT or web-export .md) into verfix manifests.

The package reads any product's fixed-file tables; its modules, by role:
``model`` (rows, articles, errors), ``envelope`` (.TXT header, .md front matter, the id),
``metadata`` (product versions, releases named by headings, fix keywords), ``fixinfo``
(where the fix shipped and the edition, from keywords and sentences), ``profiles``
(the little per-product data), ``cells`` (one recogniser per column kind), ``rows``
(placing a line's cells under the columns), ``tables`` and ``scan`` (boxed and plain
tables in an article body), ``leadin`` (what the lines above a table say of it),
``rules`` and ``row_rules`` (the inference rules, a named list), ``article`` (whole
articles and folders), ``render`` (JSON and TOML) and ``catalog``.
"""

from verfix.kbimport.article import (
    article_files,
    import_articles,
    parse_article,
    read_article,
)
from verfix.kbimport.catalog import (
    ImportSummary,
    build_catalog,
    catalog_path,
    curated_manifests,
    format_summary,
    product_slug,
    skip_line,
    skip_reason_kind,
    summarize,
    write_manifests,
)
from verfix.kbimport.metadata import (
    base_versions,
    fixed_in_from_keywords,
    parse_product_versions,
    release_of,
)
from verfix.kbimport.model import (
    IMPORTED,
    NO_TABLE,
    SKIPPED,
    ArticleFormatError,
    ImportedArticle,
    ImportedRow,
    TableError,
)
from verfix.kbimport.render import render_toml, to_json_records, to_manifest
from verfix.kbimport.rules import RULES

__all__ = [
    "IMPORTED",
    "NO_TABLE",
    "RULES",
    "SKIPPED",
    "ArticleFormatError",
    "ImportSummary",
    "ImportedArticle",
    "ImportedRow",
    "TableError",
    "article_files",
    "base_versions",
    "build_catalog",
    "catalog_path",
    "curated_manifests",
    "fixed_in_from_keywords",
    "format_summary",
    "import_articles",
    "parse_article",
    "parse_product_versions",
    "product_slug",
    "read_article",
    "release_of",
    "render_toml",
    "skip_line",
    "skip_reason_kind",
    "summarize",
    "to_json_records",
    "to_manifest",
    "write_manifests",
]
