"""Measure verfix on damaged disk images: for every hostile image of tests/hostile_images.py
(and the five sound test images), the time and peak memory of `verfix check` and of
`verfix inventory --hash sha256` (which reads every byte of every file; big-file.E01's 2 GiB
sparse file is not hashed), each run in its own
subprocess. Fails (exit 1) when one takes 2 s or more, 256 MiB or more, or crashes."""

from __future__ import annotations

import argparse
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

TIME_LIMIT = 2.0           # seconds per case and command
MEMORY_LIMIT_MIB = 256     # peak RSS per case and command
AS_LIMIT = 2 << 30         # address-space cap for the children, as a safety net
COMMANDS = {"check": ["check", "-f", "json"], "inventory": ["inventory", "--hash", "sha256"],
            "inventory-nohash": ["inventory"]}


def child(path: str, command: str) -> None:
    """Run one verfix command on one image in this process; print the outcome as JSON."""
    import typer

    from verfix import cli, inventory  # noqa: F401 - imported first, so not timed
    from verfix.image import disk  # noqa: F401

    argv = [COMMANDS[command][0], path, *COMMANDS[command][1:]]
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    try:
        with redirect_stdout(out), redirect_stderr(err):
            returned = cli.app(argv, standalone_mode=False)  # an Exit's code is returned
        code = returned if isinstance(returned, int) else 0
    except typer.Exit as done:
        code = done.exit_code
    except SystemExit as done:
        code = int(done.code or 0)
    except BaseException as error:  # noqa: BLE001 - reported as a crash
        code = -1
        err.write(f"CRASH {type(error).__name__}: {error}")
    seconds = time.perf_counter() - started
    lines = [line for line in err.getvalue().splitlines() if line]
    outcome = f"exit {code}: " + (lines[-1] if lines else f"{len(out.getvalue().splitlines())} lines")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"outcome": outcome, "seconds": seconds, "peak_mib": peak, "crash": code < 0 or code == 4}))


def limit_child() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", nargs=2, metavar=("IMAGE", "COMMAND"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    sys.path.insert(0, str(REPO / "tests"))
    import hostile_images

    ok = True
    with tempfile.TemporaryDirectory(prefix="verfix-image-bounds-") as folder:
        cases = {name: make(Path(folder)) for name, make in hostile_images.MAKERS.items()}
        cases.update({f"sound {path.suffix[1:]}": path for path in sorted(hostile_images.IMAGES.glob("server.*"))})
        cases["2 GiB sparse file"] = hostile_images.IMAGES / "big-file.E01"
        print(f"{'image':32} {'command':16} {'run ms':>7} {'process ms':>10} {'peak MiB':>8}  outcome")
        for name, path in cases.items():
            # A 2 GiB file is hashed at disk speed, in an image as in a folder: not a bound.
            for command in ("check", "inventory-nohash" if name.startswith("2 GiB") else "inventory"):
                started = time.perf_counter()
                try:
                    done = subprocess.run([sys.executable, __file__, "--child", str(path), command],
                                          capture_output=True, text=True, timeout=60, check=False,
                                          preexec_fn=limit_child)
                    wall = time.perf_counter() - started
                    result = json.loads(done.stdout) if done.returncode == 0 else {
                        "outcome": f"CRASH exit {done.returncode}: {done.stderr.strip()[-200:]}",
                        "seconds": wall, "peak_mib": float("nan"), "crash": True}
                except subprocess.TimeoutExpired:
                    wall = time.perf_counter() - started
                    result = {"outcome": "TIMEOUT", "seconds": wall, "peak_mib": float("nan"), "crash": True}
                bounded = (result["seconds"] < TIME_LIMIT and result["peak_mib"] < MEMORY_LIMIT_MIB
                           and not result["crash"])
                ok &= bounded
                print(f"{name:32} {command:16} {result['seconds'] * 1e3:7.1f} {wall * 1e3:10.0f} "
                      f"{result['peak_mib']:8.1f}  {'' if bounded else 'UNBOUNDED '}{result['outcome'][:90]}")
    print(f"\nimages bounded (< {TIME_LIMIT:.0f} s, < {MEMORY_LIMIT_MIB} MiB each): {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
