"""Paths as Windows writes them, for records of a copy laid out by drive letter (``--windows-paths``)."""

from __future__ import annotations

import os
from pathlib import Path

from verfix.discover import DRIVE_FOLDER


def windows_path(path: Path, root: Path) -> str:
    """``root/D/EXCHSRVR/BIN/EMSMTA.EXE`` as ``D:\\EXCHSRVR\\BIN\\EMSMTA.EXE``.

    The drive is the first folder under ``root`` named by a drive letter (``D``, ``d:``, ``D$``),
    or ``root`` itself when it is named so. Without one the path starts at the volume root,
    with no drive: ``\\EXCHSRVR\\BIN\\EMSMTA.EXE``. Names keep their case. A path outside
    ``root`` is returned unchanged.
    """
    try:
        parts = Path(os.path.abspath(path)).relative_to(Path(os.path.abspath(root))).parts
    except ValueError:
        return str(path)
    drive = DRIVE_FOLDER.match(Path(os.path.abspath(root)).name)
    if drive is None and parts:
        drive = DRIVE_FOLDER.match(parts[0])
        if drive is not None:
            parts = parts[1:]
    prefix = f"{drive.group(1).upper()}:" if drive else ""
    return prefix + "\\" + "\\".join(parts)
