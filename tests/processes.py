"""A run's worker processes, as Linux's /proc shows them, for the tests that stop a run."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

#: For ``pytest.mark.skipif``: without /proc the workers cannot be found.
NO_PROC = not Path("/proc/self/task").is_dir()


def children(pid: int) -> list[str]:
    """The process ids of ``pid``'s children (every thread's)."""
    tasks = Path(f"/proc/{pid}/task")
    return [child for task in tasks.iterdir() for child in (task / "children").read_text().split()]


def alive(pid: str) -> bool:
    """Whether process ``pid`` runs verfix (a zombie or a reused number aside: not a worker)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        command = Path(f"/proc/{pid}/cmdline").read_text(errors="replace")
    except OSError:
        return False
    return "\nState:\tZ" not in status and "verfix" in command


def wait_gone(pids: list[str], seconds: float = 10) -> bool:
    """True once none of ``pids`` runs, False when one still does after ``seconds``."""
    deadline = time.monotonic() + seconds
    while any(alive(pid) for pid in pids):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def blocked_inventory(folder: Path, cwd: Path, stderr: int = subprocess.PIPE) -> tuple[subprocess.Popen, list[str]]:
    """``verfix inventory FOLDER -q -j 2`` in a session of its own, read until it blocks
    writing (its workers then run), and its workers' ids."""
    process = subprocess.Popen([sys.executable, "-m", "verfix", "inventory", str(folder), "-q", "-j", "2"],
                               stdout=subprocess.PIPE, stderr=stderr, cwd=cwd, start_new_session=True)
    assert process.stdout is not None and process.stdout.read(400_000).startswith(b"{")
    workers = children(process.pid)
    assert workers, "no worker is running"
    return process, workers
