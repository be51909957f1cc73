"""``jobs`` > 1: the files of a folder read by worker processes, the records still made here
in the walk's order, so the output is the same as with one job.

The walk stays in this process. The first :data:`SERIAL_FILES` files are read here too, so a
small tree never starts a worker; after that the files go out in batches of
:data:`BATCH_FILES`, at most a few batches per worker in flight (memory stays flat), and
their outcomes come back in order. Workers ignore SIGINT, SIGTERM and SIGHUP: they reach this
process, which stops them. A file a worker cannot read is an outcome like any other (reported
per file); the batches of a worker that could not be started or ended early are read in this
process (:mod:`.pool`).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections import deque
from contextlib import contextmanager
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, Callable, Iterator

from verfix.fsio import os_reason
from verfix.inventory.lines import tail_maker
from verfix.inventory.outcomes import add_counts, entry_lines, lines
from verfix.inventory.pool import Pool, Turn, answer_batch
from verfix.inventory.reading import Outcome, file_reader
from verfix.inventory.records import InventoryStats
from verfix.inventory.walk import FILE
from verfix.pe import Reader

SERIAL_FILES = 500       # read in this process before any worker starts
BATCH_FILES = 256        # files per task sent to a worker
BATCH_ENTRIES = 4096     # entries per batch at most (a folder of FIFOs has no files to send)
IN_FLIGHT_PER_JOB = 3    # batches per worker sent ahead
JOBS_PER_CORE = 4        # --jobs is capped at this many processes per core


def default_jobs() -> int:
    """The processors this process may run on (all of the machine's cores, as a rule)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def usable_jobs(asked: int) -> int:
    """``--jobs`` as run: at least 1, at most :data:`JOBS_PER_CORE` per core (more only
    costs memory: each worker is a process of its own)."""
    return max(1, min(asked, JOBS_PER_CORE * default_jobs()))


def read_in_workers(entries: Iterator[tuple], reader: Reader, hashes: tuple[str, ...], jobs: int,
                    *, serial_files: int | None = None, counters: InventoryStats | None = None
                    ) -> Iterator[tuple[tuple, Outcome | None]]:
    """(walk entry, outcome) for each entry, in the walk's order, as ``scan._read_here``
    gives them; the files after the first ``serial_files`` are read in ``jobs`` processes
    (a worker that cannot be started or ends early is said in ``counters.notes``)."""
    first: list[tuple] = []
    yield from _read_here_first(entries, file_reader(reader, hashes), serial_files, first)
    if not first:
        return
    notes = counters.notes if counters is not None else []
    for batch, answer in _batches(entries, first[0], jobs, reader, hashes, None, notes):
        outcomes = iter(answer or ())
        for entry in batch:
            yield entry, next(outcomes) if entry[1] is FILE else None


def lines_in_workers(entries: Iterator[tuple], reader: Reader, hashes: tuple[str, ...], jobs: int,
                     host: str | None, counters: InventoryStats, *, serial_files: int | None = None
                     ) -> Iterator[str]:
    """``scan.inventory_lines`` of a folder with workers: the JSON Lines of the entries, in
    the walk's order, in chunks of whole lines. A worker answers a batch of files with the
    text of each and the batch's counters (``outcomes.batch_lines``), so this process adds
    the counters and joins the texts of a batch in one call (where the batch holds files
    alone, as a rule)."""
    read = file_reader(reader, hashes, tail=tail_maker(hashes, host))
    first: list[tuple] = []
    yield from lines(_read_here_first(entries, read, serial_files, first), counters, hashes, host)
    if not first:
        return
    for batch, answer in _batches(entries, first[0], jobs, reader, hashes, (host,), counters.notes):
        texts: list[str] = []
        if answer is not None:
            texts, counts = answer
            add_counts(counters, counts)
        if len(texts) != len(batch):  # entries that are not files: their lines made here
            made = iter(texts)
            texts = [next(made) if entry[1] is FILE else "".join(
                entry_lines(iter(((entry, None),)), counters, hashes, host)) for entry in batch]
        chunk = "".join(texts)
        if chunk:
            yield chunk


def _read_here_first(entries: Iterator[tuple], read: Callable[[Any, bool], Outcome], serial_files: int | None,
                     first: list[tuple]) -> Iterator[tuple[tuple, Outcome | None]]:
    """(entry, outcome) of the entries up to the first file past the first ``serial_files``
    (default :data:`SERIAL_FILES`), read in this process; that file, if any, is put in
    ``first`` for the workers, and ``entries`` goes on after it."""
    serial = SERIAL_FILES if serial_files is None else serial_files
    for entry in entries:
        if entry[1] is not FILE:
            yield entry, None
        elif serial > 0:
            serial -= 1
            yield entry, read(entry[0], entry[3])
        else:
            first.append(entry)
            return


def _batches(entries: Iterator[tuple], first: tuple, jobs: int, reader: Reader,
             hashes: tuple[str, ...], lines: tuple[str | None] | None, notes: list[str]
             ) -> Iterator[tuple[list[tuple], Any]]:
    """(batch of entries, the worker's answer for its files or None when it has none) from
    ``first`` on, in the walk's order, the files read by ``jobs`` workers (or here, for a
    worker that could not start or ended: :class:`.pool.Pool`)."""
    jobs = usable_jobs(jobs)
    with _workers(jobs, reader, hashes, lines, notes) as pipes:
        workers = Pool(pipes, _reader(reader, hashes, lines), hashes, lines, notes)
        window = IN_FLIGHT_PER_JOB * jobs
        # Batches go to the workers in turn, so their answers come back in the same turn.
        pending: deque[tuple[list[tuple], Turn | None]] = deque()
        batch: list[tuple] = [first]
        files: list[tuple[Any, bool]] = [(first[0], first[3])]
        for entry in entries:
            batch.append(entry)
            if entry[1] is FILE:
                files.append((entry[0], entry[3]))
            if len(files) >= BATCH_FILES or len(batch) >= BATCH_ENTRIES:
                pending.append((batch, workers.send(files)))
                batch, files = [], []
                while len(pending) >= window:
                    yield _answered(*pending.popleft())
        if batch:
            pending.append((batch, workers.send(files)))
        while pending:
            yield _answered(*pending.popleft())


def _answered(batch: list[tuple], worker: Turn | None) -> tuple[list[tuple], Any]:
    return batch, None if worker is None else worker.answer(batch)


@contextmanager
def _workers(jobs: int, reader: Reader, hashes: tuple[str, ...], lines: tuple[str | None] | None,
             notes: list[str]) -> Iterator[list[Any]]:
    """A pipe to each of ``jobs`` worker processes (forked where the system can, else
    spawned), stopped on the way out whatever happens (SIGKILL). They start with SIGINT,
    SIGTERM and SIGHUP blocked, then ignore them. No thread is started here: this process's
    one thread sends and receives. When the system refuses a new process (its limit of
    processes or memory reached), the run goes on with those started (none: the files are
    read here), and ``notes`` says so."""
    methods = multiprocessing.get_all_start_methods()
    context: Any = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    blocking = hasattr(signal, "pthread_sigmask")
    processes: list[BaseProcess] = []
    pipes: list[Connection] = []
    try:
        if blocking:
            previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD_SIGNALS)
        try:
            for _ in range(jobs):
                try:
                    here, there = context.Pipe()
                except OSError as error:  # EMFILE: too many open files
                    notes.append(_not_started(len(processes), jobs, error))
                    break
                _PARENT_ENDS.append(here)  # a forked worker closes its copies: see _work
                process = context.Process(target=_work, args=(there, reader, hashes, lines, blocking), daemon=True)
                try:
                    process.start()
                except OSError as error:  # EAGAIN (too many processes), ENOMEM
                    _PARENT_ENDS.remove(here)
                    here.close()
                    there.close()
                    notes.append(_not_started(len(processes), jobs, error))
                    break
                there.close()
                processes.append(process)
                pipes.append(here)
        finally:
            if blocking:
                signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        yield pipes
    finally:
        _stop(processes, pipes, blocking)


