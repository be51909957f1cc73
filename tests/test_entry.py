"""The entry point (issue 13 start-up, issue 8's start-up leftovers): what it loads, the plain
``check`` forms it reads without typer (compared with typer's reading), Ctrl-C while modules
load, and standard output closed or full before any command runs."""

from __future__ import annotations

import inspect
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import verfix.cli.check as check_module
from verfix import __version__, entry
from verfix.cli import fastargs

REPO = Path(__file__).resolve().parent.parent
SP3 = REPO / "testdata" / "sp3" / "exchsrvr" / "bin"
NT4 = REPO / "testdata" / "nt4"
EMSMTA = SP3 / "Emsmta.exe"
CLOSED = "verfix: error: standard output: cannot write: bad file descriptor\n"
FULL = "verfix: error: standard output: cannot write: no space left on device\n"


def _python(*args: str, **kwargs) -> subprocess.CompletedProcess:
    kwargs.setdefault("stdout", subprocess.PIPE)
    return subprocess.run([sys.executable, *args], stderr=subprocess.PIPE, text=True, timeout=120,
                          cwd=REPO, **kwargs)


# --- what start-up loads ---------------------------------------------------------------------

LOADED = """
import json, sys
from verfix.entry import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def _loaded(*args: str) -> tuple[int, set[str], str]:
    done = _python("-c", LOADED, *args)
    report = json.loads(done.stderr.splitlines()[-1])
    return report["code"], set(report["modules"]), done.stdout


def _family(modules: set[str], *roots: str) -> set[str]:
    return {m for m in modules if m.split(".")[0] in roots or any(m.startswith(r + ".") for r in roots)}


def test_version_loads_neither_typer_nor_click() -> None:
    code, modules, out = _loaded("-V")
    assert (code, out) == (0, f"verfix {__version__}\n")
    assert _family(modules, "typer", "click", "rich") == set()
    assert "verfix.cli.root" not in modules


def test_check_of_one_manifest_loads_only_what_it_needs() -> None:
    code, modules, out = _loaded("check", str(SP3), "-m", "Q236586", "-q")
    assert code == 0 and "Q236586" in out
    assert _family(modules, "typer", "click", "rich", "pefile", "regipy") == set()
    unneeded = {"verfix.image", "verfix.kbimport", "verfix.report_html", "verfix.report_sarif",
                "verfix.inventory", "verfix.hive", "verfix.winsys", "verfix.servercheck",
                "verfix.cli.root", "verfix.cli.common"}
    assert _family(modules, *unneeded) == set()


def test_other_commands_still_go_through_typer() -> None:
    code, modules, out = _loaded("manifests", "show", "Q236586", "-f", "json")
    assert code == 0 and json.loads(out)["id"] == "Q236586"
    assert "typer" in modules and "verfix.cli.root" in modules


# --- the plain check forms: read as typer reads them ------------------------------------------

ACCEPTED = [
    ["check", "PATH"],
    ["check", "PATH", "-m", "Q236586"],
    ["check", "-m", "Q236586", "PATH", "--manifest", "Q241534", "-m", "x"],
    ["check", "PATH", "--manifest=Q236586", "-q", "-v", "-d", "-a", "--bin-dir"],
    ["check", "PATH", "--product", "Exchange 5.5", "--product=5.5 SP4", "--component", "MTA"],
    ["check", "PATH", "-f", "json", "-o", "out.json", "--reader", "pefile", "--partition", "2"],
    ["check", "PATH", "--format=sarif", "--output=r.sarif", "--reader=fast", "--partition=10"],
    ["check", "PATH", "-f", "csv", "-f", "html", "--component", "a", "--component", "b"],
    ["check", "PATH", "--quiet", "--verbose", "--details", "--all", "-q"],
    ["check", "relative/päth with blanks", "-m", "./manifests/Q236586.toml"],
]
REFUSED = [
    ["check"],                               # PATH missing: typer's message
    ["check", "PATH", "-h"], ["check", "--help"],
    ["check", "PATH", "-qd"],                # grouped short flags
    ["check", "PATH", "-mQ236586"],          # a value glued to a short option
    ["check", "PATH", "-m=Q236586"],
    ["check", "PATH", "--", "-odd"],
    ["check", "PATH", "OTHER"],              # two paths
    ["check", ""],
    ["check", "PATH", "-m"],                 # value missing
    ["check", "PATH", "-m", "-q"],           # typer would take -q as the manifest
    ["check", "PATH", "--format", "TABLE"],  # not a choice as written
    ["check", "PATH", "--reader", "other"],
    ["check", "PATH", "--partition", "+1"], ["check", "PATH", "--partition", "٣"],
    ["check", "PATH", "--quiet=yes"],
    ["check", "PATH", "--no-such-option"],
    ["check", "PATH", "-V"],
]


def _typer_reading(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> dict:
    from verfix.cli.root import main as typer_main

    seen: dict = {}
    signature = inspect.signature(check_module.run)

    def capture(*args, **kwargs) -> int:
        seen.update(signature.bind(*args, **kwargs).arguments)
        return 0

    monkeypatch.setattr(check_module, "run", capture)
    assert typer_main(argv) == 0
    monkeypatch.undo()
    return seen


@pytest.mark.parametrize("argv", ACCEPTED, ids=lambda argv: " ".join(argv[1:]))
def test_plain_forms_are_read_as_typer_reads_them(argv: list[str], monkeypatch) -> None:
    fast = fastargs.parse_check(argv[1:])
    assert fast is not None
    typed = _typer_reading(argv, monkeypatch)
    assert fast == typed
    assert [type(fast[k]) for k in ("format", "reader", "path")] == [
        type(typed[k]) for k in ("format", "reader", "path")]


@pytest.mark.parametrize("argv", REFUSED, ids=lambda argv: " ".join(argv[1:]) or "nothing")
def test_anything_else_goes_to_typer(argv: list[str]) -> None:
    assert fastargs.parse_check(argv[1:]) is None


def test_the_option_table_is_the_typer_declaration() -> None:
    import typer.main

    from verfix.cli.root import app

    command = typer.main.get_command(app).commands["check"]  # type: ignore[attr-defined]
    declared: dict[str, tuple[str, str]] = {}
    for param in command.params:
        if param.param_type_name != "option" or param.name == "help":
            continue
        kind = ("flag" if param.is_flag else "many" if param.multiple else
                {"format": "format", "reader": "reader", "partition": "count", "output": "path"}.get(
                    param.name, "text"))
        for spelling in [*param.opts, *param.secondary_opts]:
            declared[spelling] = (param.name, kind)
        default = param.default.value if hasattr(param.default, "value") else param.default
        assert fastargs.DEFAULTS[param.name] == (list(default) if param.multiple else default), param.name
        if kind in ("format", "reader"):
            assert set(fastargs.CHOICES[kind]) == set(param.type.choices)
    assert declared == fastargs.OPTIONS
    assert set(fastargs.DEFAULTS) | {"path"} == set(inspect.signature(check_module.run).parameters)


def test_the_plain_path_and_typer_give_the_same_report(capsys) -> None:
    from verfix.cli.root import main as typer_main

    argv = ["check", str(SP3), "-m", "Q236586", "-f", "json"]
    assert entry.main(argv) == typer_main(argv) == 0
    first, second = capsys.readouterr().out.split("\n{", 1)
    one, other = json.loads(first), json.loads("{" + second)
    one.pop("generated_at"), other.pop("generated_at")
    assert one == other


def test_errors_of_the_plain_path_are_typers(capsys) -> None:
    from verfix.cli.root import main as typer_main

    argv = ["check", str(SP3), "-m", "Q999999", "-q"]
    assert entry.main(argv) == 2
    plain = capsys.readouterr().err
    assert typer_main(argv) == 2
    expected = "verfix: error: unknown manifest 'Q999999' (see 'verfix manifests list')\n"
    assert plain == capsys.readouterr().err == expected


# --- Ctrl-C while the modules load -------------------------------------------------------------

SLOW_IMPORT = """
import os, sys, time

