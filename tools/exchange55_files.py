"""Derive the files of the example Exchange 5.5 bin folders from the bundled catalog.

Writes testdata/exchange55-files.tsv, which testdata/build.sh (`make testdata`) turns into
testdata/sp2/exchsrvr/bin and testdata/sp3/exchsrvr/bin. Every file named by a catalog row
that applies to an Exchange 5.5 x86 server is listed, with the version each folder gets:

- sp3: the highest version required by an article fixed in "Exchange Server 5.5 SP2" or
  "Exchange Server 5.5 SP3"; else 5.5.2650.0 (the SP3 build), e.g. for binaries named only by
  later hotfix articles.
- sp2: the highest version required by an article fixed in "Exchange Server 5.5 SP2" (and not
  also in SP3: such an article asks for an SP3 build); else 5.5.2448.0 (the SP2 build), never
  above the file's sp3 version.

Q236586's six MTA binaries keep the facts the older example folders had: 5.5.2448.0 on SP2
(so Q197398, whose KB table asks for the hotfix build 5.5.2448.1, is not met by the SP2
folder), and X400omv1.dll on SP3 keeps the stale FileVersion string "5.5.2448.0".

Run: .venv/bin/python tools/exchange55_files.py [--check]
"""

from __future__ import annotations

import argparse
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from verfix.check import fits_release, release_label  # noqa: E402
from verfix.discover import PRODUCT  # noqa: E402
from verfix.kbimport import fixed_in_from_keywords  # noqa: E402
from verfix.manifest import FileRow, Manifest, load_bundled  # noqa: E402
from verfix.version import Version, parse_version  # noqa: E402

OUTPUT = REPO / "testdata" / "exchange55-files.tsv"
RELEASE = "5.5"
SP2_FIX = "Exchange Server 5.5 SP2"
SP3_FIX = "Exchange Server 5.5 SP3"
SP2_BUILD = parse_version("5.5.2448.0")
SP3_BUILD = parse_version("5.5.2650.0")
BINARY_EXTENSIONS = (".exe", ".dll")

# Q236586's six binaries: SP2 version pinned, FileVersion string style and description kept.
Q236586_BINARIES = {
    "ems_rid.dll": ("dots", "Microsoft Exchange MTA Routing Interface"),
    "emsmta.exe": ("dots", "Microsoft Exchange Message Transfer Agent"),
    "mtacheck.exe": ("commas", "Microsoft Exchange MTA Database Check"),
    "mtamsg.dll": ("commas", "Microsoft Exchange MTA Messages"),
    "x400om.dll": ("dots", "Microsoft Exchange X.400 Object Management"),
    "x400omv1.dll": ("dots", "Microsoft Exchange X.400 Object Management, Version 1"),
}
STALE_SP3_STRINGS = {"x400omv1.dll": "5.5.2448.0"}

COLUMNS = ("name", "kind", "sp2_version", "sp3_version", "sp2_string", "sp3_string",
           "first_article", "description")


@dataclass
class ExampleFile:
    """One file of the example folders and what it holds in each."""

    name: str
    first_article: str
    component: str | None
    sp2_required: Version | None = None   # highest required by the SP2-only-fix articles
    sp3_required: Version | None = None   # highest required by the SP2- or SP3-fix articles

    @property
    def key(self) -> str:
        return self.name.lower()

    @property
    def is_binary(self) -> bool:
        return self.key.endswith(BINARY_EXTENSIONS)

    @property
    def sp3_version(self) -> Version:
        return self.sp3_required or SP3_BUILD

    @property
    def sp2_version(self) -> Version:
        if self.key in Q236586_BINARIES:
            return SP2_BUILD
        return self.sp2_required or min(SP2_BUILD, self.sp3_version)

    def string(self, version: Version, folder: str) -> str:
        """The FileVersion string of a binary: dotted or "5, 5, 2650, 0" style."""
        if folder == "sp3" and self.key in STALE_SP3_STRINGS:
            return STALE_SP3_STRINGS[self.key]
        style = Q236586_BINARIES.get(self.key, (None,))[0]
        if style is None:
            style = "commas" if zlib.crc32(self.key.encode()) % 3 == 0 else "dots"
        return ", ".join(map(str, version)) if style == "commas" else str(version)

    @property
    def description(self) -> str:
        kept = Q236586_BINARIES.get(self.key)
        if kept:
            return kept[1]
        what = f" ({self.component})" if self.component else ""
        return f"Microsoft Exchange Server 5.5 file{what}"


