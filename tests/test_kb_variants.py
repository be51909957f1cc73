"""The importer on variants of articles: the same table written another way (tabs for
blanks, columns in another order, versions with padded parts, platforms named by the
heading) must give the same files and versions, as it would to a careful reader. Each
rule is tested on a made-up article and on a real one of the shared corpus, rewritten."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from verfix.kbimport import IMPORTED, SKIPPED, parse_article
from verfix.kbimport.tables import plain_header

KB_ROOT = Path(__file__).resolve().parents[1].parent / "shared" / "kb"


def real(qid: str) -> str:
    """The text of a shared-corpus article (skipped on a clone without the shared data)."""
    found = sorted(KB_ROOT.glob(f"*/{qid}.TXT"))
    if not found:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the shared KB article {qid} is missing under {KB_ROOT}")
        pytest.skip(f"no shared KB article {qid} under {KB_ROOT}")
    data = found[0].read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def said(text: str) -> tuple:
    article = parse_article(text)
    return article.status, article.error, [
        (r.name, r.version, r.platform, r.location, r.product_version, r.size, r.date) for r in article.rows]


def article(table: str, prod_ver: str = "::4.0", lead: str = "The English version of this fix should "
            "have the following file attributes or\nlater:") -> str:
    return ("DOCUMENT:Q900160  01-JAN-2001  [test]\nTITLE   :A Test Article\nPRODUCT :Microsoft Windows NT\n"
            f"PROD/VER:{prod_ver}\nOPER/SYS:\nKEYWORDS:kbfix\n\nRESOLUTION\n==========\n\n"
            f"{lead}\n\n{table}\n\nSTATUS\n======\n\nConfirmed.\n")


def with_tabs(text: str) -> str:
    """``text`` as an editor saves it with tabs: every run of blanks that reaches an 8-column
    tab stop written as tabs (what ``unexpand -a`` does); it looks the same on screen."""
    out = []
    for line in text.split("\n"):
        chunks = [line[i:i + 8] for i in range(0, len(line), 8)]
        line_out = ""
        for chunk in chunks:
            stripped = chunk.rstrip(" ")
            line_out += stripped + "\t" if len(chunk) == 8 and len(stripped) < 7 else chunk
        out.append(line_out)
    return "\n".join(out)


# --------------------------------------------------------------------------- tabs


def test_a_table_aligned_with_tabs_is_read_as_it_shows():
    spaces = ("   Date      Time    Version      Size    File name     Platform\n"
              "   -------------------------------------------------------------\n"
              "   05/29/97  06:20p  4.0.1381.1   259,920 Rdr.sys       x86\n"
              "   05/29/97  05:19p               470,928 Rdr.sys       Alpha")
    tabs = ("\tDate\t\tTime\tVersion\t\tSize\tFile name\tPlatform\n"
            "\t-------------------------------------------------------------\n"
            "\t05/29/97\t06:20p\t4.0.1381.1\t259,920\tRdr.sys\t\tx86\n"
            "\t05/29/97\t05:19p\t\t\t470,928\tRdr.sys\t\tAlpha")
    assert "\t" in tabs and said(article(tabs)) == said(article(spaces))
    status, _, rows = said(article(tabs))
    assert status == IMPORTED
    assert [(r[0], r[1], r[2], r[5]) for r in rows] == [
        ("Rdr.sys", "4.0.1381.1", "x86", 259920), ("Rdr.sys", None, "alpha", 470928)]


@pytest.mark.parametrize("qid", ["Q237357", "Q246527", "Q266433", "Q305209", "Q318163", "Q221582"])
def test_real_articles_saved_with_tabs_say_the_same(qid):
    text = real(qid)
    tabbed = with_tabs(text)
    assert tabbed != text
    original = said(text)
    assert original[0] == IMPORTED and said(tabbed) == original


# --------------------------------------------------------------------------- header labels


def test_the_words_of_one_label_stand_one_blank_apart():
    kinds = [c.kind for c in plain_header("   File     Date         Time   Size    Version")]
    assert kinds == ["name", "date", "time", "size", "version"]  # not "File Date"
    kinds = [c.kind for c in plain_header("   Platform  File     Version         Size")]
    assert kinds == ["platform", "name", "version", "size"]      # not "File Version"
    assert [c.kind for c in plain_header("   File name  File version  File size")] == ["name", "version", "size"]


def test_a_real_table_with_the_file_column_first_reads_the_same():
    text = real("Q304579")  # "Date  Time  Size  Version  File  Platform"
    header = re.search(r"^( +)Date +Time +Size +Version +File +Platform$", text, re.MULTILINE)
    row = re.search(r"^ +(28-Aug-2001) +(12:06) +(82,160) +(4\.0\.1381\.33478) +(Mup\.sys) +(Intel)$",
                    text, re.MULTILINE)
    assert header and row
    moved = text.replace(header.group(0), "   File     Date         Time   Size    Version         Platform")
    moved = moved.replace(row.group(0), "   Mup.sys  28-Aug-2001  12:06  82,160  4.0.1381.33478  Intel")
    original = said(text)
    assert original[0] == IMPORTED and said(moved) == original


# --------------------------------------------------------------------------- versions by value


def test_release_lines_compare_major_minor_by_value():
    table = ("   File Name   Version\n   ----------  ------------\n"
             "   Store.exe   5.5.2438.0\n   Store.exe   5.00.1461.75")
    status, error, rows = said(article(table, prod_ver="winnt:5.0,5.5"))
    assert status == IMPORTED, error
    assert [(r[0], r[1], r[4]) for r in rows] == [
        ("Store.exe", "5.5.2438.0", "5.5"), ("Store.exe", "5.00.1461.75", "5.0")]
    # A major.minor the article does not name is still not a release line of its own.
    assert said(article(table.replace("5.00.1461", "5.01.1461"), prod_ver="winnt:5.0,5.5"))[0] == SKIPPED


def test_a_real_article_with_padded_minor_parts_reads_the_same():
    text = real("Q195215")  # Store.exe 5.5.2438.0 and 5.0.1461.75 in one table
    assert "5.0.1461.75" in text
    padded = said(text.replace("5.0.1461.75", "5.00.1461.75"))
    original = said(text)
    assert original[0] == IMPORTED and padded[0] == IMPORTED
    assert [(r[0], r[4]) for r in padded[2]] == [(r[0], r[4]) for r in original[2]]


# --------------------------------------------------------------------------- platform headings

_BY_PLATFORM = ("   Date      Time    Size     File name\n   -------------------------------------\n"
                "   05/29/97  06:20p  259,920  Rdr.sys\n")


@pytest.mark.parametrize("intel, alpha", [
    ("Intel\n-----\n\n", "Alpha\n-----\n\n"),                         # underlined headings
    ("Intel:\n\n", "Alpha:\n\n"),                                     # lines of their own
    ("The Intel version of this fix has the following files:\n\n",
     "The Alpha-based version of this fix has the following files:\n\n"),  # lead-ins
])
def test_tables_per_processor_take_the_platform_their_heading_names(intel, alpha):
    table = intel + _BY_PLATFORM + "\n" + alpha + _BY_PLATFORM.replace("259,920", "470,928")
    status, error, rows = said(article(table, lead="Files:"))
    assert status == IMPORTED, error
    assert [(r[0], r[2], r[4], r[5]) for r in rows] == [
        ("Rdr.sys", "x86", None, 259920), ("Rdr.sys", "alpha", None, 470928)]
    assert any("the one processor the heading or lead-in above the table names" in note
               for note in parse_article(article(table, lead="Files:")).notes)


def test_a_heading_naming_two_processors_or_a_platform_cell_is_not_overridden():
    both = "Intel and Alpha:\n\n" + _BY_PLATFORM
    assert [r[2] for r in said(article(both, lead="Files:"))[2]] == [None]
    cell = ("Alpha:\n\n   Date      Time    Size     File name  Platform\n"
            "   ---------------------------------------------\n"
            "   05/29/97  06:20p  259,920  Rdr.sys    x86\n   05/29/97  06:20p  470,928  Rdr.sys\n")
    assert [(r[2], r[5]) for r in said(article(cell, lead="Files:"))[2]] == [("x86", 259920), ("alpha", 470928)]


def test_a_real_table_split_into_one_table_per_processor_reads_the_same():
    text = real("Q173191")  # scm.exe for x86 and Alpha in one table with a Platform column
    table = re.search(r"^   Date +Time +Version +Size +File name +Platform\n.*?\n\n", text, re.MULTILINE | re.DOTALL)
    assert table and "Alpha" in table.group(0)
    split = ("Intel:\n\n   Date      Time    Size    File name\n   ---------------------------------\n"
             "   08/12/97  09:34p  48,112  scm.exe\n\n"
             "Alpha:\n\n   Date      Time    Size    File name\n   ---------------------------------\n"
             "   08/12/97  08:33p  74,512  scm.exe\n\n")
    original, rewritten = said(text), said(text.replace(table.group(0), split))
    assert original[0] == IMPORTED and original[2] == [
        ("scm.exe", None, "x86", None, "3.51", 48112, "08/12/97 09:34p"),
        ("scm.exe", None, "alpha", None, "3.51", 74512, "08/12/97 08:33p")]
    assert rewritten == original


# --------------------------------------------------------------------------- boxed as plain


def test_a_boxed_table_reads_a_marked_name_as_a_plain_one_does():
    plain = ("   File name           Version\n   ------------------  ----------\n"
             "   Channel.dll (56-bit)  5.1.2195.0\n   Nwconv.exe (x86)    4.0.1381.3")
    boxed = ("   +----------------------+------------+\n   | File name            | Version    |\n"
             "   +----------------------+------------+\n   | Channel.dll (56-bit) | 5.1.2195.0 |\n"
             "   +----------------------+------------+\n   | Nwconv.exe (x86)     | 4.0.1381.3 |\n"
             "   +----------------------+------------+")
    assert said(article(boxed)) == said(article(plain))
    assert [(r[0], r[2]) for r in said(article(boxed))[2]] == [("Channel.dll", None), ("Nwconv.exe", "x86")]


def test_a_real_plain_table_redrawn_as_a_box_reads_the_same():
    text = real("Q260649")  # Channel.dll (56-bit) in the File Name column
    table = re.search(r"^   Date +Time +Version +Size +File Name *\n.*?\n\n", text, re.MULTILINE | re.DOTALL)
    assert table and "Channel.dll (56-bit)" in table.group(0)
    lines = [line.split(None, 4) for line in table.group(0).splitlines()[2:] if line.strip()]
    border = "   +----------+--------+------------+---------+----------------------+"
    boxed = [border, "   | Date     | Time   | Version    | Size    | File Name            |", border]
    for date, time, version, size, name in lines:
        boxed += [f"   | {date:<8} | {time:<6} | {version:<10} | {size:<7} | {name:<20} |", border]
    original = said(text)
    assert original[0] == IMPORTED and len(original[2]) == 3
    assert said(text.replace(table.group(0), "\n".join(boxed) + "\n\n")) == original


# --------------------------------------------------------------------------- the package itself

_INSTALLED = ("   Date         Time   Version     Size       File name\n"
              "   -------------------------------------------------\n"
              "   18-Mar-2002  11:25  06.00.9447    562,448  Ssapi.dll\n"
              "   18-Mar-2002  11:25  06.00.9447    499,472  Ssarc.exe\n")


@pytest.mark.parametrize("lead", ["The self-extracting EXE should be:",
                                  "All files are contained in a self-extracting EXE.",
                                  "The following self-extracting executable file contains all of the files in the\n"
                                  "preceding list:"])
def test_the_self_extracting_package_a_lead_in_names_is_left_out(lead):
    package = ("   Date         Time   Size       File name\n   ----------------------------------------\n"
               "   18-Mar-2002  11:30  2,025,472  Vsqfe374.exe\n")
    parsed = parse_article(article(_INSTALLED + "\n" + lead + "\n\n" + package))
    assert parsed.status == IMPORTED
    assert [r.name for r in parsed.rows] == ["Ssapi.dll", "Ssarc.exe"]
    assert any("self-extracting hotfix package Vsqfe374.exe" in note for note in parsed.notes)


def test_files_a_self_extracting_package_installs_are_kept():
    # Programs with versions, or not only programs: what the package installs, not the package.
    lead = "The self-extracting package installs the following files:"
    parsed = parse_article(article(_INSTALLED, lead=lead))
    assert [r.name for r in parsed.rows] == ["Ssapi.dll", "Ssarc.exe"]
    programs = _INSTALLED.replace("Ssapi.dll", "Ssapi.exe")
    assert [r.name for r in parse_article(article(programs, lead=lead)).rows] == ["Ssapi.exe", "Ssarc.exe"]


@pytest.mark.parametrize("qid, package", [("Q289738", "VSS9191en.exe"), ("Q319899", "Vsqfe374.exe"),
                                          ("Q236810", "VSS8660.EXE")])
def test_real_articles_list_their_package_apart_from_the_files(qid, package):
    parsed = parse_article(real(qid))
    assert parsed.status == IMPORTED and len(parsed.rows) >= 5
    assert package not in [r.name for r in parsed.rows]
    assert any(package in note for note in parsed.notes)


# --------------------------------------------------------------------------- a wrapped file name


def test_a_file_name_wrapped_onto_the_next_line_refuses_the_article():
    table = ("   Date      Time    Version     Size     File name\n"
             "   ------------------------------------------------------\n"
             "   05/29/97  06:20p  4.0.1381.3  259,920  Verylongname_\n"
             "                                          component.dll\n"
             "   05/29/97  06:20p  4.0.1381.3  59,920   Srv.sys")
    status, error, rows = said(article(table))
    assert status == SKIPPED and rows == []
    assert error == ("line 17: a file name alone under a row that gives more (a name wrapped onto the "
                     "next line?): 'component.dll'")
    # A table that gives names only, a row whose cells say N/A, and a data file of no version
    # under a complete name are still read.
    data = table.replace(" " * 42 + "component.dll",
                         "   05/29/97  06:20p  4.0.1381.3  1  X.dll\n" + " " * 42 + "Dbserver.sch")
    assert [r[0] for r in said(article(data))[2]][-3:] == ["X.dll", "Dbserver.sch", "Srv.sys"]
    names = "   File name        Date       Time\n   ------------------------------\n   Wappc32.dll\n   Snaservr.exe"
    assert [r[0] for r in said(article(names))[2]] == ["Wappc32.dll", "Snaservr.exe"]
    written = table.replace("                                          component.dll",
                            "   N/A       N/A     N/A         N/A      Readme.txt")
    assert said(article(written))[0] == IMPORTED


def test_a_real_row_with_its_name_wrapped_is_refused_not_read_as_two_files():
    text = real("Q231942")  # one row: 04/12/99  09:18p  4.00.1114  68,962  Ios.vxd
    row = "   04/12/99  09:18p  4.00.1114    68,962  Ios.vxd"
    assert row in text and said(text)[0] == IMPORTED
    wrapped = text.replace(row, row.replace("Ios.vxd", "Ios_") + "\n" + " " * 43 + "support.vxd")
    status, error, rows = said(wrapped)
    assert status == SKIPPED and "a file name alone under a row that gives more" in (error or "")


# --------------------------------------------------------------------------- header labels reworded

_LABELLED = ("   Date      Time    Version      Size    File name     Platform\n"
             "   -------------------------------------------------------------\n"
             "   05/29/97  06:20p  4.0.1381.1   259,920 Rdr.sys       x86\n"
             "   05/29/97  05:19p  4.0.1381.1   470,928 Rdr.sys       Alpha")


@pytest.mark.parametrize("old, new", [("Version    ", "Version no."), ("Version", "Ver.   "),
                                      ("Version    ", "File ver.  "), ("Platform", "CPU     "),
                                      ("Platform", "Architecture"), ("Date    ", "Modified"),
                                      ("File name", "FILE NAME"), ("File name", "Filename ")])
def test_a_reworded_header_label_reads_the_same(old, new):
    assert said(article(_LABELLED.replace(old, new, 1))) == said(article(_LABELLED))


def test_a_fixed_file_table_with_a_label_not_known_is_refused_not_passed_over():
    status, error, _ = said(article(_LABELLED.replace("Version", "Build  ", 1)))
    assert status == SKIPPED and "a table header with a label not known: 'Build'" in (error or "")
    # A table of files and descriptions is no fixed-file table: passed over as before.
    prose = "   File name     Description\n   -------------------------\n   Rdr.sys       The redirector"
    assert said(article(prose))[0] == "no-table"


def test_a_real_article_with_its_version_label_reworded_reads_the_same():
    text = real("Q231942")
    header = "   Date      Time    Version      Size    File name"
    assert header in text
    assert said(text.replace(header, header.replace("Version    ", "Version no."))) == said(text)
    status, error, _ = said(text.replace(header, header.replace("Version", "Release")))
    assert status == SKIPPED and "label not known: 'Release'" in (error or "")
