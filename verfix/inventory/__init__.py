"""Inventory of every PE file under a folder: a safe streaming walk and one record per PE file.

The roles are split: :mod:`.walk` (the entries of a tree, never opened), :mod:`.records`
(records, counters, digest names), :mod:`.reading` (one file, opened once), :mod:`.scan`
(the records in the walk's order) and :mod:`.parallel` (the files read by worker processes,
``jobs`` > 1). This module is the one interface the rest of verfix uses.
"""

from __future__ import annotations

from verfix.inventory.records import HASH_ALGORITHMS, InventoryRecord, InventoryStats, parse_hashes
from verfix.inventory.reading import HASH_CHUNK_SIZE
from verfix.inventory.scan import inventory, inventory_lines
from verfix.inventory.walk import (
    SKIP_DEVICE, SKIP_DIRECTORY_SEEN, SKIP_FIFO, SKIP_LINK_DANGLING, SKIP_LINK_OUTSIDE, SKIP_LINK_TO_DIRECTORY,
    SKIP_LINK_TO_SPECIAL, SKIP_LOOP, SKIP_OTHER_TYPE, SKIP_REPARSE_POINT, SKIP_SOCKET, SKIP_TOO_DEEP,
    SORTED_FOLDER_LIMIT, EntryKind, WalkEntry, walk_pe_candidates,
)

__all__ = [
    "HASH_ALGORITHMS", "HASH_CHUNK_SIZE", "SKIP_DEVICE", "SKIP_DIRECTORY_SEEN", "SKIP_FIFO",
    "SKIP_LINK_DANGLING", "SKIP_LINK_OUTSIDE", "SKIP_LINK_TO_DIRECTORY", "SKIP_LINK_TO_SPECIAL",
    "SKIP_LOOP", "SKIP_OTHER_TYPE", "SKIP_REPARSE_POINT", "SKIP_SOCKET", "SKIP_TOO_DEEP",
    "SORTED_FOLDER_LIMIT", "EntryKind", "InventoryRecord", "InventoryStats", "WalkEntry",
    "inventory", "inventory_lines", "parse_hashes", "walk_pe_candidates",
]
