"""``inventory --jobs`` when workers cannot be had: the system refuses a process (its limit
of processes, memory or open files reached) or a worker is killed mid-run (the OOM killer).
The files go to the workers left, or are read in the main process: the same output and exit
code as one job, and one warning saying so; never an internal error."""

from __future__ import annotations

import errno
import multiprocessing.connection
import multiprocessing.process
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.processes import NO_PROC, children
from verfix.cli import app
from verfix.inventory import parallel
from verfix.inventory.pool import LOST

REPO = Path(__file__).resolve().parent.parent
SP3 = REPO / "testdata" / "sp3"
runner = CliRunner()


def _tree(root: Path, copies: int = 6) -> Path:
    """Real PE files (with and without versions), data files and broken ones, in folders."""
    for index in range(copies):
        folder = root / f"copy{index}"
        folder.mkdir(parents=True)
        for source in sorted(SP3.rglob("*")):
            if source.is_file():
                (folder / source.name).write_bytes(source.read_bytes())
        (folder / "broken.exe").write_bytes(b"MZ" + b"\0" * 10)
    return root


def _refusing(real, allowed: int, error: OSError):
    """``real`` that works ``allowed`` times, then raises ``error``."""
    calls = [0]

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls[0] += 1
        if calls[0] > allowed:
            raise error
        return real(*args, **kwargs)

    return refuse


@pytest.mark.parametrize("allowed", [0, 1])
@pytest.mark.parametrize("what", ["process", "pipe"])
def test_a_worker_the_system_refuses_leaves_the_output_as_one_job(tmp_path: Path, monkeypatch,
                                                                    allowed: int, what: str) -> None:
    tree = _tree(tmp_path / "tree")
    monkeypatch.setattr(parallel, "SERIAL_FILES", 0)
    monkeypatch.setattr(parallel, "BATCH_FILES", 16)  # several batches for each worker
    one = runner.invoke(app, ["inventory", str(tree), "-j", "1", "--hash", "md5"])
    if what == "process":
        error = OSError(errno.EAGAIN, "Resource temporarily unavailable")
        monkeypatch.setattr(multiprocessing.process.BaseProcess, "start",
                            _refusing(multiprocessing.process.BaseProcess.start, allowed, error))
    else:
        error = OSError(errno.EMFILE, "Too many open files")
        monkeypatch.setattr(multiprocessing.connection, "Pipe",
                            _refusing(multiprocessing.connection.Pipe, allowed, error))
    some = runner.invoke(app, ["inventory", str(tree), "-j", "3", "--hash", "md5"])
    assert some.exit_code == one.exit_code == 3, some.output  # broken.exe: not parsed
    assert some.stdout == one.stdout
    reason = "resource temporarily unavailable" if what == "process" else "too many open files"
    rest = "1 worker(s) read the files" if allowed else "the files are read in the main process"
    warning = f"verfix: warning: could not start inventory worker {allowed + 1} of 3 ({reason}); {rest}"
    assert " ".join(line.strip() for line in some.stderr.splitlines()).startswith(warning), some.stderr
    assert "internal error" not in some.stderr


@pytest.mark.skipif(NO_PROC, reason="needs Linux's /proc to find the workers")
def test_a_worker_killed_mid_run_leaves_the_output_as_one_job(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for index in range(4000):   # past the 500 read before the workers start
        (folder / f"f{index:04}.exe").write_bytes(b"MZ" if index % 3 else b"data")
    command = [sys.executable, "-m", "verfix", "inventory", str(folder), "-j"]
    one = subprocess.run([*command, "1"], capture_output=True, cwd=REPO, timeout=120)
    process = subprocess.Popen([*command, "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)
    start = process.stdout.read(400_000)  # blocked writing the rest: the workers run
    workers = children(process.pid)
    assert workers, "no worker is running"
    os.kill(int(workers[0]), signal.SIGKILL)  # as the OOM killer would
    rest = process.stdout.read()  # through the same buffer as the start (communicate() is not)
    stderr = process.stderr.read()
    assert process.wait(timeout=120) == one.returncode == 3, stderr
    assert start + rest == one.stdout
    lines = " ".join(line.strip() for line in stderr.decode().splitlines())
    assert lines.count(f"verfix: warning: {LOST}") == 1, stderr
    assert "internal error" not in lines
