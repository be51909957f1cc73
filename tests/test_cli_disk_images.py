"""`verfix check` and `verfix inventory` on disk images give what they give on the folders the
images were built from (testdata/images/build.sh: p1 NTFS from testdata/sp2, p2 FAT from sp3)."""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.hostile_images import IMAGES, MAKERS
from tests.test_image import FORMATS, vmdk_descriptor
from verfix.cli import app

runner = CliRunner()
REPO = Path(__file__).resolve().parent.parent
FOLDERS = {"p1": REPO / "testdata" / "sp2", "p2": REPO / "testdata" / "sp3"}


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def verdicts(report: dict) -> dict[str, object]:
    """What a check found, without where: per manifest its verdict and its rows' outcomes."""
    return {
        manifest["id"]: (manifest["verdict"], manifest["counts"], [
            (row["name"], row["status"], row["file_version"], row["file_version_string"],
             [note for note in row["notes"]]) for row in manifest["files"]])
        for manifest in report["manifests"]
    }


def folder_report(label: str, *options: str) -> dict:
    code, out, err = run("check", str(FOLDERS[label]), "-f", "json", "-q", *options)
    assert code in (0, 1), err
    return json.loads(out)


@pytest.mark.parametrize("name", FORMATS)
@pytest.mark.parametrize("options", [(), ("-m", "Q236586")], ids=["catalog", "Q236586"])
def test_check_of_an_image_gives_the_verdicts_of_its_folders(name: str, options: tuple[str, ...]) -> None:
    image = IMAGES / name
    code, out, err = run("check", str(image), "-f", "json", "-q", *options)
    assert code == 1, err  # p1 (SP2) is not compliant
    report = json.loads(out)
    assert report["target"] == str(image)
    bins = [folder["bin_dir"] for folder in report["folders"]]
    assert bins == [f"{image}#p1:/EXCHSRVR/BIN", f"{image}#p2:/Exchsrvr/Bin"]
    for label, bin_dir in zip(("p1", "p2"), bins):
        expected = folder_report(label, *options)
        mine = {**report, "manifests": [m for m in report["manifests"] if m["bin_dir"] == bin_dir]}
        assert verdicts(mine) == verdicts(expected)
        (folder,) = [f for f in report["folders"] if f["bin_dir"] == bin_dir]
        assert folder["not_applicable"] == expected["folders"][0]["not_applicable"]
        assert folder["release"] == expected["folders"][0]["release"]
        for manifest in mine["manifests"]:
            for row in manifest["files"]:
                assert row["path"] is None or row["path"].startswith(f"{bin_dir}/")
    q236586 = [m for m in report["manifests"] if m["id"] == "Q236586"]
    assert [m["verdict"] for m in q236586] == ["not-compliant", "compliant"]


def test_one_partition_and_the_listing_on_stderr() -> None:
    image = IMAGES / "server.E01"
    code, out, err = run("check", str(image), "-m", "Q236586", "--partition", "2", "-f", "json")
    assert code == 0, err
    report = json.loads(out)
    assert [f["bin_dir"] for f in report["folders"]] == [f"{image}#p2:/Exchsrvr/Bin"]
    assert f"{image}: p2: FAT, 1.0 MiB at sector 4159 (FAT12)" in err
    code, out, err = run("check", str(image), "--partition", "3")
    assert code == 2 and err == f"verfix: error: {image} has no partition 3 (partitions: 1, 2)\n"
    code, out, err = run("check", str(FOLDERS["p1"]), "--partition", "1")
    assert code == 2 and "is not a disk image" in err


def test_inventory_of_an_image_lists_the_files_of_both_folders() -> None:
    image = IMAGES / "server.vhd"
    code, out, err = run("inventory", str(image), "--hash", "sha256", "-q")
    assert code == 0, err
    records = [json.loads(line) for line in out.splitlines()]
    for label, prefix in (("p1", f"{image}#p1:/EXCHSRVR/BIN/"), ("p2", f"{image}#p2:/Exchsrvr/Bin/")):
        code, folder_out, _ = run("inventory", str(FOLDERS[label] / "exchsrvr" / "bin"), "--hash", "sha256", "-q")
        expected = {Path(r["path"]).name.lower(): {**r, "path": None} for r in map(json.loads, folder_out.splitlines())}
        mine = {r["path"][len(prefix):].lower(): {**r, "path": None} for r in records if r["path"].startswith(prefix)}
        assert mine == expected and len(mine) == 125
    code, out, err = run("inventory", str(image), "--partition", "1")
    assert code == 0 and "125 PE file(s) of 160 file(s)" in err


