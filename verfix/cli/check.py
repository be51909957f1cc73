"""``verfix check``: a bin folder, a volume or a disk image against the manifests.

No typer here: the entry point runs :func:`run` directly for the plain forms of the command.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any, List, Optional

from verfix.check import FileCache, FolderCheck, Verdict, check_folder
from verfix.cli.base import ExitCode, InputError, err, note, output_stream, scan_roots, use_colour, table_width
from verfix.discover import BinDir
from verfix.formats import CheckFormat, summary_line, verdict_counts_line, write_check
from verfix.manifest import Manifest
from verfix.pe import Reader
from verfix.select import find_manifests, matches_product


def _select_manifests(
    selectors: List[str], products: List[str], component: Optional[str], *, every_product: bool = False,
) -> tuple[list[Manifest], bool]:
    """The manifests asked for, and whether they were chosen automatically (all bundled: of
    Exchange for a bin folder, of ``every_product`` for a whole server)."""
    from verfix.select import words

    for query in products:
        if not words(query):  # "!!", "." or blanks: no word to match, not "every product"
            raise InputError(f"--product {query!r} has no word to match (e.g. \"Exchange 5.5\")")
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
        from verfix.catalog import load_catalog

        chosen = load_catalog()
    else:
        from verfix.discover import PRODUCT

        # A bin folder is an Exchange server's: the other products' manifests do not apply.
        from verfix.catalog import load_catalog

        chosen = load_catalog(product=PRODUCT)
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
            err(f"verfix: warning: {failure}")
    return found


def _bin_dirs(path: Path, bin_dir: bool, quiet: bool, markers: List[str]) -> list[BinDir]:
    """The folders to check: PATH itself with --bin-dir, else what discovery finds."""
    if bin_dir:
        from verfix.fsview import ImagePath

        if isinstance(path, ImagePath):
            raise InputError("--bin-dir takes a folder, not a disk image")
        try:
            info = os.stat(path)
        except OSError as error:  # gone, too long a name, a folder on the way not searchable...
            from verfix.fsview import error_reason

            missing = isinstance(error, (FileNotFoundError, NotADirectoryError))
            raise InputError(f"{path}: no such folder" if missing
                             else f"cannot use {path}: {error_reason(error)}") from None
        if not stat.S_ISDIR(info.st_mode):
            raise InputError(f"{path}: not a folder")
        return [BinDir(path, f"{path} (given with --bin-dir)")]
    from verfix.discover import MARKER_FILES, DiscoveryError, find_bin_dirs

    try:
        discovery = find_bin_dirs(path, [*MARKER_FILES, *markers])
    except DiscoveryError as error:
        for warning in error.warnings:
            err(f"verfix: warning: {warning}")
        raise InputError(str(error)) from None
    if not quiet:
        for warning in discovery.warnings:
            err(f"verfix: warning: {warning}")
    return list(discovery.found)


def run(
    path: Path, manifest: List[str], product: List[str], component: Optional[str], bin_dir: bool,
    details: bool, show_all: bool, format: CheckFormat, output: Optional[Path], reader: Reader,
    partition: Optional[int], quiet: bool, verbose: bool,
) -> int:
    """``verfix check``'s work once its arguments are parsed (by typer in
    ``verfix.cli.check_command``, or by ``verfix.cli.fastargs`` for the plain forms); the exit code."""
    path = Path(os.path.abspath(path))
    cache = FileCache(reader)
    with scan_roots(path, partition, quiet) as (roots, opened):
        surveys = None if bin_dir else _whole_server(roots, cache)
        if surveys is not None:
            return _check_server(path, opened, surveys, cache, manifest, product, component,
                                 details=details, show_all=show_all, format=format, output=output,
                                 quiet=quiet, verbose=verbose)
        manifests, automatic = _select_manifests(manifest, product, component)
        # Files the named manifests version also mark PATH as a bin folder of its own.
        named = [] if automatic else [r.name for m in manifests for r in m.files if r.version]
        found = _bin_dirs_in(roots, bin_dir, quiet, named)
        folders = [
            check_folder(manifests, item.path, cache, root=root, how=item.how, skip_inapplicable=automatic)
            for item, root in found
        ]
    # What this run read, never to be written over: folders and an image's files (its
    # segments or extents; what is inside it is in them).
    read = [path, *opened, *(item.path for item, _ in found if isinstance(item.path, Path)),
            *(m.path for m in manifests if m.path)]
    with output_stream(output, read) as stream:
        write_check(folders, path, format, stream, details=details or not automatic,
                    colour=use_colour(output), width=table_width(output), show_all=show_all)
    if not quiet:
        for folder in folders:
            note(f"checked: {folder.how}")
            if automatic and not verbose:
                note(verdict_counts_line(folder))
            else:
                for result in folder.results:
                    note(summary_line(result))
                if automatic:
                    note(verdict_counts_line(folder))
            if not folder.results:
                note(f"no manifest applies to {folder.bin_dir}: nothing could be checked")
        if verbose:
            note(f"{len(manifests)} manifest(s) selected; {cache.files_read} file(s) read with the "
                 f"{reader.value} reader")
    return _exit_code(folders)


def _whole_server(roots: list, cache: FileCache) -> Any:
    """The surveys of the roots (PATH, or each volume of a disk image) when one of them holds
    more than an Exchange server's folders (a system root, a system32 folder, IIS...): then the
    whole-server check runs on each volume where something was found; else None (the Exchange
    bin-folder check, as before)."""
    from verfix.fsview import ImagePath
    from verfix.survey import survey

    found = [survey(root, cache) for root in roots if isinstance(root, ImagePath) or os.path.isdir(root)]
    if any(p.profile.slug != "exchange" for item in found for p in item.products):
        return [item for item in found if item.products]
    return None


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
    path: Path, opened: List[Path], surveys: list, cache: FileCache, selectors: List[str], queries: List[str],
    component: Optional[str], *, details: bool, show_all: bool, format: CheckFormat,
    output: Optional[Path], quiet: bool, verbose: bool,
) -> ExitCode:
    """``verfix check VOLUME``: on each volume surveyed, every product found (or those
    ``queries`` name) against the catalog of every product (or the ``-m`` manifests); the exit code."""
    from verfix.server_report import as_folder
    from verfix.servercheck import combined, run_check

    everything = [item for found in surveys for item in found.products]
    for query in queries:
        if not any(_profile_matches(item, query) for item in everything):
            shown = ", ".join(p.profile.name for p in everything)
            raise InputError(f"--product {query!r} names no product found under {path} (found: {shown})")
    manifests: list[Any]
    if selectors or component:
        manifests, automatic = _select_manifests(selectors, [], component, every_product=True)
        manifest_paths = [m.path for m in manifests if m.path]
    else:  # the whole catalog: entries, each built only where its files are (verfix.catalog)
        from verfix.catalog import catalog_entries
        from verfix.manifest import bundled_root

        manifests, automatic, manifest_paths = catalog_entries(), True, [bundled_root()]
    checks = []
    for found in surveys:
        slugs = [p.profile.slug for p in found.products if any(_profile_matches(p, q) for q in queries)]
        if queries and not slugs:
            continue  # none of the products asked for is on this volume
        checks.append(run_check(found.root, manifests, products=slugs, cache=cache,
                                skip_inapplicable=automatic, found=found))
    checked = combined(checks)
    # A product no selected manifest is for has no folder entry (it is in the product lines).
    folders = [as_folder(item) for item in checked.products if item.results or item.not_applicable]
    # What this run read, never to be written over: folders and an image's files.
    read = [path, *opened, *(f.bin_dir for f in folders if isinstance(f.bin_dir, Path)), *manifest_paths]
    with output_stream(output, read) as stream:
        write_check(folders, path, format, stream, details=details or not automatic, colour=use_colour(output),
                    width=table_width(output), show_all=show_all, server=checked)
    if not quiet:
        for warning in (w for found in surveys for w in found.warnings):
            err(f"verfix: warning: {warning}")
        if not automatic and checked.unplaced:  # articles named with -m that nothing here is for
            product = {m.id: m.product for m in manifests}
            for manifest_id in checked.unplaced:
                err(f"verfix: warning: {manifest_id} not checked: it is for {product[manifest_id]}, "
                    f"which is not found under {path}")
        for folder in folders:
            note(f"checked: {folder.how}")
            note(verdict_counts_line(folder))
            if verbose:  # each article's counts
                for result in folder.results:
                    note(summary_line(result))
        if verbose:
            note(f"{len(manifests)} manifest(s) selected, {len(checked.unplaced)} for no product found here; "
                 f"{cache.files_read} file(s) read with the {cache.reader.value} reader")
    return _exit_code(folders)