class Slow:
    def find_spec(self, name, path=None, target=None):
        if name == sys.argv[1]:
            os.write(1, b"loading\\n")
            time.sleep(60)
        return None

sys.meta_path.insert(0, Slow())
from verfix.entry import main
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.parametrize("module, argv", [
    ("typer", ["--help"]),
    ("verfix.formats", ["check", str(SP3), "-m", "Q236586"]),
    ("verfix.fsio", ["-V"]),  # the streams' guard, the first thing main loads
])
def test_ctrl_c_while_modules_load(module: str, argv: list[str]) -> None:
    process = subprocess.Popen([sys.executable, "-c", SLOW_IMPORT, module, *argv], cwd=REPO,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.readline() == b"loading\n"  # inside the import, handlers not yet set
    process.send_signal(signal.SIGINT)
    code = process.wait(timeout=60)
    assert process.stderr.read().decode() == "verfix: interrupted\n"
    assert code == 130


def test_keyboard_interrupt_before_any_handler(monkeypatch, capsys) -> None:
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(fastargs, "parse_check", interrupted)
    assert entry.main(["check", str(SP3)]) == 130
    assert capsys.readouterr().err == "verfix: interrupted\n"


# --- standard output closed or full ---------------------------------------------------------

COMMANDS = [
    ["-V"], ["--version"], ["version", str(EMSMTA)], ["products", str(NT4)], ["manifests", "list"],
    ["schema"], ["schema", "check-report"], ["--help"], ["check", "--help"],
    ["check", str(SP3), "-m", "Q236586", "-q"],
]


@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_closed_stdout_is_one_line_and_exit_2(argv: list[str]) -> None:
    done = _python("-m", "verfix", *argv, stdout=None, preexec_fn=lambda: os.close(1))
    assert (done.returncode, done.stderr) == (2, CLOSED)


@pytest.mark.parametrize("argv", [["-V"], ["--help"], ["check", "--help"], ["manifests", "list"]],
                         ids=" ".join)
def test_full_stdout_is_one_line_and_exit_2(argv: list[str]) -> None:
    with open("/dev/full", "w") as full:
        done = _python("-m", "verfix", *argv, stdout=full)
    assert (done.returncode, done.stderr) == (2, FULL)


def test_help_to_a_reader_that_left_is_quiet() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = _python("-m", "verfix", "--help", stdout=write_end)
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (0, "")


def test_closed_stdout_never_receives_a_file_opened_later(tmp_path: Path) -> None:
    # With descriptor 1 free, the first file opened would get it; the entry point holds it.
    done = _python("-m", "verfix", "check", str(SP3), "-m", "Q236586", "-o", str(tmp_path / "r.json"),
                   "-f", "json", "-q", stdout=None, preexec_fn=lambda: os.close(1))
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads((tmp_path / "r.json").read_text())["schema_version"]
