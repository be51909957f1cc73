"""The workers of an ``inventory --jobs`` run taken in turn, with this process standing in for
a worker that could not be started or ended early (the system's limit of processes reached,
the OOM killer): the batches it had or would have had are read here, in their turn, so the
records, their order and the counters stay those of one job, and a note says what happened."""

from __future__ import annotations

from typing import Any, Callable

from verfix.inventory.outcomes import batch_lines
from verfix.inventory.reading import Outcome
from verfix.inventory.walk import FILE

LOST = "an inventory worker process ended unexpectedly; the files sent to it were read in the main process"
Files = list[tuple[Any, bool]]  # (path, reached through a link) of a batch's files


def answer_batch(read: Callable[[Any, bool], Outcome], files: Files, hashes: tuple[str, ...],
                 lines: tuple[str | None] | None) -> Any:
    """The answer to one batch, in a worker or here: its outcomes, or with ``lines`` (host,)
    its lines and counters (``outcomes.batch_lines``)."""
    if lines is None:
        return [read(path, via_link) for path, via_link in files]
    return batch_lines(read, files, hashes, lines[0])


class Pool:
    """The workers' pipes in turn (answers come back in the turn they were sent), and this
    process for the batches none of them can take."""

    def __init__(self, pipes: list[Any], read: Callable[[Any, bool], Outcome], hashes: tuple[str, ...],
                 lines: tuple[str | None] | None, notes: list[str]) -> None:
        self.pipes = list(pipes)
        self._read, self._hashes, self._lines = read, hashes, lines
        self._notes = notes
        self._gone: list[Any] = []

    def send(self, files: Files) -> Turn | None:
        """Send ``files`` to the next worker in turn; None (nobody asked) for a batch without
        files; read here at once when no worker is left."""
        if not files:
            return None
        while self.pipes:
            pipe = self.pipes.pop(0)
            try:
                pipe.send(files)
            except OSError:  # the worker has ended: its end of the pipe is closed
                self.lost(pipe)
                continue
            self.pipes.append(pipe)
            return Turn(self, pipe)
        return Turn(self, None, self.here(files))

    def here(self, files: Files) -> Any:
        """The answer to ``files``, read in this process."""
        return answer_batch(self._read, files, self._hashes, self._lines)

    def lost(self, pipe: Any) -> None:
        """``pipe``'s worker ended: no more batches for it, and the note :data:`LOST`."""
        if any(pipe is gone for gone in self._gone):
            return
        self._gone.append(pipe)
        self.pipes = [live for live in self.pipes if live is not pipe]
        self._notes.append(LOST)


class Turn:
    """One batch sent: the worker that answers it (None: answered here, ``ready``)."""

    __slots__ = ("pool", "pipe", "ready")

    def __init__(self, pool: Pool, pipe: Any, ready: Any = None) -> None:
        self.pool, self.pipe, self.ready = pool, pipe, ready

    def answer(self, batch: list[tuple]) -> Any:
        """The answer for ``batch``'s files: the worker's (an exception it sent back, a bug,
        is raised), or read here when the worker ended before answering."""
        if self.pipe is None:
            return self.ready
        try:
            answer = self.pipe.recv()
        except (EOFError, OSError):
            self.pool.lost(self.pipe)
            self.pipe = None
            return self.pool.here([(entry[0], entry[3]) for entry in batch if entry[1] is FILE])
        if isinstance(answer, BaseException):
            raise answer
        return answer
