"""The committed example binaries under testdata/ are what they claim, read by pefile."""

import filecmp
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pefile
import pytest

from verfix.manifest import tomllib  # tomli on Python 3.10

REPO = Path(__file__).resolve().parent.parent
TESTDATA = REPO / "testdata"
SP2 = TESTDATA / "sp2" / "exchsrvr" / "bin"
SP3 = TESTDATA / "sp3" / "exchsrvr" / "bin"
PE_DIR = TESTDATA / "pe"
FILE_LIST = TESTDATA / "exchange55-files.tsv"

# Q236586's files: the facts the example folders have kept since they held only these.
Q236586_BINARIES = ["Ems_rid.dll", "Emsmta.exe", "Mtacheck.exe", "Mtamsg.dll", "X400om.dll", "X400omv1.dll"]
Q236586_DATA = [
    "Dbserver.sch", "Dcprods.cat", "Info4log.cfg", "Infoblog.cfg", "Infodlog.cfg",
    "Infollog.cfg", "Infoplog.cfg", "Infotlog.cfg", "P2.xv2",
]
SP2_VERSION = (5, 5, 2448, 0)
SP3_VERSION = (5, 5, 2646, 0)


def read_file_list() -> list[dict[str, str]]:
    """The rows of testdata/exchange55-files.tsv (comment lines skipped)."""
    lines = [line for line in FILE_LIST.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:]]


FILES = read_file_list()
BINARIES = [f["name"] for f in FILES if f["kind"] == "binary"]
DATA_FILES = [f["name"] for f in FILES if f["kind"] == "data"]
BY_NAME = {f["name"]: f for f in FILES}
FOLDERS = {"sp2": SP2, "sp3": SP3}

I386, AMD64 = 0x14C, 0x8664
PE32, PE32_PLUS = 0x10B, 0x20B
RT_RCDATA, RT_VERSION = 10, 16


def load(path: Path) -> pefile.PE:
    with open(path, "rb") as f:
        return pefile.PE(data=f.read())


def fixed_file_version(pe: pefile.PE) -> tuple[int, int, int, int]:
    info = pe.VS_FIXEDFILEINFO[0]
    assert info.Signature == 0xFEEF04BD
    ms, ls = info.FileVersionMS, info.FileVersionLS
    return (ms >> 16, ms & 0xFFFF, ls >> 16, ls & 0xFFFF)


def fixed_product_version(pe: pefile.PE) -> tuple[int, int, int, int]:
    info = pe.VS_FIXEDFILEINFO[0]
    ms, ls = info.ProductVersionMS, info.ProductVersionLS
    return (ms >> 16, ms & 0xFFFF, ls >> 16, ls & 0xFFFF)


def string_tables(pe: pefile.PE) -> list[tuple[str, dict[str, str]]]:
    """(language id, {key: value}) for each StringTable, in file order."""
    tables = []
    for info in pe.FileInfo[0]:
        if info.Key == b"StringFileInfo":
            for table in info.StringTable:
                entries = {k.decode("utf-8"): v.decode("utf-8") for k, v in table.entries.items()}
                tables.append((table.LangID.decode("ascii").upper(), entries))
    return tables


TRANSLATION_KEY = "Translation\0".encode("utf-16-le")


def translation_pairs(path: Path) -> list[tuple[int, int]]:
    """(language, code page) pairs of the one VarFileInfo Translation value.

    Read from the raw bytes: pefile keeps only the last pair of a multi-pair value.
    Layout: wLength, wValueLength (bytes), wType, key, padding to 4 bytes, value words.
    """
    data = path.read_bytes()
    assert data.count(TRANSLATION_KEY) == 1
    start = data.index(TRANSLATION_KEY) - 6
    value_length = int.from_bytes(data[start + 2:start + 4], "little")
    value = start + 6 + len(TRANSLATION_KEY)
    value += -value % 4
    words = [int.from_bytes(data[i:i + 2], "little") for i in range(value, value + value_length, 2)]
    return list(zip(words[0::2], words[1::2]))


def parse_loose(text: str) -> tuple[int, ...]:
    """'5.5.2646.0' and '5, 5, 2646, 0' both give (5, 5, 2646, 0)."""
    return tuple(int(part) for part in re.split(r"[.,]\s*", text.strip()))


def resource_types(pe: pefile.PE) -> list[int]:
    return [entry.id for entry in pe.DIRECTORY_ENTRY_RESOURCE.entries]


# --- the file list and the Exchange 5.5 bin folders --------------------------------------

