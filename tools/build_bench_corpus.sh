#!/bin/sh
# Build the reference benchmark corpus: the PE files of Debian's 64- and 32-bit Wine packages.
#
# Usage: sh tools/build_bench_corpus.sh [DEST]      (DEST defaults to /tmp/bench-corpus)
# Then:  make bench BENCH_CORPUS=DEST
#
# The packages are wine64, libwine (amd64) and libwine:i386. On Debian 12 (wine 8.0~repack-4)
# that is 1,608 regular files (1.2 GB), 1,446 of them PE: x86-64 and i386 DLLs and EXEs. The
# issue named wine64 and libwine:i386 only, but on Debian 12 wine64 holds just the loader and
# its x86-64 PE files are in libwine; those two alone give 883 files, 753 PE (i386 only).
# BENCH_PACKAGES overrides the list, e.g. BENCH_PACKAGES="wine64 libwine:i386".
#
# Needs root and the network now (dpkg --add-architecture, apt-get update, apt-get download);
# the benchmark itself needs neither. Keep DEST outside the repository: it is hundreds of MB
# and must never be committed.
set -eu

dest=${1:-/tmp/bench-corpus}
repo=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
case "$dest/" in
  "$repo/"*)
    rmdir "$dest" 2>/dev/null || true
    echo "build_bench_corpus: $dest is inside the repository; choose a folder outside it" >&2
    exit 2 ;;
esac

if [ "$(id -u)" -ne 0 ]; then
  echo "build_bench_corpus: run as root (it adds the i386 architecture and runs apt-get)" >&2
  exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dpkg --add-architecture i386
# A mirror in the middle of a sync can fail one index (often -security for i386): go on, and
# let apt-get download say so if the two packages really cannot be found.
apt-get update -qq || echo "build_bench_corpus: apt-get update reported errors; trying the download anyway" >&2
packages=${BENCH_PACKAGES:-wine64 libwine libwine:i386}
# apt-get download runs as _apt when it can: let it write into the work folder.
chmod 0777 "$work"
# shellcheck disable=SC2086 # the package list is meant to be split into words
( cd "$work" && apt-get download $packages )

for deb in "$work"/*.deb; do
  echo "extracting $(basename "$deb")"
  dpkg-deb -x "$deb" "$dest"
done

# Keep every file; the benchmark walks the whole tree and counts the non-PE files too.
pe=$(find "$dest" -type f -exec sh -c 'head -c 2 "$1" | grep -q "^MZ" && echo x' _ {} \; | wc -l)
all=$(find "$dest" -type f | wc -l)
echo "corpus ready in $dest: $all files, $pe of them start with MZ"
echo "run: make bench BENCH_CORPUS=$dest"
