"""The verfix command line: wires manifests, folders, readers and formats; the only place that prints."""

from __future__ import annotations

import json
import os
import signal
import sys
from contextlib import contextmanager
from enum import Enum, IntEnum
from pathlib import Path
from typing import Any, Iterator, List, Optional, TextIO

import typer
from typer.core import TyperGroup

from verfix import __version__
from verfix.check import FileCache, FolderCheck, Verdict, check_folder
from verfix.discover import BinDir
from verfix.formats import (
    INVENTORY_FIELDS, OPTIONAL_INVENTORY_FIELDS, VERSION_FIELDS, CheckFormat, Format, path_fields,
    summary_line, verdict_counts_line, write_check, write_records,
)
from verfix import fsio
from verfix.fsio import OutputError, terminal_text
from verfix.manifest import (ARTICLE_ID_RE, Manifest, ManifestError, load_bundled,
                             load_manifest, parse_manifest, tomllib)
from verfix.pe import PEReadError, Reader, read_pe_file
from verfix.colour import wants_colour
from verfix.schemas import SCHEMA_VERSION
from verfix.select import find_manifests, matches_product
from verfix.tables import terminal_width
from verfix.version import try_parse_version

INTERRUPTED = 130  # 128 + SIGINT, what shells report for a command stopped by Ctrl-C


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
    "4 internal error, 130 interrupted."
)

class InputError(Exception):
    """A problem with what the user gave us; reported in one line, exit code 2."""


class Interrupted(Exception):
    """Ctrl-C (SIGINT) during a run started by :func:`main`."""


def failure(error: BaseException) -> tuple[Optional[str], int]:
    """The one mapping from an error to the line on stderr (None: nothing to say) and the
    exit code."""
    if isinstance(error, (InputError, ManifestError, OutputError)):
        return f"verfix: error: {error}", ExitCode.USAGE
    if isinstance(error, (Interrupted, KeyboardInterrupt, typer.Abort)):
        return "verfix: interrupted", INTERRUPTED
    if isinstance(error, typer.Exit):
        return None, error.exit_code
    if isinstance(error, SystemExit):
        return None, error.code if isinstance(error.code, int) else ExitCode.USAGE
    return f"verfix: internal error: {type(error).__name__}: {error}", ExitCode.INTERNAL


class _Group(TyperGroup):
    """Runs the commands with :func:`failure` applied to whatever they raise, so typer's
    test runner and :func:`main` give the same messages and exit codes."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.TyperException):
            raise
        except Exception as error:  # noqa: BLE001 - mapped to a message and an exit code
            message, code = failure(error)
            if message is not None:
                _err(message)
            raise typer.Exit(code) from None


# -h as well as --help, on every command; -q and -v on every command too.
CONTEXT = {"help_option_names": ["-h", "--help"]}
QUIET = typer.Option(False, "--quiet", "-q", help="Nothing on stderr but errors.")
VERBOSE = typer.Option(False, "--verbose", "-v", help="Also say on stderr what was done.")

app = typer.Typer(
    cls=_Group,
    help="Check Windows binaries' file versions against Microsoft KB fixed-file tables.\n\n"
    + EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=True,  # typer's --install-completion / --show-completion (bash, zsh, fish, PowerShell)
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings=CONTEXT,
)
manifests_app = typer.Typer(cls=_Group, help="List, show and validate manifests.", no_args_is_help=True,
                            context_settings=CONTEXT)
app.add_typer(manifests_app, name="manifests")


def _err(message: str) -> None:
    """One line on stderr, control characters escaped."""
    typer.echo(terminal_text(message), err=True)


def _use_colour(output: Optional[Path]) -> bool:
    """Colour for a table on a terminal; NO_COLOR turns it off, FORCE_COLOR on (not in a file)."""
    return output is None and wants_colour(os.environ, sys.stdout.isatty())


def _width(output: Optional[Path]) -> int:
    """The width tables fit: $COLUMNS, else the terminal's, else 80."""
    return terminal_width(output is None and sys.stdout.isatty())


