"""``verfix manifests list | show | validate | import``."""

from __future__ import annotations

import json
import os
from enum import Enum
from pathlib import Path
from typing import List, TextIO

import typer

from verfix import fsio
from verfix.cli.common import QUIET, VERBOSE, ExitCode, InputError, err, note, table_width, manifests_app
from verfix.formats import Format, write_records
from verfix.names import terminal_text
from verfix.manifest import ARTICLE_ID_RE, Manifest, ManifestError, load_manifest, parse_manifest, tomllib
from verfix.select import find_manifests
from verfix.tables import wrap_line
from verfix.version import try_parse_version


MANIFEST_FIELDS = ("id", "product_versions", "fixed_in", "components", "files", "title")
ROW_FIELDS = ("name", "version", "platform", "location", "component", "product_version", "size", "date")


@manifests_app.command("list")
def manifests_list(
    format: Format = typer.Option(Format.TABLE, "--format", "-f", help="Output format."),
    quiet: bool = QUIET,
    verbose: bool = VERBOSE,
) -> None:
    """List the bundled manifests (the table fits the terminal; JSON and CSV have every field)."""
    from verfix.catalog import load_catalog

    manifests = load_catalog()
    if verbose:
        from verfix.manifest import bundled_root

        note(f"{len(manifests)} manifest(s) in {bundled_root()}")
    records = [_manifest_summary(m) for m in manifests]
    with fsio.output(None) as stream:
        write_records(records, format, ("product",) + MANIFEST_FIELDS if format is not Format.TABLE
                      else MANIFEST_FIELDS, stream, table_width(None))


def _manifest_summary(manifest: Manifest) -> dict:
    return {
        "id": manifest.id,
        "title": manifest.title,
        "product": manifest.product,
        "product_versions": list(manifest.product_versions),
        "fixed_in": manifest.fixed_in,
        "components": list(manifest.components),
        "files": len(manifest.files),
    }


@manifests_app.command("show")
def manifests_show(
    selector: str = typer.Argument(..., help="Article (Q236586, KB236586, 236586), own id, or manifest TOML file."),
    format: Format = typer.Option(Format.TABLE, "--format", "-f", help="Output format."),
    quiet: bool = QUIET,
    verbose: bool = VERBOSE,
) -> None:
    """Show one manifest's details and rows (JSON: the whole manifest; JSONL and CSV: its rows)."""
    found = find_manifests(selector)
    if len(found) != 1:
        raise InputError(f"{selector}: a folder of {len(found)} manifests; show takes one")
    (manifest,) = found
    if verbose:
        note(f"{manifest.id}: from {manifest.path}")
    rows = [
        {
            "name": row.name,
            "version": None if row.version is None else str(row.version),
            "platform": row.platform,
            "location": row.location,
            "component": row.component,
            "product_version": row.product_version,
            "size": row.size,
            "date": row.date,
        }
        for row in manifest.files
    ]
    with fsio.output(None) as stream:
        _show_manifest(manifest, rows, format, stream)


def _show_manifest(manifest: Manifest, rows: list[dict], format: Format, stream: TextIO) -> None:
    if format is Format.JSON:
        document = {**_manifest_summary(manifest), "keywords": list(manifest.keywords),
                    "source": manifest.source, "rows": rows}
        stream.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        return
    if format is not Format.TABLE:
        write_records(rows, format, ROW_FIELDS, stream)
        return
    lines = [f"{manifest.id}: {manifest.title}",
             f"Product: {manifest.product} {', '.join(manifest.product_versions)}"]
    if manifest.fixed_in:
        lines.append(f"Fixed in: {manifest.fixed_in}")
    if manifest.components:
        lines.append(f"Component: {'; '.join(manifest.components)}")
    if manifest.path is not None:
        lines.append(f"Manifest: {_shown_path(manifest.path)}")
    width = table_width(None)
    stream.write("".join(part + "\n" for line in lines for part in wrap_line(terminal_text(line), width)))
    shown = [{**r, "version": r["version"] or "N/A", "platform": r["platform"] or "any"} for r in rows]
    write_records(shown, Format.TABLE, ("name", "version", "platform", "component"), stream,
                  table_width(None))