def test_without_the_extra_an_image_gets_one_line_saying_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = importlib.import_module

    def no_libyal(name: str, package: str | None = None):  # type: ignore[no-untyped-def]
        if name in ("pyewf", "pyvmdk", "pyvhdi", "pyqcow", "pyfsntfs", "pyfsfat"):
            raise ModuleNotFoundError(name)
        return real_import(name, package)

    monkeypatch.setattr(importlib, "import_module", no_libyal)
    for name in ("server.E01", "server.img"):
        for command in ("check", "inventory"):
            code, out, err = run(command, str(IMAGES / name), "-q")
            assert code == 2 and out == ""
            assert err.startswith("verfix: error: reading disk images needs the 'images' extra: "
                                  "pip install 'verfix[images]' (Python module py") and err.count("\n") == 1


def test_damaged_images_through_the_cli(tmp_path: Path, no_hang: None) -> None:
    # A truncated E01: one line, exit 2.
    code, out, err = run("check", str(MAKERS["truncated E01"](tmp_path)), "-q")
    assert code == 2 and err.count("\n") == 1 and "cannot read the partition table" in err
    # A zeroed MFT: partition 1 is skipped with a warning, partition 2 (SP3) still checked.
    image = MAKERS["zeroed MFT"](tmp_path)
    code, out, err = run("check", str(image), "-m", "Q236586", "-f", "json")
    assert code == 0, err
    assert [f["bin_dir"] for f in json.loads(out)["folders"]] == [f"{image}#p2:/Exchsrvr/Bin"]
    assert "verfix: warning: " in err and "p1: cannot open the NTFS volume" in err
    assert f"{image}: p1: no NTFS/FAT file system" in err
    # A directory loop: not entered, counted as skipped; a cut cluster chain: one unreadable file.
    code, _, err = run("inventory", str(MAKERS["FAT directory loop"](tmp_path)), "--partition", "2")
    assert code == 0 and "1 skipped: directory loop (not entered)" in " ".join(err.split())  # wrapped
    code, out, err = run("inventory", str(MAKERS["FAT cluster chain loop"](tmp_path)), "--partition", "2", "-q")
    assert code == 3
    (bad,) = [r for r in map(json.loads, out.splitlines()) if r["error"] and r["path"].endswith("Emsmta.exe")]
    assert bad["error"].startswith("cannot read: cannot read /Exchsrvr/Bin/Emsmta.exe at offset 0")


def test_a_report_is_never_written_over_the_image(tmp_path: Path) -> None:
    image = tmp_path / "server.E01"
    image.write_bytes((IMAGES / "server.E01").read_bytes())
    code, _, err = run("check", str(image), "-q", "-o", str(image))
    assert code == 2 and "refusing to write" in err
    assert image.read_bytes() == (IMAGES / "server.E01").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["server.E01"]


def _segmented_e01(folder: Path) -> list[Path]:
    """server.img as an E01 in four 1 MiB segment files, multi.E01 to multi.E04."""
    with (IMAGES / "server.img").open("rb") as disk:
        subprocess.run(["ewfacquirestream", "-q", "-t", str(folder / "multi"), "-c", "none", "-S", "1MiB",
                        "-C", "1", "-D", "d", "-E", "1", "-e", "e", "-N", "n", "-m", "fixed", "-M", "logical"],
                       stdin=disk, capture_output=True, check=True, timeout=60)
    return sorted(folder.iterdir())


def _flat_vmdk(folder: Path) -> list[Path]:
    """A monolithicFlat VMDK: the descriptor disk.vmdk and its extent disk-flat.vmdk."""
    shutil.copy(IMAGES / "server.img", folder / "disk-flat.vmdk")
    sectors = (IMAGES / "server.img").stat().st_size // 512
    (folder / "disk.vmdk").write_bytes(vmdk_descriptor("disk-flat.vmdk", sectors))
    return [folder / "disk.vmdk", folder / "disk-flat.vmdk"]


@pytest.mark.parametrize("command", ["check", "inventory", "products"])
@pytest.mark.parametrize("maker, target", [
    pytest.param(_segmented_e01, "multi.E03", id="E01-segment", marks=pytest.mark.skipif(
        shutil.which("ewfacquirestream") is None, reason="needs ewfacquirestream (Debian ewf-tools)")),
    (_flat_vmdk, "disk-flat.vmdk"),
])
def test_a_report_is_never_written_over_another_file_of_the_image(
        tmp_path: Path, command: str, maker: Callable[[Path], list[Path]], target: str) -> None:
    files = maker(tmp_path)
    before = {path.name: path.read_bytes() for path in files}
    code, out, err = run(command, str(files[0]), "-q", "-o", str(tmp_path / target))
    assert code == 2 and out == ""
    written = tmp_path / target
    assert err == f"verfix: error: {written}: refusing to write over {written}, which this run reads\n"
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before  # nothing written
    # Through a hard link to the extent or segment, too (the same file by device and inode).
    os.link(tmp_path / target, tmp_path / "other-name")
    code, _, err = run(command, str(files[0]), "-q", "-o", str(tmp_path / "other-name"))
    assert code == 2 and "refusing to write over" in err
    assert (tmp_path / target).read_bytes() == before[target]


