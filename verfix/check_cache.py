"""The file cache of a check: each file read at most once, however many manifests name it."""

from __future__ import annotations

from pathlib import PurePath
from typing import TYPE_CHECKING

from verfix.pe import PEInfo, PEReadError, Reader, read_pe_file

if TYPE_CHECKING:
    from verfix.pe.linktime import LinkInfo


class FileCache:
    """Reads each file at most once, however many manifests name it."""

    def __init__(self, reader: Reader = Reader.FAST) -> None:
        self.reader = reader
        self._results: dict[PurePath, PEInfo | PEReadError] = {}
        self._links: dict[PurePath, LinkInfo | PEReadError] = {}

    def read(self, path: PurePath) -> PEInfo | PEReadError:
        if path not in self._results:
            try:
                self._results[path] = read_pe_file(path, self.reader)
            except PEReadError as error:
                self._results[path] = error
        return self._results[path]

    def link_info(self, path: PurePath) -> LinkInfo | PEReadError:
        """Size and COFF link time, for rows without a version (read once per file)."""
        if path not in self._links:
            from verfix.pe.linktime import read_link_info  # rows without a version only

            try:
                self._links[path] = read_link_info(path)
            except PEReadError as error:
                self._links[path] = error
        return self._links[path]

    @property
    def files_read(self) -> int:
        return len(self._results)
