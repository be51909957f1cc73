"""``verfix check`` as the typer app declares it: the options, their help, and a call of
:func:`verfix.cli.check.run`, which does the work."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from verfix.cli import check as check_module
from verfix.cli.common import app
from verfix.formats import CheckFormat
from verfix.pe import Reader


@app.command()
def check(
    path: Path = typer.Argument(
        ..., metavar="PATH",
        help="A mounted volume or image folder (every product found on it is checked), a system32 "
        "folder, an Exchange bin folder, or a disk image (raw, E01, VMDK, VHD, qcow2; needs the "
        "'images' extra; each volume is checked as a mounted one would be).",
        readable=False,  # what cannot be read is verfix's to report (unreadable), not a usage error
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
        None, "--component", metavar="TEXT", help="Only manifests whose component contains TEXT (e.g. MTA).",
    ),
    bin_dir: bool = typer.Option(False, "--bin-dir", help="PATH is the bin folder: skip discovery."),
    details: bool = typer.Option(
        False, "--details", "-d", help="Show every row of every article (the default when -m is given); "
        "fitted to the width, whole in JSON and CSV."
    ),
    show_all: bool = typer.Option(
        False, "--all", "-a", help="The table lists compliant articles too, not only those that need action."
    ),
    format: CheckFormat = typer.Option(
        CheckFormat.TABLE, "--format", "-f",
        help="Report format: table (articles that need action and the remediation plan), json, "
        "jsonl, csv, html (one self-contained page), sarif (SARIF 2.1.0).",
    ),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the report to FILE.", readable=False),
    reader: Reader = typer.Option(Reader.FAST, "--reader", help="PE reader: verfix's own or pefile."),
    partition: Optional[int] = typer.Option(
        None, "--partition", metavar="N", help="In a disk image, only partition N (numbered as listed)."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Nothing on stderr but errors."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Also each article's counts and what was read."),
) -> None:
    """Check a server's files against manifests and report what is below the fixed version,
    with the fewest service packs and hotfixes that clear every finding.

    On a volume (a system root, a system32 folder, each volume of a disk image...) every
    product found is checked against the whole catalog, with one line per product and the
    registry's hotfix records against the files; an Exchange bin folder against the Exchange
    articles.

    Exit codes: 0 compliant, 1 not compliant, 2 usage or input error, 3 incomplete, 4 internal error,
    130 interrupted (143 SIGTERM, 129 SIGHUP).
    """
    raise typer.Exit(check_module.run(
        path, manifest, product, component, bin_dir, details, show_all, format, output, reader,
        partition, quiet, verbose))