def _shown_path(path: Path) -> str:
    """``path`` relative to the current folder when it is inside it (shorter, still usable)."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)
    return str(path) if relative.startswith("..") else relative


@manifests_app.command("validate")
def manifests_validate(
    files: List[Path] = typer.Argument(..., help="Manifest TOML files, or folders of them, to validate.",
                                       readable=False),
    quiet: bool = QUIET,
    verbose: bool = VERBOSE,
) -> None:
    """Validate manifest files, listing every problem of each, and ids that two files share;
    exit 0 when all are valid, 2 otherwise."""
    failed = 0
    paths = [p for path in files for p in (sorted(path.rglob("*.toml")) if path.is_dir() else [path])]
    first_of: dict[str, Path] = {}
    with fsio.output(None) as stream:
        for path in paths:
            try:
                manifest = load_manifest(path)
            except ManifestError as error:
                failed += 1
                for problem in error.problems:
                    err(f"invalid: {problem}")
                continue
            earlier = first_of.setdefault(manifest.id.upper(), path)
            if earlier != path and not _same_file(earlier, path):
                failed += 1
                err(f"invalid: {path}: id {manifest.id} is also the id of {earlier}")
                continue
            if not quiet:
                count = len(manifest.files)
                stream.write(terminal_text(
                    f"ok: {path} ({manifest.id}, {count} file{'' if count == 1 else 's'})") + "\n")
    if verbose:
        note(f"{len(paths)} manifest(s) validated, {failed} invalid")
    raise typer.Exit(ExitCode.USAGE if failed else ExitCode.COMPLIANT)


def _same_file(one: Path, other: Path) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:
        return False


class ImportFormat(str, Enum):
    """What ``manifests import`` produces."""

    TOML = "toml"  # write one manifest file per article
    JSON = "json"  # print what was read, write nothing


@manifests_app.command("import")
def manifests_import(
    articles: List[Path] = typer.Argument(
        ..., metavar="ARTICLE...", help="KB articles (QNNNNNN.TXT or .md) or folders of them.",
        readable=False,
    ),
    output: Path = typer.Option(Path("."), "--output", "-o", help="Folder to write the manifests to."),
    format: ImportFormat = typer.Option(ImportFormat.TOML, "--format", "-f", help="toml: write "
                                        "manifests; json: print what was read instead."),
    quiet: bool = QUIET,
    verbose: bool = VERBOSE,
) -> None:
    """Turn KB articles' fixed-file tables into manifests.

    An article that cannot be read completely, or cannot safely be written (an id that is not
    a KB id, one id in two articles: both are refused), gives no manifest and one line naming
    it and why; the others are imported. Exit codes: 0 every table was read, 3 some article or
    path was skipped, 2 usage error (nothing to import).
    """
    from verfix import kbimport
    from verfix.kbimport.vet import vet_articles

    missing = [path for path in articles if not path.exists()]
    if len(missing) == len(articles):
        raise InputError(f"{missing[0]}: no such file or folder")
    for path in missing:
        err(f"verfix: error: {terminal_text(str(path))}: no such file or folder; skipped")
    try:
        imported = vet_articles(kbimport.import_articles([p for p in articles if p not in missing]))
    except OSError as error:  # a folder that cannot be listed
        raise InputError(f"{error.filename}: cannot list: {error.strerror}") from None
    if not imported:
        raise InputError("no KB articles (QNNNNNN.TXT or .md) found in the paths given")
    if format is ImportFormat.JSON:
        with fsio.output(None) as stream:
            stream.write(json.dumps(kbimport.to_json_records(imported), indent=2,
                                    ensure_ascii=False) + "\n")
    else:
        with fsio.output(None) as stream:
            for path in write_imported(imported, output, articles):
                if not quiet:
                    stream.write(terminal_text(f"wrote {path}") + "\n")
    summary = kbimport.summarize(imported)
    for article in summary.skipped:
        err(kbimport.skip_line(article))
    if not quiet:
        note(f"{len(summary.imported)} imported, {len(summary.skipped)} skipped, "
             f"{len(summary.no_table)} without a fixed-file table")
    if verbose:
        note(f"{len(imported)} article(s) read from {len(articles)} path(s)")
    raise typer.Exit(ExitCode.INCOMPLETE if summary.skipped or missing else ExitCode.COMPLIANT)


PRODUCT_FIELDS = ("product", "release", "service_pack", "branch", "folders", "how")


def planned_manifests(imported: list, out_dir: Path) -> list[tuple[Path, str]]:
    """(target, TOML) of every imported article, all checked before anything is written:
    the id is a KB article id and the target exactly DIR/<id>.toml, no two articles claim
    one id, and the TOML reads back as a valid manifest with the article's rows."""
    from verfix import kbimport

    planned: list[tuple[Path, str]] = []
    claimed: dict[str, Path] = {}
    for article in imported:
        if article.status != kbimport.IMPORTED:
            continue
        if not ARTICLE_ID_RE.fullmatch(article.id):
            raise InputError(f"{article.path}: article id {article.id!r} is not a KB article id "
                             "like Q236586; nothing written")
        if article.id in claimed:
            raise InputError(f"{article.path}: article id {article.id} is also claimed by "
                             f"{claimed[article.id]}; nothing written")
        claimed[article.id] = article.path
        target = out_dir / f"{article.id}.toml"
        if os.path.dirname(os.path.abspath(target)) != os.path.abspath(out_dir):
            raise InputError(f"{article.path}: {target} is not in {out_dir}; nothing written")
        text = kbimport.render_toml(article)
        source = f"{article.path} (as rendered)"
        try:
            manifest = parse_manifest(tomllib.loads(text), source)
        except (tomllib.TOMLDecodeError, RecursionError) as error:
            raise InputError(f"{source}: not valid TOML: {error}; nothing written") from None
        expected = [(row.name, row.version and str(try_parse_version(row.version))) for row in article.rows]
        got = [(row.name, row.version and str(row.version)) for row in manifest.files]
        if manifest.id != article.id or manifest.title != article.title or got != expected:
            raise InputError(f"{source}: the manifest does not say what the article says; "
                             "nothing written")
        planned.append((target, text))
    return planned


def write_imported(imported: list, out_dir: Path, articles: List[Path]) -> list[Path]:
    """Write the planned manifests through the one output writer; the paths written."""
    if not out_dir.is_dir():
        raise InputError(f"{out_dir}: no such folder" if not out_dir.exists() else f"{out_dir}: not a folder")
    written = []
    for target, text in planned_manifests(imported, out_dir):
        with fsio.output_file(target, protected=[os.fspath(p) for p in articles]) as stream:
            stream.write(text)
        written.append(target)
    return written
