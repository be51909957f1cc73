"""A disk image of a server with two volumes, built at test time (mtools, no root): C: the mock
NT 4.0 system volume (testdata/nt4), D: an Exchange SP3 copy (testdata/sp3). ``verfix check``
gives the whole-server check of both volumes in one report, the products of each volume
as its folder gives them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from verfix.cli import app

REPO = Path(__file__).resolve().parent.parent
TOOLS = ("mkfs.fat", "mcopy", "sfdisk")
SECTOR, START, SIZE = 512, 2048, 8192  # each FAT16 volume: 4 MiB from sector START + n * SIZE

pytestmark = pytest.mark.skipif(any(shutil.which(t) is None for t in TOOLS),
                                reason=f"needs {', '.join(TOOLS)} (Debian dosfstools, mtools, fdisk)")


def _volume(work: Path, name: str, source: Path, first_sector: int) -> bytes:
    part = work / f"{name}.part"
    with open(part, "wb") as out:
        out.truncate(SIZE * SECTOR)
    subprocess.run(["mkfs.fat", "-F", "16", "-s", "1", "-n", name, "-i", "1999a5a5", "-h", str(first_sector),
                    str(part)], check=True, capture_output=True)
    env = {**os.environ, "MTOOLS_NO_VFAT": "0", "MTOOLS_SKIP_CHECK": "1"}
    entries = [str(p) for p in sorted(source.iterdir())]
    subprocess.run(["mcopy", "-s", "-m", "-i", str(part), *entries, "::/"], check=True, capture_output=True, env=env)
    return part.read_bytes()


@pytest.fixture(scope="module")
def two_volumes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("two-volumes")
    disk = work / "server.img"
    volumes = [_volume(work, "SYSTEM", REPO / "testdata" / "nt4", START),
               _volume(work, "DATA", REPO / "testdata" / "sp3", START + SIZE)]
    with open(disk, "wb") as out:
        out.truncate((START + 2 * SIZE) * SECTOR)
    table = (f"label: dos\nunit: sectors\n\nstart={START}, size={SIZE}, type=6\n"
             f"start={START + SIZE}, size={SIZE}, type=6\n")
    subprocess.run(["sfdisk", "--quiet", str(disk)], input=table, text=True, check=True, capture_output=True)
    with open(disk, "r+b") as out:
        for number, data in enumerate(volumes):
            out.seek((START + number * SIZE) * SECTOR)
            out.write(data)
    disk.chmod(0o444)
    return disk


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_both_volumes_in_one_whole_server_report(two_volumes: Path) -> None:
    code, out, err = run("check", str(two_volumes), "-f", "json", "-q")
    assert code == 1, err
    report = json.loads(out)
    found = [(p["slug"], p["service_pack"], p["folders"][0]) for p in report["products"]]
    assert found == [
        ("windows-nt", "SP6a", f"{two_volumes}#p1:/WINNT/system32"),
        ("iis", None, f"{two_volumes}#p1:/WINNT/system32/inetsrv"),
        ("exchange", "SP3", f"{two_volumes}#p1:/exchsrvr/bin"),
        ("exchange", "SP3", f"{two_volumes}#p2:/exchsrvr/bin"),
    ]
    # The hotfix records are C:'s; the overwritten Tcpip.sys is found there.
    assert {h["article"]: h["finding"] for h in report["hotfixes"]}["Q307991"] == "overwritten"
    # Each volume as its folder: the D: volume's Exchange verdicts are testdata/sp3's.
    code, folder_out, _ = run("check", str(REPO / "testdata" / "sp3"), "-f", "json", "-q")
    folder = json.loads(folder_out)  # a copy with exchsrvr/bin only: the bin-folder check
    mine = {m["id"]: m["verdict"] for m in report["manifests"] if m["bin_dir"].startswith(f"{two_volumes}#p2:")}
    assert mine == {m["id"]: m["verdict"] for m in folder["manifests"]} and len(mine) > 400


def test_one_partition_and_one_product(two_volumes: Path) -> None:
    code, out, err = run("check", str(two_volumes), "--partition", "2", "-f", "json")
    assert code == 1 and f"{two_volumes}: p2: FAT" in err
    assert "products" not in json.loads(out)  # Exchange alone: the bin-folder check
    code, out, err = run("check", str(two_volumes), "--product", "IIS", "-f", "json", "-q")
    assert code == 1, err
    assert [p["slug"] for p in json.loads(out)["products"]] == ["iis"]
    code, out, err = run("products", str(two_volumes), "-f", "json", "-q")
    assert [p["slug"] for p in json.loads(out)] == ["windows-nt", "iis", "exchange", "exchange"]
