"""What the importer reads: rows, articles, and the errors that refuse an article."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

IMPORTED = "imported"  # every table read: the article becomes a manifest
SKIPPED = "skipped"    # refused: a line could not be placed (``error`` says which and why)
NO_TABLE = "no-table"  # read, but the article has no fixed-file table


class ArticleFormatError(ValueError):
    """An article whose envelope (header, front matter or id) cannot be read or trusted."""


class TableError(ValueError):
    """A line of a table that cannot be placed; carries the line number and text."""

    def __init__(self, line_no: int, text: str, reason: str) -> None:
        super().__init__(f"line {line_no}: {reason}: {excerpt(text.strip())}")
        self.line_no = line_no
        self.text = text
        self.reason = reason


def one_line(text: str) -> str:
    """``text`` with every control character shown as a blank: an error stays one line."""
    return "".join(" " if ord(ch) < 0x20 or ord(ch) == 0x7F else ch for ch in text)


EXCERPT = 40  # characters of a long offending text a refusal line quotes
WHOLE = 50    # a text up to this long is quoted whole


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """``text`` quoted on one line for a refusal: whole up to WHOLE characters, else its first
    ``limit`` characters, an ellipsis and its length: ``'Store.exe 5.5.2650.21 11/2…' (2,310 characters)``."""
    flat = one_line(text)
    if len(flat) <= max(limit, WHOLE):
        return repr(flat)
    return f"{flat[:limit] + '…'!r} ({len(flat):,} characters)"


@dataclass(frozen=True)
class ImportedRow:
    """One file of a fixed-file table, as the article states it."""

    name: str
    version: str | None = None
    platform: str | None = None
    location: str | None = None  # the folder the table gives (``%Windir%\\System32``)
    component: str | None = None
    product_version: str | None = None
    size: int | None = None
    date: str | None = None
    line_no: int = 0
    line_text: str = field(default="", compare=False)
    # The version cell as written, when ``version`` is not that text verbatim: a
    # build.revision cell still to be completed, or a cell repaired by a documented rule.
    written_version: str | None = field(default=None, compare=False)
    table: int = field(default=0, compare=False)  # which table of the article (1, 2, ...)
    heading: str | None = field(default=None, compare=False)   # the heading above the table
    language: str | None = field(default=None, compare=False)  # the lead-in's language, if not English
    edition: str | None = field(default=None, compare=False)   # "56-bit", "Winsock2": read with the row
    os_release: str | None = field(default=None, compare=False)  # the Windows 9x release a platform cell names
    foreign: str | None = field(default=None, compare=False)   # a platform not a Windows server's ("ARM")
    unread_size: str | None = field(default=None, compare=False)  # a size cell of no known unit ("94.5")
    heading_platform: str | None = field(default=None, compare=False)  # the platform came from the heading
    # The one platform no Windows server has that every "applies to" line of the article names.
    article_platform: str | None = field(default=None, compare=False)
    other_platform: str | None = None  # the row is for that platform: kept, never checked on a server
    branch_edition: str | None = None  # in a mixed article, the edition its table's heading names


@dataclass(frozen=True)
class ImportedArticle:
    """What was read from one article, and whether it can become a manifest."""

    path: Path
    id: str
    title: str
    product: str
    status: str
    error: str | None = None
    product_versions: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    fixed_in: str | None = None
    fixed_in_sp: tuple[str, ...] = ()  # "4.0 SP4": the product's service packs that first hold the fix
    edition: str | None = None         # "Terminal Server Edition": the branch the whole article is for
    component: str | None = None
    modified: str | None = None
    rows: tuple[ImportedRow, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def source(self) -> str:
        """The ``source`` line of the manifest."""
        text = f"Microsoft Knowledge Base article {self.id}"
        return f"{text}, last modified {self.modified}" if self.modified else text

    @property
    def components(self) -> tuple[str, ...]:
        """The distinct components of the article, in order of appearance."""
        seen: list[str] = [self.component] if self.component else []
        for row in self.rows:
            if row.component and row.component not in seen:
                seen.append(row.component)
        return tuple(seen)
