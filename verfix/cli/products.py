"""``verfix products``: what was found on a volume, and how each was told."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer

from verfix.check import FileCache
from verfix.cli.common import (QUIET, VERBOSE, ExitCode, InputError, err, note, output_stream, scan_roots,
                               table_width, app)
from verfix.formats import Format, write_records
from verfix.pe import Reader


PRODUCT_FIELDS = ("product", "release", "service_pack", "branch", "folders", "how")


@app.command()
def products(
    path: Path = typer.Argument(..., metavar="PATH", help="A mounted volume, a copy of one, or one folder.",
                                readable=False),
    format: Format = typer.Option(Format.TABLE, "--format", "-f", help="Report format."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the report to FILE.", readable=False),
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
    with scan_roots(path, partition, quiet) as (roots, opened):
        if roots == [path] and not path.is_dir():
            raise InputError(f"{path}: no such folder" if not path.exists() else f"{path}: not a folder")
        products_found: list[tuple[Path, FoundProduct]] = []
        for root in roots:
            found = survey(root, FileCache(reader))
            for warning in [] if quiet else found.warnings:
                err(f"verfix: warning: {warning}")
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
    with output_stream(output, [path, *opened]) as stream:
        write_records(records, format, PRODUCT_FIELDS, stream, table_width(output))
    if verbose:
        note(f"{len(records)} product(s) found under {path} with the {reader.value} reader")
    raise typer.Exit(ExitCode.COMPLIANT)


def _relative_folder(folder: str, root: Path) -> str:
    """A product's folder (spelled, as in the record) for a table: relative to PATH, or
    ``p1:/WINNT/system32`` in an image."""
    from verfix.fsview import ImagePath
    from verfix.names import name_text

    if isinstance(root, ImagePath):
        return folder[len(name_text(root.prefix.rsplit("#", 1)[0])) + 1:]
    return os.path.relpath(folder, name_text(str(root)))
