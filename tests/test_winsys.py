"""Telling a Windows system from its kernel and hives: the mock NT 4.0 volume and edge cases."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from verfix.hive import Hive, open_hive
from verfix.pe import read_pe_file
from verfix.version import parse_version
from verfix.winsys import (
    HotfixRecord,
    ProductOptions,
    WindowsRegistry,
    detect_windows,
    read_product_options,
    read_windows_registry,
    service_pack_label,
)

CONFIG = Path(__file__).resolve().parent.parent / "testdata" / "nt4" / "WINNT" / "system32" / "config"
KERNEL = CONFIG.parent / "ntoskrnl.exe"


def test_the_mock_volumes_registry_is_read() -> None:
    registry = read_windows_registry(open_hive(CONFIG / "software"))
    assert (registry.current_version, registry.build, registry.csd_version, registry.system_root) == (
        "4.0", "1381", "Service Pack 6", "C:\\WINNT",
    )
    assert [r.article for r in registry.hotfixes] == ["Q246009", "Q307991", "Q320249"]
    tcpip_fix = registry.recorded("q307991")
    assert tcpip_fix is not None and tcpip_fix.installed is True
    assert tcpip_fix.installed_on == "12/3/2001" and tcpip_fix.description == "Tcpip.sys 4.0.1381.7109"
    assert registry.recorded("Q999999") is None


def test_the_mock_volumes_product_options_are_read() -> None:
    options = read_product_options(open_hive(CONFIG / "system"))
    assert options == ProductOptions("ServerNT", (), "ControlSet001")


def test_the_mock_volume_is_nt_40_sp6a_on_the_main_line() -> None:
    kernel = read_pe_file(str(KERNEL)).file_version
    system = detect_windows(
        kernel, read_windows_registry(open_hive(CONFIG / "software")),
        read_product_options(open_hive(CONFIG / "system")),
    )
    assert system.release.value == "4.0" and "ntoskrnl.exe is 4.0.1381.7130" in system.release.how
    assert system.service_pack.value == "SP6a" and "Q246009" in system.service_pack.how
    assert system.branch.value is None and "main line" in system.branch.how
    assert system.notes == ()


@pytest.mark.parametrize(
    ("csd", "records", "label"),
    [
        (None, (), "RTM"),
        ("", (), "RTM"),
        ("Service Pack 3", (), "SP3"),
        ("Service Pack 6", (), "SP6"),
        ("Service Pack 6", ("Q246009",), "SP6a"),
        ("Service Pack 1, RC 1.1", (), "SP1"),
        ("Service Pack 6a", (), "SP6a"),
        ("Beta 2", (), None),
    ],
)
def test_service_pack_labels(csd, records, label) -> None:
    registry = WindowsRegistry(hotfixes=tuple(HotfixRecord(n, n, True) for n in records))
    assert service_pack_label(csd, registry) == label


def test_terminal_server_told_by_kernel_and_by_product_suite() -> None:
    tse = parse_version("4.0.1381.33474")
    by_kernel = detect_windows(tse, WindowsRegistry(current_version="4.0", build="1381"),
                               ProductOptions("ServerNT", ("Terminal Server",)))
    assert by_kernel.branch.value == "Terminal Server Edition" and by_kernel.notes == ()
    without_suite = detect_windows(tse, None, ProductOptions("ServerNT", ()))
    assert without_suite.branch.value == "Terminal Server Edition"
    assert "ProductSuite does not name Terminal Server" in without_suite.notes[0]
    by_suite = detect_windows(None, None, ProductOptions("ServerNT", ("Terminal Server",)))
    assert by_suite.branch.value == "Terminal Server Edition" and "ProductSuite" in by_suite.branch.how


def test_release_from_the_registry_when_the_kernel_cannot_be_read() -> None:
    system = detect_windows(None, WindowsRegistry(current_version="5.0", build="2195"))
    assert system.release.value == "2000" and "CurrentVersion" in system.release.how
    assert detect_windows(None).release.value is None
    mismatch = detect_windows(parse_version("4.0.1381.7130"), WindowsRegistry(current_version="4.0", build="1057"))
    assert "disagrees" in mismatch.notes[0]


class _FakeHive(Hive):
    """A hive answering from a dict, for values regipy types as non-strings."""

    def __init__(self, keys: dict[str, dict[str, object]]) -> None:
        self.keys = {k.lower(): v for k, v in keys.items()}
        self.names = {k.lower(): k for k in keys}

    def values(self, key_path: str):
        return self.keys.get(key_path.lower())

    def subkeys(self, key_path: str):
        prefix = key_path.lower() + "\\"
        names = [self.names[k][len(prefix):] for k in self.keys
                 if k.startswith(prefix) and "\\" not in k[len(prefix):]]
        return names if names or key_path.lower() in self.keys else None


def test_odd_values_are_taken_for_what_they_are() -> None:
    hive = _FakeHive({
        r"Microsoft\Windows NT\CurrentVersion": {"csdversion": 6, "currentversion": "4.0\0junk"},
        r"Microsoft\Windows NT\CurrentVersion\Hotfix": {},
        r"Microsoft\Windows NT\CurrentVersion\Hotfix\KB823980": {"installed": 0},
        r"Microsoft\Windows NT\CurrentVersion\Hotfix\Q300000": {"installed": "yes"},
        r"Microsoft\Windows NT\CurrentVersion\Hotfix\SP2SRP1": {},
    })
    registry = read_windows_registry(hive)
    assert registry.csd_version is None and registry.current_version == "4.0"
    assert [(r.name, r.article, r.installed) for r in registry.hotfixes] == [
        ("KB823980", "Q823980", False), ("Q300000", "Q300000", None), ("SP2SRP1", None, None),
    ]
    system = _FakeHive({"Select": {"current": 2}, r"ControlSet002\Control\ProductOptions": {
        "producttype": "LanmanNT", "productsuite": ["Enterprise", "", "Terminal Server"]}})
    expected = ProductOptions("LanmanNT", ("Enterprise", "Terminal Server"), "ControlSet002")
    assert read_product_options(system) == expected
    assert read_product_options(_FakeHive({})) == ProductOptions(control_set="ControlSet001")


@pytest.mark.skipif(shutil.which("hivexregedit") is None, reason="hivexregedit not installed")
def test_a_terminal_server_system_hive_built_by_hivex(tmp_path: Path) -> None:
    import subprocess
    import sys

    suite = ",".join(f"{b:02x}" for b in "Terminal Server\0".encode("utf-16-le") + b"\0\0")
    reg = tmp_path / "system.reg"
    reg.write_text(
        "Windows Registry Editor Version 5.00\n\n[HKEY_LOCAL_MACHINE\\SYSTEM\\Select]\n\"Current\"=dword:00000002\n\n"
        "[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002]\n\n[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002\\Control]\n\n"
        "[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002\\Control\\ProductOptions]\n\"ProductType\"=\"ServerNT\"\n"
        f"\"ProductSuite\"=hex(7):{suite}\n"
    )
    hive = tmp_path / "system"
    repo = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, str(repo / "testdata" / "hive" / "make_empty_hive.py"), str(hive)], check=True)
    subprocess.run(["hivexregedit", "--merge", "--prefix", "HKEY_LOCAL_MACHINE\\SYSTEM", str(hive), str(reg)],
                   check=True, capture_output=True)
    options = read_product_options(open_hive(hive))
    assert options == ProductOptions("ServerNT", ("Terminal Server",), "ControlSet002")
    assert detect_windows(None, None, options).branch.value == "Terminal Server Edition"