@contextmanager
def _output_stream(output_path: Optional[Path], read: List[Path]) -> Iterator[TextIO]:
    """Standard output, or ``output_path`` through the one output writer: a regular file,
    never one of (or inside) the paths this run reads, replaced atomically."""
    with fsio.output(output_path, protected=[os.fspath(p) for p in read]) as stream:
        yield stream


def _select_manifests(
    selectors: List[str], products: List[str], component: Optional[str], *, every_product: bool = False,
) -> tuple[list[Manifest], bool]:
    """The manifests asked for, and whether they were chosen automatically (all bundled: of
    Exchange for a bin folder, of ``every_product`` for a whole server)."""
    if selectors:
        chosen: list[Manifest] = []
        by_id: dict[str, Manifest] = {}
        for selector in selectors:
            for manifest in find_manifests(selector):
                earlier = by_id.get(manifest.id)
                if earlier is None:
                    by_id[manifest.id] = manifest
                    chosen.append(manifest)
                elif not _same_manifest_file(earlier, manifest):
                    raise InputError(f"{manifest.path or selector}: id {manifest.id} is also defined "
                                     f"in {earlier.path or earlier.id}; give one of them")
    elif every_product:
        chosen = load_bundled()
    else:
        from verfix.discover import PRODUCT

        # A bin folder is an Exchange server's: the other products' manifests do not apply.
        chosen = load_bundled(product=PRODUCT)
    if products:
        chosen = [m for m in chosen if any(matches_product(m, words) for words in products)]
    if component:
        wanted = component.lower()
        chosen = [m for m in chosen if any(wanted in c.lower() for c in m.components)]
    if not chosen:
        raise InputError("no manifest matches the selection (see 'verfix manifests list')")
    return chosen, not selectors


def _same_manifest_file(one: Manifest, other: Manifest) -> bool:
    if one.path is None or other.path is None:
        return one.path is other.path
    try:
        return os.path.samefile(one.path, other.path)
    except OSError:
        return False


def _exit_code(folders: List[FolderCheck]) -> ExitCode:
    verdicts = {result.verdict for folder in folders for result in folder.results}
    if Verdict.NOT_COMPLIANT in verdicts:
        return ExitCode.NOT_COMPLIANT
    if Verdict.INCOMPLETE in verdicts or not verdicts - {Verdict.NOT_APPLICABLE}:
        return ExitCode.INCOMPLETE
    return ExitCode.COMPLIANT


@contextmanager
def _scan_roots(path: Path, partition: Optional[int], quiet: bool) -> Iterator[list]:
    """What to scan: PATH itself for a folder; for a disk image, the root of each NTFS/FAT
    volume in it (or of ``--partition`` N), listed on stderr. The image is closed after."""
    from verfix.image import ImageError, looks_like_image

    if not looks_like_image(path):
        if partition is not None:
            raise InputError(f"--partition {partition}: {path} is not a disk image")
        yield [path]
        return
    from verfix.image.targets import image_volumes

    try:
        with image_volumes(path, partition) as volumes:
            if not quiet:
                for line in volumes.listing:
                    _err(f"{path}: {line}")
                for warning in volumes.warnings:
                    _err(f"verfix: warning: {warning}")
            yield list(volumes.roots)
    except ImageError as error:
        raise InputError(str(error)) from None


def _bin_dirs_in(roots: list, bin_dir: bool, quiet: bool, markers: List[str]) -> list[tuple[BinDir, Path]]:
    """The bin folders of every root, each with its root; a root with none is a warning while
    another has one."""
    if len(roots) == 1:
        return [(item, roots[0]) for item in _bin_dirs(roots[0], bin_dir, quiet, markers)]
    if bin_dir:
        raise InputError("--bin-dir takes a folder; for one volume of a disk image use --partition")
    found: list[tuple[BinDir, Path]] = []
    failures: list[str] = []
    for root in roots:
        try:
            found.extend((item, root) for item in _bin_dirs(root, False, quiet, markers))
        except InputError as error:
            failures.append(str(error))
    if not found:
        raise InputError("; ".join(failures))
    if not quiet:
        for failure in failures:
            _err(f"verfix: warning: {failure}")
    return found


