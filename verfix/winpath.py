"""Paths as Windows writes them, for records of a copy laid out by drive letter (``--windows-paths``)."""

from __future__ import annotations

import os
from pathlib import Path

from verfix.discover import DRIVE_FOLDER
from verfix.names import Spelled, name_text


def windows_component(name: str) -> str:
    """One name of a Windows path, spelled (:func:`verfix.names.name_text`), with a backslash
    in it (possible on Linux, never on Windows) written ``%5C``, so that it cannot be taken
    for a separator."""
    return name_text(name).replace("\\", "%5C")


def windows_path(path: Path, root: Path) -> Spelled:
    """``root/D/EXCHSRVR/BIN/EMSMTA.EXE`` as ``D:\\EXCHSRVR\\BIN\\EMSMTA.EXE``, already spelled.

    The drive is the first folder under ``root`` named by a drive letter (``D``, ``d:``, ``D$``),
    or ``root`` itself when it is named so. Without one the path starts at the volume root,
    with no drive: ``\\EXCHSRVR\\BIN\\EMSMTA.EXE``. Names keep their case. Each name is
    spelled on its own (:func:`windows_component`) and the names are joined by single
    backslashes. A path outside ``root`` is returned spelled, unchanged otherwise.
    """
    try:
        parts = Path(os.path.abspath(path)).relative_to(Path(os.path.abspath(root))).parts
    except ValueError:
        return Spelled(name_text(str(path)))
    drive = DRIVE_FOLDER.match(Path(os.path.abspath(root)).name)
    if drive is None and parts:
        drive = DRIVE_FOLDER.match(parts[0])
        if drive is not None:
            parts = parts[1:]
    prefix = f"{drive.group(1).upper()}:" if drive else ""
    return Spelled(prefix + "\\" + "\\".join(windows_component(part) for part in parts))