def fix_releases(manifest: Manifest) -> set[str]:
    """Exchange 5.5 SP2 or SP3 as the fix keywords name them (EXC55SP3Fix): the example folders
    were built from the keywords; ``fixed_in`` also reads the article's sentences."""
    parts = {part.strip() for part in (fixed_in_from_keywords(manifest.keywords) or "").split(";")}
    return parts & {SP2_FIX, SP3_FIX}


def applies_to_55_x86(row: FileRow) -> bool:
    """A row without product version or for 5.5, and without platform or for x86."""
    if row.product_version and release_label(row.product_version) != RELEASE:
        return False
    return row.platform in (None, "x86")


def derive(manifests: Iterable[Manifest]) -> list[ExampleFile]:
    """Every file an Exchange 5.5 x86 row names, with the versions of both folders."""
    files: dict[str, ExampleFile] = {}
    for manifest in sorted(manifests, key=lambda m: int(m.id[1:])):
        if not fits_release(manifest, RELEASE):
            continue
        fixes = fix_releases(manifest)
        for row in manifest.files:
            if not applies_to_55_x86(row):
                continue
            item = files.setdefault(
                row.name.lower(), ExampleFile(row.name, manifest.id, row.component or manifest.component)
            )
            if row.version is None:
                continue
            if fixes:
                item.sp3_required = max(filter(None, (item.sp3_required, row.version)))
            if fixes == {SP2_FIX}:
                item.sp2_required = max(filter(None, (item.sp2_required, row.version)))
    return sorted(files.values(), key=lambda f: f.key)


def render(files: list[ExampleFile], articles: int) -> str:
    """The TSV text: header comments, column names, one line per file."""
    binaries = sum(f.is_binary for f in files)
    lines = [
        "# Files of the example Exchange Server 5.5 (x86) bin folders testdata/sp2 and testdata/sp3.",
        f"# Generated by tools/exchange55_files.py from the bundled catalog ({articles} articles fit",
        "# release 5.5); do not edit: rerun it after the catalog changes, then `make testdata`.",
        f"# {len(files)} files ({binaries} binaries, {len(files) - binaries} data files), each named"
        " by a row for 5.5 (or no product version) and x86 (or no platform).",
        f"# sp3_version: highest version required by articles fixed in \"{SP2_FIX}\" or \"{SP3_FIX}\",",
        f"#   else {SP3_BUILD}. sp2_version: highest required by articles fixed in \"{SP2_FIX}\""
        " (not also SP3), else"
        f" {SP2_BUILD} (at most sp3_version);",
        f"#   Q236586's six MTA binaries stay at {SP2_BUILD} on SP2. Data files carry no version"
        " resource (strings '-').",
        "# first_article: the lowest article number naming the file, whose spelling is used.",
        "\t".join(COLUMNS),
    ]
    for f in files:
        sp2, sp3 = f.sp2_version, f.sp3_version
        strings = (f.string(sp2, "sp2"), f.string(sp3, "sp3")) if f.is_binary else ("-", "-")
        kind = "binary" if f.is_binary else "data"
        lines.append("\t".join((f.name, kind, str(sp2), str(sp3), *strings, f.first_article,
                                f.description if f.is_binary else "-")))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the TSV (or with --check, exit 1 when the committed one is out of date)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--check", action="store_true", help="only compare with the existing file")
    args = parser.parse_args(argv)
    manifests = [m for m in load_bundled() if m.product == PRODUCT]  # what a bin-folder check applies
    text = render(derive(manifests), sum(fits_release(m, RELEASE) for m in manifests))
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date: run tools/exchange55_files.py", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output.relative_to(REPO) if args.output.is_relative_to(REPO) else args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
