"""A run stopped from outside as a service manager, ``timeout`` or a closed terminal stops it
(SIGTERM, SIGHUP): one line, exit 128 + the signal, no ``-o`` temporary file left behind, no
worker left running; a signal ignored at start (``nohup``) stays ignored."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import NO_PROC, blocked_inventory, wait_gone
from verfix.cli.base import catch_interrupts, restore_interrupts

REPO = Path(__file__).resolve().parent.parent

# Runs verfix's main with a signal sent to itself in the middle of writing the inventory:
# with workers once a worker has a batch to answer, with one job after the third chunk.
_SIGNAL_MIDWAY = """
import os, signal, sys
from verfix import inventory
from verfix.cli import main
from verfix.inventory import parallel
signum = getattr(signal, sys.argv[1])
real_answered, real_lines = parallel._answered, inventory.inventory_lines
def answered(batch, worker):
    if worker is not None:
        os.kill(os.getpid(), signum)
    return real_answered(batch, worker)
def lines(*args, **kwargs):
    for count, chunk in enumerate(real_lines(*args, **kwargs)):
        if count == 2:
            os.kill(os.getpid(), signum)
        yield chunk
parallel._answered, inventory.inventory_lines = answered, lines
sys.exit(main(["inventory", sys.argv[2], "-q", "-j", sys.argv[3], "-o", sys.argv[4]]))
"""


# Runs verfix's main with a signal sent to itself while pefile parses the third file: the
# pefile reader turns any Exception of pefile's into that file's error.
_SIGNAL_IN_PEFILE = """
import os, signal, sys
import pefile
from verfix.cli import main
signum, real, count = getattr(signal, sys.argv[1]), pefile.PE.__init__, [0]
def parse(self, *args, **kwargs):
    count[0] += 1
    if count[0] == 3:
        os.kill(os.getpid(), signum)
    return real(self, *args, **kwargs)
pefile.PE.__init__ = parse
sys.exit(main(["inventory", sys.argv[2], "-j", "1", "--reader", "pefile", "-o", sys.argv[3]]))
"""


@pytest.mark.parametrize("name", ["SIGINT", "SIGTERM"])
def test_a_signal_while_pefile_parses_stops_the_run(tmp_path: Path, name: str) -> None:
    # It was taken for pefile failing on that file ("pefile failed: Interrupted: 15"): the
    # run went on and wrote the report, exit 3 (or 0).
    out = tmp_path / "out"
    out.mkdir()
    done = subprocess.run([sys.executable, "-c", _SIGNAL_IN_PEFILE, name, str(REPO / "testdata" / "sp3"),
                           str(out / "inventory.jsonl")], capture_output=True, text=True, cwd=REPO,
                          timeout=120)
    signum = getattr(signal, name)
    assert done.returncode == (130 if signum == signal.SIGINT else 128 + signum), done.stderr
    assert done.stderr == ("verfix: interrupted\n" if signum == signal.SIGINT else f"verfix: terminated ({name})\n")
    assert list(out.iterdir()) == []


def test_a_signal_while_a_hive_is_parsed_is_no_damaged_hive(monkeypatch) -> None:
    # The hive reader turns any Exception of regipy's into "not a readable registry hive".
    from verfix import hive
    from verfix.cli.base import Interrupted

    def parse(data: bytes) -> None:
        raise Interrupted(signal.SIGTERM)

    monkeypatch.setattr(hive, "_parse", parse)
    with pytest.raises(Interrupted):
        hive.open_hive(REPO / "testdata" / "hive" / "software-c")


def _many_files(folder: Path, count: int = 1500) -> Path:
    folder.mkdir()
    for index in range(count):  # past the 500 read before any worker starts
        (folder / f"f{index:04}.exe").write_bytes(b"MZ")
    return folder


@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP"])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_stopping_signal_leaves_no_temporary_file(tmp_path: Path, name: str, jobs: str) -> None:
    folder = _many_files(tmp_path / "many")
    out = tmp_path / "out"
    out.mkdir()
    done = subprocess.run([sys.executable, "-c", _SIGNAL_MIDWAY, name, str(folder), jobs,
                           str(out / "inventory.jsonl")], capture_output=True, text=True, cwd=REPO,
                          timeout=120)
    assert done.returncode == 128 + getattr(signal, name), done.stderr
    assert done.stderr == f"verfix: terminated ({name})\n"
    assert list(out.iterdir()) == []  # neither the report nor its .inventory.jsonl.*.tmp


# As _SIGNAL_MIDWAY with workers, and a second signal (SIGHUP) while they are being stopped.
_SECOND_SIGNAL_WHILE_STOPPING = """
import os, signal, sys
import multiprocessing.process
from verfix.cli import main
from verfix.inventory import parallel
real_kill, real_answered, sent = multiprocessing.process.BaseProcess.kill, parallel._answered, []
def kill(self):
    if not sent:
        sent.append(os.kill(os.getpid(), signal.SIGHUP))
    return real_kill(self)
def answered(batch, worker):
    if worker is not None:
        os.kill(os.getpid(), signal.SIGTERM)
    return real_answered(batch, worker)
multiprocessing.process.BaseProcess.kill, parallel._answered = kill, answered
sys.exit(main(["inventory", sys.argv[1], "-q", "-j", "3", "-o", sys.argv[2]]))
"""


def test_a_second_signal_while_the_workers_are_stopped_still_ends_the_run(tmp_path: Path) -> None:
    # It stopped the cleanup with a worker left running (it ignores SIGTERM), and Python's
    # exit waited for that worker for ever: the run said "terminated" and never ended.
    folder = _many_files(tmp_path / "many")
    out = tmp_path / "out"
    out.mkdir()
    done = subprocess.run([sys.executable, "-c", _SECOND_SIGNAL_WHILE_STOPPING, str(folder),
                           str(out / "inventory.jsonl")], capture_output=True, text=True, cwd=REPO,
                          timeout=60)
    assert done.returncode == 128 + signal.SIGHUP, done.stderr  # the later signal, once the workers are gone
    assert done.stderr == "verfix: terminated (SIGHUP)\n"
    assert list(out.iterdir()) == []


@pytest.mark.skipif(NO_PROC, reason="needs Linux's /proc to find the workers")
def test_sigterm_to_the_process_group_stops_the_run_and_its_workers(tmp_path: Path) -> None:
    # A service manager signals every process of the run: the workers as well.
    folder = _many_files(tmp_path / "many", 4000)
    process, workers = blocked_inventory(folder, REPO)
    os.killpg(process.pid, signal.SIGTERM)
    assert process.wait(timeout=60) == 143
    assert process.stderr.read().decode() == "verfix: terminated (SIGTERM)\n"
    process.stdout.close()
    assert wait_gone(workers), "a worker outlived the run"


def test_a_signal_ignored_at_start_stays_ignored() -> None:
    saved = signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as under nohup
    try:
        replaced = catch_interrupts()
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
        assert signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, signal.SIG_IGN)
        restore_interrupts(replaced)
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    finally:
        signal.signal(signal.SIGHUP, saved)