def _bin_dirs(path: Path, bin_dir: bool, quiet: bool, markers: List[str]) -> list[BinDir]:
    """The folders to check: PATH itself with --bin-dir, else what discovery finds."""
    if bin_dir:
        from verfix.fsview import ImagePath

        if isinstance(path, ImagePath):
            raise InputError("--bin-dir takes a folder, not a disk image")
        if not path.is_dir():
            raise InputError(f"{path}: no such folder" if not path.exists() else f"{path}: not a folder")
        return [BinDir(path, f"{path} (given with --bin-dir)")]
    from verfix.discover import MARKER_FILES, DiscoveryError, find_bin_dirs

    try:
        discovery = find_bin_dirs(path, [*MARKER_FILES, *markers])
    except DiscoveryError as error:
        for warning in error.warnings:
            _err(f"verfix: warning: {warning}")
        raise InputError(str(error)) from None
    if not quiet:
        for warning in discovery.warnings:
            _err(f"verfix: warning: {warning}")
    return list(discovery.found)


@app.command()
def check(
    path: Path = typer.Argument(
        ..., metavar="PATH",
        help="A mounted volume or image folder (every product found on it is checked), a system32 "
        "folder, an Exchange bin folder, or a disk image (raw, E01, VMDK, VHD, qcow2; needs the "
        "'images' extra; its Exchange bin folders are checked).",
    ),
    manifest: List[str] = typer.Option(
        [], "--manifest", "-m", metavar="ID|FILE|FOLDER",
        help="Article (Q236586, KB236586 or 236586) or your own manifest id, a manifest TOML file, "
        "or a folder of them; repeatable. Default: every bundled manifest that applies to the folder.",
    ),
    product: List[str] = typer.Option(
        [], "--product", metavar="WORDS",
        help="On a volume: only the products found that it names (\"Windows NT\", IIS, \"Exchange 5.5\"). "
        "In a bin folder: only manifests whose product and one product version have every word "
        "(\"Exchange 5.5\", \"5.5 SP4\"). Repeatable.",
    ),
    component: Optional[str] = typer.Option(
        None, "--component", help="Only manifests whose component contains TEXT (e.g. MTA)."
    ),
    bin_dir: bool = typer.Option(False, "--bin-dir", help="PATH is the bin folder: skip discovery."),
    details: bool = typer.Option(
        False, "--details", "-d", help="Show every row, whole (the default when -m is given)."
    ),
    show_all: bool = typer.Option(
        False, "--all", "-a", help="The table lists compliant articles too, not only those that need action."
    ),
    format: CheckFormat = typer.Option(
        CheckFormat.TABLE, "--format", "-f",
        help="Report format: table (articles that need action and the remediation plan), json, "
        "jsonl, csv, html (one self-contained page), sarif (SARIF 2.1.0).",
    ),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the report to FILE."),
    reader: Reader = typer.Option(Reader.FAST, "--reader", help="PE reader: verfix's own or pefile."),
    partition: Optional[int] = typer.Option(
        None, "--partition", metavar="N", help="In a disk image, only partition N (numbered as listed)."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Nothing on stderr but errors."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Also each article's counts and what was read."),
) -> None:
    """Check a server's files against manifests and report what is below the fixed version,
    with the fewest service packs and hotfixes that clear every finding.

    On a volume (a system root, a system32 folder...) every product found is checked against
    the whole catalog, with one line per product and the registry's hotfix records against the
    files; an Exchange bin folder against the Exchange articles.

    Exit codes: 0 compliant, 1 not compliant, 2 usage or input error, 3 incomplete, 4 internal error.
    """
    path = Path(os.path.abspath(path))
    cache = FileCache(reader)
    found_products = None if bin_dir or partition is not None or not path.is_dir() else _whole_server(path, cache)
    if found_products is not None:
        raise typer.Exit(_check_server(path, found_products, cache, manifest, product, component,
                                       details=details, show_all=show_all, format=format, output=output,
                                       quiet=quiet, verbose=verbose))
    manifests, automatic = _select_manifests(manifest, product, component)
    # Files the named manifests version also mark PATH as a bin folder of its own.
    named = [] if automatic else [r.name for m in manifests for r in m.files if r.version]
    with _scan_roots(path, partition, quiet) as roots:
        found = _bin_dirs_in(roots, bin_dir, quiet, named)
        folders = [
            check_folder(manifests, item.path, cache, root=root, how=item.how, skip_inapplicable=automatic)
            for item, root in found
        ]
    # What this run read, never to be written over: folders (an image's insides are in PATH).
    read = [path, *(item.path for item, _ in found if isinstance(item.path, Path)),
            *(m.path for m in manifests if m.path)]
    with _output_stream(output, read) as stream:
        write_check(folders, path, format, stream, details=details or not automatic,
                    colour=_use_colour(output), width=_width(output), show_all=show_all)
    if not quiet:
        for folder in folders:
            _err(f"checked: {folder.how}")
            if automatic and not verbose:
                _err(verdict_counts_line(folder))
            else:
                for result in folder.results:
                    _err(summary_line(result))
                if automatic:
                    _err(verdict_counts_line(folder))
            if not folder.results:
                _err(f"no manifest applies to {folder.bin_dir}: nothing could be checked")
        if verbose:
            _err(f"{len(manifests)} manifest(s) selected; {cache.files_read} file(s) read with the "
                 f"{reader.value} reader")
    raise typer.Exit(_exit_code(folders))


