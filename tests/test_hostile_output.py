"""Issue 8, output side: where -o may write, standard output errors, Ctrl-C and the exit
code mapping of ``main(argv)``."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import verfix.cli.check as check_command
from verfix.cli import main

REPO = Path(__file__).resolve().parent.parent
SP3 = REPO / "testdata" / "sp3" / "exchsrvr" / "bin"
EMSMTA = SP3 / "Emsmta.exe"


def verfix(*args: str, **kwargs) -> subprocess.CompletedProcess:
    kwargs.setdefault("stdout", subprocess.PIPE)
    return subprocess.run([sys.executable, "-m", "verfix", *args], stderr=subprocess.PIPE,
                          text=True, timeout=120, **kwargs)


# --- row 2: -o replaces whatever is at the path -----------------------------------------

def _special(tmp_path: Path, kind: str) -> Path:
    target = tmp_path / f"out-{kind}"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "symlink":
        (tmp_path / "elsewhere.txt").write_text("keep me\n")
        target.symlink_to(tmp_path / "elsewhere.txt")
    elif kind == "device":
        if os.geteuid() != 0:
            pytest.skip("creating a device node needs root")
        os.mknod(target, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a private /dev/null
    elif kind == "folder":
        target.mkdir()
    return target


@pytest.mark.parametrize("kind", ["fifo", "symlink", "device", "folder"])
def test_output_refuses_anything_but_a_regular_file(tmp_path: Path, kind: str, capsys) -> None:
    target = _special(tmp_path, kind)
    before = os.lstat(target)
    code = main(["version", str(EMSMTA), "-o", str(target)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"verfix: error: {target}: is a ") and "regular file" in err
    assert len(err.splitlines()) == 1
    after = os.lstat(target)
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    if kind == "symlink":
        assert (tmp_path / "elsewhere.txt").read_text() == "keep me\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_output_to_a_full_device_is_an_error(tmp_path: Path) -> None:
    # -o /dev/full itself would replace the system's node on a faulty build: use stdout.
    done = verfix("version", str(EMSMTA), stdout=open("/dev/full", "w"))
    assert done.returncode == 2, done.stderr
    assert done.stderr == "verfix: error: standard output: cannot write: no space left on device\n"


def test_existing_report_keeps_its_mode(tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    report.write_text("old\n")
    report.chmod(0o644)
    assert main(["version", str(EMSMTA), "-o", str(report), "-f", "csv"]) == 0
    assert stat.S_IMODE(report.stat().st_mode) == 0o644
    assert "Emsmta.exe" in report.read_text()


def test_new_report_gets_the_umask_mode(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        assert main(["version", str(EMSMTA), "-o", str(tmp_path / "new.csv"), "-f", "csv"]) == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == 0o644


# --- row 3: version -o may overwrite its own input ------------------------------------

@pytest.mark.parametrize("how", ["same", "hardlink", "symlinked-folder"])
def test_version_never_overwrites_its_input(tmp_path: Path, how: str, capsys) -> None:
    binary = tmp_path / "a.exe"
    binary.write_bytes(EMSMTA.read_bytes())
    target = binary
    if how == "hardlink":
        target = tmp_path / "b.exe"
        os.link(binary, target)
    elif how == "symlinked-folder":
        (tmp_path / "via").symlink_to(tmp_path)
        target = tmp_path / "via" / "a.exe"
    code = main(["version", str(binary), "-o", str(target)])
    assert code == 2
    assert "refusing to write over" in capsys.readouterr().err
    assert binary.read_bytes() == EMSMTA.read_bytes()


def test_inventory_output_inside_the_tree_is_refused(tmp_path: Path, capsys) -> None:
    (tmp_path / "a.exe").write_bytes(EMSMTA.read_bytes())
    assert main(["inventory", str(tmp_path), "-q", "-o", str(tmp_path / "inv.jsonl")]) == 2
    assert "inside the scanned folder" in capsys.readouterr().err
    assert not (tmp_path / "inv.jsonl").exists()


# --- rows 11 and 13: standard output full, or closed early -------------------------------

def test_stdout_closed_early_keeps_the_commands_exit_code() -> None:
    # `verfix manifests show Q236586 | head -1`, with the reader gone before the first write.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run([sys.executable, "-m", "verfix", "manifests", "show", "Q236586"],
                              stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=60)
    finally:
        os.close(write_end)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_stdout_closed_early_on_check_keeps_the_verdict() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)
    sp2 = REPO / "testdata" / "sp2" / "exchsrvr" / "bin"
    try:
        done = subprocess.run([sys.executable, "-m", "verfix", "check", str(sp2), "-m", "Q236586",
                               "-q"], stdout=write_end, stderr=subprocess.PIPE, text=True,
                              timeout=60)
    finally:
        os.close(write_end)
    assert done.returncode == 1, done.stderr  # not compliant, whoever reads the report
    assert done.stderr == ""


# --- row 12: Ctrl-C ------------------------------------------------------------------------

def test_ctrl_c_says_interrupted_and_leaves_nothing_half_written(tmp_path: Path, monkeypatch,
                                                                 capsys) -> None:
    from verfix import inventory as inventory_module

    real = inventory_module.inventory_lines  # JSON Lines: the lines, made where files are read

    def interrupted_midway(*args, **kwargs):
        for count, line in enumerate(real(*args, **kwargs)):
            if count == 2:
                os.kill(os.getpid(), signal.SIGINT)
            yield line

    monkeypatch.setattr(inventory_module, "inventory_lines", interrupted_midway)
    out = tmp_path / "out"
    out.mkdir()
    report = out / "inventory.jsonl"
    code = main(["inventory", str(SP3), "-q", "-o", str(report)])
    assert code == 130
    assert capsys.readouterr().err == "verfix: interrupted\n"
    assert list(out.iterdir()) == []
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_ctrl_c_in_a_real_process(tmp_path: Path) -> None:
    # 2,000 records are far more than a pipe holds: unread, the process blocks writing them.
    for index in range(2000):
        (tmp_path / f"f{index:04}.exe").write_bytes(b"MZ")
    process = subprocess.Popen([sys.executable, "-m", "verfix", "inventory", str(tmp_path),
                                "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.read(1) == b"{"  # running (its handlers are in place), not done
    process.send_signal(signal.SIGINT)
    code = process.wait(timeout=60)
    assert process.stderr.read().decode() == "verfix: interrupted\n"
    assert code == 130


def test_ctrl_c_ignored_at_start_stays_ignored(tmp_path: Path) -> None:
    # A background job of a script starts with SIGINT ignored: Ctrl-C at the terminal is not for it.
    for index in range(2000):
        (tmp_path / f"f{index:04}.exe").write_bytes(b"MZ")
    process = subprocess.Popen([sys.executable, "-m", "verfix", "inventory", str(tmp_path), "-q"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    assert process.stdout.read(1) == b"{"  # running, blocked on the full pipe
    process.send_signal(signal.SIGINT)
    rest = process.stdout.read()
    code = process.wait(timeout=60)
    assert process.stderr.read().decode() == ""
    # The whole run, as without the signal: 2,000 records, exit 3 (files cut short: incomplete).
    assert code == 3 and rest.count(b"\n") == 2000


# --- one mapping from errors to exit codes -------------------------------------------------

def test_a_bug_is_exit_4_with_one_line_and_no_traceback(monkeypatch, capsys) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(check_command, "check_folder", broken)
    code = main(["check", str(SP3), "-m", "Q236586"])
    captured = capsys.readouterr()
    assert code == 4
    assert captured.err == "verfix: internal error: RuntimeError: boom\n"
    assert "Traceback" not in captured.out + captured.err


def test_usage_error_is_exit_2(capsys) -> None:
    assert main(["check", "--no-such-option"]) == 2
    assert "No such option" in capsys.readouterr().err


def test_input_error_is_exit_2_with_one_line(tmp_path: Path, capsys) -> None:
    assert main(["check", str(tmp_path / "nowhere"), "--bin-dir"]) == 2
    assert capsys.readouterr().err == f"verfix: error: {tmp_path / 'nowhere'}: no such folder\n"


@pytest.mark.parametrize("bin_dir", [[], ["--bin-dir"]], ids=["discovery", "bin-dir"])
def test_a_path_whose_name_is_too_long_is_an_input_error(bin_dir: list[str], tmp_path: Path, capsys) -> None:
    too_long = tmp_path / ("x" * 300)  # longer than any file system's name limit (ENAMETOOLONG)
    assert main(["check", str(too_long), "-q", *bin_dir]) == 2
    assert capsys.readouterr().err == f"verfix: error: cannot use {too_long}: file name too long\n"


@pytest.mark.parametrize("command", [("check", "."), ("inventory", "."), ("products", ".")])
def test_a_deleted_working_folder_is_an_input_error(tmp_path: Path, command: tuple[str, ...]) -> None:
    # The shell entered the folder, then it was removed: every relative path fails to resolve.
    gone = tmp_path / "gone"
    gone.mkdir()
    script = 'cd "$1" && rmdir "$1" && shift && exec "$@"'
    done = subprocess.run(["sh", "-c", script, "sh", str(gone), sys.executable, "-m", "verfix", *command],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert done.stderr == "verfix: error: the current folder is gone; cd to one that exists\n"
