"""The walk's entries and the outcomes of their files, made into records or into JSON Lines
(in order, counted in the run's counters); and a worker's lines for one batch of files."""

from __future__ import annotations

from json.encoder import encode_basestring
from typing import Callable, Iterator

from verfix.inventory.lines import LINE_HEAD
from verfix.inventory.output import record_line_maker
from verfix.inventory.reading import NOT_PE, PE, PE_ERROR, PE_LINE, SKIP, FileReader, Outcome
from verfix.inventory.records import InventoryRecord, InventoryStats
from verfix.inventory.walk import FILE, SKIP_OTHER_TYPE, SKIPPED

_COUNTERS = ("files_seen", "pe_files", "not_pe", "unreadable_files", "unreadable_folders",
             "read_errors", "no_version", "bytes_seen")


def records(outcomes: Iterator[tuple[tuple, Outcome | None]], counters: InventoryStats,
            hashes: tuple[str, ...], host: str | None, shown_path: Callable[[str], str] | None,
            as_text: bool) -> Iterator[InventoryRecord]:
    """The records (and counters) of the walk's entries and their outcomes, in order."""
    skipped = counters.skipped
    record_of = InventoryRecord._from_fields
    for (path, kind, reason, _), outcome in outcomes:
        text = str(path) if as_text else path  # report paths are text
        shown = text if shown_path is None else shown_path(text)
        if outcome is None:
            if kind is SKIPPED:
                reason = reason or SKIP_OTHER_TYPE
                skipped[reason] = skipped.get(reason, 0) + 1
            else:  # UNREADABLE_DIRECTORY
                counters.unreadable_folders += 1
                yield InventoryRecord(shown, error=reason, hashes=hashes, host=host)
            continue
        code = outcome[0]
        if code is SKIP:
            skipped[outcome[1]] = skipped.get(outcome[1], 0) + 1
            continue
        counters.files_seen += 1
        if code is NOT_PE:
            counters.bytes_seen += outcome[1]
            counters.not_pe += 1
            continue
        if code is not PE and code is not PE_ERROR:  # UNREADABLE
            counters.unreadable_files += 1
            yield InventoryRecord(shown, error=outcome[1], hashes=hashes, host=host)
            continue
        size = outcome[1]
        counters.bytes_seen += size
        counters.pe_files += 1
        digests = outcome[3]
        if code is PE_ERROR:
            counters.read_errors += 1
            yield InventoryRecord(shown, size=size, error=outcome[2], hashes=hashes, host=host,
                                  **digests)
            continue
        fields = outcome[2]
        if fields[0] is None:
            counters.no_version += 1
        yield record_of({
            "path": shown, "size": size,
            "file_version": fields[0], "file_version_string": fields[1], "product_name": fields[2],
            "product_version": fields[3], "product_version_string": fields[4],
            "company_name": fields[5], "file_description": fields[6],
            "original_filename": fields[7], "internal_name": fields[8],
            "legal_copyright": fields[9], "machine": fields[10],
            "md5": digests.get("md5") if digests else None,
            "sha1": digests.get("sha1") if digests else None,
            "sha256": digests.get("sha256") if digests else None,
            "error": fields[11], "hashes": hashes, "host": host,
        })


def lines(outcomes: Iterator[tuple[tuple, Outcome | None]], counters: InventoryStats,
          hashes: tuple[str, ...], host: str | None) -> Iterator[str]:
    """The JSON line of each entry that has a record, in order (and the counters)."""
    for text in entry_lines(outcomes, counters, hashes, host):
        if text:
            yield text


def entry_lines(outcomes: Iterator[tuple[tuple, Outcome | None]], counters: InventoryStats,
                hashes: tuple[str, ...], host: str | None) -> Iterator[str]:
    """One text per entry, in order: its JSON line, or "" for an entry without a record (it
    is counted). A PE_LINE outcome's line is its path and tail; any other is made through
    its record (as :func:`records` makes it), for a folder's paths (not a disk image's, no
    ``shown_path``)."""
    line_of = record_line_maker()
    head = LINE_HEAD
    encode = encode_basestring
    for item in outcomes:
        outcome = item[1]
        code = None if outcome is None else outcome[0]
        if code is PE_LINE:
            counters.files_seen += 1
            counters.bytes_seen += outcome[1]  # type: ignore[index]
            counters.pe_files += 1
            if not outcome[3]:  # type: ignore[index]
                counters.no_version += 1
            yield head + encode(item[0][0]) + outcome[2]  # type: ignore[index]
        elif code is NOT_PE:
            counters.files_seen += 1
            counters.bytes_seen += outcome[1]  # type: ignore[index]
            counters.not_pe += 1
            yield ""
        else:  # the rest, rare: through the record
            yield "".join(line_of(record) for record in records(
                iter((item,)), counters, hashes, host, None, False))


def batch_lines(read: FileReader, files: list[tuple[str, bool]], hashes: tuple[str, ...],
                host: str | None) -> tuple[list[str], tuple]:
    """A worker's answer for a batch of a folder's files: the text of each (its JSON line, or
    "") and the batch's counters (for :func:`add_counts`)."""
    counters = InventoryStats()
    texts = list(entry_lines((((path, FILE, None, via_link), read(path, via_link))
                              for path, via_link in files), counters, hashes, host))
    return texts, counts_of(counters)


def counts_of(counters: InventoryStats) -> tuple:
    """The counters as a picklable tuple, for :func:`add_counts`."""
    return (*(getattr(counters, name) for name in _COUNTERS), counters.skipped)


def add_counts(counters: InventoryStats, counts: tuple) -> None:
    """Add the counts of :func:`counts_of` to ``counters``."""
    for name, value in zip(_COUNTERS, counts):
        setattr(counters, name, getattr(counters, name) + value)
    for reason, number in counts[-1].items():
        counters.skipped[reason] = counters.skipped.get(reason, 0) + number
