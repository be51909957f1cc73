"""Compare the libraries that could read disk images for verfix: the libyal bindings (what
verfix uses), pytsk3 (The Sleuth Kit) over the libyal containers, and dfVFS. For each committed
test image: import time, then the best of N runs of "open, walk both volumes, read every file
in 4 KiB pieces". Only the libraries installed are measured; to measure all three:

    python3 -m venv /tmp/libs && /tmp/libs/bin/pip install dfvfs pytsk3
    /tmp/libs/bin/python tools/image_libraries.py
"""

from __future__ import annotations

import argparse
import importlib
import resource
import sys
import time
from pathlib import Path
IMAGES = Path(__file__).resolve().parent.parent / "testdata" / "images"
NAMES = ("server.img", "server.E01", "server.vmdk", "server.vhd", "server.qcow2")
PIECE = 4096


def walk_libyal(path: str) -> tuple[int, int]:
    """The libyal file systems walked directly, over verfix's read-only containers and MBR reader."""
    import pyfsfat
    import pyfsntfs

    from verfix.image.media import open_media
    from verfix.image.partitions import read_partitions
    from verfix.image.volume import PartitionFile, file_system_of

    entries = read = 0
    with open_media(path) as media:
        for part in read_partitions(media).partitions:
            module = pyfsntfs if file_system_of(media.read_at(part.start, 512)) == "NTFS" else pyfsfat
            volume = module.volume()
            volume.open_file_object(PartitionFile(media, part))
            pending = [volume.get_root_directory()]
            while pending:
                for entry in pending.pop().sub_file_entries:
                    entries += 1
                    if module is pyfsntfs:
                        is_dir = entry.has_directory_entries_index()
                    else:
                        is_dir = bool(entry.file_attribute_flags & 0x10)
                    if is_dir:
                        pending.append(entry)
                        continue
                    for offset in range(0, entry.size, PIECE):
                        read += len(entry.read_buffer_at_offset(min(PIECE, entry.size - offset), offset))
    return entries, read


def walk_pytsk3(path: str) -> tuple[int, int]:
    """pytsk3's partitions and file systems over verfix's read-only libyal containers."""
    import pytsk3

    from verfix.image.media import open_media

    media = open_media(path)

    class Image(pytsk3.Img_Info):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(url="", type=pytsk3.TSK_IMG_TYPE_EXTERNAL)

        def read(self, offset: int, length: int) -> bytes:
            return media.read_at(offset, length)

        def get_size(self) -> int:
            return media.size

        def close(self) -> None:
            pass

    image = Image()
    entries = read = 0
    try:
        for part in pytsk3.Volume_Info(image):
            if part.flags != pytsk3.TSK_VS_PART_FLAG_ALLOC:
                continue
            file_system = pytsk3.FS_Info(image, offset=part.start * 512)
            pending = [file_system.open_dir("/")]
            while pending:
                for entry in pending.pop():
                    if entry.info.name.name in (b".", b"..") or entry.info.meta is None:
                        continue
                    entries += 1
                    if entry.info.meta.type == pytsk3.TSK_FS_META_TYPE_DIR:
                        pending.append(entry.as_directory())
                    elif entry.info.meta.type == pytsk3.TSK_FS_META_TYPE_REG:
                        size = entry.info.meta.size
                        for offset in range(0, size, PIECE):
                            read += len(entry.read_random(offset, min(PIECE, size - offset)))
    finally:
        media.close()
    return entries, read


def walk_dfvfs(path: str) -> tuple[int, int]:
    from dfvfs.helpers import volume_scanner
    from dfvfs.resolver import resolver

    options = volume_scanner.VolumeScannerOptions()
    options.partitions = ["all"]
    entries = read = 0
    for spec in volume_scanner.VolumeScanner().GetBasePathSpecs(path, options=options):
        pending = [resolver.Resolver.OpenFileEntry(spec)]
        while pending:
            for entry in pending.pop().sub_file_entries:
                entries += 1
                if entry.IsDirectory():
                    pending.append(entry)
                elif entry.IsFile() and (stream := entry.GetFileObject()) is not None:
                    while data := stream.read(PIECE):
                        read += len(data)
    return entries, read


BACKENDS = {
    "libyal": (walk_libyal, ("pyewf", "pyvmdk", "pyvhdi", "pyqcow", "pyfsntfs", "pyfsfat")),
    "pytsk3": (walk_pytsk3, ("pyewf", "pyvmdk", "pyvhdi", "pyqcow", "pytsk3")),
    "dfvfs": (walk_dfvfs, ("dfvfs.helpers.volume_scanner", "dfvfs.resolver.resolver")),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--backend", choices=BACKENDS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.backend:  # one backend in this process: its import time and peak memory are its own
        walk, modules = BACKENDS[args.backend]
        started = time.perf_counter()
        for module in modules:
            importlib.import_module(module)
        imported = time.perf_counter() - started
        for name in NAMES:
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                try:
                    entries, read = walk(str(IMAGES / name))
                except Exception as error:  # noqa: BLE001 - a library's failure is a result
                    entries, read = -1, f"{type(error).__name__}: {str(error)[:60]}"
                times.append(time.perf_counter() - started)
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"{args.backend:7} {imported * 1e3:8.1f} {name:13} {min(times) * 1e3:9.1f} {entries:8} "
                  f"{read!s:>10} {peak:8.1f}")
        return 0
    import subprocess

    print(f"{'library':7} {'import ms':>8} {'image':13} {'walk+read ms':>9} {'entries':>8} "
          f"{'bytes':>10} {'peak MiB':>8}")
    for backend, (_, modules) in BACKENDS.items():
        try:
            for module in modules:
                importlib.import_module(module)
        except ImportError as error:
            print(f"{backend:7} not installed ({error.name})")
            continue
        subprocess.run([sys.executable, __file__, "--backend", backend, "--runs", str(args.runs)], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
