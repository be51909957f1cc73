"""``verfix version``, ``inventory`` and ``schema``: records of files, and the schemas."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, List, Optional

import typer

from verfix import fsio
from verfix.cli.common import (QUIET, VERBOSE, ExitCode, InputError, note, output_stream, scan_roots,
                               table_width, app)
from verfix.formats import (INVENTORY_FIELDS, OPTIONAL_INVENTORY_FIELDS, VERSION_FIELDS, Format, path_fields,
                            write_records)
from verfix.pe import PEReadError, Reader, read_pe_file
from verfix.schemas import SCHEMA_VERSION


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
    files: List[Path] = typer.Argument(..., metavar="FILE...", help="Files to read.", readable=False),
    format: Format = typer.Option(Format.TABLE, "--format", "-f", help="Report format."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the report to FILE.", readable=False),
    reader: Reader = typer.Option(Reader.FAST, "--reader", help="PE reader: verfix's own or pefile."),
    quiet: bool = QUIET,
    verbose: bool = VERBOSE,
) -> None:
    """Show the file version of any files, like sigcheck.

    Exit codes: 0 every file has a version, 3 some file could not be read or has none, 2 usage error.
    """
    records = [_version_record(path, reader) for path in files]
    with output_stream(output, files) as stream:
        write_records(records, format, VERSION_FIELDS, stream, table_width(output))
    if verbose:
        unread = sum(1 for r in records if r["error"])
        note(f"{len(records)} file(s) read with the {reader.value} reader; {unread} without a version")
    raise typer.Exit(ExitCode.INCOMPLETE if any(r["error"] for r in records) else ExitCode.COMPLIANT)


@app.command()
def inventory(
    path: Path = typer.Argument(
        ..., metavar="PATH", help="The folder to walk, recursively, or a disk image (every NTFS/FAT volume).",
        readable=False,
    ),
    format: Format = typer.Option(Format.JSONL, "--format", "-f", help="Output format."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the inventory to FILE.", readable=False),
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
    jobs: Optional[int] = typer.Option(
        None, "--jobs", "-j", min=1, metavar="N",
        help="Read the files in N processes (default: one per core; at most 4 per core; a tree of "
        "up to 500 files, and a disk image, are read in one). The output is the same for any N.",
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar and no summary."),
    verbose: bool = VERBOSE,
) -> None:
    """List every PE file under PATH with its versions, strings, machine and size (JSON Lines by default).

    Paths are written under PATH as given (relative stays relative). Exit codes: 0 every PE
    file read, 3 some file or folder could not be read, 2 usage error.
    """
    from verfix import inventory as inventory_module
    from verfix.inventory.parallel import JOBS_PER_CORE, default_jobs, usable_jobs
    from verfix.winpath import windows_path

    stats = inventory_module.InventoryStats()
    try:
        hashes = inventory_module.parse_hashes(hash)
    except ValueError as error:
        raise InputError(f"--hash {hash}: {error}") from None
    if host is not None and not host.strip():
        raise InputError("--host needs a name")
    with scan_roots(path, partition, quiet) as (roots, opened):
        if roots == [path] and not path.is_dir():
            raise InputError(f"{path}: no such folder" if not path.exists() else f"{path}: not a folder")
        if windows_paths and roots != [path]:
            raise InputError("--windows-paths takes a copy laid out by drive letter, not a disk image")
        shown = (lambda p: windows_path(Path(p), path)) if windows_paths else None
        if jobs is not None and jobs > usable_jobs(jobs) and not quiet:
            note(f"verfix: --jobs {jobs} is more than {usable_jobs(jobs)} ({JOBS_PER_CORE} per core): "
                 f"at most {usable_jobs(jobs)} processes")
        jobs = default_jobs() if jobs is None else usable_jobs(jobs)
        records = (r for root in roots for r in inventory_module.inventory(
            root, reader, hashes, stats=stats, host=host, shown_path=shown, jobs=jobs))
        optional = set(hashes) | ({"host"} if host is not None else set())
        fields = [f for f in INVENTORY_FIELDS if f not in OPTIONAL_INVENTORY_FIELDS or f in optional]
        with output_stream(output, [Path(os.path.abspath(path)), *opened]) as stream:
            with _progress(enabled=not quiet and sys.stderr.isatty()) as tick:
                if format is Format.JSONL:  # each line made where its file was read
                    for root in roots:
                        for chunk in inventory_module.inventory_lines(
                                root, reader, hashes, stats=stats, host=host, shown_path=shown, jobs=jobs):
                            stream.write(chunk)
                            tick(chunk, chunk.count("\n"))  # a chunk of whole lines
                else:
                    write_records((tick(record.as_dict()) for record in records), format, fields,
                                  stream, table_width(output))
    if not quiet:
        for line in dict.fromkeys(stats.notes):  # once, though each volume may say it
            note(f"verfix: warning: {line}")
        skipped = "".join(f"; {n} skipped: {reason}" for reason, n in sorted(stats.skipped.items()))
        note(f"{stats.pe_files} PE file(s) of {stats.files_seen} file(s) under {path}; "
             f"{stats.records} record(s), {stats.read_errors + stats.unreadable_files} unreadable, "
             f"{stats.unreadable_folders} folder(s) unreadable{skipped}")
    if verbose:
        note(f"read with the {reader.value} reader in up to {jobs} process(es); {stats.bytes_seen} bytes seen"
             + (f"; digests: {', '.join(hashes)}" if hashes else ""))
    problems = stats.unreadable_files + stats.unreadable_folders + stats.read_errors
    raise typer.Exit(ExitCode.INCOMPLETE if problems else ExitCode.COMPLIANT)


@contextmanager
def _progress(enabled: bool) -> Iterator:
    """A ticker that counts records on a rich progress display on stderr, when enabled. It is
    redrawn from the ticks (at most ten times a second), not by a thread of its own: --jobs
    forks worker processes, which is safe only in a process with one thread."""
    if not enabled:
        yield lambda record, count=1: record
        return
    import time

    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.completed} files"), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True, auto_refresh=False) as progress:
        task = progress.add_task("inventory", total=None)
        shown = [0.0]

        def tick(record: Any, count: int = 1) -> Any:
            progress.advance(task, count)
            now = time.monotonic()
            if now - shown[0] >= 0.1:
                shown[0] = now
                progress.refresh()
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