def _whole_server(path: Path, cache: FileCache) -> Any:
    """The survey of PATH when it is more than an Exchange server's folders (a system root, a
    system32 folder, IIS...): then the whole-server check runs; else None (as before)."""
    from verfix.survey import survey

    found = survey(path, cache)
    return found if any(p.profile.slug != "exchange" for p in found.products) else None


def _profile_matches(found: Any, query: str) -> bool:
    """True when ``query`` names a found product: its slug (iis), or words of its name, the
    rest of them words of its release or service pack ("Windows NT 4.0", "Exchange 5.5")."""
    from verfix.select import words

    if query.strip().lower() == found.profile.slug:
        return True
    asked, name = set(words(query)), set(words(found.profile.name))
    told = set(words(f"{found.release.value or ''} {found.service_pack.value or ''}"))
    return bool(asked & name) and asked - name <= told


def _check_server(
    path: Path, found: Any, cache: FileCache, selectors: List[str], queries: List[str],
    component: Optional[str], *, details: bool, show_all: bool, format: CheckFormat,
    output: Optional[Path], quiet: bool, verbose: bool,
) -> ExitCode:
    """``verfix check VOLUME``: every product found (or those ``queries`` name) against the
    catalog of every product (or the ``-m`` manifests); the exit code."""
    from verfix.server_report import as_folder
    from verfix.servercheck import run_check

    for query in queries:
        if not any(_profile_matches(item, query) for item in found.products):
            shown = ", ".join(p.profile.name for p in found.products)
            raise InputError(f"--product {query!r} names no product found under {path} (found: {shown})")
    slugs = [p.profile.slug for p in found.products if any(_profile_matches(p, q) for q in queries)]
    manifests, automatic = _select_manifests(selectors, [], component, every_product=True)
    checked = run_check(path, manifests, products=slugs, cache=cache, skip_inapplicable=automatic, found=found)
    # A product no selected manifest is for has no folder entry (it is in the product lines).
    folders = [as_folder(item) for item in checked.products if item.results or item.not_applicable]
    read = [path, *(f.bin_dir for f in folders), *(m.path for m in manifests if m.path)]
    with _output_stream(output, read) as stream:
        write_check(folders, path, format, stream, details=details or not automatic, colour=_use_colour(output),
                    width=_width(output), show_all=show_all, server=checked)
    if not quiet:
        for warning in found.warnings:
            _err(f"verfix: warning: {warning}")
        for folder in folders:
            _err(f"checked: {folder.how}")
            _err(verdict_counts_line(folder))
            if verbose:  # each article's counts
                for result in folder.results:
                    _err(summary_line(result))
        if verbose:
            _err(f"{len(manifests)} manifest(s) selected, {len(checked.unplaced)} for no product found here; "
                 f"{cache.files_read} file(s) read with the {cache.reader.value} reader")
    return _exit_code(folders)


