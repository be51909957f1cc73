"""Run a test step as an unprivileged user, so file permissions really deny (tests run as root)."""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

NOBODY = 65534
T = TypeVar("T")


def run_unprivileged(step: Callable[[], T]) -> T:
    """``step()`` run in a forked child as uid/gid 65534 when we are root, else directly.

    Root reads files whatever their mode, so chmod 000 proves nothing unless dropped.
    The result travels back pickled; an exception in the child is raised here as AssertionError.
    """
    if os.geteuid() != 0:
        return step()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_end)
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            payload = pickle.dumps(("ok", step()))
        except BaseException as exc:  # report anything, then leave without pytest's cleanup
            payload = pickle.dumps(("error", repr(exc)))
        with os.fdopen(write_end, "wb") as out:
            out.write(payload)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as incoming:
        payload = incoming.read()
    os.waitpid(pid, 0)
    kind, value = pickle.loads(payload)
    if kind != "ok":
        raise AssertionError(f"unprivileged step failed: {value}")
    return value


@contextmanager
def world_readable_tmpdir() -> Iterator[Path]:
    """A temporary folder that user 65534 can reach (pytest's tmp_path is root-only)."""
    folder = Path(tempfile.mkdtemp(prefix="verfix-test-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for dirpath, dirnames, _ in os.walk(folder):
            for name in dirnames:
                child = os.path.join(dirpath, name)
                if not os.path.islink(child):
                    os.chmod(child, 0o755)
        shutil.rmtree(folder)