def dotted(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def test_file_list_is_what_the_tool_derives_from_the_catalog():
    """The committed TSV is current: rerun tools/exchange55_files.py after catalog changes."""
    result = subprocess.run(
        [sys.executable, str(REPO / "tools" / "exchange55_files.py"), "--check"],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr


def test_file_list_shape():
    assert 120 <= len(FILES) <= 220
    assert all(f["kind"] in ("binary", "data") for f in FILES)
    assert len({f["name"].lower() for f in FILES}) == len(FILES)  # no two names differ by case only
    for f in FILES:
        binary = f["name"].lower().endswith((".exe", ".dll"))
        assert (f["kind"] == "binary") == binary, f["name"]
        if binary:
            assert dotted(f["sp2_version"]) <= dotted(f["sp3_version"]), f["name"]
        else:
            assert f["sp2_string"] == f["sp3_string"] == "-", f["name"]
    assert len(BINARIES) > 2 * len(DATA_FILES)


def test_q236586_facts_kept_in_the_file_list():
    manifest = tomllib.loads((REPO / "manifests" / "Q236586.toml").read_text())
    versioned = sorted(row["name"] for row in manifest["files"] if "version" in row)
    unversioned = sorted(row["name"] for row in manifest["files"] if "version" not in row)
    assert versioned == sorted(Q236586_BINARIES)
    assert unversioned == sorted(Q236586_DATA)
    assert {row.get("version") for row in manifest["files"]} == {None, "5.5.2646.0"}
    for name in Q236586_BINARIES:
        assert dotted(BY_NAME[name]["sp2_version"]) == SP2_VERSION, name
        assert dotted(BY_NAME[name]["sp3_version"]) == SP3_VERSION, name
    for name in Q236586_DATA:
        assert BY_NAME[name]["kind"] == "data"


@pytest.mark.parametrize("sp", ["sp2", "sp3"])
def test_folder_holds_exactly_the_listed_files(sp):
    assert sorted(p.name for p in FOLDERS[sp].iterdir()) == sorted(BINARIES + DATA_FILES)


@pytest.mark.parametrize("sp", ["sp2", "sp3"])
@pytest.mark.parametrize("name", DATA_FILES)
def test_data_file_present_and_not_pe(sp, name):
    path = FOLDERS[sp] / name
    assert path.is_file()
    data = path.read_bytes()
    assert 0 < len(data) < 1024
    assert not data.startswith(b"MZ")
    assert b"verfix test data" in data  # invented content, said so
    data.decode("ascii")


@pytest.mark.parametrize("sp", ["sp2", "sp3"])
@pytest.mark.parametrize("name", BINARIES)
def test_exchange_binary(sp, name):
    path = FOLDERS[sp] / name
    listed = BY_NAME[name]
    expected = dotted(listed[f"{sp}_version"])
    assert path.stat().st_size <= 8192
    pe = load(path)
    assert pe.FILE_HEADER.Machine == I386
    assert pe.OPTIONAL_HEADER.Magic == PE32
    assert pe.FILE_HEADER.TimeDateStamp == 0
    if name.lower().endswith(".dll"):
        assert pe.is_dll()
    else:
        assert pe.is_exe() and not pe.is_dll()
    assert fixed_file_version(pe) == expected
    assert fixed_product_version(pe) == expected

    tables = string_tables(pe)
    assert [lang for lang, _ in tables] == ["040904B0"]
    strings = tables[0][1]
    assert strings["FileVersion"] == listed[f"{sp}_string"]
    assert strings["CompanyName"] == "Microsoft Corporation"
    assert strings["ProductName"] == "Microsoft Exchange"
    assert strings["FileDescription"] == listed["description"]
    assert strings["FileDescription"].startswith("Microsoft Exchange ")
    assert strings["OriginalFilename"] == name
    assert translation_pairs(path) == [(0x409, 1200)]


@pytest.mark.parametrize(("folder", "expected"), [(SP2, SP2_VERSION), (SP3, SP3_VERSION)], ids=["sp2", "sp3"])
@pytest.mark.parametrize("name", Q236586_BINARIES)
def test_q236586_binaries(folder, expected, name):
    assert fixed_file_version(load(folder / name)) == expected


def string_versions(folder: Path) -> dict[str, str]:
    return {name: string_tables(load(folder / name))[0][1]["FileVersion"] for name in BINARIES}


def test_sp2_strings_all_agree_with_fixed_block():
    for name, text in string_versions(SP2).items():
        assert parse_loose(text) == fixed_file_version(load(SP2 / name)), name


def test_sp3_only_x400omv1_string_disagrees():
    disagree = {
        name: text for name, text in string_versions(SP3).items()
        if parse_loose(text) != fixed_file_version(load(SP3 / name))
    }
    assert disagree == {"X400omv1.dll": "5.5.2448.0"}
    assert fixed_file_version(load(SP3 / "X400omv1.dll")) == SP3_VERSION


@pytest.mark.parametrize("folder", [SP2, SP3], ids=["sp2", "sp3"])
def test_both_string_styles_occur(folder):
    texts = string_versions(folder)
    dots = [n for n, t in texts.items() if re.fullmatch(r"\d+\.\d+\.\d+\.\d+", t)]
    commas = [n for n, t in texts.items() if re.fullmatch(r"\d+, \d+, \d+, \d+", t)]
    assert sorted(dots + commas) == sorted(BINARIES)
    assert len(dots) >= len(BINARIES) // 3 and len(commas) >= len(BINARIES) // 5
    assert {"Mtacheck.exe", "Mtamsg.dll"} <= set(commas)
    assert {"Emsmta.exe", "Ems_rid.dll", "X400om.dll"} <= set(dots)


# --- samples for the PE reader -----------------------------------------------------------

def test_multilang_german_first_us_second():
    pe = load(PE_DIR / "multilang.dll")
    assert fixed_file_version(pe) == (1, 2, 3, 4)
    tables = string_tables(pe)
    assert [lang for lang, _ in tables] == ["040704B0", "040904B0"]
    assert tables[0][1]["FileVersion"] == "1.0-de"
    assert tables[1][1]["FileVersion"] == "1.2.3.4"
    assert translation_pairs(PE_DIR / "multilang.dll") == [(0x407, 1200), (0x409, 1200)]


def test_nonus_only_french_table():
    pe = load(PE_DIR / "nonus.dll")
    assert fixed_file_version(pe) == (2, 0, 0, 1)
    tables = string_tables(pe)
    assert [lang for lang, _ in tables] == ["040C04B0"]
    assert tables[0][1]["FileVersion"] == "2.0.0.1"
    assert tables[0][1]["FileDescription"] == "Bibliothèque d'exemple en français"
    assert translation_pairs(PE_DIR / "nonus.dll") == [(0x40C, 1200)]


def test_noversion_has_resources_but_no_version():
    pe = load(PE_DIR / "noversion.dll")
    assert pe.is_dll()
    types = resource_types(pe)
    assert RT_RCDATA in types
    assert RT_VERSION not in types
    assert not hasattr(pe, "VS_FIXEDFILEINFO")


def test_strdiff_string_written_differently():
    pe = load(PE_DIR / "strdiff.exe")
    assert pe.is_exe()
    assert fixed_file_version(pe) == (6, 1, 0, 9212)
    assert string_tables(pe)[0][1]["FileVersion"] == "6.01.9212"


def test_winbuild_string_has_lab_suffix():
    pe = load(PE_DIR / "winbuild.dll")
    assert fixed_file_version(pe) == (10, 0, 19041, 985)
    assert string_tables(pe)[0][1]["FileVersion"] == "10.0.19041.985 (WinBuild.160101.0800)"


def test_productonly_has_no_fileversion_string():
    pe = load(PE_DIR / "productonly.exe")
    assert fixed_file_version(pe) == (3, 0, 0, 7)
    strings = string_tables(pe)[0][1]
    assert "FileVersion" not in strings
    assert strings["ProductVersion"] == "3.0"


def test_amd64_is_pe32_plus():
    pe = load(PE_DIR / "amd64.dll")
    assert pe.FILE_HEADER.Machine == AMD64
    assert pe.OPTIONAL_HEADER.Magic == PE32_PLUS
    assert pe.is_dll()
    assert fixed_file_version(pe) == (2, 3, 4, 5)
    assert string_tables(pe)[0][1]["FileVersion"] == "2.3.4.5"


@pytest.mark.parametrize("name", [
    "multilang.dll", "nonus.dll", "noversion.dll", "strdiff.exe", "winbuild.dll", "productonly.exe",
])
def test_pe_samples_are_small_i386(name):
    path = PE_DIR / name
    assert path.stat().st_size <= 8192
    pe = load(path)
    assert pe.FILE_HEADER.Machine == I386
    assert pe.OPTIONAL_HEADER.Magic == PE32


def test_every_binary_links_without_timestamp():
    paths = [*PE_DIR.iterdir(), *(SP2 / n for n in BINARIES), *(SP3 / n for n in BINARIES)]
    for path in paths:
        assert load(path).FILE_HEADER.TimeDateStamp == 0, path.name


# --- the recipe --------------------------------------------------------------------------

@pytest.mark.skipif(
    shutil.which("i686-w64-mingw32-gcc") is None or shutil.which("i686-w64-mingw32-windres") is None,
    reason="mingw-w64 i686 toolchain not installed (only needed to rebuild testdata)",
)
def test_build_script_reproduces_committed_files(tmp_path):
    copy = tmp_path / "testdata"
    copy.mkdir()
    shutil.copytree(TESTDATA / "src", copy / "src")
    for name in ("build.sh", FILE_LIST.name, "nt4-files.tsv"):
        shutil.copy(TESTDATA / name, copy / name)
    subprocess.run(["sh", str(copy / "build.sh")], check=True, capture_output=True)

    def outputs(root: Path) -> list[Path]:
        return sorted(p.relative_to(root) for sub in ("sp2", "sp3", "pe", "nt4") for p in (root / sub).rglob("*")
                      if p.is_file() and "config" not in p.parts)  # nt4's hives: make testdata-hive

    built = outputs(copy)
    assert len(built) >= 2 * len(FILES) + 6
    if shutil.which("x86_64-w64-mingw32-gcc"):
        assert built == outputs(TESTDATA)  # nothing stale left in the committed folders
    for rel in built:
        assert filecmp.cmp(copy / rel, TESTDATA / rel, shallow=False), str(rel)
