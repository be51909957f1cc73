"""The verfix command line: wires manifests, folders, readers and formats; the only place that prints."""

from __future__ import annotations

import os
import sys
import tempfile
from contextlib import contextmanager
from enum import IntEnum
from pathlib import Path
from typing import Iterator, List, Optional

import typer

from verfix import __version__
from verfix.check import FileCache, ManifestResult, Verdict, check_manifest, is_applicable
from verfix.formats import (
    Format, VersionRecord, check_report, render_check_table, render_json,
    render_version_table, summary_line,
)
from verfix.locate import FolderIndex
from verfix.manifest import Manifest, ManifestError, find_manifest, load_bundled, load_manifest
from verfix.pe import PEReadError, Reader, read_pe_file


class ExitCode(IntEnum):
    """Exit codes scripts can rely on."""

    COMPLIANT = 0      # every checked manifest is compliant (or every file was read)
    NOT_COMPLIANT = 1  # some manifest is not compliant: a file is outdated or missing
    USAGE = 2          # usage or input error: bad option, unknown manifest, path not found
    INCOMPLETE = 3     # nothing is known to be wrong, but something could not be told
    INTERNAL = 4       # a bug in verfix


EXIT_CODES_HELP = (
    "Exit codes: 0 compliant, 1 not compliant (a file is outdated or missing), "
    "2 usage or input error, 3 incomplete (a file could not be read or has no version), "
    "4 internal error."
)

