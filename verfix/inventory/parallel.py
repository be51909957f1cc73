"""``jobs`` > 1: the files of a folder read by worker processes, the records still made here
in the walk's order, so the output is the same as with one job.

The walk stays in this process. The first :data:`SERIAL_FILES` files are read here too, so a
small tree never starts a worker; after that the files go out in batches of
:data:`BATCH_FILES`, at most a few batches per worker in flight (memory stays flat), and
their outcomes come back in order. Workers ignore SIGINT: Ctrl-C reaches this process, which
stops them. A file a worker cannot read is an outcome like any other (reported per file).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections import deque
from contextlib import contextmanager
from multiprocessing.pool import AsyncResult, Pool
from typing import Any, Iterator

from verfix.inventory.reading import FileReader, Outcome, file_reader
from verfix.inventory.walk import FILE
from verfix.pe import Reader

SERIAL_FILES = 500       # read in this process before any worker starts
BATCH_FILES = 256        # files per task sent to a worker
BATCH_ENTRIES = 4096     # entries per batch at most (a folder of FIFOs has no files to send)
IN_FLIGHT_PER_JOB = 3    # batches per worker sent ahead


def default_jobs() -> int:
    """The processors this process may run on (all of the machine's cores, as a rule)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def read_in_workers(entries: Iterator[tuple], reader: Reader, hashes: tuple[str, ...], jobs: int,
                    *, serial_files: int | None = None) -> Iterator[tuple[tuple, Outcome | None]]:
    """(walk entry, outcome) for each entry, in the walk's order, as ``scan._read_here``
    gives them; the files after the first ``serial_files`` are read in ``jobs`` processes."""
    serial = SERIAL_FILES if serial_files is None else serial_files
    read = file_reader(reader, hashes)
    first = None
    for entry in entries:
        if entry[1] is not FILE:
            yield entry, None
        elif serial > 0:
            serial -= 1
            yield entry, read(entry[0], entry[3])
        else:
            first = entry
            break
    if first is None:
        return
    with _pool(jobs, reader, hashes) as pool:
        window = IN_FLIGHT_PER_JOB * jobs
        pending: deque[tuple[list[tuple], AsyncResult[list[Outcome]] | None]] = deque()
        batch: list[tuple] = [first]
        files: list[tuple[Any, bool]] = [(first[0], first[3])]
        for entry in entries:
            batch.append(entry)
            if entry[1] is FILE:
                files.append((entry[0], entry[3]))
            if len(files) >= BATCH_FILES or len(batch) >= BATCH_ENTRIES:
                pending.append((batch, pool.apply_async(_read_batch, (files,)) if files else None))
                batch, files = [], []
                while len(pending) >= window:
                    yield from _outcomes(*pending.popleft())
        if batch:
            pending.append((batch, pool.apply_async(_read_batch, (files,)) if files else None))
        while pending:
            yield from _outcomes(*pending.popleft())


def _outcomes(batch: list[tuple], result: AsyncResult[list[Outcome]] | None
              ) -> Iterator[tuple[tuple, Outcome | None]]:
    """A batch's entries, each file's with the outcome a worker sent back for it."""
    read = iter(result.get() if result is not None else ())
    for entry in batch:
        yield entry, next(read) if entry[1] is FILE else None


@contextmanager
def _pool(jobs: int, reader: Reader, hashes: tuple[str, ...]) -> Iterator[Pool]:
    """``jobs`` worker processes (forked where the system can, else spawned), stopped on the
    way out whatever happens. They start with SIGINT blocked, then ignore it."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    blocking = hasattr(signal, "pthread_sigmask")
    if blocking:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        pool = context.Pool(jobs, _start_worker, (reader, hashes, blocking))
    finally:
        if blocking:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
    try:
        yield pool
    finally:
        pool.terminate()
        pool.join()


_READ: FileReader | None = None   # a worker's reader, set by _start_worker
_KEPT: list[Any] = []              # a forked worker's copies of the streams: never flushed


def _start_worker(reader: Reader, hashes: tuple[str, ...], unblock: bool) -> None:
    """In a worker: ignore SIGINT, drop the copies of stdout/stderr a fork gave it (their
    unwritten bytes are the parent's to write), and make the reader."""
    global _READ
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if unblock:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _KEPT.extend((sys.stdout, sys.stderr))
    sys.stdout = sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the worker's life
    _READ = file_reader(reader, hashes)


def _read_batch(files: list[tuple[Any, bool]]) -> list[Outcome]:
    """In a worker: the outcome of each file, in order."""
    read = _READ if _READ is not None else file_reader()
    return [read(path, via_link) for path, via_link in files]