def _version_record(path: Path, reader: Reader) -> dict:
    record = dict.fromkeys(VERSION_FIELDS)
    record.update(schema_version=SCHEMA_VERSION, **path_fields(str(path)))
    if not path.is_file():
        record["error"] = "no such file" if not path.exists() else "not a regular file"
        return record
    try:
        info = read_pe_file(str(path), reader)
    except PEReadError as error:
        record["error"] = str(error)
        return record
    record.update(
        file_version=None if info.file_version is None else str(info.file_version),
        file_version_string=info.file_version_string,
        product_version=None if info.product_version is None else str(info.product_version),
        machine=info.machine,
        error=None if info.file_version is not None else info.version_problem,
    )
    return record


@app.command()
def version(
    files: List[Path] = typer.Argument(..., metavar="FILE...", help="Files to read."),
    format: Format = typer.Option(Format.TABLE, "--format", "-f", help="Report format."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the report to FILE."),
    reader: Reader = typer.Option(Reader.FAST, "--reader", help="PE reader: verfix's own or pefile."),
    quiet: bool = QUIET,
    verbose: bool = VERBOSE,
) -> None:
    """Show the file version of any files, like sigcheck.

    Exit codes: 0 every file has a version, 3 some file could not be read or has none, 2 usage error.
    """
    records = [_version_record(path, reader) for path in files]
    with _output_stream(output, files) as stream:
        write_records(records, format, VERSION_FIELDS, stream, _width(output))
    if verbose:
        unread = sum(1 for r in records if r["error"])
        _err(f"{len(records)} file(s) read with the {reader.value} reader; {unread} without a version")
    raise typer.Exit(ExitCode.INCOMPLETE if any(r["error"] for r in records) else ExitCode.COMPLIANT)


@app.command()
def inventory(
    path: Path = typer.Argument(
        ..., metavar="PATH", help="The folder to walk, recursively, or a disk image (every NTFS/FAT volume)."
    ),
    format: Format = typer.Option(Format.JSONL, "--format", "-f", help="Output format."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the inventory to FILE."),
    reader: Reader = typer.Option(Reader.FAST, "--reader", help="PE reader: verfix's own or pefile."),
    hash: Optional[str] = typer.Option(
        None, "--hash", metavar="ALGORITHMS",
        help="Add each file's digests, computed in one read: md5, sha1, sha256 or several (md5,sha1,sha256).",
    ),
    host: Optional[str] = typer.Option(None, "--host", metavar="NAME", help="Write NAME as 'host' on every record."),
    windows_paths: bool = typer.Option(
        False, "--windows-paths",
        help="Write paths as Windows does, from a copy laid out by drive letter: PATH/D/EXCHSRVR/BIN/EMSMTA.EXE "
        "becomes D:\\EXCHSRVR\\BIN\\EMSMTA.EXE.",
    ),
    partition: Optional[int] = typer.Option(
        None, "--partition", metavar="N", help="In a disk image, only partition N (numbered as listed)."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar and no summary."),
    verbose: bool = VERBOSE,
) -> None:
    """List every PE file under PATH with its versions, strings, machine and size (JSON Lines by default).

    Paths are written under PATH as given (relative stays relative). Exit codes: 0 every PE
    file read, 3 some file or folder could not be read, 2 usage error.
    """
    from verfix import inventory as inventory_module
    from verfix.winpath import windows_path

    stats = inventory_module.InventoryStats()
    try:
        hashes = inventory_module.parse_hashes(hash)
    except ValueError as error:
        raise InputError(f"--hash {hash}: {error}") from None
    if host is not None and not host.strip():
        raise InputError("--host needs a name")
    with _scan_roots(path, partition, quiet) as roots:
        if roots == [path] and not path.is_dir():
            raise InputError(f"{path}: no such folder" if not path.exists() else f"{path}: not a folder")
        if windows_paths and roots != [path]:
            raise InputError("--windows-paths takes a copy laid out by drive letter, not a disk image")
        shown = (lambda p: windows_path(Path(p), path)) if windows_paths else None
        records = (r.as_dict() for root in roots for r in inventory_module.inventory(
            root, reader, hashes, stats=stats, host=host, shown_path=shown))
        optional = set(hashes) | ({"host"} if host is not None else set())
        fields = [f for f in INVENTORY_FIELDS if f not in OPTIONAL_INVENTORY_FIELDS or f in optional]
        with _output_stream(output, [Path(os.path.abspath(path))]) as stream:
            with _progress(enabled=not quiet and sys.stderr.isatty()) as tick:
                write_records((tick(record) for record in records), format, fields, stream,
                              _width(output))
    if not quiet:
        skipped = "".join(f"; {n} skipped: {reason}" for reason, n in sorted(stats.skipped.items()))
        _err(f"{stats.pe_files} PE file(s) of {stats.files_seen} file(s) under {path}; "
             f"{stats.records} record(s), {stats.read_errors + stats.unreadable_files} unreadable, "
             f"{stats.unreadable_folders} folder(s) unreadable{skipped}")
    if verbose:
        _err(f"read with the {reader.value} reader; {stats.bytes_seen} bytes seen"
             + (f"; digests: {', '.join(hashes)}" if hashes else ""))
    problems = stats.unreadable_files + stats.unreadable_folders + stats.read_errors
    raise typer.Exit(ExitCode.INCOMPLETE if problems else ExitCode.COMPLIANT)


@contextmanager
def _progress(enabled: bool) -> Iterator:
    """A ticker that counts records on a rich progress display on stderr, when enabled."""
    if not enabled:
        yield lambda record: record
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.completed} files"), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("inventory", total=None)

        def tick(record: dict) -> dict:
            progress.advance(task)
            return record

        yield tick


@app.command()
def schema(
    name: Optional[str] = typer.Argument(
        None, help="check-report, check-record, inventory-record, kb-import or version-record."),
    quiet: bool = QUIET,
    verbose: bool = VERBOSE,
) -> None:
    """Print a JSON Schema of verfix's output (without NAME: list the names)."""
    from verfix.schemas import load_schema, schema_names

    try:
        text = "\n".join(schema_names()) + "\n" if name is None else load_schema(name)
    except KeyError as error:
        raise InputError(error.args[0]) from None
    with fsio.output(None) as stream:
        stream.write(text)


MANIFEST_FIELDS = ("id", "product_versions", "fixed_in", "components", "files", "title")
ROW_FIELDS = ("name", "version", "platform", "location", "component", "product_version", "size", "date")


@manifests_app.command("list")
def manifests_list(
    format: Format = typer.Option(Format.TABLE, "--format", "-f", help="Output format."),
    quiet: bool = QUIET,
    verbose: bool = VERBOSE,
) -> None:
    """List the bundled manifests (the table fits the terminal; JSON and CSV have every field)."""
    manifests = load_bundled()
    if verbose:
        from verfix.manifest import bundled_root

        _err(f"{len(manifests)} manifest(s) in {bundled_root()}")
    records = [_manifest_summary(m) for m in manifests]
    with fsio.output(None) as stream:
        write_records(records, format, ("product",) + MANIFEST_FIELDS if format is not Format.TABLE
                      else MANIFEST_FIELDS, stream, _width(None))


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
        _err(f"{manifest.id}: from {manifest.path}")
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
        lines.append(f"Manifest: {manifest.path}")
    stream.write("".join(terminal_text(line) + "\n" for line in lines))
    shown = [{**r, "version": r["version"] or "N/A", "platform": r["platform"] or "any"} for r in rows]
    write_records(shown, Format.TABLE, ("name", "version", "platform", "component"), stream,
                  _width(None))


@manifests_app.command("validate")
def manifests_validate(
    files: List[Path] = typer.Argument(..., help="Manifest TOML files, or folders of them, to validate."),
    quiet: bool = QUIET,
    verbose: bool = VERBOSE,
) -> None:
    """Validate manifest files, listing every problem of each; exit 0 when all are valid, 2 otherwise."""
    failed = 0
    paths = [p for path in files for p in (sorted(path.rglob("*.toml")) if path.is_dir() else [path])]
    with fsio.output(None) as stream:
        for path in paths:
            try:
                manifest = load_manifest(path)
            except ManifestError as error:
                failed += 1
                for problem in error.problems:
                    _err(f"invalid: {problem}")
                continue
            if not quiet:
                stream.write(terminal_text(f"ok: {path} ({manifest.id}, {len(manifest.files)} files)") + "\n")
    if verbose:
        _err(f"{len(paths)} manifest(s) validated, {failed} invalid")
    raise typer.Exit(ExitCode.USAGE if failed else ExitCode.COMPLIANT)


class ImportFormat(str, Enum):
    """What ``manifests import`` produces."""

    TOML = "toml"  # write one manifest file per article
    JSON = "json"  # print what was read, write nothing


@manifests_app.command("import")
def manifests_import(
    articles: List[Path] = typer.Argument(
        ..., metavar="ARTICLE...", help="KB articles (QNNNNNN.TXT or .md) or folders of them."
    ),
    output: Path = typer.Option(Path("."), "--output", "-o", help="Folder to write the manifests to."),
    format: ImportFormat = typer.Option(ImportFormat.TOML, "--format", "-f", help="toml: write "
                                        "manifests; json: print what was read instead."),
    quiet: bool = QUIET,
    verbose: bool = VERBOSE,
) -> None:
    """Turn KB articles' fixed-file tables into manifests.

    An article that cannot be read completely gives no manifest and one line naming it and the
    first line that could not be placed. Exit codes: 0 every table was read, 3 some article was
    skipped, 2 usage error.
    """
    from verfix import kbimport

    for path in articles:
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
    imported = kbimport.import_articles(articles)
    if not imported:
        raise InputError("no KB articles (QNNNNNN.TXT or .md) found in the paths given")
    if format is ImportFormat.JSON:
        with fsio.output(None) as stream:
            stream.write(json.dumps(kbimport.to_json_records(imported), indent=2,
                                    ensure_ascii=False) + "\n")
    else:
        with fsio.output(None) as stream:
            for path in _write_imported(imported, output, articles):
                if not quiet:
                    stream.write(terminal_text(f"wrote {path}") + "\n")
    summary = kbimport.summarize(imported)
    for article in summary.skipped:
        _err(kbimport.skip_line(article))
    if not quiet:
        _err(f"{len(summary.imported)} imported, {len(summary.skipped)} skipped, "
             f"{len(summary.no_table)} without a fixed-file table")
    if verbose:
        _err(f"{len(imported)} article(s) read from {len(articles)} path(s)")
    raise typer.Exit(ExitCode.INCOMPLETE if summary.skipped else ExitCode.COMPLIANT)


PRODUCT_FIELDS = ("product", "release", "service_pack", "branch", "folders", "how")


@app.command()
def products(
    path: Path = typer.Argument(..., metavar="PATH", help="A mounted volume, a copy of one, or one folder."),
    format: Format = typer.Option(Format.TABLE, "--format", "-f", help="Report format."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the report to FILE."),
    reader: Reader = typer.Option(Reader.FAST, "--reader", help="PE reader: verfix's own or pefile."),
    partition: Optional[int] = typer.Option(
        None, "--partition", metavar="N", help="In a disk image, only partition N (numbered as listed)."
    ),
    quiet: bool = QUIET,
    verbose: bool = VERBOSE,
) -> None:
    """Show the products found under PATH: release, service pack, branch, folders, and how each was told.

    Exit codes: 0 products found, 2 usage error or nothing found.
    """
    from verfix.server_report import product_record
    from verfix.survey import FoundProduct, survey

    path = Path(os.path.abspath(path))
    with _scan_roots(path, partition, quiet) as roots:
        if roots == [path] and not path.is_dir():
            raise InputError(f"{path}: no such folder" if not path.exists() else f"{path}: not a folder")
        products_found: list[tuple[Path, FoundProduct]] = []
        for root in roots:
            found = survey(root, FileCache(reader))
            for warning in [] if quiet else found.warnings:
                _err(f"verfix: warning: {warning}")
            products_found.extend((root, item) for item in found.products)
    if not products_found:
        raise InputError(f"no product found under {path}: no WINNT or WINDOWS system root, and no "
                         "folder holding a known product's programs")
    records = [product_record(item) for _, item in products_found]
    if format in (Format.TABLE, Format.CSV):  # flat: folders relative to PATH, how told as text
        for record, (root, _) in zip(records, products_found):
            record["folders"] = "; ".join(_relative_folder(f, root) for f in record["folders"])
            told = {k: v for k, v in record["how"].items() if k != "folders"}
            if "branch" in told and record["branch"] is None:
                record["branch"] = "main line"
            record["how"] = "; ".join([*told.values(), *record["notes"]])
    with _output_stream(output, [path]) as stream:
        write_records(records, format, PRODUCT_FIELDS, stream, _width(output))
    if verbose:
        _err(f"{len(records)} product(s) found under {path} with the {reader.value} reader")
    raise typer.Exit(ExitCode.COMPLIANT)


def _relative_folder(folder: str, root: Path) -> str:
    """A product's folder for a table: relative to PATH, or ``p1:/WINNT/system32`` in an image."""
    from verfix.fsview import ImagePath

    if isinstance(root, ImagePath):
        return folder[len(root.prefix.rsplit("#", 1)[0]) + 1:]
    return os.path.relpath(folder, root)


def _planned_manifests(imported: list, out_dir: Path) -> list[tuple[Path, str]]:
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


def _write_imported(imported: list, out_dir: Path, articles: List[Path]) -> list[Path]:
    """Write the planned manifests through the one output writer; the paths written."""
    if not out_dir.is_dir():
        raise InputError(f"{out_dir}: no such folder" if not out_dir.exists() else f"{out_dir}: not a folder")
    written = []
    for target, text in _planned_manifests(imported, out_dir):
        with fsio.output_file(target, protected=[os.fspath(p) for p in articles]) as stream:
            stream.write(text)
        written.append(target)
    return written


def _show_version(value: bool) -> None:
    if value:
        with fsio.output(None) as stream:
            stream.write(f"verfix {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: bool = typer.Option(
        False, "--version", "-V", callback=_show_version, is_eager=True, help="Show verfix's version."
    ),
) -> None:
    """Check Windows binaries' file versions against Microsoft KB fixed-file tables."""


def main(argv: Optional[List[str]] = None) -> int:
    """Run verfix on ``argv`` (default: the process's arguments); return the exit code.

    Every error becomes one line on stderr and an exit code through :func:`failure`; no
    traceback reaches the user. Ctrl-C stops the run with "interrupted" and 130.
    """
    previous = _catch_interrupts()
    try:
        result = app(args=argv, prog_name="verfix", standalone_mode=False)
        return int(result) if isinstance(result, int) else ExitCode.COMPLIANT
    except typer.TyperException as error:  # usage errors: typer's own message
        error.show()  # type: ignore[attr-defined]
        return int(getattr(error, "exit_code", ExitCode.USAGE))
    except BaseException as error:  # noqa: BLE001 - the last line of defence
        message, code = failure(error)
        if message is not None:
            _err(message)
        return code
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def _catch_interrupts() -> Any:
    """Make SIGINT raise Interrupted (typer turns KeyboardInterrupt into a silent exit 130);
    return the handler it replaced, or None when not on the main thread."""

    def interrupted(signum: int, frame: object) -> None:
        raise Interrupted()

    try:
        return signal.signal(signal.SIGINT, interrupted)
    except ValueError:  # not the main thread
        return None
