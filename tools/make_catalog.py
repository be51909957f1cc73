"""Regenerate manifests/catalog/ from a folder of KB articles and print the coverage summary."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from verfix.kbimport import build_catalog, format_summary  # noqa: E402
from verfix.manifest import write_bundle  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Import every article of the KB folder into manifests/catalog; 2 when the folder is missing."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("kb_dir", type=Path,
                        help="folder of product folders of QNNNNNN.TXT / .md articles (or one such folder)")
    parser.add_argument("--manifests", type=Path, default=REPO / "manifests")
    args = parser.parse_args(argv)
    if not args.kb_dir.is_dir():
        print(f"make_catalog: no article folder at {args.kb_dir}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    summary = build_catalog(args.kb_dir, args.manifests)
    elapsed = time.perf_counter() - started
    print(format_summary(summary))
    print(f"imported {summary.total} articles in {elapsed:.2f} s (reading, rules and writing the catalog)")
    print(f"wrote {write_bundle(args.manifests)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