app = typer.Typer(
    help="Check Windows binaries' file versions against Microsoft KB fixed-file tables.\n\n"
    + EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
manifests_app = typer.Typer(help="List, show and validate manifests.", no_args_is_help=True)
app.add_typer(manifests_app, name="manifests")


class InputError(Exception):
    """A problem with what the user gave us; reported in one line, exit code 2."""


def _err(message: str) -> None:
    typer.echo(message, err=True)


@contextmanager
def _input_errors() -> Iterator[None]:
    """Turn expected input problems into one line on stderr and exit code 2."""
    try:
        yield
    except (InputError, ManifestError) as error:
        _err(f"verfix: error: {error}")
        raise typer.Exit(ExitCode.USAGE) from None


def _use_colour(output: Optional[Path]) -> bool:
    return output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _is_within(path: Path, folder: Path) -> bool:
    path, folder = path.resolve(), folder.resolve()
    return path == folder or folder in path.parents


def _emit(text: str, output: Optional[Path], scanned: List[Path]) -> None:
    """Write a report to stdout, or atomically to ``output`` (never inside a scanned tree)."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    for folder in scanned:
        if _is_within(output, folder):
            raise InputError(f"{output}: refusing to write the report inside the scanned folder {folder}")
    directory = output.resolve().parent
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{output.name}.", dir=directory)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, output)
    except OSError as error:
        raise InputError(f"{output}: cannot write the report: {error.strerror or error}") from None


def _select_manifests(selectors: List[str]) -> tuple[list[Manifest], bool]:
    """The manifests asked for, and whether they were chosen automatically (all bundled)."""
    if not selectors:
        return load_bundled(), True
    bundled: list[Manifest] | None = None
    chosen: list[Manifest] = []
    for selector in selectors:
        if not selector.lower().endswith(".toml") and bundled is None:
            bundled = load_bundled()
        manifest = find_manifest(selector, bundled or [])
        if manifest.id not in {m.id for m in chosen}:
            chosen.append(manifest)
    return chosen, False


def _exit_code(results: list[ManifestResult]) -> ExitCode:
    verdicts = {result.verdict for result in results}
    if Verdict.NOT_COMPLIANT in verdicts:
        return ExitCode.NOT_COMPLIANT
    if Verdict.INCOMPLETE in verdicts or not verdicts - {Verdict.NOT_APPLICABLE}:
        return ExitCode.INCOMPLETE
    return ExitCode.COMPLIANT


@app.command()
def check(
    path: Path = typer.Argument(..., metavar="PATH", help="The Exchange bin folder (exchsrvr/bin) to check."),
    manifest: List[str] = typer.Option(
        [], "--manifest", "-m", metavar="ID|FILE",
        help="Article id (Q236586) or manifest TOML file; repeatable. Default: every bundled "
        "manifest that applies to the folder.",
    ),
    format: Format = typer.Option(Format.TABLE, "--format", "-f", help="Report format."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the report to FILE."),
    reader: Reader = typer.Option(Reader.FAST, "--reader", help="PE reader: verfix's own or pefile."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No summary on stderr."),
) -> None:
    """Check a bin folder's files against manifests and report what is below the fixed version.

    Exit codes: 0 compliant, 1 not compliant, 2 usage or input error, 3 incomplete, 4 internal error.
    """
    path = Path(os.path.abspath(path))
    with _input_errors():
        manifests, automatic = _select_manifests(manifest)
        if not path.exists():
            raise InputError(f"{path}: no such file or directory")
        if not path.is_dir():
            raise InputError(f"{path}: not a folder")
        try:
            index = FolderIndex(path)
        except OSError as error:
            raise InputError(f"{path}: cannot list the folder: {error.strerror or error}") from None
        cache = FileCache(reader)
        results: list[ManifestResult] = []
        skipped = 0
        for chosen in manifests:
            if automatic and not is_applicable(chosen, index):
                skipped += 1
                continue
            results.append(check_manifest(chosen, path, index, cache))
        if format is Format.JSON:
            text = render_json(check_report(results, path))
        else:
            text = render_check_table(results, colour=_use_colour(output))
        _emit(text, output, [path])
    if not quiet:
        for result in results:
            _err(summary_line(result))
        if skipped:
            _err(f"{skipped} manifest(s) not applicable: none of their versioned files is in {path}")
        if not results:
            _err(f"no manifest applies to {path}: nothing could be checked")
    raise typer.Exit(_exit_code(results))


def _version_record(path: Path, reader: Reader) -> VersionRecord:
    if not path.is_file():
        problem = "no such file" if not path.exists() else "not a regular file"
        return VersionRecord(str(path), error=problem)
    try:
        info = read_pe_file(str(path), reader)
    except PEReadError as error:
        return VersionRecord(str(path), error=str(error))
    return VersionRecord(
        path=str(path),
        file_version=None if info.file_version is None else str(info.file_version),
        file_version_string=info.file_version_string,
        product_version=None if info.product_version is None else str(info.product_version),
        machine=info.machine,
        error=None if info.file_version is not None else info.version_problem,
    )


@app.command()
def version(
    files: List[Path] = typer.Argument(..., metavar="FILE...", help="Files to read."),
    format: Format = typer.Option(Format.TABLE, "--format", "-f", help="Report format."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the report to FILE."),
    reader: Reader = typer.Option(Reader.FAST, "--reader", help="PE reader: verfix's own or pefile."),
) -> None:
    """Show the file version of any files, like sigcheck.

    Exit codes: 0 every file has a version, 3 some file could not be read or has none, 2 usage error.
    """
    records = [_version_record(path, reader) for path in files]
    with _input_errors():
        if format is Format.JSON:
            text = render_json([record.as_dict() for record in records])
        else:
            text = render_version_table(records)
        _emit(text, output, [])
    raise typer.Exit(ExitCode.INCOMPLETE if any(r.error for r in records) else ExitCode.COMPLIANT)


@manifests_app.command("list")
def manifests_list(
    format: Format = typer.Option(Format.TABLE, "--format", "-f", help="Output format."),
) -> None:
    """List the bundled manifests."""
    with _input_errors():
        manifests = load_bundled()
    if format is Format.JSON:
        sys.stdout.write(render_json([_manifest_summary(m) for m in manifests]))
        return
    from tabulate import tabulate

    rows = [
        [m.id, ", ".join(m.product_versions), m.fixed_in or "", "; ".join(m.components), len(m.files), m.title]
        for m in manifests
    ]
    headers = ["Id", "Version", "Fixed in", "Component", "Files", "Title"]
    sys.stdout.write(tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True) + "\n")


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
    selector: str = typer.Argument(..., help="Article id (Q236586) or manifest TOML file."),
    format: Format = typer.Option(Format.TABLE, "--format", "-f", help="Output format."),
) -> None:
    """Show one manifest's details and rows."""
    with _input_errors():
        bundled = [] if selector.lower().endswith(".toml") else load_bundled()
        manifest = find_manifest(selector, bundled)
    rows = [
        {
            "name": row.name,
            "version": None if row.version is None else str(row.version),
            "platform": row.platform,
            "component": row.component,
            "product_version": row.product_version,
            "size": row.size,
            "date": row.date,
        }
        for row in manifest.files
    ]
    if format is Format.JSON:
        sys.stdout.write(render_json({**_manifest_summary(manifest), "keywords": list(manifest.keywords),
                                      "source": manifest.source, "rows": rows}))
        return
    from tabulate import tabulate

    typer.echo(f"{manifest.id}: {manifest.title}")
    typer.echo(f"Product: {manifest.product} {', '.join(manifest.product_versions)}")
    if manifest.fixed_in:
        typer.echo(f"Fixed in: {manifest.fixed_in}")
    if manifest.components:
        typer.echo(f"Component: {'; '.join(manifest.components)}")
    if manifest.path is not None:
        typer.echo(f"Manifest: {manifest.path}")
    table = [[r["name"], r["version"] or "N/A", r["platform"] or "any", r["component"] or ""] for r in rows]
    typer.echo(tabulate(table, headers=["File", "Version", "Platform", "Component"], tablefmt="simple", disable_numparse=True))


@manifests_app.command("validate")
def manifests_validate(
    files: List[Path] = typer.Argument(..., help="Manifest TOML files to validate."),
) -> None:
    """Validate manifest files; exit 0 when all are valid, 2 otherwise."""
    failed = 0
    for path in files:
        try:
            manifest = load_manifest(path)
        except ManifestError as error:
            failed += 1
            _err(f"invalid: {error}")
            continue
        typer.echo(f"ok: {path} ({manifest.id}, {len(manifest.files)} files)")
    raise typer.Exit(ExitCode.USAGE if failed else ExitCode.COMPLIANT)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"verfix {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: bool = typer.Option(
        False, "--version", callback=_show_version, is_eager=True, help="Show verfix's version."
    ),
) -> None:
    """Check Windows binaries' file versions against Microsoft KB fixed-file tables."""


def main() -> None:
    """Console entry point: never lets a traceback reach the user."""
    try:
        app()
    except Exception as error:  # noqa: BLE001 - the last line of defence
        _err(f"verfix: internal error: {type(error).__name__}: {error}")
        sys.exit(ExitCode.INTERNAL)