def test_the_whole_server_check_never_writes_over_an_extent(tmp_path: Path) -> None:
    # nt4-c.E01's disk as a flat extent: a system volume, checked by the whole-server check.
    from verfix.image.media import open_media

    with open_media(IMAGES / "nt4-c.E01") as media:
        (tmp_path / "c-flat.vmdk").write_bytes(media.read_at(0, media.size))
        (tmp_path / "c.vmdk").write_bytes(vmdk_descriptor("c-flat.vmdk", media.size // 512))
    before = (tmp_path / "c-flat.vmdk").read_bytes()
    code, out, _ = run("check", str(tmp_path / "c.vmdk"), "-q", "-f", "json")
    assert code == 1 and json.loads(out)["products"]  # the whole-server check ran
    code, _, err = run("check", str(tmp_path / "c.vmdk"), "-q", "-o", str(tmp_path / "c-flat.vmdk"))
    assert code == 2 and "refusing to write over" in err
    assert (tmp_path / "c-flat.vmdk").read_bytes() == before


def test_a_renamed_sparse_vmdk_and_a_symlinked_extent_through_the_cli(tmp_path: Path) -> None:
    shutil.copy(IMAGES / "server.vmdk", tmp_path / "exch01.vmdk")
    code, out, err = run("check", str(tmp_path / "exch01.vmdk"), "-q", "-f", "json")
    assert code == 1, err  # p1 (SP2) is not compliant, as for server.vmdk
    assert [f["bin_dir"] for f in json.loads(out)["folders"]] == [
        f"{tmp_path / 'exch01.vmdk'}#p1:/EXCHSRVR/BIN", f"{tmp_path / 'exch01.vmdk'}#p2:/Exchsrvr/Bin"]
    descriptor, extent = _flat_vmdk(tmp_path)
    (tmp_path / "elsewhere").mkdir()
    extent.rename(tmp_path / "elsewhere" / extent.name)
    extent.symlink_to(tmp_path / "elsewhere" / extent.name)
    code, out, err = run("check", str(descriptor), "-q")
    assert code == 2 and out == ""
    assert err == (f"verfix: error: {descriptor}: extent file 'disk-flat.vmdk' is a symbolic link; not followed "
                   "(extent files are opened only when they lie beside the descriptor)\n")


def _without_places(report: object, prefix: str) -> object:
    """``report`` with ``prefix`` (a folder, or an image's ``IMAGE#p1:``) cut from every text."""
    return json.loads(json.dumps(report).replace(prefix, "<volume>"))


@pytest.mark.parametrize("options", [(), ("--partition", "1"), ("--product", "Windows NT", "--product", "IIS")],
                         ids=["all", "partition", "product"])
def test_an_image_of_a_system_volume_gets_the_whole_server_check_of_its_folder(options: tuple[str, ...]) -> None:
    # nt4-c.E01 holds testdata/nt4 as one NTFS volume (no partition table), hives included:
    # the same verdicts, products, hotfix findings and exit code as the folder it was built from.
    from tests.test_schemas import assert_valid

    image, folder = IMAGES / "nt4-c.E01", REPO / "testdata" / "nt4"
    code, out, err = run("check", str(image), "-f", "json", "-q", *options)
    products = [o for o in options if o != "--partition" and not o.isdigit()]
    expected_code, expected_out, _ = run("check", str(folder), "-f", "json", "-q", *products)
    assert code == expected_code == 1, err
    report, expected = json.loads(out), json.loads(expected_out)
    assert_valid("check-report", report)
    assert [p["slug"] for p in report["products"]] == (["windows-nt", "iis"] if products
                                                       else ["windows-nt", "iis", "exchange"])
    assert report["folders"][0]["bin_dir"] == f"{image}#p1:/WINNT/system32"
    assert verdicts(report) == verdicts(expected) and len(report["manifests"]) > 70
    for key in ("products", "hotfixes", "unplaced", "folders"):
        assert _without_places(report[key], f"{image}#p1:") == _without_places(expected[key], str(folder)), key
    findings = {h["article"]: h["finding"] for h in report["hotfixes"]}
    assert findings["Q307991"] == "overwritten"  # the mock volume's overwritten hotfix, found in the image


def test_an_image_of_exchange_volumes_only_keeps_the_bin_folder_check() -> None:
    # server.E01's volumes hold Exchange bin folders and no system root: no product lines.
    code, out, err = run("check", str(IMAGES / "server.E01"), "-f", "json", "-q")
    assert code == 1, err
    assert "products" not in json.loads(out)


def test_image_reports_and_records_are_valid_documents() -> None:
    from tests.test_schemas import assert_valid

    image = IMAGES / "server.qcow2"
    code, out, err = run("check", str(image), "-f", "json", "-q")
    assert code == 1, err
    assert_valid("check-report", json.loads(out))
    code, out, err = run("check", str(image), "-f", "jsonl", "-q", "-m", "Q236586")
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == 30
    for record in records:
        assert_valid("check-record", record)
    code, out, err = run("inventory", str(image), "-q", "--hash", "sha256")
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == 250 and all(r["path"].startswith(f"{image}#p") for r in records)
    for record in records:
        assert_valid("inventory-record", record)


def test_a_2_gib_file_inside_an_image_costs_a_few_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    # big-file.E01: one NTFS volume whose EXCHSRVR/BIN/EMSMTA.EXE is SP3's, sparse to 2 GiB.
    from verfix.image.volume import VolumeFile

    asked: list[int] = []
    real_read_at = VolumeFile.read_at

    def counting_read_at(self: VolumeFile, offset: int, length: int) -> bytes:
        asked.append(length)
        return real_read_at(self, offset, length)

    monkeypatch.setattr(VolumeFile, "read_at", counting_read_at)
    image = IMAGES / "big-file.E01"
    code, out, err = run("check", str(image), "-m", "Q236586", "-f", "json", "-q")
    rows = {row["name"]: row for row in json.loads(out)["manifests"][0]["files"]}
    assert rows["Emsmta.exe"]["status"] == "ok" and rows["Emsmta.exe"]["file_version"] == "5.5.2646.0"
    assert 0 < len(asked) <= 4 and sum(asked) <= 16 * 1024  # the headers and the version block
    asked.clear()
    code, out, err = run("check", str(image), "-m", "Q236586", "-f", "json", "-q", "--reader", "pefile")
    rows = {row["name"]: row for row in json.loads(out)["manifests"][0]["files"]}
    assert rows["Emsmta.exe"]["status"] == "unreadable"
    assert rows["Emsmta.exe"]["notes"] == ["too large for the pefile reader (2048 MiB, limit 64 MiB)"]
    assert sum(asked) <= 8192  # refused after the header checks, as in a folder
    asked.clear()
    code, out, err = run("inventory", str(image), "-q")
    assert code == 0, err
    (record,) = [json.loads(line) for line in out.splitlines()]
    assert record["size"] == 2 << 30 and record["file_version"] == "5.5.2646.0"
    assert sum(asked) <= 16 * 1024


def test_products_of_an_image_are_those_of_its_folder() -> None:
    # The survey (system root, kernel, both hives, IIS and Exchange) reads through the view too.
    image = IMAGES / "nt4-c.E01"
    folder = REPO / "testdata" / "nt4"
    code, out, err = run("products", str(image), "-f", "json")
    assert code == 0, err
    assert f"{image}: p1: NTFS, 2.0 MiB at sector 0 (whole disk)" in err
    mine, expected = json.loads(out), json.loads(run("products", str(folder), "-f", "json")[1])
    assert [p["product"] for p in mine] == ["Microsoft Windows NT", "Microsoft Internet Information Server",
                                            "Microsoft Exchange Server"]

    def without_places(item: dict, prefix: str) -> dict:
        text = json.dumps(item).replace(prefix, "<volume>")
        return json.loads(text)

    assert [without_places(p, f"{image}#p1:") for p in mine] == [without_places(p, str(folder)) for p in expected]
    code, out, err = run("products", str(image), "--partition", "1", "-f", "csv")
    assert code == 0 and "p1:/WINNT/system32; p1:/WINNT/system32/drivers" in out


def test_sarif_and_html_reports_of_an_image(tmp_path: Path) -> None:
    image = IMAGES / "server.E01"
    code, out, err = run("check", str(image), "-m", "Q236586", "-f", "sarif", "-q")
    assert code == 1, err
    log = json.loads(out)
    results = log["runs"][0]["results"]
    uris = {result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for result in results}
    assert f"file://{image}#p1:/EXCHSRVR/BIN/EMSMTA.EXE" in uris  # the image's URI, the volume's path as fragment
    assert not any("#p2:" in uri for uri in uris)  # SP3's partition is compliant: no results
    from tests.sarif_schema import validate_sarif

    validate_sarif(log)
    code, out, err = run("check", str(image), "-m", "Q236586", "-f", "html", "-q", "-o", str(tmp_path / "r.html"))
    assert code == 1, err
    assert f"{image}#p1:/EXCHSRVR/BIN/EMSMTA.EXE" in (tmp_path / "r.html").read_text(encoding="utf-8")
