"""The envelope of an article: the ``.TXT`` header or the web export's front matter, and its id.

An article's id is taken from the article (``DOCUMENT:`` of a .TXT, ``Article:`` of an .md,
which must agree with the export's title and heading) and must be ``Q`` and 5 to 7 ASCII
digits; when the file's name is known it must agree too. Anything else refuses the article.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from verfix.fsio import InputFileError, read_bounded
from verfix.kbimport.model import ArticleFormatError, excerpt, one_line

MAX_ARTICLE_BYTES = 1 << 20  # the largest article of the shared corpus is 26 KB
ARTICLE_ID_RE = re.compile(r"Q[0-9]{5,7}")


@dataclass(frozen=True)
class Envelope:
    """An article's header fields and its body lines."""

    id: str
    title: str
    product: str
    prod_ver: str
    keywords: str
    modified: str | None
    body: list[tuple[int, str]]  # (1-based line number in the file, text)


def read_article_bytes(path: Path) -> bytes:
    """The bytes of a regular file of at most MAX_ARTICLE_BYTES; ArticleFormatError otherwise."""
    try:
        return read_bounded(path, MAX_ARTICLE_BYTES)
    except InputFileError as error:
        raise ArticleFormatError(f"{one_line(str(path))}: {error}") from None


def decode(data: bytes) -> str:
    """UTF-8 when it is, else the Windows code page the old articles use."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _article_id(text: str, where: str, field_name: str) -> str:
    if not ARTICLE_ID_RE.fullmatch(text):
        raise ArticleFormatError(f"{where}: {field_name} {excerpt(text)} is not an article id "
                                 "(Q and 5 to 7 digits)")
    return text


_TXT_HEADER_RE = re.compile(r"^(DOCUMENT|TITLE|PRODUCT|PROD/VER|OPER/SYS|KEYWORDS)\s*:(.*)$")
_DOCUMENT_RE = re.compile(r"^(\S+)\s+([0-9]{2}-[A-Z]{3}-[0-9]{4})\b")


def _expand(text: str) -> str:
    """A body line with its tabs expanded to the 8-column stops a text viewer shows: a
    table aligned with tabs is read by where its cells stand on screen, as a person reads it."""
    return text.expandtabs(8)


def _read_txt(lines: list[str], where: str) -> Envelope:
    fields: dict[str, str] = {}
    index = 0
    while index < len(lines) and lines[index].strip():
        match = _TXT_HEADER_RE.match(lines[index])
        if not match:
            raise ArticleFormatError(f"{where}: line {index + 1}: not a header field: "
                                     f"{excerpt(lines[index])}")
        fields[match.group(1)] = match.group(2).strip()
        index += 1
    for key in ("DOCUMENT", "TITLE", "PRODUCT"):
        if key not in fields:
            raise ArticleFormatError(f"{where}: header has no {key}: line")
    document = _DOCUMENT_RE.match(fields["DOCUMENT"])
    if not document:
        raise ArticleFormatError(f"{where}: DOCUMENT line has no article id and date: "
                                 f"{excerpt(fields['DOCUMENT'])}")
    body = [(number, _expand(text)) for number, text in enumerate(lines[index:], start=index + 1)]
    return Envelope(
        id=_article_id(document.group(1), where, "DOCUMENT"), title=fields["TITLE"],
        product=fields["PRODUCT"], prod_ver=fields.get("PROD/VER", ""),
        keywords=fields.get("KEYWORDS", ""), modified=document.group(2), body=body,
    )


_MD_FIELDS = {
    "Article": "id", "Product(s)": "product", "Version(s)": "prod_ver",
    "Operating System(s)": None, "Keyword(s)": "keywords", "Last Modified": "modified",
}
_MD_HEADING_RE = re.compile(r"^## (\S+): (.*)$")
_MD_TITLE_RE = re.compile(r'^title:\s*"(\S+?):')


def _read_md(lines: list[str], where: str) -> Envelope:
    try:
        end = lines.index("---", 1)
        raw = lines.index("{% raw %}", end)
    except ValueError:
        raise ArticleFormatError(f"{where}: front matter or '{{% raw %}}' not closed") from None
    title = None
    named: list[str] = []  # the ids the front matter and the heading give
    for line in lines[1:end]:
        front = _MD_TITLE_RE.match(line)
        if front:
            named.append(front.group(1))
    for line in lines[end + 1:raw]:
        heading = _MD_HEADING_RE.match(line)
        if heading:
            named.append(heading.group(1))
            title = html.unescape(heading.group(2).strip())  # the export escapes & " [ ] _
    if title is None:
        raise ArticleFormatError(f"{where}: no '## QNNNNNN: title' heading")
    fields: dict[str, str] = {}
    index = raw + 1
    while index < len(lines) and not lines[index].strip():
        index += 1
    while index < len(lines) and lines[index].strip():
        key, sep, value = lines[index].strip().partition(":")
        if not sep or key not in _MD_FIELDS:
            raise ArticleFormatError(f"{where}: line {index + 1}: not a header field: "
                                     f"{excerpt(lines[index])}")
        field_name = _MD_FIELDS[key]
        if field_name:
            fields[field_name] = value.strip()
        index += 1
    if "id" not in fields or "product" not in fields:
        raise ArticleFormatError(f"{where}: header has no Article: or Product(s): line")
    article_id = _article_id(fields["id"], where, "Article:")
    for other in named:
        if other != article_id:
            raise ArticleFormatError(f"{where}: the heading names {excerpt(other)}, "
                                     f"the Article: line {article_id}")
    body: list[tuple[int, str]] = []
    for number in range(index, len(lines)):
        text = lines[number]
        if text.strip() == "{% endraw %}":
            break
        # The export indents every body line with one tab; drop it, keep the rest.
        body.append((number + 1, _expand(text.removeprefix("\t"))))
    return Envelope(
        id=article_id, title=title, product=fields["product"],
        prod_ver=fields.get("prod_ver", ""), keywords=fields.get("keywords", ""),
        modified=fields.get("modified") or None, body=body,
    )


def read_envelope(text: str, where: str, file_name: str | None = None) -> Envelope:
    """The envelope of an article's text; ``file_name``, when given, must carry its id."""
    lines = text.splitlines()
    if lines and lines[0].startswith("DOCUMENT:"):
        envelope = _read_txt(lines, where)
    elif lines and lines[0].strip() == "---":
        envelope = _read_md(lines, where)
    else:
        raise ArticleFormatError(f"{where}: neither a KB .TXT article nor a web-export .md")
    if file_name is not None:
        stem = file_name.rpartition(".")[0] if "." in file_name else file_name
        if stem.upper() != envelope.id:
            raise ArticleFormatError(f"{where}: the file is named {excerpt(file_name)} but the "
                                     f"article is {envelope.id}")
    return envelope