def _stop(processes: list[BaseProcess], pipes: list[Connection], blocking: bool) -> None:
    """Kill the workers (they ignore SIGTERM; they have nothing to clean up) and wait for
    them, with SIGINT, SIGTERM and SIGHUP held meanwhile: a second Ctrl-C raised in the middle
    would leave a worker running, and Python's exit waits for it forever. A signal held is
    raised once they are gone."""
    if blocking:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD_SIGNALS)
    try:
        for process in processes:
            process.kill()
        for process, pipe in zip(processes, pipes):
            process.join()
            pipe.close()
            _PARENT_ENDS.remove(pipe)
    finally:
        if blocking:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _not_started(started: int, jobs: int, error: OSError) -> str:
    rest = f"{started} worker(s) read the files" if started else "the files are read in the main process"
    return f"could not start inventory worker {started + 1} of {jobs} ({os_reason(error)}); {rest}"


# The signals a worker ignores, blocked while it starts until it does: Ctrl-C, and SIGTERM and
# SIGHUP, which may reach the whole process group (a service manager, a closed terminal).
# This process turns them into an exception (verfix.cli.base) and stops the workers itself.
_HELD_SIGNALS = {getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)}


def _reader(reader: Reader, hashes: tuple[str, ...], lines: tuple[str | None] | None
            ) -> Callable[[Any, bool], Outcome]:
    """The file reader of a run: answering lines (PE_LINE outcomes) when ``lines`` is (host,)."""
    return file_reader(reader, hashes, tail=None if lines is None else tail_maker(hashes, lines[0]))


_KEPT: list[Any] = []   # a forked worker's copies of the streams: never flushed
# This process's ends of the workers' pipes. A forked worker inherits copies of them and
# closes them first thing: else its own pipe never reads end-of-file when this process is
# killed (SIGKILL, the OOM killer), and the worker would outlive it.
_PARENT_ENDS: list[Connection] = []


def _work(pipe: Connection, reader: Reader, hashes: tuple[str, ...], lines: tuple[str | None] | None,
          unblock: bool) -> None:
    """A worker: ignore SIGINT, SIGTERM and SIGHUP, drop the copies of stdout/stderr a fork
    gave it (their unwritten bytes are the parent's to write), then answer each batch it is
    sent, in order, until the pipe closes. A thread takes the batches in as they come, so the parent never
    waits to send while this process waits to answer (each would wait for the other)."""
    import queue
    import threading

    for inherited in _PARENT_ENDS:  # empty in a spawned worker
        inherited.close()
    _PARENT_ENDS.clear()
    for signum in _HELD_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
    if unblock:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD_SIGNALS)
    _KEPT.extend((sys.stdout, sys.stderr))
    sys.stdout = sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the worker's life
    read = _reader(reader, hashes, lines)
    batches: queue.SimpleQueue[Any] = queue.SimpleQueue()

    def take_in() -> None:
        while True:
            try:
                batches.put(pipe.recv())
            except (EOFError, OSError):
                batches.put(None)
                return

    threading.Thread(target=take_in, daemon=True).start()
    while (files := batches.get()) is not None:
        try:
            answer: Any = answer_batch(read, files, hashes, lines)
        except Exception as error:  # noqa: BLE001 - a bug: sent back, raised by the parent
            answer = RuntimeError(f"inventory worker: {type(error).__name__}: {error}")
        pipe.send(answer)
