"""Builders of crafted PE files, valid and hostile, for the reader tests."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

FIXED_SIGNATURE = 0xFEEF04BD
E_LFANEW = 0x80
FILE_ALIGNMENT = 0x200
SECTION_ALIGNMENT = 0x1000
US_TABLE = ("040904B0", {"FileVersion": "5.5.2646.0", "ProductVersion": "5.5.2646.0",
                         "ProductName": "Microsoft Exchange"})


def _pad4(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % 4)


def _utf16z(text: str) -> bytes:
    return text.encode("utf-16-le") + b"\0\0"


def block(key: str, value: bytes = b"", value_length: int | None = None, value_type: int = 0,
          children: list[bytes] = ()) -> bytes:
    """One version block (wLength, wValueLength, wType, key, value, children), unpadded."""
    body = _pad4(b"\0" * 6 + _utf16z(key)) + value
    for child in children:
        body = _pad4(body) + child
    if value_length is None:
        value_length = len(value)
    return struct.pack("<HHH", len(body), value_length, value_type) + body[6:]


def string_entry(name: str, value: str | bytes) -> bytes:
    """A String block; ``value`` may be raw UTF-16LE bytes (for lone surrogates)."""
    raw = value if isinstance(value, bytes) else value.encode("utf-16-le")
    raw += b"\0\0"
    return block(name, raw, value_length=len(raw) // 2, value_type=1)


def fixed_info(file_version: tuple[int, int, int, int],
               product_version: tuple[int, int, int, int] | None = None,
               signature: int = FIXED_SIGNATURE) -> bytes:
    """A 52-byte VS_FIXEDFILEINFO."""
    product_version = product_version or file_version
    ms = lambda v: (v[0] << 16) | v[1]  # noqa: E731
    ls = lambda v: (v[2] << 16) | v[3]  # noqa: E731
    return struct.pack("<13I", signature, 0x00010000, ms(file_version), ls(file_version),
                       ms(product_version), ls(product_version), 0x3F, 0, 0x40004, 2, 0, 0, 0)


def version_info(file_version: tuple[int, int, int, int] = (5, 5, 2646, 0),
                 product_version: tuple[int, int, int, int] | None = None,
                 *, value_length: int | None = None, signature: int = FIXED_SIGNATURE,
                 tables: list[tuple[str, dict[str, str | bytes]]] | None = None,
                 var_first: bool = False, fixed: bool = True) -> bytes:
    """A VS_VERSIONINFO resource with the given fixed block and string tables."""
    if tables is None:
        tables = [US_TABLE]
    string_file_info = block("StringFileInfo", children=[
        block(language, value_type=1,
              children=[string_entry(k, v) for k, v in strings.items()])
        for language, strings in tables])
    var_file_info = block("VarFileInfo", value_type=1, children=[
        block("Translation", struct.pack("<HH", 0x0409, 0x04B0))])
    children = [var_file_info, string_file_info] if var_first else [string_file_info,
                                                                     var_file_info]
    value = fixed_info(file_version, product_version, signature) if fixed else b""
    return block("VS_VERSION_INFO", value, value_length=value_length, children=children)


@dataclass
class ResourceLayout:
    """How the resource tree points to the version data."""

    version: bytes | None = None        # None: a resource tree without RT_VERSION
    languages: int = 1                  # language entries, all pointing at the same data
    loop: str | None = None             # "type" → root, or "name" → itself
    data_size: int | None = None        # override IMAGE_RESOURCE_DATA_ENTRY.Size


def resource_section(layout: ResourceLayout, rva: int) -> bytes:
    """The bytes of a .rsrc section placed at ``rva``."""
    type_id = 16 if layout.version is not None else 3  # RT_ICON stands in for "something else"
    root = struct.pack("<IIHHHH", 0, 0, 4, 0, 0, 1)
    type_dir_at = len(root) + 8                    # the RT_VERSION directory: names
    name_dir_at = type_dir_at + 16 + 8             # the directory of the first name: languages
    data_entry_at = name_dir_at + 16 + 8 * layout.languages
    data_at = _pad4_len(data_entry_at + 16)
    root += struct.pack("<II", type_id, 0x80000000 | type_dir_at)
    type_target = 0 if layout.loop == "type" else name_dir_at
    type_dir = struct.pack("<IIHHHH", 0, 0, 4, 0, 0, 1) + struct.pack(
        "<II", 1, 0x80000000 | type_target)
    if layout.loop == "name":
        language_targets = [0x80000000 | name_dir_at] * layout.languages
    else:
        language_targets = [data_entry_at] * layout.languages
    name_dir = struct.pack("<IIHHHH", 0, 0, 4, 0, 0, layout.languages) + b"".join(
        struct.pack("<II", 0x409 + i, target) for i, target in enumerate(language_targets))
    payload = layout.version if layout.version is not None else b"\0" * 16
    size = layout.data_size if layout.data_size is not None else len(payload)
    data_entry = struct.pack("<IIII", rva + data_at, size, 1252, 0)
    tree = root + type_dir + name_dir + data_entry
    return tree + b"\0" * (data_at - len(tree)) + payload


def _pad4_len(n: int) -> int:
    return n + (-n % 4)


def _align(n: int, alignment: int) -> int:
    return n + (-n % alignment)


@dataclass
class PESpec:
    """Parameters of a crafted PE image with one .rsrc section (plus optional filler)."""

    resources: ResourceLayout | None = field(default_factory=ResourceLayout)
    machine: int = 0x014C
    pe32plus: bool = False
    extra_sections: int = 0             # filler sections after .rsrc
    rsrc_virtual_size: int | None = None
    rsrc_raw_size: int | None = None
    section_alignment: int = SECTION_ALIGNMENT
    file_alignment: int = FILE_ALIGNMENT
    head_section_raw_size: int | None = None  # a section before .rsrc with this SizeOfRawData


def build_pe(spec: PESpec | None = None) -> bytes:
    """Assemble the PE image described by ``spec``."""
    spec = spec or PESpec()
    optional_size = 240 if spec.pe32plus else 224
    head = spec.head_section_raw_size is not None
    section_count = 1 + spec.extra_sections + head
    table_at = E_LFANEW + 24 + optional_size
    headers_size = _align(table_at + 40 * section_count, spec.file_alignment)
    low = spec.section_alignment < 0x1000
    rsrc_rva = headers_size if low else _align(headers_size, spec.section_alignment)
    head_rva = rsrc_rva
    if head:
        rsrc_rva += spec.section_alignment
    rsrc_raw_at = rsrc_rva if low else headers_size
    rsrc = resource_section(spec.resources, rsrc_rva) if spec.resources else b"\0" * 16
    rsrc_raw = _align(len(rsrc), spec.file_alignment)
    rsrc_virtual = _align(len(rsrc), spec.section_alignment)
    image_size = rsrc_rva + rsrc_virtual + spec.extra_sections * spec.section_alignment

    dos = bytearray(64)
    dos[0:2] = b"MZ"
    struct.pack_into("<I", dos, 0x3C, E_LFANEW)
    dos = bytes(dos) + b"\0" * (E_LFANEW - 64)
    coff = struct.pack("<HHIIIHH", spec.machine, section_count, 0x3B000000, 0, 0,
                       optional_size, 0x2102)
    optional = bytearray(optional_size)
    struct.pack_into("<H", optional, 0, 0x20B if spec.pe32plus else 0x10B)
    if spec.pe32plus:
        struct.pack_into("<Q", optional, 24, 0x180000000)
    else:
        struct.pack_into("<I", optional, 28, 0x10000000)
    struct.pack_into("<II", optional, 32, spec.section_alignment, spec.file_alignment)
    struct.pack_into("<HH", optional, 40, 4, 0)
    struct.pack_into("<HH", optional, 48, 4, 0)
    struct.pack_into("<II", optional, 56, image_size, headers_size)
    struct.pack_into("<H", optional, 68, 2)
    directories_at = 112 if spec.pe32plus else 96
    struct.pack_into("<I", optional, directories_at - 4, 16)
    if spec.resources is not None:
        struct.pack_into("<II", optional, directories_at + 16, rsrc_rva, len(rsrc))
    sections = b""
    if head:  # a tiny section whose SizeOfRawData claims far more than the file holds
        sections += struct.pack("<8sIIIIIIHHI", b".text", 0x10, head_rva,
                                spec.head_section_raw_size, 0, 0, 0, 0, 0, 0x60000020)
    sections += struct.pack(
        "<8sIIIIIIHHI", b".rsrc", spec.rsrc_virtual_size or len(rsrc), rsrc_rva,
        spec.rsrc_raw_size or rsrc_raw, rsrc_raw_at, 0, 0, 0, 0, 0x40000040)
    filler_rva = rsrc_rva + rsrc_virtual
    filler = struct.Struct("<8sIIIIIIHHI")
    sections += b"".join(
        filler.pack(b".fill", spec.section_alignment, filler_rva + i * spec.section_alignment,
                    0, 0, 0, 0, 0, 0, 0xC0000080)
        for i in range(spec.extra_sections))
    headers = dos + b"PE\0\0" + coff + bytes(optional) + sections
    image = headers + b"\0" * (rsrc_raw_at - len(headers)) + rsrc
    return image + b"\0" * (rsrc_raw_at + rsrc_raw - len(image))


def valid_pe(**kwargs: object) -> bytes:
    """A valid PE32 DLL whose version resource is ``version_info(**kwargs)``."""
    return build_pe(PESpec(resources=ResourceLayout(version=version_info(**kwargs))))


# --- hostile cases -------------------------------------------------------------------------

def empty() -> bytes:
    return b""


def text_file() -> bytes:
    return b"This is not a DLL, just text that happens to be named like one.\r\n" * 4


def mz_only() -> bytes:
    return b"MZ"


def truncated_dos_header() -> bytes:
    return valid_pe()[:40]


def truncated_pe_header() -> bytes:
    return valid_pe()[:E_LFANEW + 24 + 40]


def truncated_section_table() -> bytes:
    image = bytearray(valid_pe())
    struct.pack_into("<H", image, E_LFANEW + 6, 200)   # 200 sections claimed
    return bytes(image[:E_LFANEW + 24 + 224 + 40 * 3])


def truncated_resource_data() -> bytes:
    image = valid_pe()
    return image[:-len(version_info()) // 2 - 0x60]


def ne_executable() -> bytes:
    dos = bytearray(0x80)
    dos[0:2] = b"MZ"
    struct.pack_into("<I", dos, 0x3C, 0x40)
    dos[0x40:0x42] = b"NE"
    return bytes(dos) + b"\0" * 0x100


def le_executable() -> bytes:
    image = bytearray(ne_executable())
    image[0x40:0x42] = b"LE"
    return bytes(image)


def no_pe_signature() -> bytes:
    image = bytearray(valid_pe())
    image[E_LFANEW:E_LFANEW + 4] = b"XX\0\0"
    return bytes(image)


def no_fixed_block() -> bytes:
    return valid_pe(fixed=False, value_length=0)


def bad_signature() -> bytes:
    return valid_pe(signature=0x12345678)


def resource_loop(where: str = "type") -> bytes:
    layout = ResourceLayout(version=version_info(), loop=where)
    return build_pe(PESpec(resources=layout))


def amplification(languages: int = 4096) -> bytes:
    layout = ResourceLayout(version=version_info(), languages=languages)
    return build_pe(PESpec(resources=layout))


def many_sections(count: int = 65535) -> bytes:
    return build_pe(PESpec(resources=ResourceLayout(version=version_info()),
                           extra_sections=count - 1))


def gigabyte_section() -> bytes:
    return build_pe(PESpec(resources=ResourceLayout(version=version_info()),
                           rsrc_virtual_size=0xFFFFF000, rsrc_raw_size=0x7FFFFE00))


def bloated_raw_size_before_resources() -> bytes:
    return build_pe(PESpec(resources=ResourceLayout(version=version_info()),
                           head_section_raw_size=0x7FFFFE00))


def string_differs() -> bytes:
    return valid_pe(file_version=(6, 1, 0, 9212), tables=[
        ("040904B0", {"FileVersion": "6.01.9212", "ProductVersion": "6.01.9212"})])


def pe32plus() -> bytes:
    return build_pe(PESpec(resources=ResourceLayout(version=version_info()),
                           machine=0x8664, pe32plus=True))


def no_version_resource() -> bytes:
    return build_pe(PESpec(resources=ResourceLayout(version=None)))


def no_resources() -> bytes:
    return build_pe(PESpec(resources=None))


def low_alignment() -> bytes:
    return build_pe(PESpec(resources=ResourceLayout(version=version_info()),
                           section_alignment=0x200, file_alignment=0x200))


def huge_data_size() -> bytes:
    return build_pe(PESpec(resources=ResourceLayout(version=version_info(),
                                                    data_size=0xFFFFFFF0)))


def write_sparse(path: Path, image: bytes, size: int = 2 << 30) -> Path:
    """Write ``image`` and extend the file to ``size`` bytes without allocating them."""
    with open(path, "wb") as handle:
        handle.write(image)
        handle.truncate(size)
    return path


# name → builder, for tools that run every hostile case
HOSTILE_CASES = {
    "empty": empty, "text": text_file, "mz-only": mz_only,
    "truncated-dos-header": truncated_dos_header, "truncated-pe-header": truncated_pe_header,
    "truncated-section-table": truncated_section_table,
    "truncated-resource-data": truncated_resource_data, "ne": ne_executable,
    "le": le_executable, "no-pe-signature": no_pe_signature, "no-fixed-block": no_fixed_block,
    "bad-signature": bad_signature, "loop-type": lambda: resource_loop("type"),
    "loop-name": lambda: resource_loop("name"), "amplification": amplification,
    "65535-sections": many_sections, "gigabyte-section": gigabyte_section,
    "bloated-raw-size": bloated_raw_size_before_resources,
    "string-differs": string_differs, "pe32plus": pe32plus,
    "no-version-resource": no_version_resource, "no-resources": no_resources,
    "low-alignment": low_alignment, "huge-data-size": huge_data_size,
}
