"""The importer on other products' table styles, hostile articles, and what it hands on."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from verfix.kbimport import (
    IMPORTED,
    RULES,
    SKIPPED,
    cells,
    import_articles,
    parse_article,
    read_article,
    render_toml,
    to_json_records,
    to_manifest,
)
from verfix.kbimport.envelope import MAX_ARTICLE_BYTES
from verfix.manifest import ManifestError, parse_manifest, tomllib
from verfix.schemas import load_schema

STYLES = Path(__file__).resolve().parent / "fixtures" / "kb-styles"
EXCHANGE_FIXTURE = Path(__file__).resolve().parent / "fixtures" / "kb" / "Q900001.TXT"


def rows(article):
    return [(r.name, r.version, r.platform, r.location, r.product_version, r.size) for r in article.rows]


def article_text(table: str, product: str = "Microsoft Windows NT", prod_ver: str = "::4.0",
                 qid: str = "Q900150") -> str:
    """A made-up .TXT article whose RESOLUTION holds ``table``."""
    return (f"DOCUMENT:{qid}  01-JAN-2001  [test]\nTITLE   :A Test Article\nPRODUCT :{product}\n"
            f"PROD/VER:{prod_ver}\nOPER/SYS:\nKEYWORDS:kbfix\n\nRESOLUTION\n==========\n\n"
            "The English version of this fix should have the following file attributes or\nlater:\n\n"
            f"{table}\n\nSTATUS\n======\n\nConfirmed.\n")


# --------------------------------------------------------------------------- cells


@pytest.mark.parametrize("text", ["01/25/99", "1999/10/02", "5-16-2000", "18-Sep-2001", "Oct-17-2001",
                                  "October 6, 2000", "07-December-2001", "29 May 2001", "29-JUNE-2001"])
def test_dates(text):
    assert cells.is_date(text) and not cells.is_time(text) and not cells.is_version(text)


@pytest.mark.parametrize("text", ["12:22p", "05:17pm", "12:00 midnight", "7:50 A.M.", "03:45 P.M.",
                                  "12:34:58PM", "11.31am", "1436", "3:32:23 PM"])
def test_times(text):
    assert cells.is_time(text) and not cells.is_date(text)


@pytest.mark.parametrize("text, size", [("29,520", 29520), ("27696", 27696), ("18,197 bytes", 18197),
                                        ("147.010", 147010), ("185,760b", 185760), ("1.79 MB", None),
                                        ("138KB", None), ("3Kb", None), ("8,1012", None), ("", None)])
def test_sizes(text, size):
    assert cells.is_size(text) or not text
    assert cells.read_size(text) == size


@pytest.mark.parametrize("text", ["5.2000.328.7", "5.131.2195.2079", "2000.080.0467.00", "4.993.0.0",
                                  "02.573.4104", "5.5.2650.21", "7.0.2600.15 (xpclnt_qfe.010827-1803)"])
def test_versions(text):
    assert cells.is_version(text) and not cells.is_size(text) or text == "02.573.4104"


@pytest.mark.parametrize("text, platform", [
    ("(x86)", "x86"), ("(X86)", "x86"), ("(Intel)", "x86"), ("ix86", "x86"), ("I386 - 128-bit", "x86"),
    ("<x86>", "x86"), ("i386<BR/>", "x86"), ("NT x86 40bit", "x86"), ("x86 (Uniprocessor)", "x86"),
    ("(Alpha)", "alpha"), ("ALPHA", "alpha"), ("MIPS", "mips"), ("PPC", "ppc"), ("Windows 98", "win9x"),
    ("Windows 95 (all)", "win9x"), ("win95 osr2", "win9x"), ("x86 and Alpha", None), ("Win32", None),
    ("Win2k", None), ("none", None),
])
def test_platforms(text, platform):
    assert cells.platform_of(text) == platform


@pytest.mark.parametrize("text", ["Amiga", "Zilog Z80", "Winsock3", "x86 alpha"])
def test_unknown_platforms(text):
    assert not cells.is_platform(text)


# --------------------------------------------------------------------------- table styles


def test_plain_table_read_by_cell_type_with_blank_cells_and_headings():
    article = read_article(STYLES / "Q900101.TXT")
    assert article.status == IMPORTED, article.error
    assert rows(article) == [
        ("Sprocket.dll", "5.2000.328.7", "x86", None, "4.0", None),   # 1.79 MB: not an exact size
        ("Sprocket.ini", None, None, None, "4.0", 18197),             # blank version and platform
        ("Sprocket.sys", "4.0.1381.7", "alpha", None, "4.0", None),
        ("Sprockui.dll", "02.573.4104", "x86", None, "4.0", 147010),   # a part over 99; "147.010" bytes
        ("Sprockmg.exe", "2.00.1380.1132", "x86", None, "4.0", 567280),
        ("Sprocket.cfg", None, None, None, "4.0", 67),                # "67" stands under Size
        ("Sprocket.dll", None, "mips", None, "3.51", 29520),          # double-spaced rows
        ("Sprocket.dll", None, "ppc", None, "3.51", 31002),
    ]
    assert article.rows[0].date == "18-Sep-2001 12:00 midnight"
    assert article.product_versions == ("3.51", "4.0")


def test_file_name_and_path_column_gives_the_location():
    article = read_article(STYLES / "Q900102.TXT")
    assert article.status == IMPORTED, article.error
    assert rows(article) == [
        ("Gizmo.dll", "5.0.2195.4553", None, "%Windir%\\System32\\inetsrv", None, 66320),
        ("Gizmoutl.dll", "5.0.2195.4553", None, "%Windir%\\System32", None, 20752),
        ("Gizmo.txt", None, None, None, None, 1024),
    ]
    assert article.product == "Microsoft Internet Information Server"  # the profile's name
    manifest = to_manifest(article)
    assert manifest.files[0].location == "%Windir%\\System32\\inetsrv"
    assert 'location = "%Windir%\\\\System32\\\\inetsrv"' in render_toml(article)


def test_txt_and_md_of_one_article_give_the_same_rows():
    txt, md = read_article(STYLES / "Q900102.TXT"), read_article(STYLES / "md" / "Q900102.md")
    assert (md.status, md.title, md.product, md.product_versions) == (
        txt.status, txt.title, txt.product, txt.product_versions)
    assert [replace(r, line_no=0) for r in md.rows] == [replace(r, line_no=0) for r in txt.rows]


def test_positions_decide_between_two_readings_of_a_number():
    header = "   Date        Time    Version         Size    File name"
    rule = "   " + "-" * 55
    under_version = "   04/02/2000  9:22p   786                     Foo.ini"
    under_size = "   04/02/2000  9:22p                   786     Foo.ini"
    for line, expect in [(under_size, (None, 786)), (under_version, ("4.0.786", None))]:
        article = parse_article(article_text(f"{header}\n{rule}\n{line}"))
        assert article.status == IMPORTED, article.error
        assert [(r.version, r.size) for r in article.rows] == [expect]


@pytest.mark.parametrize("line, reason", [
    ("   04/17/00  03:56p  4.00.1113   31,872  Mstcp.dll   Amiga", "unknown platform 'Amiga'"),
    ("   04/02/99  04:19pm 4.00        68,816  Mup.sys     x86", "version '4.00' has 2 part(s) only"),
    ("   10-28-01  10:00a  5.0.2195.4555 shp  333,072  Asp.dll  x86", "cells do not fit the columns"),
])
def test_lines_that_cannot_be_placed_refuse_the_article_with_the_line(line, reason):
    table = "   Date      Time    Version     Size    File name   Platform\n   " + "-" * 58 + "\n" + line
    article = parse_article(article_text(table))
    assert article.status == SKIPPED and article.rows == ()
    assert article.error.startswith(f"line 16: {reason}"), article.error
    shown = line.strip()[:40] + "…"  # a long line is quoted by its start and its length
    assert f"{shown!r} ({len(line.strip())} characters)" in article.error and "\n" not in article.error


def test_a_dot_lost_is_refused_not_read():
    table = ("+----------------------------+\n| File name    | Version     |\n+----------------------------+\n"
             "| Imcsvc.exe   | 5.5.2594.0  |\n+----------------------------+\n"
             "| Imcmsg.dll   | 5.52594.0   |\n+----------------------------+")
    article = parse_article(article_text(table, "Microsoft Exchange", "winnt:5.5"))
    assert article.status == SKIPPED
    assert "version '5.52594.0' looks like 5.5.2594.0 (line 17) with a dot lost" in article.error


def test_tables_per_language_and_superseded_tables():
    english = "   File name   Version\n   ---------------------\n   Sprocket.dll  4.0.1381.9"
    table = (english + "\n\nThe French version of this fix should have the following file attributes:\n\n"
             "   File name   Version\n   ---------------------\n   Sprocket.dll  4.0.1381.8\n\n"
             "The previous version of this fix had the following file attributes:\n\n"
             "   File name   Version\n   ---------------------\n   Sprocket.dll  4.0.1381.2")
    article = parse_article(article_text(table))
    assert article.status == IMPORTED, article.error
    assert [(r.version, r.product_version) for r in article.rows] == [("4.0.1381.9", None),
                                                                      ("4.0.1381.8", "French")]
    assert any("superseded" in note for note in article.notes)


def test_every_rule_is_named_and_documented():
    names = [rule.name for rule in RULES]
    assert len(set(names)) == len(names) >= 6
    assert all(len(rule.doc) > 80 for rule in RULES)


# --------------------------------------------------------------------------- hostile articles


def test_the_file_name_must_carry_the_article_id(tmp_path):
    (tmp_path / "Q123456.TXT").write_bytes(EXCHANGE_FIXTURE.read_bytes())
    (article,) = import_articles([tmp_path])
    assert article.status == SKIPPED
    assert article.error.endswith("the file is named 'Q123456.TXT' but the article is Q900001")


@pytest.mark.parametrize("document, reason", [
    ("Q１２３４５６", "is not an article id"),  # full-width digits are digits to Python, not to KB
    ("Q1234", "is not an article id"),
    ("KB900001", "is not an article id"),
])
def test_article_ids_must_be_q_and_ascii_digits(tmp_path, document, reason):
    text = EXCHANGE_FIXTURE.read_text().replace("DOCUMENT:Q900001", f"DOCUMENT:{document}")
    path = tmp_path / "Q900001.TXT"
    path.write_text(text, encoding="utf-8")
    (article,) = import_articles([path])
    assert article.status == SKIPPED and reason in article.error


def test_md_heading_and_article_line_must_agree(tmp_path):
    text = (STYLES / "md" / "Q900102.md").read_text().replace("## Q900102:", "## Q900103:")
    path = tmp_path / "Q900102.md"
    path.write_text(text)
    (article,) = import_articles([path])
    assert article.status == SKIPPED and "the heading names 'Q900103'" in article.error


def test_a_line_break_in_a_file_name_cannot_reach_the_manifest(tmp_path):
    path = tmp_path / "Q900001\n[[files]]\nname = \"evil.dll\".TXT"
    path.write_bytes(EXCHANGE_FIXTURE.read_bytes())
    (article,) = import_articles([path])
    assert article.status == SKIPPED and "\n" not in article.error
    # Even an article carried under such a name renders as one comment line.
    tricky = replace(read_article(EXCHANGE_FIXTURE), path=path, notes=("a\nb = 1",))
    text = render_toml(tricky)
    decoded = tomllib.loads(text)
    assert [row["name"] for row in decoded["files"]] == [r.name for r in tricky.rows]
    assert "b" not in decoded and text.count("\n[[files]]") == len(tricky.rows)


def test_articles_are_read_with_a_size_cap_and_only_from_regular_files(tmp_path):
    big = tmp_path / "Q900001.TXT"
    big.write_bytes(EXCHANGE_FIXTURE.read_bytes() + b" " * MAX_ARTICLE_BYTES)
    fifo = tmp_path / "Q900002.TXT"
    os.mkfifo(fifo)
    found = {a.id: a for a in import_articles([big, fifo])}
    assert "larger than" in found["Q900001"].error
    assert "not a regular file" in found["Q900002"].error


# --------------------------------------------------------------------------- what it hands on


def test_json_output_is_valid_against_its_schema():
    records = to_json_records(import_articles([STYLES, STYLES / "md"]))
    jsonschema.validate(records, json.loads(load_schema("kb-import")))
    assert records[1]["rows"][0]["location"] == "%Windir%\\System32\\inetsrv"


@pytest.mark.parametrize("location, ok", [
    ("%Windir%\\System32\\inetsrv", True), ("%EXSRVROOT%\\Bin", True), ("System32\\Drivers", True),
    ("C:\\Program Files\\Gizmo", True), ("..\\Windows", False), ("System32/Drivers", False),
    ("System32\\\nDrivers", False), ("", False),
])
def test_manifest_location_is_validated(location, ok):
    raw = {"id": "Q900102", "title": "t", "product": "p", "files": [{"name": "A.dll", "location": location}]}
    if ok:
        assert parse_manifest(raw, "test").files[0].location == location
    else:
        with pytest.raises(ManifestError, match="is not a Windows folder|holds a control character"):
            parse_manifest(raw, "test")


@pytest.mark.parametrize("platform", ["x86", "alpha", "mips", "ppc", "win9x"])
def test_manifest_platforms(platform):
    raw = {"id": "Q900102", "title": "t", "product": "p", "files": [{"name": "A.dll", "platform": platform}]}
    assert parse_manifest(raw, "test").files[0].platform == platform
